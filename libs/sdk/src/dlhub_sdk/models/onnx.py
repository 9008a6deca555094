"""ONNX servables: the signature is read from the graph itself."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata as pkg_metadata
from pathlib import Path
from typing import Any

from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import DATATYPE_TO_ITEM_TYPE
from dlhub_sdk.models.base import ServableBuilder

# onnx TensorProto element type -> DLHub ndarray item type
ONNX_ITEM_TYPES = {
    1: "float32",
    2: "uint8",
    3: "int8",
    4: "uint16",
    5: "int16",
    6: "int32",
    7: "int64",
    8: "string",
    9: "bool",
    10: "float16",
    11: "float64",
    12: "uint32",
    13: "uint64",
    16: "bfloat16",
}


def _tensor_specs(values: Any, skip: set[str]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for value in values:
        if value.name in skip:
            continue
        if value.type.WhichOneof("value") != "tensor_type":
            raise InvalidArgument(
                f"ONNX value {value.name!r} is not a tensor; DLHub serves tensor models"
                " (for scikit-learn converters, disable ZipMap: options={'zipmap': False})"
            )
        tensor = value.type.tensor_type
        item = ONNX_ITEM_TYPES.get(tensor.elem_type)
        if item is None:
            raise InvalidArgument(
                f"ONNX tensor {value.name!r} has unsupported element type {tensor.elem_type}"
            )
        shape = [d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim]
        props[value.name] = {"type": "ndarray", "shape": shape, "item_type": {"type": item}}
    return props


class OnnxServable(ServableBuilder):
    """An ONNX model file. Inputs, outputs, dtypes and shapes (with ``null``
    for symbolic batch dimensions) come from the graph.

    Args:
        model_path: the ``.onnx`` file.
        name: the servable name (default: the file stem, slugified).
        classes: names of the output's classes, in order (:meth:`set_classes`).
    """

    servable_type = "onnx"

    def __init__(
        self, model_path: str | Path, name: str | None = None, classes: Sequence[str] | None = None
    ) -> None:
        super().__init__()
        import onnx

        path = Path(model_path)
        try:
            model = onnx.load(str(path), load_external_data=False)
        except Exception as exc:
            raise InvalidArgument(f"{path} is not a readable ONNX model: {exc}") from None
        skip = {init.name for init in model.graph.initializer}
        inputs = _tensor_specs(model.graph.input, skip)
        outputs = _tensor_specs(model.graph.output, set())
        self._servable["methods"]["run"] = {
            "input": {"type": "dict", "properties": inputs},
            "output": {"type": "dict", "properties": outputs},
            "parameters": {},
            "method_details": {
                "opset": [f"{o.domain or 'ai.onnx'}:{o.version}" for o in model.opset_import],
                "producer": f"{model.producer_name} {model.producer_version}".strip(),
            },
        }
        try:
            self.add_dependency("onnxruntime", pkg_metadata.version("onnxruntime"))
        except pkg_metadata.PackageNotFoundError:
            self.add_dependency("onnx", pkg_metadata.version("onnx"))
        self._files[path.name] = path
        self._dlhub["files"]["model"] = path.name
        stem = path.stem.lower().replace(" ", "-").replace(".", "-")
        self.set_name(name or stem)
        if classes:
            self.set_classes(classes)

    @property
    def input_names(self) -> list[str]:
        return list(self._servable["methods"]["run"]["input"]["properties"])

    @property
    def output_names(self) -> list[str]:
        return list(self._servable["methods"]["run"]["output"]["properties"])


assert set(ONNX_ITEM_TYPES.values()) <= set(DATATYPE_TO_ITEM_TYPE.values()) | {"string"}
