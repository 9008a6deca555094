"""Bad inputs through every public door of an in-process mesh.

Each test checks the status (gRPC StatusCode and HTTP status), that the
message names the problem, and that nothing was left behind: no servable
record, no search entry (checked against a positive control published
afterwards), no new object file, no queued task.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import grpc
import httpx
import numpy as np
import pytest

import dlhub_registry.commit as registry_commit
from dlhub_common._proto.dlhub.v1 import registry_pb2, search_pb2, types_pb2
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common.errors import DLHubError
from dlhub_common.metadata import Metadata
from dlhub_common.rpc.errors import error_from_rpc
from dlhub_common.settings import MiB

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel

SIGNATURE = "Expected signature (X: FP32[?, 4])"
InferInput = oip.ModelInferRequest.InferInputTensor


def rpc_error(exc: grpc.aio.AioRpcError, status: grpc.StatusCode) -> DLHubError:
    """Check the status and return the typed error rebuilt from the trailers."""
    assert exc.code() is status, f"{exc.code()}: {exc.details()}"
    return error_from_rpc(exc)


def http_error(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert body["code"] == code
    return body


async def grpc_publish_error(
    mesh: Mesh, metadata: dict[str, Any], files: dict[str, bytes], **kwargs: Any
) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.publish(metadata, files, **kwargs)
    return info.value


@pytest.fixture
async def published(mesh: Mesh, tiny: TinyModel) -> Mesh:
    """The mesh with alice/tiny version 1 published and indexed."""
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    await mesh.wait_searchable("tiny")
    return mesh


# ================================================================ publishing


async def test_publish_missing_required_fields_lists_every_field(
    mesh: Mesh, tiny: TinyModel
) -> None:
    metadata = {"datacite": {}, "dlhub": {}, "servable": {"methods": {}}}
    fields = [
        "datacite.creators",
        "datacite.titles",
        "dlhub.name",
        "servable.type",
        "servable.methods",
    ]
    before = mesh.object_files()

    exc = await grpc_publish_error(mesh, metadata, {"model.onnx": tiny.data})
    err = rpc_error(exc, grpc.StatusCode.INVALID_ARGUMENT)
    for field in fields:
        assert field in (exc.details() or "")
    assert "'run'" in err.message
    assert [e["field"] for e in err.details["errors"]] == fields

    resp = await mesh.publish_http(metadata, {"model.onnx": tiny.data})
    body = http_error(resp, 400, "INVALID_ARGUMENT")
    for field in fields:
        assert field in body["error"]
    assert [e["field"] for e in body["details"]["errors"]] == fields

    assert await mesh.listed_names() == set()
    await mesh.assert_nothing_stored("tiny", before)


async def test_publish_metadata_that_is_not_json(mesh: Mesh, tiny: TinyModel) -> None:
    before = mesh.object_files()
    header = registry_pb2.PublishHeader(metadata_json="{not json")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.stub.PublishServable(
            iter(
                [
                    registry_pb2.PublishServableRequest(header=header),
                    registry_pb2.PublishServableRequest(
                        chunk=registry_pb2.ArtifactChunk(path="model.onnx", data=tiny.data)
                    ),
                ]
            ),
            metadata=mesh.md(),
            timeout=RPC_TIMEOUT_S,
        )
    err = rpc_error(info.value, grpc.StatusCode.INVALID_ARGUMENT)
    assert "metadata_json is not valid JSON" in err.message

    resp = await mesh.http.post(
        "/api/v1/servables",
        data={"metadata": "{not json"},
        files=[("files", ("model.onnx", tiny.data, "application/octet-stream"))],
        headers=mesh.headers(),
    )
    assert "not valid JSON" in http_error(resp, 400, "INVALID_ARGUMENT")["error"]
    await mesh.assert_nothing_stored("tiny", before)


async def test_publish_file_that_is_not_onnx(mesh: Mesh, tiny: TinyModel) -> None:
    junk = np.random.default_rng(0).bytes(4096)
    before = mesh.object_files()

    exc = await grpc_publish_error(mesh, tiny.metadata("junk"), {"model.onnx": junk})
    err = rpc_error(exc, grpc.StatusCode.INVALID_ARGUMENT)
    assert "model file 'model.onnx' is not a valid ONNX model" in err.message

    resp = await mesh.publish_http(tiny.metadata("junk"), {"model.onnx": junk})
    body = http_error(resp, 400, "INVALID_ARGUMENT")
    assert "'model.onnx' is not a valid ONNX model" in body["error"]

    await mesh.assert_nothing_stored("junk", before)


@pytest.mark.parametrize("keep", [0.5, 40, 0], ids=["half", "first-40-bytes", "empty"])
async def test_publish_unreadable_onnx_file(mesh: Mesh, tiny: TinyModel, keep: float) -> None:
    """A truncated ONNX file (or an empty one) is rejected at publish."""
    data = tiny.data[: int(len(tiny.data) * keep) if isinstance(keep, float) else keep]
    before = mesh.object_files()

    exc = await grpc_publish_error(mesh, tiny.metadata("broken"), {"model.onnx": data})
    err = rpc_error(exc, grpc.StatusCode.INVALID_ARGUMENT)
    assert "is not a valid ONNX model" in err.message

    resp = await mesh.publish_http(tiny.metadata("broken"), {"model.onnx": data})
    assert "is not a valid ONNX model" in http_error(resp, 400, "INVALID_ARGUMENT")["error"]

    await mesh.assert_nothing_stored("broken", before)


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"input_shape": [None, 5]}, "input 'X' axis 1: declared 5, model has 4"),
        ({"input_shape": [4]}, "input 'X': declared rank 1, model has rank 2"),
        ({"input_item_type": "float64"}, "input 'X': declared FP64, model has FP32"),
        ({"input_name": "features"}, "declared input 'features' is not in the model"),
    ],
    ids=["shape", "rank", "dtype", "name"],
)
async def test_publish_signature_not_matching_the_model(
    mesh: Mesh, tiny: TinyModel, override: dict[str, Any], problem: str
) -> None:
    # The model bytes are valid: they reach the object store before the
    # signature check fails, and must be removed again.
    before = mesh.object_files()
    metadata = tiny.metadata("mismatch", **override)

    exc = await grpc_publish_error(mesh, metadata, {"model.onnx": tiny.data})
    err = rpc_error(exc, grpc.StatusCode.INVALID_ARGUMENT)
    assert err.message.startswith("declared signature does not match the model")
    assert problem in err.message
    assert problem in " ".join(err.details["problems"])

    resp = await mesh.publish_http(metadata, {"model.onnx": tiny.data})
    assert problem in http_error(resp, 400, "INVALID_ARGUMENT")["error"]

    await mesh.assert_nothing_stored("mismatch", before)


def _stream(header: registry_pb2.PublishHeader, *chunks: tuple[str, bytes]) -> list[Any]:
    return [registry_pb2.PublishServableRequest(header=header)] + [
        registry_pb2.PublishServableRequest(chunk=registry_pb2.ArtifactChunk(path=p, data=d))
        for p, d in chunks
    ]


@pytest.mark.parametrize(
    "case",
    [
        "sha256-mismatch",
        "size-mismatch",
        "path-traversal",
        "absolute-path",
        "control-characters",
        "backslash",
        "oversized-name",
        "model-not-uploaded",
        "unannounced",
    ],
)
async def test_publish_malformed_upload_stream(mesh: Mesh, tiny: TinyModel, case: str) -> None:
    meta = json.dumps(tiny.metadata("upload"))
    good = registry_pb2.ArtifactInfo(path="model.onnx", size=len(tiny.data), sha256=tiny.sha256)
    other_sha = hashlib.sha256(b"other").hexdigest()
    header, chunks, problem = {
        "sha256-mismatch": (
            [registry_pb2.ArtifactInfo(path="model.onnx", sha256=other_sha)],
            [("model.onnx", tiny.data)],
            f"expected {other_sha}",
        ),
        "size-mismatch": (
            [registry_pb2.ArtifactInfo(path="model.onnx", size=len(tiny.data) + 1)],
            [("model.onnx", tiny.data)],
            f"is {len(tiny.data)} bytes, the header announced {len(tiny.data) + 1}",
        ),
        "path-traversal": ([], [("../model.onnx", tiny.data)], "invalid artifact path"),
        "absolute-path": ([], [("/etc/model.onnx", tiny.data)], "invalid artifact path"),
        "control-characters": ([], [("mo\x1bdel\n.onnx", tiny.data)], "no control characters"),
        "backslash": ([], [("..\\model.onnx", tiny.data)], "no control characters or backslashes"),
        "oversized-name": ([], [("m" * 256 + ".onnx", tiny.data)], "255 per part"),
        "model-not-uploaded": (
            [],
            [("weights.onnx", tiny.data)],
            "dlhub.files.model 'model.onnx' is not among the uploaded artifacts",
        ),
        "unannounced": (
            [good],
            [("model.onnx", tiny.data), ("extra.bin", b"x")],
            "'extra.bin' was not announced",
        ),
    }[case]
    before = mesh.object_files()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.stub.PublishServable(
            iter(
                _stream(registry_pb2.PublishHeader(metadata_json=meta, artifacts=header), *chunks)
            ),
            metadata=mesh.md(),
            timeout=RPC_TIMEOUT_S,
        )
    err = rpc_error(info.value, grpc.StatusCode.INVALID_ARGUMENT)
    assert problem in err.message
    await mesh.assert_nothing_stored("upload", before)


async def test_publish_as_another_owner_is_denied(mesh: Mesh, tiny: TinyModel) -> None:
    """Into a name of bob's that alice does not co-own: NOT_FOUND, in the same
    words whether bob/impostor exists or not (issue 9: nothing leaks)."""
    metadata = tiny.metadata("impostor")
    metadata["dlhub"]["owner"] = "bob"
    before = mesh.object_files()

    exc = await grpc_publish_error(mesh, metadata, {"model.onnx": tiny.data})
    err = rpc_error(exc, grpc.StatusCode.NOT_FOUND)
    assert err.message.startswith("servable bob/impostor not found: you may publish as 'alice'")
    assert "'bob' only into a servable of theirs you co-own" in err.message

    resp = await mesh.publish_http(metadata, {"model.onnx": tiny.data})
    assert "'bob'" in http_error(resp, 404, "NOT_FOUND")["error"]
    await mesh.assert_nothing_stored("impostor", before)
    assert "impostor" not in await mesh.listed_names(token=mesh.bob_token)


async def test_rejected_publish_keeps_objects_another_publish_shares(
    mesh: Mesh, tiny: TinyModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing publish must only remove what no one else relies on.

    ``bad`` and ``good`` upload the same bytes at the same time; ``bad``
    stores the object first (created=True) and fails its signature check only
    after ``good`` has committed a record that points at the same object.
    """
    real_validate = registry_commit.validate_onnx
    bad_validating = asyncio.Event()
    good_committed = asyncio.Event()

    async def validate(metadata: Metadata, path: Any) -> None:
        if metadata.dlhub.name == "bad":
            bad_validating.set()
            await good_committed.wait()
        await real_validate(metadata, path)

    monkeypatch.setattr(registry_commit, "validate_onnx", validate)
    bad = asyncio.create_task(
        mesh.publish(tiny.metadata("bad", input_shape=[None, 5]), {"model.onnx": tiny.data})
    )
    await asyncio.wait_for(bad_validating.wait(), RPC_TIMEOUT_S)
    await mesh.publish(tiny.metadata("good"), {"model.onnx": tiny.data})
    good_committed.set()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await bad
    rpc_error(info.value, grpc.StatusCode.INVALID_ARGUMENT)

    assert mesh.object_files(), "the object of the committed servable 'good' was deleted"
    task = await mesh.run("good", {"X": np.ones((1, 4), np.float32)})
    assert not task.HasField("error"), task.error.message


