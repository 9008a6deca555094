"""Usage statistics parts: the sketches, ``since``, and the recorder on the
embedded document store (reads during a flush, shutdown, a store that fails)."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import random
import time
from pathlib import Path

import pytest

from dlhub_common.adapters.sqlite_documents import SqliteDocumentStore
from dlhub_common.backends import SqliteDocumentsConfig
from dlhub_common.errors import InvalidArgument, Unavailable
from dlhub_common.settings import UsageSettings
from dlhub_taskmanager.usage import UsageRecorder, sketch
from dlhub_taskmanager.usage.query import since_day
from dlhub_taskmanager.usage.recorder import COLLECTION, utc_day

# flushed by hand; a fixed salt, so which callers share a register is fixed too
SLOW = UsageSettings(flush_interval_s=3600, salt="unit-test-salt-0123456789")


def test_unique_estimate_is_exact_for_small_counts_and_close_above() -> None:
    salt = b"s" * 32
    for n in (1, 2, 3, 10, 50, 200):
        registers: dict[int, int] = {}
        for i in range(n):
            r, rank = sketch.caller_register(salt, f"user{i}")
            registers[r] = max(registers.get(r, 0), rank)
        # exact for a handful (linear counting), a few percent above
        assert abs(sketch.unique_estimate(registers) - n) <= (0 if n <= 10 else n * 0.05), n
    # the same caller always lands on the same register; another salt elsewhere
    assert sketch.caller_register(salt, "bob") == sketch.caller_register(salt, "bob")
    assert sketch.caller_register(salt, None) != sketch.caller_register(salt, "anonymous")
    others = {sketch.caller_register(bytes([k]) * 32, "bob") for k in range(8)}
    assert len(others) > 1


def test_percentiles_are_within_one_bucket() -> None:
    rng = random.Random(7)
    values = [rng.lognormvariate(0, 1.5) for _ in range(500)]
    buckets: dict[int, int] = {}
    for v in values:
        b = sketch.latency_bucket(v)
        buckets[b] = buckets.get(b, 0) + 1
    ordered = sorted(values)
    for q in (0.5, 0.95):
        true = ordered[math.ceil(q * len(values)) - 1]
        assert true / sketch.GROWTH <= sketch.percentile(buckets, q) <= true * sketch.GROWTH
    assert sketch.percentile({}, 0.5) == 0.0
    assert sketch.latency_bucket(0.0) == 0
    assert sketch.latency_bucket(1e12) == sketch.BUCKETS - 1


def test_since() -> None:
    today = dt.date(2026, 12, 1)
    assert since_day("", today) == "2026-11-02"
    assert since_day("1d", today) == "2026-12-01"
    assert since_day("2w", today) == "2026-11-18"
    assert since_day("2026-01-31", today) == "2026-01-31"
    for bad, problem in [
        ("0d", "1 to 3660"),
        ("4000d", "1 to 3660"),
        ("2026-12-02", "future"),
        ("2026-02-30", "not a valid date"),
        ("last week", "not understood"),
        ("-3d", "not understood"),
    ]:
        with pytest.raises(InvalidArgument, match=problem):
            since_day(bad, today)


async def _store(tmp_path: Path) -> SqliteDocumentStore:
    store = SqliteDocumentStore(SqliteDocumentsConfig(), tmp_path)
    await store.start()
    return store


async def test_a_read_during_a_flush_counts_everything_once(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    usage = UsageRecorder(store, SLOW)
    await usage.start()
    try:
        servables = [{"owner": "alice", "name": f"m{i}", "version": 1} for i in range(5)]
        for s in servables:
            for caller in ("alice", "bob", None):
                usage.ran(s, caller, ok=True, latency_ms=2.0)
        day = utc_day(time.time_ns())
        flushing = asyncio.create_task(usage.flush())
        await asyncio.sleep(0)  # the flush has taken what was gathered and writes it
        for s in reversed(servables):  # read while they are written, the last first
            days = await usage.days("alice", str(s["name"]), [1], day)
            assert days[(1, day)].invocations == 3
        await flushing
        for s in servables:  # written: the same once more, from the store
            days = await usage.days("alice", str(s["name"]), [1], day)
            assert days[(1, day)].invocations == 3
            assert sketch.unique_estimate(days[(1, day)].callers) == 3
    finally:
        await usage.stop()
        await store.stop()


async def test_stop_writes_what_is_gathered_and_failed_writes_are_kept(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    usage = UsageRecorder(store, SLOW, writer="w1")
    await usage.start()
    servable = {"owner": "alice", "name": "digits", "version": 2}
    usage.ran(servable, "alice", ok=False, latency_ms=5.0)
    await store.stop()  # the store goes away: the flush keeps the delta
    await usage.flush()
    with pytest.raises(Unavailable):  # a read says the store is away
        await usage.days("alice", "digits", [2], "2000-01-01")
    await store.start()
    usage.refused(servable, "bob")
    await usage.stop()  # flushes both
    docs = await store.find(COLLECTION, {"owner": "alice", "name": "digits"})
    assert len(docs) == 1
    assert (docs[0]["invocations"], docs[0]["errors"], docs[0]["refused"]) == (2, 2, 1)
    assert docs[0]["writer"] == "w1"
    assert "alice" not in str(docs[0]["callers"])
    assert "bob" not in str(docs[0])
    await store.stop()


async def test_runs_either_side_of_midnight_count_under_their_own_days(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    usage = UsageRecorder(store, SLOW)
    await usage.start()
    try:
        midnight = int(dt.datetime(2026, 12, 2, tzinfo=dt.UTC).timestamp()) * 1_000_000_000
        servable = {"owner": "alice", "name": "digits", "version": 1}
        # out of order, as results of different runs may arrive
        for now in (midnight - 1, midnight, midnight - 2, midnight + 5, midnight - 10**9):
            usage.ran(servable, "bob", ok=True, latency_ms=1.0, now_ns=now)
        days = await usage.days("alice", "digits", [1], "2026-11-01")
        assert {day: c.invocations for (_, day), c in days.items()} == {
            "2026-12-01": 3,
            "2026-12-02": 2,
        }
        # the caller's register is the sketch's, however often it is looked up
        register, rank = sketch.caller_register(usage._salt, "bob")
        assert days[(1, "2026-12-01")].callers == {register: rank}
        assert days[(1, "2026-12-02")].callers == {register: rank}
    finally:
        await usage.stop()
        await store.stop()
