"""DocumentStore: JSON documents in named collections."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

Document = dict[str, Any]
# Equality filter: {"owner": "alice"}; membership: {"state": {"$in": ["A", "B"]}}.
# Dotted names reach into nested objects ("dlhub.name"). Fields are AND-ed.
Filter = Mapping[str, Any]
# (field, 1) ascending or (field, -1) descending.
Sort = Sequence[tuple[str, int]]


class DocumentStore(ABC):
    """Stores JSON-serialisable documents by (collection, id).

    Only plain CRUD, equality/``$in`` filters, unique indexes and sorted pages
    are part of the port, so every adapter (SQLite, MongoDB, FerretDB) can
    honour it exactly. Documents are returned as fresh dicts without any
    adapter-specific keys (no ``_id``).
    """

    async def start(self) -> None:
        """Open connections and create what the store needs. Idempotent."""

    async def stop(self) -> None:
        """Close connections. Idempotent."""

    @abstractmethod
    async def ping(self) -> None:
        """Check the backend answers.

        Raises:
            dlhub_common.errors.Unavailable: when it does not.
        """

    @abstractmethod
    async def ensure_index(
        self, collection: str, fields: Sequence[str], *, unique: bool = False
    ) -> None:
        """Create an index over ``fields`` if it does not exist.

        Args:
            collection: collection name.
            fields: top-level or dotted field names, in index order.
            unique: reject a second document with the same values.
        """

    @abstractmethod
    async def insert(self, collection: str, doc_id: str, doc: Document) -> None:
        """Insert a new document.

        Args:
            collection: collection name.
            doc_id: the document id, unique within the collection.
            doc: the document; must not contain the key ``_id``.

        Raises:
            dlhub_common.errors.AlreadyExists: the id, or a unique index, is taken.
        """

    @abstractmethod
    async def put(self, collection: str, doc_id: str, doc: Document) -> None:
        """Insert or fully replace the document with this id.

        Raises:
            dlhub_common.errors.AlreadyExists: a unique index is violated.
        """

    async def put_many(self, collection: str, docs: Mapping[str, Document]) -> None:
        """:meth:`put` every ``{id: document}``; adapters write them in one batch.

        Not atomic as a whole: after an error some documents may be written.

        Raises:
            dlhub_common.errors.AlreadyExists: a unique index is violated.
        """
        for doc_id, doc in docs.items():
            await self.put(collection, doc_id, doc)

    @abstractmethod
    async def get(self, collection: str, doc_id: str) -> Document | None:
        """Return the document, or None when there is none with this id."""

    @abstractmethod
    async def update(self, collection: str, doc_id: str, fields: Mapping[str, Any]) -> bool:
        """Set top-level ``fields`` on an existing document.

        Returns:
            True when the document existed and was updated, False otherwise.
        """

    @abstractmethod
    async def accumulate(
        self,
        collection: str,
        doc_id: str,
        *,
        fixed: Mapping[str, Any] | None = None,
        add: Mapping[str, int | float] | None = None,
        maximum: Mapping[str, int | float] | None = None,
    ) -> None:
        """Update counters in one atomic write, creating the document if missing.

        Concurrent calls in one process lose no update, nor do several
        processes on SQLite (one IMMEDIATE transaction) or MongoDB (one
        ``$setOnInsert``/``$inc``/``$max`` upsert). FerretDB 1.x does not apply
        such an update atomically, so keep each document to one writer
        process where FerretDB may be the store.

        Args:
            collection: collection name.
            doc_id: the document id.
            fixed: top-level fields written only when the document is created.
            add: numbers added to these fields (a missing field counts as 0).
            maximum: each field becomes the larger of its value and this one
                (a missing field takes this one).

        ``add`` and ``maximum`` names may be dotted (``"latency.b12"``): each
        part but the last is a nested object, created as needed. A name may
        appear in one argument only.

        Raises:
            dlhub_common.errors.InvalidArgument: a bad name, a value that is
                not a number, or a stored field that is not a number.
        """

    @abstractmethod
    async def delete(self, collection: str, doc_id: str) -> bool:
        """Delete a document. Returns True when one was deleted."""

    @abstractmethod
    async def find(
        self,
        collection: str,
        where: Filter | None = None,
        *,
        sort: Sort = (),
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Document]:
        """Return matching documents.

        Args:
            collection: collection name.
            where: equality / ``$in`` filter; None or {} matches all.
            sort: sort keys; ties (and no sort) are broken by id ascending.
            offset: skip this many matches.
            limit: return at most this many (None: all).
        """

    @abstractmethod
    async def count(self, collection: str, where: Filter | None = None) -> int:
        """Count matching documents."""