# ====================================================================== runs


async def assert_run_rejected(
    mesh: Mesh,
    *,
    grpc_inputs: dict[str, Any],
    http_inputs: Any,
    oip_inputs: list[Any],
    problem: str,
) -> None:
    """The same bad run via dlhub.v1 gRPC, HTTP /api/v1 and OIP gRPC ModelInfer."""
    tasks_before = await mesh.task_count()

    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.run("tiny", grpc_inputs)
    err = rpc_error(info.value, grpc.StatusCode.INVALID_ARGUMENT)
    assert problem in err.message
    assert SIGNATURE in err.message
    assert err.details["expected"] == [{"name": "X", "datatype": "FP32", "shape": [-1, 4]}]

    resp = await mesh.http.post(
        "/api/v1/servables/alice/tiny/run", json={"inputs": http_inputs}, headers=mesh.headers()
    )
    body = http_error(resp, 400, "INVALID_ARGUMENT")
    assert problem in body["error"]
    assert SIGNATURE in body["error"]
    assert body["details"]["expected"][0]["datatype"] == "FP32"

    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.oip.ModelInfer(
            oip.ModelInferRequest(model_name="alice.tiny", inputs=oip_inputs),
            metadata=mesh.md(),
            timeout=RPC_TIMEOUT_S,
        )
    err = rpc_error(info.value, grpc.StatusCode.INVALID_ARGUMENT)
    assert problem in err.message
    assert SIGNATURE in err.message

    assert await mesh.task_count() == tasks_before, "a rejected run was queued"


