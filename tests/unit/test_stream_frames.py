"""Decoding stream frames (dlhub_taskmanager.streams.frames): what runs, and the
reason a poison frame is dead-lettered with."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pytest

from dlhub_common.codec import tensor_to_array
from dlhub_common.signature import TensorSpec
from dlhub_taskmanager.streams.frames import Poison, decode, frame_id_of, tags_of

IMAGE = TensorSpec("frames", "FP32", (None, 1, 8, 8))


def _npy(array: Any) -> bytes:
    out = io.BytesIO()
    np.save(out, np.asarray(array))
    return out.getvalue()


def _decoded(value: bytes, headers: dict[str, bytes], spec: TensorSpec = IMAGE) -> Any:
    frame = decode("f", value, headers, json_input=False, spec=spec, input_name=spec.name)
    [tensor] = frame.tensors
    assert tensor.name == spec.name
    return tensor_to_array(tensor)


def test_raw_frames_take_the_declared_dtype_and_shape() -> None:
    image = np.arange(64, dtype=np.uint16).reshape(8, 8)
    # headers given: uint16 [8, 8] becomes a float32 batch of one [1, 1, 8, 8]
    got = _decoded(image.tobytes(), {"dtype": b"uint16", "Shape": b"[8, 8]"})
    assert got.shape == (1, 1, 8, 8)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got[0, 0], image.astype(np.float32))
    # no headers: the servable's fixed per-frame dtype and shape are used
    got = _decoded(image.astype(np.float32).tobytes(), {})
    np.testing.assert_array_equal(got[0, 0], image.astype(np.float32))


def test_npy_and_json_frames() -> None:
    image = np.ones((1, 8, 8), np.float64)
    assert _decoded(_npy(image), {}).shape == (1, 1, 8, 8)
    assert _decoded(_npy(image), {"content-type": b"application/x-npy"}).dtype == np.float32
    got = _decoded(json.dumps(image[0].tolist()).encode(), {"content-type": b"application/json"})
    assert got.shape == (1, 1, 8, 8)
    frame = decode("f", b'{"data": ["V"]}', {}, json_input=True, spec=None, input_name="")
    assert frame.inputs_json == '{"data": ["V"]}'
    assert not frame.tensors


@pytest.mark.parametrize(
    ("value", "headers", "reason"),
    [
        (
            b"\x00" * 10,
            {"dtype": b"float32", "shape": b"8,8"},
            "payload of 10 bytes does not match shape [8, 8] of float32 (256 bytes)",
        ),
        (
            b"\x00" * 256,
            {"dtype": b"floaty", "shape": b"8,8"},
            "dtype header 'floaty' is not a numpy dtype name",
        ),
        (
            b"\x00" * 256,
            {"dtype": b"float32", "shape": b"8;8"},
            "shape header '8;8' is not a list of sizes",
        ),
        (b"\x93NUMPY garbage", {}, "undecodable .npy payload"),
        (b"[1, 2", {"content-type": b"application/json"}, "undecodable JSON payload"),
        (
            _npy(np.zeros((3, 3))),
            {},
            "frame of shape [3, 3] does not fit the servable's input frames: FP32[?, 1, 8, 8]",
        ),
        (b"\x00" * 4, {"dtype": b"O", "shape": b"1"}, "is not allowed (object arrays)"),
    ],
)
def test_poison_frames_name_their_reason(
    value: bytes, headers: dict[str, bytes], reason: str
) -> None:
    with pytest.raises(Poison) as info:
        _decoded(value, headers)
    assert reason in info.value.reason
    assert info.value.code == "INVALID_ARGUMENT"


def test_raw_frames_need_dtype_and_shape_when_the_servable_leaves_them_open() -> None:
    spec = TensorSpec("X", None, (None, None))
    with pytest.raises(Poison) as info:
        _decoded(b"\x00" * 16, {}, spec)
    assert "needs 'dtype' and 'shape' headers" in info.value.reason
    with pytest.raises(Poison) as python_frame:
        decode("f", b"\xff", {}, json_input=True, spec=None, input_name="")
    assert "must be JSON" in python_frame.value.reason


def test_frame_ids_and_tags() -> None:
    assert frame_id_of({"Frame-Id": b" shot-7 "}, "key", "frame-id", "t-0") == "shot-7"
    assert frame_id_of({}, "key", "frame-id", "t-0") == "key"
    assert frame_id_of({}, None, "frame-id", "t-0") == "t-0"
    tags = tags_of(["a", "b", "c"], {"p": np.array([[0.2, 0.9, 0.5]], np.float32)})
    assert tags is not None
    assert list(tags) == ["b", "c", "a"]
    assert tags["b"] == pytest.approx(0.9)
    assert tags_of([], {"p": np.zeros((1, 3))}) is None
    assert tags_of(["a", "b"], {"p": np.zeros((1, 3))}) is None  # no output per class
