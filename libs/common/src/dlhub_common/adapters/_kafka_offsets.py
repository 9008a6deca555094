"""Acknowledgement bookkeeping of a Kafka subscription, per partition.

Kafka keeps one committed offset per partition: a subscription commits the
offset of its lowest unacked delivery, and lists the offsets it acked above
that point in the commit's metadata string (:func:`encode_acked`), which the
next member of the group reads back (:func:`decode_acked`). See
:mod:`dlhub_common.adapters.kafka_bus` for the semantics.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dlhub_common.adapters._kafka_support import log

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