def fp_input(datatype: str, shape: list[int]) -> Any:
    """An OIP input of ones with typed contents (FP32 or FP64)."""
    count = int(np.prod(shape))
    field = {"FP32": "fp32_contents", "FP64": "fp64_contents"}[datatype]
    contents = oip.InferTensorContents(**{field: [1.0] * count})
    return InferInput(name="X", datatype=datatype, shape=shape, contents=contents)


@pytest.mark.parametrize(
    ("grpc_x", "http_x", "oip_input", "problem"),
    [
        pytest.param(
            np.ones((2, 3), np.float32),
            [[1, 2, 3], [4, 5, 6]],
            fp_input("FP32", [2, 3]),
            "input 'X' has size 3 on axis 1, expected 4",
            id="shape",
        ),
        pytest.param(
            np.ones(4, np.float32),
            [1, 2, 3, 4],
            fp_input("FP32", [4]),
            "input 'X' has shape [4] (rank 1), expected rank 2",
            id="rank",
        ),
        pytest.param(
            np.ones((2, 4), np.float64),
            {"datatype": "FP64", "shape": [2, 4], "data": [1.0] * 8},
            fp_input("FP64", [2, 4]),
            "input 'X' has datatype FP64, expected FP32",
            id="dtype",
        ),
    ],
)
async def test_run_with_wrong_input(
    published: Mesh, grpc_x: Any, http_x: Any, oip_input: Any, problem: str
) -> None:
    await assert_run_rejected(
        published,
        grpc_inputs={"X": grpc_x},
        http_inputs={"X": http_x},
        oip_inputs=[oip_input],
        problem=problem,
    )


