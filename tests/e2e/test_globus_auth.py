"""Globus Auth end to end: gateways in subprocesses against a Globus stand-in subprocess.

* ``dlhub up`` with ``auth.provider: globus``, and ``dlhub login`` through the
  Globus native-app flow (the code typed on stdin), ``whoami``, the refresh of
  an expired access token, ``logout`` revoking both tokens at Globus;
* the distributed mesh (one ``dlhub serve`` per service, real engines) with
  the same provider: a principal with groups, a revoked token refused, and
  Globus failing (HTTP 500) answered UNAVAILABLE / 503.

The stand-in (``python -m tests.standins.globus_control``) is reached by the
gateways and the CLI through ``GLOBUS_SDK_SERVICE_URL_AUTH`` / ``_GROUPS``.
"""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from deploy.local.browser import CHROMIUM
from tests.standins.globus_control import DLHubAtGlobus, StandinControl, register_dlhub
from tests.standins.globus_standin import sdk_env

from ._support import (
    CLI_TIMEOUT_S,
    REPO,
    ManagedProcess,
    Mesh,
    clean_env,
    free_port,
    wait_for,
)
from .conftest import _distributed_mesh, start_dlhub_up

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "web"
BROWSER_USER = "dana@uchicago.edu"  # who signs in at the stand-in from the web page


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandinControl]:
    """The Globus stand-in in its own process, driven through its control routes."""
    root = tmp_path_factory.mktemp("globus")
    port = free_port()
    process = ManagedProcess(
        "globus stand-in",
        [sys.executable, "-m", "tests.standins.globus_control", "--port", str(port)],
        clean_env(),
        REPO,
        root / "standin.log",
    )
    control = StandinControl(f"http://127.0.0.1:{port}/")

    def up() -> bool:
        process.check_alive()
        try:
            control.calls()
        except httpx.TransportError:
            return False
        return True

    try:
        wait_for(up, timeout=30, what="the Globus stand-in")
        yield control
    finally:
        control.close()
        process.stop()


@pytest.fixture(scope="module")
def dlhub(standin: StandinControl) -> DLHubAtGlobus:
    return register_dlhub(standin)


def _gateway_env(standin: StandinControl, dlhub: DLHubAtGlobus) -> dict[str, str]:
    return {**sdk_env(standin.url), **dlhub.env()}


def _cli(
    *argv: str, env: dict[str, str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dlhub_sdk.cli", *argv],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )


def _login(
    standin: StandinControl, dlhub: DLHubAtGlobus, mesh: Mesh, env: dict[str, str], who: str
) -> subprocess.CompletedProcess[str]:
    """``dlhub login``: read the URL it prints, sign in at the stand-in as ``who``, type the code.

    The stand-in's authorize page stands for the user signing in at Globus.
    """
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dlhub_sdk.cli",
            "login",
            "--address",
            mesh.address,
            "--client-id",
            dlhub.native_client_id,
            "--scope",
            dlhub.scope,
        ],
        cwd=mesh.workdir,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    assert proc.stdin is not None
    prompt = ""
    while "Authorization code:" not in prompt:
        char = proc.stderr.read(1)
        assert char, f"dlhub login ended before asking for a code: {prompt}"
        prompt += char
    [url] = re.findall(r"http://\S+/v2/oauth2/authorize\?\S+", prompt)
    query = dict(httpx.URL(url).params)
    assert query["client_id"] == dlhub.native_client_id
    assert query["code_challenge_method"] == "S256"
    assert query["access_type"] == "offline"  # refresh tokens asked for
    page = httpx.get(f"{url}&login_as={who}", follow_redirects=True, timeout=10)
    page.raise_for_status()
    code = page.text.rsplit(":", 1)[1].strip()
    out, err = proc.communicate(code + "\n", timeout=CLI_TIMEOUT_S)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, prompt + err)


def _introspect(standin: StandinControl, dlhub: DLHubAtGlobus, token: str) -> dict[str, Any]:
    resp = httpx.post(
        f"{standin.url}v2/oauth2/token/introspect",
        data={"token": token},
        auth=(dlhub.client_id, dlhub.secret),
        timeout=10,
    )
    resp.raise_for_status()
    data: dict[str, Any] = resp.json()
    return data


