"""DocumentStore on MongoDB, or on a MongoDB-wire server such as FerretDB.

Uses PyMongo's native asyncio API (``AsyncMongoClient``); Motor is not used.
A collection of the port is a MongoDB collection of the same name in
``config.database``; the document id is stored as ``_id`` and removed again from
every document returned.

Only what both MongoDB and FerretDB 1.x (SQLite backend) support is used: plain
single-document CRUD (``insert_one``, ``replace_one`` with upsert, ``update_one``
with ``$set``, ``delete_one``), ``find`` with sort/skip/limit, ``count_documents``
(a ``$match`` + ``$group``/``$sum`` pipeline) and ascending (compound, dotted)
unique and plain indexes. FerretDB has **no transactions, sessions, change
streams, ``$lookup`` or ``$facet``** (nor text/TTL/partial/sparse indexes or
collation), so none of them is used; every operation is a single atomic
document write or a single query.

Filters are the port's equality / ``$in`` filters, passed to the server as they
are: MongoDB's own semantics are what the SQLite adapter imitates, and FerretDB
was checked to agree on every point the contract tests: values match by BSON
type (``"1"`` is not ``1``, ``True`` is not ``1``, ``1.0`` is ``1``); ``None``
matches null and missing fields; an array matches a value it contains as well
as an equal array; embedded documents compare whole and in key order.

Differences from the SQLite adapter and between servers, and how they are handled:

* Keys containing ``.`` or starting with ``$`` are refused by FerretDB (and are
  awkward in MongoDB), yet documents such as user metadata may hold them (JSON
  Schema's ``$ref``). Every key is therefore stored escaped: ``%``, ``.``, ``$``
  and NUL become ``%25``, ``%2E``, ``%24`` and ``%00``, and are unescaped on the
  way out. Field names in filters, sorts and indexes may only contain letters,
  digits, ``_`` and ``-``, which never need escaping, so queries are unaffected;
  only tools reading the collections directly see the escaped keys.
* FerretDB's duplicate-key errors name no index, so whether an insert hit the
  id or a unique index is decided by looking the id up; and FerretDB reports a
  unique-index violation by an update or replace (and by creating a unique
  index over duplicate data) as an ``InternalError`` carrying SQLite's
  ``UNIQUE constraint failed`` text rather than as E11000. Both become
  AlreadyExists.
* Documents go through a JSON round trip first, so exactly what the SQLite
  adapter stores is stored (tuples become lists; NaN, non-string keys that JSON
  cannot write and other types are InvalidArgument). Integers outside BSON's
  64-bit range are refused here (SQLite would keep them).
* The field ``_id`` is reserved for the id: documents may not contain it, and
  filters, sorts and indexes may not name it (InvalidArgument).
* A unique index lets several documents miss its fields on FerretDB (as on
  SQLite), while MongoDB treats a missing field as null, so there at most one
  document may miss them. Partial indexes, which would align MongoDB, do not
  exist on FerretDB. DLHub's unique indexes cover fields always present.
* Dotted filters reach into arrays of objects on MongoDB/FerretDB but not on
  SQLite; sort order between values of different types, and of arrays, is
  MongoDB's (SQLite orders JSON text). DLHub does not rely on either.
* A plain and a unique index on the same fields cannot coexist in MongoDB: when
  a unique one is asked for over a plain one, the plain one is replaced; when a
  plain one is asked for over a unique one, the unique one stays (as on SQLite,
  where both would exist and uniqueness would still hold).
* ``limit=0`` means "no limit" to MongoDB; it returns no documents here, as the
  port says.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import (
    ConnectionFailure,
    DuplicateKeyError,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)
from pymongo.uri_parser import parse_uri

from dlhub_common.adapters import _document_rules as rules
from dlhub_common.backends import MongoDocumentsConfig
from dlhub_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InternalError,
    InvalidArgument,
    Unavailable,
)
from dlhub_common.ports.documents import Document, DocumentStore, Filter, Sort

# FerretDB's rule for database names; MongoDB accepts all of these too.
_DATABASE = re.compile(r"[A-Za-z0-9_-]{1,63}")
_ESCAPE = re.compile(r"[%.$\x00]")
_UNESCAPE = re.compile(r"%(25|2E|24|00)")
_INT64 = (-(2**63), 2**63 - 1)
# MongoDB error codes for "an index with these keys exists with other options/name".
_INDEX_CONFLICT = {85, 86}

Raw = dict[str, Any]


class MongoDocumentStore(DocumentStore):
    """Documents in ``config.database`` on the server at ``config.url``."""

    def __init__(self, config: MongoDocumentsConfig, data_dir: Path) -> None:
        del data_dir  # nothing is kept on local disk
        if not _DATABASE.fullmatch(config.database):
            raise InvalidArgument(
                f"database name {config.database!r} must be 1 to 63 letters, digits, '_' or '-'"
            )
        self._url = config.url.get_secret_value()
        try:
            nodes = parse_uri(self._url)["nodelist"]
        except (PyMongoError, ValueError) as exc:
            # The message may quote the URL, credentials included: do not pass it on.
            raise InvalidArgument(
                f"documents.url is not a valid mongodb:// URL ({type(exc).__name__})"
            ) from None
        # host:port only, for messages; never the URL (it may hold credentials).
        self._where = ",".join(f"{host}:{port}" for host, port in nodes) or "?"
        self._database = config.database
        self._timeout_ms = config.server_selection_timeout_ms
        self._client: AsyncMongoClient[Raw] | None = None
        # accumulate: one at a time in this process (see accumulate)
        self._accumulating = asyncio.Lock()

    async def start(self) -> None:
        if self._client is not None:
            return
        # Connects lazily, in the background; ping() checks the server answers.
        self._client = AsyncMongoClient(
            self._url,
            serverSelectionTimeoutMS=self._timeout_ms,
            connectTimeoutMS=self._timeout_ms,
            document_class=dict,
            appname="dlhub",
        )

    async def stop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def ping(self) -> None:
        async with self._errors("ping"):
            await self._db().command("ping")

    async def ensure_index(
        self, collection: str, fields: Sequence[str], *, unique: bool = False
    ) -> None:
        coll = self._coll(collection)
        rules.check_index_fields(fields)
        keys = [(_field(f), 1) for f in fields]
        digest = hashlib.sha256(json.dumps(list(fields)).encode()).hexdigest()[:12]
        name = f"{'ux' if unique else 'ix'}_{digest}"
        details = {"collection": collection, "fields": list(fields)}
        async with self._errors("ensure_index", collection):
            try:
                await self._create_index(coll, keys, name, unique)
            except OperationFailure as exc:
                if exc.code not in _INDEX_CONFLICT:
                    raise
                existing = await self._index_on(coll, keys)
                if existing is None:
                    raise FailedPrecondition(
                        f"an index conflicting with {list(fields)} exists in {collection!r}",
                        details=details,
                    ) from None
                if existing.get("unique") or not unique:
                    return  # what exists already enforces at least what was asked
                # A plain index stands where a unique one is wanted: replace it.
                await coll.drop_index(existing["name"])
                await self._create_index(coll, keys, name, unique)

    async def _create_index(
        self, coll: AsyncCollection[Raw], keys: list[tuple[str, int]], name: str, unique: bool
    ) -> None:
        try:
            await coll.create_index(keys, name=name, unique=unique)
        except OperationFailure as exc:
            if _is_duplicate(exc):
                raise rules.unique_index_conflict(coll.name, [k for k, _ in keys]) from None
            raise

    @staticmethod
    async def _index_on(coll: AsyncCollection[Raw], keys: list[tuple[str, int]]) -> Raw | None:
        cursor = await coll.list_indexes()
        async for index in cursor:
            if list(dict(index["key"]).items()) == keys:
                return dict(index)
        return None

    async def insert(self, collection: str, doc_id: str, doc: Document) -> None:
        coll, raw = self._coll(collection), _to_raw(doc_id, doc)
        async with self._errors("insert", collection):
            try:
                await coll.insert_one(raw)
            except OperationFailure as exc:
                if not _is_duplicate(exc):
                    raise
                # FerretDB's E11000 does not say which index: look the id up.
                taken = await coll.find_one({"_id": doc_id}, projection={"_id": 1}) is not None
                raise rules.duplicate(collection, doc_id, id_taken=taken) from None

    async def put(self, collection: str, doc_id: str, doc: Document) -> None:
        coll, raw = self._coll(collection), _to_raw(doc_id, doc)
        del raw["_id"]
        async with self._errors("put", collection):
            try:
                await coll.replace_one({"_id": doc_id}, raw, upsert=True)
            except OperationFailure as exc:
                if not _is_duplicate(exc):
                    raise
                # On MongoDB two concurrent upserts of a new id may race on _id;
                # the second one, retried, replaces. Otherwise a unique index is hit.
                if _is_id_duplicate(exc):
                    try:
                        await coll.replace_one({"_id": doc_id}, raw, upsert=True)
                        return
                    except OperationFailure as again:
                        if not _is_duplicate(again):
                            raise
                raise rules.duplicate(collection, doc_id, id_taken=False) from None

    async def get(self, collection: str, doc_id: str) -> Document | None:
        coll = self._coll(collection)
        _check_id(doc_id)
        async with self._errors("get", collection):
            raw = await coll.find_one({"_id": doc_id})
        return None if raw is None else _from_raw(raw)

    async def update(self, collection: str, doc_id: str, fields: Mapping[str, Any]) -> bool:
        """Set top-level fields. Keys are literal names: a dot or a leading ``$``
        is rejected so that no adapter has to guess between nesting and literals."""
        coll = self._coll(collection)
        _check_id(doc_id)
        rules.check_update_fields(fields)
        values = _to_raw(doc_id, dict(fields))
        del values["_id"]
        async with self._errors("update", collection):
            try:
                if not values:
                    found = await coll.find_one({"_id": doc_id}, projection={"_id": 1})
                    return found is not None
                result = await coll.update_one({"_id": doc_id}, {"$set": values})
            except OperationFailure as exc:
                if not _is_duplicate(exc):
                    raise
                raise rules.duplicate(collection, doc_id, id_taken=False) from None
        return result.matched_count > 0

    async def accumulate(
        self,
        collection: str,
        doc_id: str,
        *,
        fixed: Mapping[str, Any] | None = None,
        add: Mapping[str, int | float] | None = None,
        maximum: Mapping[str, int | float] | None = None,
    ) -> None:
        """One ``update_one`` with upsert: ``$setOnInsert``, ``$inc``, ``$max``.

        MongoDB applies it atomically. FerretDB 1.x (SQLite backend) does not:
        50 concurrent ``$inc`` of one document were measured to keep 4. So this
        process sends one accumulate at a time (nothing it sends is lost), and
        callers on FerretDB keep each document to one writer process (the
        usage statistics write one document per task-manager replica).
        """
        coll = self._coll(collection)
        _check_id(doc_id)
        fixed, add, maximum = fixed or {}, add or {}, maximum or {}
        rules.check_accumulate(fixed, add, maximum)
        update: Raw = {}
        if fixed:
            update["$setOnInsert"] = _escape(json.loads(rules.document_json(dict(fixed))))
        if add:
            update["$inc"] = dict(add)
        if maximum:
            update["$max"] = dict(maximum)
        async with self._accumulating, self._errors("accumulate", collection):
            try:
                await coll.update_one({"_id": doc_id}, update, upsert=True)
            except OperationFailure as exc:
                if not _is_duplicate(exc):
                    raise _accumulate_error(exc) from None
                # two upserts of a new id raced; the document exists now
                await coll.update_one({"_id": doc_id}, update, upsert=True)

    async def delete(self, collection: str, doc_id: str) -> bool:
        coll = self._coll(collection)
        _check_id(doc_id)
        async with self._errors("delete", collection):
            result = await coll.delete_one({"_id": doc_id})
        return result.deleted_count > 0

    async def find(
        self,
        collection: str,
        where: Filter | None = None,
        *,
        sort: Sort = (),
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Document]:
        coll = self._coll(collection)
        rules.check_page(offset, limit)
        query = _filter(where)
        order = [(_field(f), _direction(d)) for f, d in sort]
        order.append(("_id", 1))
        if limit == 0:
            return []  # MongoDB reads limit 0 as "no limit"
        async with self._errors("find", collection):
            cursor = coll.find(query, sort=order, skip=offset, limit=limit or 0)
            raws = await cursor.to_list()
        return [_from_raw(raw) for raw in raws]

    async def count(self, collection: str, where: Filter | None = None) -> int:
        coll = self._coll(collection)
        query = _filter(where)
        async with self._errors("count", collection):
            return int(await coll.count_documents(query))

    def _db(self) -> AsyncDatabase[Raw]:
        if self._client is None:
            raise Unavailable("mongo documents is not started")
        return self._client[self._database]

    def _coll(self, collection: str) -> AsyncCollection[Raw]:
        rules.check_collection(collection)
        coll: AsyncCollection[Raw] = self._db()[collection]
        return coll

    @asynccontextmanager
    async def _errors(self, op: str, collection: str | None = None) -> AsyncIterator[None]:
        """Translate PyMongo errors; messages name host:port, never the URL."""
        try:
            yield
        except (ConnectionFailure, ServerSelectionTimeoutError) as exc:
            raise Unavailable(
                f"MongoDB at {self._where} did not answer ({op}): {type(exc).__name__}",
                details={"backend": "mongo", "address": self._where},
            ) from None
        except OperationFailure as exc:
            if _is_duplicate(exc):
                raise AlreadyExists(
                    f"{op} in {collection!r} violates a unique index",
                    details={"collection": collection},
                ) from None
            raise InternalError(
                f"MongoDB {op} failed (code {exc.code}): {_errmsg(exc)}",
                details={"backend": "mongo", "code": exc.code},
            ) from None
        except PyMongoError as exc:
            raise InternalError(
                f"MongoDB {op} failed: {type(exc).__name__}", details={"backend": "mongo"}
            ) from None


def _field(field: str) -> str:
    if rules.field_segments(field)[0] == "_id":
        raise InvalidArgument("the field name '_id' is reserved for the document id")
    return field


def _direction(direction: int) -> int:
    rules.check_direction(direction)
    return direction


def _check_id(doc_id: str) -> None:
    if not isinstance(doc_id, str):
        raise InvalidArgument(f"a document id must be a string, not {type(doc_id).__name__}")


def _to_raw(doc_id: str, doc: Document) -> Raw:
    """The stored form: a JSON round trip (the SQLite adapter's rules), keys escaped."""
    _check_id(doc_id)
    plain = json.loads(rules.document_json(doc))
    raw: Raw = {"_id": doc_id}
    raw.update(_escape(plain))
    return raw


def _from_raw(raw: Raw) -> Document:
    raw.pop("_id", None)
    doc: Document = _unescape(raw)
    return doc


def _escape(value: Any) -> Any:
    if isinstance(value, dict):
        return {_ESCAPE.sub(_escape_char, k): _escape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape(v) for v in value]
    if isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]:
        raise InvalidArgument(f"integer {value} does not fit in 64 bits")
    return value


