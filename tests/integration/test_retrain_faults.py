"""Retrain faults and permissions: each training failure ends the job FAILED
with the reason, the owner (and co-owners) see the traceback, nothing is
published; two triggers at once give one job at a time; only owners and
co-owners may retrain or read jobs; bad recipes are refused at publish.

A toy python servable: ``predict(xs)`` multiplies a batch of numbers by the
weight in ``weight.txt``; its benchmark wants twice the input (MAE).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import grpc
import pytest

from dlhub_common._proto.dlhub.v1 import registry_pb2
from dlhub_sdk import cli
from dlhub_sdk.client import DLHubClient
from dlhub_sdk.models import PythonStaticMethodServable
from tests.benchmark_support import benchmark_metadata, json_files
from tests.integration._retrain import finished_jobs, get_job, jobs, ref, retrain, versions
from tests.integration.conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh

WALL_S = 8
CPU_S = 1
MEMORY = 512 << 20
NUMBERS = {"type": "list", "item_type": {"type": "number"}}

MODEL = """
import pathlib

def predict(xs):
    w = float(pathlib.Path("weight.txt").read_text())
    return [w * x for x in xs]
"""

TRAINERS = {
    "toy-raise": """
def train(data_dir, previous_dir):
    raise RuntimeError("bad data: boom")
""",
    "toy-slow": """
import time

def train(data_dir, previous_dir):
    time.sleep(60)
""",
    "toy-spin": """
def train(data_dir, previous_dir):
    while True:
        pass
""",
    "toy-memory": """
def train(data_dir, previous_dir):
    hog = bytearray(2 * 1024**3)
    return [hog]
""",
    "toy-nothing": """
def train(data_dir, previous_dir):
    return None
""",
    "toy-die": """
import os, signal

def train(data_dir, previous_dir):
    os.kill(os.getpid(), signal.SIGKILL)
""",
    "toy-reserved": """
import os, tempfile

def train(data_dir, previous_dir):
    out = tempfile.mkdtemp()
    for name, text in (("weight.txt", "2.0"), ("dlhub.json", "{}")):
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
    return out
""",
    "toy-ok": """
import os, tempfile, time

def train(data_dir, previous_dir):
    with open("INTERVALS", "a") as log:
        log.write(f"start {time.time()}\\n")
        time.sleep(1.0)
        out = os.path.join(tempfile.mkdtemp(), "weight.txt")
        with open(out, "w") as f:
            f.write("2.0")
        log.write(f"end {time.time()}\\n")
    return [out]
