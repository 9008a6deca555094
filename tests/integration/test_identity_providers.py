"""The identity provider contract, on every provider: local accounts and Globus Auth.

Each case runs on an in-process mesh whose gateway uses the provider (Globus
through the stand-in of tests/standins/globus_standin.py), through both
doors: gRPC ``WhoAmI`` and HTTP ``GET /api/v1/whoami``. Anonymous calls are
refused (``allow_anonymous_reads`` off) so a missing token is a case too. No
case lets the token appear in the answer (details, trailers, body, headers),
in any log line captured at DEBUG (globus-sdk and requests included), in a
span or in ``/metrics``.
The cases only Globus has (wrong scope, Globus unreachable, the cache) follow.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from dlhub_common._proto.dlhub.v1 import dlhub_pb2
from dlhub_common.accounts import LocalAccounts, tokens_path
from tests.standins.globus_control import register_dlhub
from tests.standins.globus_standin import GlobusStandin, running_standin, sdk_env

from .conftest import Mesh, TinyModel, running_mesh, span_texts

pytestmark = pytest.mark.timeout(60)

PROVIDERS = ("local", "globus")


@dataclass
class Provider:
    """One provider behind a running mesh, and how to make its tokens."""

    name: str
    mesh: Mesh
    # a working token of a user in one group: (token, username, groups)
    member: Callable[[], Awaitable[tuple[str, str, list[str]]]]
    expired: Callable[[], Awaitable[str]]
    revoked: Callable[[], Awaitable[str]]
    standin: GlobusStandin | None = None


async def _local(mesh: Mesh) -> Provider:
    store = LocalAccounts(tokens_path(mesh.settings))

    async def member() -> tuple[str, str, list[str]]:
        token, _ = store.create_token("carol")
        store.create_group("physics")
        store.add_members("physics", ["carol"])
        return token, "carol", ["group:physics"]

    async def expired() -> str:
        token, info = store.create_token("carol", expires_in_s=1)
        # stored to the second, rounded up: wait until that second has passed
        assert info.expires is not None
        at = dt.datetime.strptime(info.expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        await asyncio.sleep(max(0.0, at.timestamp() - time.time()) + 0.05)
        assert info.state() == "expired"
        return token

    async def revoked() -> str:
        token, info = store.create_token("carol")
        store.revoke(info.id)
        return token

    return Provider("local", mesh, member, expired, revoked)


def _globus(mesh: Mesh, standin: GlobusStandin, scope: str) -> Provider:
    carol = standin.add_identity("carol@uchicago.edu")

    async def member() -> tuple[str, str, list[str]]:
        group = standin.add_group("physics")
        standin.add_member(group, carol)
        token = standin.issue_token(carol, [scope])
        return token, "carol-uchicago-edu", [f"urn:globus:groups:id:{group}"]

    async def expired() -> str:
        return standin.issue_token(carol, [scope], expires_in=-1)

    async def revoked() -> str:
        token = standin.issue_token(carol, [scope])
        standin.revoke(token)
        return token

    return Provider("globus", mesh, member, expired, revoked, standin)


@pytest.fixture(params=PROVIDERS)
async def provider(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tiny: TinyModel,
    hermetic_env: None,
    monkeypatch: pytest.MonkeyPatch,
    seen: Seen,
) -> AsyncIterator[Provider]:
    gateway = {"allow_anonymous_reads": False}
    if request.param == "local":
        async with running_mesh(tmp_path, tiny, gateway=gateway) as mesh:
            yield await _local(mesh)
        return
    async with running_standin() as standin:
        for key, value in sdk_env(standin.url).items():
            monkeypatch.setenv(key, value)
        dlhub = register_dlhub(standin)
        async with running_mesh(tmp_path, tiny, gateway=gateway, auth=dlhub.settings()) as mesh:
            yield _globus(mesh, standin, dlhub.scope)


@dataclass
class Seen:
    """What the process logged (at DEBUG) and the spans it ended, from the test's start."""

    caplog: pytest.LogCaptureFixture
    spans: InMemorySpanExporter


@pytest.fixture
def seen(caplog: pytest.LogCaptureFixture, spans: InMemorySpanExporter) -> Seen:
    caplog.set_level(logging.DEBUG)
    spans.clear()
    return Seen(caplog, spans)


async def _nowhere(mesh: Mesh, seen: Seen, token: str) -> None:
    """``token`` is in no log record (DEBUG), span (name, attributes, events) or metric."""
    caplog, spans = seen.caplog, seen.spans
    assert caplog.records, "nothing was logged: the capture is not working"
    assert token not in caplog.text
    assert spans.get_finished_spans(), "no spans were recorded: the check would be empty"
    assert token not in span_texts(spans)
    metrics = await mesh.http.get("/metrics")
    assert metrics.status_code == 200
    assert token not in metrics.text


