"""Task manager core: validate runs, dispatch them, track them, return results.

A run is accepted only after its inputs match the servable's declared
signature. The task record is written before the work item is published, so
an accepted task is never lost from view; results come back on the results
topic, are recorded (inline when small, in the object store when large),
and then wake any caller waiting synchronously.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dlhub_common._proto.dlhub.v1 import bus_pb2, registry_pb2, types_pb2
from dlhub_common.apis import RegistryApi
from dlhub_common.codec import from_raw
from dlhub_common.errors import ErrorCode, FailedPrecondition, InvalidArgument, NotFound
from dlhub_common.identity import Principal
from dlhub_common.metadata import (
    TENSOR_SERVABLE_TYPES,
    WORKER_SERVABLE_TYPES,
    IOSpec,
    validate_metadata,
)
from dlhub_common.names import Ref
from dlhub_common.ports import EventBus, ObjectStore
from dlhub_common.ports.documents import DocumentStore
from dlhub_common.records import ACTIVE, DEPRECATED, WITHDRAWN
from dlhub_common.retry import any_error, retrying
from dlhub_common.settings import TaskSettings
from dlhub_common.signature import TensorSpec, check_inputs, tensor_signature
from dlhub_common.telemetry import TASKS
from dlhub_common.topics import EXECUTORS_GROUP, RESULTS
from dlhub_common.topics import TASKS as TASK_TOPIC
from dlhub_common.tracing import SpanKind, context_from_headers, headers_with_context, tracer
from dlhub_common.typed_values import check_json

if TYPE_CHECKING:
    from dlhub_taskmanager.control import TaskControl

log = logging.getLogger("dlhub.taskmanager")

TASKS_COLLECTION = "tasks"
# Records of recently accepted tasks kept in memory for recording their results.
PENDING_CACHE = 10_000
INLINE_RESULT_BYTES = 256 * 1024
TENSOR_TYPES = TENSOR_SERVABLE_TYPES
JSON_TYPES = WORKER_SERVABLE_TYPES
# Tensor servables whose runner needs the signature's order (forward() arguments).
ORDERED_TENSOR_TYPES = ("torchscript", "torch_export")

QUEUED, RUNNING, SUCCEEDED, FAILED = "QUEUED", "RUNNING", "SUCCEEDED", "FAILED"
CANCELLED = "CANCELLED"  # task control (control.py): terminal too
TERMINAL = (SUCCEEDED, FAILED, CANCELLED)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Resolved:
    """What the task manager needs to know about one servable version."""

    ref: Ref
    digest: str
    servable_type: str
    model_path: str
    artifacts: tuple[types_pb2.ArtifactRef, ...]
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    state: str = ACTIVE
    state_reason: str = ""
    # JSON-valued servables (type "python"): the declared input type and how
    # executors run it (WorkItem.runtime_json).
    input_spec: IOSpec | None = None
    runtime_json: str = ""
    # The executor-servable interface version of the record (1 for records
    # written before versions were recorded); executors dispatch on it.
    interface_version: int = 1


@dataclass(frozen=True)
class _Signature:
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    servable_type: str
    input_spec: IOSpec | None
    runtime_json: str


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
        tasks: TaskSettings | None = None,
    ) -> None:
        self.docs = docs
        self.objects = objects
        self.bus = bus
        self.registry = registry
        self.default_timeout_s = default_timeout_s
        self.instance_id = instance_id or uuid.uuid4().hex[:12]
        self._waiters: dict[str, asyncio.Future[TaskView]] = {}
        self._pending: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._signatures: dict[str, _Signature] = {}
        self._consumer: asyncio.Task[None] | None = None
        # task control: cancel, deadlines, backpressure, retention (control.py);
        # imported here because control.py builds on this module
        from dlhub_taskmanager.control import TaskControl

        self.control: TaskControl = TaskControl(self, tasks or TaskSettings())

    async def start(self) -> None:
        await self.docs.ensure_index(TASKS_COLLECTION, ["state"])
        await self.docs.ensure_index(TASKS_COLLECTION, ["state", "completed_at"])  # retention
        # Tasks accepted before the first executor joins must wait for it.
        await self.bus.ensure_group([TASK_TOPIC], EXECUTORS_GROUP)
        # Every replica reads every result (its own group) so synchronous
        # waiters on any replica are woken; recording a result is idempotent.
        sub = self.bus.subscribe([RESULTS], f"taskmanager-{self.instance_id}")
        await sub.start()
        self._consumer = asyncio.create_task(self._consume(sub), name="taskmanager-results")
        await self.control.start()  # task control

    async def stop(self) -> None:
        await self.control.stop()  # task control
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
            self._consumer = None
        for fut in self._waiters.values():
            fut.cancel()

    # ------------------------------------------------------------ resolve

    async def resolve(self, ref: Ref) -> Resolved:
        """Look the servable up in the registry (visibility applies)."""
        resp = await self.registry.get_servable(
            registry_pb2.GetServableRequest(ref=types_pb2.ServableRef(**ref.__dict__))
        )
        summary = resp.servable.summary
        sig = self._signatures.get(summary.digest)
        if sig is None:
            metadata = validate_metadata(json.loads(resp.servable.metadata_json))
            run = metadata.run
            json_typed = metadata.servable.type in JSON_TYPES
            if metadata.servable.type == "sklearn":
                # a native scikit-learn servable: the worker's built-in loader
                runtime = json.dumps(
                    {
                        "python": metadata.servable.python,
                        "loader": "sklearn",
                        "model": run.method_details.get("model"),
                        "method": run.method_details.get("method", "predict"),
                        "interface_version": run.method_details.get("interface_version", 1),
                        "lock_path": "environment.lock",
                    }
                )
            elif json_typed:
                runtime = json.dumps(
                    {
                        "python": metadata.servable.python,
                        "module": run.method_details.get("module"),
                        "function": run.method_details.get("function"),
                        "interface_version": run.method_details.get("interface_version", 1),
                        "lock_path": "environment.lock",
                    }
                )
            elif metadata.servable.type in ORDERED_TENSOR_TYPES:
                # the order of forward()'s arguments and results (checked at publish)
                runtime = json.dumps(
                    {
                        "inputs": run.method_details.get("input_order")
                        or [t.name for t in tensor_signature(run.input)],
                        "outputs": run.method_details.get("output_order")
                        or [t.name for t in tensor_signature(run.output)],
                    }
                )
            else:
                runtime = ""
            sig = _Signature(
                inputs=() if json_typed else tuple(tensor_signature(run.input)),
                outputs=() if json_typed else tuple(tensor_signature(run.output)),
                servable_type=metadata.servable.type,
                input_spec=run.input if json_typed else None,
                runtime_json=runtime,
            )
            self._signatures[summary.digest] = sig
        return Resolved(
            ref=Ref(summary.owner, summary.name, summary.version),
            digest=summary.digest,
            servable_type=sig.servable_type,
            model_path=resp.model_path,
            artifacts=tuple(resp.artifacts),
            inputs=sig.inputs,
            outputs=sig.outputs,
            state=summary.state or ACTIVE,
            state_reason=summary.state_reason,
            input_spec=sig.input_spec,
            runtime_json=sig.runtime_json,
            interface_version=resp.interface_version or 1,
        )

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
    ) -> TaskView:
        """Validate and dispatch a run; wait for it when ``wait``.

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
        if resolved.state == WITHDRAWN:
            raise FailedPrecondition(
                f"{resolved.ref} is withdrawn: {resolved.state_reason}",
                details={"state": WITHDRAWN, "reason": resolved.state_reason},
            )
        task_warnings = (
            [f"{resolved.ref} is deprecated: {resolved.state_reason}"]
            if resolved.state == DEPRECATED
            else []
        )
        if resolved.servable_type in JSON_TYPES:
            if inputs:
                raise FailedPrecondition(
                    f"{resolved.ref} is a {resolved.servable_type} servable: it takes one JSON"
                    " value (inputs_json), not tensors; the Open Inference Protocol runs"
                    " tensor servables only"
                )
            if not inputs_json:
                raise InvalidArgument(f"{resolved.ref} needs an input: set inputs_json")
            assert resolved.input_spec is not None
            check_json(resolved.input_spec, inputs_json)
            if outputs:
                raise InvalidArgument("python servables return one value; do not select outputs")
        elif resolved.servable_type not in TENSOR_TYPES:
            raise FailedPrecondition(f"servable type {resolved.servable_type!r} cannot run here")
        elif inputs_json:
            raise InvalidArgument(
                f"{resolved.ref} is a tensor servable ({resolved.servable_type}):"
                " send tensors (inputs), not inputs_json"
            )
        given: dict[str, tuple[str, list[int]]] = {}
        for t in inputs:
            if t.name in given:
                raise InvalidArgument(f"input {t.name!r} given twice")
            given[t.name] = (t.datatype, list(t.shape))
        check_inputs(resolved.inputs, given)
        for t in inputs:  # data must match shape and datatype before it is queued
            from_raw(t.datatype, list(t.shape), t.data, name=t.name)
        if (
            len(resolved.inputs) == 1
            and len(inputs) == 1
            and inputs[0].name != resolved.inputs[0].name
        ):
            renamed = types_pb2.Tensor()
            renamed.CopyFrom(inputs[0])
            renamed.name = resolved.inputs[0].name
            inputs = [renamed]
        known_outputs = {s.name for s in resolved.outputs}
        for name in outputs or []:
            if known_outputs and name not in known_outputs:
                raise InvalidArgument(f"unknown output {name!r}; outputs: {sorted(known_outputs)}")
        timeout = timeout_s if timeout_s > 0 else self.default_timeout_s

        task_id = uuid.uuid4().hex
        created_ns = time.time_ns()
        # task control: the timeout is the task's deadline; unfinished tasks are bounded
        deadline_ns = self.control.deadline_ns(created_ns, timeout)
        self.control.admit(task_id, resolved.ref, deadline_ns)
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
            "created_at": _now_iso(),
            "created_ns": created_ns,
            "deadline_ns": deadline_ns,  # task control
        }
        if task_warnings:
            record["warnings"] = task_warnings
        await self.docs.insert(TASKS_COLLECTION, task_id, record)
        self._pending[task_id] = record
        while len(self._pending) > PENDING_CACHE:
            self._pending.popitem(last=False)
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
        fut: asyncio.Future[TaskView] | None = None
        if wait:
            fut = asyncio.get_running_loop().create_future()
            self._waiters[task_id] = fut
        try:
            with tracer.start_as_current_span("dispatch", kind=SpanKind.PRODUCER) as span:
                span.set_attribute("dlhub.task_id", task_id)
                await self.bus.publish(
                    TASK_TOPIC,
                    item.SerializeToString(),
                    key=resolved.ref.full_name,
                    headers=headers_with_context(),
                )
        except BaseException:
            self.control.release(task_id)  # task control
            self._waiters.pop(task_id, None)
            self._pending.pop(task_id, None)
            await self.docs.delete(TASKS_COLLECTION, task_id)
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

    # ------------------------------------------------------------ query

    async def get(
        self, principal: Principal, task_id: str, *, wait: bool = False, timeout_s: float = 0.0
    ) -> TaskView:
        """Current state of a task, waiting up to ``timeout_s`` when ``wait``.

        Raises:
            NotFound: unknown task, or a task of another user.
        """
        record = await self.docs.get(TASKS_COLLECTION, task_id) if task_id else None
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
                record = await self.docs.get(TASKS_COLLECTION, task_id) or record
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
        try:
            async for delivery in sub:
                try:
                    result = bus_pb2.WorkResult.FromString(delivery.value)
                except Exception:
                    log.error("dropping an undecodable result (%d bytes)", len(delivery.value))
                    await delivery.ack()
                    continue
                # a result is acked only once it is recorded
                async for attempt in retrying(
                    f"record result of {result.task_id}", retry_on=any_error
                ):
                    with (
                        attempt,
                        tracer.start_as_current_span(
                            "record_result",
                            context=context_from_headers(delivery.headers),
                            kind=SpanKind.CONSUMER,
                        ),
                    ):
                        await self.record_result(result, delivery.value)
                await delivery.ack()
        finally:
            await sub.close()

    async def record_result(self, result: bus_pb2.WorkResult, raw: bytes) -> None:
        """Record one result (idempotent) and wake its waiter."""
        # task control: a cancel or the deadline ended the task first; drop the result
        if not self.control.result_may_record(result.task_id):
            self._pending.pop(result.task_id, None)
            return
        # Tasks this replica accepted are known without a round trip to the store.
        record = self._pending.pop(result.task_id, None)
        if record is None:
            record = await self.docs.get(TASKS_COLLECTION, result.task_id)
        if record is None:
            log.warning("result for unknown task %s dropped", result.task_id)
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
                },
            }
            if result.ok:
                if len(raw) <= INLINE_RESULT_BYTES:
                    fields["result_b64"] = base64.b64encode(raw).decode()
                else:
                    info = await self.objects.put(_one(raw))
                    fields["result_key"] = info.key
            else:
                fields["error"] = _error_for_caller(record, result.error)
            await self.docs.update(TASKS_COLLECTION, result.task_id, fields)
            record.update(fields)
            TASKS.labels("ok" if result.ok else "error").inc()
        fut = self._waiters.get(result.task_id)
        if fut is not None and not fut.done():
            fut.set_result(
                TaskView(
                    record,
                    list(result.outputs) if result.ok else [],
                    result.output_json if result.ok else "",
                )
            )


def _error_for_caller(record: dict[str, Any], error: types_pb2.ErrorInfo) -> dict[str, Any]:
    """The error as the task's caller may see it.

    A servable's own failure (SERVABLE_ERROR) carries the function's message
    and traceback, which may reveal the servable's code or data: only the
    servable's owner keeps them. Anyone else gets the exception type and a
    sanitized message. Tasks are only ever shown to the user who submitted
    them, so deciding here, once, covers every later read.
    """
    out = {
        "code": error.code,
        "message": error.message,
        "details_json": error.details_json,
        "retryable": error.retryable,
    }
    owner = record.get("servable", {}).get("owner")
    if error.code != ErrorCode.SERVABLE_ERROR.value or (owner and record.get("user") == owner):
        return out
    try:
        details = json.loads(error.details_json or "{}")
    except ValueError:
        details = {}
    kind = details.get("exception") if isinstance(details, dict) else None
    out["message"] = (
        f"the servable raised {kind} while running; its owner can see the details"
        if isinstance(kind, str) and kind.isidentifier()
        else "the servable failed while running; its owner can see the details"
    )
    out["details_json"] = json.dumps({"exception": kind} if isinstance(kind, str) else {})
    return out


async def _one(data: bytes) -> Any:
    yield data