""",
}


def toy(
    tmp: Path,
    name: str,
    train: str,
    *,
    visible_to: list[str] | None = None,
    topic: str | None = None,
) -> Any:
    folder = tmp / name
    folder.mkdir(parents=True)
    (folder / "toy.py").write_text(MODEL)
    (folder / "weight.txt").write_text("1.0")
    (folder / "train.py").write_text(train)
    model = PythonStaticMethodServable.from_function(
        folder / "toy.py", "predict", input_type=NUMBERS, output_type=NUMBERS, name=name
    )
    model.add_file(folder / "weight.txt")
    model.set_title(f"toy {name}").add_author("Doe, Jane")
    source = {"topic": topic} if topic else {"prefix": str(tmp / "data" / name)}
    model.set_training(folder / "train.py", benchmark="alice/double:1", **source)
    if visible_to is not None:
        model.set_visibility(visible_to)
    return model.to_dict(), {p: src.read_bytes() for p, src in model.files().items()}


async def _error(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    return info.value


@pytest.fixture
async def mesh(tmp_path: Path, tiny: TinyModel, hermetic_env: None) -> Any:
    async with running_mesh(
        tmp_path / "mesh",
        tiny,
        retrain={
            "poll_interval_s": 0.5,
            "wall_timeout_s": WALL_S,
            "cpu_time_s": CPU_S,
            "memory_bytes": MEMORY,
        },
        executor_options={"env_dir": tmp_path / "envs"},
    ) as m:
        bench = benchmark_metadata("double", output=None, run_input=NUMBERS, run_output=NUMBERS)
        await m.publish(bench, json_files([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]))
        yield m


async def test_training_faults_fail_the_job_and_publish_nothing(mesh: Mesh, tmp_path: Path) -> None:
    intervals = tmp_path / "intervals.txt"
    for name, train in TRAINERS.items():
        await mesh.publish(
            *toy(tmp_path / "toys", name, train.replace("INTERVALS", str(intervals)))
        )
    before = mesh.object_files()
    faulty = [n for n in TRAINERS if n != "toy-ok"]
    started = await asyncio.gather(*(retrain(mesh, n) for n in faulty))
    assert all(not s.merged and s.job.state == "RUNNING" for s in started)
    done = {n: (await finished_jobs(mesh, n, 1))[0] for n in faulty}
    assert mesh.object_files() == before, "a failed retrain left objects behind"
    for name in faulty:
        assert done[name].state == "FAILED", (name, list(done[name].log))
        assert await versions(mesh, name) == [1]

    raised = done["toy-raise"]
    assert raised.error == "the training function raised RuntimeError: bad data: boom"
    assert 'raise RuntimeError("bad data: boom")' in raised.traceback
    assert "train.py" in raised.traceback
    slow = done["toy-slow"]
    assert slow.error_code == "DEADLINE_EXCEEDED"
    assert f"wall-clock limit of {WALL_S} s (DLHUB_RETRAIN__WALL_TIMEOUT_S)" in slow.error
    spin = done["toy-spin"]
    assert spin.error_code == "RESOURCE_EXHAUSTED", (spin.error, list(spin.log))
    assert f"CPU-time limit of {CPU_S} s (DLHUB_RETRAIN__CPU_TIME_S)" in spin.error
    memory = done["toy-memory"]
    assert memory.error_code == "RESOURCE_EXHAUSTED", (memory.error, list(memory.log))
    assert memory.error == (
        "the training function raised MemoryError:  (memory limit 536870912 bytes,"
        " DLHUB_RETRAIN__MEMORY_BYTES)"
    )
    nothing = done["toy-nothing"]
    assert nothing.error_code == "INVALID_ARGUMENT"
    assert "train must return a directory or a list of file paths, got NoneType" in nothing.error
    died = done["toy-die"]
    assert died.error_code == "SERVABLE_ERROR", (died.error, list(died.log))
    assert died.error.startswith("the training process died (signal 9) before it answered")
    reserved = done["toy-reserved"]
    assert reserved.error_code == "INVALID_ARGUMENT"
    assert "'dlhub.json' is written by the registry into every bundle" in reserved.error
    assert reserved.has_score  # it was better (MAE 0) and failed at the publish checks
    publish_job = await mesh.stub.GetPublishJob(
        registry_pb2.GetPublishJobRequest(publish_id=reserved.publish_id),
        metadata=mesh.md(),
        timeout=RPC_TIMEOUT_S,
    )
    assert publish_job.job.state == "FAILED"

    # the traceback is the owners' only: bob sees no job until he co-owns it
    err = await _error(get_job(mesh, raised.id, token=mesh.bob_token))
    assert err.code() is grpc.StatusCode.NOT_FOUND
    await mesh.stub.SetAccess(
        registry_pb2.SetAccessRequest(ref=ref("toy-raise"), add_co_owners=["bob"]),
        metadata=mesh.md(),
        timeout=RPC_TIMEOUT_S,
    )
    seen_by_bob = await get_job(mesh, raised.id, token=mesh.bob_token)
    assert seen_by_bob.traceback == raised.traceback

    # two triggers at once: one job runs, the second is merged into one more after it
    first, second = await asyncio.gather(retrain(mesh, "toy-ok"), retrain(mesh, "toy-ok"))
    assert sorted([first.merged, second.merged]) == [False, True]
    assert first.job.id == second.job.id
    ok = await finished_jobs(mesh, "toy-ok", 2)
    assert [j.trigger for j in ok] == ["manual", "queued"]
    assert [j.state for j in ok] == ["SUCCEEDED", "SUCCEEDED"], [j.error for j in ok]
    assert [j.version for j in ok] == [2, 3]
    marks = intervals.read_text().split()
    assert marks[0::2] == ["start", "end", "start", "end"]
    start_1, end_1, start_2, end_2 = (float(t) for t in marks[1::2])
    assert start_1 < end_1 <= start_2 < end_2, "two training runs overlapped"
    assert ok[0].score == 0.0
    assert ok[0].previous_score == 2.5


async def test_only_owners_and_co_owners_retrain(mesh: Mesh, tmp_path: Path) -> None:
    await mesh.publish(*toy(tmp_path / "toys", "toy-pub", TRAINERS["toy-raise"]))
    await mesh.publish(
        *toy(tmp_path / "toys", "toy-private", TRAINERS["toy-raise"], visible_to=["alice"])
    )
    err = await _error(retrain(mesh, "toy-pub", token=mesh.bob_token))
    assert err.code() is grpc.StatusCode.PERMISSION_DENIED
    assert "only the owner (alice) or a co-owner may retrain alice/toy-pub" in (err.details() or "")
    err = await _error(retrain(mesh, "toy-private", token=mesh.bob_token))
    assert err.code() is grpc.StatusCode.NOT_FOUND
    err = await _error(retrain(mesh, "toy-pub", token=""))
    assert err.code() is grpc.StatusCode.UNAUTHENTICATED
    err = await _error(jobs(mesh, "toy-pub", token=mesh.bob_token))
    assert err.code() is grpc.StatusCode.PERMISSION_DENIED
    err = await _error(retrain(mesh, "double"))
    assert err.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "alice/double:1 has no training recipe" in (err.details() or "")
    assert await jobs(mesh, "toy-pub") == []


async def test_bad_recipes_are_refused_at_publish(mesh: Mesh, tmp_path: Path) -> None:
    metadata, files = toy(tmp_path / "toys", "toy-bad", TRAINERS["toy-raise"])
    cases = [
        ({"benchmark": "alice/double"}, "servable.training.acceptance.benchmark"),
        ({"rule": "best"}, "servable.training.acceptance.rule"),
    ]
    for change, field in cases:
        doc = {**metadata, "servable": {**metadata["servable"]}}
        doc["servable"]["training"] = {
            **metadata["servable"]["training"],
            "acceptance": {**metadata["servable"]["training"]["acceptance"], **change},
        }
        err = await _error(mesh.publish(doc, files))
        assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert field in (err.details() or "")
    onnx = mesh.model.metadata("onnx-train")
    onnx["servable"]["training"] = metadata["servable"]["training"]
    err = await _error(mesh.publish(onnx, {"model.onnx": mesh.model.data}))
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "has no python environment to train in" in (err.details() or "")


EVENTS_TRAINER = """
import json, os, pathlib, tempfile

