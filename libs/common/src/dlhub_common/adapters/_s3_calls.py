"""What the S3 adapter's calls share: the client, error codes and their translation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import aioboto3  # type: ignore[import-untyped]
from aiobotocore.config import AioConfig  # type: ignore[import-untyped]
from botocore.exceptions import (  # type: ignore[import-untyped]
    ClientError,
    HTTPClientError,
    NoCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from dlhub_common.backends import S3ObjectsConfig
from dlhub_common.errors import InternalError, PermissionDenied, Unavailable

CONTENT_TYPE = "application/octet-stream"
# A HEAD has no body, so its 404 cannot tell a missing key from a missing bucket.
NO_KEY_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
NO_BUCKET_CODES = frozenset({"404", "NoSuchBucket", "NotFound"})
NO_UPLOAD_CODES = frozenset({"404", "NoSuchUpload"})
EXISTS_CODES = frozenset({"412", "PreconditionFailed"})
# Worth retrying; ConditionalRequestConflict: a concurrent conditional write is in flight.
_RETRY_CODES = frozenset(
    {"SlowDown", "ServiceUnavailable", "InternalError", "ConditionalRequestConflict"}
)
_DENIED_CODES = frozenset({"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"})
# Connection refused or reset, timeouts, broken response streams.
_UNREACHABLE = (BotoConnectionError, HTTPClientError)


def code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


@contextlib.asynccontextmanager
async def translated(where: str) -> AsyncIterator[None]:
    """Translate client errors into DLHub errors (never echoing credentials).

    Args:
        where: names the bucket and endpoint in messages.
    """
    try:
        yield
    except ClientError as exc:
        name = code(exc)
        if name in _DENIED_CODES:
            raise PermissionDenied(f"{where} refused access: {name}") from None
        if name == "NoSuchBucket":
            raise Unavailable(f"{where} does not exist") from None
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if name in _RETRY_CODES or status >= 500:
            raise Unavailable(f"{where} failed: {name}") from None
        raise InternalError(f"{where} failed: {name}") from None
    except _UNREACHABLE as exc:
        raise Unavailable(f"{where} does not answer: {type(exc).__name__}") from None
    except NoCredentialsError:
        raise PermissionDenied(f"{where}: no credentials configured") from None


async def unless_exists(write: Awaitable[Any]) -> bool:
    """Await a conditional write (``IfNoneMatch="*"``); False when the key already existed."""
    try:
        await write
    except ClientError as exc:
        if code(exc) in EXISTS_CODES:
            return False
        raise
    return True


async def quietly(request: Any) -> None:
    """Await a clean-up request; its failure must not hide the error being handled."""
    with contextlib.suppress(Exception):
        await asyncio.shield(request)


_SESSION: Any = None


def session() -> Any:
    """One session per process: it caches the service model clients are built from."""
    global _SESSION
    if _SESSION is None:
        _SESSION = aioboto3.Session()
    return _SESSION


def secret(value: Any) -> str | None:
    return None if value is None else str(value.get_secret_value())


def open_client(config: S3ObjectsConfig) -> Any:
    """The S3 client of ``config``, as an async context manager."""
    return session().client(
        "s3",
        endpoint_url=config.endpoint_url,
        region_name=config.region,
        aws_access_key_id=secret(config.access_key_id),
        aws_secret_access_key=secret(config.secret_access_key),
        config=AioConfig(
            connect_timeout=10,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            max_pool_connections=32,
            signature_version="s3v4",  # SigV4, presigned URLs included
            s3={"addressing_style": "path" if config.endpoint_url else "auto"},
        ),
    )


async def ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    """Create the bucket unless it exists (raw client errors: translate them)."""
    try:
        await s3.head_bucket(Bucket=bucket)
        return
    except ClientError as exc:
        if code(exc) not in NO_BUCKET_CODES:
            raise
    params: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        await s3.create_bucket(**params)
    except ClientError as exc:
        if code(exc) not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
            raise
