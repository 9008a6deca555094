"""S3 multipart uploads: parts streamed in order, or copied server-side."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from dlhub_common.adapters._s3_calls import CONTENT_TYPE, EXISTS_CODES, code, quietly
from dlhub_common.errors import ResourceExhausted

_GiB = 1 << 30
MAX_PARTS = 10_000
MAX_PART_BYTES = 5 * _GiB


class MultipartUpload:
    """One multipart upload, created when its first part is sent."""

    def __init__(
        self, s3: Any, bucket: str, key: str, part_size: int, metadata: dict[str, str]
    ) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._key = key
        self._base_part_size = part_size
        self._metadata = metadata
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._done = False

    @property
    def started(self) -> bool:
        return self._upload_id is not None

    @property
    def part_size(self) -> int:
        """Doubles every 1000 parts so that 10,000 parts hold any object up to 5 TiB."""
        return min(self._base_part_size << (len(self._parts) // 1000), MAX_PART_BYTES)

    async def _create(self) -> str:
        if self._upload_id is None:
            created = await self._s3.create_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                ContentType=CONTENT_TYPE,
                Metadata=self._metadata,
                ChecksumAlgorithm="SHA256",
            )
            self._upload_id = str(created["UploadId"])
        return self._upload_id

    async def send(self, data: bytearray) -> None:
        upload_id = await self._create()
        number = len(self._parts) + 1
        if number > MAX_PARTS:
            raise ResourceExhausted(f"object needs more than {MAX_PARTS} parts")
        checksum = await asyncio.to_thread(b64_sha256, data)
        response = await self._s3.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=upload_id,
            PartNumber=number,
            Body=data,  # not copied: the caller starts a new buffer afterwards
            ChecksumSHA256=checksum,
        )
        self._parts.append(
            {
                "PartNumber": number,
                "ETag": response["ETag"],
                "ChecksumSHA256": response.get("ChecksumSHA256") or checksum,
            }
        )

    async def copy_from(
        self, source: dict[str, str], size: int, part_size: int, concurrency: int
    ) -> None:
        upload_id = await self._create()
        ranges = [(start, min(start + part_size, size) - 1) for start in range(0, size, part_size)]
        if len(ranges) > MAX_PARTS:
            raise ResourceExhausted(f"object needs more than {MAX_PARTS} parts to copy")
        limit = asyncio.Semaphore(concurrency)

        async def one(number: int, first: int, last: int) -> dict[str, Any]:
            async with limit:
                response = await self._s3.upload_part_copy(
                    Bucket=self._bucket,
                    Key=self._key,
                    UploadId=upload_id,
                    PartNumber=number,
                    CopySource=source,
                    CopySourceRange=f"bytes={first}-{last}",
                )
            result = response["CopyPartResult"]
            part = {"PartNumber": number, "ETag": result["ETag"]}
            if result.get("ChecksumSHA256"):
                part["ChecksumSHA256"] = result["ChecksumSHA256"]
            return part

        self._parts = list(
            await asyncio.gather(*(one(i + 1, a, b) for i, (a, b) in enumerate(ranges)))
        )

    async def complete(self, *, if_none_match: bool) -> bool:
        """Complete the upload; False when ``if_none_match`` and the key already existed."""
        parts = self._parts
        if not all("ChecksumSHA256" in p for p in parts):
            parts = [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in parts]
        extra: dict[str, Any] = {"IfNoneMatch": "*"} if if_none_match else {}
        try:
            await self._s3.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": parts},
                **extra,
            )
        except ClientError as exc:
            if if_none_match and code(exc) in EXISTS_CODES:
                await self.abort()
                return False
            raise
        self._done = True
        return True

    async def abort(self) -> None:
        if self._upload_id is not None and not self._done:
            self._done = True
            await quietly(
                self._s3.abort_multipart_upload(
                    Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
                )
            )


def b64_sha256(data: bytes | bytearray) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()
