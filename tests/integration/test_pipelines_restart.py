"""A pipeline task whose task manager stops mid-pipeline ends FAILED/UNAVAILABLE
naming the step that was running: never lost, never stuck RUNNING.

* a graceful stop fails the replica's own running pipelines;
* ``dlhub up`` restarted on the same data (in-process bus, so the previous
  process's pipelines cannot go on) fails every RUNNING pipeline at start;
* in distributed mode a replica fails the RUNNING pipelines whose driver has
  not renewed their beat for ``recovery.STALE_S`` and leaves live ones alone.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest

from dlhub_common._proto.dlhub.v1 import tasks_pb2
from dlhub_taskmanager.pipelines import recovery
from tests.integration._control import get_task, open_gate
from tests.integration._pipelines import gated_pipeline, run_json
from tests.integration.conftest import Mesh, TinyModel, running_mesh

FAILED = tasks_pb2.TASK_STATE_FAILED
SUCCEEDED = tasks_pb2.TASK_STATE_SUCCEEDED


def _options(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return {"env_dir": tmp_path_factory.getbasetemp() / "pipeline-envs", "concurrency": 2}


def _core(mesh: Mesh):  # type: ignore[no-untyped-def]
    return mesh.gateway.oip.tasks.core


async def test_stop_and_restart_mid_pipeline_fail_it_naming_the_step(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, tiny: TinyModel, hermetic_env: None
) -> None:
    options = _options(tmp_path_factory)
    async with running_mesh(tmp_path / "mesh", tiny, executor_options=options) as mesh:
        async with open_gate(mesh, tmp_path) as gate:
            await gated_pipeline(mesh, tmp_path)
            task = await run_json(mesh, "gated", gate.value("r1", hold=True), wait=False)
            await gate.started("r1")
            docs = await mesh.backends.documents()
            crashed = copy.deepcopy(await docs.get("tasks", task.task_id))
            assert crashed["state"] == "RUNNING"
            # a graceful stop of the task manager (the mesh stops below)
            await _core(mesh).pipelines.stop()
            stopped = await get_task(mesh, task.task_id)
            assert stopped.state == FAILED
            assert stopped.error.code == "UNAVAILABLE"
            assert stopped.error.retryable
            assert "stopped during step 'held'" in stopped.error.message
            assert [s.state for s in stopped.steps] == [FAILED, tasks_pb2.TASK_STATE_QUEUED]
        # what a killed process leaves: the record RUNNING, its step running
        crashed["steps"][0]["state"] = "RUNNING"
        await docs.put("tasks", task.task_id, crashed)

    async with running_mesh(tmp_path / "mesh", tiny, executor_options=options) as again:
        record = await get_task(again, task.task_id)
        assert record.state == FAILED
        assert record.error.code == "UNAVAILABLE"
        assert "restarted during step 'held'" in record.error.message
        assert "run it again" in record.error.message


async def test_a_replica_fails_only_pipelines_whose_driver_stopped_beating(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    async with running_mesh(tmp_path / "mesh", tiny) as mesh:
        docs = await mesh.backends.documents()
        now = time.time_ns()
        base = {
            "state": "RUNNING",
            "user": "alice",
            "servable": {"owner": "alice", "name": "p", "version": 1},
            "digest": "sha256:x",
            "created_at": "2026-12-01T00:00:00.000Z",
            "created_ns": now,
            "deadline_ns": now + int(600e9),
            "pipeline": True,
            "driver": "another-replica",
            "steps": [
                {
                    "name": "one",
                    "servable": {"owner": "alice", "name": "s", "version": 1},
                    "state": "SUCCEEDED",
                },
                {
                    "name": "two",
                    "servable": {"owner": "alice", "name": "t", "version": 1},
                    "state": "RUNNING",
                },
            ],
        }
        stale_ns = now - int((recovery.STALE_S + 5) * 1e9)
        await docs.insert("tasks", "dead", {**base, "task_id": "dead", "beat_ns": stale_ns})
        await docs.insert("tasks", "alive", {**base, "task_id": "alive", "beat_ns": now})
        assert await recovery.fail_stale(_core(mesh).pipelines) == 1
        dead = await get_task(mesh, "dead")
        assert dead.state == FAILED
        assert dead.error.code == "UNAVAILABLE"
        assert "stopped answering during step 'two'" in dead.error.message
        assert "finished steps (one) keep their outputs" in dead.error.message
        assert (await get_task(mesh, "alive")).state == tasks_pb2.TASK_STATE_RUNNING
