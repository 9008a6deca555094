"""JSON <-> tensors and JSON views of DLHub messages, for the HTTP API."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common.bounds import check_json_size
from dlhub_common.codec import array_to_tensor, tensor_to_array
from dlhub_common.codec_json import array_to_json, json_to_array
from dlhub_common.errors import InvalidArgument, clip
from dlhub_common.records import summary_from_pb
from dlhub_common.signature import TensorSpec
from dlhub_common.views import task_fields


def _shape_of(name: str, data: Any) -> list[int]:
    try:
        return list(np.shape(np.asarray(data, dtype=object)))
    except ValueError:
        raise InvalidArgument(f"input {clip(name)}: nested lists are ragged") from None


def tensor_from_json(name: str, value: Any, spec: TensorSpec | None) -> types_pb2.Tensor:
    """An input given as an OIP tensor object or as (nested) list data."""
    if isinstance(value, dict) and "data" in value:
        datatype = value.get("datatype") or (spec.datatype if spec else None)
        if not datatype:
            raise InvalidArgument(f"input {clip(name)}: give its datatype")
        shape = value.get("shape")
        if shape is None:
            shape = _shape_of(name, value["data"])
        array = json_to_array(
            name, datatype, shape, value["data"], parameters=value.get("parameters")
        )
    else:
        if spec is None or spec.datatype is None:
            raise InvalidArgument(
                f"input {clip(name)}: give it as {{'datatype': ..., 'shape': ..., 'data': ...}}"
            )
        array = json_to_array(name, spec.datatype, _shape_of(name, value), value)
    return array_to_tensor(name, array)


_REF_KEYS = frozenset({"ref", "datatype", "shape"})


def _is_ref(value: Any) -> bool:
    return (
        isinstance(value, dict) and isinstance(value.get("ref"), str) and value.keys() <= _REF_KEYS
    )


def _ref_tensor(name: str, value: dict[str, Any], spec: TensorSpec | None) -> types_pb2.Tensor:
    """An input by reference (docs/staging.md): ``{"ref": url[, "datatype"][, "shape"]}``;
    datatype and shape default to the declared ones when those are fully known."""
    datatype = value.get("datatype") or (spec.datatype if spec is not None else None)
    shape = value.get("shape")
    if shape is None and spec is not None and all(d is not None for d in spec.shape):
        shape = spec.oip_shape
    if not isinstance(datatype, str) or not isinstance(shape, list):
        raise InvalidArgument(
            f'input {name!r} by reference: give its "shape" (and "datatype" when the'
            " servable does not declare one)"
        )
    if not all(isinstance(d, int) and not isinstance(d, bool) for d in shape):
        raise InvalidArgument(f'input {name!r}: "shape" must be a list of integers')
    return types_pb2.Tensor(name=name, datatype=datatype, shape=shape, ref=value["ref"])


def _tensor(name: str, value: Any, spec: TensorSpec | None) -> types_pb2.Tensor:
    return _ref_tensor(name, value, spec) if _is_ref(value) else tensor_from_json(name, value, spec)


def inputs_from_json(payload: Any, specs: Sequence[TensorSpec]) -> list[types_pb2.Tensor]:
    """``{"name": data, ...}`` or, for a one-input servable, the bare data; any data
    may be a reference ``{"ref": url, ...}``."""
    check_json_size(payload, "inputs")
    by_name = {s.name: s for s in specs}
    if _is_ref(payload) and len(specs) == 1:
        return [_ref_tensor(specs[0].name, payload, specs[0])]
    if isinstance(payload, dict) and not ("data" in payload and len(specs) == 1):
        return [_tensor(n, v, by_name.get(n)) for n, v in payload.items()]
    if len(specs) != 1:
        raise InvalidArgument(
            "this servable takes several inputs; send an object {input name: data}"
            f" with {[s.name for s in specs]}"
        )
    return [tensor_from_json(specs[0].name, payload, specs[0])]


def loads(text: str) -> Any:
    """Decode stored JSON for a response: NaN and infinities stay the strings
    "NaN", "Infinity", "-Infinity" (a JSON response cannot hold them as numbers)."""
    return json.loads(text, parse_constant=str)


def outputs_json(tensors: Sequence[types_pb2.Tensor]) -> list[dict[str, Any]]:
    return [array_to_json(t.name, tensor_to_array(t)) for t in tensors]


def task_json(task: tasks_pb2.Task) -> dict[str, Any]:
    out = task_fields(task)
    out["servable"] = {
        "owner": task.servable.owner,
        "name": task.servable.name,
        "version": task.servable.version,
    }
    if task.state == tasks_pb2.TASK_STATE_SUCCEEDED:
        if task.output_json:  # a python servable: its JSON result
            out["output"] = loads(task.output_json)
        elif task.outputs or not task.output_refs:
            out["outputs"] = outputs_json(task.outputs)
        if task.output_refs:  # outputs by reference (docs/staging.md)
            out["output_refs"] = dict(task.output_refs)
    return out


def servable_json(servable: types_pb2.Servable, versions: Sequence[int] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {
        "summary": summary_from_pb(servable.summary),
        "metadata": loads(servable.metadata_json),
    }
    if versions:
        out["versions"] = list(versions)
    return out
