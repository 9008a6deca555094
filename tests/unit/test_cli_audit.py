"""The local accounts commands append to the audit log of the configured store;
the log never holds a token; a store that cannot be written leaves the change
made and says so."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest

from dlhub_common import audit
from dlhub_common.adapters.sqlite_documents import SqliteDocumentStore
from dlhub_common.backends import SqliteDocumentsConfig
from dlhub_common.errors import InvalidArgument
from dlhub_sdk.cli import main

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("DLHUB_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("DLHUB_DATA_DIR", "unused")  # restored after the test (_settings sets it)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


async def _entries(data: Path, query: audit.AuditQuery) -> list[dict[str, Any]]:
    store = SqliteDocumentStore(SqliteDocumentsConfig(), data)
    await store.start()
    try:
        return (await audit.entries(store, query))[0]
    finally:
        await store.stop()


def test_token_and_group_commands_are_audited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(tmp_path)]
    code, out, _ = _run(
        capsys, "token", "create", "--user", "erin", "--description", "laptop", "--json", *data
    )
    assert code == 0
    created = json.loads(out)
    assert _run(capsys, "token", "revoke", created["id"], *data)[0] == 0
    assert _run(capsys, "group", "create", "bio", *data)[0] == 0
    assert _run(capsys, "group", "add", "bio", "erin", *data)[0] == 0
    assert _run(capsys, "group", "remove", "bio", "erin", *data)[0] == 0
    assert _run(capsys, "token", "list", *data)[0] == 0  # reads are not audited

    entries = asyncio.run(_entries(tmp_path, audit.AuditQuery(limit=100)))
    assert [(e["action"], e["target"]) for e in reversed(entries)] == [
        ("token.create", f"token:{created['id']}"),
        ("token.revoke", f"token:{created['id']}"),
        ("group.create", "group:bio"),
        ("group.add", "group:bio"),
        ("group.remove", "group:bio"),
    ]
    assert all(e["actor"].startswith("local:") for e in entries)
    assert entries[-1]["details"] == {
        "user": "erin",
        "expires": None,
        "description": "laptop",
    }
    assert created["token"] not in json.dumps(entries)
    only = asyncio.run(_entries(tmp_path, audit.AuditQuery(action="group.add", limit=10)))
    assert [e["details"]["members"] for e in only] == [["erin"]]


def test_a_failed_command_writes_no_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert _run(capsys, "group", "remove", "nobody", "erin", *data)[0] == 1
    assert _run(capsys, "token", "revoke", "feedbeef", *data)[0] == 1
    assert _run(capsys, "token", "create", "--user", "Not A Slug", *data)[0] == 1
    assert not (tmp_path / "documents.sqlite3").exists()


def test_an_unwritable_store_keeps_the_change_and_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLHUB_DOCUMENTS__TYPE", "mongo")
    monkeypatch.setenv("DLHUB_DOCUMENTS__URL", "mongodb://admin:s3cret-pw@127.0.0.1:9/")
    monkeypatch.setenv("DLHUB_DOCUMENTS__SERVER_SELECTION_TIMEOUT_MS", "200")
    code, out, err = _run(capsys, "token", "create", "--user", "erin", "--data-dir", str(tmp_path))
    assert code == 0
    token = out.splitlines()[0]
    assert token.startswith("dlh_")
    assert "token.create" in err
    assert "not in the audit log" in err
    assert "s3cret-pw" not in err
    assert token not in err


def test_details_that_look_like_tokens_are_redacted(tmp_path: Path) -> None:
    async def go() -> list[dict[str, Any]]:
        store = SqliteDocumentStore(SqliteDocumentsConfig(), tmp_path)
        await store.start()
        try:
            await audit.record(
                store,
                "alice",
                "token.create",
                "token:1",
                {"description": "oops dlh_" + "x" * 43, "header": "Bearer abc.def"},
            )
            return (await audit.entries(store, audit.AuditQuery()))[0]
        finally:
            await store.stop()

    (entry,) = asyncio.run(go())
    assert entry["details"] == {"description": "oops [redacted]", "header": "[redacted]"}


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01T00:00:00Z", ""])
def test_since_is_an_rfc3339_time(since: str) -> None:
    if not since:
        assert audit.parse_since("2026-01-01T00:00:00Z") == "2026-01-01T00:00:00.000Z"
        assert audit.parse_since("2026-01-01T01:00:00+01:00") == "2026-01-01T00:00:00.000Z"
        return
    with pytest.raises(InvalidArgument, match="RFC 3339"):
        audit.parse_since(since)
