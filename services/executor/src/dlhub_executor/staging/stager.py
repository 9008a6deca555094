"""Staging a work item's references into the staging cache, and decoding them.

Each reference is checked again here (scheme, hosts, resolved addresses), as
an executor never trusts that the task manager checked; downloads are
bounded per input (``staging.max_input_bytes``), per task
(``staging.max_task_bytes``) and in time (``staging.timeout_s``). The time a
work item spends here is its staging time (``WorkResult.staging_ns``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import DeadlineExceeded, ResourceExhausted
from dlhub_common.references import Reference, is_reference, needs_token, parse
from dlhub_common.staging_settings import StagingSettings
from dlhub_common.url_policy import UrlPolicy
from dlhub_executor.staging.cache import StagingCache
from dlhub_executor.staging.decode import decode_array, decode_json
from dlhub_executor.staging.fetch_globus import https_url
from dlhub_executor.staging.fetch_http import fetch_http
from dlhub_executor.staging.fetch_s3 import S3Source

log = logging.getLogger("dlhub.executor.staging")


@dataclass
class Staged:
    """What staging one work item did: its time, cache hits, and the files it holds."""

    ns: int = 0
    hits: int = 0
    bytes: int = 0
    paths: list[Path] = field(default_factory=list)


def has_references(item: bus_pb2.WorkItem) -> bool:
    if any(t.ref for t in item.inputs):
        return True
    return '"ref"' in item.inputs_json  # cheap test; the walk decides


class Stager:
    """Stages references for one executor.

    Args:
        settings: ``staging.*``.
        cache_dir: the executor cache dir (files go to ``<cache_dir>/staged``).
        s3: the S3 source for s3:// references and outputs.
    """

    def __init__(self, settings: StagingSettings, cache_dir: Path, s3: S3Source) -> None:
        self.settings = settings
        self.policy = UrlPolicy(settings)
        self.cache = StagingCache(cache_dir / "staged", settings.cache_bytes)
        self.s3 = s3
        self._http: httpx.AsyncClient | None = None
        self._locks: dict[str, asyncio.Lock] = {}

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                follow_redirects=False,  # each redirect is checked (fetch_http)
                timeout=httpx.Timeout(self.settings.timeout_s),
                trust_env=False,  # no proxy from the environment gets the caller's token
            )
        return self._http

    async def close(self) -> None:
        client, self._http = self._http, None
        if client is not None:
            await client.aclose()
        await self.s3.close()

    async def stage_tensors(self, item: bus_pb2.WorkItem, staged: Staged) -> dict[str, Any]:
        """The item's tensor inputs as arrays, staging those given by reference."""
        from dlhub_common.codec import tensor_to_array

        out: dict[str, Any] = {}
        for t in item.inputs:
            if not t.ref:
                out[t.name] = tensor_to_array(t)
                continue
            ref = parse(t.ref)
            path = await self._stage(ref, item.caller_token, staged)
            out[t.name] = decode_array(path, t.datatype, list(t.shape), ref.shown)
        return out

    async def stage_json(self, item: bus_pb2.WorkItem, staged: Staged) -> str:
        """The item's JSON input with every reference replaced by its staged value."""
        value = json.loads(item.inputs_json)

        async def walk(v: Any) -> Any:
            if is_reference(v):
                ref = parse(v["ref"])
                path = await self._stage(ref, item.caller_token, staged)
                return decode_json(path, v, ref.shown)
            if isinstance(v, list):
                return [await walk(x) for x in v]
            if isinstance(v, dict):
                return {k: await walk(x) for k, x in v.items()}
            return v

        return json.dumps(await walk(value))

    async def _stage(self, ref: Reference, token: str, staged: Staged) -> Path:
        t0 = time.perf_counter_ns()
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                path = await self._fetch(ref, token, staged)
        except TimeoutError:
            raise DeadlineExceeded(
                f"reference {ref.shown} did not download within {self.settings.timeout_s:g} s"
                " (staging.timeout_s)",
                details={"url": ref.shown},
            ) from None
        finally:
            staged.ns += time.perf_counter_ns() - t0
        staged.paths.append(path)
        return path

    async def _fetch(self, ref: Reference, token: str, staged: Staged) -> Path:
        await self.policy.check(ref)
        source = ref.url.split("?", 1)[0] if ref.scheme != "s3" else f"s3://{ref.host}{ref.path}"
        limit = min(self.settings.max_input_bytes, self.settings.max_task_bytes - staged.bytes)
        what = "input" if limit == self.settings.max_input_bytes else "task"
        lock = self._locks.setdefault(source, asyncio.Lock())
        async with lock:  # one download per source at a time: the second run hits
            cached = self.cache.lookup(source)
            tmp = self.cache.temp_path()
            try:
                if ref.scheme == "s3":
                    got = await self.s3.fetch(
                        ref, tmp, limit=limit, etag=cached.etag if cached else "", what=what
                    )
                else:
                    target, send = ref, needs_token(ref, self.settings.token_hosts)
                    if ref.scheme == "globus":
                        target = await https_url(ref, token, self.settings.timeout_s)
                        await self.policy.check(target)
                    got = await fetch_http(
                        self._client(),
                        self.policy,
                        target,
                        tmp,
                        limit=limit,
                        token=token if send else "",
                        etag=cached.etag if cached else "",
                        max_redirects=self.settings.max_redirects,
                        what=what,
                    )
                if got.not_modified and cached is not None:
                    staged.hits += 1
                    staged.bytes += cached.size
                    return self.cache.hit(cached)
                staged.bytes += got.size
                if staged.bytes > self.settings.max_task_bytes:
                    raise ResourceExhausted(
                        f"the task's references add up to more than"
                        f" {self.settings.max_task_bytes} bytes (staging.max_task_bytes)"
                    )
                return self.cache.store(source, got.etag, tmp).path
            finally:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
                if len(self._locks) > 4096:  # sources seen: keep the map bounded
                    for key in [k for k, v in self._locks.items() if not v.locked()]:
                        del self._locks[key]

    def release(self, staged: Staged) -> None:
        self.cache.release(staged.paths)
