"""ObjectStore: content-addressed artifact bytes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ObjectInfo:
    """Where an object lives and what it is.

    Attributes:
        key: the object key, ``sha256/<hex digest>``.
        sha256: hex digest of the content.
        size: bytes.
        created: True when this put stored new bytes, False when the same
            content was already there (callers undo only what they created).
    """

    key: str
    sha256: str
    size: int
    created: bool


@dataclass(frozen=True)
class StoredObject:
    """One stored object, as listed.

    Attributes:
        key: the object key, ``sha256/<hex digest>``.
        size: bytes.
        modified: when it was stored, Unix seconds.
    """

    key: str
    size: int
    modified: float


@dataclass(frozen=True)
class Incomplete:
    """What an unfinished put left behind: a temporary file, a temporary
    object, or an S3 multipart upload. It is never visible under a key; a
    put still running has one too, so only the caller knows which are stale.

    Attributes:
        ref: the adapter's name for it (a file name, an S3 key).
        key: the object key the put was writing, when it was known in
            advance (``expected_sha256``); None otherwise.
        started: when the put began (or last wrote), Unix seconds.
        upload_id: the S3 multipart upload id; "" for a temporary file or object.
    """

    ref: str
    key: str | None
    started: float
    upload_id: str = ""


class ObjectStore(ABC):
    """Immutable blobs addressed by the sha256 of their content."""

    async def start(self) -> None:
        """Prepare the store (create folders, buckets). Idempotent."""

    async def stop(self) -> None:
        """Release clients. Idempotent."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise dlhub_common.errors.Unavailable when the backend does not answer."""

    @abstractmethod
    async def put(
        self,
        chunks: AsyncIterable[bytes],
        *,
        expected_sha256: str | None = None,
        max_bytes: int | None = None,
    ) -> ObjectInfo:
        """Store a stream of bytes without holding it whole in memory.

        Nothing is visible under the key until the whole stream is stored
        and verified.

        Args:
            chunks: the content, in order.
            expected_sha256: when given, a mismatch stores nothing.
            max_bytes: when given, a longer stream stores nothing.

        Raises:
            dlhub_common.errors.InvalidArgument: sha256 mismatch.
            dlhub_common.errors.ResourceExhausted: over max_bytes.
        """

    @abstractmethod
    def open(self, key: str, *, chunk_size: int = 1 << 20) -> AsyncIterator[bytes]:
        """Stream an object's bytes.

        Raises:
            dlhub_common.errors.NotFound: no such key (raised on first iteration).
        """

    @abstractmethod
    async def download(self, key: str, dest: Path) -> None:
        """Write an object to a local file, atomically (temp file + rename).

        Raises:
            dlhub_common.errors.NotFound: no such key.
        """

    @abstractmethod
    async def stat(self, key: str) -> int | None:
        """Size in bytes, or None when the key does not exist."""

    @abstractmethod
    async def delete(self, key: str) -> bool:
        """Delete; True when something was deleted."""

    @abstractmethod
    def list_objects(self) -> AsyncIterator[StoredObject]:
        """Every stored object, in no particular order (streamed, never held whole)."""

    @abstractmethod
    def incomplete(self) -> AsyncIterator[Incomplete]:
        """What unfinished puts left behind, puts in flight included (a crashed
        process leaves these; a finished or failed put never does)."""

    @abstractmethod
    async def discard(self, item: Incomplete) -> bool:
        """Remove one leftover of :meth:`incomplete`; a put still writing it
        then fails and stores nothing. True when something was removed.

        Args:
            item: as listed by :meth:`incomplete`.
        """

    async def presigned_url(self, key: str, expires_s: int = 3600) -> str | None:
        """A URL that reads the object without credentials, or None when the
        store cannot hand one out (then serve the bytes through ``open``).

        Args:
            key: the object key.
            expires_s: how long the URL stays valid.
        """
        return None
