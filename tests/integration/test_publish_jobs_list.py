"""Listing one's own publish jobs: gRPC ListPublishJobs, HTTP GET
/api/v1/publish-jobs, the SDK's list_publish_jobs and ``dlhub publish-jobs``.

Newest first, failed publishes included, logs left out, filters by state and
name, paged; another user's jobs never appear, and bad requests are refused
naming what is wrong.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
import pytest

from dlhub_common._proto.dlhub.v1 import registry_pb2
from dlhub_common.errors import InvalidArgument, Unauthenticated
from dlhub_common.rpc.errors import error_from_rpc
from dlhub_sdk import cli
from dlhub_sdk.client import DLHubClient

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel


async def listed(
    mesh: Mesh, token: Any = None, **fields: Any
) -> registry_pb2.ListPublishJobsResponse:
    resp: registry_pb2.ListPublishJobsResponse = await mesh.stub.ListPublishJobs(
        registry_pb2.ListPublishJobsRequest(**fields),
        metadata=mesh.md() if token is None else mesh.md(token),
        timeout=RPC_TIMEOUT_S,
    )
    return resp


async def publish_three(mesh: Mesh, tiny: TinyModel) -> list[str]:
    """alice: tiny v1, a failed publish of 'broken', tiny v2; bob: his own tiny.
    Returns alice's publish ids, oldest first."""
    ids = [(await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})).publish_id]
    broken = tiny.metadata("broken")
    broken["dlhub"]["files"]["model"] = "missing.onnx"
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.publish(broken, {"model.onnx": tiny.data})
    ids.append(str(error_from_rpc(info.value).details["publish_id"]))
    ids.append((await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})).publish_id)
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data}, token=mesh.bob_token)
    return ids


async def test_own_jobs_newest_first_filtered_and_paged(mesh: Mesh, tiny: TinyModel) -> None:
    ids = await publish_three(mesh, tiny)
    resp = await listed(mesh)
    assert resp.total == 3
    assert [j.id for j in resp.jobs] == ids[::-1]  # newest first
    assert [j.state for j in resp.jobs] == ["SUCCEEDED", "FAILED", "SUCCEEDED"]
    assert [j.servable.version for j in resp.jobs] == [2, 0, 1]
    assert all(j.owner == "alice" for j in resp.jobs)
    assert all(not j.log for j in resp.jobs)  # logs only through GetPublishJob
    assert resp.jobs[1].error_code == "INVALID_ARGUMENT"

    failed = await listed(mesh, state="FAILED")
    assert (failed.total, [j.id for j in failed.jobs]) == (1, [ids[1]])
    named = await listed(mesh, name="tiny")
    assert (named.total, [j.id for j in named.jobs]) == (2, [ids[2], ids[0]])
    assert (await listed(mesh, name="broken")).total == 1  # named once its metadata was valid
    page = await listed(mesh, page_size=1, offset=1)
    assert (page.total, [j.id for j in page.jobs]) == (3, [ids[1]])
    assert not (await listed(mesh, offset=3)).jobs

    bob = await listed(mesh, mesh.bob_token)
    assert bob.total == 1
    assert bob.jobs[0].owner == "bob"
    assert not {j.id for j in bob.jobs} & set(ids)


@pytest.mark.parametrize(
    ("fields", "code", "words"),
    [
        ({"state": "DONE"}, grpc.StatusCode.INVALID_ARGUMENT, "state 'DONE'"),
        ({"page_size": 1001}, grpc.StatusCode.INVALID_ARGUMENT, "page_size 1001"),
        ({"offset": -1}, grpc.StatusCode.INVALID_ARGUMENT, "offset -1"),
    ],
)
async def test_bad_requests_are_refused_by_name(
    mesh: Mesh, fields: dict[str, Any], code: grpc.StatusCode, words: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await listed(mesh, **fields)
    assert info.value.code() is code
    assert words in (info.value.details() or "")


async def test_anonymous_callers_have_no_jobs_to_list(mesh: Mesh) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await listed(mesh, "")
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
    resp = await mesh.http.get("/api/v1/publish-jobs")
    assert resp.status_code == 401, resp.text


async def test_http_sdk_and_cli_list_the_same_jobs(
    mesh: Mesh, tiny: TinyModel, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = await publish_three(mesh, tiny)
    http = await mesh.http.get(
        "/api/v1/publish-jobs", params={"state": "SUCCEEDED"}, headers=mesh.headers()
    )
    assert http.status_code == 200, http.text
    body = http.json()
    assert (body["total"], body["offset"]) == (2, 0)
    assert [j["id"] for j in body["jobs"]] == [ids[2], ids[0]]
    assert body["jobs"][0]["servable"] == {"owner": "alice", "name": "tiny", "version": 2}
    assert body["jobs"][0]["log"] == []
    bad = await mesh.http.get("/api/v1/publish-jobs", params={"limit": 0}, headers=mesh.headers())
    assert bad.status_code == 400, bad.text
    assert "limit" in bad.text
    wrong = await mesh.http.get(
        "/api/v1/publish-jobs", params={"state": "done"}, headers=mesh.headers()
    )
    assert wrong.status_code == 400, wrong.text
    assert "state 'done'" in wrong.text

    def use_sdk() -> dict[str, Any]:
        with DLHubClient(mesh.grpc_address, mesh.token) as client:
            with pytest.raises(InvalidArgument, match="state 'x'"):
                client.list_publish_jobs(state="x")
            return client.list_publish_jobs(name="broken")

    sdk = await asyncio.to_thread(use_sdk)
    assert sdk["total"] == 1
    assert sdk["jobs"][0]["id"] == ids[1]
    assert sdk["jobs"][0]["state"] == "FAILED"
    assert sdk["jobs"][0]["error_code"] == "INVALID_ARGUMENT"

    def anonymous() -> None:
        with DLHubClient(mesh.grpc_address, None) as client:
            client.list_publish_jobs()

    with pytest.raises(Unauthenticated):
        await asyncio.to_thread(anonymous)

    def run_cli(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        cap = capsys.readouterr()
        return code, cap.out, cap.err

    common = ["--address", mesh.grpc_address, "--token", mesh.token]
    code, text, err = await asyncio.to_thread(run_cli, "publish-jobs", *common)
    assert code == 0, err
    lines = text.splitlines()
    assert lines[0].split() == ["JOB", "STATE", "SERVABLE", "STARTED", "ERROR"]
    rows = [line.split() for line in lines[2:]]
    assert [r[0] for r in rows] == ids[::-1]
    assert rows[0][1:3] == ["SUCCEEDED", "alice/tiny:2"]
    assert rows[1][1] == "FAILED"
    assert rows[1][-1] == "INVALID_ARGUMENT"
    code, text, err = await asyncio.to_thread(
        run_cli, "publish-jobs", "--limit", "1", "--json", *common
    )
    assert code == 0, err
    assert [j["id"] for j in json.loads(text)["jobs"]] == [ids[2]]
    code, text, err = await asyncio.to_thread(run_cli, "publish-jobs", "--limit", "1", *common)
    assert "1 of 3" in text
