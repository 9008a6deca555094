"""Commit: turn received artifacts into a stored, visible version.

The model is checked (ONNX and torch load, python servables resolve their
environment), registry-written bundle files are added (``dlhub.json``, the
lock), a version number is allocated, and the record, its object
references and the head pointer are written before the PUBLISHED event is
sent. Should anything after the record fail, it is all removed again.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, Unavailable
from dlhub_common.metadata import canonical_json, compute_digest, validate_metadata
from dlhub_common.ports import DocumentStore, EventBus, ObjectInfo, ObjectStore
from dlhub_common.records import SERVABLES, record_id, summary_fields
from dlhub_registry.benchmarks import data_file as benchmark_data_file
from dlhub_registry.faults import faultpoint
from dlhub_registry.lifecycle import emit
from dlhub_registry.publish_jobs import PublishJob
from dlhub_registry.python_servables import (
    LOCK_PATH,
    check_python_servable,
    check_sklearn_servable,
)
from dlhub_registry.reads import HEADS
from dlhub_registry.validators import TORCH_KINDS, validate_onnx, validate_torch
from dlhub_registry.validators_keras import validate_keras

log = logging.getLogger("dlhub.registry")

# One document per (object key, version record) that uses the object.
OBJECT_REFS = "object_refs"
# The canonical stored metadata of a version, written by the registry as one
# more artifact at commit (see docs/architecture.md, "Bundles").
METADATA_PATH = "dlhub.json"
# Registry-written bundle files a publisher may not upload.
RESERVED_PATHS = (METADATA_PATH,)
# The executor-servable interface every new version is published for
# (python servables: the worker frame protocol; ONNX: the runner's contract).
INTERFACE_VERSION = 1


def onnx_runtime_requirement() -> str:
    """The runtime an ONNX servable needs, as a requirements line."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"onnxruntime=={version('onnxruntime')}"
    except PackageNotFoundError:
        return "onnxruntime>=1.18"


async def _single_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _put_bytes(objects: ObjectStore, job: PublishJob, data: bytes) -> ObjectInfo:
    """Store registry-written bytes, named in the job first."""
    digest = hashlib.sha256(data).hexdigest()
    await job.claim(f"sha256/{digest}")
    return await objects.put(_single_chunk(data), expected_sha256=digest)


