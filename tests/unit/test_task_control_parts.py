"""The pieces of task control on their own, with real adapters where they talk to one:

* execution time limits: ONNX Runtime stopped at the deadline by the
  watchdog; a blocking call (torch, python) waited for until the deadline;
* the executor on a real in-process bus: expired work fails with
  DEADLINE_EXCEEDED without running; cancelled work is acked with no result;
* the cancelled-id set (bounded, expiring) and admission counting;
* the one retry policy.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import bus_pb2, types_pb2
from dlhub_common.adapters.local_objects import LocalObjectStore
from dlhub_common.adapters.memory_bus import MemoryEventBus
from dlhub_common.backends import LocalObjectsConfig, MemoryBusConfig
from dlhub_common.errors import DeadlineExceeded, InvalidArgument, Overloaded, Unavailable
from dlhub_common.names import Ref
from dlhub_common.retry import retrying
from dlhub_common.topics import CONTROL, RESULTS, TASKS
from dlhub_executor.control import ExpiringSet
from dlhub_executor.core import Executor
from dlhub_executor.runners.deadline import Watchdog, in_thread, run_deadline
from dlhub_executor.runners.onnx import OnnxRunner
from dlhub_taskmanager.admission import Admission, Limits
from tests.slow_onnx import loop_onnx

S = 1_000_000_000


# ------------------------------------------------------------ time limits


def test_onnx_run_is_stopped_at_its_deadline(tmp_path: Path) -> None:
    (tmp_path / "slow.onnx").write_bytes(loop_onnx())
    model = OnnxRunner(intra_op_threads=1).load(tmp_path, "slow.onnx")
    quick = model.run({"steps": np.array([1000], dtype=np.int64)}, [])
    assert quick["Y"].tolist() == [1000.0]
    started = time.monotonic()
    with run_deadline(time.time_ns() + S // 4), pytest.raises(DeadlineExceeded) as info:
        model.run({"steps": np.array([10**10], dtype=np.int64)}, [])  # hours without a limit
    # the call itself returned (ONNX Runtime stopped), shortly after the deadline
    assert 0.2 < time.monotonic() - started < 5.0
    assert "deadline" in info.value.message
    # the session is fine afterwards, and a run with time to spare is untouched
    with run_deadline(time.time_ns() + 60 * S):
        assert model.run({"steps": np.array([10], dtype=np.int64)}, [])["Y"].tolist() == [10.0]


async def test_a_blocking_call_is_waited_for_until_the_deadline_only() -> None:
    release = threading.Event()
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        await in_thread(time.time_ns() + S // 5, release.wait, 30.0)
    assert time.monotonic() - started < 5.0
    release.set()  # the thread was still running in the background; let it end
    assert await in_thread(time.time_ns() + 10 * S, lambda: 42) == 42
    assert await in_thread(0, lambda: "no limit") == "no limit"
    with pytest.raises(DeadlineExceeded):  # already past: not even started
        await in_thread(time.time_ns() - 1, lambda: 1)


def test_watchdog_fires_armed_stops_only() -> None:
    dog = Watchdog()
    fired = threading.Event()
    never = threading.Event()
    keep = dog.arm(time.time_ns() + S // 2, never.set)
    dog.disarm(keep)
    dog.arm(time.time_ns() + S // 20, fired.set)
    assert fired.wait(5.0)
    assert not never.wait(0.6)  # past its deadline, disarmed: never called


# ------------------------------------------------------------ the executor on a real bus


@pytest.fixture
async def bus(tmp_path: Path) -> MemoryEventBus:
    b = MemoryEventBus(MemoryBusConfig(), tmp_path)
    await b.start()
    return b


def _item(task_id: str, deadline_ns: int) -> bytes:
    return bus_pb2.WorkItem(
        task_id=task_id,
        servable=types_pb2.ServableRef(owner="alice", name="nothing", version=1),
        digest="sha256:" + "0" * 64,
        servable_type="onnx",
        model_path="model.onnx",
        deadline_unix_ns=deadline_ns,
    ).SerializeToString()


async def test_executor_drops_expired_and_cancelled_work(
    bus: MemoryEventBus, tmp_path: Path
) -> None:
    objects = LocalObjectStore(LocalObjectsConfig(), tmp_path)
    await objects.start()
    results = bus.subscribe([RESULTS], "test-observer")
    await results.start()
    executor = Executor(bus, objects, tmp_path / "cache", concurrency=1)
    await executor.start()
    try:
        # announced before the work item is taken: the item is acked, no result
        await bus.publish(
            CONTROL,
            bus_pb2.TaskControl(
                kind=bus_pb2.TaskControl.KIND_CANCEL, task_id="cancelled", unix_ns=time.time_ns()
            ).SerializeToString(),
            key="cancelled",
        )
        async with asyncio.timeout(10):
            await executor.control.wait_cancelled("cancelled")
        await bus.publish(TASKS, _item("cancelled", time.time_ns() + 60 * S), key="alice/nothing")
        # expired in the queue: fails with DEADLINE_EXCEEDED before any model is loaded
        await bus.publish(TASKS, _item("expired", time.time_ns() - S), key="alice/nothing")
        async with asyncio.timeout(10):
            delivery = await anext(aiter(results))
        result = bus_pb2.WorkResult.FromString(delivery.value)
        await delivery.ack()
        assert result.task_id == "expired"  # nothing came for the cancelled one, queued first
        assert not result.ok
        assert result.error.code == "DEADLINE_EXCEEDED"
        assert "queue past its deadline" in result.error.message
        assert result.compute_ns == 0
    finally:
        await executor.stop()
        await results.close()


def test_cancelled_ids_are_bounded_and_expire() -> None:
    ids = ExpiringSet(ttl_s=60.0, max_size=3)
    for n in range(5):
        ids.add(f"t{n}")
    assert len(ids) == 3
    assert "t0" not in ids
    assert "t1" not in ids
    assert all(f"t{n}" in ids for n in (2, 3, 4))
    short = ExpiringSet(ttl_s=0.0, max_size=10)
    short.add("gone")
    time.sleep(0.001)
    assert "gone" not in short
    assert len(short) == 0


# ------------------------------------------------------------ admission


def test_admission_counts_per_servable_and_in_total() -> None:
    a, b = Ref("alice", "a", 1), Ref("alice", "b", 1)
    later = time.time_ns() + 60 * S
    admission = Admission(Limits(total=3, per_servable=2))
    admission.admit("1", a, later)
    admission.admit("2", a, later)
    with pytest.raises(Overloaded) as info:
        admission.admit("3", a, later)
    assert info.value.details["scope"] == "servable"
    assert info.value.details["retry_after_s"] >= 1
    assert "max_queued_per_servable" in info.value.message
    admission.admit("3", b, later)
    with pytest.raises(Overloaded) as total:
        admission.admit("4", b, later)
    assert total.value.details["scope"] == "total"
    assert admission.refused == 2
    admission.release("1")
    admission.release("1")  # idempotent
    admission.admit("4", a, later)
    assert admission.unfinished("alice/a:1") == 2
    assert len(admission) == 3


def test_admission_bounds_each_caller_by_tasks_and_input_bytes() -> None:
    a = Ref("alice", "a", 1)
    later = time.time_ns() + 60 * S
    limits = Limits(per_caller=2, bytes_per_caller=1000, bytes_total=2500)
    admission = Admission(limits)
    admission.admit("1", a, later, caller="bob", nbytes=600)
    with pytest.raises(Overloaded) as heavy:  # 600 + 600 > 1000 for bob
        admission.admit("2", a, later, caller="bob", nbytes=600)
    assert heavy.value.details["scope"] == "caller_bytes"
    assert "bob has 600 bytes" in heavy.value.message
    assert "max_inflight_bytes_per_caller" in heavy.value.message
    admission.admit("2", a, later, caller="bob", nbytes=100)
    with pytest.raises(Overloaded) as many:
        admission.admit("3", a, later, caller="bob", nbytes=1)
    assert many.value.details["scope"] == "caller"
    assert "max_queued_per_caller" in many.value.message
    # other callers are not held up by bob
    admission.admit("4", a, later, caller="carol", nbytes=900)
    admission.admit("5", a, later, caller="dave", nbytes=900)
    with pytest.raises(Overloaded) as total:  # 2500 bytes in flight in all
        admission.admit("6", a, later, caller="erin", nbytes=1)
    assert total.value.details["scope"] == "total_bytes"
    assert admission.inflight_bytes == 2500
    # one input over the per-caller limit is admitted when the caller has nothing in flight
    admission.release("4")
    admission.admit("7", a, later, caller="frank", nbytes=900)
    admission.release("1")
    admission.release("2")
    assert admission.of_caller("bob") == (0, 0)
    assert admission.inflight_bytes == 1800
    assert admission.refused == 3


def test_admission_frees_slots_of_tasks_past_their_deadline() -> None:
    a = Ref("alice", "a", 1)
    admission = Admission(Limits(total=10, per_servable=1))
    admission.admit("lost", a, time.time_ns() - 1)  # its end was never seen
    admission.admit("next", a, time.time_ns() + 60 * S)
    assert len(admission) == 1


# ------------------------------------------------------------ retry policy


async def _retry(error: Exception, failures: int | None, **options: Any) -> int:
    """A retry loop whose body raises ``error`` ``failures`` times (None: always)."""
    calls = 0
    async for attempt in retrying("test", **options):
        with attempt:
            calls += 1
            if failures is None or calls <= failures:
                raise error
    return calls


async def test_retrying_retries_what_it_is_told_and_raises_the_rest() -> None:
    assert await _retry(Unavailable("not yet"), 2, initial_s=0.001, max_delay_s=0.01) == 3
    with pytest.raises(InvalidArgument):  # not retryable: raised at once
        await _retry(InvalidArgument("no"), None, initial_s=0.001)
    with pytest.raises(Unavailable):  # gives up after its time
        await _retry(Unavailable("down"), None, initial_s=0.001, give_up_after_s=0.05)
    stop = asyncio.Event()
    stop.set()
    with pytest.raises(Unavailable):  # a set stop event ends the loop
        await _retry(Unavailable("down"), None, initial_s=10.0, stop=stop)
