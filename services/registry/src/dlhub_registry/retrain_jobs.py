"""Retrain jobs: one document per retrain, with a state and a log.

Collection ``retrain_jobs``::

    {"id": "rtj-<uuid>", "owner", "name", "base_version", "trigger":
     "manual" | "objects" | "topic" | "queued", "triggered_by", "state":
     "RUNNING" | "SUCCEEDED" | "REJECTED" | "FAILED", "started_at",
     "finished_at", "log": [lines], "error_code", "error", "traceback",
     "data": {"objects": [keys], "bytes", "digest"}, "score": {...},
     "candidate": [{"path", "size", "sha256"}], "version": int, "publish_id",
     "instance"}

``REJECTED``: the candidate was trained and scored but did not pass the
acceptance rule; its files (names, sizes, sha256), score and the reason stay
in the job. Jobs are shown to the servable's owner and co-owners only (the
traceback included); anyone else gets NOT_FOUND.

One job at a time per servable: ``retrain_locks/<owner>/<name>`` is
inserted (insert-if-absent) before a job starts and removed when it ends.
A trigger that finds the lock taken writes ``retrain_pending/<owner>/<name>``
and then looks at the lock again (taking it if it was released meanwhile);
the running job deletes its lock first and then the marker, and starts one
more job when there was one (triggers are merged into that one), so no
trigger is lost between the two.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.errors import NotFound
from dlhub_common.identity import Principal
from dlhub_common.ports import DocumentStore
from dlhub_common.records import SERVABLES
from dlhub_registry.publish_jobs import MAX_LINE_CHARS, MAX_LINES, now_rfc3339

RETRAIN_JOBS = "retrain_jobs"
RETRAIN_LOCKS = "retrain_locks"
# A trigger that came while a job ran: one more job runs after it (merged).
RETRAIN_PENDING = "retrain_pending"
# owner/name -> {"owner", "name", "source": {...}}: servables whose latest version has a recipe
RETRAIN_RECIPES = "retrain_recipes"
# owner/name -> {"seen": ["<etag> <key>", ...]}: objects already handed to a job
RETRAIN_SEEN = "retrain_seen"
RUNNING, SUCCEEDED, REJECTED, FAILED = "RUNNING", "SUCCEEDED", "REJECTED", "FAILED"
STATES = (RUNNING, SUCCEEDED, REJECTED, FAILED)


class RetrainJob:
    """One retrain in flight: collects log lines, stores the job document."""

    def __init__(
        self,
        docs: DocumentStore,
        owner: str,
        name: str,
        *,
        trigger: str,
        triggered_by: str,
        instance: str,
    ) -> None:
        self.docs = docs
        self.id = f"rtj-{uuid.uuid4()}"
        self.doc: dict[str, Any] = {
            "id": self.id,
            "owner": owner,
            "name": name,
            "base_version": 0,
            "trigger": trigger,
            "triggered_by": triggered_by,
            "state": RUNNING,
            "started_at": now_rfc3339(),
            "started_ns": time.time_ns(),  # orders jobs started within one second
            "finished_at": "",
            "log": [],
            "error_code": "",
            "error": "",
            "traceback": "",
            "data": {"objects": [], "bytes": 0, "digest": ""},
            "score": None,
            "candidate": [],
            "version": 0,
            "publish_id": "",
            "instance": instance,
        }

    def line(self, text: str) -> None:
        lines: list[str] = self.doc["log"]
        if len(lines) < MAX_LINES:
            lines.append(text[:MAX_LINE_CHARS])

    async def save(self, **fields: Any) -> None:
        self.doc.update(fields)
        await self.docs.put(RETRAIN_JOBS, self.id, self.doc)

    async def finish(self, state: str, **fields: Any) -> None:
        await self.save(state=state, finished_at=now_rfc3339(), **fields)


async def visible_job(docs: DocumentStore, principal: Principal, job_id: str) -> dict[str, Any]:
    """The job, for the servable's owner and co-owners only.

    Raises:
        NotFound: no such job, or the caller does not manage its servable.
    """
    doc = await docs.get(RETRAIN_JOBS, job_id) if job_id.startswith("rtj-") else None
    if doc is None or not await _manages(docs, principal, doc["owner"], doc["name"]):
        raise NotFound(f"retrain job {job_id!r} not found")
    return doc


async def _manages(docs: DocumentStore, principal: Principal, owner: str, name: str) -> bool:
    if principal.anonymous:
        return False
    newest = await docs.find(
        SERVABLES, {"owner": owner, "name": name}, sort=[("version", -1)], limit=1
    )
    return bool(newest) and principal.can_manage(newest[0])


async def listed(docs: DocumentStore, owner: str, name: str, limit: int) -> list[dict[str, Any]]:
    """The servable's jobs, newest first (the caller must manage it: see ``managed``)."""
    found = await docs.find(
        RETRAIN_JOBS, {"owner": owner, "name": name}, sort=[("started_ns", -1)], limit=limit
    )
    return found


def job_pb(doc: dict[str, Any]) -> registry_pb2.RetrainJob:
    score = doc.get("score") or {}
    return registry_pb2.RetrainJob(
        id=doc["id"],
        owner=doc["owner"],
        name=doc["name"],
        base_version=int(doc.get("base_version") or 0),
        trigger=doc.get("trigger", ""),
        state=doc.get("state", ""),
        started_at=doc.get("started_at", ""),
        finished_at=doc.get("finished_at", ""),
        log=list(doc.get("log", [])),
        error_code=doc.get("error_code", ""),
        error=doc.get("error", ""),
        traceback=doc.get("traceback", ""),
        data_digest=(doc.get("data") or {}).get("digest", ""),
        data_objects=list((doc.get("data") or {}).get("objects", [])),
        metric=score.get("metric", ""),
        score=float(score.get("candidate", 0.0)),
        previous_score=float(score.get("previous", 0.0)),
        has_score=bool(score),
        reason=score.get("reason", ""),
        version=int(doc.get("version") or 0),
        publish_id=doc.get("publish_id", ""),
        candidate=[
            types_pb2.ArtifactRef(path=f["path"], size=int(f["size"]), sha256=f["sha256"])
            for f in doc.get("candidate") or []
        ],
    )
