"""EventBus contract: every adapter in EVENT_BUSES must pass.

Topic and group names are unique per test, so a networked bus shared by many
tests sees no leftovers. Waits are bounded by TIMEOUT; "nothing more arrives"
is checked over QUIET seconds.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict

import pytest

from dlhub_common.errors import ResourceExhausted
from dlhub_common.ports import Delivery, EventBus, Subscription

pytestmark = pytest.mark.contract

TIMEOUT = 30.0  # generous: a loaded 2-core CI machine can be slow to rebalance
QUIET = 0.3


@pytest.fixture
def topic() -> str:
    return f"topic-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def group() -> str:
    return f"group-{uuid.uuid4().hex[:12]}"


async def receive(sub: Subscription, n: int, *, ack: bool = True) -> list[Delivery]:
    """The next ``n`` deliveries, acked unless told otherwise."""
    got: list[Delivery] = []
    if n == 0:
        return got
    async with asyncio.timeout(TIMEOUT):
        async for delivery in sub:
            got.append(delivery)
            if ack:
                await delivery.ack()
            if len(got) == n:
                break
    return got


async def assert_nothing_more(sub: Subscription) -> None:
    iterator = aiter(sub)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(iterator), QUIET)


def values(deliveries: list[Delivery]) -> list[bytes]:
    return [d.value for d in deliveries]


async def test_ping(bus: EventBus) -> None:
    await bus.ping()


async def test_delivery_carries_topic_key_and_headers(
    bus: EventBus, topic: str, group: str
) -> None:
    async with bus.subscribe([topic], group) as sub:
        await bus.publish(topic, b"payload", key="servable-1", headers={"trace": b"abc"})
        await bus.publish(topic, b"no key")
        # Different keys may land on different partitions: no order between them.
        got = sorted(await receive(sub, 2), key=lambda d: d.value, reverse=True)
        first, second = got
    assert (first.topic, first.value, first.key) == (topic, b"payload", "servable-1")
    assert first.headers == {"trace": b"abc"}
    assert (second.value, second.key, second.headers) == (b"no key", None, {})


async def test_every_group_gets_every_message(bus: EventBus, topic: str, group: str) -> None:
    async with (
        bus.subscribe([topic], f"{group}-a") as a,
        bus.subscribe([topic], f"{group}-b") as b,
    ):
        sent = [f"m{i}".encode() for i in range(5)]
        for value in sent:
            await bus.publish(topic, value, key="k")
        assert values(await receive(a, 5)) == sent
        assert values(await receive(b, 5)) == sent
        await assert_nothing_more(a)


async def test_group_gets_messages_published_after_it_started(
    bus: EventBus, topic: str, group: str
) -> None:
    await bus.publish(topic, b"before")
    async with bus.subscribe([topic], group) as sub:
        await bus.publish(topic, b"after")
        assert values(await receive(sub, 1)) == [b"after"]
        await assert_nothing_more(sub)


async def test_each_message_goes_to_one_member_of_a_group(
    bus: EventBus, topic: str, group: str
) -> None:
    sent = {f"m{i}".encode() for i in range(20)}
    seen: dict[str, list[bytes]] = defaultdict(list)
    all_seen = asyncio.Event()

    async def consume(name: str, sub: Subscription) -> None:
        async for delivery in sub:
            seen[name].append(delivery.value)
            await delivery.ack()
            if len(seen["a"]) + len(seen["b"]) >= len(sent):
                all_seen.set()

    async with bus.subscribe([topic], group) as a, bus.subscribe([topic], group) as b:
        tasks = [asyncio.create_task(consume("a", a)), asyncio.create_task(consume("b", b))]
        try:
            for i, value in enumerate(sorted(sent)):
                await bus.publish(topic, value, key=f"key-{i}")
            await asyncio.wait_for(all_seen.wait(), TIMEOUT)
            await asyncio.sleep(QUIET)  # duplicates, if any, would arrive now
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    received = seen["a"] + seen["b"]
    assert sorted(received) == sorted(sent)  # every message once, none twice


async def test_unacked_messages_are_redelivered_to_the_group(
    bus: EventBus, topic: str, group: str
) -> None:
    first = bus.subscribe([topic], group)
    await first.start()
    for value in (b"m1", b"m2", b"m3"):
        await bus.publish(topic, value, key="k")
    m1, _m2, m3 = await receive(first, 3, ack=False)
    await m1.ack()
    await m3.ack()
    await first.close()
    await first.close()  # idempotent

    await bus.publish(topic, b"m4", key="k")  # while the group has no member
    async with bus.subscribe([topic], group) as second:
        assert values(await receive(second, 2)) == [b"m2", b"m4"]
        await assert_nothing_more(second)


async def test_acked_messages_are_not_redelivered(bus: EventBus, topic: str, group: str) -> None:
    async with bus.subscribe([topic], group) as first:
        await bus.publish(topic, b"done")
        await receive(first, 1)
    async with bus.subscribe([topic], group) as second:
        await assert_nothing_more(second)


async def test_order_is_kept_per_key(bus: EventBus, topic: str, group: str) -> None:
    keys = ["servable-a", "servable-b", "servable-c"]
    async with bus.subscribe([topic], group) as sub:
        for i in range(30):
            await bus.publish(topic, str(i).encode(), key=keys[i % 3])
        by_key: dict[str | None, list[int]] = defaultdict(list)
        for delivery in await receive(sub, 30):
            by_key[delivery.key].append(int(delivery.value))
    assert by_key == {key: list(range(k, 30, 3)) for k, key in enumerate(keys)}


async def test_subscription_to_several_topics(bus: EventBus, topic: str, group: str) -> None:
    other = f"{topic}-other"
    async with bus.subscribe([topic, other], group) as sub:
        await bus.publish(topic, b"one")
        await bus.publish(other, b"two")
        got = await receive(sub, 2)
    assert sorted((d.topic, d.value) for d in got) == [(topic, b"one"), (other, b"two")]


async def test_oversize_message_is_rejected(
    bus: EventBus, topic: str, group: str, bus_max_message_bytes: int
) -> None:
    async with bus.subscribe([topic], group) as sub:
        with pytest.raises(ResourceExhausted) as info:
            await bus.publish(topic, b"x" * (bus_max_message_bytes + 1))
        assert str(bus_max_message_bytes) in info.value.message

        largest = bytes(range(256)) * (bus_max_message_bytes // 256)
        await bus.publish(topic, largest)
        assert values(await receive(sub, 1)) == [largest]
        await assert_nothing_more(sub)


async def test_close_ends_iteration(bus: EventBus, topic: str, group: str) -> None:
    sub = bus.subscribe([topic], group)
    await sub.start()
    received: list[bytes] = []
    got_one = asyncio.Event()

    async def consume() -> None:
        async for delivery in sub:
            received.append(delivery.value)
            await delivery.ack()
            got_one.set()

    task = asyncio.create_task(consume())
    await bus.publish(topic, b"one")
    await asyncio.wait_for(got_one.wait(), TIMEOUT)
    await sub.close()
    await asyncio.wait_for(task, TIMEOUT)  # ends without error
    assert received == [b"one"]


async def test_ensured_group_keeps_messages_published_before_its_first_member(
    bus: EventBus, topic: str, group: str
) -> None:
    await bus.publish(topic, b"before the group existed")
    await bus.ensure_group([topic], group)
    await bus.ensure_group([topic], group)  # idempotent
    sent = [f"queued-{i}".encode() for i in range(3)]
    for value in sent:
        await bus.publish(topic, value, key="k")
    async with bus.subscribe([topic], group) as sub:
        assert values(await receive(sub, 3)) == sent
        await assert_nothing_more(sub)


async def test_ensure_group_keeps_an_existing_position(
    bus: EventBus, topic: str, group: str
) -> None:
    async with bus.subscribe([topic], group) as sub:
        await bus.publish(topic, b"one", key="k")
        assert values(await receive(sub, 1, ack=True)) == [b"one"]
    await bus.publish(topic, b"two", key="k")
    await bus.ensure_group([topic], group)  # must not skip "two"
    async with bus.subscribe([topic], group) as sub:
        assert values(await receive(sub, 1)) == [b"two"]
        await assert_nothing_more(sub)
