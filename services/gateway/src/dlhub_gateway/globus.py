"""Globus Auth as the gateway's identity provider (``auth.provider: globus``).

A bearer token is checked by token introspection with DLHub's confidential
client (``auth.globus.client_id`` / ``client_secret``):

* inactive (unknown, expired, revoked) or past its ``exp``: UNAUTHENTICATED
  "invalid or expired token";
* active without ``auth.globus.required_scope``: UNAUTHENTICATED naming the
  scope it needs;
* the identity set (``include=identity_set``) becomes ``Principal.identities``
  (``urn:globus:auth:identity:<uuid>``), the primary username the owner slug
  (:func:`owner_slug`);
* with ``auth.globus.groups`` the token is exchanged for a dependent Groups
  API token and ``get_my_groups`` (active memberships) gives
  ``Principal.groups`` (``urn:globus:groups:id:<uuid>``);
* ``auth.admins`` naming the slug or one of the identities gives role ``admin``.

Accepted principals are cached (bounded; the key is SHA-256 of the token,
never the token) for ``auth.globus.cache_ttl_s``, never past the token's
expiry; failures are never cached. Concurrent checks of one token share one
lookup. Globus unreachable, answering 5xx or 429, or timing out is
UNAVAILABLE ("Globus Auth is unreachable; retry"): never anonymous, never
allowed. No token appears in a log line or an error.

globus-sdk is synchronous; its calls run in threads (``asyncio.to_thread``),
each thread with its own clients (a ``requests`` session is not shared
between threads).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import globus_sdk
from cachetools import TLRUCache
from globus_sdk.config import get_service_url
from globus_sdk.transport import RequestsTransport, RetryConfig

from dlhub_common.access import GLOBUS_GROUP_PREFIX, GLOBUS_IDENTITY_PREFIX, entry_kind
from dlhub_common.auth_settings import AuthSettings
from dlhub_common.errors import DLHubError, Unauthenticated, Unavailable
from dlhub_common.identity import Principal

log = logging.getLogger("dlhub.gateway.globus")

GROUPS_RESOURCE_SERVER = "groups.api.globus.org"
UNREACHABLE = "Globus Auth is unreachable; retry"
INVALID = "invalid or expired token"
_PLAIN_USERNAME = re.compile(r"^[a-z0-9]+@[a-z0-9]+(?:\.[a-z0-9]+)*$")
_SLUG_MAX = 64
_HASH_CHARS = 12


def owner_slug(username: str) -> str:
    """The DLHub owner slug of a Globus username; two usernames never share one.

    The username is lower-cased. A *plain* username, ``local@domain`` with
    only letters and digits in ``local`` and dot-separated letters and digits
    in ``domain``, becomes its characters with ``@`` and ``.`` written ``-``
    (``alice@uchicago.edu`` -> ``alice-uchicago-edu``): the first ``-`` is the
    ``@`` and the others are dots, so it reads back one way only. Any other
    username (``alice.smith@x.org``, one with ``_``, ``+`` or ``-``, or a slug
    past 64 characters) becomes the same readable form, clipped, then ``_``
    and 12 hex digits of the username's SHA-256 (``alice-smith-x-org_3f2a...``);
    plain slugs never contain ``_``, so the two kinds never meet, and two
    hashed slugs would need the same readable prefix and a 48-bit hash match.
    """
    name = username.strip().lower()
    readable = re.sub(r"[^a-z0-9]+", "-", name).strip("-") or "user"
    if _PLAIN_USERNAME.match(name) and len(readable) <= _SLUG_MAX:
        return readable
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:_HASH_CHARS]
    head = readable[: _SLUG_MAX - _HASH_CHARS - 1].rstrip("-_") or "user"
    return f"{head}_{digest}"


def token_key(token: str) -> str:
    """What the cache keys a token by (never the token itself)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Cached:
    principal: Principal
    expires_at: float  # epoch seconds: min(now + ttl, token exp)


