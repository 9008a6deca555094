"""Remote service clients when the service is away: UNAVAILABLE naming it, no address.

Real gRPC: one client whose server port has no listener, and one whose server
dies in the middle of a call.
"""

from __future__ import annotations

import asyncio
import socket

import grpc
import pytest

from dlhub_common._proto.dlhub.v1 import search_pb2, tasks_pb2, tasks_pb2_grpc, types_pb2
from dlhub_common.errors import Unavailable
from dlhub_common.internal_auth import InternalSigner
from dlhub_common.remote import SYNC_RUN_LOST, RemoteSearch, RemoteTasks, open_channel

SIGNER = InternalSigner(b"test-secret-0123456789")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run(wait: bool) -> tasks_pb2.RunServableRequest:
    return tasks_pb2.RunServableRequest(
        servable=types_pb2.ServableRef(owner="alice", name="m", version=1), wait=wait
    )


async def test_a_service_nobody_listens_for_is_unavailable_by_name() -> None:
    port = _free_port()
    channel = open_channel(f"127.0.0.1:{port}", 1 << 20)
    try:
        with pytest.raises(Unavailable) as info:
            await RemoteSearch(channel, SIGNER).search(search_pb2.SearchRequest(query="x"))
        assert info.value.message.startswith("the search service is unavailable")
        assert str(port) not in info.value.message
        assert "127.0.0.1" not in info.value.message
        with pytest.raises(Unavailable) as info:
            await RemoteTasks(channel, SIGNER).run_servable(_run(wait=False))
        assert info.value.message == (
            "the task manager is unavailable (it may be restarting); retry shortly"
        )
    finally:
        await channel.close()


class _Hanging(tasks_pb2_grpc.TaskServiceServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        self.called = asyncio.Event()

    async def RunServable(self, request: object, context: object) -> None:
        self.called.set()
        await asyncio.sleep(60)


async def test_a_synchronous_run_whose_task_manager_dies_is_told_it_still_completes() -> None:
    server = grpc.aio.server()
    servicer = _Hanging()
    tasks_pb2_grpc.add_TaskServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = open_channel(f"127.0.0.1:{port}", 1 << 20)
    try:
        call = asyncio.create_task(RemoteTasks(channel, SIGNER).run_servable(_run(wait=True)))
        await asyncio.wait_for(servicer.called.wait(), 10)
        await server.stop(grace=None)  # the connection breaks mid-call
        with pytest.raises(Unavailable) as info:
            await asyncio.wait_for(call, 10)
        assert info.value.message.startswith("the task manager is unavailable")
        assert info.value.message.endswith(SYNC_RUN_LOST)
        assert str(port) not in info.value.message
    finally:
        await channel.close()
        await server.stop(grace=None)
