"""Retraining: recipes, triggers, one job at a time per servable.

A servable whose latest version carries ``servable.training`` (see
:mod:`dlhub_common.training_spec`) is retrained when new objects land under
its data prefix (a watcher lists the prefixes every
``DLHUB_RETRAIN__POLL_INTERVAL_S``), when an event arrives on its topic, or
when an owner or co-owner asks (``RetrainServable``). :class:`Retrainer`
takes the servable's lock, runs the job (:mod:`dlhub_registry.retrain_run`:
stage, train, score, publish or reject) in a task of its own, records a
failure with its reason and traceback, and fails the jobs of registry
instances that died. Jobs and locks: :mod:`dlhub_registry.retrain_jobs`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from dlhub_common.backends import S3ObjectsConfig
from dlhub_common.errors import AlreadyExists, DLHubError, FailedPrecondition, Unavailable
from dlhub_common.identity import Principal
from dlhub_common.names import Ref
from dlhub_common.ports import DocumentStore, EventBus, ObjectStore
from dlhub_common.retrain_settings import RetrainSettings
from dlhub_common.training_spec import Trainer
from dlhub_registry import reads, retrain_jobs
from dlhub_registry.instances import Instance
from dlhub_registry.periodic import Periodic
from dlhub_registry.publish_jobs import now_rfc3339
from dlhub_registry.retrain_jobs import (
    FAILED,
    RETRAIN_JOBS,
    RETRAIN_LOCKS,
    RETRAIN_PENDING,
    RETRAIN_RECIPES,
    RETRAIN_SEEN,
    RUNNING,
    RetrainJob,
)
from dlhub_registry.retrain_run import PublishFn, RetrainRun, recipe_of, unseen
from dlhub_registry.sharing import managed

log = logging.getLogger("dlhub.registry")


class Retrainer:
    """Recipes, triggers and retrain jobs of one registry process."""

    def __init__(
        self,
        docs: DocumentStore,
        objects: ObjectStore,
        bus: EventBus,
        instance: Instance,
        publish: PublishFn,
        *,
        config: RetrainSettings,
        s3: S3ObjectsConfig | None,
        trainer: Trainer | None,
        scratch_dir: Path | None,
    ) -> None:
        self.docs = docs
        self.objects = objects
        self.bus = bus
        self.instance = instance
        self._publish = publish
        # S3 access for s3:// data prefixes (retrain_sources.s3_settings)
        self.s3 = s3
        self.config = config
        self.trainer = trainer
        self.scratch_dir = scratch_dir
        self._tasks: set[asyncio.Task[None]] = set()
        self._topics: dict[str, asyncio.Task[None]] = {}
        self._watch = Periodic(
            "dlhub-retrain-watch",
            self.config.poll_interval_s,
            self.watch_once,
            lambda exc: log.warning("retrain watcher round failed: %s", exc),
        )

    async def start(self) -> None:
        await self.docs.ensure_index(RETRAIN_JOBS, ["owner", "name"])
        await self.docs.ensure_index(RETRAIN_JOBS, ["state"])
        await self.recover()
        if self.config.enabled and self.trainer is not None:
            self._watch.start()

    async def stop(self) -> None:
        await self._watch.stop()
        for task in [*self._topics.values(), *self._tasks]:
            task.cancel()
        for task in [*self._topics.values(), *self._tasks]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._topics.clear()

    async def idle(self) -> None:
        """Wait until no job of this process runs (tests, demos)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ------------------------------------------------------------ recipes

    async def remember(self, record: dict[str, Any]) -> None:
        """Note (or forget) the recipe of a newly published latest version."""
        key = f"{record['owner']}/{record['name']}"
        spec = recipe_of(record)
        try:
            if spec is None:
                if await self.docs.get(RETRAIN_RECIPES, key) is not None:  # a read, usually
                    await self.docs.delete(RETRAIN_RECIPES, key)
                return
            if spec.source.topic is not None:  # events sent from now on wait for the job
                await self.bus.ensure_group(
                    [spec.source.topic], _group(record["owner"], record["name"])
                )
            await self.docs.put(
                RETRAIN_RECIPES,
                key,
                {
                    "owner": record["owner"],
                    "name": record["name"],
                    "source": spec.source.model_dump(exclude_none=True),
                },
            )
        except Exception:  # the publish stands; the next publish or trigger writes it
            log.warning("could not note the training recipe of %s", key, exc_info=True)

    # ------------------------------------------------------------ triggers

    async def trigger(
        self, principal: Principal, owner: str, name: str
    ) -> tuple[dict[str, Any], bool]:
        """``dlhub retrain owner/name``: start a job, or merge into the running one.

        Returns:
            (the job document, whether it was merged into a running job).

        Raises:
            Unauthenticated, NotFound, PermissionDenied: as for lifecycle changes.
            FailedPrecondition: the latest version has no recipe, or no trainer here.
        """
        await managed(self.docs, principal, owner, name, "retrain")
        latest, _v, _l = await reads.get(self.docs, principal, Ref(owner, name, 0))
        if recipe_of(latest) is None:
            raise FailedPrecondition(
                f"{owner}/{name}:{latest['version']} has no training recipe"
                " (servable.training); publish a version with one first"
            )
        await self.remember(latest)
        return await self.start_job(owner, name, "manual", principal.username or "")

    async def jobs(
        self, principal: Principal, owner: str, name: str, limit: int
    ) -> list[dict[str, Any]]:
        """The servable's retrain jobs, newest first (owners and co-owners only)."""
        await managed(self.docs, principal, owner, name, "see the retrain jobs of")
        return await retrain_jobs.listed(self.docs, owner, name, limit)

    async def start_job(
        self, owner: str, name: str, trigger: str, by: str, events: list[str] | None = None
    ) -> tuple[dict[str, Any], bool]:
        if self.trainer is None:
            raise FailedPrecondition(
                "this registry has no trainer (install dlhub-executor next to it);"
                " retraining is off"
            )
        key = f"{owner}/{name}"
        job = RetrainJob(
            self.docs, owner, name, trigger=trigger, triggered_by=by, instance=self.instance.id
        )
        for _attempt in range(3):
            try:
                await self.docs.insert(
                    RETRAIN_LOCKS,
                    key,
                    {"job": job.id, "instance": self.instance.id},
                )
                break
            except AlreadyExists:
                lock = await self.docs.get(RETRAIN_LOCKS, key)
                if lock is None:
                    continue
                running = await self.docs.get(RETRAIN_JOBS, str(lock.get("job")))
                live = running is not None and running.get("state") == RUNNING
                fresh = running is None and lock.get("instance") == self.instance.id
                if (live and await self._alive(running or {})) or fresh:
                    # fresh: taken a moment ago by this process, its job document follows.
                    # The marker is a document of its own, written before the lock is
                    # looked at again: a release deletes the lock first and reads the
                    # marker after, so either it sees the marker (and runs one more
                    # job) or this trigger sees the lock gone and takes it itself.
                    await self.docs.put(RETRAIN_PENDING, key, {"trigger": trigger, "by": by})
                    again = await self.docs.get(RETRAIN_LOCKS, key)
                    if again is not None and again.get("job") == lock.get("job"):
                        merged = running or {"id": lock["job"], "owner": owner, "name": name}
                        return {"state": RUNNING, **merged}, True
                    continue  # released meanwhile: take it
                await self.docs.delete(RETRAIN_LOCKS, key)  # left by a dead job
        else:
            raise Unavailable(f"could not take the retrain lock of {key}; retry")
        latest = await reads.global_latest(self.docs, owner, name)
        job.doc["base_version"] = int(latest["version"]) if latest else 0
        job.line(f"{trigger} trigger by {by or 'the watcher'}")
        await job.save()
        task = asyncio.create_task(self._run(job, events or []), name=f"retrain {job.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job.doc, False

    async def _alive(self, job_doc: dict[str, Any]) -> bool:
        alive, _dead = await self.instance.census()
        return str(job_doc.get("instance")) in alive

    async def watch_once(self) -> None:
        """One round: a job for every prefix with unseen objects; fail dead jobs."""
        await self.recover()
        for recipe in await self.docs.find(RETRAIN_RECIPES):
            source = recipe.get("source") or {}
            owner, name = recipe["owner"], recipe["name"]
            try:
                if source.get("prefix"):
                    if await unseen(self.docs, self.s3, f"{owner}/{name}", source["prefix"]):
                        await self.start_job(owner, name, "objects", "")
                elif source.get("topic"):
                    self._listen(owner, name, source["topic"])
            except Exception as exc:
                log.warning("retrain trigger of %s/%s failed: %s", owner, name, exc)

    def _listen(self, owner: str, name: str, topic: str) -> None:
        key = f"{owner}/{name}"
        task = self._topics.get(key)
        if task is not None and not task.done():
            return
        self._topics[key] = asyncio.create_task(
            self._consume(owner, name, topic), name=f"retrain topic {key}"
        )

    async def _consume(self, owner: str, name: str, topic: str) -> None:
        """Keep each event of ``topic`` for the next job, then trigger one."""
        key = f"{owner}/{name}"
        try:
            async with self.bus.subscribe([topic], _group(owner, name)) as sub:
                async for delivery in sub:
                    doc = await self.docs.get(RETRAIN_SEEN, key) or {"events": []}
                    events = [*doc.get("events", []), delivery.value.decode("utf-8", "replace")]
                    await self.docs.put(RETRAIN_SEEN, key, {**doc, "events": events[-1000:]})
                    await delivery.ack()
                    await self.start_job(owner, name, "topic", "")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the next watcher round subscribes again
            log.warning("retrain topic %s of %s stopped: %s", topic, key, exc)

    async def recover(self) -> None:
        """Fail the RUNNING jobs whose registry instance is dead, and free their locks."""
        running = await self.docs.find(RETRAIN_JOBS, {"state": RUNNING})
        if not running:
            return
        alive, _dead = await self.instance.census()
        for doc in running:
            if doc.get("instance") in alive:
                continue
            doc["log"] = [
                *doc.get("log", []),
                f"failed: UNAVAILABLE: the registry (instance {doc.get('instance')}) stopped"
                " during this retrain",
            ]
            doc.update(
                state=FAILED,
                error_code="UNAVAILABLE",
                error=f"the registry (instance {doc.get('instance')}) stopped during this retrain;"
                " trigger it again",
                finished_at=now_rfc3339(),
            )
            await self.docs.put(RETRAIN_JOBS, doc["id"], doc)
            lock_key = f"{doc['owner']}/{doc['name']}"
            lock = await self.docs.get(RETRAIN_LOCKS, lock_key)
            if lock is not None and lock.get("job") == doc["id"]:
                await self.docs.delete(RETRAIN_LOCKS, lock_key)

    # ------------------------------------------------------------ one job

    async def _run(self, job: RetrainJob, events: list[str]) -> None:
        owner, name = job.doc["owner"], job.doc["name"]
        try:
            assert self.trainer is not None
            await RetrainRun(
                self.docs,
                self.objects,
                self._publish,
                self.trainer,
                self.config,
                self.s3,
                self.scratch_dir,
            ).run(job)
        except asyncio.CancelledError:
            job.line("failed: UNAVAILABLE: the registry stopped during this retrain")
            with contextlib.suppress(Exception):
                await asyncio.shield(
                    job.finish(
                        FAILED,
                        error_code="UNAVAILABLE",
                        error="the registry stopped during this retrain; trigger it again",
                    )
                )
            raise
        except DLHubError as exc:
            job.line(f"failed: {exc.code.value}: {exc.message}")
            await job.finish(
                FAILED,
                error_code=exc.code.value,
                error=exc.message,
                traceback=str(exc.details.get("traceback") or exc.details.get("log") or ""),
                publish_id=str(exc.details.get("publish_id", "")),
            )
        except Exception as exc:
            log.exception("retrain job %s failed", job.id)
            job.line(f"failed: INTERNAL: {type(exc).__name__}")
            await job.finish(
                FAILED, error_code="INTERNAL", error=f"internal error: {type(exc).__name__}"
            )
        finally:
            await self._release(owner, name, job.id)

    async def _release(self, owner: str, name: str, job_id: str) -> None:
        key = f"{owner}/{name}"
        try:
            lock = await self.docs.get(RETRAIN_LOCKS, key)
            if lock is None or lock.get("job") != job_id:
                return
            await self.docs.delete(RETRAIN_LOCKS, key)
            # after the lock is gone (see start_job): a trigger merged meanwhile
            if await self.docs.delete(RETRAIN_PENDING, key):
                await self.start_job(owner, name, "queued", "")
        except Exception:
            log.warning("could not release the retrain lock of %s", key, exc_info=True)


def _group(owner: str, name: str) -> str:
    """The consumer group of a servable's "new data" topic."""
    return f"retrain.{owner}.{name}"
