"""Retraining: triggers, one job at a time per servable, publish or reject.

A servable whose latest version carries ``servable.training`` (see
:mod:`dlhub_common.training_spec`) is retrained when new objects land under
its data prefix (a watcher lists the prefixes every
``DLHUB_RETRAIN__POLL_INTERVAL_S``), when an event arrives on its topic, or
when an owner or co-owner asks (``RetrainServable``). A job:

1. resolves the latest version and the acceptance benchmark as the owner
   (the recipe runs with the owner's rights);
2. stages the new data (objects not handed to a job before) into a fresh
   directory, and records them as seen before training starts;
3. trains in the servable's own environment (:class:`~dlhub_common.training_spec.Trainer`),
   with the CPU-time, memory and wall-clock limits of ``retrain.*``;
4. scores the current version and the candidate on the benchmark's data
   with the benchmark's metric (``dlhub_common.metrics``);
5. publishes the candidate through the registry's own publish path (every
   publish check applies) when it passes the rule, with its lineage in
   ``servable.training.lineage`` and a DataCite ``IsDerivedFrom`` relation;
   otherwise the job ends REJECTED with both scores and the reason.

Jobs and locks: :mod:`dlhub_registry.retrain_jobs`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from dlhub_common import benchmark_data, metrics
from dlhub_common.backends import S3ObjectsConfig
from dlhub_common.errors import (
    AlreadyExists,
    DLHubError,
    FailedPrecondition,
    Unavailable,
)
from dlhub_common.identity import Principal
from dlhub_common.names import Ref, parse_ref
from dlhub_common.ports import DocumentStore, EventBus, ObjectStore
from dlhub_common.retrain_settings import RetrainSettings
from dlhub_common.training_spec import (
    Environment,
    PredictCall,
    TrainCall,
    Trainer,
    TrainingSpec,
    TrainLimits,
)
from dlhub_registry import reads, retrain_jobs, retrain_sources
from dlhub_registry.instances import Instance
from dlhub_registry.periodic import Periodic
from dlhub_registry.publish_jobs import now_rfc3339
from dlhub_registry.python_servables import LOCK_PATH
from dlhub_registry.retrain_jobs import (
    FAILED,
    REJECTED,
    RETRAIN_JOBS,
    RETRAIN_LOCKS,
    RETRAIN_RECIPES,
    RETRAIN_SEEN,
    RUNNING,
    SUCCEEDED,
    RetrainJob,
)
from dlhub_registry.sharing import managed

log = logging.getLogger("dlhub.registry")

METADATA_PATH = "dlhub.json"
# Publishes a version as ``principal``: Registry.publish(principal, doc, announced, chunks).
PublishFn = Callable[
    [Principal, Any, list[Any], AsyncIterator[tuple[str, bytes]]], Awaitable[dict[str, Any]]
]


def recipe_of(record: dict[str, Any]) -> TrainingSpec | None:
    block = ((record.get("metadata") or {}).get("servable") or {}).get("training")
    return TrainingSpec.model_validate(block) if block else None


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
                await self.docs.delete(RETRAIN_RECIPES, key)
                return
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
                    {"job": job.id, "instance": self.instance.id, "pending": False},
                )
                break
            except AlreadyExists:
                lock = await self.docs.get(RETRAIN_LOCKS, key)
                if lock is None:
                    continue
                running = await self.docs.get(RETRAIN_JOBS, str(lock.get("job")))
                if (
                    running is not None
                    and running.get("state") == RUNNING
                    and await self._alive(running)
                ):
                    await self.docs.update(RETRAIN_LOCKS, key, {"pending": True})
                    return running, True
                if running is None and lock.get("instance") == self.instance.id:
                    # taken a moment ago by this process; the job document follows
                    await self.docs.update(RETRAIN_LOCKS, key, {"pending": True})
                    return {"id": lock["job"], "owner": owner, "name": name, "state": RUNNING}, True
                await self.docs.delete(RETRAIN_LOCKS, key)  # left by a dead job
        else:
            raise Unavailable(f"could not take the retrain lock of {key}; retry")
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
                    if await self._unseen(f"{owner}/{name}", source["prefix"]):
                        await self.start_job(owner, name, "objects", "")
                elif source.get("topic"):
                    self._listen(owner, name, source["topic"])
            except Exception as exc:
                log.warning("retrain trigger of %s/%s failed: %s", owner, name, exc)

    async def _unseen(self, key: str, prefix: str) -> list[retrain_sources.SourceObject]:
        listed = await retrain_sources.list_prefix(self.s3, prefix)
        seen_doc = await self.docs.get(RETRAIN_SEEN, key) or {}
        seen = set(seen_doc.get("seen", []))
        return [o for o in listed if o.seen_as not in seen]

    def _listen(self, owner: str, name: str, topic: str) -> None:
        key = f"{owner}/{name}"
        task = self._topics.get(key)
        if task is not None and not task.done():
            return
        self._topics[key] = asyncio.create_task(
            self._consume(owner, name, topic), name=f"retrain topic {key}"
        )

    async def _consume(self, owner: str, name: str, topic: str) -> None:
        key = f"{owner}/{name}"
        group = f"retrain.{owner}.{name}"
        async with self.bus.subscribe([topic], group) as sub:
            async for delivery in sub:
                doc = await self.docs.get(RETRAIN_SEEN, key) or {"events": []}
                events = [*doc.get("events", []), delivery.value.decode("utf-8", "replace")]
                await self.docs.put(RETRAIN_SEEN, key, {**doc, "events": events[-1000:]})
                await delivery.ack()
                try:
                    await self.start_job(owner, name, "topic", "")
                except DLHubError as exc:
                    log.warning("retrain trigger of %s on %s failed: %s", key, topic, exc.message)

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
            await self._work(job)
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
            if lock.get("pending"):
                await self.start_job(owner, name, "queued", "")
        except Exception:
            log.warning("could not release the retrain lock of %s", key, exc_info=True)

    async def _work(self, job: RetrainJob) -> None:
        assert self.trainer is not None
        owner, name = job.doc["owner"], job.doc["name"]
        principal = Principal(owner)  # the recipe runs with the owner's rights
        record, _versions, _latest = await reads.get(self.docs, principal, Ref(owner, name, 0))
        spec = recipe_of(record)
        if spec is None:
            raise FailedPrecondition(f"{owner}/{name}:{record['version']} has no training recipe")
        version = int(record["version"])
        job.doc["base_version"] = version
        acc = spec.acceptance
        job.line(
            f"retraining {owner}/{name}:{version} with {spec.module}:{spec.function};"
            f" acceptance {acc.rule} (margin {acc.margin:g}) on {acc.benchmark}"
        )
        bench_ref = parse_ref(acc.benchmark)
        bench, _v, _l = await reads.get(self.docs, principal, bench_ref)
        bench_block = bench["metadata"].get("servable") or {}
        if bench_block.get("type") != "benchmark":
            raise FailedPrecondition(f"acceptance benchmark {acc.benchmark} is not a benchmark")
        metric = (bench_block.get("benchmark") or {}).get("metric")
        if not isinstance(metric, str):
            raise FailedPrecondition(
                f"{acc.benchmark} scores with a metric servable; retraining supports the"
                f" built-in metrics ({', '.join(metrics.METRICS)}) only"
            )
        output = (bench_block.get("benchmark") or {}).get("output")
        await job.save()
        with tempfile.TemporaryDirectory(prefix="retrain-", dir=self.scratch_dir) as tmp_name:
            tmp = Path(tmp_name)
            data_dir = tmp / "data"
            data_dir.mkdir()
            await self._stage(job, spec, data_dir)
            previous, current, out, candidate = (
                tmp / d for d in ("previous", "current", "out", "candidate")
            )
            user_paths = await self._download(record, previous)
            shutil.copytree(previous, current)
            out.mkdir()
            env = Environment(
                python=str(record["metadata"]["servable"].get("python") or "3.11"),
                lock=(previous / LOCK_PATH).read_bytes()
                if (previous / LOCK_PATH).exists()
                else b"",
            )
            job.line("training")
            await job.save()
            outcome = await self.trainer.train(
                TrainCall(
                    env=env,
                    previous_dir=str(previous),
                    module=spec.module,
                    function=spec.function,
                    data_dir=str(data_dir),
                    out_dir=str(out),
                    limits=TrainLimits(
                        self.config.cpu_time_s, self.config.memory_bytes, self.config.wall_timeout_s
                    ),
                )
            )
            for ln in outcome.log.splitlines()[-20:]:
                job.line(f"train: {ln}")
            job.line(f"trained: {', '.join(outcome.files)}")
            shutil.copytree(current, candidate)
            for rel in outcome.files:
                target = candidate / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(out / rel, target)
            cand_paths = sorted({*user_paths, *outcome.files})
            job.doc["candidate"] = [_file_info(candidate, p) for p in cand_paths]
            await job.save()
            data = await self._benchmark_data(bench, tmp / "benchmark")
            run_details = record["metadata"]["servable"]["methods"]["run"].get("method_details", {})
            scores = {}
            for label, bundle in (("previous", current), ("candidate", candidate)):
                predictions = await self.trainer.predict(
                    PredictCall(
                        env=env,
                        bundle_dir=str(bundle),
                        servable_type=record["metadata"]["servable"]["type"],
                        method_details=run_details,
                        inputs=list(data.inputs),
                        batch_size=int(bench_block["benchmark"].get("batch_size") or 64),
                        call_timeout_s=self.config.eval_call_timeout_s,
                    )
                )
                if output:
                    predictions = [p[output] if isinstance(p, dict) else p for p in predictions]
                scores[label] = metrics.compute(metric, data.references, predictions)
                job.line(f"{label} scores {metric} = {scores[label]:.6g} on {acc.benchmark}")
            passed, reason = _accept(
                metric, acc.rule, acc.margin, scores["candidate"], scores["previous"]
            )
            job.doc["score"] = {
                "metric": metric,
                "candidate": scores["candidate"],
                "previous": scores["previous"],
                "rule": acc.rule,
                "margin": acc.margin,
                "passed": passed,
                "reason": reason,
            }
            job.line(reason)
            if not passed:
                await job.finish(REJECTED)
                return
            doc = derived_metadata(
                record,
                {
                    "derived_from": f"{owner}/{name}:{version}",
                    "data_digest": job.doc["data"]["digest"],
                    "job": job.id,
                    "benchmark": acc.benchmark,
                    "metric": metric,
                    "score": scores["candidate"],
                    "previous_score": scores["previous"],
                },
                [p for p in cand_paths if p not in (LOCK_PATH, METADATA_PATH)],
            )
            publish_paths = [p for p in cand_paths if p != LOCK_PATH]
            job.line(f"publishing the candidate as the next version of {owner}/{name}")
            await job.save()
            published = await self._publish(principal, doc, [], _chunks(candidate, publish_paths))
        job.line(f"published {owner}/{name}:{published['version']} ({published['publish_id']})")
        await job.finish(
            SUCCEEDED, version=int(published["version"]), publish_id=published["publish_id"]
        )

    async def _stage(self, job: RetrainJob, spec: TrainingSpec, data_dir: Path) -> None:
        key = f"{job.doc['owner']}/{job.doc['name']}"
        source = spec.source
        seen_doc = await self.docs.get(RETRAIN_SEEN, key) or {}
        if source.prefix is not None:
            new = (await self._unseen(key, source.prefix))[: self.config.max_objects]
            # claimed before training: a restart never retrains for them again
            seen = [*seen_doc.get("seen", []), *(o.seen_as for o in new)]
            await self.docs.put(RETRAIN_SEEN, key, {**seen_doc, "seen": seen})
            digest = await retrain_sources.stage(
                self.s3, source.prefix, new, data_dir, self.config.max_data_bytes
            )
            job.doc["data"] = {
                "objects": [o.key for o in new],
                "bytes": sum(o.size for o in new),
                "digest": digest,
            }
            job.line(f"staged {len(new)} new object(s) from {source.prefix} ({digest})")
        else:
            events = list(seen_doc.get("events", []))
            await self.docs.put(RETRAIN_SEEN, key, {**seen_doc, "events": []})
            names = [f"event-{i:05d}.json" for i in range(len(events))]
            for file_name, text in zip(names, events, strict=True):
                (data_dir / file_name).write_text(text)
            digest = retrain_sources.digest_of(
                {
                    n: hashlib.sha256(t.encode()).hexdigest()
                    for n, t in zip(names, events, strict=True)
                }
            )
            job.doc["data"] = {
                "objects": names,
                "bytes": sum(len(t.encode()) for t in events),
                "digest": digest,
            }
            job.line(f"staged {len(events)} event(s) from topic {source.topic} ({digest})")
        await job.save()

    async def _download(self, record: dict[str, Any], folder: Path) -> list[str]:
        """The version's artifacts (not dlhub.json) into ``folder``; returns the
        publisher's paths (not the lock)."""
        paths = []
        for art in record["artifacts"]:
            if art["path"] == METADATA_PATH:
                continue
            target = folder.joinpath(*art["path"].split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            await self.objects.download(art["key"], target)
            if art["path"] != LOCK_PATH:
                paths.append(art["path"])
        return paths

    async def _benchmark_data(
        self, bench: dict[str, Any], folder: Path
    ) -> benchmark_data.BenchmarkData:
        await self._download(bench, folder)
        data = benchmark_data.load_dir(folder)
        if data.kind != "json":
            raise FailedPrecondition(
                "retraining scores python servables on JSON benchmarks (data.json);"
                f" {bench['owner']}/{bench['name']} holds tensors"
            )
        return data


def _accept(
    metric: str, rule: str, margin: float, candidate: float, previous: float
) -> tuple[bool, str]:
    sign = 1.0 if metrics.higher_is_better(metric) else -1.0
    gain = sign * (candidate - previous)  # > 0: the candidate is better
    words = "higher" if sign > 0 else "lower"
    if rule == "no_worse":
        passed = gain >= 0
        need = f"no worse than the current version ({metric}, {words} is better)"
    else:
        passed = gain >= margin and gain > 0
        need = (
            f"better than the current version by at least {margin:g} ({metric}, {words} is better)"
        )
    verdict = "accepted" if passed else "rejected"
    return passed, (
        f"{verdict}: candidate {metric} {candidate:.6g}, current {previous:.6g};"
        f" the rule asks {need}"
    )


def _file_info(folder: Path, rel: str) -> dict[str, Any]:
    data = (folder / rel).read_bytes()
    return {"path": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


async def _chunks(folder: Path, paths: list[str]) -> AsyncIterator[tuple[str, bytes]]:
    for rel in paths:
        with (folder / rel).open("rb") as f:
            while chunk := f.read(1 << 20):
                yield rel, chunk


def derived_metadata(
    record: dict[str, Any], lineage: dict[str, Any], paths: list[str]
) -> dict[str, Any]:
    """The next version's metadata: the current one's, less the fields assigned
    at publish, with the candidate's files and its lineage."""
    doc = copy.deepcopy(record["metadata"])
    for key in ("version", "publication_date", "identifier", "digest"):
        doc["dlhub"].pop(key, None)
    doc["datacite"].pop("identifier", None)
    doc["datacite"].pop("publicationYear", None)
    model = doc["dlhub"].get("files", {}).get("model")
    doc["dlhub"]["files"] = {"model": model, "other": sorted(p for p in paths if p != model)}
    related = [
        r
        for r in doc["datacite"].get("relatedIdentifiers", [])
        if r.get("relationType") != "IsDerivedFrom"
    ]
    doi = record.get("doi")
    related.append(
        {
            "relatedIdentifier": doi or record["identifier"],
            "relatedIdentifierType": "DOI" if doi else "URN",
            "relationType": "IsDerivedFrom",
        }
    )
    doc["datacite"]["relatedIdentifiers"] = related
    doc["servable"]["training"]["lineage"] = lineage
    return doc
