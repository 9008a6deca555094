"""Staging from globus://<collection-id>/<path>: Globus Transfer finds the
collection's HTTPS server, then the file is read over HTTPS access with the
caller's token (docs/staging.md).

globus-sdk is synchronous: its calls run in a thread (``asyncio.to_thread``).
``GLOBUS_SDK_SERVICE_URL_TRANSFER`` points it at a stand-in in tests.
"""

from __future__ import annotations

import asyncio
from typing import Any

from dlhub_common.errors import (
    DeadlineExceeded,
    FailedPrecondition,
    PermissionDenied,
    Unauthenticated,
    Unavailable,
)
from dlhub_common.references import Reference, parse


def _https_server(collection: str, token: str, timeout_s: float) -> Any:
    import globus_sdk
    from globus_sdk.transport import RequestsTransport, RetryConfig

    client = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(token),
        transport=RequestsTransport(http_timeout=timeout_s),
        retry_config=RetryConfig(max_retries=1, max_sleep=1.0),
    )
    return client.get_endpoint(collection).get("https_server")


async def https_url(ref: Reference, token: str, timeout_s: float) -> Reference:
    """The HTTPS-access URL of a globus:// reference.

    Raises:
        Unauthenticated: no caller token; FailedPrecondition: no such collection,
        or it offers no HTTPS access; PermissionDenied; DeadlineExceeded; Unavailable.
    """
    import globus_sdk

    if not token:
        raise Unauthenticated(
            f"reference {ref.shown} needs your Globus token: call with a token"
            " (authorization: Bearer ...)"
        )
    try:
        server = await asyncio.to_thread(_https_server, ref.host, token, timeout_s)
    except globus_sdk.GlobusAPIError as exc:
        if exc.http_status in (401, 403):
            raise PermissionDenied(
                f"reference {ref.shown}: Globus refused access to the collection"
                f" (HTTP {exc.http_status})"
            ) from None
        if exc.http_status == 404:
            raise FailedPrecondition(
                f"reference {ref.shown}: no such Globus collection", details={"url": ref.shown}
            ) from None
        raise Unavailable(
            f"reference {ref.shown}: Globus failed (HTTP {exc.http_status})"
        ) from None
    except globus_sdk.GlobusTimeoutError:
        raise DeadlineExceeded(f"reference {ref.shown}: Globus did not answer in time") from None
    except globus_sdk.NetworkError:
        raise Unavailable(f"reference {ref.shown}: Globus is unreachable") from None
    # http:// only for a stand-in's server (tests); Globus collections serve https
    if not isinstance(server, str) or not server.startswith(("https://", "http://")):
        raise FailedPrecondition(
            f"reference {ref.shown}: the collection offers no HTTPS access",
            details={"url": ref.shown},
        )
    return parse(server.rstrip("/") + ref.path)  # the path as the reference wrote it
