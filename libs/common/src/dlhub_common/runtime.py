"""Process runtime: shared backends and the gRPC server of one service.

:class:`Backends` builds each adapter that settings name, once per process,
and only when a service asks for it, so a process pays only for the
backends its services use.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from dlhub_common.backends import (
    create_document_store,
    create_event_bus,
    create_object_store,
    create_search_index,
    where,
)
from dlhub_common.errors import DLHubError, Unavailable
from dlhub_common.ports import DocumentStore, EventBus, ObjectStore, SearchIndex
from dlhub_common.settings import Settings

log = logging.getLogger("dlhub.runtime")


class Backends:
    """Lazily created, started and stopped adapters for one process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir: Path = settings.resolved_data_dir()
        self._started: dict[str, Any] = {}
        self._lock = asyncio.Lock()

    async def _get(self, key: str, build: Any) -> Any:
        async with self._lock:
            if key not in self._started:
                # private metadata, models and results: the owner's only (when created)
                self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
                adapter = build()
                try:
                    await adapter.start()
                except Exception as exc:
                    with contextlib.suppress(Exception):
                        await adapter.stop()
                    config = getattr(self.settings, key)
                    address = where(config)
                    reason = exc.message if isinstance(exc, DLHubError) else _reason(exc)
                    raise Unavailable(
                        f"{key} backend {config.type!r} at {address} is not reachable: {reason}",
                        details={"backend": key, "address": address},
                    ) from exc
                self._started[key] = adapter
            return self._started[key]

    async def documents(self) -> DocumentStore:
        s = self.settings
        store: DocumentStore = await self._get(
            "documents", lambda: create_document_store(s.documents, self.data_dir)
        )
        return store

    async def search_index(self) -> SearchIndex:
        s = self.settings
        index: SearchIndex = await self._get(
            "search", lambda: create_search_index(s.search, self.data_dir)
        )
        return index

    async def objects(self) -> ObjectStore:
        s = self.settings
        store: ObjectStore = await self._get(
            "objects", lambda: create_object_store(s.objects, self.data_dir)
        )
        return store

    async def bus(self) -> EventBus:
        s = self.settings
        bus: EventBus = await self._get(
            "bus", lambda: create_event_bus(s.bus, self.data_dir, s.max_message_bytes)
        )
        return bus

    async def stop(self) -> None:
        """Stop every adapter, the bus last (others may still publish)."""
        order = sorted(self._started, key=lambda k: k == "bus")
        for key in order:
            try:
                await self._started[key].stop()
            except Exception:
                log.exception("stopping %s failed", key)
        self._started.clear()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
