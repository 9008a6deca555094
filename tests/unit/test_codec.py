"""Tests for dlhub_common.codec: every datatype, every format, every error."""

from __future__ import annotations

import json
import math
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np
import pytest
from tritonclient.utils import deserialize_bytes_tensor, serialize_byte_tensor

from dlhub_common import codec, codec_json
from dlhub_common._proto.dlhub.v1 import types_pb2
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common.errors import InvalidArgument

DATATYPES = [
    "BOOL",
    "UINT8",
    "UINT16",
    "UINT32",
    "UINT64",
    "INT8",
    "INT16",
    "INT32",
    "INT64",
    "FP16",
    "FP32",
    "FP64",
    "BF16",
    "BYTES",
]
NUMERIC = [d for d in DATATYPES if d != "BYTES"]
SHAPES = [(), (0,), (2, 0, 3), (5,), (2, 3), (2, 1, 4)]
BYTES_VALUES = [
    b"",
    b"abc",
    "h\u00e9llo \u2603".encode(),
    b"\x00\xff\xfe",
    b"tail\x00\x00",
    b"x" * 300,
]


def sample(datatype: str, shape: tuple[int, ...] = (2, 3)) -> Any:
    """A deterministic array with edge values (extremes, NaN, inf, empty strings)."""
    n = math.prod(shape)
    if datatype == "BYTES":
        out = np.empty(n, dtype=object)
        out[:] = [BYTES_VALUES[i % len(BYTES_VALUES)] for i in range(n)]
        return out.reshape(shape)
    dtype = codec.dtype_for(datatype)
    if datatype == "BOOL":
        values: list[Any] = [i % 3 == 0 for i in range(n)]
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        pool = [int(info.min), int(info.max), 0, 1, int(info.max) // 3]
        values = [pool[i % len(pool)] for i in range(n)]
    else:
        pool_f = [0.0, -1.5, 3.25, float("inf"), float("-inf"), float("nan"), 1e-3, -0.0]
        values = [pool_f[i % len(pool_f)] for i in range(n)]
    return np.array(values, dtype=dtype).reshape(shape)


def assert_same(got: Any, want: Any) -> None:
    """Same datatype, shape and values (bitwise for numbers, so NaN == NaN)."""
    assert isinstance(got, np.ndarray)
    assert codec.datatype_of(got) == codec.datatype_of(want)
    assert got.shape == want.shape
    if got.dtype == object:
        assert got.dtype == want.dtype
        assert got.reshape(-1).tolist() == want.reshape(-1).tolist()
        assert all(type(v) is bytes for v in got.reshape(-1))
    else:
        assert got.dtype == want.dtype
        assert got.tobytes() == want.tobytes()


def as_request(response: Any) -> Any:
    """The same tensors as a ModelInferRequest (outputs -> inputs), through the wire."""
    request = oip.ModelInferRequest(model_name="m")
    for out in response.outputs:
        request.inputs.add(
            name=out.name, datatype=out.datatype, shape=out.shape, contents=out.contents
        )
    request.raw_input_contents.extend(response.raw_output_contents)
    return oip.ModelInferRequest.FromString(request.SerializeToString())


# datatype maps


@pytest.mark.parametrize("datatype", DATATYPES)
def test_datatype_maps_both_ways(datatype: str) -> None:
    dtype = codec.dtype_for(datatype)
    assert codec.datatype_of(dtype) == datatype
    assert codec.datatype_of(np.empty((1,), dtype=dtype)) == datatype
    assert datatype in codec.DATATYPES


def test_datatype_of_variants() -> None:
    assert codec.datatype_of(np.float32) == "FP32"
    assert codec.datatype_of(np.dtype(">i2")) == "INT16"
    assert codec.datatype_of(bool) == "BOOL"
    assert codec.datatype_of(np.array([b"a"])) == "BYTES"
    assert codec.datatype_of(np.array(["a"])) == "BYTES"
    assert codec.datatype_of(ml_dtypes.bfloat16) == "BF16"
    assert codec.dtype_for("BF16") == np.dtype(ml_dtypes.bfloat16)
    assert codec.dtype_for("BYTES") == np.dtype(object)


@pytest.mark.parametrize("bad", [np.complex64, "datetime64[s]", np.dtype("V3"), "no-such-type"])
def test_datatype_of_rejects(bad: Any) -> None:
    with pytest.raises(InvalidArgument, match=r"datatype|dtype"):
        codec.datatype_of(bad)


def test_dtype_for_rejects_unknown() -> None:
    with pytest.raises(InvalidArgument, match="unknown datatype 'FP128'"):
        codec.dtype_for("FP128", name="t")


def test_bf16_without_ml_dtypes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec, "_BF16", None)
    with pytest.raises(InvalidArgument, match="ml_dtypes"):
        codec.dtype_for("BF16", name="t")
    with pytest.raises(InvalidArgument, match="ml_dtypes"):
        codec.from_raw("BF16", [1], b"\x00\x00", name="t")


