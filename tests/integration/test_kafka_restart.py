"""The Kafka event bus across a broker restart.

A dedicated broker (not the shared stack one) is stopped while a subscription
holds unacked deliveries and while messages are being published; it comes back
on the same data directory and ports. Every message whose publish returned
must then reach the consumer group (at least once), the unacked ones included,
and none that was acked before the restart comes again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.local.common import CACHE, Server
from deploy.local.engines import kafka
from dlhub_common.backends import KafkaBusConfig, create_event_bus
from dlhub_common.ports import Delivery, Subscription

TOPIC = "dlhub.tasks"
GROUP = "executors"
TIMEOUT = 30.0
QUIET = 1.0


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[dict[str, Server]]:
    kafka.obtain(CACHE)
    servers = {"kafka": kafka.start(tmp_path / "kafka", CACHE)}
    try:
        yield servers  # the test replaces the entry when it restarts the broker
    finally:
        servers["kafka"].stop()


async def take(sub: Subscription, wanted: set[bytes], seen: list[bytes]) -> None:
    """Ack deliveries into ``seen`` until every value in ``wanted`` came."""
    if wanted <= set(seen):
        return
    async with asyncio.timeout(TIMEOUT):
        async for delivery in sub:
            seen.append(delivery.value)
            await delivery.ack()
            if wanted <= set(seen):
                return


async def quiet(sub: Subscription) -> list[bytes]:
    """Whatever else arrives within QUIET seconds."""
    extra: list[bytes] = []
    iterator = aiter(sub)
    while True:
        try:
            delivery: Delivery = await asyncio.wait_for(anext(iterator), QUIET)
        except TimeoutError:
            return extra
        extra.append(delivery.value)
        await delivery.ack()


async def test_accepted_messages_survive_a_broker_restart(
    tmp_path: Path, broker: dict[str, Server]
) -> None:
    server = broker["kafka"]
    config = KafkaBusConfig(
        bootstrap_servers=server.info["bootstrap_servers"],
        topic_prefix="restart-",
        num_partitions=3,
        request_timeout_ms=60000,  # publish keeps retrying while the broker is away
    )
    bus = create_event_bus(config, tmp_path, 1 << 20)
    await bus.start()
    try:
        sub = bus.subscribe([TOPIC], GROUP)
        await sub.start()
        before = [f"before-{i}".encode() for i in range(6)]
        for i, value in enumerate(before):
            await bus.publish(TOPIC, value, key=f"servable-{i % 3}")
        held: dict[bytes, Delivery] = {}
        async with asyncio.timeout(TIMEOUT):
            async for delivery in sub:
                held[delivery.value] = delivery
                if len(held) == len(before):
                    break
        acked, unacked = before[:3], before[3:]  # per key, the acked ones come first
        for value in acked:
            await held[value].ack()

        server.stop()
        during = [f"during-{i}".encode() for i in range(3)]
        publishing = asyncio.gather(
            *(bus.publish(TOPIC, v, key=f"servable-{i}") for i, v in enumerate(during))
        )
        await asyncio.sleep(2.0)
        assert not publishing.done(), "publish returned while the broker was down"

        t0 = time.monotonic()
        server = await asyncio.to_thread(kafka.start, server.workdir, CACHE, server.ports)
        broker["kafka"] = server
        print(f"\n[kafka] restarted in {time.monotonic() - t0:.1f}s")
        await asyncio.wait_for(publishing, TIMEOUT)  # every publish was accepted

        # The surviving subscription reconnects and gets what was published meanwhile.
        seen: list[bytes] = []
        await take(sub, set(during), seen)
        seen += await quiet(sub)
        await sub.close()  # what it still holds unacked goes back to the group
        first_count = len(seen)

        async with bus.subscribe([TOPIC], GROUP) as second:
            remaining = set(unacked) | set(during)
            await take(second, remaining - set(seen), seen)
            seen += await quiet(second)
        print(f"[kafka] after the restart: {seen[:first_count]} then {seen[first_count:]}")
        assert set(seen) == set(unacked) | set(during)  # nothing lost...
        assert not set(seen) & set(acked)  # ...and what was acked stays done
    finally:
        await bus.stop()
