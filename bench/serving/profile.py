"""Where DLHub's time goes: py-spy samples of the server during one load round.

py-spy (PyPI) is installed into bench/.cache/venvs/tools on first use. It samples
the server's process and its children (``--subprocesses``) while the load
generator runs one round, writes the collapsed stacks to
bench/results/profile_<name>.txt and returns the functions that hold the most
samples, both where the sample was taken (self) and anywhere on the stack
(inclusive, DLHub's own code and the libraries it calls).
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.serving.peers import ensure_venv

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
# Leaves where a thread waits rather than works: py-spy's idle detection misses
# these under --nonblocking (an event loop in epoll, an empty thread pool, grpc's
# C-core poller under Thread.run). They are counted apart, not ranked.
WAITING = ("EpollSelector.select ", "_worker (concurrent/", "Thread.run (", "Event.wait ", "wait (")
# Entry frames every sample has; they say nothing about where the time goes.
ENTRY = ("dlhub_sdk/cli", "asyncio/runners.py", "asyncio/base_events.py", "asyncio/events.py")


@dataclass
class Profile:
    name: str
    what: str  # the round it sampled
    samples: int = 0
    waiting_pct: float = 0.0  # samples whose leaf is a wait (see WAITING)
    self_top: list[tuple[str, float]] = field(default_factory=list)  # (frame, % of samples)
    inclusive_top: list[tuple[str, float]] = field(default_factory=list)
    error: str = ""


def _short(frame: str) -> str:
    m = FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = m.group("file")
    for marker in ("site-packages/", "/src/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{m.group('func')} ({path})"


def summarize(raw: Path, name: str, what: str, top: int = 12) -> Profile:
    self_c: Counter[str] = Counter()
    incl_c: Counter[str] = Counter()
    total = waiting = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [
            _short(f) for f in stack.split(";") if f and not f.startswith(("process ", "thread "))
        ]
        if not frames:
            continue
        total += n
        if frames[-1].startswith(WAITING):
            waiting += n
            continue
        self_c[frames[-1]] += n
        for frame in set(frames):
            incl_c[frame] += n
    prof = Profile(name, what, total)
    busy = total - waiting
    if total:
        prof.waiting_pct = 100 * waiting / total
    if busy:
        prof.self_top = [(f, 100 * c / busy) for f, c in self_c.most_common(top)]
        ours = [
            (f, c)
            for f, c in incl_c.most_common()
            if ("dlhub_" in f or "grpc" in f) and not any(e in f for e in ENTRY)
        ]
        prof.inclusive_top = [(f, 100 * c / busy) for f, c in ours[:top]]
    return prof


class Sampler:
    """``py-spy record`` on one process tree for a fixed time (raw collapsed stacks)."""

    def __init__(self, pid: int, out: Path, seconds: float, rate: int = 100) -> None:
        venv = ensure_venv("tools")
        self.out = out
        self.proc = subprocess.Popen(
            [
                str(venv / "bin" / "py-spy"),
                "record",
                "--pid",
                str(pid),
                "--subprocesses",
                "--nonblocking",
                "--rate",
                str(rate),
                "--duration",
                str(max(1, round(seconds))),
                "--format",
                "raw",
                "--output",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(self) -> str:
        """Wait for py-spy; returns its complaint when it wrote nothing."""
        _, err = self.proc.communicate(timeout=120)
        if self.proc.returncode != 0 or not self.out.is_file():
            return (err or f"py-spy exited {self.proc.returncode}").strip()[-300:]
        return ""
