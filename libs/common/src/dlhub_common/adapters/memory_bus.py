"""EventBus inside one process.

Each (topic, consumer group) pair has one FIFO queue, created when the
group's first subscription to the topic starts; it then collects every message
published to the topic, also while no member is connected (like committed
offsets in Kafka). The members of a group take messages from the shared queue,
so each message goes to one member, in publish order (which keeps per-key
order). Deliveries a subscription has not acked when it closes go back to the
front of their queue, in their original order (at-least-once).

Nothing is persisted: a restart of the process loses queued messages.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dlhub_common.adapters import _bus_rules as rules
from dlhub_common.backends import MemoryBusConfig
from dlhub_common.errors import FailedPrecondition, Unavailable
from dlhub_common.observability.bus_metrics import CONSUMER_LAG
from dlhub_common.ports.bus import Delivery, EventBus, Subscription


@dataclass(frozen=True)
class _Message:
    topic: str
    value: bytes
    key: str | None
    headers: Mapping[str, bytes] = field(default_factory=dict)


class _GroupQueue:
    """The messages of one topic not yet taken by one consumer group."""

    def __init__(self) -> None:
        self.items: deque[_Message] = deque()
        self.members: set[_MemorySubscription] = set()

    def push(self, message: _Message) -> None:
        self.items.append(message)
        self._wake()

    def push_front(self, messages: Sequence[_Message]) -> None:
        self.items.extendleft(reversed(messages))
        self._wake()

    def _wake(self) -> None:
        for member in self.members:
            member.wakeup.set()


class MemoryEventBus(EventBus):
    """In-process bus; ``config.max_message_bytes`` (None: no limit) bounds a message."""

    outlives_process = False

    def __init__(self, config: MemoryBusConfig, data_dir: Path) -> None:
        self.max_message_bytes = config.max_message_bytes
        self._queues: dict[str, dict[str, _GroupQueue]] = {}  # topic -> group -> queue
        self._subscriptions: set[_MemorySubscription] = set()
        self._running = False

    async def start(self) -> None:
        self._running = True
        CONSUMER_LAG.track(self)

    def lag(self) -> dict[tuple[str, str], int]:
        """Messages not yet acked, per (topic, group): queued plus delivered and unacked."""
        lag: dict[tuple[str, str], int] = {}
        for topic, groups in list(self._queues.items()):
            for group, queue in list(groups.items()):
                lag[(topic, group)] = len(queue.items)
        for subscription in list(self._subscriptions):
            for _, message in list(subscription._unacked.values()):
                key = (message.topic, subscription.group)
                lag[key] = lag.get(key, 0) + 1
        return lag

    async def stop(self) -> None:
        """Close every subscription (their iterations end); queued messages are kept."""
        self._running = False
        CONSUMER_LAG.untrack(self)
        for subscription in list(self._subscriptions):
            await subscription.close()

    async def ping(self) -> None:
        self._check_running()

    async def publish(
        self,
        topic: str,
        value: bytes,
        *,
        key: str | None = None,
        headers: Mapping[str, bytes] | None = None,
    ) -> None:
        self._check_running()
        rules.check_topic(topic)
        value = rules.message_bytes(value, self.max_message_bytes)
        message = _Message(topic, value, key, dict(headers or {}))
        for queue in self._queues.get(topic, {}).values():
            queue.push(message)

    async def ensure_group(self, topics: Sequence[str], group: str) -> None:
        self._check_running()
        rules.check_ensure_group(topics, group)
        for topic in topics:
            self._queues.setdefault(topic, {}).setdefault(group, _GroupQueue())

    def subscribe(self, topics: Sequence[str], group: str) -> Subscription:
        rules.check_subscribe_topics(topics)
        rules.check_group(group)
        return _MemorySubscription(self, tuple(dict.fromkeys(topics)), group)

    def _check_running(self) -> None:
        if not self._running:
            raise Unavailable("the in-process event bus is not started")

    def _join(self, subscription: _MemorySubscription) -> list[_GroupQueue]:
        self._check_running()
        queues = []
        for topic in subscription.topics:
            queue = self._queues.setdefault(topic, {}).setdefault(subscription.group, _GroupQueue())
            queue.members.add(subscription)
            queues.append(queue)
        self._subscriptions.add(subscription)
        return queues

    def _leave(self, subscription: _MemorySubscription) -> None:
        self._subscriptions.discard(subscription)
        for groups in self._queues.values():
            queue = groups.get(subscription.group)
            if queue is not None:
                queue.members.discard(subscription)


class _MemorySubscription(Subscription):
    def __init__(self, bus: MemoryEventBus, topics: tuple[str, ...], group: str) -> None:
        self.topics = topics
        self.group = group
        self.wakeup = asyncio.Event()
        self._bus = bus
        self._queues: list[_GroupQueue] = []
        self._started = False
        self._closed = False
        self._tags = itertools.count()
        self._unacked: dict[int, tuple[_GroupQueue, _Message]] = {}  # in delivery order
        self._next_queue = 0  # round-robin over topics so none starves

    async def start(self) -> None:
        if self._closed:
            raise FailedPrecondition("a closed subscription cannot be started again")
        if not self._started:
            self._queues = self._bus._join(self)
            self._started = True

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._bus._leave(self)
        returned: dict[_GroupQueue, list[_Message]] = {}
        for queue, message in self._unacked.values():
            returned.setdefault(queue, []).append(message)
        self._unacked.clear()
        for queue, messages in returned.items():
            queue.push_front(messages)
        self.wakeup.set()

    async def __aiter__(self) -> AsyncIterator[Delivery]:
        if not self._started:
            raise FailedPrecondition("start the subscription (or use 'async with') first")
        while not self._closed:
            delivery = self._take()
            if delivery is not None:
                yield delivery
                continue
            self.wakeup.clear()
            await self.wakeup.wait()

    def _take(self) -> Delivery | None:
        count = len(self._queues)
        for i in range(count):
            queue = self._queues[(self._next_queue + i) % count]
            if queue.items:
                self._next_queue = (self._next_queue + i + 1) % count
                return self._deliver(queue, queue.items.popleft())
        return None

    def _deliver(self, queue: _GroupQueue, message: _Message) -> Delivery:
        tag = next(self._tags)
        self._unacked[tag] = (queue, message)

        async def ack() -> None:
            self._unacked.pop(tag, None)

        return Delivery(
            topic=message.topic,
            value=message.value,
            key=message.key,
            headers=dict(message.headers),
            _ack=ack,
        )
