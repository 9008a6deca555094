"""Local accounts: users, hashed bearer tokens and groups in one 0600 JSON file.

The embedded default's identity provider. The file holds::

    {"version": 2,
     "users":  {"alice": {"roles": ["admin"], "created": "2026-01-01T00:00:00Z"}},
     "tokens": {"<sha256 of the token>": {"id": "3f9a0c1e", "user": "alice",
                "created": "...", "expires": null, "description": "", "revoked": null}},
     "groups": {"physics": {"members": ["alice"], "created": "..."}}}

Tokens are 256-bit random secrets, so SHA-256 of the token is enough (a slow
KDF would cost every request and buy nothing); the token itself is never
stored and never appears in an error. The short ``id`` names a token in
listings and revocations. An old ``{token: user}`` file is rewritten in this
form on first load. Writers hold an exclusive ``flock`` on a sibling
``.lock`` file around read-modify-write and replace the file atomically, so
readers never need the lock and concurrent writers lose nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import math
import os
import re
import secrets
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlhub_common.access import LOCAL_GROUP_PREFIX
from dlhub_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Unauthenticated,
)
from dlhub_common.identity import Principal
from dlhub_common.names import SLUG_RE, SLUG_RULE

log = logging.getLogger("dlhub.accounts")

FORMAT_VERSION = 2
TOKEN_PREFIX = "dlh_"
ADMIN = "admin"
# How long a known token is trusted before the file is looked at again (one
# ``stat`` per request was measurable on the run path); an unknown token
# always rereads it, so a new token works at once.
RECHECK_S = 1.0
_DURATION_RE = re.compile(r"^(\d+)([smhdw])\Z")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_duration(text: str) -> float:
    """``30d``, ``12h``, ``90m``, ``45s`` or ``2w`` as seconds (> 0)."""
    m = _DURATION_RE.match(text.strip())
    if not m or int(m.group(1)) <= 0:
        raise InvalidArgument(
            f"invalid duration {text!r}: expected a positive number and a unit s, m, h, d or w"
            " (e.g. 30d)",
            details={"expires": text},
        )
    return int(m.group(1)) * _UNITS[m.group(2)]


def check_account_name(kind: str, value: str) -> str:
    """A user or group name: the owner slug rule (INVALID_ARGUMENT naming the value)."""
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise InvalidArgument(f"invalid {kind} name {value!r}: {SLUG_RULE}", details={kind: value})
    return value


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(text: str | None) -> float | None:
    if not text:
        return None
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp()


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token (never the token or its hash)."""

    id: str
    user: str
    created: str
    expires: str | None
    description: str
    revoked: str | None

    def state(self, now: float | None = None) -> str:
        if self.revoked:
            return "revoked"
        expires = _epoch(self.expires)
        if expires is not None and expires <= (time.time() if now is None else now):
            return "expired"
        return "active"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "created": self.created,
            "expires": self.expires,
            "description": self.description,
            "revoked": self.revoked,
            "state": self.state(),
        }


def _token_info(entry: dict[str, Any]) -> TokenInfo:
    return TokenInfo(
        id=str(entry["id"]),
        user=str(entry["user"]),
        created=str(entry.get("created") or ""),
        expires=entry.get("expires") or None,
        description=str(entry.get("description") or ""),
        revoked=entry.get("revoked") or None,
    )


@dataclass(frozen=True)
class _Entry:
    info: TokenInfo
    expires_at: float | None
    principal: Principal  # built once per load, not per request


