"""Assembling the executor service."""

from __future__ import annotations

import asyncio
import logging

from dlhub_common.runtime import Backends
from dlhub_executor.core import Executor
from dlhub_executor.devices import check_device
from dlhub_executor.staging import Stager
from dlhub_executor.staging.fetch_s3 import S3Source, s3_config
from dlhub_executor.training import LocalTrainer

log = logging.getLogger("dlhub.executor")


def create_trainer(backends: Backends) -> LocalTrainer:
    """The trainer retrain jobs use: this executor's environments, on this machine."""
    opts = backends.settings.executor_options
    cache = opts.cache_dir or backends.data_dir / "executor"
    return LocalTrainer(opts.env_dir or cache / "envs")


async def create(backends: Backends) -> Executor:
    settings = backends.settings
    opts = settings.executor_options
    # a device the installed runtimes cannot use stops start-up, naming the setting
    await asyncio.to_thread(check_device, opts.device)
    cache = opts.cache_dir or backends.data_dir / "executor"
    cache.mkdir(parents=True, exist_ok=True, mode=0o700)  # model files, private ones too
    if opts.idle_unload_s <= opts.call_timeout_s:
        log.warning(
            "executor_options.idle_unload_s (%gs) is not above call_timeout_s (%gs): a model"
            " may be unloaded during a long call",
            opts.idle_unload_s,
            opts.call_timeout_s,
        )
    executor = Executor(
        await backends.bus(),
        await backends.objects(),
        cache,
        concurrency=opts.concurrency,
        intra_op_threads=opts.intra_op_threads,
        device=opts.device,
        call_timeout_s=opts.call_timeout_s,
        env_dir=opts.env_dir or cache / "envs",
        servables=opts.servables,
        idle_unload_s=opts.idle_unload_s,
        workers=opts.workers,
        stager=Stager(
            settings.staging, cache, S3Source(s3_config(settings.staging.s3, settings.objects))
        ),
    )
    await executor.start()
    return executor
