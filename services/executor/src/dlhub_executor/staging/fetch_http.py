"""Staging from http(s) URLs with httpx: streamed, size-bounded, timed, redirects checked.

The caller's token goes only where ``needs_token`` says (globus HTTPS
servers, ``staging.token_hosts``), never to a redirect target on another
host. Errors name the URL without credentials or query (presigned
signatures), never the token.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from dlhub_common.errors import (
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    ResourceExhausted,
    Unavailable,
)
from dlhub_common.references import Reference, parse, redact
from dlhub_common.url_policy import UrlPolicy
from dlhub_executor.staging.cache import open_private


@dataclass
class Fetched:
    """A download's outcome: ``not_modified`` (the cached etag still holds) or a new file."""

    not_modified: bool
    etag: str = ""
    size: int = 0


def too_large(shown: str, limit: int, what: str = "input") -> ResourceExhausted:
    return ResourceExhausted(
        f"reference {shown} is larger than the {limit} bytes allowed per {what}"
        f" (staging.max_{what}_bytes)",
        details={"url": shown, "limit_bytes": limit},
    )


async def fetch_http(
    client: httpx.AsyncClient,
    policy: UrlPolicy,
    ref: Reference,
    dest: Path,
    *,
    limit: int,
    token: str = "",
    etag: str = "",
    max_redirects: int = 5,
    what: str = "input",
) -> Fetched:
    """Download ``ref`` into ``dest`` (unless ``etag`` still matches).

    Raises:
        FailedPrecondition: 404 or another refusal; PermissionDenied: 401/403;
        ResourceExhausted: over ``limit``; InvalidArgument: a redirect to a host
        that is not allowed; Unavailable: unreachable.
    """
    url, origin = ref.url, ref.host
    for _ in range(max_redirects + 1):
        headers = {"accept-encoding": "identity"}
        if token and parse(url).host == origin:
            headers["authorization"] = f"Bearer {token}"
        if etag:
            headers["if-none-match"] = etag
        try:
            async with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304 and etag:
                    return Fetched(True, etag)
                if response.status_code in (301, 302, 303, 307, 308):
                    location = response.headers.get("location", "")
                    if not location:
                        raise FailedPrecondition(f"reference {ref.shown} redirects nowhere")
                    url = urljoin(url, location)
                    target = parse(url)
                    if target.scheme not in ("http", "https"):
                        raise InvalidArgument(
                            f"reference {ref.shown} redirects to {target.scheme}://, not allowed"
                        )
                    await policy.check(target)  # a redirect is checked like the reference
                    continue
                _check_status(response.status_code, ref.shown)
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise too_large(ref.shown, limit, what)
                size = 0
                with open_private(dest) as out:
                    async for chunk in response.aiter_raw(1 << 20):
                        size += len(chunk)
                        if size > limit:
                            raise too_large(ref.shown, limit, what)
                        out.write(chunk)
                return Fetched(False, response.headers.get("etag", ""), size)
        except httpx.TimeoutException:
            raise DeadlineExceeded(
                f"reference {ref.shown} did not download in time (staging.timeout_s)",
                details={"url": ref.shown},
            ) from None
        except httpx.HTTPError as exc:
            raise Unavailable(
                f"reference {ref.shown} could not be fetched: {type(exc).__name__}",
                details={"url": ref.shown},
            ) from None
    raise FailedPrecondition(
        f"reference {ref.shown} redirects more than {max_redirects} times (staging.max_redirects)"
    )


def _check_status(status: int, shown: str) -> None:
    if status < 300:
        return
    if status in (401, 403):
        raise PermissionDenied(
            f"reference {shown} refused access (HTTP {status})", details={"url": shown}
        )
    if status in (404, 410):
        raise FailedPrecondition(
            f"reference {shown} does not exist (HTTP {status})",
            details={"url": shown, "http_status": status},
        )
    if status >= 500:
        raise Unavailable(f"reference {shown} failed (HTTP {status})", details={"url": shown})
    raise FailedPrecondition(
        f"reference {shown} could not be fetched (HTTP {status})",
        details={"url": shown, "http_status": status},
    )


__all__ = ["Fetched", "fetch_http", "redact", "too_large"]
