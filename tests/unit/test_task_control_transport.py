"""The distributed hop gateway -> task manager for task control, over real gRPC.

The task manager's servicer (``dlhub_taskmanager.main.register``) serves a
stand-in TaskApi; ``dlhub_common.remote.RemoteTasks`` calls it the way the
gateway does in distributed mode. Cancel's answers and errors, and an
OVERLOADED refusal (which must stay OVERLOADED, not turn into "too large"),
come back as the same typed errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from dlhub_common._proto.dlhub.v1 import tasks_pb2
from dlhub_common.errors import FailedPrecondition, NotFound, Overloaded
from dlhub_common.identity import Principal, current_principal
from dlhub_common.internal_auth import InternalSigner
from dlhub_common.remote import RemoteTasks
from dlhub_common.rpc.errors import RETRY_AFTER_KEY
from dlhub_common.rpc.server import GrpcServer, channel_options
from dlhub_taskmanager.main import register

SIGNER = InternalSigner(b"test-secret-0123456789")


class StandIn:
    """A TaskApi whose answers the task id picks."""

    async def run_servable(self, request: tasks_pb2.RunServableRequest) -> Any:
        raise Overloaded("queues are full", details={"retry_after_s": 2.5, "scope": "total"})

    async def get_task(self, request: tasks_pb2.GetTaskRequest) -> Any:
        raise NotImplementedError

    async def cancel_task(self, request: tasks_pb2.CancelTaskRequest) -> Any:
        who = current_principal.get().username
        if request.task_id == "done":
            raise FailedPrecondition("already finished", details={"state": "SUCCEEDED"})
        if request.task_id != "mine" or who != "alice":
            raise NotFound(f"task {request.task_id!r} not found")
        return tasks_pb2.CancelTaskResponse(
            task=tasks_pb2.Task(task_id="mine", state=tasks_pb2.TASK_STATE_CANCELLED)
        )


@pytest.fixture
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    server = GrpcServer("taskmanager", max_message_bytes=1 << 20, authenticate=SIGNER.authenticate)
    register(server, StandIn())  # type: ignore[arg-type]
    port = await server.start("127.0.0.1", 0)
    async with grpc.aio.insecure_channel(
        f"127.0.0.1:{port}", options=channel_options(1 << 20)
    ) as ch:
        yield ch
    await server.stop()


async def test_cancel_and_its_errors_cross_the_hop(channel: grpc.aio.Channel) -> None:
    tasks = RemoteTasks(channel, SIGNER)
    token = current_principal.set(Principal("alice"))
    try:
        answer = await tasks.cancel_task(tasks_pb2.CancelTaskRequest(task_id="mine"))
        assert answer.task.state == tasks_pb2.TASK_STATE_CANCELLED
        with pytest.raises(FailedPrecondition) as done:
            await tasks.cancel_task(tasks_pb2.CancelTaskRequest(task_id="done"))
        assert done.value.details == {"state": "SUCCEEDED"}
        with pytest.raises(Overloaded) as full:
            await tasks.run_servable(tasks_pb2.RunServableRequest())
        assert full.value.details["retry_after_s"] == 2.5
    finally:
        current_principal.reset(token)
    bob = current_principal.set(Principal("bob"))  # the user travels in the signed token
    try:
        with pytest.raises(NotFound):
            await tasks.cancel_task(tasks_pb2.CancelTaskRequest(task_id="mine"))
    finally:
        current_principal.reset(bob)


async def test_overloaded_carries_a_plain_retry_after_trailer(channel: grpc.aio.Channel) -> None:
    method = channel.unary_unary(
        "/dlhub.v1.TaskService/RunServable",
        request_serializer=tasks_pb2.RunServableRequest.SerializeToString,
        response_deserializer=tasks_pb2.RunServableResponse.FromString,
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await method(tasks_pb2.RunServableRequest(), metadata=(SIGNER.metadata(Principal(None)),))
    assert info.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert dict(info.value.trailing_metadata() or ())[RETRY_AFTER_KEY] == "3"
