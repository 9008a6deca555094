"""A local HTTP file server for staging tests, and a Globus Transfer stand-in.

``FileServer`` serves ``files`` by path with strong ETags (``If-None-Match``
answers 304), optional bearer-token checks (a Globus collection's HTTPS
access), a per-request delay (timeouts), and redirects. ``requests`` records
(path, status, authorization) for each request.

``TransferStandin`` answers the one Transfer call staging makes,
``GET /v0.10/endpoint/<collection-id>`` (globus-sdk's ``get_endpoint``),
with the collection's ``https_server``; point globus-sdk at it with
``GLOBUS_SDK_SERVICE_URL_TRANSFER`` (:func:`transfer_env`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.standins.serving import serving


@dataclass
class FileServer:
    files: dict[str, bytes] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    token: str | None = None  # when set: requests must carry "Bearer <token>"
    delay_s: float = 0.0
    requests: list[tuple[str, int, str]] = field(default_factory=list)
    url: str = ""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # set at each request

    def etag(self, path: str) -> str:
        return '"' + hashlib.sha256(self.files[path]).hexdigest()[:32] + '"'

    def statuses(self, path: str) -> list[int]:
        return [status for p, status, _ in self.requests if p == path]

    async def _get(self, request: Request) -> Response:
        path = "/" + request.path_params["path"]
        auth = request.headers.get("authorization", "")
        status, response = self._answer(path, auth, request.headers.get("if-none-match"))
        self.requests.append((path, status, auth))
        self.arrived.set()
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        return response

    def _answer(self, path: str, auth: str, if_none_match: str | None) -> tuple[int, Response]:
        if path in self.redirects:
            return 302, RedirectResponse(self.redirects[path], status_code=302)
        if self.token is not None and auth != f"Bearer {self.token}":
            return 401, Response(status_code=401)
        if path not in self.files:
            return 404, Response("not found", status_code=404)
        etag = self.etag(path)
        if if_none_match == etag:
            return 304, Response(status_code=304, headers={"etag": etag})
        return 200, Response(
            self.files[path], media_type="application/octet-stream", headers={"etag": etag}
        )

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._get, methods=["GET"])])


@contextlib.asynccontextmanager
async def running_files(server: FileServer) -> AsyncIterator[FileServer]:
    async with serving(server.app(), "the file server") as url:
        server.url = url
        yield server


@dataclass
class TransferStandin:
    """Collections (id -> HTTPS server URL) and the tokens Transfer accepts."""

    collections: dict[str, str] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (path, authorization)
    url: str = ""

    async def _endpoint(self, request: Request) -> Response:
        collection = request.path_params["collection"]
        auth = request.headers.get("authorization", "")
        self.calls.append((request.url.path, auth))
        if auth.removeprefix("Bearer ") not in self.tokens:
            return JSONResponse(
                {"code": "AuthenticationFailed", "message": "Token is not active"}, 401
            )
        if collection not in self.collections:
            return JSONResponse({"code": "EndpointNotFound", "message": "No such endpoint"}, 404)
        return JSONResponse(
            {
                "DATA_TYPE": "endpoint",
                "id": collection,
                "entity_type": "GCSv5_mapped_collection",
                "https_server": self.collections[collection],
            }
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[Route("/v0.10/endpoint/{collection}", self._endpoint, methods=["GET"])]
        )


def transfer_env(url: str) -> dict[str, str]:
    """The variable that points globus-sdk's TransferClient at the stand-in."""
    return {"GLOBUS_SDK_SERVICE_URL_TRANSFER": url + "/"}


@contextlib.asynccontextmanager
async def running_transfer(standin: TransferStandin) -> AsyncIterator[TransferStandin]:
    async with serving(standin.app(), "the Globus Transfer stand-in") as url:
        standin.url = url
        yield standin
