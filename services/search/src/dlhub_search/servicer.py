"""gRPC transport of the search service."""

from __future__ import annotations

from typing import Any

from dlhub_common._proto.dlhub.v1 import search_pb2, search_pb2_grpc
from dlhub_common.apis import SearchApi


class SearchServicer(search_pb2_grpc.SearchServiceServicer):  # type: ignore[misc]
    def __init__(self, api: SearchApi) -> None:
        self.api = api

    async def Search(
        self, request: search_pb2.SearchRequest, context: Any
    ) -> search_pb2.SearchResponse:
        return await self.api.search(request)
