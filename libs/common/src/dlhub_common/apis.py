"""The service APIs as Python protocols, at the level of protobuf messages.

Every internal service implements its protocol in-process (``<service>.api``)
and :mod:`dlhub_common.remote` implements the same protocols over gRPC. The
gateway and the task manager depend only on these protocols, so the embedded
mode (one process, direct calls, no loopback hop) and the distributed mode
(one process per service) run the same code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from dlhub_common._proto.dlhub.v1 import benchmarks_pb2, registry_pb2, search_pb2, tasks_pb2


class RegistryApi(Protocol):
    async def publish_servable(
        self, requests: AsyncIterator[registry_pb2.PublishServableRequest]
    ) -> registry_pb2.PublishServableResponse: ...

    async def get_servable(
        self, request: registry_pb2.GetServableRequest
    ) -> registry_pb2.GetServableResponse: ...

    async def list_servables(
        self, request: registry_pb2.ListServablesRequest
    ) -> registry_pb2.ListServablesResponse: ...

    async def list_versions(
        self, request: registry_pb2.ListVersionsRequest
    ) -> registry_pb2.ListVersionsResponse: ...

    async def deprecate_servable(
        self, request: registry_pb2.DeprecateServableRequest
    ) -> registry_pb2.DeprecateServableResponse: ...

    async def withdraw_servable(
        self, request: registry_pb2.WithdrawServableRequest
    ) -> registry_pb2.WithdrawServableResponse: ...

    async def create_upload(
        self, request: registry_pb2.CreateUploadRequest
    ) -> registry_pb2.CreateUploadResponse: ...

    async def write_upload(
        self, requests: AsyncIterator[registry_pb2.WriteUploadRequest]
    ) -> registry_pb2.WriteUploadResponse: ...

    async def get_upload(
        self, request: registry_pb2.GetUploadRequest
    ) -> registry_pb2.GetUploadResponse: ...

    async def get_publish_job(
        self, request: registry_pb2.GetPublishJobRequest
    ) -> registry_pb2.GetPublishJobResponse: ...

    async def list_publish_jobs(
        self, request: registry_pb2.ListPublishJobsRequest
    ) -> registry_pb2.ListPublishJobsResponse: ...

    async def set_access(
        self, request: registry_pb2.SetAccessRequest
    ) -> registry_pb2.SetAccessResponse: ...

    async def list_audit(
        self, request: registry_pb2.ListAuditRequest
    ) -> registry_pb2.ListAuditResponse: ...

    async def create_binding(
        self, request: registry_pb2.CreateBindingRequest
    ) -> registry_pb2.CreateBindingResponse: ...

    async def list_bindings(
        self, request: registry_pb2.ListBindingsRequest
    ) -> registry_pb2.ListBindingsResponse: ...

    async def delete_binding(
        self, request: registry_pb2.DeleteBindingRequest
    ) -> registry_pb2.DeleteBindingResponse: ...

    async def retrain_servable(
        self, request: registry_pb2.RetrainServableRequest
    ) -> registry_pb2.RetrainServableResponse: ...

    async def get_retrain_job(
        self, request: registry_pb2.GetRetrainJobRequest
    ) -> registry_pb2.GetRetrainJobResponse: ...

    async def list_retrain_jobs(
        self, request: registry_pb2.ListRetrainJobsRequest
    ) -> registry_pb2.ListRetrainJobsResponse: ...


class SearchApi(Protocol):
    async def search(self, request: search_pb2.SearchRequest) -> search_pb2.SearchResponse: ...


class TaskApi(Protocol):
    async def run_servable(
        self, request: tasks_pb2.RunServableRequest
    ) -> tasks_pb2.RunServableResponse: ...

    async def get_task(self, request: tasks_pb2.GetTaskRequest) -> tasks_pb2.GetTaskResponse: ...

    async def get_statistics(
        self, request: tasks_pb2.GetStatisticsRequest
    ) -> tasks_pb2.GetStatisticsResponse: ...
    async def cancel_task(
        self, request: tasks_pb2.CancelTaskRequest
    ) -> tasks_pb2.CancelTaskResponse: ...

    # benchmarks (docs/benchmarks.md)
    async def score_benchmark(
        self, request: benchmarks_pb2.ScoreBenchmarkRequest
    ) -> benchmarks_pb2.ScoreBenchmarkResponse: ...

    async def get_leaderboard(
        self, request: benchmarks_pb2.GetLeaderboardRequest
    ) -> benchmarks_pb2.GetLeaderboardResponse: ...

    # durable usage statistics (docs/observability.md)
    async def get_servable_stats(
        self, request: tasks_pb2.GetServableStatsRequest
    ) -> tasks_pb2.GetServableStatsResponse: ...
