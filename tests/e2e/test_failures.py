"""Failure behaviour of separately started services (`dlhub serve`).

* a backend down at start-up: NOT_SERVING, a log line naming the backend and
  its address (never its credentials), retries with backoff, SERVING once the
  backend is there;
* a bad backend setting: start-up fails with a message naming the setting;
* Kafka lost mid-run: no accepted task is lost; queued tasks finish once the
  broker is back, and a run submitted while it is down goes through.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from grpc_health.v1 import health_pb2

from deploy.local.common import CACHE
from deploy.local.engines import kafka as kafka_engine
from deploy.local.engines import mongo as mongo_engine
from dlhub_common.accounts import LocalAccounts
from dlhub_sdk import DLHubClient
from dlhub_sdk.models import OnnxServable

from ._support import (
    START_DEADLINE_S,
    USERNAME,
    Digits,
    ManagedProcess,
    clean_env,
    free_port,
    health_status,
    log_tail,
    wait_for,
)

pytestmark = pytest.mark.e2e
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def serve(name: str, env: dict[str, str], root: Path) -> ManagedProcess:
    argv = [sys.executable, "-m", "dlhub_sdk.cli", "serve", name, "--data-dir", str(root / name)]
    return ManagedProcess(f"dlhub serve {name}", argv, clean_env(**env), root, root / f"{name}.log")


def test_backend_down_at_startup_then_recovers(tmp_path: Path) -> None:
    mongo_port, registry_port = free_port(), free_port()
    mongo_engine.obtain(CACHE)
    env = {
        "DLHUB_DOCUMENTS__TYPE": "mongo",
        # FerretDB's SQLite backend has no authentication, so no credentials here;
        # tests/unit cover that the adapters never print them.
        "DLHUB_DOCUMENTS__URL": f"mongodb://127.0.0.1:{mongo_port}/",
        "DLHUB_DOCUMENTS__SERVER_SELECTION_TIMEOUT_MS": "300",
        "DLHUB_REGISTRY__PORT": str(registry_port),
    }
    registry = serve("registry", env, tmp_path)
    mongo = None
    try:
        address = f"127.0.0.1:{registry_port}"
        wait_for(
            lambda: health_status(address) == NOT_SERVING,
            timeout=START_DEADLINE_S,
            what="the registry to answer NOT_SERVING",
        )
        wait_for(
            lambda: log_tail(registry.log).count("retrying in") >= 2,
            timeout=30,
            what="two retries in the registry log",
        )
        log = log_tail(registry.log)
        # The log names the backend and its address.
        assert f"MongoDB at 127.0.0.1:{mongo_port}" in log
        registry.check_alive()
        mongo = mongo_engine.start(tmp_path / "mongo", CACHE, {"mongo": mongo_port})
        wait_for(
            lambda: health_status(address) == SERVING,
            timeout=60,
            what="the registry to become SERVING once MongoDB is up",
        )
        registry.stop_cleanly()
    finally:
        registry.stop()
        if mongo is not None:
            mongo.stop()


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("DLHUB_BUS__TYPE", "rabbitmq", "bus"),
        ("DLHUB_GATEWAY__HTTP_PORT", "eighty", "gateway.http_port"),
        ("DLHUB_MAX_MESAGE_BYTES", "1", "DLHUB_MAX_MESAGE_BYTES"),
    ],
)
def test_bad_setting_fails_startup_naming_it(
    tmp_path: Path, variable: str, value: str, named: str
) -> None:
    argv = [sys.executable, "-m", "dlhub_sdk.cli", "serve", "executor", "--data-dir", str(tmp_path)]
    proc = subprocess.run(
        argv, env=clean_env(**{variable: value}), capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0
    assert named in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def _occupy(port: int, *, reuse_port: bool) -> socket.socket:
    """A listener on ``port``: another program, or (``reuse_port``) another gRPC server."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse_port:  # as gRPC binds by default: a second server could join it silently
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1)
    return sock


