"""Which task topics an executor reads, and its announcements on the bus.

An unpinned executor (no ``executor_options.servables``) reads ``dlhub.tasks``
in the group ``executors``: every servable that has no live pinned executor.
A pinned executor reads only ``dlhub.tasks.<owner>.<name>`` of each of its
servables, in the group ``executors.<owner>.<name>``, so the replicas pinned
to one servable share its tasks and nothing else reaches them.

Every executor announces itself on ``dlhub.executors`` (an
``ExecutorAnnouncement``: its id and pinned servables) when it starts, every
``EXECUTOR_ANNOUNCE_S`` seconds, and with ``stopping`` when it stops; task
managers route a servable's tasks to its pinned topic while a pinned
executor announced within ``EXECUTOR_LIVE_S`` (dlhub_taskmanager.routing).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import DLHubError, InvalidArgument
from dlhub_common.names import check_slug
from dlhub_common.ports import EventBus
from dlhub_common.topics import (
    EXECUTOR_ANNOUNCE_S,
    EXECUTORS,
    EXECUTORS_GROUP,
    TASKS,
    pinned_group,
    pinned_topic,
)

log = logging.getLogger("dlhub.executor")


def parse_servables(servables: Sequence[str]) -> list[tuple[str, str]]:
    """``owner/name`` strings as (owner, name) pairs, in order, without repeats.

    Raises:
        InvalidArgument: an entry is not ``owner/name`` (naming it).
    """
    pairs: list[tuple[str, str]] = []
    for text in servables:
        owner, sep, name = text.strip().partition("/")
        if not sep:
            raise InvalidArgument(
                f"executor_options.servables: {text!r} is not owner/name",
                details={"servable": text},
            )
        try:
            pair = (check_slug("owner", owner), check_slug("name", name))
        except InvalidArgument as exc:
            raise InvalidArgument(
                f"executor_options.servables: {text!r}: {exc.message}", details={"servable": text}
            ) from None
        if pair not in pairs:
            pairs.append(pair)
    return pairs


def subscriptions(
    servables: list[str], unpinned_group: str = EXECUTORS_GROUP
) -> list[tuple[list[str], str]]:
    """The (topics, group) pairs an executor serving ``servables`` subscribes to.

    Empty ``servables``: the shared task topic in ``unpinned_group``.
    """
    pairs = parse_servables(servables)
    if not pairs:
        return [([TASKS], unpinned_group)]
    return [([pinned_topic(o, n)], pinned_group(o, n)) for o, n in pairs]


class Announcer:
    """Publishes this executor's announcements until stopped.

    Args:
        bus: the event bus.
        executor_id: the id results carry (``WorkResult.executor_id``).
        servables: the pinned servables (``owner/name``); empty when unpinned.
        interval_s: seconds between announcements.
    """

    def __init__(
        self,
        bus: EventBus,
        executor_id: str,
        servables: Sequence[str],
        *,
        interval_s: float = EXECUTOR_ANNOUNCE_S,
    ) -> None:
        self.bus = bus
        self.executor_id = executor_id
        self.servables = [f"{o}/{n}" for o, n in parse_servables(servables)]
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Announce once (raising when the bus refuses), then keep announcing."""
        if self._task is not None:
            return
        await self._announce(stopping=False)
        log.info(
            "executor %s serves %s",
            self.executor_id,
            ", ".join(self.servables) if self.servables else "every unpinned servable",
        )
        self._task = asyncio.create_task(self._loop(), name="executor-announcer")

    async def stop(self) -> None:
        """Stop announcing and say so, so task managers stop routing here. Idempotent."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        try:
            await self._announce(stopping=True)
        except DLHubError as exc:  # the task managers will let this executor expire
            log.warning("could not announce that executor %s stops: %s", self.executor_id, exc)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self._announce(stopping=False)
            except DLHubError as exc:
                log.warning("announcement of executor %s failed: %s", self.executor_id, exc)

    async def _announce(self, *, stopping: bool) -> None:
        message = bus_pb2.ExecutorAnnouncement(
            executor_id=self.executor_id,
            servables=self.servables,
            unix_ns=time.time_ns(),
            stopping=stopping,
        )
        await self.bus.publish(EXECUTORS, message.SerializeToString(), key=self.executor_id)
