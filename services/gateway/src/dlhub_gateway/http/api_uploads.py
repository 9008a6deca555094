"""REST upload sessions under /api/v1/uploads: large artifacts sent in resumable
pieces before the publish that names them. Every route needs a token, checked
before the body is read (:class:`dlhub_gateway.http.auth_gate.AuthGate`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from dlhub_common._proto.dlhub.v1 import registry_pb2
from dlhub_common.identity import Principal
from dlhub_gateway.http import schemas as S
from dlhub_gateway.http.context import ctx, principal
from dlhub_gateway.http.fields import JSON_INT_MAX, Count
from dlhub_gateway.http.schemas import answers

router = APIRouter(tags=["dlhub"])  # included by api_v1, under /api/v1
Caller = Annotated[Principal, Depends(principal)]
CHUNK = 1 << 20


class CreateUploadBody(BaseModel):
    """Start a resumable upload of one large artifact."""

    model_config = ConfigDict(strict=True)

    path: str = Field("", max_length=1024, description="the artifact path it is meant for")
    size: Count = Field(..., description="total bytes")
    sha256: str = Field(
        ..., pattern="^[0-9a-fA-F]{64}$", description="hex sha256 of it all (64 characters)"
    )


def _upload_json(resp: registry_pb2.GetUploadResponse) -> dict[str, Any]:
    return {"received": resp.received, "size": resp.size, "complete": resp.complete}


@router.post("/uploads", status_code=201, **answers(S.UploadCreated, 201, "Created"))
async def create_upload(
    request: Request, _who: Caller, body: Annotated[CreateUploadBody, Body()]
) -> dict[str, Any]:
    """Start an upload session: then PUT chunks to /uploads/{id}?offset=N and
    publish with ``uploads`` naming it (multipart field or gRPC UploadRef)."""
    resp = await ctx(request).registry.create_upload(
        registry_pb2.CreateUploadRequest(path=body.path, size=body.size, sha256=body.sha256)
    )
    return {"upload_id": resp.upload_id, "chunk_size": resp.chunk_size, "received": resp.received}


RAW_BODY: dict[str, Any] = {
    "requestBody": {
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    }
}


@router.put("/uploads/{upload_id}", openapi_extra=RAW_BODY, **answers(S.UploadWritten))
async def write_upload(
    request: Request,
    upload_id: str,
    _who: Caller,
    offset: int = Query(..., ge=0, le=JSON_INT_MAX),
) -> dict[str, Any]:
    """Append the raw request body at ``offset`` (which must equal the bytes
    received so far; 409 names the expected one). Streamed to the registry in
    pieces of at most 1 MiB; the body is never held whole."""
    registry = ctx(request).registry

    async def messages() -> AsyncIterator[registry_pb2.WriteUploadRequest]:
        at = offset
        buffer = bytearray()
        sent = False
        async for piece in request.stream():
            buffer += piece
            while len(buffer) >= CHUNK:
                data = bytes(buffer[:CHUNK])
                del buffer[:CHUNK]
                yield registry_pb2.WriteUploadRequest(upload_id=upload_id, offset=at, data=data)
                at += len(data)
                sent = True
        if buffer or not sent:
            yield registry_pb2.WriteUploadRequest(
                upload_id=upload_id, offset=at, data=bytes(buffer)
            )

    resp = await registry.write_upload(messages())
    return {"received": resp.received}


@router.get("/uploads/{upload_id}", **answers(S.UploadStatus))
async def get_upload(request: Request, upload_id: str, _who: Caller) -> dict[str, Any]:
    """How far an upload got: ``received``, ``size`` and ``complete``."""
    resp = await ctx(request).registry.get_upload(
        registry_pb2.GetUploadRequest(upload_id=upload_id)
    )
    return _upload_json(resp)
