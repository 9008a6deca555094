"""Scoring servables on benchmarks, and leaderboards (docs/benchmarks.md).

Everything is looked up through the registry as the caller: a benchmark or a
servable the caller may not see is NOT_FOUND, ``--all`` lists only what the
caller may see, and a leaderboard shows only the scores of servables the
caller may see (ranked among those, so hidden entries leave no trace).

Scoring is synchronous and bounded: the call's ``timeout_s`` (default
``DEFAULT_TIMEOUT_S``) is the deadline of every run it makes.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cachetools import LRUCache

from dlhub_common import benchmark_data
from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.benchmark_data import BenchmarkData
from dlhub_common.benchmark_spec import BENCHMARK_TYPE, BenchmarkSpec
from dlhub_common.errors import (
    DeadlineExceeded,
    DLHubError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Unauthenticated,
)
from dlhub_common.identity import Principal
from dlhub_common.metadata import Metadata, validate_metadata
from dlhub_common.names import Ref
from dlhub_common.records import WITHDRAWN
from dlhub_taskmanager.benchmarks.fit import fit_problems
from dlhub_taskmanager.benchmarks.scores import Scores, score_id
from dlhub_taskmanager.benchmarks.scoring import Target, predictions, score_of

if TYPE_CHECKING:
    from dlhub_taskmanager.core import TaskManager

DEFAULT_TIMEOUT_S = 600.0
DEFAULT_LEADERBOARD = 100
MAX_LEADERBOARD = 1000
# Parsed data sets kept, by benchmark digest.
DATA_CACHE_ENTRIES = 8
LIST_PAGE = 1000


@dataclass(frozen=True)
class Bench:
    """A benchmark version as the caller sees it."""

    summary: types_pb2.ServableSummary
    metadata: Metadata
    spec: BenchmarkSpec
    data: BenchmarkData

    @property
    def ref(self) -> Ref:
        return Ref(self.summary.owner, self.summary.name, int(self.summary.version))


@dataclass
class Outcome:
    """One servable's result: a score (new or stored), or why it has none."""

    ref: Ref
    summary: types_pb2.ServableSummary | None = None
    score: dict[str, Any] | None = None
    already_scored: bool = False
    error: DLHubError | None = None


