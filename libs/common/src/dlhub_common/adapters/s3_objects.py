"""ObjectStore on S3 (AWS, SeaweedFS, MinIO, moto...), content-addressed.

Layout in the bucket, under ``config.prefix``::

    sha256/<hex>      the objects (user metadata ``sha256`` = <hex>)
    tmp/<uuid>        multipart uploads whose digest was not known in advance

A key names the sha256 of its content, and the digest is known only once the
stream has been read, so ``put`` works in one of three ways:

* The stream fits in one part (``config.part_size_bytes``): it is hashed while
  it is buffered, verified, and written with one ``PutObject`` at its final
  key. This is the only case where the whole object is in memory, and it is
  smaller than one part.
* ``expected_sha256`` is given: the final key is known from the start, so the
  parts go straight into a multipart upload there. The upload is completed
  only when the digest matches; until then S3 shows nothing under the key.
  When the key is already stored, the stream is read and verified but not
  uploaded again.
* Otherwise the parts go into a multipart upload at a temporary key, which is
  then copied server-side to its final key (``CopyObject`` up to 5 GiB,
  ``UploadPartCopy`` beyond) and deleted.

Every write to a final key is conditional (``If-None-Match: *``), so of two
concurrent puts of the same bytes only one reports ``created=True`` on servers
that honour conditional writes (AWS; SeaweedFS 4.x; moto, except on CopyObject).
Elsewhere a race rewrites the same bytes and both may report ``created=True``.

Parts and single puts carry their SHA-256 checksum (``x-amz-checksum-sha256``)
so the server rejects bytes damaged in transit (moto records it but does not
check it); the digest also travels as user metadata ``sha256``. ``download``
checks the digest of what it wrote before renaming it into place.

A process killed in the middle of a put leaves an incomplete multipart upload
or a ``tmp/`` object behind. :meth:`S3ObjectStore.incomplete` lists both and
:meth:`S3ObjectStore.discard` removes one; the registry's leftover collector
uses them (a bucket lifecycle rule that aborts incomplete multipart uploads
and expires ``tmp/`` after a day is a good second line).

The request helpers and error translation are in ``_s3_calls``, multipart
uploads in ``_s3_multipart``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from dlhub_common.adapters import _object_rules as rules
from dlhub_common.adapters._object_files import sync_file, write_chunk
from dlhub_common.adapters._s3_calls import (
    CONTENT_TYPE,
    NO_KEY_CODES,
    NO_UPLOAD_CODES,
    code,
    ensure_bucket,
    open_client,
    quietly,
    translated,
    unless_exists,
)
from dlhub_common.adapters._s3_multipart import MultipartUpload
from dlhub_common.backends import S3ObjectsConfig
from dlhub_common.errors import (
    FailedPrecondition,
    InternalError,
    InvalidArgument,
    NotFound,
    Unavailable,
)
from dlhub_common.ports.objects import Incomplete, ObjectInfo, ObjectStore, StoredObject

_MiB = 1 << 20
_GiB = 1 << 30
_WRITE_BYTES = _MiB
_HASH_IN_THREAD_BYTES = 256 * 1024  # hashlib drops the GIL; worth a thread above this


class S3ObjectStore(ObjectStore):
    """Objects in ``config.bucket`` under ``config.prefix``."""

    # Server-side copies: one CopyObject up to this size, else parts of _COPY_PART_BYTES.
    _COPY_OBJECT_LIMIT = 5 * _GiB
    _COPY_PART_BYTES = 1 * _GiB
    _COPY_CONCURRENCY = 4
    _PING_TIMEOUT_S = 5.0

    def __init__(self, config: S3ObjectsConfig, data_dir: Path) -> None:
        self.config = config
        self.bucket = config.bucket
        prefix = config.prefix.lstrip("/")
        self.prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        self.part_size = config.part_size_bytes
        self._where = f"S3 bucket {config.bucket!r} at {config.endpoint_url or 'AWS'}"
        self._stack: contextlib.AsyncExitStack | None = None
        self._client: Any = None
        self._lock = asyncio.Lock()

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        async with self._lock:
            if self._client is not None:
                return
            stack = contextlib.AsyncExitStack()
            try:
                self._client = await stack.enter_async_context(open_client(self.config))
                self._stack = stack
                if self.config.create_bucket:
                    async with self._errors():
                        await ensure_bucket(self._client, self.bucket, self.config.region)
            except BaseException:
                self._client = None
                self._stack = None
                await stack.aclose()
                raise

    async def stop(self) -> None:
        async with self._lock:
            stack, self._stack, self._client = self._stack, None, None
            if stack is not None:
                await stack.aclose()

    async def ping(self) -> None:
        try:
            async with asyncio.timeout(self._PING_TIMEOUT_S):  # not the retries' back-off
                await self._s3.head_bucket(Bucket=self.bucket)
        except TimeoutError:
            raise Unavailable(
                f"{self._where} does not answer within {self._PING_TIMEOUT_S:g}s",
                details={"bucket": self.bucket},
            ) from None
        except ClientError as exc:
            raise Unavailable(
                f"{self._where} does not answer: {code(exc)}", details={"bucket": self.bucket}
            ) from None
        except BotoCoreError as exc:
            raise Unavailable(
                f"{self._where} does not answer: {type(exc).__name__}",
                details={"bucket": self.bucket},
            ) from None

    # -- the port --------------------------------------------------------------

    async def put(
        self,
        chunks: AsyncIterable[bytes],
        *,
        expected_sha256: str | None = None,
        max_bytes: int | None = None,
    ) -> ObjectInfo:
        expected_sha256 = rules.expected_digest(expected_sha256)
        s3 = self._s3
        if expected_sha256 is not None:
            async with self._errors():
                stored = await self._exists(self._full(expected_sha256))
            if stored:  # read and verify the stream, upload nothing
                digest, size = await _drain(chunks, max_bytes)
                rules.verify_digest(digest, expected_sha256)
                return rules.object_info(digest, size, created=False)

        # Straight to the final key when it is known, else to a temporary one.
        target = (
            self._full(expected_sha256)
            if expected_sha256 is not None
            else f"{self.prefix}tmp/{uuid.uuid4().hex}"
        )
        upload = MultipartUpload(
            s3,
            self.bucket,
            target,
            self.part_size,
            {"sha256": expected_sha256} if expected_sha256 is not None else {},
        )
        hasher = hashlib.sha256()
        size = 0
        buffer = bytearray()
        try:
            # Errors of the caller's stream pass through untranslated; only the
            # S3 requests go through self._errors().
            async for chunk in chunks:
                size += len(chunk)
                rules.check_size(size, max_bytes)
                await _update(hasher, chunk)
                view = memoryview(chunk)
                while view:
                    take = min(len(view), upload.part_size - len(buffer))
                    buffer += view[:take]
                    view = view[take:]
                    if len(buffer) >= upload.part_size:
                        async with self._errors():
                            await upload.send(buffer)
                        buffer = bytearray()
            digest = hasher.hexdigest()
            rules.verify_digest(digest, expected_sha256)
            final = self._full(digest)

            async with self._errors():
                if not upload.started:  # smaller than one part: one conditional PutObject
                    created = await self._put_small(final, buffer)
                    return rules.object_info(digest, size, created=created)
                if buffer:
                    await upload.send(buffer)
                    buffer = bytearray()
                if target == final:
                    created = await upload.complete(if_none_match=True)
                    return rules.object_info(digest, size, created=created)
                await upload.complete(if_none_match=False)
                try:
                    created = await self._publish(target, final, digest, size)
                finally:
                    await quietly(s3.delete_object(Bucket=self.bucket, Key=target))
                return rules.object_info(digest, size, created=created)
        except BaseException:
            await upload.abort()
            raise

    async def open(self, key: str, *, chunk_size: int = 1 << 20) -> AsyncIterator[bytes]:
        rules.check_chunk_size(chunk_size)
        full = self._key(key)
        body = await self._get_body(full, key)
        try:
            buffer = bytearray()
            while data := await self._read(body, chunk_size - len(buffer)):
                buffer += data
                if len(buffer) >= chunk_size:
                    yield bytes(buffer)
                    buffer = bytearray()
            if buffer:
                yield bytes(buffer)
        finally:
            body.close()

    async def download(self, key: str, dest: Path) -> None:
        full = self._key(key)
        expected = full.rsplit("/", 1)[1]
        body = await self._get_body(full, key)
        try:
            await asyncio.to_thread(dest.parent.mkdir, parents=True, exist_ok=True)
            fd, tmp_name = await asyncio.to_thread(
                tempfile.mkstemp, dir=dest.parent, prefix=f".{dest.name}.", suffix=".part"
            )
            try:
                hasher = hashlib.sha256()
                with os.fdopen(fd, "wb") as file:
                    buffer = bytearray()
                    while data := await self._read(body, _WRITE_BYTES):
                        buffer += data
                        if len(buffer) >= _WRITE_BYTES:  # one thread hop per MiB
                            await asyncio.to_thread(write_chunk, file, hasher, buffer)
                            buffer = bytearray()
                    await asyncio.to_thread(write_chunk, file, hasher, buffer)
                    await asyncio.to_thread(sync_file, file)
                if hasher.hexdigest() != expected:
                    raise InternalError(
                        f"object {key} read back with sha256 {hasher.hexdigest()}",
                        details={"key": key, "actual_sha256": hasher.hexdigest()},
                    )
                await asyncio.to_thread(os.replace, tmp_name, dest)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    await asyncio.to_thread(os.unlink, tmp_name)
        finally:
            body.close()

    async def stat(self, key: str) -> int | None:
        full = self._key(key)
        async with self._errors():
            head = await self._head(full)
        return None if head is None else int(head["ContentLength"])

    async def delete(self, key: str) -> bool:
        full = self._key(key)
        async with self._errors():
            if await self._head(full) is None:  # S3 deletes answer 204 either way
                return False
            await self._s3.delete_object(Bucket=self.bucket, Key=full)
        return True

    async def list_objects(self) -> AsyncIterator[StoredObject]:
        async for item in self._listed(f"{self.prefix}sha256/"):
            digest = item["Key"].rsplit("/", 1)[1]
            if rules.is_digest(digest):
                yield StoredObject(
                    key=f"sha256/{digest}",
                    size=int(item["Size"]),
                    modified=item["LastModified"].timestamp(),
                )

    async def incomplete(self) -> AsyncIterator[Incomplete]:
        final = f"{self.prefix}sha256/"
        params: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.prefix}
        while True:
            async with self._errors():
                page = await self._s3.list_multipart_uploads(**params)
            for upload in page.get("Uploads", []):
                key = str(upload["Key"])
                digest = key.removeprefix(final)
                yield Incomplete(
                    ref=key,
                    key=f"sha256/{digest}"
                    if key.startswith(final) and rules.is_digest(digest)
                    else None,
                    started=upload["Initiated"].timestamp(),
                    upload_id=str(upload["UploadId"]),
                )
            if not page.get("IsTruncated"):
                break
            params.update(
                KeyMarker=page.get("NextKeyMarker", ""),
                UploadIdMarker=page.get("NextUploadIdMarker", ""),
            )
        async for item in self._listed(f"{self.prefix}tmp/"):
            yield Incomplete(ref=item["Key"], key=None, started=item["LastModified"].timestamp())

    async def discard(self, item: Incomplete) -> bool:
        if not item.ref.startswith(self.prefix):
            raise InvalidArgument(f"{item.ref!r} is not under this store's prefix")
        async with self._errors():
            if item.upload_id:
                try:
                    await self._s3.abort_multipart_upload(
                        Bucket=self.bucket, Key=item.ref, UploadId=item.upload_id
                    )
                except ClientError as exc:
                    if code(exc) in NO_UPLOAD_CODES:
                        return False
                    raise
                return True
            if not item.ref.startswith(f"{self.prefix}tmp/"):
                raise InvalidArgument(f"{item.ref!r} is a stored object, not a leftover")
            if await self._head(item.ref) is None:
                return False
            await self._s3.delete_object(Bucket=self.bucket, Key=item.ref)
        return True

    async def presigned_url(self, key: str, expires_s: int = 3600) -> str:
        """A URL that GETs the object without credentials for ``expires_s`` seconds.

        The URL is signed locally; it does not check that the object exists.
        """
        full = self._key(key)
        if not 1 <= expires_s <= 7 * 24 * 3600:
            raise InvalidArgument("expires_s must be between 1 second and 7 days")
        url: str = await self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": full}, ExpiresIn=expires_s
        )
        return url

    # -- helpers ---------------------------------------------------------------

    @property
    def _s3(self) -> Any:
        if self._client is None:
            raise FailedPrecondition("the S3 object store is not started")
        return self._client

    def _key(self, key: str) -> str:
        return self._full(rules.key_digest(key))

    def _full(self, digest: str) -> str:
        return f"{self.prefix}sha256/{digest}"

    async def _head(self, full: str) -> dict[str, Any] | None:
        try:
            head: dict[str, Any] = await self._s3.head_object(Bucket=self.bucket, Key=full)
        except ClientError as exc:
            if code(exc) in NO_KEY_CODES:
                return None
            raise
        return head

    async def _exists(self, full: str) -> bool:
        return await self._head(full) is not None

    async def _get_body(self, full: str, key: str) -> Any:
        async with self._errors():
            try:
                response = await self._s3.get_object(Bucket=self.bucket, Key=full)
            except ClientError as exc:
                if code(exc) in NO_KEY_CODES:
                    raise NotFound(f"no object {key}") from None
                raise
        return response["Body"]

    async def _put_small(self, final: str, data: bytearray) -> bool:
        """PutObject at the final key unless it exists; True when this call created it."""
        if await self._exists(final):
            return False
        digest = final.rsplit("/", 1)[1]
        return await unless_exists(
            self._s3.put_object(
                Bucket=self.bucket,
                Key=final,
                Body=bytes(data),
                ContentType=CONTENT_TYPE,
                Metadata={"sha256": digest},
                ChecksumSHA256=base64.b64encode(bytes.fromhex(digest)).decode(),
                IfNoneMatch="*",
            )
        )

    async def _publish(self, tmp: str, final: str, digest: str, size: int) -> bool:
        """Copy a completed temporary object to its final key unless it exists."""
        if await self._exists(final):
            return False
        source = {"Bucket": self.bucket, "Key": tmp}
        if size <= self._COPY_OBJECT_LIMIT:
            return await unless_exists(
                self._s3.copy_object(
                    Bucket=self.bucket,
                    Key=final,
                    CopySource=source,
                    MetadataDirective="REPLACE",
                    Metadata={"sha256": digest},
                    ContentType=CONTENT_TYPE,
                    ChecksumAlgorithm="SHA256",
                    IfNoneMatch="*",
                )
            )
        copy = MultipartUpload(
            self._s3, self.bucket, final, self._COPY_PART_BYTES, {"sha256": digest}
        )
        try:
            await copy.copy_from(source, size, self._COPY_PART_BYTES, self._COPY_CONCURRENCY)
            return await copy.complete(if_none_match=True)
        except BaseException:
            await copy.abort()
            raise

    async def _listed(self, prefix: str) -> AsyncIterator[dict[str, Any]]:
        """Every object under ``prefix`` (ListObjectsV2, page by page)."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
        while True:
            async with self._errors():
                page = await self._s3.list_objects_v2(**params)
            for item in page.get("Contents", []):
                yield item
            if not page.get("IsTruncated"):
                return
            params["ContinuationToken"] = page["NextContinuationToken"]

    async def _read(self, body: Any, size: int) -> bytes:
        async with self._errors():
            data: bytes = await body.read(size)
        return data

    def _errors(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Translate client errors into DLHub errors (never echoing credentials)."""
        return translated(self._where)


async def _update(hasher: Any, data: bytes) -> None:
    if len(data) >= _HASH_IN_THREAD_BYTES:
        await asyncio.to_thread(hasher.update, data)
    else:
        hasher.update(data)


async def _drain(chunks: AsyncIterable[bytes], max_bytes: int | None) -> tuple[str, int]:
    """Hash a stream without storing it; returns (hex digest, size)."""
    hasher = hashlib.sha256()
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        rules.check_size(size, max_bytes)
        await _update(hasher, chunk)
    return hasher.hexdigest(), size
