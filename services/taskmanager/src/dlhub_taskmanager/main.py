"""Assembling the task manager service."""

from __future__ import annotations

from dlhub_common._proto.dlhub.v1 import tasks_pb2_grpc
from dlhub_common.apis import RegistryApi
from dlhub_common.rpc.server import GrpcServer
from dlhub_common.runtime import Backends
from dlhub_taskmanager.api import TaskAPI
from dlhub_taskmanager.benchmarks import Benchmarks
from dlhub_taskmanager.core import TaskManager
from dlhub_taskmanager.result_cache import ResultCache
from dlhub_taskmanager.servicer import TaskServicer
from dlhub_taskmanager.streams import BindingRunner

SERVICE_NAME = "dlhub.v1.TaskService"


async def create(backends: Backends, registry: RegistryApi) -> tuple[TaskAPI, TaskManager]:
    settings = backends.settings
    docs = await backends.documents()
    cache = settings.cache
    core = TaskManager(
        docs,
        await backends.objects(),
        await backends.bus(),
        registry,
        default_timeout_s=settings.default_timeout_s,
        batching=settings.batching,
        cache=ResultCache(
            cache.max_bytes if cache.enabled else 0,
            cache.ttl_s,
            docs if cache.type == "documents" else None,
        ),
        tasks=settings.tasks,
        staging=settings.staging,
        usage=settings.usage,
    )
    await core.start()
    if settings.streams.enabled:
        core.bindings = BindingRunner(core, registry, core.bus, settings.streams)
        await core.bindings.start()
    benchmarks = Benchmarks(core)
    await benchmarks.start()
    return TaskAPI(core, benchmarks), core


def register(server: GrpcServer, api: TaskAPI) -> None:
    server.add(tasks_pb2_grpc.add_TaskServiceServicer_to_server, TaskServicer(api), SERVICE_NAME)
