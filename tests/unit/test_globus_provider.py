"""GlobusProvider's logic against globus_sdk's canned responses (globus_sdk.testing + responses).

The Globus API is answered in-process by ``responses``, with the SDK's own
response sets where they exist (introspection, the dependent token grant,
``my_groups``); a fake clock drives expiry.
"""

from __future__ import annotations

import asyncio
import base64
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
from globus_sdk.testing import get_last_request, load_response_set

from dlhub_common.auth_settings import GROUPS_SCOPE, AuthSettings
from dlhub_common.errors import Unauthenticated, Unavailable
from dlhub_common.names import SLUG_RE
from dlhub_gateway.globus import GlobusProvider, owner_slug, token_key

AUTH = "https://auth.globus.org"
INTROSPECT = f"{AUTH}/v2/oauth2/token/introspect"
TOKEN = f"{AUTH}/v2/oauth2/token"
MY_GROUPS = "https://groups.api.globus.org/v2/groups/my_groups"
CLIENT_ID = "5e0a1c3d-2b4f-4a6e-8d9c-7f1b3a5c2e4d"
SECRET = "the-client-secret"
USER_TOKEN = "AgUserToken" + "q" * 40
LINKED = "A1B2C3D4-0000-4000-8000-00000000000F"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def mocked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_GROUPS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "production")
    responses.start()
    yield
    responses.stop()
    responses.reset()


def _canned_introspection() -> tuple[dict[str, Any], dict[str, Any]]:
    """The SDK's canned introspection answer (json, metadata)."""
    canned = load_response_set("auth.oauth2_token_introspect").lookup("default")
    responses.reset()  # registered again below, with the identity set
    return dict(canned.json), dict(canned.metadata)  # type: ignore[arg-type]


def _provider(clock: Clock, admins: tuple[str, ...] = (), **globus: Any) -> GlobusProvider:
    settings = AuthSettings(
        provider="globus",
        globus={
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "required_scope": "openid",  # one of the canned token's scopes
            "retries": 0,
            **globus,
        },
        admins=list(admins),
    )
    return GlobusProvider(settings, clock=clock)


def _introspection(**changes: Any) -> tuple[dict[str, Any], Clock]:
    """Register an introspection answer (the canned one with ``changes``)."""
    body, meta = _canned_introspection()
    body["identity_set"] = [meta["id"], LINKED]
    body.update(changes)
    responses.add(responses.POST, INTROSPECT, json=body)
    return body, Clock(body["iat"] + 60.0)


def _dependent_groups_token() -> None:
    """The SDK's canned dependent token grant (a Groups API token, ``groupsToken``)."""
    canned = load_response_set("auth.oauth2_get_dependent_tokens").lookup("groups")
    responses.replace(responses.POST, TOKEN, json=canned.json)


def _calls(url: str) -> int:
    return sum(1 for c in responses.calls if c.request.url.split("?")[0] == url)


def _form(body: Any) -> dict[str, str]:
    text = body.decode() if isinstance(body, bytes) else str(body)
    return dict(urllib.parse.parse_qsl(text))


# ------------------------------------------------------------------ introspection


@pytest.mark.usefixtures("mocked")
async def test_identity_set_groups_and_the_calls_made() -> None:
    body, clock = _introspection()
    _dependent_groups_token()
    canned_groups = load_response_set("groups.get_my_groups").lookup("default").json
    principal = await _provider(clock).authenticate(USER_TOKEN)

    assert principal.username == owner_slug(body["username"]) == "kingfish-globus-org"
    assert principal.identities == {
        f"urn:globus:auth:identity:{body['sub']}",
        f"urn:globus:auth:identity:{LINKED.lower()}",
    }
    assert principal.groups == {f"urn:globus:groups:id:{g['id']}" for g in canned_groups}
    assert not principal.admin

    introspect = next(c.request for c in responses.calls if c.request.url == INTROSPECT)
    assert _form(introspect.body) == {"token": USER_TOKEN, "include": "identity_set"}
    expected = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    assert introspect.headers["Authorization"] == f"Basic {expected}"
    grant = next(c.request for c in responses.calls if c.request.url == TOKEN)
    assert _form(grant.body) == {
        "grant_type": "urn:globus:auth:grant_type:dependent_token",
        "token": USER_TOKEN,
        "scope": GROUPS_SCOPE,
    }
    last = get_last_request()
    assert last is not None
    assert last.url == f"{MY_GROUPS}?statuses=active"
    assert last.headers["Authorization"] == "Bearer groupsToken"


