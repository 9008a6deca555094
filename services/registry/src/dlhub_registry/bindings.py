"""Stream bindings: a bus topic whose frames run through a servable (docs/streams.md).

A binding is a document in ``stream_bindings``. Creating one needs a caller
who may run the servable (resolved as that caller: NOT_FOUND otherwise, and
FAILED_PRECONDITION for a withdrawn version); the binding stores the
creator's principal, and the task manager's binding runner
(``dlhub_taskmanager.streams``) runs every frame as that principal through
the normal run path. Bindings are listed and deleted by their creator
(administrators: anyone's).
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from dlhub_common import audit
from dlhub_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
)
from dlhub_common.identity import Principal
from dlhub_common.names import Ref
from dlhub_common.ports import DocumentStore, EventBus
from dlhub_common.records import WITHDRAWN, state_of
from dlhub_registry import reads

BINDINGS = "stream_bindings"
DEFAULT_KEY_FIELD = "frame-id"
DEFAULT_MAX_IN_FLIGHT = 32
MAX_IN_FLIGHT = 1024
MAX_BINDINGS_PER_USER = 100
# Kafka's own rule for topic names; the bus adds its prefix on top.
TOPIC_RE = re.compile(r"^[a-zA-Z0-9._-]{1,200}\Z")
HEADER_RE = re.compile(r"^[A-Za-z0-9._-]{1,100}\Z")
INPUT_RE = re.compile(r"^[A-Za-z0-9_.:/-]{1,200}\Z")
RESERVED_PREFIX = "dlhub."  # the mesh's own topics (dlhub_common.topics)


@dataclass(frozen=True)
class BindingRequest:
    topic: str
    ref: Ref
    output_topic: str
    dead_letter_topic: str = ""
    key_field: str = ""
    input: str = ""
    max_in_flight: int = 0


def _check_topic(field: str, value: str) -> str:
    if not TOPIC_RE.match(value):
        raise InvalidArgument(
            f"{field} {value!r} is not a valid topic name: 1 to 200 of a-z A-Z 0-9 . _ -",
            details={"field": field},
        )
    if value.startswith(RESERVED_PREFIX):
        raise InvalidArgument(
            f"{field} {value!r} is reserved: topics starting with {RESERVED_PREFIX!r}"
            " belong to the mesh",
            details={"field": field},
        )
    return value


def _now_iso() -> str:
    ns = time.time_ns()
    secs, ms = divmod(ns // 1_000_000, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{ms:03d}Z"


def check_request(req: BindingRequest) -> BindingRequest:
    """The request with defaults filled in, or InvalidArgument naming every problem."""
    problems: list[str] = []
    fields = {
        "topic": req.topic,
        "output_topic": req.output_topic,
        "dead_letter_topic": req.dead_letter_topic or f"{req.topic}.dlq",
    }
    for field, value in fields.items():
        try:
            _check_topic(field, value)
        except InvalidArgument as exc:
            problems.append(exc.message)
    if len(set(fields.values())) < len(fields):
        problems.append("topic, output_topic and dead_letter_topic must be three different topics")
    key_field = req.key_field or DEFAULT_KEY_FIELD
    if not HEADER_RE.match(key_field):
        problems.append(
            f"key_field {key_field!r} is not a header name: 1 to 100 of A-Z a-z 0-9 . _ -"
        )
    if req.input and not INPUT_RE.match(req.input):
        problems.append(f"input {req.input!r} is not a valid input name")
    max_in_flight = req.max_in_flight or DEFAULT_MAX_IN_FLIGHT
    if not 1 <= max_in_flight <= MAX_IN_FLIGHT:
        problems.append(f"max_in_flight must be between 1 and {MAX_IN_FLIGHT}, not {max_in_flight}")
    if problems:
        raise InvalidArgument("; ".join(problems), details={"problems": problems})
    return BindingRequest(
        topic=req.topic,
        ref=req.ref,
        output_topic=req.output_topic,
        dead_letter_topic=fields["dead_letter_topic"],
        key_field=key_field,
        input=req.input,
        max_in_flight=max_in_flight,
    )


def _require_user(principal: Principal) -> str:
    if principal.username is None:
        raise Unauthenticated("stream bindings need a signed-in caller (a token)")
    return principal.username


async def create(
    docs: DocumentStore, bus: EventBus, principal: Principal, req: BindingRequest
) -> dict[str, Any]:
    """Store a new binding for the caller.

    The binding's consumer group (``stream.<id>``) and the results readers'
    default group (``results.<id>``) are made on the bus first, so every
    frame published after this returns is processed, and every result kept,
    even before a binding runner picks the binding up.

    Raises:
        Unauthenticated: anonymous caller.
        InvalidArgument: bad topic names, key field, input or max_in_flight.
        PermissionDenied: another user's binding uses one of the topics.
        NotFound: the caller may not see (so not run) the servable.
        FailedPrecondition: the version is withdrawn, or the servable has no
            input named ``input``.
        AlreadyExists: the caller already binds this topic to this servable.
        ResourceExhausted: too many bindings.
    """
    username = _require_user(principal)
    req = check_request(req)
    record, _, _ = await reads.get(docs, principal, req.ref)  # as the caller: NOT_FOUND
    if state_of(record) == WITHDRAWN:
        raise FailedPrecondition(
            f"{req.ref.full_name}:{record['version']} is withdrawn: it can no longer run"
        )
    _check_input(record, req.input)
    await _check_topics_free(docs, username, req)
    mine = await docs.find(BINDINGS, {"creator": username})
    for other in mine:
        if (
            other["topic"] == req.topic
            and other["servable"] == _ref_doc(req.ref)
            and other["output_topic"] == req.output_topic
        ):
            raise AlreadyExists(
                f"binding {other['id']} already runs {req.topic} through"
                f" {req.ref.full_name} into {req.output_topic}"
            )
    if len(mine) >= MAX_BINDINGS_PER_USER:
        raise ResourceExhausted(f"at most {MAX_BINDINGS_PER_USER} stream bindings per user")
    binding_id = f"b-{secrets.token_hex(6)}"
    doc = {
        "id": binding_id,
        "topic": req.topic,
        "servable": _ref_doc(req.ref),
        "output_topic": req.output_topic,
        "dead_letter_topic": req.dead_letter_topic,
        "key_field": req.key_field,
        "input": req.input,
        "max_in_flight": req.max_in_flight,
        "creator": username,
        "creator_groups": sorted(principal.groups),
        "creator_identities": sorted(principal.identities),
        "creator_roles": sorted(principal.roles),
        "created_at": _now_iso(),
    }
    await bus.ensure_group([req.topic], stream_group(binding_id))
    await bus.ensure_group([req.output_topic, req.dead_letter_topic], results_group(binding_id))
    await docs.insert(BINDINGS, binding_id, doc)
    try:
        await audit.record(
            docs, username, "stream.bind", f"binding:{binding_id}", _audit_details(doc)
        )
    except BaseException:
        await docs.delete(BINDINGS, binding_id)
        raise
    return doc


def stream_group(binding_id: str) -> str:
    """The consumer group in which the binding runners read a binding's frames."""
    return f"stream.{binding_id}"


