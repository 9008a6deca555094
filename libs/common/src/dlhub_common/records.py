"""The stored servable record and its protobuf / search-index views.

A record is what the registry keeps per servable version::

    {"owner", "name", "version", "metadata": <full document>,
     "artifacts": [{"path", "key", "size", "sha256"}], "published_at", "digest",
     "servable_type", "title", "description", "authors", "domains", "visible_to",
     "identifier", "model_path", "state", "state_reason", "state_changed_at",
     "doi", "doi_error", "co_owners"}

``state`` is the version's lifecycle state (:data:`STATES`); records written
before states existed have none and read as ``"active"``. ``doi`` is the
DataCite DOI when one was minted (also in ``metadata.datacite.identifier``);
``doi_error`` says why minting failed (the version is published regardless).
``visible_to`` is the access rule in force (``SetAccess`` may change it after
publish; ``metadata`` keeps the document as published, which the digest and
the bundle's ``dlhub.json`` cover); ``co_owners`` lists who manages the
servable besides its owner, the same on every version (none when missing).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dlhub_common._proto.dlhub.v1 import types_pb2

SERVABLES = "servables"

# Lifecycle states of a servable version. Deprecated versions still run (with
# a warning) but are hidden from default search; withdrawn versions no longer
# run, are hidden from search and from latest resolution, and stay describable.
ACTIVE, DEPRECATED, WITHDRAWN = "active", "deprecated", "withdrawn"
STATES = (ACTIVE, DEPRECATED, WITHDRAWN)


def state_of(record: dict[str, Any]) -> str:
    """The lifecycle state of a record (``active`` when it has none)."""
    return str(record.get("state") or ACTIVE)


def latest_of(records: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """What ``owner/name`` alone resolves to among ``records`` of one servable:
    the newest version that is not withdrawn, else (every version withdrawn)
    the newest version, so the name still describes as a tombstone."""
    if not records:
        return None
    by_version = sorted(records, key=lambda r: int(r["version"]))
    alive = [r for r in by_version if state_of(r) != WITHDRAWN]
    return (alive or by_version)[-1]


def record_id(owner: str, name: str, version: int) -> str:
    """Document id; the zero-padded version keeps ids sortable."""
    return f"{owner}/{name}/{version:010d}"


def summary_fields(metadata: dict[str, Any]) -> dict[str, Any]:
    """Flat, searchable fields read out of a metadata document."""
    datacite = metadata.get("datacite", {})
    dlhub = metadata.get("dlhub", {})
    titles = datacite.get("titles") or [{}]
    descriptions = datacite.get("descriptions") or [{}]
    return {
        "title": titles[0].get("title", ""),
        "description": descriptions[0].get("description", ""),
        "authors": [c.get("name", "") for c in datacite.get("creators", [])],
        "domains": list(dlhub.get("domains", [])),
        "visible_to": list(dlhub.get("visible_to", ["public"])),
        "servable_type": metadata.get("servable", {}).get("type", ""),
    }


def summary_pb(record: dict[str, Any], *, latest: bool = False) -> types_pb2.ServableSummary:
    return types_pb2.ServableSummary(
        owner=record["owner"],
        name=record["name"],
        version=int(record["version"]),
        title=record.get("title", ""),
        description=record.get("description", ""),
        authors=record.get("authors", []),
        domains=record.get("domains", []),
        servable_type=record.get("servable_type", ""),
        identifier=record.get("identifier", ""),
        digest=record.get("digest", ""),
        publication_date=record.get("published_at", ""),
        visible_to=record.get("visible_to", []),
        latest=latest or bool(record.get("latest", False)),
        state=state_of(record),
        state_reason=record.get("state_reason", ""),
        state_changed_at=record.get("state_changed_at", ""),
        doi=record.get("doi", ""),
        co_owners=record.get("co_owners", []),
    )


def servable_pb(record: dict[str, Any], *, latest: bool = False) -> types_pb2.Servable:
    return types_pb2.Servable(
        summary=summary_pb(record, latest=latest),
        metadata_json=json.dumps(record["metadata"], sort_keys=True),
    )


def summary_from_pb(summary: types_pb2.ServableSummary) -> dict[str, Any]:
    """A ServableSummary as a plain dict (for JSON and the search index)."""
    return {
        "owner": summary.owner,
        "name": summary.name,
        "version": summary.version,
        "title": summary.title,
        "description": summary.description,
        "authors": list(summary.authors),
        "domains": list(summary.domains),
        "servable_type": summary.servable_type,
        "identifier": summary.identifier,
        "digest": summary.digest,
        "publication_date": summary.publication_date,
        "visible_to": list(summary.visible_to),
        "latest": summary.latest,
        "state": summary.state or ACTIVE,
        "state_reason": summary.state_reason,
        "state_changed_at": summary.state_changed_at,
        "doi": summary.doi,
        "co_owners": list(summary.co_owners),
    }
