"""Plain-dict view of a servable's usage statistics (GetServableStats), shared
by the gateway's HTTP API, the SDK and the CLI so all describe it the same way."""

from __future__ import annotations

from typing import Any

from dlhub_common._proto.dlhub.v1 import tasks_pb2


def usage_counts_fields(counts: tasks_pb2.UsageCounts) -> dict[str, Any]:
    return {
        "invocations": counts.invocations,
        "errors": counts.errors,
        "refused": counts.refused,
        "latency_p50_ms": counts.latency_p50_ms,
        "latency_p95_ms": counts.latency_p95_ms,
        "unique_callers": counts.unique_callers,
        "last_used_at": counts.last_used_at or None,
    }


def servable_stats_fields(resp: tasks_pb2.GetServableStatsResponse) -> dict[str, Any]:
    """The response as JSON-ready fields; ``days`` is None when the caller may not see it."""
    ref = resp.servable
    return {
        "servable": f"{ref.owner}/{ref.name}",
        "version": ref.version or None,
        "since": resp.since,
        "until": resp.until,
        "totals": usage_counts_fields(resp.totals),
        "versions": [
            {"version": v.version, **usage_counts_fields(v.counts)} for v in resp.versions
        ],
        "days": (
            [
                {"day": d.day, "version": d.version, **usage_counts_fields(d.counts)}
                for d in resp.days
            ]
            if resp.days_visible
            else None
        ),
    }
