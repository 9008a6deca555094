"""TaskControl against a real task manager core on SQLite and the in-process bus.

The races that the mesh tests cannot time on purpose: a cancel arriving
while a result is being recorded (and the other way round), the deadline
against both, and the sweeps with a chosen clock.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.adapters.local_objects import LocalObjectStore
from dlhub_common.adapters.memory_bus import MemoryEventBus
from dlhub_common.adapters.sqlite_documents import SqliteDocumentStore
from dlhub_common.backends import LocalObjectsConfig, MemoryBusConfig, SqliteDocumentsConfig
from dlhub_common.errors import FailedPrecondition, NotFound
from dlhub_common.identity import Principal
from dlhub_common.settings import TaskSettings
from dlhub_common.topics import CONTROL
from dlhub_taskmanager.core import TaskManager, _now_iso

S = 1_000_000_000
ALICE = Principal("alice")


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[TaskManager]:
    docs = SqliteDocumentStore(SqliteDocumentsConfig(), tmp_path)
    objects = LocalObjectStore(LocalObjectsConfig(), tmp_path)
    bus = MemoryEventBus(MemoryBusConfig(), tmp_path)
    for part in (docs, objects, bus):
        await part.start()
    manager = TaskManager(
        docs,
        objects,
        bus,
        registry=None,  # type: ignore[arg-type]  # nothing here resolves servables
        tasks=TaskSettings(result_ttl_s=60.0, sweep_interval_s=3600.0),
    )
    await manager.start()
    try:
        yield manager
    finally:
        await manager.stop()
        await docs.stop()


async def queued(core: TaskManager, *, deadline_in_s: float = 60.0, **extra: Any) -> str:
    """A task as submit leaves it: recorded QUEUED and known to this replica."""
    task_id = uuid.uuid4().hex
    now = time.time_ns()
    record = {
        "task_id": task_id,
        "state": "QUEUED",
        "user": "alice",
        "servable": {"owner": "alice", "name": "m", "version": 1},
        "created_at": _now_iso(),
        "created_ns": now,
        "deadline_ns": now + int(deadline_in_s * S),
        **extra,
    }
    await core.docs.insert("tasks", task_id, record)
    core._pending[task_id] = record
    return task_id


def result(task_id: str) -> bus_pb2.WorkResult:
    return bus_pb2.WorkResult(task_id=task_id, ok=True, output_json="1")


async def test_a_result_being_recorded_wins_over_a_cancel(core: TaskManager) -> None:
    task_id = await queued(core)
    assert core.control.result_may_record(task_id)  # the result got there first
    with pytest.raises(FailedPrecondition) as info:
        await core.control.cancel(ALICE, task_id)
    assert info.value.details == {"state": "finishing"}
    await core.record_result(result(task_id), result(task_id).SerializeToString())
    assert (await core.get(ALICE, task_id)).record["state"] == "SUCCEEDED"


async def test_a_cancel_wins_over_a_later_result_and_wakes_the_waiter(core: TaskManager) -> None:
    bus_watch = core.bus.subscribe([CONTROL], "test-control")
    await bus_watch.start()
    task_id = await queued(core)
    waiter = asyncio.create_task(core.get(ALICE, task_id, wait=True, timeout_s=30))
    async with asyncio.timeout(5):  # until it is parked on its future (yields, no delay)
        while task_id not in core._waiters:  # noqa: ASYNC110
            await asyncio.sleep(0)
    view = await core.control.cancel(ALICE, task_id)
    assert view.record["state"] == "CANCELLED"
    async with asyncio.timeout(5):
        assert (await waiter).record["state"] == "CANCELLED"
        announced = await anext(aiter(bus_watch))
    assert bus_pb2.TaskControl.FromString(announced.value).task_id == task_id
    await bus_watch.close()
    assert not core.control.result_may_record(task_id)
    await core.record_result(result(task_id), result(task_id).SerializeToString())
    assert (await core.get(ALICE, task_id)).record["state"] == "CANCELLED"
    # someone else, and a task that does not exist, are not found
    with pytest.raises(NotFound):
        await core.control.cancel(Principal("bob"), task_id)
    with pytest.raises(NotFound):
        await core.control.cancel(ALICE, "nope")


async def test_the_deadline_fails_a_task_once_and_late_results_are_dropped(
    core: TaskManager,
) -> None:
    overdue = await queued(core, deadline_in_s=-1.0)
    fresh = await queued(core)
    failed, removed = await core.control.sweep_once()
    assert (failed, removed) == (1, 0)
    record = await core.docs.get("tasks", overdue)
    assert record is not None
    assert record["state"] == "FAILED"
    assert record["error"]["code"] == "DEADLINE_EXCEEDED"
    await core.record_result(result(overdue), result(overdue).SerializeToString())
    assert (await core.get(ALICE, overdue)).record["state"] == "FAILED"
    with pytest.raises(FailedPrecondition):  # finished: too late to cancel
        await core.control.cancel(ALICE, overdue)
    assert (await core.get(ALICE, fresh)).record["state"] == "QUEUED"
    # read after its deadline, an unfinished task fails there and then
    lazy = await queued(core, deadline_in_s=0.0)
    assert (await core.get(ALICE, lazy)).record["error"]["code"] == "DEADLINE_EXCEEDED"


async def test_retention_removes_expired_tasks_and_their_result_objects(
    core: TaskManager,
) -> None:
    async def one(data: bytes) -> AsyncIterator[bytes]:
        yield data

    info = await core.objects.put(one(b"a large result"))
    done = [await queued(core) for _ in range(3)]
    for n, task_id in enumerate(done):
        fields: dict[str, Any] = {"state": "SUCCEEDED", "completed_at": _now_iso()}
        if n == 0:
            fields["result_key"] = info.key
        await core.docs.update("tasks", task_id, fields)
    keep = await queued(core, deadline_in_s=3600.0)  # unfinished: never removed
    assert await core.control.sweep_once() == (0, 0)  # nothing is 60 s old yet
    later = time.time_ns() + 61 * S
    assert await core.control.sweep_once(now_ns=later) == (0, 3)
    assert await core.docs.count("tasks") == 1
    assert await core.objects.stat(info.key) is None
    with pytest.raises(NotFound):
        await core.get(ALICE, done[0])
    assert (await core.docs.get("tasks", keep) or {})["state"] == "QUEUED"
