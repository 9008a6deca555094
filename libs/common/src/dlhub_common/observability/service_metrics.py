"""Families every service shares: RPC latency, HTTP, streams, rate limits, publishes."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from dlhub_common.errors import DLHubError, ErrorCode

RPC_LATENCY = Histogram(
    "dlhub_rpc_seconds",
    "Seconds each gRPC call took in its handler on this process, by full method name",
    ["method"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30),
)
HTTP_REQUESTS = Counter(
    "dlhub_http_requests_total",
    "HTTP requests the gateway answered, by route template and status code",
    ["route", "status"],
)
PUBLISHED = Counter(
    "dlhub_servables_published_total",
    "Publish requests the registry finished, by outcome: ok (a version committed),"
    " invalid (refused: bad metadata or artifacts), denied (not allowed), conflict"
    " (the version exists), error (failed inside the registry)",
    ["outcome"],
)
RATE_LIMITED = Counter(
    "dlhub_rate_limited_total",
    "Requests the gateway refused over a rate limit, by scope (rate_identity, rate_address)",
    ["scope"],
)
STREAMS_OPEN = Gauge("dlhub_streams_open", "gRPC run streams open now, by API", ["api"])
STREAM_REQUESTS = Counter(
    "dlhub_stream_requests_total",
    "Requests run on gRPC streams, by API and outcome (ok, error)",
    ["api", "outcome"],
)
STREAMS_ENDED = Counter(
    "dlhub_streams_total",
    "gRPC run streams ended, by API and how (closed, dropped_slow_reader, broken)",
    ["api", "how"],
)


_PUBLISH_OUTCOMES = {
    ErrorCode.INVALID_ARGUMENT: "invalid",
    ErrorCode.FAILED_PRECONDITION: "invalid",
    ErrorCode.RESOURCE_EXHAUSTED: "invalid",
    ErrorCode.PERMISSION_DENIED: "denied",
    ErrorCode.UNAUTHENTICATED: "denied",
    ErrorCode.ALREADY_EXISTS: "conflict",
}


def publish_outcome(exc: BaseException) -> str:
    """The ``dlhub_servables_published_total`` outcome of a publish that raised ``exc``."""
    if isinstance(exc, DLHubError):
        return _PUBLISH_OUTCOMES.get(exc.code, "error")
    return "error"
