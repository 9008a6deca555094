"""Publish jobs: every publish is a job with a state and a log.

A job document lives in the DocumentStore collection ``publish_jobs``::

    {"id": "pub-<uuid>", "owner", "state": "RUNNING" | "SUCCEEDED" | "FAILED",
     "name": the servable name once the metadata is valid | None,
     "servable": {"owner", "name", "version"} | None, "started_at", "started_ns",
     "finished_at", "log": [lines], "error_code",
     # crash recovery (never shown to clients):
     "instance", "stage", "objects": [keys], "uploads": [ids],
     "record": <record id> | None, "refs": [object ref ids], "committed": bool}

The publish itself stays synchronous (the client gets the version or the
error at once); the job keeps what happened, failed publishes included, so
the owner can read the log afterwards (``GetPublishJob``), and list them,
newest first (``ListPublishJobs``).

The job is also the publish's undo log. Before the publish writes an object
or a record it names it in the job (:meth:`PublishJob.checkpoint`); once the
PUBLISHED event is sent the job says ``committed``. When the registry
instance running a job dies, the leftover collector
(:mod:`dlhub_registry.leftovers`) reads the job to remove what it wrote.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.errors import InvalidArgument, NotFound, Unauthenticated
from dlhub_common.identity import Principal
from dlhub_common.ports import DocumentStore

log = logging.getLogger("dlhub.registry")

PUBLISH_JOBS = "publish_jobs"
RUNNING, SUCCEEDED, FAILED = "RUNNING", "SUCCEEDED", "FAILED"
STATES = (RUNNING, SUCCEEDED, FAILED)
DEFAULT_PAGE, MAX_PAGE = 50, 1000
MAX_LINE_CHARS = 8000
MAX_LINES = 500
_KEY = re.compile(r"sha256/[0-9a-f]{64}")


def now_rfc3339() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class PublishJob:
    """One publish in flight: collects log lines, stores the job document."""

    def __init__(self, docs: DocumentStore, owner: str, instance: str = "") -> None:
        self.docs = docs
        self.id = f"pub-{uuid.uuid4()}"
        self.doc: dict[str, Any] = {
            "id": self.id,
            "owner": owner,
            "state": RUNNING,
            "name": None,
            "servable": None,
            "started_at": now_rfc3339(),
            "started_ns": time.time_ns(),
            "finished_at": "",
            "log": [],
            "error_code": "",
            "instance": instance,
            "stage": "receive",
            "objects": [],
            "uploads": [],
            "record": None,
            "refs": [],
            "committed": False,
        }

    def line(self, text: str) -> None:
        lines: list[str] = self.doc["log"]
        if len(lines) < MAX_LINES:
            lines.append(text[:MAX_LINE_CHARS])

    async def save(self) -> None:
        try:
            await self.docs.put(PUBLISH_JOBS, self.id, self.doc)
        except Exception:  # the publish matters more than its log
            log.warning("could not store publish job %s", self.id, exc_info=True)

    async def checkpoint(self, **fields: Any) -> None:
        """Store ``fields`` in the job before the step they announce.

        Unlike :meth:`save` this raises: a step whose undo is not recorded
        must not happen.
        """
        self.doc.update(fields)
        await self.docs.put(PUBLISH_JOBS, self.id, self.doc)

    async def claim(self, key: str) -> None:
        """Name an object key this publish is about to write (or has just written).

        A malformed key (a bad announced digest) is not claimed: the store
        refuses it before writing anything.
        """
        keys: list[str] = self.doc["objects"]
        if _KEY.fullmatch(key) and key not in keys:
            await self.checkpoint(objects=[*keys, key])

    async def finish(
        self, state: str, *, servable: dict[str, Any] | None = None, error_code: str = ""
    ) -> None:
        self.doc.update(state=state, finished_at=now_rfc3339(), error_code=error_code)
        if servable is not None:
            self.doc["servable"] = servable
        await self.save()


async def get_job(docs: DocumentStore, principal: Principal, publish_id: str) -> dict[str, Any]:
    """The job, for its owner only.

    Raises:
        NotFound: no such job, or the caller is not its owner.
    """
    doc = await docs.get(PUBLISH_JOBS, publish_id) if publish_id.startswith("pub-") else None
    if doc is None or principal.anonymous or doc.get("owner") != principal.username:
        raise NotFound(f"publish job {publish_id!r} not found")
    return doc


async def list_jobs(
    docs: DocumentStore,
    principal: Principal,
    *,
    state: str = "",
    name: str = "",
    offset: int = 0,
    limit: int = DEFAULT_PAGE,
) -> tuple[list[dict[str, Any]], int]:
    """The caller's own jobs, newest first, and how many match.

    Raises:
        Unauthenticated: no caller to list the jobs of.
        InvalidArgument: an unknown state, a negative offset or a page size
            outside 1..MAX_PAGE.
    """
    if principal.anonymous or principal.username is None:
        raise Unauthenticated("listing publish jobs needs a token: they are the caller's own")
    if state and state not in STATES:
        raise InvalidArgument(f"state {state!r}: give one of {', '.join(STATES)} (or none)")
    if offset < 0:
        raise InvalidArgument(f"offset {offset}: give 0 or more")
    if not 0 < limit <= MAX_PAGE:
        raise InvalidArgument(f"page_size {limit}: give 1 to {MAX_PAGE}")
    where: dict[str, Any] = {"owner": principal.username}
    if state:
        where["state"] = state
    if name:
        where["name"] = name
    found = await docs.find(
        PUBLISH_JOBS,
        where,
        sort=[("started_at", -1), ("started_ns", -1)],
        offset=offset,
        limit=limit,
    )
    return found, await docs.count(PUBLISH_JOBS, where)


def job_pb(doc: dict[str, Any], *, with_log: bool = True) -> registry_pb2.PublishJob:
    ref = doc.get("servable") or {}
    return registry_pb2.PublishJob(
        id=doc["id"],
        owner=doc.get("owner", ""),
        state=doc.get("state", ""),
        servable=types_pb2.ServableRef(
            owner=ref.get("owner", ""), name=ref.get("name", ""), version=int(ref.get("version", 0))
        )
        if ref
        else None,
        started_at=doc.get("started_at", ""),
        finished_at=doc.get("finished_at", ""),
        log=list(doc.get("log", [])) if with_log else [],
        error_code=doc.get("error_code", ""),
    )
