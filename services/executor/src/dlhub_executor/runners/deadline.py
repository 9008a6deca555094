"""Execution time limits: the deadline of the run in progress, and a watchdog.

The executor sets the work item's deadline (``WorkItem.deadline_unix_ns``)
in a context variable around a model call (:func:`run_deadline`);
``asyncio.to_thread`` copies it into the worker thread, so a runner reads
it with :func:`current_deadline_ns` without any change to the
``LoadedModel.run`` interface. A batched call runs under the latest deadline
of its work items.

* :func:`in_thread` runs a blocking call in a thread and stops waiting at the
  deadline (plus :data:`STOP_GRACE_S`; DEADLINE_EXCEEDED). The thread cannot
  be killed: it finishes in the background and its result is discarded. That
  is the limit for torch and python runs.
* ONNX Runtime can stop a run: :data:`WATCHDOG` sets ``terminate = True`` on
  the run's ``RunOptions`` when its deadline passes (one watchdog thread for
  every run, no thread per call), and the runner turns the aborted run into
  DEADLINE_EXCEEDED.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from dlhub_common.errors import DeadlineExceeded

T = TypeVar("T")
# How long past the deadline a call is still waited for, so a runner that
# stops itself (ONNX Runtime) reports its own error first.
STOP_GRACE_S = 0.5

_deadline: ContextVar[int] = ContextVar("dlhub_run_deadline_ns", default=0)


def current_deadline_ns() -> int:
    """The deadline (Unix ns) of the model call in progress; 0 when none."""
    return _deadline.get()


@contextlib.contextmanager
def run_deadline(deadline_ns: int) -> Iterator[None]:
    """Run the enclosed model call (and threads started in it) under ``deadline_ns``."""
    token = _deadline.set(deadline_ns)
    try:
        yield
    finally:
        _deadline.reset(token)


def expired_error(what: str = "the run") -> DeadlineExceeded:
    return DeadlineExceeded(
        f"{what} did not finish by the task's deadline (its timeout_s); its result is discarded"
    )


async def in_thread(deadline_ns: int, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a worker thread, waited for until ``deadline_ns`` (0: no limit).

    Raises:
        DeadlineExceeded: the deadline passed first (the thread runs on; its
            result is dropped).
    """
    with run_deadline(deadline_ns):
        if not deadline_ns:
            return await asyncio.to_thread(fn, *args)
        remaining = (deadline_ns - time.time_ns()) / 1e9
        if remaining <= 0:
            raise expired_error()
        try:
            return await asyncio.wait_for(asyncio.to_thread(fn, *args), remaining + STOP_GRACE_S)
        except TimeoutError:
            raise expired_error() from None


class Watchdog:
    """One daemon thread that calls ``stop()`` callbacks when their deadlines pass.

    Arming is cheap on the hot path: the thread is only woken when a new
    deadline comes before the time it already sleeps until (it never sleeps
    more than :data:`IDLE_S`), so runs that finish long before their
    deadlines cost a lock and a heap push, no thread switch.
    """

    IDLE_S = 1.0

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[int, int]] = []  # (deadline ns, handle)
        self._stops: dict[int, Callable[[], None]] = {}
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None
        self._sleeps_until = 0  # ns; the thread looks again by then

    def arm(self, deadline_ns: int, stop: Callable[[], None]) -> int:
        """Call ``stop`` at ``deadline_ns`` unless disarmed first; returns a handle."""
        handle = next(self._ids)
        with self._cond:
            self._stops[handle] = stop
            heapq.heappush(self._heap, (deadline_ns, handle))
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="dlhub-deadlines")
                self._thread.daemon = True
                self._thread.start()
            elif deadline_ns < self._sleeps_until:
                self._cond.notify()  # sooner than the thread would look
        return handle

    def disarm(self, handle: int) -> None:
        with self._cond:
            self._stops.pop(handle, None)
            # finished runs leave their entries behind: keep the heap near the live count
            if len(self._heap) > 2 * len(self._stops) + 64:
                self._heap = [e for e in self._heap if e[1] in self._stops]
                heapq.heapify(self._heap)

    def _loop(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][1] not in self._stops:
                    heapq.heappop(self._heap)  # disarmed
                now = time.time_ns()
                if self._heap and self._heap[0][0] <= now:
                    _, handle = heapq.heappop(self._heap)
                    stop = self._stops.pop(handle)
                    with contextlib.suppress(Exception):  # a failing stop must not end the loop
                        stop()
                    continue
                until = now + int(self.IDLE_S * 1e9)
                if self._heap:
                    until = min(until, self._heap[0][0])
                self._sleeps_until = until
                self._cond.wait((until - now) / 1e9)


WATCHDOG = Watchdog()
