"""Recording results, and waking the callers who wait for them.

Each task-manager replica reads ``dlhub.results`` twice:

* to **record**, in the durable group ``taskmanager-results`` that every
  replica shares: each result goes to one replica, which writes it into the
  task's record and only then acks it. The group's committed offsets survive
  restarts, so results published while no task manager ran are recorded when
  one comes back, and a result whose recording a crash interrupted comes
  again (recording is idempotent: a finished record is never changed);
* to **wake**, in a group of this replica alone (``taskmanager-<id>``, from
  its start on): every replica sees every result and wakes the callers it
  holds (synchronous runs, ``get(wait=True)``), and counts the results of
  the tasks it accepted in its statistics. Waking writes nothing.

A synchronous run's record is not in the store before dispatch
(task_records.py): its work item carries the record (``task_record_json``),
the executor echoes it in the result, and the recording replica writes the
whole record, whichever replica accepted the run. So a synchronous run whose
task manager dies still completes and is recorded; its caller gets
UNAVAILABLE (the call's connection broke) and never learns the task id.

The replica that accepted a task keeps it in memory from its result until its
record is written (``finished``), so reading it back needs no store round
trip and never sees it unfinished.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.observability.run_metrics import TASKS, observe_result
from dlhub_common.ports.bus import Delivery, Subscription
from dlhub_common.retry import any_error, call_retrying
from dlhub_common.topics import RESULTS, RESULTS_GROUP
from dlhub_common.tracing import SpanKind, span
from dlhub_taskmanager import core as core_module
from dlhub_taskmanager.core import FAILED, SUCCEEDED, TERMINAL, TaskView, _now_iso
from dlhub_taskmanager.results import cacheable_result, error_for_caller, one_chunk

if TYPE_CHECKING:
    from dlhub_taskmanager.core import TaskManager

log = logging.getLogger("dlhub.taskmanager")

RECORDING_CONCURRENCY = 256
# Finished tasks of this replica kept in memory: at most this many, and their
# inline results (kept until written) at most this many bytes.
FINISHED_KEPT = 4096
FINISHED_BYTES = 32 * 1024 * 1024
# How long a read waits for the record of a large result being written.
WRITE_WAIT_S = 2.0


@dataclass
class _Finished:
    """A task this replica accepted whose result came: as accepted, and as finished."""

    original: dict[str, Any]
    view: dict[str, Any]
    written: bool = False
    done: asyncio.Event = field(default_factory=asyncio.Event)  # set once written

    @property
    def size(self) -> int:
        return len(self.view.get("result_b64", ""))


class Recording:
    """The two reads of the results topic of one task manager (see the module doc).

    Args:
        core: the task manager whose tasks these are.
    """

    def __init__(self, core: TaskManager) -> None:
        self.core = core
        self._finished: OrderedDict[str, _Finished] = OrderedDict()
        self._finished_bytes = 0
        self._recording: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        bus = self.core.bus
        # Results are kept for the shared group from now on, members or not.
        await bus.ensure_group([RESULTS], RESULTS_GROUP)
        wake = bus.subscribe([RESULTS], f"taskmanager-{self.core.instance_id}")
        await wake.start()
        try:
            record = bus.subscribe([RESULTS], RESULTS_GROUP)
            await record.start()
        except BaseException:
            await wake.close()
            raise
        self._tasks = [
            asyncio.create_task(self._consume(record, self._record_delivery), name="tm-record"),
            asyncio.create_task(self._consume(wake, self._wake_delivery), name="tm-wake"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def finished(self, task_id: str) -> dict[str, Any] | None:
        """This replica's finished task, as its caller sees it (None: ask the store)."""
        entry = self._finished.get(task_id)
        if entry is None or entry.written:
            return None  # the store has it
        view = entry.view
        if view["state"] == SUCCEEDED and "result_b64" not in view:
            # a large result is read from the object store, once written there
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(entry.done.wait(), WRITE_WAIT_S)
            return None
        return view

    # ------------------------------------------------------------ reading

    async def _consume(
        self, sub: Subscription, handle: Callable[[Delivery], Coroutine[Any, Any, None]]
    ) -> None:
        # Deliveries are handled concurrently (each is independent; a store
        # write or a commit must not hold up the next), at most
        # RECORDING_CONCURRENCY at once.
        slots = asyncio.Semaphore(RECORDING_CONCURRENCY)
        running: set[asyncio.Task[None]] = set()
        try:
            async for delivery in sub:
                await slots.acquire()
                task = asyncio.create_task(handle(delivery))
                running.add(task)
                task.add_done_callback(running.discard)
                task.add_done_callback(lambda _: slots.release())
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await sub.close()

    async def _record_delivery(self, delivery: Delivery) -> None:
        result = _decoded(delivery)
        if result is None:
            await delivery.ack()
            return
        if result.task_id in self._recording:
            # a redelivered copy while the first is being recorded (which
            # retries until it succeeds): nothing more to do
            await delivery.ack()
            return
        self._recording.add(result.task_id)

        async def record() -> None:
            with span(
                "record_result",
                headers=delivery.headers,
                kind=SpanKind.CONSUMER,
                attributes={"dlhub.task_id": result.task_id},
            ):
                await self.record(result, delivery.value)

        try:  # a result is acked only once it is recorded
            await call_retrying(f"record result of {result.task_id}", record, retry_on=any_error)
        finally:
            self._recording.discard(result.task_id)
        await delivery.ack()

    async def _wake_delivery(self, delivery: Delivery) -> None:
        try:
            result = _decoded(delivery)
            if result is not None and result.task_id in self.core._waiters:
                with span(  # the result reaches its waiting caller
                    "wake_caller",
                    headers=delivery.headers,
                    kind=SpanKind.CONSUMER,
                    attributes={"dlhub.task_id": result.task_id},
                ):
                    await self.wake(result, delivery.value)
            elif result is not None:
                await self.wake(result, delivery.value)
        except Exception as exc:  # the store may be away: the waiter times out and reads again
            log.warning("cannot wake the caller of a result: %r", exc)
        finally:
            await delivery.ack()

    # ------------------------------------------------------------ wake

    async def wake(self, result: bus_pb2.WorkResult, raw: bytes) -> None:
        """Wake the caller waiting for this result on this replica, if any."""
        core = self.core
        task_id = result.task_id
        fut = core._waiters.get(task_id)
        if fut is None and task_id not in core._pending and task_id not in self._finished:
            return  # not ours, nobody waits here
        if not core.control.result_may_record(task_id):  # task control: cancelled or expired
            core._pending.pop(task_id, None)
            core._cache_keys.pop(task_id, None)
            return
        view = self._settle(result, raw)
        cache_as = core._cache_keys.pop(task_id, "")
        if fut is not None and not fut.done():
            if view is None:  # a get(wait) here on another replica's task
                original = await self._original(result)
                if original is None:
                    return
                view = original
                if original["state"] not in TERMINAL:
                    view = {**original, **_fields(original, result, time.time_ns())}
                    view.pop("durable", None)
            if not fut.done():
                fut.set_result(
                    TaskView(
                        view,
                        list(result.outputs) if view["state"] == SUCCEEDED else [],
                        result.output_json if view["state"] == SUCCEEDED else "",
                        dict(result.output_refs) if view["state"] == SUCCEEDED else {},
                    )
                )
        if result.ok and cache_as:
            await core.cache.put(cache_as, cacheable_result(result))

    def _settle(self, result: bus_pb2.WorkResult, raw: bytes) -> dict[str, Any] | None:
        """This replica's own task: from unfinished to finished, once; its view."""
        task_id = result.task_id
        entry = self._finished.get(task_id)
        if entry is not None:
            return entry.view
        original = self.core._pending.pop(task_id, None)
        if original is None:
            return None
        now_ns = time.time_ns()
        view = {k: v for k, v in original.items() if k != "durable"}
        view.update(_fields(original, result, now_ns))
        view.update(_inline_result(result, _kept(result, raw)))
        # OIP statistics count what this replica accepted (stats.py), before its caller hears
        self.core.stats.record(view, result, now_ns)
        # durable usage statistics (usage/): counted once, by the accepting replica
        self.core.usage.ran(
            view["servable"],
            view.get("user"),
            ok=result.ok,
            latency_ms=view["timings"]["total_ms"],
            now_ns=now_ns,
        )
        entry = self._finished[task_id] = _Finished(original, view)
        self._finished_bytes += entry.size
        while len(self._finished) > FINISHED_KEPT or self._finished_bytes > FINISHED_BYTES:
            _, oldest = self._finished.popitem(last=False)
            self._finished_bytes -= oldest.size
        return view

    # ------------------------------------------------------------ record

    async def record(self, result: bus_pb2.WorkResult, raw: bytes) -> None:
        """Write one result into its task record (idempotent)."""
        core = self.core
        task_id = result.task_id
        # task control: a cancel or the deadline ended the task first; drop the result
        if not core.control.result_may_record(task_id):
            core._pending.pop(task_id, None)
            core._cache_keys.pop(task_id, None)
            return
        self._settle(result, raw)
        entry = self._finished.get(task_id)
        if entry is not None and entry.written:
            return  # a redelivery
        if entry is not None:
            original = entry.original  # accepted here: known without a store round trip
        else:
            found = await self._original(result)
            if found is None:
                log.debug("result for unknown task %s dropped", task_id)
                return  # a task that expired
            if found["state"] in TERMINAL:
                return  # recorded already (a redelivery), or cancelled, or past its deadline
            original = found
        now_ns = time.time_ns()
        fields = _fields(original, result, now_ns)
        if result.ok:
            if entry is not None and "result_b64" in entry.view:  # encoded once, on settling
                fields["result_b64"] = entry.view["result_b64"]
            else:
                kept = _kept(result, raw)
                if len(kept) <= core_module.INLINE_RESULT_BYTES:
                    fields["result_b64"] = base64.b64encode(kept).decode()
                else:
                    info = await core.objects.put(one_chunk(kept))
                    fields["result_key"] = info.key
        record = {k: v for k, v in original.items() if k != "durable"}
        record.update(fields)
        if original.get("durable", True):
            await core.records.update(task_id, fields)
        else:  # a synchronous run: the whole record is written now
            await core.records.put_batched(record)
        if entry is not None and not entry.written:
            # the store answers from now on: only what wakes a late caller stays
            if self._finished.get(task_id) is entry:  # (not evicted meanwhile)
                self._finished_bytes -= entry.size
            entry.view.update(fields)
            entry.view.pop("result_b64", None)
            entry.view.pop("result_key", None)
            entry.written = True
            entry.done.set()
        TASKS.labels("ok" if result.ok else "error").inc()
        observe_result(record, fields["timings"], result.ok, result.error.code)

    async def _original(self, result: bus_pb2.WorkResult) -> dict[str, Any] | None:
        """The task's record as the store has it, or as its synchronous run carried it."""
        stored = await self.core.records.get(result.task_id)
        if stored is not None:
            return stored
        if not result.task_record_json:
            return None
        try:
            carried = json.loads(result.task_record_json)
        except ValueError:
            log.error("task %s: the record its result carries is unreadable", result.task_id)
            return None
        if not isinstance(carried, dict) or carried.get("task_id") != result.task_id:
            log.error("task %s: the record its result carries is not its own", result.task_id)
            return None
        return {**carried, "durable": False}


