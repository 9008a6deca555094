"""Resumable upload sessions for large artifacts, through an in-process mesh:
gRPC (CreateUpload / WriteUpload / GetUpload + UploadRef publish), HTTP
(/api/v1/uploads) and the SDK's automatic use of them."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

from dlhub_common._proto.dlhub.v1 import registry_pb2
from dlhub_registry.uploads import UploadSessions
from dlhub_sdk.cli import ProgressBar
from dlhub_sdk.client import DLHubClient

from .conftest import RPC_TIMEOUT_S, Mesh, TinyModel

MiB = 1 << 20


def blob(size: int, seed: int = 0) -> bytes:
    return np.random.default_rng(seed).bytes(size)


def metadata_with_data(name: str) -> dict[str, Any]:
    meta = TinyModel.metadata(name)
    meta["dlhub"]["files"] = {"model": "model.onnx", "other": ["data.bin"]}
    return meta


def uploads_dir(mesh: Mesh) -> Path:
    return mesh.data_dir / "uploads"


async def create(mesh: Mesh, data: bytes, *, sha256: str | None = None, token: Any = None) -> str:
    md = mesh.md() if token is None else mesh.md(token)
    resp = await mesh.stub.CreateUpload(
        registry_pb2.CreateUploadRequest(
            path="data.bin", size=len(data), sha256=sha256 or hashlib.sha256(data).hexdigest()
        ),
        metadata=md,
        timeout=RPC_TIMEOUT_S,
    )
    assert resp.upload_id
    assert resp.chunk_size > 0
    assert resp.received == 0
    return str(resp.upload_id)


def pieces(
    upload_id: str, data: bytes, start: int, step: int
) -> list[registry_pb2.WriteUploadRequest]:
    return [
        registry_pb2.WriteUploadRequest(
            upload_id=upload_id, offset=off, data=data[off : off + step]
        )
        for off in range(start, len(data), step)
    ]


async def write(mesh: Mesh, upload_id: str, data: bytes, start: int = 0, step: int = MiB) -> int:
    resp = await mesh.stub.WriteUpload(
        iter(pieces(upload_id, data, start, step)), metadata=mesh.md(), timeout=RPC_TIMEOUT_S
    )
    return int(resp.received)


async def status(mesh: Mesh, upload_id: str, token: Any = None) -> registry_pb2.GetUploadResponse:
    md = mesh.md() if token is None else mesh.md(token)
    resp: registry_pb2.GetUploadResponse = await mesh.stub.GetUpload(
        registry_pb2.GetUploadRequest(upload_id=upload_id), metadata=md, timeout=RPC_TIMEOUT_S
    )
    return resp


async def publish_with_upload(
    mesh: Mesh, name: str, upload_id: str, data: bytes
) -> registry_pb2.PublishServableResponse:
    """The tiny model streamed in the call, data.bin named by its upload."""
    header = registry_pb2.PublishHeader(
        metadata_json=json.dumps(metadata_with_data(name)),
        artifacts=[
            registry_pb2.ArtifactInfo(
                path="model.onnx", size=len(mesh.model.data), sha256=mesh.model.sha256
            ),
            registry_pb2.ArtifactInfo(
                path="data.bin", size=len(data), sha256=hashlib.sha256(data).hexdigest()
            ),
        ],
        uploads=[registry_pb2.UploadRef(path="data.bin", upload_id=upload_id)],
    )
    messages = [
        registry_pb2.PublishServableRequest(header=header),
        registry_pb2.PublishServableRequest(
            chunk=registry_pb2.ArtifactChunk(path="model.onnx", data=mesh.model.data)
        ),
    ]
    resp: registry_pb2.PublishServableResponse = await mesh.stub.PublishServable(
        iter(messages), metadata=mesh.md(), timeout=120
    )
    return resp


async def publish_header(
    mesh: Mesh, header: registry_pb2.PublishHeader, token: Any = None
) -> registry_pb2.PublishServableResponse:
    """Publish with ``header``, streaming only the tiny model (``token=None``: alice)."""
    messages = [
        registry_pb2.PublishServableRequest(header=header),
        registry_pb2.PublishServableRequest(
            chunk=registry_pb2.ArtifactChunk(path="model.onnx", data=mesh.model.data)
        ),
    ]
    resp: registry_pb2.PublishServableResponse = await mesh.stub.PublishServable(
        iter(messages),
        metadata=mesh.md() if token is None else mesh.md(token),
        timeout=RPC_TIMEOUT_S,
    )
    return resp


async def downloaded_sha256(mesh: Mesh, name: str, path: str = "data.bin") -> str:
    h = hashlib.sha256()
    async with mesh.http.stream(
        "GET", f"/api/v1/servables/alice/{name}/files/{path}", headers=mesh.headers()
    ) as resp:
        assert resp.status_code == 200, await resp.aread()
        async for piece in resp.aiter_bytes():
            h.update(piece)
    return h.hexdigest()


async def assert_gone(mesh: Mesh, upload_id: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await status(mesh, upload_id)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    assert not list(uploads_dir(mesh).glob(f"{upload_id}*"))


# ================================================================== gRPC


async def test_resume_after_an_interrupted_stream(mesh: Mesh) -> None:
    data = blob(5 * MiB + 123)
    upload_id = await create(mesh, data)
    sent = pieces(upload_id, data, 0, MiB)
    hold = asyncio.Event()

    async def three_then_stall() -> AsyncIterator[registry_pb2.WriteUploadRequest]:
        for msg in sent[:3]:
            yield msg
        await hold.wait()  # the connection "hangs" until the call is cancelled

    call = mesh.stub.WriteUpload(three_then_stall(), metadata=mesh.md(), timeout=RPC_TIMEOUT_S)
    async with asyncio.timeout(10):
        while (await status(mesh, upload_id)).received < 3 * MiB:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call

    got = await status(mesh, upload_id)
    assert (got.received, got.size, got.complete) == (3 * MiB, len(data), False)
    # publishing now is refused: the upload is incomplete
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await publish_with_upload(mesh, "resumed", upload_id, data)
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert f"resume it from offset {3 * MiB}" in (info.value.details() or "")

    assert await write(mesh, upload_id, data, start=got.received) == len(data)
    assert (await status(mesh, upload_id)).complete

    resp = await publish_with_upload(mesh, "resumed", upload_id, data)
    assert resp.servable.summary.version == 1
    assert await downloaded_sha256(mesh, "resumed") == hashlib.sha256(data).hexdigest()
    await assert_gone(mesh, upload_id)  # a published upload is deleted


async def test_wrong_offset_is_rejected_with_the_expected_one(mesh: Mesh) -> None:
    data = blob(3 * MiB, seed=1)
    upload_id = await create(mesh, data)
    assert await write(mesh, upload_id, data[:MiB]) == MiB
    for offset in (0, 2 * MiB):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await mesh.stub.WriteUpload(
                iter(
                    [registry_pb2.WriteUploadRequest(upload_id=upload_id, offset=offset, data=b"x")]
                ),
                metadata=mesh.md(),
                timeout=RPC_TIMEOUT_S,
            )
        assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
        assert f"expects offset {MiB}" in (info.value.details() or "")
    assert (await status(mesh, upload_id)).received == MiB
    # writing past the announced size is refused too
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await write(mesh, upload_id, data + b"extra", start=MiB, step=4 * MiB)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert (await status(mesh, upload_id)).received == MiB


async def test_sha256_mismatch_rejects_the_publish_and_stores_nothing(mesh: Mesh) -> None:
    data = blob(2 * MiB, seed=2)
    before = mesh.object_files()
    upload_id = await create(mesh, data, sha256="0" * 64)
    assert await write(mesh, upload_id, data) == len(data)
    header = registry_pb2.PublishHeader(
        metadata_json=json.dumps(metadata_with_data("badsum")),
        uploads=[registry_pb2.UploadRef(path="data.bin", upload_id=upload_id)],
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await publish_header(mesh, header)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "sha256" in (info.value.details() or "")
    await assert_gone(mesh, upload_id)  # bytes that can never verify are dropped
    await mesh.assert_nothing_stored("badsum", before)


async def test_foreign_and_expired_uploads_are_rejected(mesh: Mesh) -> None:
    data = blob(MiB, seed=3)
    upload_id = await create(mesh, data)
    # another user: the same answer as for an unknown id
    for call in (
        status(mesh, upload_id, token=mesh.bob_token),
        mesh.stub.WriteUpload(
            iter(pieces(upload_id, data, 0, MiB)),
            metadata=mesh.md(mesh.bob_token),
            timeout=RPC_TIMEOUT_S,
        ),
        status(mesh, "f" * 32),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await call
        assert info.value.code() is grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.stub.GetUpload(
            registry_pb2.GetUploadRequest(upload_id=upload_id),
            metadata=mesh.md(None),
            timeout=RPC_TIMEOUT_S,
        )
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert await write(mesh, upload_id, data) == len(data)
    # bob cannot publish alice's upload either
    header = registry_pb2.PublishHeader(
        metadata_json=json.dumps(metadata_with_data("foreign")),
        uploads=[registry_pb2.UploadRef(path="data.bin", upload_id=upload_id)],
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await publish_header(mesh, header, mesh.bob_token)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    assert (await status(mesh, upload_id)).complete  # alice's upload is untouched

    # expire it: 25 h old
    docs = await mesh.backends.documents()
    old = datetime.now(UTC) - timedelta(hours=25)
    await docs.update("uploads", upload_id, {"created_at": old.isoformat()})
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await publish_with_upload(mesh, "expired", upload_id, data)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    assert "expire" in (info.value.details() or "")
    await assert_gone(mesh, upload_id)

    # the timer's sweep removes expired sessions nobody asks about
    other = await create(mesh, data)
    await docs.update("uploads", other, {"created_at": old.isoformat()})
    sessions = UploadSessions(docs, uploads_dir(mesh), max_bytes=1 << 40)
    assert await sessions.cleanup() == 1
    assert await docs.get("uploads", other) is None
    assert not list(uploads_dir(mesh).glob(f"{other}*"))


# ================================================================== HTTP


async def test_http_upload_and_publish(mesh: Mesh) -> None:
    data = blob(3 * MiB + 7, seed=4)
    digest = hashlib.sha256(data).hexdigest()
    created = await mesh.http.post(
        "/api/v1/uploads",
        json={"path": "data.bin", "size": len(data), "sha256": digest},
        headers=mesh.headers(),
    )
    assert created.status_code == 201, created.text
    upload_id = created.json()["upload_id"]
    assert created.json()["chunk_size"] > 0

    async def put(offset: int, body: bytes) -> Any:
        async def gen() -> AsyncIterator[bytes]:  # streamed, no content-length
            for i in range(0, len(body), 100_000):
                yield body[i : i + 100_000]

        return await mesh.http.put(
            f"/api/v1/uploads/{upload_id}",
            params={"offset": offset},
            content=gen(),
            headers=mesh.headers(),
        )

    first = await put(0, data[: 2 * MiB])
    assert first.status_code == 200, first.text
    assert first.json() == {"received": 2 * MiB}
    wrong = await put(0, data[:10])
    assert wrong.status_code == 409
    assert wrong.json()["code"] == "FAILED_PRECONDITION"
    assert f"expects offset {2 * MiB}" in wrong.json()["error"]
    assert wrong.json()["details"]["expected_offset"] == 2 * MiB
    rest = await put(2 * MiB, data[2 * MiB :])
    assert rest.json() == {"received": len(data)}
    got = await mesh.http.get(f"/api/v1/uploads/{upload_id}", headers=mesh.headers())
    assert got.json() == {"received": len(data), "size": len(data), "complete": True}
    assert (
        await mesh.http.get(f"/api/v1/uploads/{upload_id}", headers=mesh.headers(mesh.bob_token))
    ).status_code == 404

    resp = await mesh.http.post(
        "/api/v1/servables",
        data={
            "metadata": json.dumps(metadata_with_data("httpup")),
            "uploads": json.dumps([{"path": "data.bin", "upload_id": upload_id}]),
        },
        files=[("files", ("model.onnx", mesh.model.data, "application/octet-stream"))],
        headers=mesh.headers(),
    )
    assert resp.status_code == 201, resp.text
    assert await downloaded_sha256(mesh, "httpup") == digest
    await assert_gone(mesh, upload_id)


# ================================================================== SDK, large


async def test_sdk_publishes_100_mib_through_a_resumed_upload(mesh: Mesh, tmp_path: Path) -> None:
    size = 100 * MiB + 12345
    big = tmp_path / "data.bin"
    h = hashlib.sha256()
    rng = np.random.default_rng(5)
    with big.open("wb") as fh:
        left = size
        while left:
            piece = rng.bytes(min(8 * MiB, left))
            h.update(piece)
            fh.write(piece)
            left -= len(piece)
    model = tmp_path / "model.onnx"
    model.write_bytes(mesh.model.data)
    seen: list[tuple[int, int]] = []
    streams: list[int] = []

    def use_sdk() -> dict[str, Any]:
        with DLHubClient(mesh.grpc_address, mesh.token) as client:
            real = client._stub.WriteUpload
            calls = itertools.count()

            def flaky(requests: Iterator[Any], **kwargs: Any) -> Any:
                # the first stream dies after two chunks, as a dropped connection would
                streams.append(next(calls))
                if streams[-1] == 0:
                    real(itertools.islice(requests, 2), **kwargs)
                    raise _Unavailable()
                return real(requests, **kwargs)

            client._stub.WriteUpload = flaky
            return client.publish_servable(
                metadata_with_data("bigdata"),
                {"model.onnx": model, "data.bin": big},
                progress=lambda done, total: seen.append((done, total)),
            )

    summary = await asyncio.to_thread(use_sdk)
    assert summary["version"] == 1
    total = size + len(mesh.model.data)
    assert seen[-1] == (total, total)
    assert len(streams) == 2, "the upload did not resume after the dropped stream"
    assert await downloaded_sha256(mesh, "bigdata") == h.hexdigest()
    assert not list(uploads_dir(mesh).iterdir())  # the session went with the publish


class _Unavailable(grpc.RpcError):
    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNAVAILABLE

    def details(self) -> str:
        return "connection reset (simulated)"


def test_progress_bar_renders() -> None:
    line = ProgressBar.render(50 * MiB, 100 * MiB, 2.0)
    assert "50.0%" in line
    assert "50.0/100.0 MiB" in line
    assert "25.0 MiB/s" in line
