"""Shared pieces of the pipeline tests: small ONNX steps and metadata builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import numpy.typing as npt

from dlhub_common._proto.dlhub.v1 import registry_pb2, tasks_pb2
from tests.integration.conftest import RPC_TIMEOUT_S, Mesh
from tests.tiny_onnx import add_onnx, linear_onnx

Array = npt.NDArray[Any]

# Two pipelines over the steps lin-a (X[?,4] -> Y[?,3]), lin-b and lin-c
# (H[?,3] -> Z[?,2]) and add2 (A, B [?,2] -> S): bare, owner/name and pinned refs.
SEQ = [
    {"name": "a", "servable": "alice/lin-a", "inputs": {"X": "$input.X"}},
    {"name": "b", "servable": "lin-b", "inputs": {"H": "a.Y"}},
]
DAG = [
    {"name": "a", "servable": "alice/lin-a:1", "inputs": {"X": "$input.X"}},
    {"name": "left", "servable": "alice/lin-b", "inputs": {"H": "a.Y"}},
    {"name": "right", "servable": "alice/lin-c", "inputs": {"H": "a.Y"}},
    {"name": "sum", "servable": "alice/add2", "inputs": {"A": "left.Z", "B": "right.Z"}},
]


def ndarray(shape: list[int | None], item: str = "float32") -> dict[str, Any]:
    return {"type": "ndarray", "shape": shape, "item_type": {"type": item}}


def datacite(title: str) -> dict[str, Any]:
    return {
        "creators": [{"name": "Tester, Alice"}],
        "titles": [{"title": title}],
        "descriptions": [{"description": "pipeline tests"}],
    }


def onnx_metadata(
    name: str,
    inputs: dict[str, list[int | None]],
    outputs: dict[str, list[int | None]],
    *,
    visible_to: list[str] | None = None,
    item: str = "float32",
) -> dict[str, Any]:
    return {
        "datacite": datacite(f"step {name}"),
        "dlhub": {
            "name": name,
            "visible_to": visible_to or ["public"],
            "files": {"model": "model.onnx"},
        },
        "servable": {
            "type": "onnx",
            "methods": {
                "run": {
                    "input": {
                        "type": "dict",
                        "properties": {k: ndarray(v, item) for k, v in inputs.items()},
                    },
                    "output": {
                        "type": "dict",
                        "properties": {k: ndarray(v) for k, v in outputs.items()},
                    },
                }
            },
        },
    }


def pipeline_metadata(
    name: str,
    steps: list[dict[str, Any]],
    *,
    outputs: Any = None,
    visible_to: list[str] | None = None,
    run: dict[str, Any] | None = None,
) -> dict[str, Any]:
    pipeline: dict[str, Any] = {"steps": steps}
    if outputs is not None:
        pipeline["outputs"] = outputs
    servable: dict[str, Any] = {"type": "pipeline", "pipeline": pipeline}
    if run is not None:
        servable["methods"] = {"run": run}
    return {
        "datacite": datacite(f"pipeline {name}"),
        "dlhub": {"name": name, "visible_to": visible_to or ["public"]},
        "servable": servable,
    }


class Linear:
    """``y = x @ w + b``: an ONNX step and its numpy twin."""

    def __init__(self, rows: int, cols: int, seed: int, x: str = "X", y: str = "Y") -> None:
        rng = np.random.default_rng(seed)
        self.w = rng.normal(size=(rows, cols)).astype(np.float32)
        self.b = rng.normal(size=(cols,)).astype(np.float32)
        self.x, self.y = x, y
        self.data = linear_onnx(self.w, self.b, x, y)

    def __call__(self, v: Array) -> Array:
        out: Array = v.astype(np.float32) @ self.w + self.b
        return out

    def metadata(self, name: str, **kw: Any) -> dict[str, Any]:
        rows, cols = self.w.shape
        return onnx_metadata(name, {self.x: [None, rows]}, {self.y: [None, cols]}, **kw)

    async def publish(self, mesh: Mesh, name: str, *, token: Any = None, **kw: Any) -> None:
        files = {"model.onnx": self.data}
        if token is None:
            await mesh.publish(self.metadata(name, **kw), files)
        else:
            await mesh.publish(self.metadata(name, **kw), files, token=token)


async def publish_add(mesh: Mesh, name: str, width: int) -> None:
    meta = onnx_metadata(name, {"A": [None, width], "B": [None, width]}, {"S": [None, width]})
    await mesh.publish(meta, {"model.onnx": add_onnx(width)})


async def publish_pipeline(
    mesh: Mesh, name: str, steps: list[dict[str, Any]], *, token: Any = None, **kw: Any
) -> registry_pb2.PublishServableResponse:
    meta = pipeline_metadata(name, steps, **kw)
    if token is None:
        return await mesh.publish(meta, {})
    return await mesh.publish(meta, {}, token=token)


async def refused(coro: Any) -> grpc.aio.AioRpcError:
    try:
        await coro
    except grpc.aio.AioRpcError as exc:
        return exc
    raise AssertionError("the call succeeded")


def tensor(task: tasks_pb2.Task | tasks_pb2.PipelineStep, name: str) -> Array:
    from dlhub_common.codec import tensor_to_array

    found = {t.name: t for t in task.outputs}
    assert name in found, f"no output {name!r} in {sorted(found)}"
    out: Array = tensor_to_array(found[name])
    return out


def error_details(task: tasks_pb2.Task) -> dict[str, Any]:
    details: dict[str, Any] = json.loads(task.error.details_json or "{}")
    return details


async def run_json(
    mesh: Mesh,
    name: str,
    value: Any,
    *,
    wait: bool = True,
    timeout_s: float = RPC_TIMEOUT_S,
    md: Any = None,
    no_cache: bool = False,
) -> tasks_pb2.Task:
    """tests/integration/_control.py's run_json, waiting by default."""
    from tests.integration import _control

    return await _control.run_json(
        mesh, name, value, wait=wait, timeout_s=timeout_s, md=md, no_cache=no_cache
    )


async def gated_pipeline(mesh: Mesh, tmp: Path) -> None:
    """Publish ``after`` and the pipeline ``gated``: the ``gate`` step (which the
    test holds; tests/integration/_control.py) then ``after``."""
    from dlhub_sdk.models import PythonStaticMethodServable
    from tests.integration._control import PYTHON

    module = tmp / "after.py"
    module.write_text("def after(value):\n    return ['after', value]\n")
    model = PythonStaticMethodServable.from_function(module, "after", python=PYTHON, name="after")
    model.set_title("after").add_author("Tester, Alice")
    await mesh.publish(model.to_dict(), {"after.py": module.read_bytes()})
    await publish_pipeline(
        mesh,
        "gated",
        [
            {"name": "held", "servable": "gate", "inputs": "$input"},
            {"name": "later", "servable": "after", "inputs": "held"},
        ],
    )
