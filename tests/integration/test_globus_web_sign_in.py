"""The browser's "Sign in with Globus": the authorization-code flow with PKCE, the
gateway as DLHub's confidential client, against the Globus stand-in.

httpx plays the browser and follows each redirect by hand: the gateway's start
URL, the stand-in's authorize page (``login_as``, forwarded from
``auth.globus.authorize_params``, stands for the user logging in), the
gateway's callback, then the page redeeming its ticket. Anonymous reads are
off: the sign-in routes are public all the same.
"""

from __future__ import annotations

import contextlib
import logging
import time
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from dlhub_gateway.globus_web import BrowserSignIn
from tests.standins.globus_control import register_dlhub
from tests.standins.globus_standin import GROUPS_SCOPE, GlobusStandin, running_standin, sdk_env

from .conftest import Mesh, TinyModel, running_mesh, span_texts

pytestmark = pytest.mark.timeout(60)

START = "/api/v1/sign-in/globus"
CALLBACK = "/api/v1/sign-in/globus/callback"
TICKET = "/api/v1/sign-in/globus/ticket"
DANA = "dana@uchicago.edu"


@dataclass
class Globus:
    mesh: Mesh
    standin: GlobusStandin
    scope: str
    browser: httpx.AsyncClient  # for the stand-in's authorize page

    @property
    def flow(self) -> BrowserSignIn:
        flow = self.mesh.gateway.app.state.ctx.sign_in
        assert isinstance(flow, BrowserSignIn)
        return flow


@pytest.fixture
async def globus(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Globus]:
    async with running_standin() as standin:
        for key, value in sdk_env(standin.url).items():
            monkeypatch.setenv(key, value)
        dlhub = register_dlhub(standin)
        standin.add_identity(DANA)
        auth = dlhub.settings(retries=0, authorize_params={"login_as": DANA})
        gateway = {"allow_anonymous_reads": False}
        async with (
            running_mesh(tmp_path, tiny, auth=auth, gateway=gateway) as mesh,
            httpx.AsyncClient(timeout=10) as browser,
        ):
            yield Globus(mesh, standin, dlhub.scope, browser)


async def _to_globus(g: Globus, return_to: str = "/#/account") -> httpx.URL:
    """The gateway's start: its redirect to the stand-in's authorize page."""
    resp = await g.mesh.http.get(START, params={"return_to": return_to})
    assert resp.status_code == 302, resp.text
    assert resp.headers["cache-control"] == "no-store"
    return httpx.URL(resp.headers["location"])


async def _back_from_globus(g: Globus, authorize: httpx.URL) -> str:
    """The user signs in at the stand-in: its redirect to the gateway's callback."""
    resp = await g.browser.get(authorize)
    assert resp.status_code == 302, resp.text
    return resp.headers["location"]


def _ticket_of(location: str) -> str:
    fragment = urllib.parse.urlsplit(location).fragment
    params = urllib.parse.parse_qs(fragment.partition("?")[2])
    [ticket] = params["ticket"]
    return ticket


async def test_the_whole_flow_gives_a_token_that_works(
    globus: Globus,
    caplog: pytest.LogCaptureFixture,
    spans: InMemorySpanExporter,
) -> None:
    g = globus
    caplog.set_level(logging.DEBUG)
    spans.clear()
    info = await g.mesh.http.get("/api/v1/sign-in")
    assert info.json() == {"provider": "globus", "scope": g.scope, "start": START}

    authorize = await _to_globus(g)
    query = dict(authorize.params)
    assert str(authorize).startswith(g.standin.url + "v2/oauth2/authorize?")
    assert query["client_id"] == g.mesh.settings.auth.globus.client_id
    assert query["redirect_uri"] == g.mesh.http_url + CALLBACK
    assert query["scope"].split() == [g.scope, "openid", "profile", "email", GROUPS_SCOPE]
    assert query["code_challenge_method"] == "S256"
    assert query["login_as"] == DANA  # auth.globus.authorize_params
    state = query["state"]
    verifier = g.flow._flows[state].verifier
    assert g.flow.pending() == (1, 0)

    callback = await _back_from_globus(g, authorize)
    code = dict(httpx.URL(callback).params)["code"]
    back = await g.mesh.http.get(callback)
    assert back.status_code == 302, back.text
    location = back.headers["location"]
    assert location.startswith("/#/account?ticket=")
    ticket = _ticket_of(location)
    assert g.flow.pending() == (0, 1)

    redeemed = await g.mesh.http.post(TICKET, json={"ticket": ticket})
    assert redeemed.status_code == 200, redeemed.text
    token = redeemed.json()["token"]
    assert 0 < redeemed.json()["expires_in"] <= g.standin.token_lifetime_s
    assert token not in location
    who = await g.mesh.http.get("/api/v1/whoami", headers=g.mesh.headers(token))
    assert who.status_code == 200, who.text
    assert who.json()["username"] == "dana-uchicago-edu"

    again = await g.mesh.http.post(TICKET, json={"ticket": ticket})
    assert again.status_code == 400
    assert "unknown or used ticket" in again.json()["error"]
    reused = await g.mesh.http.get(callback)  # the state is single-use
    assert reused.status_code == 400
    assert "unknown, expired or already used sign-in state" in reused.json()["error"]
    assert g.flow.pending() == (0, 0)

    # never in the gateway's logs (at DEBUG; globus-sdk and requests included), spans,
    # metrics or answers. The test's own httpx client logs the URLs it fetches (the
    # code is in the callback's, as OAuth2 has it): its records are not the gateway's.
    logged = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))
    )
    assert any(r.name.startswith("globus_sdk") for r in caplog.records), "capture is empty"
    metrics = (await g.mesh.http.get("/metrics")).text
    answers = again.text + reused.text + location
    for name, secret in {"token": token, "code": code, "verifier": verifier}.items():
        for where, text in {"logs": logged, "spans": span_texts(spans), "metrics": metrics}.items():
            assert secret not in text, f"the {name} appears in the {where}"
        assert secret not in answers, f"the {name} appears in an answer"
    for where, text in {"logs": logged, "spans": span_texts(spans), "metrics": metrics}.items():
        assert ticket not in text, f"the ticket appears in the {where}"
    assert ticket not in again.text + reused.text


