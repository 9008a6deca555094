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

    async def presigned_url(self, key: str, expires_s: int = 3600) -> str | None:
        """A URL that reads the object without credentials, or None when the
        store cannot hand one out (then serve the bytes through ``open``).

        Args:
            key: the object key.
            expires_s: how long the URL stays valid.
        """
        return None
