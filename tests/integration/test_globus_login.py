"""The SDK's saved Globus login against the Globus stand-in: refresh and logout failures.

The happy path (login, whoami, refresh, logout) runs end to end in
tests/e2e/test_globus_auth.py; these are the ways it goes wrong, in-process.
The SDK is synchronous and the stand-in runs on this test's loop, so SDK
calls run in a thread.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dlhub_common.errors import InvalidArgument, Unauthenticated, Unavailable
from dlhub_sdk.cli import main
from dlhub_sdk.config import login_path, resolve, save_login
from dlhub_sdk.globus_login import login_app
from tests.standins.globus_control import DLHubAtGlobus, register_dlhub
from tests.standins.globus_standin import GlobusStandin, running_standin, sdk_env

pytestmark = pytest.mark.timeout(60)


@dataclass
class Saved:
    standin: GlobusStandin
    dlhub: DLHubAtGlobus
    token: str
    refresh_token: str


@pytest.fixture
async def saved(
    tmp_path: Path, hermetic_env: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Saved]:
    """A saved Globus login (through the stand-in's code grant) whose access token is due."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    async with running_standin() as standin:
        for key, value in sdk_env(standin.url).items():
            monkeypatch.setenv(key, value)
        dlhub = register_dlhub(standin)
        alice = standin.add_identity("alice@uchicago.edu")
        answer = standin.grant(alice, [dlhub.scope], dlhub.native_client_id, offline=True)
        save_login(
            answer["access_token"],
            "127.0.0.1:1",
            None,
            "alice-uchicago-edu",
            kind="globus",
            refresh_token=answer["refresh_token"],
            expires_at=int(time.time()) + 30,  # within the refresh margin
            client_id=dlhub.native_client_id,
            scope=dlhub.scope,
        )
        yield Saved(standin, dlhub, answer["access_token"], answer["refresh_token"])


async def test_a_due_login_is_refreshed_once(saved: Saved) -> None:
    config = await asyncio.to_thread(resolve)
    assert config.token_source == f"saved Globus login ({login_path()})"
    assert config.token not in (None, saved.token)
    again = await asyncio.to_thread(resolve)
    assert again.token == config.token  # not due any more: no second refresh
    assert saved.standin.count("/v2/oauth2/token") == 1
    assert json.loads(login_path().read_text())["token"] == config.token


async def test_a_refresh_globus_refuses_is_unauthenticated(saved: Saved) -> None:
    saved.standin.revoke(saved.refresh_token)
    with pytest.raises(Unauthenticated, match="run `dlhub login`") as info:
        await asyncio.to_thread(resolve)
    assert saved.refresh_token not in info.value.message
    # an explicit token or DLHUB_TOKEN comes first: the login is not even read
    assert (await asyncio.to_thread(resolve, None, "explicit")).token == "explicit"


async def test_a_refresh_with_globus_down_is_unavailable(saved: Saved) -> None:
    saved.standin.fail = 503
    with pytest.raises(Unavailable, match="Globus Auth is unreachable"):
        await asyncio.to_thread(resolve)
    assert json.loads(login_path().read_text())["token"] == saved.token  # kept as it was


async def test_logout_with_globus_down_keeps_the_login_unless_forced(
    saved: Saved, capsys: pytest.CaptureFixture[str]
) -> None:
    saved.standin.fail = 500
    assert await asyncio.to_thread(main, ["logout"]) == 1
    err = capsys.readouterr().err
    assert "UNAVAILABLE" in err
    assert "--force" in err
    assert login_path().exists()
    assert await asyncio.to_thread(main, ["logout", "--force"]) == 0
    assert "logged out (removed" in capsys.readouterr().out
    assert not login_path().exists()
    saved.standin.fail = None
    assert saved.standin.active(saved.token) is not None  # forced: nothing was revoked


async def test_login_needs_the_client_id_and_scope(
    hermetic_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(main, ["login"]) == 1
    err = capsys.readouterr().err
    assert "INVALID_ARGUMENT" in err
    assert "--client-id or DLHUB_LOGIN_CLIENT_ID" in err
    assert "--scope or DLHUB_LOGIN_SCOPE" in err


async def test_login_without_a_code_saves_nothing(
    saved: Saved, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    login_path().unlink()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    argv = ["login", "--client-id", saved.dlhub.native_client_id, "--scope", saved.dlhub.scope]
    assert await asyncio.to_thread(main, argv) == 1
    captured = capsys.readouterr()
    assert "/v2/oauth2/authorize?" in captured.err  # the URL went to stderr, not stdout
    assert captured.out == ""
    assert "no authorization code was entered" in captured.err
    assert not login_path().exists()
    with pytest.raises(InvalidArgument, match="DLHUB_LOGIN_CLIENT_ID"):
        login_app(None, saved.dlhub.scope)
