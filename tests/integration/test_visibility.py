"""Visibility by identity and group, per version, through every door (issue 9 §3).

One in-process mesh for the module. alice owns:

* ``secret``: visible to alice only;
* ``phys``: visible to the local group ``physics`` (carol is a member, bob is not);
* ``pv``: v1 public, v2 visible to alice only.

Another user's private servable, asked for through any API, is NOT_FOUND /
404 (the answer a missing servable gets), and totals and facets do not
count it. The views agree: list and default search show the newest version
the caller may see.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest
import pytest_asyncio

from dlhub_common._proto.dlhub.v1 import registry_pb2, tasks_pb2, types_pb2
from dlhub_common._proto.inference import open_inference_pb2 as oip
from dlhub_common.accounts import LocalAccounts

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh

pytestmark = pytest.mark.asyncio(loop_scope="module")

X = np.random.default_rng(3).standard_normal((2, 4)).astype(np.float32)


class World:
    def __init__(self, mesh: Mesh, carol: str, tasks: dict[str, str], job: str) -> None:
        self.mesh = mesh
        self.carol = carol
        self.tasks = tasks  # alice's task id per servable
        self.job = job  # alice's publish job of `secret`


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory, tiny: TinyModel) -> AsyncIterator[World]:
    data = tmp_path_factory.mktemp("visibility")
    async with running_mesh(Path(data), tiny) as mesh:
        accounts = LocalAccounts(mesh.settings.tokens_file)  # type: ignore[arg-type]
        carol = accounts.ensure_user("carol")
        accounts.create_group("physics")
        accounts.add_members("physics", ["carol"])
        files = {"model.onnx": tiny.data}
        job = (await mesh.publish(tiny.metadata("secret", visible_to=["alice"]), files)).publish_id
        await mesh.publish(tiny.metadata("phys", visible_to=["group:physics"]), files)
        await mesh.publish(tiny.metadata("pv", visible_to=["public"]), files)
        await mesh.publish(tiny.metadata("pv", visible_to=["alice"]), files)
        for name, version in (("secret", 1), ("phys", 1), ("pv", 2)):
            await mesh.wait_searchable(name, version=version)
        tasks = {}
        for name in ("secret", "phys"):
            task = await mesh.run(name, {"X": X})
            assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
            tasks[name] = task.task_id
        yield World(mesh, carol, tasks, job)


def _ref(name: str, version: int = 0) -> types_pb2.ServableRef:
    return types_pb2.ServableRef(owner="alice", name=name, version=version)


async def _code(call: Awaitable[Any]) -> grpc.StatusCode:
    try:
        await call
    except grpc.aio.AioRpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


# ------------------------------------------------------------ each door, a stranger

# Each returns what the stranger's token learns about alice/<name>; the test
# asserts it is exactly what a servable that does not exist gives.
Door = Callable[[World, str, Any], Awaitable[Any]]


async def _describe_grpc(w: World, name: str, token: Any) -> Any:
    return await _code(w.mesh.get(name, token=token))


async def _describe_http(w: World, name: str, token: Any) -> Any:
    resp = await w.mesh.http.get(f"/api/v1/servables/alice/{name}", headers=w.mesh.headers(token))
    return resp.status_code, resp.json().get("error", "").replace(name, "NAME")


async def _versions_grpc(w: World, name: str, token: Any) -> Any:
    return await _code(
        w.mesh.stub.ListVersions(
            registry_pb2.ListVersionsRequest(owner="alice", name=name),
            metadata=w.mesh.md(token),
            timeout=RPC_TIMEOUT_S,
        )
    )


async def _versions_http(w: World, name: str, token: Any) -> Any:
    resp = await w.mesh.http.get(
        f"/api/v1/servables/alice/{name}/versions", headers=w.mesh.headers(token)
    )
    return resp.status_code


async def _run_grpc(w: World, name: str, token: Any) -> Any:
    return await _code(w.mesh.run(name, {"X": X}, token=token))


async def _run_http(w: World, name: str, token: Any) -> Any:
    resp = await w.mesh.http.post(
        f"/api/v1/servables/alice/{name}/run",
        json={"inputs": X.tolist()},
        headers=w.mesh.headers(token),
    )
    return resp.status_code


async def _oip_metadata(w: World, name: str, token: Any) -> Any:
    return await _code(
        w.mesh.oip.ModelMetadata(
            oip.ModelMetadataRequest(name=f"alice.{name}"), metadata=w.mesh.md(token), timeout=10
        )
    )


async def _oip_metadata_rest(w: World, name: str, token: Any) -> Any:
    resp = await w.mesh.http.get(f"/v2/models/alice.{name}", headers=w.mesh.headers(token))
    return resp.status_code


async def _oip_ready(w: World, name: str, token: Any) -> Any:
    ready = await w.mesh.oip.ModelReady(
        oip.ModelReadyRequest(name=f"alice.{name}"), metadata=w.mesh.md(token), timeout=10
    )
    return ready.ready


async def _oip_infer(w: World, name: str, token: Any) -> Any:
    request = oip.ModelInferRequest(model_name=f"alice.{name}")
    tensor = request.inputs.add(name="X", datatype="FP32", shape=list(X.shape))
    tensor.contents.fp32_contents.extend(X.ravel().tolist())
    return await _code(w.mesh.oip.ModelInfer(request, metadata=w.mesh.md(token), timeout=10))


async def _oip_infer_rest(w: World, name: str, token: Any) -> Any:
    body = {
        "inputs": [{"name": "X", "datatype": "FP32", "shape": [2, 4], "data": X.ravel().tolist()}]
    }
    resp = await w.mesh.http.post(
        f"/v2/models/alice.{name}/infer", json=body, headers=w.mesh.headers(token)
    )
    return resp.status_code


async def _repository_index(w: World, name: str, token: Any) -> Any:
    resp = await w.mesh.http.post("/v2/repository/index", json={}, headers=w.mesh.headers(token))
    assert resp.status_code == 200
    return f"alice.{name}" in {entry["name"] for entry in resp.json()}


async def _bundle(w: World, name: str, token: Any) -> Any:
    resp = await w.mesh.http.get(
        f"/api/v1/servables/alice/{name}/bundle", headers=w.mesh.headers(token)
    )
    return resp.status_code


async def _file(w: World, name: str, token: Any) -> Any:
    resp = await w.mesh.http.get(
        f"/api/v1/servables/alice/{name}/files/model.onnx", headers=w.mesh.headers(token)
    )
    return resp.status_code


async def _statistics(w: World, name: str, token: Any) -> Any:
    return await _code(
        w.mesh.stub.GetStatistics(
            tasks_pb2.GetStatisticsRequest(servable=_ref(name)),
            metadata=w.mesh.md(token),
            timeout=10,
        )
    )


DOORS: dict[str, Door] = {
    "describe-grpc": _describe_grpc,
    "describe-http": _describe_http,
    "versions-grpc": _versions_grpc,
    "versions-http": _versions_http,
    "run-grpc": _run_grpc,
    "run-http": _run_http,
    "oip-metadata-grpc": _oip_metadata,
    "oip-metadata-rest": _oip_metadata_rest,
    "oip-ready": _oip_ready,
    "oip-infer-grpc": _oip_infer,
    "oip-infer-rest": _oip_infer_rest,
    "repository-index": _repository_index,
    "bundle-download": _bundle,
    "file-download": _file,
    "statistics": _statistics,
}


@pytest.mark.parametrize("door", DOORS)
async def test_a_strangers_private_servable_looks_missing(world: World, door: str) -> None:
    """bob and the anonymous caller learn of alice/secret exactly what they learn
    of a servable that does not exist; alice herself gets through."""
    probe = DOORS[door]
    for token in (world.mesh.bob_token, None):
        missing = await probe(world, "no-such-servable", token)
        assert _looks_missing(missing), missing
        assert await probe(world, "secret", token) == missing, (door, token is None)
    assert not _looks_missing(await probe(world, "secret", world.mesh.token))


def _looks_missing(answer: Any) -> bool:
    if isinstance(answer, tuple):
        answer = answer[0]
    return answer in (grpc.StatusCode.NOT_FOUND, 404, False)


async def test_a_strangers_task_and_publish_job_look_missing(world: World) -> None:
    mesh = world.mesh
    for token in (mesh.bob_token, None):
        for task_id in world.tasks.values():
            code = await _code(
                mesh.stub.GetTask(
                    tasks_pb2.GetTaskRequest(task_id=task_id), metadata=mesh.md(token), timeout=10
                )
            )
            assert code is grpc.StatusCode.NOT_FOUND
            resp = await mesh.http.get(f"/api/v1/tasks/{task_id}", headers=mesh.headers(token))
            assert resp.status_code in (401, 404)
        code = await _code(
            mesh.stub.GetPublishJob(
                registry_pb2.GetPublishJobRequest(publish_id=world.job),
                metadata=mesh.md(token),
                timeout=10,
            )
        )
        assert code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.UNAUTHENTICATED)
    own = await mesh.stub.GetTask(
        tasks_pb2.GetTaskRequest(task_id=world.tasks["secret"]), metadata=mesh.md(), timeout=10
    )
    assert own.task.state == tasks_pb2.TASK_STATE_SUCCEEDED


async def test_search_totals_and_facets_leak_nothing(world: World) -> None:
    mesh = world.mesh

    async def seen(token: Any) -> tuple[int, dict[str, int], set[tuple[str, int]]]:
        found = await mesh.search(token=token, owner=["alice"], facets=("owner",), limit=100)
        facets = {b.value: b.count for b in found.facets[0].buckets}
        return found.total, facets, {(h.name, h.version) for h in found.hits}

    # bob: pv v1 only (v2 and secret are alice's, phys is physics')
    assert await seen(mesh.bob_token) == (1, {"alice": 1}, {("pv", 1)})
    assert await seen(None) == (1, {"alice": 1}, {("pv", 1)})
    assert await seen(world.carol) == (2, {"alice": 2}, {("pv", 1), ("phys", 1)})
    assert await seen(mesh.token) == (3, {"alice": 3}, {("pv", 2), ("phys", 1), ("secret", 1)})
    every = await mesh.search(token=mesh.bob_token, owner=["alice"], all_versions=True)
    assert {(h.name, h.version) for h in every.hits} == {("pv", 1)}
    assert every.total == 1


async def test_the_views_agree_on_the_newest_version_each_caller_may_see(world: World) -> None:
    mesh = world.mesh
    for token, newest in ((mesh.bob_token, 1), (None, 1), (mesh.token, 2)):
        described = (await mesh.get("pv", token=token)).servable.summary
        assert described.version == newest
        listed = await mesh.stub.ListServables(
            registry_pb2.ListServablesRequest(owner="alice", page_size=100),
            metadata=mesh.md(token),
            timeout=10,
        )
        assert {s.name: s.version for s in listed.servables}.get("pv") == newest
        versions = await mesh.stub.ListVersions(
            registry_pb2.ListVersionsRequest(owner="alice", name="pv"),
            metadata=mesh.md(token),
            timeout=10,
        )
        assert [v.version for v in versions.versions] == list(range(1, newest + 1))
        assert [v.latest for v in versions.versions][-1] is True
        hits = (await mesh.search(token=token, name=["pv"])).hits
        assert [(h.version, h.latest) for h in hits] == [(newest, True)]
        task = await mesh.run("pv", {"X": X}, token=token)
        assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
        assert task.servable.version == newest
        meta = await mesh.oip.ModelMetadata(
            oip.ModelMetadataRequest(name="alice.pv"), metadata=mesh.md(token), timeout=10
        )
        assert meta.versions[-1] == str(newest)
    # bob asking for v2 by number: NOT_FOUND, naming only what he may see
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.get("pv", 2, token=mesh.bob_token)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    assert info.value.details() == "servable alice/pv has no version 2 (versions: [1])"
    assert await _code(mesh.run("pv", {"X": X}, version=2, token=mesh.bob_token)) is (
        grpc.StatusCode.NOT_FOUND
    )


@pytest.mark.parametrize("door", ["describe-grpc", "run-grpc", "oip-ready", "bundle-download"])
async def test_a_group_member_gets_through_and_a_non_member_does_not(
    world: World, door: str
) -> None:
    probe = DOORS[door]
    allowed = await probe(world, "phys", world.carol)
    refused = await probe(world, "phys", world.mesh.bob_token)
    assert allowed in (grpc.StatusCode.OK, 200, True), allowed
    assert refused == await probe(world, "no-such-servable", world.mesh.bob_token)


async def test_leaving_a_group_takes_access_away_at_once(world: World, tiny: TinyModel) -> None:
    mesh = world.mesh
    accounts = LocalAccounts(mesh.settings.tokens_file)  # type: ignore[arg-type]
    dave = accounts.ensure_user("dave")
    accounts.create_group("chem")
    accounts.add_members("chem", ["dave"])
    await mesh.publish(
        tiny.metadata("chem-only", visible_to=["group:chem"]), {"model.onnx": tiny.data}
    )
    task = await mesh.run("chem-only", {"X": X}, token=dave)
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
    accounts.remove_members("chem", ["dave"])
    # the gateway rereads a known token's account within ~1 s (docs/accounts.md)
    for _ in range(60):
        code = await _code(mesh.run("chem-only", {"X": X}, token=dave))
        if code is grpc.StatusCode.NOT_FOUND:
            break
        await asyncio.sleep(0.05)
    assert code is grpc.StatusCode.NOT_FOUND
    assert await _code(mesh.get("chem-only", token=dave)) is grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("Alice Smith", "malformed"),
        ("group:", "malformed"),
        ("group:Physics!", "malformed"),
        ("urn:globus:auth:identity:not-a-uuid", "malformed"),
        ("urn:globus:groups:id:1234", "malformed"),
        ("x" * 300, "malformed"),
        ("alice\n", "malformed"),
    ],
)
async def test_a_malformed_visible_to_entry_is_refused_by_name(
    world: World, tiny: TinyModel, entry: str, why: str
) -> None:
    mesh = world.mesh
    digest = hashlib.sha256(entry.encode()).hexdigest()[:8]
    metadata = tiny.metadata(f"bad-entry-{digest}", visible_to=["public", entry])
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.publish(metadata, {"model.onnx": tiny.data})
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    details = info.value.details() or ""
    assert "visible_to" in details
    assert why in details
    assert repr(entry)[:40] in details
    resp = await mesh.publish_http(metadata, {"model.onnx": tiny.data})
    assert resp.status_code == 400
    assert "visible_to" in resp.text


async def test_visible_to_accepts_every_kind_of_entry(world: World, tiny: TinyModel) -> None:
    entries = [
        "public",
        "bob",
        "group:physics",
        "urn:globus:auth:identity:5D6E7F80-1A2B-4C3D-8E9F-A0B1C2D3E4F5",
        "urn:globus:groups:id:0b3d1a44-8f0e-4c5f-9a53-0e5f9d1c2b7a",
    ]
    resp = await world.mesh.publish(
        tiny.metadata("every-kind", visible_to=entries), {"model.onnx": tiny.data}
    )
    stored = list(resp.servable.summary.visible_to)
    # Globus UUIDs are kept lower-case, as Globus writes them
    assert stored == [e.lower() if e.startswith("urn:") else e for e in entries]
