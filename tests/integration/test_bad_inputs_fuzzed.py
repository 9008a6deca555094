"""Regression tests for the inputs a REST fuzzer and a gRPC review found answering
500 / INTERNAL (issue #8): each is now a 4xx / INVALID_ARGUMENT naming the
field, no traceback, and nothing is queued. NaN and infinite model outputs are
legal: JSON spells them "NaN" / "Infinity" / "-Infinity", binary keeps the bits.

(The other bad-input tests are in test_bad_inputs.py.)
"""

from __future__ import annotations

import json
import logging
import tracemalloc
from typing import Any

import grpc
import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common.codec import array_to_tensor
from dlhub_common.errors import DLHubError
from dlhub_common.rpc.errors import error_from_rpc

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel

InferInput = oip.ModelInferRequest.InferInputTensor
BIG = 2**64 + 1  # past int64 and uint64
TRACEBACK = "Traceback (most recent call last)"


@pytest.fixture
async def published(mesh: Mesh, tiny: TinyModel) -> Mesh:
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    return mesh


def bad_request(resp: Any, *names: str, status: int = 400) -> dict[str, Any]:
    """A JSON error body with ``status`` whose message names every one of ``names``."""
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert set(body) == {"error", "code", "details"}
    for name in names:
        assert name in body["error"], body["error"]
    return body


async def grpc_refused(call: Any, status: grpc.StatusCode) -> DLHubError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    assert info.value.code() is status, f"{info.value.code()}: {info.value.details()}"
    return error_from_rpc(info.value)


def x_rows(*rows: list[Any]) -> dict[str, Any]:
    return {"X": {"datatype": "FP32", "shape": [len(rows), 4], "data": list(rows)}}


# ================================================== integers past int64/uint64


async def test_offset_past_int64(published: Mesh, caplog: pytest.LogCaptureFixture) -> None:
    m = published
    with caplog.at_level(logging.ERROR):
        resp = await m.http.get(f"/api/v1/search?offset={BIG}")
        bad_request(resp, "offset")
        created = await m.http.post(
            "/api/v1/uploads", json={"size": 3, "sha256": "0" * 64}, headers=m.headers()
        )
        upload = created.json()["upload_id"]
        resp = await m.http.put(
            f"/api/v1/uploads/{upload}?offset={BIG}", content=b"abc", headers=m.headers()
        )
        bad_request(resp, "offset")
    assert TRACEBACK not in caplog.text


