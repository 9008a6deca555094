"""Collecting what dead publishes left behind.

A publish records its undo log in its job (:mod:`dlhub_registry.publish_jobs`):
the registry instance running it, the object keys it writes, the version
record, object references and head it is about to write, the upload sessions
it consumes, and ``committed`` once the PUBLISHED event is sent. A registry
killed mid-publish leaves that job RUNNING. When the registry starts, and
every ``interval_s`` after, :class:`LeftoverCollector`:

1. finds the RUNNING jobs whose instance is dead
   (:mod:`dlhub_registry.instances`; jobs of live replicas are left alone);
2. discards unfinished object-store writes (temporary files, S3 multipart
   uploads): at once when a dead job wrote their key, and otherwise once
   they are older than ``grace_s``, unless a live publish holds their key;
3. for a job that did not commit: deletes its version record (only when the
   record is this job's: ``publish_id``), its object references, moves the
   head back to the newest remaining version, and deletes every object it
   wrote that no version references and no live publish holds; the job
   becomes FAILED with the reason. Its upload sessions stay, so publishing
   again resumes from them;
4. for a job that committed (killed after the event): removes the upload
   sessions it consumed and marks it SUCCEEDED;
5. finishes the access changes of dead instances
   (:func:`dlhub_registry.sharing.recover`);
6. forgets the dead instances.

Every step is idempotent: a collector killed half-way redoes it next time.
Partial upload files of no session are removed by
:meth:`dlhub_registry.uploads.UploadSessions.cleanup`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dlhub_common.errors import InvalidArgument
from dlhub_common.ports import DocumentStore, EventBus, Incomplete, ObjectStore
from dlhub_common.records import SERVABLES
from dlhub_registry.commit import OBJECT_REFS
from dlhub_registry.instances import INSTANCES, Instance
from dlhub_registry.periodic import Periodic
from dlhub_registry.publish_jobs import FAILED, PUBLISH_JOBS, RUNNING, SUCCEEDED, now_rfc3339
from dlhub_registry.reads import HEADS
from dlhub_registry.sharing import recover as recover_access_changes
from dlhub_registry.uploads import UploadSessions

log = logging.getLogger("dlhub.registry.leftovers")

# Jobs of releases before instances: dead once this old.
UNOWNED_JOB_AGE_S = 3600.0


@dataclass
class Collected:
    """What one round removed."""

    failed_jobs: list[str] = field(default_factory=list)
    finished_jobs: list[str] = field(default_factory=list)
    records: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)
    access_changes: list[str] = field(default_factory=list)


class LeftoverCollector:
    """Recovers dead publish jobs and discards stale object-store leftovers."""

    def __init__(
        self,
        docs: DocumentStore,
        objects: ObjectStore,
        instance: Instance,
        uploads: UploadSessions | None,
        *,
        interval_s: float,
        grace_s: float,
        bus: EventBus | None = None,
    ) -> None:
        self.docs = docs
        # announces access changes a dead instance stored (None: they wait)
        self.bus = bus
        self.objects = objects
        self.instance = instance
        self.uploads = uploads
        self.interval_s = interval_s
        self.grace_s = grace_s
        self._timer = Periodic(
            "dlhub-registry-leftovers",
            interval_s,
            self.collect,
            lambda _exc: log.exception("collecting the leftovers of dead publishes failed"),
        )
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        try:
            await self.collect()
        except Exception:  # a start-up must not fail on clean-up; the timer retries
            log.exception("collecting the leftovers of dead publishes failed")
        self._timer.start()

    async def stop(self) -> None:
        await self._timer.stop()

    async def collect(self) -> Collected:
        """One round (see the module docstring); returns what it removed."""
        async with self._lock:
            done = Collected()
            alive, dead_instances = await self.instance.census()
            live_keys: set[str] = set()
            dead_jobs: list[dict[str, Any]] = []
            for job in await self.docs.find(PUBLISH_JOBS, {"state": RUNNING}):
                if self._job_alive(job, alive):
                    live_keys.update(job.get("objects") or [])
                else:
                    dead_jobs.append(job)
            dead_keys = {key for job in dead_jobs for key in job.get("objects") or []}
            # before the jobs are failed: a round killed half-way redoes both
            await self._discard_incomplete(live_keys, dead_keys, done)
            for job in dead_jobs:
                try:
                    await self._recover(job, live_keys, done)
                except Exception:  # the others go on; this one is retried next round
                    log.exception("could not recover publish job %s", job.get("id"))
            try:
                done.access_changes = await recover_access_changes(self.docs, self.bus, alive)
            except Exception:  # retried next round
                log.exception("could not finish the access changes of dead registries")
            for instance_id in dead_instances:
                await self.docs.delete(INSTANCES, instance_id)
                done.instances.append(instance_id)
            if done.failed_jobs or done.finished_jobs or done.objects or done.incomplete:
                log.warning(
                    "collected leftovers of dead publishes: %d job(s) failed, %d finished,"
                    " %d record(s), %d object(s), %d unfinished write(s), %d dead registry"
                    " instance(s)",
                    len(done.failed_jobs),
                    len(done.finished_jobs),
                    len(done.records),
                    len(done.objects),
                    len(done.incomplete),
                    len(done.instances),
                )
            return done

    def _job_alive(self, job: dict[str, Any], alive: set[str]) -> bool:
        owner = job.get("instance")
        if owner:
            return owner in alive
        try:
            started = datetime.fromisoformat(str(job.get("started_at", "")).replace("Z", "+00:00"))
        except ValueError:
            return False
        return time.time() - started.timestamp() < UNOWNED_JOB_AGE_S

    async def _recover(self, job: dict[str, Any], live_keys: set[str], done: Collected) -> None:
        stage = job.get("stage") or "receive"
        who = job.get("instance") or "of an older release"
        if job.get("committed"):
            await self._drop_sessions(job)
            await self._finish(
                job,
                SUCCEEDED,
                f"the registry (instance {who}) stopped after the version was committed;"
                " it is published",
            )
            done.finished_jobs.append(job["id"])
            return
        rid = job.get("record")
        if rid:
            await self._undo_version(job, rid, done)
        for key in job.get("objects") or []:
            if key in live_keys or await self.docs.count(OBJECT_REFS, {"key": key}):
                continue  # another publish holds it, or a version uses it
            try:
                deleted = await self.objects.delete(key)
            except InvalidArgument:  # not a key this store could have written
                continue
            if deleted:
                done.objects.append(key)
        await self._finish(
            job,
            FAILED,
            f"failed: UNAVAILABLE: the registry (instance {who}) stopped during this publish"
            f" (step: {stage}); nothing of it was kept. Publish again: upload sessions"
            " are kept and resume",
            error_code="UNAVAILABLE",
        )
        done.failed_jobs.append(job["id"])

    async def _undo_version(self, job: dict[str, Any], rid: str, done: Collected) -> None:
        """Remove the version record a dead job wrote, its references and head."""
        record = await self.docs.get(SERVABLES, rid)
        if record is not None and record.get("publish_id") != job["id"]:
            return  # another publish took this version number; all of it is theirs
        for ref in job.get("refs") or []:
            await self.docs.delete(OBJECT_REFS, ref)
        if record is not None:
            await self.docs.delete(SERVABLES, rid)
            done.records.append(rid)
        target = job.get("target") or {}
        owner, name = target.get("owner"), target.get("name")
        if not owner or not name:
            return
        head = await self.docs.get(HEADS, f"{owner}/{name}")
        if head is None or int(head["version"]) != int(target.get("version", 0)):
            return  # the head never moved to this version, or moved past it
        remaining = await self.docs.find(
            SERVABLES, {"owner": owner, "name": name}, sort=[("version", -1)], limit=1
        )
        if remaining:
            newest = remaining[0]
            await self.docs.put(
                HEADS,
                f"{owner}/{name}",
                {
                    "owner": owner,
                    "name": name,
                    "version": int(newest["version"]),
                    "published_at": newest.get("published_at", ""),
                },
            )
        else:
            await self.docs.delete(HEADS, f"{owner}/{name}")

    async def _drop_sessions(self, job: dict[str, Any]) -> None:
        if self.uploads is None:
            return
        for upload_id in job.get("uploads") or []:
            await self.uploads.delete(upload_id)

    async def _finish(
        self, job: dict[str, Any], state: str, line: str, *, error_code: str = ""
    ) -> None:
        log_lines = list(job.get("log") or [])
        log_lines.append(line)
        await self.docs.update(
            PUBLISH_JOBS,
            job["id"],
            {
                "state": state,
                "finished_at": now_rfc3339(),
                "log": log_lines,
                "error_code": error_code,
            },
        )

    async def _discard_incomplete(
        self, live_keys: set[str], dead_keys: set[str], done: Collected
    ) -> None:
        now = time.time()
        stale: list[Incomplete] = []
        async for item in self.objects.incomplete():
            if item.key is not None and item.key in live_keys:
                continue  # a live publish is writing it
            if (item.key is not None and item.key in dead_keys) or (
                now - item.started > self.grace_s
            ):
                stale.append(item)
        for item in stale:
            if await self.objects.discard(item):
                done.incomplete.append(item.ref)
