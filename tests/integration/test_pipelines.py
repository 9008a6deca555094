"""Pipelines of tensor servables through the in-process mesh.

Publish validation (each bad-input row names the step and the field), runs
whose results equal calling the steps by hand (a sequence, and a DAG with
fan-out and fan-in whose independent steps run concurrently), per-step
result-cache hits, a step withdrawn after publish, and a caller who may not
see a step. Pipelines of python steps (failures, cancel, deadline) are in
test_pipelines_json.py; OIP through tritonclient in test_pipelines_oip.py.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import registry_pb2, tasks_pb2, types_pb2
from dlhub_sdk import DLHubClient, Pipeline
from dlhub_sdk.cli import main as cli_main
from tests.integration._pipelines import (
    DAG,
    SEQ,
    Linear,
    publish_add,
    publish_pipeline,
    refused,
    tensor,
)
from tests.integration.conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh
from tests.integration.datacite_standin import running_datacite

SUCCEEDED = tasks_pb2.TASK_STATE_SUCCEEDED
FAILED = tasks_pb2.TASK_STATE_FAILED

A = Linear(4, 3, seed=1, x="X", y="Y")
B = Linear(3, 2, seed=2, x="H", y="Z")
C = Linear(3, 2, seed=3, x="H", y="Z")
X = np.arange(8, dtype=np.float32).reshape(2, 4) / 7


async def publish_steps(mesh: Mesh) -> None:
    await A.publish(mesh, "lin-a")
    await B.publish(mesh, "lin-b")
    await C.publish(mesh, "lin-c")
    await publish_add(mesh, "add2", 2)


def meta_of(response: registry_pb2.GetServableResponse) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(response.servable.metadata_json)
    return doc


async def test_sequence_and_dag_equal_the_steps_by_hand(mesh: Mesh) -> None:
    await publish_steps(mesh)
    seq = await publish_pipeline(mesh, "seq", SEQ)
    assert seq.servable.summary.servable_type == "pipeline"
    await publish_pipeline(mesh, "dag", DAG)

    # stored: every step frozen to owner/name:version, with its digest and type
    meta = meta_of(await mesh.get("seq"))
    steps = meta["servable"]["pipeline"]["steps"]
    assert [s["servable"] for s in steps] == ["alice/lin-a:1", "alice/lin-b:1"]
    step_digests = [(await mesh.get(n)).servable.summary.digest for n in ("lin-a", "lin-b")]
    assert [s["digest"] for s in steps] == step_digests
    assert meta["servable"]["pipeline"]["values"] == "tensors"
    # the signature: the first step's input, the last step's output
    run = meta["servable"]["methods"]["run"]
    assert run["input"]["properties"]["X"]["shape"] == [None, 4]
    assert list(run["output"]["properties"]) == ["Z"]

    # the steps by hand, through the mesh, and numpy
    y = tensor(await mesh.run("lin-a", {"X": X}), "Y")
    z = tensor(await mesh.run("lin-b", {"H": y}), "Z")
    np.testing.assert_allclose(z, B(A(X)), rtol=1e-5)
    task = await mesh.run("seq", {"X": X})
    assert task.state == SUCCEEDED, task.error.message
    np.testing.assert_array_equal(tensor(task, "Z"), z)
    assert [s.name for s in task.steps] == ["a", "b"]
    assert all(s.state == SUCCEEDED for s in task.steps)
    assert all(s.task_id for s in task.steps)
    np.testing.assert_array_equal(tensor(task.steps[0], "Y"), y)  # kept in the record
    assert task.servable.name == "seq"
    assert task.servable.version == 1

    left = tensor(await mesh.run("lin-b", {"H": y}), "Z")
    right = tensor(await mesh.run("lin-c", {"H": y}), "Z")
    total = tensor(await mesh.run("add2", {"A": left, "B": right}), "S")
    dag = await mesh.run("dag", {"X": X}, no_cache=True)
    assert dag.state == SUCCEEDED, dag.error.message
    np.testing.assert_allclose(tensor(dag, "S"), B(A(X)) + C(A(X)), rtol=1e-5)
    np.testing.assert_array_equal(tensor(dag, "S"), total)
    by_name = {s.name: s for s in dag.steps}
    # fan-out: both branches were running before either had finished
    branches = [by_name["left"], by_name["right"]]
    assert max(s.started_at for s in branches) <= min(s.completed_at for s in branches)
    assert by_name["sum"].started_at >= max(s.completed_at for s in branches)
    assert by_name["a"].completed_at <= min(s.started_at for s in branches)

    # asynchronously: the record has the same steps and result
    queued = await mesh.run("dag", {"X": X}, wait=False, no_cache=True)
    done = await mesh.stub.GetTask(
        tasks_pb2.GetTaskRequest(task_id=queued.task_id, wait=True, timeout_s=RPC_TIMEOUT_S),
        metadata=mesh.md(),
        timeout=RPC_TIMEOUT_S + 5,
    )
    assert done.task.state == SUCCEEDED
    np.testing.assert_array_equal(tensor(done.task, "S"), total)
    assert [s.state for s in done.task.steps] == [SUCCEEDED] * 4


async def test_a_second_run_hits_each_steps_cache(mesh: Mesh) -> None:
    await publish_steps(mesh)
    await publish_pipeline(mesh, "dag", DAG)
    x = X + 3
    first = await mesh.run("dag", {"X": x})
    second = await mesh.run("dag", {"X": x})
    assert first.state == second.state == SUCCEEDED
    assert [s.timings.cache_hit for s in first.steps] == [False] * 4
    assert [s.timings.cache_hit for s in second.steps] == [True] * 4
    assert second.timings.cache_hit
    np.testing.assert_array_equal(tensor(first, "S"), tensor(second, "S"))
    # each step's own task was answered from the cache (no executor)
    assert {s.task_id for s in first.steps}.isdisjoint({s.task_id for s in second.steps})
    # the pipeline is not cached as a whole: a third run is a new pipeline task
    third = await mesh.run("dag", {"X": x}, no_cache=True)
    assert [s.timings.cache_hit for s in third.steps] == [False] * 4


async def _publish_error(mesh: Mesh, steps: list[dict[str, Any]], **kw: Any) -> str:
    error = await refused(publish_pipeline(mesh, "bad", steps, **kw))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT, error.details()
    return error.details() or ""


async def test_publish_refuses_bad_pipelines_naming_step_and_field(mesh: Mesh) -> None:
    await publish_steps(mesh)
    # a cycle, named
    message = await _publish_error(
        mesh,
        [
            {"name": "p", "servable": "alice/lin-b", "inputs": {"H": "q.Z"}},
            {"name": "q", "servable": "alice/lin-b", "inputs": {"H": "p.Z"}},
            {"name": "r", "servable": "alice/lin-a", "inputs": {"X": "$input.X"}},
        ],
    )
    assert "cycle" in message
    assert "p -> q -> p" in message or "q -> p -> q" in message
    # a step that does not exist
    message = await _publish_error(
        mesh, [{"name": "ghost", "servable": "alice/nope:1", "inputs": {"X": "$input.X"}}]
    )
    assert "step 'ghost'" in message
    assert "servable.pipeline.steps[0].servable" in message
    assert "alice/nope:1" in message
    # a source naming no step
    message = await _publish_error(
        mesh, [{"name": "a", "servable": "alice/lin-a", "inputs": {"X": "nobody.Y"}}]
    )
    assert "step 'a'" in message
    assert "servable.pipeline.steps[0].inputs.X" in message
    # a type mismatch on an edge: Y[?, 3] into X[?, 4]
    message = await _publish_error(
        mesh,
        [
            {"name": "a", "servable": "alice/lin-a", "inputs": {"X": "$input.X"}},
            {"name": "again", "servable": "alice/lin-a", "inputs": {"X": "a.Y"}},
        ],
    )
    assert "step 'again'" in message
    assert "servable.pipeline.steps[1].inputs.X" in message
    assert "a.Y" in message
    assert "shape" in message
    # an output the step does not have
    message = await _publish_error(
        mesh,
        [
            {"name": "a", "servable": "alice/lin-a", "inputs": {"X": "$input.X"}},
            {"name": "b", "servable": "alice/lin-b", "inputs": {"H": "a.Q"}},
        ],
    )
    assert "step 'b'" in message
    assert "'Q'" in message
    # a declared signature that is not what the steps give
    message = await _publish_error(
        mesh,
        SEQ,
        run={
            "input": {
                "type": "dict",
                "properties": {
                    "X": {"type": "ndarray", "shape": [None, 5], "item_type": {"type": "float32"}}
                },
            },
            "output": {"type": "any"},
        },
    )
    assert "methods.run.input" in message
    # a step bob keeps to himself reads exactly like a missing one
    await Linear(4, 3, seed=9).publish(mesh, "secret", token=mesh.bob_token, visible_to=["bob"])
    hidden = await _publish_error(
        mesh, [{"name": "s", "servable": "bob/secret:1", "inputs": {"X": "$input.X"}}]
    )
    missing = await _publish_error(
        mesh, [{"name": "s", "servable": "bob/nothing:1", "inputs": {"X": "$input.X"}}]
    )
    assert hidden.replace("secret", "NAME") == missing.replace("nothing", "NAME")
    # a pipeline has no artifacts of its own
    from tests.integration._pipelines import pipeline_metadata

    error = await refused(mesh.publish(pipeline_metadata("bad", SEQ), {"x.bin": b"1"}))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "bad" not in await mesh.listed_names()


async def test_a_withdrawn_step_fails_runs_naming_it(mesh: Mesh) -> None:
    await publish_steps(mesh)
    await publish_pipeline(mesh, "seq", SEQ)
    await mesh.stub.WithdrawServable(
        registry_pb2.WithdrawServableRequest(
            ref=types_pb2.ServableRef(owner="alice", name="lin-b", version=1), reason="bad weights"
        ),
        metadata=mesh.md(),
        timeout=RPC_TIMEOUT_S,
    )
    error = await refused(mesh.run("seq", {"X": X}))
    assert error.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "step 'b'" in (error.details() or "")
    assert "withdrawn" in (error.details() or "")
    # describe says so: each step with its state as the caller sees it
    response = await mesh.http.get("/api/v1/pipelines/alice/seq", headers=mesh.headers())
    assert response.status_code == 200, response.text
    steps = {s["name"]: s for s in response.json()["steps"]}
    assert steps["a"]["state"] == "active"
    assert steps["b"]["state"] == "withdrawn"
    assert steps["b"]["reason"] == "bad weights"
    assert response.json()["runnable"] is False
    # publishing a new pipeline on the withdrawn step is refused
    message = await _publish_error(
        mesh, [{"name": "w", "servable": "alice/lin-b:1", "inputs": {"H": "$input.H"}}]
    )
    assert "step 'w'" in message
    assert "withdrawn" in message


async def test_a_caller_who_cannot_see_a_step_gets_not_found(mesh: Mesh) -> None:
    await A.publish(mesh, "lin-a")
    await B.publish(mesh, "private-b", visible_to=["alice"])
    await publish_pipeline(
        mesh,
        "mixed",
        [
            {"name": "a", "servable": "lin-a", "inputs": {"X": "$input.X"}},
            {"name": "b", "servable": "private-b", "inputs": {"H": "a.Y"}},
        ],
    )
    assert (await mesh.run("mixed", {"X": X})).state == SUCCEEDED  # alice sees every step
    error = await refused(mesh.run("mixed", {"X": X}, token=mesh.bob_token))
    assert error.code() is grpc.StatusCode.NOT_FOUND
    assert "step 'b'" in (error.details() or "")
    # the same answer as for the step itself, which bob may not see
    alone = await refused(
        mesh.run("private-b", {"H": np.zeros((1, 3), np.float32)}, token=mesh.bob_token)
    )
    assert alone.code() is grpc.StatusCode.NOT_FOUND
    # nothing of bob's was accepted
    assert await (await mesh.backends.documents()).count("tasks", {"user": "bob"}) == 0


async def test_bad_pipeline_inputs_are_refused_before_anything_runs(mesh: Mesh) -> None:
    await publish_steps(mesh)
    await publish_pipeline(mesh, "seq", SEQ)
    before = await mesh.task_count()
    error = await refused(mesh.run("seq", {"X": np.zeros((2, 5), np.float32)}))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert await mesh.task_count() == before


@pytest.mark.parametrize("wait", [True, False])
async def test_explicit_outputs_pick_intermediate_tensors(mesh: Mesh, wait: bool) -> None:
    await publish_steps(mesh)
    await publish_pipeline(mesh, "both", SEQ, outputs={"hidden": "a.Y", "final": "b.Z"})
    task = await mesh.run("both", {"X": X}, wait=wait)
    if not wait:
        task = (
            await mesh.stub.GetTask(
                tasks_pb2.GetTaskRequest(task_id=task.task_id, wait=True, timeout_s=10),
                metadata=mesh.md(),
                timeout=20,
            )
        ).task
    assert task.state == SUCCEEDED
    np.testing.assert_allclose(tensor(task, "hidden"), A(X), rtol=1e-5)
    np.testing.assert_allclose(tensor(task, "final"), B(A(X)), rtol=1e-5)


async def test_sdk_cli_and_http_publish_describe_and_run_a_pipeline(
    mesh: Mesh, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await publish_steps(mesh)
    login = ["--address", mesh.grpc_address, "--token", mesh.token]

    def with_sdk() -> tuple[dict[str, Any], dict[str, Any], Any, dict[str, Any]]:
        with DLHubClient(mesh.grpc_address, mesh.token) as client:
            built = (
                Pipeline("sdk-seq")
                .set_title("two linear steps")
                .add_author("Tester, Alice")
                .step("a", "lin-a", {"X": "$input.X"})
                .step("b", "lin-b", {"H": "a.Y"})
            )
            summary = client.publish_pipeline(built)
            described = client.describe_pipeline("alice/sdk-seq")
            outputs = client.run("alice/sdk-seq", {"X": X})  # tensors in, arrays out
            future = client.run("alice/sdk-seq", {"X": X}, asynchronous=True)
            future.result(timeout=30)
            return summary, described, outputs, client.get_task_status(future.task_id)

    summary, described, outputs, status = await asyncio.to_thread(with_sdk)
    assert summary["servable_type"] == "pipeline"
    assert [s["state"] for s in described["steps"]] == ["active", "active"]
    assert described["steps"][1]["servable"] == "alice/lin-b:1"
    assert described["runnable"] is True
    np.testing.assert_allclose(outputs["Z"], B(A(X)), rtol=1e-5)
    assert [s["name"] for s in status["steps"]] == ["a", "b"]
    assert all(s["state"] == "SUCCEEDED" for s in status["steps"])

    path = tmp_path / "pipeline.yaml"
    path.write_text(
        "name: cli-seq\ntitle: from a file\nauthors: ['Tester, Alice']\nsteps:\n"
        "  - {name: a, servable: lin-a, inputs: {X: $input.X}}\n"
        "  - {name: b, servable: alice/lin-b, inputs: {H: a.Y}}\n"
    )
    capsys.readouterr()
    assert await asyncio.to_thread(cli_main, ["pipeline", "publish", str(path), *login]) == 0
    assert "published alice/cli-seq:1" in capsys.readouterr().out
    args = ["pipeline", "describe", "alice/cli-seq", *login, "--json"]
    assert await asyncio.to_thread(cli_main, args) == 0
    assert [s["name"] for s in json.loads(capsys.readouterr().out)["steps"]] == ["a", "b"]
    run = ["pipeline", "run", "alice/cli-seq", "--inputs", json.dumps({"X": X.tolist()}), *login]
    assert await asyncio.to_thread(cli_main, [*run, "--json"]) == 0
    np.testing.assert_allclose(json.loads(capsys.readouterr().out)["Z"], B(A(X)), rtol=1e-5)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nauthors: [T]\nsteps:\n  - {name: a, servable: nope, inputs: {X: $input.X}}\n"
    )
    assert await asyncio.to_thread(cli_main, ["pipeline", "publish", str(bad), *login]) == 1
    assert "step 'a'" in capsys.readouterr().err

    # HTTP: the run and the task view with its steps
    response = await mesh.http.post(
        "/api/v1/servables/alice/cli-seq/run",
        json={"inputs": {"X": X.tolist()}, "asynchronous": True},
        headers=mesh.headers(),
    )
    assert response.status_code == 202, response.text
    assert response.json()["state"] == "RUNNING"  # a pipeline runs in the task manager at once
    task_id = response.json()["task_id"]
    response = await mesh.http.get(
        f"/api/v1/tasks/{task_id}", params={"wait": True, "timeout_s": 20}, headers=mesh.headers()
    )
    view = response.json()
    assert view["state"] == "SUCCEEDED"
    assert [s["state"] for s in view["steps"]] == ["SUCCEEDED", "SUCCEEDED"]
    np.testing.assert_allclose(view["outputs"][0]["data"], B(A(X)).ravel(), rtol=1e-5)
    bundle = await mesh.http.get("/api/v1/servables/alice/cli-seq/bundle", headers=mesh.headers())
    assert bundle.status_code == 200  # its bundle: dlhub.json, the frozen steps


async def test_a_pipeline_gets_its_own_doi_when_datacite_is_on(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    async with running_datacite("DLHUB.PIPES", "pipes-password-1", "10.5555") as fake:
        datacite = {
            "enabled": True,
            "api_url": fake.url,
            "repository_id": "DLHUB.PIPES",
            "password": "pipes-password-1",
            "prefix": "10.5555",
            "landing_url": "https://dlhub.example.org/{owner}/{name}/v{version}",
        }
        async with running_mesh(tmp_path / "mesh", tiny, datacite=datacite) as doi_mesh:
            await publish_steps(doi_mesh)
            published = await publish_pipeline(doi_mesh, "seq", SEQ)
            assert published.servable.summary.doi.startswith("10.5555/")
            step = (await doi_mesh.get("lin-a")).servable.summary.doi
            assert step != published.servable.summary.doi  # its own DOI, not a step's
