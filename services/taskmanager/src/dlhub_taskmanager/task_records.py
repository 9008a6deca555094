"""Writing task records: durable at once, or behind the caller in batches.

What is durable when (docs/architecture.md, "What is durable when"):

* an asynchronous task's record is written before its work item is
  published, so an accepted task is never lost from view;
* a synchronous run's caller is waiting on the connection for the result, so
  its record is not written before dispatch: its work item carries it, and
  it is written once, finished, by the task manager that records the result
  (recording.py), in a batch with others (``put_batched``); the result is
  acknowledged on the bus only once that write is done, so a crash before it
  means the result is recorded again after the restart. A cancel or the
  deadline write it behind the caller (``write_behind``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from dlhub_common.errors import DLHubError
from dlhub_common.ports.documents import DocumentStore

log = logging.getLogger("dlhub.taskmanager")

COLLECTION = "tasks"


class TaskRecords:
    """Task records in the document store, with a write-behind batch queue.

    Args:
        docs: the document store.
        batch: most records written in one batch.
        linger_s: how long the writer waits to gather a batch.
    """

    def __init__(self, docs: DocumentStore, *, batch: int = 256, linger_s: float = 0.02) -> None:
        self.docs = docs
        self.batch = batch
        self.linger_s = linger_s
        self._queue: dict[str, dict[str, Any]] = {}
        # callers of put_batched waiting for their record's write, by task id
        self._waiting: dict[str, list[asyncio.Future[None]]] = {}
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.docs.ensure_index(COLLECTION, ["state"])
        await self.docs.ensure_index(COLLECTION, ["state", "completed_at"])  # retention
        self._writer = asyncio.create_task(self._write_forever(), name="task-records")

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None
        await self.flush()

    async def insert(self, record: dict[str, Any]) -> None:
        """Write a new record now (it is durable when this returns)."""
        await self.docs.insert(COLLECTION, record["task_id"], record)

    async def put(self, record: dict[str, Any]) -> None:
        """Write a whole record now, replacing any queued or stored copy."""
        self._queue.pop(record["task_id"], None)
        await self.docs.put(COLLECTION, record["task_id"], record)

    async def update(self, task_id: str, fields: dict[str, Any]) -> None:
        await self.docs.update(COLLECTION, task_id, fields)

    def write_behind(self, record: dict[str, Any]) -> None:
        """Queue a finished record; written in the next batch."""
        self._queue[record["task_id"]] = record
        self._wake.set()

    async def put_batched(self, record: dict[str, Any]) -> None:
        """Write a whole record in the next batch; returns once it is written."""
        fut = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(record["task_id"], []).append(fut)
        self.write_behind(record)
        await asyncio.shield(fut)

    def queued(self, task_id: str) -> dict[str, Any] | None:
        return self._queue.get(task_id)

    async def get(self, task_id: str) -> dict[str, Any] | None:
        queued = self._queue.get(task_id)
        if queued is not None:
            return queued
        return await self.docs.get(COLLECTION, task_id)

    async def delete(self, task_id: str) -> None:
        self._queue.pop(task_id, None)
        await self.docs.delete(COLLECTION, task_id)

    async def flush(self) -> None:
        """Write everything queued (in batches)."""
        while self._queue:
            ids = list(self._queue)[: self.batch]
            docs = {i: self._queue[i] for i in ids}
            waiting = {i: self._waiting.pop(i) for i in ids if i in self._waiting}
            try:
                await self.docs.put_many(COLLECTION, docs)
            except BaseException:
                for i, futs in waiting.items():  # they wait for the retry
                    self._waiting.setdefault(i, []).extend(futs)
                raise
            for i in ids:
                if self._queue.get(i) is docs[i]:
                    del self._queue[i]
            for futs in waiting.values():
                for fut in futs:
                    if not fut.done():
                        fut.set_result(None)

    async def _write_forever(self) -> None:
        delay = 0.1
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.linger_s)
            self._wake.clear()
            try:
                await self.flush()
                delay = 0.1
            except DLHubError as exc:
                log.warning("cannot write %d task records (%s); retrying", len(self._queue), exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                self._wake.set()
