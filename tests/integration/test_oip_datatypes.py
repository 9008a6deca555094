"""Every OIP datatype through a real ONNX model, over every OIP transport.

The models are graphs of Identity nodes, ``in_<DT>`` -> ``out_<DT>`` for each
datatype, published to the in-process mesh and run by onnxruntime in the
executor. Values must come back exactly: compared as bit patterns, so NaN
(with a payload, on the binary paths), infinities, -0.0 and subnormals count.

BF16 has a model of its own (with FP32 and INT64 beside it): onnxruntime's
Python API cannot run a model that takes strings and returns bfloat16
(docs/oip.md), and a test of that refusal is below.
"""

from __future__ import annotations

import json
from typing import Any

import grpc
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common.codec import dtype_for, from_raw, json_to_array, to_raw
from dlhub_common.metadata import DATATYPE_TO_ITEM_TYPE

from .conftest import RPC_TIMEOUT_S, Array, Mesh

ONNX_TYPES = {
    "BOOL": TensorProto.BOOL,
    "UINT8": TensorProto.UINT8,
    "UINT16": TensorProto.UINT16,
    "UINT32": TensorProto.UINT32,
    "UINT64": TensorProto.UINT64,
    "INT8": TensorProto.INT8,
    "INT16": TensorProto.INT16,
    "INT32": TensorProto.INT32,
    "INT64": TensorProto.INT64,
    "FP16": TensorProto.FLOAT16,
    "FP32": TensorProto.FLOAT,
    "FP64": TensorProto.DOUBLE,
    "BF16": TensorProto.BFLOAT16,
    "BYTES": TensorProto.STRING,
}
SHAPE = [2, 3]
# model name -> the datatypes it passes through
MODELS = {
    "dtypes": [dt for dt in ONNX_TYPES if dt != "BF16"],
    "dtypes-bf16": ["BF16", "FP32", "INT64"],
    "bytes-and-bf16": ["BYTES", "BF16"],  # cannot return BF16: see the refusal test
}
RUNNABLE = ["dtypes", "dtypes-bf16"]


