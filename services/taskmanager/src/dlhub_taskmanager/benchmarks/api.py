"""The benchmark RPCs of TaskService over the core: protobuf in, protobuf out."""

from __future__ import annotations

import json
from typing import Any

from dlhub_common._proto.dlhub.v1 import benchmarks_pb2, types_pb2
from dlhub_common.bounds import check_int, check_timeout
from dlhub_common.errors import DLHubError
from dlhub_common.identity import current_principal
from dlhub_common.names import Ref, check_slug
from dlhub_taskmanager.benchmarks.service import Benchmarks, Outcome


def _ref(field: str, ref: types_pb2.ServableRef) -> Ref:
    return Ref(
        check_slug(f"{field}.owner", ref.owner),
        check_slug(f"{field}.name", ref.name),
        check_int(f"{field}.version", ref.version),
    )


def _ref_pb(ref: Ref) -> types_pb2.ServableRef:
    return types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version)


def score_pb(
    score: dict[str, Any], summary: types_pb2.ServableSummary, rank: int = 0
) -> benchmarks_pb2.BenchmarkScore:
    b = score["benchmark"]
    return benchmarks_pb2.BenchmarkScore(
        servable=summary,
        benchmark=types_pb2.ServableRef(owner=b["owner"], name=b["name"], version=b["version"]),
        benchmark_digest=b["digest"],
        metric=score["metric"],
        higher_is_better=bool(score["higher_is_better"]),
        value=float(score["value"]),
        examples=int(score["examples"]),
        scored_at=score["scored_at"],
        scored_by=score.get("scored_by", ""),
        rank=rank,
        elapsed_ms=float(score.get("elapsed_ms", 0.0)),
    )


def _error_pb(error: DLHubError) -> types_pb2.ErrorInfo:
    return types_pb2.ErrorInfo(
        code=error.code.value,
        message=error.message,
        details_json=json.dumps(error.details, default=str) if error.details else "",
        retryable=error.retryable,
    )


def _outcome_pb(outcome: Outcome) -> benchmarks_pb2.ScoreOutcome:
    pb = benchmarks_pb2.ScoreOutcome(
        servable=_ref_pb(outcome.ref), already_scored=outcome.already_scored
    )
    if outcome.score is not None and outcome.summary is not None:
        pb.score.CopyFrom(score_pb(outcome.score, outcome.summary))
    if outcome.error is not None:
        pb.error.CopyFrom(_error_pb(outcome.error))
    return pb


class BenchmarksAPI:
    """ScoreBenchmark and GetLeaderboard of dlhub_common.apis.TaskApi."""

    def __init__(self, core: Benchmarks) -> None:
        self.benchmarks = core

    async def score_benchmark(
        self, request: benchmarks_pb2.ScoreBenchmarkRequest
    ) -> benchmarks_pb2.ScoreBenchmarkResponse:
        bench = _ref("benchmark", request.benchmark)
        servable = _ref("servable", request.servable) if request.HasField("servable") else None
        result = await self.benchmarks.score(
            current_principal.get(),
            bench,
            servable,
            all_servables=request.all,
            timeout_s=check_timeout("timeout_s", request.timeout_s),
        )
        return benchmarks_pb2.ScoreBenchmarkResponse(
            benchmark=result.bench.summary,
            outcomes=[_outcome_pb(o) for o in result.outcomes],
            skipped=[
                benchmarks_pb2.SkippedServable(servable=_ref_pb(ref), reason=reason)
                for ref, reason in result.skipped
            ],
        )

    async def get_leaderboard(
        self, request: benchmarks_pb2.GetLeaderboardRequest
    ) -> benchmarks_pb2.GetLeaderboardResponse:
        board = await self.benchmarks.leaderboard(
            _ref("benchmark", request.benchmark), request.limit
        )
        spec = board.bench.spec
        return benchmarks_pb2.GetLeaderboardResponse(
            benchmark=board.bench.summary,
            metric=spec.metric_name,
            higher_is_better=spec.higher_is_better,
            entries=[
                score_pb(score, summary, rank)
                for rank, (score, summary) in enumerate(board.entries, start=1)
            ],
        )
