"""ObjectStore contract: every adapter in OBJECT_STORES must pass."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest

from dlhub_common.errors import DLHubError, InvalidArgument, NotFound, ResourceExhausted
from dlhub_common.ports import ObjectStore

pytestmark = pytest.mark.contract

MiB = 1 << 20


async def stream(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def read_all(store: ObjectStore, key: str, chunk_size: int = MiB) -> bytes:
    return b"".join([chunk async for chunk in store.open(key, chunk_size=chunk_size)])


def key_of(data: bytes) -> str:
    return f"sha256/{hashlib.sha256(data).hexdigest()}"


async def test_ping(objects: ObjectStore) -> None:
    await objects.ping()


async def test_put_open_stat_roundtrip(objects: ObjectStore) -> None:
    data = b"hello " * 1000
    info = await objects.put(stream(data[:10], data[10:]))

    assert info.key == key_of(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size == len(data)
    assert info.created is True
    assert await read_all(objects, info.key) == data
    assert await objects.stat(info.key) == len(data)


async def test_open_honours_chunk_size(objects: ObjectStore) -> None:
    data = os.urandom(10_000)
    info = await objects.put(stream(data))
    chunks = [chunk async for chunk in objects.open(info.key, chunk_size=4096)]
    assert b"".join(chunks) == data
    assert all(len(c) <= 4096 for c in chunks)
    assert len(chunks) >= 3


async def test_empty_object(objects: ObjectStore) -> None:
    info = await objects.put(stream())
    assert (info.key, info.size) == (key_of(b""), 0)
    assert await read_all(objects, info.key) == b""
    assert await objects.stat(info.key) == 0


async def test_same_content_is_stored_once(objects: ObjectStore) -> None:
    first = await objects.put(stream(b"same bytes"))
    second = await objects.put(stream(b"same ", b"bytes"))
    assert first.created is True
    assert second.created is False
    assert (second.key, second.size) == (first.key, first.size)
    assert await objects.delete(first.key) is True
    assert await objects.stat(first.key) is None


async def test_expected_sha256_accepted(objects: ObjectStore) -> None:
    data = b"verified"
    info = await objects.put(stream(data), expected_sha256=hashlib.sha256(data).hexdigest())
    assert info.created is True


async def test_sha256_mismatch_stores_nothing(objects: ObjectStore) -> None:
    data = b"tampered"
    wrong = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(InvalidArgument) as info:
        await objects.put(stream(data), expected_sha256=wrong)
    assert wrong in info.value.message
    assert hashlib.sha256(data).hexdigest() in info.value.message
    assert await objects.stat(key_of(data)) is None
    assert await objects.stat(f"sha256/{wrong}") is None


async def test_over_max_bytes_stores_nothing(objects: ObjectStore) -> None:
    data = b"x" * 1001
    with pytest.raises(ResourceExhausted) as info:
        await objects.put(stream(data[:500], data[500:]), max_bytes=1000)
    assert "1000" in info.value.message
    assert await objects.stat(key_of(data)) is None

    exact = await objects.put(stream(data[:1000]), max_bytes=1000)
    assert exact.size == 1000


async def test_max_bytes_stops_reading_the_stream(objects: ObjectStore) -> None:
    produced = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal produced
        while True:
            produced += 1
            yield b"y" * 1024

    with pytest.raises(ResourceExhausted):
        await objects.put(endless(), max_bytes=10 * 1024)
    assert produced <= 12


async def test_failing_stream_stores_nothing(objects: ObjectStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"partial"
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        await objects.put(broken())
    assert await objects.stat(key_of(b"partial")) is None


async def test_missing_key(objects: ObjectStore, tmp_path: Path) -> None:
    key = key_of(b"never stored")
    assert await objects.stat(key) is None
    assert await objects.delete(key) is False
    iterator = objects.open(key)
    with pytest.raises(NotFound):
        await anext(iterator)
    dest = tmp_path / "out" / "missing.bin"
    with pytest.raises(NotFound):
        await objects.download(key, dest)
    assert not dest.exists()


async def test_download_writes_file(objects: ObjectStore, tmp_path: Path) -> None:
    data = os.urandom(3 * MiB + 17)
    info = await objects.put(stream(data))
    dest = tmp_path / "downloads" / "model.bin"
    dest.parent.mkdir()
    dest.write_bytes(b"old content")

    await objects.download(info.key, dest)
    assert dest.read_bytes() == data
    assert sorted(p.name for p in dest.parent.iterdir()) == ["model.bin"]  # no temp left


BAD_KEYS = [
    "sha256/" + "0" * 63,
    "sha256/" + "A" * 64,
    "sha256/" + "0" * 64 + "/../x",
    "sha256/../../etc/passwd",
    "../" + "0" * 64,
    "md5/" + "0" * 32,
    "/etc/passwd",
    "sha256/" + "0" * 64 + "\n",
    "",
]


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_bad_keys_are_rejected(objects: ObjectStore, tmp_path: Path, key: str) -> None:
    with pytest.raises(InvalidArgument):
        await objects.stat(key)
    with pytest.raises(InvalidArgument):
        await objects.delete(key)
    with pytest.raises(InvalidArgument):
        await read_all(objects, key)
    with pytest.raises(InvalidArgument):
        await objects.download(key, tmp_path / "out.bin")


async def test_large_object_is_streamed(objects: ObjectStore, tmp_path: Path) -> None:
    block = os.urandom(MiB)
    blocks: Iterable[bytes] = [bytes([i]) + block[1:] for i in range(20)]
    expected = hashlib.sha256()
    for b in blocks:
        expected.update(b)

    info = await objects.put(stream(*blocks), expected_sha256=expected.hexdigest())
    assert info.size == 20 * MiB

    got = hashlib.sha256()
    size = 0
    async for chunk in objects.open(info.key):
        assert len(chunk) <= MiB
        got.update(chunk)
        size += len(chunk)
    assert (size, got.hexdigest()) == (20 * MiB, expected.hexdigest())

    dest = tmp_path / "large.bin"
    await objects.download(info.key, dest)
    assert dest.stat().st_size == 20 * MiB


async def test_list_objects_names_every_stored_object(objects: ObjectStore) -> None:
    assert [o async for o in objects.list_objects()] == []
    small = await objects.put(stream(b"small"))
    big = await objects.put(stream(os.urandom(6 * MiB)))
    listed = {o.key: o async for o in objects.list_objects()}
    assert sorted(listed) == sorted([small.key, big.key])
    assert (listed[small.key].size, listed[big.key].size) == (5, 6 * MiB)
    assert all(o.modified > 0 for o in listed.values())
    await objects.delete(small.key)
    assert [o.key async for o in objects.list_objects()] == [big.key]


async def test_finished_and_failed_puts_leave_nothing_incomplete(objects: ObjectStore) -> None:
    data = os.urandom(6 * MiB)
    await objects.put(stream(data[:MiB], data[MiB:]), expected_sha256=key_of(data)[7:])
    await objects.put(stream(os.urandom(6 * MiB)))  # digest unknown in advance
    with pytest.raises(InvalidArgument):
        await objects.put(stream(os.urandom(6 * MiB)), expected_sha256="0" * 64)
    assert [i async for i in objects.incomplete()] == []


async def _stalled_put(
    objects: ObjectStore, data: bytes, expected: str | None
) -> tuple[asyncio.Task[object], asyncio.Event]:
    """A put that has sent more than one part (5 MiB) and then waits."""
    sent, resume = asyncio.Event(), asyncio.Event()

    async def chunks() -> AsyncIterator[bytes]:
        yield data[: 6 * MiB]
        yield data[6 * MiB : 6 * MiB + 1]  # the first part is sent before this is asked for
        sent.set()
        await resume.wait()
        yield data[6 * MiB + 1 :]

    task = asyncio.create_task(objects.put(chunks(), expected_sha256=expected))
    await asyncio.wait_for(sent.wait(), 30)
    return task, resume


@pytest.mark.parametrize("digest_known", [True, False], ids=["expected-sha256", "unknown-sha256"])
async def test_a_put_in_flight_is_incomplete_and_discarding_it_fails_the_put(
    objects: ObjectStore, digest_known: bool
) -> None:
    data = os.urandom(7 * MiB)
    key = key_of(data)
    task, resume = await _stalled_put(objects, data, key[7:] if digest_known else None)
    try:
        [item] = [i async for i in objects.incomplete()]
        assert item.key == (key if digest_known else None)
        assert 0 < item.started <= time.time() + 5
        assert await objects.discard(item) is True
        assert await objects.discard(item) is False  # gone already
    finally:
        resume.set()
    with pytest.raises(DLHubError):
        await task
    assert await objects.stat(key) is None
    assert [o async for o in objects.list_objects()] == []
    assert [i async for i in objects.incomplete()] == []
