"""What the commands print: human text or ``--json``, tables, warnings, the progress bar."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np


def _print(args: argparse.Namespace, data: Any, human: str) -> None:
    if args.json:
        print(json.dumps(data, indent=2, default=_jsonable))
    else:
        print(human)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _table(rows: list[dict[str, Any]]) -> str:
    """Servables as a table that fits its content (dlhub_sdk.cli.human)."""
    from dlhub_sdk.cli.human import render, servables_table

    return render(servables_table(rows))


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


class ProgressBar:
    """The upload progress bar: rich's (bar, MiB sent, speed, time left) on a terminal;
    elsewhere a one-line text bar with throughput, redrawn at most 10 times a second."""

    WIDTH = 30

    def __init__(self, stream: Any, *, interval_s: float = 0.1) -> None:
        import time

        self._clock = time.monotonic
        self.stream = stream
        self.interval_s = interval_s
        self.started = self._clock()
        self._drawn = 0.0
        self._last: tuple[int, int] | None = None
        self._rich: Any = None
        self._task: Any = None
        if getattr(stream, "isatty", lambda: False)():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._rich = Progress(
                TextColumn("uploading"),
                BarColumn(),
                DownloadColumn(binary_units=True),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(file=stream),
            )

    def write(self, line: str) -> None:
        """A line of text above the bar (a resumed upload's notice)."""
        if self._rich is not None:
            self._rich.console.print(line, markup=False, highlight=False)
        else:
            self.stream.write(f"\n{line}\n")
            self.stream.flush()

    def __call__(self, done: int, total: int) -> None:
        if self._rich is not None:
            if self._task is None:
                self._rich.start()
                self._task = self._rich.add_task("upload", total=total)
            self._rich.update(self._task, completed=done, total=total)
            self._last = (done, total)
            return
        self._last = (done, total)
        now = self._clock()
        if done < total and now - self._drawn < self.interval_s:
            return
        self._drawn = now
        self.stream.write("\r" + self.render(done, total, now - self.started))
        self.stream.flush()

    @classmethod
    def render(cls, done: int, total: int, elapsed_s: float) -> str:
        frac = min(done / total, 1.0) if total else 1.0
        filled = int(frac * cls.WIDTH)
        rate = done / elapsed_s if elapsed_s > 0 else 0.0
        mib = 1 << 20
        return (
            f"[{'#' * filled}{'.' * (cls.WIDTH - filled)}] {frac * 100:5.1f}%"
            f" {done / mib:,.1f}/{total / mib:,.1f} MiB {rate / mib:,.1f} MiB/s"
        )

    def close(self) -> None:
        if self._rich is not None:
            if self._task is not None:
                self._rich.stop()
            return
        if self._last is not None:
            done, total = self._last
            self.stream.write("\r" + self.render(done, total, self._clock() - self.started) + "\n")
            self.stream.flush()
