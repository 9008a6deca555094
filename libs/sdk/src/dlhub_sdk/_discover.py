"""Finding servables: search (plain or the original SDK's advanced ``field:value``
queries), describe and list; see dlhub_sdk._original for the original SDK's helpers."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from dlhub_common._proto.dlhub.v1 import registry_pb2, search_pb2
from dlhub_common.errors import InvalidArgument
from dlhub_common.names import parse_ref
from dlhub_common.original_layout import original_layout
from dlhub_common.records import summary_from_pb
from dlhub_sdk._manage import _ref_pb

# The original DLHub's metadata paths (Globus Search fields) -> this DLHub's filters.
ADVANCED_FIELDS = {
    "servable.type": "servable_type",
    "dlhub.domains": "domains",
    "dlhub.owner": "owner",
    "dlhub.name": "name",
    "datacite.creators.creatorName": "authors",
    "datacite.titles.title": "title",
    **{f: f for f in ("owner", "name", "domains", "authors", "servable_type", "title")},
}
# The original SDK's servable type names -> this DLHub's servable_type.
ORIGINAL_TYPES = {
    "keras model": "keras",
    "scikit-learn estimator": "sklearn",
    "pytorch model": "torchscript",
    "python static method": "python",
    "python class method": "python",
}
_TERM = re.compile(r'([\w.]+):\s*(?:"([^"]*)"|(\S+))')
PAGE = 1000  # the search service's largest page


def parse_advanced(query: str) -> tuple[str, dict[str, list[str]]]:
    """``servable.type:"Keras Model" AND dlhub.domains:"chemistry"`` as (free text,
    filters); ``AND`` joins terms, unknown fields are refused by name."""
    filters: dict[str, list[str]] = {}
    for match in _TERM.finditer(query):
        path, value = (
            match.group(1),
            match.group(2) if match.group(2) is not None else match.group(3),
        )
        field = ADVANCED_FIELDS.get(path)
        if field is None:
            raise InvalidArgument(
                f"cannot search on {path!r}; fields: {', '.join(sorted(ADVANCED_FIELDS))}",
                details={"field": path},
            )
        if field == "servable_type":
            value = ORIGINAL_TYPES.get(value.lower(), value.lower())
        filters.setdefault(field, []).append(value)
    rest = _TERM.sub(" ", query)
    text = " ".join(w for w in rest.split() if w.upper() not in ("AND", "OR"))
    return text, filters


class DiscoverMixin:
    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        raise NotImplementedError  # DLHubClient._call

    def search(
        self,
        query: str = "",
        advanced: bool = False,
        limit: int | None = 20,
        only_latest: bool = True,
        *,
        owner: str | Sequence[str] | None = None,
        domains: str | Sequence[str] | None = None,
        authors: str | Sequence[str] | None = None,
        servable_type: str | Sequence[str] | None = None,
        offset: int = 0,
        all_versions: bool = False,
        include_deprecated: bool = False,
        **more: str | Sequence[str] | None,
    ) -> list[dict[str, Any]]:
        """Servables matching ``query`` and the filters, best first.

        Args:
            query: free text; with ``advanced``, ``field:"value"`` terms joined by
                ``AND`` (the original SDK's fields, e.g. ``servable.type``,
                ``dlhub.domains``, ``dlhub.owner``, or this DLHub's filter names).
            limit: most results; ``None``: every match.
            only_latest: False: every version (as ``all_versions``).
            more: other filters by name (``name``, ``title``).

        Deprecated versions are left out unless ``include_deprecated``;
        withdrawn versions are never found.
        """
        text, filters = parse_advanced(query) if advanced else (query, {})
        given = {"owner": owner, "domains": domains, "authors": authors}
        given |= {"servable_type": servable_type, **more}
        for field, value in given.items():
            if value:
                filters.setdefault(field, []).extend([value] if isinstance(value, str) else value)
        hits: list[dict[str, Any]] = []
        while True:
            want = PAGE if limit is None else min(limit - len(hits), PAGE)
            page = self.search_page(
                text,
                limit=want,
                offset=offset + len(hits),
                all_versions=all_versions or not only_latest,
                include_deprecated=include_deprecated,
                **filters,
            )
            hits.extend(page["hits"])
            if len(hits) >= page["total"] or not page["hits"] or len(page["hits"]) < want:
                return hits
            if limit is not None and len(hits) >= limit:
                return hits

    def search_page(
        self,
        query: str = "",
        *,
        facets: Sequence[str] = (),
        limit: int = 20,
        offset: int = 0,
        all_versions: bool = False,
        include_deprecated: bool = False,
        **filters: str | Sequence[str] | None,
    ) -> dict[str, Any]:
        """One page of results with ``total`` and ``facets``."""
        pb_filters = []
        for field, value in filters.items():
            if value:
                values = [value] if isinstance(value, str) else list(value)
                pb_filters.append(search_pb2.FieldFilter(field=field, values=values))
        resp = self._call(
            "Search",
            search_pb2.SearchRequest(
                query=query,
                filters=pb_filters,
                facets=list(facets),
                offset=offset,
                limit=limit,
                all_versions=all_versions,
                include_deprecated=include_deprecated,
            ),
        )
        return {
            "total": resp.total,
            "hits": [summary_from_pb(h) for h in resp.hits],
            "facets": {f.field: {b.value: b.count for b in f.buckets} for f in resp.facets},
        }

    def describe_servable(
        self, name: str, version: int | str | None = None, layout: str = "dlhub"
    ) -> dict[str, Any]:
        """The full metadata of ``owner/name`` (latest, or ``version``).

        ``layout="original"``: the three blocks in the original DLHub's layout,
        field for field, with what DLHub assigned filled in
        (:mod:`dlhub_common.original_layout`).

        Besides the metadata blocks the dict holds ``versions`` (every version
        you may see), the version's lifecycle ``state`` (``active``,
        ``deprecated`` or ``withdrawn``) with ``state_reason`` and
        ``state_changed_at``, and the access in force: ``visible_to`` and
        ``co_owners`` (``share`` changes them; ``dlhub.visible_to`` stays as
        published). Withdrawn versions still describe.
        """
        ref = parse_ref(name, version)
        resp = self._call("GetServable", registry_pb2.GetServableRequest(ref=_ref_pb(ref)))
        metadata: dict[str, Any] = json.loads(resp.servable.metadata_json)
        summary = summary_from_pb(resp.servable.summary)
        if layout == "original":
            return original_layout(summary, metadata)
        if layout != "dlhub":
            raise InvalidArgument(f"layout must be 'dlhub' or 'original', not {layout!r}")
        metadata["versions"] = list(resp.versions)
        for key in ("state", "state_reason", "state_changed_at", "visible_to", "co_owners"):
            metadata[key] = summary[key]
        return metadata

    def get_servables(
        self, owner: str | None = None, all_versions: bool = False
    ) -> list[dict[str, Any]]:
        """Every servable the caller may see (all pages)."""
        out: list[dict[str, Any]] = []
        token = ""
        while True:
            resp = self._call(
                "ListServables",
                registry_pb2.ListServablesRequest(
                    owner=owner or "", page_size=1000, page_token=token, all_versions=all_versions
                ),
            )
            out.extend(summary_from_pb(s) for s in resp.servables)
            token = resp.next_page_token
            if not token:
                return out
