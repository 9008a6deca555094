"""Publish: receive a new version's artifacts, validate and commit them.

Publishing is all-or-nothing. Artifacts are streamed into the object store,
checked, and only then is the version record written and the event sent. On
any failure the record, the head pointer and every object this publish
created are removed again, so nothing half-written is ever visible. Should
the process die instead, the job names what it wrote and the leftover
collector (:mod:`dlhub_registry.leftovers`) removes it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from dlhub_common import audit
from dlhub_common.benchmark_spec import BENCHMARK_TYPE
from dlhub_common.errors import (
    DLHubError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    Unauthenticated,
)
from dlhub_common.identity import Principal
from dlhub_common.metadata import validate_metadata
from dlhub_common.observability.service_metrics import PUBLISHED, publish_outcome
from dlhub_common.ports import DocumentStore, EventBus, ObjectInfo, ObjectStore
from dlhub_registry import benchmarks, pipelines
from dlhub_registry.commit import OBJECT_REFS, commit
from dlhub_registry.datacite import DataCiteClient
from dlhub_registry.faults import faultpoint
from dlhub_registry.lifecycle import mint
from dlhub_registry.publish_jobs import FAILED, SUCCEEDED, PublishJob
from dlhub_registry.sharing import managed
from dlhub_registry.uploads import UploadSessions

log = logging.getLogger("dlhub.registry")

MAX_ARTIFACTS = 1000


@dataclass(frozen=True)
class AnnouncedArtifact:
    path: str
    size: int = -1
    sha256: str = ""


MAX_PATH_CHARS = 1024
MAX_PATH_PART_CHARS = 255


def check_artifact_path(path: str) -> str:
    """Relative POSIX paths only: no absolute paths, '..', '.', empty parts,
    backslashes or control characters, at most 1024 characters and 255 per part."""
    shown = repr(path) if len(path) <= 80 else repr(path[:77]) + "..."
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or any(p in ("", "..", ".") for p in path.split("/")):
        raise InvalidArgument(
            f"invalid artifact path {shown}: use a relative path like 'model.onnx'"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in path) or "\\" in path:
        raise InvalidArgument(
            f"invalid artifact path {shown}: no control characters or backslashes"
        )
    if len(path) > MAX_PATH_CHARS or any(len(p) > MAX_PATH_PART_CHARS for p in path.split("/")):
        raise InvalidArgument(
            f"invalid artifact path {shown}: at most {MAX_PATH_CHARS} characters,"
            f" {MAX_PATH_PART_CHARS} per part"
        )
    return path


class _FileReader:
    """Yields one file's chunks from the (path, bytes) stream; stops at the
    first chunk of the next file and keeps it in ``next_file``."""

    def __init__(self, path: str, first: bytes, stream: AsyncIterator[tuple[str, bytes]]) -> None:
        self.path = path
        self.first = first
        self.stream = stream
        self.next_file: tuple[str, bytes] | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        yield self.first
        async for item in self.stream:
            if item[0] != self.path:
                self.next_file = item
                return
            yield item[1]


async def _handed_over(chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """``chunks``, then the fault point reached once the store has them all."""
    async for chunk in chunks:
        yield chunk
    faultpoint("publish.mid_store")


class Publisher:
    """Publishes new versions as publish jobs; the stores are the registry's.

    ``_holds`` counts the object keys held by publishes in flight in this
    process (one Publisher per :class:`~dlhub_registry.core.Registry`).
    """

    def __init__(
        self,
        docs: DocumentStore,
        objects: ObjectStore,
        bus: EventBus,
        *,
        max_artifact_bytes: int,
        scratch_dir: Path | None,
        datacite: DataCiteClient | None,
        uploads: UploadSessions | None,
        instance_id: str = "",
    ) -> None:
        self.docs = docs
        # the registry instance whose jobs these are (dlhub_registry.instances)
        self.instance_id = instance_id
        self.objects = objects
        self.bus = bus
        self.max_artifact_bytes = max_artifact_bytes
        self.scratch_dir = scratch_dir
        self.datacite = datacite
        self.uploads = uploads
        # Object keys held by publishes in flight in this process.
        self._holds: Counter[str] = Counter()

    async def publish(
        self,
        principal: Principal,
        metadata_doc: Any,
        announced: list[AnnouncedArtifact],
        chunks: AsyncIterator[tuple[str, bytes]],
        uploads: list[tuple[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Publish a new version as a publish job; returns the stored record
        with ``publish_id`` added.

        The job (collection ``publish_jobs``) records the steps and, on
        failure, the error; the error is raised as well, with ``publish_id``
        in its details, so the owner can read the log afterwards.

        Args:
            principal: the caller; the owner, unless the metadata names
                another owner (``dlhub.owner``) whose servable the caller co-owns.
            metadata_doc: the metadata document (validated here).
            announced: artifacts the header announced (may be empty).
            chunks: (path, bytes) pieces, file after file.
            uploads: (path, upload id) of artifacts sent as upload sessions;
                each must be the caller's and complete. They are streamed
                into the object store (sha256 verified) within the
                all-or-nothing block and deleted once the version commits.
        """
        if principal.anonymous or principal.username is None:
            PUBLISHED.labels("denied").inc()
            raise Unauthenticated(
                "publishing needs a token: pass --token or set DLHUB_TOKEN"
                " (`dlhub up` writes one to <data dir>/client.json)"
            )
        job = PublishJob(self.docs, principal.username, self.instance_id)
        job.line(f"publish started by {principal.username}")
        await job.checkpoint()  # the undo log exists before anything is written
        try:
            record = await self._publish(principal, metadata_doc, announced, chunks, uploads, job)
        except BaseException as exc:
            PUBLISHED.labels(publish_outcome(exc)).inc()
            if isinstance(exc, DLHubError):
                job.line(f"failed: {exc.code.value}: {exc.message}")
                exc.details = {**exc.details, "publish_id": job.id}
                await job.finish(FAILED, error_code=exc.code.value)
            else:
                job.line(f"failed: {type(exc).__name__}")
                await job.finish(FAILED, error_code="INTERNAL")
            raise
        if record.get("doi"):
            job.line(f"DOI {record['doi']} registered")
        elif record.get("doi_error"):
            job.line(f"no DOI: {record['doi_error']}")
        target = f"{record['owner']}/{record['name']}:{record['version']}"
        PUBLISHED.labels("ok").inc()
        job.line(f"published {target}")
        try:
            await audit.record(
                self.docs,
                principal.username,
                "servable.publish",
                target,
                {
                    "publish_id": job.id,
                    "digest": record["digest"],
                    "visible_to": record.get("visible_to", []),
                    "co_owners": record.get("co_owners", []),
                },
            )
        except Exception:  # committed and visible: the publish stands
            log.exception("could not append the audit entry of publishing %s", target)
        await job.finish(
            SUCCEEDED,
            servable={
                "owner": record["owner"],
                "name": record["name"],
                "version": int(record["version"]),
            },
        )
        return {**record, "publish_id": job.id}

    async def _publish(
        self,
        principal: Principal,
        metadata_doc: Any,
        announced: list[AnnouncedArtifact],
        chunks: AsyncIterator[tuple[str, bytes]],
        uploads: list[tuple[str, str]] | None,
        job: PublishJob,
    ) -> dict[str, Any]:
        assert principal.username is not None
        if pipelines.is_pipeline(metadata_doc):  # steps checked as the publisher, frozen
            owner = metadata_doc.get("dlhub", {}).get("owner") or principal.username
            metadata_doc = await pipelines.prepare(
                self.docs, principal, str(owner), metadata_doc, job
            )
        metadata = validate_metadata(metadata_doc)
        # a co-owner publishes into the owner's name with dlhub.owner set
        owner = metadata.dlhub.owner or principal.username
        job.doc["name"] = metadata.dlhub.name
        job.line(f"metadata valid: {owner}/{metadata.dlhub.name}, type {metadata.servable.type}")
        if owner != principal.username:
            try:
                await managed(self.docs, principal, owner, metadata.dlhub.name, "publish into")
            except NotFound as exc:  # the same words whether it exists or not
                raise NotFound(
                    f"{exc.message}: you may publish as '{principal.username}', or as"
                    f" '{owner}' only into a servable of theirs you co-own"
                ) from None
            job.line(f"{principal.username} co-owns {owner}/{metadata.dlhub.name}")
        if len(announced) > MAX_ARTIFACTS:
            raise InvalidArgument(f"too many artifacts: {len(announced)} (limit {MAX_ARTIFACTS})")
        created: list[ObjectInfo] = []
        held: list[str] = []
        try:
            stored = await self._receive(announced, chunks, created, held, job)
            used = await self._receive_uploads(
                principal, announced, uploads or [], stored, created, held, job
            )
            missing = {a.path for a in announced} - stored.keys()
            if missing:
                raise InvalidArgument(f"announced artifacts never arrived: {sorted(missing)}")
            faultpoint("publish.after_upload")
            for path in sorted(stored):
                job.line(
                    f"received {path} ({stored[path].size} bytes, sha256 {stored[path].sha256})"
                )
            if metadata.servable.type == BENCHMARK_TYPE:
                data = await benchmarks.load_data(self.objects, stored, self.scratch_dir)
                metadata_doc = await benchmarks.check_benchmark(
                    self.docs, principal, metadata, data, job
                )
            record = await commit(
                self.docs,
                self.objects,
                self.bus,
                owner,
                metadata_doc,
                stored,
                created,
                job,
                scratch_dir=self.scratch_dir,
            )
        except BaseException:
            await self._discard(created, held)
            raise
        finally:
            for key in held:
                self._holds[key] -= 1
                if self._holds[key] <= 0:
                    del self._holds[key]
        if self.uploads is not None:
            for upload_id in used:
                try:
                    await self.uploads.delete(upload_id)
                except Exception:  # expiry removes it later
                    log.warning("could not remove upload session %s after publishing", upload_id)
        if self.datacite is not None:
            # After the commit, outside the all-or-nothing block: a DataCite
            # failure never undoes a publish (see lifecycle.mint).
            record, _error = await mint(self.docs, self.bus, self.datacite, record)
        return record

    async def _discard(self, created: list[ObjectInfo], held: list[str]) -> None:
        """Delete what a failed publish stored, unless something else uses it.

        Objects are content-addressed, so the same bytes may belong to another
        publish in flight in this process (a hold) or to a committed version
        (an object reference).
        """
        for info in created:
            if self._holds.get(info.key, 0) > held.count(info.key):
                continue
            try:
                if await self.docs.count(OBJECT_REFS, {"key": info.key}):
                    continue
                await self.objects.delete(info.key)
            except Exception:  # best effort; the original error matters more
                log.warning("could not remove artifact %s after a failed publish", info.key)

    async def _receive(
        self,
        announced: list[AnnouncedArtifact],
        chunks: AsyncIterator[tuple[str, bytes]],
        created: list[ObjectInfo],
        held: list[str],
        job: PublishJob,
    ) -> dict[str, ObjectInfo]:
        expected = {a.path: a for a in announced}
        if len(expected) != len(announced):
            raise InvalidArgument("an artifact path is announced twice")
        for path in expected:
            check_artifact_path(path)
        stored: dict[str, ObjectInfo] = {}
        it = aiter(chunks)
        pending = await anext(it, None)
        while pending is not None:
            path = check_artifact_path(pending[0])
            if path in stored:
                raise InvalidArgument(f"artifact {path!r} was sent twice or its chunks interleaved")
            if expected and path not in expected:
                raise InvalidArgument(f"artifact {path!r} was not announced in the header")
            reader = _FileReader(path, pending[1], it)
            announced_info = expected.get(path)
            sha256 = (announced_info.sha256 or None) if announced_info else None
            if sha256:
                await job.claim(f"sha256/{sha256}")
            info = await self.objects.put(
                _handed_over(reader.chunks()),
                expected_sha256=sha256,
                max_bytes=self.max_artifact_bytes,
            )
            await job.claim(info.key)  # unannounced: named as soon as it is known
            self._holds[info.key] += 1
            held.append(info.key)
            if info.created:
                created.append(info)
            if announced_info and announced_info.size >= 0 and announced_info.size != info.size:
                raise InvalidArgument(
                    f"artifact {path!r} is {info.size} bytes,"
                    f" the header announced {announced_info.size}"
                )
            stored[path] = info
            pending = reader.next_file
            if len(stored) > MAX_ARTIFACTS:
                raise ResourceExhausted(f"too many artifacts (limit {MAX_ARTIFACTS})")
        return stored

    async def _receive_uploads(
        self,
        principal: Principal,
        announced: list[AnnouncedArtifact],
        refs: list[tuple[str, str]],
        stored: dict[str, ObjectInfo],
        created: list[ObjectInfo],
        held: list[str],
        job: PublishJob,
    ) -> list[str]:
        """Store complete upload sessions as artifacts; returns their ids."""
        if not refs:
            return []
        if self.uploads is None:
            raise FailedPrecondition("this registry does not offer upload sessions")
        if len(stored) + len(refs) > MAX_ARTIFACTS:
            raise ResourceExhausted(f"too many artifacts (limit {MAX_ARTIFACTS})")
        expected = {a.path: a for a in announced}
        ids = [upload_id for _path, upload_id in refs]
        if len(set(ids)) != len(ids):
            raise InvalidArgument("an upload is named twice in the header")
        for path, upload_id in refs:
            path = check_artifact_path(path)
            if path in stored:
                raise InvalidArgument(f"artifact {path!r} was sent twice (chunks and an upload)")
            doc = await self.uploads.get(principal, upload_id)
            size, received = int(doc["size"]), int(doc["received"])
            if received != size:
                raise FailedPrecondition(
                    f"upload {upload_id} for {path!r} is incomplete: {received} of {size}"
                    f" bytes received; resume it from offset {received}",
                    details={"received": received, "size": size},
                )
            announced_info = expected.get(path)
            if announced_info is not None and (
                (announced_info.size >= 0 and announced_info.size != size)
                or (announced_info.sha256 and announced_info.sha256 != doc["sha256"])
            ):
                raise InvalidArgument(
                    f"artifact {path!r}: the header announces another size or sha256"
                    f" than upload {upload_id} was created with"
                )
            await job.checkpoint(uploads=[*job.doc["uploads"], upload_id])
            await job.claim(f"sha256/{doc['sha256']}")
            try:
                info = await self.objects.put(
                    _handed_over(self.uploads.chunks(doc)),
                    expected_sha256=doc["sha256"],
                    max_bytes=self.max_artifact_bytes,
                )
            except InvalidArgument as exc:
                # the bytes can never match the declared digest: drop them
                await self.uploads.delete(upload_id)
                raise InvalidArgument(
                    f"artifact {path!r} (upload {upload_id}): {exc.message};"
                    " the upload is discarded, upload the file again",
                    details=exc.details,
                ) from None
            self._holds[info.key] += 1
            held.append(info.key)
            if info.created:
                created.append(info)
            stored[path] = info
        return ids
