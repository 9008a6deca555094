"""Stopping a model call whose tasks were all cancelled (task control).

While a call runs, the executor keeps, for each task it serves, the call's
*stop list*: runners that can stop a call part-way (ONNX Runtime, through
``RunOptions.terminate``) add a stop callback to it when the call starts
(:func:`stop_list` gives it to them through a context variable, which
``asyncio.to_thread`` carries into the worker thread). When a cancel arrives
for a task of a running call and every task of that call is cancelled, the
callbacks run and the call ends at once, freeing its slot; its result is
discarded like any cancelled task's. A call that also serves a task not
cancelled runs on. Calls in the model worker processes and python servables
are not stopped this way (they stop at their deadline).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar

log = logging.getLogger("dlhub.executor")

Stops = list[Callable[[], None]]
_stops: ContextVar[Stops | None] = ContextVar("dlhub_run_stops", default=None)


def stop_list() -> Stops | None:
    """The running call's stop list, for a runner to add its stop callback to."""
    return _stops.get()


class RunningCalls:
    """The model calls in progress, by task id."""

    def __init__(self, is_cancelled: Callable[[str], bool]) -> None:
        self._is_cancelled = is_cancelled
        self._calls: dict[str, tuple[frozenset[str], Stops]] = {}

    @contextlib.contextmanager
    def call(self, task_ids: Iterable[str]) -> Iterator[None]:
        """Around one model call serving ``task_ids``."""
        ids = frozenset(task_ids)
        stops: Stops = []
        for task_id in ids:
            self._calls[task_id] = (ids, stops)
        token = _stops.set(stops)
        try:
            yield
        finally:
            _stops.reset(token)
            for task_id in ids:
                if self._calls.get(task_id, (None, None))[1] is stops:
                    del self._calls[task_id]

    def cancelled(self, task_id: str) -> bool:
        """A cancel arrived: stop the task's call when all its tasks are cancelled.
        Returns whether a call was stopped."""
        found = self._calls.get(task_id)
        if found is None:
            return False
        ids, stops = found
        if not stops or not all(self._is_cancelled(t) for t in ids):
            return False
        for stop in list(stops):
            with contextlib.suppress(Exception):
                stop()
        log.info("stopped the running call of cancelled task(s) %s", ", ".join(sorted(ids)))
        return True
