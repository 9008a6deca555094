"""Pipelines of python (JSON-valued) steps through the in-process mesh.

Results equal to calling the steps by hand (whole values and dict keys along
the edges, fan-in), a failing step that fails the task naming it while the
finished steps keep their outputs, and cancel and the deadline applying to
the whole pipeline: the running step is cancelled and the queued one never
starts. The ``gate`` step (tests/integration/_control.py) holds a run until
the test releases it, so "running" is a state the test makes, not a guess.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from dlhub_common._proto.dlhub.v1 import tasks_pb2
from dlhub_sdk.models import PythonStaticMethodServable, list_of
from tests.integration._control import PYTHON, Gate, cancel, get_task, open_gate
from tests.integration._pipelines import (
    error_details,
    gated_pipeline,
    publish_pipeline,
    refused,
    run_json,
)
from tests.integration.conftest import Mesh, TinyModel, running_mesh

SUCCEEDED = tasks_pb2.TASK_STATE_SUCCEEDED
FAILED = tasks_pb2.TASK_STATE_FAILED
CANCELLED = tasks_pb2.TASK_STATE_CANCELLED
QUEUED = tasks_pb2.TASK_STATE_QUEUED

STEPS = """
def double(values):
    return [2 * v for v in values]


def total(parts):
    return {"sum": sum(parts["a"]) + sum(parts["b"]), "n": len(parts["a"])}


def boom(values):
    raise ValueError("no luck with " + str(len(values)) + " values")
