"""Executor core: take work items off the bus, run them, report results.

A work item is acknowledged only after its result is published, so a crash
mid-task leads to redelivery, never to a lost task.

Tensor work items go into one batch queue per model version (batching.py):
each queue runs one model call at a time, batching concurrent items when the
item carries a batching policy. At most ``max_inflight`` tensor items are
held unacknowledged (the consumer then waits). JSON-valued servables
(python, sklearn) run at most ``concurrency`` at once in their workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.codec import array_to_tensor, tensor_to_array
from dlhub_common.errors import DeadlineExceeded, DLHubError, InternalError
from dlhub_common.metadata import TENSOR_SERVABLE_TYPES
from dlhub_common.observability.executor_metrics import TASK_COMPUTE, observe_batch
from dlhub_common.ports import Delivery, EventBus, ObjectStore
from dlhub_common.retry import call_retrying
from dlhub_common.topics import EXECUTORS_GROUP, RESULTS
from dlhub_common.tracing import SpanKind, headers_with_context, use_span
from dlhub_executor import spans
from dlhub_executor.batch_serving import error_info as _error_info
from dlhub_executor.batch_serving import serve_batch
from dlhub_executor.batching import BatchQueue, Pending
from dlhub_executor.control import ExecutorControl
from dlhub_executor.inline import inline_deadline, may_inline, stopped_by_budget
from dlhub_executor.models import ModelCache
from dlhub_executor.pinning import Announcer, subscriptions
from dlhub_executor.runners.base import LoadedModel
from dlhub_executor.runners.deadline import in_thread, run_deadline
from dlhub_executor.running import RunningCalls
from dlhub_executor.staging import Staged, Stager, has_references
from dlhub_executor.staging.outputs import write_json, write_tensors
from dlhub_executor.workers import WorkerPool

log = logging.getLogger("dlhub.executor")


class Executor:
    def __init__(
        self,
        bus: EventBus,
        objects: ObjectStore,
        cache_dir: Path,
        *,
        concurrency: int = 4,
        intra_op_threads: int = 0,
        device: str = "cpu",
        call_timeout_s: float = 60.0,
        env_dir: Path | None = None,
        executor_id: str | None = None,
        group: str = EXECUTORS_GROUP,
        max_inflight: int = 512,
        servables: Sequence[str] = (),
        idle_unload_s: float | None = None,
        workers: int = 0,
        stager: Stager | None = None,
    ) -> None:
        self.bus = bus
        self.stager = stager  # inputs and outputs by reference (staging/)
        self.executor_id = executor_id or f"{os.uname().nodename}-{uuid.uuid4().hex[:8]}"
        self.group = group
        tensor = {"intra_op_threads": intra_op_threads, "device": device}
        json_env = {"env_dir": env_dir or cache_dir / "envs", "call_timeout_s": call_timeout_s}
        self.models = ModelCache(
            objects,
            cache_dir,
            runner_options={
                "onnx": tensor,
                "torchscript": tensor,
                "torch_export": tensor,
                "keras": tensor,
                "python": json_env,
                "sklearn": json_env,
            },
            idle_unload_s=idle_unload_s,
        )
        # tensor model calls in worker processes (workers.py), each with its
        # share of the cores for ONNX Runtime / torch threads
        share = max(1, (os.cpu_count() or 1) // max(1, workers))
        pooled = {**tensor, "intra_op_threads": intra_op_threads or share}
        self.pool = (
            WorkerPool(workers, {k: pooled for k in TENSOR_SERVABLE_TYPES}) if workers > 0 else None
        )
        self._cpu_per_call: dict[str, int] = {}
        self._to_pool: dict[str, bool] = {}  # model calls go to the worker processes
        self.device = device
        self.servables = list(servables)
        self._announcer = Announcer(bus, self.executor_id, self.servables)
        self._slots = asyncio.Semaphore(concurrency)
        self._inflight = asyncio.Semaphore(max_inflight)
        self._queues: dict[str, BatchQueue] = {}
        self._inline: dict[str, bool] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._consumers: list[asyncio.Task[None]] = []
        self._staging: set[asyncio.Task[None]] = set()  # tensor items being staged
        self.control = ExecutorControl(bus, self.executor_id)  # task control: cancels
        # task control: a cancel stops the running call of its task (running.py)
        self.calls = RunningCalls(self.control.is_cancelled)
        self.control.listeners.append(self.calls.cancelled)

    async def start(self) -> None:
        await self.control.start()  # task control: before any work is taken
        for topics, group in subscriptions(self.servables, self.group):
            sub = self.bus.subscribe(topics, group)
            await sub.start()
            self._consumers.append(
                asyncio.create_task(self._consume(sub), name=f"executor-consumer-{group}")
            )
        await self._announcer.start()

    async def stop(self, grace: float = 10.0) -> None:
        """Stop taking work, let running tasks finish for ``grace`` seconds."""
        await self._announcer.stop()
        for consumer in self._consumers:
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer
        self._consumers = []
        for task in list(self._staging):  # not acked: redelivered
            task.cancel()
        await asyncio.gather(*self._staging, return_exceptions=True)
        queues, self._queues = self._queues, {}
        for queue in queues.values():
            for p in await queue.close():  # never-run items are redelivered (not acked)
                spans.end(p.span, redelivered=True)
        if self._running:
            _, pending = await asyncio.wait(self._running, timeout=grace)
            for task in pending:
                task.cancel()
        await self.control.stop()  # task control
        if self.pool is not None:
            self.pool.close()
        if self.stager is not None:
            await self.stager.close()
        self.models.close()

    async def _consume(self, sub: Any) -> None:
        try:
            async for delivery in sub:
                try:
                    item = bus_pb2.WorkItem.FromString(delivery.value)
                except Exception:
                    log.error("dropping an undecodable work item (%d bytes)", len(delivery.value))
                    await delivery.ack()
                    continue
                if self.control.is_cancelled(item.task_id):  # task control: never runs
                    await delivery.ack()
                    continue
                received = time.time_ns()  # its queue wait starts here
                if item.servable_type in TENSOR_SERVABLE_TYPES:
                    await self._inflight.acquire()
                    span = spans.start_execute(item, delivery, received)
                    if has_references(item):  # staged first: a slow source holds up no batch
                        self._staging.add(
                            asyncio.create_task(self._stage_then_queue(item, delivery, span))
                        )
                        continue
                    self._queue_for(item).put(
                        Pending(item, delivery, span=span, queued_ns=received)
                    )
                    continue
                await self._slots.acquire()
                self._track(self._handle(item, delivery, received), self._slots)
        finally:
            await sub.close()

    def _track(self, coro: Any, slots: asyncio.Semaphore, count: int = 1) -> None:
        task = asyncio.create_task(coro)
        self._running.add(task)

        def done(task: asyncio.Task[None]) -> None:
            self._running.discard(task)
            for _ in range(count):
                slots.release()
            if not task.cancelled() and task.exception() is not None:
                log.error("task handler failed", exc_info=task.exception())

        task.add_done_callback(done)

    async def _stage_then_queue(
        self, item: bus_pb2.WorkItem, delivery: Delivery, span: Any = None
    ) -> None:
        """Stage a tensor item's references, then queue it (a failure is reported
        by the batch, as the item's error)."""
        pending = Pending(item, delivery, staged=Staged(), span=span)
        try:
            with spans.within(span, "staging"):
                pending.inputs = await self._staging_of().stage_tensors(item, pending.staged)
        except asyncio.CancelledError:  # the executor stops: redelivered
            spans.end(span, redelivered=True)
            raise
        except Exception as exc:
            pending.error = exc
        finally:
            self._staging.discard(asyncio.current_task())  # type: ignore[arg-type]
        pending.queued_ns = time.time_ns()
        self._queue_for(item).put(pending)

    def _queue_for(self, item: bus_pb2.WorkItem) -> BatchQueue:
        queue = self._queues.get(item.digest)
        if queue is None:
            size = item.batching.max_batch_size if item.HasField("batching") else 1
            delay = item.batching.max_queue_delay_ms / 1e3 if item.HasField("batching") else 0.0
            queue = BatchQueue(self._serve_batch, size, delay, self.pool.count if self.pool else 1)
            self._queues[item.digest] = queue
        return queue

    async def _handle(self, item: bus_pb2.WorkItem, delivery: Delivery, received: int) -> None:
        if self.control.is_cancelled(item.task_id):  # task control: cancelled while waiting
            await delivery.ack()
            return
        span = spans.start_execute(item, delivery, received)
        spans.child(span, "queue_wait", received, time.time_ns())
        with use_span(span, record_exception=False):  # staging and compute are its children
            result = await self.execute(item)
        await self._report(item, delivery, result, span)

    async def _call(
        self, model: LoadedModel, item: bus_pb2.WorkItem, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """One model call: on the event loop within its budget (stopped and run
        again in a thread when over it), or in a thread until the task's deadline
        (task control: ONNX Runtime is stopped there, or when the task is cancelled)."""
        deadline = item.deadline_unix_ns
        if self._inline.get(item.digest, False):
            try:
                with run_deadline(inline_deadline(deadline)):
                    return model.run(inputs, list(item.outputs))
            except DeadlineExceeded:
                if not stopped_by_budget(deadline):
                    raise
                self._inline[item.digest] = False  # slow this time: off the event loop
        with self.calls.call([item.task_id]):  # a cancel stops it (ONNX Runtime)
            return await in_thread(deadline, model.run, inputs, list(item.outputs))

    async def _report(
        self,
        item: bus_pb2.WorkItem,
        delivery: Delivery,
        result: bus_pb2.WorkResult,
        span: Any,
    ) -> None:
        """Publish the result, then ack the work item; ends its ``execute`` span."""
        if self.control.is_cancelled(item.task_id):  # task control: result discarded
            await delivery.ack()
            spans.end(span, result, cancelled=True)
            return
        # a synchronous run's record travels with it (whoever records the result writes it)
        result.task_record_json = item.task_record_json
        payload = result.SerializeToString()
        try:
            with spans.within(span, "publish_result", SpanKind.PRODUCER):
                headers = headers_with_context()  # the recording is this span's child
                # the result must reach the bus before the work item is acked
                await call_retrying(
                    f"publish result of {item.task_id}",
                    lambda: self.bus.publish(RESULTS, payload, key=item.task_id, headers=headers),
                )
            await delivery.ack()
        finally:
            spans.end(span, result)

    async def execute(self, item: bus_pb2.WorkItem) -> bus_pb2.WorkResult:
        """Run one work item; errors become a failed WorkResult."""
        started = time.time_ns()
        result = bus_pb2.WorkResult(
            task_id=item.task_id, executor_id=self.executor_id, started_unix_ns=started
        )
        staged = Staged()
        try:
            if item.deadline_unix_ns and started > item.deadline_unix_ns:
                raise DeadlineExceeded(
                    "the task waited in the queue past its deadline (its timeout_s); not run"
                )
            model = await self.models.get(item)
            result.device = model.device
            if item.servable_type not in TENSOR_SERVABLE_TYPES:
                # one JSON value in, one out; the runner enforces the call timeout
                inputs_json = item.inputs_json
                if has_references(item):
                    with spans.within(None, "staging"):
                        inputs_json = await self._staging_of().stage_json(item, staged)
                t0 = time.perf_counter_ns()
                with spans.within(None, "compute"):  # task control: waited for until the deadline
                    output_json = await in_thread(
                        item.deadline_unix_ns, model.run_json, inputs_json
                    )
                compute = time.perf_counter_ns() - t0
                TASK_COMPUTE.observe(compute / 1e9)
                result.ok = True
                result.compute_ns = compute
                if item.outputs_to:  # outputs by reference
                    url = await write_json(
                        self._staging_of().s3, item.outputs_to, item.task_id, output_json
                    )
                    result.output_refs["output"] = url
                else:
                    result.output_json = output_json
                result.finished_unix_ns = time.time_ns()
                return result
            if has_references(item):
                with spans.within(None, "staging"):
                    inputs = await self._staging_of().stage_tensors(item, staged)
            else:
                inputs = {t.name: tensor_to_array(t) for t in item.inputs}
            t0 = time.perf_counter_ns()
            with spans.within(None, "compute"):
                outputs = await self._call(model, item, inputs)
            compute = time.perf_counter_ns() - t0
            # A model whose last run took microseconds runs on the event loop
            # (inline.py): the hop to a worker thread would cost more than the model.
            self._inline[item.digest] = may_inline(model, compute)
            TASK_COMPUTE.observe(compute / 1e9)
            observe_batch(item.servable, [], [1])
            result.ok = True
            result.compute_ns = compute
            if item.outputs_to:  # outputs by reference
                refs = await write_tensors(
                    self._staging_of().s3, item.outputs_to, item.task_id, outputs
                )
                result.output_refs.update(refs)
            else:
                result.outputs.extend(array_to_tensor(n, a) for n, a in outputs.items())
        except DLHubError as exc:
            result.ok = False
            result.error.CopyFrom(_error_info(exc))
        except Exception:
            log.exception("task %s failed", item.task_id)
            result.ok = False
            result.error.CopyFrom(_error_info(InternalError("the executor failed; see its log")))
        finally:
            result.staging_ns = staged.ns
            result.staging_cache_hits = staged.hits
            if self.stager is not None and staged.paths:
                self.stager.release(staged)
        result.finished_unix_ns = time.time_ns()
        return result

    def _staging_of(self) -> Stager:
        if self.stager is None:
            raise InternalError("this executor stages no references (no stager configured)")
        return self.stager

    async def _serve_batch(self, batch: list[Pending]) -> None:
        """Run one batch of one model version and report every item's result (batch_serving.py)."""
        await serve_batch(self, batch)
