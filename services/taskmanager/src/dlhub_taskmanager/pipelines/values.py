"""Moving values along a pipeline's edges: step inputs and the pipeline's outputs.

Tensor pipelines carry named tensors (raw bytes, never decoded here): a step
input ``X: "parse.Y"`` is output ``Y`` of step ``parse``, renamed ``X``. JSON
pipelines carry one JSON value per step: a source is the whole value or one
key of a dict (docs/pipelines.md, "Mapping values").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dlhub_common._proto.dlhub.v1 import types_pb2
from dlhub_common.errors import InvalidArgument
from dlhub_common.pipeline_spec import Source

Value = list[types_pb2.Tensor] | Any  # tensors (tensor pipelines) or a JSON value


def _tensor(src: Source, tensors: list[types_pb2.Tensor], name: str) -> types_pb2.Tensor:
    by_name = {t.name: t for t in tensors}
    found = by_name.get(src.key)
    if found is None and len(tensors) == 1:
        found = tensors[0]  # a servable with one bare ndarray output or input
    if found is None:
        raise InvalidArgument(
            f"{src.text} is missing: it gave {sorted(by_name)}", details={"source": src.text}
        )
    out = types_pb2.Tensor()
    out.CopyFrom(found)
    out.name = name
    return out


def _json(src: Source, value: Any) -> Any:
    if not src.key:
        return value
    if not isinstance(value, dict) or src.key not in value:
        kind = "a dict without that key" if isinstance(value, dict) else type(value).__name__
        raise InvalidArgument(
            f"{src.text}: the value is {kind}, not a dict with key {src.key!r}",
            details={"source": src.text},
        )
    return value[src.key]


def pick(
    src: Source, values: Mapping[str, Value], pipeline_input: Value, tensors: bool, name: str = ""
) -> Any:
    """The value ``src`` names (a tensor renamed ``name`` for tensor pipelines)."""
    base = pipeline_input if not src.step else values[src.step]
    return _tensor(src, base, name or src.key) if tensors else _json(src, base)


def step_input(
    mapping: Mapping[str, Source],
    values: Mapping[str, Value],
    pipeline_input: Value,
    tensors: bool,
) -> Value:
    """A step's input: its tensors by name, or one JSON value (whole, or a dict of keys)."""
    if tensors:
        return [pick(src, values, pipeline_input, True, key) for key, src in mapping.items()]
    if "" in mapping:
        return pick(mapping[""], values, pipeline_input, False)
    return {key: pick(src, values, pipeline_input, False) for key, src in mapping.items()}


def pipeline_output(
    outputs: Source | Mapping[str, Source],
    values: Mapping[str, Value],
    pipeline_input: Value,
    tensors: bool,
    wanted: list[str],
) -> Value:
    """The pipeline's result from its steps' values (``wanted``: only these tensors)."""
    if isinstance(outputs, Source):
        return pick(outputs, values, pipeline_input, tensors)
    if tensors:
        return [
            pick(src, values, pipeline_input, True, key)
            for key, src in outputs.items()
            if not wanted or key in wanted
        ]
    return {key: pick(src, values, pipeline_input, False) for key, src in outputs.items()}
