"""REST usage statistics: ``GET /api/v1/servables/{owner}/{name}/stats``
(docs/observability.md, "Usage statistics"). The task manager applies the
access rules: NOT_FOUND as describe, per-day detail for owners only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common.identity import Principal
from dlhub_common.names import check_slug, parse_version
from dlhub_common.usage_views import servable_stats_fields
from dlhub_gateway.http.context import ctx, principal

router = APIRouter(tags=["dlhub"])  # included by api_v1, under /api/v1
Caller = Annotated[Principal, Depends(principal)]


class UsageCounts(BaseModel):
    invocations: int = Field(description="Runs asked for: finished plus refused in validation")
    errors: int = Field(description="Failed runs plus refused ones")
    refused: int = Field(description="Runs refused in validation")
    latency_p50_ms: float = Field(description="Median latency of finished runs (bucketed, ±19%)")
    latency_p95_ms: float = Field(description="95th percentile latency of finished runs")
    unique_callers: int = Field(description="Distinct callers (HyperLogLog estimate)")
    last_used_at: str | None = Field(description="RFC 3339 UTC time of the last run")


class VersionUsage(UsageCounts):
    version: int


class DayUsage(UsageCounts):
    day: str = Field(description="UTC day, YYYY-MM-DD")
    version: int


class ServableStats(BaseModel):
    """Usage of one servable; ``days`` only for its owner, co-owners and admins."""

    servable: str = Field(description="owner/name")
    version: int | None = Field(description="The version asked for; null: every version")
    since: str = Field(description="First UTC day counted")
    until: str = Field(description="Last UTC day counted (today)")
    totals: UsageCounts
    versions: list[VersionUsage]
    days: list[DayUsage] | None = Field(description="Per day and version; null: not yours to see")


@router.get("/servables/{owner}/{name}/stats", response_model=ServableStats)
async def servable_stats(
    request: Request,
    owner: str,
    name: str,
    _who: Caller,
    version: str = "",
    since: Annotated[
        str, Query(max_length=20, description="'30d', '4w' or a first day '2026-11-01'")
    ] = "",
) -> ServableStats:
    resp = await ctx(request).tasks.get_servable_stats(
        tasks_pb2.GetServableStatsRequest(
            servable=types_pb2.ServableRef(
                owner=check_slug("owner", owner),
                name=check_slug("name", name),
                version=parse_version(version),
            ),
            since=since,
        )
    )
    return ServableStats.model_validate(servable_stats_fields(resp))