# round trips, every datatype x shape x format


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("datatype", DATATYPES)
class TestRoundTrip:
    def test_raw(self, datatype: str, shape: tuple[int, ...]) -> None:
        array = sample(datatype, shape)
        data = codec.to_raw(array)
        assert isinstance(data, bytes)
        if datatype != "BYTES":
            assert len(data) == array.size * array.dtype.itemsize
        assert_same(codec.from_raw(datatype, list(shape), data), array)

    def test_dlhub_tensor(self, datatype: str, shape: tuple[int, ...]) -> None:
        array = sample(datatype, shape)
        pb = codec.array_to_tensor("t", array)
        assert (pb.name, pb.datatype, list(pb.shape)) == ("t", datatype, list(shape))
        wire = types_pb2.Tensor.FromString(pb.SerializeToString())
        assert_same(codec.tensor_to_array(wire), array)

    def test_oip_raw(self, datatype: str, shape: tuple[int, ...]) -> None:
        array = sample(datatype, shape)
        response = oip.ModelInferResponse()
        codec.encode_infer_outputs(response, {"out": array})
        assert len(response.raw_output_contents) == 1
        assert not response.outputs[0].HasField("contents")
        assert response.outputs[0].datatype == datatype
        response = oip.ModelInferResponse.FromString(response.SerializeToString())
        assert_same(codec.decode_infer_outputs(response)["out"], array)
        assert_same(codec.decode_infer_inputs(as_request(response))["out"], array)

    def test_oip_typed(self, datatype: str, shape: tuple[int, ...]) -> None:
        array = sample(datatype, shape)
        response = oip.ModelInferResponse()
        codec.encode_infer_outputs(response, {"out": array}, raw=False)
        if datatype in ("FP16", "BF16"):
            assert len(response.raw_output_contents) == 1  # no typed field: always raw
        else:
            assert not response.raw_output_contents
        response = oip.ModelInferResponse.FromString(response.SerializeToString())
        assert_same(codec.decode_infer_outputs(response)["out"], array)
        assert_same(codec.decode_infer_inputs(as_request(response))["out"], array)

    def test_json(self, datatype: str, shape: tuple[int, ...]) -> None:
        array = sample(datatype, shape)
        body = json.loads(json.dumps(codec_json.array_to_json("t", array)))
        assert body["name"] == "t"
        assert body["datatype"] == datatype
        assert body["shape"] == list(shape)
        assert len(body["data"]) == array.size
        got = codec_json.json_to_array(
            "t", datatype, body["shape"], body["data"], parameters=body.get("parameters")
        )
        assert_same(got, array)


