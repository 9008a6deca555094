"""Sharing: who may see a servable's versions and who co-owns it.

``visible_to`` is per version (one version, or every version at once);
``co_owners`` is servable-wide, kept on every version record and copied onto
each new one (:mod:`dlhub_registry.commit`). Owners and co-owners manage a
servable (:meth:`dlhub_common.identity.Principal.can_manage`): they publish
new versions, deprecate, withdraw and change access.

A change touches several records, and the DocumentStore has no transaction
across documents, so it is written like a publish, with an undo log
(collection ``access_changes``: the versions' access before and after, and
the registry instance doing it):

1. the log is written (stage ``records``), then every version record;
2. the audit entry is appended; a failure in 1 or 2 restores every record
   and fails the call: nothing changed;
3. the log moves to stage ``announce`` and an UPDATED servable event is
   published per version, so search and every cache see the new access;
   should the bus refuse, the call fails with the change stored, and
   repeating it publishes the events again (as deprecate and withdraw do).

A registry killed during 1-2 leaves a log in stage ``records``: the
leftover collector (:mod:`dlhub_registry.leftovers`) restores the records;
one killed during 3 leaves stage ``announce``: the collector publishes the
events. The digest, the metadata document as published and the artifacts
never change.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dlhub_common import audit
from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.access import check_entries
from dlhub_common.errors import InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from dlhub_common.identity import Principal
from dlhub_common.names import Ref
from dlhub_common.ports import DocumentStore, EventBus
from dlhub_common.records import SERVABLES, record_id
from dlhub_registry.lifecycle import emit
from dlhub_registry.publish_jobs import FAILED, RUNNING, SUCCEEDED, now_rfc3339
from dlhub_registry.reads import global_latest

log = logging.getLogger("dlhub.registry")

ACCESS_CHANGES = "access_changes"
STAGE_RECORDS, STAGE_ANNOUNCE = "records", "announce"
_ACCESS_FIELDS = ("visible_to", "co_owners")


def _not_found(owner: str, name: str) -> NotFound:
    # the same words as a servable that does not exist (dlhub_registry.reads)
    return NotFound(f"servable {owner}/{name} not found")


async def managed(
    docs: DocumentStore, principal: Principal, owner: str, name: str, verb: str
) -> list[dict[str, Any]]:
    """Every version record of ``owner/name``, ascending, when the caller manages it.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such servable, or the caller may see none of its versions.
        PermissionDenied: the caller sees it but is neither owner nor co-owner.
    """
    if principal.anonymous:
        raise Unauthenticated(f"to {verb} {owner}/{name}, sign in (pass a token)")
    records = await docs.find(SERVABLES, {"owner": owner, "name": name}, sort=[("version", 1)])
    if not any(principal.can_read(r) for r in records):
        raise _not_found(owner, name)
    if not principal.can_manage(records[-1]):  # co-owners are the same on every version
        raise PermissionDenied(
            f"only the owner ({owner}) or a co-owner may {verb} {owner}/{name}",
            details={"servable": f"{owner}/{name}"},
        )
    return records


@dataclass(frozen=True)
class AccessRequest:
    """One access change; ``visible_to`` None leaves visibility as it is."""

    ref: Ref  # version 0: every version
    visible_to: Sequence[object] | None = None
    add_co_owners: Sequence[object] = ()
    remove_co_owners: Sequence[object] = ()


@dataclass(frozen=True)
class AccessResult:
    records: list[dict[str, Any]]  # the versions the change applied to, as they are now
    before: dict[int, dict[str, list[str]]]  # version -> {visible_to, co_owners}
    audit_id: str


def _access(record: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "visible_to": list(record.get("visible_to", [])),
        "co_owners": list(record.get("co_owners", [])),
    }


def _checked(request: AccessRequest) -> tuple[list[str] | None, list[str], list[str]]:
    visible = (
        None if request.visible_to is None else check_entries("visible_to", request.visible_to)
    )
    add = check_entries("co_owners", request.add_co_owners, people_only=True)
    remove = check_entries("co_owners", request.remove_co_owners, people_only=True)
    if visible is None and not add and not remove:
        raise InvalidArgument(
            "nothing to change: give visible_to, co-owners to add or co-owners to remove"
        )
    if (add or remove) and request.ref.version:
        raise InvalidArgument(
            f"co-owners are servable-wide: change them on {request.ref.full_name},"
            " without a version"
        )
    both = sorted(set(add) & set(remove))
    if both:
        raise InvalidArgument(
            f"co_owners entry {both[0]!r} is both added and removed",
            details={"field": "co_owners", "entry": both[0]},
        )
    return visible, add, remove


async def set_access(
    docs: DocumentStore,
    bus: EventBus,
    principal: Principal,
    request: AccessRequest,
    *,
    instance_id: str = "",
) -> AccessResult:
    """Change ``visible_to`` of one or every version and the co-owners (module doc).

    Raises:
        InvalidArgument: a malformed entry (named), an empty change, a
            co-owner change on one version, the owner as co-owner, removing
            someone who is not a co-owner.
        Unauthenticated, NotFound, PermissionDenied: see :func:`managed`.
    """
    ref = request.ref
    visible, add, remove = _checked(request)
    records = await managed(docs, principal, ref.owner, ref.name, "change access to")
    co_owners = list(records[-1].get("co_owners", []))
    if ref.owner in add:
        raise InvalidArgument(
            f"co_owners entry {ref.owner!r} owns {ref.full_name}; an owner is not also a co-owner",
            details={"field": "co_owners", "entry": ref.owner},
        )
    for entry in remove:
        if entry not in co_owners:
            raise InvalidArgument(
                f"co_owners entry {entry!r} is not a co-owner of {ref.full_name}"
                f" (co-owners: {', '.join(co_owners) or 'none'})",
                details={"field": "co_owners", "entry": entry},
            )
    new_co = [c for c in co_owners if c not in remove] + [a for a in add if a not in co_owners]
    if ref.version:
        targets = [r for r in records if int(r["version"]) == ref.version]
        if not targets:
            raise NotFound(
                f"servable {ref.full_name} has no version {ref.version}"
                f" (versions: {[int(r['version']) for r in records]})"
            )
    else:
        targets = records
    target_versions = {int(r["version"]) for r in targets}

    def change_of(record: dict[str, Any]) -> dict[str, list[str]]:
        fields: dict[str, list[str]] = {}
        if visible is not None and int(record["version"]) in target_versions:
            fields["visible_to"] = visible
        if add or remove:
            fields["co_owners"] = new_co
        return fields

    touched = [r for r in records if change_of(r)]
    change_id = f"acc-{uuid.uuid4()}"
    undo = {
        "id": change_id,
        "state": RUNNING,
        "stage": STAGE_RECORDS,
        "instance": instance_id,
        "actor": principal.username,
        "servable": {"owner": ref.owner, "name": ref.name},
        "started_at": now_rfc3339(),
        "before": {record_id(ref.owner, ref.name, int(r["version"])): _access(r) for r in touched},
        "after": {
            record_id(ref.owner, ref.name, int(r["version"])): {**_access(r), **change_of(r)}
            for r in touched
        },
    }
    await docs.put(ACCESS_CHANGES, change_id, undo)
    target = ref.full_name if not ref.version else f"{ref.full_name}:{ref.version}"
    try:
        for record in touched:
            fields = change_of(record)
            await docs.update(
                SERVABLES, record_id(ref.owner, ref.name, int(record["version"])), fields
            )
        if add or remove:
            # a version published while this ran copied the old co-owners: give it the new ones
            for late in await docs.find(SERVABLES, {"owner": ref.owner, "name": ref.name}):
                rid = record_id(ref.owner, ref.name, int(late["version"]))
                if rid not in undo["before"]:
                    undo["before"][rid] = _access(late)
                    undo["after"][rid] = {**_access(late), "co_owners": new_co}
                    await docs.put(ACCESS_CHANGES, change_id, undo)
                    await docs.update(SERVABLES, rid, {"co_owners": new_co})
        audit_id = await audit.record(
            docs,
            principal.username or "",
            "servable.access",
            target,
            {
                "versions": {
                    str(int(rid.rsplit("/", 1)[1])): {"before": undo["before"][rid], "after": after}
                    for rid, after in undo["after"].items()
                },
                "co_owners_added": [a for a in add if a not in co_owners],
                "co_owners_removed": remove,
                "change": change_id,
            },
        )
    except BaseException:
        await _restore(docs, undo)
        try:
            await docs.update(ACCESS_CHANGES, change_id, {"state": FAILED})
        except Exception:  # left RUNNING: the collector restores it once this registry stops
            log.exception("could not close the undo log %s", change_id)
        raise
    await docs.update(ACCESS_CHANGES, change_id, {"stage": STAGE_ANNOUNCE, "audit_id": audit_id})
    announced = target_versions | _versions_of(undo)
    current = await docs.find(
        SERVABLES, {"owner": ref.owner, "name": ref.name}, sort=[("version", 1)]
    )
    # every version asked for, changed or not: repeating a call heals a missed event
    await _announce(
        docs, bus, ref.owner, ref.name, [r for r in current if int(r["version"]) in announced]
    )
    await docs.update(ACCESS_CHANGES, change_id, {"state": SUCCEEDED, "finished_at": now_rfc3339()})
    log.info("access of %s changed by %s (%s)", target, principal.username, audit_id)
    shown = [r for r in current if int(r["version"]) in target_versions]
    return AccessResult(
        records=shown,
        before={
            int(r["version"]): undo["before"].get(
                record_id(ref.owner, ref.name, int(r["version"])), _access(r)
            )
            for r in shown
        },
        audit_id=audit_id,
    )


def _versions_of(undo: dict[str, Any]) -> set[int]:
    return {int(rid.rsplit("/", 1)[1]) for rid in undo["after"]}


async def _restore(docs: DocumentStore, undo: dict[str, Any]) -> None:
    """Put back the access every record of ``undo`` had (idempotent)."""
    for rid, before in undo["before"].items():
        try:
            await docs.update(SERVABLES, rid, {k: before[k] for k in _ACCESS_FIELDS})
        except Exception:  # the collector retries from the log
            log.exception("could not restore the access of %s", rid)


async def _announce(
    docs: DocumentStore, bus: EventBus, owner: str, name: str, records: list[dict[str, Any]]
) -> None:
    latest = await global_latest(docs, owner, name)
    for record in records:
        await emit(
            bus,
            bus_pb2.SERVABLE_EVENT_KIND_UPDATED,
            record,
            latest=latest is not None and int(record["version"]) == int(latest["version"]),
        )


async def recover(docs: DocumentStore, bus: EventBus | None, alive: set[str]) -> list[str]:
    """Finish the access changes of dead registry instances; returns their ids.

    Stage ``records`` without its audit entry: the records are restored
    (the change never happened). Stage ``announce``, or ``records`` whose
    audit entry was written just before the registry died: the change is
    kept and its events are published again.
    """
    finished: list[str] = []
    for undo in await docs.find(ACCESS_CHANGES, {"state": RUNNING}):
        if undo.get("instance") in alive:
            continue
        owner, name = undo["servable"]["owner"], undo["servable"]["name"]
        audited = undo.get("stage") == STAGE_ANNOUNCE or await docs.count(
            audit.AUDIT, {"action": "servable.access", "details.change": undo["id"]}
        )
        if audited:
            if bus is None:
                continue
            records = [
                r
                for r in await docs.find(SERVABLES, {"owner": owner, "name": name})
                if int(r["version"]) in _versions_of(undo)
            ]
            await _announce(docs, bus, owner, name, records)
            state = SUCCEEDED
        else:
            await _restore(docs, undo)
            state = FAILED
        await docs.update(
            ACCESS_CHANGES, undo["id"], {"state": state, "finished_at": now_rfc3339()}
        )
        log.warning(
            "access change %s of %s/%s, left by a stopped registry, %s",
            undo["id"],
            owner,
            name,
            "announced" if audited else "undone",
        )
        finished.append(str(undo["id"]))
    return finished
