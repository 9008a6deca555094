"""Prometheus metrics shared by the services, and logging set-up."""

from __future__ import annotations

import logging

from prometheus_client import Counter, Gauge, Histogram

RPC_LATENCY = Histogram(
    "dlhub_rpc_seconds",
    "gRPC handler latency by method",
    ["method"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30),
)
TASKS = Counter("dlhub_tasks_total", "Tasks finished, by servable type and outcome", ["outcome"])
TASK_COMPUTE = Histogram(
    "dlhub_task_compute_seconds",
    "Model compute time per task in the executor",
    buckets=(0.00001, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5),
)
HTTP_REQUESTS = Counter("dlhub_http_requests_total", "HTTP requests", ["route", "status"])
PUBLISHED = Counter("dlhub_servables_published_total", "Servable versions published")
RATE_LIMITED = Counter(
    "dlhub_rate_limited_total",
    "Requests the gateway refused over a rate limit, by scope (rate_identity, rate_address)",
    ["scope"],
)

STREAMS_OPEN = Gauge("dlhub_streams_open", "gRPC run streams open, by API", ["api"])
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


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
