"""REST retraining under /api/v1 (docs/retraining.md).

* ``POST /servables/{owner}/{name}/retrain``: start a retrain job (or merge
  into the running one): ``{"job": {...}, "merged": bool}``;
* ``GET /servables/{owner}/{name}/retrain-jobs?limit=``: its jobs, newest first;
* ``GET /retrain-jobs/{id}``: one job.

Owners and co-owners only; the registry decides (401, 403, 404 as for
lifecycle changes).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.identity import Principal
from dlhub_common.views import retrain_job_fields
from dlhub_gateway.http import schemas as S
from dlhub_gateway.http.context import ctx, principal
from dlhub_gateway.http.schemas import answers

router = APIRouter(tags=["retraining"])  # included by api_v1, under /api/v1
Caller = Annotated[Principal, Depends(principal)]


@router.post("/servables/{owner}/{name}/retrain", **answers(S.RetrainStarted))
async def retrain(request: Request, owner: str, name: str, _who: Caller) -> dict[str, Any]:
    """Owners and co-owners: retrain the servable's latest version now."""
    resp = await ctx(request).registry.retrain_servable(
        registry_pb2.RetrainServableRequest(
            servable=types_pb2.ServableRef(owner=owner[:100], name=name[:100])
        )
    )
    return {"job": retrain_job_fields(resp.job), "merged": resp.merged}


@router.get("/servables/{owner}/{name}/retrain-jobs", **answers(S.RetrainJobs))
async def list_retrain_jobs(
    request: Request,
    owner: str,
    name: str,
    _who: Caller,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    """Owners and co-owners: the servable's retrain jobs, newest first."""
    resp = await ctx(request).registry.list_retrain_jobs(
        registry_pb2.ListRetrainJobsRequest(
            servable=types_pb2.ServableRef(owner=owner[:100], name=name[:100]), page_size=limit
        )
    )
    return {"jobs": [retrain_job_fields(j) for j in resp.jobs]}


@router.get("/retrain-jobs/{job_id}", **answers(S.RetrainJob))
async def get_retrain_job(request: Request, job_id: str, _who: Caller) -> dict[str, Any]:
    """Owners and co-owners of its servable: one retrain job, traceback included."""
    resp = await ctx(request).registry.get_retrain_job(
        registry_pb2.GetRetrainJobRequest(job_id=job_id[:100])
    )
    return retrain_job_fields(resp.job)
