"""Servable version lifecycle through the in-process mesh: list versions,
deprecate (still runs, with a warning; hidden from default search) and
withdraw (no longer runs; describable tombstone; skipped by latest resolution).
"""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc
import numpy as np
import pytest

import dlhub_sdk.cli as cli
from dlhub_common._proto.dlhub.v1 import bus_pb2, registry_pb2, tasks_pb2, types_pb2
from dlhub_common.errors import FailedPrecondition
from dlhub_common.records import record_id, servable_pb
from dlhub_sdk.client import DLHubClient
from dlhub_search.core import Search

from .conftest import INDEX_TIMEOUT_S, RPC_TIMEOUT_S, Array, Mesh, TinyModel

T = TypeVar("T")
REASON = "superseded by alice/other: better calibrated"


def x_batch(n: int = 3) -> Array:
    return np.random.default_rng(7).standard_normal((n, 4)).astype(np.float32)


def ref(name: str, version: int = 0, owner: str = "alice") -> types_pb2.ServableRef:
    return types_pb2.ServableRef(owner=owner, name=name, version=version)


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str) -> T:
    """Poll ``probe`` until it returns something (search indexing is asynchronous)."""
    try:
        async with asyncio.timeout(INDEX_TIMEOUT_S):
            while True:
                found = await probe()
                if found is not None:
                    return found
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"{what}: not within {INDEX_TIMEOUT_S} s") from None


async def versions(mesh: Mesh, name: str, **md: Any) -> list[types_pb2.ServableSummary]:
    resp = await mesh.stub.ListVersions(
        registry_pb2.ListVersionsRequest(owner="alice", name=name),
        metadata=mesh.md(**md),
        timeout=RPC_TIMEOUT_S,
    )
    return list(resp.versions)


async def deprecate(
    mesh: Mesh, name: str, reason: str = REASON, version: int = 0, **md: Any
) -> types_pb2.ServableSummary:
    resp = await mesh.stub.DeprecateServable(
        registry_pb2.DeprecateServableRequest(ref=ref(name, version), reason=reason),
        metadata=mesh.md(**md),
        timeout=RPC_TIMEOUT_S,
    )
    return resp.servable


async def withdraw(
    mesh: Mesh, name: str, reason: str = REASON, version: int = 0, **md: Any
) -> types_pb2.ServableSummary:
    resp = await mesh.stub.WithdrawServable(
        registry_pb2.WithdrawServableRequest(ref=ref(name, version), reason=reason),
        metadata=mesh.md(**md),
        timeout=RPC_TIMEOUT_S,
    )
    return resp.servable


async def rpc_error(call: Awaitable[Any]) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    return info.value


async def publish_versions(mesh: Mesh, name: str, count: int, **meta: Any) -> None:
    for _ in range(count):
        await mesh.publish(mesh.model.metadata(name, **meta), {"model.onnx": mesh.model.data})
    await mesh.wait_searchable(name, version=count)


# ================================================================ versions


async def test_list_versions_with_state_and_dates(mesh: Mesh) -> None:
    await publish_versions(mesh, "multi", 3)
    listed = await versions(mesh, "multi")
    assert [v.version for v in listed] == [1, 2, 3]
    assert [v.state for v in listed] == ["active"] * 3
    assert [v.latest for v in listed] == [False, False, True]
    assert all(v.publication_date.endswith("Z") for v in listed)
    assert all(not v.state_reason and not v.state_changed_at for v in listed)
    # anonymous callers see public versions; HTTP gives the same list
    assert [v.version for v in await versions(mesh, "multi", token=None)] == [1, 2, 3]
    http = await mesh.http.get("/api/v1/servables/alice/multi/versions")
    assert http.status_code == 200, http.text
    rows = http.json()["versions"]
    assert [(r["version"], r["state"], r["latest"]) for r in rows] == [
        (1, "active", False),
        (2, "active", False),
        (3, "active", True),
    ]
    assert rows[0]["publication_date"] == listed[0].publication_date
    # unknown, and private to someone else: both NOT_FOUND
    assert (await rpc_error(versions(mesh, "nope"))).code() is grpc.StatusCode.NOT_FOUND
    await publish_versions(mesh, "hidden", 1, visible_to=["alice"])
    err = await rpc_error(versions(mesh, "hidden", token=mesh.bob_token))
    assert err.code() is grpc.StatusCode.NOT_FOUND


