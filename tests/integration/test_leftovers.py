"""The registry's leftover collector on the embedded stores.

The states here are what a registry replica killed mid-publish leaves (job
documents as its publish wrote them, objects, partial files); the real kills
are in tests/e2e/test_publish_crashes.py. What matters here are the rules:
jobs of live replicas are left alone, a dead replica's jobs are undone or
finished, and nothing a committed version or a live publish uses is removed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dlhub_common.backends import (
    LocalObjectsConfig,
    MemoryBusConfig,
    SqliteDocumentsConfig,
    create_document_store,
    create_event_bus,
    create_object_store,
)
from dlhub_common.identity import Principal
from dlhub_common.names import Ref
from dlhub_common.ports import DocumentStore, ObjectStore
from dlhub_common.records import SERVABLES, record_id
from dlhub_registry.commit import OBJECT_REFS
from dlhub_registry.core import Registry
from dlhub_registry.instances import INSTANCES
from dlhub_registry.publish_jobs import FAILED, PUBLISH_JOBS, RUNNING, SUCCEEDED, PublishJob
from dlhub_registry.reads import HEADS
from dlhub_registry.uploads import UPLOADS, UploadSessions

OTHER_HOST = "another-host.invalid"


@dataclass
class Rig:
    docs: DocumentStore
    objects: ObjectStore
    registry: Registry
    uploads: UploadSessions
    root: Path


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    docs = create_document_store(SqliteDocumentsConfig(), tmp_path)
    objects = create_object_store(LocalObjectsConfig(), tmp_path)
    bus = create_event_bus(MemoryBusConfig(), tmp_path, 1 << 20)
    for adapter in (docs, objects, bus):
        await adapter.start()
    uploads = UploadSessions(docs, tmp_path / "uploads", max_bytes=1 << 30)
    registry = Registry(
        docs,
        objects,
        bus,
        max_artifact_bytes=1 << 30,
        uploads=uploads,
        instance_dead_after_s=30.0,
        incomplete_grace_s=600.0,
    )
    await registry.start()
    try:
        yield Rig(docs, objects, registry, uploads, tmp_path)
    finally:
        await registry.stop()
        for adapter in (bus, objects, docs):
            await adapter.stop()


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def put(rig: Rig, data: bytes) -> str:
    return (await rig.objects.put(_one(data))).key


async def replica(rig: Rig, instance_id: str, *, age_s: float = 0.0) -> None:
    """Another registry replica, on another host, last heard of ``age_s`` ago."""
    await rig.docs.put(
        INSTANCES,
        instance_id,
        {"id": instance_id, "host": OTHER_HOST, "pid": 1, "heartbeat": time.time() - age_s},
    )


async def job_of(rig: Rig, instance_id: str, **fields: Any) -> str:
    """A RUNNING publish job, as a publish on ``instance_id`` writes it."""
    job = PublishJob(rig.docs, "alice", instance_id)
    job.line("publish started by alice")
    await job.checkpoint(**fields)
    return job.id


async def state(rig: Rig, job_id: str) -> dict[str, Any]:
    doc = await rig.docs.get(PUBLISH_JOBS, job_id)
    assert doc is not None
    return doc


async def test_jobs_of_a_live_replica_are_left_alone_until_it_dies(rig: Rig) -> None:
    key = await put(rig, b"weights of a publish in flight elsewhere")
    await replica(rig, "replica-a")
    job_id = await job_of(rig, "replica-a", objects=[key])

    done = await rig.registry.leftovers.collect()
    assert done.failed_jobs == []
    assert (await state(rig, job_id))["state"] == RUNNING
    assert await rig.objects.stat(key) is not None

    await replica(rig, "replica-a", age_s=31.0)  # its heartbeat stopped
    done = await rig.registry.leftovers.collect()
    assert done.failed_jobs == [job_id]
    assert done.objects == [key]
    assert done.instances == ["replica-a"]
    job = await state(rig, job_id)
    assert (job["state"], job["error_code"]) == (FAILED, "UNAVAILABLE")
    assert "instance replica-a" in job["log"][-1]
    assert "stopped during this publish" in job["log"][-1]
    assert job["finished_at"]
    assert await rig.objects.stat(key) is None
    assert await rig.docs.get(INSTANCES, "replica-a") is None
    # idempotent: the next round finds nothing
    assert (await rig.registry.leftovers.collect()).failed_jobs == []


async def test_a_malformed_claim_does_not_stop_the_recovery(rig: Rig) -> None:
    key = await put(rig, b"a real leftover")
    await replica(rig, "replica-dead", age_s=3600)
    job_id = await job_of(rig, "replica-dead")
    # a job document written by hand or by a buggy release
    await rig.docs.update(PUBLISH_JOBS, job_id, {"objects": ["sha256/not-hex", key]})

    done = await rig.registry.leftovers.collect()
    assert done.failed_jobs == [job_id]
    assert done.objects == [key]


async def test_a_dead_job_never_removes_what_others_use(rig: Rig) -> None:
    committed = await put(rig, b"bytes a committed version references")
    held = await put(rig, b"bytes a live publish holds")
    await rig.docs.put(OBJECT_REFS, f"{committed}@x/y/1", {"key": committed, "record": "x/y/1"})
    await replica(rig, "replica-live")
    await job_of(rig, "replica-live", objects=[held])
    await replica(rig, "replica-dead", age_s=3600)
    dead = await job_of(rig, "replica-dead", objects=[committed, held])

    done = await rig.registry.leftovers.collect()
    assert done.failed_jobs == [dead]
    assert done.objects == []
    assert await rig.objects.stat(committed) is not None
    assert await rig.objects.stat(held) is not None


async def test_a_dead_uncommitted_version_is_removed_and_the_head_moves_back(rig: Rig) -> None:
    alice = Principal("alice")
    v1 = record_id("alice", "m", 1)
    await rig.docs.insert(
        SERVABLES, v1, {"owner": "alice", "name": "m", "version": 1, "published_at": "t1"}
    )
    await replica(rig, "replica-dead", age_s=3600)
    key = await put(rig, b"the model of version 2")
    v2 = record_id("alice", "m", 2)
    ref = f"{key}@{v2}"
    job_id = await job_of(
        rig,
        "replica-dead",
        stage="commit",
        objects=[key],
        record=v2,
        refs=[ref],
        target={"owner": "alice", "name": "m", "version": 2},
    )
    # what the killed commit wrote: reference, record, head (no event)
    await rig.docs.put(OBJECT_REFS, ref, {"key": key, "record": v2})
    await rig.docs.insert(
        SERVABLES,
        v2,
        {"owner": "alice", "name": "m", "version": 2, "publish_id": job_id, "published_at": "t2"},
    )
    await rig.docs.put(HEADS, "alice/m", {"owner": "alice", "name": "m", "version": 2})

    done = await rig.registry.leftovers.collect()
    assert done.records == [v2]
    assert done.objects == [key]
    assert await rig.docs.get(SERVABLES, v2) is None
    assert await rig.docs.get(OBJECT_REFS, ref) is None
    head = await rig.docs.get(HEADS, "alice/m")
    assert head is not None
    assert (head["version"], head["published_at"]) == (1, "t1")
    record, versions, _latest = await rig.registry.get(alice, Ref("alice", "m", 0))
    assert (record["version"], versions) == (1, [1])


async def test_a_version_number_another_publish_took_is_not_touched(rig: Rig) -> None:
    await replica(rig, "replica-dead", age_s=3600)
    key = await put(rig, b"the other publish's model")
    v1 = record_id("alice", "m", 1)
    job_id = await job_of(
        rig,
        "replica-dead",
        stage="commit",
        record=v1,
        refs=[f"{key}@{v1}"],
        target={"owner": "alice", "name": "m", "version": 1},
    )
    await rig.docs.insert(
        SERVABLES, v1, {"owner": "alice", "name": "m", "version": 1, "publish_id": "pub-other"}
    )
    await rig.docs.put(OBJECT_REFS, f"{key}@{v1}", {"key": key, "record": v1})
    await rig.docs.put(HEADS, "alice/m", {"owner": "alice", "name": "m", "version": 1})

    done = await rig.registry.leftovers.collect()
    assert done.failed_jobs == [job_id]
    assert done.records == []
    assert await rig.docs.get(SERVABLES, v1) is not None
    assert await rig.docs.get(OBJECT_REFS, f"{key}@{v1}") is not None
    assert await rig.docs.get(HEADS, "alice/m") is not None
    assert await rig.objects.stat(key) is not None


async def test_a_job_killed_after_its_commit_is_finished_and_its_sessions_removed(
    rig: Rig,
) -> None:
    session = await rig.uploads.create(Principal("alice"), "data.bin", 0, "0" * 64)
    await replica(rig, "replica-dead", age_s=3600)
    job_id = await job_of(rig, "replica-dead", stage="committed", committed=True)
    await rig.docs.update(PUBLISH_JOBS, job_id, {"uploads": [session["id"]]})

    done = await rig.registry.leftovers.collect()
    assert done.finished_jobs == [job_id]
    job = await state(rig, job_id)
    assert job["state"] == SUCCEEDED
    assert "it is published" in job["log"][-1]
    assert await rig.docs.get(UPLOADS, session["id"]) is None
    assert not (rig.root / "uploads" / f"{session['id']}.part").exists()


async def test_jobs_of_older_releases_fail_after_an_hour(rig: Rig) -> None:
    old = await job_of(rig, "")
    await rig.docs.update(PUBLISH_JOBS, old, {"started_at": "2020-01-01T00:00:00Z"})
    recent = await job_of(rig, "")

    done = await rig.registry.leftovers.collect()
    assert done.failed_jobs == [old]
    assert (await state(rig, recent))["state"] == RUNNING


async def test_unfinished_writes_of_no_live_publish_expire_after_the_grace(rig: Rig) -> None:
    tmp = rig.root / "objects" / "tmp"
    stale_digest = hashlib.sha256(b"stale").hexdigest()
    live_digest = hashlib.sha256(b"live").hexdigest()
    stale = tmp / f"{stale_digest}.a.part"  # as a killed put leaves it
    young = tmp / "b.part"
    held = tmp / f"{live_digest}.c.part"
    for path in (stale, young, held):
        path.write_bytes(b"partial")
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    os.utime(held, (an_hour_ago, an_hour_ago))
    await replica(rig, "replica-live")
    await job_of(rig, "replica-live", objects=[f"sha256/{live_digest}"])

    done = await rig.registry.leftovers.collect()
    assert done.incomplete == [stale.name]
    assert sorted(p.name for p in tmp.iterdir()) == sorted([young.name, held.name])


async def test_the_registry_collects_at_start_up(rig: Rig) -> None:
    await replica(rig, "replica-dead", age_s=3600)
    key = await put(rig, b"left by a dead replica")
    job_id = await job_of(rig, "replica-dead", objects=[key])
    await rig.registry.stop()
    await rig.registry.start()  # as a restarted registry does
    assert (await state(rig, job_id))["state"] == FAILED
    assert await rig.objects.stat(key) is None
