"""The executor's tensor batches: one model call (or one per input layout) for
every work item a batch queue gathered (batching.py), then each item's result.

Items cancelled or past their deadline while queued never run; the model is
loaded once for the batch; the call runs on the event loop when the model's
last calls took microseconds of CPU, in a worker process when they took more
than ``POOL_ABOVE_NS`` (workers.py), else in a thread. Every item's result is
published before its work item is acknowledged (Executor._report).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from dlhub_common._proto.dlhub.v1 import bus_pb2, types_pb2
from dlhub_common.codec import array_to_tensor, tensor_to_array
from dlhub_common.errors import DeadlineExceeded, DLHubError, InternalError, error_from_code
from dlhub_common.observability.executor_metrics import TASK_COMPUTE, observe_batch
from dlhub_executor import spans
from dlhub_executor.batching import Pending, layout, run_batched
from dlhub_executor.inline import inline_deadline, may_inline, stopped_by_budget
from dlhub_executor.runners.deadline import in_thread, run_deadline
from dlhub_executor.staging.outputs import write_tensors
from dlhub_executor.workers import POOL_ABOVE_NS

if TYPE_CHECKING:
    from dlhub_executor.core import Executor

log = logging.getLogger("dlhub.executor")


async def serve_batch(ex: Executor, batch: list[Pending]) -> None:
    """Run one batch of one model version and report every item's result."""
    cancelled = [p for p in batch if ex.control.is_cancelled(p.item.task_id)]
    if cancelled:  # task control: cancelled while queued here; never runs
        batch = [p for p in batch if p not in cancelled]
        for p in cancelled:
            if p.staged is not None:  # its staged files may be evicted now
                ex._staging_of().release(p.staged)
            await p.delivery.ack()
            spans.end(p.span, cancelled=True)
            ex._inflight.release()
        if not batch:
            return
    started = time.time_ns()
    first = batch[0].item
    left_queue = time.monotonic()  # each request's batch wait ends here
    batch_span = spans.start_batch([p.span for p in batch], [p.item for p in batch], started)
    for p in batch:
        spans.child(p.span, "queue_wait", p.queued_ns or started, started)
    waiting: list[Pending] = []
    for p in batch:  # expired in the queue: not run, and no model loaded for it
        if p.item.deadline_unix_ns and started > p.item.deadline_unix_ns:
            p.error = DeadlineExceeded(
                "the task waited in the queue past its deadline (its timeout_s); not run"
            )
        else:
            waiting.append(p)
    model = None
    if waiting:
        try:
            model = await ex.models.get(waiting[0].item)
        except Exception as exc:
            for p in waiting:
                p.error = exc
            waiting = []
    live: list[Pending] = []
    for p in waiting:
        if p.error is not None:  # its staging failed (_stage_then_queue)
            continue
        try:
            if p.inputs is None:  # staged ones already have theirs
                p.inputs = {t.name: tensor_to_array(t) for t in p.item.inputs}
            live.append(p)
        except Exception as exc:
            p.error = exc
    groups: dict[Any, list[Pending]] = {}
    for p in live:
        groups.setdefault(layout(p), []).append(p)
    compute = 0
    if model is not None and groups:
        # task control: the batch runs under its latest deadline (0: none)
        deadlines = [p.item.deadline_unix_ns for p in live]
        deadline = max(deadlines) if all(deadlines) else 0
        cpu = [0]

        def run_all() -> int:
            c0 = time.thread_time_ns()
            calls = sum(run_batched(model, g) for g in groups.values())
            cpu[0] = (time.thread_time_ns() - c0) // max(1, calls)
            return calls

        t0 = time.perf_counter_ns()
        try:
            with (
                spans.within(batch_span, "compute", attributes={"dlhub.batch_size": len(live)}),
                ex.calls.call(p.item.task_id for p in live),  # stopped when all are cancelled
            ):
                if ex.pool is not None and ex._to_pool.get(first.digest, False):
                    cpu[0] = await _in_worker(ex, first, groups, deadline)
                elif ex._inline.get(first.digest, False):
                    with run_deadline(inline_deadline(deadline)):
                        run_all()
                    if stopped_by_budget(deadline) and any(
                        isinstance(p.error, DeadlineExceeded) for p in live
                    ):  # slow this time: off the event loop, again in a thread
                        for p in live:
                            p.error, p.outputs = None, None
                        await in_thread(deadline, run_all)
                else:
                    await in_thread(deadline, run_all)
        except DLHubError as exc:  # the deadline passed first: nobody gets a result
            for p in live:
                p.error, p.outputs = exc, None
        compute = time.perf_counter_ns() - t0
        # A model whose calls take microseconds of CPU runs on the event
        # loop (inline.py): the hop to a worker thread would cost more than
        # the model. (CPU time, not wall time: a thread waiting for the GIL
        # under load must not look like a slow model.) Heavy ones go to the workers.
        ex._inline[first.digest] = may_inline(model, cpu[0])
        # One call is a noisy sample (the first after a load pays one-time set-up,
        # a loaded machine inflates CPU time): a model moves to the worker
        # processes after two calls over POOL_ABOVE_NS, or one over ten times it.
        previous = ex._cpu_per_call.get(first.digest, 0)
        ex._cpu_per_call[first.digest] = cpu[0]
        ex._to_pool[first.digest] = cpu[0] >= POOL_ABOVE_NS and (
            cpu[0] >= 10 * POOL_ABOVE_NS or previous >= POOL_ABOVE_NS
        )
        TASK_COMPUTE.observe(compute / 1e9)
    observe_batch(first.servable, [left_queue - p.arrived for p in batch], _call_sizes(live))
    finished = time.time_ns()
    reports = []
    for p in batch:
        result = bus_pb2.WorkResult(
            task_id=p.item.task_id,
            executor_id=ex.executor_id,
            started_unix_ns=started,
            finished_unix_ns=finished,
            compute_ns=compute,
            batch_size=p.batch_size,
            device=str(getattr(model, "device", "") or ex.device),
        )
        if p.staged is not None:  # inputs by reference
            result.staging_ns, result.staging_cache_hits = p.staged.ns, p.staged.hits
            ex._staging_of().release(p.staged)
        if p.error is None and p.outputs is not None:
            result.ok = True
            try:
                if p.item.outputs_to:  # outputs by reference
                    refs = await write_tensors(
                        ex._staging_of().s3, p.item.outputs_to, p.item.task_id, p.outputs
                    )
                    result.output_refs.update(refs)
                else:
                    result.outputs.extend(array_to_tensor(n, a) for n, a in p.outputs.items())
            except DLHubError as exc:
                p.error = exc
        if p.error is not None:
            result.ok = False
            del result.outputs[:]
            result.output_refs.clear()
            failure = p.error
            if not isinstance(failure, DLHubError):
                log.error("task %s failed", p.item.task_id, exc_info=failure)
                failure = InternalError("the executor failed; see its log")
            result.error.CopyFrom(error_info(failure))
        reports.append(ex._report(p.item, p.delivery, result, p.span))
    batch_span.end()
    ex._track(_all(reports), ex._inflight, count=len(batch))


