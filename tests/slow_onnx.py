"""An ONNX model whose run time the caller chooses (for time limits and queues)."""

from __future__ import annotations

from typing import Any

import onnx
from onnx import TensorProto, helper


def loop_onnx() -> bytes:
    """``Y = steps`` computed by adding 1 ``steps`` times: a model whose run time we choose."""
    body = helper.make_graph(
        [
            helper.make_node("Add", ["v_in", "one"], ["v_out"]),
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
        ],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v_in", TensorProto.FLOAT, [1]),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v_out", TensorProto.FLOAT, [1]),
        ],
        initializer=[helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])],
    )
    graph = helper.make_graph(
        [
            helper.make_node("Reshape", ["steps", "scalar"], ["m"]),
            helper.make_node("Loop", ["m", "true", "zero"], ["Y"], body=body),
        ],
        "slow",
        [helper.make_tensor_value_info("steps", TensorProto.INT64, [1])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1])],
        initializer=[
            helper.make_tensor("scalar", TensorProto.INT64, [0], []),
            helper.make_tensor("true", TensorProto.BOOL, [], [True]),
            helper.make_tensor("zero", TensorProto.FLOAT, [1], [0.0]),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def loop_metadata(name: str) -> dict[str, Any]:
    """Metadata for :func:`loop_onnx` published as ``model.onnx``."""

    def ndarray(item: str) -> dict[str, Any]:
        return {"type": "ndarray", "shape": [1], "item_type": {"type": item}}

    return {
        "datacite": {
            "creators": [{"name": "Tester, Alice"}],
            "titles": [{"title": f"Counting loop {name}"}],
            "descriptions": [{"description": "adds 1 `steps` times: runs as long as asked"}],
        },
        "dlhub": {
            "name": name,
            "domains": ["testing"],
            "visible_to": ["public"],
            "files": {"model": "model.onnx"},
        },
        "servable": {
            "type": "onnx",
            "methods": {
                "run": {
                    "input": {"type": "dict", "properties": {"steps": ndarray("int64")}},
                    "output": {"type": "dict", "properties": {"Y": ndarray("float32")}},
                }
            },
        },
    }


HEAVY_WIDTH = 262_144  # one row of X is 1 MiB of float32


def heavy_loop_onnx() -> bytes:
    """``Y = steps + 0 * sum(X)``: a model of chosen run time whose input ``X`` is large."""
    loop = onnx.load_from_string(loop_onnx()).graph
    graph = helper.make_graph(
        [
            *loop.node,
            helper.make_node("ReduceSum", ["X"], ["total"], keepdims=0),
            helper.make_node("Mul", ["total", "nought"], ["nothing"]),
            helper.make_node("Add", ["L", "nothing"], ["Y"]),
        ],
        "heavy",
        [
            helper.make_tensor_value_info("steps", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("X", TensorProto.FLOAT, ["n", HEAVY_WIDTH]),
        ],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1])],
        initializer=[*loop.initializer, helper.make_tensor("nought", TensorProto.FLOAT, [], [0.0])],
    )
    for node in graph.node:  # the loop's output feeds the sum
        if node.op_type == "Loop":
            node.output[0] = "L"
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def heavy_loop_metadata(name: str) -> dict[str, Any]:
    """Metadata for :func:`heavy_loop_onnx` published as ``model.onnx``."""
    metadata = loop_metadata(name)
    metadata["datacite"]["titles"] = [{"title": f"Counting loop with a large input {name}"}]
    properties = metadata["servable"]["methods"]["run"]["input"]["properties"]
    properties["X"] = {
        "type": "ndarray",
        "shape": [None, HEAVY_WIDTH],
        "item_type": {"type": "float32"},
    }
    return metadata
