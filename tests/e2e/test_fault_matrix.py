"""The fault matrix: nothing accepted is lost, stuck or recorded twice when any process dies.

The five services run as `dlhub serve` processes on a Kafka broker of this
test's own (so it can be killed without breaking other tests), with shared
SQLite/file stores (the test reads the task records). Under a steady load of
synchronous and asynchronous runs of an ONNX servable and a slow python
servable, each service in turn, and then the broker, is SIGKILLed, kept down
a few seconds and started again. Then every accepted task (an asynchronous
run the API acknowledged with a task id, a synchronous call that returned a
task) must have ended SUCCEEDED with the right result, or FAILED with a clear
error; none may be unfinished, missing, or recorded from a second result.
Synchronous calls that failed (UNAVAILABLE while a process was down) are
counted apart: they were never acknowledged, and any task they started must
still finish (every record in the store ends finished).

The table (per killed component: accepted / succeeded / failed / lost /
duplicated) is printed; with DLHUB_WRITE_BENCH_RESULTS=1 it is also written to
bench/results/fault_matrix.json (the committed figures come from such a run).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from grpc_health.v1 import health_pb2

from deploy.local.common import CACHE, Server
from deploy.local.engines import kafka
from dlhub_common._proto.dlhub.v1 import bus_pb2, tasks_pb2
from dlhub_common.accounts import LocalAccounts
from dlhub_common.adapters.kafka_bus import KafkaEventBus
from dlhub_common.adapters.sqlite_documents import SqliteDocumentStore
from dlhub_common.backends import KafkaBusConfig, SqliteDocumentsConfig
from dlhub_common.names import Ref, parse_ref
from dlhub_common.topics import RESULTS
from dlhub_sdk import DLHubClient
from dlhub_sdk.models import OnnxServable, PythonStaticMethodServable, list_of

from . import _support as support
from ._fault_load import FINISHED, TASK_TIMEOUT_S, Load, Requests, correct, settle
from ._support import ENDPOINT_SETTING, SERVICES, Digits, ManagedProcess

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(360)]
SERVING = health_pb2.HealthCheckResponse.SERVING
PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"
PORT_SETTING = {name: f"DLHUB_{setting}__PORT" for name, setting in ENDPOINT_SETTING.items()}
# Killed in this order; "kafka" is the broker.
VICTIMS = ("executor", "taskmanager", "gateway", "registry", "search", "kafka")
LOAD_S = 2.0  # steady load before each kill and after each restart
DOWN_S = 3.0  # how long the victim stays down
RESULTS_FILE = support.REPO / "bench" / "results" / "fault_matrix.json"

SLOW = """
import time


def slow(args):
    time.sleep(0.3)
    return "done-" + args[0]
