"""DLHub under test: ``dlhub up`` (embedded) or one ``dlhub serve`` per service on Kafka.

Both modes run on free ports with their data in a scratch folder, publish the
benchmark's ONNX files with the SDK, and return a ``System`` whose OIP model
names are ``owner.name``. Settings are passed as DLHUB_* environment, the way
a user would set them (docs/configuration.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from bench.serving.models import ROOT, ModelFile
from bench.serving.procs import Server, free_ports, tail
from bench.serving.systems import System

USER = "bench"
SERVICES = ("registry", "search", "taskmanager", "executor", "gateway")
ENDPOINT = {"registry": "REGISTRY", "search": "SEARCH_SERVICE", "taskmanager": "TASKMANAGER"}
START_S = 120.0


def _env(settings: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLHUB_")}
    env.update(PYTHONUNBUFFERED="1", DLHUB_LOG_LEVEL="WARNING")
    env.update(settings)
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "dlhub_sdk.cli", *args]


def cli_supports(command: list[str], flag: str) -> bool:
    """Whether ``dlhub <command> --help`` lists ``flag`` (features landing in parallel)."""
    done = subprocess.run(
        _cli(*command, "--help"), capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    return flag in done.stdout


def _serving(address: str) -> bool:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(address) as channel:
        resp = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
    return bool(resp.status == health_pb2.HealthCheckResponse.SERVING)


def settings_for(*, batching: bool, cache: bool, threads: int) -> dict[str, str]:
    return {
        "DLHUB_BATCHING__MAX_BATCH_SIZE": "32" if batching else "1",
        "DLHUB_BATCHING__MAX_QUEUE_DELAY_MS": "0",
        "DLHUB_CACHE__ENABLED": "true" if cache else "false",
        "DLHUB_EXECUTOR_OPTIONS__INTRA_OP_THREADS": str(threads),
    }


def publish(address: str, token: str, models: list[ModelFile]) -> dict[str, str]:
    """Publish every model; returns model key -> OIP model name (``owner.name``)."""
    from dlhub_sdk import DLHubClient
    from dlhub_sdk.models import OnnxServable

    names: dict[str, str] = {}
    with DLHubClient(address, token) as client:
        for model in models:
            builder = (
                OnnxServable(model.path, name=f"bench-{model.key}")
                .set_title(f"Serving benchmark model: {model.key}")
                .add_author("DLHub Bench", "DLHub")
                .set_abstract(
                    f"{model.key}, FP32 input [N, {', '.join(map(str, model.sample_shape))}]"
                )
                .set_domains(["benchmark"])
            )
            summary: dict[str, Any] = client.publish_servable(builder)
            names[model.key] = f"{summary['owner']}.{summary['name']}"
    return names


def start_embedded(
    label: str,
    models: list[ModelFile],
    settings: dict[str, str],
    workdir: Path,
    extra_args: tuple[str, ...] = (),
) -> System:
    """``dlhub up`` in its own process group, ready and with ``models`` published."""
    data = workdir / "data"
    http_port, grpc_port = free_ports(2)
    env = _env(
        {
            **settings,
            "DLHUB_GATEWAY__HTTP_PORT": str(http_port),
            "DLHUB_GATEWAY__GRPC_PORT": str(grpc_port),
        }
    )
    argv = _cli("up", "--data-dir", str(data), "--user", USER, *extra_args)
    server = Server.start(label, argv, workdir / "dlhub-up.log", env, cwd=workdir)
    client_file = data / "client.json"

    def ready() -> bool:
        return (
            client_file.is_file()
            and "DLHub is up" in tail(server.log, 200)
            and _serving(f"127.0.0.1:{grpc_port}")
        )

    try:
        server.wait_until(ready, START_S, "dlhub up")
        info = json.loads(client_file.read_text())
        names = publish(info["address"], info["token"], models)
    except BaseException:
        server.stop()
        raise
    return System(
        name=label,
        grpc=f"127.0.0.1:{grpc_port}",
        http=f"127.0.0.1:{http_port}",
        models=names,
        servers=[server],
        headers={"authorization": f"Bearer {info['token']}"},
    )


class Distributed:
    """Kafka from deploy/local plus one ``dlhub serve <service>`` process per service.

    Documents, search and objects stay on the embedded adapters (SQLite files and
    one objects folder shared on this disk): the run path crosses the bus, which
    is what this mode measures; FerretDB/OpenSearch/S3 would only add start-up time.
    """

    def __init__(self, workdir: Path, settings: dict[str, str]) -> None:
        self.workdir = workdir
        self.settings = settings
        self.kafka: Any = None
        self.servers: list[Server] = []
        self.env: dict[str, str] = {}
        self.token = ""

    def start(self, label: str, models: list[ModelFile]) -> System:
        from deploy.local import stack
        from dlhub_common.accounts import LocalAccounts

        self.kafka = stack.start("kafka", self.workdir / "stack")
        run_id = uuid.uuid4().hex[:8]
        ports = dict(zip(ENDPOINT, free_ports(len(ENDPOINT) + 3), strict=False))
        executor_port, http_port, grpc_port = free_ports(3)
        env = {
            **self.settings,
            **self.kafka.env,
            "DLHUB_BUS__TOPIC_PREFIX": f"bench-{run_id}-",
            "DLHUB_BUS__NUM_PARTITIONS": "4",
            "DLHUB_DOCUMENTS__PATH": str(self.workdir / "documents.sqlite3"),
            "DLHUB_OBJECTS__ROOT": str(self.workdir / "objects"),
            "DLHUB_TOKENS_FILE": str(self.workdir / "tokens.json"),
            "DLHUB_EXECUTOR__PORT": str(executor_port),
            "DLHUB_GATEWAY__HTTP_PORT": str(http_port),
            "DLHUB_GATEWAY__GRPC_PORT": str(grpc_port),
        }
        for name, setting in ENDPOINT.items():
            env[f"DLHUB_{setting}__PORT"] = str(ports[name])
        self.env = env
        self.token = LocalAccounts(self.workdir / "tokens.json").ensure_user(USER)
        targets = {**ports, "executor": executor_port, "gateway": grpc_port}
        try:
            for name in SERVICES:
                self._serve(name, targets[name])
            names = publish(f"127.0.0.1:{grpc_port}", self.token, models)
        except BaseException:
            self.stop()
            raise
        return System(
            name=label,
            grpc=f"127.0.0.1:{grpc_port}",
            http=f"127.0.0.1:{http_port}",
            models=names,
            servers=self.servers,
            headers={"authorization": f"Bearer {self.token}"},
            note="Kafka bus; SQLite/local-disk stores; CPU includes the Kafka broker",
            extra_pgids=[int(self.kafka.pid)],
        )

    def _serve(self, name: str, port: int, extra: list[str] | None = None) -> Server:
        n = sum(1 for s in self.servers if s.label.startswith(f"dlhub serve {name}"))
        label = f"dlhub serve {name}" + (f" #{n + 1}" if n else "")
        env = dict(self.env)
        if n:  # a further replica: its own health port
            env["DLHUB_EXECUTOR__PORT"] = str(port)
        argv = _cli("serve", name, "--data-dir", str(self.workdir / f"{name}{n or ''}"))
        server = Server.start(
            label, [*argv, *(extra or [])], self.workdir / f"{name}{n}.log", _env(env)
        )
        self.servers.append(server)
        server.wait_until(lambda: _serving(f"127.0.0.1:{port}"), START_S, "health SERVING")
        return server

    def add_executor(self) -> None:
        """One more executor process in the same consumer group (a second replica)."""
        [port] = free_ports(1)
        self._serve("executor", port)

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()
        if self.kafka is not None:
            self.kafka.stop()
            self.kafka = None
