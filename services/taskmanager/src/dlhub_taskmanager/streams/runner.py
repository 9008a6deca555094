"""The binding runner: keeps one :class:`BindingStream` per stored stream binding.

It asks the registry for every binding (as the internal principal
``dlhub-streams``, an administrator, with the creators' principals) at start
and every ``streams.poll_s``, starts streams for new bindings and stops those
of removed ones. Every task-manager replica runs all bindings; replicas share
each binding's consumer group, so the bus spreads partitions over them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from dlhub_common._proto.dlhub.v1 import registry_pb2
from dlhub_common.apis import RegistryApi
from dlhub_common.errors import DLHubError
from dlhub_common.identity import Principal, current_principal
from dlhub_common.ports import EventBus
from dlhub_common.settings import StreamSettings
from dlhub_taskmanager.core import TaskManager
from dlhub_taskmanager.streams.binding import BindingSpec, BindingStream

log = logging.getLogger("dlhub.streams")

RUNNER_PRINCIPAL = Principal("dlhub-streams", roles=frozenset({"admin"}))


class BindingRunner:
    def __init__(
        self, core: TaskManager, registry: RegistryApi, bus: EventBus, settings: StreamSettings
    ) -> None:
        self.core = core
        self.registry = registry
        self.bus = bus
        self.settings = settings
        self.streams: dict[str, BindingStream] = {}
        self._poller: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if not self.settings.enabled:
            return
        with contextlib.suppress(DLHubError):  # the registry may still be starting
            await self.refresh()
        self._poller = asyncio.create_task(self._poll(), name="stream-bindings")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        for stream in list(self.streams.values()):
            await stream.stop()
        self.streams.clear()

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.settings.poll_s)
            try:
                await self.refresh()
            except DLHubError as exc:
                log.warning("stream bindings not refreshed: %s", exc.message)

    async def refresh(self) -> None:
        """Start streams for new bindings; stop those of removed (or changed) ones."""
        token = current_principal.set(RUNNER_PRINCIPAL)
        try:
            resp = await self.registry.list_bindings(
                registry_pb2.ListBindingsRequest(all=True, include_principals=True)
            )
        finally:
            current_principal.reset(token)
        wanted = {b.id: BindingSpec.from_pb(b) for b in resp.bindings}
        for binding_id in [b for b in self.streams if b not in wanted]:
            await self.streams.pop(binding_id).stop()
            log.info("stream binding %s stopped", binding_id)
        for binding_id, spec in wanted.items():
            if binding_id not in self.streams:
                stream = BindingStream(spec, self.core, self.bus, self.settings)
                stream.start()
                self.streams[binding_id] = stream
                log.info(
                    "stream binding %s: %s -> %s -> %s",
                    binding_id,
                    spec.topic,
                    spec.ref,
                    spec.output_topic,
                )