"""
NUMBERS = list_of("number")


@pytest.fixture
async def jmesh(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, tiny: TinyModel, hermetic_env: None
) -> AsyncIterator[Mesh]:
    # one folder of servable environments for the session: every step here
    # has no dependencies, so they share one environment, built once
    envs = tmp_path_factory.getbasetemp() / "pipeline-envs"
    options = {"env_dir": envs, "concurrency": 2}
    async with running_mesh(tmp_path / "mesh", tiny, executor_options=options) as m:
        yield m


async def publish_function(
    mesh: Mesh, tmp: Path, function: str, input_type: Any, output_type: Any, *, cache: bool = False
) -> None:
    module = tmp / "steps.py"
    module.write_text(STEPS)
    model = PythonStaticMethodServable.from_function(
        module,
        function,
        input_type=input_type,
        output_type=output_type,
        python=PYTHON,
        name=function,
    )
    model.set_title(f"step {function}").add_author("Tester, Alice")
    doc = model.to_dict()
    doc["servable"]["cache"] = cache
    await mesh.publish(doc, {"steps.py": STEPS.encode()})


async def test_json_steps_equal_calling_them_by_hand(jmesh: Mesh, tmp_path: Path) -> None:
    await publish_function(jmesh, tmp_path, "double", NUMBERS, NUMBERS, cache=True)
    await publish_function(
        jmesh,
        tmp_path,
        "total",
        {"type": "dict", "properties": {"a": NUMBERS, "b": NUMBERS}},
        {"type": "dict", "properties": {"sum": {"type": "number"}, "n": {"type": "integer"}}},
    )
    await publish_pipeline(
        jmesh,
        "sums",
        [
            {"name": "once", "servable": "double", "inputs": "$input"},
            {"name": "twice", "servable": "double", "inputs": "once"},
            {"name": "add", "servable": "total", "inputs": {"a": "once", "b": "twice"}},
        ],
        outputs="add.sum",
    )
    described = json.loads((await jmesh.get("sums")).servable.metadata_json)
    assert described["servable"]["pipeline"]["values"] == "json"
    assert described["servable"]["methods"]["run"]["input"]["type"] == "list"
    assert described["servable"]["methods"]["run"]["output"] == {"type": "number"}

    values = [1, 2.5, 4]
    once = json.loads((await run_json(jmesh, "double", values)).output_json)
    twice = json.loads((await run_json(jmesh, "double", once)).output_json)
    by_hand = json.loads((await run_json(jmesh, "total", {"a": once, "b": twice})).output_json)
    task = await run_json(jmesh, "sums", values)
    assert task.state == SUCCEEDED, task.error.message
    assert json.loads(task.output_json) == by_hand["sum"] == 45
    steps = {s.name: s for s in task.steps}
    assert json.loads(steps["twice"].output_json) == twice
    # the cacheable step was answered from the cache (it ran by hand before)
    assert steps["once"].timings.cache_hit
    # a bad input is refused by the pipeline's own signature, before anything runs
    error = await refused(run_json(jmesh, "sums", ["x"]))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    # a type mismatch between JSON steps is refused at publish
    error = await refused(
        publish_pipeline(
            jmesh,
            "bad",
            [
                {"name": "t", "servable": "total", "inputs": {"a": "$input", "b": "$input"}},
                {"name": "d", "servable": "double", "inputs": "t"},
            ],
        )
    )
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "step 'd'" in (error.details() or "")
    assert "servable.pipeline.steps[1].inputs" in (error.details() or "")


async def test_a_failing_step_fails_the_task_naming_it(jmesh: Mesh, tmp_path: Path) -> None:
    await publish_function(jmesh, tmp_path, "double", NUMBERS, NUMBERS)
    await publish_function(jmesh, tmp_path, "boom", NUMBERS, NUMBERS)
    await publish_pipeline(
        jmesh,
        "breaks",
        [
            {"name": "first", "servable": "double", "inputs": "$input"},
            {"name": "broken", "servable": "boom", "inputs": "first"},
        ],
    )
    task = await run_json(jmesh, "breaks", [1, 2])
    assert task.state == FAILED
    assert task.error.code == "SERVABLE_ERROR"
    assert "step 'broken' failed" in task.error.message
    assert "no luck with 2 values" in task.error.message  # alice owns the step: she sees why
    assert error_details(task)["step"] == "broken"
    first, broken = task.steps
    assert first.state == SUCCEEDED
    assert json.loads(first.output_json) == [2, 4]  # the finished step's output is kept
    assert first.timings.total_ms > 0
    assert broken.state == FAILED
    assert broken.error.code == "SERVABLE_ERROR"
    assert broken.task_id
    # the stored record says the same
    stored = await get_task(jmesh, task.task_id)
    assert stored.state == FAILED
    assert [s.state for s in stored.steps] == [SUCCEEDED, FAILED]


@pytest.fixture
async def gate(jmesh: Mesh, tmp_path: Path) -> AsyncIterator[Gate]:
    async with open_gate(jmesh, tmp_path) as g:
        yield g


async def test_cancel_stops_the_running_step_and_the_rest_never_start(
    jmesh: Mesh, gate: Gate, tmp_path: Path
) -> None:
    await gated_pipeline(jmesh, tmp_path)
    task = await run_json(jmesh, "gated", gate.value("p1", hold=True), wait=False)
    assert task.state == tasks_pb2.TASK_STATE_RUNNING
    await gate.started("p1")
    running = await get_task(jmesh, task.task_id)
    assert [s.state for s in running.steps] == [tasks_pb2.TASK_STATE_RUNNING, QUEUED]
    cancelled = await cancel(jmesh, task.task_id)
    assert cancelled.state == CANCELLED
    docs = await jmesh.backends.documents()

    async def tasks_of(name: str) -> list[dict[str, Any]]:
        found = await docs.find("tasks", {"user": "alice"})
        return [t for t in found if t["servable"]["name"] == name]

    # the held step's own task is cancelled while the gate still holds it
    async with asyncio.timeout(30):
        while [t["state"] for t in await tasks_of("gate")] != ["CANCELLED"]:  # noqa: ASYNC110  # a store write, no event
            await asyncio.sleep(0.05)
    gate.release("p1")
    record = await get_task(jmesh, task.task_id)
    held, later = record.steps
    assert record.state == CANCELLED
    assert held.state == CANCELLED
    assert later.state == QUEUED  # never started
    assert not later.task_id
    assert await tasks_of("after") == []  # "after" never ran (its pipeline is gone)
    assert gate.ran() == ["p1"]  # the gate ran once


async def test_the_deadline_applies_to_the_whole_pipeline(
    jmesh: Mesh, gate: Gate, tmp_path: Path
) -> None:
    await gated_pipeline(jmesh, tmp_path)
    task = await run_json(jmesh, "gated", gate.value("p2", hold=True), timeout_s=3.0)
    assert task.state == FAILED
    assert task.error.code == "DEADLINE_EXCEEDED"
    assert "step 'held'" in task.error.message
    gate.release("p2")
    record = await get_task(jmesh, task.task_id)
    assert record.state == FAILED
    held, later = record.steps
    assert held.state in (CANCELLED, FAILED)
    assert later.state == QUEUED