async def _refused(p: Provider, token: str | None, seen: Seen, reason: str) -> None:
    """UNAUTHENTICATED over gRPC and 401 over HTTP, naming ``reason``, never the token."""
    mesh = p.mesh
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.stub.WhoAmI(dlhub_pb2.WhoAmIRequest(), metadata=mesh.md(token), timeout=20)
    err = info.value
    assert err.code() is grpc.StatusCode.UNAUTHENTICATED, err.details()
    assert reason in (err.details() or "")
    resp = await mesh.http.get("/api/v1/whoami", headers=mesh.headers(token))
    assert resp.status_code == 401, resp.text
    assert resp.json()["code"] == "UNAUTHENTICATED"
    assert reason in resp.text
    if token:
        assert token not in (err.details() or "")
        assert token not in repr(err.trailing_metadata())
        assert token not in resp.text
        assert token not in json.dumps(dict(resp.headers))
        await _nowhere(mesh, seen, token)


# ------------------------------------------------------------------ the contract


async def test_valid_token_gives_the_principal(provider: Provider, seen: Seen) -> None:
    token, username, groups = await provider.member()
    mesh = provider.mesh
    who = await mesh.stub.WhoAmI(dlhub_pb2.WhoAmIRequest(), metadata=mesh.md(token), timeout=20)
    assert (who.username, who.anonymous, list(who.groups)) == (username, False, groups)
    resp = await mesh.http.get("/api/v1/whoami", headers=mesh.headers(token))
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"username": username, "anonymous": False, "groups": groups}
    await _nowhere(mesh, seen, token)


async def test_missing_token_is_unauthenticated(provider: Provider, seen: Seen) -> None:
    await _refused(provider, None, seen, "needs a token")


# the local accounts say why; Globus only says the token is not active
@pytest.mark.parametrize(
    ("kind", "local_reason"), [("expired", "expired at"), ("revoked", "was revoked")]
)
async def test_expired_or_revoked_token_is_unauthenticated(
    provider: Provider, seen: Seen, kind: str, local_reason: str
) -> None:
    token = await (provider.expired if kind == "expired" else provider.revoked)()
    reason = local_reason if provider.name == "local" else "invalid or expired token"
    await _refused(provider, token, seen, reason)


@pytest.mark.parametrize("token", ["not-a-token", "Ag" + "x" * 80, "dlh_" + "y" * 43])
async def test_malformed_token_is_unauthenticated(
    provider: Provider, seen: Seen, token: str
) -> None:
    await _refused(provider, token, seen, "invalid or expired token")


async def test_malformed_header_is_unauthenticated(provider: Provider, seen: Seen) -> None:
    token, _, _ = await provider.member()
    mesh = provider.mesh
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.stub.WhoAmI(
            dlhub_pb2.WhoAmIRequest(), metadata=(("authorization", f"Token {token}"),), timeout=20
        )
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "expected 'Bearer <token>'" in (info.value.details() or "")
    assert token not in (info.value.details() or "")
    resp = await mesh.http.get("/api/v1/whoami", headers={"authorization": f"Token {token}"})
    assert resp.status_code == 401
    assert token not in resp.text
    await _nowhere(mesh, seen, token)


# ------------------------------------------------------------------ Globus only


@dataclass
class GlobusMesh:
    mesh: Mesh
    standin: GlobusStandin
    scope: str


@dataclass
class Ctx:
    """What every Globus-only test needs (logs at DEBUG and spans in ``seen``)."""

    tmp_path: Path
    tiny: TinyModel
    monkeypatch: pytest.MonkeyPatch
    seen: Seen


@pytest.fixture
def ctx(
    tmp_path: Path,
    tiny: TinyModel,
    hermetic_env: None,
    monkeypatch: pytest.MonkeyPatch,
    seen: Seen,
) -> Ctx:
    return Ctx(tmp_path, tiny, monkeypatch, seen)


@contextlib.asynccontextmanager
async def _globus_mesh(ctx: Ctx, **globus: Any) -> AsyncIterator[GlobusMesh]:
    tmp_path, tiny = ctx.tmp_path, ctx.tiny
    async with running_standin() as standin:
        for key, value in sdk_env(standin.url).items():
            ctx.monkeypatch.setenv(key, value)
        dlhub = register_dlhub(standin)
        admins = globus.pop("admins", [])
        auth = {**dlhub.settings(**globus), "admins": admins}
        async with running_mesh(tmp_path, tiny, auth=auth) as mesh:
            yield GlobusMesh(mesh, standin, dlhub.scope)


async def _whoami(mesh: Mesh, token: str) -> dlhub_pb2.WhoAmIResponse:
    return await mesh.stub.WhoAmI(dlhub_pb2.WhoAmIRequest(), metadata=mesh.md(token), timeout=20)


async def test_wrong_scope_token_is_unauthenticated_naming_the_scope(ctx: Ctx) -> None:
    async with _globus_mesh(ctx) as g:
        carol = g.standin.add_identity("carol@uchicago.edu")
        # a token for another resource server altogether: Globus says it is not ours
        other = g.standin.issue_token(carol, ["openid", "email"])
        # a token for DLHub with another of its scopes, not the required one
        dlhub_id = g.mesh.settings.auth.globus.client_id
        read_only = f"https://auth.globus.org/scopes/{dlhub_id}/read"
        g.standin.add_scope(read_only, dlhub_id)
        weak = g.standin.issue_token(carol, [read_only])
        p = Provider("globus", g.mesh, _unused, _unused, _unused, g.standin)
        await _refused(p, other, ctx.seen, "invalid or expired token")
        await _refused(p, weak, ctx.seen, f"does not grant DLHub's scope {g.scope}")


