"""The browser's Globus sign-in: what needs no Globus (return_to, the ticket's place,
the settings, error sentences, the authorize URL, one-time tickets)."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse

import pytest
from pydantic import ValidationError

from dlhub_common.auth_settings import GlobusAuthSettings
from dlhub_common.errors import InvalidArgument
from dlhub_gateway.globus_web import (
    BrowserSignIn,
    Ticket,
    check_return_to,
    readable_error,
    with_param,
)

CLIENT = "0b5d6e2a-8c47-4d2e-9b1a-3f6c2d7e8a90"
SCOPE = f"https://auth.globus.org/scopes/{CLIENT}/all"


def _settings(**extra: object) -> GlobusAuthSettings:
    return GlobusAuthSettings.model_validate(
        {"client_id": CLIENT, "client_secret": "s", "required_scope": SCOPE, **extra}
    )


@pytest.mark.parametrize("good", ["/", "/#/account", "/?q=x#/s/a/b?v=2", "/page"])
def test_same_origin_paths_are_kept(good: str) -> None:
    assert check_return_to(good) == good
    assert check_return_to("") == "/#/account"


@pytest.mark.parametrize(
    "bad",
    ["//evil.org", "https://evil.org/", "/\\evil.org", "evil", "javascript:x", "/a\r\nb", "/é"],
)
def test_anything_else_is_refused(bad: str) -> None:
    with pytest.raises(InvalidArgument, match="return_to must be a path on this site"):
        check_return_to(bad)


@pytest.mark.parametrize(
    ("return_to", "expected"),
    [
        ("/#/account", "/#/account?ticket=T"),
        ("/#/s/a/b?v=2", "/#/s/a/b?v=2&ticket=T"),
        ("/?x=1", "/?x=1#ticket=T"),
        ("/#", "/#ticket=T"),
    ],
)
def test_the_ticket_goes_in_the_fragment(return_to: str, expected: str) -> None:
    assert with_param(return_to, "ticket", "T") == expected


def test_readable_errors() -> None:
    assert readable_error("access_denied") == "you declined to sign in at Globus"
    assert readable_error("odd", "Something\x00 happened") == "Something happened"
    assert readable_error("odd\n") == "Globus did not sign you in (odd)"


def test_settings_check_the_redirect_uri() -> None:
    assert _settings().redirect_uri == ""
    with pytest.raises(ValidationError, match="redirect_uri must be an absolute"):
        _settings(redirect_uri="dlhub.example.org/cb")


def test_the_authorize_url_asks_for_pkce_and_keeps_the_flow_params() -> None:
    flow = BrowserSignIn(_settings(authorize_params={"login_as": "x", "state": "mine"}))
    url = flow.start("/#/account", flow.redirect_uri("http://gw:8000/"))
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["redirect_uri"] == "http://gw:8000/api/v1/sign-in/globus/callback"
    assert query["login_as"] == "x"
    assert query["state"] != "mine"  # extra parameters never replace the flow's own
    verifier = flow._flows[query["state"]].verifier
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert query["code_challenge"] == digest.rstrip(b"=").decode()
    assert query["code_challenge_method"] == "S256"
    assert query["scope"].split() == [
        SCOPE,
        "openid",
        "profile",
        "email",
        "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships",
    ]
    assert BrowserSignIn(_settings(groups=False)).scopes() == [SCOPE, "openid", "profile", "email"]
    assert _settings(redirect_uri="https://d.org/cb").redirect_uri == "https://d.org/cb"


def test_a_ticket_is_redeemed_once() -> None:
    now = [1000.0]
    flow = BrowserSignIn(_settings(), clock=lambda: now[0])
    flow._tickets["t"] = Ticket("tok", 1000.0 + 3600)
    now[0] += 10
    assert flow.redeem("t") == ("tok", 3590)
    with pytest.raises(InvalidArgument, match="unknown or used ticket"):
        flow.redeem("t")
    with pytest.raises(InvalidArgument, match="unknown, expired or already used"):
        flow.declined("never-issued")
