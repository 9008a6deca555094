"""Fetch model bundles from the object store and keep them warm.

Each servable version (keyed by digest) is downloaded once into
``<cache_dir>/<digest>/`` and loaded once; concurrent first requests share
one load. Least-recently-used models are closed beyond ``max_models``.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections import OrderedDict
from pathlib import Path, PurePosixPath
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import FailedPrecondition
from dlhub_common.ports import ObjectStore
from dlhub_executor.interfaces import check_interface
from dlhub_executor.runners import RUNNERS, LoadedModel, ModelRunner

log = logging.getLogger("dlhub.executor")


class ModelCache:
    def __init__(
        self,
        objects: ObjectStore,
        cache_dir: Path,
        *,
        runner_options: dict[str, dict[str, Any]] | None = None,
        max_models: int = 32,
    ) -> None:
        self.objects = objects
        self.cache_dir = cache_dir
        self.runner_options = runner_options or {}
        self.max_models = max_models
        self._models: OrderedDict[str, LoadedModel] = OrderedDict()
        self._loading: dict[str, asyncio.Future[LoadedModel]] = {}
        self._runners: dict[str, ModelRunner] = {}

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
            fut.set_exception(exc)
            fut.exception()  # mark retrieved
            raise
        finally:
            self._loading.pop(key, None)
        fut.set_result(model)
        self._models[key] = model
        while len(self._models) > self.max_models:
            _, old = self._models.popitem(last=False)
            old.close()
        return model

    async def _load(self, item: bus_pb2.WorkItem) -> LoadedModel:
        runner = self.runner(item.servable_type)
        bundle = self.cache_dir / item.digest.replace(":", "-")
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
        return await asyncio.to_thread(runner.load_work, bundle, item)

    def close(self) -> None:
        for model in self._models.values():
            model.close()
        self._models.clear()
