"""What every DocumentStore adapter checks, with the same messages.

The SQLite and MongoDB adapters accept exactly the same names, documents,
filters and pages; each then turns what passed into its own query form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from dlhub_common.errors import AlreadyExists, InvalidArgument
from dlhub_common.ports.documents import Document

_COLLECTION = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


def check_collection(collection: str) -> None:
    if not isinstance(collection, str) or not _COLLECTION.fullmatch(collection):
        raise InvalidArgument(
            f"collection name {collection!r} must be letters, digits and '_' (at most 63), "
            "not starting with a digit"
        )


def field_segments(field: str) -> list[str]:
    """The dot-separated parts of a field name (filters, sorts, indexes)."""
    segments = field.split(".") if isinstance(field, str) else []
    if not segments or not all(_SEGMENT.fullmatch(s) for s in segments):
        raise InvalidArgument(
            f"field name {field!r} must be dot-separated parts of letters, digits, '_' or '-'"
        )
    return segments


def check_index_fields(fields: Iterable[str]) -> None:
    if isinstance(fields, str) or not fields:
        raise InvalidArgument("ensure_index needs a non-empty list of field names")


def check_direction(direction: int) -> None:
    if isinstance(direction, bool) or direction not in (1, -1):
        raise InvalidArgument(f"sort direction must be 1 or -1, not {direction!r}")


def check_page(offset: int, limit: int | None) -> None:
    if offset < 0 or (limit is not None and limit < 0):
        raise InvalidArgument("offset and limit must not be negative")


def check_update_fields(fields: Iterable[Any]) -> None:
    """Update keys are literal top-level names: no dot, no leading ``$``."""
    for key in fields:
        if not isinstance(key, str) or "." in key or key.startswith("$"):
            raise InvalidArgument(f"update field {key!r} must be a plain top-level name")


def check_accumulate(
    fixed: Mapping[str, Any], add: Mapping[str, Any], maximum: Mapping[str, Any]
) -> None:
    """Names and values of DocumentStore.accumulate, the same for every adapter."""
    if not (add or maximum):
        raise InvalidArgument("accumulate needs at least one field to add to or to raise")
    check_update_fields(fixed)
    document_json(dict(fixed))
    seen: set[str] = set(fixed)
    for key in [*add, *maximum]:
        field_segments(key)
        if key in seen or any(
            key.startswith(f"{other}.") or other.startswith(f"{key}.") for other in seen
        ):
            raise InvalidArgument(f"accumulate names the field {key!r} more than once")
        seen.add(key)
    for key, value in [*add.items(), *maximum.items()]:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise InvalidArgument(f"accumulate needs a number for {key!r}, not {value!r}")


def accumulated(
    doc: Document, add: Mapping[str, int | float], maximum: Mapping[str, int | float]
) -> Document:
    """``doc`` with ``add`` and ``maximum`` applied (adapters without server-side operators)."""
    for key, value in [
        *((k, (v, False)) for k, v in add.items()),
        *((k, (v, True)) for k, v in maximum.items()),
    ]:
        number, is_max = value
        *parents, last = field_segments(key)
        node: Any = doc
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise InvalidArgument(f"accumulate: {part!r} of {key!r} is not an object")
        old = node.get(last)
        if old is None:
            node[last] = number
            continue
        if isinstance(old, bool) or not isinstance(old, int | float):
            raise InvalidArgument(f"accumulate: the stored {key!r} is not a number")
        node[last] = max(old, number) if is_max else old + number
    return doc


def document_json(doc: Document) -> str:
    """A document as compact JSON text; it must be an object without ``_id``."""
    if not isinstance(doc, dict):
        raise InvalidArgument("a document must be a JSON object")
    if "_id" in doc:
        raise InvalidArgument("documents must not contain the key '_id'; pass the id separately")
    return _json(doc, "document")


def filter_value_json(value: Any) -> str:
    return _json(value, "filter value")


def _json(value: Any, what: str) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"{what} is not JSON-serialisable: {exc}") from exc


def is_in_filter(field: str, value: Any) -> bool:
    """Whether a filter value is an operator; ``{"$in": [...]}`` is the only one allowed."""
    if not (isinstance(value, Mapping) and any(str(k).startswith("$") for k in value)):
        return False
    if set(value) != {"$in"} or not isinstance(value["$in"], list | tuple):
        raise InvalidArgument(
            f"filter on {field!r}: only equality and {{'$in': [...]}} are supported"
        )
    return True


def unique_index_conflict(collection: str, fields: list[str]) -> AlreadyExists:
    """A unique index cannot be created: documents already share its values."""
    return AlreadyExists(
        f"cannot create a unique index on {fields} in {collection!r}: "
        "existing documents share values",
        details={"collection": collection, "fields": fields},
    )


def duplicate(collection: str, doc_id: str, *, id_taken: bool) -> AlreadyExists:
    """A write hit the id (``id_taken``) or a unique index."""
    details = {"collection": collection, "id": doc_id}
    if id_taken:
        return AlreadyExists(
            f"document {doc_id!r} already exists in {collection!r}", details=details
        )
    return AlreadyExists(
        f"document {doc_id!r} in {collection!r} violates a unique index", details=details
    )
