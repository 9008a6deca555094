"""Registry core: validate, store and version servables; emit servable events.

Publishing is all-or-nothing. Artifacts are streamed into the object store,
checked, and only then is the version record written and the event sent. On
any failure the record, the head pointer and every object this publish
created are removed again, so nothing half-written is ever visible.
"""

from __future__ import annotations

import copy
import logging
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import (
    AlreadyExists,
    DLHubError,
    FailedPrecondition,
    InternalError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)
from dlhub_common.identity import Principal
from dlhub_common.metadata import canonical_json, compute_digest, validate_metadata
from dlhub_common.names import Ref
from dlhub_common.ports import DocumentStore, EventBus, ObjectInfo, ObjectStore
from dlhub_common.records import (
    DEPRECATED,
    SERVABLES,
    WITHDRAWN,
    latest_of,
    record_id,
    servable_pb,
    state_of,
    summary_fields,
)
from dlhub_common.topics import SEARCH_GROUP, SERVABLE_EVENTS
from dlhub_common.tracing import headers_with_context
from dlhub_registry.datacite import DataCiteClient
from dlhub_registry.publish_jobs import FAILED, PUBLISH_JOBS, SUCCEEDED, PublishJob
from dlhub_registry.python_servables import (
    LOCK_PATH,
    check_python_servable,
    check_sklearn_servable,
)
from dlhub_registry.uploads import UploadSessions
from dlhub_registry.validators import TORCH_KINDS, validate_onnx, validate_torch

log = logging.getLogger("dlhub.registry")

HEADS = "servable_heads"
# One document per (object key, version record) that uses the object.
OBJECT_REFS = "object_refs"
MAX_ARTIFACTS = 1000
MAX_REASON_CHARS = 2000
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


@dataclass(frozen=True)
class AnnouncedArtifact:
    path: str
    size: int = -1
    sha256: str = ""


