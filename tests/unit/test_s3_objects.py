"""S3ObjectStore behaviour beyond the ObjectStore contract, against the stack's S3."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from dlhub_common.adapters.s3_objects import S3ObjectStore
from dlhub_common.backends import S3ObjectsConfig
from dlhub_common.errors import InvalidArgument, ResourceExhausted, Unavailable
from tests.conftest import Stack

MiB = 1 << 20
PART = 5 * MiB


def config(server: Any, **overrides: Any) -> S3ObjectsConfig:
    values: dict[str, Any] = {
        "bucket": f"unit-{uuid.uuid4().hex[:12]}",
        "endpoint_url": server.info["endpoint_url"],
        "access_key_id": SecretStr(server.info["access_key_id"]),
        "secret_access_key": SecretStr(server.info["secret_access_key"]),
        "part_size_bytes": PART,
    }
    return S3ObjectsConfig(**{**values, **overrides})


@pytest.fixture
async def store(stack: Stack, tmp_path: Path) -> AsyncIterator[S3ObjectStore]:
    s = S3ObjectStore(config(stack.require("s3"), prefix="pre/fix"), tmp_path)
    await s.start()
    try:
        yield s
    finally:
        await s.stop()


async def stream(data: bytes, chunk: int = MiB) -> AsyncIterator[bytes]:
    for i in range(0, len(data), chunk):
        yield data[i : i + chunk]


async def keys(store: S3ObjectStore) -> list[str]:
    listed = await store._s3.list_objects_v2(Bucket=store.bucket)
    return sorted(o["Key"] for o in listed.get("Contents", []))


async def uploads_in_flight(store: S3ObjectStore) -> int:
    listed = await store._s3.list_multipart_uploads(Bucket=store.bucket)
    return len(listed.get("Uploads", []))


async def test_multipart_through_a_temporary_key(
    store: S3ObjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[int] = []
    send = type(store)._put_small

    async def no_small_put(self: S3ObjectStore, final: str, data: bytearray) -> bool:
        sent.append(len(data))
        return await send(self, final, data)

    monkeypatch.setattr(S3ObjectStore, "_put_small", no_small_put)
    data = os.urandom(2 * PART + 123)
    digest = hashlib.sha256(data).hexdigest()

    info = await store.put(stream(data))
    assert (info.key, info.size, info.created) == (f"sha256/{digest}", len(data), True)
    assert sent == []  # three parts, not one PutObject
    assert await keys(store) == [f"pre/fix/sha256/{digest}"]  # the temporary key is gone
    assert await uploads_in_flight(store) == 0
    head = await store._s3.head_object(Bucket=store.bucket, Key=f"pre/fix/sha256/{digest}")
    assert head["Metadata"]["sha256"] == digest
    assert b"".join([c async for c in store.open(info.key)]) == data

    again = await store.put(stream(data))
    assert again.created is False
    assert await keys(store) == [f"pre/fix/sha256/{digest}"]


async def test_multipart_straight_to_the_final_key(store: S3ObjectStore) -> None:
    data = os.urandom(PART + 1)
    digest = hashlib.sha256(data).hexdigest()
    info = await store.put(stream(data), expected_sha256=digest)
    assert info.created is True
    assert await keys(store) == [f"pre/fix/sha256/{digest}"]

    produced = 0

    async def counted() -> AsyncIterator[bytes]:
        nonlocal produced
        async for chunk in stream(data):
            produced += len(chunk)
            yield chunk

    again = await store.put(counted(), expected_sha256=digest)  # verified, not re-uploaded
    assert (again.created, produced) == (False, len(data))
    with pytest.raises(InvalidArgument):
        await store.put(stream(data + b"!"), expected_sha256=digest)


async def test_large_copy_uses_part_copies(
    store: S3ObjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(S3ObjectStore, "_COPY_OBJECT_LIMIT", PART)
    monkeypatch.setattr(S3ObjectStore, "_COPY_PART_BYTES", PART)
    data = os.urandom(2 * PART + 7)
    info = await store.put(stream(data))
    assert info.created is True
    assert await keys(store) == [f"pre/fix/{info.key}"]
    assert await uploads_in_flight(store) == 0
    assert b"".join([c async for c in store.open(info.key)]) == data


async def test_failures_leave_no_upload_behind(store: S3ObjectStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield os.urandom(PART + 1)
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        await store.put(broken())
    with pytest.raises(ResourceExhausted):
        await store.put(stream(os.urandom(2 * PART)), max_bytes=PART + MiB)
    wrong = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(InvalidArgument):
        await store.put(stream(os.urandom(PART + 5)), expected_sha256=wrong)
    assert await keys(store) == []
    assert await uploads_in_flight(store) == 0


async def test_concurrent_puts_create_once(store: S3ObjectStore) -> None:
    data = b"racing bytes"
    results = await asyncio.gather(*(store.put(stream(data)) for _ in range(8)))
    assert sum(r.created for r in results) == 1


async def test_presigned_url_serves_the_bytes(store: S3ObjectStore) -> None:
    data = os.urandom(70_000)
    info = await store.put(stream(data))
    url = await store.presigned_url(info.key, expires_s=60)
    assert "test" not in url.split("?", 1)[0]
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.content == data
    with pytest.raises(InvalidArgument):
        await store.presigned_url("sha256/../x")


async def test_ping_names_the_endpoint_not_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(S3ObjectStore, "_PING_TIMEOUT_S", 1.0)
    dead = S3ObjectStore(
        S3ObjectsConfig(
            bucket="dead-bucket",
            endpoint_url="http://127.0.0.1:9",
            access_key_id=SecretStr("AKIDSECRET"),
            secret_access_key=SecretStr("very-secret-key"),
            create_bucket=False,
        ),
        tmp_path,
    )
    await dead.start()
    try:
        with pytest.raises(Unavailable) as info:
            await dead.ping()
    finally:
        await dead.stop()
    assert "127.0.0.1:9" in info.value.message
    assert "SECRET" not in info.value.message
    assert "very-secret-key" not in info.value.message
