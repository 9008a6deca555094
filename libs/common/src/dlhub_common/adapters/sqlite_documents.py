"""DocumentStore on one SQLite file: a table per collection, documents as JSON text.

Filters follow MongoDB's equality semantics so that every adapter agrees:

* values match by JSON type and value (``"1"`` does not match ``1``, ``True``
  does not match ``1``); ``None`` matches null and missing fields;
* a stored array matches a value it contains, as well as an equal array;
* dotted names reach into nested objects (not through arrays of objects).

Indexes are SQLite expression indexes over ``json_extract``; unique ones make
SQLite reject duplicates, reported as AlreadyExists. Unlike MongoDB, a unique
index lets several documents miss the indexed field (SQLite NULLs are distinct).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dlhub_common.adapters import _document_rules as rules
from dlhub_common.adapters._sqlite import SqliteRunner, transaction
from dlhub_common.backends import SqliteDocumentsConfig
from dlhub_common.errors import AlreadyExists, InvalidArgument
from dlhub_common.ports.documents import Document, DocumentStore, Filter, Sort

_Sql = tuple[str, list[Any]]


class SqliteDocumentStore(DocumentStore):
    """Documents in ``config.path`` (default ``<data_dir>/documents.sqlite3``)."""

    def __init__(self, config: SqliteDocumentsConfig, data_dir: Path) -> None:
        self._runner = SqliteRunner(
            config.path or data_dir / "documents.sqlite3", "sqlite documents", lambda _: None
        )
        # Tables known to exist; touched only on the worker thread.
        self._tables: set[str] = set()

    async def start(self) -> None:
        await self._runner.start()

    async def stop(self) -> None:
        await self._runner.stop()
        self._tables.clear()

    async def ping(self) -> None:
        await self._runner.run(lambda conn: conn.execute("SELECT 1").fetchone())

    async def ensure_index(
        self, collection: str, fields: Sequence[str], *, unique: bool = False
    ) -> None:
        table = _table(collection)
        rules.check_index_fields(fields)
        columns = ", ".join(f"json_extract(doc, {_path_literal(f)})" for f in fields)
        digest = hashlib.sha256(json.dumps([list(fields), unique]).encode()).hexdigest()[:12]
        name = f"{'ux' if unique else 'ix'}_{collection}_{digest}"
        sql = (
            f'CREATE {"UNIQUE " if unique else ""}INDEX IF NOT EXISTS "{name}" '
            f'ON "{table}" ({columns})'
        )

        def run(conn: sqlite3.Connection) -> None:
            self._ensure_table(conn, table)
            try:
                conn.execute(sql)
            except sqlite3.IntegrityError as exc:
                raise rules.unique_index_conflict(collection, list(fields)) from exc

        await self._runner.run(run)

    async def insert(self, collection: str, doc_id: str, doc: Document) -> None:
        table, text = _table(collection), rules.document_json(doc)

        def run(conn: sqlite3.Connection) -> None:
            self._ensure_table(conn, table)
            try:
                conn.execute(f'INSERT INTO "{table}" (id, doc) VALUES (?, ?)', (doc_id, text))
            except sqlite3.IntegrityError as exc:
                raise _already_exists(collection, doc_id, exc) from exc

        await self._runner.run(run)

    async def put(self, collection: str, doc_id: str, doc: Document) -> None:
        await self.put_many(collection, {doc_id: doc})

    async def put_many(self, collection: str, docs: Mapping[str, Document]) -> None:
        table = _table(collection)
        rows = [(doc_id, rules.document_json(doc)) for doc_id, doc in docs.items()]
        sql = (
            f'INSERT INTO "{table}" (id, doc) VALUES (?, ?) '
            "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc"
        )

        def run(conn: sqlite3.Connection) -> None:
            self._ensure_table(conn, table)
            try:
                if len(rows) == 1:  # one statement is its own transaction
                    conn.execute(sql, rows[0])
                else:
                    with transaction(conn):
                        conn.executemany(sql, rows)
            except sqlite3.IntegrityError as exc:
                raise _already_exists(collection, rows[0][0], exc) from exc

        if rows:
            await self._runner.run(run)

    async def get(self, collection: str, doc_id: str) -> Document | None:
        table = _table(collection)

        def run(conn: sqlite3.Connection) -> Document | None:
            self._ensure_table(conn, table)
            row = conn.execute(f'SELECT doc FROM "{table}" WHERE id = ?', (doc_id,)).fetchone()
            return None if row is None else _load(row[0])

        return await self._runner.run(run)

    async def update(self, collection: str, doc_id: str, fields: Mapping[str, Any]) -> bool:
        """Set top-level fields. Keys are literal names: a dot or a leading ``$``
        is rejected so that no adapter has to guess between nesting and literals."""
        table = _table(collection)
        rules.check_update_fields(fields)
        rules.document_json(dict(fields))  # validates _id and JSON-serialisability up front

        def run(conn: sqlite3.Connection) -> bool:
            self._ensure_table(conn, table)
            with transaction(conn):
                row = conn.execute(f'SELECT doc FROM "{table}" WHERE id = ?', (doc_id,)).fetchone()
                if row is None:
                    return False
                doc = _load(row[0])
                doc.update(fields)
                text = rules.document_json(doc)
                try:
                    conn.execute(f'UPDATE "{table}" SET doc = ? WHERE id = ?', (text, doc_id))
                except sqlite3.IntegrityError as exc:
                    raise _already_exists(collection, doc_id, exc) from exc
            return True

        return await self._runner.run(run)

    async def accumulate(
        self,
        collection: str,
        doc_id: str,
        *,
        fixed: Mapping[str, Any] | None = None,
        add: Mapping[str, int | float] | None = None,
        maximum: Mapping[str, int | float] | None = None,
    ) -> None:
        """Read, apply and write in one IMMEDIATE transaction: other connections
        to the same file (other processes) wait for it, so nothing is lost."""
        table = _table(collection)
        fixed, add, maximum = fixed or {}, add or {}, maximum or {}
        rules.check_accumulate(fixed, add, maximum)
        sql = (
            f'INSERT INTO "{table}" (id, doc) VALUES (?, ?) '
            "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc"
        )

        def run(conn: sqlite3.Connection) -> None:
            self._ensure_table(conn, table)
            with transaction(conn):
                row = conn.execute(f'SELECT doc FROM "{table}" WHERE id = ?', (doc_id,)).fetchone()
                doc = dict(fixed) if row is None else _load(row[0])
                text = rules.document_json(rules.accumulated(doc, add, maximum))
                try:
                    conn.execute(sql, (doc_id, text))
                except sqlite3.IntegrityError as exc:
                    raise _already_exists(collection, doc_id, exc) from exc

        await self._runner.run(run)

    async def delete(self, collection: str, doc_id: str) -> bool:
        table = _table(collection)

        def run(conn: sqlite3.Connection) -> bool:
            self._ensure_table(conn, table)
            return conn.execute(f'DELETE FROM "{table}" WHERE id = ?', (doc_id,)).rowcount > 0

        return await self._runner.run(run)

    async def find(
        self,
        collection: str,
        where: Filter | None = None,
        *,
        sort: Sort = (),
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Document]:
        table = _table(collection)
        rules.check_page(offset, limit)
        cond, params = _where(where)
        order = [f"json_extract(doc, {_path_literal(f)}) {_direction(d)}" for f, d in sort]
        order.append("id ASC")
        sql = f'SELECT doc FROM "{table}" WHERE {cond} ORDER BY {", ".join(order)} LIMIT ? OFFSET ?'
        params += [-1 if limit is None else limit, offset]

        def run(conn: sqlite3.Connection) -> list[Document]:
            self._ensure_table(conn, table)
            return [_load(text) for (text,) in conn.execute(sql, params)]

        return await self._runner.run(run)

    async def count(self, collection: str, where: Filter | None = None) -> int:
        table = _table(collection)
        cond, params = _where(where)

        def run(conn: sqlite3.Connection) -> int:
            self._ensure_table(conn, table)
            row = conn.execute(f'SELECT COUNT(*) FROM "{table}" WHERE {cond}', params).fetchone()
            return int(row[0])

        return await self._runner.run(run)

    def _ensure_table(self, conn: sqlite3.Connection, table: str) -> None:
        if table not in self._tables:
            conn.execute(
                f'CREATE TABLE IF NOT EXISTS "{table}" '
                "(id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)"
            )
            self._tables.add(table)


def _table(collection: str) -> str:
    rules.check_collection(collection)
    return f"c_{collection}"


def _path_literal(field: str) -> str:
    """SQL string literal of the JSON path for a (dotted) field name."""
    return "'$." + ".".join(f'"{s}"' for s in rules.field_segments(field)) + "'"


def _direction(direction: int) -> str:
    rules.check_direction(direction)
    return "ASC" if direction == 1 else "DESC"


def _load(text: str) -> Document:
    doc: Document = json.loads(text)
    return doc


def _already_exists(collection: str, doc_id: str, exc: sqlite3.IntegrityError) -> AlreadyExists:
    return rules.duplicate(collection, doc_id, id_taken="index" not in str(exc))


def _where(where: Filter | None) -> _Sql:
    """Translate an equality / ``$in`` filter into a WHERE condition and its parameters."""
    if not where:
        return "1", []
    parts: list[str] = []
    params: list[Any] = []
    for field, value in where.items():
        path = _path_literal(field)
        if rules.is_in_filter(field, value):
            alternatives = [_field_equals(path, v) for v in value["$in"]]
            if not alternatives:
                parts.append("0")
                continue
            parts.append("(" + " OR ".join(sql for sql, _ in alternatives) + ")")
            for _, p in alternatives:
                params += p
        else:
            sql, p = _field_equals(path, value)
            parts.append(sql)
            params += p
    return " AND ".join(parts), params


def _field_equals(path: str, value: Any) -> _Sql:
    """The field equals ``value``, or is an array containing it (MongoDB semantics)."""
    top_sql, top_params = _value_equals(
        f"json_type(doc, {path})", f"json_extract(doc, {path})", value
    )
    elem_sql, elem_params = _value_equals("je.type", "je.value", value)
    sql = (
        f"({top_sql} OR (json_type(doc, {path}) = 'array' AND EXISTS "
        f"(SELECT 1 FROM json_each(doc, {path}) AS je WHERE {elem_sql})))"
    )
    return sql, top_params + elem_params


def _value_equals(json_type: str, sql_value: str, value: Any) -> _Sql:
    """Compare a JSON value, given as its json_type and SQL value, to a Python value."""
    if value is None:
        return f"({json_type} IS NULL OR {json_type} = 'null')", []
    if isinstance(value, bool):
        return f"{json_type} = '{'true' if value else 'false'}'", []
    if isinstance(value, int | float):
        return f"({json_type} IN ('integer', 'real') AND {sql_value} = ?)", [value]
    if isinstance(value, str):
        return f"({json_type} = 'text' AND {sql_value} = ?)", [value]
    if isinstance(value, list | tuple | dict):
        kind = "object" if isinstance(value, dict) else "array"
        json_value = rules.filter_value_json(value)
        return f"({json_type} = '{kind}' AND {sql_value} = json(?))", [json_value]
    raise InvalidArgument(f"cannot filter on a value of type {type(value).__name__}")
