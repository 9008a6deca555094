"""Frames in, results out: what a stream binding reads from and writes to the bus.

A frame is one message from an ordinary producer, in any language:

* ``.npy`` bytes (``content-type: application/x-npy``, or any payload that
  starts with the ``.npy`` magic), or
* raw bytes with headers ``dtype`` (a numpy dtype name, e.g. ``uint16``) and
  ``shape`` (``64,64`` or ``[64, 64]``); without them the servable's declared
  item type and (fixed) per-frame shape are used, or
* JSON (``content-type: application/json``): a python servable's input value,
  or a nested list for a tensor servable.

Its id is the binding's ``key_field`` header (default ``frame-id``), else
the message key, else one the runner makes up from the topic and a counter.
A frame that cannot be decoded raises :class:`Poison`, with the reason that
goes to the dead-letter topic.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dlhub_common._proto.dlhub.v1 import types_pb2
from dlhub_common.codec import array_to_tensor, dtype_for
from dlhub_common.errors import DLHubError
from dlhub_common.signature import TensorSpec

Array = npt.NDArray[Any]
NPY_MAGIC = b"\x93NUMPY"
NPY_TYPES = ("application/x-npy", "application/npy", "application/octet-stream+npy")
JSON_TYPES = ("application/json",)
_SHAPE = re.compile(r"^\[?\s*\d+(\s*,\s*\d+)*\s*,?\s*\]?\Z")
MAX_REASON_CHARS = 500


class Poison(Exception):
    """A frame that will never run: undecodable, or not what the servable takes."""

    def __init__(self, reason: str, code: str = "INVALID_ARGUMENT") -> None:
        super().__init__(reason)
        self.reason = reason[:MAX_REASON_CHARS]
        self.code = code


@dataclass(frozen=True)
class Frame:
    """A decoded frame: tensors for a tensor servable, or one JSON value."""

    frame_id: str
    tensors: list[types_pb2.Tensor]
    inputs_json: str = ""


def header(headers: dict[str, bytes], name: str) -> str | None:
    """A header's text (names compare case-insensitively), or None."""
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value.decode("utf-8", "replace").strip()
    return None


def frame_id_of(headers: dict[str, bytes], key: str | None, key_field: str, fallback: str) -> str:
    return (header(headers, key_field) or key or fallback)[:200]


def _shape_of(text: str) -> tuple[int, ...]:
    if not _SHAPE.match(text):
        raise Poison(f"shape header {text[:60]!r} is not a list of sizes such as 64,64")
    return tuple(int(d) for d in re.findall(r"\d+", text))


def _dtype_of(text: str) -> np.dtype[Any]:
    try:
        dtype = np.dtype(text)
    except TypeError:
        raise Poison(f"dtype header {text[:60]!r} is not a numpy dtype name") from None
    if dtype.hasobject:
        raise Poison(f"dtype {text[:60]!r} is not allowed (object arrays)")
    return dtype


def _declared(spec: TensorSpec | None) -> tuple[np.dtype[Any] | None, tuple[int, ...] | None]:
    """The per-frame dtype and shape the servable declares, where they are fixed."""
    if spec is None:
        return None, None
    dtype = None
    if spec.datatype is not None:
        try:
            dtype = dtype_for(spec.datatype)
        except DLHubError:
            dtype = None
    rest = spec.shape[1:] if spec.shape and spec.shape[0] is None else spec.shape
    shape = None if any(d is None for d in rest) else tuple(int(d) for d in rest if d is not None)
    return dtype, shape


def _array(value: bytes, headers: dict[str, bytes], spec: TensorSpec | None) -> Array:
    content_type = (header(headers, "content-type") or "").split(";")[0].lower()
    if content_type in NPY_TYPES or value.startswith(NPY_MAGIC):
        try:
            loaded = np.load(io.BytesIO(value), allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise Poison(f"undecodable .npy payload: {exc}") from None
        return np.asarray(loaded)
    if content_type in JSON_TYPES:
        try:
            return np.asarray(json.loads(value))
        except ValueError as exc:
            raise Poison(f"undecodable JSON payload: {exc}") from None
    want_dtype, want_shape = _declared(spec)
    dtype_text, shape_text = header(headers, "dtype"), header(headers, "shape")
    dtype = _dtype_of(dtype_text) if dtype_text else want_dtype
    shape = _shape_of(shape_text) if shape_text else want_shape
    if dtype is None or shape is None:
        raise Poison(
            "a raw frame needs 'dtype' and 'shape' headers (the servable does not fix them),"
            " or send .npy (content-type application/x-npy)"
        )
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(value) != expected:
        raise Poison(
            f"payload of {len(value)} bytes does not match shape {list(shape)} of"
            f" {dtype.name} ({expected} bytes)"
        )
    return np.frombuffer(value, dtype=dtype).reshape(shape)


def _fit(array: Array, spec: TensorSpec | None) -> Array:
    """One frame as a batch of one, in the declared dtype where it is numeric."""
    if spec is None:
        return array[np.newaxis]
    want_dtype, want_shape = _declared(spec)
    if want_shape is not None and array.shape != want_shape:
        if array.size != int(np.prod(want_shape, dtype=np.int64)):
            raise Poison(
                f"frame of shape {list(array.shape)} does not fit the servable's input"
                f" {spec.describe()}"
            )
        array = array.reshape(want_shape)
    if len(spec.shape) == array.ndim + 1:
        array = array[np.newaxis]
    elif len(spec.shape) != array.ndim:
        raise Poison(
            f"frame of shape {list(array.shape)} does not fit the servable's input"
            f" {spec.describe()}"
        )
    if (
        want_dtype is not None
        and array.dtype != want_dtype
        and array.dtype.kind in "biuf"
        and want_dtype.kind in "biuf"
    ):
        array = array.astype(want_dtype)
    return array


def decode(
    frame_id: str,
    value: bytes,
    headers: dict[str, bytes],
    *,
    json_input: bool,
    spec: TensorSpec | None,
    input_name: str,
) -> Frame:
    """The frame ready to run, or Poison naming why it cannot be.

    Args:
        json_input: the servable takes one JSON value (a python servable).
        spec: the declared input the frame feeds (tensor servables).
        input_name: the tensor's name.
    """
    if json_input:
        try:
            text = value.decode("utf-8")
            json.loads(text)
        except ValueError as exc:
            raise Poison(f"a python servable's frame must be JSON: {exc}") from None
        return Frame(frame_id, [], text)
    array = _fit(_array(value, headers, spec), spec)
    try:
        return Frame(frame_id, [array_to_tensor(input_name, array)])
    except DLHubError as exc:
        raise Poison(exc.message) from None


def tags_of(classes: list[str], outputs: dict[str, Array]) -> dict[str, float] | None:
    """``{class: probability}``, highest first, when one output has a value per class."""
    if not classes:
        return None
    for array in outputs.values():
        flat = np.asarray(array, dtype=np.float64).reshape(-1)
        if flat.size == len(classes):
            pairs = sorted(zip(classes, flat.tolist(), strict=True), key=lambda p: -p[1])
            return {name: round(prob, 6) for name, prob in pairs}
    return None
