"""Who may see and manage a servable version: the ``visible_to`` grammar and checks.

A ``visible_to`` entry is one of:

* ``public``: everyone, signed in or not;
* a local user (an owner slug, ``alice``) or a Globus identity
  (``urn:globus:auth:identity:<uuid>``);
* a local group (``group:<slug>``) or a Globus group
  (``urn:globus:groups:id:<uuid>``).

A caller's *readers* (:meth:`dlhub_common.identity.Principal.readers`) are the
entries they match; a version is visible to them when its owner, a co-owner,
or one of its ``visible_to`` entries is among them. Co-owners (``co_owners``,
user names or identities) may also publish new versions, deprecate, withdraw
and change access.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from dlhub_common.errors import InvalidArgument
from dlhub_common.names import SLUG_RE

PUBLIC = "public"
LOCAL_GROUP_PREFIX = "group:"
GLOBUS_IDENTITY_PREFIX = "urn:globus:auth:identity:"
GLOBUS_GROUP_PREFIX = "urn:globus:groups:id:"
_SLUG = SLUG_RE
MAX_ENTRIES = 256
ENTRY_RULE = (
    "'public', a user name, 'group:<name>', 'urn:globus:auth:identity:<uuid>'"
    " or 'urn:globus:groups:id:<uuid>'"
)


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower() and len(text) == 36
    except ValueError:
        return False


def entry_kind(entry: str) -> str | None:
    """``public``, ``user``, ``identity``, ``group`` or ``globus_group``; None when malformed."""
    if entry == PUBLIC:
        return "public"
    if entry.startswith(GLOBUS_IDENTITY_PREFIX):
        return "identity" if _is_uuid(entry[len(GLOBUS_IDENTITY_PREFIX) :]) else None
    if entry.startswith(GLOBUS_GROUP_PREFIX):
        return "globus_group" if _is_uuid(entry[len(GLOBUS_GROUP_PREFIX) :]) else None
    if entry.startswith(LOCAL_GROUP_PREFIX):
        return "group" if _SLUG.match(entry[len(LOCAL_GROUP_PREFIX) :]) else None
    return "user" if _SLUG.match(entry) else None


def _shown(entry: object) -> str:
    text = repr(entry)
    return text if len(text) <= 80 else text[:77] + "..."


def check_entries(field: str, entries: Iterable[object], *, people_only: bool = False) -> list[str]:
    """``entries`` normalised (Globus UUIDs lower-cased, duplicates dropped, order kept).

    Args:
        field: the field named in errors (``visible_to``, ``co_owners``).
        people_only: only users and identities (co-owners are people, not groups).

    Raises:
        InvalidArgument: an entry that is not a string or does not follow the grammar,
            naming it.
    """
    out: list[str] = []
    for entry in entries:
        if not isinstance(entry, str):
            raise InvalidArgument(
                f"{field} entry {_shown(entry)} is not a string; use {ENTRY_RULE}"
            )
        kind = entry_kind(entry.lower() if entry.startswith("urn:") else entry)
        if kind is None:
            raise InvalidArgument(
                f"{field} entry {_shown(entry)} is malformed; use {ENTRY_RULE}",
                details={"field": field, "entry": entry[:80]},
            )
        if people_only and kind not in ("user", "identity"):
            raise InvalidArgument(
                f"{field} entry {_shown(entry)} is not a person: name a user or"
                " 'urn:globus:auth:identity:<uuid>'",
                details={"field": field, "entry": entry[:80]},
            )
        norm = entry.lower() if entry.startswith("urn:") else entry
        if norm not in out:
            out.append(norm)
    if len(out) > MAX_ENTRIES:
        raise InvalidArgument(f"{field} lists {len(out)} entries; at most {MAX_ENTRIES}")
    return out


def readers_of(record: Mapping[str, Any]) -> set[str]:
    """Every reader entry that may see ``record`` (owner, co-owners, ``visible_to``)."""
    return {record["owner"], *record.get("co_owners", ()), *record.get("visible_to", ())}


def managers_of(record: Mapping[str, Any]) -> set[str]:
    """Who may publish, deprecate, withdraw and change access: the owner and co-owners."""
    return {record["owner"], *record.get("co_owners", ())}
