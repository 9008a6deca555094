"""Builders for benchmark tests: metadata documents and data-set files as bytes."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np


def ndarray(shape: list[int | None], item: str) -> dict[str, Any]:
    return {"type": "ndarray", "shape": shape, "item_type": {"type": item}}


# The tiny ONNX model's signature (tests/integration/conftest.py): X[?, 4] -> Y[?, 3].
TINY_INPUT = {"type": "dict", "properties": {"X": ndarray([None, 4], "float32")}}
TINY_OUTPUT = {"type": "dict", "properties": {"Y": ndarray([None, 3], "float32")}}


def benchmark_metadata(
    name: str,
    *,
    metric: Any = "mae",
    output: str | None = "Y",
    batch_size: int | None = None,
    run_input: dict[str, Any] | None = None,
    run_output: dict[str, Any] | None = None,
    visible_to: list[str] | None = None,
) -> dict[str, Any]:
    """A benchmark metadata document (default: scores the tiny model's signature by MAE)."""
    block: dict[str, Any] = {"metric": metric}
    if output is not None:
        block["output"] = output
    if batch_size is not None:
        block["batch_size"] = batch_size
    return {
        "datacite": {
            "creators": [{"name": "Bench, Betty"}],
            "titles": [{"title": f"Benchmark {name}"}],
            "descriptions": [{"description": "a benchmark for tests"}],
        },
        "dlhub": {"name": name, "visible_to": visible_to or ["public"]},
        "servable": {
            "type": "benchmark",
            "methods": {
                "run": {
                    "input": run_input or TINY_INPUT,
                    "output": run_output or TINY_OUTPUT,
                }
            },
            "benchmark": block,
        },
    }


def tensor_files(inputs: dict[str, Any], references: Any) -> dict[str, bytes]:
    """inputs.npz and references.npy as bytes."""
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in inputs.items()})
    ref = io.BytesIO()
    np.save(ref, np.asarray(references), allow_pickle=False)
    return {"inputs.npz": buf.getvalue(), "references.npy": ref.getvalue()}


def json_files(inputs: list[Any], references: list[Any]) -> dict[str, bytes]:
    return {"data.json": json.dumps({"inputs": inputs, "references": references}).encode()}


def linear_onnx(w: np.ndarray, b: np.ndarray, input_name: str = "X") -> bytes:
    """``Y = X @ W + B`` with X float32 [N, len(W)] (a model of another input shape)."""
    from onnx import TensorProto, helper, numpy_helper

    graph = helper.make_graph(
        [
            helper.make_node("MatMul", [input_name, "W"], ["XW"]),
            helper.make_node("Add", ["XW", "B"], ["Y"]),
        ],
        "linear",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["N", w.shape[0]])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", w.shape[1]])],
        initializer=[
            numpy_helper.from_array(w.astype(np.float32), "W"),
            numpy_helper.from_array(b.astype(np.float32), "B"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()
