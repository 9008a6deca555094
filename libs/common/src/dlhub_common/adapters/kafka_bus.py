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
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from aiokafka import (  # type: ignore[import-untyped]
    AIOKafkaConsumer,
    AIOKafkaProducer,
    ConsumerRebalanceListener,
    ConsumerStoppedError,
    OffsetAndMetadata,
    TopicPartition,
)
from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # type: ignore[import-untyped]
from aiokafka.errors import (  # type: ignore[import-untyped]
    CommitFailedError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    NodeNotReadyError,
    TopicAlreadyExistsError,
)

from dlhub_common.adapters import _bus_rules as rules
from dlhub_common.backends import KafkaBusConfig
from dlhub_common.errors import (
    FailedPrecondition,
    InternalError,
    InvalidArgument,
    ResourceExhausted,
    Unavailable,
)
from dlhub_common.ports.bus import Delivery, EventBus, Subscription
from dlhub_common.retry import retrying

log = logging.getLogger(__name__)

_TOPIC_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")
_HEADROOM = 64 * 1024  # record batch, key and headers on top of the value
_DEFAULT_LIMIT = 64 * 1024 * 1024
_HEARTBEAT_MS = 1000  # members learn of a rebalance on their next heartbeat
_SESSION_TIMEOUT_MS = 10000
_PING_TIMEOUT_S = 10.0
_RETRY_S = 0.2
_ACKED_PREFIX = "dlhub-acked:"
_METADATA_MAX_CHARS = 3000  # brokers accept 4096 by default (offset.metadata.max.bytes)


def encode_acked(base: int, acked: Iterable[int]) -> str:
    """Commit metadata naming the acked offsets above ``base``, as ranges of deltas."""
    offsets = sorted(o for o in set(acked) if o > base)
    if not offsets:
        return ""
    ranges: list[str] = []
    start = prev = offsets[0]
    for offset in [*offsets[1:], None]:
        if offset is not None and offset == prev + 1:
            prev = offset
            continue
        ranges.append(f"{start - base}" if start == prev else f"{start - base}-{prev - base}")
        if offset is not None:
            start = prev = offset
    text = _ACKED_PREFIX
    for i, item in enumerate(ranges):
        piece = item if i == 0 else f",{item}"
        if len(text) + len(piece) > _METADATA_MAX_CHARS:
            break  # the rest may be delivered again: still at-least-once
        text += piece
    return text


def decode_acked(base: int, metadata: str | None) -> set[int]:
    """The acked offsets listed by :func:`encode_acked` (unknown text: none)."""
    if not metadata or not metadata.startswith(_ACKED_PREFIX):
        return set()
    acked: set[int] = set()
    try:
        for item in metadata[len(_ACKED_PREFIX) :].split(","):
            low, _, high = item.partition("-")
            first = int(low)
            last = int(high) if high else first
            acked.update(range(base + first, base + last + 1))
    except ValueError:
        log.warning("ignoring unreadable commit metadata %r", metadata[:80])
        return set()
    return {o for o in acked if o > base}


class _Partition:
    """What one subscription delivered from one assigned partition.

    ``pending`` maps the offsets handed out (or skipped) at or above the commit
    point to whether they are acked, in offset order; ``skip`` holds offsets a
    previous member acked that this one has not reached yet.
    """

    def __init__(self, tp: Any, base: int, skip: set[int]) -> None:
        self.tp = tp
        self.base = base  # next offset after everything acked in a row
        self.pending: dict[int, bool] = {}
        self.skip = skip
        self.committed = self.commit_point()

    def admit(self, offset: int) -> bool:
        """Whether a fetched record should be handed out."""
        if offset < self.base or offset in self.pending:
            return False  # older than our start, or already handed out
        if offset in self.skip:
            self.skip.discard(offset)
            self.pending[offset] = True
            self._advance()
            return False
        self.pending[offset] = False
        return True

    def ack(self, offset: int) -> None:
        if offset in self.pending:
            self.pending[offset] = True
            self._advance()

    def _advance(self) -> None:
        for offset, acked in list(self.pending.items()):
            if not acked:
                break
            del self.pending[offset]
            self.base = offset + 1

    def commit_point(self) -> tuple[int, str]:
        offset = next(iter(self.pending), self.base)
        acked = [o for o, done in self.pending.items() if done]
        return offset, encode_acked(offset, [*acked, *self.skip])

    @property
    def dirty(self) -> bool:
        return self.commit_point() != self.committed


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


def _transient(exc: KafkaError) -> bool:
    return bool(
        getattr(exc, "retriable", False)
        or isinstance(exc, KafkaTimeoutError | KafkaConnectionError | NodeNotReadyError)
    )


