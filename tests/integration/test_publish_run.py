"""The happy path through an in-process mesh: publish, run, version, search, visibility."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import registry_pb2, tasks_pb2
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common.codec import decode_infer_outputs, tensor_to_array
from dlhub_common.rpc.errors import error_from_rpc
from dlhub_sdk.client import DLHubClient
from dlhub_sdk.models.onnx import OnnxServable

from .conftest import RPC_TIMEOUT_S, Array, Mesh, TinyModel


def x_batch(n: int = 5, seed: int = 0) -> Array:
    return np.random.default_rng(seed).standard_normal((n, 4)).astype(np.float32)


def only_output(task: tasks_pb2.Task) -> Array:
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
    (out,) = task.outputs
    assert out.name == "Y"
    assert out.datatype == "FP32"
    return tensor_to_array(out)


def assert_close(actual: Any, expected: Array) -> None:
    np.testing.assert_allclose(np.asarray(actual, np.float32), expected, rtol=1e-5, atol=1e-6)


async def oip_infer(
    mesh: Mesh, x: Array, version: str = "", *, name: str = "alice.tiny", **kwargs: Any
) -> Any:
    """OIP gRPC ModelInfer with raw contents; ``kwargs`` go to ``mesh.md`` (token=...)."""
    return await mesh.oip.ModelInfer(
        oip.ModelInferRequest(
            model_name=name,
            model_version=version,
            inputs=[
                oip.ModelInferRequest.InferInputTensor(
                    name="X", datatype="FP32", shape=list(x.shape)
                )
            ],
            raw_input_contents=[x.tobytes()],
        ),
        metadata=mesh.md(**kwargs),
        timeout=RPC_TIMEOUT_S,
    )


# =========================================================== publish + run


async def test_publish_and_run_match_numpy(mesh: Mesh, tiny: TinyModel) -> None:
    resp = await mesh.publish(tiny.metadata("tiny", domains=["testing"]), {"model.onnx": tiny.data})
    summary = resp.servable.summary
    assert (summary.owner, summary.name, summary.version) == ("alice", "tiny", 1)
    assert summary.latest
    assert summary.identifier == "dlhub:alice/tiny:1"
    assert summary.digest.startswith("sha256:")
    assert summary.servable_type == "onnx"
    assert list(summary.authors) == ["Tester, Alice"]
    stored = json.loads(resp.servable.metadata_json)
    assert stored["dlhub"]["owner"] == "alice"
    assert stored["dlhub"]["version"] == 1
    assert stored["dlhub"]["files"] == {"model": "model.onnx", "other": []}

    described = await mesh.get("tiny")
    assert list(described.versions) == [1]
    assert described.model_path == "model.onnx"
    # the bundle: the model plus the registry-written dlhub.json and environment.lock
    by_path = {a.path: a for a in described.artifacts}
    assert sorted(by_path) == ["dlhub.json", "environment.lock", "model.onnx"]
    artifact = by_path["model.onnx"]
    assert (artifact.path, artifact.size, artifact.sha256) == (
        "model.onnx",
        len(tiny.data),
        tiny.sha256,
    )
    assert described.interface_version == 1
    assert f"{tiny.sha256[:2]}/{tiny.sha256}" in mesh.object_files()
    assert len(mesh.object_files()) == 3

    x = x_batch()
    task = await mesh.run("tiny", {"X": x})
    y = only_output(task)
    assert y.shape == (5, 3)
    assert_close(y, tiny.expected(x))
    assert (task.servable.owner, task.servable.name, task.servable.version) == ("alice", "tiny", 1)
    assert task.timings.total_ms > 0
    assert task.completed_at

    # A one-input servable takes its input under any name.
    assert_close(only_output(await mesh.run("tiny", {"input": x})), tiny.expected(x))
    # An empty batch is a valid batch.
    assert only_output(await mesh.run("tiny", {"X": x[:0]})).shape == (0, 3)

    # The same model through HTTP /api/v1 and OIP gRPC.
    resp_http = await mesh.http.post(
        "/api/v1/servables/alice/tiny/run", json={"inputs": x.tolist()}, headers=mesh.headers()
    )
    assert resp_http.status_code == 200, resp_http.text
    body = resp_http.json()
    assert body["state"] == "SUCCEEDED"
    assert body["outputs"][0]["name"] == "Y"
    assert body["outputs"][0]["shape"] == [5, 3]
    assert_close(np.reshape(body["outputs"][0]["data"], (5, 3)), tiny.expected(x))

    infer = await oip_infer(mesh, x)
    assert (infer.model_name, infer.model_version) == ("alice.tiny", "1")
    assert_close(decode_infer_outputs(infer)["Y"], tiny.expected(x))


async def test_anonymous_callers_run_public_servables(mesh: Mesh, tiny: TinyModel) -> None:
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    x = x_batch(2)
    assert_close(only_output(await mesh.run("tiny", {"X": x}, token=None)), tiny.expected(x))
    resp = await mesh.http.post("/api/v1/servables/alice/tiny/run", json={"inputs": x.tolist()})
    assert resp.status_code == 200, resp.text


async def test_async_run_and_get_task(mesh: Mesh, tiny: TinyModel) -> None:
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    x = x_batch(3)

    queued = await mesh.run("tiny", {"X": x}, wait=False)
    assert queued.task_id
    assert queued.state in (
        tasks_pb2.TASK_STATE_QUEUED,
        tasks_pb2.TASK_STATE_RUNNING,
        tasks_pb2.TASK_STATE_SUCCEEDED,
    )
    assert not queued.outputs

    done = await mesh.stub.GetTask(
        tasks_pb2.GetTaskRequest(task_id=queued.task_id, wait=True, timeout_s=RPC_TIMEOUT_S),
        metadata=mesh.md(),
        timeout=RPC_TIMEOUT_S + 5,
    )
    assert done.task.task_id == queued.task_id
    assert_close(only_output(done.task), tiny.expected(x))
    assert done.task.completed_at
    assert done.task.timings.compute_ms >= 0

    # Polling a finished task again returns the same outputs.
    again = await mesh.stub.GetTask(
        tasks_pb2.GetTaskRequest(task_id=queued.task_id), metadata=mesh.md(), timeout=10
    )
    assert_close(only_output(again.task), tiny.expected(x))

    # Tasks are private to who submitted them.
    for token in (mesh.bob_token, None):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await mesh.stub.GetTask(
                tasks_pb2.GetTaskRequest(task_id=queued.task_id),
                metadata=mesh.md(token),
                timeout=10,
            )
        assert info.value.code() is grpc.StatusCode.NOT_FOUND

    # The same over HTTP: 202 (or 200 if it was quick), then wait on the task.
    resp = await mesh.http.post(
        "/api/v1/servables/alice/tiny/run",
        json={"inputs": {"X": x.tolist()}, "asynchronous": True},
        headers=mesh.headers(),
    )
    # 202 exactly while the task is still pending
    pending = resp.json()["state"] in ("QUEUED", "RUNNING")
    assert resp.status_code == (202 if pending else 200), resp.text
    assert resp.json()["state"] in ("QUEUED", "RUNNING", "SUCCEEDED"), resp.text
    task_id = resp.json()["task_id"]
    resp = await mesh.http.get(
        f"/api/v1/tasks/{task_id}", params={"wait": "true", "timeout_s": 10}, headers=mesh.headers()
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["state"] == "SUCCEEDED"
    assert_close(np.reshape(resp.json()["outputs"][0]["data"], (3, 3)), tiny.expected(x))


async def test_sdk_client_publishes_and_runs(mesh: Mesh, tiny: TinyModel, tmp_path: Path) -> None:
    """The synchronous SDK (in a thread) against the in-process mesh."""
    model_file = tmp_path / "tiny-sdk.onnx"
    model_file.write_bytes(tiny.data)
    builder = (
        OnnxServable(model_file)
        .set_title("Tiny model from the SDK")
        .add_author("Tester, Alice")
        .set_domains(["testing"])
    )
    assert builder.input_names == ["X"]
    x = x_batch(4)

    def use_sdk() -> tuple[dict[str, Any], Any]:
        with DLHubClient(mesh.grpc_address, mesh.token) as client:
            summary = client.publish_servable(builder)
            outputs = client.run(f"alice/{summary['name']}", x)
            return summary, outputs

    summary, outputs = await asyncio.to_thread(use_sdk)
    assert (summary["owner"], summary["name"], summary["version"]) == ("alice", "tiny-sdk", 1)
    assert_close(outputs["Y"], tiny.expected(x))


# ================================================================ versions


async def test_new_version_becomes_latest(mesh: Mesh, tiny: TinyModel, tiny_v2: TinyModel) -> None:
    v1 = await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    v2 = await mesh.publish(tiny_v2.metadata("tiny"), {"model.onnx": tiny_v2.data})
    assert v1.servable.summary.version == 1
    assert v2.servable.summary.version == 2
    assert v2.servable.summary.identifier == "dlhub:alice/tiny:2"
    assert v1.servable.summary.digest != v2.servable.summary.digest

    latest = await mesh.get("tiny")
    assert latest.servable.summary.version == 2
    assert latest.servable.summary.latest
    assert list(latest.versions) == [1, 2]
    assert {a.path: a.sha256 for a in latest.artifacts}["model.onnx"] == tiny_v2.sha256
    first = await mesh.get("tiny", 1)
    assert first.servable.summary.version == 1
    assert not first.servable.summary.latest
    assert {a.path: a.sha256 for a in first.artifacts}["model.onnx"] == tiny.sha256

    x = x_batch(3)
    task = await mesh.run("tiny", {"X": x})
    assert task.servable.version == 2  # version 0 resolves to the latest
    assert_close(only_output(task), tiny_v2.expected(x))
    task = await mesh.run("tiny", {"X": x}, version=1)
    assert task.servable.version == 1
    assert_close(only_output(task), tiny.expected(x))

    # OIP: versions, metadata and inference per version.
    meta = await mesh.oip.ModelMetadata(
        oip.ModelMetadataRequest(name="alice.tiny"), metadata=mesh.md(), timeout=RPC_TIMEOUT_S
    )
    assert list(meta.versions) == ["1", "2"]
    assert meta.platform == "onnxruntime_onnx"
    assert [(t.name, t.datatype, list(t.shape)) for t in meta.inputs] == [("X", "FP32", [-1, 4])]
    assert [(t.name, t.datatype, list(t.shape)) for t in meta.outputs] == [("Y", "FP32", [-1, 3])]
    infer = await oip_infer(mesh, x)
    assert infer.model_version == "2"
    assert_close(decode_infer_outputs(infer)["Y"], tiny_v2.expected(x))
    infer = await oip_infer(mesh, x, version="1")
    assert infer.model_version == "1"
    assert_close(decode_infer_outputs(infer)["Y"], tiny.expected(x))

    # HTTP describe and run by version.
    resp = await mesh.http.get("/api/v1/servables/alice/tiny")
    assert resp.json()["versions"] == [1, 2]
    assert resp.json()["summary"]["version"] == 2
    resp = await mesh.http.get("/api/v1/servables/alice/tiny", params={"version": "1"})
    assert resp.json()["summary"]["version"] == 1
    resp = await mesh.http.post(
        "/api/v1/servables/alice/tiny/run", json={"inputs": x.tolist(), "version": 1}
    )
    assert resp.json()["servable"]["version"] == 1
    assert_close(np.reshape(resp.json()["outputs"][0]["data"], (3, 3)), tiny.expected(x))

    # Listing and search show the latest only, unless asked for every version.
    listed = await mesh.stub.ListServables(
        registry_pb2.ListServablesRequest(), metadata=mesh.md(), timeout=10
    )
    assert [(s.name, s.version) for s in listed.servables] == [("tiny", 2)]
    listed = await mesh.stub.ListServables(
        registry_pb2.ListServablesRequest(all_versions=True), metadata=mesh.md(), timeout=10
    )
    assert sorted(s.version for s in listed.servables) == [1, 2]
    await mesh.wait_searchable("tiny", version=2)
    found = await mesh.search(name=["tiny"])
    assert [(h.version, h.latest) for h in found.hits] == [(2, True)]
    found = await mesh.search(name=["tiny"], all_versions=True)
    assert sorted((h.version, h.latest) for h in found.hits) == [(1, False), (2, True)]


async def test_same_content_gives_the_same_digest(mesh: Mesh, tiny: TinyModel) -> None:
    first = await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    again = await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    assert again.servable.summary.version == 2
    # Version, dates and identifier differ; the digest covers content only.
    assert again.servable.summary.digest == first.servable.summary.digest
    assert again.servable.summary.identifier != first.servable.summary.identifier
    # The model and environment.lock are shared by both versions; each version
    # has its own dlhub.json (it names its version), outside the digest.
    assert len(mesh.object_files()) == 4
    v1, v2 = await mesh.get("tiny", 1), await mesh.get("tiny", 2)
    shared = {"model.onnx", "environment.lock"}
    assert {a.path: a.sha256 for a in v1.artifacts if a.path in shared} == {
        a.path: a.sha256 for a in v2.artifacts if a.path in shared
    }
    meta = {a.path: a.sha256 for a in v1.artifacts}["dlhub.json"]
    assert meta != {a.path: a.sha256 for a in v2.artifacts}["dlhub.json"]


async def test_a_changed_byte_changes_the_digest(mesh: Mesh, tiny: TinyModel) -> None:
    """The digest covers the artifact bytes: one flipped byte of the model (same
    name, same metadata) gives another digest; the original bytes give the
    original digest back."""
    first = await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    changed = bytearray(tiny.data)
    # flip the lowest mantissa bit of the first weight: still a valid ONNX model
    at = tiny.data.index(tiny.w.astype(np.float32).tobytes())
    changed[at] ^= 0x01
    second = await mesh.publish(tiny.metadata("tiny"), {"model.onnx": bytes(changed)})
    third = await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    digests = [r.servable.summary.digest for r in (first, second, third)]
    assert [r.servable.summary.version for r in (first, second, third)] == [1, 2, 3]
    assert digests[0] != digests[1]
    assert digests[0] == digests[2]
    # and changed metadata (a title) changes it as well
    retitled = await mesh.publish(tiny.metadata("tiny", title="Other"), {"model.onnx": tiny.data})
    assert retitled.servable.summary.digest != digests[0]


# ================================================================== search

BULK = 23


async def publish_bulk(mesh: Mesh, tiny: TinyModel) -> None:
    async def one(i: int) -> None:
        await mesh.publish(
            tiny.metadata(
                f"bulk-{i:02d}",
                title="Perovskite band gap" if i == 7 else f"Bulk model number {i}",
                domains=["chem", "materials"] if i % 2 == 0 else ["bio"],
            ),
            {"model.onnx": tiny.data},
        )

    await asyncio.gather(*(one(i) for i in range(BULK)))
    async with asyncio.timeout(10):  # until the indexer has caught up
        while True:
            if (await mesh.search(limit=1)).total == BULK:
                break
            await asyncio.sleep(0.02)


async def test_search_facets_and_pagination(mesh: Mesh, tiny: TinyModel) -> None:
    await publish_bulk(mesh, tiny)
    facets = ("domains", "owner", "servable_type")

    seen: list[str] = []
    sizes = []
    for offset in (0, 10, 20):
        page = await mesh.search(offset=offset, limit=10, facets=facets)
        assert page.total == BULK
        assert page.offset == offset
        sizes.append(len(page.hits))
        seen += [h.name for h in page.hits]
        counts = {f.field: {b.value: b.count for b in f.buckets} for f in page.facets}
        assert counts == {
            "domains": {"chem": 12, "materials": 12, "bio": 11},
            "owner": {"alice": BULK},
            "servable_type": {"onnx": BULK},
        }
    assert sizes == [10, 10, 3]
    assert sorted(seen) == [f"bulk-{i:02d}" for i in range(BULK)]
    beyond = await mesh.search(offset=30, limit=10)
    assert beyond.total == BULK
    assert not beyond.hits

    # Filters narrow hits, totals and facets alike.
    bio = await mesh.search(domains=["bio"], facets=("domains",), limit=100)
    assert bio.total == 11
    assert {h.name for h in bio.hits} == {f"bulk-{i:02d}" for i in range(1, BULK, 2)}
    assert {b.value: b.count for b in bio.facets[0].buckets} == {"bio": 11}
    either = await mesh.search(domains=["bio", "materials"], limit=100)
    assert either.total == BULK

    # Free text.
    text = await mesh.search("perovskite")
    assert [h.name for h in text.hits] == ["bulk-07"]

    # The same through HTTP.
    resp = await mesh.http.get(
        "/api/v1/search", params={"limit": 10, "offset": 20, "facets": "domains,owner"}
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == BULK
    assert len(body["hits"]) == 3
    assert body["facets"]["domains"] == {"chem": 12, "materials": 12, "bio": 11}
    resp = await mesh.http.get("/api/v1/search", params=[("domains", "bio"), ("limit", 100)])
    assert resp.json()["total"] == 11


async def test_list_servables_pages(mesh: Mesh, tiny: TinyModel) -> None:
    await publish_bulk(mesh, tiny)
    names: list[str] = []
    token = ""
    pages = 0
    while True:
        resp = await mesh.stub.ListServables(
            registry_pb2.ListServablesRequest(page_size=10, page_token=token),
            metadata=mesh.md(),
            timeout=10,
        )
        pages += 1
        assert resp.total == BULK
        names += [s.name for s in resp.servables]
        token = resp.next_page_token
        if not token:
            break
    assert pages == 3
    assert sorted(names) == [f"bulk-{i:02d}" for i in range(BULK)]

    resp_http = await mesh.http.get("/api/v1/servables", params={"page_size": 20})
    body = resp_http.json()
    assert len(body["servables"]) == 20
    assert body["total"] == BULK
    rest = await mesh.http.get(
        "/api/v1/servables", params={"page_size": 20, "page_token": body["next_page_token"]}
    )
    assert len(rest.json()["servables"]) == 3
    assert rest.json()["next_page_token"] is None


# ============================================================== visibility


async def test_private_servables_are_invisible_to_others(mesh: Mesh, tiny: TinyModel) -> None:
    await mesh.publish(tiny.metadata("open"), {"model.onnx": tiny.data})
    await mesh.publish(tiny.metadata("secret", visible_to=["alice"]), {"model.onnx": tiny.data})
    await mesh.publish(tiny.metadata("shared", visible_to=["bob"]), {"model.onnx": tiny.data})
    for name in ("open", "secret", "shared"):
        await mesh.wait_searchable(name)  # the owner always sees her servables
    x = x_batch(2)
    anonymous, bob = None, mesh.bob_token

    async def searchable(token: Any) -> set[str]:
        found = await mesh.search(token=token, limit=100, facets=("owner",))
        assert found.total == len(found.hits)
        assert {b.value: b.count for b in found.facets[0].buckets} == {"alice": found.total}
        return {h.name for h in found.hits}

    assert await searchable(mesh.token) == {"open", "secret", "shared"}
    assert await searchable(bob) == {"open", "shared"}
    assert await searchable(anonymous) == {"open"}
    assert await mesh.listed_names(token=anonymous) == {"open"}
    assert await mesh.listed_names(token=bob) == {"open", "shared"}

    # Hidden servables look exactly like ones that do not exist.
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await mesh.get("does-not-exist", token=anonymous)
    for token in (anonymous, bob):
        assert (await mesh.search(token=token, name=["secret"])).total == 0
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await mesh.get("secret", token=token)
        assert info.value.code() is grpc.StatusCode.NOT_FOUND
        assert info.value.details() == "servable alice/secret not found"
        assert error_from_rpc(info.value).details == error_from_rpc(missing.value).details
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await mesh.run("secret", {"X": x}, token=token)
        assert info.value.code() is grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await oip_infer(mesh, x, name="alice.secret", token=token)
        assert info.value.code() is grpc.StatusCode.NOT_FOUND
        ready = await mesh.oip.ModelReady(
            oip.ModelReadyRequest(name="alice.secret"), metadata=mesh.md(token), timeout=10
        )
        assert ready.ready is False
        resp = await mesh.http.get("/api/v1/servables/alice/secret", headers=mesh.headers(token))
        assert resp.status_code == 404
        resp = await mesh.http.post(
            "/api/v1/servables/alice/secret/run",
            json={"inputs": x.tolist()},
            headers=mesh.headers(token),
        )
        assert resp.status_code == 404
        resp = await mesh.http.get(
            "/api/v1/search", params={"name": "secret"}, headers=mesh.headers(token)
        )
        assert resp.json()["total"] == 0

    # bob may use what is shared with him; alice may use everything she owns.
    assert_close(only_output(await mesh.run("shared", {"X": x}, token=bob)), tiny.expected(x))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.run("shared", {"X": x}, token=anonymous)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    for name in ("open", "secret", "shared"):
        assert_close(only_output(await mesh.run(name, {"X": x})), tiny.expected(x))
    described = await mesh.get("secret")
    assert list(described.servable.summary.visible_to) == ["alice"]
    resp = await mesh.http.get("/api/v1/servables/alice/secret", headers=mesh.headers())
    assert resp.status_code == 200
