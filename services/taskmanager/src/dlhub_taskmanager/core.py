"""Task manager core: validate runs, dispatch them, track them, return results.

A run is accepted only after its inputs match the servable's declared
signature (resolved from a cache that servable events keep current). A
result-cache hit is answered here, before the bus. An asynchronous task's
record is written before its work item is published, so an accepted task is
never lost from view; a synchronous run's record is written behind the
caller: its work item carries it, and it is written with the result
(task_records.py). Results come back on the results topic; they are
recorded (inline when small, in the object store when large) in a group all
replicas share, and wake the callers each replica holds (recording.py).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dlhub_common._proto.dlhub.v1 import bus_pb2, types_pb2
from dlhub_common.apis import RegistryApi
from dlhub_common.errors import FailedPrecondition, InvalidArgument, NotFound
from dlhub_common.identity import Principal
from dlhub_common.names import Ref
from dlhub_common.observability.run_metrics import (
    IN_FLIGHT,
    TASKS,
    observe_cache,
)
from dlhub_common.ports import EventBus, ObjectStore
from dlhub_common.ports.documents import DocumentStore
from dlhub_common.settings import BatchingSettings, TaskSettings, UsageSettings
from dlhub_common.staging_settings import StagingSettings
from dlhub_common.topics import EXECUTORS_GROUP
from dlhub_common.topics import TASKS as TASK_TOPIC
from dlhub_common.tracing import SpanKind, annotate, headers_with_context, in_span, span
from dlhub_taskmanager.references import ReferenceChecks
from dlhub_taskmanager.refusals import counting_refusals
from dlhub_taskmanager.resolver import Resolved, Resolver
from dlhub_taskmanager.result_cache import ResultCache, cache_key
from dlhub_taskmanager.routing import Router
from dlhub_taskmanager.run_checks import check_run_inputs, check_runnable
from dlhub_taskmanager.stats import ServableStats
from dlhub_taskmanager.task_records import COLLECTION as TASK_RECORDS
from dlhub_taskmanager.task_records import TaskRecords
from dlhub_taskmanager.usage import UsageRecorder

if TYPE_CHECKING:
    from dlhub_taskmanager.control import TaskControl
    from dlhub_taskmanager.recording import Recording
    from dlhub_taskmanager.streams import BindingRunner

log = logging.getLogger("dlhub.taskmanager")

TASKS_COLLECTION = TASK_RECORDS
INLINE_RESULT_BYTES = 16 * 1024  # larger results go to the object store

QUEUED, RUNNING, SUCCEEDED, FAILED = "QUEUED", "RUNNING", "SUCCEEDED", "FAILED"
CANCELLED = "CANCELLED"  # task control (control.py): terminal too
TERMINAL = (SUCCEEDED, FAILED, CANCELLED)


def _now_iso(now_ns: int | None = None) -> str:
    """RFC 3339 UTC with milliseconds, e.g. 2026-12-01T09:00:00.123Z."""
    ns = time.time_ns() if now_ns is None else now_ns
    secs, ms = divmod(ns // 1_000_000, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{ms:03d}Z"


def _servable(resolved: Resolved) -> dict[str, Any]:
    ref = resolved.ref
    return {"owner": ref.owner, "name": ref.name, "version": ref.version}


@dataclass
class TaskView:
    """A task record plus, when finished, its outputs (tensors, or one JSON value)."""

    record: dict[str, Any]
    outputs: list[types_pb2.Tensor]
    output_json: str = ""
    output_refs: dict[str, str] | None = None  # outputs by reference: name -> URL


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
        staging: StagingSettings | None = None,
        usage: UsageSettings | None = None,
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
        self.references = ReferenceChecks(staging or StagingSettings())  # references.py
        self._waiters: dict[str, asyncio.Future[TaskView]] = {}
        self._pending: OrderedDict[str, dict[str, Any]] = OrderedDict()
        # cache keys of dispatched tasks whose results may be cached
        self._cache_keys: dict[str, str] = {}
        self.stats = ServableStats()  # OIP statistics (stats.py)
        IN_FLIGHT.track(self)  # dlhub_tasks_in_flight reads _pending when scraped
        # durable usage statistics (usage/): documents of this replica's own
        self.usage = UsageRecorder(docs, usage, writer=self.instance_id)
        self.router = Router(bus, self.instance_id)
        # task control: cancel, deadlines, backpressure, retention (control.py);
        # imported here because control.py builds on this module
        from dlhub_taskmanager.control import TaskControl
        from dlhub_taskmanager.recording import Recording

        self.control: TaskControl = TaskControl(self, tasks or TaskSettings())
        # results: recorded in a group all replicas share, waking callers here
        self.recording: Recording = Recording(self)
        # stream bindings (streams/), set by main.create when enabled
        self.bindings: BindingRunner | None = None
        # pipeline tasks: each step through submit (pipelines/)
        from dlhub_taskmanager.pipelines import PipelineRunner

        self.pipelines: PipelineRunner = PipelineRunner(self)

    async def start(self) -> None:
        await self.records.start()
        await self.usage.start()
        await self.cache.start()
        # Servable events invalidate cached references from now on.
        await self.resolver.start()
        # Tasks accepted before the first executor joins must wait for it.
        await self.bus.ensure_group([TASK_TOPIC], EXECUTORS_GROUP)
        await self.router.start()
        await self.recording.start()
        await self.pipelines.start()  # pipelines/
        await self.control.start()  # task control

    async def stop(self) -> None:
        if self.bindings is not None:  # first: its runs need everything below
            await self.bindings.stop()
        await self.pipelines.stop()  # its steps need everything below
        await self.control.stop()  # task control
        await self.router.stop()
        await self.recording.stop()
        await self.resolver.stop()
        await self.cache.stop()
        await self.usage.stop()  # writes what is gathered
        await self.records.stop()
        IN_FLIGHT.untrack(self)
        for fut in self._waiters.values():
            fut.cancel()

    # ------------------------------------------------------------ resolve

    async def resolve(self, ref: Ref) -> Resolved:
        """Look the servable up (cached; visibility applies)."""
        return await self.resolver.resolve(ref)

    # ------------------------------------------------------------ submit

    @counting_refusals
    async def submit(
        self, principal: Principal, ref: Ref, inputs: list[types_pb2.Tensor], **options: Any
    ) -> TaskView:
        """:meth:`_submit` inside this run's ``run`` span (docs/observability.md)."""
        return await in_span(
            "run", self._submit(principal, ref, inputs, **options), servable=ref.full_name
        )

    async def _submit(
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
        outputs_to: str = "",
        caller_token: str = "",
    ) -> TaskView:
        """Validate and dispatch a run; wait for it when ``wait``.

        Inputs given by reference are checked here (references.py) and staged
        by the executor; such runs skip the result cache. ``outputs_to``
        writes the outputs by reference; ``caller_token`` (set by the gateway
        only) reaches the executor in the work item, never a record.

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
        annotate(version=resolved.ref.version)
        try:
            task_warnings = check_runnable(resolved)
        except FailedPrecondition:
            self.usage.refused(_servable(resolved), principal.username)
            raise
        if resolved.signature.pipeline is not None:  # its steps run through submit
            return await self.pipelines.submit(
                principal,
                resolved,
                inputs,
                wait=wait,
                timeout_s=timeout_s,
                outputs=outputs or [],
                inputs_json=inputs_json,
                no_cache=no_cache,
                outputs_to=outputs_to,
                task_warnings=task_warnings,
            )
        try:
            inputs = check_run_inputs(resolved, inputs, inputs_json, outputs or [])
            referenced = await self.references.check(resolved, inputs, inputs_json, outputs_to)
        except InvalidArgument:  # refused in validation: counted as an error (usage/)
            self.usage.refused(_servable(resolved), principal.username)
            raise
        inputs_json = referenced.inputs_json
        timeout = timeout_s if timeout_s > 0 else self.default_timeout_s
        key = ""
        # what a reference names may change: such runs are not answered from the cache
        if (
            resolved.signature.cacheable
            and self.cache.enabled
            and not referenced.count
            and not outputs_to
        ):
            key = cache_key(resolved.digest, inputs, inputs_json, outputs or [])
            if not no_cache:
                hit = await self._from_cache(principal, resolved, key, wait, task_warnings)
                if hit is not None:
                    return hit

        task_id = uuid.uuid4().hex
        annotate(task_id=task_id)
        created_ns = time.time_ns()
        # task control: the timeout is the task's deadline; unfinished tasks are bounded
        deadline_ns = self.control.deadline_ns(created_ns, timeout)
        nbytes = sum(len(t.data) for t in inputs) + len(inputs_json)
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
            outputs_to=outputs_to,
            caller_token=caller_token if referenced.needs_token else "",
        )
        if wait:  # whoever records the result writes the record (recording.py)
            item.task_record_json = json.dumps(
                {k: v for k, v in record.items() if k != "durable"}, separators=(",", ":")
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
            with span("dispatch", kind=SpanKind.PRODUCER, attributes={"dlhub.task_id": task_id}):
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
            "servable": _servable(resolved),
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
            observe_cache(resolved.ref, False)
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
        took_ns = time.perf_counter_ns() - t0
        self.stats.cache_hit(resolved.ref, took_ns)
        observe_cache(resolved.ref, True, took_ns / 1e9)
        self.usage.ran(record["servable"], principal.username, ok=True, latency_ms=took_ns / 1e6)
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
        record = (
            self._pending.get(task_id)
            or await self.recording.finished(task_id)
            or (await self.records.get(task_id) if task_id else None)
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
                record = (
                    self._pending.get(task_id)
                    or await self.recording.finished(task_id)
                    or await self.records.get(task_id)
                    or record
                )
                record = await self.control.checked(record)  # task control
            finally:
                if self._waiters.get(task_id) is fut and not fut.done():
                    self._waiters.pop(task_id, None)
        outputs, output_json, refs = await self._load_outputs(record)
        return TaskView(record, outputs, output_json, refs)

    async def _load_outputs(
        self, record: dict[str, Any]
    ) -> tuple[list[types_pb2.Tensor], str, dict[str, str]]:
        if record["state"] != SUCCEEDED:
            return [], "", {}
        if "result_b64" in record:
            raw = base64.b64decode(record["result_b64"])
        elif "result_key" in record:
            raw = b"".join([c async for c in self.objects.open(record["result_key"])])
        else:
            return [], "", {}
        result = bus_pb2.WorkResult.FromString(raw)
        return list(result.outputs), result.output_json, dict(result.output_refs)

    # ------------------------------------------------------------ results

    async def record_result(self, result: bus_pb2.WorkResult, raw: bytes) -> None:
        """Record one result (idempotent) and wake its waiter here, as the two
        reads of the results topic do (recording.py)."""
        await self.recording.record(result, raw)
        await self.recording.wake(result, raw)