# ================================================================ deprecate


async def test_deprecated_version_runs_with_a_warning_and_leaves_default_search(
    mesh: Mesh, tiny: TinyModel
) -> None:
    await publish_versions(mesh, "old", 1, title="An old calibration")
    assert (await mesh.search("calibration")).total == 1

    summary = await deprecate(mesh, "old")  # version 0: the latest
    assert (summary.version, summary.state, summary.state_reason) == (1, "deprecated", REASON)
    assert summary.state_changed_at.endswith("Z")

    # the search service re-indexes from the UPDATED event: gone from default search
    async def gone() -> bool | None:
        return True if (await mesh.search("calibration")).total == 0 else None

    await eventually(gone, "deprecated version left default search")
    assert (await mesh.search(name=["old"], all_versions=True)).total == 0
    # ... and found with include_deprecated, carrying its state
    found = await mesh.search("calibration", include_deprecated=True)
    (hit,) = found.hits
    assert (hit.name, hit.state, hit.state_reason) == ("old", "deprecated", REASON)
    assert hit.latest
    http_search = await mesh.http.get(
        "/api/v1/search", params={"q": "calibration", "include_deprecated": "true"}
    )
    assert [h["state"] for h in http_search.json()["hits"]] == ["deprecated"]
    assert (await mesh.http.get("/api/v1/search", params={"q": "calibration"})).json()["total"] == 0

    # describe shows it
    described = await mesh.get("old")
    assert described.servable.summary.state == "deprecated"
    assert described.servable.summary.state_reason == REASON

    # it still runs, with a warning on the task (also when read back)
    x = x_batch()
    task = await mesh.run("old", {"X": x})
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
    (warning,) = task.warnings
    assert warning == f"alice/old:1 is deprecated: {REASON}"
    again = await mesh.stub.GetTask(
        tasks_pb2.GetTaskRequest(task_id=task.task_id), metadata=mesh.md(), timeout=RPC_TIMEOUT_S
    )
    assert list(again.task.warnings) == [warning]

    # HTTP: a "warnings" list in the task JSON; describe's summary has the state
    run = await mesh.http.post(
        "/api/v1/servables/alice/old/run", json={"inputs": x.tolist()}, headers=mesh.headers()
    )
    assert run.status_code == 200, run.text
    assert run.json()["warnings"] == [warning]
    np.testing.assert_allclose(run.json()["outputs"][0]["data"], tiny.expected(x).ravel(), 1e-5)
    desc = (await mesh.http.get("/api/v1/servables/alice/old")).json()
    assert desc["summary"]["state"] == "deprecated"

    # the SDK: a DeprecationWarning, a describe that shows the state
    def use_sdk() -> tuple[list[warnings.WarningMessage], dict[str, Any]]:
        with DLHubClient(mesh.grpc_address, mesh.token) as client:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out = client.run("alice/old", x)
            assert isinstance(out, dict)
            np.testing.assert_allclose(out["Y"], tiny.expected(x), rtol=1e-5)
            return caught, client.describe_servable("alice/old")

    caught, meta = await asyncio.to_thread(use_sdk)
    assert [(w.category, str(w.message)) for w in caught] == [(DeprecationWarning, warning)]
    assert (meta["state"], meta["state_reason"]) == ("deprecated", REASON)


