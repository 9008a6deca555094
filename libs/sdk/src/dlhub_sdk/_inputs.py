"""Run inputs: tensors in a servable's declared dtypes, or JSON for a python servable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from dlhub_common._proto.dlhub.v1 import types_pb2
from dlhub_common.codec import array_to_tensor, dtype_for
from dlhub_common.errors import InvalidArgument
from dlhub_common.names import Ref
from dlhub_common.signature import TensorSpec


def input_tensors(ref: Ref, specs: list[TensorSpec], inputs: Any) -> list[types_pb2.Tensor]:
    """``inputs`` (by name, or one value for a one-input servable) as tensors."""
    by_name = {s.name: s for s in specs}
    if isinstance(inputs, Mapping):
        items = list(inputs.items())
    elif len(specs) == 1:
        items = [(specs[0].name, inputs)]
    else:
        raise InvalidArgument(
            f"{ref.full_name} takes inputs {[s.name for s in specs]}; pass a dict by name"
        )
    tensors = []
    for name, value in items:
        spec = by_name.get(name)
        target = dtype_for(spec.datatype) if spec and spec.datatype else None
        if isinstance(value, np.ndarray):
            array = value
            if (
                target is not None
                and array.dtype != target
                and np.can_cast(array.dtype, target, "same_kind")
            ):
                array = array.astype(target)
        else:
            array = np.asarray(
                value, dtype=target if target is not None and target.kind != "O" else None
            )
        tensors.append(array_to_tensor(name, array))
    return tensors


def _json_default(value: Any) -> Any:
    """numpy arrays and scalars in a python servable's input become JSON."""
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    raise TypeError(f"a {type(value).__name__} cannot be sent as JSON")
