"""Adapters under contract test, one list per port.

Each suite in this folder runs once per entry of its port's list. To put a new
adapter under contract, append a ``pytest.param(factory, id=...)`` where the
factory builds an unstarted adapter from a per-test temporary folder; the
fixtures start it before the test and stop it after. A factory of a networked
adapter takes a second argument, the running engine (a deploy.local Server),
and is listed with ``engine=`` through :func:`real`; it should use names unique
to the test (derived from ``tmp_path.name``) so tests never see each other's data.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from dlhub_common.backends import (
    LocalObjectsConfig,
    MemoryBusConfig,
    SqliteDocumentsConfig,
    SqliteSearchConfig,
    create_document_store,
    create_event_bus,
    create_object_store,
    create_search_index,
)
from dlhub_common.ports import DocumentStore, EventBus, ObjectStore, SearchIndex

# Every bus under test must reject messages larger than this and accept this size.
BUS_MAX_MESSAGE_BYTES = 64 * 1024


def make_sqlite_documents(tmp_path: Path) -> DocumentStore:
    return create_document_store(SqliteDocumentsConfig(), tmp_path)


def make_sqlite_search(tmp_path: Path) -> SearchIndex:
    return create_search_index(SqliteSearchConfig(), tmp_path)


def make_local_objects(tmp_path: Path) -> ObjectStore:
    return create_object_store(LocalObjectsConfig(), tmp_path)


def make_memory_bus(tmp_path: Path) -> EventBus:
    return create_event_bus(MemoryBusConfig(), tmp_path, BUS_MAX_MESSAGE_BYTES)


def real(engine: str, factory_path: str) -> Any:
    """A contract entry for an adapter backed by a real engine from deploy/local.

    Args:
        engine: the engine module name (kafka, opensearch, mongo, s3).
        factory_path: "module:function" of a factory ``(tmp_path, server) -> adapter``.
    """
    return pytest.param((engine, factory_path), id=engine)


DOCUMENT_STORES = [
    pytest.param(make_sqlite_documents, id="sqlite"),
    real("mongo", "tests.contract.real_adapters:make_mongo_documents"),
]
SEARCH_INDEXES = [
    pytest.param(make_sqlite_search, id="sqlite"),
    real("opensearch", "tests.contract.real_adapters:make_opensearch_index"),
]
OBJECT_STORES = [
    pytest.param(make_local_objects, id="local"),
    real("s3", "tests.contract.real_adapters:make_s3_objects"),
]
EVENT_BUSES = [
    pytest.param(make_memory_bus, id="memory"),
    real("kafka", "tests.contract.real_adapters:make_kafka_bus"),
]


def _resolve(param: Any, request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[Path], Any]:
    if not isinstance(param, tuple):
        return param  # type: ignore[no-any-return]
    engine, target = param
    server = request.getfixturevalue("stack").require(engine)
    module, func = target.split(":")
    factory = getattr(importlib.import_module(module), func)
    return lambda path: factory(path, server)


@asynccontextmanager
async def _started(factory: Callable[[Path], Any], tmp_path: Path) -> AsyncIterator[Any]:
    adapter = factory(tmp_path)
    await adapter.start()
    await adapter.start()  # start is idempotent
    try:
        yield adapter
    finally:
        await adapter.stop()
        await adapter.stop()  # and so is stop


@pytest.fixture(params=DOCUMENT_STORES)
async def documents(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DocumentStore]:
    async with _started(_resolve(request.param, request, tmp_path), tmp_path) as adapter:
        yield adapter


@pytest.fixture(params=SEARCH_INDEXES)
async def search_index(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[SearchIndex]:
    async with _started(_resolve(request.param, request, tmp_path), tmp_path) as adapter:
        yield adapter


@pytest.fixture(params=OBJECT_STORES)
async def objects(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ObjectStore]:
    async with _started(_resolve(request.param, request, tmp_path), tmp_path) as adapter:
        yield adapter


@pytest.fixture(params=EVENT_BUSES)
async def bus(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventBus]:
    async with _started(_resolve(request.param, request, tmp_path), tmp_path) as adapter:
        yield adapter


@pytest.fixture
def bus_max_message_bytes() -> int:
    """The message limit every bus under test was built with."""
    return BUS_MAX_MESSAGE_BYTES