def _decoded(delivery: Delivery) -> bus_pb2.WorkResult | None:
    try:
        return bus_pb2.WorkResult.FromString(delivery.value)
    except Exception:
        log.error("dropping an undecodable result (%d bytes)", len(delivery.value))
        return None


def _kept(result: bus_pb2.WorkResult, raw: bytes) -> bytes:
    """The result as its task record keeps it: without the record it carried."""
    if not result.task_record_json:
        return raw
    kept = bus_pb2.WorkResult()
    kept.CopyFrom(result)
    kept.task_record_json = ""
    return kept.SerializeToString()


def _fields(record: dict[str, Any], result: bus_pb2.WorkResult, now_ns: int) -> dict[str, Any]:
    """What a result sets in its task's record (its outputs aside)."""
    created_ns = int(record["created_ns"])
    fields: dict[str, Any] = {
        "state": SUCCEEDED if result.ok else FAILED,
        "completed_at": _now_iso(now_ns),
        "executor_id": result.executor_id,
        "timings": {
            "queue_ms": max(0, result.started_unix_ns - created_ns) / 1e6,
            "compute_ms": result.compute_ns / 1e6,
            "total_ms": max(0, now_ns - created_ns) / 1e6,
            "batch_size": max(1, result.batch_size),
            "device": result.device,
            "staging_ms": result.staging_ns / 1e6,
            "staging_cache_hits": result.staging_cache_hits,
        },
    }
    if not result.ok:
        fields["error"] = error_for_caller(record, result.error)
    return fields


def _inline_result(result: bus_pb2.WorkResult, raw: bytes) -> dict[str, Any]:
    """A small result as its record keeps it (a large one goes to the object store)."""
    if result.ok and len(raw) <= core_module.INLINE_RESULT_BYTES:
        return {"result_b64": base64.b64encode(raw).decode()}
    return {}