def train(data_dir, previous_dir):
    events = sorted(pathlib.Path(data_dir).glob("*.json"))
    weight = json.loads(events[-1].read_text())["weight"]
    out = os.path.join(tempfile.mkdtemp(), "weight.txt")
    pathlib.Path(out).write_text(str(weight))
    return [out]
"""


async def test_an_event_on_the_topic_retrains(mesh: Mesh, tmp_path: Path) -> None:
    await mesh.publish(*toy(tmp_path / "toys", "toy-events", EVENTS_TRAINER, topic="toy.new-data"))
    bus = await mesh.backends.bus()
    await bus.publish("toy.new-data", b'{"weight": 2.0}')
    (job,) = await finished_jobs(mesh, "toy-events", 1)
    assert (job.trigger, job.state, job.version) == ("topic", "SUCCEEDED", 2), list(job.log)
    assert list(job.data_objects) == ["event-00000.json"]
    assert (job.previous_score, job.score) == (2.5, 0.0)


async def test_http_sdk_and_cli_retrain(
    mesh: Mesh, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weight_two = TRAINERS["toy-ok"].replace("INTERVALS", str(tmp_path / "unused.txt"))
    await mesh.publish(*toy(tmp_path / "toys", "toy-doors", weight_two))

    resp = await mesh.http.post("/api/v1/servables/alice/toy-doors/retrain", headers=mesh.headers())
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["merged"] is False
    assert body["job"]["state"] == "RUNNING"
    assert body["job"]["servable"] == {"owner": "alice", "name": "toy-doors", "version": 1}
    denied = await mesh.http.post(
        "/api/v1/servables/alice/toy-doors/retrain", headers=mesh.headers(mesh.bob_token)
    )
    assert denied.status_code == 403, denied.text
    anonymous = await mesh.http.post("/api/v1/servables/alice/toy-doors/retrain")
    assert anonymous.status_code == 401, anonymous.text
    (job,) = await finished_jobs(mesh, "toy-doors", 1)
    shown = (await mesh.http.get(f"/api/v1/retrain-jobs/{job.id}", headers=mesh.headers())).json()
    assert shown["state"] == "SUCCEEDED"
    assert shown["version"] == 2
    assert shown["score"]["candidate"] == 0.0
    assert shown["score"]["previous"] == 2.5
    hidden = await mesh.http.get(
        f"/api/v1/retrain-jobs/{job.id}", headers=mesh.headers(mesh.bob_token)
    )
    assert hidden.status_code == 404
    listed = await mesh.http.get(
        "/api/v1/servables/alice/toy-doors/retrain-jobs", headers=mesh.headers()
    )
    assert [j["id"] for j in listed.json()["jobs"]] == [job.id]

    def use_sdk() -> dict[str, Any]:
        with DLHubClient(mesh.grpc_address, mesh.token) as client:
            started = client.retrain("alice/toy-doors")
            assert started["merged"] is False
            return client.wait_retrain_job(started["id"], timeout_s=60)

    done = await asyncio.to_thread(use_sdk)
    assert (done["state"], done["trigger"], done["version"]) == ("SUCCEEDED", "manual", 3)

    def run_cli(*argv: str) -> tuple[int, str]:
        code = cli.main([*argv, "--address", mesh.grpc_address, "--token", mesh.token])
        return code, capsys.readouterr().out

    code, text = await asyncio.to_thread(run_cli, "retrain", "jobs", "alice/toy-doors")
    assert code == 0
    assert text.splitlines()[0].startswith(f"{done['id']}  alice/toy-doors:2  manual  SUCCEEDED")
    code, text = await asyncio.to_thread(run_cli, "retrain", "show", job.id)
    assert code == 0
    assert "accepted: candidate mae 0, current 2.5" in text


async def test_a_job_of_a_dead_registry_ends_failed(mesh: Mesh, tmp_path: Path) -> None:
    await mesh.publish(*toy(tmp_path / "toys", "toy-orphan", TRAINERS["toy-raise"]))
    docs = await mesh.backends.documents()
    dead = "0" * 32  # an instance id no registry has
    await docs.put(
        "retrain_jobs",
        "rtj-orphan",
        {
            "id": "rtj-orphan",
            "owner": "alice",
            "name": "toy-orphan",
            "base_version": 1,
            "trigger": "manual",
            "state": "RUNNING",
            "started_at": "2026-01-01T00:00:00Z",
            "started_ns": 1,
            "log": ["manual trigger by alice", "training"],
            "instance": dead,
        },
    )
    await docs.insert("retrain_locks", "alice/toy-orphan", {"job": "rtj-orphan", "instance": dead})
    (orphan,) = await finished_jobs(mesh, "toy-orphan", 1, timeout_s=10)
    assert orphan.state == "FAILED"
    assert orphan.error_code == "UNAVAILABLE"
    assert orphan.error == (
        f"the registry (instance {dead}) stopped during this retrain; trigger it again"
    )
    # its lock went with it: the next trigger starts a job
    started = await retrain(mesh, "toy-orphan")
    assert started.merged is False
    assert started.job.id != "rtj-orphan"


SLEEPER = """
import os, time

