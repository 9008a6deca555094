"""The bundle archive writer and the executor's interface-version check."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from collections.abc import AsyncIterator

import pytest

from dlhub_common._proto.dlhub.v1 import bus_pb2, types_pb2
from dlhub_common.bundle import Entry, dockerfile, tar_gz_stream
from dlhub_common.errors import FailedPrecondition
from dlhub_executor.interfaces import SUPPORTED_INTERFACES, check_interface

CHUNK = 256 * 1024


async def test_tar_gz_is_produced_piece_by_piece() -> None:
    """A 4 MiB file streamed in 256 KiB chunks: the archive comes out in many
    pieces, each far smaller than the file, and unpacks to the same bytes."""
    big = os.urandom(4 << 20)
    pulled: list[int] = []

    async def opener() -> AsyncIterator[bytes]:
        for start in range(0, len(big), CHUNK):
            pulled.append(start)
            yield big[start : start + CHUNK]

    entries = [
        Entry("b/Dockerfile", 4, data=b"FROM"),
        Entry("b/bundle/weights.bin", len(big), opener=opener),
        Entry("b/bundle/empty", 0, data=b""),
    ]
    pieces = [p async for p in tar_gz_stream(entries, mtime=1_700_000_000)]
    assert len(pieces) > 8
    assert max(len(p) for p in pieces) < 2 * CHUNK
    assert len(pulled) == 16
    with tarfile.open(fileobj=io.BytesIO(b"".join(pieces)), mode="r:gz") as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == [
            "b/Dockerfile",
            "b/bundle/weights.bin",
            "b/bundle/empty",
        ]
        assert all(m.mtime == 1_700_000_000 for m in members)
        f = tar.extractfile("b/bundle/weights.bin")
        assert f is not None
        assert hashlib.sha256(f.read()).digest() == hashlib.sha256(big).digest()


async def test_a_short_stream_fails_the_archive() -> None:
    async def short() -> AsyncIterator[bytes]:
        yield b"abc"

    with pytest.raises(ValueError, match="expected 10 bytes, got 3"):
        _ = [p async for p in tar_gz_stream([Entry("x", 10, opener=short)])]


def test_dockerfile_names_servable_version_digest_and_lock() -> None:
    text = dockerfile(
        owner="alice",
        name="glass",
        version=3,
        digest="sha256:ab",
        servable_type="python",
        interface_version=1,
        files=["glass.py", "environment.lock", "dlhub.json"],
        python="3.11",
    )
    assert "alice/glass:3" in text
    assert 'org.dlhub.lock="environment.lock"' in text
    assert "COPY bundle/ /opt/dlhub/cache/sha256-ab/" in text
    assert "build_env(Path('/opt/dlhub/envs'), '3.11'" in text
    assert text.count("FROM ") == 1
    torch = dockerfile(
        owner="a",
        name="t",
        version=1,
        digest="sha256:cd",
        servable_type="torchscript",
        interface_version=1,
        files=["model.pt", "dlhub.json"],
    )
    assert '"dlhub-executor[${DLHUB_ONNXRUNTIME},torch]"' in torch
    assert "ARG DLHUB_ONNXRUNTIME=cpu" in torch
    assert 'org.dlhub.lock=""' in torch


def _item(version: int) -> bus_pb2.WorkItem:
    return bus_pb2.WorkItem(
        servable=types_pb2.ServableRef(owner="a", name="m", version=2),
        interface_version=version,
    )


def test_interface_versions_dispatch() -> None:
    assert SUPPORTED_INTERFACES.keys() == {1}
    assert check_interface(_item(0)) == 1  # never set: an older task manager or record
    assert check_interface(_item(1)) == 1
    with pytest.raises(FailedPrecondition, match="interface version 99") as info:
        check_interface(_item(99))
    assert info.value.details == {"interface_version": 99, "supported_interface_versions": [1]}
