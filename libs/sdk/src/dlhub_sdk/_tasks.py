"""Tasks seen from the SDK: status views, outputs and the future of an asynchronous run."""

from __future__ import annotations

import json
from concurrent.futures import CancelledError
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

import numpy as np

from dlhub_common._proto.dlhub.v1 import tasks_pb2
from dlhub_common.codec import tensor_to_array
from dlhub_common.errors import DeadlineExceeded, DLHubError, FailedPrecondition, error_from_code
from dlhub_common.views import FINISHED_STATES, task_fields, task_state

if TYPE_CHECKING:
    from dlhub_sdk.client import DLHubClient

Outputs = dict[str, np.ndarray[Any, Any]]


def _task_error(task: tasks_pb2.Task) -> DLHubError:
    details = json.loads(task.error.details_json) if task.error.details_json else {}
    return error_from_code(task.error.code, task.error.message, details)


def task_status(task: tasks_pb2.Task) -> dict[str, Any]:
    """A task as a plain dict (without outputs)."""
    out = task_fields(task)
    out["servable"] = f"{task.servable.owner}/{task.servable.name}:{task.servable.version}"
    return out


class TaskFuture:
    """The handle ``run(..., asynchronous=True)`` returns."""

    def __init__(self, client: DLHubClient, task_id: str) -> None:
        self.client = client
        self.task_id = task_id

    def status(self) -> dict[str, Any]:
        return self.client.get_task_status(self.task_id)

    def done(self) -> bool:
        return self.status()["state"] in FINISHED_STATES

    def cancel(self) -> bool:
        """Cancel the task: True when it is now cancelled (a queued task never
        runs, a running one has its result discarded), False when it had
        already finished (as ``concurrent.futures.Future.cancel``)."""
        try:
            self.client.cancel_task(self.task_id)
        except FailedPrecondition:
            return False
        return True

    def cancelled(self) -> bool:
        return bool(self.status()["state"] == "CANCELLED")

    def result(self, timeout: float | None = None) -> Any:
        """Wait for the outputs (the decoded JSON result of a python servable);
        raises the task's error, ``concurrent.futures.CancelledError`` for a
        cancelled task, or TimeoutError."""
        try:
            return self.client.get_result(self.task_id, timeout=timeout or 3600.0)
        except DeadlineExceeded as exc:
            raise FutureTimeout(str(exc)) from None


def task_outputs(task: tasks_pb2.Task, waited: float) -> Any:
    """A finished task's outputs: arrays by name, or a python servable's decoded
    JSON result; raises its error, CancelledError, or DeadlineExceeded when it
    is still unfinished after ``waited`` seconds."""
    if task.state == tasks_pb2.TASK_STATE_FAILED:
        raise _task_error(task)
    if task.state == tasks_pb2.TASK_STATE_CANCELLED:
        raise CancelledError(f"task {task.task_id} was cancelled")
    if task.state != tasks_pb2.TASK_STATE_SUCCEEDED:
        raise DeadlineExceeded(
            f"task {task.task_id} still {task_state(task)} after {waited:.0f}s;"
            f" call get_result({task.task_id!r}) later",
            details={"task_id": task.task_id},
        )
    if task.output_refs:  # outputs by reference: their URLs
        return dict(task.output_refs)
    if task.output_json:  # a python servable's result
        return json.loads(task.output_json)
    return {t.name: tensor_to_array(t) for t in task.outputs}
