"""`dlhub up` and local accounts: an admin, a hashed token it keeps across restarts, whoami,
and the token's creation in the audit log the admin reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dlhub_common.accounts import LocalAccounts

from ._support import CLI_TIMEOUT_S, USERNAME, Mesh, clean_env
from .conftest import start_dlhub_up

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


def _whoami(mesh: Mesh) -> subprocess.CompletedProcess[str]:
    """``dlhub whoami`` with no token option: it finds the data dir's client file."""
    return _cli(mesh, "whoami")


def _cli(mesh: Mesh, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dlhub_sdk.cli", *args],
        cwd=mesh.workdir,
        env=clean_env(DLHUB_DATA_DIR=str(mesh.data_dir)),
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )


def test_dlhub_up_keeps_a_working_token_across_restarts(tmp_path: Path) -> None:
    process, first = start_dlhub_up(tmp_path)
    try:
        result = _whoami(first)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(USERNAME)
        assert f"client file ({first.data_dir / 'client.json'})" in result.stdout
        assert first.token not in result.stdout
        # the starting user is an admin, and the token it got is in the audit log
        audit = _cli(first, "audit", "--json")
        assert audit.returncode == 0, audit.stderr
        entries = json.loads(audit.stdout)["entries"]
        assert [(e["action"], e["details"]["user"]) for e in entries] == [
            ("token.create", USERNAME)
        ]
        assert entries[0]["actor"].startswith("local:")
        assert first.token not in audit.stdout
    finally:
        process.stop_cleanly()
    tokens_file = first.data_dir / "tokens.json"
    assert first.token not in tokens_file.read_text()  # stored hashed
    store = LocalAccounts(tokens_file)
    assert store.users()[USERNAME]["roles"] == ["admin"]

    process, second = start_dlhub_up(tmp_path)
    try:
        assert second.token == first.token  # client.json's token still works: reused
        assert _whoami(second).stdout.startswith(USERNAME)
    finally:
        process.stop_cleanly()
    assert len(store.list_tokens(USERNAME)) == 1
