"""Backend configuration classes and the factory that builds adapters by name.

Each adapter has a config class whose ``type`` literal is its short name. The
factory imports the adapter module only when it is chosen, so a heavy client
library is loaded only by the processes that use it.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dlhub_common.ports import DocumentStore, EventBus, ObjectStore, SearchIndex


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SqliteDocumentsConfig(_Config):
    """Documents in one SQLite file (embedded default)."""

    type: Literal["sqlite"] = "sqlite"
    path: Path | None = Field(None, description="SQLite file; default <data_dir>/documents.sqlite3")


class SqliteSearchConfig(_Config):
    """Search index in SQLite FTS5 (embedded default)."""

    type: Literal["sqlite"] = "sqlite"
    path: Path | None = Field(None, description="SQLite file; default <data_dir>/search.sqlite3")


class LocalObjectsConfig(_Config):
    """Content-addressed files on local disk (embedded default)."""

    type: Literal["local"] = "local"
    root: Path | None = Field(None, description="Folder; default <data_dir>/objects")


class MemoryBusConfig(_Config):
    """In-process event bus (embedded default; one process only)."""

    type: Literal["memory"] = "memory"
    max_message_bytes: int | None = Field(
        None, description="Largest message accepted; default the global message limit"
    )


DocumentsConfig = Annotated[SqliteDocumentsConfig, Field(discriminator="type")]
SearchConfig = Annotated[SqliteSearchConfig, Field(discriminator="type")]
ObjectsConfig = Annotated[LocalObjectsConfig, Field(discriminator="type")]
BusConfig = Annotated[MemoryBusConfig, Field(discriminator="type")]

# port -> short name -> "module:Class". Adapters are constructed as Class(config, data_dir).
ADAPTERS: dict[str, dict[str, str]] = {
    "documents": {"sqlite": "dlhub_common.adapters.sqlite_documents:SqliteDocumentStore"},
    "search": {"sqlite": "dlhub_common.adapters.sqlite_search:SqliteSearchIndex"},
    "objects": {"local": "dlhub_common.adapters.local_objects:LocalObjectStore"},
    "bus": {"memory": "dlhub_common.adapters.memory_bus:MemoryEventBus"},
}


def _build(port: str, config: Any, data_dir: Path) -> Any:
    target = ADAPTERS[port].get(config.type)
    if target is None:  # pragma: no cover - settings validation prevents it
        raise ValueError(f"no {port} adapter named {config.type!r}")
    module_name, cls_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls(config, data_dir)


def create_document_store(config: DocumentsConfig, data_dir: Path) -> DocumentStore:
    """Build the DocumentStore adapter named by ``config.type``."""
    store: DocumentStore = _build("documents", config, data_dir)
    return store


def create_search_index(config: SearchConfig, data_dir: Path) -> SearchIndex:
    """Build the SearchIndex adapter named by ``config.type``."""
    index: SearchIndex = _build("search", config, data_dir)
    return index


def create_object_store(config: ObjectsConfig, data_dir: Path) -> ObjectStore:
    """Build the ObjectStore adapter named by ``config.type``."""
    store: ObjectStore = _build("objects", config, data_dir)
    return store


def create_event_bus(config: BusConfig, data_dir: Path, max_message_bytes: int) -> EventBus:
    """Build the EventBus adapter named by ``config.type``."""
    if getattr(config, "max_message_bytes", None) is None:
        config = config.model_copy(update={"max_message_bytes": max_message_bytes})
    bus: EventBus = _build("bus", config, data_dir)
    return bus
