"""Durable usage statistics: gathered in memory, written periodically.

One document per servable version, UTC day and writer (a task-manager
replica: its instance id), in the collection ``usage`` (id
``owner/name/version/day/writer``)::

    {"owner", "name", "version", "day", "writer",   # written when created
     "invocations", "errors", "refused",         # $inc
     "latency": {"b<bucket>": count},            # $inc (sketch.py)
     "callers": {"r<register>": rank},           # $max (sketch.py)
     "last_used_ms"}                             # $max

Recording is on the event loop and touches memory only; every
``flush_interval_s`` the gathered deltas are written with one
DocumentStore.accumulate per document, one at a time. Each replica writes
only its own documents, and a read merges every writer's (counts add, the
sketches merge by max), so replicas recording the same day at once never
write the same document: FerretDB 1.x, which loses concurrent updates of one
document, is as safe as MongoDB. A delta whose write fails is kept and tried again at the next
flush; ``stop`` flushes what is left, so a clean shutdown loses nothing.

The sketch key is ``usage.salt`` when set, else a random one made at the first
start and kept in the store (``usage_meta/salt``), shared by every replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dlhub_common.errors import AlreadyExists
from dlhub_common.ports.documents import Document, DocumentStore
from dlhub_common.settings import UsageSettings
from dlhub_taskmanager.usage import sketch

log = logging.getLogger("dlhub.taskmanager.usage")

COLLECTION = "usage"
META = "usage_meta"

# (owner, name, version, day)
DayKey = tuple[str, str, int, str]


DAY_NS = 86_400 * 1_000_000_000
CALLERS_KEPT = 4096  # callers whose sketch register is remembered (the run path hashes none)


def utc_day(unix_ns: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(unix_ns // 1_000_000_000))


@dataclass
class DayCounts:
    """One version's day: a delta waiting to be written, or a day read back."""

    invocations: int = 0
    errors: int = 0
    refused: int = 0
    last_used_ms: int = 0
    latency: dict[int, int] = field(default_factory=dict)
    callers: dict[int, int] = field(default_factory=dict)

    def merge(self, other: DayCounts) -> None:
        self.invocations += other.invocations
        self.errors += other.errors
        self.refused += other.refused
        self.last_used_ms = max(self.last_used_ms, other.last_used_ms)
        for bucket, n in other.latency.items():
            self.latency[bucket] = self.latency.get(bucket, 0) + n
        for register, rank in other.callers.items():
            self.callers[register] = max(self.callers.get(register, 0), rank)

    def accumulate_args(self) -> tuple[dict[str, int], dict[str, int]]:
        add = {"invocations": self.invocations, "errors": self.errors, "refused": self.refused}
        add.update({f"latency.b{b}": n for b, n in self.latency.items()})
        maximum = {"last_used_ms": self.last_used_ms}
        maximum.update({f"callers.r{r}": rank for r, rank in self.callers.items()})
        return add, maximum

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> DayCounts:
        return cls(
            invocations=int(doc.get("invocations", 0)),
            errors=int(doc.get("errors", 0)),
            refused=int(doc.get("refused", 0)),
            last_used_ms=int(doc.get("last_used_ms", 0)),
            latency={int(k[1:]): int(v) for k, v in dict(doc.get("latency") or {}).items()},
            callers={int(k[1:]): int(v) for k, v in dict(doc.get("callers") or {}).items()},
        )