"""


class Mesh:
    """Every `dlhub serve` process and the broker, each restartable on its ports."""

    def __init__(self, root: Path, env: dict[str, str], broker: Server) -> None:
        self.root = root
        self.env = env
        self.broker = broker
        self.procs: dict[str, ManagedProcess] = {}
        self.starts: dict[str, int] = {}

    def start(self, name: str) -> None:
        count = self.starts[name] = self.starts.get(name, 0) + 1
        argv = [sys.executable, "-m", "dlhub_sdk.cli", "serve", name]
        argv += ["--data-dir", str(self.root / name)]
        log = self.root / f"{name}-{count}.log"
        self.procs[name] = ManagedProcess(
            f"dlhub serve {name} (start {count})",
            argv,
            support.clean_env(**self.env),
            self.root,
            log,
        )

    def target(self, name: str) -> str:
        setting = PORT_SETTING.get(name, "DLHUB_GATEWAY__GRPC_PORT")
        return f"127.0.0.1:{self.env[setting]}"

    def wait_serving(self, names: tuple[str, ...] = SERVICES) -> None:
        def ready() -> bool:
            for name in names:
                self.procs[name].check_alive()
            return all(support.health_status(self.target(n)) == SERVING for n in names)

        support.wait_for(
            ready, timeout=support.START_DEADLINE_S, what=f"{', '.join(names)} to be SERVING"
        )

    def kill(self, name: str) -> None:
        if name == "kafka":
            os.killpg(self.broker.pid, signal.SIGKILL)
            if self.broker.process is not None:
                self.broker.process.wait(10)
            return
        proc = self.procs[name]
        proc.proc.send_signal(signal.SIGKILL)
        proc.proc.wait(10)
        proc.stop()  # closes its log

    def restart(self, name: str) -> None:
        if name == "kafka":
            self.broker = kafka.start(self.broker.workdir, CACHE, self.broker.ports)
            return
        self.start(name)


@pytest.fixture
def mesh(tmp_path: Path) -> Iterator[Mesh]:
    kafka.obtain(CACHE)
    broker = kafka.start(tmp_path / "kafka", CACHE)
    shared = tmp_path / "shared"
    shared.mkdir()
    env = {
        **broker.env,
        "DLHUB_BUS__TOPIC_PREFIX": "faults-",
        "DLHUB_BUS__NUM_PARTITIONS": "3",
        "DLHUB_DOCUMENTS__PATH": str(shared / "documents.sqlite3"),
        "DLHUB_SEARCH__PATH": str(shared / "search.sqlite3"),
        "DLHUB_OBJECTS__ROOT": str(shared / "objects"),
        "DLHUB_TOKENS_FILE": str(tmp_path / "tokens.json"),
        "DLHUB_GATEWAY__GRPC_PORT": str(support.free_port()),
        "DLHUB_GATEWAY__HTTP_PORT": str(support.free_port()),
        "DLHUB_EXECUTOR_OPTIONS__INTRA_OP_THREADS": "1",
        "DLHUB_EXECUTOR_OPTIONS__ENV_DIR": str(shared / "envs"),
        "DLHUB_CACHE__ENABLED": "false",  # every run must reach an executor
        **{setting: str(support.free_port()) for setting in PORT_SETTING.values()},
    }
    mesh = Mesh(tmp_path, env, broker)
    try:
        for name in SERVICES:
            mesh.start(name)
        mesh.wait_serving()
        yield mesh
    finally:
        for proc in mesh.procs.values():
            if proc.proc.poll() is None:
                proc.stop()
        mesh.broker.stop()


def test_every_accepted_task_survives_each_process_dying(mesh: Mesh, digits: Digits) -> None:
    token = LocalAccounts(Path(mesh.env["DLHUB_TOKENS_FILE"])).ensure_user(support.USERNAME)
    address = mesh.target("gateway")
    client = DLHubClient(address, token, timeout=TASK_TIMEOUT_S)
    onnx = publish_onnx(client, digits)
    python = publish_slow(client, mesh.root)
    rows = [digits.x_test[i : i + 1] for i in range(8)]
    onnx_inputs = [client._tensors(_ref(onnx), row) for row in rows]
    asyncio.run(watch_results(mesh, "ensure"))
    # both servables answer before the faults start (the python one builds its environment)
    assert client.run(python, ["ready"]) == "done-ready"
    assert client.run(onnx, rows[0])["label"].tolist() == [int(digits.labels[0])]

    load = Load()
    requests = Requests(address, token, onnx, python, onnx_inputs, digits)
    threads = [
        threading.Thread(target=requests.loop, args=(load, kind, mode, pause), daemon=True)
        for kind, mode, pause in (
            ("onnx", "sync", 0.05),
            ("onnx", "async", 0.15),
            ("python", "sync", 0.05),
            ("python", "async", 0.3),
        )
    ]
    t0 = time.monotonic()
    downtime: dict[str, float] = {}
    try:
        for thread in threads:
            thread.start()
        time.sleep(LOAD_S)
        for victim in VICTIMS:
            load.phase = victim
            mesh.kill(victim)
            time.sleep(DOWN_S)
            t_back = time.monotonic()
            mesh.restart(victim)
            mesh.wait_serving()
            downtime[victim] = round(DOWN_S + time.monotonic() - t_back, 1)
            time.sleep(LOAD_S)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(TASK_TIMEOUT_S + 60)
    load_s = time.monotonic() - t0

    outcomes = settle(requests, load.accepted)
    bus_results = asyncio.run(watch_results(mesh, "read", {a.task_id for a in load.accepted}))
    stored = asyncio.run(all_records(Path(mesh.env["DLHUB_DOCUMENTS__PATH"])))
    table = tabulate(load, outcomes, bus_results, stored)
    unfinished = sorted(
        r["task_id"] for r in stored.values() if r["state"] in ("QUEUED", "RUNNING")
    )
    report = {
        "components": table,
        "downtime_s": downtime,
        "load_s": round(load_s, 1),
        "refused_calls": load.refused,
        "refusal_messages": sorted(load.messages),
        "records_in_store": len(stored),
        "records_of_failed_calls": _states(
            stored, set(stored) - {a.task_id for a in load.accepted}
        ),
        "unfinished_records": len(unfinished),
    }
    print_table(report)
    if os.environ.get("DLHUB_WRITE_BENCH_RESULTS"):
        RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_FILE.write_text(json.dumps(report, indent=2) + "\n")

    for component, row in table.items():
        assert row["lost"] == 0, f"{component}: {row}"
        assert row["wrong"] == 0, f"{component}: {row}"
        assert row["duplicated"] == 0, f"{component}: {row}"
        assert row["accepted"] > 0, f"{component}: nothing was accepted around this fault"
    assert not unfinished, f"records never finished: {unfinished[:10]}"
    for message in load.messages:  # refusals are clear and expose no address
        assert "127.0.0.1" not in message, message
        assert "ipv4:" not in message, message
    client.close()


def tabulate(
    load: Load,
    finals: dict[str, tasks_pb2.Task],
    bus_results: dict[str, list[bus_pb2.WorkResult]],
    stored: dict[str, dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Per phase: accepted / succeeded / failed / lost / duplicated (and reruns, wrong answers)."""
    table: dict[str, dict[str, Any]] = {}
    for phase in ("warm-up", *VICTIMS):
        row = {
            "accepted": 0,
            "sync": 0,
            "async": 0,
            "succeeded": 0,
            "failed": 0,
            "lost": 0,
            "duplicated": 0,
            "wrong": 0,
            "rerun": 0,
            "refused": sum(load.refused.get(phase, {}).values()),
            "failures": [],
        }
        table[phase] = row
    for accepted in load.accepted:
        row = table[accepted.phase]
        row["accepted"] += 1
        row[accepted.mode] += 1
        task = finals[accepted.task_id]
        record = stored.get(accepted.task_id)
        results = bus_results.get(accepted.task_id, [])
        row["rerun"] += len(results) > 1
        if record is None or task.state not in FINISHED or task.error.code == "DEADLINE_EXCEEDED":
            row["lost"] += 1  # unfinished (or it would be until its deadline)
            continue
        if task.state == tasks_pb2.TASK_STATE_SUCCEEDED:
            ok = correct(accepted, task)
            if accepted.outcome is not None:  # the synchronous answer agrees with the record
                ok = ok and accepted.outcome.state == task.state and correct(accepted, task)
            row["succeeded"] += ok
            row["wrong"] += not ok
        else:
            row["failed"] += 1
            error = task.error
            row["failures"].append(f"{error.code}: {error.message}")
            if not error.message:
                row["wrong"] += 1
        # recorded from the first result on the bus; a rerun's result changed nothing
        if results and record.get("executor_id") not in ("", None):
            row["duplicated"] += record["executor_id"] != results[0].executor_id
    return table


