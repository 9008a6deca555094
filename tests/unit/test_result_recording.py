"""Recording results across task-manager restarts and replicas (recording.py).

Real task-manager cores on one SQLite store and one in-process bus, whose
consumer groups keep messages while no member runs (as Kafka's committed
offsets do): results published while no task manager runs are recorded by
the next one, a synchronous run's result is recorded by a replica that never
saw the run, each result is recorded once, and a waiter is woken by its own
replica whichever replica records.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.adapters.local_objects import LocalObjectStore
from dlhub_common.adapters.memory_bus import MemoryEventBus
from dlhub_common.adapters.sqlite_documents import SqliteDocumentStore
from dlhub_common.backends import LocalObjectsConfig, MemoryBusConfig, SqliteDocumentsConfig
from dlhub_common.identity import Principal
from dlhub_common.settings import TaskSettings
from dlhub_common.topics import RESULTS
from dlhub_taskmanager import core as core_module
from dlhub_taskmanager.core import TaskManager, _now_iso

ALICE = Principal("alice")
S = 1_000_000_000


@pytest.fixture
async def parts(tmp_path: Path) -> AsyncIterator[tuple[Any, Any, MemoryEventBus]]:
    docs = SqliteDocumentStore(SqliteDocumentsConfig(), tmp_path)
    objects = LocalObjectStore(LocalObjectsConfig(), tmp_path)
    bus = MemoryEventBus(MemoryBusConfig(), tmp_path)
    for part in (docs, objects, bus):
        await part.start()
    yield docs, objects, bus
    await docs.stop()


@pytest.fixture
async def new_manager(
    parts: tuple[Any, Any, MemoryEventBus],
) -> AsyncIterator[Callable[[], Any]]:
    started: list[TaskManager] = []

    async def make() -> TaskManager:
        docs, objects, bus = parts
        manager = TaskManager(
            docs,
            objects,
            bus,
            registry=None,  # type: ignore[arg-type]  # nothing here resolves servables
            tasks=TaskSettings(sweep_interval_s=3600.0),
        )
        await manager.start()
        started.append(manager)
        return manager

    yield make
    for manager in started:
        await manager.stop()


def new_record(**extra: Any) -> dict[str, Any]:
    now = time.time_ns()
    return {
        "task_id": uuid.uuid4().hex,
        "state": "QUEUED",
        "user": "alice",
        "servable": {"owner": "alice", "name": "m", "version": 1},
        "created_at": _now_iso(),
        "created_ns": now,
        "deadline_ns": now + 60 * S,
        **extra,
    }


def result(task_id: str, out: str, *, carried: dict[str, Any] | None = None) -> bytes:
    return bus_pb2.WorkResult(
        task_id=task_id,
        ok=True,
        output_json=out,
        executor_id="ex-1",
        task_record_json=json.dumps(carried) if carried else "",
    ).SerializeToString()


async def until_stored(docs: Any, task_id: str, state: str = "SUCCEEDED") -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            record = await docs.get("tasks", task_id)
            if record is not None and record["state"] == state:
                return dict(record)
            await asyncio.sleep(0.01)


async def test_results_published_while_no_task_manager_runs_are_recorded_by_the_next(
    parts: tuple[Any, Any, MemoryEventBus], new_manager: Callable[[], Any]
) -> None:
    docs, _, bus = parts
    first = await new_manager()
    queued = new_record()
    await docs.insert("tasks", queued["task_id"], queued)  # an asynchronous task
    carried = new_record()  # a synchronous run: in no store, only in its work item
    await first.stop()  # every task manager is down

    await bus.publish(RESULTS, result(queued["task_id"], '"a"'), key=queued["task_id"])
    await bus.publish(RESULTS, result(carried["task_id"], '"b"', carried=carried))

    second = await new_manager()  # a new instance: a new waking group, the same recording one
    stored = await until_stored(docs, queued["task_id"])
    assert stored["executor_id"] == "ex-1"
    synchronous = await until_stored(docs, carried["task_id"])
    assert synchronous["user"] == "alice"
    assert "task_record_json" not in json.dumps(synchronous)
    view = await second.get(ALICE, carried["task_id"])
    assert view.output_json == '"b"'


async def test_each_result_is_recorded_once_and_wakes_its_own_replicas_waiter(
    parts: tuple[Any, Any, MemoryEventBus], new_manager: Callable[[], Any]
) -> None:
    docs, _, bus = parts
    a, b = await new_manager(), await new_manager()
    records = [new_record() for _ in range(20)]
    for record in records:
        await docs.insert("tasks", record["task_id"], record)
        a._pending[record["task_id"]] = dict(record)  # accepted by replica a
    waiters = [
        asyncio.create_task(a.get(ALICE, r["task_id"], wait=True, timeout_s=10)) for r in records
    ]
    async with asyncio.timeout(5):  # parked on their futures
        while len(a._waiters) < len(records):  # noqa: ASYNC110
            await asyncio.sleep(0)
    writes: list[str] = []
    update = docs.update

    async def counted(collection: str, doc_id: str, fields: Any) -> bool:
        writes.append(doc_id)
        return await update(collection, doc_id, fields)

    docs.update = counted
    for record in records:
        await bus.publish(RESULTS, result(record["task_id"], '"x"'), key=record["task_id"])
    async with asyncio.timeout(10):
        views = await asyncio.gather(*waiters)
    assert {v.record["state"] for v in views} == {"SUCCEEDED"}
    assert {v.output_json for v in views} == {'"x"'}
    for record in records:
        await until_stored(docs, record["task_id"])
    assert sorted(writes) == sorted(r["task_id"] for r in records)  # once each, by one replica
    # a redelivered result changes nothing
    first = records[0]
    before = await docs.get("tasks", first["task_id"])
    await b.record_result(
        bus_pb2.WorkResult.FromString(result(first["task_id"], '"again"')),
        result(first["task_id"], '"again"'),
    )
    assert await docs.get("tasks", first["task_id"]) == before
    assert len(writes) == len(records)


async def test_a_synchronous_runs_large_result_reads_back_at_once(
    parts: tuple[Any, Any, MemoryEventBus], new_manager: Callable[[], Any]
) -> None:
    """Read right after its caller was answered, before (or while) its record is written."""
    docs, _, bus = parts
    manager = await new_manager()
    record = new_record()
    manager._pending[record["task_id"]] = {**record, "durable": False}  # a synchronous run
    waiter = asyncio.create_task(manager.get(ALICE, record["task_id"], wait=True, timeout_s=10))
    async with asyncio.timeout(5):
        while record["task_id"] not in manager._waiters:  # noqa: ASYNC110
            await asyncio.sleep(0)
    big = json.dumps("x" * (core_module.INLINE_RESULT_BYTES + 1))  # to the object store
    await bus.publish(RESULTS, result(record["task_id"], big, carried=record))
    async with asyncio.timeout(10):
        answered = await waiter
    assert answered.output_json == big
    view = await manager.get(ALICE, record["task_id"])
    assert view.record["state"] == "SUCCEEDED"
    assert view.output_json == big
    stored = await until_stored(docs, record["task_id"])
    assert "result_key" in stored
    assert "result_b64" not in stored
