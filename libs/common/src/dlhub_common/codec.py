"""numpy <-> tensor codec for the Open Inference Protocol (KServe v2) and dlhub.v1.

Datatypes are the OIP names: BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64, BF16
and BYTES. BF16 maps to ``ml_dtypes.bfloat16`` (InvalidArgument when ml_dtypes is not
installed); BYTES maps to numpy object arrays of ``bytes``. On the way in, BYTES also
accepts ``str`` elements (encoded as UTF-8) and numpy 'S'/'U' arrays; note that numpy
'S' arrays drop trailing NUL bytes, so prefer object arrays for binary data.

Raw format (``raw_input_contents``, ``raw_output_contents``, ``dlhub.v1.Tensor.data``):
the elements flattened in row-major (C) order, little-endian, with no padding. BOOL is
one byte per element (0 or 1; not checked on decode). A BYTES tensor is each element in
turn as a 4-byte little-endian uint32 length followed by that many bytes: the Triton
convention of ``tritonclient.utils.serialize_byte_tensor``.

Typed gRPC contents (``InferTensorContents``) use the widest field of the kind:
``int_contents`` for INT8/16/32, ``uint_contents`` for UINT8/16/32, and so on. FP16 and
BF16 have no typed field and always travel raw.

JSON tensors (the OIP REST body) are in :mod:`dlhub_common.codec_json`.

Shapes are bounded before anything is allocated: at most :data:`MAX_RANK` dimensions,
each at most 2**63 - 1, and at most :data:`MAX_ELEMENTS` elements (counting a zero
dimension as one); a raw BYTES tensor must have 4 bytes of length prefix for every
element it declares, checked before its elements are parsed.

Every malformed input raises :class:`~dlhub_common.errors.InvalidArgument` naming the
tensor and the problem.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from dlhub_common._proto.dlhub.v1 import types_pb2
from dlhub_common.bounds import INT64_MAX
from dlhub_common.errors import InvalidArgument, clip

if TYPE_CHECKING:  # not imported at run time: tritonclient.grpc registers the same
    # `inference.*` protobuf names, and the SDK must coexist with it in one process.
    from dlhub_common._proto.inference import open_inference_pb2

try:
    import ml_dtypes

    _BF16: np.dtype[Any] | None = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - ml_dtypes is installed with tritonclient
    _BF16 = None

Array = npt.NDArray[Any]

_DTYPES: dict[str, np.dtype[Any]] = {
    "BOOL": np.dtype(np.bool_),
    "UINT8": np.dtype("<u1"),
    "UINT16": np.dtype("<u2"),
    "UINT32": np.dtype("<u4"),
    "UINT64": np.dtype("<u8"),
    "INT8": np.dtype("<i1"),
    "INT16": np.dtype("<i2"),
    "INT32": np.dtype("<i4"),
    "INT64": np.dtype("<i8"),
    "FP16": np.dtype("<f2"),
    "FP32": np.dtype("<f4"),
    "FP64": np.dtype("<f8"),
    "BYTES": np.dtype(object),
}
DATATYPES: tuple[str, ...] = (*_DTYPES, "BF16")
_BY_KIND = {(d.kind, d.itemsize): name for name, d in _DTYPES.items() if name != "BYTES"}

# InferTensorContents field per datatype; FP16/BF16 are raw only.
_FIELDS = {
    "BOOL": "bool_contents",
    **dict.fromkeys(("INT8", "INT16", "INT32"), "int_contents"),
    "INT64": "int64_contents",
    **dict.fromkeys(("UINT8", "UINT16", "UINT32"), "uint_contents"),
    "UINT64": "uint64_contents",
    "FP32": "fp32_contents",
    "FP64": "fp64_contents",
    "BYTES": "bytes_contents",
}
# numpy dtype of each numeric InferTensorContents field.
_FIELD_DTYPES = {
    "bool_contents": np.dtype(np.bool_),
    "int_contents": np.dtype("<i4"),
    "int64_contents": np.dtype("<i8"),
    "uint_contents": np.dtype("<u4"),
    "uint64_contents": np.dtype("<u8"),
    "fp32_contents": np.dtype("<f4"),
    "fp64_contents": np.dtype("<f8"),
}
_RAW_ONLY = frozenset({"FP16", "BF16"})
# numpy's own limit on dimensions is 64; no model takes more than a handful.
MAX_RANK = 32
# No tensor this large fits in memory; numpy refuses shapes past ~2**62 elements.
MAX_ELEMENTS = 2**48


def _fail(name: str, problem: str) -> InvalidArgument:
    shown = clip(str(name))
    return InvalidArgument(f"tensor {shown}: {problem}", details={"tensor": shown[1:-1]})


def dtype_for(datatype: str, *, name: str = "") -> np.dtype[Any]:
    """The numpy dtype (little-endian) for an OIP datatype name."""
    if not isinstance(datatype, str):
        raise _fail(name, f"datatype must be a string, not {clip(datatype)}")
    if datatype == "BF16":
        if _BF16 is None:
            raise _fail(name, "BF16 needs the ml_dtypes package, which is not installed")
        return _BF16
    try:
        return _DTYPES[datatype]
    except KeyError:
        raise _fail(
            name, f"unknown datatype {clip(datatype)}; expected one of {DATATYPES}"
        ) from None


def datatype_of(dtype_or_array: npt.DTypeLike | Array, *, name: str = "") -> str:
    """The OIP datatype name for a numpy dtype or array (byte order is ignored)."""
    src = dtype_or_array.dtype if isinstance(dtype_or_array, np.ndarray) else dtype_or_array
    try:
        dtype = np.dtype(src)
    except (TypeError, ValueError):
        raise _fail(name, f"{src!r} is not a numpy dtype") from None
    if _BF16 is not None and dtype == _BF16:
        return "BF16"
    if dtype.kind in "OSU":
        return "BYTES"
    found = _BY_KIND.get((dtype.kind, dtype.itemsize))
    if found is None:
        raise _fail(name, f"numpy dtype {dtype} has no Open Inference datatype")
    return found


def _dim(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("a dimension is not a boolean")
    return operator.index(value)


def check_shape(shape: Iterable[int], name: str = "") -> tuple[int, ...]:
    """The dimensions of ``shape``, bounded (see the module docstring).

    Raises:
        InvalidArgument: not a list of integers, negative, or too large.
    """
    if isinstance(shape, str | bytes | dict) or not isinstance(shape, Iterable):
        raise _fail(name, f"shape {clip(shape)} must be a list of integers")
    try:
        dims = tuple(_dim(d) for d in shape)
    except TypeError:
        raise _fail(name, f"shape {clip(shape)} must be a list of integers") from None
    if len(dims) > MAX_RANK:
        raise _fail(name, f"shape has {len(dims)} dimensions; at most {MAX_RANK} are allowed")
    if any(d < 0 for d in dims):
        raise _fail(name, f"shape {clip(list(dims))} has a negative dimension")
    if any(d > INT64_MAX for d in dims) or math.prod(max(d, 1) for d in dims) > MAX_ELEMENTS:
        raise _fail(name, f"shape {clip(list(dims))} is too large: at most {MAX_ELEMENTS} elements")
    return dims


def _as_bytes(item: object, name: str) -> bytes:
    if isinstance(item, bytes):
        return bytes(item)
    if isinstance(item, str):
        return item.encode("utf-8")
    if isinstance(item, bytearray | memoryview):
        return bytes(item)
    raise _fail(name, f"BYTES elements must be bytes or str, not {type(item).__name__}")


def _bytes_array(array: Array, name: str) -> Array:
    """An object array of bytes with the same shape, from object/'S'/'U' input."""
    out = np.empty(array.shape, dtype=object)
    flat = out.reshape(-1)
    for i, item in enumerate(array.flat):
        flat[i] = _as_bytes(item, name)
    return out


def _wire(array: Array, datatype: str) -> Array:
    """The array with a little-endian wire dtype (a no-op on native little-endian)."""
    wire = dtype_for(datatype).newbyteorder("<")
    return array if array.dtype == wire else array.astype(wire)


def to_raw(array: Array, *, name: str = "") -> bytes:
    """Serialize an array to the raw format (one copy for C-contiguous little-endian)."""
    array = np.asarray(array)
    datatype = datatype_of(array, name=name)
    if datatype != "BYTES":
        return _wire(array, datatype).tobytes(order="C")
    parts: list[bytes] = []
    for item in _bytes_array(array, name).flat:
        if len(item) >= 2**32:
            raise _fail(name, "a BYTES element is 4 GiB or larger")
        parts += (len(item).to_bytes(4, "little"), item)
    return b"".join(parts)


def _parse_bytes(data: memoryview, count: int, name: str) -> Array:
    if count * 4 > len(data):  # before allocating: every element has a 4-byte prefix
        raise _fail(
            name,
            f"BYTES data of {len(data)} bytes cannot hold {count} elements:"
            " a truncated length prefix (each element needs at least 4 bytes)",
        )
    out = np.empty(count, dtype=object)
    pos, end = 0, len(data)
    for i in range(count):
        if pos + 4 > end:
            raise _fail(name, f"BYTES element {i} has a truncated length prefix at byte {pos}")
        size = int.from_bytes(data[pos : pos + 4], "little")
        pos += 4
        if pos + size > end:
            raise _fail(name, f"BYTES element {i} needs {size} bytes, only {end - pos} remain")
        out[i] = bytes(data[pos : pos + size])
        pos += size
    if pos != end:
        raise _fail(name, f"BYTES data has {end - pos} bytes after {count} elements")
    return out


def from_raw(
    datatype: str, shape: Iterable[int], data: bytes | bytearray | memoryview, *, name: str = ""
) -> Array:
    """Decode raw bytes into an array of ``shape``.

    Numeric arrays are a zero-copy ``np.frombuffer`` view of ``data``: read-only when
    ``data`` is ``bytes``; copy it (``.copy()``) before writing in place. BYTES arrays
    are fresh object arrays of ``bytes``.
    """
    dims = check_shape(shape, name)
    count = math.prod(dims)
    try:
        view = memoryview(data).cast("B")
    except (TypeError, ValueError):
        raise _fail(name, "raw data is not a contiguous byte buffer") from None
    if datatype == "BYTES":
        return _parse_bytes(view, count, name).reshape(dims)
    dtype = dtype_for(datatype, name=name)
    expected = count * dtype.itemsize
    if view.nbytes != expected:
        raise _fail(
            name,
            f"{datatype} shape {list(dims)} needs {expected} bytes, got {view.nbytes}",
        )
    return np.frombuffer(view, dtype=dtype).reshape(dims)


# dlhub.v1 Tensor


def array_to_tensor(name: str, array: Array) -> types_pb2.Tensor:
    """A dlhub.v1.Tensor holding ``array`` in the raw format."""
    array = np.asarray(array)
    return types_pb2.Tensor(
        name=name,
        datatype=datatype_of(array, name=name),
        shape=list(array.shape),
        data=to_raw(array, name=name),
    )


def tensor_to_array(pb: types_pb2.Tensor) -> Array:
    """The array in a dlhub.v1.Tensor (zero-copy view, read-only; see :func:`from_raw`)."""
    return from_raw(pb.datatype, pb.shape, pb.data, name=pb.name)


# Open Inference Protocol, gRPC


def _from_contents(name: str, datatype: str, dims: tuple[int, ...], contents: Any) -> Array:
    field = _FIELDS.get(datatype)
    if field is None:
        dtype_for(datatype, name=name)  # unknown datatype -> its own error
        raise _fail(name, f"{datatype} has no typed contents; send it in raw_input_contents")
    stray = sorted(f.name for f, _ in contents.ListFields() if f.name != field)
    if stray:
        raise _fail(name, f"{datatype} data must be in {field}, not {', '.join(stray)}")
    values = getattr(contents, field)
    count = math.prod(dims)
    if len(values) != count:
        raise _fail(name, f"shape {list(dims)} needs {count} elements, got {len(values)}")
    if datatype == "BYTES":
        out = np.empty(count, dtype=object)
        out[:] = [bytes(v) for v in values]
        return out.reshape(dims)
    dtype = dtype_for(datatype)
    wide = np.array(values, dtype=_FIELD_DTYPES[field])
    if dtype.kind in "iu" and wide.size:
        info = np.iinfo(dtype)
        if int(wide.min()) < info.min or int(wide.max()) > info.max:
            raise _fail(name, f"a value in {field} is out of range for {datatype}")
    return wide.astype(dtype).reshape(dims)


def _decode_tensors(tensors: Sequence[Any], raw: Sequence[bytes], what: str) -> dict[str, Array]:
    if raw and len(raw) != len(tensors):
        raise InvalidArgument(
            f"{len(tensors)} {what} tensors but {len(raw)} raw contents; "
            "raw contents must be given for every tensor or for none"
        )
    out: dict[str, Array] = {}
    for i, t in enumerate(tensors):
        name = t.name
        if not name:
            raise InvalidArgument(f"{what} tensor {i} has no name")
        if name in out:
            raise _fail(name, f"duplicate {what} tensor name")
        dims = check_shape(t.shape, name)
        has_typed = t.HasField("contents") and bool(t.contents.ListFields())
        if raw:
            if has_typed:
                raise _fail(name, "request mixes raw contents with typed contents")
            out[name] = from_raw(t.datatype, dims, raw[i], name=name)
        else:
            out[name] = _from_contents(name, t.datatype, dims, t.contents)
    return out


def decode_infer_inputs(request: open_inference_pb2.ModelInferRequest) -> dict[str, Array]:
    """The input arrays of a ModelInferRequest, by name (raw or typed contents)."""
    return _decode_tensors(request.inputs, request.raw_input_contents, "input")


def decode_infer_outputs(response: open_inference_pb2.ModelInferResponse) -> dict[str, Array]:
    """The output arrays of a ModelInferResponse, by name (raw or typed contents)."""
    return _decode_tensors(response.outputs, response.raw_output_contents, "output")


def _fill_contents(contents: Any, name: str, datatype: str, array: Array) -> None:
    field = _FIELDS[datatype]
    if datatype == "BYTES":
        contents.bytes_contents.extend(_bytes_array(array, name).reshape(-1).tolist())
    else:
        values = array.reshape(-1).astype(_FIELD_DTYPES[field]).tolist()
        getattr(contents, field).extend(values)


def encode_infer_outputs(
    response: open_inference_pb2.ModelInferResponse,
    outputs: Mapping[str, Array],
    *,
    raw: bool = True,
) -> None:
    """Append ``outputs`` to ``response``, in raw_output_contents or typed contents.

    OIP requires raw contents for every output or for none, so ``raw=False`` still
    writes the whole response raw when an output is FP16/BF16 (no typed field) or the
    response already holds raw outputs.
    """
    arrays = {name: np.asarray(a) for name, a in outputs.items()}
    types = {name: datatype_of(a, name=name) for name, a in arrays.items()}
    use_raw = raw or bool(response.raw_output_contents) or not _RAW_ONLY.isdisjoint(types.values())
    if use_raw and len(response.raw_output_contents) != len(response.outputs):
        raise InvalidArgument("cannot add raw outputs to a response that has typed outputs")
    seen = {o.name for o in response.outputs}
    for name, array in arrays.items():
        if name in seen:
            raise _fail(name, "duplicate output tensor name")
        seen.add(name)
        out = response.outputs.add(name=name, datatype=types[name], shape=list(array.shape))
        if use_raw:
            response.raw_output_contents.append(to_raw(array, name=name))
        else:
            _fill_contents(out.contents, name, types[name], array)
