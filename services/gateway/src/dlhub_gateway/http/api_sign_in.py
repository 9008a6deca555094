"""The browser's "Sign in with Globus" (public routes; ``GET /api/v1/sign-in`` is in
api_v1): the flow itself is dlhub_gateway.globus_web; these routes decode and redirect."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from dlhub_common.errors import NotFound
from dlhub_gateway.http import schemas as S
from dlhub_gateway.http.context import ctx
from dlhub_gateway.http.schemas import answers

if TYPE_CHECKING:  # globus-sdk is imported only under auth.provider globus
    from dlhub_gateway.globus_web import BrowserSignIn

router = APIRouter(tags=["dlhub"])  # included by api_v1, under /api/v1
DEFAULT_RETURN_TO = "/#/account"
CALLBACK = "/api/v1/sign-in/globus/callback"


class TicketBody(BaseModel):
    """The one-time ticket the callback put in the page's address."""

    model_config = ConfigDict(strict=True)

    ticket: str = Field(min_length=1, max_length=256)


def untraced(scope: MutableMapping[str, Any]) -> bool:
    """No request span for Globus' callback: its query holds the authorization code."""
    return str(scope.get("path", "")).rstrip("/") == CALLBACK


def _flow(request: Request) -> BrowserSignIn:
    flow = ctx(request).sign_in
    if flow is None:
        raise NotFound(
            "this DLHub does not sign in with Globus (auth.provider is local):"
            " sign in with a DLHub token (GET /api/v1/sign-in)"
        )
    return flow


@router.get("/sign-in/globus", status_code=302)
async def sign_in_globus(request: Request, return_to: str = DEFAULT_RETURN_TO) -> RedirectResponse:
    """Start signing in with Globus (public): a redirect to Globus' authorize page, which
    comes back to ``/api/v1/sign-in/globus/callback`` and then to ``return_to`` (a path
    on this site) with a one-time ``ticket``."""
    flow = _flow(request)
    url = flow.start(return_to, flow.redirect_uri(str(request.base_url)))
    return RedirectResponse(url, status_code=302, headers={"cache-control": "no-store"})


@router.get("/sign-in/globus/callback", status_code=302)
async def sign_in_globus_callback(
    request: Request, state: str = "", code: str = "", error: str = "", error_description: str = ""
) -> RedirectResponse:
    """Where Globus sends the browser back (public): the code is exchanged here and the
    page gets a one-time ``ticket`` (or ``sign_in_error``) in its address, never a token."""
    from dlhub_gateway.globus_web import readable_error, with_param

    flow = _flow(request)
    if error:
        why = readable_error(error, error_description)
        back = with_param(flow.declined(state), "sign_in_error", why)
    else:
        return_to, ticket = await flow.finish(state, code)
        back = with_param(return_to, "ticket", ticket)
    return RedirectResponse(back, status_code=302, headers={"cache-control": "no-store"})


@router.post("/sign-in/globus/ticket", **answers(S.SignInToken))
async def sign_in_globus_ticket(request: Request, body: TicketBody) -> dict[str, Any]:
    """The token behind a ticket (public; once): ``token`` is a Globus access token for
    DLHub, sent as ``authorization: Bearer`` from then on."""
    token, expires_in = _flow(request).redeem(body.ticket)
    return {"token": token, "expires_in": expires_in}
