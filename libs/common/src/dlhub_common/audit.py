"""The audit log: an append-only DocumentStore collection of what was done.

Each entry is written after its action is done (a failed action leaves none)::

    {"id": "<unix ns, 20 digits>-<8 hex>", "at": "2026-01-01T00:00:00.000Z",
     "actor": "alice", "action": "servable.access", "target": "alice/digits",
     "details": {...}}

The registry writes publishes, state changes and access changes; the local
accounts commands (``dlhub token``, ``dlhub group``) write token and group
changes to the same store (the ``documents`` setting), so one log holds them
all. ``actor`` is a user name (``local:<OS user>`` for the local accounts
commands) and no entry ever holds a token: :func:`record` redacts anything
in the details that looks like one.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dlhub_common.errors import InvalidArgument
from dlhub_common.ports import DocumentStore

AUDIT = "audit"
MAX_PAGE = 1000
# The actions written; ListAudit filters on them.
ACTIONS = (
    "servable.publish",
    "servable.deprecate",
    "servable.withdraw",
    "servable.access",
    "token.create",
    "token.revoke",
    "group.create",
    "group.add",
    "group.remove",
    "stream.bind",
    "stream.unbind",
)
# A local token (dlhub_common.accounts.TOKEN_PREFIX) or a bearer header: never logged.
_SECRET = re.compile(r"dlh_[A-Za-z0-9_-]{20,}|bearer\s+\S+", re.IGNORECASE)


def local_actor() -> str:
    """The actor of changes made on this machine's files (``local:<OS user>``)."""
    import getpass
    import os

    try:
        return f"local:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (a container)
        return f"local:uid-{os.getuid()}"


def _at(ns: int) -> str:
    """RFC 3339 UTC with milliseconds: one width, so text order is time order."""
    moment = datetime.fromtimestamp(ns / 1e9, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_since(text: str) -> str:
    """An RFC 3339 time as the log writes times (``InvalidArgument`` naming it)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise InvalidArgument(
            f"since {text[:64]!r} is not an RFC 3339 time (e.g. 2026-01-01T00:00:00Z)",
            details={"since": text[:64]},
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _at(int(moment.timestamp() * 1e9))


def _scrubbed(value: Any) -> Any:
    """``value`` as JSON data with anything that looks like a token replaced (a
    description someone pasted a token into must not put it in the log)."""
    if isinstance(value, str):
        return _SECRET.sub("[redacted]", value)
    if isinstance(value, Mapping):
        return {str(k): _scrubbed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrubbed(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return _scrubbed(str(value))


async def record(
    docs: DocumentStore,
    actor: str,
    action: str,
    target: str,
    details: Mapping[str, Any] | None = None,
) -> str:
    """Append one entry; returns its id.

    Args:
        docs: the store holding the ``audit`` collection.
        actor: who did it (a user name, never a token).
        action: one of :data:`ACTIONS`.
        target: what it was done to (``owner/name[:version]``, ``token:<id>``,
            ``group:<name>``).
        details: what changed, JSON-serialisable; anything that looks like
            a token is replaced by ``[redacted]``.
    """
    assert action in ACTIONS, action
    body = _scrubbed(dict(details or {}))
    ns = time.time_ns()
    entry_id = f"{ns:020d}-{secrets.token_hex(4)}"
    await docs.insert(
        AUDIT,
        entry_id,
        {
            "id": entry_id,
            "at": _at(ns),
            "actor": actor,
            "action": action,
            "target": target,
            "details": body,
        },
    )
    return entry_id


async def ensure_indexes(docs: DocumentStore) -> None:
    for field in ("id", "actor", "action", "target"):
        await docs.ensure_index(AUDIT, [field])


@dataclass(frozen=True)
class AuditQuery:
    """Filters of :func:`entries` (empty: any)."""

    actor: str = ""
    action: str = ""
    target: str = ""
    since: str = ""  # RFC 3339
    offset: int = 0
    limit: int = 50


async def entries(docs: DocumentStore, query: AuditQuery) -> tuple[list[dict[str, Any]], bool]:
    """One page of entries, newest first, and whether more follow.

    ``since`` needs no range query of the store: entries come newest first,
    so the page ends at the first one older than ``since``.
    """
    if not 0 < query.limit <= MAX_PAGE:
        raise InvalidArgument(f"page_size must be between 1 and {MAX_PAGE}")
    if query.action and query.action not in ACTIONS:
        raise InvalidArgument(
            f"unknown action {query.action[:64]!r}; actions: {', '.join(ACTIONS)}",
            details={"action": query.action[:64]},
        )
    since = parse_since(query.since) if query.since else ""
    where = {k: v for k, v in (("actor", query.actor), ("action", query.action)) if v}
    if query.target:
        where["target"] = query.target
    found = await docs.find(
        AUDIT, where, sort=[("id", -1)], offset=query.offset, limit=query.limit + 1
    )
    if since:
        kept = []
        for entry in found:
            if entry["at"] < since:
                break
            kept.append(entry)
        more = len(kept) > query.limit
        return kept[: query.limit], more
    return found[: query.limit], len(found) > query.limit