async def test_deprecating_one_version_keeps_the_others_searchable(mesh: Mesh) -> None:
    await publish_versions(mesh, "pair", 2)
    await deprecate(mesh, "pair", version=1)

    async def only_v2() -> list[int] | None:
        hits = (await mesh.search(name=["pair"], all_versions=True)).hits
        found = sorted(h.version for h in hits)
        return found if found == [2] else None

    await eventually(only_v2, "v1 left all-versions search")
    # the latest is active, so the default search still finds the servable
    assert [h.version for h in (await mesh.search(name=["pair"])).hits] == [2]
    listed = await versions(mesh, "pair")
    assert [(v.version, v.state, v.latest) for v in listed] == [
        (1, "deprecated", False),
        (2, "active", True),
    ]


# ================================================================ withdraw


async def test_withdrawn_version_no_longer_runs_but_still_describes(
    mesh: Mesh, tiny: TinyModel
) -> None:
    await publish_versions(mesh, "gone", 2)
    summary = await withdraw(mesh, "gone", reason="training data leak", version=2)
    assert (summary.version, summary.state) == (2, "withdrawn")

    # runs of the withdrawn version fail before anything is queued
    tasks_before = await mesh.task_count()
    err = await rpc_error(mesh.run("gone", {"X": x_batch()}, version=2))
    assert err.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "withdrawn: training data leak" in (err.details() or "")
    assert await mesh.task_count() == tasks_before
    http = await mesh.http.post(
        "/api/v1/servables/alice/gone/run",
        json={"inputs": x_batch().tolist(), "version": 2},
        headers=mesh.headers(),
    )
    assert http.status_code == 409, http.text
    assert "withdrawn: training data leak" in http.text
    ready = await mesh.http.get("/v2/models/alice.gone/versions/2/ready")
    assert ready.json() == {"ready": False}

    # describe still works (a tombstone for citations) and shows the state
    v2 = await mesh.get("gone", 2)
    assert v2.servable.summary.state == "withdrawn"
    assert v2.servable.summary.state_reason == "training data leak"
    assert not v2.servable.summary.latest
    assert json.loads(v2.servable.metadata_json)["dlhub"]["identifier"] == "dlhub:alice/gone:2"
    assert list(v2.versions) == [1, 2]
    assert v2.artifacts  # artifacts are kept

    # latest resolution skips it: describe, run and the default listing give v1
    latest = await mesh.get("gone")
    assert (latest.servable.summary.version, latest.servable.summary.latest) == (1, True)
    task = await mesh.run("gone", {"X": x_batch()})
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
    assert (task.servable.version, list(task.warnings)) == (1, [])
    listed = await mesh.stub.ListServables(
        registry_pb2.ListServablesRequest(owner="alice"), metadata=mesh.md(), timeout=RPC_TIMEOUT_S
    )
    assert [s.version for s in listed.servables if s.name == "gone"] == [1]

    # search: the index moved "latest" back to v1 and never shows v2
    async def v1_is_latest() -> bool | None:
        hits = (await mesh.search(name=["gone"])).hits
        return True if [h.version for h in hits] == [1] else None

    await eventually(v1_is_latest, "v1 became the latest in search")
    all_hits = await mesh.search(name=["gone"], all_versions=True, include_deprecated=True)
    assert [h.version for h in all_hits.hits] == [1]

    # withdrawal is final: a withdrawn version cannot be deprecated
    err = await rpc_error(deprecate(mesh, "gone", version=2))
    assert err.code() is grpc.StatusCode.FAILED_PRECONDITION


async def test_every_version_withdrawn(mesh: Mesh) -> None:
    await publish_versions(mesh, "retired", 2)
    assert (await withdraw(mesh, "retired")).version == 2  # version 0: the latest
    assert (await withdraw(mesh, "retired")).version == 1  # now v1 is the latest
    # the name still describes, as the newest tombstone, and never runs
    described = await mesh.get("retired")
    assert (described.servable.summary.version, described.servable.summary.state) == (
        2,
        "withdrawn",
    )
    err = await rpc_error(mesh.run("retired", {"X": x_batch()}))
    assert err.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert [v.state for v in await versions(mesh, "retired")] == ["withdrawn", "withdrawn"]
    listed = await mesh.stub.ListServables(
        registry_pb2.ListServablesRequest(owner="alice"), metadata=mesh.md(), timeout=RPC_TIMEOUT_S
    )
    assert "retired" not in {s.name for s in listed.servables}

    async def unfindable() -> bool | None:
        found = await mesh.search(name=["retired"], all_versions=True, include_deprecated=True)
        return True if found.total == 0 else None

    await eventually(unfindable, "withdrawn versions left search")


