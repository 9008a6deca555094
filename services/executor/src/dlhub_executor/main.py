"""Assembling the executor service."""

from __future__ import annotations

import asyncio

from dlhub_common.runtime import Backends
from dlhub_executor.core import Executor
from dlhub_executor.devices import check_device


async def create(backends: Backends) -> Executor:
    settings = backends.settings
    opts = settings.executor_options
    # a device the installed runtimes cannot use stops start-up, naming the setting
    await asyncio.to_thread(check_device, opts.device)
    cache = opts.cache_dir or backends.data_dir / "executor"
    cache.mkdir(parents=True, exist_ok=True)
    executor = Executor(
        await backends.bus(),
        await backends.objects(),
        cache,
        concurrency=opts.concurrency,
        intra_op_threads=opts.intra_op_threads,
        device=opts.device,
        call_timeout_s=opts.call_timeout_s,
        env_dir=opts.env_dir or cache / "envs",
    )
    await executor.start()
    return executor
