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
import pytest

from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common.codec import from_raw, to_raw
from dlhub_common.codec_json import json_to_array
from tests.identity_models import (
    ONNX_TYPES,
    SHAPE,
    Array,
    edge_values,
    identity_metadata,
    identity_onnx,
)

from .conftest import RPC_TIMEOUT_S, Mesh

# model name -> the datatypes it passes through
MODELS = {
    "dtypes": [dt for dt in ONNX_TYPES if dt != "BF16"],
    "dtypes-bf16": ["BF16", "FP32", "INT64"],
    "bytes-and-bf16": ["BYTES", "BF16"],  # cannot return BF16: see the refusal test
    # the datatypes with typed InferTensorContents (FP16 and BF16 travel raw only)
    "dtypes-typed": [dt for dt in ONNX_TYPES if dt not in ("FP16", "BF16")],
}
RUNNABLE = ["dtypes", "dtypes-bf16"]


def values(model: str, *, nan_payloads: bool) -> dict[str, Array]:
    sent = edge_values(nan_payloads=nan_payloads)
    return {dt: sent[dt] for dt in MODELS[model]}


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


# InferTensorContents field of each datatype that has one (FP16 and BF16 travel raw only)
TYPED_FIELDS = {
    "BOOL": "bool_contents",
    "UINT8": "uint_contents",
    "UINT16": "uint_contents",
    "UINT32": "uint_contents",
    "UINT64": "uint64_contents",
    "INT8": "int_contents",
    "INT16": "int_contents",
    "INT32": "int_contents",
    "INT64": "int64_contents",
    "FP32": "fp32_contents",
    "FP64": "fp64_contents",
    "BYTES": "bytes_contents",
}


async def test_grpc_typed_contents_round_trip(dtypes_mesh: Mesh) -> None:
    """Typed contents in, raw contents out: the same values, bit for bit."""
    sent = values("dtypes-typed", nan_payloads=True)
    assert set(sent) == set(TYPED_FIELDS)
    request = oip.ModelInferRequest(model_name=model_name("dtypes-typed"))
    for dt, array in sent.items():
        tensor = request.inputs.add(name=f"in_{dt}", datatype=dt, shape=SHAPE)
        getattr(tensor.contents, TYPED_FIELDS[dt]).extend(array.reshape(-1).tolist())
        request.outputs.add(name=f"out_{dt}")
    response = await dtypes_mesh.oip.ModelInfer(
        request, metadata=dtypes_mesh.md(), timeout=RPC_TIMEOUT_S
    )
    got = {
        t.name: from_raw(t.datatype, t.shape, raw, name=t.name)
        for t, raw in zip(response.outputs, response.raw_output_contents, strict=True)
    }
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
