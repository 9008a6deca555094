"""Executor replicas on real Kafka: shared load, pinning, and a replica SIGKILLed mid-run.

Registry, search, task manager and gateway run as `dlhub serve` processes on a
real Kafka (deploy/local) with shared embedded SQLite/file stores, so the test
can read the task records (``executor_id`` is recorded there, not shown to
clients). Each test starts its own executors and stops them.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from grpc_health.v1 import health_pb2

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.accounts import LocalAccounts
from dlhub_common.adapters.kafka_bus import KafkaEventBus
from dlhub_common.adapters.sqlite_documents import SqliteDocumentStore
from dlhub_common.backends import KafkaBusConfig, SqliteDocumentsConfig
from dlhub_common.topics import RESULTS
from dlhub_sdk import DLHubClient
from dlhub_sdk.models import OnnxServable, PythonStaticMethodServable, list_of

from ._support import (
    START_DEADLINE_S,
    USERNAME,
    Digits,
    ManagedProcess,
    clean_env,
    free_port,
    health_status,
    log_tail,
    serve,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
SERVING = health_pb2.HealthCheckResponse.SERVING
PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"
RESULT_TIMEOUT_S = 120.0
SERVES = re.compile(r"executor (\S+) serves ")

SLOW = """
import os
import time
from pathlib import Path


def slow(args):
    folder, i = args
    # who started it: the worker's parent is the executor process
    Path(folder, f"{i}.{os.getppid()}").touch()
    time.sleep(1.5)
    return f"done-{i}"
"""


@dataclass
class Plane:
    root: Path
    env: dict[str, str]
    client: DLHubClient
    taskmanager: ManagedProcess
    documents: Path
    bootstrap: str
    prefix: str


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory, stack: Any) -> Iterator[Plane]:
    root = tmp_path_factory.mktemp("replicas")
    shared = root / "shared"
    shared.mkdir()
    kafka = stack.require("kafka")
    tokens = root / "tokens.json"
    token = LocalAccounts(tokens).ensure_user(USERNAME)
    prefix = f"replicas-{uuid.uuid4().hex[:8]}-"
    ports = {"registry": free_port(), "search": free_port(), "taskmanager": free_port()}
    grpc_port = free_port()
    env = {
        **kafka.env,
        "DLHUB_BUS__TOPIC_PREFIX": prefix,
        "DLHUB_BUS__NUM_PARTITIONS": "6",
        "DLHUB_DOCUMENTS__PATH": str(shared / "documents.sqlite3"),
        "DLHUB_SEARCH__PATH": str(shared / "search.sqlite3"),
        "DLHUB_OBJECTS__ROOT": str(shared / "objects"),
        "DLHUB_TOKENS_FILE": str(tokens),
        "DLHUB_REGISTRY__PORT": str(ports["registry"]),
        "DLHUB_SEARCH_SERVICE__PORT": str(ports["search"]),
        "DLHUB_TASKMANAGER__PORT": str(ports["taskmanager"]),
        "DLHUB_GATEWAY__GRPC_PORT": str(grpc_port),
        "DLHUB_GATEWAY__HTTP_PORT": str(free_port()),
        "DLHUB_EXECUTOR_OPTIONS__INTRA_OP_THREADS": "1",
        "DLHUB_EXECUTOR_OPTIONS__ENV_DIR": str(shared / "envs"),
        # these tests are about where work runs: every run must reach an executor
        "DLHUB_CACHE__ENABLED": "false",
    }
    procs = {name: serve(name, env, root) for name in ("registry", "search", "taskmanager")}
    procs["gateway"] = serve("gateway", env, root)
    client = None
    try:
        targets = [f"127.0.0.1:{p}" for p in ports.values()] + [f"127.0.0.1:{grpc_port}"]

        def ready() -> bool:
            for proc in procs.values():
                proc.check_alive()
            return all(health_status(t) == SERVING for t in targets)

        wait_for(ready, timeout=START_DEADLINE_S, what="every `dlhub serve` to be SERVING")
        client = DLHubClient(f"127.0.0.1:{grpc_port}", token)
        yield Plane(
            root,
            env,
            client,
            procs["taskmanager"],
            shared / "documents.sqlite3",
            kafka.env["DLHUB_BUS__BOOTSTRAP_SERVERS"],
            prefix,
        )
        client.close()
        client = None
        for proc in reversed(list(procs.values())):
            proc.stop_cleanly()
    finally:
        if client is not None:
            client.close()
        for proc in procs.values():
            if proc.proc.poll() is None:
                proc.stop()


def start_executor(plane: Plane, label: str, *args: str) -> ManagedProcess:
    env = {**plane.env, "DLHUB_EXECUTOR__PORT": str(free_port())}
    return serve("executor", env, plane.root, *args, label=label)


def executor_ids(proc: ManagedProcess, count: int = 1) -> list[str]:
    """The ids of the ``count`` executors whose start ``proc`` logged (waits for them)."""

    def ids() -> list[str] | None:
        proc.check_alive()
        found = SERVES.findall(log_tail(proc.log, 200_000))
        return found if len(found) >= count else None

    return wait_for(ids, timeout=START_DEADLINE_S, what=f"{proc.label} to start {count}")


def wait_routed(plane: Plane, executor_id: str, servable: str) -> None:
    """Wait until the task manager has seen ``executor_id`` announce ``servable``."""
    line = f"executor {executor_id} serves {servable}"
    wait_for(
        lambda: line in log_tail(plane.taskmanager.log, 500_000),
        timeout=30,
        what=f"the task manager to learn that {executor_id} serves {servable}",
    )


def records(documents: Path, task_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The task records, read straight from the task manager's SQLite file."""

    async def read() -> dict[str, dict[str, Any]]:
        docs = SqliteDocumentStore(SqliteDocumentsConfig(path=documents), documents.parent)
        await docs.start()
        try:
            out = {}
            for task_id in task_ids:
                record = await docs.get("tasks", task_id)
                assert record is not None, f"task {task_id} has no record"
                out[task_id] = record
            return out
        finally:
            await docs.stop()

    return asyncio.run(read())


