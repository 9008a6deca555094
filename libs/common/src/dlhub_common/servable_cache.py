"""Servable look-ups cached on the run path, invalidated by servable events.

The run path must not ask the registry about a servable it asked about
before: every run would pay a registry round trip (a document-store query,
the metadata parsed again). :class:`CachedRegistry` keeps ``GetServable``
answers keyed by the caller's readers and the reference, and drops every answer about
``owner/name`` the moment a servable event for it arrives (publish,
deprecate, withdraw, DOI, access change). Each process that caches reads
every event in a consumer group of its own. An answer also expires after
``max_age_s``, which bounds staleness should an event ever be missed (for
instance while the bus was unreachable).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2, registry_pb2
from dlhub_common.apis import RegistryApi
from dlhub_common.identity import current_principal
from dlhub_common.ports import EventBus
from dlhub_common.topics import SERVABLE_EVENTS

log = logging.getLogger("dlhub.cache")

_Key = tuple[tuple[str, ...], str, str, int]


class CachedRegistry:
    """``get_servable`` answered from memory while nothing changed.

    Args:
        registry: the registry API (in-process or remote).
        bus: where servable events arrive.
        group: this process's consumer group for servable events.
        max_entries: bound on cached answers.
        max_age_s: longest an answer is used without hearing of its servable.
    """

    def __init__(
        self,
        registry: RegistryApi,
        bus: EventBus,
        group: str,
        *,
        max_entries: int = 4096,
        max_age_s: float = 30.0,
    ) -> None:
        self.registry = registry
        self.bus = bus
        self.group = group
        self.max_entries = max_entries
        self.max_age_s = max_age_s
        self._entries: OrderedDict[_Key, tuple[float, registry_pb2.GetServableResponse]] = (
            OrderedDict()
        )
        self._generation: dict[tuple[str, str], int] = {}
        self._consumer: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Subscribe to servable events (answers are cached only from then on)."""
        if self._consumer is not None:
            return
        sub = self.bus.subscribe([SERVABLE_EVENTS], self.group)
        await sub.start()
        self._consumer = asyncio.create_task(self._consume(sub), name=f"{self.group}-events")

    async def stop(self) -> None:
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
            self._consumer = None
        self._entries.clear()

    def invalidate(self, owner: str, name: str) -> None:
        """Forget every cached answer about ``owner/name``."""
        key = (owner, name)
        self._generation[key] = self._generation.get(key, 0) + 1
        for entry in [k for k in self._entries if k[1] == owner and k[2] == name]:
            del self._entries[entry]

    async def _consume(self, sub: Any) -> None:
        try:
            async for delivery in sub:
                try:
                    summary = bus_pb2.ServableEvent.FromString(delivery.value).servable.summary
                    self.invalidate(summary.owner, summary.name)
                except Exception:
                    log.error("dropping an undecodable servable event")
                await delivery.ack()
        finally:
            await sub.close()

    async def get_servable(
        self, request: registry_pb2.GetServableRequest
    ) -> registry_pb2.GetServableResponse:
        """The registry's answer for the current caller, from memory when known.

        Raises:
            NotFound: unknown servable or version, or not visible to the caller
                (never cached).
        """
        ref = request.ref
        # by everything visibility depends on: a caller who leaves a group
        # is a new key, never served an answer cached for its old readers
        key = (tuple(current_principal.get().readers()), ref.owner, ref.name, max(0, ref.version))
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self.max_age_s and self._consumer is not None:
            self._entries.move_to_end(key)
            return hit[1]
        generation = self._generation.get((ref.owner, ref.name), 0)
        resp = await self.registry.get_servable(request)
        # an event that arrived while we asked makes the answer suspect
        if self._consumer is not None and (
            self._generation.get((ref.owner, ref.name), 0) == generation
        ):
            self._entries[key] = (now, resp)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return resp

    def __getattr__(self, name: str) -> Any:
        # every other registry call goes straight through
        return getattr(self.registry, name)
