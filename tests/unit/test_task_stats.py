"""The task manager's per-version statistics (dlhub_taskmanager.stats)."""

from __future__ import annotations

from dlhub_common._proto.dlhub.v1 import bus_pb2, types_pb2
from dlhub_common.names import Ref
from dlhub_taskmanager.stats import ServableStats

MS = 1_000_000
T0 = 1_800_000_000_000 * MS  # a Unix time in ns


def record(version: int = 1, created_ns: int = T0) -> dict[str, object]:
    return {
        "servable": {"owner": "alice", "name": "m", "version": version},
        "created_ns": created_ns,
    }


def ok(started_ns: int, compute_ns: int, batch_size: int = 0) -> bus_pb2.WorkResult:
    return bus_pb2.WorkResult(
        ok=True, started_unix_ns=started_ns, compute_ns=compute_ns, batch_size=batch_size
    )


def test_unknown_version_reads_as_zeros() -> None:
    snap = ServableStats().snapshot(("alice", "m", 3))
    assert (snap.servable.owner, snap.servable.name, snap.servable.version) == ("alice", "m", 3)
    assert snap.inference_count == snap.execution_count == snap.last_inference_ms == 0
    assert dict(snap.batch_executions) == {}


def test_successes_sum_queue_compute_and_total() -> None:
    stats = ServableStats()
    stats.record(record(), ok(T0 + 2 * MS, 3 * MS), now_ns=T0 + 10 * MS)
    stats.record(record(created_ns=T0 + 20 * MS), ok(T0 + 21 * MS, 1 * MS), now_ns=T0 + 25 * MS)
    snap = stats.snapshot(("alice", "m", 1))
    assert (snap.inference_count, snap.success_count, snap.failure_count) == (2, 2, 0)
    assert snap.queue_ns == 3 * MS
    assert snap.compute_ns == 4 * MS
    assert snap.success_ns == 15 * MS
    # batch_size 0 (an executor that does not batch) reads as 1
    assert snap.execution_count == 2
    assert dict(snap.batch_executions) == {1: 2}
    assert snap.last_inference_ms == (T0 + 25 * MS) // MS


def test_failures_are_counted_apart() -> None:
    stats = ServableStats()
    failed = bus_pb2.WorkResult(ok=False, started_unix_ns=T0 + MS, compute_ns=MS)
    stats.record(record(), failed, now_ns=T0 + 4 * MS)
    snap = stats.snapshot(("alice", "m", 1))
    assert (snap.inference_count, snap.failure_count, snap.failure_ns) == (0, 1, 4 * MS)
    assert (snap.queue_ns, snap.compute_ns, snap.execution_count) == (0, 0, 0)


def test_a_batch_is_one_call_once_all_its_results_are_in() -> None:
    stats = ServableStats()
    for i in range(3):
        stats.record(record(), ok(T0 + MS, 6 * MS, batch_size=4), now_ns=T0 + 8 * MS)
        assert stats.snapshot(("alice", "m", 1)).execution_count == 0, i
    stats.record(record(), ok(T0 + MS, 6 * MS, batch_size=4), now_ns=T0 + 8 * MS)
    stats.record(record(), ok(T0 + MS, 2 * MS, batch_size=1), now_ns=T0 + 8 * MS)
    snap = stats.snapshot(("alice", "m", 1))
    assert snap.inference_count == 5
    assert snap.execution_count == 2
    assert dict(snap.batch_executions) == {4: 1, 1: 1}


def test_cache_hits_are_successes_without_an_execution() -> None:
    stats = ServableStats()
    ref = Ref("alice", "m", 2)
    stats.cache_miss(ref)
    stats.record(record(version=2), ok(T0 + MS, MS), now_ns=T0 + 3 * MS)
    stats.cache_hit(types_pb2.ServableRef(owner="alice", name="m", version=2), 50_000)
    stats.cache_hit(ref, 70_000)
    snap = stats.snapshot(("alice", "m", 2))
    assert (snap.cache_hit_count, snap.cache_hit_ns, snap.cache_miss_count) == (2, 120_000, 1)
    assert (snap.inference_count, snap.success_count, snap.execution_count) == (3, 3, 1)
    assert snap.success_ns == 3 * MS + 120_000
    assert stats.tracked() == [("alice", "m", 2)]


def test_versions_are_kept_apart() -> None:
    stats = ServableStats()
    stats.record(record(version=1), ok(T0, MS), now_ns=T0 + MS)
    stats.record(record(version=2), ok(T0, MS), now_ns=T0 + MS)
    stats.record(record(version=2), ok(T0, MS), now_ns=T0 + MS)
    counts = [(m.servable.version, m.inference_count) for m in stats.snapshots(stats.tracked())]
    assert counts == [(1, 1), (2, 2)]