def publish_digits(plane: Plane, digits: Digits, name: str) -> str:
    model = OnnxServable(digits.path, name=name).set_title(name).add_author("Test")
    summary = plane.client.publish_servable(model)
    return f"{summary['owner']}/{summary['name']}"


def run_rows(client: DLHubClient, ref: str, digits: Digits, count: int) -> dict[str, int]:
    """Submit ``count`` one-row runs; check every answer; returns task id -> row."""
    futures = {}
    for i in range(count):
        row = i % len(digits.x_test)
        futures[client.run(ref, digits.x_test[row : row + 1], asynchronous=True)] = row
    for future, row in futures.items():
        out = future.result(timeout=RESULT_TIMEOUT_S)
        assert out["label"].tolist() == [int(digits.labels[row])]
        np.testing.assert_allclose(
            out["probabilities"], digits.probabilities[row : row + 1], rtol=1e-5, atol=1e-7
        )
    return {f.task_id: row for f, row in futures.items()}


def ran_on(documents: Path, task_ids: list[str]) -> dict[str, str]:
    return {t: r["executor_id"] for t, r in records(documents, task_ids).items()}


# ------------------------------------------------------------------ tests


def test_two_replicas_share_one_servable(plane: Plane, digits: Digits) -> None:
    """`dlhub serve executor --replicas 2`: both processes run tasks of one servable."""
    ref = publish_digits(plane, digits, "digits-shared")
    group = start_executor(plane, "executors-2", "--replicas", "2")
    try:
        ids = executor_ids(group, 2)
        assert len(set(ids)) == 2
        tasks = run_rows(plane.client, ref, digits, 40)
        used = ran_on(plane.documents, list(tasks))
        assert set(used.values()) == set(ids), f"tasks per executor: {_counts(used)}"
        child_pids = [int(p) for p in re.findall(r"\(pid (\d+)\)", log_tail(group.log, 200_000))]
        assert len(child_pids) == 1
    finally:
        group.stop_cleanly()  # SIGTERM to the parent stops its child too
    for pid in child_pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_pinned_executor_takes_only_its_servable(plane: Plane, digits: Digits) -> None:
    ref_a = publish_digits(plane, digits, "digits-pinned")
    ref_b = publish_digits(plane, digits, "digits-free")
    pinned = start_executor(plane, "pinned", "--servables", ref_a)
    free = start_executor(plane, "unpinned")
    try:
        [pinned_id] = executor_ids(pinned)
        [free_id] = executor_ids(free)
        wait_routed(plane, pinned_id, ref_a)
        tasks_a = run_rows(plane.client, ref_a, digits, 12)
        tasks_b = run_rows(plane.client, ref_b, digits, 12)
        assert set(ran_on(plane.documents, list(tasks_a)).values()) == {pinned_id}
        assert set(ran_on(plane.documents, list(tasks_b)).values()) == {free_id}

        # A pinned executor that stops says so: its servable goes back to the rest.
        pinned.stop_cleanly()
        wait_for(
            lambda: f"executor {pinned_id} is stopping" in log_tail(plane.taskmanager.log, 500_000),
            timeout=30,
            what="the task manager to hear that the pinned executor stops",
        )
        tasks_after = run_rows(plane.client, ref_a, digits, 4)
        assert set(ran_on(plane.documents, list(tasks_after)).values()) == {free_id}
    finally:
        for proc in (pinned, free):
            if proc.proc.poll() is None:
                proc.stop_cleanly()


