"""Processes of the benchmark: servers in their own process groups, their CPU time.

Every server is started as the leader of a new session (``start_new_session``),
so its workers and helpers share its process group. CPU per request is read
from /proc: the sum of utime+stime over every process of the group, before
and after a round. That counts the server's work only, whatever else runs on
the machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_ports(n: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < n:
        ports.add(free_port())
    return list(ports)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def group_cpu_s(pgids: Iterable[int]) -> float:
    """utime+stime (seconds) of every live process whose process group is in ``pgids``."""
    wanted = set(pgids)
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # Fields after the command name, which is in parentheses and may hold spaces.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) in wanted:  # field 5: pgrp
            total += int(fields[11]) + int(fields[12])  # fields 14, 15: utime, stime
    return total / CLK_TCK


def pid_cpu_s(pid: int) -> float:
    """utime+stime (seconds) of one process, all its threads; 0 when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


@dataclass
class Server:
    """A child process leading its own process group, with its output in a file."""

    label: str
    proc: subprocess.Popen[bytes]
    log: Path
    extra_pgids: list[int] = field(default_factory=list)

    @classmethod
    def start(
        cls, label: str, argv: list[str], log: Path, env: dict[str, str], cwd: Path | None = None
    ) -> Server:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as fh:
            proc = subprocess.Popen(
                argv,
                stdout=fh,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=cwd,
                start_new_session=True,
            )
        return cls(label, proc, log)

    @property
    def pgids(self) -> list[int]:
        return [self.proc.pid, *self.extra_pgids]

    def cpu_s(self) -> float:
        return group_cpu_s(self.pgids)

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(
                f"{self.label} exited with status {self.proc.returncode}:\n{tail(self.log)}"
            )

    def wait_until(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            with contextlib.suppress(Exception):
                if check():
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.label}: {what} not ready after {timeout:.0f}s")
            time.sleep(0.2)

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM the whole group, SIGKILL it after ``grace`` seconds (MLServer can hang)."""
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Helpers that outlived the leader still hold the group id.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
