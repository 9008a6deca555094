"""REST downloads under /api/v1: one artifact of a servable version, or the whole
version as a buildable bundle (tar.gz)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import PurePosixPath
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.bundle import DOCKERIGNORE, Entry, bundle_prefix, dockerfile, tar_gz_stream
from dlhub_common.errors import NotFound, Unavailable, clip
from dlhub_common.identity import Principal
from dlhub_common.names import check_slug, parse_version
from dlhub_gateway.http.context import GatewayContext, ctx, principal

router = APIRouter(tags=["dlhub"])  # included by api_v1, under /api/v1
Caller = Annotated[Principal, Depends(principal)]


async def _version(
    c: GatewayContext, owner: str, name: str, version: str
) -> registry_pb2.GetServableResponse:
    """The version as the caller may see it (NOT_FOUND otherwise)."""
    resp: registry_pb2.GetServableResponse = await c.registry.get_servable(
        registry_pb2.GetServableRequest(
            ref=types_pb2.ServableRef(
                owner=check_slug("owner", owner),
                name=check_slug("name", name),
                version=parse_version(version),
            )
        )
    )
    return resp


@router.get("/servables/{owner}/{name}/files/{path:path}")
async def download_artifact(
    request: Request, owner: str, name: str, path: str, _who: Caller, version: str = ""
) -> Response:
    """One artifact of a servable version: a redirect to a presigned URL where
    the object store hands those out (S3), else the bytes themselves."""
    c = ctx(request)
    resp = await _version(c, owner, name, version)
    artifact = next((a for a in resp.artifacts if a.path == path), None)
    if artifact is None:
        raise NotFound(
            f"{owner}/{name}:{resp.servable.summary.version} has no file {clip(path)}"
            f" (files: {sorted(a.path for a in resp.artifacts)[:20]})"
        )
    if c.objects is None:
        raise Unavailable("this gateway has no object store configured for downloads")
    store = await c.objects()
    url = await store.presigned_url(artifact.object_key, expires_s=900)
    if url is not None:
        return RedirectResponse(url, status_code=307)
    filename = PurePosixPath(path).name.replace('"', "")
    return StreamingResponse(
        store.open(artifact.object_key),
        media_type="application/octet-stream",
        headers={
            "content-length": str(artifact.size),
            "content-disposition": f'attachment; filename="{filename}"',
            "x-dlhub-sha256": artifact.sha256,
        },
    )


@router.get("/servables/{owner}/{name}/bundle")
async def download_bundle(
    request: Request, owner: str, name: str, _who: Caller, version: str = ""
) -> Response:
    """The version's bundle as a tar.gz, streamed: ``<owner>-<name>-v<version>/``
    with ``bundle/`` (every artifact, ``dlhub.json``, ``environment.lock``), a
    ``Dockerfile`` that builds an executor image for exactly this version, and
    a ``.dockerignore``."""
    c = ctx(request)
    resp = await _version(c, owner, name, version)
    if c.objects is None:
        raise Unavailable("this gateway has no object store configured for downloads")
    store = await c.objects()
    summary = resp.servable.summary
    metadata = json.loads(resp.servable.metadata_json or "{}", parse_constant=str)
    prefix = bundle_prefix(summary.owner, summary.name, summary.version)
    text = dockerfile(
        owner=summary.owner,
        name=summary.name,
        version=summary.version,
        digest=summary.digest,
        servable_type=summary.servable_type,
        interface_version=resp.interface_version or 1,
        files=[a.path for a in resp.artifacts],
        python=str(metadata.get("servable", {}).get("python") or ""),
    ).encode()

    def opener(key: str) -> Callable[[], AsyncIterator[bytes]]:
        return lambda: store.open(key)

    entries = [
        Entry(f"{prefix}/Dockerfile", len(text), data=text),
        Entry(f"{prefix}/.dockerignore", len(DOCKERIGNORE), data=DOCKERIGNORE.encode()),
    ] + [
        Entry(f"{prefix}/bundle/{a.path}", a.size, opener=opener(a.object_key))
        for a in sorted(resp.artifacts, key=lambda a: a.path)
    ]
    try:
        mtime = int(datetime.fromisoformat(summary.publication_date).timestamp())
    except ValueError:
        mtime = 0
    return StreamingResponse(
        tar_gz_stream(entries, mtime=mtime),
        media_type="application/gzip",
        headers={
            "content-disposition": f'attachment; filename="{prefix}.tar.gz"',
            "x-dlhub-digest": summary.digest,
        },
    )
