"""Who is calling: principals and the current caller.

The gateway authenticates public callers (``authorization: Bearer <token>``,
through an identity provider such as dlhub_common.accounts) and passes the
resulting user name to internal services in the ``x-dlhub-user`` metadata
key; internal ports are not public.
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass, field

USER_METADATA_KEY = "x-dlhub-user"
PUBLIC = "public"


@dataclass(frozen=True)
class Principal:
    """An authenticated user, or the anonymous caller (username None).

    ``groups`` are the caller's groups, filled by the identity provider at
    authentication (the gateway's principal; internal services see the user
    name only).
    """

    username: str | None
    groups: frozenset[str] = field(default_factory=frozenset)

    @property
    def anonymous(self) -> bool:
        return self.username is None

    def readers(self) -> list[str]:
        """The ``visible_to`` values this caller matches."""
        return [PUBLIC] if self.username is None else [PUBLIC, self.username]

    def can_read(self, owner: str, visible_to: list[str]) -> bool:
        return owner == self.username or any(r in visible_to for r in self.readers())


ANONYMOUS = Principal(None)
current_principal: contextvars.ContextVar[Principal] = contextvars.ContextVar(
    "dlhub_principal", default=ANONYMOUS
)


def slug_username(raw: str) -> str:
    """A login name as a DLHub owner slug ('Alice.Smith@x.org' -> 'alice-smith')."""
    base = raw.split("@", 1)[0].lower()
    slug = re.sub(r"[^a-z0-9_-]+", "-", base).strip("-_") or "user"
    return slug[:64]