@pytest.mark.usefixtures("mocked")
async def test_inactive_token_is_refused_and_not_cached() -> None:
    _canned_introspection()
    responses.add(responses.POST, INTROSPECT, json={"active": False})
    provider = _provider(Clock(1e9), groups=False)
    for _ in range(2):
        with pytest.raises(Unauthenticated, match=r"^invalid or expired token$"):
            await provider.authenticate(USER_TOKEN)
    assert _calls(INTROSPECT) == 2
    assert provider.cached_tokens() == 0


@pytest.mark.usefixtures("mocked")
async def test_a_token_past_its_exp_is_refused_even_when_active() -> None:
    body, _ = _introspection()
    with pytest.raises(Unauthenticated, match="invalid or expired token"):
        await _provider(Clock(body["exp"] + 1.0), groups=False).authenticate(USER_TOKEN)


@pytest.mark.usefixtures("mocked")
async def test_missing_scope_names_the_scope_never_the_token() -> None:
    _, clock = _introspection()
    wanted = f"https://auth.globus.org/scopes/{CLIENT_ID}/all"
    with pytest.raises(Unauthenticated) as info:
        await _provider(clock, required_scope=wanted, groups=False).authenticate(USER_TOKEN)
    assert wanted in info.value.message
    assert USER_TOKEN not in info.value.message


@pytest.mark.usefixtures("mocked")
async def test_admins_by_identity_or_slug() -> None:
    _, clock = _introspection()
    by_identity = _provider(clock, groups=False, admins=(f"urn:globus:auth:identity:{LINKED}",))
    assert (await by_identity.authenticate(USER_TOKEN)).admin
    by_slug = _provider(clock, groups=False, admins=("kingfish-globus-org",))
    assert (await by_slug.authenticate(USER_TOKEN)).roles == {"admin"}
    other = _provider(clock, groups=False, admins=("someone-else",))
    assert not (await other.authenticate(USER_TOKEN)).admin


# ------------------------------------------------------------------ the cache


@pytest.mark.usefixtures("mocked")
async def test_cache_lifetime_is_the_setting_or_the_token_expiry_whichever_first() -> None:
    body, clock = _introspection()
    provider = _provider(clock, groups=False, cache_ttl_s=30)
    await provider.authenticate(USER_TOKEN)
    clock.now += 29
    await provider.authenticate(USER_TOKEN)
    assert _calls(INTROSPECT) == 1
    assert list(provider._cache.keys()) == [token_key(USER_TOKEN)]  # the hash, never the token
    clock.now += 2  # past the setting
    await provider.authenticate(USER_TOKEN)
    assert _calls(INTROSPECT) == 2

    clock.now = body["exp"] - 5  # the token expires before the setting's 30 s
    await provider.authenticate(USER_TOKEN)
    assert _calls(INTROSPECT) == 3
    clock.now += 6
    with pytest.raises(Unauthenticated):
        await provider.authenticate(USER_TOKEN)
    assert _calls(INTROSPECT) == 4


@pytest.mark.usefixtures("mocked")
async def test_cache_is_bounded_and_concurrent_checks_share_one_call() -> None:
    _, clock = _introspection()
    provider = _provider(clock, groups=False, cache_size=2)
    await asyncio.gather(*(provider.authenticate(USER_TOKEN) for _ in range(8)))
    assert _calls(INTROSPECT) == 1
    for n in range(3):
        await provider.authenticate(f"{USER_TOKEN}-{n}")
    assert provider.cached_tokens() == 2