async def _unused() -> Any:
    raise AssertionError("not used")


async def _unavailable(mesh: Mesh, token: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _whoami(mesh, token)
    assert info.value.code() is grpc.StatusCode.UNAVAILABLE, info.value.details()
    assert "Globus Auth is unreachable; retry" in (info.value.details() or "")
    assert token not in (info.value.details() or "")
    resp = await mesh.http.get("/api/v1/whoami", headers=mesh.headers(token))
    assert resp.status_code == 503, resp.text
    assert "Globus Auth is unreachable" in resp.text
    assert token not in resp.text


async def test_globus_unreachable_is_unavailable_never_anonymous(ctx: Ctx) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    ctx.monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_AUTH", dead)
    ctx.monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_GROUPS", dead)
    client_id = "0b5d6e2a-8c47-4d2e-9b1a-3f6c2d7e8a90"
    auth = {
        "provider": "globus",
        "globus": {
            "client_id": client_id,
            "client_secret": "s",
            "required_scope": f"https://auth.globus.org/scopes/{client_id}/all",
            "retries": 0,
        },
    }
    async with running_mesh(ctx.tmp_path, ctx.tiny, auth=auth) as mesh:
        token = "Ag" + "z" * 60
        await _unavailable(mesh, token)
        await _nowhere(mesh, ctx.seen, token)


@pytest.mark.parametrize("mode", ["http-500", "timeout"])
async def test_globus_failing_is_unavailable_and_not_cached(ctx: Ctx, mode: str) -> None:
    async with _globus_mesh(ctx, retries=0, timeout_s=0.5) as g:
        carol = g.standin.add_identity("carol@uchicago.edu")
        token = g.standin.issue_token(carol, [g.scope])
        if mode == "http-500":
            g.standin.fail = 500
        else:
            g.standin.delay_s = 2.0
        await _unavailable(g.mesh, token)
        await _nowhere(g.mesh, ctx.seen, token)
        g.standin.fail, g.standin.delay_s = None, 0.0
        assert (await _whoami(g.mesh, token)).username == "carol-uchicago-edu"


async def test_identity_set_groups_and_admins(ctx: Ctx) -> None:
    linked = "7d1b8f52-3a9e-4c61-b0f2-5e8d9a4c3b21"
    async with _globus_mesh(ctx, admins=[f"urn:globus:auth:identity:{linked.upper()}"]) as g:
        s = g.standin
        orcid = s.add_identity("0000-0002-1825-0097@orcid.org", identity_id=linked)
        alice = s.add_identity("alice@uchicago.edu", linked=[orcid])
        active, pending, via_linked = (s.add_group(n) for n in ("active", "pending", "linked"))
        s.add_member(active, alice)
        s.add_member(pending, alice, status="pending")
        s.add_member(via_linked, orcid)
        token = s.issue_token(alice, [g.scope])
        resp = await g.mesh.http.get("/api/v1/whoami", headers=g.mesh.headers(token))
        assert resp.json() == {
            "username": "alice-uchicago-edu",
            "anonymous": False,
            "groups": sorted(f"urn:globus:groups:id:{i}" for i in (active, via_linked)),
        }
        provider = g.mesh.gateway.auth.provider
        who = await provider.authenticate(token)
        assert who.identities == {
            f"urn:globus:auth:identity:{alice}",
            f"urn:globus:auth:identity:{linked}",
        }
        assert who.admin
        bob = s.issue_token(s.add_identity("bob@uchicago.edu"), [g.scope])
        assert not (await provider.authenticate(bob)).admin


async def test_cache_answers_without_globus_until_the_token_expires(ctx: Ctx) -> None:
    async with _globus_mesh(ctx, cache_ttl_s=300) as g:
        s = g.standin
        carol = s.add_identity("carol@uchicago.edu")
        token = s.issue_token(carol, [g.scope])
        short = s.issue_token(carol, [g.scope], expires_in=1.5)
        for _ in range(5):
            assert (await _whoami(g.mesh, token)).username == "carol-uchicago-edu"
        assert s.count("/v2/oauth2/token/introspect") == 1
        # concurrent first calls of one token share one introspection
        await asyncio.gather(*(_whoami(g.mesh, short) for _ in range(5)))
        assert s.count("/v2/oauth2/token/introspect") == 2
        # revoked at Globus: the cache still answers (for at most cache_ttl_s) ...
        s.revoke(token)
        assert (await _whoami(g.mesh, token)).username == "carol-uchicago-edu"
        # ... but never past the token's own expiry
        await asyncio.sleep(1.6)
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await _whoami(g.mesh, short)
        assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
        assert s.count("/v2/oauth2/token/introspect") == 3
