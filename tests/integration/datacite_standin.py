"""A local stand-in for the DataCite REST API (``/dois``), for tests.

It behaves like DataCite where DLHub relies on it and is stricter where that
catches mistakes:

* HTTP basic auth with the repository id and password, else 401;
* ``Content-Type: application/vnd.api+json`` on writes, else 415;
* a JSON:API document ``{"data": {"type": "dois", "attributes": {...}}}``
  whose attributes carry the DOI under the repository's prefix, ``prefix``,
  ``creators[].name``, ``titles[].title``, ``publisher``, ``publicationYear``,
  ``types.resourceTypeGeneral`` (DataCite's controlled list) and an http(s)
  ``url``, else 422 with JSON:API ``errors``;
* ``POST /dois`` creates a draft (422 "This DOI has already been taken" when it
  exists), ``PUT /dois/{doi}`` updates (and creates) one, its ``event``
  (``publish``, ``register``, ``hide``) moves the state, ``GET /dois/{doi}``
  reads it back.

Every request is recorded in ``calls``; every payload problem found is kept
in ``problems`` (tests assert it stays empty). ``fail`` makes the next
requests of a method answer with a given status.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.standins.serving import serving

JSON_API = "application/vnd.api+json"
RESOURCE_TYPES_GENERAL = {
    "Audiovisual", "Award", "Book", "BookChapter", "Collection", "ComputationalNotebook",
    "ConferencePaper", "ConferenceProceeding", "DataPaper", "Dataset", "Dissertation",
    "Event", "Image", "Instrument", "InteractiveResource", "Journal", "JournalArticle",
    "Model", "OutputManagementPlan", "PeerReview", "PhysicalObject", "Preprint",
    "Project", "Report", "Service", "Software", "Sound", "Standard", "StudyRegistration",
    "Text", "Workflow", "Other",
}  # fmt: skip
EVENTS = {"publish": "findable", "register": "registered", "hide": "registered"}


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None

    @property
    def attributes(self) -> dict[str, Any]:
        return dict(((self.body or {}).get("data") or {}).get("attributes") or {})


@dataclass
class FakeDataCite:
    repository_id: str
    password: str
    prefix: str
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    dois: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # method -> (status, JSON body) answered instead of the real thing
    fail: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)

    def writes(self) -> list[tuple[str, str]]:
        """(method, path) of every POST and PUT, in order."""
        return [(c.method, c.path) for c in self.calls if c.method in ("POST", "PUT")]

    # ------------------------------------------------------------ the app

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/dois", self._create, methods=["POST"]),
                Route("/dois/{doi:path}", self._update, methods=["PUT"]),
                Route("/dois/{doi:path}", self._read, methods=["GET"]),
            ]
        )

    async def _record(self, request: Request) -> tuple[Call, Response | None]:
        raw = await request.body()
        body: dict[str, Any] | None = None
        problem: Response | None = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                problem = _errors(400, "body", "The request body is not JSON")
        call = Call(request.method, request.url.path, dict(request.headers), body)
        self.calls.append(call)
        expected = "Basic " + base64.b64encode(
            f"{self.repository_id}:{self.password}".encode()
        ).decode("ascii")
        if request.headers.get("authorization") != expected:
            return call, _errors(401, None, "Bad credentials.")
        if request.method in ("POST", "PUT"):
            ctype = request.headers.get("content-type", "").split(";")[0].strip()
            if ctype != JSON_API:
                self.problems.append(f"{request.method} content-type {ctype!r}")
                return call, _errors(415, None, f"Content-Type {ctype!r} is not {JSON_API}")
        if request.method in self.fail:
            status, payload = self.fail[request.method]
            return call, JSONResponse(payload, status_code=status, media_type=JSON_API)
        return call, problem

    def _check(self, call: Call, doi: str | None) -> list[tuple[str, str]]:
        """Problems in a write's JSON:API document, as (source, title)."""
        out: list[tuple[str, str]] = []
        data = (call.body or {}).get("data")
        if not isinstance(data, dict) or data.get("type") != "dois":
            return [("data.type", "must be 'dois'")]
        a = call.attributes
        given = a.get("doi") or doi
        if not given or not str(given).startswith(f"{self.prefix}/"):
            out.append(("doi", f"must be under prefix {self.prefix}"))
        if call.method == "POST" and a.get("prefix") != self.prefix:
            out.append(("prefix", f"must be {self.prefix}"))
        if doi is not None and a.get("doi") not in (None, doi):
            out.append(("doi", "does not match the URL"))
        if call.method == "PUT" and set(a) == {"event"}:
            return out  # a bare state change
        creators = a.get("creators")
        if not creators or not all(isinstance(c, dict) and c.get("name") for c in creators):
            out.append(("creators", "each creator needs a name"))
        for c in creators or []:
            for aff in c.get("affiliation", []):
                if not isinstance(aff, dict) or not aff.get("name"):
                    out.append(("creators.affiliation", "affiliations are objects with a name"))
        titles = a.get("titles")
        if not titles or not all(isinstance(t, dict) and t.get("title") for t in titles):
            out.append(("titles", "each title needs a title"))
        if not a.get("publisher"):
            out.append(("publisher", "can't be blank"))
        year = a.get("publicationYear")
        if not (isinstance(year, int) or (isinstance(year, str) and year.isdigit())):
            out.append(("publicationYear", "must be a year"))
        types = a.get("types") or {}
        if types.get("resourceTypeGeneral") not in RESOURCE_TYPES_GENERAL:
            out.append(("types.resourceTypeGeneral", "is not in the controlled list"))
        url = a.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            out.append(("url", "must be an http(s) URL"))
        event = a.get("event")
        if event is not None and event not in EVENTS:
            out.append(("event", f"unknown event {event!r}"))
        if call.method == "POST" and event is not None:
            out.append(("event", "a draft is created without an event"))
        return out

    def _answer(self, doi: str, status: int) -> JSONResponse:
        return JSONResponse(
            {"data": {"id": doi, "type": "dois", "attributes": self.dois[doi]}},
            status_code=status,
            media_type=JSON_API,
        )

    async def _create(self, request: Request) -> Response:
        call, early = await self._record(request)
        if early is not None:
            return early
        problems = self._check(call, None)
        if problems:
            self.problems.extend(f"POST {s}: {t}" for s, t in problems)
            return _errors(422, *problems[0])
        doi = str(call.attributes["doi"]).lower()
        if doi in self.dois:
            return _errors(422, "doi", "This DOI has already been taken")
        self.dois[doi] = {**call.attributes, "doi": doi, "state": "draft"}
        return self._answer(doi, 201)

    async def _update(self, request: Request) -> Response:
        call, early = await self._record(request)
        if early is not None:
            return early
        doi = request.path_params["doi"].lower()
        problems = self._check(call, doi)
        if problems:
            self.problems.extend(f"PUT {s}: {t}" for s, t in problems)
            return _errors(422, *problems[0])
        attributes = {k: v for k, v in call.attributes.items() if k != "event"}
        current = self.dois.get(doi, {"doi": doi, "state": "draft"})
        current.update(attributes)
        event = call.attributes.get("event")
        if event is not None:
            current["state"] = EVENTS[event]
        self.dois[doi] = current
        return self._answer(doi, 200)

    async def _read(self, request: Request) -> Response:
        _call, early = await self._record(request)
        if early is not None:
            return early
        doi = request.path_params["doi"].lower()
        if doi not in self.dois:
            return _errors(404, None, "The resource you are looking for doesn't exist.")
        return self._answer(doi, 200)


def _errors(status: int, source: str | None, title: str) -> JSONResponse:
    error: dict[str, Any] = {"status": str(status), "title": title}
    if source:
        error["source"] = source
    return JSONResponse({"errors": [error]}, status_code=status, media_type=JSON_API)


@contextlib.asynccontextmanager
async def running_datacite(
    repository_id: str, password: str, prefix: str
) -> AsyncIterator[FakeDataCite]:
    """Serve a :class:`FakeDataCite` on 127.0.0.1 at a free port."""
    fake = FakeDataCite(repository_id, password, prefix)
    async with serving(fake.app(), "the DataCite stand-in") as url:
        fake.url = url
        yield fake