async def test_run_with_missing_input(published: Mesh) -> None:
    await assert_run_rejected(
        published,
        grpc_inputs={},
        http_inputs={},
        oip_inputs=[],
        problem="missing input 'X'",
    )


async def test_run_with_unexpected_extra_input(published: Mesh) -> None:
    x = [[1.0, 2.0, 3.0, 4.0]]
    extra = InferInput(
        name="Z", datatype="FP32", shape=[1], contents=oip.InferTensorContents(fp32_contents=[1])
    )
    await assert_run_rejected(
        published,
        grpc_inputs={"X": np.ones((1, 4), np.float32), "Z": np.ones(1, np.float32)},
        http_inputs={"X": x, "Z": {"datatype": "FP32", "shape": [1], "data": [1.0]}},
        oip_inputs=[
            InferInput(
                name="X",
                datatype="FP32",
                shape=[1, 4],
                contents=oip.InferTensorContents(fp32_contents=x[0]),
            ),
            extra,
        ],
        problem="unexpected input 'Z'",
    )


async def test_run_with_data_not_matching_its_shape(published: Mesh) -> None:
    short = types_pb2.Tensor(name="X", datatype="FP32", shape=[2, 4], data=b"\0" * 4)
    # OIP checks raw contents against the shape before anything is queued.
    tasks_before = await published.task_count()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await published.oip.ModelInfer(
            oip.ModelInferRequest(
                model_name="alice.tiny",
                inputs=[InferInput(name="X", datatype="FP32", shape=[2, 4])],
                raw_input_contents=[short.data],
            ),
            metadata=published.md(),
            timeout=RPC_TIMEOUT_S,
        )
    err = rpc_error(info.value, grpc.StatusCode.INVALID_ARGUMENT)
    assert "needs 32 bytes, got 4" in err.message
    assert await published.task_count() == tasks_before

    # dlhub.v1 RunServable checks the same way at submit: nothing is queued.
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await published.run("tiny", [short])
    err = rpc_error(info.value, grpc.StatusCode.INVALID_ARGUMENT)
    assert "needs 32 bytes, got 4" in err.message
    assert await published.task_count() == tasks_before