def test_typed_contents_fields() -> None:
    response = oip.ModelInferResponse()
    outputs = {d: sample(d, (2,)) for d in DATATYPES if d not in ("FP16", "BF16")}
    codec.encode_infer_outputs(response, outputs, raw=False)
    fields = {o.name: [f.name for f, _ in o.contents.ListFields()] for o in response.outputs}
    assert fields["INT8"] == fields["INT16"] == fields["INT32"] == ["int_contents"]
    assert fields["UINT8"] == fields["UINT32"] == ["uint_contents"]
    assert fields["INT64"] == ["int64_contents"]
    assert fields["UINT64"] == ["uint64_contents"]
    assert fields["BOOL"] == ["bool_contents"]
    assert fields["FP32"] == ["fp32_contents"]
    assert fields["FP64"] == ["fp64_contents"]
    assert fields["BYTES"] == ["bytes_contents"]


def test_typed_falls_back_to_raw_for_whole_response_with_fp16() -> None:
    response = oip.ModelInferResponse()
    outputs = {"a": sample("INT32"), "h": sample("FP16")}
    codec.encode_infer_outputs(response, outputs, raw=False)
    assert len(response.raw_output_contents) == len(response.outputs) == 2
    decoded = codec.decode_infer_outputs(response)
    for name, array in outputs.items():
        assert_same(decoded[name], array)


def test_encode_appends_to_existing_outputs() -> None:
    response = oip.ModelInferResponse()
    codec.encode_infer_outputs(response, {"a": sample("INT32")})
    codec.encode_infer_outputs(response, {"b": sample("BYTES")}, raw=False)  # stays raw
    assert [o.name for o in response.outputs] == ["a", "b"]
    assert len(response.raw_output_contents) == 2
    assert set(codec.decode_infer_outputs(response)) == {"a", "b"}


def test_decode_many_inputs_by_index() -> None:
    arrays = {d: sample(d, (3,)) for d in DATATYPES}
    request = oip.ModelInferRequest()
    for name, array in arrays.items():
        request.inputs.add(name=name, datatype=name, shape=list(array.shape))
        request.raw_input_contents.append(codec.to_raw(array))
    decoded = codec.decode_infer_inputs(request)
    assert list(decoded) == list(arrays)
    for name, array in arrays.items():
        assert_same(decoded[name], array)


# zero copy, byte order, layout


@pytest.mark.parametrize("datatype", NUMERIC)
def test_from_raw_is_zero_copy(datatype: str) -> None:
    data = codec.to_raw(sample(datatype, (4, 2)))
    source = np.frombuffer(data, dtype=np.uint8)
    array = codec.from_raw(datatype, [4, 2], data)
    assert np.shares_memory(array, source)
    assert not array.flags.writeable  # a view of immutable bytes
    buffer = bytearray(data)
    writable = codec.from_raw(datatype, [4, 2], buffer)
    assert np.shares_memory(writable, np.frombuffer(buffer, dtype=np.uint8))
    assert writable.flags.writeable
    assert np.shares_memory(codec.from_raw(datatype, [8], memoryview(buffer)), writable)


def test_tensor_to_array_views_tensor_data() -> None:
    pb = codec.array_to_tensor("t", np.arange(6, dtype=np.float32))
    array = codec.tensor_to_array(pb)
    assert not array.flags.writeable
    assert array.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_to_raw_is_little_endian_row_major() -> None:
    little = np.arange(12, dtype="<i4").reshape(3, 4)
    data = codec.to_raw(little)
    assert data[:8] == b"\x00\x00\x00\x00\x01\x00\x00\x00"
    assert codec.to_raw(little.astype(">i4")) == data
    assert codec.to_raw(np.asfortranarray(little)) == data
    assert codec.to_raw(little.T) == codec.to_raw(np.ascontiguousarray(little.T))
    assert codec.to_raw(little[:, ::2]) == codec.to_raw(little[:, ::2].copy())
    assert codec.to_raw(np.array([1.0], dtype=">f8")) == np.array([1.0], "<f8").tobytes()


def test_from_raw_accepts_shape_types() -> None:
    data = codec.to_raw(np.arange(6, dtype=np.int64))
    assert codec.from_raw("INT64", np.array([2, 3]), data).shape == (2, 3)
    assert codec.from_raw("INT64", (6,), data).shape == (6,)


# BYTES


