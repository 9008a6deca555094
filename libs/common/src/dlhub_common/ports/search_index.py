"""SearchIndex: full-text and fielded search with facets over servable docs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# The index schema every adapter implements. Text fields are analysed for
# full-text queries; keyword fields are exact-match filters and facets. A
# keyword field may hold a string or a list of strings.
TEXT_FIELDS: tuple[str, ...] = ("title", "description", "authors", "domains", "name", "owner")
KEYWORD_FIELDS: tuple[str, ...] = (
    "owner",
    "name",
    "domains",
    "authors",
    "servable_type",
    "readers",
    "latest",
    "title",
    "state",
    "shadowed_by",
)
# Sortable field (ISO-8601 string) for the order used when there is no text.
SORT_FIELD = "published_at"
# Orders of hits (SearchQuery.sort): "" and "relevance" are by score when there is
# text, else newest first; "newest"/"oldest" by published_at (missing last);
# "title" by the title's characters (case-sensitive, as keywords compare). Ties by id.
SORTS = ("", "relevance", "newest", "oldest", "title")


@dataclass
class SearchQuery:
    """One search.

    Attributes:
        text: free text; terms are AND-ed, each may match any text field,
            prefix matching on the last term. Empty matches everything.
        filters: keyword field -> accepted values (OR within a field, AND across).
        exclude: keyword field -> refused values: a document holding any of
            them in that field is not matched (after ``filters``).
        facets: keyword fields to count values of, over all matches.
        offset: skip this many hits.
        limit: return at most this many hits.
        sort: one of :data:`SORTS`.
    """

    text: str = ""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    exclude: Mapping[str, Sequence[str]] = field(default_factory=dict)
    facets: Sequence[str] = ()
    offset: int = 0
    limit: int = 20
    sort: str = ""


@dataclass
class SearchResult:
    """Hits are the stored documents, in order; facets map field -> [(value, count)]
    sorted by count descending then value."""

    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class SearchIndex(ABC):
    """A search index of JSON documents keyed by id.

    Order of hits: by relevance when ``text`` is non-empty, otherwise by
    ``published_at`` descending; ties broken by id ascending.
    """

    async def start(self) -> None:
        """Open connections, create the index with its mappings. Idempotent."""

    async def stop(self) -> None:
        """Close connections. Idempotent."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise dlhub_common.errors.Unavailable when the backend does not answer."""

    @abstractmethod
    async def upsert(self, doc_id: str, doc: Mapping[str, Any]) -> None:
        """Index (or re-index) one document; visible to searches on return.

        Args:
            doc_id: the document id.
            doc: fields of the schema above; other keys are stored, not indexed.
        """

    @abstractmethod
    async def delete(self, doc_id: str) -> None:
        """Remove one document; no error when absent."""

    @abstractmethod
    async def search(self, query: SearchQuery) -> SearchResult:
        """Run a query.

        Raises:
            dlhub_common.errors.InvalidArgument: unknown filter or facet field.
        """