async def _quietly(awaitable: Any) -> None:
    try:
        await awaitable
    except Exception as exc:  # closing a broken client: nothing more to do
        log.debug("ignored while closing a Kafka client: %r", exc)


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, subscription: _KafkaSubscription) -> None:
        self._subscription = subscription

    async def on_partitions_revoked(self, revoked: Any) -> None:
        await self._subscription._on_revoked(set(revoked))

    async def on_partitions_assigned(self, assigned: Any) -> None:
        await self._subscription._on_assigned(set(assigned))


class _KafkaSubscription(Subscription):
    def __init__(self, bus: KafkaEventBus, topics: tuple[str, ...], group: str) -> None:
        self.topics = topics
        self.group = group
        self._bus = bus
        self._consumer: Any = None
        self._states: dict[Any, _Partition] = {}
        self._started = False
        self._closed = False
        self._closed_event = asyncio.Event()
        self._assigned = asyncio.Event()  # set while an assignment is in force
        self._ready = asyncio.Event()  # first assignment covering every topic
        self._assign_error: BaseException | None = None
        self._lazy: set[Any] = set()  # assigned, but set up from the first record
        self._getter: asyncio.Task[Any] | None = None
        self._commit_lock = asyncio.Lock()

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        if self._closed:
            raise FailedPrecondition("a closed subscription cannot be started again")
        if self._started:
            return
        bus = self._bus
        bus._require_started()
        await bus.ensure_topics(self.topics)
        limit = bus.max_message_bytes + _HEADROOM
        self._consumer = AIOKafkaConsumer(
            **bus._client_kwargs(),
            group_id=self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",  # see _on_assigned for brand-new groups
            heartbeat_interval_ms=_HEARTBEAT_MS,
            session_timeout_ms=_SESSION_TIMEOUT_MS,
            fetch_max_bytes=max(52428800, limit),
            max_partition_fetch_bytes=1024 * 1024,  # a larger first record still comes whole
        )
        self._consumer.subscribe(topics=list(self.topics), listener=_Listener(self))
        self._started = True
        bus._subscriptions.add(self)
        try:
            async with asyncio.timeout(bus._timeout_s):
                await self._consumer.start()
                await self._ready.wait()
        except (KafkaError, OSError, TimeoutError) as exc:
            await self.close()
            raise bus._unavailable(f"join consumer group {self.group!r}", exc) from None
        if self._assign_error is not None:
            error = self._assign_error
            await self.close()
            if isinstance(error, KafkaError | OSError | TimeoutError):
                raise bus._unavailable(f"join consumer group {self.group!r}", error) from None
            raise error

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._closed_event.set()
        self._bus._subscriptions.discard(self)
        getter, self._getter = self._getter, None
        if getter is not None:
            getter.cancel()
            with contextlib.suppress(BaseException):
                await getter
        if self._consumer is not None and self._assigned.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(self._bus._timeout_s, 5.0)):
                    await self._commit()
        self._states.clear()
        if self._consumer is not None:
            try:  # leaves the group: a rebalance follows
                async with asyncio.timeout(min(self._bus._timeout_s, 10.0)):
                    await _quietly(self._consumer.stop())
            except TimeoutError:
                log.warning("group %s: consumer did not stop cleanly", self.group)

    # -- rebalance -----------------------------------------------------------------------

    async def _on_revoked(self, revoked: set[Any]) -> None:
        self._assigned.clear()
        # A record fetched before the rebalance may belong to another member now.
        getter = self._getter
        if getter is not None and getter.done():
            self._getter = None
            if not getter.cancelled():
                getter.exception()  # retrieved: no "never retrieved" warning
        if not self._closed:
            try:
                async with asyncio.timeout(min(self._bus._timeout_s, 5.0)):
                    await self._commit()
            except TimeoutError:
                log.warning("group %s: could not commit before a rebalance", self.group)
        for tp in revoked:
            self._states.pop(tp, None)
        self._lazy.clear()

    async def _on_assigned(self, assigned: set[Any]) -> None:
        try:
            async with asyncio.timeout(self._bus._timeout_s):
                await self._set_up(assigned)
        except Exception as exc:
            if not self._ready.is_set():  # start() reports it
                self._assign_error = exc
                self._ready.set()
                return
            # Keep consuming from aiokafka's positions (the committed offsets);
            # only the list of acked-ahead offsets is lost: those come again.
            log.warning("group %s: partition set-up failed, degraded: %r", self.group, exc)
            self._states = {}
            self._lazy = set(assigned)
        self._assigned.set()
        consumer = self._consumer
        if all(consumer.partitions_for_topic(t) for t in self.topics):
            self._ready.set()

    async def _set_up(self, assigned: set[Any]) -> None:
        consumer = self._consumer
        self._states = {}
        if not assigned:
            return
        # Committed offsets of every partition of our topics: the group may be new to a topic.
        everything = [
            TopicPartition(topic, p)
            for topic in {tp.topic for tp in assigned}
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        committed = await self._committed(everything)
        known_topics = {tp.topic for tp, meta in committed.items() if meta.offset >= 0}
        fresh = [tp for tp in assigned if committed.get(tp) is None or committed[tp].offset < 0]
        new_to_group = [tp for tp in fresh if tp.topic not in known_topics]
        if new_to_group:
            # The group starts here: messages published from now on are for it.
            await consumer.seek_to_end(*new_to_group)
        start: dict[Any, int] = {}
        for tp in fresh:
            start[tp] = await consumer.position(tp)
        if start:
            await consumer.commit({tp: OffsetAndMetadata(o, "") for tp, o in start.items()})
        for tp in assigned:
            if tp in start:
                self._states[tp] = _Partition(tp, start[tp], set())
            else:
                meta = committed[tp]
                self._states[tp] = _Partition(
                    tp, meta.offset, decode_acked(meta.offset, meta.metadata)
                )

    async def _committed(self, partitions: list[Any]) -> dict[Any, Any]:
        if not partitions:
            return {}
        admin = self._bus._admin
        result: dict[Any, Any] = {}
        async for attempt in retrying(
            f"group {self.group}: read committed offsets",
            retry_on=lambda exc: isinstance(exc, KafkaError) and _transient(exc),
            initial_s=_RETRY_S,
            max_delay_s=1.0,
        ):
            with attempt:
                result = await admin.list_consumer_group_offsets(self.group, partitions=partitions)
        return result

    # -- acknowledgement -----------------------------------------------------------------

    async def _ack(self, state: _Partition, offset: int) -> None:
        if self._closed or self._states.get(state.tp) is not state:
            log.debug("group %s: late ack of %s@%d ignored", self.group, state.tp, offset)
            return
        state.ack(offset)
        await self._commit()

    async def _commit(self) -> None:
        """Commit every partition whose commit point moved; log (not raise) failures.

        A failed commit stays pending and goes with the next ack (or close); if
        none succeeds, the messages are delivered again (at-least-once).
        """
        async with self._commit_lock:
            states = [s for s in self._states.values() if s.dirty]
            if not states or self._consumer is None:
                return
            points = {s.tp: s.commit_point() for s in states}
            try:
                await self._consumer.commit(
                    {tp: OffsetAndMetadata(o, meta) for tp, (o, meta) in points.items()}
                )
            except CommitFailedError:
                log.warning("group %s: commit refused after a rebalance", self.group)
                return
            except (KafkaError, OSError) as exc:
                log.warning("group %s: commit failed, will retry: %r", self.group, exc)
                return
            for state in states:
                state.committed = points[state.tp]

    # -- iteration -----------------------------------------------------------------------

    async def __aiter__(self) -> AsyncIterator[Delivery]:
        if not self._started:
            raise FailedPrecondition("start the subscription (or use 'async with') first")
        while not self._closed:
            record = await self._next_record()
            if record is None:
                return
            tp = TopicPartition(record.topic, record.partition)
            state = self._states.get(tp)
            if state is None and tp in self._lazy:
                self._lazy.discard(tp)
                state = self._states[tp] = _Partition(tp, record.offset, set())
            if state is None or not state.admit(record.offset):
                continue
            yield self._delivery(record, state)

    async def _next_record(self) -> Any:
        """The next fetched record, or None once closed.

        The fetch runs in a task owned by the subscription: a caller that stops
        waiting (a timeout) leaves the record in the task for the next call.
        """
        closed = asyncio.ensure_future(self._closed_event.wait())
        try:
            while not self._closed:
                if self._getter is None:
                    self._getter = asyncio.ensure_future(self._consumer.getone())
                getter: asyncio.Task[Any] = self._getter
                await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
                if self._closed:
                    return None
                assigned = asyncio.ensure_future(self._assigned.wait())
                try:
                    await asyncio.wait({assigned, closed}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    assigned.cancel()
                if self._closed:
                    return None
                if self._getter is not getter:
                    continue  # dropped by a rebalance
                self._getter = None
                try:
                    return getter.result()
                except ConsumerStoppedError:
                    return None
                except asyncio.CancelledError:
                    continue
                except (KafkaError, OSError) as exc:
                    log.warning("group %s: fetch failed, retrying: %r", self.group, exc)
                    await asyncio.sleep(_RETRY_S * 5)
            return None
        finally:
            closed.cancel()

    def _delivery(self, record: Any, state: _Partition) -> Delivery:
        offset = record.offset

        async def ack() -> None:
            await self._ack(state, offset)

        key = record.key
        return Delivery(
            topic=record.topic[len(self._bus.config.topic_prefix) :],
            value=bytes(record.value) if record.value is not None else b"",
            key=key.decode("utf-8", "replace") if key is not None else None,
            headers={k: bytes(v) for k, v in (record.headers or ())},
            _ack=ack,
        )