def test_bytes_raw_layout() -> None:
    array = np.array([b"ab", b"", b"\xff"], dtype=object)
    assert codec.to_raw(array) == b"\x02\x00\x00\x00ab\x00\x00\x00\x00\x01\x00\x00\x00\xff"


def test_bytes_accepts_str_and_numpy_strings() -> None:
    want = codec.to_raw(np.array([b"a", "\u00e9".encode(), b""], dtype=object))
    assert codec.to_raw(np.array(["a", "\u00e9", ""], dtype=object)) == want
    assert codec.to_raw(np.array(["a", "\u00e9", ""])) == want  # 'U'
    assert codec.to_raw(np.array([b"a", "\u00e9".encode(), b""])) == want  # 'S'
    got = codec.tensor_to_array(codec.array_to_tensor("t", np.array([["x", "y"]])))
    assert got.dtype == object
    assert got.tolist() == [[b"x", b"y"]]


def test_bytes_rejects_other_objects() -> None:
    with pytest.raises(InvalidArgument, match=r"'t'.*bytes or str, not int"):
        codec.to_raw(np.array([b"a", 3], dtype=object), name="t")


def test_json_bytes_utf8_as_strings() -> None:
    body = codec_json.array_to_json("s", np.array([b"hi", b"", "\u2603".encode()], dtype=object))
    assert body["data"] == ["hi", "", "\u2603"]
    assert "parameters" not in body
    assert codec_json.json_to_array("s", "BYTES", [3], body["data"]).tolist() == [
        b"hi",
        b"",
        "\u2603".encode(),
    ]


def test_json_bytes_non_utf8_as_base64() -> None:
    body = codec_json.array_to_json("b", np.array([b"\xff\x00", b"ok"], dtype=object))
    assert body["data"] == ["/wA=", "b2s="]
    assert body["parameters"] == {"binary_data_encoding": "base64"}


def test_json_nested_data_and_values() -> None:
    got = codec_json.json_to_array("t", "INT32", [2, 2], [[1, 2], [3, 4]])
    assert got.dtype == np.int32
    assert got.tolist() == [[1, 2], [3, 4]]
    assert codec_json.json_to_array("b", "BOOL", [2], [True, False]).tolist() == [True, False]
    assert codec_json.json_to_array("s", "FP32", [], [2.5]).shape == ()
    assert codec_json.json_to_array("s", "FP64", [], 2.5).tolist() == 2.5
    assert codec_json.json_to_array("f", "FP32", [2], [1, 2.5]).tolist() == [1.0, 2.5]
    body = codec_json.array_to_json("h", np.array([1.5, 2], dtype=np.float16))
    assert body["data"] == [1.5, 2.0]
    assert all(type(v) is float for v in body["data"])
    bf = codec_json.array_to_json("b", np.array([1.5], dtype=ml_dtypes.bfloat16))
    assert bf == {"name": "b", "datatype": "BF16", "shape": [1], "data": [1.5]}
    assert type(bf["data"][0]) is float


# tritonclient interoperability


@pytest.mark.parametrize(
    "values",
    [[b"a", b"", b"\xff\xfe\x00"], [b""], ["str", "\u00e9"], [b"x" * 1000, b"y"]],
    ids=["mixed", "empty", "str", "long"],
)
def test_triton_byte_tensor_format_agrees(values: list[Any]) -> None:
    array = np.array(values, dtype=object).reshape(len(values), 1)
    ours = codec.to_raw(array)
    assert serialize_byte_tensor(array).item() == ours
    theirs = deserialize_bytes_tensor(ours)
    expected = [v.encode() if isinstance(v, str) else v for v in values]
    assert theirs.tolist() == expected
    assert codec.from_raw("BYTES", [len(values), 1], ours).reshape(-1).tolist() == expected


def test_triton_empty_byte_tensor() -> None:
    array = np.empty((0, 2), dtype=object)
    assert serialize_byte_tensor(array).size == 0
    assert codec.to_raw(array) == b""
    assert codec.from_raw("BYTES", [0, 2], b"").shape == (0, 2)


