"""One retrain job's work: stage, train, score, then publish or reject.

:class:`RetrainRun` runs the steps of a job (:mod:`dlhub_registry.retrain`
starts it, holds the lock and records failures):

1. resolve the latest version and the acceptance benchmark as the owner;
2. stage the new data (objects no job was given before, or the topic's
   events) into a fresh directory, marking them seen before training;
3. train in the servable's own environment (the :class:`Trainer`), with the
   limits of ``retrain.*``; the candidate is the previous version's files
   with the function's files over them;
4. score the current version and the candidate on the benchmark's data
   (the benchmark contract: batches of ``batch_size`` sent as one JSON list)
   with the benchmark's metric (``dlhub_common.metrics``);
5. publish the candidate through the registry's publish path (every check
   applies) when it passes the rule, with its lineage; else REJECTED.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlhub_common import benchmark_data, metrics
from dlhub_common.backends import S3ObjectsConfig
from dlhub_common.errors import FailedPrecondition
from dlhub_common.identity import Principal
from dlhub_common.names import Ref, parse_ref
from dlhub_common.ports import DocumentStore, ObjectStore
from dlhub_common.retrain_settings import RetrainSettings
from dlhub_common.training_spec import (
    Environment,
    PredictCall,
    TrainCall,
    Trainer,
    TrainingSpec,
    TrainLimits,
)
from dlhub_registry import reads, retrain_sources
from dlhub_registry.python_servables import LOCK_PATH
from dlhub_registry.retrain_jobs import REJECTED, RETRAIN_SEEN, SUCCEEDED, RetrainJob

METADATA_PATH = "dlhub.json"
# Publishes a version as ``principal``: Registry.publish(principal, doc, announced, chunks).
PublishFn = Callable[
    [Principal, Any, list[Any], AsyncIterator[tuple[str, bytes]]], Awaitable[dict[str, Any]]
]


def recipe_of(record: dict[str, Any]) -> TrainingSpec | None:
    block = ((record.get("metadata") or {}).get("servable") or {}).get("training")
    return TrainingSpec.model_validate(block) if block else None


async def unseen(
    docs: DocumentStore, s3: S3ObjectsConfig | None, key: str, prefix: str
) -> list[retrain_sources.SourceObject]:
    """The objects under ``prefix`` that no job of ``key`` (owner/name) was given."""
    listed = await retrain_sources.list_prefix(s3, prefix)
    seen = set((await docs.get(RETRAIN_SEEN, key) or {}).get("seen", []))
    return [o for o in listed if o.seen_as not in seen]


@dataclass(frozen=True)
class Benchmark:
    ref: str
    record: dict[str, Any]
    metric: str
    output: str | None
    batch_size: int


class RetrainRun:
    """Runs jobs with the registry's stores, a trainer and the publish path."""

    def __init__(
        self,
        docs: DocumentStore,
        objects: ObjectStore,
        publish: PublishFn,
        trainer: Trainer,
        config: RetrainSettings,
        s3: S3ObjectsConfig | None,
        scratch_dir: Path | None,
    ) -> None:
        self.docs = docs
        self.objects = objects
        self.publish = publish
        self.trainer = trainer
        self.config = config
        self.s3 = s3
        self.scratch_dir = scratch_dir

    async def run(self, job: RetrainJob) -> None:
        """Every step; the job ends SUCCEEDED or REJECTED here, or this raises."""
        owner, name = job.doc["owner"], job.doc["name"]
        principal = Principal(owner)  # the recipe runs with the owner's rights
        record, _versions, _latest = await reads.get(self.docs, principal, Ref(owner, name, 0))
        spec = recipe_of(record)
        if spec is None:
            raise FailedPrecondition(f"{owner}/{name}:{record['version']} has no training recipe")
        job.doc["base_version"] = int(record["version"])
        acc = spec.acceptance
        job.line(
            f"retraining {owner}/{name}:{record['version']} with {spec.module}:{spec.function};"
            f" acceptance {acc.rule} (margin {acc.margin:g}) on {acc.benchmark}"
        )
        bench = await self._benchmark(principal, acc.benchmark)
        await job.save()
        with tempfile.TemporaryDirectory(prefix="retrain-", dir=self.scratch_dir) as tmp_name:
            tmp = Path(tmp_name)
            (tmp / "data").mkdir()
            await self._stage(job, spec, tmp / "data")
            user_paths = await self._download(record, tmp / "previous")
            shutil.copytree(tmp / "previous", tmp / "current")
            lock = tmp / "previous" / LOCK_PATH
            env = Environment(
                python=str(record["metadata"]["servable"].get("python") or "3.11"),
                lock=lock.read_bytes() if lock.exists() else b"",
            )
            paths = await self._train(job, spec, env, tmp, user_paths)
            scores = {
                label: await self._score(job, record, env, bench, tmp / folder, tmp)
                for label, folder in (("previous", "current"), ("candidate", "candidate"))
            }
            passed, reason = accept(
                bench.metric, acc.rule, acc.margin, scores["candidate"], scores["previous"]
            )
            job.doc["score"] = {
                "metric": bench.metric,
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
            lineage = {
                "derived_from": f"{owner}/{name}:{record['version']}",
                "data_digest": job.doc["data"]["digest"],
                "job": job.id,
                "benchmark": bench.ref,
                "metric": bench.metric,
                "score": scores["candidate"],
                "previous_score": scores["previous"],
            }
            doc = derived_metadata(record, lineage, [p for p in paths if p != METADATA_PATH])
            job.line(f"publishing the candidate as the next version of {owner}/{name}")
            await job.save()
            published = await self.publish(principal, doc, [], _chunks(tmp / "candidate", paths))
        job.line(f"published {owner}/{name}:{published['version']} ({published['publish_id']})")
        await job.finish(
            SUCCEEDED, version=int(published["version"]), publish_id=published["publish_id"]
        )

    async def _benchmark(self, principal: Principal, ref: str) -> Benchmark:
        record, _v, _l = await reads.get(self.docs, principal, parse_ref(ref))
        block = record["metadata"].get("servable") or {}
        if block.get("type") != "benchmark":
            raise FailedPrecondition(f"the acceptance benchmark {ref} is not a benchmark")
        how = block.get("benchmark") or {}
        if not isinstance(how.get("metric"), str):
            raise FailedPrecondition(
                f"{ref} scores with a metric servable; retraining supports the built-in"
                f" metrics ({', '.join(metrics.METRICS)}) only"
            )
        return Benchmark(
            ref, record, how["metric"], how.get("output"), int(how.get("batch_size") or 64)
        )

    async def _train(
        self, job: RetrainJob, spec: TrainingSpec, env: Environment, tmp: Path, user: list[str]
    ) -> list[str]:
        """Train into ``tmp/out``, build ``tmp/candidate``; returns its paths (no lock)."""
        out, candidate = tmp / "out", tmp / "candidate"
        out.mkdir()
        job.line("training")
        await job.save()
        t0 = time.perf_counter()
        outcome = await self.trainer.train(
            TrainCall(
                env=env,
                previous_dir=str(tmp / "previous"),
                module=spec.module,
                function=spec.function,
                data_dir=str(tmp / "data"),
                out_dir=str(out),
                limits=TrainLimits(
                    self.config.cpu_time_s, self.config.memory_bytes, self.config.wall_timeout_s
                ),
            )
        )
        for ln in outcome.log.splitlines()[-20:]:
            job.line(f"train: {ln}")
        job.line(f"trained in {time.perf_counter() - t0:.2f} s: {', '.join(outcome.files)}")
        shutil.copytree(tmp / "current", candidate)
        for rel in outcome.files:
            (candidate / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out / rel, candidate / rel)
        paths = sorted({*user, *outcome.files} - {LOCK_PATH})
        job.doc["candidate"] = [_file_info(candidate, p) for p in paths]
        await job.save()
        return paths

    async def _score(
        self,
        job: RetrainJob,
        record: dict[str, Any],
        env: Environment,
        bench: Benchmark,
        bundle: Path,
        tmp: Path,
    ) -> float:
        folder = tmp / "benchmark"
        if not folder.exists():
            await self._download(bench.record, folder)
        data = benchmark_data.load_dir(folder)
        if data.kind != "json" or not isinstance(data.inputs, list):
            raise FailedPrecondition(
                "retraining scores python servables on JSON benchmarks (data.json);"
                f" {bench.ref} holds tensors"
            )
        servable = record["metadata"]["servable"]
        t0 = time.perf_counter()
        predictions = await self.trainer.predict(
            PredictCall(
                env=env,
                bundle_dir=str(bundle),
                servable_type=servable["type"],
                method_details=servable["methods"]["run"].get("method_details", {}),
                inputs=list(data.inputs),
                batch_size=bench.batch_size,
                call_timeout_s=self.config.eval_call_timeout_s,
            )
        )
        if bench.output:
            predictions = [p[bench.output] if isinstance(p, dict) else p for p in predictions]
        score = metrics.compute(bench.metric, data.references, predictions)
        label = "candidate" if bundle.name == "candidate" else "current version"
        job.line(
            f"{label}: {bench.metric} = {score:.6g} on {bench.ref}"
            f" ({len(data)} examples in {time.perf_counter() - t0:.2f} s)"
        )
        return score

    async def _stage(self, job: RetrainJob, spec: TrainingSpec, data_dir: Path) -> None:
        key = f"{job.doc['owner']}/{job.doc['name']}"
        source = spec.source
        seen_doc = await self.docs.get(RETRAIN_SEEN, key) or {}
        if source.prefix is not None:
            new = (await unseen(self.docs, self.s3, key, source.prefix))[: self.config.max_objects]
            # claimed before training: a restart never retrains for them again
            seen = [*seen_doc.get("seen", []), *(o.seen_as for o in new)]
            await self.docs.put(RETRAIN_SEEN, key, {**seen_doc, "seen": seen})
            digest = await retrain_sources.stage(
                self.s3, source.prefix, new, data_dir, self.config.max_data_bytes
            )
            names, size = [o.key for o in new], sum(o.size for o in new)
            where = source.prefix
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
            size, where = sum(len(t.encode()) for t in events), f"topic {source.topic}"
        job.doc["data"] = {"objects": names, "bytes": size, "digest": digest}
        job.line(f"staged {len(names)} new item(s) from {where} ({digest})")
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


def accept(
    metric: str, rule: str, margin: float, candidate: float, previous: float
) -> tuple[bool, str]:
    """Whether the candidate passes ``rule``, and the reason in words."""
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
    h, size = hashlib.sha256(), 0
    with (folder / rel).open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return {"path": rel, "size": size, "sha256": h.hexdigest()}


async def _chunks(folder: Path, paths: list[str]) -> AsyncIterator[tuple[str, bytes]]:
    for rel in paths:
        with (folder / rel).open("rb") as f:
            while chunk := f.read(1 << 20):
                yield rel, chunk


def derived_metadata(
    record: dict[str, Any], lineage: dict[str, Any], paths: list[str]
) -> dict[str, Any]:
    """The next version's metadata: the current one's, less the fields assigned
    at publish, with the candidate's files and its lineage (the DataCite
    ``IsDerivedFrom`` relation names the previous version: its DOI when it has
    one, else its DLHub identifier)."""
    doc: dict[str, Any] = copy.deepcopy(record["metadata"])
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
            # without a DOI, the version's identifier as a URN (DataCite's
            # schema and idutils check it): dlhub:o/n:v -> urn:dlhub:o/n:v
            "relatedIdentifier": doi or f"urn:{record['identifier']}",
            "relatedIdentifierType": "DOI" if doi else "URN",
            "relationType": "IsDerivedFrom",
        }
    )
    doc["datacite"]["relatedIdentifiers"] = related
    doc["servable"]["training"]["lineage"] = lineage
    return doc
