"""Local accounts through the gateway: created, revoked and expired tokens; login, whoami, logout.

The CLI's client is synchronous and the mesh runs on this test's event loop,
so CLI calls run in a thread.
"""

from __future__ import annotations

import asyncio
import json
import stat
import time
from pathlib import Path

import grpc
import pytest

from dlhub_common._proto.dlhub.v1 import dlhub_pb2, search_pb2
from dlhub_common.accounts import RECHECK_S, LocalAccounts, tokens_path
from dlhub_sdk.cli import main
from dlhub_sdk.config import login_path

from .conftest import Mesh

pytestmark = pytest.mark.timeout(60)


async def _whoami(mesh: Mesh, token: str) -> dlhub_pb2.WhoAmIResponse:
    return await mesh.stub.WhoAmI(dlhub_pb2.WhoAmIRequest(), metadata=mesh.md(token), timeout=10)


async def _refused(mesh: Mesh, token: str, reason: str) -> None:
    """Both doors answer UNAUTHENTICATED / 401 with ``reason``; the token never comes back."""
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.stub.Search(search_pb2.SearchRequest(), metadata=mesh.md(token), timeout=10)
    err = info.value
    assert err.code() is grpc.StatusCode.UNAUTHENTICATED, err.details()
    assert reason in (err.details() or "")
    assert token not in (err.details() or "")
    assert token not in repr(err.trailing_metadata())
    resp = await mesh.http.get("/api/v1/whoami", headers=mesh.headers(token))
    assert resp.status_code == 401, resp.text
    assert resp.json()["code"] == "UNAUTHENTICATED"
    assert reason in resp.text
    assert token not in resp.text
    assert token not in json.dumps(dict(resp.headers))


async def _until_refused(mesh: Mesh, token: str, reason: str) -> None:
    # the gateway trusts a token it knows for RECHECK_S before rereading the file
    deadline = time.monotonic() + RECHECK_S + 5
    while time.monotonic() < deadline:
        try:
            await _whoami(mesh, token)
        except grpc.aio.AioRpcError:
            break
        await asyncio.sleep(0.1)
    await _refused(mesh, token, reason)


async def test_created_revoked_and_expired_tokens(mesh: Mesh) -> None:
    store = LocalAccounts(tokens_path(mesh.settings))
    token, info = store.create_token("carol", description="integration")
    store.create_group("physics")
    store.add_members("physics", ["carol"])

    who = await _whoami(mesh, token)
    assert (who.username, who.anonymous, list(who.groups)) == ("carol", False, ["group:physics"])
    resp = await mesh.http.get("/api/v1/whoami", headers=mesh.headers(token))
    assert resp.json() == {"username": "carol", "anonymous": False, "groups": ["group:physics"]}
    await mesh.stub.Search(search_pb2.SearchRequest(), metadata=mesh.md(token), timeout=10)
    anonymous = await mesh.stub.WhoAmI(dlhub_pb2.WhoAmIRequest(), timeout=10)
    assert anonymous.anonymous
    assert not anonymous.username

    store.revoke(info.id)
    await _until_refused(mesh, token, f"token {info.id} was revoked")

    short, short_info = store.create_token("carol", expires_in_s=1)
    assert (await _whoami(mesh, short)).username == "carol"
    await _until_refused(mesh, short, f"token {short_info.id} expired")


async def test_login_whoami_logout(
    mesh: Mesh, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DLHUB_DATA_DIR", str(tmp_path / "no-client-file"))
    store = LocalAccounts(tokens_path(mesh.settings))
    token, _ = store.create_token("dave")
    address = mesh.grpc_address

    async def cli(*argv: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(main, list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    code, _, err = await cli("login", "--token", "dlh_wrong-guess", "--address", address)
    assert code == 1
    assert "UNAUTHENTICATED" in err
    assert "dlh_wrong-guess" not in err
    assert not login_path().exists()

    code, out, _ = await cli("login", "--token", token, "--address", address)
    assert code == 0
    assert f"logged in as dave at {address}" in out
    assert token not in out
    saved = login_path()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert json.loads(saved.read_text())["token"] == token

    code, out, _ = await cli("whoami")  # address and token from the saved login
    assert code == 0
    assert out.startswith("dave")
    assert f"saved login ({saved})" in out
    assert token not in out
    code, out, _ = await cli("whoami", "--json", "--token", mesh.bob_token, "--address", address)
    assert json.loads(out) | {"address": address} == {
        "username": "bob",
        "anonymous": False,
        "groups": [],
        "address": address,
        "credentials": "argument",
    }
    monkeypatch.setenv("DLHUB_TOKEN", mesh.token)
    code, out, _ = await cli("whoami")
    assert out.startswith("alice")
    assert "credentials: DLHUB_TOKEN" in out
    monkeypatch.delenv("DLHUB_TOKEN")

    code, out, _ = await cli("logout")
    assert code == 0
    assert "logged out" in out
    assert not saved.exists()
    code, out, _ = await cli("whoami", "--address", address)
    assert code == 0
    assert out.startswith("anonymous")
    assert "credentials: none" in out