@dataclass
class Scored:
    bench: Bench
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: list[tuple[Ref, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Leaderboard:
    bench: Bench
    entries: list[tuple[dict[str, Any], types_pb2.ServableSummary]]


def _now_iso() -> str:
    now = time.time()
    ms = int(now * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{ms:03d}Z"


def _ref_of(summary: types_pb2.ServableSummary) -> Ref:
    return Ref(summary.owner, summary.name, int(summary.version))


def _brief(ref: Ref, digest: str) -> dict[str, Any]:
    return {"owner": ref.owner, "name": ref.name, "version": ref.version, "digest": digest}


class Benchmarks:
    """Scores and leaderboards over one task manager (its ``submit`` runs everything)."""

    def __init__(self, tm: TaskManager) -> None:
        self.tm = tm
        self.scores = Scores(tm.docs)
        self._data: LRUCache[str, BenchmarkData] = LRUCache(maxsize=DATA_CACHE_ENTRIES)
        # one scoring of a digest pair at a time in this process; the unique
        # key settles races between replicas
        self._locks: dict[str, asyncio.Lock] = {}

    async def start(self) -> None:
        await self.scores.start()

    # ------------------------------------------------------------ look-ups

    async def _get(self, ref: Ref) -> registry_pb2.GetServableResponse:
        """The registry's answer as the current caller (NotFound when invisible)."""
        return await self.tm.resolver.cached.get_servable(
            registry_pb2.GetServableRequest(
                ref=types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version)
            )
        )

    async def benchmark(self, ref: Ref) -> Bench:
        """The benchmark ``ref`` names, with its data set.

        Raises:
            NotFound: no such servable, or the caller may not see it.
            InvalidArgument: it is not a benchmark.
            FailedPrecondition: it is withdrawn.
        """
        resp = await self._get(ref)
        summary = resp.servable.summary
        metadata = validate_metadata(json.loads(resp.servable.metadata_json))
        if metadata.servable.type != BENCHMARK_TYPE:
            raise InvalidArgument(
                f"{_ref_of(summary)} is not a benchmark (it is a {metadata.servable.type}"
                " servable)",
                details={"field": "benchmark"},
            )
        if summary.state == WITHDRAWN:
            raise FailedPrecondition(
                f"benchmark {_ref_of(summary)} is withdrawn: {summary.state_reason}"
            )
        assert metadata.servable.benchmark is not None
        data = self._data.get(summary.digest)
        if data is None:
            data = await self._load(resp)
            self._data[summary.digest] = data
        return Bench(summary, metadata, metadata.servable.benchmark, data)

    async def _load(self, resp: registry_pb2.GetServableResponse) -> BenchmarkData:
        keys = {a.path: a.object_key for a in resp.artifacts}
        kind = benchmark_data.kind_of(keys)
        raw = {}
        for path in benchmark_data.FILES[kind]:
            raw[path] = b"".join([c async for c in self.tm.objects.open(keys[path])])
        return benchmark_data.parse(raw)

    async def _visible_latest(self) -> list[types_pb2.ServableSummary]:
        """The latest version of every servable the caller may see."""
        out: list[types_pb2.ServableSummary] = []
        token = ""
        while True:
            page = await self.tm.registry.list_servables(
                registry_pb2.ListServablesRequest(page_size=LIST_PAGE, page_token=token)
            )
            out.extend(page.servables)
            token = page.next_page_token
            if not token:
                return out

    # ------------------------------------------------------------ scoring

    async def score(
        self,
        principal: Principal,
        bench_ref: Ref,
        servable: Ref | None,
        *,
        all_servables: bool,
        timeout_s: float,
    ) -> Scored:
        """Score one servable, or (``all_servables``) every visible one that fits.

        Raises:
            Unauthenticated: an anonymous caller.
            NotFound: the benchmark, or the one servable, is not visible to the caller.
            InvalidArgument: neither or both of a servable and ``all``; the one
                servable's signature does not fit (naming the mismatch).
            DLHubError: the one servable's runs or score failed.
        """
        if principal.anonymous:
            raise Unauthenticated(
                "scoring needs a token (scores are stored with who scored them):"
                " pass --token or set DLHUB_TOKEN"
            )
        if (servable is None) == (not all_servables):
            raise InvalidArgument("name a servable to score, or set all (not both)")
        deadline = time.monotonic() + (timeout_s or DEFAULT_TIMEOUT_S)
        bench = await self.benchmark(bench_ref)
        result = Scored(bench)
        if servable is not None:
            resp = await self._get(servable)
            outcome = await self._score_one(principal, bench, resp, deadline, strict=True)
            result.outcomes.append(outcome)
            return result
        for summary in await self._visible_latest():
            ref = _ref_of(summary)
            if summary.servable_type == BENCHMARK_TYPE or summary.state == WITHDRAWN:
                continue
            try:
                resp = await self._get(ref)
            except NotFound:  # changed since it was listed
                continue
            try:
                outcome = await self._score_one(principal, bench, resp, deadline, strict=False)
            except _Unfit as unfit:
                result.skipped.append((ref, unfit.reason))
                continue
            result.outcomes.append(outcome)
        return result

    async def _score_one(
        self,
        principal: Principal,
        bench: Bench,
        resp: registry_pb2.GetServableResponse,
        deadline: float,
        *,
        strict: bool,
    ) -> Outcome:
        summary = resp.servable.summary
        ref = _ref_of(summary)
        model = validate_metadata(json.loads(resp.servable.metadata_json))
        problems, names, output = fit_problems(bench.spec, bench.metadata, model, bench.data)
        if problems:
            reason = "; ".join(problems)
            if not strict:
                raise _Unfit(reason)
            raise InvalidArgument(
                f"{ref} does not fit benchmark {bench.ref}: {reason}",
                details={"field": "servable", "problems": problems},
            )
        outcome = Outcome(ref, summary)
        pair = score_id(bench.summary.digest, summary.digest)
        lock = self._locks.setdefault(pair, asyncio.Lock())
        try:
            async with lock:
                stored = await self.scores.get(bench.summary.digest, summary.digest)
                if stored is not None:
                    outcome.score, outcome.already_scored = stored, True
                    return outcome
                score = await self._run(
                    principal, bench, ref, summary.digest, names, output, deadline
                )
                outcome.score, outcome.already_scored = await self.scores.insert(score)
        except DLHubError as exc:
            if strict:
                raise
            outcome.error = exc
        except TimeoutError:
            error = DeadlineExceeded(f"scoring {ref} ran out of time")
            if strict:
                raise error from None
            outcome.error = error
        finally:
            if not lock.locked():
                self._locks.pop(pair, None)
        return outcome

    async def _run(
        self,
        principal: Principal,
        bench: Bench,
        ref: Ref,
        digest: str,
        names: dict[str, str],
        output: str,
        deadline: float,
    ) -> dict[str, Any]:
        t0 = time.perf_counter()
        target = Target(ref, names, output)
        predicted, batches = await predictions(
            self.tm, principal, target, bench.data, bench.spec.batch_size, deadline
        )
        value = await score_of(
            self.tm, principal, bench.spec, bench.data.references, predicted, ref, deadline
        )
        return {
            "benchmark": _brief(bench.ref, bench.summary.digest),
            "servable": _brief(ref, digest),
            "metric": bench.spec.metric_name,
            "higher_is_better": bench.spec.higher_is_better,
            "value": value,
            "examples": len(bench.data),
            "output": output,
            "batch_size": bench.spec.batch_size,
            "batches": batches,
            "scored_at": _now_iso(),
            "scored_by": principal.username or "",
            "elapsed_ms": (time.perf_counter() - t0) * 1e3,
        }

    # ------------------------------------------------------------ leaderboard

    async def leaderboard(self, bench_ref: Ref, limit: int) -> Leaderboard:
        """The benchmark version's scores, best first, of servables the caller may see.

        Raises:
            NotFound: the benchmark is not visible to the caller.
            InvalidArgument: it is not a benchmark; a limit out of range.
        """
        if not 0 <= limit <= MAX_LEADERBOARD:
            raise InvalidArgument(
                f"limit {limit} is out of range: 0..{MAX_LEADERBOARD}", details={"field": "limit"}
            )
        bench = await self.benchmark(bench_ref)
        shown: list[tuple[dict[str, Any], types_pb2.ServableSummary]] = []
        for score in await self.scores.of_benchmark(bench.summary.digest):
            s = score["servable"]
            try:
                resp = await self._get(Ref(s["owner"], s["name"], int(s["version"])))
            except NotFound:  # not the caller's to see: no trace of it
                continue
            if resp.servable.summary.digest == s["digest"]:
                shown.append((score, resp.servable.summary))
        sign = -1.0 if bench.spec.higher_is_better else 1.0
        shown.sort(key=lambda e: (sign * float(e[0]["value"]), e[0]["scored_at"]))
        return Leaderboard(bench, shown[: limit or DEFAULT_LEADERBOARD])


class _Unfit(Exception):
    """A servable ``--all`` skips: its signature does not fit."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
