"""Task control in the task manager: cancel, deadlines, admission (backpressure).

The core calls in at a few marked hooks (``core.py``, "task control"):

* ``admit`` / ``release`` around accepting a run: unfinished tasks and their
  input bytes are bounded in total, per servable version and per caller
  (``settings.tasks``; see ``admission.py``);
* ``result_may_record`` at the top of ``record_result``: a task that was
  cancelled or failed for its deadline on this replica keeps its state, a late
  result is dropped;
* ``checked`` in ``get``: an unfinished task past its deadline is failed
  with DEADLINE_EXCEEDED there and then; a finished one past its retention
  is removed and reads as NOT_FOUND.

Who ends a task first wins, per replica, without a store round trip: a
cancel, the deadline and a result each *claim* the task id synchronously
(no ``await`` between looking and claiming), and a later contender loses.
Across replicas every task manager also reads ``dlhub.control`` (its own
group) and learns of the cancels of the others; the store record is the
final word (a record in a finished state is never changed again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import (
    DLHubError,
    ErrorCode,
    FailedPrecondition,
    NotFound,
)
from dlhub_common.identity import Principal
from dlhub_common.names import Ref
from dlhub_common.observability.run_metrics import count_run
from dlhub_common.retry import is_retryable, retrying
from dlhub_common.settings import TaskSettings
from dlhub_common.topics import CONTROL
from dlhub_taskmanager.admission import Admission, Limits
from dlhub_taskmanager.core import (
    CANCELLED,
    FAILED,
    QUEUED,
    RUNNING,
    TASKS_COLLECTION,
    TERMINAL,
    TaskView,
    _now_iso,
)
from dlhub_taskmanager.retention import Retention

if TYPE_CHECKING:
    from dlhub_taskmanager.core import TaskManager

log = logging.getLogger("dlhub.taskmanager.control")

# Who ended a task on this replica (claims).
_BY_RESULT, _BY_CANCEL, _BY_DEADLINE = "result", "cancel", "deadline"
# A cancel's or deadline's claim is kept this long after the task's deadline
# (late results of a run stopped at the deadline still arrive); a result's
# claim only until its record is written. At most MAX_CLAIMS are kept.
CLAIM_GRACE_S = 300.0
RESULT_CLAIM_S = 30.0
MAX_CLAIMS = 100_000


# The periodic sweep scans the store for overdue tasks one tick in this many.
STORE_SCAN_EVERY = 10


class TaskControl:
    """Cancel, deadlines, admission and retention for one task manager (see module doc).

    Args:
        core: the task manager whose tasks this controls.
        settings: limits and retention (``settings.tasks``).
    """

    def __init__(self, core: TaskManager, settings: TaskSettings) -> None:
        self.core = core
        self.settings = settings
        self.admission = Admission(Limits.of(settings))
        self.retention = Retention(
            core.docs,
            core.objects,
            settings.result_ttl_s,
            forget=lambda task_id: core._pending.pop(task_id, None),
        )
        # task id -> (who ended it, keep until monotonic s), oldest first
        self._claims: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._tasks: list[asyncio.Task[None]] = []
        self._abandoned: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if not self.core.bus.outlives_process:
            await self.fail_lost_work()
        # Every replica reads every cancel, in its own group, from now on.
        sub = self.core.bus.subscribe([CONTROL], f"taskmanager-control-{self.core.instance_id}")
        await sub.start()
        self._tasks = [
            asyncio.create_task(self._consume(sub), name="taskmanager-control"),
            asyncio.create_task(self._sweep_forever(), name="taskmanager-sweep"),
        ]

    async def stop(self) -> None:
        for task in [*self._tasks, *self._abandoned]:
            task.cancel()
        for task in [*self._tasks, *self._abandoned]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._abandoned.clear()

    # ------------------------------------------------------------ hooks

    def admit(
        self, task_id: str, ref: Ref, deadline_ns: int, *, caller: str = "", nbytes: int = 0
    ) -> None:
        """Hook before a task is recorded: count it or refuse it (Overloaded)."""
        self.admission.admit(task_id, ref, deadline_ns, caller=caller, nbytes=nbytes)

    def release(self, task_id: str) -> None:
        """Hook when an accepted task was not dispatched after all."""
        self.admission.release(task_id)

    @staticmethod
    def deadline_ns(created_ns: int, timeout_s: float) -> int:
        """The task's deadline: accepted time plus its timeout."""
        return created_ns + int(timeout_s * 1e9)

    def result_may_record(self, task_id: str) -> bool:
        """Hook at the top of record_result: False when a cancel or the deadline
        ended the task here first (the result is then dropped)."""
        self.admission.release(task_id)
        return self._claim(task_id, _BY_RESULT, 0) is None

    async def checked(self, record: dict[str, Any]) -> dict[str, Any]:
        """Hook in get: fail an overdue unfinished task, hide an expired finished one.

        Raises:
            NotFound: the task finished longer ago than ``result_ttl_s`` (it is removed).
        """
        if record["state"] in TERMINAL:
            if self.retention.expired(record, time.time_ns()):
                await self.retention.remove(record)
                raise NotFound(f"task {record['task_id']!r} not found")
            return record
        if _overdue(record, time.time_ns()):
            return await self.expire(record)
        return record

    # ------------------------------------------------------------ cancel

    async def cancel(self, principal: Principal, task_id: str) -> TaskView:
        """Cancel a queued or running task of the caller's.

        A queued task never runs (executors skip it); a running one has its
        result discarded. Cancelling a cancelled task returns it again.

        Raises:
            NotFound: unknown task, or a task of another user.
            FailedPrecondition: the task already finished (details: its state).
        """
        record = (
            self._known(task_id)
            # a synchronous run that just finished, its record not written yet
            or await self.core.recording.finished(task_id)
            or (await self.core.records.get(task_id) if task_id else None)
        )
        if record is None or (record.get("user") and record["user"] != principal.username):
            raise NotFound(f"task {task_id!r} not found")
        if record["state"] == CANCELLED:
            return TaskView(record, [])
        state = record["state"]
        if state not in TERMINAL and self._claim(
            task_id, _BY_CANCEL, int(record.get("deadline_ns") or 0)
        ) not in (None, _BY_CANCEL):
            state = "finishing"  # its result (or its deadline) is being recorded right now
        if state != record["state"] or state in TERMINAL:
            raise FailedPrecondition(
                f"task {task_id} has already finished ({state}); only queued or running"
                " tasks can be cancelled",
                details={"state": state},
            )
        self.admission.release(task_id)
        fields = {"state": CANCELLED, "completed_at": _now_iso()}
        record = await self._finish(record, fields)
        count_run(record.get("servable"), "cancelled")
        await self._announce(task_id)
        return TaskView(record, [])

    def abandoned(self, principal: Principal, task_id: str) -> None:
        """Hook when a synchronous caller goes away (disconnect, its own deadline):
        its task is cancelled in the background, so its work is skipped or discarded."""

        async def cancel() -> None:
            try:
                await self.cancel(principal, task_id)
                log.info("task %s cancelled: its caller went away", task_id)
            except DLHubError as exc:  # finished meanwhile, or the store is away
                log.debug("abandoned task %s not cancelled: %s", task_id, exc.message)

        task = asyncio.create_task(cancel(), name=f"cancel-abandoned-{task_id}")
        self._abandoned.add(task)
        task.add_done_callback(self._abandoned.discard)

    async def _announce(self, task_id: str) -> None:
        """Tell executors (and the other task managers); the record already says CANCELLED."""
        message = bus_pb2.TaskControl(
            kind=bus_pb2.TaskControl.KIND_CANCEL, task_id=task_id, unix_ns=time.time_ns()
        ).SerializeToString()
        try:
            async for attempt in retrying(
                f"announce the cancel of {task_id}", retry_on=is_retryable, give_up_after_s=5.0
            ):
                with attempt:
                    await self.core.bus.publish(CONTROL, message, key=task_id)
        except DLHubError as exc:
            # The task stays cancelled: its result is discarded; it may still run.
            log.warning("executors were not told of the cancel of %s: %s", task_id, exc.message)

    async def _consume(self, sub: Any) -> None:
        try:
            async for delivery in sub:
                try:
                    message = bus_pb2.TaskControl.FromString(delivery.value)
                except Exception:
                    log.error("dropping an undecodable control message")
                    message = None
                if message is not None and message.kind == bus_pb2.TaskControl.KIND_CANCEL:
                    try:
                        await self._learn_cancel(message.task_id)
                    except DLHubError as exc:  # the store may be away: waiters time out
                        log.warning("cannot wake waiters of %s: %s", message.task_id, exc.message)
                await delivery.ack()
        finally:
            await sub.close()

    async def _learn_cancel(self, task_id: str) -> None:
        """Another replica (or this one) cancelled a task: drop its late results, wake waiters."""
        self._claim(task_id, _BY_CANCEL, 0)
        self.admission.release(task_id)
        self.core.pipelines.ended(task_id)  # cancelled on another replica: stop its steps
        fut = self.core._waiters.get(task_id)
        if fut is None or fut.done():
            return
        record = self._known(task_id) or await self.core.records.get(task_id)
        if record is not None and record["state"] == CANCELLED and not fut.done():
            self.core._pending.pop(task_id, None)
            fut.set_result(TaskView(record, []))

    async def fail_lost_work(self) -> int:
        """Fail the unfinished tasks of an earlier process of an in-process bus.

        The embedded mode keeps queued work in memory: after a restart no
        executor will ever run the tasks that were unfinished, so they end now
        with a retryable UNAVAILABLE that says why, not at their deadline.
        Only one task manager uses an in-process bus's store, so every
        unfinished task in it was its predecessor's.

        Returns:
            How many tasks were failed.
        """
        lost = await self.core.docs.find(TASKS_COLLECTION, {"state": {"$in": [QUEUED, RUNNING]}})
        for record in lost:
            if record.get("pipeline"):  # named after the step it was running (pipelines/)
                await self.core.records.update(
                    record["task_id"], self.core.pipelines.lost_fields(record)
                )
                continue
            await self.core.records.update(
                record["task_id"],
                {
                    "state": FAILED,
                    "completed_at": _now_iso(),
                    "error": {
                        "code": ErrorCode.UNAVAILABLE.value,
                        "message": "DLHub restarted before this task finished; the embedded"
                        " mode keeps queued work in memory only: run it again",
                        "details_json": "{}",
                        "retryable": True,
                    },
                },
            )
        if lost:
            log.warning(
                "%d unfinished tasks of the previous run failed (work kept in memory)", len(lost)
            )
        return len(lost)

    # ------------------------------------------------------------ deadlines

    async def expire(self, record: dict[str, Any]) -> dict[str, Any]:
        """Fail an unfinished task past its deadline with DEADLINE_EXCEEDED (once)."""
        task_id = record["task_id"]
        if self._claim(task_id, _BY_DEADLINE, int(record.get("deadline_ns") or 0)) not in (
            None,
            _BY_DEADLINE,
        ):
            return record  # a result or a cancel got there first
        self.admission.release(task_id)
        timeout_s = (int(record["deadline_ns"]) - int(record["created_ns"])) / 1e9
        fields = {
            "state": FAILED,
            "completed_at": _now_iso(),
            "error": {
                "code": ErrorCode.DEADLINE_EXCEEDED.value,
                "message": f"the task did not finish within its timeout of {timeout_s:g} s",
                "details_json": "{}",
                "retryable": True,
            },
        }
        count_run(record.get("servable"), "deadline")
        return await self._finish(record, fields)

    async def timed_out(self, principal: Principal, task_id: str) -> TaskView:
        """Hook when a synchronous wait (as long as the task's timeout) ends unanswered:
        the task fails with DEADLINE_EXCEEDED now (the loop's timer may fire a
        hair before the deadline, so this does not wait for the clock)."""
        view = await self.core.get(principal, task_id)
        if view.record["state"] in TERMINAL:
            return view
        record = await self.expire(view.record)
        if record["state"] in TERMINAL:
            return TaskView(record, [])
        # a result is being recorded at this very moment: that is the answer
        fut = self.core._waiters.get(task_id)
        if fut is not None:
            with contextlib.suppress(TimeoutError):
                return await asyncio.wait_for(asyncio.shield(fut), RESULT_CLAIM_S)
        return await self.core.get(principal, task_id)

    async def sweep_once(
        self, now_ns: int | None = None, *, store: bool = True, retention: bool = True
    ) -> tuple[int, int]:
        """Fail overdue unfinished tasks and remove expired finished ones.

        Args:
            now_ns: the time to judge by (default now).
            store: look for overdue tasks in the store (every replica's, also
                those of a replica that died); False: only this replica's
                in-memory tasks (no query).
            retention: also remove expired finished tasks.

        Returns:
            (tasks failed for their deadline, finished tasks removed).
        """
        now_ns = now_ns or time.time_ns()
        if store:
            unfinished = await self.core.docs.find(
                TASKS_COLLECTION, {"state": {"$in": [QUEUED, RUNNING]}}
            )
        else:
            unfinished = [r for r in self.core._pending.values() if r["state"] not in TERMINAL]
        overdue = [r for r in unfinished if _overdue(r, now_ns)]
        for record in overdue:
            await self.expire(record)
        removed = await self.retention.sweep(now_ns) if retention else 0
        return len(overdue), removed

    async def _sweep_forever(self) -> None:
        # Each tick checks this replica's own tasks (in memory, no query); the
        # store is scanned for every replica's overdue tasks one tick in
        # STORE_SCAN_EVERY, and for expired results when a 24th of the
        # retention has passed: on the embedded SQLite store those filters
        # scan the whole collection, which must not happen every minute.
        tick = 0
        last_retention = time.monotonic()
        while True:
            await asyncio.sleep(self.settings.sweep_interval_s)
            now = time.monotonic()
            retain = now - last_retention >= max(
                self.settings.sweep_interval_s, self.settings.result_ttl_s / 24
            )
            try:
                failed, removed = await self.sweep_once(
                    store=tick % STORE_SCAN_EVERY == 0, retention=retain
                )
                tick += 1
                if retain:
                    last_retention = now
            except Exception as exc:  # the store may be away; next time
                log.warning("task sweep failed: %r", exc)
                continue
            if failed or removed:
                log.info("task sweep: %d past their deadline, %d expired removed", failed, removed)

    # ------------------------------------------------------------ plumbing

    def _known(self, task_id: str) -> dict[str, Any] | None:
        """The replica's in-memory record of a task it accepted (fresher than the store)."""
        return self.core._pending.get(task_id)

    async def _finish(self, record: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
        """Write the final fields, forget the pending record, wake a waiter."""
        task_id = record["task_id"]
        # a synchronous run's record is not in the store yet (task_records.py):
        # it is written whole, behind the caller, like any finished one
        durable = record.pop("durable", True)
        if durable:
            await self.core.records.update(task_id, fields)
        record = {**record, **fields}
        if not durable:
            self.core.records.write_behind(record)
        self.core._pending.pop(task_id, None)
        self.core.pipelines.ended(task_id)  # a pipeline's steps in flight stop too
        fut = self.core._waiters.get(task_id)
        if fut is not None and not fut.done():
            fut.set_result(TaskView(record, []))
        return record

    def _claim(self, task_id: str, by: str, deadline_ns: int) -> str | None:
        """Claim the end of a task for ``by``; returns the earlier claimant, if another."""
        now = time.monotonic()
        while self._claims:  # forget claims past their keep time (oldest first)
            oldest, (_, keep) = next(iter(self._claims.items()))
            if keep > now and len(self._claims) < MAX_CLAIMS:
                break
            del self._claims[oldest]
        held = self._claims.get(task_id)
        if held is not None and held[0] != by:
            return held[0]
        if by == _BY_RESULT:
            keep = RESULT_CLAIM_S
        else:
            remaining_s = max(0.0, (deadline_ns - time.time_ns()) / 1e9) if deadline_ns else 0.0
            keep = remaining_s + CLAIM_GRACE_S
        self._claims[task_id] = (by, max(now + keep, held[1] if held else 0.0))
        self._claims.move_to_end(task_id)
        return None


def _overdue(record: dict[str, Any], now_ns: int) -> bool:
    deadline = int(record.get("deadline_ns") or 0)
    return deadline > 0 and record["state"] not in TERMINAL and now_ns > deadline
