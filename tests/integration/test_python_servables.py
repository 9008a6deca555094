"""Python-function servables through the in-process mesh.

Publish checks the module, the Python version and resolves the dependencies
with uv (the lock is stored as ``environment.lock``); runs carry one JSON
value, validated against the declared type; the executor runs the function
in a worker process inside the servable's own environment, with a call
timeout, and only the servable's owner sees the traceback of a failure.

Environments are keyed by (python version, lock), so every servable here
without dependencies shares one environment, built once per test module in a
shared folder.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common.metadata import IOSpec
from dlhub_common.typed_values import check_value, problems_of
from dlhub_sdk.models import PythonStaticMethodServable, list_of
from tests.integration.conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh

ROOT = Path(__file__).resolve().parents[2]
GLASS = ROOT / "examples" / "glass"
PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"
CALL_TIMEOUT_S = 2.0

TOOLS = """
import os
import time


def echo(value):
    if value == "boom":
        raise ValueError("secret detail 42")
    if value == "sleep":
        time.sleep(1000)
    if value == "pid":
        return os.getpid()
    return {"got": value}
"""


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Servable environments shared by every mesh of this module."""
    return tmp_path_factory.mktemp("python-envs")


@pytest.fixture
async def pmesh(
    tmp_path: Path, tiny: TinyModel, env_dir: Path, hermetic_env: None
) -> AsyncIterator[Mesh]:
    async with running_mesh(
        tmp_path / "mesh",
        tiny,
        executor_options={"env_dir": env_dir, "call_timeout_s": CALL_TIMEOUT_S},
    ) as m:
        yield m


def tools_metadata(
    name: str, tmp: Path, **servable: Any
) -> tuple[dict[str, Any], dict[str, bytes]]:
    module = tmp / "tools.py"
    module.write_text(TOOLS)
    model = PythonStaticMethodServable.from_function(module, "echo", python=PYTHON, name=name)
    model.set_title(f"echo {name}").add_author("Tester, Alice")
    doc = model.to_dict()
    doc["servable"].update(servable)
    return doc, {"tools.py": TOOLS.encode()}


def glass_metadata() -> tuple[dict[str, Any], dict[str, bytes]]:
    model = PythonStaticMethodServable.from_function(
        GLASS / "glass.py",
        "predict",
        input_type=list_of("string"),
        output_type="number",
        python=PYTHON,
        name="glass",
    )
    model.add_file(GLASS / "glass_data.csv")
    model.set_title("glass").add_author("Tester, Alice")
    files = {p: src.read_bytes() for p, src in model.files().items()}
    return model.to_dict(), files


async def run_json(
    mesh: Mesh, name: str, value: Any, *, token: Any = None, raw: str | None = None
) -> tasks_pb2.Task:
    response = await mesh.stub.RunServable(
        tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner="alice", name=name),
            inputs_json=raw if raw is not None else json.dumps(value),
            wait=True,
            timeout_s=RPC_TIMEOUT_S,
        ),
        metadata=mesh.md(token) if token is not None else mesh.md(),
        timeout=RPC_TIMEOUT_S + 5,
    )
    task: tasks_pb2.Task = response.task
    return task


# ------------------------------------------------------------------ typed values


def test_typed_values_name_the_path() -> None:
    spec = IOSpec.model_validate({"type": "list", "item_type": {"type": "string"}})
    assert problems_of(spec, ["V", "Co", 3]) == ["input[2]: expected string, got integer"]
    assert problems_of(spec, "V") == ["input: expected list, got string"]
    nested = IOSpec.model_validate(
        {
            "type": "dict",
            "properties": {
                "x": {"type": "ndarray", "shape": [None, 2], "item_type": {"type": "float32"}},
                "flag": {"type": "boolean"},
            },
        }
    )
    check_value(nested, {"x": [[1, 2.5], [3, 4]], "flag": True})
    assert problems_of(nested, {"x": [[1, 2, 3]], "flag": 1}) == [
        "input.x[0]: expected 2 items on axis 1, got 3",
        "input.flag: expected boolean, got integer",
    ]
    assert problems_of(nested, {"x": [[1, "a"]]}) == [
        "input: missing key 'flag'",
        "input.x[0][1]: expected number, got string",
    ]


