"""Assembling the executor service."""

from __future__ import annotations

from dlhub_common.runtime import Backends
from dlhub_executor.core import Executor


async def create(backends: Backends) -> Executor:
    settings = backends.settings
    opts = settings.executor_options
    cache = opts.cache_dir or backends.data_dir / "executor"
    cache.mkdir(parents=True, exist_ok=True)
    executor = Executor(
        await backends.bus(),
        await backends.objects(),
        cache,
        concurrency=opts.concurrency,
        intra_op_threads=opts.intra_op_threads,
        call_timeout_s=opts.call_timeout_s,
        env_dir=opts.env_dir or cache / "envs",
        servables=opts.servables,
        idle_unload_s=opts.idle_unload_s,
    )
    await executor.start()
    return executor