def test_replica_sigkilled_mid_run_loses_and_duplicates_nothing(plane: Plane) -> None:
    """Tasks a killed replica had taken finish on the other one, each recorded once."""
    source = plane.root / "slow.py"
    source.write_text(SLOW)
    model = PythonStaticMethodServable.from_function(
        source, "slow", input_type=list_of("string"), output_type="string", python=PYTHON
    )
    model.set_title("slow").add_author("Test")
    summary = plane.client.publish_servable(model)
    ref = f"{summary['owner']}/{summary['name']}"
    markers = plane.root / "markers"
    markers.mkdir()

    async def watch_results() -> None:  # the test's own group sees every result from now on
        bus = await _bus(plane)
        await bus.ensure_group([RESULTS], "replicas-test-watch")
        await bus.stop()

    asyncio.run(watch_results())
    first = start_executor(plane, "victim")
    second = start_executor(plane, "survivor")
    try:
        [first_id] = executor_ids(first)
        [second_id] = executor_ids(second)
        pids = {first.proc.pid: first_id, second.proc.pid: second_id}
        count = 10
        futures = [
            plane.client.run(ref, [str(markers), str(i)], asynchronous=True) for i in range(count)
        ]
        ids = [f.task_id for f in futures]

        def in_flight_on_first() -> list[int] | None:
            states = {i: f.status()["state"] for i, f in enumerate(futures)}
            started = [
                int(p.name.split(".")[0])
                for p in markers.iterdir()
                if p.name.endswith(f".{first.proc.pid}")
            ]
            running = [i for i in started if states[i] not in ("SUCCEEDED", "FAILED")]
            return running or None

        running = wait_for(in_flight_on_first, timeout=RESULT_TIMEOUT_S, interval=0.02)
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(10)

        outputs = [f.result(timeout=RESULT_TIMEOUT_S) for f in futures]
        assert outputs == [f"done-{i}" for i in range(count)]
        final = records(plane.documents, ids)
        assert {r["state"] for r in final.values()} == {"SUCCEEDED"}
        by_task = {t: r["executor_id"] for t, r in final.items()}
        assert set(by_task.values()) <= set(pids.values())
        # what the victim was running when it died finished on the survivor
        for i in running:
            assert by_task[ids[i]] == second_id, f"task {i} was running on the killed replica"
        started_by = {p.name for p in markers.iterdir()}
        assert any(f"{i}.{second.proc.pid}" in started_by for i in running)

        results = asyncio.run(_results(plane, set(ids)))
        for task_id in ids:
            # the record is the first result on the bus; a rerun's result changed nothing
            assert final[task_id]["executor_id"] == results[task_id][0].executor_id
            assert all(r.ok for r in results[task_id])
        assert records(plane.documents, ids) == final
    finally:
        if second.proc.poll() is None:
            second.stop_cleanly()
        first.stop()


async def _bus(plane: Plane) -> KafkaEventBus:
    config = KafkaBusConfig(bootstrap_servers=plane.bootstrap, topic_prefix=plane.prefix)
    bus = KafkaEventBus(config, plane.root)
    await bus.start()
    return bus


async def _results(plane: Plane, wanted: set[str]) -> dict[str, list[bus_pb2.WorkResult]]:
    """Every result on the bus for ``wanted`` since the watch group was made, in order."""
    bus = await _bus(plane)
    seen: dict[str, list[bus_pb2.WorkResult]] = {}
    try:
        async with bus.subscribe([RESULTS], "replicas-test-watch") as sub:
            async with asyncio.timeout(60):
                async for delivery in sub:
                    result = bus_pb2.WorkResult.FromString(delivery.value)
                    if result.task_id in wanted:
                        seen.setdefault(result.task_id, []).append(result)
                    if wanted <= set(seen):
                        break
    finally:
        await bus.stop()
    return seen


