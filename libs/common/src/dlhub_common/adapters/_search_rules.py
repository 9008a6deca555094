"""What every SearchIndex adapter agrees on: query checks, words, keywords, weights.

The SQLite (FTS5) and OpenSearch adapters split text into the same words,
derive the same keyword strings from a document, weigh the text fields the
same and order facets the same; each builds its own query from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from dlhub_common.errors import InvalidArgument
from dlhub_common.ports.search_index import KEYWORD_FIELDS, SORTS, SearchQuery

# Relative weight of each text field (SQLite's bm25 weights, OpenSearch's boosts).
WEIGHTS: dict[str, float] = {
    "title": 4.0,
    "name": 3.0,
    "description": 1.0,
    "authors": 2.0,
    "domains": 2.0,
    "owner": 2.0,
}
# Same notion of a word as FTS5's unicode61 tokenizer: letters and digits.
_TOKEN = re.compile(r"[^\W_]+")


def check_query(query: SearchQuery) -> None:
    """Reject a negative page and filters or facets on fields that are not keywords."""
    if query.offset < 0 or query.limit < 0:
        raise InvalidArgument("offset and limit must not be negative")
    if query.sort not in SORTS:
        raise InvalidArgument(
            f"unknown sort {query.sort[:40]!r}; allowed: {', '.join(s for s in SORTS if s)}",
            details={"allowed": [s for s in SORTS if s]},
        )
    for name in [*query.filters, *query.exclude, *query.facets]:
        if name not in KEYWORD_FIELDS:
            raise InvalidArgument(
                f"unknown search field {name!r}; allowed: {', '.join(KEYWORD_FIELDS)}",
                details={"field": name, "allowed": list(KEYWORD_FIELDS)},
            )


def words(text: str | None) -> list[str]:
    """The word tokens of free text; user text never reaches a query syntax whole."""
    return _TOKEN.findall(text or "")


def keyword_values(value: Any) -> list[str]:
    """The keyword strings of a field value: a scalar or a list of scalars."""
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [v for item in value for v in keyword_values(item)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def text_value(value: Any) -> str:
    """A text field's value as one string: list items joined with spaces."""
    return " ".join(keyword_values(value))


def accepted_values(values: Any) -> list[str]:
    """The keyword strings a filter accepts (a value or a list of values), sorted."""
    if isinstance(values, str | bytes | bool) or not isinstance(values, Iterable):
        values = [values]
    return sorted({v for value in values for v in keyword_values(value)})


def facet_order(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """Facet values by count descending, then value ascending."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
