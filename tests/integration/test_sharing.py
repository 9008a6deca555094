"""Sharing, co-owners and the audit log through the in-process mesh.

Owners and co-owners change ``visible_to`` (one version or every version) and
the co-owners (``SetAccess``, HTTP ``POST .../access``, ``dlhub share``);
co-owners publish new versions into the owner's name, deprecate and
withdraw. Every publish, state change, access change, token and group change
is appended to the audit log (``ListAudit``, HTTP ``GET /api/v1/audit``,
``dlhub audit``), which only administrators read. One fixed case runs with
the document store on FerretDB.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import grpc
import pytest

import dlhub_gateway.main as gateway_m
from dlhub_common import audit
from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.errors import NotFound, PermissionDenied, Unavailable
from dlhub_common.identity import ANONYMOUS, Principal, current_principal
from dlhub_common.internal_auth import InternalSigner
from dlhub_common.names import Ref
from dlhub_common.ports import DocumentStore
from dlhub_common.records import SERVABLES, record_id
from dlhub_common.remote import RemoteRegistry, open_channel
from dlhub_common.rpc.server import GrpcServer
from dlhub_registry import sharing
from dlhub_registry.lifecycle import set_state
from dlhub_registry.sharing import ACCESS_CHANGES
from dlhub_sdk import cli
from dlhub_sdk.client import DLHubClient

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh
from .test_lifecycle import deprecate, eventually, ref, rpc_error, withdraw

pytestmark = pytest.mark.timeout(90)


# ------------------------------------------------------------------ helpers


async def share(
    mesh: Mesh,
    name: str,
    *,
    version: int = 0,
    visible_to: list[str] | None = None,
    add: tuple[str, ...] = (),
    remove: tuple[str, ...] = (),
    token: Any = ...,
) -> registry_pb2.SetAccessResponse:
    resp: registry_pb2.SetAccessResponse = await mesh.stub.SetAccess(
        registry_pb2.SetAccessRequest(
            ref=ref(name, version),
            visible_to=None if visible_to is None else registry_pb2.VisibleTo(entries=visible_to),
            add_co_owners=list(add),
            remove_co_owners=list(remove),
        ),
        metadata=mesh.md() if token is ... else mesh.md(token),
        timeout=RPC_TIMEOUT_S,
    )
    return resp


async def publish(mesh: Mesh, name: str, *, token: Any = ..., **meta: Any) -> types_pb2.Servable:
    owner = meta.pop("owner", None)
    metadata = mesh.model.metadata(name, **meta)
    if owner is not None:
        metadata["dlhub"]["owner"] = owner
    kwargs = {} if token is ... else {"token": token}
    resp = await mesh.publish(metadata, {"model.onnx": mesh.model.data}, **kwargs)
    return resp.servable


async def records_of(mesh: Mesh, name: str, owner: str = "alice") -> list[dict[str, Any]]:
    docs = await mesh.backends.documents()
    return await docs.find(SERVABLES, {"owner": owner, "name": name}, sort=[("version", 1)])


async def audit_entries(mesh: Mesh, **filters: Any) -> list[dict[str, Any]]:
    """The whole log through HTTP as an administrator (alice)."""
    resp = await mesh.http.get(
        "/api/v1/audit", params={"page_size": 1000, **filters}, headers=mesh.headers()
    )
    assert resp.status_code == 200, resp.text
    entries: list[dict[str, Any]] = resp.json()["entries"]
    return entries


def accounts(mesh: Mesh) -> Any:
    return gateway_m.tokens_for(mesh.settings)


def make_admin(mesh: Mesh) -> None:
    assert accounts(mesh).ensure_admin("alice")


async def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    def call() -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return await asyncio.to_thread(call)


def client_args(mesh: Mesh, token: str) -> list[str]:
    return ["--address", mesh.grpc_address, "--token", token]


# ================================================================ sharing


async def test_share_with_a_local_group_reaches_describe_list_and_search(
    mesh: Mesh, capsys: pytest.CaptureFixture[str]
) -> None:
    tokens = accounts(mesh)
    carol = tokens.ensure_user("carol")
    tokens.create_group("physics")
    tokens.add_members("physics", ["carol"])
    published = await publish(mesh, "secret", visible_to=["alice"], title="Glass secret")
    # carol (and bob) cannot see it anywhere
    for token in (carol, mesh.bob_token):
        err = await rpc_error(mesh.get("secret", token=token))
        assert err.code() is grpc.StatusCode.NOT_FOUND
        assert "secret" not in await mesh.listed_names(token=token)

    code, out, err = await run_cli(
        capsys,
        "share",
        "alice/secret",
        "--visible-to",
        "group:physics",
        *client_args(mesh, mesh.token),
    )
    assert code == 0, err
    assert "version 1: visible to group:physics (was: alice)" in out
    assert "recorded as audit entry" in out
    code, _, err = await run_cli(capsys, "share", "alice/secret", *client_args(mesh, mesh.token))
    assert code == 1
    assert "INVALID_ARGUMENT: nothing to change" in err

    # describe, list and search show it to the group's member, with the new access
    described = await mesh.get("secret", token=carol)
    summary = described.servable.summary
    assert list(summary.visible_to) == ["group:physics"]
    assert summary.digest == published.summary.digest
    assert described.servable.metadata_json == published.metadata_json
    assert "secret" in await mesh.listed_names(token=carol)

    async def found() -> bool | None:
        hits = (await mesh.search("Glass", token=carol)).hits
        return True if [h.name for h in hits] == ["secret"] else None

    await eventually(found, "the group member finds it in search")
    hit = (await mesh.search("Glass", token=carol)).hits[0]
    assert list(hit.visible_to) == ["group:physics"]
    # bob is not in the group: still NOT_FOUND, still absent from search
    assert (await rpc_error(mesh.get("secret", token=mesh.bob_token))).code() is (
        grpc.StatusCode.NOT_FOUND
    )
    assert (await mesh.search("Glass", token=mesh.bob_token)).total == 0
    # the SDK describe carries the access in force; the published metadata is as it was
    with DLHubClient(mesh.grpc_address, carol) as client:
        meta = await asyncio.to_thread(client.describe_servable, "alice/secret")
    assert meta["visible_to"] == ["group:physics"]
    assert meta["dlhub"]["visible_to"] == ["alice"]


async def test_share_with_a_user_then_make_private_again(mesh: Mesh) -> None:
    await publish(mesh, "pair", title="Pair model")
    await publish(mesh, "pair", title="Pair model")
    await mesh.wait_searchable("pair", version=2)
    before = await records_of(mesh, "pair")

    # every version private (visible_to []): bob loses both, through every view
    resp = await share(mesh, "pair", visible_to=[])
    assert [
        (c.version, list(c.visible_to_before), list(c.visible_to_after)) for c in resp.changes
    ] == [
        (1, ["public"], []),
        (2, ["public"], []),
    ]
    assert (await rpc_error(mesh.get("pair", token=mesh.bob_token))).code() is (
        grpc.StatusCode.NOT_FOUND
    )
    assert "pair" not in await mesh.listed_names(token=mesh.bob_token)

    async def hidden() -> bool | None:
        return True if (await mesh.search("Pair", token=mesh.bob_token)).total == 0 else None

    await eventually(hidden, "a private servable leaves bob's search")
    assert (await mesh.search("Pair", token=None)).total == 0

    # v1 only, for bob by name: v1 is what bob sees, v2 stays private
    resp = await share(mesh, "pair", version=1, visible_to=["bob"])
    assert [s.version for s in resp.servables] == [1]
    described = await mesh.get("pair", token=mesh.bob_token)
    assert described.servable.summary.version == 1
    assert list(described.versions) == [1]
    err = await rpc_error(mesh.get("pair", 2, token=mesh.bob_token))
    assert err.code() is grpc.StatusCode.NOT_FOUND
    after = await records_of(mesh, "pair")
    assert [r["visible_to"] for r in after] == [["bob"], []]
    # nothing but the access changed: digest, metadata, artifacts, identifiers
    for old, new in zip(before, after, strict=True):
        for key in ("digest", "metadata", "artifacts", "identifier", "published_at", "state"):
            assert old.get(key) == new.get(key), key

    # HTTP: the same change, and the summary's new fields
    http = await mesh.http.post(
        "/api/v1/servables/alice/pair/access",
        json={"visible_to": ["public"]},
        headers=mesh.headers(),
    )
    assert http.status_code == 200, http.text
    body = http.json()
    assert [c["visible_to"]["after"] for c in body["changes"]] == [["public"], ["public"]]
    assert [s["co_owners"] for s in body["servables"]] == [[], []]

    async def public_again() -> bool | None:
        hits = (await mesh.search("Pair", token=None)).hits
        return True if [h.version for h in hits] == [2] else None

    await eventually(public_again, "public again in anonymous search")


# ================================================================ co-owners


async def test_co_owner_publishes_a_new_version_and_deprecates(
    mesh: Mesh, capsys: pytest.CaptureFixture[str]
) -> None:
    await publish(mesh, "shared", visible_to=["alice"])
    resp = await share(mesh, "shared", add=("bob",))
    assert [list(c.co_owners_after) for c in resp.changes] == [["bob"]]
    assert list(resp.servables[0].co_owners) == ["bob"]
    # the co-owner sees the private servable; search shows the co-owners too
    assert (await mesh.get("shared", token=mesh.bob_token)).servable.summary.version == 1

    async def indexed() -> bool | None:
        hits = (await mesh.search(name=["shared"])).hits
        return True if hits and list(hits[0].co_owners) == ["bob"] else None

    await eventually(indexed, "the index holds the co-owners")

    # bob publishes v2 into alice's name: owner stays alice, the co-owners are kept
    v2 = await publish(mesh, "shared", owner="alice", visible_to=["alice"], token=mesh.bob_token)
    assert (v2.summary.owner, v2.summary.version) == ("alice", 2)
    assert list(v2.summary.co_owners) == ["bob"]
    assert json.loads(v2.metadata_json)["dlhub"]["owner"] == "alice"
    assert [r["co_owners"] for r in await records_of(mesh, "shared")] == [["bob"], ["bob"]]

    # and through the SDK option (publish_servable(owner=...)): v3
    metadata = mesh.model.metadata("shared", visible_to=["alice"])
    model_file = mesh.data_dir / "tiny.onnx"
    model_file.write_bytes(mesh.model.data)
    with DLHubClient(mesh.grpc_address, mesh.bob_token) as client:
        v3 = await asyncio.to_thread(
            client.publish_servable, metadata, {"model.onnx": model_file}, owner="alice"
        )
    assert (v3["owner"], v3["version"], v3["co_owners"]) == ("alice", 3, ["bob"])

    # the co-owner deprecates v1 and withdraws v2 (CLI)
    dep = await deprecate(mesh, "shared", "superseded", 1, token=mesh.bob_token)
    assert dep.state == "deprecated"
    code, out, err = await run_cli(
        capsys,
        "withdraw",
        "alice/shared:2",
        "--reason",
        "broken weights",
        *client_args(mesh, mesh.bob_token),
    )
    assert code == 0, err
    assert "withdrew alice/shared version 2" in out

    # removing bob takes every right away: he no longer sees it, and cannot publish
    await share(mesh, "shared", remove=("bob",))
    assert [r["co_owners"] for r in await records_of(mesh, "shared")] == [[], [], []]
    err_get = await rpc_error(mesh.get("shared", token=mesh.bob_token))
    assert err_get.code() is grpc.StatusCode.NOT_FOUND
    err_pub = await rpc_error(
        publish(mesh, "shared", owner="alice", visible_to=["alice"], token=mesh.bob_token)
    )
    assert err_pub.code() is grpc.StatusCode.NOT_FOUND
    assert len(await records_of(mesh, "shared")) == 3


async def test_strangers_get_not_found_or_permission_denied(mesh: Mesh) -> None:
    await publish(mesh, "private", visible_to=["alice"])
    await publish(mesh, "open")
    missing = await rpc_error(share(mesh, "nothing-here", visible_to=["bob"], token=mesh.bob_token))
    assert missing.code() is grpc.StatusCode.NOT_FOUND

    # cannot see it: NOT_FOUND, worded as for a servable that does not exist
    hidden = await rpc_error(share(mesh, "private", visible_to=["bob"], token=mesh.bob_token))
    assert hidden.code() is grpc.StatusCode.NOT_FOUND
    assert hidden.details() == missing.details().replace("nothing-here", "private")
    hidden_pub = await rpc_error(publish(mesh, "private", owner="alice", token=mesh.bob_token))
    assert hidden_pub.code() is grpc.StatusCode.NOT_FOUND
    http = await mesh.http.post(
        "/api/v1/servables/alice/private/access",
        json={"add_co_owners": ["bob"]},
        headers=mesh.headers(mesh.bob_token),
    )
    assert http.status_code == 404, http.text

    # sees it but does not manage it: PERMISSION_DENIED, for every managing action
    denied = await rpc_error(share(mesh, "open", add=("bob",), token=mesh.bob_token))
    assert denied.code() is grpc.StatusCode.PERMISSION_DENIED
    assert "only the owner (alice) or a co-owner" in (denied.details() or "")
    denied_pub = await rpc_error(publish(mesh, "open", owner="alice", token=mesh.bob_token))
    assert denied_pub.code() is grpc.StatusCode.PERMISSION_DENIED
    denied_dep = await rpc_error(deprecate(mesh, "open", "mine now", token=mesh.bob_token))
    assert denied_dep.code() is grpc.StatusCode.PERMISSION_DENIED
    http = await mesh.http.post(
        "/api/v1/servables/alice/open/access",
        json={"visible_to": ["bob"]},
        headers=mesh.headers(mesh.bob_token),
    )
    assert http.status_code == 403, http.text
    # anonymous: 401 before the body is read, UNAUTHENTICATED over gRPC
    anon = await mesh.http.post("/api/v1/servables/alice/open/access", json={"visible_to": []})
    assert anon.status_code == 401, anon.text
    anon_rpc = await rpc_error(share(mesh, "open", visible_to=[], token=None))
    assert anon_rpc.code() is grpc.StatusCode.UNAUTHENTICATED
    # nothing changed, nothing published
    assert [r["visible_to"] for r in await records_of(mesh, "open")] == [["public"]]
    assert [r.get("co_owners", []) for r in await records_of(mesh, "open")] == [[]]
    assert len(await records_of(mesh, "private")) == 1


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"visible_to": ["urn:globus:groups:id:not-a-uuid"]}, "urn:globus:groups:id:not-a-uuid"),
        ({"visible_to": ["public", "Bad Name"]}, "Bad Name"),
        ({"add": ("group:physics",)}, "group:physics"),
        ({"add": ("urn:globus:groups:id:6b0d1f1e-3c4a-4c1b-9f5e-1234567890ab",)}, "not a person"),
        ({"remove": ("carol",)}, "carol"),
        ({"add": ("alice",)}, "owns alice/target"),
        ({"add": ("bob",), "version": 1}, "servable-wide"),
        ({}, "nothing to change"),
    ],
)
async def test_malformed_changes_are_invalid_and_change_nothing(
    mesh: Mesh, change: dict[str, Any], named: str
) -> None:
    make_admin(mesh)
    await publish(mesh, "target")
    before = await records_of(mesh, "target")
    err = await rpc_error(share(mesh, "target", **change))
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert named in (err.details() or "")
    assert await records_of(mesh, "target") == before
    assert await audit_entries(mesh, action="servable.access") == []
    docs = await mesh.backends.documents()
    assert await docs.count(ACCESS_CHANGES) == 0


# ================================================================ the audit log


async def test_every_action_is_in_the_audit_log_without_tokens(
    mesh: Mesh, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_admin(mesh)
    # the CLI's --data-dir sets DLHUB_DATA_DIR; put it back after the test
    monkeypatch.setenv("DLHUB_DATA_DIR", str(mesh.data_dir))
    data_dir = ["--data-dir", str(mesh.data_dir)]
    code, out, err = await run_cli(capsys, "token", "create", "--user", "dave", "--json", *data_dir)
    assert code == 0, err
    created = json.loads(out)
    new_token, token_id = created["token"], created["id"]
    assert (await run_cli(capsys, "token", "revoke", token_id, *data_dir))[0] == 0
    assert (await run_cli(capsys, "group", "create", "chem", *data_dir))[0] == 0
    assert (await run_cli(capsys, "group", "add", "chem", "bob", "dave", *data_dir))[0] == 0
    assert (await run_cli(capsys, "group", "remove", "chem", "dave", *data_dir))[0] == 0

    published = await publish(mesh, "logged")
    await share(mesh, "logged", visible_to=["group:chem"], add=("bob",))
    await deprecate(mesh, "logged", "old")
    await withdraw(mesh, "logged", "broken", token=mesh.bob_token)  # a co-owner
    # failed actions leave no entry
    await rpc_error(share(mesh, "logged", visible_to=["not valid!"]))
    await rpc_error(deprecate(mesh, "logged", "again"))  # withdrawn is final
    bad = mesh.model.metadata("broken")
    bad["servable"]["type"] = "nonsense"
    await rpc_error(mesh.publish(bad, {"model.onnx": mesh.model.data}))

    entries = await audit_entries(mesh)
    seen = [(e["actor"], e["action"], e["target"]) for e in reversed(entries)]
    local = [e for e in seen if e[0].startswith("local:")]
    assert [(a, t) for _, a, t in local] == [
        ("token.create", f"token:{token_id}"),
        ("token.revoke", f"token:{token_id}"),
        ("group.create", "group:chem"),
        ("group.add", "group:chem"),
        ("group.remove", "group:chem"),
    ]
    assert [e for e in seen if not e[0].startswith("local:")] == [
        ("alice", "servable.publish", "alice/logged:1"),
        ("alice", "servable.access", "alice/logged"),
        ("alice", "servable.deprecate", "alice/logged:1"),
        ("bob", "servable.withdraw", "alice/logged:1"),
    ]
    by_action = {e["action"]: e for e in entries}
    assert by_action["servable.publish"]["details"]["digest"] == published.summary.digest
    access = by_action["servable.access"]["details"]
    assert access["versions"]["1"] == {
        "before": {"visible_to": ["public"], "co_owners": []},
        "after": {"visible_to": ["group:chem"], "co_owners": ["bob"]},
    }
    assert access["co_owners_added"] == ["bob"]
    assert by_action["token.create"]["details"]["user"] == "dave"
    assert by_action["group.add"]["details"]["members"] == ["bob", "dave"]
    # times ascend with the order of the actions, ids are unique
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    assert len({e["id"] for e in entries}) == len(entries)
    # no token anywhere in the log, in any form
    text = json.dumps(entries)
    for secret in (new_token, mesh.token, mesh.bob_token):
        assert secret not in text

    # filters and pages, over gRPC, HTTP, the SDK and the CLI
    only_bob = await audit_entries(mesh, actor="bob")
    assert [e["action"] for e in only_bob] == ["servable.withdraw"]
    assert [e["action"] for e in await audit_entries(mesh, target="alice/logged")] == [
        "servable.access"
    ]
    newest = entries[0]["at"]
    assert [e["id"] for e in await audit_entries(mesh, since=newest)] == [
        e["id"] for e in entries if e["at"] >= newest
    ]
    page1 = await mesh.stub.ListAudit(
        registry_pb2.ListAuditRequest(page_size=4), metadata=mesh.md(), timeout=RPC_TIMEOUT_S
    )
    page2 = await mesh.stub.ListAudit(
        registry_pb2.ListAuditRequest(page_size=100, page_token=page1.next_page_token),
        metadata=mesh.md(),
        timeout=RPC_TIMEOUT_S,
    )
    assert [e.id for e in [*page1.entries, *page2.entries]] == [e["id"] for e in entries]
    assert not page2.next_page_token
    bad_since = await mesh.http.get(
        "/api/v1/audit", params={"since": "yesterday"}, headers=mesh.headers()
    )
    assert bad_since.status_code == 400
    assert "yesterday" in bad_since.text
    with DLHubClient(mesh.grpc_address, mesh.token) as client:
        sdk = await asyncio.to_thread(client.audit, action="group.add")
    assert [e["target"] for e in sdk] == ["group:chem"]
    code, out, err = await run_cli(
        capsys, "audit", "--action", "servable.access", "--json", *client_args(mesh, mesh.token)
    )
    assert code == 0, err
    assert [e["target"] for e in json.loads(out)["entries"]] == ["alice/logged"]
    code, out, _ = await run_cli(capsys, "audit", *client_args(mesh, mesh.token))
    assert code == 0
    assert "servable.withdraw" in out
    assert "token.create" in out


async def test_only_administrators_read_the_audit_log(
    mesh: Mesh, capsys: pytest.CaptureFixture[str]
) -> None:
    make_admin(mesh)  # alice; bob is not
    err = await rpc_error(
        mesh.stub.ListAudit(
            registry_pb2.ListAuditRequest(), metadata=mesh.md(mesh.bob_token), timeout=RPC_TIMEOUT_S
        )
    )
    assert err.code() is grpc.StatusCode.PERMISSION_DENIED
    http = await mesh.http.get("/api/v1/audit", headers=mesh.headers(mesh.bob_token))
    assert http.status_code == 403, http.text
    anon = await mesh.http.get("/api/v1/audit")
    assert anon.status_code == 401, anon.text
    code, _, err_text = await run_cli(capsys, "audit", *client_args(mesh, mesh.bob_token))
    assert code == 1
    assert "PERMISSION_DENIED" in err_text
    assert (await audit_entries(mesh)) == []  # the admin's view: nothing was done


# ================================================================ crash recovery


async def test_an_access_change_left_by_a_dead_registry_is_undone(mesh: Mesh) -> None:
    """A registry killed between the record writes: the collector restores them."""
    await publish(mesh, "crashed")
    await publish(mesh, "crashed")
    docs = await mesh.backends.documents()
    rids = [record_id("alice", "crashed", v) for v in (1, 2)]
    before = {"visible_to": ["public"], "co_owners": []}
    after = {"visible_to": [], "co_owners": ["bob"]}
    await docs.put(
        ACCESS_CHANGES,
        "acc-dead",
        {
            "id": "acc-dead",
            "state": "RUNNING",
            "stage": "records",
            "instance": "dead-instance",
            "servable": {"owner": "alice", "name": "crashed"},
            "before": dict.fromkeys(rids, before),
            "after": dict.fromkeys(rids, after),
        },
    )
    await docs.update(SERVABLES, rids[0], after)  # half written
    registry = mesh.gateway.app.state.ctx.registry
    done = await registry.core.leftovers.collect()
    assert done.access_changes == ["acc-dead"]
    assert [(r["visible_to"], r.get("co_owners")) for r in await records_of(mesh, "crashed")] == [
        (["public"], []),
        (["public"], []),
    ]
    assert (await docs.get(ACCESS_CHANGES, "acc-dead") or {})["state"] == "FAILED"
    assert await docs.count(audit.AUDIT, {"action": "servable.access"}) == 0


class AuditDown(DocumentStore):
    """The mesh's real document store, with the ``audit`` collection refusing writes."""

    def __init__(self, inner: DocumentStore) -> None:
        self.inner = inner

    async def ping(self) -> None:
        await self.inner.ping()

    async def ensure_index(self, collection: str, fields: Any, *, unique: bool = False) -> None:
        await self.inner.ensure_index(collection, fields, unique=unique)

    async def insert(self, collection: str, doc_id: str, doc: dict[str, Any]) -> None:
        if collection == audit.AUDIT:
            raise Unavailable("documents backend is not reachable")
        await self.inner.insert(collection, doc_id, doc)

    async def put(self, collection: str, doc_id: str, doc: dict[str, Any]) -> None:
        await self.inner.put(collection, doc_id, doc)

    async def get(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        return await self.inner.get(collection, doc_id)

    async def update(self, collection: str, doc_id: str, fields: Any) -> bool:
        return await self.inner.update(collection, doc_id, fields)

    async def delete(self, collection: str, doc_id: str) -> bool:
        return await self.inner.delete(collection, doc_id)

    async def find(self, collection: str, where: Any = None, **kw: Any) -> list[dict[str, Any]]:
        return await self.inner.find(collection, where, **kw)

    async def count(self, collection: str, where: Any = None) -> int:
        return await self.inner.count(collection, where)

    async def accumulate(self, collection: str, doc_id: str, **changes: Any) -> None:
        await self.inner.accumulate(collection, doc_id, **changes)


async def test_a_change_that_cannot_be_audited_is_not_made(mesh: Mesh) -> None:
    """All-or-nothing: the records are written, the audit entry fails, every record is put back."""
    await publish(mesh, "atomic")
    await publish(mesh, "atomic")
    before = await records_of(mesh, "atomic")
    docs = AuditDown(await mesh.backends.documents())
    with pytest.raises(Unavailable):
        await sharing.set_access(
            docs,
            await mesh.backends.bus(),
            Principal("alice"),
            sharing.AccessRequest(
                Ref("alice", "atomic"), visible_to=["bob"], add_co_owners=["bob"]
            ),
        )
    assert await records_of(mesh, "atomic") == before
    (undo,) = await docs.find(ACCESS_CHANGES)
    assert undo["state"] == "FAILED"
    # ... and a state change likewise: nothing done without its entry
    with pytest.raises(Unavailable):
        await set_state(
            docs,
            await mesh.backends.bus(),
            Principal("alice"),
            Ref("alice", "atomic"),
            "deprecated",
            "old",
        )
    assert await records_of(mesh, "atomic") == before
    assert (await mesh.get("atomic", token=mesh.bob_token)).servable.summary.state == "active"


async def test_the_remote_registry_client_carries_access_and_audit_calls(mesh: Mesh) -> None:
    """Distributed mode's client (dlhub_common.remote) against the registry's servicer."""
    import dlhub_registry.main as registry_m

    await publish(mesh, "remote")
    signer = InternalSigner(b"test-secret-0123456789")
    server = GrpcServer("registry", max_message_bytes=1 << 20, authenticate=signer.authenticate)
    registry_m.register(server, mesh.gateway.app.state.ctx.registry)
    port = await server.start("127.0.0.1", 0)
    await server.set_serving(True)
    channel = open_channel(f"127.0.0.1:{port}", 1 << 20)
    remote = RemoteRegistry(channel, signer)
    request = registry_pb2.SetAccessRequest(
        ref=ref("remote"), visible_to=registry_pb2.VisibleTo(entries=["group:physics"])
    )
    try:
        current_principal.set(Principal("alice"))
        resp = await remote.set_access(request)
        assert [list(c.visible_to_after) for c in resp.changes] == [["group:physics"]]
        current_principal.set(Principal("bob"))
        with pytest.raises(NotFound):  # bob cannot see it any more
            await remote.set_access(request)
        with pytest.raises(PermissionDenied):
            await remote.list_audit(registry_pb2.ListAuditRequest())
    finally:
        current_principal.set(ANONYMOUS)
        await channel.close()
        await server.stop(0)
    assert [r["visible_to"] for r in await records_of(mesh, "remote")] == [["group:physics"]]


# ================================================================ FerretDB


async def test_sharing_and_audit_on_ferretdb(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None, stack: Any
) -> None:
    """One fixed case with the document store on FerretDB (MongoDB wire)."""
    import uuid

    server = stack.require("mongo")
    documents = {
        "type": "mongo",
        "url": server.info["url"],
        "database": f"t_sharing_{uuid.uuid4().hex[:16]}",
    }
    async with running_mesh(tmp_path, tiny, documents=documents) as mesh:
        assert type(await mesh.backends.documents()).__name__ == "MongoDocumentStore"
        make_admin(mesh)
        await publish(mesh, "ferret", visible_to=["alice"])
        resp = await share(mesh, "ferret", visible_to=["bob"], add=("bob",))
        assert list(resp.servables[0].co_owners) == ["bob"]
        v2 = await publish(mesh, "ferret", owner="alice", visible_to=["bob"], token=mesh.bob_token)
        assert (v2.summary.version, list(v2.summary.co_owners)) == (2, ["bob"])
        assert (await mesh.get("ferret", token=mesh.bob_token)).servable.summary.version == 2
        entries = await audit_entries(mesh)
        assert [(e["actor"], e["action"]) for e in reversed(entries)] == [
            ("alice", "servable.publish"),
            ("alice", "servable.access"),
            ("bob", "servable.publish"),
        ]
        assert await audit_entries(mesh, since="2000-01-01T00:00:00Z") == entries
