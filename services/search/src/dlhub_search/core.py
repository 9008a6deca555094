"""Search core: keep the index in step with servable events; answer queries.

One index document per servable version (id ``owner/name/0000000003``). The
version ``owner/name`` resolves to (the newest one not withdrawn) carries
``latest: "true"``; default searches only see those. Each document has the
version's lifecycle ``state``: default searches see only ``active`` ones,
``include_deprecated`` adds ``deprecated`` ones, and ``withdrawn`` ones are
never found. The caller's visibility is a filter inside the query
(``readers``), so totals, pages and facets never count what the caller may not
see.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import InvalidArgument, clip
from dlhub_common.identity import Principal
from dlhub_common.ports import EventBus, SearchIndex, SearchQuery, SearchResult
from dlhub_common.ports.search_index import KEYWORD_FIELDS
from dlhub_common.records import ACTIVE, DEPRECATED, STATES, record_id, summary_from_pb
from dlhub_common.topics import SEARCH_GROUP, SERVABLE_EVENTS

log = logging.getLogger("dlhub.search")

FILTER_FIELDS = ("owner", "name", "domains", "authors", "servable_type", "title")
FACET_FIELDS = ("owner", "domains", "authors", "servable_type")
MAX_LIMIT = 1000


class Search:
    """Indexes servable events and runs visibility-filtered searches."""

    def __init__(self, index: SearchIndex, bus: EventBus, *, group: str = SEARCH_GROUP) -> None:
        self.index = index
        self.bus = bus
        self.group = group
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        """Join the event group and start indexing in the background."""
        await self._backfill_states()
        sub = self.bus.subscribe([SERVABLE_EVENTS], self.group)
        await sub.start()
        self._task = asyncio.create_task(self._consume(sub), name="search-indexer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _consume(self, sub: Any) -> None:
        try:
            async for delivery in sub:
                event = bus_pb2.ServableEvent.FromString(delivery.value)
                await self.apply(event)
                await delivery.ack()
        finally:
            await sub.close()

    async def apply(self, event: bus_pb2.ServableEvent) -> None:
        """Apply one servable event to the index (idempotent)."""
        summary = summary_from_pb(event.servable.summary)
        doc_id = record_id(summary["owner"], summary["name"], int(summary["version"]))
        if event.kind == bus_pb2.SERVABLE_EVENT_KIND_REMOVED:
            await self.index.delete(doc_id)
            return
        doc = self.index_doc(summary)
        if summary["latest"]:
            others = await self.index.search(
                SearchQuery(
                    filters={
                        "owner": [summary["owner"]],
                        "name": [summary["name"]],
                        "latest": ["true"],
                    },
                    limit=MAX_LIMIT,
                )
            )
            for hit in others.hits:
                if int(hit["version"]) < int(summary["version"]):
                    await self.index.upsert(
                        record_id(hit["owner"], hit["name"], int(hit["version"])),
                        {**hit, "latest": "false"},
                    )
                elif int(hit["version"]) > int(summary["version"]):
                    # events of two changes crossed (a publish and a withdrawal):
                    # the newer version stays the latest
                    doc["latest"] = "false"
        await self.index.upsert(doc_id, doc)
        log.debug("indexed %s", doc_id)

    @staticmethod
    def index_doc(summary: dict[str, Any]) -> dict[str, Any]:
        readers = sorted({*summary["visible_to"], summary["owner"]})
        return {
            **summary,
            "latest": "true" if summary["latest"] else "false",
            "state": summary.get("state") or ACTIVE,
            "readers": readers,
            "published_at": summary["publication_date"],
        }

    async def search(
        self,
        principal: Principal,
        *,
        text: str,
        filters: dict[str, list[str]],
        facets: Sequence[str],
        offset: int,
        limit: int,
        all_versions: bool,
        include_deprecated: bool = False,
    ) -> SearchResult:
        for field in filters:
            if field not in FILTER_FIELDS:
                raise InvalidArgument(
                    f"cannot filter on {clip(field)}; filter fields: {', '.join(FILTER_FIELDS)}"
                )
        for field in facets:
            if field not in FACET_FIELDS:
                raise InvalidArgument(
                    f"no facet {clip(field)}; facet fields: {', '.join(FACET_FIELDS)}"
                )
        if offset < 0:
            raise InvalidArgument("offset must be >= 0")
        if not 0 <= limit <= MAX_LIMIT:
            raise InvalidArgument(
                f"limit must be between 1 and {MAX_LIMIT} (0 means the default, 20)"
            )
        query_filters = {k: list(v) for k, v in filters.items() if v}
        query_filters["readers"] = principal.readers()
        if not all_versions:
            query_filters["latest"] = ["true"]
        query_filters["state"] = [ACTIVE, DEPRECATED] if include_deprecated else [ACTIVE]
        assert set(query_filters) <= set(KEYWORD_FIELDS)
        return await self.index.search(
            SearchQuery(
                text=text,
                filters=query_filters,
                facets=list(facets),
                offset=offset,
                limit=limit or 20,
            )
        )

    async def _backfill_states(self) -> None:
        """Give documents indexed before servable states existed ``state: active``.

        Cheap when there is nothing to do (two counts); otherwise every
        document without a state is upserted once with one.
        """
        total = (await self.index.search(SearchQuery(limit=0))).total
        stated = (await self.index.search(SearchQuery(filters={"state": STATES}, limit=0))).total
        if stated >= total:
            return
        fixed = 0
        try:
            for offset in range(0, total, MAX_LIMIT):
                page = await self.index.search(SearchQuery(offset=offset, limit=MAX_LIMIT))
                for hit in page.hits:
                    if not hit.get("state"):
                        doc_id = record_id(hit["owner"], hit["name"], int(hit["version"]))
                        await self.index.upsert(doc_id, {**hit, "state": ACTIVE})
                        fixed += 1
        except InvalidArgument as exc:  # e.g. past OpenSearch's result window
            log.warning("state backfill stopped after %d document(s): %s", fixed, exc)
            return
        log.info("indexed the state of %d servable version(s) indexed before states", fixed)