def _escape_char(match: re.Match[str]) -> str:
    return f"%{ord(match[0]):02X}"


def _unescape(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            (_UNESCAPE.sub(_unescape_char, k) if "%" in k else k): _unescape(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_unescape(v) for v in value]
    return value


def _unescape_char(match: re.Match[str]) -> str:
    return chr(int(match[1], 16))


def _filter(where: Filter | None) -> Raw:
    """Check an equality / ``$in`` filter and put it in stored (escaped) form."""
    if not where:
        return {}
    query: Raw = {}
    for field, value in where.items():
        name = _field(field)
        if rules.is_in_filter(field, value):
            try:
                alternatives = list(value["$in"])
            except TypeError:
                raise InvalidArgument(f"filter on {field!r}: '$in' needs a list") from None
            query[name] = {"$in": [_filter_value(v) for v in alternatives]}
        else:
            query[name] = _filter_value(value)
    return query


def _filter_value(value: Any) -> Any:
    if value is not None and not isinstance(value, bool | int | float | str | list | tuple | dict):
        raise InvalidArgument(f"cannot filter on a value of type {type(value).__name__}")
    return _escape(json.loads(rules.filter_value_json(value)))


def _is_duplicate(exc: OperationFailure) -> bool:
    # MongoDB and FerretDB inserts: E11000. FerretDB updates/replaces/createIndexes
    # on the SQLite backend: InternalError with SQLite's constraint message.
    return (
        isinstance(exc, DuplicateKeyError)
        or exc.code == 11000
        or ("UNIQUE constraint failed" in _errmsg(exc))
    )


def _accumulate_error(exc: OperationFailure) -> Exception:
    # $inc/$max on a stored value that is not a number: MongoDB code 14 (TypeMismatch)
    if exc.code in (14, 2):
        return InvalidArgument(f"accumulate: a stored field is not a number ({_errmsg(exc)})")
    return exc


def _is_id_duplicate(exc: OperationFailure) -> bool:
    details = exc.details or {}
    pattern = details.get("keyPattern")
    return isinstance(pattern, Mapping) and list(pattern) == ["_id"]


def _errmsg(exc: OperationFailure) -> str:
    details = exc.details or {}
    message = details.get("errmsg")
    return str(message if isinstance(message, str) else exc)[:500]
