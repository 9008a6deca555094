"""Registry core: validate, store and version servables; emit servable events.

Publishing is all-or-nothing. Artifacts are streamed into the object store,
checked, and only then is the version record written and the event sent. On
any failure the record, the head pointer and every object this publish
created are removed again, so nothing half-written is ever visible.
"""

from __future__ import annotations

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
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)
from dlhub_common.identity import Principal
from dlhub_common.metadata import compute_digest, validate_metadata
from dlhub_common.names import Ref
from dlhub_common.ports import DocumentStore, EventBus, ObjectInfo, ObjectStore
from dlhub_common.records import SERVABLES, record_id, servable_pb, summary_fields
from dlhub_common.topics import SEARCH_GROUP, SERVABLE_EVENTS
from dlhub_registry.validators import validate_onnx

log = logging.getLogger("dlhub.registry")

HEADS = "servable_heads"
# One document per (object key, version record) that uses the object.
OBJECT_REFS = "object_refs"
MAX_ARTIFACTS = 1000


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
    ) -> None:
        self.docs = docs
        self.objects = objects
        self.bus = bus
        self.max_artifact_bytes = max_artifact_bytes
        self.scratch_dir = scratch_dir
        # Object keys held by publishes in flight in this process.
        self._holds: Counter[str] = Counter()

    async def start(self) -> None:
        await self.docs.ensure_index(SERVABLES, ["owner", "name", "version"], unique=True)
        await self.docs.ensure_index(OBJECT_REFS, ["key"])
        # Events published before the indexer first joins must wait for it.
        await self.bus.ensure_group([SERVABLE_EVENTS], SEARCH_GROUP)
        await self.docs.ensure_index(HEADS, ["owner"])

    # ------------------------------------------------------------ publish

    async def publish(
        self,
        principal: Principal,
        metadata_doc: Any,
        announced: list[AnnouncedArtifact],
        chunks: AsyncIterator[tuple[str, bytes]],
    ) -> dict[str, Any]:
        """Publish a new version; returns the stored record.

        Args:
            principal: the caller; becomes the owner.
            metadata_doc: the metadata document (validated here).
            announced: artifacts the header announced (may be empty).
            chunks: (path, bytes) pieces, file after file.
        """
        if principal.anonymous or principal.username is None:
            raise Unauthenticated(
                "publishing needs a token: pass --token or set DLHUB_TOKEN"
                " (`dlhub up` writes one to <data dir>/client.json)"
            )
        metadata = validate_metadata(metadata_doc)
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
            return await self._commit(owner, metadata_doc, stored, created)
        except BaseException:
            await self._discard(created, held)
            raise
        finally:
            for key in held:
                self._holds[key] -= 1
                if self._holds[key] <= 0:
                    del self._holds[key]

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
        missing = expected.keys() - stored.keys()
        if missing:
            raise InvalidArgument(f"announced artifacts never arrived: {sorted(missing)}")
        return stored

    async def _commit(
        self,
        owner: str,
        metadata_doc: dict[str, Any],
        stored: dict[str, ObjectInfo],
        created: list[ObjectInfo],
    ) -> dict[str, Any]:
        metadata = validate_metadata(metadata_doc)
        model_path = metadata.dlhub.files.model
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

        doc = metadata.to_doc()
        name = metadata.dlhub.name
        files = {"model": model_path, "other": sorted(p for p in stored if p != model_path)}
        doc["dlhub"].update(owner=owner, files=files)
        artifacts = {p: i.sha256 for p, i in stored.items()}
        digest = compute_digest(doc, artifacts)
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
            record = {
                "owner": owner,
                "name": name,
                "version": version,
                "metadata": doc,
                "artifacts": [
                    {"path": p, "key": i.key, "size": i.size, "sha256": i.sha256}
                    for p, i in sorted(stored.items())
                ],
                "model_path": model_path,
                "published_at": doc["dlhub"]["publication_date"],
                "digest": digest,
                "identifier": doc["dlhub"]["identifier"],
                **summary_fields(doc),
            }
            rid = record_id(owner, name, version)
            refs = [f"{info.key}@{rid}" for info in stored.values()]
            for ref, info in zip(refs, stored.values(), strict=True):
                await self.docs.put(OBJECT_REFS, ref, {"key": info.key, "record": rid})
            try:
                await self.docs.insert(SERVABLES, rid, record)
            except AlreadyExists:
                for ref in refs:
                    await self.docs.delete(OBJECT_REFS, ref)
                continue  # a concurrent publish took this version number
            break
        else:
            raise FailedPrecondition(f"could not allocate a version for {owner}/{name}; retry")
        try:
            for info in stored.values():
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
                SERVABLE_EVENTS, event.SerializeToString(), key=f"{owner}/{name}"
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
        if ref.version == 0:
            record = visible[-1]
        else:
            match = [r for r in visible if int(r["version"]) == ref.version]
            if not match:
                raise NotFound(
                    f"servable {ref.full_name} has no version {ref.version}"
                    f" (versions: {[int(r['version']) for r in visible]})"
                )
            record = match[0]
        numbers = [int(r["version"]) for r in visible]
        return record, numbers, int(record["version"]) == numbers[-1]

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
                if rec is not None:
                    records.append({**rec, "latest": True})
        visible = [r for r in records if principal.can_read(r["owner"], r.get("visible_to", []))]
        return visible[offset : offset + limit], len(visible)
