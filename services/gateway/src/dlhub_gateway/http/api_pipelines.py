"""REST: a pipeline described with its steps' current states (docs/pipelines.md).

Runs go through the ordinary ``POST /api/v1/servables/{owner}/{name}/run``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.errors import FailedPrecondition, NotFound
from dlhub_common.identity import Principal
from dlhub_common.metadata import validate_metadata
from dlhub_common.names import check_slug, parse_ref, parse_version
from dlhub_common.pipeline_spec import describe_steps
from dlhub_common.records import summary_from_pb
from dlhub_gateway.http import schemas as S
from dlhub_gateway.http.context import ctx, principal
from dlhub_gateway.http.convert import servable_json
from dlhub_gateway.http.schemas import answers

router = APIRouter(prefix="/api/v1", tags=["pipelines"])
Caller = Annotated[Principal, Depends(principal)]


@router.get("/pipelines/{owner}/{name}", **answers(S.PipelineDescription))
async def describe_pipeline(
    request: Request, owner: str, name: str, _who: Caller, version: str = ""
) -> dict[str, Any]:
    """The pipeline, plus ``steps``: each step's servable, inputs and state as you see it
    now (``withdrawn`` steps make runs fail), and ``runnable``."""
    registry = ctx(request).registry
    resp = await registry.get_servable(
        registry_pb2.GetServableRequest(
            ref=types_pb2.ServableRef(
                owner=check_slug("owner", owner),
                name=check_slug("name", name),
                version=parse_version(version),
            )
        )
    )
    spec = validate_metadata(json.loads(resp.servable.metadata_json)).servable.pipeline
    if spec is None:
        raise FailedPrecondition(
            f"{owner}/{name} is a {resp.servable.summary.servable_type} servable, not a pipeline;"
            f" describe it at /api/v1/servables/{owner}/{name}"
        )
    found: dict[str, dict[str, Any] | None] = {}
    for step in spec.steps:
        ref = parse_ref(step.servable)
        try:
            step_resp = await registry.get_servable(
                registry_pb2.GetServableRequest(
                    ref=types_pb2.ServableRef(owner=ref.owner, name=ref.name, version=ref.version)
                )
            )
            found[step.name] = summary_from_pb(step_resp.servable.summary)
        except NotFound:
            found[step.name] = None
    return {**servable_json(resp.servable, resp.versions), **describe_steps(spec, found)}
