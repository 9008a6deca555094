"""The local accounts file: hashed tokens, migration, expiry, revocation, groups, locking."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import stat
import time
from pathlib import Path

import pytest

from dlhub_common import accounts as accounts_m
from dlhub_common.accounts import LocalAccounts, hash_token, parse_duration
from dlhub_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Unauthenticated,
)
from dlhub_server.mesh import CLIENT_FILE, starting_user_token


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_tokens_are_stored_hashed_never_in_clear(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store = LocalAccounts(path)
    token, info = store.create_token("alice", description="laptop")
    text = path.read_text()
    assert token not in text
    assert hashlib.sha256(token.encode()).hexdigest() in text
    entry = json.loads(text)["tokens"][hash_token(token)]
    assert entry["id"] == info.id
    assert len(info.id) == 8
    assert entry["user"] == "alice"
    assert entry["description"] == "laptop"
    assert entry["expires"] is None
    assert entry["revoked"] is None
    assert _mode(path) == 0o600
    # a fresh reader (another process) authenticates it from the file
    assert LocalAccounts(path).authenticate(token).username == "alice"


def test_each_ensure_user_issues_a_distinct_working_token(tmp_path: Path) -> None:
    store = LocalAccounts(tmp_path / "tokens.json")
    first, second = store.ensure_user("alice"), store.ensure_user("alice")
    assert first != second
    assert first.startswith("dlh_")
    assert store.authenticate(first).username == store.authenticate(second).username == "alice"
    assert [t.user for t in store.list_tokens()] == ["alice", "alice"]
    assert len({t.id for t in store.list_tokens()}) == 2


def test_unknown_token_is_unauthenticated_without_echo(tmp_path: Path) -> None:
    store = LocalAccounts(tmp_path / "tokens.json")
    store.ensure_user("alice")
    with pytest.raises(Unauthenticated) as info:
        store.authenticate("dlh_guessed-secret-value")
    assert "invalid or expired token" in info.value.message
    assert "guessed-secret" not in json.dumps(info.value.to_dict())


def test_old_file_is_migrated_to_the_hashed_form(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"dlh_old-alice": "alice", "dlh_old-bob": "bob"}))
    os.chmod(path, 0o644)
    store = LocalAccounts(path)
    assert store.authenticate("dlh_old-bob").username == "bob"
    text = path.read_text()
    assert "dlh_old-alice" not in text
    assert "dlh_old-bob" not in text
    data = json.loads(text)
    assert data["version"] == 2
    assert set(data["users"]) == {"alice", "bob"}
    assert _mode(path) == 0o600
    assert LocalAccounts(path).authenticate("dlh_old-alice").username == "alice"


def test_unwritable_old_file_still_authenticates(tmp_path: Path) -> None:
    # Deployments mount the tokens file read-only (a secret, a ':ro' volume).
    # Tests may run as root, whom file modes do not stop: a directory where the
    # lock file would go makes every write fail the same way.
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"dlh_mounted": "admin"}))
    (tmp_path / "tokens.json.lock").mkdir()
    store = LocalAccounts(path)
    assert store.authenticate("dlh_mounted").username == "admin"
    ids = {t.id for t in store.list_tokens()}
    assert ids == {t.id for t in LocalAccounts(path).list_tokens()}  # stable ids
    assert json.loads(path.read_text()) == {"dlh_mounted": "admin"}  # left as it was
    with pytest.raises(FailedPrecondition, match="cannot write the tokens file"):
        store.create_token("bob")


def test_malformed_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("[1, 2]")
    with pytest.raises(InvalidArgument, match="must hold a JSON object"):
        LocalAccounts(path).authenticate("dlh_x")
    path.write_text('{"version": 9}')
    with pytest.raises(InvalidArgument, match="format version 9"):
        LocalAccounts(path).authenticate("dlh_x")


def test_expired_token_is_refused_naming_its_id_only(tmp_path: Path) -> None:
    store = LocalAccounts(tmp_path / "tokens.json")
    token, info = store.create_token("alice", expires_in_s=1)
    assert info.expires is not None
    assert info.state() == "active"
    assert store.authenticate(token).username == "alice"
    expires = dt.datetime.strptime(info.expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert expires.timestamp() >= time.time()  # never before its lifetime (rounded up)
    time.sleep(expires.timestamp() - time.time() + 0.05)
    with pytest.raises(Unauthenticated) as err:
        store.authenticate(token)
    assert f"token {info.id} expired" in err.value.message
    assert token not in json.dumps(err.value.to_dict())
    assert store.list_tokens()[0].state() == "expired"


def test_revoked_token_is_refused_at_once_and_by_other_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tokens.json"
    store, gateway = LocalAccounts(path), LocalAccounts(path)
    token, info = store.create_token("alice")
    assert gateway.authenticate(token).username == "alice"  # now cached in the gateway
    revoked = store.revoke(info.id)
    assert revoked.revoked
    assert revoked.state() == "revoked"
    with pytest.raises(Unauthenticated, match=f"token {info.id} was revoked"):
        store.authenticate(token)
    # the other reader trusts a known token for RECHECK_S, then rereads
    monkeypatch.setattr(accounts_m, "RECHECK_S", 0.0)
    with pytest.raises(Unauthenticated, match="was revoked"):
        gateway.authenticate(token)
    with pytest.raises(NotFound, match="no token with id 'nope0000'"):
        store.revoke("nope0000")
    assert store.revoke(info.id).revoked == revoked.revoked  # idempotent


def test_list_tokens_by_user_shows_no_secrets(tmp_path: Path) -> None:
    store = LocalAccounts(tmp_path / "tokens.json")
    alice, _ = store.create_token("alice")
    store.create_token("bob", expires_in_s=3600)
    listed = store.list_tokens("bob")
    assert [t.user for t in listed] == ["bob"]
    assert listed[0].expires
    dumped = json.dumps([t.to_dict() for t in store.list_tokens()])
    assert alice not in dumped
    assert hash_token(alice) not in dumped


@pytest.mark.parametrize("bad", ["Alice", "a b", "-x", "", "a" * 65, "x/y", "é"])
def test_bad_user_and_group_names_are_named(tmp_path: Path, bad: str) -> None:
    store = LocalAccounts(tmp_path / "tokens.json")
    with pytest.raises(InvalidArgument) as err:
        store.create_token(bad)
    assert repr(bad) in err.value.message
    assert "user name" in err.value.message
    with pytest.raises(InvalidArgument) as err:
        store.create_group(bad)
    assert repr(bad) in err.value.message
    assert "group name" in err.value.message
    store.create_group("ok")
    with pytest.raises(InvalidArgument, match="invalid user name"):
        store.add_members("ok", ["fine", bad])
    assert store.group("ok")["members"] == []  # nothing half-applied
    assert "fine" not in store.users()


@pytest.mark.parametrize(
    ("text", "seconds"), [("30d", 30 * 86400), ("12h", 43200), ("2w", 1209600), ("45s", 45)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["0d", "30", "d", "-1d", "3y", "1.5h"])
def test_bad_durations_are_named(bad: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        parse_duration(bad)
    assert repr(bad) in err.value.message


def test_groups_fill_the_principal(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store = LocalAccounts(path)
    alice = store.ensure_user("alice")
    store.create_group("physics")
    store.create_group("chem")
    assert store.add_members("physics", ["alice", "bob"]) == ["alice", "bob"]
    store.add_members("chem", ["alice"])
    with pytest.raises(AlreadyExists, match="group 'physics' exists"):
        store.create_group("physics")
    reader = LocalAccounts(path)
    assert reader.authenticate(alice).groups == frozenset({"group:physics", "group:chem"})
    assert store.remove_members("chem", ["alice"]) == []
    with pytest.raises(NotFound, match="not in group 'chem': alice"):
        store.remove_members("chem", ["alice"])
    with pytest.raises(NotFound, match="no group 'bio'"):
        store.add_members("bio", ["alice"])
    assert store.authenticate(alice).groups == frozenset({"group:physics"})
    assert list(store.groups()) == ["chem", "physics"]
    assert "bob" in store.users()  # added members become users
    assert _mode(path) == 0o600


def _create_many(path: str, user: str, count: int) -> None:
    store = LocalAccounts(Path(path))
    for _ in range(count):
        store.create_token(user)
    store.create_group(f"g-{user}")


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_create_many, args=(str(path), f"user{i}", 25)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    store = LocalAccounts(path)
    tokens = store.list_tokens()
    assert len(tokens) == 100
    assert len({t.id for t in tokens}) == 100
    assert sorted(store.groups()) == [f"g-user{i}" for i in range(4)]
    # no temporary file left behind, only the file and its lock
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokens.json", "tokens.json.lock"]


def test_dlhub_up_makes_the_first_user_admin_and_reuses_its_token(tmp_path: Path) -> None:
    store = LocalAccounts(tmp_path / "tokens.json")
    token = starting_user_token(store, tmp_path, "alice")
    assert store.users()["alice"]["roles"] == ["admin"]
    (tmp_path / CLIENT_FILE).write_text(json.dumps({"token": token}))
    assert starting_user_token(store, tmp_path, "alice") == token
    # another user starting later is no admin, and gets its own token
    bob = starting_user_token(store, tmp_path, "bob")
    assert bob != token
    assert store.users()["bob"]["roles"] == []
    # a revoked token in client.json is replaced by a working one
    store.revoke(next(t.id for t in store.list_tokens("alice")))
    fresh = starting_user_token(store, tmp_path, "alice")
    assert fresh != token
    assert store.authenticate(fresh).username == "alice"
