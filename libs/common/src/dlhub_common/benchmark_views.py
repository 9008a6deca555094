"""Plain-dict views of benchmark scores and leaderboards, shared by the
gateway's HTTP API and the SDK so both describe them the same way."""

from __future__ import annotations

import json
from typing import Any

from dlhub_common._proto.dlhub.v1 import benchmarks_pb2, types_pb2


def _ref(ref: types_pb2.ServableRef) -> str:
    return f"{ref.owner}/{ref.name}:{ref.version}"


def score_fields(score: benchmarks_pb2.BenchmarkScore) -> dict[str, Any]:
    """One score with the scored servable's citation fields (title, authors, DOI)."""
    s = score.servable
    out: dict[str, Any] = {
        "servable": f"{s.owner}/{s.name}:{s.version}",
        "title": s.title,
        "authors": list(s.authors),
        "doi": s.doi or None,
        "version": s.version,
        "digest": s.digest,
        "metric": score.metric,
        "higher_is_better": score.higher_is_better,
        "value": score.value,
        "examples": score.examples,
        "benchmark": _ref(score.benchmark),
        "benchmark_digest": score.benchmark_digest,
        "scored_at": score.scored_at,
        "scored_by": score.scored_by,
        "elapsed_ms": score.elapsed_ms,
    }
    if score.rank:
        out["rank"] = score.rank
    return out


def score_response_fields(resp: benchmarks_pb2.ScoreBenchmarkResponse) -> dict[str, Any]:
    """What one ScoreBenchmark call did: each servable's score or error, and the skipped."""
    outcomes = []
    for o in resp.outcomes:
        item: dict[str, Any] = {
            "servable": _ref(o.servable),
            "already_scored": o.already_scored,
        }
        if o.HasField("score"):
            item["score"] = score_fields(o.score)
        if o.HasField("error"):
            item["error"] = {
                "code": o.error.code,
                "message": o.error.message,
                "details": json.loads(o.error.details_json or "{}"),
            }
        outcomes.append(item)
    return {
        "benchmark": _summary_ref(resp.benchmark),
        "outcomes": outcomes,
        "skipped": [{"servable": _ref(s.servable), "reason": s.reason} for s in resp.skipped],
    }


def _summary_ref(summary: types_pb2.ServableSummary) -> str:
    return f"{summary.owner}/{summary.name}:{summary.version}"


def leaderboard_fields(resp: benchmarks_pb2.GetLeaderboardResponse) -> dict[str, Any]:
    """A leaderboard: the benchmark, its metric and direction, and the ranked entries."""
    b = resp.benchmark
    return {
        "benchmark": _summary_ref(b),
        "title": b.title,
        "doi": b.doi or None,
        "digest": b.digest,
        "metric": resp.metric,
        "higher_is_better": resp.higher_is_better,
        "entries": [score_fields(e) for e in resp.entries],
    }
