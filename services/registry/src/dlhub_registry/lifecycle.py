"""Lifecycle of published versions: deprecate and withdraw, mint DOIs.

A published version is immutable; what changes afterwards is its state
(``deprecated``, ``withdrawn``) and its DOI. Each change is written to the
record first and then announced with an UPDATED servable event.
"""

from __future__ import annotations

import copy
import logging
import time
from datetime import UTC, datetime
from typing import Any

from dlhub_common import audit
from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import (
    DLHubError,
    FailedPrecondition,
    InternalError,
    InvalidArgument,
    PermissionDenied,
    Unauthenticated,
)
from dlhub_common.identity import Principal
from dlhub_common.names import Ref
from dlhub_common.ports import DocumentStore, EventBus
from dlhub_common.records import (
    DEPRECATED,
    SERVABLES,
    WITHDRAWN,
    record_id,
    servable_pb,
    state_of,
)
from dlhub_common.topics import SERVABLE_EVENTS
from dlhub_common.tracing import headers_with_context
from dlhub_registry.datacite import DataCiteClient
from dlhub_registry.reads import get, global_latest

log = logging.getLogger("dlhub.registry")

MAX_REASON_CHARS = 2000


async def set_state(
    docs: DocumentStore, bus: EventBus, principal: Principal, ref: Ref, state: str, reason: str
) -> dict[str, Any]:
    """Deprecate or withdraw one version (the latest when ``ref.version`` is 0).

    The record keeps its metadata and artifacts; only ``state``,
    ``state_reason`` and ``state_changed_at`` change. Withdrawal is final:
    a withdrawn version can be withdrawn again (a new reason) but not
    deprecated. The owner and co-owners may do it; the change is appended
    to the audit log (should that fail, the record is put back and the call
    fails). An UPDATED servable event is published for the version,
    then one for the latest version when that is another one (withdrawing
    the latest makes an older version the latest).
    The record is written first: should publishing fail, the call fails
    with the state already stored, and repeating it publishes again.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: the caller cannot see the servable or version.
        PermissionDenied: the caller can see it but is neither owner nor co-owner.
        InvalidArgument: empty or overlong reason.
        FailedPrecondition: deprecating a withdrawn version.
    """
    assert state in (DEPRECATED, WITHDRAWN)
    verb = "deprecate" if state == DEPRECATED else "withdraw"
    if principal.anonymous:
        raise Unauthenticated(f"to {verb} a servable, sign in as its owner (pass a token)")
    reason = reason.strip()
    if not reason:
        raise InvalidArgument(f"give a reason to {verb} {ref}: users will see it")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidArgument(f"the reason is longer than {MAX_REASON_CHARS} characters")
    record, _versions, _latest = await get(docs, principal, ref)
    if not principal.can_manage(record):
        raise PermissionDenied(
            f"only the owner ({record['owner']}) or a co-owner may {verb} {ref.full_name}"
        )
    version = int(record["version"])
    if state == DEPRECATED and state_of(record) == WITHDRAWN:
        raise FailedPrecondition(f"{ref.full_name}:{version} is withdrawn; withdrawal is final")
    changed_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    fields = {"state": state, "state_reason": reason, "state_changed_at": changed_at}
    rid = record_id(ref.owner, ref.name, version)
    stored = await docs.get(SERVABLES, rid)  # as stored, to put back as it was
    await docs.update(SERVABLES, rid, fields)
    try:  # recorded, or not done: the audit entry and the change go together
        await audit.record(
            docs,
            principal.username or "",
            f"servable.{verb}",
            f"{ref.full_name}:{version}",
            {"state_before": state_of(record), "state": state, "reason": reason},
        )
    except BaseException:
        if stored is not None:
            await docs.put(SERVABLES, rid, stored)
        raise
    record = {**record, **fields}
    after = await global_latest(docs, ref.owner, ref.name)
    updates = [record]
    if after is not None and after["version"] != version:
        # re-assert the latest: withdrawing the latest moves it to an older
        # version, and a repeated call heals an index that missed an event
        updates.append(after)
    for rec in updates:
        await emit(
            bus,
            bus_pb2.SERVABLE_EVENT_KIND_UPDATED,
            rec,
            latest=after is not None and rec["version"] == after["version"],
        )
    log.info("%s %s/%s:%d: %s", state, ref.owner, ref.name, version, reason)
    return record


