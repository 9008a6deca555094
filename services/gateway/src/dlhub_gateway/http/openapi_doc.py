"""The OpenAPI document: every status each route answers, with the error body.

FastAPI documents 200 and a 422 validation error of its own shape; DLHub
answers validation errors with 400 and every error with one body
(:class:`~dlhub_gateway.http.responses.ErrorBody`), and some routes answer
with other media types (a redirect, bytes, a tar.gz, binary tensor data,
Prometheus text). :func:`openapi_document` rewrites FastAPI's document to say so.
Every JSON body is a named model (http/schemas.py, http/oip_models.py); those
only referenced from hand-written request bodies are added to the components here.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from dlhub_common.citations import CONTENT_TYPES as CITATION_TYPES
from dlhub_gateway.http import oip_models
from dlhub_gateway.http import schemas as api_schemas
from dlhub_gateway.http.auth_gate import is_public, needs_token
from dlhub_gateway.http.responses import ErrorBody

ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
STATUS_TEXT = {
    400: "Invalid request: the field and the problem are named",
    401: "No token where one is needed, or an invalid one",
    403: "The caller may not do this (neither owner nor co-owner; not an administrator)",
    404: "No such servable, version, file, task, upload, job or stream binding (or not visible"
    " to the caller)",
    409: "Not possible in the current state (withdrawn, finished, already exists...)",
    413: "The request body or an upload is larger than the limit",
    422: "The servable's own code failed",
    429: "Overloaded: retry after the Retry-After header's seconds",
    503: "A service behind the gateway is unavailable; retry later",
    504: "The deadline passed before the task finished",
}
# Every API route can be refused for its input, its token, its size, load, or a
# service that is down; the rest depends on the route.
COMMON = (400, 401, 413, 429, 503)
RUNS = (404, 409, 422, 504)
EXTRA: dict[tuple[str, str], tuple[int, ...]] = {
    ("post", "/api/v1/servables"): (403, 404, 409),
    ("post", "/api/v1/uploads"): (409,),
    ("put", "/api/v1/uploads/{upload_id}"): (403, 404, 409),
    ("get", "/api/v1/uploads/{upload_id}"): (403, 404, 409),
    ("get", "/api/v1/servables/{owner}/{name}"): (404,),
    ("get", "/api/v1/servables/{owner}/{name}/versions"): (404,),
    ("get", "/api/v1/pipelines/{owner}/{name}"): (404, 409),  # 409: not a pipeline
    ("get", "/api/v1/servables/{owner}/{name}/cite"): (404,),
    ("get", "/api/v1/servables/{owner}/{name}/stats"): (404,),
    ("post", "/api/v1/servables/{owner}/{name}/deprecate"): (403, 404, 409),
    ("post", "/api/v1/servables/{owner}/{name}/withdraw"): (403, 404, 409),
    ("get", "/api/v1/servables/{owner}/{name}/files/{path}"): (404,),
    ("get", "/api/v1/servables/{owner}/{name}/bundle"): (404,),
    ("get", "/api/v1/publish-jobs/{publish_id}"): (403, 404),
    ("post", "/api/v1/servables/{owner}/{name}/access"): (403, 404),
    ("get", "/api/v1/audit"): (403,),
    ("post", "/api/v1/streams/bindings"): (403, 404, 409),
    ("get", "/api/v1/streams/bindings"): (403,),
    ("delete", "/api/v1/streams/bindings/{binding_id}"): (404,),
    ("post", "/api/v1/streams/{topic}/frames"): (404, 409),
    ("get", "/api/v1/streams/{topic}/results"): (404, 409),
    # retraining (api_retrain.py)
    ("post", "/api/v1/servables/{owner}/{name}/retrain"): (403, 404, 409),
    ("get", "/api/v1/servables/{owner}/{name}/retrain-jobs"): (403, 404),
    ("get", "/api/v1/retrain-jobs/{job_id}"): (404,),
    ("post", "/api/v1/servables/{owner}/{name}/run"): RUNS,
    # benchmarks (api_benchmarks.py): scoring runs servables
    ("post", "/api/v1/benchmarks/{owner}/{name}/scores"): RUNS,
    ("get", "/api/v1/benchmarks/{owner}/{name}/leaderboard"): (404, 409),
    ("get", "/api/v1/tasks/{task_id}"): (404, 504),
    # signing in with Globus (api_sign_in.py): 404 when the provider is not Globus
    ("get", "/api/v1/sign-in/globus"): (404,),
    ("get", "/api/v1/sign-in/globus/callback"): (404,),
    ("post", "/api/v1/sign-in/globus/ticket"): (404,),
    ("post", "/api/v1/tasks/{task_id}/cancel"): (404, 409),
    ("get", "/v2/models/{model_name}"): (404, 409),
    ("get", "/v2/models/{model_name}/versions/{version}"): (404, 409),
    ("get", "/v2/models/{model_name}/stats"): (404,),
    ("get", "/v2/models/{model_name}/versions/{version}/stats"): (404,),
    ("post", "/v2/models/{model_name}/infer"): RUNS,
    ("post", "/v2/models/{model_name}/versions/{version}/infer"): RUNS,
}
# Successful answers that are not one JSON object.
BINARY = {"schema": {"type": "string", "format": "binary"}}
MEDIA: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/metrics"): {"200": {"text/plain": {"schema": {"type": "string"}}}},
    ("get", "/api/v1/servables/{owner}/{name}/files/{path}"): {
        "200": {"application/octet-stream": BINARY},
        "307": None,
    },
    ("get", "/api/v1/servables/{owner}/{name}/bundle"): {"200": {"application/gzip": BINARY}},
    # a citation, in the format asked for (dlhub_common.citations.CONTENT_TYPES)
    ("get", "/api/v1/servables/{owner}/{name}/cite"): {
        "200": {kind: {"schema": {"type": "string"}} for kind in CITATION_TYPES.values()}
    },
}
# Redirects: a Location header, no body.
REDIRECTS: dict[tuple[str, str], tuple[str, str]] = {
    ("get", "/api/v1/sign-in/globus"): ("302", "To Globus Auth's authorize page"),
    ("get", "/api/v1/sign-in/globus/callback"): (
        "302",
        "Back to return_to with ?ticket= (or ?sign_in_error=) in its hash route or query",
    ),
}
READY = {"$ref": "#/components/schemas/Ready"}
INFER_OK = {
    "application/json": {"schema": {"$ref": "#/components/schemas/InferResponse"}},
    "application/octet-stream": BINARY,
}
SLUG = "^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$"
VERSION = "^(?:|latest|[0-9]{1,18})$"
MODEL_NAME = SLUG[:-1] + "[./]" + SLUG[1:]
PATH_PATTERNS = {"owner": SLUG, "name": SLUG, "version": VERSION, "model_name": MODEL_NAME}
# The search service's facet fields (dlhub_search.core.FACET_FIELDS), comma-separated.
FACETS = r"^(?:(?:owner|domains|authors|servable_type)(?:,(?=.)|$))*$"
QUERY_PATTERNS = {"version": VERSION, "facets": FACETS}
BEARER = {"type": "http", "scheme": "bearer", "description": "A DLHub token"}
# Path parameters the routes' `:path` converter lets hold slashes: a model name
# is owner.name or owner/name (never ending in /infer: that is the POST route).
_SPANNING = {"model_name": "[^/]+(?:/(?!infer/?$)[^/]+)?", "path": ".+"}


def _error(status: int) -> dict[str, Any]:
    return {
        "description": STATUS_TEXT[status],
        "content": {"application/json": {"schema": ERROR_REF}},
    }


def _ready(operation: dict[str, Any]) -> None:
    either = {"application/json": {"schema": {"anyOf": [READY, ERROR_REF]}}}
    operation["responses"]["200"]["description"] = "Ready"
    operation["responses"]["400"] = {
        "description": "Not ready (withdrawn, or not a tensor model), or an invalid name",
        "content": either,
    }
    operation["responses"]["404"] = {"description": "No such model", "content": either}


def _fix(method: str, path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)  # FastAPI's validation error: DLHub answers 400
    for param in operation.get("parameters", []):
        patterns = PATH_PATTERNS if param["in"] == "path" else QUERY_PATTERNS
        pattern = patterns.get(param["name"])
        if pattern and param["schema"].get("type") == "string":
            param["schema"].setdefault("pattern", pattern)
    if path.startswith(("/api/", "/v2")):
        # a token is optional on most routes and needed on those that act for a user
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        needed = needs_token(method.upper(), concrete)
        operation["security"] = [{"bearer": []}] if needed else [{}, {"bearer": []}]
        if is_public(method.upper(), concrete):
            operation["security"] = [{}]  # no token is read
        for code in (*COMMON, *EXTRA.get((method, path), ())):
            responses[str(code)] = _error(code)
    for status, media in MEDIA.get((method, path), {}).items():
        if media is None:
            responses[status] = {"description": "Redirect to a presigned URL of the object store"}
        else:
            described = responses.get(status, {}).get("description", "OK")
            responses[status] = {"description": described, "content": media}
    if (method, path) in REDIRECTS:
        status, description = REDIRECTS[(method, path)]
        responses.pop("200", None)
        responses[status] = {"description": description}
    if path.endswith("/ready"):
        _ready(operation)
    if path.endswith("/infer"):
        responses["200"]["content"] = INFER_OK


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document for ``app``, with DLHub's statuses and media types (cached)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    error = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error.pop("$defs", {}))
    schemas["ErrorBody"] = error
    for model in (*api_schemas.REFERENCED, *oip_models.REFERENCED):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    doc["components"]["securitySchemes"] = {"bearer": BEARER}
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            _fix(method, path, operation)
    app.openapi_schema = doc
    return doc


@cache
def _path_patterns(
    paths: tuple[tuple[str, tuple[str, ...]], ...],
) -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    out = []
    for template, methods in paths:
        regex = re.sub(
            r"\\\{([^}]+)\\\}",
            lambda m: _SPANNING.get(m[1], "[^/]+"),
            re.escape(template),
        )
        out.append((re.compile(f"^{regex}/?$"), methods))
    return out


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for ``path`` (for a 405's Allow header)."""
    doc = app.openapi()
    paths = tuple(
        (template, tuple(m.upper() for m in item)) for template, item in doc["paths"].items()
    )
    found = {
        m for pattern, methods in _path_patterns(paths) if pattern.match(path) for m in methods
    }
    return sorted(found)