@pytest.mark.parametrize("version", [str(BIG), str(2**63), "9" * 400])
async def test_version_past_int64(published: Mesh, version: str) -> None:
    m = published
    bad_request(await m.http.get(f"/api/v1/servables/alice/tiny?version={version}"), "version")
    bad_request(await m.http.get(f"/v2/models/alice.tiny/versions/{version}"), "version")
    body = {"inputs": {"X": [[1, 2, 3, 4]]}, "version": int(version)}
    bad_request(await m.http.post("/api/v1/servables/alice/tiny/run", json=body), "version")
    resp = await m.http.post(
        "/api/v1/servables/alice/tiny/deprecate",
        json={"version": int(version), "reason": "x"},
        headers=m.headers(),
    )
    bad_request(resp, "version")
    # OIP gRPC: model_version is a string; past int64 is refused, not INTERNAL
    err = await grpc_refused(
        m.oip.ModelInfer(
            oip.ModelInferRequest(
                model_name="alice.tiny",
                model_version=version,
                inputs=[InferInput(name="X", datatype="FP32", shape=[1, 4])],
                raw_input_contents=[np.ones((1, 4), np.float32).tobytes()],
            ),
            metadata=m.md(),
            timeout=RPC_TIMEOUT_S,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "invalid version" in err.message
    assert len(err.message) < 200  # the 400-digit version is cut


async def test_upload_size_past_int64(published: Mesh) -> None:
    m = published
    resp = await m.http.post(
        "/api/v1/uploads", json={"size": BIG, "sha256": "0" * 64}, headers=m.headers()
    )
    bad_request(resp, "size")


@pytest.mark.parametrize("dims", [[BIG, 4], [2**63, 4], [2**62, 4]])
async def test_shape_dims_past_the_limits(published: Mesh, dims: list[int]) -> None:
    m = published
    tasks = await m.task_count()
    tensor = {"name": "X", "datatype": "FP32", "shape": dims, "data": [1.0] * 4}
    resp = await m.http.post("/v2/models/alice.tiny/infer", json={"inputs": [tensor]})
    bad_request(resp, "shape")
    run = {"inputs": {"X": {"datatype": "FP32", "shape": dims, "data": [1.0] * 4}}}
    bad_request(await m.http.post("/api/v1/servables/alice/tiny/run", json=run), "shape")
    assert await m.task_count() == tasks


@pytest.mark.parametrize(
    ("field", "request_fields"),
    [
        ("servable.version", {"version": -1}),
        ("timeout_s", {"timeout_s": float("nan")}),
        ("timeout_s", {"timeout_s": float("inf")}),
        ("timeout_s", {"timeout_s": -5.0}),
    ],
)
async def test_grpc_run_numbers_out_of_range(
    published: Mesh, field: str, request_fields: dict[str, Any]
) -> None:
    m = published
    tasks = await m.task_count()
    version = request_fields.pop("version", 0)
    request = tasks_pb2.RunServableRequest(
        servable=types_pb2.ServableRef(owner="alice", name="tiny", version=version),
        inputs=[array_to_tensor("X", np.ones((1, 4), np.float32))],
        wait=True,
        **request_fields,
    )
    err = await grpc_refused(
        m.stub.RunServable(request, metadata=m.md(), timeout=RPC_TIMEOUT_S),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field in err.message
    assert await m.task_count() == tasks
    if "timeout_s" in request_fields:
        err = await grpc_refused(
            m.stub.GetTask(
                tasks_pb2.GetTaskRequest(task_id="t", wait=True, **request_fields),
                metadata=m.md(),
                timeout=RPC_TIMEOUT_S,
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        assert "timeout_s" in err.message


# ========================================================= JSON of the wrong type


@pytest.mark.parametrize(
    ("field", "value"),
    [("datatype", ["FP32"]), ("parameters", [1]), ("name", 5), ("shape", "2,4"), ("shape", 8)],
)
async def test_oip_rest_fields_of_the_wrong_type(published: Mesh, field: str, value: Any) -> None:
    tensor: dict[str, Any] = {"name": "X", "datatype": "FP32", "shape": [1, 4], "data": [1] * 4}
    tensor[field] = value
    resp = await published.http.post("/v2/models/alice.tiny/infer", json={"inputs": [tensor]})
    body = bad_request(resp, field)
    assert body["code"] == "INVALID_ARGUMENT"


@pytest.mark.parametrize(
    ("field", "value"), [("datatype", ["FP32"]), ("parameters", [1]), ("shape", {"a": 1})]
)
async def test_run_tensor_fields_of_the_wrong_type(published: Mesh, field: str, value: Any) -> None:
    tensor: dict[str, Any] = {"datatype": "FP32", "shape": [1, 4], "data": [1] * 4}
    tensor[field] = value
    resp = await published.http.post(
        "/api/v1/servables/alice/tiny/run", json={"inputs": {"X": tensor}}
    )
    bad_request(resp, field)


@pytest.mark.parametrize(
    "body",
    [
        {"inputs": {"X": [[1, 2, 3, 4]]}, "version": "1"},
        {"inputs": {"X": [[1, 2, 3, 4]]}, "asynchronous": "yes"},
        {"inputs": {"X": [[1, 2, 3, 4]]}, "timeout_s": "NaN"},
        {"inputs": {"X": [[1, 2, 3, 4]]}, "outputs": "Y"},
        {"inputs": {"X": [[1, 2, 3, 4]]}, "outputs": [5]},
    ],
)
async def test_run_body_fields_of_the_wrong_type(published: Mesh, body: dict[str, Any]) -> None:
    resp = await published.http.post("/api/v1/servables/alice/tiny/run", json=body)
    field = next(k for k in body if k != "inputs")
    bad_request(resp, field)


# ============================================================ nesting and size


async def test_deeply_nested_data(published: Mesh, caplog: pytest.LogCaptureFixture) -> None:
    m = published
    deep = "[" * 100_000 + "]" * 100_000
    with caplog.at_level(logging.ERROR):
        resp = await m.http.post(
            "/api/v1/servables/alice/tiny/run",
            content=f'{{"inputs": {{"X": {deep}}}}}',
            headers={"content-type": "application/json"},
        )
        bad_request(resp)
        modest = "[" * 200 + "1" + "]" * 200  # parses, but deeper than any tensor
        resp = await m.http.post(
            "/api/v1/servables/alice/tiny/run",
            content=f'{{"inputs": {{"X": {modest}}}}}',
            headers={"content-type": "application/json"},
        )
        bad_request(resp, "nested deeper than 64 levels")
        infer = (
            '{"inputs": [{"name": "X", "datatype": "FP32", "shape": [1, 4], "data": '
            + modest
            + "}]}"
        )
        resp = await m.http.post("/v2/models/alice.tiny/infer", content=infer)
        bad_request(resp, "nested deeper than 64 levels")
    assert TRACEBACK not in caplog.text


# ==================================================== BYTES shapes over gRPC


@pytest.mark.parametrize(
    ("shape", "data", "problem"),
    [
        ([2**40], b"\0" * 16, "cannot hold 1099511627776 elements"),
        ([2**62, 4], b"\0" * 16, "too large"),
        ([2**26], b"\x01\0\0\0a" * 7 + b"abcd", "cannot hold 67108864 elements"),
    ],
    ids=["2**40", "2**62x4", "39-bytes-for-2**26"],
)
async def test_bytes_shapes_are_invalid_argument_before_allocation(
    published: Mesh, shape: list[int], data: bytes, problem: str
) -> None:
    m = published
    tracemalloc.start()
    try:
        err = await grpc_refused(
            m.oip.ModelInfer(
                oip.ModelInferRequest(
                    model_name="alice.tiny",
                    inputs=[InferInput(name="S", datatype="BYTES", shape=shape)],
                    raw_input_contents=[data],
                ),
                metadata=m.md(),
                timeout=RPC_TIMEOUT_S,
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert problem in err.message
    assert peak < 32 * 2**20, f"{peak / 2**20:.0f} MiB allocated to refuse {len(data)} bytes"


# ======================================================== NaN and infinities


async def test_nan_and_infinite_outputs_in_a_synchronous_json_run(
    published: Mesh, tiny: TinyModel
) -> None:
    m = published
    x = np.array([[np.nan, 0, 0, 0], [-np.inf, 0, 0, 0], [np.inf, 0, 0, 0]], np.float32)
    expected = tiny.expected(x)
    assert np.isnan(expected[0]).all()
    assert (expected[1] == np.inf).all()
    sent = x_rows(["NaN", 0, 0, 0], ["-Infinity", 0, 0, 0], ["Infinity", 0, 0, 0])

    resp = await m.http.post("/api/v1/servables/alice/tiny/run", json={"inputs": sent})
    assert resp.status_code == 200, resp.text
    [out] = json.loads(resp.text)["outputs"]  # standard JSON: no NaN literals
    assert out["data"] == ["NaN"] * 3 + ["Infinity"] * 3 + ["-Infinity"] * 3

    infer = {"inputs": [{"name": "X", **sent["X"]}]}
    resp = await m.http.post("/v2/models/alice.tiny/infer", json=infer)
    assert resp.status_code == 200, resp.text
    assert resp.json()["outputs"][0]["data"] == out["data"]

    # binary tensor data keeps the bits
    infer["parameters"] = {"binary_data_output": True}
    resp = await m.http.post("/v2/models/alice.tiny/infer", json=infer)
    assert resp.status_code == 200, resp.text
    length = int(resp.headers["inference-header-content-length"])
    got = np.frombuffer(resp.content[length:], np.float32).reshape(3, 3)
    assert got[1:].tobytes() == expected[1:].tobytes()
    assert np.isnan(got[0]).all()

    # and gRPC raw contents
    reply = await m.oip.ModelInfer(
        oip.ModelInferRequest(
            model_name="alice.tiny",
            inputs=[InferInput(name="X", datatype="FP32", shape=[3, 4])],
            raw_input_contents=[x.tobytes()],
        ),
        metadata=m.md(),
        timeout=RPC_TIMEOUT_S,
    )
    raw = np.frombuffer(reply.raw_output_contents[0], np.float32).reshape(3, 3)
    assert raw[1:].tobytes() == expected[1:].tobytes()
    assert np.isnan(raw[0]).all()


async def test_nan_strings_are_refused_for_integer_tensors(published: Mesh) -> None:
    tensor = {"name": "X", "datatype": "INT32", "shape": [1], "data": ["NaN"]}
    resp = await published.http.post("/v2/models/alice.tiny/infer", json={"inputs": [tensor]})
    bad_request(resp, "INT32 data must be integers")


# ========================================================= authentication first


async def test_anonymous_upload_session_is_refused_before_its_body(published: Mesh) -> None:
    m = published
    for body in ({"size": BIG, "sha256": "x"}, {"size": [1]}, "not json"):
        resp = await m.http.post(
            "/api/v1/uploads",
            content=json.dumps(body) if not isinstance(body, str) else body,
            headers={"content-type": "application/json"},
        )
        assert "needs a token" in bad_request(resp, status=401)["error"]
    resp = await m.http.put("/api/v1/uploads/anything?offset=-1", content=b"x")
    bad_request(resp, status=401)
    resp = await m.http.post("/api/v1/servables", content=b"\0garbage")
    bad_request(resp, status=401)
    resp = await m.http.post(
        "/api/v1/uploads", content=b"{", headers={"authorization": "Bearer dlh_forged"}
    )
    bad_request(resp, "invalid or expired token", status=401)


# ================================================= what errors say, and don't


async def test_errors_cut_long_caller_input(published: Mesh) -> None:
    m = published
    long = "a" * 10_000
    for resp in (
        await m.http.get(f"/api/v1/servables/alice/{long}"),
        await m.http.get(f"/v2/models/alice.{long}"),
        await m.http.post(
            "/v2/models/alice.tiny/infer",
            json={"inputs": [{"name": "X", "datatype": "FP" + long, "shape": [1], "data": [1]}]},
        ),
    ):
        assert 400 <= resp.status_code < 500, resp.text
        assert len(resp.text) < 2_000, resp.text[:300]
    err = await grpc_refused(
        m.oip.ModelMetadata(
            oip.ModelMetadataRequest(name=f"alice.{long}"), metadata=m.md(), timeout=10
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert len(err.message) < 400


async def test_unavailable_errors_do_not_name_internal_addresses() -> None:
    """gRPC's own UNAVAILABLE message names the peer; what callers get does not."""
    async with grpc.aio.insecure_channel("127.0.0.1:9") as channel:  # discard: nothing listens
        call = channel.unary_unary("/dlhub.v1.RegistryService/GetServable")(
            b"", timeout=5, wait_for_ready=False
        )
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await call
    assert info.value.code() is grpc.StatusCode.UNAVAILABLE
    assert "127.0.0.1" in (info.value.details() or "")  # what gRPC says
    err = error_from_rpc(info.value)
    assert "127.0.0.1" not in err.message
    assert ":9" not in err.message
    assert "<address>" in err.message


async def test_openapi_documents_every_status_and_media_type(mesh: Mesh) -> None:
    doc = (await mesh.http.get("/openapi.json")).json()
    metrics = doc["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert list(metrics) == ["text/plain"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            statuses = set(op["responses"])
            if path.startswith(("/api/", "/v2")):
                assert {"400", "401", "413", "429", "503"} <= statuses, (method, path)
            if "422" in statuses:  # only the servable's own failure, in the error body
                # (runs, and benchmark scoring, which runs the servable)
                assert path.endswith(("/run", "/infer", "/scores")), (method, path)
                schema = op["responses"]["422"]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    run = doc["paths"]["/api/v1/servables/{owner}/{name}/run"]["post"]["responses"]
    assert {"200", "202", "404", "409", "422", "504"} <= set(run)
    upload = doc["paths"]["/api/v1/uploads"]["post"]
    assert upload["security"] == [{"bearer": []}]
    assert "HTTPValidationError" not in doc["components"]["schemas"]
