"""TaskApi over the task manager core: protobuf in, protobuf out."""

from __future__ import annotations

from dlhub_common._proto.dlhub.v1 import benchmarks_pb2, tasks_pb2, types_pb2
from dlhub_common.bounds import check_int, check_timeout
from dlhub_common.identity import current_principal
from dlhub_common.names import Ref, check_slug
from dlhub_taskmanager.benchmarks import Benchmarks, BenchmarksAPI
from dlhub_taskmanager.core import TaskManager, TaskView
from dlhub_taskmanager.pipelines import steps_pb
from dlhub_taskmanager.stats import visible_statistics
from dlhub_taskmanager.usage import servable_stats

STATES = {
    "QUEUED": tasks_pb2.TASK_STATE_QUEUED,
    "RUNNING": tasks_pb2.TASK_STATE_RUNNING,
    "SUCCEEDED": tasks_pb2.TASK_STATE_SUCCEEDED,
    "FAILED": tasks_pb2.TASK_STATE_FAILED,
    "CANCELLED": tasks_pb2.TASK_STATE_CANCELLED,
}


def task_pb(view: TaskView) -> tasks_pb2.Task:
    rec = view.record
    task = tasks_pb2.Task(
        task_id=rec["task_id"],
        state=STATES[rec["state"]],
        servable=types_pb2.ServableRef(**rec["servable"]),
        outputs=view.outputs,
        output_json=view.output_json,
        created_at=rec.get("created_at", ""),
        completed_at=rec.get("completed_at", ""),
        warnings=rec.get("warnings", []),
        output_refs=view.output_refs or {},
    )
    if "timings" in rec:
        task.timings.CopyFrom(tasks_pb2.TaskTimings(**rec["timings"]))
    if "error" in rec:
        task.error.CopyFrom(types_pb2.ErrorInfo(**rec["error"]))
    if "steps" in rec:  # a pipeline task (pipelines/)
        task.steps.extend(steps_pb(rec))
    return task


class TaskAPI:
    """In-process implementation of dlhub_common.apis.TaskApi."""

    def __init__(self, core: TaskManager, benchmarks: Benchmarks | None = None) -> None:
        self.core = core
        # benchmark scoring and leaderboards (benchmarks/), started by main.create
        self.benchmarks = BenchmarksAPI(benchmarks or Benchmarks(core))

    async def run_servable(
        self, request: tasks_pb2.RunServableRequest
    ) -> tasks_pb2.RunServableResponse:
        ref = Ref(
            check_slug("owner", request.servable.owner),
            check_slug("name", request.servable.name),
            check_int("servable.version", request.servable.version),
        )
        check_timeout("timeout_s", request.timeout_s)
        view = await self.core.submit(
            current_principal.get(),
            ref,
            list(request.inputs),
            wait=request.wait,
            timeout_s=request.timeout_s,
            outputs=list(request.outputs),
            inputs_json=request.inputs_json,
            no_cache=request.no_cache,
            outputs_to=request.outputs_to,
            caller_token=request.caller_token,
        )
        return tasks_pb2.RunServableResponse(task=task_pb(view))

    async def get_task(self, request: tasks_pb2.GetTaskRequest) -> tasks_pb2.GetTaskResponse:
        check_timeout("timeout_s", request.timeout_s)
        view = await self.core.get(
            current_principal.get(), request.task_id, wait=request.wait, timeout_s=request.timeout_s
        )
        return tasks_pb2.GetTaskResponse(task=task_pb(view))

    async def get_statistics(
        self, request: tasks_pb2.GetStatisticsRequest
    ) -> tasks_pb2.GetStatisticsResponse:
        return await visible_statistics(self.core.stats, self.core.registry, request)

    async def get_servable_stats(
        self, request: tasks_pb2.GetServableStatsRequest
    ) -> tasks_pb2.GetServableStatsResponse:
        return await servable_stats(
            self.core.usage, self.core.registry, current_principal.get(), request
        )

    async def cancel_task(
        self, request: tasks_pb2.CancelTaskRequest
    ) -> tasks_pb2.CancelTaskResponse:
        view = await self.core.control.cancel(current_principal.get(), request.task_id)
        return tasks_pb2.CancelTaskResponse(task=task_pb(view))

    async def score_benchmark(
        self, request: benchmarks_pb2.ScoreBenchmarkRequest
    ) -> benchmarks_pb2.ScoreBenchmarkResponse:
        return await self.benchmarks.score_benchmark(request)

    async def get_leaderboard(
        self, request: benchmarks_pb2.GetLeaderboardRequest
    ) -> benchmarks_pb2.GetLeaderboardResponse:
        return await self.benchmarks.get_leaderboard(request)
