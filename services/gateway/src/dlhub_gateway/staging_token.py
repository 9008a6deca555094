"""The caller's token for inputs by reference (docs/staging.md).

The gateway hands the caller's bearer token to the task manager
(``RunServableRequest.caller_token``) only when the run has a reference
that may need it (globus://, https://); the task manager passes it on in the
work item only for references that do (globus://, ``staging.token_hosts``).
A value a client sends in that field is always replaced.
"""

from __future__ import annotations

from dlhub_common._proto.dlhub.v1 import tasks_pb2

_NEEDY = ("globus://", "https://")


def bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def with_caller_token(
    request: tasks_pb2.RunServableRequest, authorization: str | None
) -> tasks_pb2.RunServableRequest:
    """``request`` with ``caller_token`` set from ``authorization`` when needed, else cleared."""
    needy = any(t.ref.lower().startswith(_NEEDY) for t in request.inputs) or any(
        s in request.inputs_json for s in _NEEDY
    )
    token = bearer(authorization) if needy else ""
    if request.caller_token != token:
        request.caller_token = token
    return request
