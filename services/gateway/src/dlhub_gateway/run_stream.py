"""dlhub.v1 ``RunStream``: RunServable requests on one stream, each with its own id."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from dlhub_common._proto.dlhub.v1 import dlhub_pb2, tasks_pb2, types_pb2
from dlhub_common.apis import TaskApi
from dlhub_common.errors import (
    DeadlineExceeded,
    DLHubError,
    FailedPrecondition,
    InvalidArgument,
    public_message,
)
from dlhub_gateway.staging_token import with_caller_token
from dlhub_gateway.streams import StreamHandlers, StreamRunner, StreamStats

MAX_REQUEST_ID_CHARS = 256


def error_info(error: DLHubError) -> types_pb2.ErrorInfo:
    return types_pb2.ErrorInfo(
        code=error.code.value,
        message=public_message(error),
        details_json=json.dumps(error.details),
        retryable=error.retryable,
    )


def task_error(task: tasks_pb2.Task) -> types_pb2.ErrorInfo | None:
    """What went wrong with a task that did not succeed; None when it did."""
    if task.state == tasks_pb2.TASK_STATE_SUCCEEDED:
        return None
    if task.state == tasks_pb2.TASK_STATE_FAILED:
        return task.error
    if task.state == tasks_pb2.TASK_STATE_CANCELLED:
        return error_info(
            FailedPrecondition(
                f"task {task.task_id} was cancelled before it finished",
                details={"task_id": task.task_id, "state": "CANCELLED"},
            )
        )
    return error_info(
        DeadlineExceeded(
            f"task {task.task_id} did not finish within its timeout_s",
            details={"task_id": task.task_id},
        )
    )


async def run_stream(
    streams: StreamRunner,
    tasks: TaskApi,
    requests: AsyncIterator[dlhub_pb2.RunStreamRequest],
    context: Any,
) -> StreamStats:
    """Serve one RunStream call; ``wait`` is implied for every run."""
    in_flight: set[str] = set()
    authorization = dict(context.invocation_metadata() or ()).get("authorization")

    async def run(request: dlhub_pb2.RunStreamRequest) -> tuple[dlhub_pb2.RunStreamResponse, bool]:
        rid = request.request_id
        if not rid:
            raise InvalidArgument("request_id is required: a stream's requests each carry an id")
        if len(rid) > MAX_REQUEST_ID_CHARS:
            raise InvalidArgument(
                f"request_id is {len(rid)} characters; at most {MAX_REQUEST_ID_CHARS}"
            )
        if rid in in_flight:
            raise InvalidArgument(
                f"request_id {rid!r} is already in flight on this stream; ids must be unique",
                details={"request_id": rid},
            )
        if not request.HasField("run"):
            raise InvalidArgument(f"request {rid!r} has no run (a RunServableRequest)")
        in_flight.add(rid)
        try:
            run_request = tasks_pb2.RunServableRequest()
            run_request.CopyFrom(request.run)
            run_request.wait = True
            # the caller's token for references, as RunServable does (never the client's value)
            with_caller_token(run_request, authorization)
            task = (await tasks.run_servable(run_request)).task
        finally:
            in_flight.discard(rid)
        error = task_error(task)
        response = dlhub_pb2.RunStreamResponse(request_id=rid, task=task)
        if error is not None:
            response.error.CopyFrom(error)
        return response, error is not None

    def fail(request: dlhub_pb2.RunStreamRequest, error: DLHubError) -> dlhub_pb2.RunStreamResponse:
        return dlhub_pb2.RunStreamResponse(request_id=request.request_id, error=error_info(error))

    return await streams.serve("dlhub", requests, StreamHandlers(run, fail), context)
