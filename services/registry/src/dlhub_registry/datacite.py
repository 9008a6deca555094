"""Optional DOI minting through the DataCite REST API.

For one published version :class:`DataCiteClient` builds the DataCite
JSON:API document from the version's ``datacite`` metadata block and

1. creates a draft DOI: ``POST /dois`` (no ``event``);
2. when ``publish`` is set, makes it findable: ``PUT /dois/{doi}`` with
   ``"event": "publish"`` (a findable DOI is public and cannot be deleted).

A draft left behind by an earlier, interrupted attempt is updated and reused.
A DOI that is registered or findable already is never overwritten: it is
adopted as it is when it resolves to this version's landing URL (an earlier
attempt whose result was lost), refused otherwise.

Requests use HTTP basic auth with the repository id and password. The
password never appears in a log line or an error message: it travels only in
the ``Authorization`` header, and every message is scrubbed of it anyway.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from dlhub_common.errors import (
    AlreadyExists,
    DLHubError,
    FailedPrecondition,
    InternalError,
    InvalidArgument,
    Unavailable,
)
from dlhub_common.settings import DataCiteSettings

log = logging.getLogger("dlhub.registry.datacite")

JSON_API = "application/vnd.api+json"
SCHEMA_VERSION = "http://datacite.org/schema/kernel-4"
# DataCite's error title when POST /dois names a DOI that exists already.
_TAKEN = "already been taken"


def doi_for(prefix: str, owner: str, name: str, version: int) -> str:
    """The DOI of one version: ``<prefix>/dlhub.<owner>.<name>.v<version>``, lower case."""
    return f"{prefix}/dlhub.{owner}.{name}.v{version}".lower()


def _affiliations(creator: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for a in creator.get("affiliation", []):
        out.append({"name": a} if isinstance(a, str) else dict(a))
    return out


def _creator(creator: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": creator["name"]}
    for key in ("nameType", "givenName", "familyName"):
        if creator.get(key):
            out[key] = creator[key]
    affiliation = _affiliations(creator)
    if affiliation:
        out["affiliation"] = affiliation
    ids = [dict(i) for i in creator.get("nameIdentifiers", [])]
    for ident in ids:
        if ident.get("nameIdentifierScheme") == "ORCID":
            ident.setdefault("schemeUri", "https://orcid.org")
    if ids:
        out["nameIdentifiers"] = ids
    return out


def _year(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise InvalidArgument(
            f"datacite.publicationYear {value!r} is not a year: DataCite needs e.g. 2025"
        ) from None


def datacite_attributes(
    metadata: dict[str, Any], *, doi: str, prefix: str, url: str
) -> dict[str, Any]:
    """DataCite ``data.attributes`` for one version's stored metadata document.

    The ``datacite`` block is DataCite 4.x JSON already (camelCase); this maps
    the few places where the REST API differs: ``resourceType`` becomes
    ``types``, affiliations become objects, alternate identifiers use the
    REST field names, and the DLHub identifier is added as one of them.
    """
    block = metadata.get("datacite", {})
    dlhub = metadata.get("dlhub", {})
    resource = block.get("resourceType") or {}
    attributes: dict[str, Any] = {
        "doi": doi,
        "prefix": prefix,
        "url": url,
        "types": {
            "resourceTypeGeneral": resource.get("resourceTypeGeneral", "Software"),
            "resourceType": resource.get("resourceType", "Model"),
        },
        "creators": [_creator(c) for c in block.get("creators", [])],
        "titles": [dict(t) for t in block.get("titles", [])],
        "publisher": block.get("publisher") or "DLHub",
        "publicationYear": _year(block.get("publicationYear")),
        "schemaVersion": SCHEMA_VERSION,
    }
    if dlhub.get("version") is not None:
        attributes["version"] = str(dlhub["version"])
    optional = {
        "descriptions": block.get("descriptions", []),
        "subjects": block.get("subjects", []),
        "relatedIdentifiers": block.get("relatedIdentifiers", []),
        "rightsList": block.get("rightsList", []),
        "fundingReferences": block.get("fundingReferences", []),
    }
    for key, value in optional.items():
        if value:
            attributes[key] = [dict(v) for v in value]
    alternates = [
        {
            "alternateIdentifier": a["identifier"],
            "alternateIdentifierType": a["identifierType"],
        }
        for a in block.get("alternateIdentifiers", [])
    ]
    if dlhub.get("identifier"):
        alternates.append(
            {"alternateIdentifier": dlhub["identifier"], "alternateIdentifierType": "DLHub"}
        )
    if alternates:
        attributes["alternateIdentifiers"] = alternates
    if dlhub.get("domains") and not attributes.get("subjects"):
        attributes["subjects"] = [{"subject": d} for d in dlhub["domains"]]
    return attributes


class DataCiteClient:
    """Mints DOIs for published versions with one DataCite repository account."""

    def __init__(
        self, settings: DataCiteSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self._transport = transport

    # ------------------------------------------------------------ naming

    def doi(self, owner: str, name: str, version: int) -> str:
        return doi_for(self.settings.prefix, owner, name, version)

    def landing_url(self, owner: str, name: str, version: int) -> str:
        return self.settings.landing_url.format(owner=owner, name=name, version=version)

    def attributes(self, record: dict[str, Any]) -> dict[str, Any]:
        """``data.attributes`` for a stored version record (no ``event``)."""
        owner, name, version = record["owner"], record["name"], int(record["version"])
        return datacite_attributes(
            record["metadata"],
            doi=self.doi(owner, name, version),
            prefix=self.settings.prefix.lower(),
            url=self.landing_url(owner, name, version),
        )

    # ------------------------------------------------------------ minting

    async def mint(self, record: dict[str, Any]) -> str:
        """Register the DOI of one published version; returns the DOI.

        Draft first, then findable when ``publish`` is set.

        Raises:
            Unavailable: DataCite could not be reached, timed out or failed (5xx).
            FailedPrecondition: DataCite rejected the repository credentials.
            InvalidArgument: DataCite rejected the metadata (422), with its reasons.
            AlreadyExists: the DOI is registered already (never overwritten).
        """
        attributes = self.attributes(record)
        doi = attributes["doi"]
        async with self._client() as client:
            response = await self._send(client, "POST", "/dois", attributes, doi, "create draft")
            is_draft = True
            if response.status_code == 422 and _TAKEN in _error_text(response):
                is_draft = await self._reuse_draft(client, doi, attributes)
            else:
                self._check(response, doi, "create draft")
            if self.settings.publish and is_draft:
                published = {**attributes, "event": "publish"}
                response = await self._send(
                    client, "PUT", f"/dois/{doi}", published, doi, "make findable"
                )
                self._check(response, doi, "make findable")
        log.info(
            "DOI %s %s for %s/%s:%s",
            doi,
            ("findable" if self.settings.publish else "draft") if is_draft else "adopted",
            record["owner"],
            record["name"],
            record["version"],
        )
        return str(doi)

    async def _reuse_draft(
        self, client: httpx.AsyncClient, doi: str, attributes: dict[str, Any]
    ) -> bool:
        """The DOI exists: update it when it is a draft (True), adopt it unchanged
        when it is registered and resolves to this version (False), else refuse."""
        try:
            response = await client.get(f"/dois/{doi}")
        except httpx.HTTPError as exc:
            raise self._unreachable(exc, doi, "look up the existing DOI") from None
        self._check(response, doi, "look up the existing DOI")
        existing = _json(response).get("data", {}).get("attributes", {})
        state = existing.get("state", "")
        if state == "draft":
            response = await self._send(
                client, "PUT", f"/dois/{doi}", attributes, doi, "update draft"
            )
            self._check(response, doi, "update draft")
            return True
        if existing.get("url") == attributes["url"]:
            # Registered by an earlier attempt whose result was lost: adopt it
            # as it is (its metadata is not rewritten).
            log.info("DOI %s exists already (%s) and resolves here; adopting it", doi, state)
            return False
        raise AlreadyExists(
            self.scrub(
                f"DOI {doi} is already registered at DataCite (state {state or 'unknown'},"
                f" URL {existing.get('url') or 'unknown'}); DLHub does not overwrite it"
            )
        )

    def _client(self) -> httpx.AsyncClient:
        s = self.settings
        return httpx.AsyncClient(
            base_url=s.api_url.rstrip("/"),
            auth=httpx.BasicAuth(s.repository_id, s.password.get_secret_value()),
            headers={"Accept": JSON_API},
            timeout=s.timeout_s,
            transport=self._transport,
            follow_redirects=False,
        )

    async def _send(
        self,
        client: httpx.AsyncClient,
        method: str,
        path: str,
        attributes: dict[str, Any],
        doi: str,
        step: str,
    ) -> httpx.Response:
        body = {"data": {"id": doi, "type": "dois", "attributes": attributes}}
        if method == "POST":
            del body["data"]["id"]
        try:
            return await client.request(method, path, json=body, headers={"Content-Type": JSON_API})
        except httpx.HTTPError as exc:
            raise self._unreachable(exc, doi, step) from None

    def _unreachable(self, exc: httpx.HTTPError, doi: str, step: str) -> DLHubError:
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        return Unavailable(
            self.scrub(
                f"DataCite request to {step} for DOI {doi} {kind} ({type(exc).__name__}:"
                f" {exc or 'no detail'}) at {self.settings.api_url}"
            )
        )

    def _check(self, response: httpx.Response, doi: str, step: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        where = f"DataCite refused to {step} for DOI {doi} (HTTP {status})"
        reasons = _error_text(response)
        detail = f": {reasons}" if reasons else ""
        cls: type[DLHubError]
        if status in (401, 403):
            cls, hint = (
                FailedPrecondition,
                ": check DLHUB_DATACITE__REPOSITORY_ID and DLHUB_DATACITE__PASSWORD"
                f" and that the repository may use prefix {self.settings.prefix}",
            )
        elif status == 422:
            cls, hint = InvalidArgument, ": the metadata was rejected"
        elif status == 404:
            cls, hint = (
                FailedPrecondition,
                f": not found, check DLHUB_DATACITE__API_URL ({self.settings.api_url})",
            )
        elif status == 429 or status >= 500:
            cls, hint = Unavailable, "; retry later"
        else:
            cls, hint = InternalError, ""
        raise cls(self.scrub(f"{where}{hint}{detail}"))

    def scrub(self, text: str) -> str:
        secret = self.settings.password.get_secret_value()
        return text.replace(secret, "***") if secret else text


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error_text(response: httpx.Response, limit: int = 500) -> str:
    """DataCite's JSON:API ``errors`` as one line (``source: title``), else the body."""
    errors = _json(response).get("errors")
    if isinstance(errors, list) and errors:
        parts = []
        for e in errors:
            if not isinstance(e, dict):
                continue
            title = str(e.get("title") or e.get("detail") or "")
            source = e.get("source")
            parts.append(f"{source}: {title}" if source else title)
        text = "; ".join(p for p in parts if p)
    else:
        text = response.text.strip().replace("\n", " ")
    return text[:limit]
