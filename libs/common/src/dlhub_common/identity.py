"""Who is calling: principals and the local-token identity provider.

The gateway authenticates public callers (``authorization: Bearer <token>``)
and passes the resulting user name to internal services in the
``x-dlhub-user`` metadata key; internal ports are not public.
"""

from __future__ import annotations

import contextvars
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from dlhub_common.errors import InvalidArgument, Unauthenticated

USER_METADATA_KEY = "x-dlhub-user"
PUBLIC = "public"


@dataclass(frozen=True)
class Principal:
    """An authenticated user, or the anonymous caller (username None)."""

    username: str | None

    @property
    def anonymous(self) -> bool:
        return self.username is None

    def readers(self) -> list[str]:
        """The ``visible_to`` values this caller matches."""
        return [PUBLIC] if self.username is None else [PUBLIC, self.username]

    def can_read(self, owner: str, visible_to: list[str]) -> bool:
        return owner == self.username or any(r in visible_to for r in self.readers())


ANONYMOUS = Principal(None)
# How long LocalTokens trusts a known token before rereading the file.
RECHECK_S = 1.0
current_principal: contextvars.ContextVar[Principal] = contextvars.ContextVar(
    "dlhub_principal", default=ANONYMOUS
)


def slug_username(raw: str) -> str:
    """A login name as a DLHub owner slug ('Alice.Smith@x.org' -> 'alice-smith')."""
    base = raw.split("@", 1)[0].lower()
    slug = re.sub(r"[^a-z0-9_-]+", "-", base).strip("-_") or "user"
    return slug[:64]


class LocalTokens:
    """Tokens kept in a JSON file ``{token: username}`` (mode 0600).

    Args:
        path: the tokens file; created on first ``ensure_user``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tokens: dict[str, str] = {}
        self._mtime: float | None = None
        self._checked = -1e9

    def _load(self) -> None:
        self._checked = time.monotonic()
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            self._tokens, self._mtime = {}, None
            return
        if mtime != self._mtime:
            data = json.loads(self.path.read_text() or "{}")
            if not isinstance(data, dict):
                raise InvalidArgument(f"tokens file {self.path} must hold a JSON object")
            self._tokens, self._mtime = {str(k): str(v) for k, v in data.items()}, mtime

    def authenticate(self, token: str) -> Principal:
        """Return the user of ``token``.

        A known token is trusted for up to ``RECHECK_S`` without looking at
        the file again (one ``stat`` per request was measurable on the run
        path); an unknown one always rereads it, so a new token works at once.

        Raises:
            Unauthenticated: unknown token (the token itself is never echoed).
        """
        user = self._tokens.get(token)
        if user is None or time.monotonic() - self._checked >= RECHECK_S:
            self._load()
            user = self._tokens.get(token)
        if user is None:
            raise Unauthenticated("invalid or expired token")
        return Principal(user)

    def ensure_user(self, username: str) -> str:
        """Return a token for ``username``, creating one when it has none."""
        self._load()
        for token, user in self._tokens.items():
            if user == username:
                return token
        token = "dlh_" + secrets.token_urlsafe(32)
        self._tokens[token] = username
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(self._tokens, fh)
        os.replace(tmp, self.path)
        self._mtime = self.path.stat().st_mtime
        return token
