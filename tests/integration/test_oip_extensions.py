"""Triton's model repository and statistics extensions, in-process mesh.

Through every door that serves them: OIP gRPC (``RepositoryIndex``,
``ModelStatistics``), OIP REST (``POST /v2/repository/index``,
``GET /v2/models/.../stats``) and ``dlhub.v1.DLHubService.GetStatistics``.
The tritonclient side of the same contract is in tests/e2e.
"""

from __future__ import annotations

import time
from typing import Any

import grpc
import numpy as np
import pytest

import dlhub_taskmanager.main as taskmanager_main
from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common.codec import to_raw
from dlhub_common.errors import NotFound
from dlhub_common.identity import Principal, current_principal
from dlhub_common.internal_auth import InternalSigner
from dlhub_common.remote import RemoteTasks, open_channel
from dlhub_common.rpc.server import GrpcServer
from dlhub_common.settings import MiB
from tests.identity_models import identity_metadata, identity_onnx

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel

X = np.arange(8, dtype=np.float32).reshape(2, 4)


async def publish_pair(mesh: Mesh) -> None:
    """alice.shown (public) and alice.hidden (alice only)."""
    data = {"model.onnx": mesh.model.data}
    await mesh.publish(TinyModel.metadata("shown"), data)
    await mesh.publish(TinyModel.metadata("hidden", visible_to=["alice"]), data)


async def infer(
    mesh: Mesh, model: str, *, token: Any = None, version: str = "", x: Any = None
) -> None:
    """One ModelInfer; a fresh random input each time (no result-cache hit) unless ``x``."""
    if x is None:
        x = np.random.default_rng().standard_normal(X.shape).astype(np.float32)
    request = oip.ModelInferRequest(model_name=model, model_version=version)
    request.inputs.add(name="X", datatype="FP32", shape=list(x.shape))
    request.raw_input_contents.append(to_raw(x))
    md = mesh.md() if token is None else mesh.md(token)
    await mesh.oip.ModelInfer(request, metadata=md, timeout=RPC_TIMEOUT_S)


async def grpc_index(mesh: Mesh, token: Any, *, ready: bool = False) -> list[tuple[str, ...]]:
    response = await mesh.oip.RepositoryIndex(
        oip.RepositoryIndexRequest(ready=ready), metadata=mesh.md(token), timeout=RPC_TIMEOUT_S
    )
    return [(m.name, m.version, m.state, m.reason) for m in response.models]


async def grpc_stats(mesh: Mesh, name: str = "", version: str = "", *, token: Any) -> Any:
    return await mesh.oip.ModelStatistics(
        oip.ModelStatisticsRequest(name=name, version=version),
        metadata=mesh.md(token),
        timeout=RPC_TIMEOUT_S,
    )


# ------------------------------------------------------------------ repository index


async def test_index_lists_what_each_caller_may_see(mesh: Mesh) -> None:
    await publish_pair(mesh)
    await mesh.publish(TinyModel.metadata("shown"), {"model.onnx": mesh.model.data})  # v2
    alice = await grpc_index(mesh, mesh.token)
    assert alice == [
        ("alice.hidden", "1", "READY", ""),
        ("alice.shown", "1", "READY", ""),
        ("alice.shown", "2", "READY", ""),
    ]
    bob = await grpc_index(mesh, mesh.bob_token)
    assert [m[:2] for m in bob] == [("alice.shown", "1"), ("alice.shown", "2")]
    assert [m[:2] for m in await grpc_index(mesh, None)] == [m[:2] for m in bob]

    rest = await mesh.http.post("/v2/repository/index", headers=mesh.headers(mesh.bob_token))
    assert rest.status_code == 200, rest.text
    assert rest.json() == [
        {"name": "alice.shown", "version": "1", "state": "READY", "reason": ""},
        {"name": "alice.shown", "version": "2", "state": "READY", "reason": ""},
    ]
    mine = await mesh.http.post("/v2/repository/index", json={}, headers=mesh.headers())
    assert [m["name"] for m in mine.json()] == ["alice.hidden", "alice.shown", "alice.shown"]