# ------------------------------------------------------------------ publish + run


async def test_glass_publishes_and_runs(pmesh: Mesh) -> None:
    metadata, files = glass_metadata()
    t0 = time.perf_counter()
    published = await pmesh.publish(metadata, files)
    publish_s = time.perf_counter() - t0
    assert published.servable.summary.servable_type == "python"
    got = await pmesh.get("glass")
    assert {a.path for a in got.artifacts} == {
        "glass.py",
        "glass_data.csv",
        "environment.lock",
        "dlhub.json",
    }
    assert got.model_path == "glass.py"

    t0 = time.perf_counter()
    task = await run_json(pmesh, "glass", ["V", "Co", "Zr"])
    first_s = time.perf_counter() - t0
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error
    score = json.loads(task.output_json)
    sys.path.insert(0, str(GLASS))
    try:
        import glass  # the example itself, for the expected value
    finally:
        sys.path.remove(str(GLASS))
    assert score == glass.predict(["V", "Co", "Zr"])
    assert 0.0 <= score <= 1.0
    assert not task.outputs

    t0 = time.perf_counter()
    warm = await run_json(pmesh, "glass", ["Fe", "Co"])
    warm_s = time.perf_counter() - t0
    assert json.loads(warm.output_json) == glass.predict(["Fe", "Co"])
    print(f"publish {publish_s:.2f} s, first run {first_s:.2f} s, warm run {warm_s * 1e3:.1f} ms")

    # HTTP: the JSON inputs pass straight through
    resp = await pmesh.http.post(
        "/api/v1/servables/alice/glass/run",
        json={"inputs": ["V", "Co", "Zr"]},
        headers=pmesh.headers(),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["output"] == score

    # OIP is for tensor servables only
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await pmesh.oip.ModelMetadata(
            oip.ModelMetadataRequest(name="alice.glass"), metadata=pmesh.md()
        )
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "Open Inference Protocol" in (info.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await pmesh.oip.ModelInfer(
            oip.ModelInferRequest(
                model_name="alice.glass",
                inputs=[
                    oip.ModelInferRequest.InferInputTensor(
                        name="input",
                        datatype="FP32",
                        shape=[1],
                        contents=oip.InferTensorContents(fp32_contents=[1.0]),
                    )
                ],
            ),
            metadata=pmesh.md(),
        )
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    rest = await pmesh.http.get("/v2/models/alice.glass", headers=pmesh.headers())
    assert rest.status_code == 409


async def test_sdk_publishes_and_runs_a_function(pmesh: Mesh, tmp_path: Path) -> None:
    from dlhub_sdk import DLHubClient

    module = tmp_path / "tools.py"
    module.write_text(TOOLS)
    model = PythonStaticMethodServable.from_function(module, "echo", python=PYTHON, name="sdk-echo")
    model.set_title("echo").add_author("Tester, Alice")

    def publish_and_run() -> Any:
        with DLHubClient(pmesh.grpc_address, token=pmesh.token) as client:
            client.publish_servable(model)
            return client.run("alice/sdk-echo", np.array([1, 2, 3]))

    assert await asyncio.to_thread(publish_and_run) == {"got": [1, 2, 3]}


async def test_inputs_are_checked_against_the_declared_type(pmesh: Mesh) -> None:
    metadata, files = glass_metadata()
    await pmesh.publish(metadata, files)
    before = await pmesh.task_count()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await run_json(pmesh, "glass", ["V", "Co", 3])
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "input[2]: expected string, got integer" in (info.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await run_json(pmesh, "glass", None, raw="[V, Co")
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "not valid JSON" in (info.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as info:  # tensors to a python servable
        await pmesh.run("glass", {"X": np.zeros((1, 4), np.float32)})
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    resp = await pmesh.http.post(
        "/api/v1/servables/alice/glass/run", json={"inputs": "V"}, headers=pmesh.headers()
    )
    assert resp.status_code == 400
    assert "input: expected list, got string" in resp.text
    assert await pmesh.task_count() == before  # nothing was dispatched


# ------------------------------------------------------------------ publish checks


async def test_unresolvable_dependencies_fail_the_publish(pmesh: Mesh, tmp_path: Path) -> None:
    objects_before = pmesh.object_files()
    metadata, files = tools_metadata("unresolvable", tmp_path, dependencies={"numpy": "99.0.0"})
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await pmesh.publish(metadata, files)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    details = info.value.details() or ""
    assert "cannot be resolved" in details
    assert "numpy" in details  # the resolver's own explanation
    await pmesh.assert_nothing_stored("unresolvable", objects_before)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"python": "3.99"}, "python 3.99 is not available"),
        ({"function": "nope"}, "defines no top-level function 'nope'"),
        ({"source": "def echo(:\n"}, "does not parse"),
    ],
)
async def test_bad_python_servables_are_refused(
    pmesh: Mesh, tmp_path: Path, change: dict[str, str], problem: str
) -> None:
    objects_before = pmesh.object_files()
    metadata, files = tools_metadata("refused", tmp_path)
    if "python" in change:
        metadata["servable"]["python"] = change["python"]
    if "function" in change:
        metadata["servable"]["methods"]["run"]["method_details"]["function"] = change["function"]
    if "source" in change:
        files["tools.py"] = change["source"].encode()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await pmesh.publish(metadata, files)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert problem in (info.value.details() or "")
    assert pmesh.object_files() == objects_before


