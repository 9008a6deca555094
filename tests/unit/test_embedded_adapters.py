"""Behaviour of the embedded adapters beyond their ports' contracts."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dlhub_common.adapters.local_objects import LocalObjectStore
from dlhub_common.adapters.memory_bus import MemoryEventBus
from dlhub_common.adapters.sqlite_documents import SqliteDocumentStore
from dlhub_common.adapters.sqlite_search import SqliteSearchIndex, _match_expression
from dlhub_common.backends import (
    LocalObjectsConfig,
    MemoryBusConfig,
    SqliteDocumentsConfig,
    SqliteSearchConfig,
    create_event_bus,
)
from dlhub_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    ResourceExhausted,
    Unavailable,
)
from dlhub_common.ports import SearchQuery

# --- SQLite documents -------------------------------------------------------


@pytest.fixture
async def docs(tmp_path: Path) -> AsyncIterator[SqliteDocumentStore]:
    store = SqliteDocumentStore(SqliteDocumentsConfig(), tmp_path)
    await store.start()
    yield store
    await store.stop()


async def test_documents_use_configured_file_in_wal_mode_and_persist(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "docs.db"
    store = SqliteDocumentStore(SqliteDocumentsConfig(path=path), tmp_path / "unused")
    await store.start()
    await store.insert("things", "t1", {"a": 1})
    await store.stop()

    assert path.exists()
    assert not (tmp_path / "unused").exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    reopened = SqliteDocumentStore(SqliteDocumentsConfig(path=path), tmp_path)
    await reopened.start()
    assert await reopened.get("things", "t1") == {"a": 1}
    await reopened.stop()


def _modes(root: Path, pattern: str) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in root.rglob(pattern)}


async def test_a_new_data_dir_is_private_to_its_owner(tmp_path: Path) -> None:
    from dlhub_common.runtime import Backends
    from dlhub_common.settings import Settings

    backends = Backends(Settings(data_dir=tmp_path / "data"))
    await backends.documents()
    try:
        assert _modes(tmp_path, "data") == {"data": 0o700}
    finally:
        await backends.stop()


async def test_database_files_are_private_to_their_owner(tmp_path: Path) -> None:
    old = tmp_path / "old" / "docs.db"
    old.parent.mkdir()
    old.touch(mode=0o644)  # left by a version that did not restrict it
    stores = [
        SqliteDocumentStore(SqliteDocumentsConfig(path=tmp_path / "new" / "docs.db"), tmp_path),
        SqliteDocumentStore(SqliteDocumentsConfig(path=old), tmp_path),
        SqliteSearchIndex(SqliteSearchConfig(path=tmp_path / "new" / "search.db"), tmp_path),
    ]
    for store in stores:
        await store.start()
    await stores[0].insert("things", "t1", {"secret": 1})
    await stores[1].insert("things", "t1", {"secret": 1})
    modes = _modes(tmp_path, "*.db*")
    assert {p.rsplit("/", 1)[-1] for p in modes} >= {
        "docs.db",
        "docs.db-wal",
        "docs.db-shm",
        "search.db",
    }
    assert set(modes.values()) == {0o600}, modes
    assert _modes(tmp_path, "new") == {"new": 0o700}
    for store in stores:
        await store.stop()


async def test_documents_not_started_is_unavailable(tmp_path: Path) -> None:
    store = SqliteDocumentStore(SqliteDocumentsConfig(), tmp_path)
    with pytest.raises(Unavailable):
        await store.ping()
    await store.start()
    await store.stop()
    with pytest.raises(Unavailable):
        await store.get("things", "t1")


async def test_unique_index_over_existing_duplicates_fails(docs: SqliteDocumentStore) -> None:
    await docs.insert("things", "t1", {"owner": "alice"})
    await docs.insert("things", "t2", {"owner": "alice"})
    with pytest.raises(AlreadyExists):
        await docs.ensure_index("things", ["owner"], unique=True)
    await docs.insert("things", "t3", {"owner": "alice"})  # no index was left behind


async def test_update_violating_unique_index_keeps_document(docs: SqliteDocumentStore) -> None:
    await docs.ensure_index("things", ["name"], unique=True)
    await docs.insert("things", "t1", {"name": "a"})
    await docs.insert("things", "t2", {"name": "b"})
    with pytest.raises(AlreadyExists):
        await docs.update("things", "t2", {"name": "a"})
    assert await docs.get("things", "t2") == {"name": "b"}


@pytest.mark.parametrize("field", ["a'b", 'a"b', "a..b", "", ".a", "a b", "a[0]", "$where"])
async def test_unsafe_field_names_are_rejected(docs: SqliteDocumentStore, field: str) -> None:
    with pytest.raises(InvalidArgument):
        await docs.find("things", {field: 1})
    with pytest.raises(InvalidArgument):
        await docs.find("things", sort=[(field, 1)])
    with pytest.raises(InvalidArgument):
        await docs.ensure_index("things", [field])


async def test_bad_arguments_are_rejected(docs: SqliteDocumentStore) -> None:
    with pytest.raises(InvalidArgument):
        await docs.find("things", sort=[("a", 0)])
    with pytest.raises(InvalidArgument):
        await docs.find("things", offset=-1)
    with pytest.raises(InvalidArgument):
        await docs.update("things", "t1", {"a.b": 1})
    with pytest.raises(InvalidArgument):
        await docs.update("things", "t1", {"_id": 1})
    with pytest.raises(InvalidArgument):
        await docs.insert("things", "t1", {"when": object()})
    with pytest.raises(InvalidArgument):
        await docs.find("things", {"a": {"$in": "abc"}})


async def test_concurrent_updates_are_serialised(docs: SqliteDocumentStore) -> None:
    await docs.insert("things", "t1", {})
    await asyncio.gather(*(docs.update("things", "t1", {f"k{i}": i}) for i in range(50)))
    assert await docs.get("things", "t1") == {f"k{i}": i for i in range(50)}


# --- SQLite search ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("  *()  ", None),
        ("graph", '"graph"*'),
        ('"foo* OR (bar', '"foo" AND "OR" AND "bar"*'),
        ("band_gap NEAR/2", '"band" AND "gap" AND "NEAR" AND "2"*'),
    ],
)
def test_match_expression_quotes_every_term(text: str, expected: str | None) -> None:
    assert _match_expression(text) == expected


async def test_search_persists_and_failed_upsert_keeps_old_version(tmp_path: Path) -> None:
    index = SqliteSearchIndex(SqliteSearchConfig(path=tmp_path / "s.db"), tmp_path)
    await index.start()
    await index.upsert("x", {"title": "first", "owner": "alice"})
    with pytest.raises(InvalidArgument):
        await index.upsert("x", {"title": "second", "when": object()})
    await index.stop()

    await index.start()  # restartable, same file
    result = await index.search(SearchQuery(text="first", facets=["owner"]))
    assert [h["title"] for h in result.hits] == ["first"]
    assert result.facets == {"owner": [("alice", 1)]}
    await index.stop()


async def test_unknown_field_error_details(tmp_path: Path) -> None:
    index = SqliteSearchIndex(SqliteSearchConfig(), tmp_path)
    await index.start()
    with pytest.raises(InvalidArgument) as info:
        await index.search(SearchQuery(facets=["size"]))
    assert info.value.details["field"] == "size"
    assert "owner" in info.value.details["allowed"]
    await index.stop()


# --- local objects ----------------------------------------------------------


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


@pytest.fixture
async def local(tmp_path: Path) -> AsyncIterator[LocalObjectStore]:
    store = LocalObjectStore(LocalObjectsConfig(root=tmp_path / "blobs"), tmp_path / "unused")
    await store.start()
    yield store
    await store.stop()


async def test_objects_layout_and_no_temp_files_left(local: LocalObjectStore) -> None:
    data = b"layout"
    digest = hashlib.sha256(data).hexdigest()
    await local.put(_chunks(data))
    path = local.root / "sha256" / digest[:2] / digest
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # objects may be private
    assert stat.S_IMODE(local.root.stat().st_mode) == 0o700

    with pytest.raises(InvalidArgument):
        await local.put(_chunks(b"x"), expected_sha256="0" * 64)
    with pytest.raises(ResourceExhausted):
        await local.put(_chunks(b"xy"), max_bytes=1)
    assert list((local.root / "tmp").iterdir()) == []


async def test_malformed_expected_sha256_is_rejected(local: LocalObjectStore) -> None:
    with pytest.raises(InvalidArgument):
        await local.put(_chunks(b"x"), expected_sha256="not-a-digest")


async def test_concurrent_puts_of_same_content_create_once(local: LocalObjectStore) -> None:
    infos = await asyncio.gather(*(local.put(_chunks(b"same", b"!")) for _ in range(8)))
    assert [i.created for i in infos].count(True) == 1
    assert len({i.key for i in infos}) == 1


async def test_objects_ping_needs_start(tmp_path: Path) -> None:
    store = LocalObjectStore(LocalObjectsConfig(), tmp_path)
    with pytest.raises(Unavailable):
        await store.ping()
    await store.start()
    await store.ping()
    assert (tmp_path / "objects" / "tmp").is_dir()


# --- memory bus -------------------------------------------------------------


@pytest.fixture
async def memory_bus(tmp_path: Path) -> AsyncIterator[MemoryEventBus]:
    bus = MemoryEventBus(MemoryBusConfig(max_message_bytes=100), tmp_path)
    await bus.start()
    yield bus
    await bus.stop()


async def test_bus_stop_ends_iteration_and_refuses_work(memory_bus: MemoryEventBus) -> None:
    sub = memory_bus.subscribe(["t"], "g")
    await sub.start()

    async def drain() -> list[bytes]:
        return [d.value async for d in sub]

    task = asyncio.create_task(drain())
    await memory_bus.publish("t", b"one")
    await asyncio.sleep(0)
    await memory_bus.stop()
    assert await asyncio.wait_for(task, 1) == [b"one"]
    with pytest.raises(Unavailable):
        await memory_bus.publish("t", b"two")
    with pytest.raises(Unavailable):
        await memory_bus.ping()
    with pytest.raises(Unavailable):
        await memory_bus.subscribe(["t"], "g").start()


async def test_subscription_lifecycle_errors(memory_bus: MemoryEventBus) -> None:
    sub = memory_bus.subscribe(["t"], "g")
    with pytest.raises(FailedPrecondition):
        await anext(aiter(sub))
    await sub.start()
    await sub.close()
    with pytest.raises(FailedPrecondition):
        await sub.start()
    with pytest.raises(InvalidArgument):
        memory_bus.subscribe([], "g")
    with pytest.raises(InvalidArgument):
        memory_bus.subscribe("t", "g")


async def test_unacked_goes_to_waiting_member_at_once(memory_bus: MemoryEventBus) -> None:
    async with memory_bus.subscribe(["t"], "g") as waiting:
        first = memory_bus.subscribe(["t"], "g")
        await first.start()
        await memory_bus.publish("t", b"m")
        # ``first`` takes the message before ``waiting`` ever iterates.
        delivery = await anext(aiter(first))
        await first.close()
        await delivery.ack()  # too late: the message already went back
        redelivered = await asyncio.wait_for(anext(aiter(waiting)), 1)
        assert redelivered.value == b"m"


async def test_message_limit_is_exact(memory_bus: MemoryEventBus) -> None:
    await memory_bus.publish("t", b"x" * 100)
    with pytest.raises(ResourceExhausted) as info:
        await memory_bus.publish("t", b"x" * 101)
    assert info.value.details == {"size": 101, "max_message_bytes": 100}


async def test_factory_applies_global_limit_unless_configured(tmp_path: Path) -> None:
    default = create_event_bus(MemoryBusConfig(), tmp_path, 1234)
    own = create_event_bus(MemoryBusConfig(max_message_bytes=10), tmp_path, 1234)
    assert isinstance(default, MemoryEventBus)
    assert isinstance(own, MemoryEventBus)
    assert (default.max_message_bytes, own.max_message_bytes) == (1234, 10)
    unlimited = MemoryEventBus(MemoryBusConfig(), tmp_path)
    await unlimited.start()
    await unlimited.publish("t", b"x" * 1_000_000)
    await unlimited.stop()
