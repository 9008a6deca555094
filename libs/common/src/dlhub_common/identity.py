"""Who is calling: principals and the current caller.

The gateway authenticates public callers (``authorization: Bearer <token>``,
through an identity provider such as dlhub_common.accounts) and passes the
resulting principal to internal services in a signed internal token
(dlhub_common.internal_auth), so a process that reaches an internal port
cannot claim to be someone.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dlhub_common.access import PUBLIC, managers_of, readers_of


@dataclass(frozen=True)
class Principal:
    """An authenticated user, or the anonymous caller (username None).

    Filled by the identity provider at authentication and carried to the
    internal services in a signed internal token (dlhub_common.internal_auth):

    * ``username``: the owner slug the caller publishes under;
    * ``groups``: ``visible_to`` group entries the caller belongs to
      (``group:<name>`` for local groups, ``urn:globus:groups:id:<uuid>``);
    * ``identities``: the caller's linked identities
      (``urn:globus:auth:identity:<uuid>``), empty for local accounts;
    * ``roles``: ``admin`` for administrators.
    """

    username: str | None
    groups: frozenset[str] = field(default_factory=frozenset)
    identities: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def anonymous(self) -> bool:
        return self.username is None

    @property
    def admin(self) -> bool:
        return "admin" in self.roles

    def readers(self) -> list[str]:
        """The ``visible_to`` entries this caller matches (see dlhub_common.access)."""
        if self.username is None:
            return [PUBLIC]
        return [PUBLIC, self.username, *sorted(self.identities), *sorted(self.groups)]

    def people(self) -> set[str]:
        """The entries naming this caller as a person (owner, co-owner)."""
        return set() if self.username is None else {self.username, *self.identities}

    def can_read(self, record: Mapping[str, Any]) -> bool:
        """Whether this caller may see the servable version ``record``."""
        return not readers_of(record).isdisjoint(self.readers())

    def can_manage(self, record: Mapping[str, Any]) -> bool:
        """Whether this caller owns or co-owns the servable of ``record``."""
        return not managers_of(record).isdisjoint(self.people())


ANONYMOUS = Principal(None)
current_principal: contextvars.ContextVar[Principal] = contextvars.ContextVar(
    "dlhub_principal", default=ANONYMOUS
)


def slug_username(raw: str) -> str:
    """A login name as a DLHub owner slug ('Alice.Smith@x.org' -> 'alice-smith')."""
    base = raw.split("@", 1)[0].lower()
    slug = re.sub(r"[^a-z0-9_-]+", "-", base).strip("-_") or "user"
    return slug[:64]
