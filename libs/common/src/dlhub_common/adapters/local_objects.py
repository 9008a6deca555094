"""ObjectStore on local disk, content-addressed.

Layout under the root folder::

    sha256/<hex[:2]>/<hex>   the objects
    tmp/                     uploads and nothing else, while in flight

``put`` streams into a temp file while hashing and publishes it with a
hard link, which fails instead of overwriting when the content is already
there; so of two concurrent puts of the same bytes only one reports
``created=True``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import IO

from dlhub_common.adapters import _object_rules as rules
from dlhub_common.adapters._object_files import sync_file, write_chunk
from dlhub_common.backends import LocalObjectsConfig
from dlhub_common.errors import NotFound, Unavailable
from dlhub_common.ports.objects import ObjectInfo, ObjectStore


class LocalObjectStore(ObjectStore):
    """Objects under ``config.root`` (default ``<data_dir>/objects``)."""

    def __init__(self, config: LocalObjectsConfig, data_dir: Path) -> None:
        self.root = config.root or data_dir / "objects"
        self._tmp = self.root / "tmp"

    async def start(self) -> None:
        await asyncio.to_thread(self._tmp.mkdir, parents=True, exist_ok=True)

    async def ping(self) -> None:
        if not await asyncio.to_thread(os.access, self._tmp, os.W_OK | os.X_OK):
            raise Unavailable(f"object store folder {self.root} is not writable")

    async def put(
        self,
        chunks: AsyncIterable[bytes],
        *,
        expected_sha256: str | None = None,
        max_bytes: int | None = None,
    ) -> ObjectInfo:
        expected_sha256 = rules.expected_digest(expected_sha256)
        fd, tmp_name = await asyncio.to_thread(tempfile.mkstemp, dir=self._tmp, suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as file:
                digest, size = await _write_stream(file, chunks, max_bytes)
                await asyncio.to_thread(sync_file, file)
            rules.verify_digest(digest, expected_sha256)
            created = await asyncio.to_thread(_publish, tmp, self._path(digest))
        finally:
            await asyncio.to_thread(tmp.unlink, missing_ok=True)
        return rules.object_info(digest, size, created=created)

    async def open(self, key: str, *, chunk_size: int = 1 << 20) -> AsyncIterator[bytes]:
        rules.check_chunk_size(chunk_size)
        path = self._key_path(key)
        try:
            file = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise NotFound(f"no object {key}") from None
        try:
            while chunk := await asyncio.to_thread(file.read, chunk_size):
                yield chunk
        finally:
            file.close()

    async def download(self, key: str, dest: Path) -> None:
        await asyncio.to_thread(_copy_atomic, self._key_path(key), key, dest)

    async def stat(self, key: str) -> int | None:
        path = self._key_path(key)
        try:
            return (await asyncio.to_thread(path.stat)).st_size
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> bool:
        path = self._key_path(key)
        try:
            await asyncio.to_thread(path.unlink)
        except FileNotFoundError:
            return False
        return True

    def _key_path(self, key: str) -> Path:
        return self._path(rules.key_digest(key))

    def _path(self, digest: str) -> Path:
        return self.root / "sha256" / digest[:2] / digest


async def _write_stream(
    file: IO[bytes], chunks: AsyncIterable[bytes], max_bytes: int | None
) -> tuple[str, int]:
    """Hash and write every chunk; returns (hex digest, size)."""
    hasher = hashlib.sha256()
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        rules.check_size(size, max_bytes)
        await asyncio.to_thread(write_chunk, file, hasher, chunk)
    return hasher.hexdigest(), size


def _publish(tmp: Path, final: Path) -> bool:
    """Make ``tmp``'s content visible at ``final``; False when it already was there."""
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(tmp, final)
    except FileExistsError:
        return False
    except OSError:  # no hard links on this file system
        if final.exists():
            return False
        os.replace(tmp, final)
    return True


def _copy_atomic(source: Path, key: str, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    os.close(fd)
    try:
        try:
            shutil.copyfile(source, tmp_name)
        except FileNotFoundError:
            raise NotFound(f"no object {key}") from None
        os.replace(tmp_name, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
