"""A publish killed at each step leaves nothing visible, and its leftovers are collected.

The registry kills itself (SIGKILL) at a named fault point
(``DLHUB_FAULTPOINT``, dlhub_registry.faults); it is then started again with
the next fault point, so every start both checks the recovery of the kill
before it and arms the next one:

    upload.mid_write  (CLI upload session, half sent)
    publish.mid_store (an artifact handed to the store, not yet stored:
                       a temporary file, or an S3 multipart upload)
    publish.after_upload, publish.mid_commit, publish.after_commit

After each restart a full inventory (records, heads, object references,
objects, unfinished writes, upload sessions and their files, search entries,
publish jobs) must show nothing of the killed publish but its upload session,
which a later ``dlhub publish`` of the same file resumes, and says so.

* embedded: ``dlhub up`` is the process killed and restarted;
* distributed: only ``dlhub serve registry`` is, on the real engines
  (FerretDB, S3, OpenSearch, Kafka), beside a search service and a gateway.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from grpc_health.v1 import health_pb2

from dlhub_common.accounts import LocalAccounts
from dlhub_common.backends import (
    LocalObjectsConfig,
    SqliteDocumentsConfig,
    SqliteSearchConfig,
    create_document_store,
    create_object_store,
    create_search_index,
)
from dlhub_common.errors import DLHubError, NotFound
from dlhub_common.ports import DocumentStore, ObjectStore, SearchIndex, SearchQuery
from dlhub_common.records import SERVABLES
from dlhub_common.settings import Settings
from dlhub_registry.commit import OBJECT_REFS
from dlhub_registry.publish_jobs import FAILED, PUBLISH_JOBS, RUNNING, SUCCEEDED
from dlhub_registry.reads import HEADS
from dlhub_registry.uploads import UPLOADS
from dlhub_sdk import DLHubClient
from dlhub_sdk.models import OnnxServable

from ._support import (
    CLI_TIMEOUT_S,
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

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]
SERVING = health_pb2.HealthCheckResponse.SERVING
MiB = 1 << 20
# Above the SDK's 32 MiB upload threshold: the CLI sends it through a session.
BIG_BYTES = 33 * MiB
# Above one S3 part (5 MiB below), so a store killed mid-put leaves a multipart upload.
MEDIUM_BYTES = 6 * MiB
STEPS = (
    "publish.mid_store",
    "publish.after_upload",
    "publish.mid_commit",
    "publish.after_commit",
)
COMMON_ENV = {
    # upload sessions take chunks of under 2 MiB: a 33 MiB upload is 17 writes
    "DLHUB_MAX_MESSAGE_BYTES": str(2 * MiB),
    "DLHUB_EXECUTOR_OPTIONS__INTRA_OP_THREADS": "1",
}


@dataclass
class Stores:
    docs: DocumentStore
    objects: ObjectStore
    search: SearchIndex
    uploads: Path  # the registry's folder of partial upload files


@dataclass
class Rig:
    """A mesh whose registry can be killed at a fault point and started again."""

    mode: str
    root: Path
    env: dict[str, str]
    address: str
    token: str
    uploads: Path
    stores: Any  # () -> Stores, in a fresh event loop
    restart: Any  # (faultpoint or "") -> None
    killed: Any  # () -> None: waits for the SIGKILL
    stop: Any


def _artifacts(digits: Digits, extra: Path, name: str) -> tuple[dict[str, Any], dict[str, Path]]:
    model = OnnxServable(digits.path, name=name).set_title(name).add_author("Test")
    model.add_file(extra, "weights.bin")
    files = model.files()
    # the extra file first: with mid_store it is the put the kill interrupts
    ordered = {"weights.bin": files.pop("weights.bin"), **files}
    return model.to_dict(), ordered


# ------------------------------------------------------------------ embedded


def _embedded(root: Path) -> Rig:
    data_dir = root / "data"
    http_port, grpc_port = free_port(), free_port()
    env = clean_env(
        DLHUB_GATEWAY__HTTP_PORT=str(http_port),
        DLHUB_GATEWAY__GRPC_PORT=str(grpc_port),
        **COMMON_ENV,
    )
    current: list[ManagedProcess] = []

    def restart(faultpoint: str) -> None:
        n = len(current)
        argv = [sys.executable, "-m", "dlhub_sdk.cli", "up", "--data-dir", str(data_dir)]
        argv += ["--user", USERNAME]
        run_env = {**env, "DLHUB_FAULTPOINT": faultpoint} if faultpoint else env
        proc = ManagedProcess(f"dlhub up #{n}", argv, run_env, root, root / f"up-{n}.log")
        current.append(proc)

        def ready() -> bool:
            proc.check_alive()
            return "DLHub is up" in log_tail(proc.log) and (
                health_status(f"127.0.0.1:{grpc_port}") == SERVING
            )

        wait_for(ready, timeout=START_DEADLINE_S, what=f"dlhub up #{n} to be ready")

    def stores() -> Stores:
        return Stores(
            create_document_store(SqliteDocumentsConfig(), data_dir),
            create_object_store(LocalObjectsConfig(), data_dir),
            create_search_index(SqliteSearchConfig(), data_dir),
            data_dir / "uploads",
        )

    def killed() -> None:
        _wait_sigkilled(current[-1])

    def stop() -> None:
        for proc in current:
            if proc.proc.poll() is None:
                proc.stop_cleanly()
            else:
                proc.stop()

    restart("upload.mid_write")
    token = json.loads((data_dir / "client.json").read_text())["token"]
    return Rig(
        "embedded",
        root,
        env,
        f"127.0.0.1:{grpc_port}",
        token,
        data_dir / "uploads",
        stores,
        restart,
        killed,
        stop,
    )


# ------------------------------------------------------------------ distributed


def _distributed(root: Path, stack: Any) -> Rig:
    run_id = uuid.uuid4().hex[:10]
    env: dict[str, str] = {}
    for engine in ("kafka", "mongo", "opensearch", "s3"):
        env.update(stack.require(engine).env)
    ports = {"registry": free_port(), "search": free_port(), "gateway": free_port()}
    env.update(
        COMMON_ENV,
        DLHUB_BUS__TOPIC_PREFIX=f"crash-{run_id}-",
        DLHUB_BUS__NUM_PARTITIONS="1",
        DLHUB_DOCUMENTS__DATABASE=f"crash_{run_id}",
        DLHUB_SEARCH__INDEX=f"crash-{run_id}",
        DLHUB_OBJECTS__BUCKET=f"crash-{run_id}",
        DLHUB_OBJECTS__PART_SIZE_BYTES=str(5 * MiB),
        DLHUB_TOKENS_FILE=str(root / "tokens.json"),
        DLHUB_REGISTRY__PORT=str(ports["registry"]),
        DLHUB_SEARCH_SERVICE__PORT=str(ports["search"]),
        DLHUB_TASKMANAGER__PORT=str(free_port()),
        DLHUB_GATEWAY__GRPC_PORT=str(ports["gateway"]),
        DLHUB_GATEWAY__HTTP_PORT=str(free_port()),
    )
    token = LocalAccounts(root / "tokens.json").ensure_user(USERNAME)
    registries: list[ManagedProcess] = []
    others: list[ManagedProcess] = []

    def serve(name: str, label: str, run_env: dict[str, str]) -> ManagedProcess:
        argv = [sys.executable, "-m", "dlhub_sdk.cli", "serve", name]
        argv += ["--data-dir", str(root / name)]
        return ManagedProcess(
            f"dlhub serve {label}", argv, clean_env(**run_env), root, root / f"{label}.log"
        )

    def restart(faultpoint: str) -> None:
        n = len(registries)
        run_env = {**env, "DLHUB_FAULTPOINT": faultpoint} if faultpoint else env
        proc = serve("registry", f"registry-{n}", run_env)
        registries.append(proc)
        target = f"127.0.0.1:{ports['registry']}"

        def ready() -> bool:
            proc.check_alive()
            return health_status(target) == SERVING

        wait_for(ready, timeout=START_DEADLINE_S, what=f"registry #{n} to be SERVING")

    def stores() -> Stores:
        saved = dict(os.environ)
        try:
            os.environ.clear()
            os.environ.update(clean_env(**env, DLHUB_DATA_DIR=str(root / "inventory")))
            settings = Settings()
        finally:
            os.environ.clear()
            os.environ.update(saved)
        data_dir = settings.resolved_data_dir()
        docs = create_document_store(settings.documents, data_dir)
        objects = create_object_store(settings.objects, data_dir)
        search = create_search_index(settings.search, data_dir)
        return Stores(docs, objects, search, root / "registry" / "uploads")

    def killed() -> None:
        _wait_sigkilled(registries[-1])

    def stop() -> None:
        for proc in [*registries, *others]:
            if proc.proc.poll() is None:
                proc.stop_cleanly()
            else:
                proc.stop()

    for name in ("search", "gateway"):  # they start while the registry does
        others.append(serve(name, name, env))
    restart("upload.mid_write")
    targets = [f"127.0.0.1:{ports['search']}", f"127.0.0.1:{ports['gateway']}"]

    def up() -> bool:
        for proc in others:
            proc.check_alive()
        return all(health_status(t) == SERVING for t in targets)

    wait_for(up, timeout=START_DEADLINE_S, what="search and gateway to be SERVING")
    return Rig(
        "distributed",
        root,
        env,
        f"127.0.0.1:{ports['gateway']}",
        token,
        root / "registry" / "uploads",
        stores,
        restart,
        killed,
        stop,
    )


# ------------------------------------------------------------------ checks


def _wait_sigkilled(proc: ManagedProcess) -> None:
    try:
        code = proc.proc.wait(60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{proc.label} did not reach its fault point; output:\n{log_tail(proc.log)}")
    assert code == -9, f"{proc.label} exited {code}, not by SIGKILL:\n{log_tail(proc.log)}"
    assert "fault point" in log_tail(proc.log)
    proc.stop()  # closes its log


def inventory(rig: Rig) -> dict[str, Any]:
    """Everything a publish can leave, read straight from the stores."""
    stores = rig.stores()

    async def read() -> dict[str, Any]:
        for adapter in (stores.docs, stores.objects, stores.search):
            await adapter.start()
        try:
            return {
                "records": await stores.docs.find(SERVABLES),
                "heads": await stores.docs.find(HEADS),
                "refs": await stores.docs.find(OBJECT_REFS),
                "jobs": await stores.docs.find(PUBLISH_JOBS),
                "uploads": await stores.docs.find(UPLOADS),
                "objects": sorted([o.key async for o in stores.objects.list_objects()]),
                "incomplete": [i async for i in stores.objects.incomplete()],
                "search": (await stores.search.search(SearchQuery(limit=100))).hits,
                "upload_files": sorted(p.name for p in stores.uploads.iterdir())
                if stores.uploads.exists()
                else [],
            }
        finally:
            for adapter in (stores.docs, stores.objects, stores.search):
                await adapter.stop()

    return asyncio.run(read())


def assert_nothing_left(inv: dict[str, Any], *, published: int, failed: int) -> None:
    """Only committed versions, their objects, and live upload sessions remain."""
    assert len(inv["records"]) == published, inv["records"]
    assert len(inv["heads"]) == (1 if published else 0), inv["heads"]
    records = {f"{r['owner']}/{r['name']}/{int(r['version']):010d}" for r in inv["records"]}
    assert {ref["record"] for ref in inv["refs"]} == records
    # every object is a committed version's: no orphan, none missing
    assert sorted({ref["key"] for ref in inv["refs"]}) == inv["objects"]
    for record in inv["records"]:
        assert {a["key"] for a in record["artifacts"]} <= set(inv["objects"])
    assert inv["incomplete"] == [], "unfinished writes left: " + repr(inv["incomplete"])
    assert inv["upload_files"] == sorted(f"{u['id']}.part" for u in inv["uploads"])
    states = [j["state"] for j in inv["jobs"]]
    assert RUNNING not in states, inv["jobs"]
    assert states.count(FAILED) == failed, states
    assert states.count(SUCCEEDED) == published, states
    for job in inv["jobs"]:
        if job["state"] == FAILED:
            assert job["error_code"] == "UNAVAILABLE"
            assert "stopped during this publish" in job["log"][-1]
            assert "nothing of it was kept" in job["log"][-1]


def assert_left_behind(inv: dict[str, Any], step: str, medium_key: str) -> None:
    """What the kill left before any registry recovered it: the test can fail."""
    running = [j for j in inv["jobs"] if j["state"] == RUNNING]
    assert len(running) == 1, inv["jobs"]
    referenced = {ref["key"] for ref in inv["refs"]}
    if step == "publish.mid_store":
        assert [i.key for i in inv["incomplete"]] == [medium_key]
        assert inv["objects"] == []
    elif step == "publish.after_upload":
        assert medium_key in inv["objects"]
        assert not referenced
        assert inv["records"] == []
    elif step == "publish.mid_commit":
        [record] = inv["records"]  # visible to describe until a registry recovers
        assert record["publish_id"] == running[0]["id"]
        assert referenced == {a["key"] for a in record["artifacts"]}
        assert inv["heads"] == []
    elif step == "publish.after_commit":
        assert len(inv["records"]) == 1
        assert [int(h["version"]) for h in inv["heads"]] == [1]
        assert inv["search"] == []  # the event was never sent


def wait_registry_reachable(client: DLHubClient) -> None:
    """Through the gateway: a missing job answers NOT_FOUND once the registry is back."""

    def probe() -> bool:
        try:
            client.get_publish_status("pub-00000000-0000-0000-0000-000000000000")
        except NotFound:
            return True
        except DLHubError:
            return False
        return False

    wait_for(probe, timeout=30, interval=0.2, what="the registry to answer through the gateway")


def cli_publish(rig: Rig, meta: Path, files: dict[str, Path]) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "dlhub_sdk.cli", "publish", "--metadata", str(meta)]
    for path, src in files.items():
        argv += ["--file", f"{path}={src}"]
    argv += ["--json", "--address", rig.address, "--token", rig.token]
    env = clean_env(XDG_CACHE_HOME=str(rig.root / "cache"))
    return subprocess.Popen(
        argv, cwd=rig.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


# ------------------------------------------------------------------ the test


@pytest.fixture(params=["embedded", "distributed"])
def rig(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    root = tmp_path_factory.mktemp(f"crash-{request.param}")
    t0 = time.monotonic()
    built = (
        _distributed(root, request.getfixturevalue("stack"))
        if request.param == "distributed"
        else _embedded(root)
    )
    print(f"\n[{request.param}] mesh up in {time.monotonic() - t0:.1f}s")
    try:
        yield built
    finally:
        built.stop()


def test_a_publish_killed_at_each_step_leaves_nothing(rig: Rig, digits: Digits) -> None:
    name = f"crash-{rig.mode}"
    big = rig.root / "big.bin"
    big.write_bytes(os.urandom(BIG_BYTES))
    medium = rig.root / "medium.bin"
    medium.write_bytes(os.urandom(MEDIUM_BYTES))
    meta_big, files_big = _artifacts(digits, big, name)
    meta_path = rig.root / "meta.json"
    meta_path.write_text(json.dumps(meta_big))
    meta_medium, files_medium = _artifacts(digits, medium, name)
    medium_key = "sha256/" + hashlib.sha256(medium.read_bytes()).hexdigest()
    laps: list[str] = []
    clock = [time.monotonic()]

    def lap(what: str) -> None:
        now = time.monotonic()
        laps.append(f"{what} {now - clock[0]:.1f}s")
        clock[0] = now

    # 1. upload.mid_write: the CLI's upload session dies after its first chunk
    cli = cli_publish(rig, meta_path, files_big)
    rig.killed()
    cli.kill()
    cli.communicate(timeout=CLI_TIMEOUT_S)
    lap("CLI killed at upload.mid_write")
    failed = 0
    client: DLHubClient | None = None
    try:
        for step in (*STEPS, ""):
            rig.restart(step)
            lap("restart")
            if client is None:
                client = DLHubClient(rig.address, rig.token)
            wait_registry_reachable(client)
            inv = inventory(rig)
            assert_nothing_left(inv, published=0, failed=failed)
            [session] = inv["uploads"]  # the CLI's, kept for resuming
            assert 0 < int(session["received"]) < BIG_BYTES
            assert inv["search"] == []
            lap("inventory")
            if not step:
                break
            # 2..5: the registry kills itself at this step of a publish
            with pytest.raises(DLHubError):
                client.publish_servable(meta_medium, files_medium)
            rig.killed()
            lap(f"killed at {step}")
            assert_left_behind(inventory(rig), step, medium_key)
            failed += 1
    finally:
        if client is not None:
            client.close()

    # the same file from a later `dlhub publish`: the session resumes, and it says so
    cli = cli_publish(rig, meta_path, files_big)
    out, err = cli.communicate(timeout=CLI_TIMEOUT_S)
    assert cli.returncode == 0, err
    assert "resuming upload of weights.bin from an earlier run" in err
    assert f"(session {session['id']})" in err
    summary = json.loads(out)
    assert (summary["name"], summary["version"]) == (name, 1)
    lap("CLI resumed and published")

    def indexed() -> dict[str, Any] | None:
        inv = inventory(rig)
        return inv if len(inv["search"]) == 1 else None

    inv = wait_for(indexed, timeout=30, interval=0.5, what="the search entry of the publish")
    assert_nothing_left(inv, published=1, failed=failed)
    assert inv["uploads"] == []
    assert inv["upload_files"] == []
    [record] = inv["records"]
    assert record["publish_id"] == summary["publish_id"]
    assert {a["path"] for a in record["artifacts"]} >= {"weights.bin", digits.path.name}
    assert int(inv["search"][0]["version"]) == 1
    assert failed == len(STEPS)
    lap("indexed, inventory")
    print(f"[{rig.mode}] " + ", ".join(laps))
