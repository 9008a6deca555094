"""Tasks seen from the SDK: status views, outputs and the future of an asynchronous run."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, InvalidStateError
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


class TaskFuture(Future[Any]):
    """The handle ``run(..., asynchronous=True)`` returns: a ``concurrent.futures.Future``
    whose state is the task's on the server.

    ``result``/``exception`` wait on the server; ``done``, ``running`` and
    ``cancelled`` ask it. ``add_done_callback`` (and so ``concurrent.futures.wait``
    and ``as_completed`` once a callback is added) starts one daemon thread that
    waits for the task and settles this future.
    """

    def __init__(self, client: DLHubClient, task_id: str) -> None:
        super().__init__()
        self.client = client
        self.task_id = task_id
        self._watcher: threading.Thread | None = None

    def status(self) -> dict[str, Any]:
        return self.client.get_task_status(self.task_id)

    def _settled(self) -> bool:
        return super().done()

    def done(self) -> bool:
        if self._settled():
            return True
        state = self.status()["state"]
        if state in FINISHED_STATES:
            self._settle(None)
            return True
        return False

    def running(self) -> bool:
        return not self._settled() and self.status()["state"] == "RUNNING"

    def cancel(self) -> bool:
        """Cancel the task: True when it is now cancelled (a queued task never
        runs, a running one has its result discarded), False when it had
        already finished (as ``concurrent.futures.Future.cancel``)."""
        if super().cancelled():
            return True
        if self._settled():
            return False
        try:
            self.client.cancel_task(self.task_id)
        except FailedPrecondition:
            return False
        self._cancel_here()
        return True

    def cancelled(self) -> bool:
        if super().cancelled():
            return True
        if self._settled():
            return False
        if self.status()["state"] == "CANCELLED":
            self._cancel_here()
            return True
        return False

    def _cancel_here(self) -> None:
        """Mark this future cancelled and wake its waiters and callbacks."""
        if super().cancel():
            with contextlib.suppress(RuntimeError):  # already notified
                super().set_running_or_notify_cancel()

    def _settle(self, timeout: float | None) -> None:
        """Wait for the task on the server and record its outcome here."""
        if self._settled():
            return
        try:
            value = self.client.get_result(self.task_id, timeout=timeout or 3600.0)
        except CancelledError:
            self._cancel_here()
            return
        except DeadlineExceeded as exc:  # still unfinished after timeout: not an outcome
            raise FutureTimeout(str(exc)) from None
        except DLHubError as exc:  # the task's error
            self._set(exception=exc)
            return
        self._set(value=value)

    def _set(self, value: Any = None, exception: BaseException | None = None) -> None:
        with contextlib.suppress(InvalidStateError):  # another thread settled it first
            if exception is not None:
                self.set_exception(exception)
            else:
                self.set_result(value)

    def result(self, timeout: float | None = None) -> Any:
        """Wait for the outputs (the decoded JSON result of a python servable);
        raises the task's error, ``concurrent.futures.CancelledError`` for a
        cancelled task, or TimeoutError."""
        self._settle(timeout)
        return super().result(timeout=0)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._settle(timeout)
        return super().exception(timeout=0)

    def add_done_callback(self, fn: Callable[[Future[Any]], object]) -> None:
        super().add_done_callback(fn)
        if self._watcher is None and not self._settled():
            self._watcher = threading.Thread(
                target=self._watch, name=f"dlhub-task-{self.task_id}", daemon=True
            )
            self._watcher.start()

    def _watch(self) -> None:
        with contextlib.suppress(Exception):
            self._settle(None)


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
