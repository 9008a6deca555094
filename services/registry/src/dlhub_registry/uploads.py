"""Resumable upload sessions for large artifacts.

A session is a partial file under the registry's upload folder
(``<data dir>/uploads/<id>.part``) plus a document in the ``uploads``
collection (id, owner, path, size, sha256, received, created_at). Bytes are
appended only at ``offset == received``; a client whose stream broke asks
for ``received`` and goes on from there. The document is the truth: bytes
past ``received`` (written just before a crash) are cut off by the next write.

A complete session is turned into an object by the publish that names it
(streamed from the file into the ObjectStore, sha256 verified there) and is
deleted after that publish commits. Sessions expire ``ttl_s`` after they were
created (24 h); expired ones are removed when the registry starts, on a timer,
and whenever one is looked up.

Partial files are 0600 in a 0700 folder. A publish killed before it
committed leaves its sessions in place, so publishing again resumes from
them (``dlhub publish`` remembers them; see the SDK's ``_upload_state``).

Distributed mode: the partial file lives on the local disk of the registry
replica that created the session, so a session is bound to that replica
(route a client's upload calls to one replica: sticky sessions, or one
registry replica with a persistent volume). See docs/architecture.md,
"Large artifacts".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dlhub_common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    Unauthenticated,
)
from dlhub_common.identity import Principal
from dlhub_common.ports import DocumentStore
from dlhub_registry.faults import faultpoint
from dlhub_registry.periodic import Periodic

log = logging.getLogger("dlhub.registry.uploads")

UPLOADS = "uploads"
DEFAULT_TTL_S = 24 * 3600.0
CLEANUP_INTERVAL_S = 3600.0
DEFAULT_CHUNK = 8 << 20
READ_CHUNK = 1 << 20
ORPHAN_GRACE_S = 3600.0
_ID = re.compile(r"^[0-9a-f]{32}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class UploadSessions:
    """Upload sessions over a DocumentStore and a local folder."""

    def __init__(
        self,
        docs: DocumentStore,
        folder: Path,
        *,
        max_bytes: int,
        chunk_size: int = DEFAULT_CHUNK,
        ttl_s: float = DEFAULT_TTL_S,
        cleanup_interval_s: float = CLEANUP_INTERVAL_S,
    ) -> None:
        self.docs = docs
        self.folder = folder
        self.max_bytes = max_bytes
        self.chunk_size = chunk_size
        self.ttl_s = ttl_s
        self.cleanup_interval_s = cleanup_interval_s
        self._locks: dict[str, asyncio.Lock] = {}
        self._timer = Periodic(
            "dlhub-upload-cleanup",
            self.cleanup_interval_s,
            self.cleanup,
            lambda _exc: log.exception("upload cleanup failed"),
        )

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        await asyncio.to_thread(_private_folder, self.folder)
        await self.docs.ensure_index(UPLOADS, ["owner"])
        await self.cleanup()
        self._timer.start()

    async def stop(self) -> None:
        await self._timer.stop()

    async def cleanup(self) -> int:
        """Remove expired sessions and partial files no session owns; returns
        how many sessions were removed."""
        removed = 0
        alive: set[str] = set()
        for doc in await self.docs.find(UPLOADS):
            if self._expired(doc):
                await self.delete(doc["id"])
                removed += 1
            else:
                alive.add(doc["id"])

        def orphans() -> list[Path]:
            # files of no session (a crash between file and document); young
            # ones may belong to a session created since the listing above
            if not self.folder.exists():
                return []
            old = _now().timestamp() - ORPHAN_GRACE_S
            found = []
            for p in self.folder.iterdir():
                with contextlib.suppress(FileNotFoundError):
                    if p.name.removesuffix(".part") not in alive and p.stat().st_mtime < old:
                        found.append(p)
            return found

        for path in await asyncio.to_thread(orphans):
            await asyncio.to_thread(path.unlink, missing_ok=True)
        if removed:
            log.info("removed %d expired upload session(s)", removed)
        return removed

    def _expired(self, doc: dict[str, Any]) -> bool:
        return _parse(doc["created_at"]) + timedelta(seconds=self.ttl_s) <= _now()

    def _file(self, upload_id: str) -> Path:
        return self.folder / f"{upload_id}.part"

    # ------------------------------------------------------------ API

    async def create(
        self, principal: Principal, path: str, size: int, sha256: str
    ) -> dict[str, Any]:
        if principal.anonymous or principal.username is None:
            raise Unauthenticated("uploading needs a token: pass --token or set DLHUB_TOKEN")
        sha256 = sha256.strip().lower()
        if not _HEX64.match(sha256):
            raise InvalidArgument("sha256 must be the 64 hex digits of the whole content")
        if size < 0:
            raise InvalidArgument(f"invalid size {size}")
        if size > self.max_bytes:
            raise ResourceExhausted(
                f"an artifact may be at most {self.max_bytes} bytes; this one is {size}",
                details={"limit_bytes": self.max_bytes},
            )
        upload_id = secrets.token_hex(16)
        doc = {
            "id": upload_id,
            "owner": principal.username,
            "path": path,
            "size": size,
            "sha256": sha256,
            "received": 0,
            "created_at": _iso(_now()),
        }
        await self.docs.insert(UPLOADS, upload_id, doc)
        await asyncio.to_thread(self._file(upload_id).touch, mode=0o600)
        return doc

    async def get(self, principal: Principal, upload_id: str) -> dict[str, Any]:
        """The session, if the caller owns it and it has not expired.

        Raises:
            NotFound: unknown, expired, or someone else's upload (the same
                answer, so ids of others' uploads cannot be probed).
        """
        if principal.anonymous or principal.username is None:
            raise Unauthenticated("uploads belong to a user: pass a token")
        missing = NotFound(
            f"no upload {upload_id!r} (uploads expire {self.ttl_s / 3600:g} h after"
            " they were created; start a new one)"
        )
        if not _ID.match(upload_id or ""):
            raise missing
        doc = await self.docs.get(UPLOADS, upload_id)
        if doc is None or doc.get("owner") != principal.username:
            raise missing
        if self._expired(doc):
            await self.delete(upload_id)
            raise missing
        return doc

    async def write(
        self, principal: Principal, messages: AsyncIterator[tuple[str, int, bytes]]
    ) -> int:
        """Append (upload_id, offset, data) messages; returns bytes received.

        The first message names the upload; later ones may leave the id empty
        but must not name another one. Every offset must equal the bytes
        received so far.
        """
        it = aiter(messages)
        first = await anext(it, None)
        if first is None:
            raise InvalidArgument("a WriteUpload stream needs at least one message")
        upload_id = first[0]
        doc = await self.get(principal, upload_id)
        # one writer per session in this process; a resumed stream waits for
        # the broken one to let go, then checks its offset
        async with self._locks.setdefault(doc["id"], asyncio.Lock()):
            doc = await self.get(principal, upload_id)  # fresh after waiting
            return await self._append(doc, first, it)

    async def _append(
        self,
        doc: dict[str, Any],
        first: tuple[str, int, bytes],
        rest: AsyncIterator[tuple[str, int, bytes]],
    ) -> int:
        upload_id = doc["id"]
        size = int(doc["size"])
        received = int(doc["received"])
        path = self._file(upload_id)
        try:
            file = await asyncio.to_thread(path.open, "r+b")
        except FileNotFoundError:
            raise NotFound(f"upload {upload_id!r} lost its bytes; start a new one") from None
        try:
            # bytes past `received` were written but never recorded: drop them
            await asyncio.to_thread(file.truncate, received)
            await asyncio.to_thread(file.seek, received)
            message: tuple[str, int, bytes] | None = first
            while message is not None:
                other, offset, data = message
                if other and other != upload_id:
                    raise InvalidArgument(
                        f"one WriteUpload stream writes one upload ({upload_id}), not {other}"
                    )
                if offset != received:
                    raise FailedPrecondition(
                        f"upload {upload_id} expects offset {received}, got {offset}:"
                        f" resume from {received}",
                        details={"expected_offset": received, "received": received},
                    )
                if received + len(data) > size:
                    raise InvalidArgument(
                        f"upload {upload_id} was announced as {size} bytes;"
                        f" {len(data)} more at offset {offset} would exceed it"
                    )
                if data:
                    await asyncio.to_thread(_write, file, data)
                    received += len(data)
                    await self.docs.update(UPLOADS, upload_id, {"received": received})
                    if received < size:
                        faultpoint("upload.mid_write")
                message = await anext(rest, None)
        finally:
            await asyncio.to_thread(_close, file)
        return received

    async def chunks(self, doc: dict[str, Any]) -> AsyncIterator[bytes]:
        """A complete session's bytes, streamed from its partial file."""
        path = self._file(doc["id"])
        try:
            file = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise NotFound(f"upload {doc['id']!r} lost its bytes; upload again") from None
        try:
            remaining = int(doc["size"])
            while remaining > 0:
                data = await asyncio.to_thread(file.read, min(READ_CHUNK, remaining))
                if not data:
                    raise FailedPrecondition(f"upload {doc['id']} is shorter than recorded")
                remaining -= len(data)
                yield data
        finally:
            await asyncio.to_thread(file.close)

    async def delete(self, upload_id: str) -> None:
        self._locks.pop(upload_id, None)
        await self.docs.delete(UPLOADS, upload_id)
        await asyncio.to_thread(self._file(upload_id).unlink, missing_ok=True)


def _private_folder(folder: Path) -> None:
    """The upload folder, readable by its owner only (partial artifacts may be private)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)


def _write(file: Any, data: bytes) -> None:
    # flushed to the OS before `received` counts it; a killed process loses
    # nothing recorded (fsync happens when the stream ends)
    file.write(data)
    file.flush()


def _close(file: Any) -> None:
    with contextlib.suppress(OSError):
        os.fsync(file.fileno())
    file.close()
