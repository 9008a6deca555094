"""DLHub Python SDK: ``DLHubClient`` and the servable builders."""

from dlhub_sdk._inputs import Reference
from dlhub_sdk.client import DLHubClient, TaskFuture

__all__ = ["DLHubClient", "Reference", "TaskFuture"]
