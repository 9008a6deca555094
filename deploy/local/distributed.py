"""Distributed mode on one machine, in one command (``make run-distributed``).

    python -m deploy.local.distributed [--example PATH] [--user NAME]

Starts the local engine stack (deploy/local/stack.py: Kafka, FerretDB,
OpenSearch, S3; engines already running from ``make stack-up`` are reused and
left running), then the five ``dlhub serve`` processes wired to it on free
ports, prints where everything listens, publishes the example, and waits.
Ctrl-C (or SIGTERM) stops the five services and the engines it started.

Every run gets its own topic prefix, database, index and bucket, so runs on a
shared stack never mix. Logs, the accounts file and ``client.json`` (address
and token, as ``dlhub up`` writes it) are in deploy/local/.state/distributed/.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from deploy.local import stack
from deploy.local.common import free_port, spawn, stop_pid, tail
from dlhub_common.accounts import LocalAccounts

REPO = Path(__file__).resolve().parents[2]
RUN_DIR = stack.STATE_DIR / "distributed"
ENGINES = ("kafka", "mongo", "opensearch", "s3")
# start order; each but the gateway is reached at DLHUB_<setting>__ADDRESS/__PORT
SERVICES = ("registry", "search", "taskmanager", "executor", "gateway")
PORT_SETTING = {
    "registry": "REGISTRY",
    "search": "SEARCH_SERVICE",
    "taskmanager": "TASKMANAGER",
    "executor": "EXECUTOR",
}
READY_TIMEOUT_S = 120.0


def serving(address: str) -> bool:
    with grpc.insecure_channel(address) as channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=2.0
            )
        except grpc.RpcError:
            return False
    return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)


def settings_for(engines: dict[str, stack.Server], run_dir: Path) -> dict[str, str]:
    """The DLHUB_* settings of every service: the engines, this run's names, free ports."""
    run_id = uuid.uuid4().hex[:10]
    env: dict[str, str] = {}
    for name in ENGINES:
        env.update(engines[name].env)
    env.update(
        DLHUB_BUS__TOPIC_PREFIX=f"local-{run_id}-",
        DLHUB_DOCUMENTS__DATABASE=f"local_{run_id}",
        DLHUB_SEARCH__INDEX=f"local-{run_id}",
        DLHUB_OBJECTS__BUCKET=f"local-{run_id}",
        DLHUB_TOKENS_FILE=str(run_dir / "tokens.json"),
        DLHUB_GATEWAY__HTTP_PORT=str(free_port()),
        DLHUB_GATEWAY__GRPC_PORT=str(free_port()),
    )
    for setting in PORT_SETTING.values():
        env[f"DLHUB_{setting}__PORT"] = str(free_port())
    return env


class Distributed:
    """The engines (those it started) and the five services; ``stop`` is idempotent."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.owned_engines: list[stack.Server] = []
        self.services: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, user: str) -> dict[str, str]:
        running = stack.load_state()
        engines = stack.up(ENGINES)
        self.owned_engines = [s for n, s in engines.items() if n not in running]
        env = settings_for(engines, self.run_dir)
        token = LocalAccounts(self.run_dir / "tokens.json").ensure_user(user)
        child_env = {k: v for k, v in os.environ.items() if not k.startswith("DLHUB_")}
        child_env.update(env, PYTHONUNBUFFERED="1")
        for name in SERVICES:
            argv = [sys.executable, "-m", "dlhub_sdk.cli", "serve", name]
            argv += ["--data-dir", str(self.run_dir / name)]
            log = self.run_dir / f"{name}.log"
            self.services.append((name, spawn(argv, log, env=child_env, cwd=self.run_dir)))
        addresses = {
            name: f"127.0.0.1:{env[f'DLHUB_{s}__PORT']}" for name, s in PORT_SETTING.items()
        }
        addresses["gateway"] = f"127.0.0.1:{env['DLHUB_GATEWAY__GRPC_PORT']}"
        deadline = time.monotonic() + READY_TIMEOUT_S
        for name, process in self.services:
            while not serving(addresses[name]):
                if process.poll() is not None or time.monotonic() > deadline:
                    why = "exited" if process.poll() is not None else "not SERVING in time"
                    log = self.run_dir / f"{name}.log"
                    raise RuntimeError(f"dlhub serve {name}: {why}\n{tail(log)}")
                time.sleep(0.3)
        http = f"http://127.0.0.1:{env['DLHUB_GATEWAY__HTTP_PORT']}"
        client = {"address": addresses["gateway"], "http": http, "token": token, "username": user}
        (self.run_dir / "client.json").write_text(json.dumps(client, indent=2))
        print("DLHub is up (distributed mode: one process per service)")
        for name, server in engines.items():
            mine = "started here" if server in self.owned_engines else "already running"
            print(f"  {name:12} pid {server.pid:<7} ports {server.ports} ({mine})")
        for name, process in self.services:
            print(f"  {name:12} pid {process.pid:<7} gRPC {addresses[name]}")
        print(f"  HTTP/JSON + OIP REST : {http}   (OpenAPI at {http}/docs)")
        print(f"  gRPC + OIP gRPC      : {addresses['gateway']}")
        print(f"  signed in as         : {user} (credentials in {self.run_dir / 'client.json'})")
        print(f"  logs                 : {self.run_dir}/<service>.log")
        return client

    def stop(self) -> None:
        for name, process in reversed(self.services):
            stop_pid(process.pid)
            process.wait()
            print(f"{name}: stopped ({process.returncode})")
        self.services.clear()
        for server in self.owned_engines:
            server.stop()
            print(f"{server.name}: stopped")
        if self.owned_engines:
            stack.save_state({n: s for n, s in stack.load_state().items() if s.alive()})
        self.owned_engines.clear()


def publish_example(example: Path, client: dict[str, str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLHUB_")}
    env.update(DLHUB_ADDRESS=client["address"], DLHUB_TOKEN=client["token"])
    print(f"running example {example}")
    subprocess.run([sys.executable, str(example)], env=env, check=True, timeout=600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.local.distributed")
    parser.add_argument(
        "--example",
        type=Path,
        default=REPO / "examples" / "digits" / "digits.py",
        help="a Python script to run once the mesh is up (default: the digits example)",
    )
    parser.add_argument("--no-example", action="store_true", help="publish nothing")
    parser.add_argument("--user", default=os.environ.get("USER") or "local")
    args = parser.parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # the addresses show at once in a pipe
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    mesh = Distributed(RUN_DIR)

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # installed explicitly: a shell that starts this in the background ignores SIGINT,
    # and Python then raises no KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        client = mesh.start(args.user)
        if not args.no_example:
            publish_example(args.example, client)
        print("running; Ctrl-C stops everything", flush=True)
        while all(p.poll() is None for _, p in mesh.services):
            time.sleep(0.5)
        dead = [n for n, p in mesh.services if p.poll() is not None]
        print(f"dlhub serve {', '.join(dead)} exited; stopping", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping")
        return 0
    except (RuntimeError, subprocess.SubprocessError) as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop
        mesh.stop()


if __name__ == "__main__":
    sys.exit(main())
