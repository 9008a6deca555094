"""Drive the load generator process and attach each system's server CPU to its rounds."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.serving.models import ROOT, ModelFile
from bench.serving.procs import pid_cpu_s
from bench.serving.systems import System


@dataclass
class Round:
    """One fixed-duration round against one system, as the load generator saw it."""

    system: str
    model: str
    protocol: str
    concurrency: int
    tag: str = ""  # which table the round belongs to ("cnn", "cache hit", ...)
    requests: int = 0
    errors: int = 0
    elapsed: float = 0.0
    p50: float = float("nan")
    p90: float = float("nan")
    p99: float = float("nan")
    cpu_s: float = float("nan")  # server CPU seconds during the round
    helper_cpu_s: float = 0.0  # of which helpers (Kafka broker)
    client_cpu_s: float = 0.0  # the load generator's own CPU (same cores as the server)
    error: str = ""
    outputs: dict[str, list[int]] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_s * 1e3 / self.requests if self.requests else float("nan")

    @property
    def client_cpu_ms_per_request(self) -> float:
        return self.client_cpu_s * 1e3 / self.requests if self.requests else float("nan")

    @property
    def helper_cpu_ms_per_request(self) -> float:
        return self.helper_cpu_s * 1e3 / self.requests if self.requests else float("nan")


def merge(rounds: list[Round]) -> Round:
    """Several rounds of one configuration as one: rates summed over time, medians of
    the per-round percentiles (rounds are equally long, so this stays honest)."""
    ok = [r for r in rounds if r.requests]
    first = rounds[0]
    out = Round(first.system, first.model, first.protocol, first.concurrency, first.tag)
    out.error = next((r.error for r in rounds if r.error), "")
    if not ok:
        return out
    out.requests = sum(r.requests for r in ok)
    out.errors = sum(r.errors for r in rounds)
    out.elapsed = sum(r.elapsed for r in ok)
    out.cpu_s = sum(r.cpu_s for r in ok)
    out.helper_cpu_s = sum(r.helper_cpu_s for r in ok)
    out.client_cpu_s = sum(r.client_cpu_s for r in ok)
    for name in ("p50", "p90", "p99"):
        setattr(out, name, float(np.median([getattr(r, name) for r in ok])))
    out.outputs = ok[0].outputs
    return out


class LoadGen:
    """The load generator child (bench.serving.loadgen), one command per round."""

    def __init__(self, log: Path) -> None:
        self._err = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.serving.loadgen"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
            text=True,
        )

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"load generator exited ({self.proc.poll()}); see {self._err.name}")
        result: dict[str, Any] = json.loads(line)
        return result

    def run(
        self,
        system: System,
        model: ModelFile,
        protocol: str,
        concurrency: int,
        duration: float,
        *,
        warmup: float = 1.0,
        fixed: bool = False,
        seed: int = 0,
        tag: str = "",
    ) -> Round:
        rnd = Round(system.name, model.key, protocol, concurrency, tag)
        try:
            system.check_alive()
        except RuntimeError as exc:
            rnd.error = str(exc).splitlines()[0]
            return rnd
        cmd = {
            "protocol": protocol,
            "url": system.grpc if protocol == "grpc" else system.http,
            "model": system.models[model.key],
            "input": model.input_name,
            "shape": list(model.sample_shape),
            "datatype": model.datatype,
            "concurrency": concurrency,
            "duration": duration,
            "warmup": warmup,
            "fixed": fixed,
            "seed": seed,
            "headers": system.headers,
        }
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        msg = self._read()
        if msg["event"] == "go":
            cpu0, helper0 = system.cpu_s(), system.helper_cpu_s()
            client0 = pid_cpu_s(self.proc.pid)
            msg = self._read()
            rnd.cpu_s = system.cpu_s() - cpu0
            rnd.helper_cpu_s = system.helper_cpu_s() - helper0
            rnd.client_cpu_s = pid_cpu_s(self.proc.pid) - client0
        if msg["event"] == "failed":
            rnd.error = msg["error"]
            return rnd
        rnd.requests, rnd.errors, rnd.elapsed = msg["requests"], msg["errors"], msg["elapsed"]
        rnd.p50, rnd.p90, rnd.p99 = msg["p50"], msg["p90"], msg["p99"]
        rnd.outputs = msg["outputs"]
        if msg["first_error"]:
            rnd.error = msg["first_error"]
        return rnd

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._err.close()
