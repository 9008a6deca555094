"""The executor's staging cache (bounded, LRU, 0600 files) and decoding staged files."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dlhub_common.errors import InvalidArgument
from dlhub_executor.staging.cache import CACHE_HITS, StagingCache
from dlhub_executor.staging.decode import decode_array, decode_json


def put(cache: StagingCache, source: str, data: bytes, etag: str = '"e"') -> Path:
    tmp = cache.temp_path()
    tmp.write_bytes(data)
    path = cache.store(source, etag, tmp).path
    cache.release([path])
    return path


def test_files_are_private_named_by_digest_and_found_by_source(tmp_path: Path) -> None:
    cache = StagingCache(tmp_path / "staged", 1 << 20)
    path = put(cache, "https://h/a", b"abc")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "staged").stat().st_mode) == 0o700
    assert path.name == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    found = cache.lookup("https://h/a")
    assert found is not None
    assert found.etag == '"e"'
    assert found.size == 3
    before = CACHE_HITS._value.get()
    assert cache.hit(found) == path
    assert CACHE_HITS._value.get() == before + 1
    assert cache.lookup("https://h/other") is None


def test_least_recently_used_go_first_and_pinned_files_stay(tmp_path: Path) -> None:
    cache = StagingCache(tmp_path / "staged", 250)
    a = put(cache, "a", b"a" * 100)
    b = put(cache, "b", b"b" * 100)
    assert cache.lookup("a") is not None  # a is now the most recently used
    c = put(cache, "c", b"c" * 100)  # over 250: b goes
    assert a.exists()
    assert c.exists()
    assert not b.exists()
    assert cache.lookup("b") is None
    assert cache.size_bytes == 200
    held = cache.hit(cache.lookup("a"))  # type: ignore[arg-type]
    put(cache, "d", b"d" * 100)
    put(cache, "e", b"e" * 100)
    assert held.exists(), "a file in use by a running task was evicted"
    cache.release([held])
    assert cache.size_bytes <= 250
    put(cache, "f", b"f" * 100)  # released, and now the least recently used: it goes
    assert not held.exists()
    assert cache.lookup("a") is None


def test_leftover_downloads_are_removed_and_old_files_counted(tmp_path: Path) -> None:
    cache = StagingCache(tmp_path / "staged", 1 << 20)
    put(cache, "a", b"a" * 10)
    (tmp_path / "staged" / "tmp" / "half").write_bytes(b"x")
    again = StagingCache(tmp_path / "staged", 1 << 20)
    assert not (tmp_path / "staged" / "tmp" / "half").exists()
    assert again.size_bytes == 10


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "f"
    path.write_bytes(data)
    return path


def test_tensors_decode_from_npy_raw_and_images(tmp_path: Path) -> None:
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    buf = io.BytesIO()
    np.save(buf, x)
    assert np.array_equal(decode_array(_file(tmp_path, buf.getvalue()), "FP32", [2, 4], "u"), x)
    raw = decode_array(_file(tmp_path, x.tobytes()), "FP32", [2, 4], "u")
    assert np.array_equal(raw, x)
    pixels = (np.arange(16, dtype=np.uint8) * 10).reshape(4, 4)
    for fmt in ("PNG", "JPEG"):
        img = io.BytesIO()
        Image.fromarray(pixels).save(img, format=fmt, quality=100)
        got = decode_array(_file(tmp_path, img.getvalue()), "FP32", [1, 16], "u")
        assert got.shape == (1, 16)
        assert got.dtype == np.float32
        if fmt == "PNG":
            assert np.array_equal(got.reshape(4, 4), pixels.astype(np.float32))


@pytest.mark.parametrize(
    ("data", "datatype", "shape", "problem"),
    [
        (np.zeros(5, np.float32).tobytes(), "FP32", [2, 4], "holds 20 bytes"),
        (np.zeros(8, np.float32).tobytes(), "FP32", [-1, 4], "full shape"),
        (b"\x93NUMPY garbage", "FP32", [2, 4], "not a readable .npy"),
        (b"\x89PNG\r\n\x1a\n garbage", "FP32", [2, 4], "not a readable image"),
    ],
)
def test_bad_staged_tensors_are_named(
    tmp_path: Path, data: bytes, datatype: str, shape: list[int], problem: str
) -> None:
    with pytest.raises(InvalidArgument, match=problem):
        decode_array(_file(tmp_path, data), datatype, shape, "https://h/x")


def test_npy_of_another_shape_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    np.save(buf, np.zeros((3, 3), np.float32))
    with pytest.raises(InvalidArgument, match=r"holds shape \[3, 3\], but the input is declared"):
        decode_array(_file(tmp_path, buf.getvalue()), "FP32", [2, 4], "u")


def test_json_inputs_decode_by_kind(tmp_path: Path) -> None:
    path = _file(tmp_path, b'{"a": [1, 2]}')
    assert decode_json(path, {"as": "path"}, "u") == str(path)
    assert decode_json(path, {"as": "json"}, "u") == {"a": [1, 2]}
    assert decode_json(path, {"as": "text"}, "u") == '{"a": [1, 2]}'
    raw = _file(tmp_path, np.arange(4, dtype=np.float32).tobytes())
    got = decode_json(raw, {"as": "ndarray", "dtype": "float32", "shape": [2, 2]}, "u")
    assert got == [[0.0, 1.0], [2.0, 3.0]]
    with pytest.raises(InvalidArgument, match="is not JSON"):
        decode_json(_file(tmp_path, b"nope"), {"as": "json"}, "u")