def train(data_dir, previous_dir):
    with open("PID_FILE", "w") as f:
        f.write(str(os.getpid()))
    time.sleep(60)
"""


async def test_a_restart_does_not_retrain_for_objects_already_seen(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    options: dict[str, Any] = {
        "retrain": {"poll_interval_s": 0.2},
        "executor_options": {"env_dir": tmp_path / "envs"},
    }
    inbox = tmp_path / "toys" / "data" / "toy-inbox"
    async with running_mesh(tmp_path / "mesh", tiny, **options) as first:
        bench = benchmark_metadata("double", output=None, run_input=NUMBERS, run_output=NUMBERS)
        await first.publish(bench, json_files([1.0, 2.0], [2.0, 4.0]))
        await first.publish(*toy(tmp_path / "toys", "toy-inbox", TRAINERS["toy-raise"]))
        inbox.mkdir(parents=True)
        (inbox / "a.csv").write_text("x\n1\n")
        (job,) = await finished_jobs(first, "toy-inbox", 1)
        assert (job.trigger, list(job.data_objects)) == ("objects", ["a.csv"])
        # a job still training when the registry stops: its process is killed
        pid_file = tmp_path / "sleeper.pid"
        await first.publish(
            *toy(tmp_path / "toys", "toy-sleeper", SLEEPER.replace("PID_FILE", str(pid_file)))
        )
        sleeping = (await retrain(first, "toy-sleeper")).job
        for _ in range(200):
            if pid_file.exists() and pid_file.read_text():
                break
            await asyncio.sleep(0.05)
        pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    async with running_mesh(tmp_path / "mesh", tiny, **options) as second:
        stopped = await get_job(second, sleeping.id)
        assert (stopped.state, stopped.error_code) == ("FAILED", "UNAVAILABLE")
        assert stopped.error == "the registry stopped during this retrain; trigger it again"
        await asyncio.sleep(1.0)  # five watcher rounds
        assert [j.id for j in await jobs(second, "toy-inbox")] == [job.id]
        (inbox / "b.csv").write_text("x\n2\n")
        _old, new = await finished_jobs(second, "toy-inbox", 2)
        assert list(new.data_objects) == ["b.csv"]


async def test_a_trigger_as_the_running_job_ends_is_not_lost(
    mesh: Mesh, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock protocol's window: a trigger finds a live job's lock and writes its
    pending marker, and the job ends (its lock deleted) before the trigger looks
    again. The trigger must then take the lock itself, not merge into a job that
    is gone (which would lose it)."""
    await mesh.publish(*toy(tmp_path / "toys", "toy-window", TRAINERS["toy-ok"]))
    docs = await mesh.backends.documents()
    (live, *_) = [d["id"] for d in await docs.find("registry_instances")]
    await docs.put(
        "retrain_jobs",
        "rtj-ending",
        {
            "id": "rtj-ending",
            "owner": "alice",
            "name": "toy-window",
            "base_version": 1,
            "trigger": "manual",
            "state": "RUNNING",
            "started_at": "2026-01-01T00:00:00Z",
            "started_ns": 1,
            "log": ["manual trigger by alice"],
            "instance": live,
        },
    )
    await docs.insert("retrain_locks", "alice/toy-window", {"job": "rtj-ending", "instance": live})
    put = docs.put

    async def marker_then_the_job_ends(collection: str, doc_id: str, doc: Any) -> None:
        await put(collection, doc_id, doc)
        if collection == "retrain_pending" and doc_id == "alice/toy-window":
            await docs.delete("retrain_locks", doc_id)  # the job released its lock
            await docs.update("retrain_jobs", "rtj-ending", {"state": "SUCCEEDED"})

    monkeypatch.setattr(docs, "put", marker_then_the_job_ends)
    started = await retrain(mesh, "toy-window")
    monkeypatch.setattr(docs, "put", put)
    assert started.merged is False
    assert started.job.id != "rtj-ending"
    (done, *_) = await finished_jobs(mesh, "toy-window", 1)
    assert done.state == "SUCCEEDED", (done.error, list(done.log))
