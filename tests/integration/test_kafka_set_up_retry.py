"""A Kafka subscription whose partition set-up fails after a rebalance.

The set-up of assigned partitions (reading the group's committed offsets,
committing a new group's start positions) can fail transiently, e.g. while the
group coordinator moves. The subscription must then hand nothing out of those
partitions until a retry has set them up: reading from aiokafka's own reset
position would hand a group new to the topic what was published before it
started, and skipping records would lose them.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from aiokafka.errors import KafkaConnectionError  # type: ignore[import-untyped]

from dlhub_common.adapters._kafka_subscription import _KafkaSubscription
from dlhub_common.ports import Subscription
from tests.contract.real_adapters import make_kafka_bus

TIMEOUT = 30.0


async def _drain(sub: Subscription, into: list[bytes], stop: asyncio.Event) -> None:
    async for delivery in sub:
        into.append(delivery.value)
        await delivery.ack()
        if stop.is_set():
            return


async def test_a_failed_set_up_is_retried_and_hands_out_nothing_early(
    tmp_path: Path, stack: Any
) -> None:
    bus = make_kafka_bus(tmp_path, stack.require("kafka"))
    await bus.start()
    topic, group = f"topic-{uuid.uuid4().hex[:8]}", f"group-{uuid.uuid4().hex[:8]}"
    try:
        await bus.publish(topic, b"before", key="k0")
        first = bus.subscribe([topic], group)
        assert isinstance(first, _KafkaSubscription)
        await first.start()
        # The next set-up of this member fails twice (as while the coordinator moves).
        real_committed = first._committed
        failures = 2

        async def flaky_committed(partitions: list[Any]) -> dict[Any, Any]:
            nonlocal failures
            if failures:
                failures -= 1
                raise KafkaConnectionError("coordinator moving (injected)")
            return await real_committed(partitions)

        first._committed = flaky_committed  # type: ignore[method-assign]
        sent = [f"m{i}".encode() for i in range(12)]
        seen: list[bytes] = []
        done = asyncio.Event()
        async with bus.subscribe([topic], group) as second:  # a rebalance follows
            readers = [
                asyncio.create_task(_drain(first, seen, done)),
                asyncio.create_task(_drain(second, seen, done)),
            ]
            try:
                for i, value in enumerate(sent):
                    await bus.publish(topic, value, key=f"k{i}")
                async with asyncio.timeout(TIMEOUT):
                    while sorted(seen) != sorted(sent):
                        assert b"before" not in seen
                        assert len(seen) <= len(sent), seen
                        await asyncio.sleep(0.1)
                await asyncio.sleep(1.0)  # anything more (a duplicate) would come now
            finally:
                done.set()
                for task in readers:
                    task.cancel()
                await asyncio.gather(*readers, return_exceptions=True)
        assert failures == 0, "the injected set-up failure never happened"
        assert sorted(seen) == sorted(sent)  # each once; nothing from before the start
        await first.close()
    finally:
        await bus.stop()
