"""Model worker processes (executor_options.workers): heavy tensor models use every core."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

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


async def test_heavy_model_calls_run_in_the_worker_processes(tmp_path: Path) -> None:
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

    def item(task_id: str, steps: int) -> bytes:
        return bus_pb2.WorkItem(
            task_id=task_id,
            servable=types_pb2.ServableRef(owner="alice", name="loop", version=1),
            digest=DIGEST,
            servable_type="onnx",
            model_path="model.onnx",
            artifacts=[
                types_pb2.ArtifactRef(path="model.onnx", object_key=info.key, size=len(model))
            ],
            inputs=[array_to_tensor("steps", np.array([steps], dtype=np.int64))],
            deadline_unix_ns=time.time_ns() + 60 * 10**9,
        ).SerializeToString()

    async def collect(count: int) -> dict[str, bus_pb2.WorkResult]:
        got: dict[str, bus_pb2.WorkResult] = {}
        async with asyncio.timeout(90):
            async for delivery in results:
                result = bus_pb2.WorkResult.FromString(delivery.value)
                await delivery.ack()
                got[result.task_id] = result
                if len(got) == count:
                    return got
        raise AssertionError("results stopped")

    try:
        # the first call runs in the executor and measures the model: heavy
        await bus.publish(TASKS, item("first", STEPS), key="first")
        first = (await collect(1))["first"]
        assert first.ok, first.error.message
        assert executor._cpu_per_call[DIGEST] >= POOL_ABOVE_NS
        assert executor.pool is not None
        assert executor.pool.pids == set()  # nothing ran in a worker yet
        # then calls go to the workers, two batches at once (the model has no
        # free batch axis: each call runs alone)
        for n in range(8):
            await bus.publish(TASKS, item(f"t{n}", STEPS + n), key=f"t{n}")
        got = await collect(8)
        for n in range(8):
            result = got[f"t{n}"]
            assert result.ok, result.error.message
            (out,) = result.outputs
            assert tensor_to_array(out).tolist() == [float(STEPS + n)]
        assert len(executor.pool.pids) == 2  # both worker processes served calls
    finally:
        await executor.stop()
        await results.close()
        await bus.stop()


async def test_tiny_models_stay_in_the_executor_process(tmp_path: Path) -> None:
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
        for n in range(5):  # one step: microseconds per call
            await bus.publish(
                TASKS,
                bus_pb2.WorkItem(
                    task_id=f"t{n}",
                    servable=types_pb2.ServableRef(owner="alice", name="loop", version=1),
                    digest=DIGEST,
                    servable_type="onnx",
                    model_path="model.onnx",
                    artifacts=[
                        types_pb2.ArtifactRef(
                            path="model.onnx", object_key=info.key, size=len(model)
                        )
                    ],
                    inputs=[array_to_tensor("steps", np.array([1], dtype=np.int64))],
                ).SerializeToString(),
                key=f"t{n}",
            )
        seen = 0
        async with asyncio.timeout(60):
            async for delivery in results:
                assert bus_pb2.WorkResult.FromString(delivery.value).ok
                await delivery.ack()
                seen += 1
                if seen == 5:
                    break
        assert executor.pool is not None
        assert executor.pool.pids == set()  # no worker process was ever needed
    finally:
        await executor.stop()
        await results.close()
        await bus.stop()
