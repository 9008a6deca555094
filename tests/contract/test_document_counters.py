"""DocumentStore.accumulate contract (every adapter in DOCUMENT_STORES), and the
usage statistics built on it with two task-manager replicas writing at once.

On MongoDB/FerretDB the concurrent writes go through the client's connection
pool, so the server really applies them side by side; nothing may be lost.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from dlhub_common.errors import InvalidArgument
from dlhub_common.ports import DocumentStore
from dlhub_common.settings import UsageSettings
from dlhub_taskmanager.usage import UsageRecorder, sketch
from dlhub_taskmanager.usage.recorder import utc_day

pytestmark = pytest.mark.contract

WRITERS = 2
WRITES = 25


async def test_accumulate_creates_then_adds_and_raises(documents: DocumentStore) -> None:
    await documents.accumulate(
        "counters", "c1", fixed={"who": "a"}, add={"n": 2, "h.b3": 1}, maximum={"last": 5}
    )
    await documents.accumulate(
        "counters", "c1", fixed={"who": "b"}, add={"n": 1.5, "h.b4": 2}, maximum={"last": 3}
    )
    await documents.accumulate("counters", "c1", add={"h.b3": 1}, maximum={"last": 9, "m.r1": 4})
    assert await documents.get("counters", "c1") == {
        "who": "a",  # fixed fields are written only when the document is made
        "n": 3.5,
        "h": {"b3": 2, "b4": 2},
        "last": 9,
        "m": {"r1": 4},
    }
    assert await documents.find("counters", {"who": "a"}) == [await documents.get("counters", "c1")]


async def test_accumulate_concurrent_writers_lose_nothing(documents: DocumentStore) -> None:
    async def writer(w: int) -> None:
        await asyncio.gather(
            *(
                documents.accumulate(
                    "counters",
                    "shared",
                    fixed={"kind": "shared"},
                    add={"n": 1, f"h.b{i % 3}": 1},
                    maximum={"top": w * 1000 + i, f"r.r{i % 4}": i},
                )
                for i in range(WRITES)
            )
        )

    await asyncio.gather(*(writer(w) for w in range(WRITERS)))
    doc = await documents.get("counters", "shared")
    assert doc is not None
    assert doc["n"] == WRITERS * WRITES
    assert sum(doc["h"].values()) == WRITERS * WRITES
    assert doc["top"] == (WRITERS - 1) * 1000 + WRITES - 1
    assert doc["r"] == {f"r{k}": max(i for i in range(WRITES) if i % 4 == k) for k in range(4)}
    assert doc["kind"] == "shared"


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({}, "at least one field"),
        ({"add": {"n": True}}, "needs a number"),
        ({"add": {"n": "1"}}, "needs a number"),
        ({"add": {"n": 1}, "maximum": {"n": 2}}, "more than once"),
        ({"add": {"h": 1, "h.b1": 1}}, "more than once"),
        ({"add": {"h.b1": 1}, "fixed": {"h": {}}}, "more than once"),
        ({"add": {"a b": 1}}, "field name"),
        ({"add": {"n": 1}, "fixed": {"x.y": 1}}, "plain top-level name"),
    ],
)
async def test_accumulate_refuses_bad_arguments(
    documents: DocumentStore, kwargs: dict[str, object], problem: str
) -> None:
    with pytest.raises(InvalidArgument, match=problem):
        await documents.accumulate("counters", "bad", **kwargs)  # type: ignore[arg-type]
    assert await documents.get("counters", "bad") is None


async def test_accumulate_on_a_stored_non_number_is_invalid(documents: DocumentStore) -> None:
    await documents.put("counters", "text", {"n": "many"})
    with pytest.raises(InvalidArgument, match="not a number"):
        await documents.accumulate("counters", "text", add={"n": 1})
    assert await documents.get("counters", "text") == {"n": "many"}


async def test_usage_of_two_replicas_recording_at_once_adds_up(documents: DocumentStore) -> None:
    # flushed by hand below; the salt each replica reads is made by the first one
    settings = UsageSettings(flush_interval_s=3600)
    replicas = [UsageRecorder(documents, settings) for _ in range(WRITERS)]
    await asyncio.gather(*(r.start() for r in replicas))  # both race to make the salt
    servable = {"owner": "alice", "name": "digits", "version": 1}
    now = time.time_ns()
    for i, replica in enumerate(replicas):
        for k in range(WRITES):
            caller = None if k % 5 == 0 else f"user{(k + i) % 7}"  # shared by the replicas
            replica.ran(servable, caller, ok=k % 10 != 0, latency_ms=1.0 + k, now_ns=now)
        replica.refused(servable, "user0")
    await asyncio.gather(*(r.flush() for r in replicas))
    await asyncio.gather(*(r.stop() for r in replicas))

    reader = UsageRecorder(documents, settings)
    await reader.start()
    try:
        days = await reader.days("alice", "digits", [1], utc_day(now))
    finally:
        await reader.stop()
    counts = days[(1, utc_day(now))]
    assert counts.invocations == WRITERS * (WRITES + 1)
    assert counts.errors == WRITERS * (1 + len(range(0, WRITES, 10)))
    assert counts.refused == WRITERS
    assert sum(counts.latency.values()) == WRITERS * WRITES
    assert now // 1_000_000 <= counts.last_used_ms <= time.time_ns() // 1_000_000
    # both replicas keyed the sketch with the one salt in the store: the registers
    # are exactly those of user0..user6 and the anonymous key, merged across replicas
    assert replicas[0]._salt == replicas[1]._salt == reader._salt
    expected: dict[int, int] = {}
    for caller in [None, *(f"user{u}" for u in range(7))]:
        register, rank = sketch.caller_register(reader._salt, caller)
        expected[register] = max(expected.get(register, 0), rank)
    assert counts.callers == expected
    assert abs(sketch.unique_estimate(counts.callers) - 8) <= 1
