"""JSON <-> numpy for the Open Inference Protocol's REST body (and DLHub's REST API).

A JSON tensor is ``{"name", "datatype", "shape", "data"}``; ``data`` is a flat (or
nested) list: numbers, true/false for BOOL, strings for BYTES. BYTES elements that
are not all valid UTF-8 are written base64-encoded, with
``"parameters": {"binary_data_encoding": "base64"}`` on the tensor: the choice is per
tensor, since one list cannot mix encodings.

Floating-point NaN and infinities, which JSON cannot spell, are the strings
``"NaN"``, ``"Infinity"`` and ``"-Infinity"``: written so on the way out and
accepted so (beside numbers) on the way in for FP16, FP32, FP64 and BF16. The
binary paths (raw contents, the binary tensor data extension) carry them bit-exact.

``data`` nested deeper than :data:`~dlhub_common.bounds.MAX_JSON_DEPTH` is refused
before it is walked; shapes are bounded as in :func:`dlhub_common.codec.check_shape`.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from dlhub_common.bounds import MAX_JSON_DEPTH
from dlhub_common.codec import Array, _bytes_array, _fail, check_shape, datatype_of, dtype_for

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_FLOATS = frozenset({"FP16", "FP32", "FP64", "BF16"})


def _flatten(name: str, data: Any) -> list[Any]:
    """The scalars of nested lists, in order; iterative, with a depth bound."""
    out: list[Any] = []
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list | tuple):
            if depth >= MAX_JSON_DEPTH:
                raise _fail(name, f"data is nested deeper than {MAX_JSON_DEPTH} levels")
            stack.extend((sub, depth + 1) for sub in reversed(item))
        else:
            out.append(item)
    return out


def _numbers(name: str, datatype: str, flat: list[Any]) -> list[Any]:
    """Check JSON scalars against the datatype; non-finite strings become floats."""
    if datatype == "BOOL":
        if not all(isinstance(v, bool) for v in flat):
            raise _fail(name, "BOOL data must be true/false")
        return flat
    if datatype.startswith(("INT", "UINT")):
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in flat):
            raise _fail(name, f"{datatype} data must be integers")
        if flat:
            info = np.iinfo(dtype_for(datatype))
            if min(flat) < info.min or max(flat) > info.max:
                raise _fail(name, f"a value is out of range for {datatype}")
        return flat
    out = [NON_FINITE.get(v, v) if isinstance(v, str) else v for v in flat]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in out):
        raise _fail(name, f'{datatype} data must be numbers (or "NaN", "Infinity", "-Infinity")')
    return out


def json_to_array(
    name: str,
    datatype: str,
    shape: Iterable[int],
    data: Any,
    *,
    parameters: Mapping[str, Any] | None = None,
) -> Array:
    """An array from an OIP JSON tensor; ``data`` may be flat or nested lists.

    BYTES elements are strings (UTF-8 encoded), or base64 when ``parameters`` has
    ``binary_data_encoding: base64``.

    Raises:
        InvalidArgument: naming the tensor and the problem.
    """
    dims = check_shape(shape, name)
    dtype = dtype_for(datatype, name=name)
    if parameters is not None and not isinstance(parameters, Mapping):
        raise _fail(name, "parameters must be an object")
    flat = _flatten(name, data)
    count = math.prod(dims)
    if len(flat) != count:
        raise _fail(name, f"shape {list(dims)} needs {count} elements, got {len(flat)}")
    if datatype == "BYTES":
        b64 = (parameters or {}).get("binary_data_encoding") == "base64"
        if not all(isinstance(v, str) for v in flat):
            raise _fail(name, "BYTES data must be strings")
        out = np.empty(count, dtype=object)
        try:
            out[:] = [base64.b64decode(v, validate=True) if b64 else v.encode() for v in flat]
        except (binascii.Error, ValueError):
            raise _fail(name, "BYTES data is not valid base64") from None
        return out.reshape(dims)
    values = _numbers(name, datatype, flat)
    try:
        return np.array(values, dtype=dtype).reshape(dims)
    except OverflowError:
        raise _fail(name, f"a value is out of range for {datatype}") from None


def _float_data(array: Array) -> list[Any]:
    values: list[Any] = array.astype(np.float64).reshape(-1).tolist()
    if np.isfinite(array).all():
        return values
    return [
        v
        if math.isfinite(v)
        else ("NaN" if math.isnan(v) else "Infinity" if v > 0 else "-Infinity")
        for v in values
    ]


def array_to_json(name: str, array: Array) -> dict[str, Any]:
    """An OIP JSON tensor ``{"name", "datatype", "shape", "data"}`` with flat data."""
    array = np.asarray(array)
    datatype = datatype_of(array, name=name)
    body: dict[str, Any] = {"name": name, "datatype": datatype, "shape": list(array.shape)}
    if datatype == "BYTES":
        items: list[bytes] = _bytes_array(array, name).reshape(-1).tolist()
        try:
            body["data"] = [b.decode("utf-8") for b in items]
        except UnicodeDecodeError:
            body["data"] = [base64.b64encode(b).decode("ascii") for b in items]
            body["parameters"] = {"binary_data_encoding": "base64"}
    elif datatype in _FLOATS:
        body["data"] = _float_data(array)
    else:
        body["data"] = array.reshape(-1).tolist()
    return body
