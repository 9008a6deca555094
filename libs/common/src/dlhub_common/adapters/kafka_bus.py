"""EventBus on Apache Kafka (aiokafka).

Names:
    Topic ``T`` is the Kafka topic ``topic_prefix + T`` (so DLHub's
    ``dlhub.tasks``, ``dlhub.results`` and ``dlhub.servables`` become e.g.
    ``prod-dlhub.tasks`` with prefix ``"prod-"``) and consumer group ``G`` is the
    Kafka group ``topic_prefix + G``: one prefix isolates one deployment on a
    shared cluster. Full names must match ``[a-zA-Z0-9._-]{1,249}``.

Topics:
    Created on first publish or subscribe with ``num_partitions`` and
    ``replication_factor``, and topic config ``max.message.bytes`` large enough
    for ``max_message_bytes``; an existing topic is used as it is. A message's
    partition is chosen from its key (the servable id for task topics) by
    Kafka's default murmur2 partitioner, so messages with one key keep their
    order; messages without a key are spread at random.

Publishing:
    One idempotent producer (``acks=all``, no compression). ``publish`` returns
    once the broker acknowledged the write. A value over ``max_message_bytes`` is
    refused before anything is sent. While the broker is unreachable the
    producer keeps retrying for ``request_timeout_ms``; then ``publish`` raises
    :class:`Unavailable`. Such a message may still be written if the broker
    comes back while the producer is open: a caller that retries may publish it
    twice (at-least-once, like every redelivery here).

Consuming and acknowledgement:
    Each subscription is one Kafka consumer in the group, with auto-commit off.
    Offsets are committed only by :meth:`Delivery.ack`. Kafka keeps one committed
    offset per partition, so a subscription commits, per partition, the offset
    of its *lowest unacked* delivery (everything below is done); deliveries it
    acked above that point are listed in the commit's metadata string. A member
    that takes the partition over (after ``close``, a crash or a rebalance)
    resumes at the committed offset and skips the offsets listed in the
    metadata, so unacked messages come again and acked ones do not. If the list
    does not fit the broker's metadata limit its tail is left out; those
    messages may then be delivered twice (at-least-once still holds).

    A group that has no committed offset on a topic yet starts at the end of
    the topic when its first subscription starts (it receives what is published
    after ``start`` returns, as the port says), and that starting point is
    committed at once, so messages published while the group has no member are
    kept for it. ``start`` returns only after the group has assigned partitions
    to the new member. A partition added later to a known topic, or an offset
    that retention has removed, is read from its earliest message.

    Deliveries still unacked when their partition moves to another member
    (rebalance) are redelivered there; their late ``ack`` is ignored.

Failures:
    aiokafka reconnects by itself; the iterator logs transient errors and keeps
    going. Error messages name the bootstrap address, never credentials.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aiokafka import (  # type: ignore[import-untyped]
    AIOKafkaConsumer,
    AIOKafkaProducer,
    OffsetAndMetadata,
    TopicPartition,
)
from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # type: ignore[import-untyped]
from aiokafka.errors import (  # type: ignore[import-untyped]
    CommitFailedError,
    KafkaError,
    MessageSizeTooLargeError,
    TopicAlreadyExistsError,
)

from dlhub_common.adapters import _bus_rules as rules
from dlhub_common.adapters._kafka_offsets import _ACKED_PREFIX as _ACKED_PREFIX
from dlhub_common.adapters._kafka_offsets import _METADATA_MAX_CHARS as _METADATA_MAX_CHARS
from dlhub_common.adapters._kafka_offsets import _Partition as _Partition
from dlhub_common.adapters._kafka_offsets import decode_acked as decode_acked
from dlhub_common.adapters._kafka_offsets import encode_acked as encode_acked
from dlhub_common.adapters._kafka_subscription import _HEARTBEAT_MS as _HEARTBEAT_MS
from dlhub_common.adapters._kafka_subscription import _SESSION_TIMEOUT_MS as _SESSION_TIMEOUT_MS
from dlhub_common.adapters._kafka_subscription import _KafkaSubscription
from dlhub_common.adapters._kafka_subscription import _Listener as _Listener
from dlhub_common.adapters._kafka_support import _HEADROOM, _RETRY_S, _quietly, _transient
from dlhub_common.backends import KafkaBusConfig
from dlhub_common.errors import (
    InternalError,
    InvalidArgument,
    ResourceExhausted,
    Unavailable,
)
from dlhub_common.ports.bus import EventBus, Subscription
from dlhub_common.retry import retrying

log = logging.getLogger(__name__)

_TOPIC_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,249}\Z")
_DEFAULT_LIMIT = 64 * 1024 * 1024
_PING_TIMEOUT_S = 10.0


class KafkaEventBus(EventBus):
    """Event bus on a Kafka cluster; see the module docstring for the semantics."""

    def __init__(self, config: KafkaBusConfig, data_dir: Path) -> None:
        self.config = config
        self.max_message_bytes = config.max_message_bytes or _DEFAULT_LIMIT
        self._bootstrap = config.bootstrap_servers
        self._timeout_s = config.request_timeout_ms / 1000
        self._producer: Any = None
        self._admin: Any = None
        self._topics: set[str] = set()  # full names known to exist
        self._topic_lock = asyncio.Lock()
        self._start_lock = asyncio.Lock()
        self._subscriptions: set[_KafkaSubscription] = set()

    # -- names ---------------------------------------------------------------------------

    def topic_name(self, topic: str) -> str:
        """The Kafka topic behind DLHub topic ``topic``."""
        rules.check_topic(topic)
        name = self.config.topic_prefix + topic
        if not _TOPIC_NAME.match(name) or name in (".", ".."):
            raise InvalidArgument(
                f"Kafka topic name {name!r} must be 1-249 characters of a-z A-Z 0-9 . _ -"
            )
        return name

    def group_name(self, group: str) -> str:
        rules.check_group(group)
        return self.config.topic_prefix + group

    def _unavailable(self, action: str, exc: BaseException | None = None) -> Unavailable:
        reason = f": {type(exc).__name__}" if exc is not None else ""
        return Unavailable(
            f"Kafka at {self._bootstrap} did not answer ({action}) within "
            f"{self._timeout_s:g}s{reason}",
            details={"bootstrap_servers": self._bootstrap},
        )

    # -- lifecycle -----------------------------------------------------------------------

    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "bootstrap_servers": self._bootstrap,
            "client_id": self.config.client_id,
            "request_timeout_ms": self.config.request_timeout_ms,
            "retry_backoff_ms": 200,
        }

    async def start(self) -> None:
        """Connect the producer and the admin client, retrying for ``request_timeout_ms``."""
        async with self._start_lock:
            if self._producer is not None:
                return
            try:
                async for attempt in retrying(
                    f"connect to Kafka at {self._bootstrap}",
                    retry_on=lambda exc: isinstance(exc, TimeoutError | KafkaError | OSError),
                    initial_s=0.5,
                    max_delay_s=2.0,
                    give_up_after_s=self._timeout_s,
                ):
                    with attempt:
                        self._producer, self._admin = await self._connect()
            except (TimeoutError, KafkaError, OSError) as exc:
                raise self._unavailable("connect", exc) from None

    async def _connect(self) -> tuple[Any, Any]:
        """One attempt: a started producer and admin client, or nothing left open."""
        producer = AIOKafkaProducer(
            **self._client_kwargs(),
            acks="all",
            enable_idempotence=True,
            compression_type=None,
            linger_ms=0,
            max_request_size=self.max_message_bytes + _HEADROOM,
        )
        admin = AIOKafkaAdminClient(**self._client_kwargs())
        try:
            await producer.start()
            await admin.start()
        except BaseException:
            await _quietly(producer.stop())
            await _quietly(admin.close())
            raise
        return producer, admin

    async def stop(self) -> None:
        """Close every subscription, flush the producer and disconnect. Idempotent."""
        for subscription in list(self._subscriptions):
            await subscription.close()
        producer, admin = self._producer, self._admin
        self._producer = self._admin = None
        if producer is not None:
            await self._close_producer(producer)
        if admin is not None:
            await _quietly(admin.close())
        self._topics.clear()

    async def _close_producer(self, producer: Any) -> None:
        """Flush for at most ``request_timeout_ms``, then close.

        aiokafka retries a batch whose broker is gone without end, and its
        ``stop()`` waits for the flush; past the timeout the sender task is
        cancelled first (those messages' publish calls already raised
        Unavailable).
        """
        try:
            async with asyncio.timeout(self._timeout_s):
                await producer.flush()
        except (KafkaError, OSError, TimeoutError):
            log.warning("Kafka at %s: unsent messages dropped at stop", self._bootstrap)
            sender = getattr(producer, "_sender", None)  # aiokafka internals (0.14)
            if sender is not None:
                await _quietly(sender.close())
        await _quietly(producer.stop())

    def _require_started(self) -> None:
        if self._producer is None:
            raise Unavailable("the Kafka event bus is not started")

    async def ping(self) -> None:
        self._require_started()
        try:
            async with asyncio.timeout(min(self._timeout_s, _PING_TIMEOUT_S)):
                cluster = await self._admin.describe_cluster()
        except (KafkaError, OSError, TimeoutError) as exc:
            raise self._unavailable("metadata", exc) from None
        if not cluster.get("brokers"):
            raise Unavailable(f"Kafka at {self._bootstrap} reports no brokers")

    # -- topics --------------------------------------------------------------------------

    async def ensure_topics(self, names: Sequence[str]) -> None:
        """Create the (full-named) topics that do not exist yet; wait until they have leaders."""
        missing = [n for n in names if n not in self._topics]
        if not missing:
            return
        async with self._topic_lock:
            missing = [n for n in missing if n not in self._topics]
            if not missing:
                return
            try:
                async with asyncio.timeout(self._timeout_s):
                    await self._create_topics(missing)
            except (KafkaError, OSError, TimeoutError) as exc:
                raise self._unavailable("create topics", exc) from None
            self._topics.update(missing)

    async def _create_topics(self, names: list[str]) -> None:
        topic_config = {"max.message.bytes": str(self.max_message_bytes + _HEADROOM)}
        new = [
            NewTopic(
                name=name,
                num_partitions=self.config.num_partitions,
                replication_factor=self.config.replication_factor,
                topic_configs=topic_config,
            )
            for name in names
        ]
        response = await self._admin.create_topics(new)
        for name, code, *rest in response.topic_errors:
            if code not in (0, TopicAlreadyExistsError.errno):
                message = rest[0] if rest else ""
                raise InternalError(f"Kafka refused to create topic {name!r}: {code} {message}")
        while True:  # the broker's metadata follows the controller shortly after
            described = await self._admin.describe_topics(names)
            if len(described) == len(names) and all(
                t["error_code"] == 0
                and t["partitions"]
                and all(p["leader"] >= 0 for p in t["partitions"])
                for t in described
            ):
                return
            await asyncio.sleep(_RETRY_S)

    # -- publish and subscribe -----------------------------------------------------------

    async def publish(
        self,
        topic: str,
        value: bytes,
        *,
        key: str | None = None,
        headers: Mapping[str, bytes] | None = None,
    ) -> None:
        self._require_started()
        name = self.topic_name(topic)
        limit = self.max_message_bytes
        value = rules.message_bytes(value, limit)
        await self.ensure_topics([name])
        kafka_headers = [(k, bytes(v)) for k, v in (headers or {}).items()]
        try:
            # aiokafka retries a sent batch while the broker is away without a
            # deadline of its own: the deadline is here. A message that timed out
            # may still be written once the broker is back (at-least-once).
            async with asyncio.timeout(self._timeout_s):
                await self._producer.send_and_wait(
                    name,
                    value,
                    key=key.encode() if key is not None else None,
                    headers=kafka_headers or None,
                )
        except MessageSizeTooLargeError:
            raise ResourceExhausted(
                f"message of {len(value)} bytes (with key and headers) is larger than the "
                f"bus limit of {limit} bytes",
                details={"size": len(value), "max_message_bytes": limit},
            ) from None
        except (KafkaError, OSError, TimeoutError) as exc:
            if isinstance(exc, KafkaError) and not _transient(exc):
                raise InternalError(
                    f"Kafka at {self._bootstrap} refused the message: {type(exc).__name__}"
                ) from None
            raise self._unavailable("publish", exc) from None

    async def ensure_group(self, topics: Sequence[str], group: str) -> None:
        """Commit the current end offsets for partitions where the group has none.

        A consumer that only assigns partitions (no group membership) may commit
        for a group; a group that already has positions is left alone.
        """
        self._require_started()
        rules.check_ensure_group(topics, group)
        names = [self.topic_name(t) for t in topics]
        group_id = self.group_name(group)
        await self.ensure_topics(names)
        try:  # a fresh broker answers "no coordinator yet" for a while: retried
            async with asyncio.timeout(self._timeout_s):
                async for attempt in retrying(
                    f"create consumer group {group_id}",
                    retry_on=lambda exc: isinstance(exc, KafkaError) and _transient(exc),
                    initial_s=_RETRY_S,
                    max_delay_s=2.0,
                ):
                    with attempt:
                        started = await self._commit_ends(names, group_id)
        except (KafkaError, OSError, TimeoutError) as exc:
            raise self._unavailable(f"create consumer group {group_id}", exc) from None
        if started:
            log.info("consumer group %s now starts on %d partition(s)", group_id, started)

    async def _commit_ends(self, names: list[str], group_id: str) -> int:
        """Commit end offsets where ``group_id`` has none; returns how many partitions."""
        described = await self._admin.describe_topics(names)
        partitions = [
            TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]
        ]
        committed = await self._admin.list_consumer_group_offsets(group_id, partitions=partitions)
        missing = [tp for tp in partitions if committed.get(tp) is None or committed[tp].offset < 0]
        if not missing:
            return 0
        consumer = AIOKafkaConsumer(
            group_id=group_id, enable_auto_commit=False, **self._client_kwargs()
        )
        await consumer.start()
        try:
            consumer.assign(missing)
            ends = await consumer.end_offsets(missing)
            try:
                await consumer.commit({tp: OffsetAndMetadata(ends[tp], "") for tp in missing})
            except CommitFailedError:
                # the group has live members: one joined a moment ago and is
                # committing its start positions (_set_up); once they are
                # committed, nothing published from then on is missed
                log.info("consumer group %s already has members; waiting for its start", group_id)
                await self._await_committed(group_id, missing)
                return 0
        finally:
            await _quietly(consumer.stop())
        return len(missing)

    async def _await_committed(self, group_id: str, partitions: list[Any]) -> None:
        """Wait until ``group_id`` has committed offsets on every one of ``partitions``."""
        while True:
            committed = await self._admin.list_consumer_group_offsets(
                group_id, partitions=partitions
            )
            if all(
                committed.get(tp) is not None and committed[tp].offset >= 0 for tp in partitions
            ):
                return
            await asyncio.sleep(0.05)

    def subscribe(self, topics: Sequence[str], group: str) -> Subscription:
        rules.check_subscribe_topics(topics)
        names = tuple(dict.fromkeys(self.topic_name(t) for t in topics))
        return _KafkaSubscription(self, names, self.group_name(group))
