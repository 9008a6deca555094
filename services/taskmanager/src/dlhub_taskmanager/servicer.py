"""gRPC transport of the task manager."""

from __future__ import annotations

from typing import Any

from dlhub_common._proto.dlhub.v1 import benchmarks_pb2, tasks_pb2, tasks_pb2_grpc
from dlhub_common.apis import TaskApi


class TaskServicer(tasks_pb2_grpc.TaskServiceServicer):  # type: ignore[misc]
    def __init__(self, api: TaskApi) -> None:
        self.api = api

    async def RunServable(
        self, request: tasks_pb2.RunServableRequest, context: Any
    ) -> tasks_pb2.RunServableResponse:
        return await self.api.run_servable(request)

    async def GetTask(
        self, request: tasks_pb2.GetTaskRequest, context: Any
    ) -> tasks_pb2.GetTaskResponse:
        return await self.api.get_task(request)

    async def GetStatistics(
        self, request: tasks_pb2.GetStatisticsRequest, context: Any
    ) -> tasks_pb2.GetStatisticsResponse:
        return await self.api.get_statistics(request)

    async def CancelTask(
        self, request: tasks_pb2.CancelTaskRequest, context: Any
    ) -> tasks_pb2.CancelTaskResponse:
        return await self.api.cancel_task(request)

    async def ScoreBenchmark(
        self, request: benchmarks_pb2.ScoreBenchmarkRequest, context: Any
    ) -> benchmarks_pb2.ScoreBenchmarkResponse:
        return await self.api.score_benchmark(request)

    async def GetLeaderboard(
        self, request: benchmarks_pb2.GetLeaderboardRequest, context: Any
    ) -> benchmarks_pb2.GetLeaderboardResponse:
        return await self.api.get_leaderboard(request)

    async def GetServableStats(
        self, request: tasks_pb2.GetServableStatsRequest, context: Any
    ) -> tasks_pb2.GetServableStatsResponse:
        return await self.api.get_servable_stats(request)
