"""Model worker processes (executor_options.workers): heavy tensor models use every core."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import bus_pb2, types_pb2
from dlhub_common.adapters.local_objects import LocalObjectStore
from dlhub_common.adapters.memory_bus import MemoryEventBus
from dlhub_common.backends import LocalObjectsConfig, MemoryBusConfig
from dlhub_common.codec import array_to_tensor, tensor_to_array
from dlhub_common.topics import RESULTS, TASKS
from dlhub_executor.core import Executor
from dlhub_executor.workers import POOL_ABOVE_NS
from tests.slow_onnx import loop_onnx

pytestmark = pytest.mark.timeout(120)
DIGEST = "sha256:" + "1" * 64
STEPS = 40_000  # tens of milliseconds of CPU per call


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


@dataclass
class Rig:
    bus: MemoryEventBus
    results: Any
    executor: Executor
    key: str
    size: int

    async def send(self, task_id: str, steps: int) -> None:
        item = bus_pb2.WorkItem(
            task_id=task_id,
            servable=types_pb2.ServableRef(owner="alice", name="loop", version=1),
            digest=DIGEST,
            servable_type="onnx",
            model_path="model.onnx",
            artifacts=[
                types_pb2.ArtifactRef(path="model.onnx", object_key=self.key, size=self.size)
            ],
            inputs=[array_to_tensor("steps", np.array([steps], dtype=np.int64))],
            deadline_unix_ns=time.time_ns() + 60 * 10**9,
        )
        await self.bus.publish(TASKS, item.SerializeToString(), key=task_id)

    async def collect(self, count: int) -> dict[str, bus_pb2.WorkResult]:
        got: dict[str, bus_pb2.WorkResult] = {}
        async with asyncio.timeout(90):
            async for delivery in self.results:
                result = bus_pb2.WorkResult.FromString(delivery.value)
                await delivery.ack()
                got[result.task_id] = result
                if len(got) == count:
                    return got
        raise AssertionError("results stopped")


@contextlib.asynccontextmanager
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    """An executor with two model workers, the loop model stored, a results observer."""
    bus = MemoryEventBus(MemoryBusConfig(), tmp_path)
    await bus.start()
    objects = LocalObjectStore(LocalObjectsConfig(), tmp_path)
    await objects.start()
    model = loop_onnx()
    info = await objects.put(_one(model))
    results = bus.subscribe([RESULTS], "test-observer")
    await results.start()
    executor = Executor(bus, objects, tmp_path / "cache", workers=2, intra_op_threads=1)
    await executor.start()
    try:
        yield Rig(bus, results, executor, info.key, len(model))
    finally:
        await executor.stop()
        await results.close()
        await bus.stop()


async def test_heavy_model_calls_run_in_the_worker_processes(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        # the first call runs in the executor and measures the model: heavy
        await r.send("first", STEPS)
        first = (await r.collect(1))["first"]
        assert first.ok, first.error.message
        assert r.executor._cpu_per_call[DIGEST] >= 10 * POOL_ABOVE_NS  # heavy at once
        assert r.executor._to_pool[DIGEST]
        assert r.executor.pool is not None
        assert r.executor.pool.pids == set()  # nothing ran in a worker yet
        # then calls go to the workers, two batches at once (the model has no
        # free batch axis: each call runs alone)
        for n in range(8):
            await r.send(f"t{n}", STEPS + n)
        got = await r.collect(8)
        for n in range(8):
            result = got[f"t{n}"]
            assert result.ok, result.error.message
            (out,) = result.outputs
            assert tensor_to_array(out).tolist() == [float(STEPS + n)]
        assert len(r.executor.pool.pids) == 2  # both worker processes served calls


async def test_tiny_models_stay_in_the_executor_process(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        for n in range(5):  # one step: microseconds per call
            await r.send(f"t{n}", 1)
        got = await r.collect(5)
        assert all(result.ok for result in got.values())
        assert r.executor.pool is not None
        assert r.executor.pool.pids == set()  # no worker process was ever needed
        assert not r.executor._to_pool[DIGEST]


async def test_one_measurement_between_1_and_10_ms_does_not_move_a_model(tmp_path: Path) -> None:
    """A call over POOL_ABOVE_NS but under ten times it is one noisy sample (a
    first call's set-up, a loaded machine): the model stays in the executor
    until a second such call; then its calls go to the workers."""
    middling = STEPS // 16  # about 5 ms of CPU per call here
    async with rig(tmp_path) as r:
        await r.send("one", middling)
        assert (await r.collect(1))["one"].ok
        assert POOL_ABOVE_NS <= r.executor._cpu_per_call[DIGEST] < 10 * POOL_ABOVE_NS
        assert not r.executor._to_pool[DIGEST]
        await r.send("two", middling)
        assert (await r.collect(1))["two"].ok
        assert r.executor.pool is not None
        assert r.executor.pool.pids == set()  # both ran in the executor
        assert r.executor._to_pool[DIGEST]
        await r.send("three", middling)
        assert (await r.collect(1))["three"].ok
        assert len(r.executor.pool.pids) == 1  # the third ran in a worker
