"""One Kafka consumer in a group: a :class:`Subscription` of the Kafka event bus.

Rebalances, the start positions of a group new to a topic, fetching and the
commits made by ``Delivery.ack``; see :mod:`dlhub_common.adapters.kafka_bus`
for the semantics.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from aiokafka import (  # type: ignore[import-untyped]
    AIOKafkaConsumer,
    ConsumerRebalanceListener,
    ConsumerStoppedError,
    OffsetAndMetadata,
    TopicPartition,
)
from aiokafka.errors import CommitFailedError, KafkaError  # type: ignore[import-untyped]

from dlhub_common.adapters._kafka_offsets import _Partition, decode_acked
from dlhub_common.adapters._kafka_support import (
    _HEADROOM,
    _RETRY_S,
    _quietly,
    _transient,
    log,
)
from dlhub_common.errors import FailedPrecondition
from dlhub_common.observability.bus_metrics import CONSUMER_LAG
from dlhub_common.ports.bus import Delivery, Subscription
from dlhub_common.retry import retrying

if TYPE_CHECKING:
    from dlhub_common.adapters.kafka_bus import KafkaEventBus

_HEARTBEAT_MS = 1000  # members learn of a rebalance on their next heartbeat
_SESSION_TIMEOUT_MS = 10000


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
        self._ready = asyncio.Event()  # the group has started on every topic
        self._assign_error: BaseException | None = None
        self._set_up_retry: asyncio.Future[None] | None = None  # see _on_assigned
        self._ready_watch: asyncio.Future[None] | None = None  # see _watch_started
        self._getter: asyncio.Task[Any] | None = None
        self._commit_lock = asyncio.Lock()
        CONSUMER_LAG.track(self)

    def lag(self) -> dict[tuple[str, str], int]:
        """Per (topic, group): the assigned partitions' high watermark (as last fetched)
        minus the next offset not yet acknowledged in a row."""
        lag: dict[tuple[str, str], int] = {}
        consumer = self._consumer
        if consumer is None or self._closed:
            return lag
        prefix = len(self._bus.config.topic_prefix)
        for tp, state in list(self._states.items()):
            high = consumer.highwater(tp)
            if high is None:
                continue
            key = (tp.topic[prefix:], self.group)
            lag[key] = lag.get(key, 0) + max(0, int(high) - int(state.base))
        return lag

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
        CONSUMER_LAG.untrack(self)
        self._closed_event.set()
        self._bus._subscriptions.discard(self)
        self._cancel_set_up_retry()
        self._cancel_ready_watch()
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

    def _cancel_ready_watch(self) -> None:
        watch, self._ready_watch = self._ready_watch, None
        if watch is not None and not watch.done():
            watch.cancel()

    def _cancel_set_up_retry(self) -> None:
        retry, self._set_up_retry = self._set_up_retry, None
        if retry is not None and not retry.done():
            retry.cancel()

    async def _on_revoked(self, revoked: set[Any]) -> None:
        self._assigned.clear()
        self._cancel_set_up_retry()
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

    async def _on_assigned(self, assigned: set[Any]) -> None:
        try:
            async with asyncio.timeout(self._bus._timeout_s):
                await self._set_up(assigned)
        except Exception as exc:
            if not self._ready.is_set():  # start() reports it
                self._assign_error = exc
                self._ready.set()
                return
            # Nothing is handed out of these partitions until their start
            # positions are known: aiokafka's own reset (the earliest offset)
            # would hand a new group what was published before it started.
            log.warning("group %s: partition set-up failed, retrying: %r", self.group, exc)
            self._states = {}
            self._consumer.pause(*assigned)
            self._set_up_retry = asyncio.ensure_future(self._set_up_later(assigned))
        self._assigned.set()
        if not self._ready.is_set():
            self._cancel_ready_watch()
            self._ready_watch = asyncio.ensure_future(self._watch_started(assigned))

    async def _watch_started(self, assigned: set[Any]) -> None:
        """Set ``_ready`` once the group has a start position on every partition.

        An assignment computed from metadata that did not have a new topic yet
        is empty; start() must not return then, or what is published next would
        fall before the start positions a later rebalance sets. Partitions
        assigned to other members are set up by them: wait for their commits.
        """
        consumer = self._consumer
        while not self._closed:
            if all(consumer.partitions_for_topic(t) for t in self.topics):
                mine = {tp.topic for tp in assigned}
                others = [
                    TopicPartition(topic, p)
                    for topic in self.topics
                    if topic not in mine
                    for p in sorted(consumer.partitions_for_topic(topic))
                ]
                if not others:
                    break
                with contextlib.suppress(KafkaError, OSError):
                    committed = await self._committed(others)
                    if all(
                        committed.get(tp) is not None and committed[tp].offset >= 0 for tp in others
                    ):
                        break
            await asyncio.sleep(_RETRY_S)
        self._ready.set()

    async def _set_up_later(self, assigned: set[Any]) -> None:
        """Retry a failed set-up until it succeeds or the assignment changes."""
        consumer = self._consumer
        async for attempt in retrying(
            f"group {self.group}: set up assigned partitions",
            retry_on=lambda exc: isinstance(exc, Exception),
            initial_s=_RETRY_S,
            max_delay_s=2.0,
        ):
            with attempt:
                if self._closed or set(consumer.assignment()) != assigned:
                    return  # a rebalance sets the new assignment up itself
                async with asyncio.timeout(self._bus._timeout_s):
                    await self._set_up(assigned)
        # Records fetched (and skipped) while paused come again from here.
        for tp, state in self._states.items():
            consumer.seek(tp, state.base)
        consumer.resume(*assigned)
        log.info("group %s: partitions set up after a retry", self.group)

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
            # Not seek_to_end: aiokafka's own reset to the earliest offset (no
            # committed offset yet) may be in flight, and its answer would
            # satisfy a pending "latest" reset too, handing the group what was
            # published before it started. An explicit position is kept.
            ends = await consumer.end_offsets(new_to_group)
            for tp in new_to_group:
                consumer.seek(tp, ends[tp])
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