class _Clients(threading.local):
    """One confidential client per worker thread."""

    auth: globus_sdk.ConfidentialAppAuthClient | None = None


class GlobusProvider:
    """Bearer tokens checked by Globus Auth (see the module docstring).

    Args:
        settings: the ``auth`` settings (``provider: globus``).
        clock: epoch seconds (tests pass a fake one).
    """

    name = "globus"

    def __init__(self, settings: AuthSettings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings.globus
        self.admins = frozenset(settings.admins)
        self.clock = clock
        # resolved once: GLOBUS_SDK_SERVICE_URL_AUTH / _GROUPS, else the environment's
        self.auth_url = get_service_url("auth")
        self.groups_url = get_service_url("groups")
        self._local = _Clients()
        self._cache: TLRUCache[str, _Cached] = TLRUCache(
            maxsize=self.settings.cache_size,
            ttu=lambda _key, value, _now: value.expires_at,
            timer=clock,
        )
        self._inflight: dict[str, asyncio.Task[Principal]] = {}

    # ------------------------------------------------------------ the port

    async def authenticate(self, token: str) -> Principal:
        key = token_key(token)
        hit = self._cache.get(key)
        if hit is not None and hit.expires_at > self.clock():
            return hit.principal
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self._lookup(token, key), name="globus-introspect")
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        # shielded: a caller that gives up does not cancel the others' lookup
        return await asyncio.shield(task)

    def _finished(self, key: str, task: asyncio.Task[Principal]) -> None:
        self._inflight.pop(key, None)
        if not task.cancelled():
            task.exception()  # retrieved here too: every waiter may have gone

    def cached_tokens(self) -> int:
        """How many tokens the cache holds now (for tests and metrics)."""
        self._cache.expire()
        return len(self._cache)

    # ------------------------------------------------------------ lookup

    async def _lookup(self, token: str, key: str) -> Principal:
        principal, exp = await asyncio.to_thread(self._check, token)
        if self.settings.cache_ttl_s > 0:
            expires_at = self.clock() + self.settings.cache_ttl_s
            if exp is not None:
                expires_at = min(expires_at, exp)
            if expires_at > self.clock():
                self._cache[key] = _Cached(principal, expires_at)
        return principal

    def _client(self) -> globus_sdk.ConfidentialAppAuthClient:
        if self._local.auth is None:
            self._local.auth = globus_sdk.ConfidentialAppAuthClient(
                self.settings.client_id,
                self.settings.client_secret.get_secret_value(),
                base_url=self.auth_url,
                transport=self._transport(),
                retry_config=self._retry_config(),
                app_name="DLHub gateway",
            )
        return self._local.auth

    def _transport(self) -> RequestsTransport:
        return RequestsTransport(http_timeout=self.settings.timeout_s)

    def _retry_config(self) -> RetryConfig:
        return RetryConfig(max_retries=self.settings.retries, max_sleep=1.0)

    def _check(self, token: str) -> tuple[Principal, float | None]:
        """Introspection (and groups); runs in a worker thread."""
        client = self._client()
        info = _call(
            "token introspection",
            lambda: _object(client.oauth2_token_introspect(token, include="identity_set")),
        )
        if info.get("active") is not True:
            raise Unauthenticated(INVALID)
        exp = info.get("exp")
        exp_at = float(exp) if isinstance(exp, int | float) else None
        if exp_at is not None and exp_at <= self.clock():
            raise Unauthenticated(INVALID)
        scopes = str(info.get("scope") or "").split()
        if self.settings.required_scope not in scopes:
            raise Unauthenticated(
                f"this token does not grant DLHub's scope {self.settings.required_scope}:"
                " log in again asking for it (dlhub login)"
            )
        username = info.get("username")
        sub = info.get("sub")
        if not isinstance(username, str) or not username or not isinstance(sub, str):
            raise Unavailable("Globus Auth answered without the token's identity; retry")
        identities = _identities([sub, *(info.get("identity_set") or ())])
        groups = self._groups(client, token) if self.settings.groups else frozenset()
        slug = owner_slug(username)
        admin = slug in self.admins or not self.admins.isdisjoint(identities)
        principal = Principal(
            slug,
            groups=groups,
            identities=identities,
            roles=frozenset({"admin"}) if admin else frozenset(),
        )
        return principal, exp_at

    def _groups(self, client: globus_sdk.ConfidentialAppAuthClient, token: str) -> frozenset[str]:
        scope = self.settings.groups_scope
        tokens = _call(
            "the dependent token grant",
            lambda: client.oauth2_get_dependent_tokens(token, scope=scope),
            refused=(
                f"this token does not let DLHub read your Globus groups ({scope}):"
                " log in again and consent to it (dlhub login)"
            ),
        )
        try:
            groups_token = tokens.by_resource_server[GROUPS_RESOURCE_SERVER]["access_token"]
        except (KeyError, TypeError):
            raise Unauthenticated(
                f"this token does not let DLHub read your Globus groups ({scope}):"
                " log in again and consent to it (dlhub login)"
            ) from None
        groups_client = globus_sdk.GroupsClient(
            base_url=self.groups_url,
            authorizer=globus_sdk.AccessTokenAuthorizer(groups_token),
            transport=self._transport(),
            retry_config=self._retry_config(),
            app_name="DLHub gateway",
        )
        try:
            mine = _call(
                "the Groups API",
                lambda: list(groups_client.get_my_groups(statuses="active")),
                refused="Globus Groups refused DLHub's dependent token; log in again",
            )
        finally:
            groups_client.close()
        return frozenset(
            GLOBUS_GROUP_PREFIX + str(g["id"]).lower()
            for g in mine
            if isinstance(g, dict) and entry_kind(GLOBUS_GROUP_PREFIX + str(g.get("id")).lower())
        )