async def _in_worker(
    ex: Executor, item: bus_pb2.WorkItem, groups: dict[Any, list[Pending]], deadline: int
) -> int:
    """Run the groups of one batch in a worker process; returns CPU ns per call."""
    assert ex.pool is not None
    order = list(groups.values())
    _, results, cpu = await ex.pool.run(
        item,
        ex.models.bundle_dir(item),
        [[(p.inputs or {}, list(p.item.outputs)) for p in g] for g in order],
        deadline,
    )
    for group, got in zip(order, results, strict=True):
        for p, r in zip(group, got, strict=True):
            p.outputs, p.batch_size = r.outputs, r.batch_size
            if r.error is not None:
                p.error = error_from_code(*r.error)
    return cpu


def _call_sizes(ran: list[Pending]) -> list[int]:
    """The size of each model call that produced these results (n results of size n: one)."""
    seen: dict[int, int] = {}
    for p in ran:
        if p.error is None:
            seen[p.batch_size] = seen.get(p.batch_size, 0) + 1
    return [n for n, count in seen.items() for _ in range(count // max(1, n))]


async def _all(coros: list[Any]) -> None:
    await asyncio.gather(*coros)


def error_info(exc: DLHubError) -> types_pb2.ErrorInfo:
    return types_pb2.ErrorInfo(
        code=exc.code.value,
        message=exc.message,
        details_json=json.dumps(exc.details),
        retryable=exc.retryable,
    )
