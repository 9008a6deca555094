"""gRPC clients implementing the service API protocols (distributed mode).

The caller's principal travels in a signed internal token
(dlhub_common.internal_auth); errors come back as the
same typed DLHubError the in-process call would raise. A call that fails
without a DLHub error (the service is down, restarting, or died during the
call) raises Unavailable naming the service: gRPC's own text names internal
addresses, which callers must not see.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc

from dlhub_common._proto.dlhub.v1 import (
    benchmarks_pb2,
    registry_pb2,
    registry_pb2_grpc,
    search_pb2,
    search_pb2_grpc,
    tasks_pb2,
    tasks_pb2_grpc,
)
from dlhub_common.errors import DLHubError, Unavailable, error_from_code
from dlhub_common.identity import current_principal
from dlhub_common.internal_auth import InternalSigner
from dlhub_common.rpc.errors import ERROR_METADATA_KEY, error_from_rpc
from dlhub_common.rpc.server import channel_options
from dlhub_common.tracing import metadata_with_context


def open_channel(target: str, max_message_bytes: int) -> grpc.aio.Channel:
    return grpc.aio.insecure_channel(target, options=channel_options(max_message_bytes))


def _md(signer: InternalSigner) -> tuple[tuple[str, str], ...]:
    return metadata_with_context((signer.metadata(current_principal.get()),))


# Transport failures (no DLHub error came back): the service is away.
_AWAY = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNKNOWN, grpc.StatusCode.CANCELLED)
# What a synchronous run's caller is told when the task manager went away during the call.
SYNC_RUN_LOST = (
    "; a run it had accepted still completes and is recorded, under a task id"
    " this call could not return"
)


async def _call(
    signer: InternalSigner, method: Any, request: Any, service: str, lost: str = ""
) -> Any:
    try:
        return await method(request, metadata=_md(signer))
    except grpc.aio.AioRpcError as exc:
        raise _error(exc, service, lost) from None


def _error(exc: grpc.aio.AioRpcError, service: str, lost: str) -> DLHubError:
    """The DLHub error the service sent, or one naming the service (see the module doc)."""
    if any(key == ERROR_METADATA_KEY for key, _ in exc.trailing_metadata() or ()):
        return error_from_rpc(exc)
    code = exc.code()
    if code in _AWAY:
        return Unavailable(
            f"the {service} is unavailable (it may be restarting); retry shortly{lost}"
        )
    mapped = error_from_rpc(exc)  # a status without details of ours: keep only its code
    return error_from_code(mapped.code.value, f"the {service} call failed ({code.name.lower()})")


class RemoteRegistry:
    def __init__(self, channel: grpc.aio.Channel, signer: InternalSigner) -> None:
        self._stub = registry_pb2_grpc.RegistryServiceStub(channel)
        self._signer = signer

    async def publish_servable(
        self, requests: AsyncIterator[registry_pb2.PublishServableRequest]
    ) -> registry_pb2.PublishServableResponse:
        return await _call(self._signer, self._stub.PublishServable, requests, "registry")  # type: ignore[no-any-return]

    async def get_servable(
        self, request: registry_pb2.GetServableRequest
    ) -> registry_pb2.GetServableResponse:
        return await _call(self._signer, self._stub.GetServable, request, "registry")  # type: ignore[no-any-return]

    async def list_servables(
        self, request: registry_pb2.ListServablesRequest
    ) -> registry_pb2.ListServablesResponse:
        return await _call(self._signer, self._stub.ListServables, request, "registry")  # type: ignore[no-any-return]

    async def list_versions(
        self, request: registry_pb2.ListVersionsRequest
    ) -> registry_pb2.ListVersionsResponse:
        return await _call(self._signer, self._stub.ListVersions, request, "registry")  # type: ignore[no-any-return]

    async def deprecate_servable(
        self, request: registry_pb2.DeprecateServableRequest
    ) -> registry_pb2.DeprecateServableResponse:
        return await _call(self._signer, self._stub.DeprecateServable, request, "registry")  # type: ignore[no-any-return]

    async def withdraw_servable(
        self, request: registry_pb2.WithdrawServableRequest
    ) -> registry_pb2.WithdrawServableResponse:
        return await _call(self._signer, self._stub.WithdrawServable, request, "registry")  # type: ignore[no-any-return]

    async def create_upload(
        self, request: registry_pb2.CreateUploadRequest
    ) -> registry_pb2.CreateUploadResponse:
        return await _call(self._signer, self._stub.CreateUpload, request, "registry")  # type: ignore[no-any-return]

    async def write_upload(
        self, requests: AsyncIterator[registry_pb2.WriteUploadRequest]
    ) -> registry_pb2.WriteUploadResponse:
        return await _call(self._signer, self._stub.WriteUpload, requests, "registry")  # type: ignore[no-any-return]

    async def get_upload(
        self, request: registry_pb2.GetUploadRequest
    ) -> registry_pb2.GetUploadResponse:
        return await _call(self._signer, self._stub.GetUpload, request, "registry")  # type: ignore[no-any-return]

    async def get_publish_job(
        self, request: registry_pb2.GetPublishJobRequest
    ) -> registry_pb2.GetPublishJobResponse:
        return await _call(self._signer, self._stub.GetPublishJob, request, "registry")  # type: ignore[no-any-return]

    async def list_publish_jobs(
        self, request: registry_pb2.ListPublishJobsRequest
    ) -> registry_pb2.ListPublishJobsResponse:
        return await _call(self._signer, self._stub.ListPublishJobs, request, "registry")  # type: ignore[no-any-return]

    async def set_access(
        self, request: registry_pb2.SetAccessRequest
    ) -> registry_pb2.SetAccessResponse:
        return await _call(self._signer, self._stub.SetAccess, request, "registry")  # type: ignore[no-any-return]

    async def list_audit(
        self, request: registry_pb2.ListAuditRequest
    ) -> registry_pb2.ListAuditResponse:
        return await _call(self._signer, self._stub.ListAudit, request, "registry")  # type: ignore[no-any-return]

    async def create_binding(
        self, request: registry_pb2.CreateBindingRequest
    ) -> registry_pb2.CreateBindingResponse:
        return await _call(self._signer, self._stub.CreateBinding, request, "registry")  # type: ignore[no-any-return]

    async def list_bindings(
        self, request: registry_pb2.ListBindingsRequest
    ) -> registry_pb2.ListBindingsResponse:
        return await _call(self._signer, self._stub.ListBindings, request, "registry")  # type: ignore[no-any-return]

    async def delete_binding(
        self, request: registry_pb2.DeleteBindingRequest
    ) -> registry_pb2.DeleteBindingResponse:
        return await _call(self._signer, self._stub.DeleteBinding, request, "registry")  # type: ignore[no-any-return]

    async def retrain_servable(
        self, request: registry_pb2.RetrainServableRequest
    ) -> registry_pb2.RetrainServableResponse:
        return await _call(self._signer, self._stub.RetrainServable, request, "registry")  # type: ignore[no-any-return]

    async def get_retrain_job(
        self, request: registry_pb2.GetRetrainJobRequest
    ) -> registry_pb2.GetRetrainJobResponse:
        return await _call(self._signer, self._stub.GetRetrainJob, request, "registry")  # type: ignore[no-any-return]

    async def list_retrain_jobs(
        self, request: registry_pb2.ListRetrainJobsRequest
    ) -> registry_pb2.ListRetrainJobsResponse:
        return await _call(self._signer, self._stub.ListRetrainJobs, request, "registry")  # type: ignore[no-any-return]


class RemoteSearch:
    def __init__(self, channel: grpc.aio.Channel, signer: InternalSigner) -> None:
        self._stub = search_pb2_grpc.SearchServiceStub(channel)
        self._signer = signer

    async def search(self, request: search_pb2.SearchRequest) -> search_pb2.SearchResponse:
        return await _call(self._signer, self._stub.Search, request, "search service")  # type: ignore[no-any-return]


class RemoteTasks:
    def __init__(self, channel: grpc.aio.Channel, signer: InternalSigner) -> None:
        self._stub = tasks_pb2_grpc.TaskServiceStub(channel)
        self._signer = signer

    async def run_servable(
        self, request: tasks_pb2.RunServableRequest
    ) -> tasks_pb2.RunServableResponse:
        lost = SYNC_RUN_LOST if request.wait else ""
        resp: tasks_pb2.RunServableResponse = await _call(
            self._signer, self._stub.RunServable, request, "task manager", lost
        )
        return resp

    async def get_task(self, request: tasks_pb2.GetTaskRequest) -> tasks_pb2.GetTaskResponse:
        return await _call(self._signer, self._stub.GetTask, request, "task manager")  # type: ignore[no-any-return]

    async def get_statistics(
        self, request: tasks_pb2.GetStatisticsRequest
    ) -> tasks_pb2.GetStatisticsResponse:
        return await _call(self._signer, self._stub.GetStatistics, request, "task manager")  # type: ignore[no-any-return]

    async def cancel_task(
        self, request: tasks_pb2.CancelTaskRequest
    ) -> tasks_pb2.CancelTaskResponse:
        return await _call(self._signer, self._stub.CancelTask, request, "task manager")  # type: ignore[no-any-return]

    async def score_benchmark(
        self, request: benchmarks_pb2.ScoreBenchmarkRequest
    ) -> benchmarks_pb2.ScoreBenchmarkResponse:
        return await _call(self._signer, self._stub.ScoreBenchmark, request, "task manager")  # type: ignore[no-any-return]

    async def get_leaderboard(
        self, request: benchmarks_pb2.GetLeaderboardRequest
    ) -> benchmarks_pb2.GetLeaderboardResponse:
        return await _call(self._signer, self._stub.GetLeaderboard, request, "task manager")  # type: ignore[no-any-return]

    async def get_servable_stats(
        self, request: tasks_pb2.GetServableStatsRequest
    ) -> tasks_pb2.GetServableStatsResponse:
        return await _call(self._signer, self._stub.GetServableStats, request, "task manager")  # type: ignore[no-any-return]