async def test_unknown_and_expired_state_are_refused(globus: Globus) -> None:
    g = globus
    unknown = await g.mesh.http.get(CALLBACK, params={"state": "nope", "code": "x"})
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "INVALID_ARGUMENT"
    assert "unknown, expired or already used sign-in state" in unknown.json()["error"]
    missing = await g.mesh.http.get(CALLBACK, params={"code": "x"})
    assert missing.status_code == 400
    assert "sign-in state" in missing.json()["error"]

    authorize = await _to_globus(g)
    callback = await _back_from_globus(g, authorize)
    real = time.time
    g.flow.clock = lambda: real() + 601  # past the 10 minutes a sign-in may take
    expired = await g.mesh.http.get(callback)
    assert expired.status_code == 400
    assert "unknown, expired or already used sign-in state" in expired.json()["error"]
    assert g.flow.pending() == (0, 0)


async def test_a_ticket_expires_after_a_minute(globus: Globus) -> None:
    g = globus
    back = await g.mesh.http.get(await _back_from_globus(g, await _to_globus(g)))
    ticket = _ticket_of(back.headers["location"])
    real = time.time
    g.flow.clock = lambda: real() + 61
    late = await g.mesh.http.post(TICKET, json={"ticket": ticket})
    assert late.status_code == 400
    assert "unknown or used ticket" in late.json()["error"]


@pytest.mark.parametrize(
    "return_to",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "account",
        "/\nSet-Cookie: x=1",
    ],
)
async def test_an_open_redirect_is_refused(globus: Globus, return_to: str) -> None:
    resp = await globus.mesh.http.get(START, params={"return_to": return_to})
    assert resp.status_code == 400, resp.text
    assert "return_to must be a path on this site" in resp.json()["error"]
    assert globus.flow.pending() == (0, 0)


async def test_the_ticket_is_always_in_the_fragment(globus: Globus) -> None:
    """Browsers never send a fragment to a server: the ticket reaches no access log."""
    g = globus
    for return_to, prefix in (
        ("/?x=1", "/?x=1#ticket="),
        ("/#/s/alice/tiny?v=2", "/#/s/alice/tiny?v=2&ticket="),
    ):
        back = await g.mesh.http.get(await _back_from_globus(g, await _to_globus(g, return_to)))
        assert back.headers["location"].startswith(prefix), back.headers["location"]


async def test_the_user_declining_goes_back_with_a_readable_error(globus: Globus) -> None:
    g = globus
    state = dict((await _to_globus(g)).params)["state"]
    resp = await g.mesh.http.get(CALLBACK, params={"state": state, "error": "access_denied"})
    assert resp.status_code == 302
    location = resp.headers["location"]
    fragment = urllib.parse.urlsplit(location).fragment
    assert fragment.startswith("/account?")
    params = urllib.parse.parse_qs(fragment.partition("?")[2])
    assert params["sign_in_error"] == ["you declined to sign in at Globus"]
    assert "ticket" not in params
    assert g.flow.pending() == (0, 0)  # the state is spent


async def test_globus_down_at_the_exchange_is_503_then_sign_in_again_works(
    globus: Globus,
) -> None:
    g = globus
    callback = await _back_from_globus(g, await _to_globus(g))
    g.standin.fail = 500
    down = await g.mesh.http.get(callback)
    assert down.status_code == 503, down.text
    assert down.json()["code"] == "UNAVAILABLE"
    assert "Globus Auth is unreachable" in down.json()["error"]
    g.standin.fail = None
    back = await g.mesh.http.get(await _back_from_globus(g, await _to_globus(g)))
    assert back.status_code == 302
    assert "ticket=" in back.headers["location"]


async def test_a_code_globus_refuses_is_400(globus: Globus) -> None:
    g = globus
    state = dict((await _to_globus(g)).params)["state"]
    resp = await g.mesh.http.get(CALLBACK, params={"state": state, "code": "forged"})
    assert resp.status_code == 400, resp.text
    assert "Globus refused the sign-in code" in resp.json()["error"]
    assert "forged" not in resp.text


@contextlib.asynccontextmanager
async def _local(tmp_path: Path, tiny: TinyModel) -> AsyncIterator[Mesh]:
    async with running_mesh(tmp_path, tiny) as mesh:
        yield mesh


async def test_the_routes_refuse_when_the_provider_is_not_globus(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    async with _local(tmp_path, tiny) as mesh:
        assert (await mesh.http.get("/api/v1/sign-in")).json() == {"provider": "local"}
        calls: list[tuple[str, str, dict[str, Any]]] = [
            ("GET", START, {}),
            ("GET", CALLBACK, {"params": {"state": "s", "code": "c"}}),
            ("POST", TICKET, {"json": {"ticket": "t"}}),
        ]
        for method, path, kwargs in calls:
            resp = await mesh.http.request(method, path, **kwargs)
            assert resp.status_code == 404, (path, resp.text)
            assert "does not sign in with Globus (auth.provider is local)" in resp.json()["error"]
