"""Executor core: take work items off the bus, run them, report results.

A work item is acknowledged only after its result is published, so a crash
mid-task leads to redelivery, never to a lost task. At most ``concurrency``
tasks run at once (backpressure: the consumer waits for a free slot).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2, types_pb2
from dlhub_common.codec import array_to_tensor, tensor_to_array
from dlhub_common.errors import DeadlineExceeded, DLHubError, InternalError
from dlhub_common.metadata import TENSOR_SERVABLE_TYPES
from dlhub_common.ports import Delivery, EventBus, ObjectStore
from dlhub_common.retry import retrying
from dlhub_common.telemetry import TASK_COMPUTE
from dlhub_common.topics import EXECUTORS_GROUP, RESULTS, TASKS
from dlhub_common.tracing import (
    SpanKind,
    Status,
    StatusCode,
    context_from_headers,
    headers_with_context,
    tracer,
)
from dlhub_executor.control import ExecutorControl
from dlhub_executor.models import ModelCache
from dlhub_executor.runners.deadline import in_thread, run_deadline

log = logging.getLogger("dlhub.executor")

# Runs shorter than this (the last time) stay on the event loop.
INLINE_BELOW_NS = 200_000


class Executor:
    def __init__(
        self,
        bus: EventBus,
        objects: ObjectStore,
        cache_dir: Path,
        *,
        concurrency: int = 4,
        intra_op_threads: int = 0,
        call_timeout_s: float = 60.0,
        env_dir: Path | None = None,
        executor_id: str | None = None,
        group: str = EXECUTORS_GROUP,
    ) -> None:
        self.bus = bus
        self.executor_id = executor_id or f"{os.uname().nodename}-{uuid.uuid4().hex[:8]}"
        self.group = group
        tensor = {"intra_op_threads": intra_op_threads}
        json_env = {"env_dir": env_dir or cache_dir / "envs", "call_timeout_s": call_timeout_s}
        self.models = ModelCache(
            objects,
            cache_dir,
            runner_options={
                "onnx": tensor,
                "torchscript": tensor,
                "torch_export": tensor,
                "python": json_env,
                "sklearn": json_env,
            },
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._inline: dict[str, bool] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._consumer: asyncio.Task[None] | None = None
        self.control = ExecutorControl(bus, self.executor_id)  # task control: cancels

    async def start(self) -> None:
        await self.control.start()  # task control: before any work is taken
        sub = self.bus.subscribe([TASKS], self.group)
        await sub.start()
        self._consumer = asyncio.create_task(self._consume(sub), name="executor-consumer")

    async def stop(self, grace: float = 10.0) -> None:
        """Stop taking work, let running tasks finish for ``grace`` seconds."""
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
            self._consumer = None
        if self._running:
            _, pending = await asyncio.wait(self._running, timeout=grace)
            for task in pending:
                task.cancel()
        await self.control.stop()  # task control
        self.models.close()

    async def _consume(self, sub: Any) -> None:
        try:
            async for delivery in sub:
                await self._slots.acquire()
                task = asyncio.create_task(self._handle(delivery))
                self._running.add(task)
                task.add_done_callback(self._done)
        finally:
            await sub.close()

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._slots.release()
        if not task.cancelled() and task.exception() is not None:
            log.error("task handler failed", exc_info=task.exception())

    async def _handle(self, delivery: Delivery) -> None:
        try:
            item = bus_pb2.WorkItem.FromString(delivery.value)
        except Exception:
            log.error("dropping an undecodable work item (%d bytes)", len(delivery.value))
            await delivery.ack()
            return
        if self.control.is_cancelled(item.task_id):  # task control: never runs
            await delivery.ack()
            return
        parent = context_from_headers(delivery.headers)
        with tracer.start_as_current_span(
            "execute", context=parent, kind=SpanKind.CONSUMER
        ) as span:
            span.set_attribute("dlhub.task_id", item.task_id)
            span.set_attribute("dlhub.servable", f"{item.servable.owner}/{item.servable.name}")
            span.set_attribute("dlhub.version", item.servable.version)
            result = await self.execute(item)
            if not result.ok:
                span.set_status(Status(StatusCode.ERROR, result.error.code))
            headers = headers_with_context()
        if self.control.is_cancelled(item.task_id):  # task control: result discarded
            await delivery.ack()
            return
        payload = result.SerializeToString()
        # the result must reach the bus before the work item is acked
        async for attempt in retrying(f"publish result of {item.task_id}"):
            with attempt:
                await self.bus.publish(RESULTS, payload, key=item.task_id, headers=headers)
        await delivery.ack()

    async def execute(self, item: bus_pb2.WorkItem) -> bus_pb2.WorkResult:
        """Run one work item; errors become a failed WorkResult."""
        started = time.time_ns()
        result = bus_pb2.WorkResult(
            task_id=item.task_id, executor_id=self.executor_id, started_unix_ns=started
        )
        try:
            if item.deadline_unix_ns and started > item.deadline_unix_ns:
                raise DeadlineExceeded(
                    "the task waited in the queue past its deadline (its timeout_s); not run"
                )
            model = await self.models.get(item)
            if item.servable_type not in TENSOR_SERVABLE_TYPES:
                # one JSON value in, one out; the runner enforces the call timeout
                t0 = time.perf_counter_ns()
                # task control: waited for until the deadline
                output_json = await in_thread(
                    item.deadline_unix_ns, model.run_json, item.inputs_json
                )
                compute = time.perf_counter_ns() - t0
                TASK_COMPUTE.observe(compute / 1e9)
                result.ok = True
                result.compute_ns = compute
                result.output_json = output_json
                result.finished_unix_ns = time.time_ns()
                return result
            inputs = {t.name: tensor_to_array(t) for t in item.inputs}
            t0 = time.perf_counter_ns()
            if self._inline.get(item.digest, False):
                with run_deadline(item.deadline_unix_ns):  # task control: time limit
                    outputs = model.run(inputs, list(item.outputs))
            else:  # task control: waited for until the deadline (ONNX: stopped there)
                outputs = await in_thread(
                    item.deadline_unix_ns, model.run, inputs, list(item.outputs)
                )
            compute = time.perf_counter_ns() - t0
            # A model whose last run took microseconds runs on the event loop:
            # the hop to a worker thread would cost more than the model.
            self._inline[item.digest] = compute < INLINE_BELOW_NS
            TASK_COMPUTE.observe(compute / 1e9)
            result.ok = True
            result.compute_ns = compute
            result.outputs.extend(array_to_tensor(n, a) for n, a in outputs.items())
        except DLHubError as exc:
            result.ok = False
            result.error.CopyFrom(_error_info(exc))
        except Exception:
            log.exception("task %s failed", item.task_id)
            result.ok = False
            result.error.CopyFrom(_error_info(InternalError("the executor failed; see its log")))
        result.finished_unix_ns = time.time_ns()
        return result


def _error_info(exc: DLHubError) -> types_pb2.ErrorInfo:
    return types_pb2.ErrorInfo(
        code=exc.code.value,
        message=exc.message,
        details_json=json.dumps(exc.details),
        retryable=exc.retryable,
    )