@pytest.fixture(scope="module")
def up(
    tmp_path_factory: pytest.TempPathFactory, standin: StandinControl, dlhub: DLHubAtGlobus
) -> Iterator[Mesh]:
    """``dlhub up`` with the Globus provider, its cache off: every check asks the stand-in.

    The browser's sign-in sends ``login_as`` to the stand-in's authorize page (the user
    who signs in there): ``auth.globus.authorize_params``.
    """
    process, mesh = start_dlhub_up(
        tmp_path_factory.mktemp("up"),
        **_gateway_env(standin, dlhub),
        DLHUB_AUTH__GLOBUS__CACHE_TTL_S="0",
        DLHUB_AUTH__GLOBUS__AUTHORIZE_PARAMS=json.dumps({"login_as": BROWSER_USER}),
    )
    try:
        assert "sign in with `dlhub login`" in process.log.read_text()
        assert not mesh.token  # no local user under Globus Auth
        yield mesh
    finally:
        process.stop_cleanly()


def test_dlhub_up_with_globus_login_whoami_refresh_logout(
    tmp_path: Path, up: Mesh, standin: StandinControl, dlhub: DLHubAtGlobus
) -> None:
    mesh = up
    orcid = standin.add_identity("0000-0002-1825-0097@orcid.org")
    alice = standin.add_identity("alice@uchicago.edu", linked=[orcid])
    group = standin.add_group("beamline")
    standin.add_member(group, orcid)  # a membership of the linked identity counts
    home = tmp_path / "home"
    env = clean_env(XDG_CONFIG_HOME=str(home), **sdk_env(standin.url))
    result = _login(standin, dlhub, mesh, env, "alice@uchicago.edu")
    assert result.returncode == 0, result.stderr
    assert "logged in with Globus as alice-uchicago-edu" in result.stdout
    saved = home / "dlhub" / "login.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    login = json.loads(saved.read_text())
    assert (login["kind"], login["username"], login["scope"]) == (
        "globus",
        "alice-uchicago-edu",
        dlhub.scope,
    )
    for token in (login["token"], login["refresh_token"]):
        assert token not in result.stdout + result.stderr
    assert _introspect(standin, dlhub, login["token"])["sub"] == alice

    who = _cli("whoami", "--json", env=env, cwd=mesh.workdir)
    assert who.returncode == 0, who.stderr
    assert json.loads(who.stdout) | {"credentials": ""} == {
        "username": "alice-uchicago-edu",
        "anonymous": False,
        "groups": [f"urn:globus:groups:id:{group}"],
        "address": mesh.address,
        "credentials": "",
    }
    assert json.loads(who.stdout)["credentials"] == f"saved Globus login ({saved})"

    # the access token expires (and Globus forgets it): the next command refreshes it
    standin.revoke(login["token"])
    saved.write_text(json.dumps({**login, "expires_at": int(time.time())}))
    who = _cli("whoami", env=env, cwd=mesh.workdir)
    assert who.returncode == 0, who.stderr
    assert who.stdout.startswith("alice-uchicago-edu")
    fresh = json.loads(saved.read_text())
    assert fresh["token"] != login["token"]
    assert fresh["refresh_token"] == login["refresh_token"]
    assert fresh["expires_at"] > time.time() + 3600
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600

    out = _cli("logout", env=env, cwd=mesh.workdir)
    assert out.returncode == 0, out.stderr
    assert f"revoked the Globus tokens and removed {saved}" in out.stdout
    assert not saved.exists()
    assert _introspect(standin, dlhub, fresh["token"]) == {"active": False}
    again = _cli(
        "whoami",
        "--address",
        mesh.address,
        "--token",
        fresh["token"],
        env=env,
        cwd=mesh.workdir,
    )
    assert again.returncode == 1
    assert "UNAUTHENTICATED" in again.stderr
    assert fresh["token"] not in again.stderr
    # the refresh token went too: nothing can bring the login back
    refreshed = httpx.post(
        f"{standin.url}v2/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": fresh["refresh_token"],
            "client_id": dlhub.native_client_id,
        },
        timeout=10,
    )
    assert refreshed.status_code == 401


