"""Upload sessions remembered between runs, so a later publish resumes them.

One small JSON file, ``<cache dir>/dlhub/uploads.json`` (``$XDG_CACHE_HOME``,
default ``~/.cache``; ``%LOCALAPPDATA%`` on Windows), mode 0600 in a 0700
folder, maps (server, artifact path, size, sha256) to the upload session
that carries those bytes. A publish looks its large files up there first: a
session the server still knows (``GetUpload``) is resumed from what it
received, instead of sending the file again. Entries are dropped when their
publish succeeds, when the server no longer knows them, and after the
server's session lifetime (24 h).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

# The registry's sessions expire 24 h after they were created.
SESSION_TTL_S = 24 * 3600.0
MAX_ENTRIES = 200


def state_file() -> Path:
    """Where the remembered sessions are kept."""
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.environ.get("LOCALAPPDATA") if os.name == "nt" else None
    )
    root = Path(base) if base else Path.home() / ".cache"
    return root / "dlhub" / "uploads.json"


def entry_key(server: str, path: str, size: int, sha256: str) -> str:
    return f"{server}|{path}|{size}|{sha256}"


class UploadState:
    """The remembered sessions of one state file (read on every call: other
    ``dlhub`` runs may write it meanwhile)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_file()

    def get(self, key: str) -> dict[str, Any] | None:
        """The remembered session ``{upload_id, chunk_size, created}``, or None."""
        entry = self._read().get(key)
        return entry if isinstance(entry, dict) and entry.get("upload_id") else None

    def remember(self, key: str, upload_id: str, chunk_size: int) -> None:
        entries = self._read()
        entries[key] = {"upload_id": upload_id, "chunk_size": chunk_size, "created": time.time()}
        self._write(entries)

    def forget(self, *keys: str) -> None:
        entries = self._read()
        if any(k in entries for k in keys):
            for key in keys:
                entries.pop(key, None)
            self._write(entries)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        now = time.time()
        return {
            k: v
            for k, v in data.items()
            if isinstance(v, dict) and now - float(v.get("created", 0)) < SESSION_TTL_S
        }

    def _write(self, entries: dict[str, Any]) -> None:
        newest = sorted(entries.items(), key=lambda kv: kv[1].get("created", 0))[-MAX_ENTRIES:]
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump(dict(newest), fh)
            os.replace(tmp, self.path)
        except OSError:  # remembering is a convenience; the upload goes on
            with contextlib.suppress(OSError):
                os.unlink(tmp)
