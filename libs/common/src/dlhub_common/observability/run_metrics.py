"""Per-servable run families, counted by the task manager.

Labels ``servable`` ("owner/name") and ``version`` come from
:func:`dlhub_common.observability.labels.servable_labels`: a name that did not
resolve is counted as ``servable="unknown", version=""``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter, Histogram

from dlhub_common.errors import DLHubError, ErrorCode
from dlhub_common.observability.labels import servable_labels
from dlhub_common.observability.live import LiveGauge

SERVABLE = ("servable", "version")
OUTCOMES = ("ok", "invalid", "not_found", "denied", "refused", "error", "cancelled", "deadline")
# seconds: from well under a millisecond (a cached or tiny model) to minutes
LATENCY_BUCKETS = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
    5, 10, 30, 60, 300,
)  # fmt: skip

TASKS = Counter(
    "dlhub_tasks_total",
    "Task results this task manager recorded, by outcome: ok (the executor succeeded),"
    " error (the executor failed), cache_hit (answered from the result cache)",
    ["outcome"],
)
RUNS = Counter(
    "dlhub_runs_total",
    "Runs the task manager ended or refused, by servable, version and outcome: ok, invalid"
    " (inputs or version refused by validation), not_found (unknown or invisible servable),"
    " denied (not allowed), refused (over capacity), error (failed), cancelled, deadline"
    " (past its timeout)",
    [*SERVABLE, "outcome"],
)
QUEUE_SECONDS = Histogram(
    "dlhub_run_queue_seconds",
    "Seconds from a run's acceptance to an executor starting it, per servable and version",
    SERVABLE,
    buckets=LATENCY_BUCKETS,
)
STAGING_SECONDS = Histogram(
    "dlhub_run_staging_seconds",
    "Seconds the executor spent staging a run's inputs given by reference (runs with"
    " references only), per servable and version",
    SERVABLE,
    buckets=LATENCY_BUCKETS,
)
COMPUTE_SECONDS = Histogram(
    "dlhub_run_compute_seconds",
    "Seconds of model compute of the call that produced a run's result, per servable and"
    " version (a batched call counts once for each of its runs)",
    SERVABLE,
    buckets=LATENCY_BUCKETS,
)
TOTAL_SECONDS = Histogram(
    "dlhub_run_total_seconds",
    "Seconds from a run's acceptance to its result being recorded (executor runs and"
    " result-cache answers), per servable and version",
    SERVABLE,
    buckets=LATENCY_BUCKETS,
)
RESULT_CACHE = Counter(
    "dlhub_result_cache_total",
    "Result-cache lookups of cacheable runs, per servable, version and result (hit, miss)",
    [*SERVABLE, "result"],
)


def _pending_by_servable(core: Any) -> dict[tuple[str, ...], float]:
    counts: dict[tuple[str, ...], float] = {}
    for record in list(core._pending.values()):
        key = servable_labels(record.get("servable"))
        counts[key] = counts.get(key, 0.0) + 1
    return counts


IN_FLIGHT = LiveGauge(
    "dlhub_tasks_in_flight",
    "Tasks this task manager accepted that have not ended yet (queued or running), per"
    " servable and version",
    SERVABLE,
    _pending_by_servable,
)


def count_run(ref: Any, outcome: str) -> None:
    """One run of ``ref`` (None: unresolved) ended or was refused with ``outcome``."""
    RUNS.labels(*servable_labels(ref), outcome).inc()


def observe_result(
    record: Mapping[str, Any], timings: Mapping[str, Any], ok: bool, error_code: str = ""
) -> None:
    """A run's result was recorded: its outcome and its latencies (``timings`` in ms).

    A failure the executor reports as DEADLINE_EXCEEDED (the task waited or ran
    past its timeout) counts as ``deadline``, like one the task manager expires.
    """
    labels = servable_labels(record.get("servable"))
    if not ok:
        RUNS.labels(*labels, _RESULT_OUTCOMES.get(error_code, "error")).inc()
        TOTAL_SECONDS.labels(*labels).observe(float(timings.get("total_ms", 0.0)) / 1e3)
        return
    ran = _ok_children(labels)
    ran.runs.inc()
    ran.total.observe(float(timings.get("total_ms", 0.0)) / 1e3)
    ran.queue.observe(float(timings.get("queue_ms", 0.0)) / 1e3)
    ran.compute.observe(float(timings.get("compute_ms", 0.0)) / 1e3)
    staging_ms = float(timings.get("staging_ms", 0.0))
    if staging_ms > 0:
        ran.staging.observe(staging_ms / 1e3)


@dataclass(frozen=True)
class _OkChildren:
    runs: Any
    total: Any
    queue: Any
    compute: Any
    staging: Any


# the label children of each servable's successful runs, looked up once (the
# run path records every result: ``labels()`` takes a lock and a dict lookup each)
_OK_CHILDREN: dict[tuple[str, str], _OkChildren] = {}


def _ok_children(labels: tuple[str, str]) -> _OkChildren:
    found = _OK_CHILDREN.get(labels)
    if found is None:
        found = _OK_CHILDREN[labels] = _OkChildren(
            RUNS.labels(*labels, "ok"),
            TOTAL_SECONDS.labels(*labels),
            QUEUE_SECONDS.labels(*labels),
            COMPUTE_SECONDS.labels(*labels),
            STAGING_SECONDS.labels(*labels),
        )
    return found


def observe_cache(ref: Any, hit: bool, seconds: float = 0.0) -> None:
    """A result-cache lookup of ``ref``; a hit is an ok run that took ``seconds``."""
    labels = servable_labels(ref)
    RESULT_CACHE.labels(*labels, "hit" if hit else "miss").inc()
    if hit:
        RUNS.labels(*labels, "ok").inc()
        TOTAL_SECONDS.labels(*labels).observe(seconds)


_RESULT_OUTCOMES = {ErrorCode.DEADLINE_EXCEEDED.value: "deadline"}
_REFUSALS = {
    ErrorCode.NOT_FOUND: "not_found",
    ErrorCode.INVALID_ARGUMENT: "invalid",
    ErrorCode.FAILED_PRECONDITION: "invalid",
    ErrorCode.PERMISSION_DENIED: "denied",
    ErrorCode.UNAUTHENTICATED: "denied",
    ErrorCode.RESOURCE_EXHAUSTED: "refused",
    ErrorCode.OVERLOADED: "refused",
    ErrorCode.DEADLINE_EXCEEDED: "deadline",
}


def refusal_outcome(exc: DLHubError) -> str:
    """The ``dlhub_runs_total`` outcome of a run refused with ``exc``."""
    return _REFUSALS.get(exc.code, "error")