async def commit(
    docs: DocumentStore,
    objects: ObjectStore,
    bus: EventBus,
    owner: str,
    metadata_doc: dict[str, Any],
    stored: dict[str, ObjectInfo],
    created: list[ObjectInfo],
    job: PublishJob,
    *,
    scratch_dir: Path | None,
) -> dict[str, Any]:
    """Check the received artifacts against the metadata, then write the
    version: its record, object references and head pointer, and the
    PUBLISHED event. Objects this stores are appended to ``created``; on
    failure the record, references and head are restored here, and the
    caller discards ``created``.
    """
    metadata = validate_metadata(metadata_doc)
    for reserved in RESERVED_PATHS:
        if reserved in stored:
            raise InvalidArgument(
                f"{reserved!r} is written by the registry into every bundle; do not upload it"
            )
    model_path = metadata.dlhub.files.model
    if metadata.servable.type == "pipeline":  # its steps are its content (pipelines.py)
        if stored:
            raise InvalidArgument(
                f"a pipeline has no artifacts of its own; remove {sorted(stored)}"
            )
        model_path = ""
    if model_path is None and metadata.servable.type == "python":
        model_path = str(metadata.run.method_details["module"])
    if model_path is None and metadata.servable.type == "sklearn":
        model_path = str(metadata.run.method_details["model"])
    if model_path is None and metadata.servable.type == "benchmark":
        model_path = benchmark_data_file(stored)
    if model_path is None:
        if len(stored) != 1:
            raise InvalidArgument(
                f"dlhub.files.model must name the model file among the artifacts {sorted(stored)}"
            )
        model_path = next(iter(stored))
    if model_path not in stored and metadata.servable.type != "pipeline":
        raise InvalidArgument(
            f"dlhub.files.model {model_path!r} is not among the uploaded artifacts {sorted(stored)}"
        )
    for other in metadata.dlhub.files.other:
        if other not in stored:
            raise InvalidArgument(f"dlhub.files.other lists {other!r}, which was not uploaded")
    # Model files the registry can check, by servable type (downloaded to scratch).
    checks = {"onnx": (validate_onnx, "ONNX model", "loads and matches the declared signature")}
    for kind in TORCH_KINDS:
        checks[kind] = (validate_torch, f"{kind} model", "loads and checks out")
    checks["keras"] = (validate_keras, "Keras model", "is a Keras model of built-in layers")
    if metadata.servable.type in checks:
        check, label, verdict = checks[metadata.servable.type]
        with tempfile.TemporaryDirectory(dir=scratch_dir) as tmp:
            local = Path(tmp) / PurePosixPath(model_path).name
            await objects.download(stored[model_path].key, local)
            await check(metadata, local)
        job.line(f"{label} {model_path} {verdict}")
    lock = b""
    # registry-written bundle files outside the digest (see "Bundles")
    extra: dict[str, ObjectInfo] = {}
    if metadata.servable.type in ("python", "sklearn"):
        # the resolved environment becomes one more artifact of the version
        job.line(
            f"resolving {len(metadata.servable.dependencies)} dependencies"
            f" for python {metadata.servable.python}"
        )
        if metadata.servable.type == "sklearn":
            # the model file is checked for presence only: it is a pickle,
            # and only the servable's own worker ever loads it
            lock = await check_sklearn_servable(metadata, stored, scratch_dir)
        else:
            lock = await check_python_servable(metadata, stored, objects, scratch_dir)
        for ln in lock.decode("utf-8", "replace").splitlines():
            if ln.strip() and not ln.lstrip().startswith("#"):
                job.line(f"resolved: {ln.strip()}")
        info = await _put_bytes(objects, job, lock)
        if info.created:
            created.append(info)
        stored = {**stored, LOCK_PATH: info}
    elif metadata.servable.type == "onnx" and LOCK_PATH not in stored:
        # the runtime requirement, so the bundle says what runs it; it
        # describes this registry's runtime, not the publisher's content,
        # so it stays out of the digest and of dlhub.files
        requirement = onnx_runtime_requirement()
        info = await _put_bytes(
            objects, job, f"# runtime of this ONNX servable\n{requirement}\n".encode()
        )
        if info.created:
            created.append(info)
        extra[LOCK_PATH] = info
        job.line(f"runtime requirement: {requirement}")

    doc = metadata.to_doc()
    name = metadata.dlhub.name
    files: dict[str, Any] = {"other": sorted(p for p in stored if p != model_path)}
    if model_path:
        files["model"] = model_path
    doc["dlhub"].update(owner=owner, files=files)
    artifacts = {p: i.sha256 for p, i in stored.items()}
    digest = compute_digest(doc, artifacts)
    job.line(f"digest {digest}")
    now = datetime.now(UTC)
    for _attempt in range(8):
        head = await docs.get(HEADS, f"{owner}/{name}")
        version = int(head["version"]) + 1 if head else 1
        # co-owners are servable-wide: the new version keeps them (sharing.py)
        newest = await docs.find(
            SERVABLES, {"owner": owner, "name": name}, sort=[("version", -1)], limit=1
        )
        previous = newest[0] if newest else None
        doc["dlhub"].update(
            owner=owner,
            version=version,
            publication_date=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            identifier=f"dlhub:{owner}/{name}:{version}",
            digest=digest,
        )
        doc["datacite"].setdefault("publicationYear", str(now.year))
        # dlhub.json: this version's canonical metadata, stored as one more
        # artifact. It carries the digest, so the digest cannot cover it;
        # it covers every other artifact and this metadata less the fields
        # assigned here (version, dates, identifier, digest).
        meta_info = await _put_bytes(objects, job, canonical_json(doc))
        if meta_info.created:
            created.append(meta_info)
        bundle = {**stored, **extra, METADATA_PATH: meta_info}
        record = {
            "owner": owner,
            "name": name,
            "version": version,
            "metadata": doc,
            "artifacts": [
                {"path": p, "key": i.key, "size": i.size, "sha256": i.sha256}
                for p, i in sorted(bundle.items())
            ],
            "interface_version": INTERFACE_VERSION,
            "model_path": model_path,
            "published_at": doc["dlhub"]["publication_date"],
            "digest": digest,
            "identifier": doc["dlhub"]["identifier"],
            # which publish wrote it: crash recovery undoes only its own records
            "publish_id": job.id,
            **summary_fields(doc),
            "co_owners": list((previous or {}).get("co_owners", [])),
        }
        rid = record_id(owner, name, version)
        refs = [f"{info.key}@{rid}" for info in bundle.values()]
        await job.checkpoint(
            stage="commit",
            record=rid,
            refs=refs,
            target={"owner": owner, "name": name, "version": version},
        )
        for ref, info in zip(refs, bundle.values(), strict=True):
            await docs.put(OBJECT_REFS, ref, {"key": info.key, "record": rid})
        try:
            await docs.insert(SERVABLES, rid, record)
        except AlreadyExists:
            for ref in refs:
                await docs.delete(OBJECT_REFS, ref)
            if meta_info.created:  # it names the version we did not get
                created.remove(meta_info)
                await objects.delete(meta_info.key)
            continue  # a concurrent publish took this version number
        break
    else:
        raise FailedPrecondition(f"could not allocate a version for {owner}/{name}; retry")
    faultpoint("publish.mid_commit")
    try:
        for info in bundle.values():
            # Another registry replica may have discarded shared bytes
            # between our put and our reference; never commit a dangling one.
            if await objects.stat(info.key) is None:
                raise Unavailable(f"artifact {info.key} vanished during publish; retry")
        await docs.put(
            HEADS,
            f"{owner}/{name}",
            {
                "owner": owner,
                "name": name,
                "version": version,
                "published_at": record["published_at"],
            },
        )
        faultpoint("publish.after_commit")
        await emit(bus, bus_pb2.SERVABLE_EVENT_KIND_PUBLISHED, record, latest=True)
    except BaseException:
        await docs.delete(SERVABLES, rid)
        for ref in refs:
            await docs.delete(OBJECT_REFS, ref)
        if head:
            await docs.put(HEADS, f"{owner}/{name}", head)
        else:
            await docs.delete(HEADS, f"{owner}/{name}")
        raise
    # the commit point: from here on a crash keeps the version
    job.doc.update(stage="committed", committed=True)
    await job.save()
    log.info("published %s/%s:%d (%s)", owner, name, version, digest)
    return record