# ------------------------------------------------------------------ failures at run time


async def test_exceptions_show_the_traceback_to_the_owner_only(pmesh: Mesh, tmp_path: Path) -> None:
    metadata, files = tools_metadata("raiser", tmp_path)
    await pmesh.publish(metadata, files)

    owner = await run_json(pmesh, "raiser", "boom")
    assert owner.state == tasks_pb2.TASK_STATE_FAILED
    assert owner.error.code == "SERVABLE_ERROR"
    assert "secret detail 42" in owner.error.message
    trace = json.loads(owner.error.details_json)["traceback"]
    assert "ValueError: secret detail 42" in trace
    assert "tools.py" in trace

    other = await run_json(pmesh, "raiser", "boom", token=pmesh.bob_token)
    assert other.state == tasks_pb2.TASK_STATE_FAILED
    assert other.error.code == "SERVABLE_ERROR"
    assert "secret" not in other.error.message
    assert "ValueError" in other.error.message
    assert "traceback" not in json.loads(other.error.details_json or "{}")
    stored = await pmesh.http.get(
        f"/api/v1/tasks/{other.task_id}", headers=pmesh.headers(pmesh.bob_token)
    )
    assert "secret" not in stored.text

    # the worker survived the exception
    again = await run_json(pmesh, "raiser", "fine", token=pmesh.bob_token)
    assert again.state == tasks_pb2.TASK_STATE_SUCCEEDED, again.error
    assert json.loads(again.output_json) == {"got": "fine"}


async def test_a_call_past_the_timeout_restarts_the_worker(pmesh: Mesh, tmp_path: Path) -> None:
    metadata, files = tools_metadata("sleeper", tmp_path)
    await pmesh.publish(metadata, files)
    first_pid = json.loads((await run_json(pmesh, "sleeper", "pid")).output_json)

    t0 = time.perf_counter()
    task = await run_json(pmesh, "sleeper", "sleep")
    took = time.perf_counter() - t0
    assert task.state == tasks_pb2.TASK_STATE_FAILED
    assert task.error.code == "DEADLINE_EXCEEDED"
    assert "did not answer within 2 s" in task.error.message
    assert CALL_TIMEOUT_S <= took < CALL_TIMEOUT_S + 10

    after = await run_json(pmesh, "sleeper", "pid")
    assert after.state == tasks_pb2.TASK_STATE_SUCCEEDED, after.error
    assert json.loads(after.output_json) != first_pid  # a fresh worker
