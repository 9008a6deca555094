"""Helpers of the end-to-end suite: processes, polling, and what the fixtures yield.

Nothing here imports the gateway or the generated OIP stubs
(``dlhub_common._proto.inference``): tritonclient.grpc registers the same
protobuf symbols, so the tritonclient checks run in a child process
(``_triton_client.py``).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import grpc
import numpy as np
import onnxruntime as ort
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

REPO = Path(__file__).resolve().parents[2]
DIGITS_SCRIPT = REPO / "examples" / "digits" / "digits.py"
USERNAME = "e2e-tester"
START_DEADLINE_S = 90.0
STOP_DEADLINE_S = 30.0
CLI_TIMEOUT_S = 120.0
# The services of a distributed mesh, in start order, and their port settings
# (DLHUB_<setting>__PORT; the gateway's are DLHUB_GATEWAY__GRPC_PORT/HTTP_PORT).
SERVICES = ("registry", "search", "taskmanager", "executor", "gateway")
ENDPOINT_SETTING = {
    "registry": "REGISTRY",
    "search": "SEARCH_SERVICE",
    "taskmanager": "TASKMANAGER",
    "executor": "EXECUTOR",
}

T = TypeVar("T")

# Log files of processes started by this suite; their tails are attached to failing reports.
LOGS: dict[str, Path] = {}


def free_port() -> int:
    """A port nobody listens on right now (bind to port 0 and let the OS pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(
    probe: Callable[[], T | None], *, timeout: float, interval: float = 0.1, what: str = ""
) -> T:
    """Call ``probe`` until it returns something other than None/False, or fail."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            value = probe()
        except AssertionError as exc:  # a probe may assert; retry until the deadline
            last_error, value = exc, None
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what or probe}: {last_error}")
        time.sleep(interval)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a child process, without any DLHUB_* settings of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLHUB_")}
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def log_tail(path: Path, limit: int = 20_000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no output file)"
    return text[-limit:]


def health_status(address: str, service: str = "", timeout: float = 2.0) -> int | None:
    """The gRPC health status of ``service`` at ``address``; None when unreachable."""
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            resp = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        except grpc.RpcError:
            return None
        status: int = resp.status
        return status


class ManagedProcess:
    """A child process whose output goes to a file; stopped with SIGTERM then SIGKILL."""

    def __init__(self, label: str, argv: list[str], env: dict[str, str], cwd: Path, log: Path):
        self.label = label
        self.log = log
        self._log_fh = log.open("wb")
        self.proc = subprocess.Popen(
            argv, env=env, cwd=cwd, stdout=self._log_fh, stderr=subprocess.STDOUT
        )
        LOGS[label] = log

    def check_alive(self) -> None:
        code = self.proc.poll()
        if code is not None:
            pytest.fail(
                f"{self.label} exited early with status {code}; its output:\n{log_tail(self.log)}"
            )

    def stop(self) -> int:
        """SIGTERM, wait; SIGKILL when it does not stop in time. Returns the exit status."""
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(STOP_DEADLINE_S)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(10)
                    pytest.fail(
                        f"{self.label} did not stop within {STOP_DEADLINE_S:.0f}s of SIGTERM;"
                        f" killed. Output:\n{log_tail(self.log)}"
                    )
            return self.proc.returncode
        finally:
            self._log_fh.close()

    def stop_cleanly(self) -> None:
        code = self.stop()
        if code != 0:
            pytest.fail(
                f"{self.label} exited with status {code} after SIGTERM (expected 0);"
                f" output:\n{log_tail(self.log)}"
            )


def serve(
    name: str, env: dict[str, str], root: Path, *args: str, label: str = ""
) -> ManagedProcess:
    """``dlhub serve <name>`` with ``env``, its data under ``root/<label>``."""
    label = label or name
    argv = [sys.executable, "-m", "dlhub_sdk.cli", "serve", name, "--data-dir", str(root / label)]
    return ManagedProcess(
        f"dlhub serve {label}", [*argv, *args], clean_env(**env), root, root / f"{label}.log"
    )


@dataclass(frozen=True)
class Digits:
    """The digits model file, held-out inputs and onnxruntime's answers on them."""

    path: Path
    x_test: np.ndarray
    y_test: np.ndarray
    input_name: str
    labels: np.ndarray  # onnxruntime's "label" output on x_test
    probabilities: np.ndarray  # onnxruntime's "probabilities" output on x_test

    def reference(self, x: np.ndarray) -> dict[str, np.ndarray]:
        session = ort.InferenceSession(str(self.path), providers=["CPUExecutionProvider"])
        label, probs = session.run(["label", "probabilities"], {self.input_name: x})
        return {"label": label, "probabilities": probs}


@dataclass(frozen=True)
class Mesh:
    address: str  # gateway gRPC host:port
    http: str  # gateway base URL
    token: str
    username: str
    data_dir: Path
    workdir: Path  # a scratch folder for CLI runs (no .dlhub/ in it)
    log: Path
    grpc_port: int
    http_port: int
    mode: str = "embedded"  # or "distributed": one `dlhub serve` process per service
    service_ports: tuple[tuple[str, int], ...] = ()
    # each process's /metrics port (DLHUB_METRICS__PORT): ("mesh", port) for `dlhub up`
    metrics_ports: tuple[tuple[str, int], ...] = ()

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.returncode == 0, f"dlhub failed ({self.returncode}): {self.stderr}"
        return json.loads(self.stdout)
