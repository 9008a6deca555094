"""Turning a staged file into what the model takes, by the declared type.

Tensors: a ``.npy`` file (its own dtype and shape, checked against the
declared ones), a PNG/JPEG image (Pillow; uint8 H x W [x C], reshaped and cast
to the declared shape and datatype when the element count fits), or raw
bytes read with the declared datatype and shape. JSON inputs: ``path`` (the
local file for python servables), ``ndarray`` (nested lists), ``json``,
``text``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.codec import dtype_for
from dlhub_common.errors import InvalidArgument

NPY_MAGIC = b"\x93NUMPY"
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def _load_npy(path: Path, shown: str) -> np.ndarray[Any, Any]:
    try:
        array: np.ndarray[Any, Any] = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise InvalidArgument(f"reference {shown} is not a readable .npy file: {exc}") from None
    return array


def _load_image(path: Path, shown: str) -> np.ndarray[Any, Any]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(path.read_bytes())) as image:
            image.load()
            return np.asarray(image)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InvalidArgument(f"reference {shown} is not a readable image: {exc}") from None


def _fit(array: np.ndarray[Any, Any], dtype: np.dtype[Any], shape: list[int], shown: str) -> Any:
    if shape and all(d >= 0 for d in shape) and list(array.shape) != shape:
        if int(np.prod(shape)) != array.size:
            raise InvalidArgument(
                f"reference {shown} holds shape {list(array.shape)}, but the input is"
                f" declared {shape}",
                details={"url": shown, "shape": list(array.shape), "expected": shape},
            )
        array = array.reshape(shape)
    if array.dtype != dtype:
        if array.dtype.kind in "fc" and dtype.kind in "iub":
            raise InvalidArgument(
                f"reference {shown} holds {array.dtype} values; the input is {dtype}"
            )
        array = array.astype(dtype)
    return array


def _raw(path: Path, dtype: np.dtype[Any], shape: list[int], shown: str) -> Any:
    data = path.read_bytes()
    if not shape or any(d < 0 for d in shape):
        raise InvalidArgument(
            f"reference {shown} holds raw bytes: give the input's full shape to read them"
        )
    want = int(np.prod(shape)) * dtype.itemsize
    if len(data) != want:
        raise InvalidArgument(
            f"reference {shown} holds {len(data)} bytes; {dtype} of shape {shape} is {want}",
            details={"url": shown},
        )
    return np.frombuffer(data, dtype=dtype).reshape(shape)


def decode_array(path: Path, datatype: str, shape: list[int], shown: str) -> Any:
    """A staged tensor input: .npy, an image, or raw bytes of ``datatype``/``shape``."""
    dtype = dtype_for(datatype or "FP32", name=shown)
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(NPY_MAGIC):
        return _fit(_load_npy(path, shown), dtype, shape, shown)
    if head.startswith(IMAGE_MAGIC):
        return _fit(_load_image(path, shown), dtype, shape, shown)
    return _raw(path, dtype, shape, shown)


_JSON_DTYPES = {"float32": "FP32", "float64": "FP64", "int32": "INT32", "int64": "INT64"}


def decode_json(path: Path, ref: dict[str, Any], shown: str) -> Any:
    """A staged JSON input, by its decode kind (``ref["as"]``)."""
    kind = ref.get("as", "json")
    if kind == "path":
        return str(path)
    if kind == "ndarray":
        datatype = ref.get("dtype", "float64")
        datatype = _JSON_DTYPES.get(datatype, datatype.upper())
        return decode_array(path, datatype, list(ref.get("shape", [])), shown).tolist()
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise InvalidArgument(f"reference {shown} is not UTF-8 text") from None
    if kind == "text":
        return text
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidArgument(f"reference {shown} is not JSON: {exc}") from None
