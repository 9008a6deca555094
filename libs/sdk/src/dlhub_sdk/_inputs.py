"""Run inputs: tensors in a servable's declared dtypes, or JSON for a python servable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dlhub_common._proto.dlhub.v1 import types_pb2
from dlhub_common.codec import array_to_tensor, datatype_of, dtype_for
from dlhub_common.errors import InvalidArgument
from dlhub_common.names import Ref
from dlhub_common.signature import TensorSpec


@dataclass(frozen=True)
class Reference:
    """An input given by reference (docs/staging.md): the executor stages it.

    Args:
        url: ``s3://bucket/key``, ``https://...``, ``http://...`` or
            ``globus://<collection-id>/<path>``.
        dtype: how raw bytes read (numpy name or OIP datatype); default the declared one.
        shape: the tensor's shape; default the declared one when it is fully known.
    """

    url: str
    dtype: str | None = None
    shape: Sequence[int] | None = None

    def tensor(self, name: str, spec: TensorSpec | None) -> types_pb2.Tensor:
        datatype = spec.datatype if spec is not None and spec.datatype else None
        if self.dtype:
            datatype = self.dtype if self.dtype.isupper() else datatype_of(np.dtype(self.dtype))
        shape = list(self.shape) if self.shape is not None else None
        if shape is None and spec is not None and all(d is not None for d in spec.shape):
            shape = spec.oip_shape
        if shape is None or datatype is None:
            raise InvalidArgument(
                f"input {name!r} by reference: give its shape (and dtype when the servable"
                " does not declare one), e.g. Reference(url, shape=[1, 4])"
            )
        return types_pb2.Tensor(name=name, datatype=datatype, shape=shape, ref=self.url)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ref": self.url}
        if self.dtype:
            out["dtype"] = self.dtype
        if self.shape is not None:
            out["shape"] = list(self.shape)
        return out


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
    unknown = [name for name, _ in items if name not in by_name]
    if unknown and specs:
        raise InvalidArgument(
            f"{ref.full_name}: unknown input(s) {', '.join(map(repr, unknown))};"
            f" expected inputs: {', '.join(repr(s.name) for s in specs)}",
            details={"unknown": unknown, "expected": [s.name for s in specs]},
        )
    tensors = []
    for name, value in items:
        spec = by_name.get(name)
        target = dtype_for(spec.datatype) if spec and spec.datatype else None
        if isinstance(value, Reference):  # staged by the executor
            tensors.append(value.tensor(name, spec))
            continue
        if isinstance(value, np.ndarray):
            array = value
            if (
                target is not None
                and array.dtype != target
                and np.can_cast(array.dtype, target, "same_kind")
            ):
                array = array.astype(target)
        else:
            array = _as_array(ref, name, value, target)
        tensors.append(array_to_tensor(name, array))
    return tensors


def _as_array(ref: Ref, name: str, value: Any, target: np.dtype[Any] | None) -> Any:
    """``value`` as an array of the declared dtype; a clear error when it cannot be one."""
    try:
        return np.asarray(
            value, dtype=target if target is not None and target.kind != "O" else None
        )
    except (ValueError, TypeError, OverflowError) as exc:
        want = f"{target} " if target is not None else ""
        raise InvalidArgument(
            f"{ref.full_name}: input {name!r} must be a {want}array (nested lists of"
            f" numbers of one shape); {exc}",
            details={"input": name, "dtype": str(target) if target is not None else None},
        ) from None


def _json_default(value: Any) -> Any:
    """numpy arrays and scalars in a python servable's input become JSON."""
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if isinstance(value, Reference):
        return value.to_json()
    raise TypeError(f"a {type(value).__name__} cannot be sent as JSON")
