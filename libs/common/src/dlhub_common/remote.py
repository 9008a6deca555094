"""gRPC clients implementing the service API protocols (distributed mode).

The caller's user name travels in ``x-dlhub-user``; errors come back as the
same typed DLHubError the in-process call would raise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc

from dlhub_common._proto.dlhub.v1 import (
    registry_pb2,
    registry_pb2_grpc,
    search_pb2,
    search_pb2_grpc,
    tasks_pb2,
    tasks_pb2_grpc,
)
from dlhub_common.identity import USER_METADATA_KEY, current_principal
from dlhub_common.rpc.errors import error_from_rpc
from dlhub_common.rpc.server import channel_options
from dlhub_common.tracing import metadata_with_context


def open_channel(target: str, max_message_bytes: int) -> grpc.aio.Channel:
    return grpc.aio.insecure_channel(target, options=channel_options(max_message_bytes))


def _md() -> tuple[tuple[str, str], ...]:
    user = current_principal.get().username
    return metadata_with_context(((USER_METADATA_KEY, user),) if user else ())


async def _call(method: Any, request: Any) -> Any:
    try:
        return await method(request, metadata=_md())
    except grpc.aio.AioRpcError as exc:
        raise error_from_rpc(exc) from None


class RemoteRegistry:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = registry_pb2_grpc.RegistryServiceStub(channel)

    async def publish_servable(
        self, requests: AsyncIterator[registry_pb2.PublishServableRequest]
    ) -> registry_pb2.PublishServableResponse:
        return await _call(self._stub.PublishServable, requests)  # type: ignore[no-any-return]

    async def get_servable(
        self, request: registry_pb2.GetServableRequest
    ) -> registry_pb2.GetServableResponse:
        return await _call(self._stub.GetServable, request)  # type: ignore[no-any-return]

    async def list_servables(
        self, request: registry_pb2.ListServablesRequest
    ) -> registry_pb2.ListServablesResponse:
        return await _call(self._stub.ListServables, request)  # type: ignore[no-any-return]

    async def list_versions(
        self, request: registry_pb2.ListVersionsRequest
    ) -> registry_pb2.ListVersionsResponse:
        return await _call(self._stub.ListVersions, request)  # type: ignore[no-any-return]

    async def deprecate_servable(
        self, request: registry_pb2.DeprecateServableRequest
    ) -> registry_pb2.DeprecateServableResponse:
        return await _call(self._stub.DeprecateServable, request)  # type: ignore[no-any-return]

    async def withdraw_servable(
        self, request: registry_pb2.WithdrawServableRequest
    ) -> registry_pb2.WithdrawServableResponse:
        return await _call(self._stub.WithdrawServable, request)  # type: ignore[no-any-return]

    async def create_upload(
        self, request: registry_pb2.CreateUploadRequest
    ) -> registry_pb2.CreateUploadResponse:
        return await _call(self._stub.CreateUpload, request)  # type: ignore[no-any-return]

    async def write_upload(
        self, requests: AsyncIterator[registry_pb2.WriteUploadRequest]
    ) -> registry_pb2.WriteUploadResponse:
        return await _call(self._stub.WriteUpload, requests)  # type: ignore[no-any-return]

    async def get_upload(
        self, request: registry_pb2.GetUploadRequest
    ) -> registry_pb2.GetUploadResponse:
        return await _call(self._stub.GetUpload, request)  # type: ignore[no-any-return]

    async def get_publish_job(
        self, request: registry_pb2.GetPublishJobRequest
    ) -> registry_pb2.GetPublishJobResponse:
        return await _call(self._stub.GetPublishJob, request)  # type: ignore[no-any-return]


class RemoteSearch:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = search_pb2_grpc.SearchServiceStub(channel)

    async def search(self, request: search_pb2.SearchRequest) -> search_pb2.SearchResponse:
        return await _call(self._stub.Search, request)  # type: ignore[no-any-return]


class RemoteTasks:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = tasks_pb2_grpc.TaskServiceStub(channel)

    async def run_servable(
        self, request: tasks_pb2.RunServableRequest
    ) -> tasks_pb2.RunServableResponse:
        return await _call(self._stub.RunServable, request)  # type: ignore[no-any-return]

    async def get_task(self, request: tasks_pb2.GetTaskRequest) -> tasks_pb2.GetTaskResponse:
        return await _call(self._stub.GetTask, request)  # type: ignore[no-any-return]

    async def get_statistics(
        self, request: tasks_pb2.GetStatisticsRequest
    ) -> tasks_pb2.GetStatisticsResponse:
        return await _call(self._stub.GetStatistics, request)  # type: ignore[no-any-return]

    async def cancel_task(
        self, request: tasks_pb2.CancelTaskRequest
    ) -> tasks_pb2.CancelTaskResponse:
        return await _call(self._stub.CancelTask, request)  # type: ignore[no-any-return]
