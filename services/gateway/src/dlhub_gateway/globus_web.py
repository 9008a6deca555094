"""Signing in with Globus in a browser: the OAuth2 authorization-code flow, with PKCE,
the gateway being DLHub's confidential client (``auth.provider: globus``).

1. :meth:`BrowserSignIn.start` makes a random ``state`` and a PKCE verifier
   (S256), keeps them with the page to come back to for at most
   :data:`FLOW_TTL_S` (a bounded in-memory cache keyed by the state) and gives
   Globus' authorize URL;
2. :meth:`BrowserSignIn.finish` takes the state back (once: it is removed),
   exchanges the code for tokens with the client's secret and the verifier,
   picks the token granting ``auth.globus.required_scope`` and keeps it under a
   one-time random *ticket* for :data:`TICKET_TTL_S`: the token never travels in
   a URL, only the ticket does, in the fragment of the page's address;
3. :meth:`BrowserSignIn.redeem` hands the token over once, for a page's POST.

No token, code, verifier or ticket is logged or put in an error message.
globus-sdk is synchronous; the exchange runs in a thread.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
import secrets
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import globus_sdk
from cachetools import TTLCache
from globus_sdk.config import get_service_url
from globus_sdk.services.auth.response import OAuthAuthorizationCodeResponse
from globus_sdk.transport import RequestsTransport, RetryConfig

from dlhub_common.auth_settings import GlobusAuthSettings
from dlhub_common.errors import DLHubError, InvalidArgument, Unavailable

log = logging.getLogger("dlhub.gateway.globus_web")

FLOW_TTL_S = 600.0  # from the start to Globus' redirect back
TICKET_TTL_S = 60.0  # from the redirect back to the page's redeeming POST
MAX_PENDING = 10_000  # sign-ins under way (and tickets) kept at once
OPENID_SCOPES = ("openid", "profile", "email")
DEFAULT_RETURN_TO = "/#/account"
CALLBACK_PATH = "/api/v1/sign-in/globus/callback"
UNREACHABLE = "Globus Auth is unreachable; retry signing in"
_ERROR_TEXT = {
    "access_denied": "you declined to sign in at Globus",
    "login_required": "Globus needs you to log in first",
    "consent_required": "DLHub needs your consent at Globus",
}
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


@dataclass(frozen=True)
class _Flow:
    verifier: str
    return_to: str
    redirect_uri: str


@dataclass(frozen=True)
class Ticket:
    token: str
    expires_at: float  # epoch seconds


def check_return_to(return_to: str) -> str:
    """``return_to`` if it is a path on this origin (``/...``, never ``//host``), else 400."""
    text = return_to or DEFAULT_RETURN_TO
    parts = urllib.parse.urlsplit(text)
    if (
        len(text) > 2048
        or not text.startswith("/")
        or text.startswith("//")
        or "\\" in text
        or _PRINTABLE.search(text)
        or parts.scheme
        or parts.netloc
    ):
        raise InvalidArgument(
            "return_to must be a path on this site starting with one '/', e.g. /#/account"
            " (no scheme, host or backslash)",
            details={"field": "return_to"},
        )
    return text


def with_param(return_to: str, name: str, value: str) -> str:
    """``return_to`` with ``name=value`` added in its fragment, which browsers never send
    to a server (so never to a log): to the hash route's query (``/#/account?ticket=...``),
    or as the fragment of a page without one (``/page#ticket=...``)."""
    pair = urllib.parse.urlencode({name: value})
    base, hashed, fragment = return_to.partition("#")
    if not hashed or not fragment:
        return f"{base}#{pair}"
    return f"{base}#{fragment}{'&' if '?' in fragment else '?'}{pair}"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def readable_error(error: str, description: str = "") -> str:
    """Globus' ``error=`` (and ``error_description``) as a sentence for the page."""
    text = _ERROR_TEXT.get(error) or _PRINTABLE.sub("", description)[:200].strip()
    return text or f"Globus did not sign you in ({_PRINTABLE.sub('', error)[:60]})"


class BrowserSignIn:
    """The browser's sign-in flow (see the module docstring).

    Args:
        settings: ``auth.globus``.
        clock: epoch seconds; the caches expire by it (tests pass a fake one).
    """

    def __init__(
        self, settings: GlobusAuthSettings, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.auth_url = get_service_url("auth")
        self._flows: TTLCache[str, _Flow] = TTLCache(
            MAX_PENDING, FLOW_TTL_S, timer=lambda: self.clock()
        )
        self._tickets: TTLCache[str, Ticket] = TTLCache(
            MAX_PENDING, TICKET_TTL_S, timer=lambda: self.clock()
        )

    def scopes(self) -> list[str]:
        """What the sign-in asks Globus for: DLHub's scope, OpenID, and Groups when read."""
        out = [self.settings.required_scope, *OPENID_SCOPES]
        if self.settings.groups:
            out.append(self.settings.groups_scope)
        return out

    def redirect_uri(self, base_url: str) -> str:
        """``auth.globus.redirect_uri``, else this gateway's callback under ``base_url``."""
        return self.settings.redirect_uri or base_url.rstrip("/") + CALLBACK_PATH

    def start(self, return_to: str, redirect_uri: str) -> str:
        """Globus' authorize URL for a new sign-in that comes back to ``return_to``."""
        return_to = check_return_to(return_to)
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(48)  # 64 characters (RFC 7636: 43 to 128)
        self._flows[state] = _Flow(verifier, return_to, redirect_uri)
        query = {
            **self.settings.authorize_params,
            "client_id": self.settings.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(self.scopes()),
            "state": state,
            "response_type": "code",
            "access_type": "online",
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
        base = self.auth_url.rstrip("/") + "/v2/oauth2/authorize"
        return f"{base}?{urllib.parse.urlencode(query)}"

    def _take(self, state: str) -> _Flow:
        flow = self._flows.pop(state, None) if state else None
        if flow is None:
            raise InvalidArgument(
                "unknown, expired or already used sign-in state: start signing in again",
                details={"field": "state"},
            )
        return flow

    def declined(self, state: str) -> str:
        """Globus sent the user back without a code: the page to go back to (state spent)."""
        return self._take(state).return_to

    async def finish(self, state: str, code: str) -> tuple[str, str]:
        """Exchange ``code`` of the sign-in ``state``: (the page to go back to, a ticket)."""
        flow = self._take(state)
        if not code:
            raise InvalidArgument("Globus sent no code back: start signing in again")
        token, expires_in = await asyncio.to_thread(self._exchange, flow, code)
        ticket = secrets.token_urlsafe(32)
        self._tickets[ticket] = Ticket(token, self.clock() + expires_in)
        return flow.return_to, ticket

    def redeem(self, ticket: str) -> tuple[str, int]:
        """The token behind ``ticket`` and its seconds left, once."""
        found = self._tickets.pop(ticket, None) if ticket else None
        if found is None:
            raise InvalidArgument(
                "unknown or used ticket: sign in again", details={"field": "ticket"}
            )
        return found.token, max(0, int(found.expires_at - self.clock()))

    def pending(self) -> tuple[int, int]:
        """(sign-ins under way, tickets not redeemed), for tests."""
        self._flows.expire()
        self._tickets.expire()
        return len(self._flows), len(self._tickets)

    # ------------------------------------------------------------ the exchange

    def _exchange(self, flow: _Flow, code: str) -> tuple[str, float]:
        """The code grant (runs in a worker thread): the DLHub token and its seconds left."""
        client = globus_sdk.ConfidentialAppAuthClient(
            self.settings.client_id,
            self.settings.client_secret.get_secret_value(),
            base_url=self.auth_url,
            transport=RequestsTransport(http_timeout=self.settings.timeout_s),
            retry_config=RetryConfig(max_retries=self.settings.retries, max_sleep=1.0),
            app_name="DLHub gateway",
        )
        try:
            response = _exchange_call(
                lambda: client.oauth2_token(
                    {
                        "grant_type": "authorization_code",
                        "code": code,
                        "redirect_uri": flow.redirect_uri,
                        "code_verifier": flow.verifier,
                    },
                    response_class=OAuthAuthorizationCodeResponse,
                )
            )
            return self._pick(response)
        finally:
            client.close()

    def _pick(self, response: OAuthAuthorizationCodeResponse) -> tuple[str, float]:
        wanted = self.settings.required_scope
        for data in response.by_resource_server.values():
            if wanted in str(data.get("scope") or "").split():
                left = float(data.get("expires_at_seconds") or 0) - self.clock()
                return str(data["access_token"]), max(0.0, left)
        log.warning("Globus granted the sign-in without DLHub's scope %s", wanted)
        raise InvalidArgument(
            f"Globus did not grant DLHub's scope {wanted}: sign in again and consent to it"
        )


def _exchange_call(fn: Callable[[], Any]) -> Any:
    """The code grant, its failures as DLHub errors (no code or token in them)."""
    try:
        return fn()
    except globus_sdk.GlobusAPIError as exc:
        status = exc.http_status
        if status == 429 or status >= 500:
            log.warning("Globus code exchange failed with HTTP %d", status)
            raise Unavailable(UNREACHABLE) from None
        if exc.code == "invalid_client":
            log.error(
                "Globus Auth refused DLHub's client credentials (auth.globus.client_id)"
                " at the code exchange (HTTP %d)",
                status,
            )
            raise Unavailable(
                "DLHub cannot sign you in: Globus Auth refused its client credentials;"
                " tell the operator"
            ) from None
        log.info("Globus refused the sign-in code (HTTP %d)", status)
        raise InvalidArgument(
            "Globus refused the sign-in code (expired or already used): sign in again"
        ) from None
    except globus_sdk.NetworkError as exc:
        log.warning("Globus code exchange failed: %s", type(exc).__name__)
        raise Unavailable(UNREACHABLE) from None
    except DLHubError:
        raise
    except Exception as exc:  # a malformed answer
        log.warning("Globus code exchange gave an unexpected answer: %s", type(exc).__name__)
        raise Unavailable(UNREACHABLE) from None
