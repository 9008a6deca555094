"""DLHub Python SDK: ``DLHubClient`` and the servable builders."""

from dlhub_sdk._benchmarks import Benchmark
from dlhub_sdk._inputs import Reference
from dlhub_sdk._pipelines import Pipeline
from dlhub_sdk.client import DLHubClient, TaskFuture

__all__ = ["Benchmark", "DLHubClient", "Pipeline", "Reference", "TaskFuture"]