@pytest.mark.parametrize("datatype", NUMERIC)
def test_triton_numeric_raw_agrees(datatype: str) -> None:
    array = sample(datatype, (3, 2))
    assert codec.to_raw(array) == array.tobytes()  # what set_data_from_numpy sends


# tritonclient.grpc registers its own "inference.*" messages in the default protobuf
# descriptor pool, which clash with ours; so it builds the requests in a child process.
_TRITON_CHILD = textwrap.dedent(
    """
    import pickle, sys
    import tritonclient.grpc as grpcclient
    from tritonclient.grpc import _utils

    arrays = pickle.load(open(sys.argv[1], "rb"))
    inputs = []
    for name, (datatype, array) in arrays.items():
        infer_input = grpcclient.InferInput(name, list(array.shape), datatype)
        infer_input.set_data_from_numpy(array)
        inputs.append(infer_input)
    if hasattr(_utils, "_get_inference_request"):
        request = _utils._get_inference_request(
            model_name="m", inputs=inputs, model_version="", request_id="",
            outputs=None, sequence_id=0, sequence_start=False, sequence_end=False,
            priority=0, timeout=None, parameters=None,
        )
    else:
        request = grpcclient.service_pb2.ModelInferRequest(model_name="m")
        for infer_input in inputs:
            request.inputs.append(infer_input._get_tensor())
            request.raw_input_contents.append(infer_input._get_content())
    open(sys.argv[2], "wb").write(request.SerializeToString())
    """
)
TRITON_SHAPES = [(2, 3), (), (0,)]


@pytest.fixture(scope="module")
def triton_request(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Any]:
    arrays = {
        f"{d}_{i}": (d, sample(d, shape))
        for d in DATATYPES
        for i, shape in enumerate(TRITON_SHAPES)
    }
    folder: Path = tmp_path_factory.mktemp("triton")
    (folder / "arrays.pkl").write_bytes(pickle.dumps(arrays))
    subprocess.run(
        [sys.executable, "-c", _TRITON_CHILD, str(folder / "arrays.pkl"), str(folder / "req.bin")],
        check=True,
        timeout=60,
    )
    request = oip.ModelInferRequest.FromString((folder / "req.bin").read_bytes())
    return arrays, request


@pytest.mark.parametrize("datatype", DATATYPES)
def test_triton_grpc_request_decodes(
    datatype: str, triton_request: tuple[dict[str, Any], Any]
) -> None:
    arrays, request = triton_request
    decoded = codec.decode_infer_inputs(request)
    assert len(request.raw_input_contents) == len(request.inputs) == len(arrays)
    for i in range(len(TRITON_SHAPES)):
        name = f"{datatype}_{i}"
        assert request.inputs[list(arrays).index(name)].datatype == datatype
        assert_same(decoded[name], arrays[name][1])


# errors


def test_from_raw_size_mismatch_names_everything() -> None:
    with pytest.raises(InvalidArgument) as info:
        codec.from_raw("FP32", [2, 3], b"\x00" * 20, name="pixels")
    message = str(info.value)
    for part in ("'pixels'", "FP32", "[2, 3]", "24 bytes", "got 20"):
        assert part in message
    assert info.value.details["tensor"] == "pixels"


@pytest.mark.parametrize("datatype", DATATYPES)
def test_negative_dims_rejected(datatype: str) -> None:
    with pytest.raises(InvalidArgument, match="negative dimension"):
        codec.from_raw(datatype, [2, -1], b"", name="t")
    with pytest.raises(InvalidArgument, match="negative dimension"):
        codec_json.json_to_array("t", datatype, [-2], [])
    request = oip.ModelInferRequest()
    request.inputs.add(name="t", datatype=datatype, shape=[-1])
    with pytest.raises(InvalidArgument, match="negative dimension"):
        codec.decode_infer_inputs(request)


