"""Model worker processes: tensor models run on every core of the machine.

One Python process runs one model call at a time on one core (its event loop
and the GIL); ONNX Runtime's intra-op threads help one big call, not many
concurrent ones. With ``executor_options.workers`` = N > 0 the executor keeps
N worker processes (``spawn``: no fork of a process with gRPC threads), each
loading, on first use, its own copy of the models it is handed from the
bundle folder the executor already downloaded, and the batch queue of a
model then runs up to N batches at once, one per worker.

Only models whose calls cost more CPU than ``POOL_ABOVE_NS`` go to the
workers: a call of a few microseconds costs less than the round trip to
another process (pickling the arrays both ways), so tiny models keep running
on the executor's event loop.

A worker that dies (killed, out of memory) fails the calls it had with
UNAVAILABLE; the pool is rebuilt for the next call.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import DLHubError, InternalError, Unavailable, error_from_code
from dlhub_executor.batching import run_batched
from dlhub_executor.runners import RUNNERS
from dlhub_executor.runners.base import Array

log = logging.getLogger("dlhub.executor")

# Calls that cost less CPU than this stay in the executor process.
POOL_ABOVE_NS = 1_000_000


@dataclass
class _Call:
    """What run_batched needs of one item, in a worker."""

    inputs: dict[str, Array]
    item: Any
    outputs: dict[str, Array] | None = None
    error: BaseException | None = None
    batch_size: int = 1


@dataclass
class CallResult:
    """One item's outcome, back from a worker (errors as code and message: picklable)."""

    outputs: dict[str, Array] | None
    error: tuple[str, str] | None
    batch_size: int


@dataclass
class _Outputs:
    outputs: list[str] = field(default_factory=list)


# -- inside a worker process -------------------------------------------------------

_options: dict[str, dict[str, Any]] = {}
_models: dict[str, Any] = {}


def _init(runner_options: dict[str, dict[str, Any]]) -> None:
    _options.update(runner_options)


def _model(item_bytes: bytes, bundle_dir: str) -> Any:
    item = bus_pb2.WorkItem.FromString(item_bytes)
    model = _models.get(item.digest)
    if model is None:
        module, cls = RUNNERS[item.servable_type].split(":")
        runner = getattr(importlib.import_module(module), cls)(
            **_options.get(item.servable_type, {})
        )
        model = _models[item.digest] = runner.load_work(Path(bundle_dir), item)
    return model


def run_groups(
    item_bytes: bytes, bundle_dir: str, groups: list[list[tuple[dict[str, Array], list[str]]]]
) -> tuple[int, list[list[CallResult]], int, int]:
    """Run item groups of one model (in a worker); returns (calls, results, cpu_ns, pid)."""
    model = _model(item_bytes, bundle_dir)
    c0 = time.thread_time_ns()
    calls = 0
    out: list[list[CallResult]] = []
    for group in groups:
        pending = [_Call(inputs, _Outputs(outputs)) for inputs, outputs in group]
        calls += run_batched(model, pending)  # type: ignore[arg-type]
        out.append(
            [
                CallResult(
                    p.outputs if p.error is None else None,
                    None if p.error is None else _error_of(p.error),
                    p.batch_size,
                )
                for p in pending
            ]
        )
    return calls, out, time.thread_time_ns() - c0, os.getpid()


def _error_of(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, DLHubError):
        return exc.code.value, exc.message
    log.error("model call failed in a worker", exc_info=exc)
    return InternalError("the executor failed; see its log").code.value, "the executor failed"


# -- in the executor -----------------------------------------------------------------


class WorkerPool:
    """``count`` spawned worker processes running tensor model calls.

    Args:
        count: how many worker processes.
        runner_options: the runners' options (each worker builds its runners).
    """

    def __init__(self, count: int, runner_options: dict[str, dict[str, Any]]) -> None:
        self.count = count
        self.runner_options = runner_options
        self._pool: ProcessPoolExecutor | None = None
        self.pids: set[int] = set()

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.count,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init,
                initargs=(self.runner_options,),
            )
        return self._pool

    async def run(
        self,
        item: bus_pb2.WorkItem,
        bundle_dir: Path,
        groups: list[list[tuple[dict[str, Array], list[str]]]],
        deadline_ns: int = 0,
    ) -> tuple[int, list[list[CallResult]], int]:
        """Run ``groups`` in a worker; returns (model calls, results per group, CPU ns per call).

        Raises:
            DeadlineExceeded: ``deadline_ns`` passed first (the worker finishes
                the call; its result is dropped).
            Unavailable: the worker died.
        """
        head = bus_pb2.WorkItem()
        head.CopyFrom(item)
        del head.inputs[:]  # the worker only needs to know which model
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            self._executor(), run_groups, head.SerializeToString(), str(bundle_dir), groups
        )
        try:
            if deadline_ns:
                left = max(0.0, (deadline_ns - time.time_ns()) / 1e9)
                calls, results, cpu_ns, pid = await asyncio.wait_for(future, left)
            else:
                calls, results, cpu_ns, pid = await future
        except TimeoutError:
            raise error_from_code(
                "DEADLINE_EXCEEDED",
                "the run did not finish by the task's deadline (its timeout_s);"
                " its result is discarded",
            ) from None
        except BrokenProcessPool:
            self._pool = None  # rebuilt for the next call
            raise Unavailable("a model worker process died during the call") from None
        self.pids.add(pid)
        return calls, results, cpu_ns // max(1, calls)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
