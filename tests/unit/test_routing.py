"""Task routing from executor announcements, on the in-process bus.

The Router (task manager) sends a servable's tasks to its pinned topic while
a pinned executor is live (announced within EXECUTOR_LIVE_S, not stopping),
else to dlhub.tasks; keys are task ids. The Announcer and ``subscriptions``
(executor) are the other side of the same contract.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.adapters.memory_bus import MemoryEventBus
from dlhub_common.backends import MemoryBusConfig
from dlhub_common.errors import InvalidArgument
from dlhub_common.names import Ref
from dlhub_common.topics import (
    EXECUTOR_LIVE_S,
    EXECUTORS,
    EXECUTORS_GROUP,
    TASKS,
    pinned_group,
    pinned_topic,
)
from dlhub_executor.pinning import Announcer, parse_servables, subscriptions
from dlhub_taskmanager.routing import Router

pytestmark = pytest.mark.timeout(10)

A = Ref("alice", "model-a")
B = Ref("bob", "model-b")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def bus(tmp_path: Path) -> AsyncIterator[MemoryEventBus]:
    b = MemoryEventBus(MemoryBusConfig(), tmp_path)
    await b.start()
    yield b
    await b.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def router(bus: MemoryEventBus, clock: FakeClock) -> AsyncIterator[Router]:
    r = Router(bus, "tm1", clock=clock)
    await r.start()
    yield r
    await r.stop()


async def announce(
    bus: MemoryEventBus,
    executor_id: str,
    servables: list[str],
    *,
    stopping: bool = False,
    unix_ns: int | None = None,
) -> None:
    message = bus_pb2.ExecutorAnnouncement(
        executor_id=executor_id,
        servables=servables,
        unix_ns=time.time_ns() if unix_ns is None else unix_ns,
        stopping=stopping,
    )
    await bus.publish(EXECUTORS, message.SerializeToString(), key=executor_id)


async def test_no_pinned_executor_routes_to_shared_topic_keyed_by_task(router: Router) -> None:
    assert await router.route(A, "t1") == (TASKS, "t1")
    assert await router.route(A, "t2") == (TASKS, "t2")


async def test_live_pinned_executor_gets_its_servable_only(
    bus: MemoryEventBus, router: Router
) -> None:
    await announce(bus, "ex-1", ["alice/model-a"])
    await router.wait_observed(1)
    assert router.pinned("alice/model-a") == ["ex-1"]
    assert await router.route(A, "t1") == (pinned_topic("alice", "model-a"), "t1")
    assert await router.route(B, "t2") == (TASKS, "t2")  # nobody is pinned to B


async def test_pinned_topic_group_exists_before_the_first_task(
    bus: MemoryEventBus, router: Router
) -> None:
    """A task routed to a pinned topic waits there even if no executor ever joined."""
    await announce(bus, "ex-1", ["alice/model-a"])
    await router.wait_observed(1)
    topic, key = await router.route(A, "t1")
    await bus.publish(topic, b"work", key=key)
    sub = bus.subscribe([topic], pinned_group("alice", "model-a"))
    await sub.start()
    async for delivery in sub:
        assert (delivery.value, delivery.key) == (b"work", "t1")
        break
    await sub.close()


async def test_announcement_expires_after_three_intervals(
    bus: MemoryEventBus, router: Router, clock: FakeClock
) -> None:
    await announce(bus, "ex-1", ["alice/model-a"])
    await router.wait_observed(1)
    clock.now += EXECUTOR_LIVE_S - 0.1
    assert (await router.route(A, "t1"))[0] == pinned_topic("alice", "model-a")
    clock.now += 0.2  # no announcement for EXECUTOR_LIVE_S: presumed dead
    assert await router.route(A, "t2") == (TASKS, "t2")
    assert router.pinned("alice/model-a") == []


async def test_a_fresh_announcement_extends_liveness(
    bus: MemoryEventBus, router: Router, clock: FakeClock
) -> None:
    await announce(bus, "ex-1", ["alice/model-a"])
    await router.wait_observed(1)
    clock.now += EXECUTOR_LIVE_S - 1
    await announce(bus, "ex-1", ["alice/model-a"])
    await router.wait_observed(2)
    clock.now += EXECUTOR_LIVE_S - 1  # past the first announcement's window, not the second's
    assert router.pinned("alice/model-a") == ["ex-1"]


async def test_stopping_executor_is_dropped_at_once(bus: MemoryEventBus, router: Router) -> None:
    await announce(bus, "ex-1", ["alice/model-a"])
    await announce(bus, "ex-2", ["alice/model-a"])
    await router.wait_observed(2)
    assert router.pinned("alice/model-a") == ["ex-1", "ex-2"]
    await announce(bus, "ex-1", ["alice/model-a"], stopping=True)
    await router.wait_observed(3)
    assert router.pinned("alice/model-a") == ["ex-2"]  # one replica left: still pinned
    assert (await router.route(A, "t"))[0] == pinned_topic("alice", "model-a")
    await announce(bus, "ex-2", ["alice/model-a"], stopping=True)
    await router.wait_observed(4)
    assert await router.route(A, "t") == (TASKS, "t")


async def test_old_and_malformed_announcements_are_ignored(
    bus: MemoryEventBus, router: Router
) -> None:
    stale = time.time_ns() - int((EXECUTOR_LIVE_S + 5) * 1e9)
    await announce(bus, "ex-old", ["alice/model-a"], unix_ns=stale)
    await announce(bus, "", ["alice/model-a"])  # no executor id
    await announce(bus, "ex-bad", ["not-a-servable", "a/b/c"])
    await bus.publish(EXECUTORS, b"\xff\xfe not protobuf", key="x")
    await router.wait_observed(4)
    assert router.pinned("alice/model-a") == []
    assert await router.route(A, "t") == (TASKS, "t")


async def test_unpinned_executor_announcements_pin_nothing(
    bus: MemoryEventBus, router: Router
) -> None:
    await announce(bus, "ex-free", [])
    await router.wait_observed(1)
    assert await router.route(A, "t") == (TASKS, "t")


async def test_announcer_start_period_and_stop(bus: MemoryEventBus, router: Router) -> None:
    announcer = Announcer(bus, "ex-9", ["alice/model-a", "alice/model-a"], interval_s=0.05)
    await announcer.start()
    await router.wait_observed(3)  # the one at start and two periodic ones
    assert router.pinned("alice/model-a") == ["ex-9"]
    seen = router._observed
    await announcer.stop()
    await router.wait_observed(seen + 1)
    assert router.pinned("alice/model-a") == []
    await announcer.stop()  # idempotent


def test_subscriptions_of_pinned_and_unpinned_executors() -> None:
    assert subscriptions([]) == [([TASKS], EXECUTORS_GROUP)]
    assert subscriptions(["alice/model-a", "bob/model-b"]) == [
        ([pinned_topic("alice", "model-a")], pinned_group("alice", "model-a")),
        ([pinned_topic("bob", "model-b")], pinned_group("bob", "model-b")),
    ]
    assert pinned_topic("alice", "model-a") == "dlhub.tasks.alice.model-a"
    assert pinned_group("alice", "model-a") == "executors.alice.model-a"


@pytest.mark.parametrize("bad", ["alice", "alice/", "/model", "Alice/Model", "a/b/c", "a/b.c"])
def test_bad_pinned_servable_is_refused_naming_it(bad: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        parse_servables(["ok/fine", bad])
    assert "executor_options.servables" in info.value.message
    assert repr(bad) in info.value.message