@pytest.mark.parametrize(
    ("data", "shape", "problem"),
    [
        (b"\x01\x00", [1], "truncated length prefix"),
        (b"\x05\x00\x00\x00ab", [1], "needs 5 bytes, only 2 remain"),
        (b"\x01\x00\x00\x00a\x00", [1], "1 bytes after 1 elements"),
        (b"\x01\x00\x00\x00a", [2], "cannot hold 2 elements: a truncated length prefix"),
        (b"\xff\xff\xff\xff", [1], "needs 4294967295 bytes"),
        (b"\x00\x00\x00\x00", [0], "4 bytes after 0 elements"),
    ],
)
def test_malformed_bytes_rejected(data: bytes, shape: list[int], problem: str) -> None:
    with pytest.raises(InvalidArgument, match=f"'s'.*{problem}"):
        codec.from_raw("BYTES", shape, data, name="s")


@pytest.mark.parametrize("shape", [["2"], [1.5], None, [[1]]])
def test_non_integer_shape_rejected(shape: Any) -> None:
    with pytest.raises(InvalidArgument, match=r"'t'.*must be a list of integers"):
        codec.from_raw("UINT8", shape, b"\x00\x00", name="t")
    with pytest.raises(InvalidArgument, match=r"'t'.*must be a list of integers"):
        codec_json.json_to_array("t", "UINT8", shape, [0, 0])


def test_from_raw_rejects_unknown_datatype_and_bad_buffer() -> None:
    with pytest.raises(InvalidArgument, match="unknown datatype"):
        codec.from_raw("COMPLEX64", [1], b"\x00" * 8)
    strided = memoryview(np.arange(8, dtype=np.uint8))[::2]
    with pytest.raises(InvalidArgument, match="contiguous"):
        codec.from_raw("UINT8", [4], strided)


def _request(*inputs: tuple[str, str, list[int]]) -> Any:
    request = oip.ModelInferRequest()
    for name, datatype, shape in inputs:
        request.inputs.add(name=name, datatype=datatype, shape=shape)
    return request


def test_decode_rejects_mixed_raw_and_typed() -> None:
    request = _request(("a", "INT32", [1]), ("b", "INT32", [1]))
    request.inputs[1].contents.int_contents.append(7)
    request.raw_input_contents.extend([b"\x01\x00\x00\x00", b""])
    with pytest.raises(InvalidArgument, match=r"'b'.*mixes raw"):
        codec.decode_infer_inputs(request)


def test_decode_rejects_raw_count_mismatch() -> None:
    request = _request(("a", "INT32", [1]), ("b", "INT32", [1]))
    request.raw_input_contents.append(b"\x01\x00\x00\x00")
    with pytest.raises(InvalidArgument, match="2 input tensors but 1 raw contents"):
        codec.decode_infer_inputs(request)


@pytest.mark.parametrize("raw", [True, False])
def test_decode_rejects_duplicate_names(raw: bool) -> None:
    request = _request(("a", "INT32", [1]), ("a", "INT32", [1]))
    if raw:
        request.raw_input_contents.extend([b"\x01\x00\x00\x00"] * 2)
    else:
        for tensor in request.inputs:
            tensor.contents.int_contents.append(1)
    with pytest.raises(InvalidArgument, match=r"'a'.*duplicate input"):
        codec.decode_infer_inputs(request)


def test_decode_rejects_unnamed_input() -> None:
    request = _request(("", "INT32", [0]))
    with pytest.raises(InvalidArgument, match="input tensor 0 has no name"):
        codec.decode_infer_inputs(request)


@pytest.mark.parametrize("datatype", [d for d in DATATYPES if d not in ("FP16", "BF16")])
def test_decode_rejects_typed_count_mismatch(datatype: str) -> None:
    response = oip.ModelInferResponse()
    codec.encode_infer_outputs(response, {"t": sample(datatype, (3,))}, raw=False)
    request = as_request(response)
    request.inputs[0].shape[:] = [2, 2]
    with pytest.raises(InvalidArgument, match=r"'t'.*\[2, 2\] needs 4 elements, got 3"):
        codec.decode_infer_inputs(request)


def test_decode_rejects_missing_typed_data() -> None:
    with pytest.raises(InvalidArgument, match="needs 2 elements, got 0"):
        codec.decode_infer_inputs(_request(("t", "FP32", [2])))