@pytest.mark.parametrize(
    ("command", "taken", "setting", "reuse_port"),
    [
        (["up"], "DLHUB_GATEWAY__HTTP_PORT", "gateway.http_port", False),
        (["up"], "DLHUB_GATEWAY__GRPC_PORT", "gateway.grpc_port", True),
        (["serve", "registry"], "DLHUB_REGISTRY__PORT", "registry.port", True),
        (
            ["serve", "gateway", "--replicas", "2"],
            "DLHUB_GATEWAY__GRPC_PORT",
            "gateway.grpc_port",
            True,
        ),
    ],
)
def test_a_port_in_use_is_one_line_naming_it_and_its_setting(
    tmp_path: Path, command: list[str], taken: str, setting: str, reuse_port: bool
) -> None:
    port = free_port()
    others = {
        name: str(free_port())
        for name in ("DLHUB_GATEWAY__HTTP_PORT", "DLHUB_GATEWAY__GRPC_PORT", "DLHUB_REGISTRY__PORT")
    }
    argv = [sys.executable, "-m", "dlhub_sdk.cli", *command, "--data-dir", str(tmp_path)]
    with _occupy(port, reuse_port=reuse_port):
        proc = subprocess.run(
            argv,
            env=clean_env(**{**others, taken: str(port)}),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode != 0, proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    assert f"127.0.0.1:{port} is already in use" in errors[0]
    assert setting in errors[0]
    assert taken in errors[0]
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Failed to add port" not in proc.stderr  # no gRPC C-core log line either


def test_kafka_restart_loses_no_accepted_task(tmp_path: Path, digits: Digits) -> None:
    """Services share embedded SQLite/file backends and talk over a dedicated Kafka."""
    broker = kafka_engine.start(tmp_path / "kafka", CACHE)
    tokens = tmp_path / "tokens.json"
    token = LocalAccounts(tokens).ensure_user(USERNAME)
    grpc_port, http_port = free_port(), free_port()
    ports = {"registry": free_port(), "search": free_port(), "taskmanager": free_port()}
    env = {
        **broker.env,
        "DLHUB_BUS__TOPIC_PREFIX": f"restart-{uuid.uuid4().hex[:8]}-",
        "DLHUB_BUS__REQUEST_TIMEOUT_MS": "60000",
        "DLHUB_DOCUMENTS__PATH": str(tmp_path / "shared" / "documents.sqlite3"),
        "DLHUB_SEARCH__PATH": str(tmp_path / "shared" / "search.sqlite3"),
        "DLHUB_OBJECTS__ROOT": str(tmp_path / "shared" / "objects"),
        "DLHUB_TOKENS_FILE": str(tokens),
        "DLHUB_REGISTRY__PORT": str(ports["registry"]),
        "DLHUB_SEARCH_SERVICE__PORT": str(ports["search"]),
        "DLHUB_TASKMANAGER__PORT": str(ports["taskmanager"]),
        "DLHUB_EXECUTOR__PORT": str(free_port()),
        "DLHUB_GATEWAY__GRPC_PORT": str(grpc_port),
        "DLHUB_GATEWAY__HTTP_PORT": str(http_port),
        "DLHUB_EXECUTOR_OPTIONS__INTRA_OP_THREADS": "1",
    }
    (tmp_path / "shared").mkdir()
    procs: dict[str, ManagedProcess] = {}
    try:
        for name in ("registry", "search", "taskmanager", "gateway"):
            procs[name] = serve(name, env, tmp_path)
        targets = [f"127.0.0.1:{p}" for p in ports.values()] + [f"127.0.0.1:{grpc_port}"]
        wait_for(
            lambda: all(health_status(t) == SERVING for t in targets),
            timeout=START_DEADLINE_S,
            what="registry, search, taskmanager and gateway to be SERVING",
        )
        client = DLHubClient(f"127.0.0.1:{grpc_port}", token)
        model = OnnxServable(digits.path, name="digits-restart").set_title("restart")
        summary = client.publish_servable(model.add_author("Test"))
        ref = f"{summary['owner']}/{summary['name']}"
        x = digits.x_test[:6]

        # Accepted while no executor runs: they wait in Kafka.
        queued = [client.run(ref, x[i : i + 1], asynchronous=True) for i in range(4)]
        assert all(f.status()["state"] == "QUEUED" for f in queued)

        broker.stop()
        late: dict[str, Any] = {}

        def submit_while_down() -> None:
            try:
                late["future"] = client.run(ref, x[4:6], asynchronous=True)
            except Exception as exc:  # recorded and asserted below
                late["error"] = exc

        thread = threading.Thread(target=submit_while_down)
        thread.start()
        time.sleep(3)
        assert thread.is_alive(), "a run must wait for the broker, not fail at once"
        broker = kafka_engine.start(tmp_path / "kafka", CACHE, broker.ports)
        thread.join(90)
        assert not thread.is_alive(), "the run did not go through once the broker was back"
        assert "error" not in late, late.get("error")

        procs["executor"] = serve("executor", env, tmp_path)
        for i, future in enumerate(queued):
            out = future.result(timeout=120)
            assert out["label"].tolist() == digits.reference(x[i : i + 1])["label"].tolist()
        out = late["future"].result(timeout=120)
        assert out["label"].tolist() == digits.reference(x[4:6])["label"].tolist()
        client.close()
        for proc in procs.values():
            proc.stop_cleanly()
    finally:
        for proc in procs.values():
            if proc.proc.poll() is None:
                proc.stop()
        broker.stop()