def identity_onnx(datatypes: list[str]) -> bytes:
    """One Identity node per datatype; the first axis is dynamic."""
    nodes, inputs, outputs = [], [], []
    for dt in datatypes:
        elem = ONNX_TYPES[dt]
        nodes.append(helper.make_node("Identity", [f"in_{dt}"], [f"out_{dt}"]))
        inputs.append(helper.make_tensor_value_info(f"in_{dt}", elem, ["N", 3]))
        outputs.append(helper.make_tensor_value_info(f"out_{dt}", elem, ["N", 3]))
    graph = helper.make_graph(nodes, "dtypes", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def identity_metadata(name: str, datatypes: list[str]) -> dict[str, Any]:
    def block(prefix: str) -> dict[str, Any]:
        return {
            "type": "dict",
            "properties": {
                f"{prefix}_{dt}": {
                    "type": "ndarray",
                    "shape": [None, 3],
                    "item_type": {"type": DATATYPE_TO_ITEM_TYPE[dt]},
                }
                for dt in datatypes
            },
        }

    return {
        "datacite": {
            "creators": [{"name": "Tester, Alice"}],
            "titles": [{"title": "Identity for every OIP datatype"}],
        },
        "dlhub": {"name": name, "visible_to": ["public"], "files": {"model": "model.onnx"}},
        "servable": {
            "type": "onnx",
            "methods": {"run": {"input": block("in"), "output": block("out")}},
        },
    }


def _bits(dt: str, patterns: list[int]) -> Array:
    """Floats from their bit patterns (exact NaN payloads, -0.0, subnormals)."""
    width = {"FP16": np.uint16, "BF16": np.uint16, "FP32": np.uint32, "FP64": np.uint64}[dt]
    return np.array(patterns, dtype=width).view(dtype_for(dt)).reshape(SHAPE)


def values(model: str, *, nan_payloads: bool) -> dict[str, Array]:
    """Edge values of every datatype, shape [2, 3].

    ``nan_payloads``: quiet NaNs with payload bits. JSON has one NaN, so the
    JSON path gets the canonical quiet NaN only.
    """
    out: dict[str, Array] = {"BOOL": np.array([[True, False, True], [False, False, True]])}
    for dt in ("UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64"):
        info = np.iinfo(dtype_for(dt))
        row = [info.min, info.max, 0, 1, info.max - 1, info.min + 1]
        if info.min < 0:
            row[3] = -1
        out[dt] = np.array(row, dtype=dtype_for(dt)).reshape(SHAPE)
    # NaN, +Inf, -Inf, -0.0, smallest subnormal, largest finite
    out["FP16"] = _bits(
        "FP16", [0x7E01 if nan_payloads else 0x7E00, 0x7C00, 0xFC00, 0x8000, 1, 0x7BFF]
    )
    out["BF16"] = _bits(
        "BF16", [0x7FC1 if nan_payloads else 0x7FC0, 0x7F80, 0xFF80, 0x8000, 1, 0x7F7F]
    )
    out["FP32"] = _bits(
        "FP32",
        [
            0x7FC00123 if nan_payloads else 0x7FC00000,
            0x7F800000,
            0xFF800000,
            0x80000000,
            1,
            0x7F7FFFFF,
        ],
    )
    out["FP64"] = _bits(
        "FP64",
        [
            0x7FF8000000000ABC if nan_payloads else 0x7FF8000000000000,
            0x7FF0000000000000,
            0xFFF0000000000000,
            0x8000000000000000,
            1,
            0x7FEFFFFFFFFFFFFF,
        ],
    )
    words = [
        b"a",
        b"",
        "\u00e9t\u00e9".encode(),
        b"nul\x00inside",
        b"x" * 300,
        "\u65e5\u672c".encode(),
    ]
    out["BYTES"] = np.array(words, dtype=object).reshape(SHAPE)
    return {dt: out[dt] for dt in MODELS[model]}


def assert_exact(sent: dict[str, Array], got: dict[str, Array]) -> None:
    """Same datatypes, shapes and bit patterns (BYTES: same byte strings)."""
    problems = []
    for dt, want in sent.items():
        have = got.get(f"out_{dt}")
        if have is None:
            problems.append(f"{dt}: missing")
            continue
        if have.shape != want.shape:
            problems.append(f"{dt}: shape {have.shape} != {want.shape}")
        elif dt == "BYTES":
            if have.tolist() != want.tolist():
                problems.append(f"{dt}: {have.tolist()} != {want.tolist()}")
        elif have.dtype != want.dtype or have.tobytes() != want.tobytes():
            problems.append(f"{dt}: {have.dtype} {have.tobytes().hex()} != {want.tobytes().hex()}")
    assert not problems, "; ".join(problems)


@pytest.fixture
async def dtypes_mesh(mesh: Mesh) -> Mesh:
    for name, datatypes in MODELS.items():
        files = {"model.onnx": identity_onnx(datatypes)}
        await mesh.publish(identity_metadata(name, datatypes), files)
    return mesh


def model_name(model: str) -> str:
    return f"alice.{model}"


def grpc_request(model: str, sent: dict[str, Array]) -> oip.ModelInferRequest:
    request = oip.ModelInferRequest(model_name=model_name(model), id="dtypes")
    for dt, array in sent.items():
        request.inputs.add(name=f"in_{dt}", datatype=dt, shape=SHAPE)
        request.raw_input_contents.append(to_raw(array))
    return request


async def test_metadata_lists_every_datatype(dtypes_mesh: Mesh) -> None:
    seen: set[str] = set()
    for model in RUNNABLE:
        meta = await dtypes_mesh.oip.ModelMetadata(
            oip.ModelMetadataRequest(name=model_name(model)), timeout=RPC_TIMEOUT_S
        )
        want = MODELS[model]
        assert {t.name: t.datatype for t in meta.inputs} == {f"in_{dt}": dt for dt in want}
        assert {t.name: list(t.shape) for t in meta.outputs} == {
            f"out_{dt}": [-1, 3] for dt in want
        }
        seen.update(want)
    assert seen == set(ONNX_TYPES)


@pytest.mark.parametrize("model", RUNNABLE)
async def test_grpc_raw_contents_round_trip(dtypes_mesh: Mesh, model: str) -> None:
    sent = values(model, nan_payloads=True)
    request = grpc_request(model, sent)
    response = await dtypes_mesh.oip.ModelInfer(
        request, metadata=dtypes_mesh.md(), timeout=RPC_TIMEOUT_S
    )
    assert len(response.raw_output_contents) == len(response.outputs) == len(sent)
    got = {
        t.name: from_raw(t.datatype, t.shape, raw, name=t.name)
        for t, raw in zip(response.outputs, response.raw_output_contents, strict=True)
    }
    assert {t.name: t.datatype for t in response.outputs} == {f"out_{dt}": dt for dt in sent}
    assert_exact(sent, got)


@pytest.mark.parametrize("model", RUNNABLE)
async def test_rest_binary_extension_round_trip(dtypes_mesh: Mesh, model: str) -> None:
    sent = values(model, nan_payloads=True)
    blobs = {dt: to_raw(a) for dt, a in sent.items()}
    header = {
        "inputs": [
            {
                "name": f"in_{dt}",
                "datatype": dt,
                "shape": SHAPE,
                "parameters": {"binary_data_size": len(blobs[dt])},
            }
            for dt in sent
        ],
        "outputs": [{"name": f"out_{dt}", "parameters": {"binary_data": True}} for dt in sent],
    }
    head = json.dumps(header).encode()
    resp = await dtypes_mesh.http.post(
        f"/v2/models/{model_name(model)}/infer",
        content=head + b"".join(blobs.values()),
        headers={
            "inference-header-content-length": str(len(head)),
            "content-type": "application/octet-stream",
        },
    )
    assert resp.status_code == 200, resp.text
    length = int(resp.headers["inference-header-content-length"])
    body = json.loads(resp.content[:length])
    tail, got = memoryview(resp.content)[length:], {}
    for out in body["outputs"]:
        size = out["parameters"]["binary_data_size"]
        got[out["name"]] = from_raw(out["datatype"], out["shape"], tail[:size], name=out["name"])
        tail = tail[size:]
    assert len(tail) == 0
    assert_exact(sent, got)


def _json_data(dt: str, array: Array) -> list[Any]:
    if dt == "BYTES":
        return [b.decode() for b in array.reshape(-1)]
    if dt == "BF16":
        return array.astype(np.float32).reshape(-1).tolist()  # type: ignore[no-any-return]
    return array.reshape(-1).tolist()  # type: ignore[no-any-return]


@pytest.mark.parametrize("model", RUNNABLE)
async def test_rest_json_round_trip(dtypes_mesh: Mesh, model: str) -> None:
    sent = values(model, nan_payloads=False)
    body = {
        "inputs": [
            {"name": f"in_{dt}", "datatype": dt, "shape": SHAPE, "data": _json_data(dt, a)}
            for dt, a in sent.items()
        ]
    }
    # NaN and Infinity as JSON's common extension (Python's json, JavaScript's literals)
    resp = await dtypes_mesh.http.post(
        f"/v2/models/{model_name(model)}/infer",
        content=json.dumps(body),
        headers={"content-type": "application/json"},
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    outputs = json.loads(resp.text)["outputs"]
    got = {
        o["name"]: json_to_array(
            o["name"], o["datatype"], o["shape"], o["data"], parameters=o.get("parameters")
        )
        for o in outputs
    }
    assert {o["name"]: o["datatype"] for o in outputs} == {f"out_{dt}": dt for dt in sent}
    assert_exact(sent, got)


async def test_bytes_are_not_python_reprs(dtypes_mesh: Mesh) -> None:
    """The original bug: b"a" came back as "b'a'" from a string model."""
    model = "dtypes"
    sent = values(model, nan_payloads=False)
    sent["BYTES"] = np.array([b"a", b"b", b"c", b"d", b"e", b"f"], dtype=object).reshape(SHAPE)
    body = {
        "inputs": [
            {"name": f"in_{dt}", "datatype": dt, "shape": SHAPE, "data": _json_data(dt, a)}
            for dt, a in sent.items()
        ],
        "outputs": [{"name": "out_BYTES"}],
    }
    resp = await dtypes_mesh.http.post(
        f"/v2/models/{model_name(model)}/infer", content=json.dumps(body)
    )
    assert resp.status_code == 200, resp.text
    [out] = resp.json()["outputs"]
    assert out["data"] == ["a", "b", "c", "d", "e", "f"]


async def test_non_utf8_bytes_to_a_string_model_are_refused(dtypes_mesh: Mesh) -> None:
    sent = values("dtypes", nan_payloads=False)
    sent["BYTES"] = np.array([b"ok", b"\xff\xfe", b"", b"", b"", b""], dtype=object).reshape(SHAPE)
    request = grpc_request("dtypes", sent)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await dtypes_mesh.oip.ModelInfer(request, metadata=dtypes_mesh.md(), timeout=RPC_TIMEOUT_S)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    message = info.value.details() or ""
    assert "in_BYTES" in message
    assert "UTF-8" in message


async def test_strings_in_bfloat16_out_is_refused_by_name(dtypes_mesh: Mesh) -> None:
    """onnxruntime's Python API cannot make string OrtValues, which reading bfloat16 needs."""
    sent = values("bytes-and-bf16", nan_payloads=False)
    request = grpc_request("bytes-and-bf16", sent)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await dtypes_mesh.oip.ModelInfer(request, metadata=dtypes_mesh.md(), timeout=RPC_TIMEOUT_S)
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "out_BF16" in (info.value.details() or "")
    # its other output still runs
    request.outputs.add(name="out_BYTES")
    response = await dtypes_mesh.oip.ModelInfer(
        request, metadata=dtypes_mesh.md(), timeout=RPC_TIMEOUT_S
    )
    [out] = response.outputs
    got = from_raw(out.datatype, out.shape, response.raw_output_contents[0])
    assert got.tolist() == sent["BYTES"].tolist()
