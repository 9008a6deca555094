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
