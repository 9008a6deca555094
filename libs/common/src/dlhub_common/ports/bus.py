"""EventBus: topics, consumer groups and explicit acknowledgement."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType


@dataclass
class Delivery:
    """One message handed to one consumer.

    Attributes:
        topic: the topic it was published on.
        value: the payload.
        key: the partitioning key (servable id for task topics), or None.
        headers: small metadata (trace context, content type).
    """

    topic: str
    value: bytes
    key: str | None = None
    headers: dict[str, bytes] = field(default_factory=dict)
    # Set by the adapter; called by ack().
    _ack: object = None

    async def ack(self) -> None:
        """Mark the message done for this consumer group.

        Call only after the work is durably finished. A message that a
        subscription never acks is redelivered to its group after the
        subscription closes (at-least-once).
        """
        ack = self._ack
        if ack is not None:
            self._ack = None
            await ack()  # type: ignore[operator]


class Subscription(ABC):
    """A consumer in one group. Use ``async with`` and ``async for``."""

    @abstractmethod
    async def start(self) -> None:
        """Join the group. Messages published after start returns are received."""

    @abstractmethod
    async def close(self) -> None:
        """Leave the group; unacked messages go back to the group. Idempotent."""

    @abstractmethod
    def __aiter__(self) -> AsyncIterator[Delivery]:
        """Yield deliveries until closed."""

    async def __aenter__(self) -> Subscription:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class EventBus(ABC):
    """Publish/subscribe with consumer groups.

    Every group receives every message of its topics; within one group each
    message goes to one member. Messages with the same key keep their order.
    """

    #: Whether published messages outlive the process that holds the bus
    #: (False for the in-process bus: what was queued is gone at a restart).
    outlives_process: bool = True

    async def start(self) -> None:
        """Connect. Idempotent."""

    async def stop(self) -> None:
        """Flush and disconnect. Idempotent."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise dlhub_common.errors.Unavailable when the backend does not answer."""

    @abstractmethod
    async def publish(
        self,
        topic: str,
        value: bytes,
        *,
        key: str | None = None,
        headers: Mapping[str, bytes] | None = None,
    ) -> None:
        """Publish one message; returns once the bus has accepted it durably.

        Raises:
            dlhub_common.errors.ResourceExhausted: larger than the bus accepts.
            dlhub_common.errors.Unavailable: the bus cannot be reached.
        """

    @abstractmethod
    async def ensure_group(self, topics: Sequence[str], group: str) -> None:
        """Make ``group`` exist on ``topics`` from now on, members or not.

        Messages published after this returns are kept for the group until a
        member takes them, even if no member has ever joined. A producer calls
        it for the groups that must not miss its messages (the executors for
        tasks, the indexer for servable events). Idempotent; a group that
        already has a position keeps it.
        """

    @abstractmethod
    def subscribe(self, topics: Sequence[str], group: str) -> Subscription:
        """Create a consumer of ``topics`` in consumer group ``group``."""
