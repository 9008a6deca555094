"""The SDK's remembered upload sessions (dlhub_sdk._upload_state)."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import pytest

from dlhub_sdk._upload_state import SESSION_TTL_S, UploadState, entry_key, state_file


def test_state_file_lives_in_the_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert state_file() == tmp_path / "dlhub" / "uploads.json"


def test_remember_get_forget_and_private_modes(tmp_path: Path) -> None:
    state = UploadState(tmp_path / "cache" / "dlhub" / "uploads.json")
    key = entry_key("127.0.0.1:8001", "weights.bin", 10, "a" * 64)
    assert state.get(key) is None
    state.remember(key, "u1", 4096)
    entry = state.get(key)
    assert entry is not None
    assert (entry["upload_id"], entry["chunk_size"]) == ("u1", 4096)
    assert stat.S_IMODE(state.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(state.path.parent.stat().st_mode) == 0o700
    # another file, server or content is another session
    assert state.get(entry_key("127.0.0.1:8001", "weights.bin", 10, "b" * 64)) is None
    assert state.get(entry_key("other:8001", "weights.bin", 10, "a" * 64)) is None
    state.forget(key)
    assert state.get(key) is None
    assert [p.name for p in state.path.parent.iterdir()] == ["uploads.json"]  # no temp left


def test_sessions_past_the_server_lifetime_are_forgotten(tmp_path: Path) -> None:
    path = tmp_path / "uploads.json"
    old = {"upload_id": "u-old", "chunk_size": 1, "created": time.time() - SESSION_TTL_S - 1}
    path.write_text(json.dumps({"k-old": old}))
    state = UploadState(path)
    assert state.get("k-old") is None
    state.remember("k-new", "u-new", 1)
    assert set(json.loads(path.read_text())) == {"k-new"}


def test_a_damaged_state_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "uploads.json"
    path.write_text("{not json")
    state = UploadState(path)
    assert state.get("k") is None
    state.remember("k", "u", 1)
    assert state.get("k") is not None