def print_table(report: dict[str, Any]) -> None:
    head = ("killed", "accepted", "sync", "async", "succeeded", "failed", "lost", "dup", "rerun")
    lines = ["", "fault matrix: " + json.dumps(report["downtime_s"]) + " s down", ""]
    lines.append("".join(f"{h:>11}" for h in head) + "    refused calls")
    keys = ("accepted", "sync", "async", "succeeded", "failed", "lost", "duplicated", "rerun")
    for component, row in report["components"].items():
        cells = "".join(f"{row[k]:>11}" for k in keys)
        lines.append(f"{component:>11}{cells}    {report['refused_calls'].get(component, {})}")
    lines.append("")
    lines.append(
        f"load {report['load_s']} s; {report['records_in_store']} records in the store,"
        f" those of calls that failed: {report['records_of_failed_calls']};"
        f" {report['unfinished_records']} unfinished"
    )
    lines += [f"  refusal: {m}" for m in report["refusal_messages"]]
    print("\n".join(lines))


# ------------------------------------------------------------------ set-up and reading back


def publish_onnx(client: DLHubClient, digits: Digits) -> str:
    model = OnnxServable(digits.path, name="digits-faults").set_title("faults").add_author("Test")
    summary = client.publish_servable(model)
    return f"{summary['owner']}/{summary['name']}"


def publish_slow(client: DLHubClient, root: Path) -> str:
    source = root / "slow.py"
    source.write_text(SLOW)
    model = PythonStaticMethodServable.from_function(
        source, "slow", input_type=list_of("string"), output_type="string", python=PYTHON
    )
    model.set_title("slow").add_author("Test")
    summary = client.publish_servable(model)
    return f"{summary['owner']}/{summary['name']}"


def _ref(name: str) -> Ref:
    return parse_ref(name, None)


async def watch_results(
    mesh: Mesh, what: str, wanted: set[str] | None = None
) -> dict[str, list[bus_pb2.WorkResult]]:
    """``ensure``: a group of the test's that keeps every result from now on;
    ``read``: every result in it for ``wanted``, in order."""
    config = KafkaBusConfig(
        bootstrap_servers=mesh.env["DLHUB_BUS__BOOTSTRAP_SERVERS"], topic_prefix="faults-"
    )
    bus = KafkaEventBus(config, mesh.root)
    await bus.start()
    seen: dict[str, list[bus_pb2.WorkResult]] = {}
    try:
        if what == "ensure":
            await bus.ensure_group([RESULTS], "faults-watch")
            return seen
        async with bus.subscribe([RESULTS], "faults-watch") as sub:
            iterator = aiter(sub)
            while True:  # until the topic is quiet
                try:
                    delivery = await asyncio.wait_for(anext(iterator), 5.0)
                except TimeoutError:
                    break
                result = bus_pb2.WorkResult.FromString(delivery.value)
                if wanted is None or result.task_id in wanted:
                    seen.setdefault(result.task_id, []).append(result)
                await delivery.ack()
    finally:
        await bus.stop()
    return seen


def _states(stored: dict[str, dict[str, Any]], task_ids: set[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for task_id in task_ids:
        state = stored[task_id]["state"]
        out[state] = out.get(state, 0) + 1
    return out


async def all_records(documents: Path) -> dict[str, dict[str, Any]]:
    docs = SqliteDocumentStore(SqliteDocumentsConfig(path=documents), documents.parent)
    await docs.start()
    try:
        return {r["task_id"]: r for r in await docs.find("tasks")}
    finally:
        await docs.stop()
