"""Durable usage statistics through the in-process mesh (docs/observability.md).

A known mix of runs by alice, bob and an anonymous caller, plus refused runs;
then GetServableStats (gRPC), the SDK, ``dlhub stats`` and
``GET /api/v1/servables/{owner}/{name}/stats`` must say exactly what was run,
with the access rules, and say it again after the mesh restarts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from dlhub_sdk import cli
from dlhub_sdk.client import DLHubClient
from dlhub_taskmanager.usage import sketch

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh

pytestmark = pytest.mark.timeout(120)

X = {"X": np.arange(8, dtype=np.float32).reshape(2, 4)}
BAD = {"X": np.zeros((2, 5), dtype=np.float32)}  # refused: the signature wants 4 columns


async def stats(
    mesh: Mesh, name: str, *, token: Any = ..., version: int = 0, since: str = ""
) -> tasks_pb2.GetServableStatsResponse:
    resp: tasks_pb2.GetServableStatsResponse = await mesh.stub.GetServableStats(
        tasks_pb2.GetServableStatsRequest(
            servable=types_pb2.ServableRef(owner="alice", name=name, version=version),
            since=since,
        ),
        metadata=mesh.md() if token is ... else mesh.md(token),
        timeout=RPC_TIMEOUT_S,
    )
    return resp


async def rpc_code(coro: Any) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await coro
    return info.value.code()


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def within_bucket(reported: float, true: float) -> bool:
    return true / sketch.GROWTH <= reported <= true * sketch.GROWTH


async def test_usage_counts_access_rules_and_restart(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    # flushed often, so reads meet flushes in progress (and must still be exact);
    # a fixed salt: which callers share a HyperLogLog register is fixed (none here)
    usage = {"flush_interval_s": 0.02, "salt": "integration-test-salt-0123"}
    async with running_mesh(tmp_path / "mesh", tiny, usage=usage) as mesh:
        files = {"model.onnx": tiny.data}
        await mesh.publish(TinyModel.metadata("usage-pub"), files)
        await mesh.publish(TinyModel.metadata("usage-pub"), files)  # v2
        await mesh.publish(TinyModel.metadata("usage-priv", visible_to=["alice"]), files)
        started = dt.datetime.now(dt.UTC)

        latencies: list[float] = []
        callers = [mesh.token] * 3 + [mesh.bob_token] * 2 + [None]
        for token in callers:
            task = await mesh.run("usage-pub", X, version=1, token=token, no_cache=True)
            assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED
            latencies.append(task.timings.total_ms)
        task = await mesh.run("usage-pub", X, token=mesh.bob_token, no_cache=True)  # v2
        assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED
        v2_latency = task.timings.total_ms
        for token in (mesh.bob_token, None):  # refused in validation: errors
            code = await rpc_code(mesh.run("usage-pub", BAD, version=1, token=token))
            assert code is grpc.StatusCode.INVALID_ARGUMENT
        await mesh.run("usage-priv", X, no_cache=True)

        # the owner: totals, versions and days
        own = await stats(mesh, "usage-pub")
        assert (own.since, own.until) == (
            (dt.date.fromisoformat(today) - dt.timedelta(days=29)).isoformat(),
            today,
        )
        v1 = own.versions[0].counts
        assert [v.version for v in own.versions] == [1, 2]
        assert (v1.invocations, v1.errors, v1.refused, v1.unique_callers) == (8, 2, 2, 3)
        assert within_bucket(v1.latency_p50_ms, quantile(latencies, 0.5))
        assert within_bucket(v1.latency_p95_ms, quantile(latencies, 0.95))
        v2 = own.versions[1].counts
        assert (v2.invocations, v2.errors, v2.unique_callers) == (1, 0, 1)
        assert within_bucket(v2.latency_p50_ms, v2_latency)
        t = own.totals
        assert (t.invocations, t.errors, t.refused, t.unique_callers) == (9, 2, 2, 3)
        last = dt.datetime.fromisoformat(t.last_used_at.replace("Z", "+00:00"))
        assert started - dt.timedelta(seconds=1) <= last <= dt.datetime.now(dt.UTC)
        assert own.days_visible
        assert [(d.day, d.version, d.counts.invocations) for d in own.days] == [
            (today, 1, 8),
            (today, 2, 1),
        ]
        one = await stats(mesh, "usage-pub", version=2, since="1d")
        assert [v.version for v in one.versions] == [2]
        assert one.totals.invocations == 1
        assert one.since == today

        # another user and an anonymous caller: the totals of a public servable, no days
        for token in (mesh.bob_token, None):
            other = await stats(mesh, "usage-pub", token=token)
            assert other.totals == t
            assert not other.days_visible
            assert list(other.days) == []
        # a private servable: its owner sees it, others get describe's NOT_FOUND
        assert (await stats(mesh, "usage-priv")).totals.invocations == 1
        for token in (mesh.bob_token, None):
            assert await rpc_code(stats(mesh, "usage-priv", token=token)) is (
                grpc.StatusCode.NOT_FOUND
            )
        # bad filters
        for since in ("yesterday", "0d", "99999d", "2999-01-01", "2026-02-30"):
            code = await rpc_code(stats(mesh, "usage-pub", since=since))
            assert code is grpc.StatusCode.INVALID_ARGUMENT, since
        assert await rpc_code(stats(mesh, "usage-pub", version=9)) is grpc.StatusCode.NOT_FOUND

        # HTTP: the same numbers, typed; 404 and 400 with a message
        r = await mesh.http.get("/api/v1/servables/alice/usage-pub/stats", headers=mesh.headers())
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["totals"]["invocations"] == 9
        assert body["totals"]["unique_callers"] == 3
        assert [d["version"] for d in body["days"]] == [1, 2]
        r = await mesh.http.get("/api/v1/servables/alice/usage-pub/stats?since=4w")
        assert r.status_code == 200
        assert r.json()["days"] is None
        r = await mesh.http.get(
            "/api/v1/servables/alice/usage-priv/stats", headers=mesh.headers(mesh.bob_token)
        )
        assert r.status_code == 404
        r = await mesh.http.get("/api/v1/servables/alice/usage-pub/stats?since=soon")
        assert r.status_code == 400
        assert "since" in r.text
        r = await mesh.http.get("/api/v1/servables/alice/usage-pub/stats?version=x")
        assert r.status_code == 400
        assert "version" in r.text
        doc = (await mesh.http.get("/openapi.json")).json()
        route = doc["paths"]["/api/v1/servables/{owner}/{name}/stats"]["get"]
        assert {"200", "400", "404"} <= set(route["responses"])
        assert "ServableStats" in json.dumps(route["responses"]["200"])

        # the SDK and the CLI (synchronous: in a thread beside the mesh)
        def sdk() -> dict[str, Any]:
            with DLHubClient(mesh.grpc_address, token=mesh.bob_token) as client:
                return client.get_stats("alice/usage-pub", since=dt.timedelta(days=7))

        got = await asyncio.to_thread(sdk)
        assert got["totals"]["invocations"] == 9
        assert got["days"] is None
        capsys.readouterr()
        argv = ["stats", "alice/usage-pub", "--address", mesh.grpc_address, "--token", mesh.token]
        assert await asyncio.to_thread(cli.main, argv) == 0
        table = capsys.readouterr().out
        assert "alice/usage-pub: usage" in table
        assert f"{today}       1" in table
        assert await asyncio.to_thread(cli.main, [*argv, "--json", "--version", "2"]) == 0
        assert json.loads(capsys.readouterr().out)["totals"]["invocations"] == 1
        assert await asyncio.to_thread(cli.main, [*argv, "--since", "later"]) != 0
        assert "since 'later' is not understood" in capsys.readouterr().err
        mesh_dir = mesh.data_dir

    # durable: a restarted mesh reads the same statistics
    async with running_mesh(tmp_path / "mesh", tiny, usage=usage) as again:
        assert again.data_dir == mesh_dir
        after = await stats(again, "usage-pub")
        assert after.totals == t
        assert [(d.day, d.version) for d in after.days] == [(today, 1), (today, 2)]
