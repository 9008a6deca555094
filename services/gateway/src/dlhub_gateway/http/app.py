"""The gateway's HTTP application: REST, OIP REST, health, metrics, web page."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dlhub_common.errors import DLHubError, ErrorCode, InternalError, ResourceExhausted
from dlhub_common.telemetry import HTTP_REQUESTS
from dlhub_gateway.http import api_benchmarks, api_pipelines, api_v1, oip_rest
from dlhub_gateway.http.api_sign_in import untraced
from dlhub_gateway.http.auth_gate import AuthGate
from dlhub_gateway.http.context import GatewayContext
from dlhub_gateway.http.inflight import InflightBytes
from dlhub_gateway.http.openapi_doc import allowed_methods, openapi_document
from dlhub_gateway.http.page import index_html, mount_assets
from dlhub_gateway.http.rate_gate import RateGate
from dlhub_gateway.http.responses import error_response
from dlhub_gateway.http.schemas import Health, answers

PUBLISH_PATH = "/api/v1/servables"
UPLOADS_PATH = "/api/v1/uploads/"


class BodyLimit:
    """Reject request bodies over the limit with 413 before reading them whole.

    Publishing (multipart uploads to /api/v1/servables) is held to the
    artifact limit instead, since artifacts are streamed, not one message.
    """

    def __init__(self, app: ASGIApp, *, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_upload = scope["method"] == "POST" and scope["path"].rstrip("/") == PUBLISH_PATH
        limit = self.upload_limit if is_upload else self.limit
        what = "an upload" if is_upload else "a request body"
        err = ResourceExhausted(
            f"{what} may be at most {limit} bytes ({limit / (1 << 20):.0f} MiB)",
            details={"limit_bytes": limit},
        )
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await error_response(err)(scope, receive, send)
            return
        seen = 0
        started = False
        exceeded = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise err
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # drop the app's own 400/500 for a body it could not read
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await error_response(err)(scope, receive, send)


def _streamed_upload(scope: Scope) -> bool:
    """Artifacts go to the object store as they arrive: not held, not counted."""
    path = scope["path"].rstrip("/")
    return (scope["method"] == "POST" and path == PUBLISH_PATH) or path.startswith(UPLOADS_PATH)


def operation_id(route: APIRoute) -> str:
    """The OpenAPI operationId: the route function's name (``search``, ``infer``...),
    ``_at_version`` for the OIP routes naming a version: generated clients' method names."""
    return route.name + ("_at_version" if "{version}" in route.path_format else "")


def create_app(context: GatewayContext) -> FastAPI:
    app = FastAPIOffline(  # Swagger UI and ReDoc from the package's own assets, no CDN
        title="DLHub",
        version="0.1.0",
        description="Publish, find and run scientific models. "
        "REST under /api/v1, Open Inference Protocol under /v2.",
        generate_unique_id_function=operation_id,
        # FastAPI's request spans record the query: Globus' callback carries the code in it
        telemetry={"exclude": untraced},
    )
    app.state.ctx = context
    app.include_router(api_v1.router)
    app.include_router(api_benchmarks.router)
    app.include_router(api_pipelines.router)
    app.include_router(oip_rest.router)

    @app.exception_handler(DLHubError)
    async def _dlhub_error(_request: Request, exc: DLHubError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p)[:80] for p in e["loc"]), "problem": e["msg"]}
            for e in exc.errors()[:20]
        ]
        listing = "; ".join(f"{e['field']}: {e['problem']}" for e in errors)
        return JSONResponse(
            {
                "error": f"invalid request: {listing}",
                "code": "INVALID_ARGUMENT",
                "details": {"errors": errors},
            },
            status_code=400,
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        """Starlette's own refusals (no route, wrong method, unreadable body), in the
        error body every route answers with."""
        code = ErrorCode.NOT_FOUND if exc.status_code == 404 else ErrorCode.INVALID_ARGUMENT
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not just one route's
            headers["Allow"] = ", ".join(allowed_methods(app, request.url.path))
        return JSONResponse(
            {"error": str(exc.detail), "code": code.value, "details": {}},
            status_code=exc.status_code,
            headers=headers,
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        return error_response(InternalError("internal error; see the gateway log"))

    @app.middleware("http")
    async def _count(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        route = request.scope.get("route")
        HTTP_REQUESTS.labels(getattr(route, "path", "unmatched"), str(response.status_code)).inc()
        return response

    @app.get("/healthz", tags=["ops"], **answers(Health))
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics", tags=["ops"], response_class=Response)
    async def metrics() -> Response:
        """Prometheus metrics, in its text format."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> str:
        return index_html()

    mount_assets(app)

    app.add_middleware(
        InflightBytes,
        limit=context.max_inflight_request_bytes,
        per_caller=context.max_inflight_request_bytes_per_caller,
        exempt=_streamed_upload,
    )
    app.add_middleware(
        BodyLimit, limit=context.max_message_bytes, upload_limit=context.max_artifact_bytes
    )
    if context.rates is not None:  # just inside AuthGate: its principal, no body read
        app.add_middleware(RateGate, limits=context.rates, auth=context.auth)
    app.add_middleware(AuthGate, auth=context.auth)  # outermost: 401 before any body is read
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app


def openapi_json(app: FastAPI) -> str:
    return json.dumps(app.openapi(), indent=2)
