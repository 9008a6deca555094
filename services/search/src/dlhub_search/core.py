"""Search core: keep the index in step with servable events; answer queries.

One index document per servable version (id ``owner/name/0000000003``).
Visibility is per version: default searches show each caller the newest
active version of a servable *they* may see (see :meth:`Search._reconcile`). Each document has the
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
from dlhub_common.access import readers_of
from dlhub_common.errors import InvalidArgument, clip
from dlhub_common.identity import Principal
from dlhub_common.ports import EventBus, SearchIndex, SearchQuery, SearchResult
from dlhub_common.ports.search_index import KEYWORD_FIELDS
from dlhub_common.records import (
    ACTIVE,
    DEPRECATED,
    STATES,
    latest_of,
    record_id,
    state_of,
    summary_from_pb,
)
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
        owner, name = summary["owner"], summary["name"]
        doc_id = record_id(owner, name, int(summary["version"]))
        if event.kind == bus_pb2.SERVABLE_EVENT_KIND_REMOVED:
            await self.index.delete(doc_id)
            await self._reconcile(owner, name, None)
            return
        doc = self.index_doc(summary)
        await self.index.upsert(doc_id, doc)
        await self._reconcile(owner, name, doc)
        log.debug("indexed %s", doc_id)

    async def _reconcile(self, owner: str, name: str, changed: dict[str, Any] | None) -> None:
        """Recompute ``latest`` and ``shadowed_by`` of every version of ``owner/name``.

        ``latest`` marks the version the name resolves to for everyone (the
        newest not withdrawn). ``shadowed_by`` lists the readers of the newer
        *active* versions: a caller matching one of them has a newer version
        to see, so default searches (readers in, shadowed_by out) show each
        caller the newest active version *they* may see, counted once,
        whatever the others' visibility; deprecating the newest version
        leaves the servable findable through its newest active one
        (``include_deprecated`` then finds both). Derived from the index
        alone, so events applied in any order converge.
        """
        page = await self.index.search(
            SearchQuery(filters={"owner": [owner], "name": [name]}, limit=MAX_LIMIT)
        )
        docs = {int(hit["version"]): hit for hit in page.hits}
        if changed is not None:  # as just written, whatever the index returned
            docs[int(changed["version"])] = changed
        ordered = [docs[v] for v in sorted(docs)]
        latest = latest_of(ordered)
        shadow: set[str] = set()
        for doc in reversed(ordered):
            want = {
                "latest": "true" if doc is latest else "false",
                "shadowed_by": sorted(shadow),
            }
            if any(doc.get(k) != v for k, v in want.items()):
                await self.index.upsert(
                    record_id(owner, name, int(doc["version"])), {**doc, **want}
                )
            if state_of(doc) == ACTIVE:
                shadow.update(doc.get("readers", ()))

    @staticmethod
    def index_doc(summary: dict[str, Any]) -> dict[str, Any]:
        return {
            **summary,
            "latest": "true" if summary["latest"] else "false",
            "state": summary.get("state") or ACTIVE,
            "readers": sorted(readers_of(summary)),
            "shadowed_by": [],
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
        sort: str = "",
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
        readers = principal.readers()
        query_filters = {k: list(v) for k, v in filters.items() if v}
        query_filters["readers"] = readers
        # default: the newest version this caller may see (nothing newer they may see)
        exclude = {} if all_versions else {"shadowed_by": readers}
        query_filters["state"] = [ACTIVE, DEPRECATED] if include_deprecated else [ACTIVE]
        assert set(query_filters) | set(exclude) <= set(KEYWORD_FIELDS)
        result = await self.index.search(
            SearchQuery(
                text=text,
                filters=query_filters,
                exclude=exclude,
                facets=list(facets),
                offset=offset,
                limit=limit or 20,
                sort=sort,
            )
        )
        mine = set(readers)
        for hit in result.hits:
            # latest for this caller; the index fields are not shown
            hit["latest"] = "true" if mine.isdisjoint(hit.pop("shadowed_by", ())) else "false"
            hit.pop("readers", None)
        return result

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
