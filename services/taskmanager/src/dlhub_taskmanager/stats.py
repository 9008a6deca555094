"""Inference statistics per servable version, kept by the task manager.

Counters live in memory and count since this task manager started (one
replica's share in distributed mode: each result is counted by the replica
that accepted its task). They are updated on the event loop only, so no lock
is needed.

Three entry points feed them:

* :meth:`ServableStats.record` when the result of a task this replica
  accepted arrives (``Recording._settle``, recording.py);
* :meth:`ServableStats.cache_hit` when the result cache answers a run without
  an executor, and :meth:`ServableStats.cache_miss` when it looked and missed.

Model calls: a batch of ``n`` requests produces ``n`` results, each carrying
``batch_size = n``. A call is counted once ``n`` results of that size have
been seen, so ``execution_count`` and ``batch_executions`` are exact once a
batch's results are all in (``results // n`` per size).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2, registry_pb2, tasks_pb2, types_pb2
from dlhub_common.apis import RegistryApi
from dlhub_common.errors import InvalidArgument
from dlhub_common.names import Ref, check_slug

Key = tuple[str, str, int]
# Servables per registry page when listing what the caller may see.
LIST_PAGE = 1000


@dataclass
class _Counters:
    success_count: int = 0
    failure_count: int = 0
    cache_hit_count: int = 0
    cache_miss_count: int = 0
    success_ns: int = 0
    failure_ns: int = 0
    queue_ns: int = 0
    compute_ns: int = 0
    cache_hit_ns: int = 0
    last_inference_ms: int = 0
    # results seen per batch size of the model call that produced them
    results_by_batch: dict[int, int] = field(default_factory=dict)

    def calls(self) -> dict[int, int]:
        return {n: seen // n for n, seen in self.results_by_batch.items() if seen // n}


def _key(servable: Ref | types_pb2.ServableRef | Mapping[str, Any]) -> Key:
    if isinstance(servable, Mapping):
        return (str(servable["owner"]), str(servable["name"]), int(servable["version"]))
    return (servable.owner, servable.name, int(servable.version))


class ServableStats:
    """Counts and durations per (owner, name, version)."""

    def __init__(self) -> None:
        self._by_key: dict[Key, _Counters] = {}

    def _counters(self, key: Key) -> _Counters:
        found = self._by_key.get(key)
        if found is None:
            found = self._by_key[key] = _Counters()
        return found

    def record(
        self, record: Mapping[str, Any], result: bus_pb2.WorkResult, now_ns: int | None = None
    ) -> None:
        """Count one recorded result.

        Args:
            record: the task record; uses ``servable`` ({owner, name, version})
                and ``created_ns`` (when the task was accepted).
            result: what the executor reported (``started_unix_ns``,
                ``compute_ns``, ``batch_size``; 0 reads as 1).
            now_ns: when the result was recorded (Unix ns); default now.
        """
        now = time.time_ns() if now_ns is None else now_ns
        created = int(record.get("created_ns") or now)
        c = self._counters(_key(record["servable"]))
        total = max(0, now - created)
        c.last_inference_ms = max(c.last_inference_ms, now // 1_000_000)
        if not result.ok:
            c.failure_count += 1
            c.failure_ns += total
            return
        c.success_count += 1
        c.success_ns += total
        if result.started_unix_ns:
            c.queue_ns += max(0, result.started_unix_ns - created)
        c.compute_ns += max(0, result.compute_ns)
        size = max(1, result.batch_size)
        c.results_by_batch[size] = c.results_by_batch.get(size, 0) + 1

    def cache_hit(self, ref: Ref | types_pb2.ServableRef, ns: int) -> None:
        """A run answered from the result cache in ``ns`` nanoseconds (a success)."""
        c = self._counters(_key(ref))
        c.cache_hit_count += 1
        c.cache_hit_ns += max(0, ns)
        c.success_count += 1
        c.success_ns += max(0, ns)
        c.last_inference_ms = max(c.last_inference_ms, time.time_ns() // 1_000_000)

    def cache_miss(self, ref: Ref | types_pb2.ServableRef) -> None:
        """A run looked in the result cache and went on to an executor."""
        self._counters(_key(ref)).cache_miss_count += 1

    def tracked(self) -> list[Key]:
        """Every (owner, name, version) with counters, sorted."""
        return sorted(self._by_key)

    def snapshot(self, key: Key) -> tasks_pb2.ModelStatistics:
        """The counters of one version (zeros when it never ran here)."""
        owner, name, version = key
        out = tasks_pb2.ModelStatistics(
            servable=types_pb2.ServableRef(owner=owner, name=name, version=version)
        )
        c = self._by_key.get(key)
        if c is None:
            return out
        calls = c.calls()
        out.inference_count = c.success_count
        out.execution_count = sum(calls.values())
        out.success_count = c.success_count
        out.failure_count = c.failure_count
        out.cache_hit_count = c.cache_hit_count
        out.cache_miss_count = c.cache_miss_count
        out.success_ns = c.success_ns
        out.queue_ns = c.queue_ns
        out.compute_ns = c.compute_ns
        out.failure_ns = c.failure_ns
        out.cache_hit_ns = c.cache_hit_ns
        out.last_inference_ms = c.last_inference_ms
        out.batch_executions.update(calls)
        return out

    def snapshots(self, keys: Iterable[Key]) -> list[tasks_pb2.ModelStatistics]:
        return [self.snapshot(k) for k in keys]


async def visible_statistics(
    stats: ServableStats, registry: RegistryApi, request: tasks_pb2.GetStatisticsRequest
) -> tasks_pb2.GetStatisticsResponse:
    """The statistics of ``request.servable`` (or of everything) the caller may see.

    Every version asked for is answered, with zeros where it never ran here.
    Visibility is the registry's: it is asked as the current caller, so a
    servable the caller may not see is NOT_FOUND when named, and absent from
    the full listing (every version the caller may see, by name and version).

    Raises:
        NotFound: the named servable or version does not exist for this caller.
        InvalidArgument: only one of owner and name is given.
    """
    ref = request.servable
    if bool(ref.owner) != bool(ref.name):
        raise InvalidArgument("statistics of one servable need its owner and its name")
    if ref.owner:
        check_slug("owner", ref.owner)
        check_slug("name", ref.name)
        found = await registry.get_servable(
            registry_pb2.GetServableRequest(
                ref=types_pb2.ServableRef(
                    owner=ref.owner, name=ref.name, version=max(0, ref.version)
                )
            )
        )
        summary = found.servable.summary
        versions = [summary.version] if ref.version > 0 else list(found.versions)
        keys = [(summary.owner, summary.name, int(v)) for v in versions]
    else:
        keys = sorted(await _visible_versions(registry))
    return tasks_pb2.GetStatisticsResponse(models=stats.snapshots(keys))


async def _visible_versions(registry: RegistryApi) -> set[Key]:
    out: set[Key] = set()
    token = ""
    while True:
        page = await registry.list_servables(
            registry_pb2.ListServablesRequest(
                page_size=LIST_PAGE, page_token=token, all_versions=True
            )
        )
        out.update((s.owner, s.name, int(s.version)) for s in page.servables)
        token = page.next_page_token
        if not token or not page.servables:
            return out
