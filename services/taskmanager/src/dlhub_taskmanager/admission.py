"""Admission: how much unfinished work one task manager replica accepts.

Unfinished tasks are counted in memory on the replica that accepted them, in
total, per servable version and per caller, and so are the bytes of their
inputs (which sit on the bus, in the executors' queues and, for a
synchronous run, in the caller's open request until the task ends). Past a
limit a run is refused with ``Overloaded`` (RESOURCE_EXHAUSTED / HTTP 429),
whose ``retry_after_s`` says when a slot is likely to be free again.

A task counts until it finishes, or at the latest until its deadline passes,
so a task whose end this replica never sees (a record write that failed)
cannot hold its slot for ever.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass
from typing import Any

from dlhub_common.errors import Overloaded
from dlhub_common.names import Ref
from dlhub_common.settings import MiB, TaskSettings


@dataclass(frozen=True)
class Limits:
    """Bounds on unfinished work (see ``TaskSettings`` for the settings)."""

    total: int = 10_000
    per_servable: int = 1_000
    per_caller: int = 2_000
    bytes_total: int = 512 * MiB
    bytes_per_caller: int = 128 * MiB

    @classmethod
    def of(cls, settings: TaskSettings) -> Limits:
        return cls(
            total=settings.max_queued,
            per_servable=settings.max_queued_per_servable,
            per_caller=settings.max_queued_per_caller,
            bytes_total=settings.max_inflight_bytes,
            bytes_per_caller=settings.max_inflight_bytes_per_caller,
        )


@dataclass
class _Entry:
    servable: str
    caller: str
    nbytes: int
    admitted_s: float


def _mib(n: int) -> str:
    return f"{n / MiB:.0f} MiB" if n >= MiB else f"{n} bytes"


class Admission:
    """Counts the unfinished tasks (and their input bytes) this replica accepted."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._tasks: dict[str, _Entry] = {}
        self._per_servable: dict[str, int] = {}
        self._per_caller: dict[str, int] = {}
        self._bytes_per_caller: dict[str, int] = {}
        self._bytes = 0
        self._deadlines: list[tuple[int, str]] = []  # heap of (deadline ns, task id)
        self._avg_s = 1.0  # moving average of how long an admitted task stays unfinished
        self.refused = 0

    def __len__(self) -> int:
        return len(self._tasks)

    @property
    def inflight_bytes(self) -> int:
        return self._bytes

    def unfinished(self, servable: str) -> int:
        return self._per_servable.get(servable, 0)

    def of_caller(self, caller: str) -> tuple[int, int]:
        """Unfinished tasks and their input bytes accepted for ``caller``."""
        return self._per_caller.get(caller, 0), self._bytes_per_caller.get(caller, 0)

    def admit(
        self, task_id: str, ref: Ref, deadline_ns: int, *, caller: str = "", nbytes: int = 0
    ) -> None:
        """Count one more unfinished task of ``nbytes`` input bytes, or refuse it.

        A caller with nothing in flight is never refused for bytes (one input
        larger than the byte limit is bounded by the message limits instead).

        Raises:
            Overloaded: a limit is reached; ``details.retry_after_s`` says when to retry.
        """
        now_ns = time.time_ns()
        while self._deadlines and self._deadlines[0][0] < now_ns:
            self.release(heapq.heappop(self._deadlines)[1])
        limits = self.limits
        key = str(ref)
        who = caller or "anonymous"
        if len(self._tasks) >= limits.total:
            self._refuse(
                f"the task manager has {len(self._tasks)} unfinished tasks, its limit"
                " (settings tasks.max_queued)",
                {"limit": limits.total, "scope": "total"},
            )
        if self._bytes and self._bytes + nbytes > limits.bytes_total:
            self._refuse(
                f"the task manager holds {_mib(self._bytes)} of inputs of unfinished tasks;"
                f" {_mib(nbytes)} more would pass its limit of {_mib(limits.bytes_total)}"
                " (settings tasks.max_inflight_bytes)",
                {"limit_bytes": limits.bytes_total, "scope": "total_bytes"},
            )
        if self._per_servable.get(key, 0) >= limits.per_servable:
            self._refuse(
                f"{key} has {self._per_servable[key]} unfinished tasks, the limit per servable"
                " version (settings tasks.max_queued_per_servable)",
                {"limit": limits.per_servable, "scope": "servable", "servable": key},
            )
        tasks, held = self.of_caller(who)
        if tasks >= limits.per_caller:
            self._refuse(
                f"{who} has {tasks} unfinished tasks, the limit per caller"
                " (settings tasks.max_queued_per_caller)",
                {"limit": limits.per_caller, "scope": "caller"},
            )
        if held and held + nbytes > limits.bytes_per_caller:
            self._refuse(
                f"{who} has {_mib(held)} of inputs in unfinished tasks; {_mib(nbytes)} more"
                f" would pass the limit per caller of {_mib(limits.bytes_per_caller)}"
                " (settings tasks.max_inflight_bytes_per_caller)",
                {"limit_bytes": limits.bytes_per_caller, "scope": "caller_bytes"},
            )
        self._tasks[task_id] = _Entry(key, who, nbytes, time.monotonic())
        self._per_servable[key] = self._per_servable.get(key, 0) + 1
        self._per_caller[who] = tasks + 1
        self._bytes_per_caller[who] = held + nbytes
        self._bytes += nbytes
        heapq.heappush(self._deadlines, (deadline_ns, task_id))
        if len(self._deadlines) > 4 * limits.total:  # drop heap entries of finished tasks
            self._deadlines = [e for e in self._deadlines if e[1] in self._tasks]
            heapq.heapify(self._deadlines)

    def release(self, task_id: str) -> None:
        """The task finished (or was never dispatched). Idempotent; unknown ids are ignored."""
        entry = self._tasks.pop(task_id, None)
        if entry is None:
            return
        _decrement(self._per_servable, entry.servable, 1)
        _decrement(self._per_caller, entry.caller, 1)
        _decrement(self._bytes_per_caller, entry.caller, entry.nbytes)
        self._bytes -= entry.nbytes
        self._avg_s += 0.1 * (time.monotonic() - entry.admitted_s - self._avg_s)

    def retry_after_s(self) -> float:
        """About how long until a slot frees: the recent time a task stays unfinished."""
        return round(min(30.0, max(1.0, self._avg_s)), 1)

    def _refuse(self, why: str, details: dict[str, Any]) -> None:
        self.refused += 1
        wait = self.retry_after_s()
        raise Overloaded(
            f"{why}; retry in {wait:.0f} s", details={**details, "retry_after_s": wait}
        )


def _decrement(counts: dict[str, int], key: str, by: int) -> None:
    left = counts.get(key, 0) - by
    if left > 0:
        counts[key] = left
    else:
        counts.pop(key, None)
