"""``dlhub login`` through Globus Auth: the native-app flow, refresh and revocation.

The flow is globus-sdk's own (``NativeAppAuthClient`` with PKCE and the
``CommandLineLoginFlowManager``): it prints an authorization URL, the user
signs in at Globus and pastes the code it shows. DLHub's native app client
id and scope come from ``--client-id`` / ``--scope`` or ``DLHUB_LOGIN_CLIENT_ID``
/ ``DLHUB_LOGIN_SCOPE`` (the DLHub operator publishes them; docs/globus.md).
Globus Auth is reached at globus-sdk's address for it
(``GLOBUS_SDK_SERVICE_URL_AUTH`` or ``GLOBUS_SDK_ENVIRONMENT``).

The saved login (dlhub_sdk.config, mode 0600) keeps the access token for
DLHub's scope, its refresh token and expiry, the client id and the scope;
the access token is refreshed when it expires within a minute, and
``dlhub logout`` revokes both at Globus before deleting the file.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import globus_sdk
from globus_sdk.gare import GlobusAuthorizationParameters
from globus_sdk.login_flows import CommandLineLoginFlowManager
from globus_sdk.transport import RequestsTransport, RetryConfig

from dlhub_common.errors import InvalidArgument, Unauthenticated, Unavailable

KIND = "globus"
REFRESH_MARGIN_S = 60.0
TIMEOUT_S = 30.0
T = TypeVar("T")


def login_app(client_id: str | None, scope: str | None) -> tuple[str, str]:
    """DLHub's native app client id and scope, from the options or the environment."""
    cid = client_id or os.environ.get("DLHUB_LOGIN_CLIENT_ID")
    sc = scope or os.environ.get("DLHUB_LOGIN_SCOPE")
    missing = [
        name
        for name, value in (
            ("the DLHub native app's client id (--client-id or DLHUB_LOGIN_CLIENT_ID)", cid),
            ("DLHub's scope (--scope or DLHUB_LOGIN_SCOPE)", sc),
        )
        if not value
    ]
    if missing or cid is None or sc is None:
        raise InvalidArgument(
            f"`dlhub login` without --token signs in with Globus and needs {' and '.join(missing)};"
            " your DLHub's operator publishes them (docs/globus.md)"
        )
    return cid, sc


def _client(client_id: str) -> globus_sdk.NativeAppAuthClient:
    return globus_sdk.NativeAppAuthClient(
        client_id,
        transport=RequestsTransport(http_timeout=TIMEOUT_S),
        retry_config=RetryConfig(max_retries=1, max_sleep=1.0),
        app_name="DLHub CLI",
    )


def _globus(what: str, fn: Callable[[], T]) -> T:
    """A globus-sdk call with its failures as DLHub errors (no token in them)."""
    try:
        return fn()
    except globus_sdk.GlobusAPIError as exc:
        if exc.http_status == 429 or exc.http_status >= 500:
            raise Unavailable(f"Globus Auth is unreachable ({what}); retry") from None
        raise Unauthenticated(
            f"Globus Auth refused {what} (HTTP {exc.http_status}, {exc.code}); run `dlhub login`"
        ) from None
    except globus_sdk.NetworkError:
        raise Unavailable(f"Globus Auth is unreachable ({what}); retry") from None


class _LoginOnStderr(CommandLineLoginFlowManager):
    """The SDK's command-line flow, talking on stderr so stdout keeps the result (``--json``)."""

    def print_authorize_url(self, authorize_url: str) -> None:
        print(
            f"Sign in with Globus here, then paste the code it shows:\n\n{authorize_url}\n",
            file=sys.stderr,
            flush=True,
        )

    def prompt_for_code(self) -> str:
        print("Authorization code: ", end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            raise EOFError("stdin closed")
        return line.strip()


def run_flow(client_id: str, scope: str) -> dict[str, Any]:
    """The interactive login (URL on stderr, code on stdin); the fields to save."""
    client = _client(client_id)
    manager = _LoginOnStderr(
        client,
        request_refresh_tokens=True,
        native_prefill_named_grant=f"DLHub CLI on {socket.gethostname()}",
    )
    params = GlobusAuthorizationParameters(required_scopes=[scope])
    try:
        response = _globus("the login", lambda: manager.run_login_flow(params))
    except EOFError:
        raise InvalidArgument(
            "no authorization code was entered (stdin closed); run `dlhub login` in a terminal"
        ) from None
    for data in response.by_resource_server.values():
        if scope in str(data.get("scope", "")).split():
            return _fields(client_id, scope, data)
    raise Unauthenticated(f"Globus Auth did not grant DLHub's scope {scope}; run `dlhub login`")


def _fields(client_id: str, scope: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": KIND,
        "token": data["access_token"],
        "refresh_token": data.get("refresh_token"),
        "expires_at": int(data.get("expires_at_seconds") or time.time() + 3600),
        "client_id": client_id,
        "scope": scope,
        "resource_server": data.get("resource_server"),
    }


def needs_refresh(login: dict[str, Any], now: float | None = None) -> bool:
    """Whether a saved Globus login's access token expires within the margin."""
    try:
        expires_at = float(login.get("expires_at") or 0)
    except ValueError:
        expires_at = 0.0
    return expires_at - REFRESH_MARGIN_S <= (time.time() if now is None else now)


def refresh(login: dict[str, Any]) -> dict[str, Any]:
    """The saved login with a new access token (its refresh token kept, or the rotated one)."""
    refresh_token = login.get("refresh_token")
    if not refresh_token:
        raise Unauthenticated(
            "the saved Globus login expired and has no refresh token; run `dlhub login`"
        )
    client = _client(str(login["client_id"]))
    response = _globus(
        "the saved login's refresh token", lambda: client.oauth2_refresh_token(str(refresh_token))
    )
    scope = str(login["scope"])
    for data in response.by_resource_server.values():
        if scope in str(data.get("scope", "")).split():
            fields = _fields(str(login["client_id"]), scope, data)
            fields["refresh_token"] = fields["refresh_token"] or refresh_token
            return {**login, **fields}
    raise Unauthenticated(f"the refreshed login lacks DLHub's scope {scope}; run `dlhub login`")


def revoke(login: dict[str, Any]) -> None:
    """Revoke the saved login's refresh and access tokens at Globus Auth."""
    client = _client(str(login["client_id"]))
    for value in (login.get("refresh_token"), login.get("token")):
        if value:
            _revoke_one(client, str(value))


def _revoke_one(client: globus_sdk.NativeAppAuthClient, token: str) -> None:
    _globus("the revocation", lambda: client.oauth2_revoke_token(token))
