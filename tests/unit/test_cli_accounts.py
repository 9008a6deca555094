"""`dlhub token` and `dlhub group` on the accounts file, and where the SDK finds its token.

The token and group commands append to the audit log of the configured store;
the log never holds a token; a store that cannot be written leaves the change
made and says so.

Login, whoami and logout need a gateway: tests/integration/test_accounts_gateway.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from dlhub_common import audit
from dlhub_common.accounts import LocalAccounts
from dlhub_common.adapters.sqlite_documents import SqliteDocumentStore
from dlhub_common.backends import SqliteDocumentsConfig
from dlhub_common.errors import InvalidArgument
from dlhub_sdk.cli import main
from dlhub_sdk.config import login_path, resolve, save_login

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("DLHUB_"):
            monkeypatch.delenv(key)
    # restored after the test (_settings sets it); under tmp_path: never the checkout
    monkeypatch.setenv("DLHUB_DATA_DIR", str(tmp_path / "unused"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_token_create_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    code, out, err = _run(
        capsys, "token", "create", "--user", "carol", "--expires", "30d",
        "--description", "ci runner", "--data-dir", data,
    )  # fmt: skip
    assert code == 0
    token = out.strip()
    assert out == token + "\n"  # the token alone on stdout, for TOKEN=$(...)
    assert token.startswith("dlh_")
    assert "shown only this once" in err
    store = LocalAccounts(tmp_path / "data" / "tokens.json")
    assert store.authenticate(token).username == "carol"

    code, out, _ = _run(capsys, "token", "list", "--json", "--data-dir", data)
    listed = json.loads(out)["tokens"]
    assert code == 0
    assert token not in out
    assert [(t["user"], t["description"], t["state"]) for t in listed] == [
        ("carol", "ci runner", "active")
    ]
    assert listed[0]["expires"]
    token_id = listed[0]["id"]

    code, out, _ = _run(capsys, "token", "list", "--user", "nobody", "--data-dir", data)
    assert code == 0
    assert "(no tokens)" in out
    code, out, _ = _run(capsys, "token", "revoke", token_id, "--data-dir", data)
    assert code == 0
    assert f"revoked token {token_id} of carol" in out
    code, out, _ = _run(capsys, "token", "list", "--data-dir", data)
    assert token_id in out
    assert "revoked" in out
    assert token not in out
    code, _, err = _run(capsys, "token", "revoke", "feedbeef", "--data-dir", data)
    assert code == 1
    assert "NOT_FOUND" in err
    assert "feedbeef" in err


def test_token_create_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    code, _, err = _run(capsys, "token", "create", "--user", "Bad Name", "--data-dir", data)
    assert code == 1
    assert "INVALID_ARGUMENT" in err
    assert "'Bad Name'" in err
    code, _, err = _run(
        capsys, "token", "create", "--user", "carol", "--expires", "soon", "--data-dir", data
    )
    assert code == 1
    assert "invalid duration 'soon'" in err
    assert not (tmp_path / "data" / "tokens.json").exists()  # nothing written


def test_group_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    assert _run(capsys, "group", "create", "physics", "--data-dir", data)[0] == 0
    code, out, _ = _run(capsys, "group", "add", "physics", "alice", "bob", "--data-dir", data)
    assert code == 0
    assert "physics: alice, bob" in out
    code, out, _ = _run(capsys, "group", "remove", "physics", "bob", "--data-dir", data)
    assert code == 0
    assert "physics: alice" in out
    code, out, _ = _run(capsys, "group", "list", "--json", "--data-dir", data)
    groups = json.loads(out)["groups"]
    assert groups["physics"]["members"] == ["alice"]
    code, out, _ = _run(capsys, "group", "list", "physics", "--data-dir", data)
    assert code == 0
    assert "physics" in out
    assert "alice" in out

    code, _, err = _run(capsys, "group", "create", "physics", "--data-dir", data)
    assert code == 1
    assert "ALREADY_EXISTS" in err
    code, _, err = _run(capsys, "group", "create", "Bad/Group", "--data-dir", data)
    assert code == 1
    assert "INVALID_ARGUMENT" in err
    assert "'Bad/Group'" in err
    code, _, err = _run(capsys, "group", "add", "nope", "alice", "--data-dir", data)
    assert code == 1
    assert "NOT_FOUND" in err
    assert "'nope'" in err
    code, _, err = _run(capsys, "group", "remove", "physics", "zed", "--data-dir", data)
    assert code == 1
    assert "not in group 'physics': zed" in err
    code, _, err = _run(capsys, "group", "list", "nope", "--data-dir", data)
    assert code == 1
    assert "no group 'nope'" in err


def test_tokens_file_setting_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "secrets" / "accounts.json"
    monkeypatch.setenv("DLHUB_TOKENS_FILE", str(elsewhere))
    # the audit log is in the data dir's document store, wherever the tokens file is
    monkeypatch.setenv("DLHUB_DATA_DIR", str(tmp_path / "data"))
    code, out, _ = _run(capsys, "token", "create", "--user", "dave")
    assert code == 0
    assert LocalAccounts(elsewhere).authenticate(out.splitlines()[0]).username == "dave"
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o600
    (entry,) = asyncio.run(_entries(tmp_path / "data", audit.AuditQuery()))
    assert entry["details"]["user"] == "dave"


def test_credentials_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("DLHUB_DATA_DIR", str(data))
    assert resolve().token is None
    assert resolve().token_source == "none"

    (data / "client.json").write_text(
        json.dumps({"token": "from-client", "address": "127.0.0.1:9001", "http": "http://c"})
    )
    config = resolve()
    assert (config.token, config.address) == ("from-client", "127.0.0.1:9001")
    assert config.token_source.startswith("client file")

    saved = save_login("from-login", "10.0.0.1:8001", None, "alice")
    assert saved == login_path()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    config = resolve()
    assert (config.token, config.address) == ("from-login", "10.0.0.1:8001")
    assert config.token_source == f"saved login ({saved})"

    monkeypatch.setenv("DLHUB_TOKEN", "from-env")
    assert resolve().token == "from-env"
    assert resolve().token_source == "DLHUB_TOKEN"
    config = resolve(token="explicit", address="h:1")
    assert (config.token, config.address, config.token_source) == ("explicit", "h:1", "argument")


def test_logout_without_login(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "logout")
    assert code == 0
    assert "not logged in" in out
    save_login("t", "h:1", None, "alice")
    code, out, _ = _run(capsys, "logout", "--json")
    assert code == 0
    assert json.loads(out)["removed"] == str(login_path())
    assert not login_path().exists()


# ------------------------------------------------------------ the audit log


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


@pytest.mark.parametrize("bad", ["dlh_abc\n", "dlh_abc def", "dlh_\x00x", "dlh_é"])
def test_a_token_with_spaces_or_control_characters_is_refused_before_sending(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    """A token pasted with its line break gets a clear error, not gRPC's 'Invalid metadata'."""
    monkeypatch.delenv("DLHUB_TOKEN", raising=False)
    code, _, err = _run(capsys, "describe", "alice/x", "--token", bad, "--address", "127.0.0.1:1")
    assert code == 1
    assert "holds spaces or control characters" in err
    assert bad.strip() not in err
    if "\x00" in bad:
        return  # no environment variable can hold a NUL
    monkeypatch.setenv("DLHUB_TOKEN", bad)
    code, _, err = _run(capsys, "whoami", "--address", "127.0.0.1:1")
    assert code == 1
    assert "the token from DLHUB_TOKEN holds" in err
