"""Writing an object to a local file, as the local and S3 adapters both do."""

from __future__ import annotations

import os
from typing import IO, Any


def write_chunk(file: IO[bytes], hasher: Any, chunk: bytes | bytearray) -> None:
    """Hash and write one chunk (run in a thread: both may take a while)."""
    hasher.update(chunk)
    file.write(chunk)


def sync_file(file: IO[bytes]) -> None:
    """Flush a written object to disk. It stays readable by its owner only
    (mkstemp creates it 0600): artifacts and results may be private."""
    file.flush()
    os.fsync(file.fileno())
