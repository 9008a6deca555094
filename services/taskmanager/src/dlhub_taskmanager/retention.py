"""Retention of finished tasks: records and results are removed after ``result_ttl_s``.

A finished task (SUCCEEDED, FAILED, CANCELLED) is kept, with its result,
for ``settings.tasks.result_ttl_s`` after it finished; then its result
object (``result_key``, for results kept in the object store) and its
record (which holds an inline result, ``result_b64``) are deleted. The
periodic sweep (``TaskControl``, every ``sweep_interval_s``) does it in
pages of the oldest finished tasks first, using only what every
DocumentStore adapter offers (an ``$in`` filter on the state, sorted by
``completed_at``; FerretDB has no TTL index); a lookup of an expired task
removes it at once, so it reads as NOT_FOUND from the moment it expired.

Result objects belong to one task: the stored bytes are the task's own
``WorkResult`` (its task id included), so no other record shares the key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from dlhub_common.ports import ObjectStore
from dlhub_common.ports.documents import DocumentStore
from dlhub_taskmanager.core import TASKS_COLLECTION, TERMINAL

log = logging.getLogger("dlhub.taskmanager.retention")

PAGE = 200


def finished_ns(record: dict[str, Any]) -> int:
    """When the task finished (its ``completed_at``), in Unix ns; creation if unknown."""
    stamp = record.get("completed_at")
    if isinstance(stamp, str) and stamp:
        try:
            return int(datetime.fromisoformat(stamp).timestamp() * 1e9)
        except ValueError:
            pass
    return int(record.get("created_ns") or 0)


class Retention:
    """Removes finished tasks older than ``ttl_s`` and their results.

    Args:
        docs: the task records.
        objects: where large results are kept.
        ttl_s: how long a finished task is kept.
    """

    def __init__(
        self,
        docs: DocumentStore,
        objects: ObjectStore,
        ttl_s: float,
        forget: Callable[[str], None] = lambda task_id: None,
    ) -> None:
        self.docs = docs
        self.objects = objects
        self.ttl_s = ttl_s
        self.forget = forget  # drops the replica's in-memory copy of a removed task

    def expired(self, record: dict[str, Any], now_ns: int) -> bool:
        return record.get("state") in TERMINAL and finished_ns(record) + self.ttl_s * 1e9 < now_ns

    async def remove(self, record: dict[str, Any]) -> None:
        """Delete the task's result object, then its record (a crash in between
        leaves a record whose next sweep deletes it; never an orphaned object)."""
        key = record.get("result_key")
        if key:
            await self.objects.delete(key)
        await self.docs.delete(TASKS_COLLECTION, record["task_id"])
        self.forget(record["task_id"])

    async def sweep(self, now_ns: int) -> int:
        """Remove every expired finished task, oldest first; returns how many."""
        removed = 0
        while True:
            page = await self.docs.find(
                TASKS_COLLECTION,
                {"state": {"$in": list(TERMINAL)}},
                sort=[("completed_at", 1)],
                limit=PAGE,
            )
            expired = [r for r in page if self.expired(r, now_ns)]
            for record in expired:
                await self.remove(record)
            removed += len(expired)
            # sorted oldest first: a page with a task still kept ends the sweep
            if len(expired) < len(page) or len(page) < PAGE:
                return removed
