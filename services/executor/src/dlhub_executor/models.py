"""Fetch model bundles from the object store and keep them warm.

Each servable version (keyed by digest) is downloaded once into
``<cache_dir>/<digest>/`` and loaded once; concurrent first requests share
one load, which ends with a warm-up run (dlhub_executor.warmup). Least-recently-used
models are closed beyond ``max_models``, and a model not asked for during
``idle_unload_s`` is closed by a periodic sweep (started with the first
request; every ``idle_unload_s / 4`` seconds, at most every 30 s), so an
executor that is handed a model once (every unpinned executor may be) does not
keep it for ever. The next request for it loads it again.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import FailedPrecondition
from dlhub_common.observability.executor_metrics import model_load, model_unload
from dlhub_common.observability.labels import UNKNOWN, servable_labels
from dlhub_common.ports import ObjectStore
from dlhub_executor.interfaces import check_interface
from dlhub_executor.runners import RUNNERS, LoadedModel, ModelRunner
from dlhub_executor.warmup import warm_up

log = logging.getLogger("dlhub.executor")


class ModelCache:
    def __init__(
        self,
        objects: ObjectStore,
        cache_dir: Path,
        *,
        runner_options: dict[str, dict[str, Any]] | None = None,
        max_models: int = 32,
        idle_unload_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.objects = objects
        self.cache_dir = cache_dir
        self.runner_options = runner_options or {}
        self.max_models = max_models
        self._models: OrderedDict[str, LoadedModel] = OrderedDict()
        self._loading: dict[str, asyncio.Future[LoadedModel]] = {}
        self._runners: dict[str, ModelRunner] = {}
        self.idle_unload_s = idle_unload_s
        self._clock = clock
        self._last_used: dict[str, float] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._labels: dict[str, tuple[str, str]] = {}  # digest -> metric labels

    def runner(self, servable_type: str) -> ModelRunner:
        if servable_type not in self._runners:
            target = RUNNERS.get(servable_type)
            if target is None:
                raise FailedPrecondition(
                    f"this executor cannot run servable type {servable_type!r}"
                )
            module, cls = target.split(":")
            factory = getattr(importlib.import_module(module), cls)
            self._runners[servable_type] = factory(**self.runner_options.get(servable_type, {}))
        return self._runners[servable_type]

    async def get(self, item: bus_pb2.WorkItem) -> LoadedModel:
        check_interface(item)  # before anything is downloaded or loaded
        key = item.digest
        self._last_used[key] = self._clock()
        self._start_sweeper()
        model = self._models.get(key)
        if model is not None:
            self._models.move_to_end(key)
            return model
        pending = self._loading.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        fut: asyncio.Future[LoadedModel] = asyncio.get_running_loop().create_future()
        self._loading[key] = fut
        try:
            model = await self._load(item)
        except BaseException as exc:
            model_load(item.servable, False)
            fut.set_exception(exc)
            fut.exception()  # mark retrieved
            raise
        finally:
            self._loading.pop(key, None)
        model_load(item.servable, True)
        self._labels[key] = servable_labels(item.servable)
        fut.set_result(model)
        self._models[key] = model
        while len(self._models) > self.max_models:
            old_key, old = self._models.popitem(last=False)
            self._last_used.pop(old_key, None)
            model_unload(self._labels.pop(old_key, (UNKNOWN, "")), "evicted")
            old.close()
        return model

    def unload_idle(self) -> list[str]:
        """Close every model not asked for during ``idle_unload_s``; returns their digests."""
        idle = self._take_idle()
        for _, model in idle:
            model.close()
        return [key for key, _ in idle]

    def _take_idle(self) -> list[tuple[str, LoadedModel]]:
        if self.idle_unload_s is None:
            return []
        cutoff = self._clock() - self.idle_unload_s
        idle = [k for k in self._models if self._last_used.get(k, cutoff) <= cutoff]
        for key in idle:
            self._last_used.pop(key, None)
            log.info("unloading %s: idle for %gs", key, self.idle_unload_s)
        for key in idle:
            model_unload(self._labels.pop(key, (UNKNOWN, "")), "idle")
        return [(key, self._models.pop(key)) for key in idle]

    def _start_sweeper(self) -> None:
        if self.idle_unload_s is None or self._sweeper is not None:
            return
        period = min(self.idle_unload_s / 4, 30.0)
        self._sweeper = asyncio.get_running_loop().create_task(
            self._sweep(period), name="executor-idle-unload"
        )

    async def _sweep(self, period: float) -> None:
        while True:
            await asyncio.sleep(period)
            for key, model in self._take_idle():
                try:  # closing may wait for a python worker: off the event loop
                    await asyncio.to_thread(model.close)
                except Exception:  # one model's close failing must not stop the sweep
                    log.exception("closing idle model %s failed", key)

    def bundle_dir(self, item: bus_pb2.WorkItem) -> Path:
        """Where the bundle of ``item``'s version is (or will be) downloaded."""
        return self.cache_dir / item.digest.replace(":", "-")

    async def _load(self, item: bus_pb2.WorkItem) -> LoadedModel:
        runner = self.runner(item.servable_type)
        bundle = self.bundle_dir(item)
        for art in item.artifacts:
            dest = bundle.joinpath(*PurePosixPath(art.path).parts)
            if not dest.exists() or dest.stat().st_size != art.size:
                dest.parent.mkdir(parents=True, exist_ok=True)
                await self.objects.download(art.object_key, dest)
        log.info(
            "loading %s/%s:%d (%s)",
            item.servable.owner,
            item.servable.name,
            item.servable.version,
            item.servable_type,
        )
        model = await asyncio.to_thread(runner.load_work, bundle, item)
        await asyncio.to_thread(warm_up, model, item)
        return model

    def close(self) -> None:
        sweeper, self._sweeper = self._sweeper, None
        if sweeper is not None:
            sweeper.cancel()
        for key, model in self._models.items():
            model_unload(self._labels.pop(key, (UNKNOWN, "")), "stopped")
            model.close()
        self._models.clear()
        self._last_used.clear()
