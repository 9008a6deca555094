"""The ``dlhub.v1.DLHubService`` transport: forwards to the service APIs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from dlhub_common._proto.dlhub.v1 import (
    benchmarks_pb2,
    dlhub_pb2,
    dlhub_pb2_grpc,
    registry_pb2,
    search_pb2,
    tasks_pb2,
)
from dlhub_common.apis import RegistryApi, SearchApi, TaskApi
from dlhub_common.identity import current_principal
from dlhub_gateway.run_stream import run_stream
from dlhub_gateway.staging_token import with_caller_token
from dlhub_gateway.streams import StreamLimits, StreamRunner


class DLHubServicer(dlhub_pb2_grpc.DLHubServiceServicer):  # type: ignore[misc]
    def __init__(
        self,
        registry: RegistryApi,
        search: SearchApi,
        tasks: TaskApi,
        streams: StreamRunner | None = None,
    ) -> None:
        self.registry = registry
        self.search_api = search
        self.tasks = tasks
        self.streams = streams or StreamRunner(StreamLimits())

    async def PublishServable(
        self, request_iterator: AsyncIterator[registry_pb2.PublishServableRequest], context: Any
    ) -> registry_pb2.PublishServableResponse:
        return await self.registry.publish_servable(request_iterator)

    async def GetServable(
        self, request: registry_pb2.GetServableRequest, context: Any
    ) -> registry_pb2.GetServableResponse:
        return await self.registry.get_servable(request)

    async def ListServables(
        self, request: registry_pb2.ListServablesRequest, context: Any
    ) -> registry_pb2.ListServablesResponse:
        return await self.registry.list_servables(request)

    async def ListVersions(
        self, request: registry_pb2.ListVersionsRequest, context: Any
    ) -> registry_pb2.ListVersionsResponse:
        return await self.registry.list_versions(request)

    async def DeprecateServable(
        self, request: registry_pb2.DeprecateServableRequest, context: Any
    ) -> registry_pb2.DeprecateServableResponse:
        return await self.registry.deprecate_servable(request)

    async def WithdrawServable(
        self, request: registry_pb2.WithdrawServableRequest, context: Any
    ) -> registry_pb2.WithdrawServableResponse:
        return await self.registry.withdraw_servable(request)

    async def CreateUpload(
        self, request: registry_pb2.CreateUploadRequest, context: Any
    ) -> registry_pb2.CreateUploadResponse:
        return await self.registry.create_upload(request)

    async def WriteUpload(
        self, request_iterator: AsyncIterator[registry_pb2.WriteUploadRequest], context: Any
    ) -> registry_pb2.WriteUploadResponse:
        return await self.registry.write_upload(request_iterator)

    async def GetUpload(
        self, request: registry_pb2.GetUploadRequest, context: Any
    ) -> registry_pb2.GetUploadResponse:
        return await self.registry.get_upload(request)

    async def GetPublishJob(
        self, request: registry_pb2.GetPublishJobRequest, context: Any
    ) -> registry_pb2.GetPublishJobResponse:
        return await self.registry.get_publish_job(request)

    async def ListPublishJobs(
        self, request: registry_pb2.ListPublishJobsRequest, context: Any
    ) -> registry_pb2.ListPublishJobsResponse:
        return await self.registry.list_publish_jobs(request)

    async def SetAccess(
        self, request: registry_pb2.SetAccessRequest, context: Any
    ) -> registry_pb2.SetAccessResponse:
        return await self.registry.set_access(request)

    async def ListAudit(
        self, request: registry_pb2.ListAuditRequest, context: Any
    ) -> registry_pb2.ListAuditResponse:
        return await self.registry.list_audit(request)

    async def CreateBinding(
        self, request: registry_pb2.CreateBindingRequest, context: Any
    ) -> registry_pb2.CreateBindingResponse:
        return await self.registry.create_binding(request)

    async def ListBindings(
        self, request: registry_pb2.ListBindingsRequest, context: Any
    ) -> registry_pb2.ListBindingsResponse:
        return await self.registry.list_bindings(request)

    async def DeleteBinding(
        self, request: registry_pb2.DeleteBindingRequest, context: Any
    ) -> registry_pb2.DeleteBindingResponse:
        return await self.registry.delete_binding(request)

    async def RetrainServable(
        self, request: registry_pb2.RetrainServableRequest, context: Any
    ) -> registry_pb2.RetrainServableResponse:
        return await self.registry.retrain_servable(request)

    async def GetRetrainJob(
        self, request: registry_pb2.GetRetrainJobRequest, context: Any
    ) -> registry_pb2.GetRetrainJobResponse:
        return await self.registry.get_retrain_job(request)

    async def ListRetrainJobs(
        self, request: registry_pb2.ListRetrainJobsRequest, context: Any
    ) -> registry_pb2.ListRetrainJobsResponse:
        return await self.registry.list_retrain_jobs(request)

    async def Search(
        self, request: search_pb2.SearchRequest, context: Any
    ) -> search_pb2.SearchResponse:
        return await self.search_api.search(request)

    async def RunServable(
        self, request: tasks_pb2.RunServableRequest, context: Any
    ) -> tasks_pb2.RunServableResponse:
        metadata = dict(context.invocation_metadata() or ())
        return await self.tasks.run_servable(
            with_caller_token(request, metadata.get("authorization"))
        )

    async def RunStream(
        self, request_iterator: AsyncIterator[dlhub_pb2.RunStreamRequest], context: Any
    ) -> AsyncIterator[dlhub_pb2.RunStreamResponse]:
        """Many runs on one stream (dlhub_gateway.run_stream)."""
        await run_stream(self.streams, self.tasks, request_iterator, context)
        return
        yield  # an async generator, as the interceptor expects; responses go by context.write

    async def GetTask(
        self, request: tasks_pb2.GetTaskRequest, context: Any
    ) -> tasks_pb2.GetTaskResponse:
        return await self.tasks.get_task(request)

    async def GetStatistics(
        self, request: tasks_pb2.GetStatisticsRequest, context: Any
    ) -> tasks_pb2.GetStatisticsResponse:
        return await self.tasks.get_statistics(request)

    async def GetServableStats(
        self, request: tasks_pb2.GetServableStatsRequest, context: Any
    ) -> tasks_pb2.GetServableStatsResponse:
        return await self.tasks.get_servable_stats(request)

    async def CancelTask(
        self, request: tasks_pb2.CancelTaskRequest, context: Any
    ) -> tasks_pb2.CancelTaskResponse:
        return await self.tasks.cancel_task(request)

    async def ScoreBenchmark(
        self, request: benchmarks_pb2.ScoreBenchmarkRequest, context: Any
    ) -> benchmarks_pb2.ScoreBenchmarkResponse:
        return await self.tasks.score_benchmark(request)

    async def GetLeaderboard(
        self, request: benchmarks_pb2.GetLeaderboardRequest, context: Any
    ) -> benchmarks_pb2.GetLeaderboardResponse:
        return await self.tasks.get_leaderboard(request)

    async def WhoAmI(
        self, request: dlhub_pb2.WhoAmIRequest, context: Any
    ) -> dlhub_pb2.WhoAmIResponse:
        who = current_principal.get()  # set by the authenticating interceptor
        return dlhub_pb2.WhoAmIResponse(
            username=who.username or "", anonymous=who.anonymous, groups=sorted(who.groups)
        )
