"""Deadlines, execution time limits, backpressure and retention through the in-process mesh.

Each test starts its own mesh with the task settings it needs (small
limits, a tiny TTL, a fast sweep); the executor runs one task at a time and
the ``gate`` servable holds the slot while the test looks at the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common.codec import array_to_tensor
from dlhub_common.rpc.errors import ERROR_METADATA_KEY, RETRY_AFTER_KEY
from tests.integration._control import (
    Gate,
    ResultWatch,
    cancel,
    get_task,
    publish_gate,
    run_json,
)
from tests.integration.conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh
from tests.slow_onnx import loop_metadata, loop_onnx

SUCCEEDED = tasks_pb2.TASK_STATE_SUCCEEDED
FAILED = tasks_pb2.TASK_STATE_FAILED


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gate-envs")


@contextlib.asynccontextmanager
async def mesh_with(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, **tasks: Any
) -> AsyncIterator[tuple[Mesh, Gate]]:
    """A mesh with these ``settings.tasks``, the gate published, and its server running."""
    async with running_mesh(
        tmp_path / "mesh",
        tiny,
        executor_options={"concurrency": 1, "env_dir": env_dir},
        tasks=tasks,
        cache={"enabled": False},  # every run must be a task (no cache hits)
    ) as mesh:
        gate = Gate(tmp_path / "ran.log")
        await gate.start()
        try:
            await publish_gate(mesh, tmp_path)
            yield mesh, gate
        finally:
            await gate.close()


async def run_loop(
    mesh: Mesh, steps: int, *, wait: bool, timeout_s: float = RPC_TIMEOUT_S
) -> tasks_pb2.Task:
    response = await mesh.stub.RunServable(
        tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner="alice", name="loop"),
            inputs=[array_to_tensor("steps", np.array([steps], dtype=np.int64))],
            wait=wait,
            timeout_s=timeout_s,
        ),
        metadata=mesh.md(),
        timeout=timeout_s + 10,
    )
    task: tasks_pb2.Task = response.task
    return task


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


# ------------------------------------------------------------ deadlines


async def test_a_task_past_its_deadline_fails_deadline_exceeded(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    async with (
        mesh_with(tmp_path, tiny, env_dir, sweep_interval_s=0.1) as (mesh, gate),
        ResultWatch(mesh) as watch,
    ):
        await run_json(mesh, "gate", gate.value("blocker", hold=True))
        await gate.started("blocker")
        # asynchronous: the periodic sweep fails it, and wakes whoever waits
        late = await run_json(mesh, "gate", gate.value("late", hold=False), timeout_s=0.5)
        waited = await get_task(mesh, late.task_id, wait=True, timeout_s=RPC_TIMEOUT_S)
        assert waited.state == FAILED
        assert waited.error.code == "DEADLINE_EXCEEDED"
        assert "within its timeout of 0.5 s" in waited.error.message
        # synchronous: failed when the wait ends, over gRPC and HTTP
        sync = await run_json(
            mesh, "gate", gate.value("sync", hold=False), wait=True, timeout_s=0.5
        )
        assert sync.state == FAILED
        assert sync.error.code == "DEADLINE_EXCEEDED"
        response = await mesh.http.post(
            "/api/v1/servables/alice/gate/run",
            json={"inputs": gate.value("http", hold=False), "timeout_s": 0.5},
            headers=mesh.headers(),
        )
        assert response.status_code == 200, response.text
        assert response.json()["state"] == "FAILED"
        assert response.json()["error"]["code"] == "DEADLINE_EXCEEDED"

        gate.release("blocker")
        after = await run_json(mesh, "gate", gate.value("after", hold=False), wait=True)
        reported = {r.task_id: r for r in await watch.until(after.task_id)}
    # the executor dropped the expired work without running it, with the same code
    dropped = reported[late.task_id]
    assert dropped.error.code == "DEADLINE_EXCEEDED"
    assert "queue past its deadline" in dropped.error.message
    assert dropped.compute_ns == 0
    assert gate.ran() == ["blocker", "after"]


async def test_an_onnx_run_is_stopped_at_its_deadline(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    async with (
        mesh_with(tmp_path, tiny, env_dir) as (mesh, _gate),
        ResultWatch(mesh) as watch,
    ):
        await mesh.publish(loop_metadata("loop"), {"model.onnx": loop_onnx()})
        assert (await run_loop(mesh, 10, wait=True)).state == SUCCEEDED  # loaded and warm
        loop = asyncio.get_running_loop()
        started = loop.time()
        # about four hours of counting without a limit
        stopped = await run_loop(mesh, 10**10, wait=True, timeout_s=1.0)
        assert stopped.state == FAILED
        assert stopped.error.code == "DEADLINE_EXCEEDED"
        reported = {r.task_id: r for r in await watch.until(stopped.task_id)}
        assert loop.time() - started < 15
        # the executor stopped ONNX Runtime itself, and its only slot is free again
        assert "ONNX Runtime run did not finish" in reported[stopped.task_id].error.message
        quick = await run_loop(mesh, 10, wait=True)
        assert quick.state == SUCCEEDED
        assert quick.outputs[0].data == np.array([10.0], dtype=np.float32).tobytes()


async def test_a_model_fast_on_one_input_and_slow_on_another_never_holds_the_mesh(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    """A model whose calls took microseconds runs on the event loop; when one
    input makes it slow, the call is stopped within its inline budget and runs on
    in a thread, so the rest of the (embedded) mesh keeps answering: here a
    cancel, which used to wait until the run hit its deadline and then found it
    FAILED."""
    async with mesh_with(tmp_path, tiny, env_dir) as (mesh, _gate):
        await mesh.publish(loop_metadata("loop"), {"model.onnx": loop_onnx()})
        for _ in range(3):  # fast calls: the executor runs this model on the event loop
            assert (await run_loop(mesh, 1, wait=True)).state == SUCCEEDED
        loop = asyncio.get_running_loop()
        slow = await run_loop(mesh, 10**10, wait=False, timeout_s=5.0)
        await asyncio.sleep(0.3)  # it is running now
        started = loop.time()
        await asyncio.sleep(0.05)
        lag = loop.time() - started - 0.05
        cancelled = await cancel(mesh, slow.task_id)
        answered = loop.time() - started
        assert cancelled.state == tasks_pb2.TASK_STATE_CANCELLED
        assert lag < 0.5, f"the event loop was held for {lag:.2f} s"
        assert answered < 2.0, f"the cancel took {answered:.2f} s"
        quick = await run_loop(mesh, 10, wait=True, timeout_s=30.0)  # after the slow one stops
        assert quick.state == SUCCEEDED
        assert quick.outputs[0].data == np.array([10.0], dtype=np.float32).tobytes()


async def test_a_cancel_stops_a_running_onnx_run_and_frees_its_slot(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    """ONNX Runtime stops a cancelled task's run at once (RunOptions.terminate), so
    the executor's only slot serves the next task long before the cancelled
    task's deadline; the cancelled task stays CANCELLED."""
    async with mesh_with(tmp_path, tiny, env_dir) as (mesh, _gate):
        await mesh.publish(loop_metadata("loop"), {"model.onnx": loop_onnx()})
        assert (await run_loop(mesh, 10, wait=True)).state == SUCCEEDED  # loaded and warm
        slow = await run_loop(mesh, 10**10, wait=False, timeout_s=120.0)  # hours of counting
        await asyncio.sleep(0.5)  # it runs now (the executor has one slot)
        assert (await cancel(mesh, slow.task_id)).state == tasks_pb2.TASK_STATE_CANCELLED
        loop = asyncio.get_running_loop()
        started = loop.time()
        quick = await run_loop(mesh, 10, wait=True, timeout_s=20.0)
        assert quick.state == SUCCEEDED, quick.error.message
        assert loop.time() - started < 10  # not 120 s: the slot was freed by the cancel
        assert quick.outputs[0].data == np.array([10.0], dtype=np.float32).tobytes()
        assert (await get_task(mesh, slow.task_id)).state == tasks_pb2.TASK_STATE_CANCELLED


