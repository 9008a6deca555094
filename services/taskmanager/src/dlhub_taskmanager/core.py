"""Task manager core: validate runs, dispatch them, track them, return results.

A run is accepted only after its inputs match the servable's declared
signature (resolved from a cache that servable events keep current). A
result-cache hit is answered here, before the bus. An asynchronous task's
record is written before its work item is published, so an accepted task is
never lost from view; a synchronous run's record is written behind the
caller, once finished (task_records.py). Results come back on the results
topic, are recorded (inline when small, in the object store when large),
and then wake any caller waiting synchronously.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dlhub_common._proto.dlhub.v1 import bus_pb2, types_pb2
from dlhub_common.apis import RegistryApi
from dlhub_common.errors import NotFound
from dlhub_common.identity import Principal
from dlhub_common.names import Ref
from dlhub_common.ports import EventBus, ObjectStore
from dlhub_common.ports.documents import DocumentStore
from dlhub_common.retry import any_error, call_retrying
from dlhub_common.settings import BatchingSettings, TaskSettings
from dlhub_common.telemetry import TASKS
from dlhub_common.topics import EXECUTORS_GROUP, RESULTS
from dlhub_common.topics import TASKS as TASK_TOPIC
from dlhub_common.tracing import SpanKind, context_from_headers, headers_with_context, tracer
from dlhub_taskmanager.resolver import Resolved, Resolver
from dlhub_taskmanager.result_cache import ResultCache, cache_key
from dlhub_taskmanager.results import cacheable_result, error_for_caller, one_chunk
from dlhub_taskmanager.routing import Router
from dlhub_taskmanager.run_checks import check_run_inputs, check_runnable
from dlhub_taskmanager.stats import ServableStats
from dlhub_taskmanager.task_records import COLLECTION as TASK_RECORDS
from dlhub_taskmanager.task_records import TaskRecords

if TYPE_CHECKING:
    from dlhub_taskmanager.control import TaskControl

log = logging.getLogger("dlhub.taskmanager")

TASKS_COLLECTION = TASK_RECORDS
INLINE_RESULT_BYTES = 16 * 1024  # larger results go to the object store
RECORDING_CONCURRENCY = 256

QUEUED, RUNNING, SUCCEEDED, FAILED = "QUEUED", "RUNNING", "SUCCEEDED", "FAILED"
CANCELLED = "CANCELLED"  # task control (control.py): terminal too
TERMINAL = (SUCCEEDED, FAILED, CANCELLED)


def _now_iso(now_ns: int | None = None) -> str:
    """RFC 3339 UTC with milliseconds, e.g. 2026-12-01T09:00:00.123Z."""
    ns = time.time_ns() if now_ns is None else now_ns
    secs, ms = divmod(ns // 1_000_000, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{ms:03d}Z"


@dataclass
class TaskView:
    """A task record plus, when finished, its outputs (tensors, or one JSON value)."""

    record: dict[str, Any]
    outputs: list[types_pb2.Tensor]
    output_json: str = ""


class TaskManager:
    """Validates, dispatches and tracks tasks."""

    def __init__(
        self,
        docs: DocumentStore,
        objects: ObjectStore,
        bus: EventBus,
        registry: RegistryApi,
        *,
        default_timeout_s: float = 60.0,
        instance_id: str | None = None,
        batching: BatchingSettings | None = None,
        cache: ResultCache | None = None,
        tasks: TaskSettings | None = None,
    ) -> None:
        self.docs = docs
        self.objects = objects
        self.bus = bus
        self.registry = registry
        self.default_timeout_s = default_timeout_s
        self.instance_id = instance_id or uuid.uuid4().hex[:12]
        self.records = TaskRecords(docs)
        self.resolver = Resolver(
            registry, bus, f"taskmanager-refs-{self.instance_id}", batching or BatchingSettings()
        )
        self.cache = cache or ResultCache(0, 1.0)
        self._waiters: dict[str, asyncio.Future[TaskView]] = {}
        self._pending: OrderedDict[str, dict[str, Any]] = OrderedDict()
        # cache keys of dispatched tasks whose results may be cached
        self._cache_keys: dict[str, str] = {}
        self._recording: set[str] = set()
        self._consumer: asyncio.Task[None] | None = None
        self.stats = ServableStats()  # OIP statistics (stats.py)
        self.router = Router(bus, self.instance_id)
        # task control: cancel, deadlines, backpressure, retention (control.py);
        # imported here because control.py builds on this module
        from dlhub_taskmanager.control import TaskControl

        self.control: TaskControl = TaskControl(self, tasks or TaskSettings())

    async def start(self) -> None:
        await self.records.start()
        await self.cache.start()
        # Servable events invalidate cached references from now on.
        await self.resolver.start()
        # Tasks accepted before the first executor joins must wait for it.
        await self.bus.ensure_group([TASK_TOPIC], EXECUTORS_GROUP)
        await self.router.start()
        # Every replica reads every result (its own group) so synchronous
        # waiters on any replica are woken; recording a result is idempotent.
        sub = self.bus.subscribe([RESULTS], f"taskmanager-{self.instance_id}")
        await sub.start()
        self._consumer = asyncio.create_task(self._consume(sub), name="taskmanager-results")
        await self.control.start()  # task control

    async def stop(self) -> None:
        await self.control.stop()  # task control
        await self.router.stop()
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
            self._consumer = None
        await self.resolver.stop()
        await self.cache.stop()
        await self.records.stop()
        for fut in self._waiters.values():
            fut.cancel()

    # ------------------------------------------------------------ resolve

    async def resolve(self, ref: Ref) -> Resolved:
        """Look the servable up (cached; visibility applies)."""
        return await self.resolver.resolve(ref)

    # ------------------------------------------------------------ submit

    async def submit(
        self,
        principal: Principal,
        ref: Ref,
        inputs: list[types_pb2.Tensor],
        *,
        wait: bool,
        timeout_s: float = 0.0,
        outputs: list[str] | None = None,
        inputs_json: str = "",
        no_cache: bool = False,
    ) -> TaskView:
        """Validate and dispatch a run; wait for it when ``wait``.

        Identical runs of a cacheable servable are answered from the result
        cache unless ``no_cache``.

        Tensor servables take ``inputs``; JSON-valued ones (type ``python``)
        take ``inputs_json``, one JSON value checked against the declared
        input type.

        A deprecated version runs, and the task carries a warning saying so.

        Raises:
            NotFound: unknown servable or version.
            FailedPrecondition: the version is withdrawn.
            InvalidArgument: inputs do not match the signature.
        """
        resolved = await self.resolve(ref)
        task_warnings = check_runnable(resolved)
        inputs = check_run_inputs(resolved, inputs, inputs_json, outputs or [])
        timeout = timeout_s if timeout_s > 0 else self.default_timeout_s
        key = ""
        if resolved.signature.cacheable and self.cache.enabled:
            key = cache_key(resolved.digest, inputs, inputs_json, outputs or [])
            if not no_cache:
                hit = await self._from_cache(principal, resolved, key, wait, task_warnings)
                if hit is not None:
                    return hit

        task_id = uuid.uuid4().hex
        created_ns = time.time_ns()
        # task control: the timeout is the task's deadline; unfinished tasks are bounded
        deadline_ns = self.control.deadline_ns(created_ns, timeout)
        nbytes = sum(t.ByteSize() for t in inputs) + len(inputs_json)
        self.control.admit(
            task_id, resolved.ref, deadline_ns, caller=principal.username, nbytes=nbytes
        )
        record = self._new_record(principal, resolved, task_id, created_ns, task_warnings)
        record["deadline_ns"] = deadline_ns  # task control
        if not wait:
            try:
                await self.records.insert(record)  # durable before it is acknowledged
            except BaseException:
                self.control.release(task_id)
                raise
        else:
            record["durable"] = False
        # unfinished tasks of this replica; bounded by admission (tasks.max_queued)
        self._pending[task_id] = record
        if key:
            self._cache_keys[task_id] = key
        item = bus_pb2.WorkItem(
            task_id=task_id,
            servable=types_pb2.ServableRef(
                owner=resolved.ref.owner, name=resolved.ref.name, version=resolved.ref.version
            ),
            digest=resolved.digest,
            servable_type=resolved.servable_type,
            artifacts=resolved.artifacts,
            inputs=inputs,
            outputs=outputs or [],
            enqueued_unix_ns=created_ns,
            deadline_unix_ns=deadline_ns,  # task control
            model_path=resolved.model_path,
            inputs_json=inputs_json,
            runtime_json=resolved.runtime_json,
            interface_version=resolved.interface_version,
        )
        if resolved.signature.batching is not None:
            size, delay = resolved.signature.batching
            item.batching.max_batch_size = size
            item.batching.max_queue_delay_ms = delay
        fut: asyncio.Future[TaskView] | None = None
        if wait:
            fut = asyncio.get_running_loop().create_future()
            self._waiters[task_id] = fut
        try:
            with tracer.start_as_current_span("dispatch", kind=SpanKind.PRODUCER) as span:
                span.set_attribute("dlhub.task_id", task_id)
                topic, key = await self.router.route(resolved.ref, task_id)
                await self.bus.publish(
                    topic,
                    item.SerializeToString(),
                    key=key,
                    headers=headers_with_context(),
                )
        except BaseException:
            self.control.release(task_id)  # task control
            self._waiters.pop(task_id, None)
            self._pending.pop(task_id, None)
            self._cache_keys.pop(task_id, None)
            if not wait:
                await self.records.delete(task_id)
            raise
        if fut is None:
            return TaskView(record, [])
        try:
            return await asyncio.wait_for(asyncio.shield(fut), timeout)
        except TimeoutError:  # task control: the wait was the task's timeout
            return await self.control.timed_out(principal, task_id)
        except asyncio.CancelledError:  # task control: the caller left; cancel its task
            self.control.abandoned(principal, task_id)
            raise
        finally:
            self._waiters.pop(task_id, None)

    def _new_record(
        self,
        principal: Principal,
        resolved: Resolved,
        task_id: str,
        created_ns: int,
        task_warnings: list[str],
    ) -> dict[str, Any]:
        record: dict[str, Any] = {
            "task_id": task_id,
            "state": QUEUED,
            "user": principal.username,
            "servable": {
                "owner": resolved.ref.owner,
                "name": resolved.ref.name,
                "version": resolved.ref.version,
            },
            "digest": resolved.digest,
            "created_at": _now_iso(created_ns),
            "created_ns": created_ns,
        }
        if task_warnings:
            record["warnings"] = task_warnings
        return record

    async def _from_cache(
        self,
        principal: Principal,
        resolved: Resolved,
        key: str,
        wait: bool,
        task_warnings: list[str],
    ) -> TaskView | None:
        """A finished task from the result cache, or None on a miss."""
        t0 = time.perf_counter_ns()
        raw = await self.cache.get(key)
        if raw is None:
            self.stats.cache_miss(resolved.ref)
            return None
        result = bus_pb2.WorkResult.FromString(raw)
        created_ns = time.time_ns()
        record = self._new_record(principal, resolved, uuid.uuid4().hex, created_ns, task_warnings)
        record.update(
            {
                "state": SUCCEEDED,
                "completed_at": record["created_at"],
                "executor_id": "",
                "timings": {
                    "queue_ms": 0.0,
                    "compute_ms": 0.0,
                    "total_ms": (time.perf_counter_ns() - t0) / 1e6,
                    "cache_hit": True,
                },
                "result_b64": base64.b64encode(raw).decode(),
            }
        )
        TASKS.labels("cache_hit").inc()
        self.stats.cache_hit(resolved.ref, time.perf_counter_ns() - t0)
        if wait:
            self.records.write_behind(record)
        else:
            await self.records.insert(record)
        return TaskView(record, list(result.outputs), result.output_json)

    # ------------------------------------------------------------ query

    async def get(
        self, principal: Principal, task_id: str, *, wait: bool = False, timeout_s: float = 0.0
    ) -> TaskView:
        """Current state of a task, waiting up to ``timeout_s`` when ``wait``.

        Raises:
            NotFound: unknown task, or a task of another user.
        """
        record = self._pending.get(task_id) or (
            await self.records.get(task_id) if task_id else None
        )
        if record is None or (record.get("user") and record["user"] != principal.username):
            raise NotFound(f"task {task_id!r} not found")
        record = await self.control.checked(record)  # task control: deadline, retention
        if wait and record["state"] not in TERMINAL:
            fut = self._waiters.get(task_id)
            if fut is None:
                fut = asyncio.get_running_loop().create_future()
                self._waiters[task_id] = fut
            try:
                return await asyncio.wait_for(
                    asyncio.shield(fut), timeout_s if timeout_s > 0 else self.default_timeout_s
                )
            except TimeoutError:
                record = self._pending.get(task_id) or await self.records.get(task_id) or record
                record = await self.control.checked(record)  # task control
            finally:
                if self._waiters.get(task_id) is fut and not fut.done():
                    self._waiters.pop(task_id, None)
        outputs, output_json = await self._load_outputs(record)
        return TaskView(record, outputs, output_json)

    async def _load_outputs(self, record: dict[str, Any]) -> tuple[list[types_pb2.Tensor], str]:
        if record["state"] != SUCCEEDED:
            return [], ""
        if "result_b64" in record:
            raw = base64.b64decode(record["result_b64"])
        elif "result_key" in record:
            raw = b"".join([c async for c in self.objects.open(record["result_key"])])
        else:
            return [], ""
        result = bus_pb2.WorkResult.FromString(raw)
        return list(result.outputs), result.output_json

    # ------------------------------------------------------------ results

    async def _consume(self, sub: Any) -> None:
        # Results are recorded concurrently (each is independent; a store
        # write or a commit must not hold up the next), at most
        # RECORDING_CONCURRENCY at once; each is acked once recorded.
        slots = asyncio.Semaphore(RECORDING_CONCURRENCY)
        running: set[asyncio.Task[None]] = set()
        try:
            async for delivery in sub:
                await slots.acquire()
                task = asyncio.create_task(self._record_delivery(delivery))
                running.add(task)
                task.add_done_callback(running.discard)
                task.add_done_callback(lambda _: slots.release())
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await sub.close()

    async def _record_delivery(self, delivery: Any) -> None:
        try:
            result = bus_pb2.WorkResult.FromString(delivery.value)
        except Exception:
            log.error("dropping an undecodable result (%d bytes)", len(delivery.value))
            await delivery.ack()
            return
        if result.task_id in self._recording:
            # a redelivered copy while the first is being recorded (which
            # retries until it succeeds): nothing more to do
            await delivery.ack()
            return
        self._recording.add(result.task_id)

        async def record() -> None:
            with tracer.start_as_current_span(
                "record_result",
                context=context_from_headers(delivery.headers),
                kind=SpanKind.CONSUMER,
            ):
                await self.record_result(result, delivery.value)

        try:  # a result is acked only once it is recorded
            await call_retrying(f"record result of {result.task_id}", record, retry_on=any_error)
        finally:
            self._recording.discard(result.task_id)
        await delivery.ack()

    async def record_result(self, result: bus_pb2.WorkResult, raw: bytes) -> None:
        """Record one result (idempotent) and wake its waiter."""
        # task control: a cancel or the deadline ended the task first; drop the result
        if not self.control.result_may_record(result.task_id):
            self._pending.pop(result.task_id, None)
            self._cache_keys.pop(result.task_id, None)
            return
        # Tasks this replica accepted are known without a round trip to the store.
        record = self._pending.pop(result.task_id, None)
        cache_as = self._cache_keys.pop(result.task_id, "")
        if record is None:
            record = await self.records.get(result.task_id)
        if record is None:
            # another replica's synchronous run (not written yet), or a
            # task that expired; only its own replica records it
            log.debug("result for unknown task %s dropped", result.task_id)
            return
        if record["state"] not in TERMINAL:
            created_ns = int(record["created_ns"])
            now_ns = time.time_ns()
            fields: dict[str, Any] = {
                "state": SUCCEEDED if result.ok else FAILED,
                "completed_at": _now_iso(),
                "executor_id": result.executor_id,
                "timings": {
                    "queue_ms": max(0, result.started_unix_ns - created_ns) / 1e6,
                    "compute_ms": result.compute_ns / 1e6,
                    "total_ms": max(0, now_ns - created_ns) / 1e6,
                    "batch_size": max(1, result.batch_size),
                    "device": result.device,
                },
            }
            if result.ok:
                if len(raw) <= INLINE_RESULT_BYTES:
                    fields["result_b64"] = base64.b64encode(raw).decode()
                else:
                    info = await self.objects.put(one_chunk(raw))
                    fields["result_key"] = info.key
            else:
                fields["error"] = error_for_caller(record, result.error)
            durable = record.pop("durable", True)
            record.update(fields)
            if durable:
                await self.records.update(result.task_id, fields)
            else:  # a synchronous run whose caller gets the result now
                self.records.write_behind(record)
            if result.ok and cache_as:
                await self.cache.put(cache_as, cacheable_result(result))
            TASKS.labels("ok" if result.ok else "error").inc()
            self.stats.record(record, result, now_ns)
        fut = self._waiters.get(result.task_id)
        if fut is not None and not fut.done():
            fut.set_result(
                TaskView(
                    record,
                    list(result.outputs) if result.ok else [],
                    result.output_json if result.ok else "",
                )
            )
