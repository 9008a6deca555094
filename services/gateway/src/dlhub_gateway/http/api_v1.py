"""REST API under /api/v1: publish, list, describe, versions, deprecate, withdraw,
search, run, tasks; upload sessions, downloads, sharing and the audit log are
in their own modules, included here."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, SkipValidation
from starlette.datastructures import UploadFile

from dlhub_common._proto.dlhub.v1 import registry_pb2, search_pb2, tasks_pb2, types_pb2
from dlhub_common.bounds import INT32_MAX, MAX_TIMEOUT_S, check_json_size
from dlhub_common.errors import InvalidArgument
from dlhub_common.identity import Principal
from dlhub_common.names import check_slug
from dlhub_common.records import summary_from_pb
from dlhub_common.views import publish_job_fields
from dlhub_gateway.auth import sign_in_info
from dlhub_gateway.http import (
    api_access,
    api_cite,
    api_downloads,
    api_retrain,
    api_sign_in,
    api_streams,
    api_uploads,
    api_usage,
)
from dlhub_gateway.http import schemas as S
from dlhub_gateway.http.context import ctx, get_servable, principal
from dlhub_gateway.http.convert import inputs_from_json, servable_json, task_json
from dlhub_gateway.http.fields import Count
from dlhub_gateway.http.labelling import check_layout, in_original_layout, labels_of
from dlhub_gateway.http.schemas import JsonInput, answers
from dlhub_gateway.staging_token import with_caller_token

router = APIRouter(prefix="/api/v1", tags=["dlhub"])
Caller = Annotated[Principal, Depends(principal)]
CHUNK = 1 << 20


class RunBody(BaseModel):
    """A run request. ``inputs`` is ``{input name: data}`` or, for a servable
    with one input, the data itself; data is nested lists or an OIP tensor
    object ``{"datatype", "shape", "data"}``."""

    model_config = ConfigDict(strict=True)

    # documented as JSON; checked against the signature by inputs_from_json, not here
    inputs: SkipValidation[JsonInput] = Field(
        description="{input name: data}, or the data of a one-input servable. "
        'For floating-point tensors, "NaN", "Infinity" and "-Infinity" stand for'
        " NaN and the infinities (outputs are written the same way)"
    )
    version: Count = Field(0, description="0 = latest")
    asynchronous: bool = Field(False, description="Return a task id at once")
    timeout_s: float = Field(
        0,
        ge=0,
        le=MAX_TIMEOUT_S,
        allow_inf_nan=False,
        description="The task's deadline from acceptance (and a synchronous wait); 0 = default",
    )
    outputs: list[Annotated[str, Field(max_length=256)]] = Field(
        default_factory=list, max_length=1024, description="Only these outputs"
    )
    no_cache: bool = Field(False, description="Run the model even if the result is cached")
    outputs_to: str = Field(
        "",
        max_length=2048,
        description="Write the outputs under this s3://bucket/prefix and return their URLs"
        " (output_refs) instead of the data (docs/staging.md)",
    )


class StateChangeBody(BaseModel):
    """Deprecate or withdraw one version of a servable (owner only)."""

    model_config = ConfigDict(strict=True)

    version: Count = Field(0, description="0 = the latest version not withdrawn")
    reason: str = Field(..., min_length=1, max_length=2000, description="Shown to users")


@router.get("/whoami", **answers(S.Whoami))
async def whoami(who: Caller) -> dict[str, Any]:
    return {"username": who.username, "anonymous": who.anonymous, "groups": sorted(who.groups)}


@router.get("/sign-in", **answers(S.SignIn))
async def sign_in(request: Request) -> dict[str, str]:
    """How to sign in here (public): ``provider`` ``local`` (a DLHub token) or ``globus``
    (a Globus access token granting ``scope``, e.g. from ``dlhub login``, or the browser's
    sign-in starting at ``start``)."""
    return sign_in_info(ctx(request).auth.provider)


@router.get("/servables", **answers(S.ServableList))
async def list_servables(
    request: Request,
    _who: Caller,
    owner: str = "",
    page_size: int = Query(50, ge=1, le=1000),
    page_token: str = "",
    all_versions: bool = False,
) -> dict[str, Any]:
    resp = await ctx(request).registry.list_servables(
        registry_pb2.ListServablesRequest(
            owner=owner, page_size=page_size, page_token=page_token, all_versions=all_versions
        )
    )
    return {
        "servables": [summary_from_pb(s) for s in resp.servables],
        "total": resp.total,
        "next_page_token": resp.next_page_token or None,
    }


PUBLISH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": {"$ref": "#/components/schemas/PublishForm"}}
        },
    }
}


@router.post(
    "/servables",
    status_code=201,
    openapi_extra=PUBLISH_BODY,
    **answers(S.PublishedServable, 201, "Published"),
)
async def publish_servable(request: Request, _who: Caller) -> JSONResponse:
    """Multipart form: a ``metadata`` field (JSON) and one ``files`` part per artifact
    (the part's filename is the artifact path); large artifacts sent earlier
    through /uploads go in an ``uploads`` field: JSON ``[{"path", "upload_id"}]``."""
    c = ctx(request)
    form = await request.form(max_files=1000, max_fields=10, max_part_size=c.max_message_bytes)
    try:
        metadata = form.get("metadata")
        if not isinstance(metadata, str):
            raise InvalidArgument("the form needs a 'metadata' field holding the metadata JSON")
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        refs = _upload_refs(form.get("uploads"))

        async def stream() -> AsyncIterator[registry_pb2.PublishServableRequest]:
            yield registry_pb2.PublishServableRequest(
                header=registry_pb2.PublishHeader(metadata_json=metadata, uploads=refs)
            )
            for upload in uploads:
                path = upload.filename or ""
                first = True
                while True:
                    data = await upload.read(CHUNK)
                    if not data and not first:
                        break
                    first = False
                    yield registry_pb2.PublishServableRequest(
                        chunk=registry_pb2.ArtifactChunk(path=path, data=data)
                    )
                    if not data:
                        break

        resp = await c.registry.publish_servable(stream())
    finally:
        await form.close()
    body = {**servable_json(resp.servable), "publish_id": resp.publish_id}
    return JSONResponse(body, status_code=201)


def _upload_refs(field: Any) -> list[registry_pb2.UploadRef]:
    if field is None or field == "":
        return []
    problem = InvalidArgument(
        'the \'uploads\' field must be JSON: a list of {"path": ..., "upload_id": ...}'
    )
    if not isinstance(field, str):
        raise problem
    try:
        items = json.loads(field)
    except ValueError:
        raise problem from None
    if not isinstance(items, list) or not all(
        isinstance(i, dict)
        and isinstance(i.get("path"), str)
        and isinstance(i.get("upload_id"), str)
        for i in items
    ):
        raise problem
    return [registry_pb2.UploadRef(path=i["path"], upload_id=i["upload_id"]) for i in items]


@router.get("/servables/{owner}/{name}", **answers(S.Description))
async def describe_servable(
    request: Request, owner: str, name: str, _who: Caller, version: str = "", layout: str = "dlhub"
) -> dict[str, Any]:
    check_layout(layout)
    resp = await get_servable(request, owner, name, version)
    if layout == "original":  # the original DLHub's three blocks (docs/markup.md)
        return in_original_layout(resp)
    return servable_json(resp.servable, resp.versions)


@router.get("/servables/{owner}/{name}/versions", **answers(S.VersionList))
async def list_versions(request: Request, owner: str, name: str, _who: Caller) -> dict[str, Any]:
    """Every version you may see, ascending, with its state and publication date."""
    resp = await ctx(request).registry.list_versions(
        registry_pb2.ListVersionsRequest(
            owner=check_slug("owner", owner), name=check_slug("name", name)
        )
    )
    return {"versions": [summary_from_pb(s) for s in resp.versions]}


def _state_ref(owner: str, name: str, body: StateChangeBody) -> types_pb2.ServableRef:
    return types_pb2.ServableRef(
        owner=check_slug("owner", owner), name=check_slug("name", name), version=body.version
    )


@router.post("/servables/{owner}/{name}/deprecate", **answers(S.ServableSummary))
async def deprecate_servable(
    request: Request, owner: str, name: str, _who: Caller, body: Annotated[StateChangeBody, Body()]
) -> dict[str, Any]:
    """Owner only: the version still runs (with a warning) but leaves default search."""
    resp = await ctx(request).registry.deprecate_servable(
        registry_pb2.DeprecateServableRequest(ref=_state_ref(owner, name, body), reason=body.reason)
    )
    return summary_from_pb(resp.servable)


@router.post("/servables/{owner}/{name}/withdraw", **answers(S.ServableSummary))
async def withdraw_servable(
    request: Request, owner: str, name: str, _who: Caller, body: Annotated[StateChangeBody, Body()]
) -> dict[str, Any]:
    """Owner only: the version no longer runs; its metadata stays describable."""
    resp = await ctx(request).registry.withdraw_servable(
        registry_pb2.WithdrawServableRequest(ref=_state_ref(owner, name, body), reason=body.reason)
    )
    return summary_from_pb(resp.servable)


@router.get("/publish-jobs", **answers(S.PublishJobList))
async def list_publish_jobs(
    request: Request,
    _who: Caller,
    state: Annotated[
        str, Query(max_length=20, description="RUNNING, SUCCEEDED or FAILED (default: all)")
    ] = "",
    name: Annotated[str, Query(max_length=200, description="Only this servable name")] = "",
    offset: int = Query(0, ge=0, le=INT32_MAX),
    limit: int = Query(50, ge=1, le=1000),
) -> dict[str, Any]:
    """Your own publish jobs, newest first, failed ones included; without their logs
    (``GET /publish-jobs/{id}`` shows one job's log)."""
    resp = await ctx(request).registry.list_publish_jobs(
        registry_pb2.ListPublishJobsRequest(state=state, name=name, offset=offset, page_size=limit)
    )
    return {
        "jobs": [publish_job_fields(j) for j in resp.jobs],
        "total": resp.total,
        "offset": offset,
    }


@router.get("/publish-jobs/{publish_id}", **answers(S.PublishJob))
async def get_publish_job(request: Request, publish_id: str, _who: Caller) -> dict[str, Any]:
    """Owner only: one publish job, its state and its log."""
    resp = await ctx(request).registry.get_publish_job(
        registry_pb2.GetPublishJobRequest(publish_id=publish_id)
    )
    return publish_job_fields(resp.job)


@router.get("/search", **answers(S.SearchResult))
async def search(
    request: Request,
    _who: Caller,
    owner: Annotated[list[str], Query(default_factory=list)],
    name: Annotated[list[str], Query(default_factory=list)],
    domains: Annotated[list[str], Query(default_factory=list)],
    authors: Annotated[list[str], Query(default_factory=list)],
    servable_type: Annotated[list[str], Query(default_factory=list)],
    q: str = "",
    facets: str = "",
    offset: int = Query(0, ge=0, le=INT32_MAX),
    limit: int = Query(20, ge=1, le=1000),
    all_versions: bool = False,
    include_deprecated: bool = False,
    sort: Annotated[
        str, Query(max_length=20, description="relevance (default), newest, oldest or title")
    ] = "",
) -> dict[str, Any]:
    fields = {
        "owner": owner,
        "name": name,
        "domains": domains,
        "authors": authors,
        "servable_type": servable_type,
    }
    resp = await ctx(request).search.search(
        search_pb2.SearchRequest(
            query=q,
            filters=[search_pb2.FieldFilter(field=k, values=v) for k, v in fields.items() if v],
            facets=[f.strip() for f in facets.split(",") if f.strip()],
            offset=offset,
            limit=limit,
            all_versions=all_versions,
            include_deprecated=include_deprecated,
            sort=sort,
        )
    )
    return {
        "total": resp.total,
        "offset": resp.offset,
        "hits": [summary_from_pb(h) for h in resp.hits],
        "facets": {f.field: {b.value: b.count for b in f.buckets} for f in resp.facets},
    }


@router.post(
    "/servables/{owner}/{name}/run",
    response_model=None,
    responses={
        200: {"model": S.Task, "description": "The finished task"},
        202: {"model": S.Task, "description": "Accepted: queued or running (asynchronous)"},
    },
)
async def run_servable(
    request: Request,
    owner: str,
    name: str,
    _who: Caller,
    body: Annotated[RunBody, Body()],
    labelled: Annotated[
        bool, Query(description="Add {class: probability} per row (servables with classes)")
    ] = False,
) -> JSONResponse:
    c = ctx(request)
    info = await c.oip.model(
        f"{check_slug('owner', owner)}/{check_slug('name', name)}", str(body.version or "")
    )
    # tensor servables get tensors; python servables get the JSON value as is
    check_json_size(body.inputs, "inputs")
    tensors = inputs_from_json(body.inputs, info.inputs) if info.tensor else []
    run = tasks_pb2.RunServableRequest(
        servable=types_pb2.ServableRef(
            owner=info.ref.owner, name=info.ref.name, version=info.ref.version
        ),
        inputs=tensors,
        inputs_json="" if info.tensor else json.dumps(body.inputs),
        wait=not body.asynchronous,
        timeout_s=body.timeout_s,
        outputs=body.outputs,
        no_cache=body.no_cache,
        outputs_to=body.outputs_to,
    )
    resp = await c.tasks.run_servable(with_caller_token(run, request.headers.get("authorization")))
    status = (
        202
        if resp.task.state in (tasks_pb2.TASK_STATE_QUEUED, tasks_pb2.TASK_STATE_RUNNING)
        else 200
    )
    out = task_json(resp.task)
    if labelled and (labels := await labels_of(request, owner, name, resp.task)) is not None:
        out["labelled"] = labels
    return JSONResponse(out, status_code=status)


@router.get("/tasks/{task_id}", **answers(S.Task))
async def get_task(
    request: Request,
    task_id: str,
    _who: Caller,
    wait: bool = False,
    timeout_s: float = Query(0, ge=0, le=3600),
) -> dict[str, Any]:
    resp = await ctx(request).tasks.get_task(
        tasks_pb2.GetTaskRequest(task_id=task_id, wait=wait, timeout_s=timeout_s)
    )
    return task_json(resp.task)


@router.post("/tasks/{task_id}/cancel", **answers(S.Task))
async def cancel_task(request: Request, task_id: str, _who: Caller) -> dict[str, Any]:
    """Cancel a queued or running task of yours: 200 with the CANCELLED task;
    409 when it already finished, 404 when it is unknown or not yours."""
    resp = await ctx(request).tasks.cancel_task(tasks_pb2.CancelTaskRequest(task_id=task_id))
    return task_json(resp.task)


router.include_router(api_uploads.router)
router.include_router(api_downloads.router)
router.include_router(api_access.router)
router.include_router(api_streams.router)
router.include_router(api_retrain.router)
router.include_router(api_cite.router)
router.include_router(api_usage.router)
router.include_router(api_sign_in.router)
