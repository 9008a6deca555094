"""SearchIndex on OpenSearch (2.x), with the semantics of the SQLite adapter.

One index document per servable::

    {"doc": <the stored document, verbatim>,
     "id": <doc id>, "published_at": <str(published_at)>,
     "text": {<text field>: <values joined with spaces>, ...},
     "kw": {<keyword field>: [<values as strings>], ...}}

* ``doc`` is an object with ``enabled: false``: kept in ``_source`` and
  returned as the hit, never parsed or indexed, so any JSON is accepted and
  extra keys are stored, not indexed (``dynamic: false`` everywhere else).
* ``text.*`` are analysed with the SQLite tokeniser's notion of a word: runs of
  letters and digits (a ``pattern`` tokenizer on ``[^\\p{L}\\p{N}]+``),
  lowercased and ASCII-folded (FTS5's ``remove_diacritics``). Each has a
  ``.prefix`` sub-field indexed with edge n-grams (1..40 characters) whose
  search analyser truncates to 40, for the prefix match on the last term.
* ``kw.*`` are ``keyword`` fields built by the same rules as the SQLite
  adapter's keyword rows (lists flattened, booleans ``"true"``/``"false"``,
  other scalars ``str()``); a field that is both text and keyword (title,
  name, owner, authors, domains) is simply copied to both.
* ``id`` and ``published_at`` are keywords for sorting: hits come by score when
  there is text, else by ``published_at`` descending (missing last), ties by id.

User text never reaches query-string syntax: it is split into the same word
tokens as the SQLite adapter; every token but the last must match some text
field as a whole word (``multi_match`` over ``text.*``), the last one must
match a word prefix (``multi_match`` over ``text.*.prefix``); all are AND-ed.
Field boosts follow the SQLite adapter's bm25 weights.

Facets are composite aggregations (exact, every value, paged when a field has
more than 1,000 values) sorted by count descending then value in Python.
Writes use ``refresh=true`` so they are visible to searches on return.

Pagination uses from/size, so ``offset + limit`` may not exceed the index's
``max_result_window`` (10,000): beyond it a search raises InvalidArgument, except
that an offset at or past the total returns no hits, as the SQLite adapter does.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import (
    AuthenticationException,
    AuthorizationException,
    ConnectionError,
    NotFoundError,
    RequestError,
    TransportError,
)

from dlhub_common.adapters import _search_rules as rules
from dlhub_common.backends import OpenSearchConfig
from dlhub_common.errors import (
    DLHubError,
    InternalError,
    InvalidArgument,
    PermissionDenied,
    Unauthenticated,
    Unavailable,
)
from dlhub_common.ports.search_index import (
    KEYWORD_FIELDS,
    SORT_FIELD,
    TEXT_FIELDS,
    SearchIndex,
    SearchQuery,
    SearchResult,
)

# Longest prefix indexed for prefix matching; longer last terms are cut to it.
_MAX_PREFIX = 40
# OpenSearch's default index.max_result_window: from + size may not exceed it.
_MAX_WINDOW = 10_000
# Values per composite-aggregation page for facets.
_FACET_PAGE = 1_000
# HTTP statuses that mean "try again later" rather than "wrong request".
_UNAVAILABLE_STATUSES = {429, 502, 503, 504}


def _index_body(config: OpenSearchConfig) -> dict[str, Any]:
    text_field = {
        "type": "text",
        "analyzer": "dlhub_text",
        "fields": {
            "prefix": {
                "type": "text",
                "analyzer": "dlhub_prefix_index",
                "search_analyzer": "dlhub_prefix_search",
            }
        },
    }
    return {
        "settings": {
            "index": {
                "number_of_shards": config.number_of_shards,
                "number_of_replicas": config.number_of_replicas,
            },
            "analysis": {
                "tokenizer": {"dlhub_words": {"type": "pattern", "pattern": r"[^\p{L}\p{N}]+"}},
                "filter": {
                    "dlhub_edge": {
                        "type": "edge_ngram",
                        "min_gram": 1,
                        "max_gram": _MAX_PREFIX,
                    },
                    "dlhub_cut": {"type": "truncate", "length": _MAX_PREFIX},
                },
                "analyzer": {
                    "dlhub_text": {
                        "type": "custom",
                        "tokenizer": "dlhub_words",
                        "filter": ["lowercase", "asciifolding"],
                    },
                    "dlhub_prefix_index": {
                        "type": "custom",
                        "tokenizer": "dlhub_words",
                        "filter": ["lowercase", "asciifolding", "dlhub_edge"],
                    },
                    "dlhub_prefix_search": {
                        "type": "custom",
                        "tokenizer": "dlhub_words",
                        "filter": ["lowercase", "asciifolding", "dlhub_cut"],
                    },
                },
            },
        },
        "mappings": {
            "dynamic": False,
            "properties": {
                "doc": {"type": "object", "enabled": False},
                "id": {"type": "keyword"},
                SORT_FIELD: {"type": "keyword"},
                "text": {
                    "type": "object",
                    "dynamic": False,
                    "properties": {f: text_field for f in TEXT_FIELDS},
                },
                "kw": {
                    "type": "object",
                    "dynamic": False,
                    "properties": {f: {"type": "keyword"} for f in KEYWORD_FIELDS},
                },
            },
        },
    }


def _safe_host(url: str) -> str:
    """The host part of a node URL, without any credentials it may hold."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