# ============================================================ unknown names


async def test_unknown_servable_is_not_found(published: Mesh) -> None:
    m = published
    x = {"X": np.ones((1, 4), np.float32)}
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.get("nope")
    assert (
        "servable alice/nope not found" in rpc_error(info.value, grpc.StatusCode.NOT_FOUND).message
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.run("nope", x)
    assert "alice/nope" in rpc_error(info.value, grpc.StatusCode.NOT_FOUND).message
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.get("tiny", owner="carol")
    rpc_error(info.value, grpc.StatusCode.NOT_FOUND)

    resp = await m.http.get("/api/v1/servables/alice/nope", headers=m.headers())
    assert "alice/nope" in http_error(resp, 404, "NOT_FOUND")["error"]
    resp = await m.http.post(
        "/api/v1/servables/alice/nope/run", json={"inputs": [[1, 2, 3, 4]]}, headers=m.headers()
    )
    assert "alice/nope" in http_error(resp, 404, "NOT_FOUND")["error"]

    ready = await m.oip.ModelReady(
        oip.ModelReadyRequest(name="alice.nope"), metadata=m.md(), timeout=RPC_TIMEOUT_S
    )
    assert ready.ready is False
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.oip.ModelMetadata(
            oip.ModelMetadataRequest(name="alice.nope"), metadata=m.md(), timeout=RPC_TIMEOUT_S
        )
    rpc_error(info.value, grpc.StatusCode.NOT_FOUND)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.oip.ModelInfer(
            oip.ModelInferRequest(model_name="alice.nope"), metadata=m.md(), timeout=RPC_TIMEOUT_S
        )
    rpc_error(info.value, grpc.StatusCode.NOT_FOUND)
    resp = await m.http.get("/v2/models/alice.nope/ready")
    assert resp.status_code == 404
    assert resp.json() == {"ready": False}
    assert await m.task_count() == 0


async def test_unknown_version_is_not_found(published: Mesh) -> None:
    m = published
    problem = "servable alice/tiny has no version 7 (versions: [1])"
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.get("tiny", 7)
    assert problem in rpc_error(info.value, grpc.StatusCode.NOT_FOUND).message
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.run("tiny", {"X": np.ones((1, 4), np.float32)}, version=7)
    assert problem in rpc_error(info.value, grpc.StatusCode.NOT_FOUND).message

    resp = await m.http.get("/api/v1/servables/alice/tiny", params={"version": "7"})
    assert problem in http_error(resp, 404, "NOT_FOUND")["error"]
    resp = await m.http.post(
        "/api/v1/servables/alice/tiny/run", json={"inputs": [[1, 2, 3, 4]], "version": 7}
    )
    assert problem in http_error(resp, 404, "NOT_FOUND")["error"]

    for version, ready in (("7", False), ("1", True), ("", True)):
        resp = await m.oip.ModelReady(
            oip.ModelReadyRequest(name="alice.tiny", version=version),
            metadata=m.md(),
            timeout=RPC_TIMEOUT_S,
        )
        assert resp.ready is ready, version
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.oip.ModelInfer(
            oip.ModelInferRequest(
                model_name="alice.tiny",
                model_version="7",
                inputs=[
                    InferInput(
                        name="X",
                        datatype="FP32",
                        shape=[1, 4],
                        contents=oip.InferTensorContents(fp32_contents=[1, 2, 3, 4]),
                    )
                ],
            ),
            metadata=m.md(),
            timeout=RPC_TIMEOUT_S,
        )
    assert problem in rpc_error(info.value, grpc.StatusCode.NOT_FOUND).message
    assert await m.task_count() == 0


async def test_oip_rest_unknown_version(published: Mesh) -> None:
    m = published
    resp = await m.http.get("/v2/models/alice.tiny/versions/1/ready")
    assert (resp.status_code, resp.json()) == (200, {"ready": True})
    resp = await m.http.get("/v2/models/alice.tiny/versions/7/ready")
    assert (resp.status_code, resp.json()) == (404, {"ready": False})
    resp = await m.http.get("/v2/models/alice.tiny/versions/7")
    assert "has no version 7" in http_error(resp, 404, "NOT_FOUND")["error"]
    body = {"inputs": [{"name": "X", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]}]}
    resp = await m.http.post("/v2/models/alice.tiny/versions/7/infer", json=body)
    assert "has no version 7" in http_error(resp, 404, "NOT_FOUND")["error"]
    resp = await m.http.post("/v2/models/alice.nope/infer", json=body)
    assert "alice/nope" in http_error(resp, 404, "NOT_FOUND")["error"]
    assert await m.task_count() == 0