def _counts(used: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for executor_id in used.values():
        out[executor_id] = out.get(executor_id, 0) + 1
    return out


def test_dlhub_up_on_kafka_runs_n_executor_processes(
    tmp_path: Path, stack: Any, digits: Digits, plane: Plane
) -> None:
    """`dlhub up --executors 2` with a Kafka bus: its own executor and one child share the load.

    ``plane`` only makes sure Kafka's group coordinator is up: `dlhub up`,
    unlike `dlhub serve`, does not retry a bus that is not ready yet.
    """
    kafka = stack.require("kafka")
    data_dir = tmp_path / "data"
    grpc_port = free_port()
    env = {
        **kafka.env,
        "DLHUB_BUS__TOPIC_PREFIX": f"up-{uuid.uuid4().hex[:8]}-",
        "DLHUB_BUS__NUM_PARTITIONS": "6",
        "DLHUB_GATEWAY__GRPC_PORT": str(grpc_port),
        "DLHUB_GATEWAY__HTTP_PORT": str(free_port()),
        "DLHUB_EXECUTOR_OPTIONS__INTRA_OP_THREADS": "1",
    }
    argv = [sys.executable, "-m", "dlhub_sdk.cli", "up", "--data-dir", str(data_dir)]
    argv += ["--user", USERNAME, "--executors", "2"]
    up = ManagedProcess(
        "dlhub up --executors 2", argv, clean_env(**env), tmp_path, tmp_path / "up.log"
    )
    try:
        ids = executor_ids(up, 2)
        assert len(set(ids)) == 2
        wait_for(
            lambda: health_status(f"127.0.0.1:{grpc_port}") == SERVING,
            timeout=START_DEADLINE_S,
            what="dlhub up to be SERVING",
        )
        token = LocalAccounts(data_dir / "tokens.json").ensure_user(USERNAME)
        client = DLHubClient(f"127.0.0.1:{grpc_port}", token)
        try:
            model = OnnxServable(digits.path, name="digits-up").set_title("up").add_author("Test")
            summary = client.publish_servable(model)
            ref = f"{summary['owner']}/{summary['name']}"
            tasks = run_rows(client, ref, digits, 40)
            used = ran_on(data_dir / "documents.sqlite3", list(tasks))
            assert set(used.values()) == set(ids), f"tasks per executor: {_counts(used)}"
        finally:
            client.close()
    finally:
        up.stop_cleanly()


def test_gateway_replicas_share_both_public_ports(plane: Plane) -> None:
    """`dlhub serve gateway --replicas 2`: two processes answer on one HTTP and one gRPC port."""
    import httpx

    http_port, grpc_port = free_port(), free_port()
    env = {
        **plane.env,
        "DLHUB_GATEWAY__HTTP_PORT": str(http_port),
        "DLHUB_GATEWAY__GRPC_PORT": str(grpc_port),
    }
    gateways = serve("gateway", env, plane.root, "--replicas", "2", label="gateway-pair")
    try:
        wait_for(
            lambda: gateways.check_alive() or health_status(f"127.0.0.1:{grpc_port}") == SERVING,
            timeout=START_DEADLINE_S,
            what="the gateway pair to serve",
        )
        # every fresh connection lands on one of the group; the processes are
        # told apart by their start time in the Prometheus process metrics
        starts: set[str] = set()

        def both_seen() -> bool:
            # a replica's gRPC door answers SERVING a moment before its HTTP door opens
            try:
                with httpx.Client(base_url=f"http://127.0.0.1:{http_port}") as http:
                    text = http.get("/metrics").text
            except httpx.TransportError:
                return False
            starts.update(
                line.split()[-1]
                for line in text.splitlines()
                if line.startswith("process_start_time_seconds")
            )
            return len(starts) >= 2

        wait_for(both_seen, timeout=30, what="two gateway processes behind one HTTP port")
        # gRPC too: a fresh client per call runs against whichever replica took it
        token = LocalAccounts(plane.root / "tokens.json").ensure_user(USERNAME)
        for _ in range(6):
            with DLHubClient(f"127.0.0.1:{grpc_port}", token) as client:
                assert isinstance(client.search(""), list)
        children = [int(p) for p in re.findall(r"\(pid (\d+)\)", log_tail(gateways.log, 200_000))]
        assert len(children) == 1
        gateways.stop_cleanly()
        for pid in children:  # the replica stopped with its parent
            wait_for(lambda pid=pid: not _alive(pid), timeout=30, what="the replica to stop")
    finally:
        if gateways.proc.poll() is None:
            gateways.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
