"""Shared helpers for the local real-engine stack (deploy/local)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CACHE = Path(os.environ.get("DLHUB_STACK_CACHE", Path.home() / ".cache" / "dlhub-stack"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until(
    check: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
) -> None:
    """Poll ``check`` until true; raise with the log's tail on timeout or exit."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"{what}: process exited with {process.returncode}\n{tail(log) if log else ''}"
            )
        with contextlib.suppress(Exception):
            if check():
                return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{what}: not ready after {timeout:.0f}s\n{tail(log) if log else ''}"
            )
        time.sleep(0.2)


def spawn(
    cmd: list[str], log: Path, *, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start a server in its own session (so stack-down can signal its group)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    fh = log.open("ab")
    return subprocess.Popen(
        cmd,
        stdout=fh,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        start_new_session=True,
    )


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold ``<folder>/.lock``: one process at a time obtains an engine (parallel test runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def stop_pid(pid: int, timeout: float = 30.0) -> None:
    """SIGTERM the process group, then SIGKILL after ``timeout``."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
                if done:
                    return
            except ChildProcessError:  # not our child: poll for existence
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
            time.sleep(0.1)


@dataclass
class Server:
    """A running engine.

    Attributes:
        name: engine name (kafka, opensearch, mongo, s3).
        pid: the server's process id (leader of its own process group).
        workdir: its data and config folder.
        ports: named ports it listens on (127.0.0.1).
        env: DLHUB_* settings that point a DLHub service at it.
        info: addresses and credentials for tests.
        log: its log file.
    """

    name: str
    pid: int
    workdir: Path
    ports: dict[str, int]
    env: dict[str, str]
    info: dict[str, Any] = field(default_factory=dict)
    log: Path | None = None
    started_s: float = 0.0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self, timeout: float = 30.0) -> None:
        stop_pid(self.pid, timeout)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)

    def rss_mb(self) -> float:
        """Resident memory of the server's process tree, in MiB (Linux)."""
        total = 0
        for pid in _tree(self.pid):
            with contextlib.suppress(OSError, ValueError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return total / 1024

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pid": self.pid,
            "workdir": str(self.workdir),
            "ports": self.ports,
            "env": self.env,
            "info": self.info,
            "log": str(self.log) if self.log else None,
            "started_s": self.started_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Server:
        return cls(
            name=data["name"],
            pid=int(data["pid"]),
            workdir=Path(data["workdir"]),
            ports={k: int(v) for k, v in data["ports"].items()},
            env=dict(data["env"]),
            info=dict(data.get("info", {})),
            log=Path(data["log"]) if data.get("log") else None,
            started_s=float(data.get("started_s", 0.0)),
        )


def launch(
    name: str,
    cmd: list[str],
    *,
    workdir: Path,
    log: Path,
    ports: dict[str, int],
    env: dict[str, str],
    info: dict[str, Any],
    ready: Callable[[], bool],
    timeout: float,
    what: str,
    stop_timeout: float = 30.0,
    process_env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Server:
    """Spawn an engine's server and return it once ``ready()`` holds.

    Args:
        name, workdir, log, ports, env, info: as in :class:`Server`.
        cmd: the server's command line, logging to ``log``.
        ready: the readiness check, polled by :func:`wait_until` for ``timeout`` s.
        what: the server in the messages of a failed start.
        stop_timeout: how long a server that never got ready has to stop.
        process_env, cwd: the process's extra environment and working folder.
    """
    process = spawn(cmd, log, env=process_env, cwd=cwd)
    server = Server(
        name=name,
        pid=process.pid,
        workdir=workdir,
        ports=ports,
        env=env,
        info=info,
        log=log,
        process=process,
    )
    try:
        wait_until(ready, timeout=timeout, what=what, process=process, log=log)
    except BaseException:
        server.stop(timeout=stop_timeout)
        raise
    return server


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out
