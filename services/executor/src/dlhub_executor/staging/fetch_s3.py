"""Staging from (and outputs to) s3://bucket/key with the executor's S3 credentials.

The client is built like the object store's (dlhub_common.adapters._s3_calls):
``staging.s3`` settings, else the object store's S3 settings, else the AWS
chain. aioboto3 is imported here only, when an s3:// reference is staged.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from dlhub_common.backends import S3ObjectsConfig
from dlhub_common.errors import FailedPrecondition, PermissionDenied, Unavailable
from dlhub_common.references import Reference
from dlhub_common.staging_settings import StagingS3Settings
from dlhub_executor.staging.cache import open_private
from dlhub_executor.staging.fetch_http import Fetched, too_large

_MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}
_DENIED = {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}


def s3_config(staging: StagingS3Settings, objects: Any) -> S3ObjectsConfig:
    """The S3 settings staging uses (its own, else the object store's S3 ones)."""
    base = objects if isinstance(objects, S3ObjectsConfig) else None
    return S3ObjectsConfig(
        bucket="staging-unused",
        endpoint_url=staging.endpoint_url or (base.endpoint_url if base else None),
        region=staging.region if staging.endpoint_url or not base else base.region,
        access_key_id=staging.access_key_id or (base.access_key_id if base else None),
        secret_access_key=staging.secret_access_key or (base.secret_access_key if base else None),
        create_bucket=False,
    )


class S3Source:
    """One aioboto3 client for staging, opened on first use."""

    def __init__(self, config: S3ObjectsConfig) -> None:
        self.config = config
        self._stack: contextlib.AsyncExitStack | None = None
        self._client: Any = None

    async def _s3(self) -> Any:
        if self._client is None:
            from dlhub_common.adapters._s3_calls import open_client

            stack = contextlib.AsyncExitStack()
            self._client = await stack.enter_async_context(open_client(self.config))
            self._stack = stack
        return self._client

    async def close(self) -> None:
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    async def fetch(
        self, ref: Reference, dest: Path, *, limit: int, etag: str, what: str
    ) -> Fetched:
        """Download ``ref`` into ``dest`` unless its ETag is still ``etag``."""
        from botocore.exceptions import BotoCoreError, ClientError

        s3 = await self._s3()
        key = ref.path.lstrip("/")
        try:
            head = await s3.head_object(Bucket=ref.host, Key=key)
            tag = str(head.get("ETag", ""))
            if etag and tag == etag:
                return Fetched(True, etag)
            if int(head.get("ContentLength", 0)) > limit:
                raise too_large(ref.shown, limit, what)
            response = await s3.get_object(Bucket=ref.host, Key=key)
            size = 0
            body = response["Body"]
            try:
                with open_private(dest) as out:
                    while chunk := await body.read(1 << 20):
                        size += len(chunk)
                        if size > limit:
                            raise too_large(ref.shown, limit, what)
                        out.write(chunk)
            finally:
                body.close()
            return Fetched(False, str(response.get("ETag", tag)), size)
        except ClientError as exc:
            raise _translated(exc, ref.shown) from None
        except BotoCoreError as exc:  # unreachable endpoint, broken stream
            raise Unavailable(
                f"reference {ref.shown}: S3 is unreachable ({type(exc).__name__})"
            ) from None

    async def put(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        """Write one output object."""
        from botocore.exceptions import BotoCoreError, ClientError

        s3 = await self._s3()
        try:
            await s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)
        except ClientError as exc:
            raise _translated(exc, f"s3://{bucket}/{key}") from None
        except BotoCoreError as exc:
            raise Unavailable(
                f"s3://{bucket}/{key}: S3 is unreachable ({type(exc).__name__})"
            ) from None


def _translated(exc: Any, shown: str) -> Exception:
    code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
    if code in _MISSING:
        return FailedPrecondition(
            f"reference {shown} does not exist (S3 {code})", details={"url": shown}
        )
    if code in _DENIED:
        return PermissionDenied(f"reference {shown}: S3 refused access ({code})")
    return Unavailable(f"reference {shown}: S3 failed ({code})", details={"url": shown})