async def test_index_marks_withdrawn_unavailable_and_ready_filters(mesh: Mesh) -> None:
    await publish_pair(mesh)
    withdrawn = await mesh.http.post(
        "/api/v1/servables/alice/hidden/withdraw",
        json={"version": 1, "reason": "leaked data"},
        headers=mesh.headers(),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    index = await grpc_index(mesh, mesh.token)
    assert ("alice.hidden", "1", "UNAVAILABLE", "withdrawn: leaked data") in index
    assert await grpc_index(mesh, mesh.token, ready=True) == [("alice.shown", "1", "READY", "")]
    rest = await mesh.http.post(
        "/v2/repository/index", json={"ready": True}, headers=mesh.headers()
    )
    assert [m["name"] for m in rest.json()] == ["alice.shown"]


async def test_index_rejects_a_malformed_body(mesh: Mesh) -> None:
    for body in (b"[1]", b"{not json", b'{"ready": "yes"}'):
        resp = await mesh.http.post("/v2/repository/index", content=body)
        assert resp.status_code == 400, resp.text
        assert resp.json()["code"] == "INVALID_ARGUMENT"


async def test_server_metadata_lists_the_extensions(mesh: Mesh) -> None:
    meta = await mesh.oip.ServerMetadata(oip.ServerMetadataRequest(), timeout=RPC_TIMEOUT_S)
    assert {"binary_tensor_data", "model_repository", "statistics"} <= set(meta.extensions)
    rest = (await mesh.http.get("/v2")).json()
    assert set(rest["extensions"]) == set(meta.extensions)


# ------------------------------------------------------------------ statistics


async def test_stats_count_requests_exactly(mesh: Mesh) -> None:
    await publish_pair(mesh)
    before = await grpc_stats(mesh, "alice.shown", token=mesh.token)
    [zero] = before.model_stats
    assert (zero.name, zero.version, zero.inference_count, zero.execution_count) == (
        "alice.shown",
        "1",
        0,
        0,
    )
    assert zero.last_inference == 0
    started_ms = time.time_ns() // 1_000_000
    for _ in range(5):
        await infer(mesh, "alice.shown")
    # a bad request is refused before it is queued: not an inference
    request = oip.ModelInferRequest(model_name="alice.shown")
    request.inputs.add(name="X", datatype="FP32", shape=[1, 5])
    request.raw_input_contents.append(to_raw(np.zeros((1, 5), np.float32)))
    with pytest.raises(grpc.aio.AioRpcError):
        await mesh.oip.ModelInfer(request, metadata=mesh.md(), timeout=RPC_TIMEOUT_S)
    [after] = (await grpc_stats(mesh, "alice.shown", "1", token=mesh.token)).model_stats
    assert after.inference_count == 5
    assert after.execution_count == 5
    s = after.inference_stats
    assert (s.success.count, s.fail.count, s.queue.count, s.compute_infer.count) == (5, 0, 5, 5)
    assert s.success.ns >= s.queue.ns + s.compute_infer.ns > 0
    assert s.cache_hit.count == 0
    assert [(b.batch_size, b.compute_infer.count) for b in after.batch_stats] == [(1, 5)]
    assert started_ms <= after.last_inference <= time.time_ns() // 1_000_000

    # a repeated input is answered by the result cache: an inference, no execution
    await infer(mesh, "alice.shown", x=X)
    await infer(mesh, "alice.shown", x=X)
    [cached] = (await grpc_stats(mesh, "alice.shown", "1", token=mesh.token)).model_stats
    assert (cached.inference_count, cached.execution_count) == (7, 6)
    assert (cached.inference_stats.cache_hit.count, cached.inference_stats.cache_miss.count) == (
        1,
        6,
    )
    rest = await mesh.http.get("/v2/models/alice.shown/stats", headers=mesh.headers())
    assert rest.status_code == 200, rest.text
    [entry] = rest.json()["model_stats"]
    assert entry["name"] == "alice.shown"
    assert entry["version"] == "1"
    assert entry["inference_count"] == 7
    assert entry["inference_stats"]["success"]["count"] == 7
    assert entry["inference_stats"]["queue"]["ns"] == cached.inference_stats.queue.ns
    assert entry["batch_stats"] == [
        {
            "batch_size": 1,
            "compute_input": {"count": 6, "ns": 0},
            "compute_infer": {"count": 6, "ns": 0},
            "compute_output": {"count": 6, "ns": 0},
        }
    ]
    versioned = await mesh.http.get("/v2/models/alice.shown/versions/1/stats")
    assert versioned.json()["model_stats"][0]["inference_count"] == 7

    # dlhub.v1 carries the task manager's own counters
    public = await mesh.stub.GetStatistics(
        tasks_pb2.GetStatisticsRequest(
            servable=types_pb2.ServableRef(owner="alice", name="shown", version=1)
        ),
        metadata=mesh.md(),
        timeout=RPC_TIMEOUT_S,
    )
    [counters] = public.models
    assert (counters.inference_count, counters.success_count, counters.failure_count) == (7, 7, 0)
    assert (counters.cache_hit_count, counters.execution_count) == (1, 6)
    assert dict(counters.batch_executions) == {1: 6}


async def test_stats_per_version_and_for_every_model(mesh: Mesh, tiny_v2: TinyModel) -> None:
    await publish_pair(mesh)
    await mesh.publish(TinyModel.metadata("shown"), {"model.onnx": tiny_v2.data})
    await infer(mesh, "alice.shown", version="1")
    for _ in range(3):
        await infer(mesh, "alice.shown")  # latest: 2
    await infer(mesh, "alice.hidden")
    both = (await grpc_stats(mesh, "alice.shown", token=mesh.token)).model_stats
    assert [(m.version, m.inference_count) for m in both] == [("1", 1), ("2", 3)]

    mine = (await grpc_stats(mesh, token=mesh.token)).model_stats
    assert [(m.name, m.version, m.inference_count) for m in mine] == [
        ("alice.hidden", "1", 1),
        ("alice.shown", "1", 1),
        ("alice.shown", "2", 3),
    ]
    # bob sees the public model only, in every listing
    bobs = (await grpc_stats(mesh, token=mesh.bob_token)).model_stats
    assert [(m.name, m.version) for m in bobs] == [("alice.shown", "1"), ("alice.shown", "2")]
    rest = await mesh.http.get("/v2/models/stats", headers=mesh.headers(mesh.bob_token))
    assert rest.status_code == 200, rest.text
    assert [m["name"] for m in rest.json()["model_stats"]] == ["alice.shown", "alice.shown"]
    anonymous = await mesh.http.get("/v2/models/stats")
    assert "alice.hidden" not in {m["name"] for m in anonymous.json()["model_stats"]}


async def test_stats_of_a_hidden_or_unknown_model_are_not_found(mesh: Mesh) -> None:
    await publish_pair(mesh)
    await infer(mesh, "alice.hidden")
    for name, version in (("alice.hidden", ""), ("alice.nothing", ""), ("alice.shown", "9")):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await grpc_stats(mesh, name, version, token=mesh.bob_token)
        assert info.value.code() is grpc.StatusCode.NOT_FOUND, (name, version)
    for path in (
        "/v2/models/alice.hidden/stats",
        "/v2/models/alice.nothing/stats",
        "/v2/models/alice.shown/versions/9/stats",
    ):
        resp = await mesh.http.get(path, headers=mesh.headers(mesh.bob_token))
        assert resp.status_code == 404, (path, resp.text)
        assert resp.json()["code"] == "NOT_FOUND"
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await grpc_stats(mesh, "", "1", token=mesh.token)
    assert bad.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_stats_count_failed_runs(mesh: Mesh) -> None:
    """A run that fails in the executor is a failure, not an inference."""
    types = ["BYTES"]
    await mesh.publish(identity_metadata("strings", types), {"model.onnx": identity_onnx(types)})
    request = oip.ModelInferRequest(model_name="alice.strings")
    request.inputs.add(name="in_BYTES", datatype="BYTES", shape=[2, 3])
    words = np.array([b"ok", b"\xff", b"", b"", b"", b""], dtype=object).reshape(2, 3)
    request.raw_input_contents.append(to_raw(words))
    with pytest.raises(grpc.aio.AioRpcError):  # not UTF-8: refused by the executor
        await mesh.oip.ModelInfer(request, metadata=mesh.md(), timeout=RPC_TIMEOUT_S)
    [entry] = (await grpc_stats(mesh, "alice.strings", token=mesh.token)).model_stats
    s = entry.inference_stats
    assert (entry.inference_count, s.success.count, s.fail.count) == (0, 0, 1)
    assert s.fail.ns > 0
    assert entry.execution_count == 0


async def test_statistics_over_the_task_service_grpc(mesh: Mesh) -> None:
    """Distributed mode's hop: RemoteTasks -> TaskService -> the task manager,
    with the caller's principal in the signed internal token deciding what it may see."""
    await publish_pair(mesh)
    await infer(mesh, "alice.hidden")
    signer = InternalSigner(b"test-secret-0123456789")
    server = GrpcServer("taskmanager", max_message_bytes=MiB, authenticate=signer.authenticate)
    taskmanager_main.register(server, mesh.gateway.oip.tasks)
    port = await server.start("127.0.0.1", 0)
    channel = open_channel(f"127.0.0.1:{port}", MiB)
    remote = RemoteTasks(channel, signer)
    hidden = types_pb2.ServableRef(owner="alice", name="hidden")
    try:
        token = current_principal.set(Principal("alice"))
        try:
            mine = await remote.get_statistics(tasks_pb2.GetStatisticsRequest(servable=hidden))
            everything = await remote.get_statistics(tasks_pb2.GetStatisticsRequest())
        finally:
            current_principal.reset(token)
        assert [(m.servable.name, m.inference_count) for m in mine.models] == [("hidden", 1)]
        assert [m.servable.name for m in everything.models] == ["hidden", "shown"]
        token = current_principal.set(Principal("bob"))
        try:
            bobs = await remote.get_statistics(tasks_pb2.GetStatisticsRequest())
            with pytest.raises(NotFound):
                await remote.get_statistics(tasks_pb2.GetStatisticsRequest(servable=hidden))
        finally:
            current_principal.reset(token)
        assert [m.servable.name for m in bobs.models] == ["shown"]
    finally:
        await channel.close()
        await server.stop(0)
