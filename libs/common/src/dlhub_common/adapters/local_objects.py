"""ObjectStore on local disk, content-addressed.

Layout under the root folder::

    sha256/<hex[:2]>/<hex>   the objects
    tmp/                     puts in flight and nothing else: ``<hex>.<random>.part``
                             when the digest is known in advance, else ``<random>.part``

The root folder is 0700 and every file 0600: objects may be private artifacts
or task results. A process killed during a put leaves its ``tmp/`` file; the
registry's leftover collector finds it through :meth:`LocalObjectStore.incomplete`.

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
from dlhub_common.errors import InternalError, InvalidArgument, NotFound, Unavailable
from dlhub_common.ports.objects import Incomplete, ObjectInfo, ObjectStore, StoredObject


class LocalObjectStore(ObjectStore):
    """Objects under ``config.root`` (default ``<data_dir>/objects``)."""

    def __init__(self, config: LocalObjectsConfig, data_dir: Path) -> None:
        self.root = config.root or data_dir / "objects"
        self._tmp = self.root / "tmp"

    async def start(self) -> None:
        await asyncio.to_thread(_private_folders, self.root, self._tmp)

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
        fd, tmp_name = await asyncio.to_thread(
            tempfile.mkstemp,
            dir=self._tmp,
            prefix=f"{expected_sha256}." if expected_sha256 else "",
            suffix=".part",
        )
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as file:
                digest, size = await _write_stream(file, chunks, max_bytes)
                await asyncio.to_thread(sync_file, file)
            rules.verify_digest(digest, expected_sha256)
            try:
                created = await asyncio.to_thread(_publish, tmp, self._path(digest))
            except FileNotFoundError:
                raise InternalError(
                    "the temporary file of this put was discarded before it finished"
                ) from None
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

    async def list_objects(self) -> AsyncIterator[StoredObject]:
        folders = await asyncio.to_thread(_entries, self.root / "sha256")
        for folder in folders:
            for path in await asyncio.to_thread(_entries, folder):
                try:
                    key = f"sha256/{rules.key_digest(f'sha256/{path.name}')}"
                    info = await asyncio.to_thread(path.stat)
                except (InvalidArgument, FileNotFoundError):
                    continue  # not an object (or deleted meanwhile)
                yield StoredObject(key=key, size=info.st_size, modified=info.st_mtime)

    async def incomplete(self) -> AsyncIterator[Incomplete]:
        for path in await asyncio.to_thread(_entries, self._tmp):
            if not path.name.endswith(".part"):
                continue
            try:
                started = (await asyncio.to_thread(path.stat)).st_mtime
            except FileNotFoundError:
                continue
            digest = path.name.split(".", 1)[0]
            key = f"sha256/{digest}" if rules.is_digest(digest) else None
            yield Incomplete(ref=path.name, key=key, started=started)

    async def discard(self, item: Incomplete) -> bool:
        name = item.ref
        if "/" in name or not name.endswith(".part") or name.startswith("."):
            raise InvalidArgument(f"{name!r} is not a temporary file of this store")
        try:
            await asyncio.to_thread((self._tmp / name).unlink)
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


def _private_folders(root: Path, tmp: Path) -> None:
    """Create the folders, readable by their owner only (older stores: made so)."""
    tmp.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(root, 0o700)


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except FileNotFoundError:
        return []


def _publish(tmp: Path, final: Path) -> bool:
    """Make ``tmp``'s content visible at ``final``; False when it already was there."""
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(tmp, final)
    except FileExistsError:
        return False
    except FileNotFoundError:
        raise  # tmp was discarded
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
