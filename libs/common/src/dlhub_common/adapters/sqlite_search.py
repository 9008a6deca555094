"""SearchIndex on SQLite FTS5.

Three tables in one file:

* ``docs``: the stored document (JSON) and its ``published_at`` sort key;
* ``fts``: an FTS5 table over the text fields (lists joined with spaces),
  sharing its rowid with ``docs``;
* ``keywords``: one (doc_id, field, value) row per keyword value, for filters
  and facets; booleans are stored as ``"true"`` / ``"false"``.

User text never reaches FTS5 query syntax: it is split into word tokens, each
token is quoted, the last one gets a prefix ``*`` and all are AND-ed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dlhub_common.adapters import _search_rules as rules
from dlhub_common.adapters._sqlite import SqliteRunner, transaction
from dlhub_common.backends import SqliteSearchConfig
from dlhub_common.errors import InvalidArgument
from dlhub_common.ports.search_index import (
    KEYWORD_FIELDS,
    SORT_FIELD,
    TEXT_FIELDS,
    SearchIndex,
    SearchQuery,
    SearchResult,
)

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS docs (
        rid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        json TEXT NOT NULL,
        published_at TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS docs_published ON docs (published_at DESC, id)",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
        {", ".join(TEXT_FIELDS)},
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
    )""",
    """CREATE TABLE IF NOT EXISTS keywords (
        doc_id TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (field, value, doc_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS keywords_doc ON keywords (doc_id)",
]


def _create_schema(conn: sqlite3.Connection) -> None:
    for statement in _SCHEMA:
        conn.execute(statement)


# SearchQuery.sort -> ORDER BY (NULL dates last, as OpenSearch's "missing": "_last")
_ORDERS = {
    "newest": "d.published_at IS NULL, d.published_at DESC, d.id ASC",
    "oldest": "d.published_at IS NULL, d.published_at ASC, d.id ASC",
    "title": "json_extract(d.json, '$.title') IS NULL, json_extract(d.json, '$.title') ASC,"
    " d.id ASC",
}


class SqliteSearchIndex(SearchIndex):
    """Search index in ``config.path`` (default ``<data_dir>/search.sqlite3``)."""

    def __init__(self, config: SqliteSearchConfig, data_dir: Path) -> None:
        self._runner = SqliteRunner(
            config.path or data_dir / "search.sqlite3", "sqlite search", _create_schema
        )

    async def start(self) -> None:
        await self._runner.start()

    async def stop(self) -> None:
        await self._runner.stop()

    async def ping(self) -> None:
        await self._runner.run(lambda conn: conn.execute("SELECT 1").fetchone())

    async def upsert(self, doc_id: str, doc: Mapping[str, Any]) -> None:
        try:
            text = json.dumps(dict(doc), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(f"document is not JSON-serialisable: {exc}") from exc
        published = doc.get(SORT_FIELD)
        published_at = None if published is None else str(published)
        texts = [rules.text_value(doc.get(f)) for f in TEXT_FIELDS]
        keywords = [
            (doc_id, f, v) for f in KEYWORD_FIELDS for v in rules.keyword_values(doc.get(f))
        ]
        columns = ", ".join(TEXT_FIELDS)
        placeholders = ", ".join("?" for _ in TEXT_FIELDS)

        def run(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _delete(conn, doc_id)
                rid = conn.execute(
                    "INSERT INTO docs (id, json, published_at) VALUES (?, ?, ?)",
                    (doc_id, text, published_at),
                ).lastrowid
                conn.execute(
                    f"INSERT INTO fts (rowid, {columns}) VALUES (?, {placeholders})", (rid, *texts)
                )
                conn.executemany(
                    "INSERT OR IGNORE INTO keywords (doc_id, field, value) VALUES (?, ?, ?)",
                    keywords,
                )

        await self._runner.run(run)

    async def delete(self, doc_id: str) -> None:
        def run(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _delete(conn, doc_id)

        await self._runner.run(run)

    async def search(self, query: SearchQuery) -> SearchResult:
        rules.check_query(query)
        match = _match_expression(query.text)

        # The matching documents, as FROM ... WHERE ... with its parameters.
        where: list[str] = []
        params: list[Any] = []
        if match is None:
            source = "docs AS d"
            score = "0.0"
            order = "d.published_at DESC, d.id ASC"
        else:
            source = "fts JOIN docs AS d ON d.rid = fts.rowid"
            where.append("fts MATCH ?")
            params.append(match)
            score = f"bm25(fts, {', '.join(str(rules.WEIGHTS[f]) for f in TEXT_FIELDS)})"
            order = "score ASC, d.id ASC"
        order = _ORDERS.get(query.sort, order)
        for field, values in query.filters.items():
            accepted = rules.accepted_values(values)
            if not accepted:
                continue  # an empty list of accepted values does not constrain
            where.append(
                "d.id IN (SELECT doc_id FROM keywords WHERE field = ? AND value IN "
                f"({', '.join('?' for _ in accepted)}))"
            )
            params += [field, *accepted]
        for field, values in query.exclude.items():
            refused = rules.accepted_values(values)
            if not refused:
                continue
            where.append(
                "d.id NOT IN (SELECT doc_id FROM keywords WHERE field = ? AND value IN "
                f"({', '.join('?' for _ in refused)}))"
            )
            params += [field, *refused]
        matches = f"FROM {source} WHERE {' AND '.join(where) or '1'}"
        hits_sql = f"SELECT d.json, {score} AS score {matches} ORDER BY {order} LIMIT ? OFFSET ?"
        # Facets in the order of _search_rules.facet_order, done in SQL.
        facet_sql = (
            "SELECT value, COUNT(*) AS n FROM keywords WHERE field = ? "
            f"AND doc_id IN (SELECT d.id {matches}) GROUP BY value ORDER BY n DESC, value ASC"
        )

        def run(conn: sqlite3.Connection) -> SearchResult:
            with transaction(conn, write=False):
                total = conn.execute(f"SELECT COUNT(*) {matches}", params).fetchone()[0]
                rows = conn.execute(hits_sql, [*params, query.limit, query.offset]).fetchall()
                facets = {
                    name: [(v, int(n)) for v, n in conn.execute(facet_sql, [name, *params])]
                    for name in query.facets
                }
            return SearchResult(
                total=int(total), hits=[json.loads(text) for text, _ in rows], facets=facets
            )

        return await self._runner.run(run)


def _delete(conn: sqlite3.Connection, doc_id: str) -> None:
    row = conn.execute("SELECT rid FROM docs WHERE id = ?", (doc_id,)).fetchone()
    if row is None:
        return
    conn.execute("DELETE FROM fts WHERE rowid = ?", (row[0],))
    conn.execute("DELETE FROM docs WHERE rid = ?", (row[0],))
    conn.execute("DELETE FROM keywords WHERE doc_id = ?", (doc_id,))


def _match_expression(text: str) -> str | None:
    """An FTS5 query for free text: quoted terms AND-ed, prefix on the last.

    Returns None when the text holds no word at all (it then matches everything).
    """
    terms = rules.words(text)
    if not terms:
        return None
    quoted = [f'"{t}"' for t in terms]  # tokens hold no quotes: nothing to escape
    quoted[-1] += "*"
    return " AND ".join(quoted)