def results_group(binding_id: str) -> str:
    """The default group of the results readers (GET .../results)."""
    return f"results.{binding_id}"


TOPIC_FIELDS = ("topic", "output_topic", "dead_letter_topic")


async def _check_topics_free(docs: DocumentStore, username: str, req: BindingRequest) -> None:
    """PermissionDenied when another user's binding reads or writes one of the
    request's topics: one user could otherwise feed another's stream (through
    the ingest endpoint), or write into or read from their results."""
    names = [req.topic, req.output_topic, req.dead_letter_topic]
    for field in TOPIC_FIELDS:
        for other in await docs.find(BINDINGS, {field: {"$in": names}}):
            if other["creator"] != username:
                raise PermissionDenied(
                    f"topic {other[field]!r} belongs to another user's stream binding;"
                    " choose other topic names"
                )


def _ref_doc(ref: Ref) -> dict[str, Any]:
    return {"owner": ref.owner, "name": ref.name, "version": ref.version}


def _audit_details(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in ("topic", "servable", "output_topic", "dead_letter_topic")}


def _check_input(record: dict[str, Any], name: str) -> None:
    """FailedPrecondition when the servable's run input has no property ``name``."""
    spec = record.get("metadata", {}).get("servable", {}).get("methods", {}).get("run", {})
    properties = (spec.get("input") or {}).get("properties")
    if not name:
        if isinstance(properties, dict) and len(properties) > 1:
            raise FailedPrecondition(
                f"the servable has {len(properties)} inputs ({', '.join(sorted(properties))}):"
                " give the one frames feed (--input)"
            )
        return
    if not isinstance(properties, dict) or name not in properties:
        known = ", ".join(sorted(properties)) if isinstance(properties, dict) else "none named"
        raise FailedPrecondition(f"the servable has no input {name!r} (inputs: {known})")


async def listed(
    docs: DocumentStore, principal: Principal, *, everyone: bool, topic: str = ""
) -> list[dict[str, Any]]:
    """The caller's bindings (administrators with ``everyone``: all), oldest first."""
    username = _require_user(principal)
    if everyone and not principal.admin:
        raise PermissionDenied("only administrators may list every user's bindings")
    where: dict[str, Any] = {} if everyone else {"creator": username}
    if topic:
        where["topic"] = topic
    return await docs.find(BINDINGS, where, sort=[("created_at", 1)])


async def delete(docs: DocumentStore, principal: Principal, binding_id: str) -> dict[str, Any]:
    """Remove a binding of the caller (administrators: anyone's).

    Raises:
        NotFound: no such binding, or another user's.
    """
    username = _require_user(principal)
    doc = await docs.get(BINDINGS, binding_id) if binding_id else None
    if doc is None or (doc["creator"] != username and not principal.admin):
        raise NotFound(f"stream binding {binding_id!r} not found")
    await docs.delete(BINDINGS, binding_id)
    await audit.record(
        docs, username, "stream.unbind", f"binding:{binding_id}", _audit_details(doc)
    )
    return doc


async def ensure_indexes(docs: DocumentStore) -> None:
    await docs.ensure_index(BINDINGS, ["creator"])
    for field in TOPIC_FIELDS:
        await docs.ensure_index(BINDINGS, [field])