@pytest.mark.usefixtures("mocked")
async def test_cache_off() -> None:
    _, clock = _introspection()
    provider = _provider(clock, groups=False, cache_ttl_s=0)
    await provider.authenticate(USER_TOKEN)
    await provider.authenticate(USER_TOKEN)
    assert _calls(INTROSPECT) == 2


# ------------------------------------------------------------------ failures


@pytest.mark.usefixtures("mocked")
@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_globus_errors_are_unavailable_after_the_retries(status: int) -> None:
    _canned_introspection()
    responses.add(responses.POST, INTROSPECT, json={"errors": []}, status=status)
    provider = _provider(Clock(1e9), retries=1)
    with pytest.raises(Unavailable, match=r"^Globus Auth is unreachable; retry$"):
        await provider.authenticate(USER_TOKEN)
    assert _calls(INTROSPECT) == 2
    assert provider.cached_tokens() == 0


@pytest.mark.usefixtures("mocked")
async def test_connection_error_is_unavailable() -> None:
    _canned_introspection()
    responses.add(responses.POST, INTROSPECT, body=requests.ConnectionError("refused"))
    with pytest.raises(Unavailable, match="Globus Auth is unreachable"):
        await _provider(Clock(1e9)).authenticate(USER_TOKEN)


@pytest.mark.usefixtures("mocked")
async def test_refused_client_credentials_are_unavailable_not_the_callers_fault() -> None:
    _canned_introspection()
    responses.add(responses.POST, INTROSPECT, json={"error": "invalid_client"}, status=401)
    with pytest.raises(Unavailable, match="refused its client credentials"):
        await _provider(Clock(1e9)).authenticate(USER_TOKEN)


@pytest.mark.usefixtures("mocked")
async def test_not_json_is_unavailable() -> None:
    _canned_introspection()
    responses.add(responses.POST, INTROSPECT, body="<html>proxy error</html>", status=200)
    with pytest.raises(Unavailable):
        await _provider(Clock(1e9)).authenticate(USER_TOKEN)


@pytest.mark.usefixtures("mocked")
async def test_no_dependent_groups_token_names_the_groups_scope() -> None:
    _, clock = _introspection()
    responses.add(responses.POST, TOKEN, json={"error": "invalid_grant"}, status=400)
    with pytest.raises(Unauthenticated, match=re.escape(GROUPS_SCOPE)):
        await _provider(clock).authenticate(USER_TOKEN)


@pytest.mark.usefixtures("mocked")
async def test_groups_api_down_is_unavailable() -> None:
    _, clock = _introspection()
    _dependent_groups_token()
    responses.add(responses.GET, MY_GROUPS, json={}, status=503)
    with pytest.raises(Unavailable, match="unreachable"):
        await _provider(clock).authenticate(USER_TOKEN)


# ------------------------------------------------------------------ owner slugs


@pytest.mark.parametrize(
    ("username", "slug"),
    [
        ("alice@uchicago.edu", "alice-uchicago-edu"),
        ("Alice@UChicago.edu", "alice-uchicago-edu"),
        ("bob42@anl.gov", "bob42-anl-gov"),
    ],
)
def test_plain_usernames_read_as_themselves(username: str, slug: str) -> None:
    assert owner_slug(username) == slug


def test_slugs_never_collide_and_always_fit() -> None:
    usernames = [
        "alice@uchicago.edu",
        "alice.uchicago@edu",
        "alice@uchicago-edu",
        "alice-uchicago@edu",
        "alice_uchicago@edu",
        "alice+dlhub@uchicago.edu",
        "alice@dlhub.uchicago.edu",
        "0000-0002-1825-0097@orcid.org",
        "x" * 100 + "@example.org",
        "x" * 100 + "@example.com",
        "a" * 59 + "@b.org",  # 65 characters as a slug: hashed
        "@@@",
        "",
    ]
    slugs = [owner_slug(u) for u in usernames]
    assert len(set(slugs)) == len(usernames), slugs
    for slug in slugs:
        assert SLUG_RE.match(slug), slug
    assert owner_slug("alice.smith@x.org").startswith("alice-smith-x-org_")
    assert owner_slug("alice.smith@x.org") == owner_slug("ALICE.SMITH@X.ORG")
