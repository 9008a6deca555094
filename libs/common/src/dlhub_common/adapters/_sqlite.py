"""One SQLite connection driven from one worker thread.

The embedded SQLite adapters share this runner: every statement runs on a
dedicated single-thread executor, so the event loop never blocks on disk I/O
and the connection is only ever touched by the thread that opened it. Calls
are serialised in submission order, which also makes each submitted function
atomic with respect to the others.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from dlhub_common.errors import ResourceExhausted, Unavailable

T = TypeVar("T")

# SQLite result codes that mean "the backend is not usable right now" rather
# than "the statement is wrong".
_UNAVAILABLE_CODES = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_CANTOPEN")


class SqliteRunner:
    """Owns one connection to ``path`` and runs functions against it.

    Args:
        path: the database file; its folder is created on start.
        name: a short name used for the worker thread and in error messages.
        setup: called once in the worker thread after connecting (create tables).
    """

    def __init__(self, path: Path, name: str, setup: Callable[[sqlite3.Connection], None]) -> None:
        self.path = path
        self.name = name
        self._setup = setup
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None

    async def start(self) -> None:
        """Open the connection (WAL mode) and run setup. Idempotent."""
        if self._executor is not None:
            return
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"dlhub-{self.name}")
        try:
            await asyncio.get_running_loop().run_in_executor(executor, self._open)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        self._executor = executor

    async def stop(self) -> None:
        """Close the connection after the calls already submitted. Idempotent."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        try:
            await asyncio.get_running_loop().run_in_executor(executor, self._close)
        finally:
            executor.shutdown(wait=False)

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(connection)`` on the worker thread and return its result.

        Raises:
            Unavailable: not started, or SQLite reports busy / I/O trouble.
            ResourceExhausted: the disk or database is full.
        """
        executor = self._executor
        if executor is None:
            raise Unavailable(f"{self.name} is not started")
        return await asyncio.get_running_loop().run_in_executor(executor, self._call, fn)

    def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn
        if conn is None:  # pragma: no cover - stop() closes only after queued calls
            raise Unavailable(f"{self.name} is not started")
        try:
            return fn(conn)
        except sqlite3.OperationalError as exc:
            raise _translate(self.name, exc) from exc

    def _open(self) -> None:
        private_file(self.path)
        try:
            conn = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.OperationalError as exc:
            raise _translate(self.name, exc) from exc
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=5000")
            self._setup(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (0600; a new folder 0700).

    The database holds private metadata and every task result. A file left
    by an older version is tightened too. SQLite gives its -wal and -shm files
    the permissions of the database file.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


@contextmanager
def transaction(conn: sqlite3.Connection, *, write: bool = True) -> Iterator[None]:
    """BEGIN (IMMEDIATE for writes) ... COMMIT, or ROLLBACK on any error."""
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _translate(name: str, exc: sqlite3.OperationalError) -> Exception:
    code = getattr(exc, "sqlite_errorname", "")
    if code == "SQLITE_FULL":
        return ResourceExhausted(f"{name}: storage is full")
    if code.startswith(_UNAVAILABLE_CODES):
        return Unavailable(f"{name}: {exc}")
    return exc
