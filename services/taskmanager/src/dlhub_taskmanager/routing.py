"""Where a task goes: the shared task topic or a servable's pinned topic.

Executors started with ``executor_options.servables`` (pinned executors) read
only their servables' topics, ``dlhub.tasks.<owner>.<name>``, in the group
``executors.<owner>.<name>``, and announce themselves on ``dlhub.executors``
every ``EXECUTOR_ANNOUNCE_S`` seconds, and once more with ``stopping`` when
they stop. Every task-manager replica reads those announcements in a group of
its own, so each knows which servables have live pinned executors: an
executor is live for ``EXECUTOR_LIVE_S`` (three announcement intervals) after
its latest announcement, until it says it is stopping.

A servable with a live pinned executor has its tasks published on its pinned
topic; every other task goes to ``dlhub.tasks`` (group ``executors``, the
unpinned executors). Either way the key is the task id, so one servable's
tasks spread over every partition and every replica of the group shares them.

Races, by design:

* the last pinned executor of a servable dies (SIGKILL, lost machine): for up
  to ``EXECUTOR_LIVE_S`` this replica still routes to the pinned topic, and
  tasks already there wait on it until a pinned executor of that servable
  comes back (they are never handed to unpinned executors, which would load a
  model the operator meant to keep apart). A graceful stop says
  ``stopping`` at once, so only tasks routed before that moment wait;
* a task manager that starts while pinned executors already run learns of
  them with their next announcement (within ``EXECUTOR_ANNOUNCE_S``); in that
  window their servables' tasks go to ``dlhub.tasks`` and run on an unpinned
  executor: the right result, in the wrong place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.names import Ref
from dlhub_common.observability.live import LiveGauge
from dlhub_common.ports import EventBus, Subscription
from dlhub_common.topics import (
    EXECUTOR_LIVE_S,
    EXECUTORS,
    TASKS,
    pinned_group,
    pinned_topic,
)

log = logging.getLogger("dlhub.taskmanager.routing")

EXECUTOR_REPLICAS = LiveGauge(
    "dlhub_executor_replicas",
    "Executor processes this task manager counts live (announced within the last"
    " executors' live time)",
    [],
    lambda router: {(): float(router.live_count())},
)


@dataclass(frozen=True)
class _Seen:
    servables: frozenset[str]
    expires: float  # on the router's monotonic clock


class Router:
    """Routes tasks from the executor announcements this replica has seen.

    Args:
        bus: the event bus.
        instance_id: this task-manager replica; names its announcement group.
        live_s: how long an announcement keeps its executor live.
        clock: monotonic seconds (tests pass a fake one).
        wall_ns: wall-clock nanoseconds, to ignore announcements that were
            already older than ``live_s`` when they arrived (a backlog read
            after an outage).
    """

    def __init__(
        self,
        bus: EventBus,
        instance_id: str,
        *,
        live_s: float = EXECUTOR_LIVE_S,
        clock: Callable[[], float] = time.monotonic,
        wall_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self.bus = bus
        self.group = f"taskmanager-{instance_id}-executors"
        self.live_s = live_s
        self._clock = clock
        self._wall_ns = wall_ns
        self._executors: dict[str, _Seen] = {}
        self._groups: set[str] = set()  # pinned topics whose group is known to exist
        self._consumer: asyncio.Task[None] | None = None
        self._observed = 0
        self._changed = asyncio.Condition()
        EXECUTOR_REPLICAS.track(self)

    def live_count(self) -> int:
        """Executors whose last announcement is younger than ``live_s`` (read when scraped)."""
        now = self._clock()
        return sum(1 for seen in list(self._executors.values()) if seen.expires > now)

    async def start(self) -> None:
        """Join this replica's announcement group; returns once subscribed."""
        if self._consumer is not None:
            return
        sub = self.bus.subscribe([EXECUTORS], self.group)
        await sub.start()
        self._consumer = asyncio.create_task(self._consume(sub), name="taskmanager-router")

    async def stop(self) -> None:
        """Stop reading announcements. Idempotent."""
        EXECUTOR_REPLICAS.untrack(self)
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer

    async def route(self, ref: Ref, task_id: str) -> tuple[str, str]:
        """The topic and key of one task of ``ref``.

        A pinned topic is returned only once its consumer group exists, so a
        task published there waits for the pinned executors even if none has
        ever joined (checked once per topic).
        """
        if not self.pinned(ref.full_name):
            return TASKS, task_id
        topic = pinned_topic(ref.owner, ref.name)
        if topic not in self._groups:
            await self.bus.ensure_group([topic], pinned_group(ref.owner, ref.name))
            self._groups.add(topic)
        return topic, task_id

    def pinned(self, servable: str) -> list[str]:
        """Ids of the live executors pinned to ``servable`` (``owner/name``)."""
        now = self._clock()
        for executor_id in [e for e, seen in self._executors.items() if seen.expires <= now]:
            log.info("executor %s expired (no announcement for %gs)", executor_id, self.live_s)
            del self._executors[executor_id]
        return sorted(e for e, seen in self._executors.items() if servable in seen.servables)

    def observe(self, announcement: bus_pb2.ExecutorAnnouncement) -> None:
        """Take one announcement into account."""
        executor_id = announcement.executor_id
        if not executor_id:
            return
        if announcement.stopping:
            if self._executors.pop(executor_id, None) is not None:
                log.info("executor %s is stopping", executor_id)
            return
        age_s = (self._wall_ns() - announcement.unix_ns) / 1e9
        if age_s > self.live_s:
            log.warning(
                "ignoring an announcement of executor %s that is %.1fs old (a backlog, or its"
                " clock is behind ours)",
                executor_id,
                age_s,
            )
            return
        servables = frozenset(s for s in announcement.servables if _is_servable(s))
        before = self._executors.get(executor_id)
        self._executors[executor_id] = _Seen(servables, self._clock() + self.live_s)
        if servables and (before is None or before.servables != servables):
            log.info("executor %s serves %s", executor_id, ", ".join(sorted(servables)))

    async def wait_observed(self, count: int) -> None:
        """Wait until at least ``count`` announcements have been read (for tests)."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._observed >= count)

    async def _consume(self, sub: Subscription) -> None:
        try:
            async for delivery in sub:
                try:
                    self.observe(bus_pb2.ExecutorAnnouncement.FromString(delivery.value))
                except Exception:
                    size = len(delivery.value)
                    log.error("dropping an undecodable announcement (%d bytes)", size)
                await delivery.ack()
                async with self._changed:
                    self._observed += 1
                    self._changed.notify_all()
        finally:
            await sub.close()


def _is_servable(text: str) -> bool:
    owner, sep, name = text.partition("/")
    return bool(sep and owner and name and "/" not in name)
