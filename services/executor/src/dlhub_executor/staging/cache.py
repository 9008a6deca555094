"""The staging cache: staged files by content digest, bounded, least recently used first out.

Files live under ``<executor cache dir>/staged/`` named by their sha256
(mode 0600). A source (a URL without its query, or an S3 object) remembers
the validator it was fetched under (ETag) and the digest it gave, so a
second run on the same reference is answered from the cache when the
source still has that ETag (HTTP: ``If-None-Match`` -> 304; S3: HEAD).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from prometheus_client import Counter

CACHE_HITS = Counter(
    "dlhub_staging_cache_hits_total", "Input references answered from the staging cache"
)
CACHE_MISSES = Counter("dlhub_staging_cache_misses_total", "Input references downloaded")
STAGED_BYTES = Counter("dlhub_staging_bytes_total", "Bytes downloaded to stage inputs")


def open_private(path: Path) -> BinaryIO:
    """A new file only its owner may read (0600 from the start, not chmod-ed later)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "wb")


@dataclass(frozen=True)
class Cached:
    """What a source gave last time: its validator, the content digest and the file."""

    etag: str
    digest: str
    size: int
    path: Path


class StagingCache:
    """Bounded by ``max_bytes`` (0: keep nothing past the task that staged it).

    Args:
        root: the folder (created 0700).
        max_bytes: the bound on the files kept.
    """

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        (root / "tmp").mkdir(exist_ok=True, mode=0o700)
        self._files: OrderedDict[str, int] = OrderedDict()  # digest -> size, LRU order
        self._sources: dict[str, tuple[str, str]] = {}  # source -> (etag, digest)
        self._bytes = 0
        self._lock = threading.Lock()
        self._pinned: dict[str, int] = {}  # digests in use by a running task
        for stale in (root / "tmp").iterdir():  # a crash mid-download left these
            stale.unlink(missing_ok=True)
        for old in root.iterdir():  # files of an earlier run: kept, no source known
            if old.is_file() and len(old.name) == 64:
                size = old.stat().st_size
                self._files[old.name] = size
                self._bytes += size
        self._evict()

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def temp_path(self) -> Path:
        """A fresh file name to download into (same file system: renamed into place)."""
        return self.root / "tmp" / uuid.uuid4().hex

    def lookup(self, source: str) -> Cached | None:
        """The cached file of ``source`` (or None); the caller revalidates its etag."""
        with self._lock:
            known = self._sources.get(source)
            if known is None or known[1] not in self._files:
                return None
            etag, digest = known
            self._files.move_to_end(digest)
            return Cached(etag, digest, self._files[digest], self.root / digest)

    def hit(self, cached: Cached) -> Path:
        """Count a cache hit on ``cached`` and pin its file for the task."""
        CACHE_HITS.inc()
        self._pin(cached.digest)
        return cached.path

    def store(self, source: str, etag: str, tmp: Path) -> Cached:
        """Move a downloaded ``tmp`` file into the cache under its content digest (pinned)."""
        hasher = hashlib.sha256()
        with tmp.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                hasher.update(block)
        digest = hasher.hexdigest()
        size = tmp.stat().st_size
        final = self.root / digest
        os.chmod(tmp, 0o600)
        os.replace(tmp, final)
        CACHE_MISSES.inc()
        STAGED_BYTES.inc(size)
        with self._lock:
            if digest not in self._files:
                self._files[digest] = size
                self._bytes += size
            self._files.move_to_end(digest)
            if etag:
                self._sources[source] = (etag, digest)
            self._pinned[digest] = self._pinned.get(digest, 0) + 1
        self._evict()
        return Cached(etag, digest, size, final)

    def _pin(self, digest: str) -> None:
        with self._lock:
            self._pinned[digest] = self._pinned.get(digest, 0) + 1

    def release(self, paths: list[Path]) -> None:
        """The task that staged ``paths`` is done with them: they may be evicted."""
        with self._lock:
            for path in paths:
                left = self._pinned.get(path.name, 0) - 1
                if left > 0:
                    self._pinned[path.name] = left
                else:
                    self._pinned.pop(path.name, None)
        self._evict()

    def _evict(self) -> None:
        with self._lock:
            for digest in list(self._files):
                if self._bytes <= self.max_bytes:
                    break
                if digest in self._pinned:
                    continue
                self._bytes -= self._files.pop(digest)
                with contextlib.suppress(FileNotFoundError):
                    (self.root / digest).unlink()
            gone = [s for s, (_, d) in self._sources.items() if d not in self._files]
            for source in gone:
                del self._sources[source]
