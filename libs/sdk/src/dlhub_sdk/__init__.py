"""DLHub Python SDK: ``DLHubClient`` and the servable builders."""

from dlhub_sdk.client import DLHubClient, TaskFuture

__all__ = ["DLHubClient", "TaskFuture"]
