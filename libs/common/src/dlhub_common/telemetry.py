"""Prometheus families shared by the services, and logging set-up.

Kept for its importers: the families live in ``dlhub_common.observability``
(split by idea), logging set-up in ``dlhub_common.observability.logs``.
"""

from __future__ import annotations

from dlhub_common.observability.executor_metrics import TASK_COMPUTE
from dlhub_common.observability.logs import configure_logging
from dlhub_common.observability.run_metrics import TASKS
from dlhub_common.observability.service_metrics import (
    HTTP_REQUESTS,
    PUBLISHED,
    RATE_LIMITED,
    RPC_LATENCY,
    STREAM_REQUESTS,
    STREAMS_ENDED,
    STREAMS_OPEN,
)

__all__ = [
    "HTTP_REQUESTS",
    "PUBLISHED",
    "RATE_LIMITED",
    "RPC_LATENCY",
    "STREAMS_ENDED",
    "STREAMS_OPEN",
    "STREAM_REQUESTS",
    "TASKS",
    "TASK_COMPUTE",
    "configure_logging",
]
