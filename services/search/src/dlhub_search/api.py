"""SearchApi over the search core: protobuf in, protobuf out."""

from __future__ import annotations

from dlhub_common._proto.dlhub.v1 import search_pb2, types_pb2
from dlhub_common.identity import current_principal
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
        )
        return search_pb2.SearchResponse(
            hits=[
                types_pb2.ServableSummary(
                    owner=h["owner"],
                    name=h["name"],
                    version=int(h["version"]),
                    title=h.get("title", ""),
                    description=h.get("description", ""),
                    authors=h.get("authors", []),
                    domains=h.get("domains", []),
                    servable_type=h.get("servable_type", ""),
                    identifier=h.get("identifier", ""),
                    digest=h.get("digest", ""),
                    publication_date=h.get("publication_date", ""),
                    visible_to=h.get("visible_to", []),
                    latest=h.get("latest") == "true",
                    state=h.get("state", ""),
                    state_reason=h.get("state_reason", ""),
                    state_changed_at=h.get("state_changed_at", ""),
                    doi=h.get("doi", ""),
                )
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
