"""Pipeline tasks whose task manager stopped: failed, never lost or stuck RUNNING.

A pipeline is driven from the memory of the replica that accepted it
(runner.py), so a replica that dies mid-pipeline leaves its record RUNNING.
The steps' own tasks are ordinary tasks and finish or expire as any; the
pipeline's record is settled here:

* the driving replica renews ``beat_ns`` on each of its running pipeline
  records every :data:`BEAT_S`;
* every replica looks for RUNNING pipeline records at start and every
  :data:`SWEEP_S` and fails those whose beat is older than :data:`STALE_S`
  with a retryable UNAVAILABLE naming the step(s) that were running and the
  steps that had finished (their outputs stay in the record);
* an in-process bus dies with its process (``dlhub up``): at start every
  RUNNING pipeline in the store is the previous process's and fails at once
  (task control's ``fail_lost_work``, with :func:`failed_fields`);
* a replica that stops gracefully fails its own running pipelines the same way.

A replica that was merely slow (not dead) past :data:`STALE_S` can lose its
pipeline this way; its late finish is then dropped (a finished record is
never changed again).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from dlhub_common.errors import DLHubError, ErrorCode
from dlhub_taskmanager.core import FAILED, RUNNING, TASKS_COLLECTION, TaskView, _now_iso
from dlhub_taskmanager.pipelines.steps import running_names

if TYPE_CHECKING:
    from dlhub_taskmanager.pipelines.runner import PipelineRunner

log = logging.getLogger("dlhub.taskmanager.pipelines")

BEAT_S = 5.0
STALE_S = 30.0
SWEEP_S = 15.0


def _message(record: dict[str, Any], why: str) -> str:
    steps = record.get("steps") or []
    running = running_names(steps)
    finished = [s["name"] for s in steps if s.get("state") == "SUCCEEDED"]
    where = f"during step {', '.join(repr(n) for n in running)}" if running else "between steps"
    kept = (
        f"; the finished steps ({', '.join(finished)}) keep their outputs in this task"
        if finished
        else ""
    )
    return f"the task manager running this pipeline {why} {where}{kept}: run it again"


def failed_fields(record: dict[str, Any], why: str) -> dict[str, Any]:
    """What failing an unfinished pipeline task writes: UNAVAILABLE naming its
    running step(s), which fail with it (the record's ``steps`` are updated in place)."""
    message = _message(record, why)
    now = _now_iso()
    error = {
        "code": ErrorCode.UNAVAILABLE.value,
        "message": message,
        "details_json": "{}",
        "retryable": True,
    }
    steps = record.get("steps") or []
    for entry in steps:
        if entry.get("state") == RUNNING:
            entry.update(state=FAILED, completed_at=now, error=dict(error))
    return {"state": FAILED, "completed_at": now, "steps": steps, "error": error}


async def fail_one(runner: PipelineRunner, record: dict[str, Any], why: str) -> bool:
    """Fail one unfinished pipeline task with UNAVAILABLE (once); True if this did."""
    core = runner.core
    task_id = record["task_id"]
    if not core.control.result_may_record(task_id):
        return False  # a cancel or the deadline ended it first
    fields = failed_fields(record, why)
    try:
        await core.records.update(task_id, fields)
    except DLHubError as exc:
        log.warning("pipeline %s could not be failed now: %s", task_id, exc.message)
        return False
    record.update(fields)
    core._pending.pop(task_id, None)
    fut = core._waiters.get(task_id)
    if fut is not None and not fut.done():
        fut.set_result(TaskView(record, []))
    return True


async def fail_stale(runner: PipelineRunner, *, everyone: bool = False) -> int:
    """Fail RUNNING pipelines no live replica drives; returns how many."""
    found = await runner.core.docs.find(TASKS_COLLECTION, {"state": RUNNING, "pipeline": True})
    now_ns = time.time_ns()
    failed = 0
    for record in found:
        if record["task_id"] in runner.running():
            continue
        if not everyone and now_ns - int(record.get("beat_ns") or 0) < STALE_S * 1e9:
            continue
        why = "restarted" if everyone else "stopped answering"
        if await fail_one(runner, record, why):
            failed += 1
    if failed:
        log.warning("%d pipeline tasks of a stopped task manager failed", failed)
    return failed


async def beat_forever(runner: PipelineRunner) -> None:
    while True:
        await asyncio.sleep(BEAT_S)
        now_ns = time.time_ns()
        for task_id, record in list(runner.running().items()):
            record["beat_ns"] = now_ns
            try:
                await runner.core.records.update(task_id, {"beat_ns": now_ns})
            except DLHubError as exc:
                log.warning("pipeline %s: beat not written: %s", task_id, exc.message)


async def sweep_forever(runner: PipelineRunner) -> None:
    """From start on (in distributed mode; an in-process bus's restart is settled by
    task control's ``fail_lost_work`` with :func:`failed_fields`)."""
    while True:
        try:
            await fail_stale(runner)
        except Exception as exc:  # the store may be away; next time
            log.warning("pipeline recovery sweep failed: %r", exc)
        await asyncio.sleep(SWEEP_S)
