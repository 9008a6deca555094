"""The result cache (memoization): identical runs answered without an executor.

A result is keyed by the servable's digest (exact bytes of model and
metadata), the canonical bytes of its inputs (name, datatype, shape and raw
data of every tensor, sorted by name; or the canonical JSON value) and the
requested outputs. Only successful results are cached.

Two tiers:

* ``memory``: an in-process LRU bounded by bytes, with a TTL
  (``cachetools.TTLCache`` sized by the length of each value);
* ``documents``: the memory tier in front of a collection in the document
  store, so every task-manager replica shares what any of them computed. In
  distributed mode that store is MongoDB, which the deployment already runs
  and replicates; a separate cache server (Redis, memcached) would be one
  more engine to operate for a cache whose entries are written once and
  never updated. Entries carry their expiry time and are removed by a
  periodic sweep (FerretDB has no TTL indexes, so none is relied on).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Sequence

from cachetools import TTLCache

from dlhub_common._proto.dlhub.v1 import types_pb2
from dlhub_common.errors import DLHubError
from dlhub_common.ports.documents import DocumentStore

log = logging.getLogger("dlhub.taskmanager")

COLLECTION = "result_cache"
# One result larger than this fraction of the memory bound is not cached.
LARGEST_SHARE = 8


def cache_key(
    digest: str,
    inputs: Sequence[types_pb2.Tensor],
    inputs_json: str,
    outputs: Sequence[str],
) -> str:
    """A hex sha256 over everything that decides the result."""
    h = hashlib.sha256()
    h.update(digest.encode())
    h.update(b"\0outputs\0" + "\0".join(sorted(outputs)).encode())
    if inputs_json:
        canonical = json.dumps(
            json.loads(inputs_json), sort_keys=True, separators=(",", ":"), allow_nan=True
        )
        h.update(b"\0json\0" + canonical.encode())
    for t in sorted(inputs, key=lambda t: t.name):
        h.update(b"\0tensor\0" + t.name.encode() + b"\0" + t.datatype.encode())
        h.update(b"\0" + ",".join(str(d) for d in t.shape).encode() + b"\0")
        h.update(len(t.data).to_bytes(8, "little"))
        h.update(t.data)
    return h.hexdigest()


class ResultCache:
    """Successful results by cache key (``WorkResult`` bytes).

    Args:
        max_bytes: bound on the memory tier; 0 disables caching.
        ttl_s: how long an entry is served.
        docs: the shared tier, or None for memory only.
        sweep_interval_s: how often expired shared entries are removed.
    """

    def __init__(
        self,
        max_bytes: int,
        ttl_s: float,
        docs: DocumentStore | None = None,
        *,
        sweep_interval_s: float = 60.0,
    ) -> None:
        self.max_bytes = max_bytes
        self.ttl_s = ttl_s
        self.docs = docs
        self.sweep_interval_s = sweep_interval_s
        self._memory: TTLCache[str, bytes] = TTLCache(
            maxsize=max(1, max_bytes), ttl=ttl_s, getsizeof=len
        )
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    async def start(self) -> None:
        if self.docs is not None and self._sweeper is None:
            await self.docs.ensure_index(COLLECTION, ["expires_ns"])
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="result-cache-sweep")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    def _fits(self, value: bytes) -> bool:
        return self.enabled and len(value) <= self.max_bytes // LARGEST_SHARE

    async def get(self, key: str) -> bytes | None:
        """The cached result, or None. A shared-tier failure counts as a miss."""
        value = self._memory.get(key)
        if value is None and self.docs is not None:
            try:
                doc = await self.docs.get(COLLECTION, key)
            except DLHubError as exc:
                log.warning("result cache unavailable (%s); running the model", exc.message)
                doc = None
            if doc is not None and int(doc.get("expires_ns", 0)) > time.time_ns():
                value = base64.b64decode(doc["value_b64"])
                if self._fits(value):
                    self._memory[key] = value
        return value

    async def put(self, key: str, value: bytes) -> None:
        """Cache one successful result; too large ones are skipped."""
        if not self._fits(value):
            return
        self._memory[key] = value
        if self.docs is None:
            return
        doc = {
            "key": key,
            "value_b64": base64.b64encode(value).decode(),
            "expires_ns": time.time_ns() + int(self.ttl_s * 1e9),
        }
        try:  # replaces an expired entry (or another replica's identical one)
            await self.docs.put(COLLECTION, key, doc)
        except DLHubError as exc:
            log.warning("result cache unavailable (%s); result not shared", exc.message)

    async def sweep(self) -> int:
        """Remove expired shared entries; returns how many."""
        if self.docs is None:
            return 0
        removed = 0
        now = time.time_ns()
        while True:
            page = await self.docs.find(COLLECTION, sort=[("expires_ns", 1)], limit=200)
            expired = [d for d in page if int(d.get("expires_ns", 0)) <= now]
            for doc in expired:
                if await self.docs.delete(COLLECTION, str(doc["key"])):
                    removed += 1
            if len(expired) < len(page) or not page:
                return removed

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_interval_s)
            try:
                await self.sweep()
            except DLHubError as exc:
                log.warning("result cache sweep failed (%s)", exc.message)