def check_artifact_path(path: str) -> str:
    """Relative POSIX paths only: no absolute paths, '..', or empty parts."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or any(p in ("", "..", ".") for p in path.split("/")):
        raise InvalidArgument(
            f"invalid artifact path {path!r}: use a relative path like 'model.onnx'"
        )
    return path


async def _single_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


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


class Registry:
    """Servable lifecycle over a DocumentStore, an ObjectStore and an EventBus."""

    def __init__(
        self,
        docs: DocumentStore,
        objects: ObjectStore,
        bus: EventBus,
        *,
        max_artifact_bytes: int,
        scratch_dir: Path | None = None,
        datacite: DataCiteClient | None = None,
        uploads: UploadSessions | None = None,
    ) -> None:
        self.docs = docs
        self.objects = objects
        self.bus = bus
        self.max_artifact_bytes = max_artifact_bytes
        self.scratch_dir = scratch_dir
        # Mints a DOI for every published version when DataCite is configured.
        self.datacite = datacite
        # Object keys held by publishes in flight in this process.
        self._holds: Counter[str] = Counter()
        # Resumable upload sessions (large artifacts); None: not offered.
        self.uploads = uploads

    async def start(self) -> None:
        await self.docs.ensure_index(SERVABLES, ["owner", "name", "version"], unique=True)
        await self.docs.ensure_index(OBJECT_REFS, ["key"])
        # Events published before the indexer first joins must wait for it.
        await self.bus.ensure_group([SERVABLE_EVENTS], SEARCH_GROUP)
        await self.docs.ensure_index(HEADS, ["owner"])
        await self.docs.ensure_index(PUBLISH_JOBS, ["owner"])
        if self.uploads is not None:
            await self.uploads.start()

    async def stop(self) -> None:
        if self.uploads is not None:
            await self.uploads.stop()

    # ------------------------------------------------------------ publish

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
            principal: the caller; becomes the owner.
            metadata_doc: the metadata document (validated here).
            announced: artifacts the header announced (may be empty).
            chunks: (path, bytes) pieces, file after file.
            uploads: (path, upload id) of artifacts sent as upload sessions;
                each must be the caller's and complete. They are streamed
                into the object store (sha256 verified) within the
                all-or-nothing block and deleted once the version commits.
        """
        if principal.anonymous or principal.username is None:
            raise Unauthenticated(
                "publishing needs a token: pass --token or set DLHUB_TOKEN"
                " (`dlhub up` writes one to <data dir>/client.json)"
            )
        job = PublishJob(self.docs, principal.username)
        job.line(f"publish started by {principal.username}")
        await job.save()
        try:
            record = await self._publish(principal, metadata_doc, announced, chunks, uploads, job)
        except BaseException as exc:
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
        job.line(f"published {record['owner']}/{record['name']}:{record['version']}")
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
        metadata = validate_metadata(metadata_doc)
        job.line(
            f"metadata valid: {principal.username}/{metadata.dlhub.name},"
            f" type {metadata.servable.type}"
        )
        owner = principal.username
        if metadata.dlhub.owner not in (None, owner):
            raise PermissionDenied(
                f"cannot publish as owner {metadata.dlhub.owner!r} while signed in as {owner!r}"
            )
        if len(announced) > MAX_ARTIFACTS:
            raise InvalidArgument(f"too many artifacts: {len(announced)} (limit {MAX_ARTIFACTS})")
        created: list[ObjectInfo] = []
        held: list[str] = []
        try:
            stored = await self._receive(announced, chunks, created, held)
            used = await self._receive_uploads(
                principal, announced, uploads or [], stored, created, held
            )
            missing = {a.path for a in announced} - stored.keys()
            if missing:
                raise InvalidArgument(f"announced artifacts never arrived: {sorted(missing)}")
            for path in sorted(stored):
                job.line(
                    f"received {path} ({stored[path].size} bytes, sha256 {stored[path].sha256})"
                )
            record = await self._commit(owner, metadata_doc, stored, created, job)
        except BaseException:
            await self._discard(created, held)
            raise
        finally:
            for key in held:
                self._holds[key] -= 1
                if self._holds[key] <= 0:
                    del self._holds[key]
        for upload_id in used if self.uploads is not None else []:
            try:
                await self.uploads.delete(upload_id)
            except Exception:  # expiry removes it later
                log.warning("could not remove upload session %s after publishing", upload_id)
        if self.datacite is not None:
            # After the commit, outside the all-or-nothing block: a DataCite
            # failure never undoes a publish (see _mint).
            record, _error = await self._mint(record)
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
            info = await self.objects.put(
                reader.chunks(),
                expected_sha256=(announced_info.sha256 or None) if announced_info else None,
                max_bytes=self.max_artifact_bytes,
            )
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
            try:
                info = await self.objects.put(
                    self.uploads.chunks(doc),
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

    async def _commit(
        self,
        owner: str,
        metadata_doc: dict[str, Any],
        stored: dict[str, ObjectInfo],
        created: list[ObjectInfo],
        job: PublishJob,
    ) -> dict[str, Any]:
        metadata = validate_metadata(metadata_doc)
        for reserved in RESERVED_PATHS:
            if reserved in stored:
                raise InvalidArgument(
                    f"{reserved!r} is written by the registry into every bundle; do not upload it"
                )
        model_path = metadata.dlhub.files.model
        if model_path is None and metadata.servable.type == "python":
            model_path = str(metadata.run.method_details["module"])
        if model_path is None and metadata.servable.type == "sklearn":
            model_path = str(metadata.run.method_details["model"])
        if model_path is None:
            if len(stored) != 1:
                raise InvalidArgument(
                    "dlhub.files.model must name the model file among the artifacts"
                    f" {sorted(stored)}"
                )
            model_path = next(iter(stored))
        if model_path not in stored:
            raise InvalidArgument(
                f"dlhub.files.model {model_path!r} is not among the uploaded artifacts"
                f" {sorted(stored)}"
            )
        for other in metadata.dlhub.files.other:
            if other not in stored:
                raise InvalidArgument(f"dlhub.files.other lists {other!r}, which was not uploaded")
        if metadata.servable.type == "onnx":
            with tempfile.TemporaryDirectory(dir=self.scratch_dir) as tmp:
                local = Path(tmp) / PurePosixPath(model_path).name
                await self.objects.download(stored[model_path].key, local)
                await validate_onnx(metadata, local)
            job.line(f"ONNX model {model_path} loads and matches the declared signature")
        if metadata.servable.type in TORCH_KINDS:
            with tempfile.TemporaryDirectory(dir=self.scratch_dir) as tmp:
                local = Path(tmp) / PurePosixPath(model_path).name
                await self.objects.download(stored[model_path].key, local)
                await validate_torch(metadata, local)
            job.line(f"{metadata.servable.type} model {model_path} loads and checks out")
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
                lock = await check_sklearn_servable(metadata, stored, self.scratch_dir)
            else:
                lock = await check_python_servable(metadata, stored, self.objects, self.scratch_dir)
            for ln in lock.decode("utf-8", "replace").splitlines():
                if ln.strip() and not ln.lstrip().startswith("#"):
                    job.line(f"resolved: {ln.strip()}")
            info = await self.objects.put(_single_chunk(lock))
            if info.created:
                created.append(info)
            stored = {**stored, LOCK_PATH: info}
        elif metadata.servable.type == "onnx" and LOCK_PATH not in stored:
            # the runtime requirement, so the bundle says what runs it; it
            # describes this registry's runtime, not the publisher's content,
            # so it stays out of the digest and of dlhub.files
            requirement = onnx_runtime_requirement()
            info = await self.objects.put(
                _single_chunk(f"# runtime of this ONNX servable\n{requirement}\n".encode())
            )
            if info.created:
                created.append(info)
            extra[LOCK_PATH] = info
            job.line(f"runtime requirement: {requirement}")

        doc = metadata.to_doc()
        name = metadata.dlhub.name
        files = {"model": model_path, "other": sorted(p for p in stored if p != model_path)}
        doc["dlhub"].update(owner=owner, files=files)
        artifacts = {p: i.sha256 for p, i in stored.items()}
        digest = compute_digest(doc, artifacts)
        job.line(f"digest {digest}")
        now = datetime.now(UTC)
        for _attempt in range(8):
            head = await self.docs.get(HEADS, f"{owner}/{name}")
            version = int(head["version"]) + 1 if head else 1
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
            meta_info = await self.objects.put(_single_chunk(canonical_json(doc)))
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
                **summary_fields(doc),
            }
            rid = record_id(owner, name, version)
            refs = [f"{info.key}@{rid}" for info in bundle.values()]
            for ref, info in zip(refs, bundle.values(), strict=True):
                await self.docs.put(OBJECT_REFS, ref, {"key": info.key, "record": rid})
            try:
                await self.docs.insert(SERVABLES, rid, record)
            except AlreadyExists:
                for ref in refs:
                    await self.docs.delete(OBJECT_REFS, ref)
                if meta_info.created:  # it names the version we did not get
                    created.remove(meta_info)
                    await self.objects.delete(meta_info.key)
                continue  # a concurrent publish took this version number
            break
        else:
            raise FailedPrecondition(f"could not allocate a version for {owner}/{name}; retry")
        try:
            for info in bundle.values():
                # Another registry replica may have discarded shared bytes
                # between our put and our reference; never commit a dangling one.
                if await self.objects.stat(info.key) is None:
                    raise Unavailable(f"artifact {info.key} vanished during publish; retry")
            await self.docs.put(
                HEADS,
                f"{owner}/{name}",
                {
                    "owner": owner,
                    "name": name,
                    "version": version,
                    "published_at": record["published_at"],
                },
            )
            event = bus_pb2.ServableEvent(
                kind=bus_pb2.SERVABLE_EVENT_KIND_PUBLISHED,
                servable=servable_pb(record, latest=True),
                event_unix_ns=time.time_ns(),
            )
            await self.bus.publish(
                SERVABLE_EVENTS,
                event.SerializeToString(),
                key=f"{owner}/{name}",
                headers=headers_with_context(),
            )
        except BaseException:
            await self.docs.delete(SERVABLES, rid)
            for ref in refs:
                await self.docs.delete(OBJECT_REFS, ref)
            if head:
                await self.docs.put(HEADS, f"{owner}/{name}", head)
            else:
                await self.docs.delete(HEADS, f"{owner}/{name}")
            raise
        log.info("published %s/%s:%d (%s)", owner, name, version, digest)
        return record

    # ------------------------------------------------------------ DOIs

    async def _mint(self, record: dict[str, Any]) -> tuple[dict[str, Any], DLHubError | None]:
        """Register the DOI of a committed version; returns (record, error).

        The version is immutable and already visible when this runs, so a
        DataCite failure does not undo the publish: the record keeps
        ``doi_error`` (shown in the describe view's ``doi_error``), the failure
        is logged, and :meth:`mint_doi` retries. On success the record gets
        ``doi`` and ``datacite.identifier`` = ``{identifier: <doi>,
        identifierType: "DOI"}`` in its metadata (the digest leaves that field
        out, so it does not change), and an UPDATED event is published.
        """
        assert self.datacite is not None
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
            doi = await self.datacite.mint(record)
        except Exception as exc:
            error = (
                exc
                if isinstance(exc, DLHubError)
                else InternalError(f"unexpected {type(exc).__name__} while minting the DOI")
            )
            message = self.datacite.scrub(error.message)
            log.warning("no DOI for %s/%s:%d: %s", owner, name, version, message)
            failed = {"doi_error": message}
            try:
                await self.docs.update(SERVABLES, rid, failed)
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
            await self.docs.update(SERVABLES, rid, minted)
            latest = await self._global_latest(owner, name)
            await self._emit(
                bus_pb2.SERVABLE_EVENT_KIND_UPDATED,
                updated,
                latest=latest is not None and int(latest["version"]) == version,
            )
        except Exception:
            # Registered at DataCite but not stored here: mint_doi adopts it.
            log.exception("DOI %s was registered but could not be stored on %s", doi, rid)
        return updated, None

    async def mint_doi(self, principal: Principal, ref: Ref) -> dict[str, Any]:
        """Mint the DOI of one version (the latest when ``ref.version`` is 0) now:
        the retry after a failure at publish. A version that has a DOI is
        returned unchanged.

        Raises:
            Unauthenticated: anonymous caller.
            NotFound: the caller cannot see the servable or version.
            PermissionDenied: the caller is not the owner.
            FailedPrecondition: minting is not enabled, or the version is withdrawn.
            DLHubError: DataCite's failure (also kept in the record's ``doi_error``).
        """
        if principal.anonymous:
            raise Unauthenticated("to mint a DOI, sign in as the servable's owner (pass a token)")
        record, _versions, _latest = await self.get(principal, ref)
        if record["owner"] != principal.username:
            raise PermissionDenied(
                f"only the owner ({record['owner']}) may mint a DOI for {ref.full_name}"
            )
        if record.get("doi"):
            return record
        if self.datacite is None:
            raise FailedPrecondition(
                "DOI minting is not enabled on this registry (DLHUB_DATACITE__ENABLED)"
            )
        if state_of(record) == WITHDRAWN:
            raise FailedPrecondition(
                f"{ref.full_name}:{record['version']} is withdrawn; no DOI is minted for it"
            )
        record, error = await self._mint(record)
        if error is not None:
            raise error
        return record

    # ------------------------------------------------------------ read

    async def get(self, principal: Principal, ref: Ref) -> tuple[dict[str, Any], list[int], bool]:
        """Return (record, visible versions ascending, is_latest).

        Raises:
            NotFound: no such servable or version, or the caller may not see it.
        """
        versions = await self.docs.find(
            SERVABLES, {"owner": ref.owner, "name": ref.name}, sort=[("version", 1)]
        )
        visible = [r for r in versions if principal.can_read(r["owner"], r.get("visible_to", []))]
        if not visible:
            raise NotFound(f"servable {ref.full_name} not found")
        latest = latest_of(visible)
        assert latest is not None
        if ref.version == 0:
            record = latest
        else:
            match = [r for r in visible if int(r["version"]) == ref.version]
            if not match:
                raise NotFound(
                    f"servable {ref.full_name} has no version {ref.version}"
                    f" (versions: {[int(r['version']) for r in visible]})"
                )
            record = match[0]
        numbers = [int(r["version"]) for r in visible]
        return record, numbers, int(record["version"]) == int(latest["version"])

    async def versions(self, principal: Principal, owner: str, name: str) -> list[dict[str, Any]]:
        """Every version of ``owner/name`` the caller may see, ascending; the one
        ``owner/name`` resolves to carries ``latest: True``.

        Raises:
            NotFound: no such servable, or the caller may see none of its versions.
        """
        records = await self.docs.find(
            SERVABLES, {"owner": owner, "name": name}, sort=[("version", 1)]
        )
        visible = [r for r in records if principal.can_read(r["owner"], r.get("visible_to", []))]
        latest = latest_of(visible)
        if latest is None:
            raise NotFound(f"servable {owner}/{name} not found")
        return [{**r, "latest": r["version"] == latest["version"]} for r in visible]

    # ------------------------------------------------------------ lifecycle

    async def set_state(
        self, principal: Principal, ref: Ref, state: str, reason: str
    ) -> dict[str, Any]:
        """Deprecate or withdraw one version (the latest when ``ref.version`` is 0).

        The record keeps its metadata and artifacts; only ``state``,
        ``state_reason`` and ``state_changed_at`` change. Withdrawal is final:
        a withdrawn version can be withdrawn again (a new reason) but not
        deprecated. An UPDATED servable event is published for the version,
        then one for the latest version when that is another one (withdrawing
        the latest makes an older version the latest).
        The record is written first: should publishing fail, the call fails
        with the state already stored, and repeating it publishes again.

        Raises:
            Unauthenticated: anonymous caller.
            NotFound: the caller cannot see the servable or version.
            PermissionDenied: the caller can see it but is not its owner.
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
        record, _versions, _latest = await self.get(principal, ref)
        if record["owner"] != principal.username:
            raise PermissionDenied(f"only the owner ({record['owner']}) may {verb} {ref.full_name}")
        version = int(record["version"])
        if state == DEPRECATED and state_of(record) == WITHDRAWN:
            raise FailedPrecondition(f"{ref.full_name}:{version} is withdrawn; withdrawal is final")
        changed_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        fields = {"state": state, "state_reason": reason, "state_changed_at": changed_at}
        rid = record_id(ref.owner, ref.name, version)
        await self.docs.update(SERVABLES, rid, fields)
        record = {**record, **fields}
        after = await self._global_latest(ref.owner, ref.name)
        updates = [record]
        if after is not None and after["version"] != version:
            # re-assert the latest: withdrawing the latest moves it to an older
            # version, and a repeated call heals an index that missed an event
            updates.append(after)
        for rec in updates:
            await self._emit(
                bus_pb2.SERVABLE_EVENT_KIND_UPDATED,
                rec,
                latest=after is not None and rec["version"] == after["version"],
            )
        log.info("%s %s/%s:%d: %s", state, ref.owner, ref.name, version, reason)
        return record

    async def _global_latest(self, owner: str, name: str) -> dict[str, Any] | None:
        """The version ``owner/name`` resolves to, regardless of who asks."""
        return latest_of(await self.docs.find(SERVABLES, {"owner": owner, "name": name}))

    async def _emit(
        self, kind: bus_pb2.ServableEventKind, record: dict[str, Any], *, latest: bool
    ) -> None:
        event = bus_pb2.ServableEvent(
            kind=kind,
            servable=servable_pb(record, latest=latest),
            event_unix_ns=time.time_ns(),
        )
        await self.bus.publish(
            SERVABLE_EVENTS,
            event.SerializeToString(),
            key=f"{record['owner']}/{record['name']}",
            headers=headers_with_context(),
        )

    async def list(
        self,
        principal: Principal,
        *,
        owner: str = "",
        all_versions: bool = False,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[dict[str, Any]], int]:
        """Servables the caller may see, newest first; returns (page, total)."""
        where = {"owner": owner} if owner else {}
        if all_versions:
            records = await self.docs.find(SERVABLES, where, sort=[("published_at", -1)])
        else:
            heads = await self.docs.find(HEADS, where, sort=[("published_at", -1)])
            records = []
            for head in heads:
                rec = await self.docs.get(
                    SERVABLES, record_id(head["owner"], head["name"], int(head["version"]))
                )
                if rec is not None and state_of(rec) == WITHDRAWN:
                    # the newest version is withdrawn: list the latest one alive,
                    # and nothing when every version is withdrawn
                    rec = await self._global_latest(head["owner"], head["name"])
                    if rec is not None and state_of(rec) == WITHDRAWN:
                        rec = None
                if rec is not None:
                    records.append({**rec, "latest": True})
        visible = [r for r in records if principal.can_read(r["owner"], r.get("visible_to", []))]
        return visible[offset : offset + limit], len(visible)