def test_login_refused_by_the_gateway_saves_nothing(
    tmp_path: Path, up: Mesh, standin: StandinControl
) -> None:
    """A Globus login the gateway does not accept (another DLHub's scope) is revoked, not kept."""
    standin.add_identity("mallory@example.org")
    other = register_dlhub(standin)  # another resource server: this gateway refuses its tokens
    home = tmp_path / "home"
    env = clean_env(XDG_CONFIG_HOME=str(home), **sdk_env(standin.url))
    result = _login(standin, other, up, env, "mallory@example.org")
    assert result.returncode == 1
    assert "UNAUTHENTICATED" in result.stderr
    assert not (home / "dlhub" / "login.json").exists()
    calls = standin.calls()
    assert calls[-1] == ("POST", "/v2/oauth2/token/revoke")  # the refused login was revoked


def test_web_page_signs_in_with_globus(
    up: Mesh, standin: StandinControl, dlhub: DLHubAtGlobus
) -> None:
    """The web page under Globus: "Sign in with Globus" goes to Globus (the stand-in) and
    comes back signed in, the ticket gone from the address; a pasted token works too."""
    standin.add_identity(BROWSER_USER)
    carol = standin.add_identity("carol@uchicago.edu")
    token = standin.issue_token(carol, [dlhub.scope])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_context(base_url=up.http).new_page()
            page.set_default_timeout(15_000)
            assert page.request.get("/api/v1/sign-in").json() == {
                "provider": "globus",
                "scope": dlhub.scope,
                "start": "/api/v1/sign-in/globus",
            }
            page.goto("/#/account")
            page.get_by_role("button", name="Sign in with Globus").click()
            expect(page.get_by_test_id("username")).to_have_text("dana-uchicago-edu")
            expect(page.get_by_test_id("account-link")).to_have_text("dana-uchicago-edu")
            assert page.url == f"{up.http}/#/account", page.url  # the ticket is gone
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "globus-sign-in.png"), full_page=True)

            page.get_by_role("button", name="Sign out").click()
            page.get_by_role("button", name="Paste a Globus token instead").click()
            expect(page.get_by_test_id("globus-help")).to_contain_text(dlhub.scope)
            page.get_by_label("Globus access token").fill(token)
            page.press("#token", "Enter")
            expect(page.get_by_test_id("username")).to_have_text("carol-uchicago-edu")
        finally:
            browser.close()


@pytest.fixture
def distributed(
    tmp_path_factory: pytest.TempPathFactory,
    stack: Any,
    standin: StandinControl,
    dlhub: DLHubAtGlobus,
) -> Iterator[Mesh]:
    yield from _distributed_mesh(tmp_path_factory, stack, **_gateway_env(standin, dlhub))


def test_distributed_gateway_with_globus(
    distributed: Mesh, standin: StandinControl, dlhub: DLHubAtGlobus
) -> None:
    bob = standin.add_identity("bob@anl.gov")
    group = standin.add_group("catalysis")
    standin.add_member(group, bob)
    token = standin.issue_token(bob, [dlhub.scope])
    headers = {"authorization": f"Bearer {token}"}
    resp = httpx.get(f"{distributed.http}/api/v1/whoami", headers=headers, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "username": "bob-anl-gov",
        "anonymous": False,
        "groups": [f"urn:globus:groups:id:{group}"],
    }
    env = clean_env(**sdk_env(standin.url))

    def refused(token: str, code: str) -> None:
        """``dlhub whoami --token`` (over gRPC) fails with ``code``, never echoing the token."""
        out = _cli(
            "whoami",
            "--address",
            distributed.address,
            "--token",
            token,
            env=env,
            cwd=distributed.workdir,
        )
        assert out.returncode == 1
        assert code in out.stderr
        assert token not in out.stderr + out.stdout

    weak = standin.issue_token(bob, ["openid"])  # lacks DLHub's scope
    refused(weak, "UNAUTHENTICATED")

    # Globus answering 500: UNAVAILABLE / 503 for a token not cached yet, never anonymous
    fresh = standin.issue_token(bob, [dlhub.scope])
    standin.set_mode(fail=500)
    try:
        resp = httpx.get(
            f"{distributed.http}/api/v1/whoami",
            headers={"authorization": f"Bearer {fresh}"},
            timeout=60,
        )
        assert resp.status_code == 503, resp.text
        assert "Globus Auth is unreachable" in resp.text
        assert fresh not in resp.text
        refused(fresh, "UNAVAILABLE")
    finally:
        standin.set_mode()
    gateway_log = distributed.log.read_text()
    for secret in (token, weak, fresh, dlhub.secret):
        assert secret not in gateway_log