async def test_http_deprecate_and_withdraw(mesh: Mesh) -> None:
    await publish_versions(mesh, "web", 2)
    base = "/api/v1/servables/alice/web"
    resp = await mesh.http.post(
        f"{base}/deprecate", json={"version": 1, "reason": "old"}, headers=mesh.headers()
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["version"], resp.json()["state"]) == (1, "deprecated")
    resp = await mesh.http.post(
        f"{base}/withdraw", json={"version": 0, "reason": "broken"}, headers=mesh.headers()
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["version"], resp.json()["state"]) == (2, "withdrawn")
    rows = (await mesh.http.get(f"{base}/versions")).json()["versions"]
    assert [(r["state"], r["state_reason"], r["latest"]) for r in rows] == [
        ("deprecated", "old", True),
        ("withdrawn", "broken", False),
    ]
    # bob may not; anonymous callers must sign in; a reason is required
    bob = await mesh.http.post(
        f"{base}/withdraw", json={"reason": "x"}, headers=mesh.headers(mesh.bob_token)
    )
    assert bob.status_code == 403, bob.text
    anon = await mesh.http.post(f"{base}/withdraw", json={"reason": "x"})
    assert anon.status_code == 401, anon.text
    empty = await mesh.http.post(f"{base}/deprecate", json={"reason": ""}, headers=mesh.headers())
    assert empty.status_code == 400, empty.text
    assert empty.json()["code"] == "INVALID_ARGUMENT"


# ================================================================ permissions


async def test_only_the_owner_may_change_the_state(mesh: Mesh) -> None:
    await publish_versions(mesh, "mine", 1)
    await publish_versions(mesh, "private", 1, visible_to=["alice"])

    for call in (deprecate, withdraw):
        err = await rpc_error(call(mesh, "mine", token=mesh.bob_token))
        assert err.code() is grpc.StatusCode.PERMISSION_DENIED
        assert "owner" in (err.details() or "")
        # bob cannot even see alice's private servable: NOT_FOUND, nothing leaks
        err = await rpc_error(call(mesh, "private", token=mesh.bob_token))
        assert err.code() is grpc.StatusCode.NOT_FOUND
        err = await rpc_error(call(mesh, "mine", token=None))
        assert err.code() is grpc.StatusCode.UNAUTHENTICATED
        err = await rpc_error(call(mesh, "mine", reason="  "))
        assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
        err = await rpc_error(call(mesh, "mine", version=9))
        assert err.code() is grpc.StatusCode.NOT_FOUND
    assert [v.state for v in await versions(mesh, "mine")] == ["active"]
    # alice may, and re-deprecating replaces the reason
    await deprecate(mesh, "mine", reason="first")
    assert (await deprecate(mesh, "mine", reason="second")).state_reason == "second"


# ================================================================ events and the index


