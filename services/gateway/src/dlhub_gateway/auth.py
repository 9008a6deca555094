"""Public authentication: bearer tokens from gRPC metadata or HTTP headers."""

from __future__ import annotations

from dlhub_common.accounts import LocalAccounts
from dlhub_common.errors import Unauthenticated
from dlhub_common.identity import ANONYMOUS, Principal


class Authenticator:
    """Turns an ``authorization`` value into a Principal.

    Args:
        tokens: the identity provider.
        allow_anonymous: accept calls without a token (as the anonymous user).
    """

    def __init__(self, tokens: LocalAccounts, *, allow_anonymous: bool = True) -> None:
        self.tokens = tokens
        self.allow_anonymous = allow_anonymous

    def from_header(self, value: str | None) -> Principal:
        if not value:
            if self.allow_anonymous:
                return ANONYMOUS
            raise Unauthenticated("this DLHub needs a token: send 'authorization: Bearer <token>'")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("malformed authorization header: expected 'Bearer <token>'")
        return self.tokens.authenticate(token.strip())

    def from_metadata(self, metadata: dict[str, str]) -> Principal:
        """For the gRPC interceptor."""
        return self.from_header(metadata.get("authorization"))