async def emit(
    bus: EventBus, kind: bus_pb2.ServableEventKind, record: dict[str, Any], *, latest: bool
) -> None:
    event = bus_pb2.ServableEvent(
        kind=kind,
        servable=servable_pb(record, latest=latest),
        event_unix_ns=time.time_ns(),
    )
    await bus.publish(
        SERVABLE_EVENTS,
        event.SerializeToString(),
        key=f"{record['owner']}/{record['name']}",
        headers=headers_with_context(),
    )


# ------------------------------------------------------------ DOIs


async def mint(
    docs: DocumentStore, bus: EventBus, datacite: DataCiteClient | None, record: dict[str, Any]
) -> tuple[dict[str, Any], DLHubError | None]:
    """Register the DOI of a committed version; returns (record, error).

    The version is immutable and already visible when this runs, so a
    DataCite failure does not undo the publish: the record keeps
    ``doi_error`` (shown in the describe view's ``doi_error``), the failure
    is logged, and :func:`mint_doi` retries. On success the record gets
    ``doi`` and ``datacite.identifier`` = ``{identifier: <doi>,
    identifierType: "DOI"}`` in its metadata (the digest leaves that field
    out, so it does not change), and an UPDATED event is published.
    """
    assert datacite is not None
    owner, name, version = record["owner"], record["name"], int(record["version"])
    rid = record_id(owner, name, version)
    given = record["metadata"].get("datacite", {}).get("identifier") or {}
    if given.get("identifierType", "").upper() == "DOI":
        log.info(
            "%s/%s:%d carries DOI %s in its metadata; not minting another",
            owner,
            name,
            version,
            given.get("identifier"),
        )
        return record, None
    try:
        doi = await datacite.mint(record)
    except Exception as exc:
        error = (
            exc
            if isinstance(exc, DLHubError)
            else InternalError(f"unexpected {type(exc).__name__} while minting the DOI")
        )
        message = datacite.scrub(error.message)
        log.warning("no DOI for %s/%s:%d: %s", owner, name, version, message)
        failed = {"doi_error": message}
        try:
            await docs.update(SERVABLES, rid, failed)
        except Exception:
            log.exception("could not record the DOI failure on %s", rid)
        return {**record, **failed}, error
    metadata = copy.deepcopy(record["metadata"])
    metadata.setdefault("datacite", {})["identifier"] = {
        "identifier": doi,
        "identifierType": "DOI",
    }
    minted = {"doi": doi, "doi_error": "", "metadata": metadata}
    updated = {**record, **minted}
    try:
        await docs.update(SERVABLES, rid, minted)
        latest = await global_latest(docs, owner, name)
        await emit(
            bus,
            bus_pb2.SERVABLE_EVENT_KIND_UPDATED,
            updated,
            latest=latest is not None and int(latest["version"]) == version,
        )
    except Exception:
        # Registered at DataCite but not stored here: mint_doi adopts it.
        log.exception("DOI %s was registered but could not be stored on %s", doi, rid)
    return updated, None


async def mint_doi(
    docs: DocumentStore,
    bus: EventBus,
    datacite: DataCiteClient | None,
    principal: Principal,
    ref: Ref,
) -> dict[str, Any]:
    """Mint the DOI of one version (the latest when ``ref.version`` is 0) now:
    the retry after a failure at publish. A version that has a DOI is
    returned unchanged.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: the caller cannot see the servable or version.
        PermissionDenied: the caller is neither owner nor co-owner.
        FailedPrecondition: minting is not enabled, or the version is withdrawn.
        DLHubError: DataCite's failure (also kept in the record's ``doi_error``).
    """
    if principal.anonymous:
        raise Unauthenticated("to mint a DOI, sign in as the servable's owner (pass a token)")
    record, _versions, _latest = await get(docs, principal, ref)
    if not principal.can_manage(record):
        raise PermissionDenied(
            f"only the owner ({record['owner']}) or a co-owner may mint a DOI for {ref.full_name}"
        )
    if record.get("doi"):
        return record
    if datacite is None:
        raise FailedPrecondition(
            "DOI minting is not enabled on this registry (DLHUB_DATACITE__ENABLED)"
        )
    if state_of(record) == WITHDRAWN:
        raise FailedPrecondition(
            f"{ref.full_name}:{record['version']} is withdrawn; no DOI is minted for it"
        )
    record, error = await mint(docs, bus, datacite, record)
    if error is not None:
        raise error
    return record
