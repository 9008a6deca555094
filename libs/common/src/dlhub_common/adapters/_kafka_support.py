"""What the Kafka event bus and its subscriptions share: limits, retry pace,
error classification and closing clients quietly."""

from __future__ import annotations

import logging
from typing import Any

from aiokafka.errors import (  # type: ignore[import-untyped]
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    NodeNotReadyError,
)

# the bus's logger, for everything the Kafka adapter logs
log = logging.getLogger("dlhub_common.adapters.kafka_bus")

_HEADROOM = 64 * 1024  # record batch, key and headers on top of the value
_RETRY_S = 0.2


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
