"""The result cache and the cached run path (references invalidated by events)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import bus_pb2, registry_pb2, tasks_pb2, types_pb2
from dlhub_common.codec import tensor_to_array
from dlhub_common.topics import TASKS

from .conftest import Array, Mesh, TinyModel, running_mesh

pytestmark = pytest.mark.timeout(120)


def rows(n: int, seed: int) -> Array:
    return np.random.default_rng(seed).standard_normal((n, 4)).astype(np.float32)


def output(task: tasks_pb2.Task) -> Array:
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
    (out,) = task.outputs
    return tensor_to_array(out)


class Dispatched:
    """Counts the work items that reach the bus (a group of its own sees them all)."""

    def __init__(self) -> None:
        self.items: list[bus_pb2.WorkItem] = []

    async def watch(self, mesh: Mesh) -> AsyncIterator[None]:
        bus = await mesh.backends.bus()
        sub = bus.subscribe([TASKS], "test-spy")
        await sub.start()

        async def read() -> None:
            async for d in sub:
                self.items.append(bus_pb2.WorkItem.FromString(d.value))
                await d.ack()

        task = asyncio.create_task(read())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await sub.close()

    async def settle(self) -> int:
        await asyncio.sleep(0.05)
        return len(self.items)


@contextlib.asynccontextmanager
async def cache_mesh(
    tmp_path: Path, tiny: TinyModel, **cache: Any
) -> AsyncIterator[tuple[Mesh, Dispatched]]:
    async with running_mesh(tmp_path, tiny, cache={"enabled": True, **cache}) as m:
        await m.publish(TinyModel.metadata("tiny"), {"model.onnx": tiny.data})
        spy = Dispatched()
        async with contextlib.asynccontextmanager(spy.watch)(m):
            yield m, spy


async def test_hit_never_reaches_an_executor(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    async with cache_mesh(tmp_path, tiny) as (mesh, spy):
        x = rows(3, 1)
        first = await mesh.run("tiny", {"X": x})
        assert not first.timings.cache_hit
        assert await spy.settle() == 1
        again = await mesh.run("tiny", {"X": x})
        assert again.timings.cache_hit
        assert again.task_id != first.task_id
        np.testing.assert_array_equal(output(again), output(first))
        assert await spy.settle() == 1  # nothing dispatched for the hit
        # the hit is a task like any other: it can be read back
        got = await mesh.stub.GetTask(
            tasks_pb2.GetTaskRequest(task_id=again.task_id), metadata=mesh.md()
        )
        np.testing.assert_array_equal(output(got.task), output(first))
        # asynchronous runs are answered from the cache too, and stored
        queued = await mesh.run("tiny", {"X": x}, wait=False)
        assert queued.state == tasks_pb2.TASK_STATE_SUCCEEDED
        assert queued.timings.cache_hit
        # another input, another model call
        other = await mesh.run("tiny", {"X": rows(3, 2)})
        assert not other.timings.cache_hit
        np.testing.assert_allclose(output(other), tiny.expected(rows(3, 2)), rtol=1e-5, atol=1e-6)
        assert await spy.settle() == 2
        # the caller can ask for a fresh run
        fresh = await mesh.run("tiny", {"X": x}, no_cache=True)
        assert not fresh.timings.cache_hit
        assert await spy.settle() == 3


async def test_opt_out_servable_is_never_cached(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    async with cache_mesh(tmp_path, tiny) as (mesh, spy):
        md = TinyModel.metadata("random")
        md["servable"]["cache"] = False
        await mesh.publish(md, {"model.onnx": tiny.data})
        x = rows(1, 5)
        for _ in range(3):
            assert not (await mesh.run("random", {"X": x})).timings.cache_hit
        assert await spy.settle() == 3


async def test_entries_expire_after_the_ttl(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    async with cache_mesh(tmp_path, tiny, ttl_s=0.3) as (mesh, spy):
        x = rows(2, 3)
        await mesh.run("tiny", {"X": x})
        assert (await mesh.run("tiny", {"X": x})).timings.cache_hit
        await asyncio.sleep(0.5)
        assert not (await mesh.run("tiny", {"X": x})).timings.cache_hit
        assert await spy.settle() == 2


async def test_the_cache_is_bounded_by_bytes(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    # one cached result of 16 rows is a little over 200 bytes; 8 KiB hold
    # some thirty of them (a single entry may take at most 1/8 of the bound)
    async with cache_mesh(tmp_path, tiny, max_bytes=8192) as (mesh, _spy):
        inputs = [rows(16, s) for s in range(80)]
        for x in inputs:
            await mesh.run("tiny", {"X": x})
        core = mesh.gateway.oip.tasks.core
        assert core.cache._memory.currsize <= 8192
        # the oldest were evicted, the newest are still there
        assert not (await mesh.run("tiny", {"X": inputs[0]})).timings.cache_hit
        assert (await mesh.run("tiny", {"X": inputs[-1]})).timings.cache_hit
        # a result larger than 1/8 of the bound is never cached
        big = rows(200, 1000)
        await mesh.run("tiny", {"X": big})
        assert not (await mesh.run("tiny", {"X": big})).timings.cache_hit


async def test_withdrawn_version_is_refused_even_when_cached(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    async with cache_mesh(tmp_path, tiny) as (mesh, _):
        x = rows(1, 4)
        await mesh.run("tiny", {"X": x})
        await mesh.stub.DeprecateServable(
            registry_pb2.DeprecateServableRequest(
                ref=types_pb2.ServableRef(owner="alice", name="tiny"), reason="use tiny2"
            ),
            metadata=mesh.md(),
        )
        hit = await mesh.run("tiny", {"X": x})
        assert hit.timings.cache_hit
        assert "deprecated" in hit.warnings[0]
        await mesh.stub.WithdrawServable(
            registry_pb2.WithdrawServableRequest(
                ref=types_pb2.ServableRef(owner="alice", name="tiny"), reason="leaked data"
            ),
            metadata=mesh.md(),
        )
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await mesh.run("tiny", {"X": x})
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION


class CountingRegistry:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.gets = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def get_servable(self, request: Any) -> Any:
        self.gets += 1
        return await self.inner.get_servable(request)


async def test_runs_ask_the_registry_once_until_the_servable_changes(
    tmp_path: Path, tiny: TinyModel, tiny_v2: TinyModel, hermetic_env: None
) -> None:
    async with running_mesh(tmp_path, tiny, cache={"enabled": False}) as mesh:
        await mesh.publish(TinyModel.metadata("tiny"), {"model.onnx": tiny.data})
        cached = mesh.gateway.oip.tasks.core.resolver.cached
        counting = CountingRegistry(cached.registry)
        cached.registry = counting
        for s in range(20):
            await mesh.run("tiny", {"X": rows(1, s)})
        assert counting.gets == 1
        # a new version takes effect at once: the event drops the cached reference
        await mesh.publish(TinyModel.metadata("tiny"), {"model.onnx": tiny_v2.data})
        task = await mesh.run("tiny", {"X": rows(2, 0)})
        assert task.servable.version == 2
        np.testing.assert_allclose(output(task), tiny_v2.expected(rows(2, 0)), rtol=1e-5, atol=1e-6)
        assert counting.gets == 2
        # each caller is resolved as itself (visibility is per caller)
        await mesh.run("tiny", {"X": rows(1, 0)}, token=mesh.bob_token)
        assert counting.gets == 3


async def test_documents_tier_is_shared_and_swept(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    async with cache_mesh(tmp_path, tiny, type="documents", ttl_s=0.5) as (mesh, spy):
        cache = mesh.gateway.oip.tasks.core.cache
        x = rows(2, 9)
        await mesh.run("tiny", {"X": x})
        cache._memory.clear()  # as another replica would see it: only the shared tier
        hit = await mesh.run("tiny", {"X": x})
        assert hit.timings.cache_hit
        assert await spy.settle() == 1
        docs = await mesh.backends.documents()
        assert await docs.count("result_cache") == 1
        await asyncio.sleep(0.6)
        cache._memory.clear()
        assert not (await mesh.run("tiny", {"X": x})).timings.cache_hit  # expired
        await asyncio.sleep(0.6)
        assert await cache.sweep() >= 1
        assert await docs.count("result_cache") == 0
