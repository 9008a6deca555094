"""Families of the executor: model calls, batches, loads and unloads.

(The staging cache's own families are in dlhub_executor.staging.cache.)"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Histogram

from dlhub_common.observability.labels import servable_labels
from dlhub_common.observability.run_metrics import LATENCY_BUCKETS, SERVABLE

TASK_COMPUTE = Histogram(
    "dlhub_task_compute_seconds",
    "Seconds of each model call in this executor (one observation per call, however many"
    " requests it batched)",
    buckets=(0.00001, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5),
)
BATCH_SIZE = Histogram(
    "dlhub_batch_size",
    "Requests per model call in this executor (1 when not batched), per servable and version",
    SERVABLE,
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
)
BATCH_WAIT = Histogram(
    "dlhub_batch_wait_seconds",
    "Seconds a request waited in the executor's batch queue for its model call to start,"
    " per servable and version",
    SERVABLE,
    buckets=LATENCY_BUCKETS,
)
MODEL_LOADS = Counter(
    "dlhub_model_loads_total",
    "Model loads this executor attempted, per servable, version and outcome (ok, error)",
    [*SERVABLE, "outcome"],
)
MODEL_UNLOADS = Counter(
    "dlhub_model_unloads_total",
    "Models this executor unloaded, per servable, version and reason (idle, evicted, stopped)",
    [*SERVABLE, "reason"],
)


def model_load(ref: Any, ok: bool) -> None:
    MODEL_LOADS.labels(*servable_labels(ref), "ok" if ok else "error").inc()


def model_unload(labels: tuple[str, str], reason: str) -> None:
    MODEL_UNLOADS.labels(*labels, reason).inc()


# (owner, name, version) -> the (wait, size) children: every batch records, and
# ``labels()`` formats the labels, takes a lock and looks them up each time
_BATCH_CHILDREN: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def observe_batch(ref: Any, waits_s: list[float], sizes: list[int]) -> None:
    """One batch of ``ref``: each request's wait in the queue, each model call's size."""
    key = (ref.owner, ref.name, ref.version)
    children = _BATCH_CHILDREN.get(key)
    if children is None:
        labels = servable_labels(ref)
        children = _BATCH_CHILDREN[key] = (BATCH_WAIT.labels(*labels), BATCH_SIZE.labels(*labels))
    wait, size = children
    for w in waits_s:
        wait.observe(max(0.0, w))
    for n in sizes:
        size.observe(n)
