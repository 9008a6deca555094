"""Running a pipeline task: each step through ``submit``, independent steps at once.

A pipeline run is a task of its own (its record says ``pipeline: true`` and
lists its ``steps``). It is accepted like any run (admission, a deadline)
after every step was resolved *as the caller* (NOT_FOUND for a step they may
not see, FAILED_PRECONDITION for a withdrawn one), and its record is written
at acceptance, synchronous or not: it spans several tasks and outlives any
one of them. This replica then drives it: a step starts when the steps it
reads have finished (steps of one wave run concurrently), runs through
:meth:`TaskManager.submit <dlhub_taskmanager.core.TaskManager.submit>` (so
batching, the result cache, staging and admission apply per step), and its
state, task id, timings and outputs are written into the pipeline's record
as it finishes. The first failing step fails the pipeline, naming it; the
steps still running are cancelled and those not started never start.

Cancel and the deadline end the pipeline through task control like any task
(control.py calls :meth:`PipelineRunner.ended`), which cancels the steps in
flight. What a task-manager restart does: see recovery.py.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

from dlhub_common._proto.dlhub.v1 import bus_pb2, types_pb2
from dlhub_common.errors import (
    DLHubError,
    ErrorCode,
)
from dlhub_common.identity import Principal
from dlhub_common.tracing import in_span
from dlhub_taskmanager.core import (
    FAILED,
    INLINE_RESULT_BYTES,
    RUNNING,
    SUCCEEDED,
    TERMINAL,
    TaskView,
    _now_iso,
)
from dlhub_taskmanager.pipelines import recovery
from dlhub_taskmanager.pipelines.accept import Plan, check_input, plan_of, resolve_steps
from dlhub_taskmanager.pipelines.steps import initial, keep_output
from dlhub_taskmanager.pipelines.values import Value, pipeline_output, step_input
from dlhub_taskmanager.resolver import Resolved
from dlhub_taskmanager.results import one_chunk

if TYPE_CHECKING:
    from dlhub_taskmanager.core import TaskManager

log = logging.getLogger("dlhub.taskmanager.pipelines")

# A synchronous caller waits this much past the deadline for the step that
# was running to report its own DEADLINE_EXCEEDED (so the error names it).
DEADLINE_GRACE_S = 0.5


class StepFailed(Exception):
    """One step ended without a result; ``error`` is its ErrorInfo as a dict."""

    def __init__(self, name: str, error: dict[str, Any]) -> None:
        super().__init__(name)
        self.name = name
        self.error = error


def _error_of(exc: DLHubError) -> dict[str, Any]:
    return {
        "code": exc.code.value,
        "message": exc.message,
        "details_json": json.dumps(exc.details or {}, default=str),
        "retryable": exc.retryable,
    }


class PipelineRunner:
    """Drives this replica's pipeline tasks (see the module doc).

    Args:
        core: the task manager whose ``submit`` runs each step.
    """

    def __init__(self, core: TaskManager) -> None:
        self.core = core
        self._plans: dict[str, Plan] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._records: dict[str, dict[str, Any]] = {}
        self._loops: list[asyncio.Task[None]] = []

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._loops = [asyncio.create_task(recovery.beat_forever(self), name="pipelines-beat")]
        if self.core.bus.outlives_process:  # else: task control's fail_lost_work (recovery.py)
            self._loops.append(
                asyncio.create_task(recovery.sweep_forever(self), name="pipelines-recovery")
            )

    def lost_fields(self, record: dict[str, Any]) -> dict[str, Any]:
        """Task control hook (fail_lost_work): how a pipeline of the previous process fails."""
        return recovery.failed_fields(record, "restarted")

    async def stop(self) -> None:
        for task in self._loops:
            task.cancel()
        # this replica's running pipelines fail first, naming their running steps
        for task_id, record in list(self._records.items()):
            with contextlib.suppress(Exception):
                await recovery.fail_one(self, record, "stopped")
            self._records.pop(task_id, None)
        bodies = list(self._running.values())
        for task in bodies:
            task.cancel()
        for task in [*self._loops, *bodies]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._loops = []

    def running(self) -> dict[str, dict[str, Any]]:
        """The pipeline records this replica drives now, by task id."""
        return self._records

    def ended(self, task_id: str) -> None:
        """Task control hook: a cancel or the deadline ended this task; stop its steps."""
        body = self._running.get(task_id)
        if body is not None and not body.done():
            body.cancel()

    # ------------------------------------------------------------ submit

    async def submit(
        self,
        principal: Principal,
        resolved: Resolved,
        inputs: list[types_pb2.Tensor],
        *,
        wait: bool,
        timeout_s: float,
        outputs: list[str],
        inputs_json: str,
        no_cache: bool,
        outputs_to: str,
        task_warnings: list[str],
    ) -> TaskView:
        """Accept a pipeline run (see the module doc); wait for it when ``wait``.

        Raises:
            NotFound: a step the caller may not see.
            FailedPrecondition: a step is withdrawn (or changed its bytes).
            InvalidArgument: inputs or outputs that do not match the signature.
        """
        spec = resolved.signature.pipeline
        assert spec is not None
        plan = self._plans.get(resolved.digest)
        if plan is None:
            plan = self._plans[resolved.digest] = plan_of(spec)
        pipeline_input = check_input(resolved, plan, inputs, inputs_json, outputs, outputs_to)
        refs, step_warnings = await resolve_steps(self.core, resolved, spec)
        warnings_ = [*task_warnings, *step_warnings]
        timeout = timeout_s if timeout_s > 0 else self.core.default_timeout_s
        task_id = uuid.uuid4().hex
        created_ns = time.time_ns()
        deadline_ns = self.core.control.deadline_ns(created_ns, timeout)
        nbytes = sum(len(t.data) for t in inputs) + len(inputs_json)
        self.core.control.admit(
            task_id, resolved.ref, deadline_ns, caller=principal.username or "", nbytes=nbytes
        )
        record = self.core._new_record(principal, resolved, task_id, created_ns, warnings_)
        record.update(
            state=RUNNING,
            deadline_ns=deadline_ns,
            pipeline=True,
            driver=self.core.instance_id,
            beat_ns=created_ns,
            steps=initial(spec),
        )
        try:
            await self.core.records.insert(record)  # every pipeline task is stored at acceptance
        except BaseException:
            self.core.control.release(task_id)
            raise
        self.core._pending[task_id] = record
        self._records[task_id] = record
        fut: asyncio.Future[TaskView] | None = None
        if wait:
            fut = asyncio.get_running_loop().create_future()
            self.core._waiters[task_id] = fut
        body = asyncio.create_task(
            in_span(  # a child of the run's span; each step's span is its child
                "pipeline",
                self._drive(principal, plan, record, refs, pipeline_input, no_cache, outputs),
                task_id=task_id,
                servable=resolved.ref.full_name,
                version=resolved.ref.version,
            ),
            name=f"pipeline-{task_id}",
        )
        self._running[task_id] = body
        body.add_done_callback(lambda _t: self._running.pop(task_id, None))
        if fut is None:
            return TaskView(record, [])
        try:
            # the running step's own deadline (the same instant) ends it first, naming it
            return await asyncio.wait_for(asyncio.shield(fut), timeout + DEADLINE_GRACE_S)
        except TimeoutError:  # the pipeline's deadline (task control)
            return await self.core.control.timed_out(principal, task_id)
        except asyncio.CancelledError:  # the caller left: cancel the pipeline
            self.core.control.abandoned(principal, task_id)
            raise
        finally:
            self.core._waiters.pop(task_id, None)

    # ------------------------------------------------------------ driving

    async def _drive(
        self,
        principal: Principal,
        plan: Plan,
        record: dict[str, Any],
        refs: dict[str, Any],
        pipeline_input: Value,
        no_cache: bool,
        wanted: list[str],
    ) -> None:
        task_id = record["task_id"]
        values: dict[str, Value] = {}
        try:
            failure: StepFailed | None = None
            try:
                await self._run_steps(
                    principal, plan, record, refs, pipeline_input, no_cache, values
                )
            except* StepFailed as group:
                first = group.exceptions[0]
                assert isinstance(first, StepFailed)
                failure = first
            except* DLHubError as group:  # an edge that did not hold at run time
                exc = group.exceptions[0]
                assert isinstance(exc, DLHubError)
                failure = failure or StepFailed("", _error_of(exc))
            result: Value = None
            if failure is None:
                try:
                    result = pipeline_output(
                        plan.outputs, values, pipeline_input, plan.tensors, wanted
                    )
                except DLHubError as exc:
                    failure = StepFailed("", _error_of(exc))
            if failure is not None:
                _settle_unfinished(record)
                await self._finish(record, failed=failure)
            else:
                await self._finish(record, result=result, tensors=plan.tensors)
        except asyncio.CancelledError:
            # a cancel or the deadline ended the task (control.py), or this replica stops
            _settle_unfinished(record)
            if record.get("state") in TERMINAL or task_id not in self.core._pending:
                self._records.pop(task_id, None)
                with contextlib.suppress(Exception):
                    await self.core.records.update(task_id, {"steps": record["steps"]})
            raise
        except Exception:
            log.exception("pipeline task %s failed", task_id)
            _settle_unfinished(record)
            with contextlib.suppress(Exception):
                await self._finish(
                    record,
                    failed=StepFailed(
                        "",
                        {
                            "code": ErrorCode.INTERNAL.value,
                            "message": "the pipeline failed",
                            "details_json": "{}",
                            "retryable": False,
                        },
                    ),
                )

    async def _run_steps(
        self,
        principal: Principal,
        plan: Plan,
        record: dict[str, Any],
        refs: dict[str, Any],
        pipeline_input: Value,
        no_cache: bool,
        values: dict[str, Value],
    ) -> None:
        done = {s.name: asyncio.Event() for s in plan.spec.steps}
        entries = {e["name"]: e for e in record["steps"]}

        async def one(name: str) -> None:
            for dep in plan.deps[name]:
                await done[dep].wait()
            await in_span("pipeline_step", run_step(name), step=name)  # once it may start

        async def run_step(name: str) -> None:
            entry = entries[name]
            try:
                value = step_input(plan.sources[name], values, pipeline_input, plan.tensors)
            except DLHubError as exc:
                entry.update(state=FAILED, error=_error_of(exc), completed_at=_now_iso())
                raise StepFailed(name, entry["error"]) from None
            remaining_s = (int(record["deadline_ns"]) - time.time_ns()) / 1e9
            entry.update(state=RUNNING, started_at=_now_iso())
            if remaining_s <= 0:
                entry.update(
                    state=FAILED,
                    completed_at=_now_iso(),
                    error={
                        "code": ErrorCode.DEADLINE_EXCEEDED.value,
                        "message": "the pipeline's deadline passed before this step started",
                        "details_json": "{}",
                        "retryable": True,
                    },
                )
                raise StepFailed(name, entry["error"])
            try:
                view = await self.core.submit(
                    principal,
                    refs[name],
                    value if plan.tensors else [],
                    inputs_json="" if plan.tensors else json.dumps(value),
                    wait=True,
                    timeout_s=remaining_s,
                    no_cache=no_cache,
                )
            except DLHubError as exc:
                entry.update(state=FAILED, error=_error_of(exc), completed_at=_now_iso())
                raise StepFailed(name, entry["error"]) from None
            rec = view.record
            entry.update(
                state=rec["state"],
                task_id=rec["task_id"],
                completed_at=rec.get("completed_at") or _now_iso(),
            )
            if "timings" in rec:
                entry["timings"] = dict(rec["timings"])
            if rec["state"] != SUCCEEDED:
                entry["error"] = rec.get("error") or {
                    "code": ErrorCode.FAILED_PRECONDITION.value,
                    "message": f"its task ended {rec['state']}",
                    "details_json": "{}",
                    "retryable": False,
                }
                raise StepFailed(name, entry["error"])
            values[name] = list(view.outputs) if plan.tensors else json.loads(view.output_json)
            keep_output(entry, list(view.outputs), view.output_json)
            await self._save_steps(record)
            done[name].set()

        async with asyncio.TaskGroup() as group:
            for step in plan.spec.steps:
                group.create_task(one(step.name), name=f"pipeline-step-{step.name}")

    async def _save_steps(self, record: dict[str, Any]) -> None:
        """Finished steps' outputs and timings are durable as each step ends."""
        try:
            await self.core.records.update(record["task_id"], {"steps": record["steps"]})
        except DLHubError as exc:  # written again when the pipeline ends
            log.warning("pipeline %s: steps not saved: %s", record["task_id"], exc.message)

    async def _finish(
        self,
        record: dict[str, Any],
        *,
        result: Value | None = None,
        tensors: bool = False,
        failed: StepFailed | None = None,
    ) -> None:
        """End the task (once: a cancel or the deadline may have claimed it first)."""
        core = self.core
        task_id = record["task_id"]
        self._records.pop(task_id, None)
        if not core.control.result_may_record(task_id):  # ended by a cancel or the deadline
            with contextlib.suppress(Exception):
                await core.records.update(task_id, {"steps": record["steps"]})
            return
        now_ns = time.time_ns()
        steps = record["steps"]
        timings = {
            "queue_ms": 0.0,
            "compute_ms": sum(float(s.get("timings", {}).get("compute_ms", 0)) for s in steps),
            "total_ms": max(0, now_ns - int(record["created_ns"])) / 1e6,
            "batch_size": 1,
            "cache_hit": bool(steps) and all(s.get("timings", {}).get("cache_hit") for s in steps),
        }
        fields: dict[str, Any] = {
            "completed_at": _now_iso(now_ns),
            "timings": timings,
            "steps": steps,
        }
        outputs: list[types_pb2.Tensor] = []
        output_json = ""
        if failed is not None:
            fields["state"] = FAILED
            fields["error"] = _pipeline_error(failed)
        else:
            fields["state"] = SUCCEEDED
            if tensors:
                outputs = list(result or [])
            else:
                output_json = json.dumps(result)
            raw = bus_pb2.WorkResult(
                task_id=task_id, ok=True, outputs=outputs, output_json=output_json
            ).SerializeToString()
            if len(raw) <= INLINE_RESULT_BYTES:
                fields["result_b64"] = base64.b64encode(raw).decode()
            else:
                fields["result_key"] = (await core.objects.put(one_chunk(raw))).key
        try:
            await core.records.update(task_id, fields)
        except DLHubError as exc:  # the record stays RUNNING: recovery fails it later
            log.warning("pipeline %s: final record not written: %s", task_id, exc.message)
        record.update(fields)
        core._pending.pop(task_id, None)
        fut = core._waiters.get(task_id)
        if fut is not None and not fut.done():
            fut.set_result(TaskView(record, outputs, output_json))


def _settle_unfinished(record: dict[str, Any]) -> None:
    """Steps cut short by the end of their pipeline are CANCELLED; unstarted stay QUEUED."""
    now = _now_iso()
    for entry in record["steps"]:
        if entry.get("state") == RUNNING:
            entry.update(state="CANCELLED", completed_at=now)


def _pipeline_error(failed: StepFailed) -> dict[str, Any]:
    """The pipeline's error: the failing step's, named."""
    step_error = failed.error
    if not failed.name:
        return {**step_error, "message": f"the pipeline failed: {step_error['message']}"}
    try:
        inner = json.loads(step_error.get("details_json") or "{}")
    except ValueError:
        inner = {}
    return {
        "code": step_error["code"],
        "message": f"step {failed.name!r} failed: {step_error['code']}: {step_error['message']}",
        "details_json": json.dumps({"step": failed.name, "step_details": inner}),
        "retryable": bool(step_error.get("retryable", False)),
    }
