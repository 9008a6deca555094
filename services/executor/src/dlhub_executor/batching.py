"""Dynamic batching: concurrent work items of one model version, one model call.

Each servable version (digest) has one :class:`BatchQueue`, served one batch
at a time. A batch opens with the first item that arrives while none is
open and closes when it holds ``max_batch_size`` items or when
``max_queue_delay`` has passed **since that first item** (not since the
last one, which would let a steady trickle hold a batch open for ever).
With a delay of 0 a batch takes what is waiting: under load, items that
arrive while a batch runs form the next one, so batching costs no latency
at low load.

:func:`run_batched` concatenates the inputs of items with the same tensor
layout along the batch axis (axis 0), runs the model once and splits every
output back into each item's rows, in order. When the batched call fails,
every item of the group runs alone, so one caller's bad input fails that
caller only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import DeadlineExceeded
from dlhub_common.ports import Delivery
from dlhub_executor.runners import LoadedModel
from dlhub_executor.runners.base import Array

log = logging.getLogger("dlhub.executor")


@dataclass
class Pending:
    """One work item waiting in a batch queue."""

    item: bus_pb2.WorkItem
    delivery: Delivery
    arrived: float = field(default_factory=time.monotonic)
    # filled while the batch runs
    inputs: dict[str, Array] | None = None
    outputs: dict[str, Array] | None = None
    error: BaseException | None = None
    batch_size: int = 1
    # inputs by reference: what staging did (staging.Staged), before the item was queued
    staged: Any = None
    # its ``execute`` span (spans.py) and when it joined the queue (unix ns)
    span: Any = None
    queued_ns: int = 0


class BatchQueue:
    """Items of one model version; ``serve`` receives one batch at a time.

    Args:
        serve: runs one batch.
        max_batch_size: most items in one batch (1: every item alone).
        max_queue_delay_s: longest the first item of a batch waits for more.
        concurrency: batches served at once (1: one after the other; more
            when the model runs in several worker processes).
    """

    def __init__(
        self,
        serve: Callable[[list[Pending]], Awaitable[None]],
        max_batch_size: int,
        max_queue_delay_s: float,
        concurrency: int = 1,
    ) -> None:
        self.serve = serve
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._serving: set[asyncio.Task[None]] = set()
        self.max_batch_size = max(1, max_batch_size)
        self.max_queue_delay_s = max(0.0, max_queue_delay_s)
        self._items: list[Pending] = []
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def put(self, pending: Pending) -> None:
        self._items.append(pending)
        self._arrived.set()
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="batch-queue")

    async def close(self, grace_s: float = 10.0) -> list[Pending]:
        """Stop taking batches; let those being served finish for ``grace_s``;
        returns the items that never ran."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._serving:
            _, late = await asyncio.wait(self._serving, timeout=grace_s)
            for task in late:
                task.cancel()
        left, self._items = self._items, []
        return left

    async def _next_batch(self) -> list[Pending]:
        while not self._items:
            self._arrived.clear()
            await self._arrived.wait()
        if self.max_queue_delay_s > 0 and len(self._items) < self.max_batch_size:
            deadline = self._items[0].arrived + self.max_queue_delay_s
            while len(self._items) < self.max_batch_size:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), left)
        batch = self._items[: self.max_batch_size]
        del self._items[: len(batch)]
        return batch

    async def _run(self) -> None:
        while True:
            # a batch forms only when it can be served: items that arrive
            # meanwhile make the next batch larger
            await self._slots.acquire()
            try:
                batch = await self._next_batch()
            except BaseException:
                self._slots.release()
                raise
            task = asyncio.create_task(self.serve(batch))
            self._serving.add(task)
            task.add_done_callback(self._served)

    def _served(self, task: asyncio.Task[None]) -> None:
        self._serving.discard(task)
        self._slots.release()
        if not task.cancelled() and task.exception() is not None:
            log.error("serving a batch failed", exc_info=task.exception())


def layout(p: Pending) -> tuple[Any, ...]:
    """Items with equal layouts can share one model call."""
    assert p.inputs is not None
    return (
        tuple((n, a.dtype.str, a.shape[1:]) for n, a in sorted(p.inputs.items())),
        tuple(p.item.outputs),
    )


def split_rows(outputs: dict[str, Array], rows: Sequence[int]) -> list[dict[str, Array]] | None:
    """Each item's rows of every output, or None when the outputs are not batched."""
    total = sum(rows)
    if any(a.ndim == 0 or a.shape[0] != total for a in outputs.values()):
        return None
    bounds = np.cumsum([0, *rows])
    return [
        {name: a[bounds[i] : bounds[i + 1]] for name, a in outputs.items()}
        for i in range(len(rows))
    ]


def run_batched(model: LoadedModel, group: list[Pending]) -> int:
    """Run items of one layout as one call (blocking); returns the model calls made.

    Fills each item's ``outputs`` or ``error``. Falls back to one call per
    item when the batched call fails or its outputs do not split by rows.
    """
    if len(group) > 1:
        assert all(p.inputs is not None for p in group)
        names = list(group[0].inputs or {})
        joined = {n: np.concatenate([p.inputs[n] for p in group], axis=0) for n in names}  # type: ignore[index]
        rows = [int(next(iter(p.inputs.values())).shape[0]) for p in group]  # type: ignore[union-attr]
        try:
            parts = split_rows(model.run(joined, list(group[0].item.outputs)), rows)
        except DeadlineExceeded as exc:  # stopped at the deadline: no time to go on alone
            for p in group:
                p.error = exc
            return 1
        except Exception:
            parts = None  # someone's input breaks the batch: find out whose, alone
        if parts is not None:
            for p, out in zip(group, parts, strict=True):
                p.outputs, p.batch_size = out, len(group)
            return 1
    for p in group:
        try:
            p.outputs = model.run(p.inputs or {}, list(p.item.outputs))
        except Exception as exc:
            p.error = exc
        p.batch_size = 1
    return len(group)
