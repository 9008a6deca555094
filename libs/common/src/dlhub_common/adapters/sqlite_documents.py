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
import re
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dlhub_common.adapters._sqlite import SqliteRunner, transaction
from dlhub_common.backends import SqliteDocumentsConfig
from dlhub_common.errors import AlreadyExists, InvalidArgument
from dlhub_common.ports.documents import Document, DocumentStore, Filter, Sort

_COLLECTION = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
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
        if isinstance(fields, str) or not fields:
            raise InvalidArgument("ensure_index needs a non-empty list of field names")
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
                raise AlreadyExists(
                    f"cannot create a unique index on {list(fields)} in {collection!r}: "
                    "existing documents share values",
                    details={"collection": collection, "fields": list(fields)},
                ) from exc

        await self._runner.run(run)

    async def insert(self, collection: str, doc_id: str, doc: Document) -> None:
        table, text = _table(collection), _dump(doc)

        def run(conn: sqlite3.Connection) -> None:
            self._ensure_table(conn, table)
            try:
                conn.execute(f'INSERT INTO "{table}" (id, doc) VALUES (?, ?)', (doc_id, text))
            except sqlite3.IntegrityError as exc:
                raise _already_exists(collection, doc_id, exc) from exc

        await self._runner.run(run)

    async def put(self, collection: str, doc_id: str, doc: Document) -> None:
        table, text = _table(collection), _dump(doc)
        sql = (
            f'INSERT INTO "{table}" (id, doc) VALUES (?, ?) '
            "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc"
        )

        def run(conn: sqlite3.Connection) -> None:
            self._ensure_table(conn, table)
            try:
                conn.execute(sql, (doc_id, text))
            except sqlite3.IntegrityError as exc:
                raise _already_exists(collection, doc_id, exc) from exc

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
        for key in fields:
            if not isinstance(key, str) or "." in key or key.startswith("$"):
                raise InvalidArgument(f"update field {key!r} must be a plain top-level name")
        _dump(dict(fields))  # validates _id and JSON-serialisability up front

        def run(conn: sqlite3.Connection) -> bool:
            self._ensure_table(conn, table)
            with transaction(conn):
                row = conn.execute(f'SELECT doc FROM "{table}" WHERE id = ?', (doc_id,)).fetchone()
                if row is None:
                    return False
                doc = _load(row[0])
                doc.update(fields)
                try:
                    conn.execute(f'UPDATE "{table}" SET doc = ? WHERE id = ?', (_dump(doc), doc_id))
                except sqlite3.IntegrityError as exc:
                    raise _already_exists(collection, doc_id, exc) from exc
            return True

        return await self._runner.run(run)

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
        if offset < 0 or (limit is not None and limit < 0):
            raise InvalidArgument("offset and limit must not be negative")
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
    if not isinstance(collection, str) or not _COLLECTION.fullmatch(collection):
        raise InvalidArgument(
            f"collection name {collection!r} must be letters, digits and '_' (at most 63), "
            "not starting with a digit"
        )
    return f"c_{collection}"


def _path_literal(field: str) -> str:
    """SQL string literal of the JSON path for a (dotted) field name."""
    segments = field.split(".") if isinstance(field, str) else []
    if not segments or not all(_SEGMENT.fullmatch(s) for s in segments):
        raise InvalidArgument(
            f"field name {field!r} must be dot-separated parts of letters, digits, '_' or '-'"
        )
    return "'$." + ".".join(f'"{s}"' for s in segments) + "'"


def _direction(direction: int) -> str:
    if isinstance(direction, bool) or direction not in (1, -1):
        raise InvalidArgument(f"sort direction must be 1 or -1, not {direction!r}")
    return "ASC" if direction == 1 else "DESC"


def _dump(doc: Document) -> str:
    if not isinstance(doc, dict):
        raise InvalidArgument("a document must be a JSON object")
    if "_id" in doc:
        raise InvalidArgument("documents must not contain the key '_id'; pass the id separately")
    try:
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"document is not JSON-serialisable: {exc}") from exc


def _load(text: str) -> Document:
    doc: Document = json.loads(text)
    return doc


def _already_exists(collection: str, doc_id: str, exc: sqlite3.IntegrityError) -> AlreadyExists:
    details = {"collection": collection, "id": doc_id}
    if "index" in str(exc):
        return AlreadyExists(
            f"document {doc_id!r} in {collection!r} violates a unique index", details=details
        )
    return AlreadyExists(f"document {doc_id!r} already exists in {collection!r}", details=details)


def _where(where: Filter | None) -> _Sql:
    """Translate an equality / ``$in`` filter into a WHERE condition and its parameters."""
    if not where:
        return "1", []
    parts: list[str] = []
    params: list[Any] = []
    for field, value in where.items():
        path = _path_literal(field)
        if isinstance(value, Mapping) and any(str(k).startswith("$") for k in value):
            if set(value) != {"$in"} or isinstance(value["$in"], str | bytes | Mapping):
                raise InvalidArgument(
                    f"filter on {field!r}: only equality and {{'$in': [...]}} are supported"
                )
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
        return f"({json_type} = '{kind}' AND {sql_value} = json(?))", [_dump_value(value)]
    raise InvalidArgument(f"cannot filter on a value of type {type(value).__name__}")


def _dump_value(value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"filter value is not JSON-serialisable: {exc}") from exc