class UsageRecorder:
    """Records runs per servable version and day (see the module doc).

    Args:
        docs: the document store (SQLite embedded, MongoDB distributed).
        settings: ``usage`` settings.
        writer: this replica's id (documents of its own); default random.
    """

    def __init__(
        self, docs: DocumentStore, settings: UsageSettings | None = None, *, writer: str = ""
    ) -> None:
        self.docs = docs
        self.settings = settings or UsageSettings()
        self.writer = writer or secrets.token_hex(6)
        self._salt = b""
        self._pending: dict[DayKey, DayCounts] = {}
        # every run records: the day of the last one (its first ns, the day) and
        # each caller's (register, rank) are remembered rather than recomputed
        self._day: tuple[int, str] = (-1, "")
        self._registers: dict[str | None, tuple[int, int]] = {}
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    async def start(self) -> None:
        if not self.enabled or self._task is not None:
            return
        await self.docs.ensure_index(COLLECTION, ["owner", "name", "version"])
        self._salt = await self._load_salt()
        self._registers.clear()  # they were hashed under the salt
        self._task = asyncio.create_task(self._flush_loop(), name="tm-usage-flush")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.enabled and self._salt:
            await self.flush()

    # ------------------------------------------------------------ record

    def ran(
        self,
        servable: Mapping[str, Any],
        caller: str | None,
        *,
        ok: bool,
        latency_ms: float,
        now_ns: int | None = None,
    ) -> None:
        """Count one finished run (a result, or an answer from the result cache).

        Args:
            servable: ``{owner, name, version}``.
            caller: the user name, None for an anonymous caller.
            ok: whether it succeeded.
            latency_ms: from acceptance to result.
            now_ns: when it finished (Unix ns); default now.
        """
        delta = self._delta(servable, caller, now_ns)
        if delta is None:
            return
        if not ok:
            delta.errors += 1
        bucket = sketch.latency_bucket(latency_ms)
        delta.latency[bucket] = delta.latency.get(bucket, 0) + 1

    def refused(self, servable: Mapping[str, Any], caller: str | None) -> None:
        """Count one run refused in validation (an error, with no latency)."""
        delta = self._delta(servable, caller, None)
        if delta is not None:
            delta.errors += 1
            delta.refused += 1

    def _delta(
        self, servable: Mapping[str, Any], caller: str | None, now_ns: int | None
    ) -> DayCounts | None:
        if not self._salt:  # disabled, or not started
            return None
        now = time.time_ns() if now_ns is None else now_ns
        key = (
            str(servable["owner"]),
            str(servable["name"]),
            int(servable["version"]),
            self._utc_day(now),
        )
        delta = self._pending.get(key)
        if delta is None:
            delta = self._pending[key] = DayCounts()
        delta.invocations += 1
        delta.last_used_ms = max(delta.last_used_ms, now // 1_000_000)
        register, rank = self._register(caller or None)
        delta.callers[register] = max(delta.callers.get(register, 0), rank)
        return delta

    def _utc_day(self, now_ns: int) -> str:
        start, day = self._day
        if not 0 <= now_ns - start < DAY_NS:
            start = now_ns - now_ns % DAY_NS  # UTC days are whole multiples of DAY_NS
            day = utc_day(start)
            self._day = (start, day)
        return day

    def _register(self, caller: str | None) -> tuple[int, int]:
        found = self._registers.get(caller)
        if found is None:
            if len(self._registers) >= CALLERS_KEPT:
                self._registers.clear()
            found = self._registers[caller] = sketch.caller_register(self._salt, caller)
        return found

    # ------------------------------------------------------------ write

    async def flush(self) -> None:
        """Write every gathered delta; failed ones stay for the next flush."""
        async with self._lock:
            pending, self._pending = self._pending, {}
            for key, delta in pending.items():
                owner, name, version, day = key
                add, maximum = delta.accumulate_args()
                try:
                    await self.docs.accumulate(
                        COLLECTION,
                        f"{owner}/{name}/{version}/{day}/{self.writer}",
                        fixed={
                            "owner": owner,
                            "name": name,
                            "version": version,
                            "day": day,
                            "writer": self.writer,
                        },
                        add=add,
                        maximum=maximum,
                    )
                except Exception as exc:  # the store may be away: keep it for next time
                    log.warning("usage statistics of %s/%s not written yet: %r", owner, name, exc)
                    self._pending.setdefault(key, DayCounts()).merge(delta)

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.flush_interval_s)
            await self.flush()

    async def _load_salt(self) -> bytes:
        if self.settings.salt is not None:
            text = self.settings.salt.get_secret_value()
        else:
            found = await self.docs.get(META, "salt")
            if found is None:
                with contextlib.suppress(AlreadyExists):  # another replica made it first
                    await self.docs.insert(META, "salt", {"salt": secrets.token_hex(32)})
                found = await self.docs.get(META, "salt")
            text = str((found or {})["salt"])
        return hashlib.sha256(text.encode()).digest()

    # ------------------------------------------------------------ read

    async def days(
        self, owner: str, name: str, versions: Iterable[int], since_day: str
    ) -> dict[tuple[int, str], DayCounts]:
        """Stored days (plus this replica's unwritten counts) of these versions
        from ``since_day`` on, by (version, day)."""
        wanted = set(versions)
        out: dict[tuple[int, str], DayCounts] = {}
        docs: list[Document] = []
        # not during a flush: what it took from pending may not be written yet
        async with self._lock:
            if self.enabled:
                docs = await self.docs.find(COLLECTION, {"owner": owner, "name": name})
            pending = list(self._pending.items())
        for doc in docs:
            version, day = int(doc["version"]), str(doc["day"])
            if version in wanted and day >= since_day:  # every writer's share
                out.setdefault((version, day), DayCounts()).merge(DayCounts.from_doc(doc))
        for (o, n, version, day), delta in pending:
            if o == owner and n == name and version in wanted and day >= since_day:
                out.setdefault((version, day), DayCounts()).merge(delta)
        return out