# ============================================================= size limits


async def test_grpc_message_over_the_limit(small_mesh: Mesh, tiny: TinyModel) -> None:
    m = small_mesh
    await m.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    big = np.zeros((2 * MiB // 16, 4), np.float32)  # 2 MiB of FP32
    assert big.nbytes == 2 * MiB

    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.run("tiny", {"X": big})
    err = rpc_error(info.value, grpc.StatusCode.RESOURCE_EXHAUSTED)
    assert str(MiB) in err.message  # "larger than max (2097... vs. 1048576)"

    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.oip.ModelInfer(
            oip.ModelInferRequest(
                model_name="alice.tiny",
                inputs=[InferInput(name="X", datatype="FP32", shape=list(big.shape))],
                raw_input_contents=[big.tobytes()],
            ),
            metadata=m.md(),
            timeout=RPC_TIMEOUT_S,
        )
    assert str(MiB) in rpc_error(info.value, grpc.StatusCode.RESOURCE_EXHAUSTED).message
    assert await m.task_count() == 0

    # The server is unharmed: a run under the limit still works.
    small = np.ones((2, 4), np.float32)
    task = await m.run("tiny", {"X": small})
    assert not task.HasField("error"), task.error.message


async def test_http_body_over_the_limit(small_mesh: Mesh, tiny: TinyModel) -> None:
    m = small_mesh
    await m.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    body = json.dumps({"inputs": {"X": [[0.0] * 4] * (2 * MiB // 20)}}).encode()
    assert len(body) > 2 * MiB

    for path in ("/api/v1/servables/alice/tiny/run", "/v2/models/alice.tiny/infer"):
        resp = await m.http.post(
            path, content=body, headers={**m.headers(), "content-type": "application/json"}
        )
        err = http_error(resp, 413, "RESOURCE_EXHAUSTED")
        assert "at most 1048576 bytes (1 MiB)" in err["error"], path
        assert err["details"] == {"limit_bytes": MiB}
    assert await m.task_count() == 0


async def _chunks(total: int, size: int = 256 * 1024) -> Any:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


@pytest.mark.parametrize(
    "path", ["/api/v1/servables/alice/tiny/run", "/v2/models/alice.tiny/infer"], ids=["api", "oip"]
)
async def test_chunked_body_over_the_limit(small_mesh: Mesh, path: str) -> None:
    # No content-length: the limit must be enforced while the body streams in.
    resp = await small_mesh.http.post(
        path, content=_chunks(2 * MiB), headers={"content-type": "application/json"}
    )
    assert "at most 1048576 bytes" in http_error(resp, 413, "RESOURCE_EXHAUSTED")["error"]


# ========================================================== authentication

BAD_TOKEN = "dlh_this-is-a-guessed-token-that-must-not-leak"


async def test_publish_without_a_token(mesh: Mesh, tiny: TinyModel) -> None:
    before = mesh.object_files()
    exc = await grpc_publish_error(
        mesh, tiny.metadata("anon"), {"model.onnx": tiny.data}, token=None
    )
    err = rpc_error(exc, grpc.StatusCode.UNAUTHENTICATED)
    assert "needs a token" in err.message

    resp = await mesh.publish_http(tiny.metadata("anon"), {"model.onnx": tiny.data}, token=None)
    assert "needs a token" in http_error(resp, 401, "UNAUTHENTICATED")["error"]
    await mesh.assert_nothing_stored("anon", before)


async def test_publish_with_an_invalid_token(mesh: Mesh, tiny: TinyModel) -> None:
    before = mesh.object_files()
    exc = await grpc_publish_error(
        mesh, tiny.metadata("forged"), {"model.onnx": tiny.data}, token=BAD_TOKEN
    )
    err = rpc_error(exc, grpc.StatusCode.UNAUTHENTICATED)
    assert "invalid or expired token" in err.message
    assert BAD_TOKEN not in (exc.details() or "")
    assert BAD_TOKEN not in repr(exc.trailing_metadata())
    assert BAD_TOKEN not in json.dumps(err.to_dict())

    resp = await mesh.publish_http(
        tiny.metadata("forged"), {"model.onnx": tiny.data}, token=BAD_TOKEN
    )
    assert "invalid or expired token" in http_error(resp, 401, "UNAUTHENTICATED")["error"]
    assert BAD_TOKEN not in resp.text
    assert BAD_TOKEN not in json.dumps(dict(resp.headers))
    await mesh.assert_nothing_stored("forged", before)


async def test_reads_with_an_invalid_token_are_not_downgraded_to_anonymous(
    published: Mesh,
) -> None:
    m = published
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.stub.Search(search_pb2.SearchRequest(), metadata=m.md(BAD_TOKEN), timeout=10)
    err = rpc_error(info.value, grpc.StatusCode.UNAUTHENTICATED)
    assert BAD_TOKEN not in err.message
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.oip.ModelReady(
            oip.ModelReadyRequest(name="alice.tiny"), metadata=m.md(BAD_TOKEN), timeout=10
        )
    rpc_error(info.value, grpc.StatusCode.UNAUTHENTICATED)
    resp = await m.http.get("/api/v1/search", headers=m.headers(BAD_TOKEN))
    http_error(resp, 401, "UNAUTHENTICATED")
    assert BAD_TOKEN not in resp.text


@pytest.mark.parametrize("header", ["Basic YWxpY2U6cHc=", "Bearer", "token-only"])
async def test_malformed_authorization_header(published: Mesh, header: str) -> None:
    m = published
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await m.stub.Search(
            search_pb2.SearchRequest(), metadata=(("authorization", header),), timeout=10
        )
    err = rpc_error(info.value, grpc.StatusCode.UNAUTHENTICATED)
    assert "Bearer <token>" in err.message
    resp = await m.http.get("/api/v1/search", headers={"authorization": header})
    assert "Bearer <token>" in http_error(resp, 401, "UNAUTHENTICATED")["error"]
