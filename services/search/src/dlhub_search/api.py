"""SearchApi over the search core: protobuf in, protobuf out."""

from __future__ import annotations

from dlhub_common._proto.dlhub.v1 import search_pb2
from dlhub_common.identity import current_principal
from dlhub_common.records import summary_pb
from dlhub_search.core import Search


class SearchAPI:
    """In-process implementation of dlhub_common.apis.SearchApi."""

    def __init__(self, core: Search) -> None:
        self.core = core

    async def search(self, request: search_pb2.SearchRequest) -> search_pb2.SearchResponse:
        filters: dict[str, list[str]] = {}
        for f in request.filters:
            filters.setdefault(f.field, []).extend(f.values)
        result = await self.core.search(
            current_principal.get(),
            text=request.query,
            filters=filters,
            facets=list(request.facets),
            offset=request.offset,
            limit=request.limit or 20,
            all_versions=request.all_versions,
            include_deprecated=request.include_deprecated,
            sort=request.sort,
        )
        return search_pb2.SearchResponse(
            hits=[
                # index documents keep "latest" as the keyword "true"/"false"
                summary_pb({**h, "latest": h.get("latest") == "true"})
                for h in result.hits
            ],
            total=result.total,
            offset=request.offset,
            facets=[
                search_pb2.Facet(
                    field=field,
                    buckets=[search_pb2.FacetBucket(value=v, count=c) for v, c in buckets],
                )
                for field, buckets in result.facets.items()
            ],
        )