class OpenSearchIndex(SearchIndex):
    """Search index ``config.index`` on the OpenSearch nodes ``config.hosts``."""

    def __init__(self, config: OpenSearchConfig, data_dir: Path) -> None:
        self._config = config
        self._index = config.index
        self._where = f"opensearch at {', '.join(_safe_host(h) for h in config.hosts)}"
        self._client: AsyncOpenSearch | None = None

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        if self._client is not None:
            return
        config = self._config
        auth = None
        if config.username is not None:
            password = config.password.get_secret_value() if config.password else ""
            auth = (config.username, password)
        client = AsyncOpenSearch(
            hosts=list(config.hosts),
            http_auth=auth,
            timeout=config.timeout_s,
            max_retries=2,
            retry_on_timeout=False,
        )
        try:
            await self._call(self._create_index(client))
        except BaseException:
            await client.close()
            raise
        self._client = client

    async def _create_index(self, client: AsyncOpenSearch) -> None:
        if await client.indices.exists(index=self._index):
            # An index created by an older release may lack newer keyword
            # fields (e.g. ``state``): add them. Adding fields is allowed on a
            # live index and a no-op when they exist; documents get the new
            # fields when they are next upserted.
            await client.indices.put_mapping(
                index=self._index,
                body={
                    "properties": {"kw": _index_body(self._config)["mappings"]["properties"]["kw"]}
                },
            )
            return
        try:
            await client.indices.create(index=self._index, body=_index_body(self._config))
        except RequestError as exc:
            if exc.error != "resource_already_exists_exception":  # created meanwhile
                raise

    async def stop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    def _started(self) -> AsyncOpenSearch:
        if self._client is None:
            raise Unavailable(f"{self._where}: search index is not started")
        return self._client

    async def _call(self, awaitable: Any) -> Any:
        """Await a client call, translating its errors to DLHub errors."""
        try:
            return await awaitable
        except DLHubError:
            raise
        except ConnectionError as exc:
            raise Unavailable(f"{self._where} does not answer ({type(exc).__name__})") from exc
        except AuthenticationException as exc:
            raise Unauthenticated(f"{self._where} refused the credentials") from exc
        except AuthorizationException as exc:
            raise PermissionDenied(f"{self._where} denied access to {self._index!r}") from exc
        except TransportError as exc:
            status = exc.status_code
            reason = _reason(exc)
            if isinstance(status, int) and status in _UNAVAILABLE_STATUSES:
                raise Unavailable(f"{self._where} is unavailable ({status}: {reason})") from exc
            if isinstance(exc, RequestError):
                raise InvalidArgument(f"{self._where} rejected the request: {reason}") from exc
            raise InternalError(f"{self._where} failed ({status}: {reason})") from exc

    # -- SearchIndex -------------------------------------------------------------

    async def ping(self) -> None:
        await self._call(self._started().info())

    async def upsert(self, doc_id: str, doc: Mapping[str, Any]) -> None:
        client = self._started()
        document = dict(doc)
        published = document.get(SORT_FIELD)
        entry = {
            "doc": document,
            "id": doc_id,
            SORT_FIELD: None if published is None else str(published),
            "text": {f: rules.text_value(document.get(f)) for f in TEXT_FIELDS},
            "kw": {f: rules.keyword_values(document.get(f)) for f in KEYWORD_FIELDS},
        }
        try:
            body = json.dumps(entry, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(f"document is not JSON-serialisable: {exc}") from exc
        await self._call(client.index(index=self._index, id=doc_id, body=body, refresh="true"))

    async def delete(self, doc_id: str) -> None:
        client = self._started()

        async def run() -> None:
            with contextlib.suppress(NotFoundError):  # absent: nothing to delete
                await client.delete(index=self._index, id=doc_id, refresh="true")

        await self._call(run())

    async def search(self, query: SearchQuery) -> SearchResult:
        rules.check_query(query)
        client = self._started()
        terms = rules.words(query.text)

        must: list[dict[str, Any]] = []
        for i, term in enumerate(terms):
            suffix = ".prefix" if i == len(terms) - 1 else ""
            fields = [f"text.{f}{suffix}^{rules.WEIGHTS[f]}" for f in TEXT_FIELDS]
            must.append(
                {
                    "multi_match": {
                        "query": term,
                        "fields": fields,
                        "type": "most_fields",
                        "operator": "and",
                    }
                }
            )
        filters: list[dict[str, Any]] = []
        for field, values in query.filters.items():
            accepted = rules.accepted_values(values)
            if accepted:  # an empty list of accepted values does not constrain
                filters.append({"terms": {f"kw.{field}": accepted}})
        refused = [
            {"terms": {f"kw.{field}": rules.accepted_values(values)}}
            for field, values in query.exclude.items()
            if rules.accepted_values(values)
        ]
        match: dict[str, Any] = {
            "bool": {"must": must or [{"match_all": {}}], "filter": filters, "must_not": refused}
        }
        if query.sort in ("newest", "oldest"):
            order = "desc" if query.sort == "newest" else "asc"
            sort: list[Any] = [{SORT_FIELD: {"order": order, "missing": "_last"}}, {"id": "asc"}]
        elif query.sort == "title":
            sort = [{"kw.title": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]
        elif terms:
            sort = [{"_score": "desc"}, {"id": "asc"}]
        else:
            sort = [{SORT_FIELD: {"order": "desc", "missing": "_last"}}, {"id": "asc"}]

        window_ok = query.offset + query.limit <= _MAX_WINDOW
        body: dict[str, Any] = {
            "query": match,
            "sort": sort,
            "from": query.offset if window_ok else 0,
            "size": query.limit if window_ok else 0,
            "track_total_hits": True,
        }
        if query.facets:
            body["aggs"] = {
                f"facet_{i}": _facet_agg(name, None) for i, name in enumerate(query.facets)
            }
        params: dict[str, Any] = {}
        if self._config.number_of_shards > 1 and terms:
            params["search_type"] = "dfs_query_then_fetch"  # same term stats on every shard
        response = await self._call(client.search(index=self._index, body=body, **params))
        total = int(response["hits"]["total"]["value"])
        if not window_ok and query.offset < total and query.limit > 0:
            raise InvalidArgument(
                f"offset + limit must not exceed {_MAX_WINDOW} with the opensearch index "
                f"(got {query.offset} + {query.limit}); narrow the query with text or filters"
            )
        hits = [hit["_source"]["doc"] for hit in response["hits"]["hits"]] if window_ok else []

        facets: dict[str, list[tuple[str, int]]] = {}
        for i, name in enumerate(query.facets):
            counts: dict[str, int] = {}
            agg = response["aggregations"][f"facet_{i}"]
            while True:
                buckets = agg["buckets"]
                for bucket in buckets:
                    counts[str(bucket["key"]["v"])] = int(bucket["doc_count"])
                after = agg.get("after_key")
                if len(buckets) < _FACET_PAGE or after is None:
                    break
                page = await self._call(
                    client.search(
                        index=self._index,
                        body={
                            "query": match,
                            "size": 0,
                            "track_total_hits": False,
                            "aggs": {"facet": _facet_agg(name, after)},
                        },
                    )
                )
                agg = page["aggregations"]["facet"]
            facets[name] = rules.facet_order(counts)
        return SearchResult(total=total, hits=hits, facets=facets)


def _facet_agg(name: str, after: Any) -> dict[str, Any]:
    composite: dict[str, Any] = {
        "size": _FACET_PAGE,
        "sources": [{"v": {"terms": {"field": f"kw.{name}"}}}],
    }
    if after is not None:
        composite["after"] = after
    return {"composite": composite}


def _reason(exc: TransportError) -> str:
    info = exc.info
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            causes = error.get("root_cause") or [error]
            return str(causes[0].get("reason") or error.get("type") or exc.error)
        if error is not None:
            return str(error)
    return str(exc.error)
