"""Property tests of the tensor codec: any datatype, shape and bytes, valid or not.

Decoding either returns an array of exactly the declared shape or raises
InvalidArgument; nothing else escapes (no MemoryError, ValueError, TypeError,
OverflowError, RecursionError), and nothing is allocated for elements that the
data cannot hold. Encoding round-trips bit-exact through raw contents, and
through JSON up to NaN payloads (JSON spells NaN "NaN").
"""

from __future__ import annotations

import json
import math
import tracemalloc
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlhub_common import codec, codec_json
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common.errors import InvalidArgument

SETTINGS = settings(
    max_examples=100, deadline=1000, suppress_health_check=[HealthCheck.too_slow], database=None
)
DATATYPES = st.sampled_from(codec.DATATYPES) | st.just("BYTES") | st.text(max_size=8)
# dimensions around every boundary: small, int32, int64, uint64 and past them
DIMS = st.one_of(
    st.integers(0, 4),
    st.integers(0, 2**70),
    st.sampled_from([2**31, 2**32, 2**40, 2**48, 2**62, 2**63 - 1, 2**63, 2**64]),
    st.integers(-(2**64), -1),
)
SHAPES = st.lists(DIMS, max_size=6) | st.lists(st.integers(0, 1), min_size=30, max_size=70)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["NaN", "Infinity", "-Infinity"]),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=20,
)
MIB = 2**20


def _decodes_or_refuses(decode: Any, shape: Any = None) -> np.ndarray | None:
    try:
        array = decode()
    except InvalidArgument:
        return None
    assert isinstance(array, np.ndarray)
    if shape is not None:
        assert list(array.shape) == list(shape)
    return array


def _check_raw(datatype: str, shape: list[int], data: bytes) -> None:
    tracemalloc.start()
    try:
        _decodes_or_refuses(lambda: codec.from_raw(datatype, shape, data, name="t"), shape)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MIB, f"{peak / MIB:.1f} MiB to decode {len(data)} bytes as {shape}"


@SETTINGS
@given(datatype=DATATYPES, shape=SHAPES, data=st.binary(max_size=256))
def test_from_raw_returns_the_shape_or_refuses(
    datatype: str, shape: list[int], data: bytes
) -> None:
    _check_raw(datatype, shape, data)


@SETTINGS
@given(shape=SHAPES, data=st.binary(max_size=256))
def test_bytes_from_raw_returns_the_shape_or_refuses(shape: list[int], data: bytes) -> None:
    _check_raw("BYTES", shape, data)


@SETTINGS
@given(count=st.integers(0, 2**30), data=st.binary(max_size=64))
def test_bytes_count_is_checked_against_the_data_before_allocating(count: int, data: bytes) -> None:
    if count * 4 > len(data):
        tracemalloc.start()
        try:
            assert _decodes_or_refuses(lambda: codec.from_raw("BYTES", [count], data)) is None
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < MIB


@SETTINGS
@given(datatype=DATATYPES, shape=st.one_of(SHAPES, JSON), data=JSON, parameters=JSON)
def test_json_to_array_returns_the_shape_or_refuses(
    datatype: Any, shape: Any, data: Any, parameters: Any
) -> None:
    _decodes_or_refuses(
        lambda: codec_json.json_to_array("t", datatype, shape, data, parameters=parameters)
    )


def test_json_nested_past_the_limit_is_refused_without_recursion() -> None:
    data: Any = 1.0
    for _ in range(200_000):
        data = [data]
    assert _decodes_or_refuses(lambda: codec_json.json_to_array("t", "FP32", [1], data)) is None


def _infer_request(draw: Any) -> oip.ModelInferRequest:
    request = oip.ModelInferRequest(model_name="a.b")
    count = draw(st.integers(0, 3))
    raw = draw(st.booleans())
    for i in range(count):
        shape = draw(st.lists(st.integers(-(2**63), 2**63 - 1) | st.integers(0, 4), max_size=4))
        tensor = request.inputs.add(name=draw(st.text(max_size=3)) or f"i{i}")
        tensor.datatype = draw(DATATYPES)
        tensor.shape.extend(shape)
        if raw:
            request.raw_input_contents.append(draw(st.binary(max_size=64)))
        else:
            field = draw(st.sampled_from(sorted(codec._FIELDS.values())))
            values = draw(st.lists(_field_values(field), max_size=8))
            getattr(tensor.contents, field).extend(values)
    if raw and draw(st.booleans()):  # a count of raw contents that does not match
        request.raw_input_contents.append(b"")
    return request


def _field_values(field: str) -> st.SearchStrategy[Any]:
    return {
        "bool_contents": st.booleans(),
        "int_contents": st.integers(-(2**31), 2**31 - 1),
        "int64_contents": st.integers(-(2**63), 2**63 - 1),
        "uint_contents": st.integers(0, 2**32 - 1),
        "uint64_contents": st.integers(0, 2**64 - 1),
        "fp32_contents": st.floats(width=32),
        "fp64_contents": st.floats(),
        "bytes_contents": st.binary(max_size=8),
    }[field]


@SETTINGS
@given(request=st.composite(lambda draw: _infer_request(draw))())
def test_decode_infer_inputs_returns_arrays_or_refuses(request: oip.ModelInferRequest) -> None:
    wire = oip.ModelInferRequest.FromString(request.SerializeToString())
    try:
        arrays = codec.decode_infer_inputs(wire)
    except InvalidArgument:
        return
    for tensor in wire.inputs:
        assert list(arrays[tensor.name].shape) == list(tensor.shape)


# ------------------------------------------------------------------ round trips

NUMERIC = st.sampled_from(
    ["bool", "u1", "u2", "u4", "u8", "i1", "i2", "i4", "i8", "f2", "f4", "f8"]
).map(np.dtype)
ARRAYS = NUMERIC.flatmap(
    lambda dtype: hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
)


@SETTINGS
@given(array=ARRAYS)
def test_raw_round_trip_is_bit_exact(array: np.ndarray) -> None:
    datatype = codec.datatype_of(array)
    back = codec.from_raw(datatype, array.shape, codec.to_raw(array))
    assert back.dtype == array.dtype.newbyteorder("<")
    assert back.shape == array.shape
    assert back.tobytes() == array.astype(back.dtype).tobytes()


@SETTINGS
@given(array=ARRAYS)
def test_json_round_trip_is_standard_json_and_exact_up_to_nan_payloads(
    array: np.ndarray,
) -> None:
    body = codec_json.array_to_json("t", array)
    text = json.dumps(body, allow_nan=False)  # NaN/Infinity are strings, never literals
    decoded = json.loads(text)
    back = codec_json.json_to_array(
        "t", decoded["datatype"], decoded["shape"], decoded["data"], parameters=None
    )
    assert back.shape == array.shape
    if array.dtype.kind == "f":
        nan = np.isnan(array)
        assert (np.isnan(back) == nan).all()
        assert back[~nan].tobytes() == array[~nan].tobytes()
        assert all(
            v in ("NaN", "Infinity", "-Infinity") or math.isfinite(v) for v in decoded["data"]
        )
    else:
        assert back.tobytes() == array.tobytes()