def test_decode_raw_size_mismatch() -> None:
    request = _request(("t", "INT64", [2]))
    request.raw_input_contents.append(b"\x00" * 12)
    with pytest.raises(InvalidArgument, match=r"'t'.*INT64.*needs 16 bytes, got 12"):
        codec.decode_infer_inputs(request)


@pytest.mark.parametrize("datatype", ["FP16", "BF16"])
def test_decode_rejects_typed_half_precision(datatype: str) -> None:
    request = _request(("h", datatype, [1]))
    request.inputs[0].contents.fp32_contents.append(1.0)
    with pytest.raises(InvalidArgument, match="no typed contents"):
        codec.decode_infer_inputs(request)


def test_decode_rejects_wrong_typed_field_and_range() -> None:
    request = _request(("t", "FP32", [1]))
    request.inputs[0].contents.int_contents.append(1)
    with pytest.raises(InvalidArgument, match="must be in fp32_contents, not int_contents"):
        codec.decode_infer_inputs(request)
    request = _request(("t", "INT8", [1]))
    request.inputs[0].contents.int_contents.append(300)
    with pytest.raises(InvalidArgument, match="out of range for INT8"):
        codec.decode_infer_inputs(request)
    request = _request(("t", "UINT16", [1]))
    request.inputs[0].contents.uint_contents.append(70000)
    with pytest.raises(InvalidArgument, match="out of range for UINT16"):
        codec.decode_infer_inputs(request)
    request = _request(("t", "STRING", [1]))
    request.inputs[0].contents.bytes_contents.append(b"x")
    with pytest.raises(InvalidArgument, match="unknown datatype 'STRING'"):
        codec.decode_infer_inputs(request)


def test_encode_rejects_bad_outputs() -> None:
    response = oip.ModelInferResponse()
    with pytest.raises(InvalidArgument, match=r"'c'.*complex"):
        codec.encode_infer_outputs(response, {"c": np.zeros(2, dtype=np.complex64)})
    codec.encode_infer_outputs(response, {"a": np.zeros(2)})
    with pytest.raises(InvalidArgument, match=r"'a'.*duplicate output"):
        codec.encode_infer_outputs(response, {"a": np.zeros(2)})
    typed = oip.ModelInferResponse()
    codec.encode_infer_outputs(typed, {"a": np.zeros(2)}, raw=False)
    with pytest.raises(InvalidArgument, match="typed outputs"):
        codec.encode_infer_outputs(typed, {"b": np.zeros(2)})


@pytest.mark.parametrize(
    ("datatype", "shape", "data", "problem"),
    [
        ("FP32", [2, 2], [1.0, 2.0, 3.0], r"\[2, 2\] needs 4 elements, got 3"),
        ("FP32", [], [], r"\[\] needs 1 elements, got 0"),
        ("BOOL", [2], [1, 0], "true/false"),
        ("INT32", [1], [1.5], "integers"),
        ("INT32", [1], [True], "integers"),
        ("UINT8", [1], [256], "out of range for UINT8"),
        ("INT64", [1], [-(2**63) - 1], "out of range for INT64"),
        ("FP64", [1], ["1.0"], "numbers"),
        ("FP64", [1], [10**400], "out of range for FP64"),
        ("FP32", [1], [None], "numbers"),
        ("BYTES", [1], [1], "must be strings"),
        ("XYZ", [1], [1], "unknown datatype"),
    ],
)
def test_json_to_array_rejects(datatype: str, shape: list[int], data: Any, problem: str) -> None:
    with pytest.raises(InvalidArgument, match=f"'j'.*{problem}"):
        codec_json.json_to_array("j", datatype, shape, data)


def test_json_to_array_rejects_bad_base64() -> None:
    with pytest.raises(InvalidArgument, match="not valid base64"):
        codec_json.json_to_array(
            "j", "BYTES", [1], ["@@@"], parameters={"binary_data_encoding": "base64"}
        )