def _object(response: Any) -> dict[str, Any]:
    data = response.data
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    return data


def _identities(ids: Iterable[Any]) -> frozenset[str]:
    out = set()
    for raw in ids:
        entry = GLOBUS_IDENTITY_PREFIX + str(raw).lower()
        if entry_kind(entry) == "identity":
            out.add(entry)
    return frozenset(out)


def _call(what: str, fn: Callable[[], Any], *, refused: str | None = None) -> Any:
    """One globus-sdk call, its failures as DLHub errors (the token never in them).

    A 4xx other than 429 is the caller's token being refused (``refused``,
    or UNAUTHENTICATED "invalid or expired token"), except a 401 on
    introspection, which is DLHub's own client being refused; 5xx, 429,
    timeouts and connection errors are UNAVAILABLE.
    """
    try:
        return fn()
    except globus_sdk.GlobusAPIError as exc:
        status = exc.http_status
        if status == 429 or status >= 500:
            log.warning("Globus %s failed with HTTP %d", what, status)
            raise Unavailable(UNREACHABLE) from None
        if refused is None and status == 401:
            log.error(
                "Globus Auth refused DLHub's client credentials (auth.globus.client_id)"
                " during %s (HTTP 401)",
                what,
            )
            raise Unavailable(
                "DLHub cannot check tokens: Globus Auth refused its client credentials;"
                " tell the operator"
            ) from None
        log.info("Globus %s refused the token (HTTP %d)", what, status)
        raise Unauthenticated(refused or INVALID) from None
    except globus_sdk.NetworkError as exc:
        log.warning("Globus %s failed: %s", what, type(exc).__name__)
        raise Unavailable(UNREACHABLE) from None
    except DLHubError:
        raise
    except Exception as exc:  # a malformed answer (not JSON, not an object)
        log.warning("Globus %s gave an unexpected answer: %s", what, type(exc).__name__)
        raise Unavailable(UNREACHABLE) from None
