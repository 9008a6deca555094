"""REST benchmarks under /api/v1 (docs/benchmarks.md): score servables on a
benchmark and read its leaderboard. Publishing a benchmark is publishing a
servable of type ``benchmark`` (POST /api/v1/servables)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from dlhub_common._proto.dlhub.v1 import benchmarks_pb2, types_pb2
from dlhub_common.benchmark_views import leaderboard_fields, score_response_fields
from dlhub_common.bounds import MAX_TIMEOUT_S
from dlhub_common.identity import Principal
from dlhub_common.names import check_slug, parse_ref, parse_version
from dlhub_gateway.http import schemas as S
from dlhub_gateway.http.context import ctx, principal
from dlhub_gateway.http.fields import Count
from dlhub_gateway.http.schemas import answers

router = APIRouter(prefix="/api/v1", tags=["dlhub"])
Caller = Annotated[Principal, Depends(principal)]


class ScoreBody(BaseModel):
    """Which servables to score: one (``servable``) or every fitting one (``all``)."""

    model_config = ConfigDict(strict=True)

    servable: str | None = Field(
        None, max_length=300, description="owner/name or owner/name:version"
    )
    all: bool = Field(False, description="score every servable you may see whose signature fits")
    version: Count = Field(0, description="the benchmark's version; 0 = its latest")
    timeout_s: float = Field(0.0, ge=0, le=MAX_TIMEOUT_S, description="0 = the default, 600 s")


def _bench(owner: str, name: str, version: int) -> types_pb2.ServableRef:
    return types_pb2.ServableRef(
        owner=check_slug("owner", owner), name=check_slug("name", name), version=version
    )


@router.post("/benchmarks/{owner}/{name}/scores", **answers(S.BenchmarkScore))
async def score_benchmark(
    request: Request, owner: str, name: str, _who: Caller, body: Annotated[ScoreBody, Body()]
) -> dict[str, Any]:
    """Score a servable (or every fitting one) on the benchmark; a digest pair
    scored before answers its stored score (``already_scored``)."""
    message = benchmarks_pb2.ScoreBenchmarkRequest(
        benchmark=_bench(owner, name, body.version), all=body.all, timeout_s=body.timeout_s
    )
    if body.servable is not None:
        ref = parse_ref(body.servable)
        message.servable.CopyFrom(
            types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version)
        )
    resp = await ctx(request).tasks.score_benchmark(message)
    return score_response_fields(resp)


@router.get("/benchmarks/{owner}/{name}/leaderboard", **answers(S.Leaderboard))
async def get_leaderboard(
    request: Request,
    owner: str,
    name: str,
    _who: Caller,
    version: str = "",
    limit: int = Query(0, ge=0, le=1000, description="0 = 100"),
) -> dict[str, Any]:
    """Ranked scores, best first, of the servables you may see."""
    resp = await ctx(request).tasks.get_leaderboard(
        benchmarks_pb2.GetLeaderboardRequest(
            benchmark=_bench(owner, name, parse_version(version)), limit=limit
        )
    )
    return leaderboard_fields(resp)