async def test_a_python_run_is_stopped_at_its_deadline(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    async with (
        mesh_with(tmp_path, tiny, env_dir) as (mesh, gate),
        ResultWatch(mesh) as watch,
    ):
        warm = await run_json(mesh, "gate", gate.value("warm", hold=False), wait=True)
        assert warm.state == SUCCEEDED  # its environment is built, its worker up
        # held until released, which never happens: only the deadline ends it
        stuck = await run_json(
            mesh, "gate", gate.value("stuck", hold=True), wait=True, timeout_s=2.0
        )
        assert stuck.state == FAILED
        assert stuck.error.code == "DEADLINE_EXCEEDED"
        reported = {r.task_id: r for r in await watch.until(stuck.task_id)}
        # the executor killed the call at the deadline (not at call_timeout_s, 60 s)
        assert "the servable did not finish by the task's deadline" in (
            reported[stuck.task_id].error.message
        )
        after = await run_json(mesh, "gate", gate.value("after", hold=False), wait=True)
        assert after.state == SUCCEEDED  # a fresh worker took over
    assert gate.ran() == ["warm", "stuck", "after"]


# ------------------------------------------------------------ backpressure


def _refusal(exc: grpc.aio.AioRpcError) -> tuple[dict[str, Any], str]:
    trailers = dict(exc.trailing_metadata() or ())
    return json.loads(trailers[ERROR_METADATA_KEY]), str(trailers[RETRY_AFTER_KEY])


async def test_full_queues_refuse_with_a_retry_hint(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    async with mesh_with(tmp_path, tiny, env_dir, max_queued_per_servable=3, max_queued=5) as (
        mesh,
        gate,
    ):
        await mesh.publish(TinyModel.metadata("tiny"), {"model.onnx": tiny.data})
        await mesh.publish(loop_metadata("loop"), {"model.onnx": loop_onnx()})
        await run_json(mesh, "gate", gate.value("blocker", hold=True))
        await gate.started("blocker")
        queued = [await run_json(mesh, "gate", gate.value(f"q{n}", hold=False)) for n in (1, 2)]
        with pytest.raises(grpc.aio.AioRpcError) as full:
            await run_json(mesh, "gate", gate.value("refused", hold=False))
        assert full.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        error, retry_after = _refusal(full.value)
        assert error["code"] == "OVERLOADED"
        assert error["details"]["scope"] == "servable"
        assert "max_queued_per_servable" in error["message"]
        assert int(retry_after) >= 1
        response = await mesh.http.post(
            "/api/v1/servables/alice/gate/run",
            json={"inputs": gate.value("refused", hold=False), "asynchronous": True},
            headers=mesh.headers(),
        )
        assert response.status_code == 429, response.text
        assert int(response.headers["retry-after"]) >= 1
        assert response.json()["code"] == "OVERLOADED"

        # another servable still gets in, up to the total limit
        tensor = array_to_tensor("X", np.ones((1, 4), dtype=np.float32))
        other = [await mesh.run("tiny", [tensor], wait=False), await run_loop(mesh, 10, wait=False)]
        with pytest.raises(grpc.aio.AioRpcError) as total:
            await run_loop(mesh, 10, wait=False)
        assert _refusal(total.value)[0]["details"]["scope"] == "total"
        assert "max_queued" in _refusal(total.value)[0]["message"]

        # a cancelled task frees its slot at once
        await cancel(mesh, queued[0].task_id)
        accepted = await run_json(mesh, "gate", gate.value("q3", hold=False))
        gate.release("blocker")
        for task in [queued[1], accepted, *other]:
            done = await get_task(mesh, task.task_id, wait=True, timeout_s=RPC_TIMEOUT_S)
            assert done.state == SUCCEEDED
    assert sorted(gate.ran()) == ["blocker", "q2", "q3"]


async def test_each_caller_is_bounded_by_its_own_input_bytes(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    async with mesh_with(tmp_path, tiny, env_dir, max_inflight_bytes_per_caller=4000) as (
        mesh,
        gate,
    ):
        pad = "x" * 2500  # about 2.6 kB of JSON input each

        def heavy(tag: str) -> dict[str, Any]:
            return {**gate.value(tag, hold=False), "pad": pad}

        await run_json(mesh, "gate", gate.value("blocker", hold=True))
        await gate.started("blocker")
        first = await run_json(mesh, "gate", heavy("a1"))
        with pytest.raises(grpc.aio.AioRpcError) as full:
            await run_json(mesh, "gate", heavy("a2"))
        assert full.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        error, retry_after = _refusal(full.value)
        assert error["details"]["scope"] == "caller_bytes"
        assert error["message"].startswith("alice has ")
        assert "max_inflight_bytes_per_caller" in error["message"]
        assert int(retry_after) >= 1
        # bob's inputs are his own: alice's backlog does not hold him up
        other = await run_json(mesh, "gate", heavy("b1"), md=mesh.md(mesh.bob_token))
        response = await mesh.http.post(
            "/api/v1/servables/alice/gate/run",
            json={"inputs": heavy("a3"), "asynchronous": True},
            headers=mesh.headers(),
        )
        assert response.status_code == 429, response.text
        assert response.json()["details"]["scope"] == "caller_bytes"
        gate.release("blocker")
        done = await get_task(mesh, first.task_id, wait=True, timeout_s=RPC_TIMEOUT_S)
        assert done.state == SUCCEEDED
        # once alice's backlog drained she gets in again
        again = await run_json(mesh, "gate", heavy("a4"))
        bobs = await get_task(mesh, other.task_id, wait=True, md=mesh.md(mesh.bob_token))
        assert bobs.state == SUCCEEDED
        assert (await get_task(mesh, again.task_id, wait=True)).state == SUCCEEDED
    assert sorted(gate.ran()) == ["a1", "a4", "b1", "blocker"]


async def test_the_gateway_bounds_the_request_bodies_it_holds(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    async with running_mesh(
        tmp_path / "mesh",
        tiny,
        executor_options={"concurrency": 1, "env_dir": env_dir},
        gateway={
            "max_inflight_request_bytes": 6000,
            "max_inflight_request_bytes_per_caller": 4000,
        },
    ) as mesh:
        gate = Gate(tmp_path / "ran.log")
        await gate.start()
        try:
            await publish_gate(mesh, tmp_path)

            async def run(tag: str, token: Any) -> httpx.Response:
                inputs = {**gate.value(tag, hold=tag == "held"), "pad": "x" * 2500}
                return await mesh.http.post(
                    "/api/v1/servables/alice/gate/run",
                    json={"inputs": inputs},
                    headers=mesh.headers(token),
                    timeout=RPC_TIMEOUT_S,
                )

            held = asyncio.create_task(run("held", mesh.token))  # its body stays in flight
            await gate.started("held")
            again = await run("alice-again", mesh.token)
            assert again.status_code == 429, again.text
            assert int(again.headers["retry-after"]) >= 1
            error = again.json()
            assert error["code"] == "OVERLOADED"
            assert error["details"]["scope"] == "gateway_caller_bytes"
            assert "gateway.max_inflight_request_bytes_per_caller" in error["error"]
            queued = asyncio.create_task(run("bob", mesh.bob_token))  # waits behind "held"
            pending = mesh.gateway.oip.tasks.core._pending  # bob's run reached the task manager
            async with asyncio.timeout(10):
                while len(pending) < 2:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
            anonymous = await run("anonymous", None)
            assert anonymous.status_code == 429, anonymous.text
            assert anonymous.json()["details"]["scope"] == "gateway_bytes"
            gate.release("held")
            assert (await held).status_code == 200
            assert (await queued).status_code == 200
            after = await run("alice-after", mesh.token)  # nothing held any more
            assert after.status_code == 200, after.text
        finally:
            await gate.close()
    assert sorted(gate.ran()) == ["alice-after", "bob", "held"]


async def test_work_lost_with_the_in_process_bus_fails_clearly_at_restart(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    options = {"executor_options": {"concurrency": 1, "env_dir": env_dir}}
    gate = Gate(tmp_path / "ran.log")
    await gate.start()
    try:
        async with running_mesh(tmp_path / "mesh", tiny, **options) as mesh:
            await publish_gate(mesh, tmp_path)
            running = await run_json(mesh, "gate", gate.value("running", hold=True))
            await gate.started("running")
            queued = await run_json(mesh, "gate", gate.value("queued", hold=False))
        # the mesh stopped with both unfinished: their work was only in its memory
    finally:
        await gate.close()
    async with running_mesh(tmp_path / "mesh", tiny, **options) as mesh:
        for task in (running, queued):
            after = await get_task(mesh, task.task_id)
            assert after.state == FAILED, after
            assert after.error.code == "UNAVAILABLE"
            assert after.error.retryable
            assert "DLHub restarted before this task finished" in after.error.message
    assert gate.ran() == ["running"]


async def test_a_flood_is_refused_and_memory_stays_flat(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    async with mesh_with(tmp_path, tiny, env_dir, max_queued_per_servable=4, max_queued=8) as (
        mesh,
        _gate,
    ):
        await mesh.publish(loop_metadata("loop"), {"model.onnx": loop_onnx()})
        accepted: list[str] = []
        refused = 0
        codes: set[grpc.StatusCode] = set()

        async def one() -> None:
            nonlocal refused
            try:  # about 30 ms of work each, one at a time in the executor
                accepted.append((await run_loop(mesh, 20_000, wait=False)).task_id)
            except grpc.aio.AioRpcError as exc:
                codes.add(exc.code())
                refused += 1

        waves, per_wave = 12, 100
        await asyncio.gather(*(one() for _ in range(per_wave)))  # warm-up wave
        before = rss_bytes()
        for _ in range(waves - 1):
            await asyncio.gather(*(one() for _ in range(per_wave)))
        grown = rss_bytes() - before
        assert codes == {grpc.StatusCode.RESOURCE_EXHAUSTED}
        assert refused > waves * per_wave // 2, f"only {refused} of {waves * per_wave} refused"
        assert len(accepted) + refused == waves * per_wave
        for task_id in accepted:  # every accepted task completes
            done = await get_task(mesh, task_id, wait=True, timeout_s=RPC_TIMEOUT_S)
            assert done.state == SUCCEEDED, done.error.message
        assert grown < 64 * 2**20, f"RSS grew by {grown / 2**20:.0f} MiB under overload"


# ------------------------------------------------------------ retention


async def test_finished_tasks_and_results_expire(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> None:
    async with mesh_with(tmp_path, tiny, env_dir, result_ttl_s=1.0, sweep_interval_s=0.1) as (
        mesh,
        _gate,
    ):
        await mesh.publish(TinyModel.metadata("tiny"), {"model.onnx": tiny.data})
        small = await mesh.run("tiny", {"X": np.ones((2, 4), dtype=np.float32)})
        # 32 KB of outputs: past the 16 KiB kept inline in the record
        big = await mesh.run("tiny", {"X": np.ones((2_000, 4), dtype=np.float32)})
        assert small.state == big.state == SUCCEEDED
        docs = await mesh.backends.documents()
        objects = await mesh.backends.objects()
        # synchronous runs' records are written as their results are recorded,
        # just after the caller is answered (recording.py): wait for them, bounded
        async with asyncio.timeout(10):
            while await docs.count("tasks") < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        kept = await docs.get("tasks", big.task_id)
        assert kept is not None
        key = kept["result_key"]  # a large result lives in the object store
        assert await objects.stat(key) is not None
        assert "result_b64" in (await docs.get("tasks", small.task_id) or {})
        # the periodic sweep emits nothing to wait on: watch the store, bounded
        async with asyncio.timeout(15):
            while await docs.count("tasks"):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        assert await objects.stat(key) is None
        for task in (small, big):
            with pytest.raises(grpc.aio.AioRpcError) as gone:
                await get_task(mesh, task.task_id)
            assert gone.value.code() is grpc.StatusCode.NOT_FOUND
            response = await mesh.http.get(f"/api/v1/tasks/{task.task_id}", headers=mesh.headers())
            assert response.status_code == 404