class _View:
    """The parsed file, indexed for authentication."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        groups_of: dict[str, set[str]] = {}
        for name, group in data["groups"].items():
            for member in group.get("members", []):
                groups_of.setdefault(member, set()).add(LOCAL_GROUP_PREFIX + name)
        principals: dict[str, Principal] = {}
        self.by_hash: dict[str, _Entry] = {}
        for digest, entry in data["tokens"].items():
            info = _token_info(entry)
            if info.user not in principals:
                roles = data["users"].get(info.user, {}).get("roles", [])
                principals[info.user] = Principal(
                    info.user, frozenset(groups_of.get(info.user, ())), roles=frozenset(roles)
                )
            self.by_hash[digest] = _Entry(info, _epoch(info.expires), principals[info.user])


def _empty() -> dict[str, Any]:
    return {"version": FORMAT_VERSION, "users": {}, "tokens": {}, "groups": {}}


class LocalAccounts:
    """The local accounts file (see the module docstring).

    Args:
        path: the tokens file; created, mode 0600, on the first write.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self._view = _View(_empty())
        self._signature: tuple[int, int, int] | None = None
        self._checked = -1e9

    # ------------------------------------------------------------ reading

    def _read(self) -> tuple[dict[str, Any], bool]:
        """The file's content in the current format, and whether it was an old one."""
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return _empty(), False
        try:
            raw = json.loads(text or "{}")
        except ValueError:
            raise InvalidArgument(f"tokens file {self.path} is not valid JSON") from None
        if not isinstance(raw, dict):
            raise InvalidArgument(f"tokens file {self.path} must hold a JSON object")
        if "version" not in raw:
            return self._migrated(raw), True
        if raw.get("version") != FORMAT_VERSION:
            raise InvalidArgument(
                f"tokens file {self.path} has format version {raw.get('version')!r};"
                f" this DLHub reads version {FORMAT_VERSION}"
            )
        data = _empty()
        for key in ("users", "tokens", "groups"):
            if not isinstance(raw.get(key, {}), dict):
                raise InvalidArgument(f"tokens file {self.path}: {key!r} must be an object")
            data[key] = raw.get(key, {})
        return data, False

    def _migrated(self, old: dict[str, Any]) -> dict[str, Any]:
        """An old ``{token: user}`` file in the hashed form."""
        data = _empty()
        now = _iso(time.time())
        for token, user in old.items():
            if not isinstance(user, str):
                raise InvalidArgument(
                    f"tokens file {self.path}: expected {{token: username}} or version"
                    f" {FORMAT_VERSION}"
                )
            data["users"].setdefault(user, {"roles": [], "created": now})
            digest = hash_token(str(token))
            entry = self._new_entry(data, user, None, "migrated from the old tokens file", now)
            # the same id each time a read-only old file is loaded
            derived = hashlib.sha256(f"id:{digest}".encode()).hexdigest()[:8]
            if derived not in {e["id"] for e in data["tokens"].values()}:
                entry["id"] = derived
            data["tokens"][digest] = entry
        return data

    def _load(self) -> None:
        self._checked = time.monotonic()
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._view, self._signature = _View(_empty()), None
            return
        signature = (st.st_ino, st.st_mtime_ns, st.st_size)
        if signature == self._signature:
            return
        data, old = self._read()
        if old:
            try:
                with self._edit():  # rewrite it hashed, under the lock
                    pass
                return
            except FailedPrecondition as exc:  # a read-only mount (a secret): hash it in memory
                log.warning("%s; it is in the old {token: user} form, used as it is", exc.message)
        self._view, self._signature = _View(data), signature

    def _current(self) -> _View:
        self._load()
        return self._view

    # ------------------------------------------------------------ writing

    @contextlib.contextmanager
    def _edit(self) -> Iterator[dict[str, Any]]:
        """Read-modify-write under an exclusive lock; the change is written atomically.

        Raises:
            FailedPrecondition: the file cannot be written (e.g. a read-only mount).
        """
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise self._unwritable(exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            data, _ = self._read()
            yield data
            try:
                self._write(data)
            except OSError as exc:
                raise self._unwritable(exc) from None
            st = self.path.stat()
            self._view = _View(data)
            self._signature = (st.st_ino, st.st_mtime_ns, st.st_size)
            self._checked = time.monotonic()
        finally:
            os.close(fd)  # releases the lock

    def _write(self, data: dict[str, Any]) -> None:
        tmp_fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", dir=self.path.parent)
        try:
            os.fchmod(tmp_fd, 0o600)
            with os.fdopen(tmp_fd, "w") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def _unwritable(self, exc: OSError) -> FailedPrecondition:
        return FailedPrecondition(f"cannot write the tokens file {self.path}: {exc.strerror}")

    @staticmethod
    def _new_entry(
        data: dict[str, Any], user: str, expires: str | None, description: str, now: str
    ) -> dict[str, Any]:
        ids = {e.get("id") for e in data["tokens"].values()}
        token_id = secrets.token_hex(4)
        while token_id in ids:
            token_id = secrets.token_hex(4)
        return {
            "id": token_id,
            "user": user,
            "created": now,
            "expires": expires,
            "description": description,
            "revoked": None,
        }

    # ------------------------------------------------------------ tokens

    def authenticate(self, token: str) -> Principal:
        """The user of ``token``, with the local groups they belong to.

        Raises:
            Unauthenticated: unknown, expired or revoked token (never echoed).
        """
        digest = hash_token(token)
        entry = self._view.by_hash.get(digest)
        if entry is None or time.monotonic() - self._checked >= RECHECK_S:
            self._load()
            entry = self._view.by_hash.get(digest)
        if entry is None:
            raise Unauthenticated("invalid or expired token")
        if entry.info.revoked:
            raise Unauthenticated(f"token {entry.info.id} was revoked; ask for a new one")
        if entry.expires_at is not None and entry.expires_at <= time.time():
            raise Unauthenticated(
                f"token {entry.info.id} expired at {entry.info.expires}; ask for a new one"
            )
        return entry.principal

    def create_token(
        self, user: str, *, expires_in_s: float | None = None, description: str = ""
    ) -> tuple[str, TokenInfo]:
        """A new token for ``user`` (created when new): the token (shown once) and its info."""
        check_account_name("user", user)
        if expires_in_s is not None and expires_in_s <= 0:
            raise InvalidArgument("a token's lifetime must be positive")
        if len(description) > 200 or any(ord(c) < 32 for c in description):
            raise InvalidArgument(
                "a token's description is at most 200 characters, without control characters"
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = time.time()
        # stored to the second, rounded up: a token never expires before its lifetime
        expires = _iso(math.ceil(now + expires_in_s)) if expires_in_s is not None else None
        with self._edit() as data:
            data["users"].setdefault(user, {"roles": [], "created": _iso(now)})
            entry = self._new_entry(data, user, expires, description, _iso(now))
            data["tokens"][hash_token(token)] = entry
        return token, _token_info(entry)

    def ensure_user(self, username: str, *, description: str = "") -> str:
        """A working token for ``username``, creating the user when new.

        Tokens are stored hashed, so an existing token cannot be returned:
        each call issues a new one.
        """
        token, _ = self.create_token(username, description=description)
        return token

    def valid_token_of(self, token: str | None, username: str) -> bool:
        """Whether ``token`` is a working token of ``username`` (``dlhub up`` reuses it)."""
        if not token:
            return False
        try:
            return self.authenticate(token).username == username
        except Unauthenticated:
            return False

    def list_tokens(self, user: str | None = None) -> list[TokenInfo]:
        infos = [e.info for e in self._current().by_hash.values()]
        return sorted(
            (i for i in infos if user is None or i.user == user), key=lambda i: (i.created, i.id)
        )

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke the token with this id (kept, marked revoked, so it says why it fails)."""
        with self._edit() as data:
            for entry in data["tokens"].values():
                if entry.get("id") == token_id:
                    if not entry.get("revoked"):
                        entry["revoked"] = _iso(time.time())
                    return _token_info(entry)
            raise NotFound(f"no token with id {token_id!r}", details={"token_id": token_id})

    # ------------------------------------------------------------ users and roles

    def users(self) -> dict[str, dict[str, Any]]:
        return {u: dict(r) for u, r in self._current().data["users"].items()}

    def ensure_admin(self, username: str) -> bool:
        """Make ``username`` an admin when the file has no admin yet (the first user).

        Returns whether ``username`` is an admin afterwards.
        """
        check_account_name("user", username)
        with self._edit() as data:
            users = data["users"]
            record = users.setdefault(username, {"roles": [], "created": _iso(time.time())})
            if not any(ADMIN in r.get("roles", []) for r in users.values()):
                record["roles"] = sorted({*record.get("roles", []), ADMIN})
            return ADMIN in record.get("roles", [])

    # ------------------------------------------------------------ groups

    def groups(self) -> dict[str, dict[str, Any]]:
        return {
            name: {"members": sorted(g.get("members", [])), "created": g.get("created")}
            for name, g in sorted(self._current().data["groups"].items())
        }

    def group(self, name: str) -> dict[str, Any]:
        check_account_name("group", name)
        found = self.groups().get(name)
        if found is None:
            raise NotFound(f"no group {name!r}", details={"group": name})
        return found

    def create_group(self, name: str) -> None:
        check_account_name("group", name)
        with self._edit() as data:
            if name in data["groups"]:
                raise AlreadyExists(f"group {name!r} exists", details={"group": name})
            data["groups"][name] = {"members": [], "created": _iso(time.time())}

    def add_members(self, name: str, users: Iterable[str]) -> list[str]:
        """Add ``users`` (created when new) to the group; returns its members."""
        check_account_name("group", name)
        members = [check_account_name("user", u) for u in users]
        with self._edit() as data:
            group = self._group_of(data, name)
            now = _iso(time.time())
            for user in members:
                data["users"].setdefault(user, {"roles": [], "created": now})
            group["members"] = sorted({*group.get("members", []), *members})
            return list(group["members"])

    def remove_members(self, name: str, users: Iterable[str]) -> list[str]:
        """Remove ``users`` from the group (each must be a member); returns its members."""
        check_account_name("group", name)
        members = [check_account_name("user", u) for u in users]
        with self._edit() as data:
            group = self._group_of(data, name)
            missing = sorted(set(members) - set(group.get("members", [])))
            if missing:
                raise NotFound(
                    f"not in group {name!r}: {', '.join(missing)}",
                    details={"group": name, "users": missing},
                )
            group["members"] = sorted(set(group["members"]) - set(members))
            return list(group["members"])

    @staticmethod
    def _group_of(data: dict[str, Any], name: str) -> dict[str, Any]:
        group = data["groups"].get(name)
        if not isinstance(group, dict):
            raise NotFound(f"no group {name!r}", details={"group": name})
        return group


def tokens_path(settings: Any) -> Path:
    """The local accounts file of these settings (``tokens_file`` or ``<data_dir>/tokens.json``)."""
    path: Path = settings.tokens_file or settings.resolved_data_dir() / "tokens.json"
    return path
