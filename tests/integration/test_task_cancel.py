"""Cancelling tasks through the in-process mesh: gRPC, HTTP, SDK and CLI.

The executor runs one task at a time here, and the ``gate`` servable holds a
run until the test releases it, so "queued" and "running" are states the
test creates on purpose. What executors really report is read off
``dlhub.results`` in a group of the test's own.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from concurrent.futures import CancelledError
from pathlib import Path

import grpc
import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import bus_pb2, tasks_pb2, types_pb2
from dlhub_common.errors import FailedPrecondition
from dlhub_common.topics import CONTROL, RESULTS
from dlhub_sdk.cli import main as cli_main
from dlhub_sdk.client import DLHubClient, TaskFuture
from tests.integration._control import (
    EVENT_TIMEOUT_S,
    Gate,
    ResultWatch,
    cancel,
    get_task,
    publish_gate,
    run_json,
)
from tests.integration.conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh

QUEUED = tasks_pb2.TASK_STATE_QUEUED
SUCCEEDED = tasks_pb2.TASK_STATE_SUCCEEDED
CANCELLED = tasks_pb2.TASK_STATE_CANCELLED


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gate's environment, built once for the module."""
    return tmp_path_factory.mktemp("gate-envs")


@pytest.fixture
async def cmesh(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> AsyncIterator[Mesh]:
    async with running_mesh(
        tmp_path / "mesh", tiny, executor_options={"concurrency": 1, "env_dir": env_dir}
    ) as m:
        yield m


@pytest.fixture
async def gate(cmesh: Mesh, tmp_path: Path) -> AsyncIterator[Gate]:
    g = Gate(tmp_path / "ran.log")
    await g.start()
    await publish_gate(cmesh, tmp_path)
    try:
        yield g
    finally:
        await g.close()  # releases every held run before the mesh stops


async def hold(mesh: Mesh, gate: Gate, tag: str = "blocker") -> tasks_pb2.Task:
    """Start a run that occupies the only executor slot until released."""
    task = await run_json(mesh, "gate", gate.value(tag, hold=True))
    await gate.started(tag)
    return task


async def test_a_cancelled_queued_task_never_runs(cmesh: Mesh, gate: Gate) -> None:
    async with ResultWatch(cmesh) as watch:
        blocker = await hold(cmesh, gate)
        queued = await run_json(cmesh, "gate", gate.value("queued", hold=False))
        assert queued.state == QUEUED
        # only its submitter may cancel it: to anyone else it does not exist
        for md in (cmesh.md(cmesh.bob_token), cmesh.md(None)):
            with pytest.raises(grpc.aio.AioRpcError) as foreign:
                await cancel(cmesh, queued.task_id, md=md)
            assert foreign.value.code() is grpc.StatusCode.NOT_FOUND
        assert (await get_task(cmesh, queued.task_id)).state == QUEUED

        cancelled = await cancel(cmesh, queued.task_id)
        assert cancelled.state == CANCELLED
        assert cancelled.completed_at
        assert (await cancel(cmesh, queued.task_id)).state == CANCELLED  # again: the same
        gate.release("blocker")
        after = await run_json(cmesh, "gate", gate.value("after", hold=False), wait=True)
        assert after.state == SUCCEEDED
        reported = {r.task_id for r in await watch.until(after.task_id)}
    # the executor took it off the queue after the blocker and skipped it
    assert gate.ran() == ["blocker", "after"]
    assert queued.task_id not in reported
    assert blocker.task_id in reported
    assert (await get_task(cmesh, queued.task_id)).state == CANCELLED


async def test_a_cancelled_running_task_stays_cancelled(cmesh: Mesh, gate: Gate) -> None:
    async with ResultWatch(cmesh) as watch:
        task = await hold(cmesh, gate, "running")
        waiter = asyncio.create_task(
            get_task(cmesh, task.task_id, wait=True, timeout_s=RPC_TIMEOUT_S)
        )
        response = await cmesh.http.post(
            f"/api/v1/tasks/{task.task_id}/cancel", headers=cmesh.headers()
        )
        assert response.status_code == 200, response.text
        assert response.json()["state"] == "CANCELLED"
        async with asyncio.timeout(10):  # woken by the cancel, not by its timeout
            woken = await waiter
        assert woken.state == CANCELLED

        gate.release("running")  # the function returns now; its result must not count
        # and a result that was already on its way (sent before the executor
        # heard of the cancel) is dropped by the task manager
        late = bus_pb2.WorkResult(task_id=task.task_id, ok=True, output_json='"late"')
        bus = await cmesh.backends.bus()
        await bus.publish(RESULTS, late.SerializeToString(), key=task.task_id)
        control = await run_json(cmesh, "gate", gate.value("control", hold=False), wait=True)
        assert control.state == SUCCEEDED
        reported = await watch.until(control.task_id)
    assert [r.output_json for r in reported if r.task_id == task.task_id] == ['"late"']
    assert gate.ran() == ["running", "control"]
    final = await get_task(cmesh, task.task_id)
    assert final.state == CANCELLED
    assert not final.output_json


async def test_cancel_of_finished_or_unknown_tasks_is_refused(cmesh: Mesh, tiny: TinyModel) -> None:
    await cmesh.publish(TinyModel.metadata("tiny"), {"model.onnx": tiny.data})
    done = await cmesh.run("tiny", {"X": np.ones((2, 4), dtype=np.float32)})
    assert done.state == SUCCEEDED
    with pytest.raises(grpc.aio.AioRpcError) as finished:
        await cancel(cmesh, done.task_id)
    assert finished.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "already finished (SUCCEEDED)" in (finished.value.details() or "")
    response = await cmesh.http.post(
        f"/api/v1/tasks/{done.task_id}/cancel", headers=cmesh.headers()
    )
    assert response.status_code == 409
    assert response.json()["code"] == "FAILED_PRECONDITION"
    assert response.json()["details"] == {"state": "SUCCEEDED"}
    assert (await get_task(cmesh, done.task_id)).state == SUCCEEDED

    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await cancel(cmesh, "0" * 32)
    assert unknown.value.code() is grpc.StatusCode.NOT_FOUND
    response = await cmesh.http.post(f"/api/v1/tasks/{'0' * 32}/cancel", headers=cmesh.headers())
    assert response.status_code == 404
    # another user's finished task is not found either (nothing about it leaks)
    with pytest.raises(grpc.aio.AioRpcError) as foreign:
        await cancel(cmesh, done.task_id, md=cmesh.md(cmesh.bob_token))
    assert foreign.value.code() is grpc.StatusCode.NOT_FOUND


async def test_sdk_future_and_cli_cancel(
    cmesh: Mesh, gate: Gate, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = await hold(cmesh, gate)

    def use_sdk() -> tuple[list[bool], str]:
        with DLHubClient(cmesh.grpc_address, cmesh.token) as client:
            fut = client.run("alice/gate", gate.value("sdk", hold=False), asynchronous=True)
            flags = [fut.cancel(), fut.cancel(), fut.cancelled(), fut.done()]
            with pytest.raises(CancelledError):
                fut.result(timeout=5)
            other = client.run("alice/gate", gate.value("cli", hold=False), asynchronous=True)
            return flags, other.task_id

    flags, cli_task = await asyncio.to_thread(use_sdk)
    assert flags == [True, True, True, True]
    login = ["--address", cmesh.grpc_address, "--token", cmesh.token]
    assert await asyncio.to_thread(cli_main, ["cancel", cli_task, *login, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "CANCELLED"

    gate.release("blocker")
    assert (await get_task(cmesh, blocker.task_id, wait=True, timeout_s=30)).state == SUCCEEDED
    assert await asyncio.to_thread(cli_main, ["cancel", blocker.task_id, *login]) == 1
    assert "error: FAILED_PRECONDITION: " in capsys.readouterr().err

    def finished_in_sdk() -> bool:
        with DLHubClient(cmesh.grpc_address, cmesh.token) as client:
            with pytest.raises(FailedPrecondition):
                client.cancel_task(blocker.task_id)
            return TaskFuture(client, blocker.task_id).cancel()

    assert await asyncio.to_thread(finished_in_sdk) is False
    await run_json(cmesh, "gate", gate.value("after", hold=False), wait=True)
    assert gate.ran() == ["blocker", "after"]


async def test_a_caller_that_goes_away_cancels_its_task(cmesh: Mesh, gate: Gate) -> None:
    bus = await cmesh.backends.bus()
    announced = bus.subscribe([CONTROL], "test-control-watch")
    await announced.start()
    try:
        await hold(cmesh, gate)
        with pytest.raises(grpc.aio.AioRpcError) as left:
            await cmesh.stub.RunServable(
                tasks_pb2.RunServableRequest(
                    servable=types_pb2.ServableRef(owner="alice", name="gate"),
                    inputs_json=json.dumps(gate.value("left", hold=False)),
                    wait=True,
                    timeout_s=RPC_TIMEOUT_S,
                ),
                metadata=cmesh.md(),
                timeout=1.0,  # the caller gives up long before the task could run
            )
        assert left.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
        async with asyncio.timeout(EVENT_TIMEOUT_S):
            delivery = await anext(aiter(announced))
        message = bus_pb2.TaskControl.FromString(delivery.value)
        assert message.kind == bus_pb2.TaskControl.KIND_CANCEL
        assert (await get_task(cmesh, message.task_id)).state == CANCELLED
    finally:
        await announced.close()
    gate.release("blocker")
    await run_json(cmesh, "gate", gate.value("after", hold=False), wait=True)
    assert gate.ran() == ["blocker", "after"]
