"""Task control in the executor: which tasks were cancelled.

Every executor reads every ``TaskControl`` message on ``dlhub.control``, in
a consumer group of its own (``executor-control-<executor id>``), from the
moment it starts, and keeps the cancelled task ids in a bounded set whose
entries expire (:class:`ExpiringSet`). The core (``core.py``, hooks marked
"task control") asks :meth:`ExecutorControl.is_cancelled` before it runs a
work item and again before it publishes the result: a cancelled item is
acknowledged without running and **publishes no result** (the task manager
already recorded the task as CANCELLED and would ignore one anyway).

An executor that starts after a cancel was announced does not learn of it:
if it picks the work item up, the model runs and the task manager drops
the result (the task stays CANCELLED). Every work item has a deadline, so
such work is bounded in any case.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.ports import EventBus
from dlhub_common.topics import CONTROL

log = logging.getLogger("dlhub.executor.control")

# A cancel matters until the work item it names has left every queue; items
# expire at their deadline (the task's timeout, 60 s by default), so an hour
# covers every sensible timeout. The bound keeps memory flat under a flood.
CANCEL_TTL_S = 3600.0
MAX_CANCELLED = 100_000


class ExpiringSet:
    """Keys remembered for ``ttl_s`` seconds, at most ``max_size`` of them (oldest go first)."""

    def __init__(self, ttl_s: float, max_size: int) -> None:
        self.ttl_s = ttl_s
        self.max_size = max_size
        self._until: OrderedDict[str, float] = OrderedDict()  # key -> monotonic expiry

    def add(self, key: str) -> None:
        self._until[key] = time.monotonic() + self.ttl_s
        self._until.move_to_end(key)
        self._trim()

    def __contains__(self, key: object) -> bool:
        until = self._until.get(key) if isinstance(key, str) else None
        if until is None:
            return False
        if until < time.monotonic():
            del self._until[key]  # type: ignore[arg-type]
            return False
        return True

    def __len__(self) -> int:
        self._trim()
        return len(self._until)

    def _trim(self) -> None:
        now = time.monotonic()
        while self._until:
            key, until = next(iter(self._until.items()))
            if until >= now and len(self._until) <= self.max_size:
                return
            del self._until[key]


class ExecutorControl:
    """Follows ``dlhub.control`` for one executor.

    Args:
        bus: the event bus.
        executor_id: names this executor's own consumer group.
        ttl_s: how long a cancelled id is remembered.
        max_ids: how many cancelled ids are remembered at most.
    """

    def __init__(
        self,
        bus: EventBus,
        executor_id: str,
        *,
        ttl_s: float = CANCEL_TTL_S,
        max_ids: int = MAX_CANCELLED,
    ) -> None:
        self.bus = bus
        self.group = f"executor-control-{executor_id}"
        self.cancelled = ExpiringSet(ttl_s, max_ids)
        self._consumer: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        # called with each cancelled task id (the executor stops its running call)
        self.listeners: list[Callable[[str], object]] = []

    async def start(self) -> None:
        """Join the control topic; call before taking work, so no cancel after start is missed."""
        sub = self.bus.subscribe([CONTROL], self.group)
        await sub.start()
        self._consumer = asyncio.create_task(self._consume(sub), name="executor-control")

    async def stop(self) -> None:
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
            self._consumer = None

    def is_cancelled(self, task_id: str) -> bool:
        return task_id in self.cancelled

    async def wait_cancelled(self, task_id: str) -> None:
        """Return once ``task_id`` is known to be cancelled (for tests and tools)."""
        while task_id not in self.cancelled:
            self._changed.clear()
            await self._changed.wait()

    async def _consume(self, sub: Any) -> None:
        try:
            async for delivery in sub:
                try:
                    message = bus_pb2.TaskControl.FromString(delivery.value)
                except Exception:
                    log.error("dropping an undecodable control message")
                    message = None
                if message is not None and message.kind == bus_pb2.TaskControl.KIND_CANCEL:
                    self.cancelled.add(message.task_id)
                    self._changed.set()
                    log.info("task %s cancelled", message.task_id)
                    for listener in self.listeners:
                        try:
                            listener(message.task_id)
                        except Exception:  # a listener must not stop the control loop
                            log.exception("cancel listener failed for task %s", message.task_id)
                await delivery.ack()
        finally:
            await sub.close()
