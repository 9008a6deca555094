"""ONNX models of Identity nodes, one per OIP datatype, and edge values for them.

Shared by the in-process datatype tests and the tritonclient e2e tests. The
input of datatype ``DT`` is ``in_DT``, its output ``out_DT``; shapes are
``[N, 3]`` with a dynamic first axis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
from onnx import TensorProto, helper

from dlhub_common.codec import dtype_for
from dlhub_common.metadata import DATATYPE_TO_ITEM_TYPE

Array = npt.NDArray[Any]

ONNX_TYPES = {
    "BOOL": TensorProto.BOOL,
    "UINT8": TensorProto.UINT8,
    "UINT16": TensorProto.UINT16,
    "UINT32": TensorProto.UINT32,
    "UINT64": TensorProto.UINT64,
    "INT8": TensorProto.INT8,
    "INT16": TensorProto.INT16,
    "INT32": TensorProto.INT32,
    "INT64": TensorProto.INT64,
    "FP16": TensorProto.FLOAT16,
    "FP32": TensorProto.FLOAT,
    "FP64": TensorProto.DOUBLE,
    "BF16": TensorProto.BFLOAT16,
    "BYTES": TensorProto.STRING,
}
SHAPE = [2, 3]


def identity_onnx(datatypes: list[str]) -> bytes:
    """One Identity node per datatype; the first axis is dynamic."""
    nodes, inputs, outputs = [], [], []
    for dt in datatypes:
        elem = ONNX_TYPES[dt]
        nodes.append(helper.make_node("Identity", [f"in_{dt}"], [f"out_{dt}"]))
        inputs.append(helper.make_tensor_value_info(f"in_{dt}", elem, ["N", 3]))
        outputs.append(helper.make_tensor_value_info(f"out_{dt}", elem, ["N", 3]))
    graph = helper.make_graph(nodes, "dtypes", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def identity_metadata(name: str, datatypes: list[str]) -> dict[str, Any]:
    def block(prefix: str) -> dict[str, Any]:
        return {
            "type": "dict",
            "properties": {
                f"{prefix}_{dt}": {
                    "type": "ndarray",
                    "shape": [None, 3],
                    "item_type": {"type": DATATYPE_TO_ITEM_TYPE[dt]},
                }
                for dt in datatypes
            },
        }

    return {
        "datacite": {
            "creators": [{"name": "Tester, Alice"}],
            "titles": [{"title": "Identity for every OIP datatype"}],
        },
        "dlhub": {"name": name, "visible_to": ["public"], "files": {"model": "model.onnx"}},
        "servable": {
            "type": "onnx",
            "methods": {"run": {"input": block("in"), "output": block("out")}},
        },
    }


def _bits(dt: str, patterns: list[int]) -> Array:
    """Floats from their bit patterns (exact NaN payloads, -0.0, subnormals)."""
    width = {"FP16": np.uint16, "BF16": np.uint16, "FP32": np.uint32, "FP64": np.uint64}[dt]
    return np.array(patterns, dtype=width).view(dtype_for(dt)).reshape(SHAPE)


def edge_values(*, nan_payloads: bool) -> dict[str, Array]:
    """Edge values of every datatype, shape ``SHAPE``.

    ``nan_payloads``: quiet NaNs with payload bits. JSON has one NaN, so the
    JSON path gets the canonical quiet NaN only.
    """
    out: dict[str, Array] = {"BOOL": np.array([[True, False, True], [False, False, True]])}
    for dt in ("UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64"):
        info = np.iinfo(dtype_for(dt))
        row = [info.min, info.max, 0, 1, info.max - 1, info.min + 1]
        if info.min < 0:
            row[3] = -1
        out[dt] = np.array(row, dtype=dtype_for(dt)).reshape(SHAPE)
    # NaN, +Inf, -Inf, -0.0, smallest subnormal, largest finite
    out["FP16"] = _bits(
        "FP16", [0x7E01 if nan_payloads else 0x7E00, 0x7C00, 0xFC00, 0x8000, 1, 0x7BFF]
    )
    out["BF16"] = _bits(
        "BF16", [0x7FC1 if nan_payloads else 0x7FC0, 0x7F80, 0xFF80, 0x8000, 1, 0x7F7F]
    )
    out["FP32"] = _bits(
        "FP32",
        [
            0x7FC00123 if nan_payloads else 0x7FC00000,
            0x7F800000,
            0xFF800000,
            0x80000000,
            1,
            0x7F7FFFFF,
        ],
    )
    out["FP64"] = _bits(
        "FP64",
        [
            0x7FF8000000000ABC if nan_payloads else 0x7FF8000000000000,
            0x7FF0000000000000,
            0xFFF0000000000000,
            0x8000000000000000,
            1,
            0x7FEFFFFFFFFFFFFF,
        ],
    )
    words = [
        b"a",
        b"",
        "\u00e9t\u00e9".encode(),
        b"nul\x00inside",
        b"x" * 300,
        "\u65e5\u672c".encode(),
    ]
    out["BYTES"] = np.array(words, dtype=object).reshape(SHAPE)
    return out
