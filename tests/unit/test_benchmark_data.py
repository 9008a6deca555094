"""The benchmark data-set format: both kinds round-trip; bad files are named."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from dlhub_common import benchmark_data as bd
from dlhub_common.errors import InvalidArgument


def test_tensor_data_round_trips_and_batches(tmp_path: Path) -> None:
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    bd.write_tensor(tmp_path, {"x": x}, y)
    data = bd.load_dir(tmp_path)
    assert data.kind == "tensor"
    assert len(data) == 10
    batches = list(data.batches(4))
    assert [len(r) for _, r in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([b["x"] for b, _ in batches]), x)


def test_json_data_round_trips(tmp_path: Path) -> None:
    bd.write_json(tmp_path, ["NaCl", "Fe2O3", "H2O"], [1.0, 2.0, 3.0])
    data = bd.load_dir(tmp_path)
    assert data.kind == "json"
    assert list(data.batches(2)) == [(["NaCl", "Fe2O3"], [1.0, 2.0]), (["H2O"], [3.0])]


def _npz(**arrays: object) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def _npy(array: object) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("files", "match"),
    [
        ({"data.json": b"[]", "inputs.npz": b""}, "not data.json, inputs.npz"),
        ({"model.onnx": b""}, "not neither"),
        ({"data.json": b"{"}, "data.json is not JSON"),
        ({"data.json": b'{"inputs": 1}'}, "must be"),
        ({"data.json": json.dumps({"inputs": [1], "references": [1, 2]}).encode()}, "2 references"),
        ({"data.json": json.dumps({"inputs": [], "references": []}).encode()}, "no examples"),
        ({"inputs.npz": _npy(np.zeros(3)), "references.npy": _npy(np.zeros(3))}, ".npz archive"),
        (
            {"inputs.npz": _npz(x=np.zeros((4, 2))), "references.npy": _npy(np.zeros(3))},
            "input 'x' has 4",
        ),
        (
            {
                "inputs.npz": _npz(x=np.zeros((3, 2))),
                "references.npy": _npy(np.array([object()] * 3)),
            },
            "references.npy is not a numpy file without pickled objects",
        ),
        ({"inputs.npz": b"junk", "references.npy": b"junk"}, "inputs.npz is not a numpy file"),
    ],
)
def test_bad_data_sets_name_the_file(files: dict[str, bytes], match: str) -> None:
    with pytest.raises(InvalidArgument, match=match):
        bd.parse(files)
