"""What every EventBus adapter checks, with the same messages.

The in-process and Kafka buses accept the same topic and group names and the
same message values; Kafka then adds rules of its own for full topic names.
"""

from __future__ import annotations

from collections.abc import Sequence

from dlhub_common.errors import InvalidArgument, ResourceExhausted


def check_topic(topic: str) -> None:
    if not topic:
        raise InvalidArgument("topic must not be empty")


def check_group(group: str) -> None:
    if not group:
        raise InvalidArgument("consumer group must not be empty")


def check_subscribe_topics(topics: Sequence[str]) -> None:
    if isinstance(topics, str) or not topics or not all(topics):
        raise InvalidArgument("subscribe needs a non-empty list of topic names")


def check_ensure_group(topics: Sequence[str], group: str) -> None:
    if isinstance(topics, str) or not topics or not all(topics) or not group:
        raise InvalidArgument("ensure_group needs topic names and a group")


def message_bytes(value: bytes, limit: int | None) -> bytes:
    """A message value as bytes, refused when it is not bytes or is over ``limit``."""
    if not isinstance(value, bytes | bytearray | memoryview):
        raise InvalidArgument(f"message value must be bytes, not {type(value).__name__}")
    value = bytes(value)
    if limit is not None and len(value) > limit:
        raise ResourceExhausted(
            f"message of {len(value)} bytes is larger than the bus limit of {limit} bytes",
            details={"size": len(value), "max_message_bytes": limit},
        )
    return value
