"""Public authentication: bearer tokens from gRPC metadata or HTTP headers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from dlhub_common.accounts import LocalAccounts, tokens_path
from dlhub_common.errors import Unauthenticated
from dlhub_common.identity import ANONYMOUS, Principal
from dlhub_common.settings import Settings

if TYPE_CHECKING:
    from dlhub_gateway.globus_web import BrowserSignIn

GLOBUS_START = "/api/v1/sign-in/globus"


class IdentityProvider(Protocol):
    """Turns a bearer token into a Principal (local accounts, Globus Auth).

    Raises Unauthenticated for a token it does not accept (never echoing it)
    and Unavailable when it cannot tell (its service is unreachable): an
    unanswered check is never treated as anonymous or as allowed.
    """

    async def authenticate(self, token: str) -> Principal: ...


def sign_in_info(provider: IdentityProvider) -> dict[str, str]:
    """How callers get a token here, for the web page's sign-in (``GET /api/v1/sign-in``):
    the provider's ``name`` and, under Globus, the scope a token must grant and where
    the browser's sign-in starts (``start``)."""
    info = {"provider": str(getattr(provider, "name", "local"))}
    scope = getattr(getattr(provider, "settings", None), "required_scope", None)
    if info["provider"] == "globus" and scope:
        info["scope"] = str(scope)
        info["start"] = GLOBUS_START
    return info


def browser_sign_in(settings: Settings) -> BrowserSignIn | None:
    """The browser's Globus sign-in flow under ``auth.provider: globus``, else None."""
    if settings.auth.provider != "globus":
        return None
    from dlhub_gateway.globus_web import BrowserSignIn

    return BrowserSignIn(settings.auth.globus)


class LocalProvider:
    """dlhub_common.accounts.LocalAccounts as an IdentityProvider (a file read, no I/O wait)."""

    name = "local"

    def __init__(self, accounts: _SyncAccounts) -> None:
        self.accounts = accounts

    async def authenticate(self, token: str) -> Principal:
        return self.accounts.authenticate(token)


class _SyncAccounts(Protocol):
    def authenticate(self, token: str) -> Principal: ...


def identity_provider(settings: Settings) -> IdentityProvider:
    """The provider ``auth.provider`` names; globus-sdk is imported only for ``globus``."""
    if settings.auth.provider == "globus":
        from dlhub_gateway.globus import GlobusProvider

        return GlobusProvider(settings.auth)
    return LocalProvider(LocalAccounts(tokens_path(settings)))


class Authenticator:
    """Turns an ``authorization`` value into a Principal.

    Args:
        provider: the identity provider.
        allow_anonymous: accept calls without a token (as the anonymous user).
    """

    def __init__(self, provider: IdentityProvider, *, allow_anonymous: bool = True) -> None:
        self.provider = provider
        self.allow_anonymous = allow_anonymous

    async def from_header(self, value: str | None) -> Principal:
        if not value:
            if self.allow_anonymous:
                return ANONYMOUS
            raise Unauthenticated("this DLHub needs a token: send 'authorization: Bearer <token>'")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("malformed authorization header: expected 'Bearer <token>'")
        return await self.provider.authenticate(token.strip())

    async def from_metadata(self, metadata: dict[str, str]) -> Principal:
        """For the gRPC interceptor."""
        return await self.from_header(metadata.get("authorization"))
