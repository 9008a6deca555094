"""Reads: resolve, get and list servable versions as a caller may see them.

``owner/name`` resolves to its latest version (see
:func:`dlhub_common.records.latest_of`); listing walks the head pointers
(collection ``servable_heads``) that each commit moves forward.
"""

from __future__ import annotations

from typing import Any

from dlhub_common.errors import NotFound
from dlhub_common.identity import Principal
from dlhub_common.names import Ref
from dlhub_common.ports import DocumentStore
from dlhub_common.records import SERVABLES, WITHDRAWN, latest_of, record_id, state_of

# One document per servable: its newest version, moved forward at commit.
HEADS = "servable_heads"


async def get(
    docs: DocumentStore, principal: Principal, ref: Ref
) -> tuple[dict[str, Any], list[int], bool]:
    """Return (record, visible versions ascending, is_latest).

    Raises:
        NotFound: no such servable or version, or the caller may not see it.
    """
    versions = await docs.find(
        SERVABLES, {"owner": ref.owner, "name": ref.name}, sort=[("version", 1)]
    )
    visible = [r for r in versions if principal.can_read(r)]
    if not visible:
        raise NotFound(f"servable {ref.full_name} not found")
    latest = latest_of(visible)
    assert latest is not None
    if ref.version == 0:
        record = latest
    else:
        match = [r for r in visible if int(r["version"]) == ref.version]
        if not match:
            raise NotFound(
                f"servable {ref.full_name} has no version {ref.version}"
                f" (versions: {[int(r['version']) for r in visible]})"
            )
        record = match[0]
    numbers = [int(r["version"]) for r in visible]
    return record, numbers, int(record["version"]) == int(latest["version"])


async def versions(
    docs: DocumentStore, principal: Principal, owner: str, name: str
) -> list[dict[str, Any]]:
    """Every version of ``owner/name`` the caller may see, ascending; the one
    ``owner/name`` resolves to carries ``latest: True``.

    Raises:
        NotFound: no such servable, or the caller may see none of its versions.
    """
    records = await docs.find(SERVABLES, {"owner": owner, "name": name}, sort=[("version", 1)])
    visible = [r for r in records if principal.can_read(r)]
    latest = latest_of(visible)
    if latest is None:
        raise NotFound(f"servable {owner}/{name} not found")
    return [{**r, "latest": r["version"] == latest["version"]} for r in visible]


async def global_latest(docs: DocumentStore, owner: str, name: str) -> dict[str, Any] | None:
    """The version ``owner/name`` resolves to, regardless of who asks."""
    return latest_of(await docs.find(SERVABLES, {"owner": owner, "name": name}))


async def list_servables(
    docs: DocumentStore,
    principal: Principal,
    *,
    owner: str = "",
    all_versions: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """Servables the caller may see, newest first; returns (page, total)."""
    where = {"owner": owner} if owner else {}
    if all_versions:
        records = await docs.find(SERVABLES, where, sort=[("published_at", -1)])
        visible = [r for r in records if principal.can_read(r)]
        return visible[offset : offset + limit], len(visible)
    heads = await docs.find(HEADS, where, sort=[("published_at", -1)])
    shown = []
    for head in heads:
        rec = await docs.get(
            SERVABLES, record_id(head["owner"], head["name"], int(head["version"]))
        )
        if rec is None or state_of(rec) == WITHDRAWN or not principal.can_read(rec):
            # the newest version is withdrawn or not the caller's to see: list
            # the newest one alive that they may see, and nothing when none is
            versions = await docs.find(SERVABLES, {"owner": head["owner"], "name": head["name"]})
            rec = latest_of([r for r in versions if principal.can_read(r)])
            if rec is not None and state_of(rec) == WITHDRAWN:
                rec = None
        if rec is not None:
            shown.append({**rec, "latest": True})
    return shown[offset : offset + limit], len(shown)