async def test_search_index_follows_update_events(mesh: Mesh) -> None:
    """The UPDATED events re-index the state; crossing events keep the newest latest."""
    index = await mesh.backends.search_index()
    search = Search(index, await mesh.backends.bus(), group="lifecycle-test")
    base = {
        "owner": "carol",
        "name": "cross",
        "title": "Crossing events",
        "visible_to": ["public"],
        "digest": "sha256:x",
    }

    def event(version: int, *, latest: bool, state: str = "active") -> bus_pb2.ServableEvent:
        record = {
            **base,
            "version": version,
            "metadata": {},
            "published_at": f"2024-01-0{version}T00:00:00Z",
            "state": state,
        }
        return bus_pb2.ServableEvent(
            kind=bus_pb2.SERVABLE_EVENT_KIND_UPDATED,
            servable=servable_pb(record, latest=latest),
        )

    await search.apply(event(1, latest=True))
    await search.apply(event(2, latest=True))
    # a stale "v1 is latest" arriving after v2 must not make two latest versions
    await search.apply(event(1, latest=True))
    hits = (await mesh.search(name=["cross"])).hits
    assert [h.version for h in hits] == [2]
    await search.apply(event(2, latest=False, state="withdrawn"))
    await search.apply(event(1, latest=True))
    hits = (await mesh.search(name=["cross"], all_versions=True, include_deprecated=True)).hits
    assert [(h.version, h.latest) for h in hits] == [(1, True)]

    # documents indexed before states existed count as active once backfilled
    legacy = {**Search.index_doc({**base, "version": 7, "latest": True, "publication_date": ""})}
    del legacy["state"]
    legacy["name"] = "legacy"
    await index.upsert(record_id("carol", "legacy", 7), legacy)
    assert (await mesh.search(name=["legacy"])).total == 0
    await search._backfill_states()
    assert [h.state for h in (await mesh.search(name=["legacy"])).hits] == ["active"]


# ================================================================ SDK and CLI


async def test_sdk_and_cli_lifecycle(mesh: Mesh, capsys: pytest.CaptureFixture[str]) -> None:
    await publish_versions(mesh, "tool", 2)
    common = ["--address", mesh.grpc_address, "--token", mesh.token]

    def use_sdk() -> None:
        with DLHubClient(mesh.grpc_address, mesh.token) as client:
            rows = client.list_versions("alice/tool")
            assert [(r["version"], r["state"]) for r in rows] == [(1, "active"), (2, "active")]
            assert client.deprecate_servable("alice/tool", "use v2", version=1)["state"] == (
                "deprecated"
            )
            assert client.withdraw_servable("alice/tool:2", "broken")["version"] == 2
            with pytest.raises(FailedPrecondition, match="withdrawn: broken"):
                client.run("alice/tool", x_batch(), version=2)

    await asyncio.to_thread(use_sdk)

    def run_cli(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, _ = await asyncio.to_thread(run_cli, "versions", "alice/tool", "--json", *common)
    assert code == 0
    assert [r["state"] for r in json.loads(out)] == ["deprecated", "withdrawn"]
    code, out, _ = await asyncio.to_thread(run_cli, "versions", "alice/tool", *common)
    assert code == 0
    assert "deprecated" in out
    assert "use v2" in out
    # the latest is v1 now (v2 is withdrawn): it runs, with a warning line on stderr
    code, out, err = await asyncio.to_thread(
        run_cli, "run", "alice/tool", "--inputs", json.dumps(x_batch(1).tolist()), "--json", *common
    )
    assert code == 0, err
    assert "Y" in json.loads(out)
    assert "warning: alice/tool:1 is deprecated: use v2" in err
    code, out, err = await asyncio.to_thread(
        run_cli, "withdraw", "alice/tool", "--reason", "all done", "--json", *common
    )
    assert code == 0, err
    assert (json.loads(out)["version"], json.loads(out)["state"]) == (1, "withdrawn")
    code, out, err = await asyncio.to_thread(
        run_cli, "deprecate", "alice/tool", "--reason", "x", *common
    )
    assert code == 1
    assert "FAILED_PRECONDITION" in err
    code, out, err = await asyncio.to_thread(run_cli, "describe", "alice/tool", "--json", *common)
    assert code == 0
    assert json.loads(out)["state"] == "withdrawn"
    # every version is withdrawn: the name describes as the newest tombstone, v2
    assert json.loads(out)["dlhub"]["version"] == 2
    assert "warning: alice/tool version 2 is withdrawn: broken" in err
