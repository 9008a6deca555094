"""The tiny ONNX model of the tests: ``Y[?, 3] = X[?, 4] @ W + B``, float32.

Built with ``onnx.helper`` alone, so any suite can import it (the e2e suite
must not import the gateway, which the integration conftest does).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
from onnx import TensorProto, helper, numpy_helper

Array = npt.NDArray[Any]


def tiny_onnx(w: Array, b: Array) -> bytes:
    """``Y = MatMul(X, W) + B`` with X float32 [N, 4] and Y float32 [N, 3]."""
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["X", "W"], ["XW"]),
            helper.make_node("Add", ["XW", "B"], ["Y"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 3])],
        initializer=[
            numpy_helper.from_array(w.astype(np.float32), "W"),
            numpy_helper.from_array(b.astype(np.float32), "B"),
        ],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="dlhub-tests"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def linear_onnx(w: Array, b: Array, x: str = "X", y: str = "Y") -> bytes:
    """``y = x @ W + B`` with x float32 [N, rows(W)] and y float32 [N, cols(W)]."""
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", [x, "W"], ["XW"]),
            helper.make_node("Add", ["XW", "B"], [y]),
        ],
        "linear",
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["N", int(w.shape[0])])],
        [helper.make_tensor_value_info(y, TensorProto.FLOAT, ["N", int(w.shape[1])])],
        initializer=[
            numpy_helper.from_array(w.astype(np.float32), "W"),
            numpy_helper.from_array(b.astype(np.float32), "B"),
        ],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="dlhub-tests"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def add_onnx(width: int, a: str = "A", b: str = "B", y: str = "S") -> bytes:
    """``y = a + b``, float32 [N, width] each."""
    graph = helper.make_graph(
        [helper.make_node("Add", [a, b], [y])],
        "add",
        [
            helper.make_tensor_value_info(a, TensorProto.FLOAT, ["N", width]),
            helper.make_tensor_value_info(b, TensorProto.FLOAT, ["N", width]),
        ],
        [helper.make_tensor_value_info(y, TensorProto.FLOAT, ["N", width])],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="dlhub-tests"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()
