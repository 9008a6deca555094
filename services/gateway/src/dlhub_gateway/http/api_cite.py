"""REST citations under /api/v1: ``GET /servables/{owner}/{name}/cite?format=&style=``.

The version is read through the registry as the caller (NOT_FOUND for what
they may not see); :mod:`dlhub_common.citations` writes the citation.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from dlhub_common.citations import cite
from dlhub_common.identity import Principal
from dlhub_common.records import summary_from_pb
from dlhub_gateway.http.context import get_servable, principal

router = APIRouter(tags=["dlhub"])  # included by api_v1, under /api/v1
Caller = Annotated[Principal, Depends(principal)]


@router.get("/servables/{owner}/{name}/cite")
async def cite_servable(
    request: Request,
    owner: str,
    name: str,
    _who: Caller,
    version: str = "",
    format: Annotated[
        str, Query(description="text, bibtex, ris, datacite-json or datacite-xml")
    ] = "text",
    style: Annotated[str, Query(max_length=100, description="CSL style of text")] = "apa",
) -> Response:
    resp = await get_servable(request, owner, name, version)
    summary = summary_from_pb(resp.servable.summary)
    citation = cite(summary, json.loads(resp.servable.metadata_json), format, style)
    return Response(citation.text, media_type=f"{citation.content_type}; charset=utf-8")
