"""REST sharing and audit under /api/v1: change who may see and who co-owns a
servable (owner or co-owner), and read the audit log (administrators). Both
need a token, checked before the body is read
(:class:`dlhub_gateway.http.auth_gate.AuthGate`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from dlhub_common._proto.dlhub.v1 import registry_pb2, types_pb2
from dlhub_common.identity import Principal
from dlhub_common.names import check_slug
from dlhub_common.views import access_change_fields, audit_entry_fields
from dlhub_gateway.http import schemas as S
from dlhub_gateway.http.context import ctx, principal
from dlhub_gateway.http.fields import Count
from dlhub_gateway.http.schemas import answers

router = APIRouter(tags=["dlhub"])  # included by api_v1, under /api/v1
Caller = Annotated[Principal, Depends(principal)]
Entry = Annotated[str, Field(max_length=512)]


class AccessBody(BaseModel):
    """An access change; at least one of its fields is needed."""

    model_config = ConfigDict(strict=True)

    version: Count = Field(0, description="0 = every version (not the latest); else that one")
    visible_to: list[Entry] | None = Field(
        None,
        max_length=256,
        description="the new visible_to (replaces it); [] = only the owner and co-owners;"
        " leave out to keep it",
    )
    add_co_owners: list[Entry] = Field(default_factory=list, max_length=256)
    remove_co_owners: list[Entry] = Field(default_factory=list, max_length=256)


@router.post("/servables/{owner}/{name}/access", **answers(S.AccessChange))
async def set_access(
    request: Request, owner: str, name: str, _who: Caller, body: Annotated[AccessBody, Body()]
) -> dict[str, Any]:
    """Owner or co-owner: replace ``visible_to`` of one or every version, add or
    remove co-owners. The digest does not change; the change is audited."""
    resp = await ctx(request).registry.set_access(
        registry_pb2.SetAccessRequest(
            ref=types_pb2.ServableRef(
                owner=check_slug("owner", owner),
                name=check_slug("name", name),
                version=body.version,
            ),
            visible_to=(
                registry_pb2.VisibleTo(entries=body.visible_to)
                if body.visible_to is not None
                else None
            ),
            add_co_owners=body.add_co_owners,
            remove_co_owners=body.remove_co_owners,
        )
    )
    return access_change_fields(resp)


@router.get("/audit", **answers(S.AuditLog))
async def list_audit(
    request: Request,
    _who: Caller,
    actor: str = Query("", max_length=512),
    action: str = Query("", max_length=64),
    target: str = Query("", max_length=512),
    since: str = Query("", max_length=64, description="RFC 3339, e.g. 2026-01-01T00:00:00Z"),
    page_size: int = Query(50, ge=1, le=1000),
    page_token: str = Query("", max_length=256),
) -> dict[str, Any]:
    """Administrators only: the audit log, newest first."""
    resp = await ctx(request).registry.list_audit(
        registry_pb2.ListAuditRequest(
            actor=actor,
            action=action,
            target=target,
            since=since,
            page_size=page_size,
            page_token=page_token,
        )
    )
    return {
        "entries": [audit_entry_fields(e) for e in resp.entries],
        "next_page_token": resp.next_page_token or None,
    }
