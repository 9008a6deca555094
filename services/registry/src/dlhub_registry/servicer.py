"""gRPC transport of the registry: decode, call the API, encode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from dlhub_common._proto.dlhub.v1 import registry_pb2, registry_pb2_grpc
from dlhub_common.apis import RegistryApi


class RegistryServicer(registry_pb2_grpc.RegistryServiceServicer):  # type: ignore[misc]
    def __init__(self, api: RegistryApi) -> None:
        self.api = api

    async def PublishServable(
        self, request_iterator: AsyncIterator[registry_pb2.PublishServableRequest], context: Any
    ) -> registry_pb2.PublishServableResponse:
        return await self.api.publish_servable(request_iterator)

    async def GetServable(
        self, request: registry_pb2.GetServableRequest, context: Any
    ) -> registry_pb2.GetServableResponse:
        return await self.api.get_servable(request)

    async def ListServables(
        self, request: registry_pb2.ListServablesRequest, context: Any
    ) -> registry_pb2.ListServablesResponse:
        return await self.api.list_servables(request)

    async def ListVersions(
        self, request: registry_pb2.ListVersionsRequest, context: Any
    ) -> registry_pb2.ListVersionsResponse:
        return await self.api.list_versions(request)

    async def DeprecateServable(
        self, request: registry_pb2.DeprecateServableRequest, context: Any
    ) -> registry_pb2.DeprecateServableResponse:
        return await self.api.deprecate_servable(request)

    async def CreateUpload(
        self, request: registry_pb2.CreateUploadRequest, context: Any
    ) -> registry_pb2.CreateUploadResponse:
        return await self.api.create_upload(request)

    async def WriteUpload(
        self, request_iterator: AsyncIterator[registry_pb2.WriteUploadRequest], context: Any
    ) -> registry_pb2.WriteUploadResponse:
        return await self.api.write_upload(request_iterator)

    async def GetUpload(
        self, request: registry_pb2.GetUploadRequest, context: Any
    ) -> registry_pb2.GetUploadResponse:
        return await self.api.get_upload(request)

    async def WithdrawServable(
        self, request: registry_pb2.WithdrawServableRequest, context: Any
    ) -> registry_pb2.WithdrawServableResponse:
        return await self.api.withdraw_servable(request)

    async def GetPublishJob(
        self, request: registry_pb2.GetPublishJobRequest, context: Any
    ) -> registry_pb2.GetPublishJobResponse:
        return await self.api.get_publish_job(request)

    async def ListPublishJobs(
        self, request: registry_pb2.ListPublishJobsRequest, context: Any
    ) -> registry_pb2.ListPublishJobsResponse:
        return await self.api.list_publish_jobs(request)

    async def SetAccess(
        self, request: registry_pb2.SetAccessRequest, context: Any
    ) -> registry_pb2.SetAccessResponse:
        return await self.api.set_access(request)

    async def ListAudit(
        self, request: registry_pb2.ListAuditRequest, context: Any
    ) -> registry_pb2.ListAuditResponse:
        return await self.api.list_audit(request)

    async def CreateBinding(
        self, request: registry_pb2.CreateBindingRequest, context: Any
    ) -> registry_pb2.CreateBindingResponse:
        return await self.api.create_binding(request)

    async def ListBindings(
        self, request: registry_pb2.ListBindingsRequest, context: Any
    ) -> registry_pb2.ListBindingsResponse:
        return await self.api.list_bindings(request)

    async def DeleteBinding(
        self, request: registry_pb2.DeleteBindingRequest, context: Any
    ) -> registry_pb2.DeleteBindingResponse:
        return await self.api.delete_binding(request)

    async def RetrainServable(
        self, request: registry_pb2.RetrainServableRequest, context: Any
    ) -> registry_pb2.RetrainServableResponse:
        return await self.api.retrain_servable(request)

    async def GetRetrainJob(
        self, request: registry_pb2.GetRetrainJobRequest, context: Any
    ) -> registry_pb2.GetRetrainJobResponse:
        return await self.api.get_retrain_job(request)

    async def ListRetrainJobs(
        self, request: registry_pb2.ListRetrainJobsRequest, context: Any
    ) -> registry_pb2.ListRetrainJobsResponse:
        return await self.api.list_retrain_jobs(request)
