"""Run streams against the ``dlhub up`` subprocess mesh: tritonclient's
``async_stream_infer`` and the SDK's ``run_stream``, checked against onnxruntime."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dlhub_common.errors import InvalidArgument
from dlhub_sdk import DLHubClient
from dlhub_sdk.models import OnnxServable

from ._support import USERNAME, Digits, Mesh, clean_env

pytestmark = pytest.mark.e2e

STREAM_CLIENT = Path(__file__).resolve().parents[1] / "triton_stream_client.py"
MODEL = "digits-stream"


@pytest.fixture(scope="module")
def sdk(mesh: Mesh) -> Iterator[DLHubClient]:
    with DLHubClient(mesh.address, mesh.token) as client:
        yield client


@pytest.fixture(scope="module")
def published(sdk: DLHubClient, digits: Digits) -> dict[str, Any]:
    servable = OnnxServable(digits.path, name=MODEL).set_title("Digits over streams")
    servable.add_author("Ada Lovelace", "Analytical Engines")
    return sdk.publish_servable(servable)


def test_tritonclient_async_stream_infer(
    mesh: Mesh, published: dict[str, Any], digits: Digits, tmp_path: Path
) -> None:
    chunks = [digits.x_test[i : i + 4] for i in range(0, 64, 4)]

    def tensor(x: np.ndarray) -> dict[str, Any]:
        return {
            "name": digits.input_name,
            "datatype": "FP32",
            "shape": list(x.shape),
            "data": x.tolist(),
        }

    requests = [
        {"id": f"c{i}", "model": f"{USERNAME}.{MODEL}", "inputs": [tensor(x)]}
        for i, x in enumerate(chunks)
    ]
    requests[5:5] = [
        {"id": "missing", "model": "nobody.nothing", "inputs": [tensor(chunks[0])]},
        {
            "id": "bad-shape",
            "model": f"{USERNAME}.{MODEL}",
            "inputs": [tensor(np.zeros((2, 10), dtype=np.float32))],
        },
    ]
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"token": mesh.token, "requests": requests}))
    proc = subprocess.run(
        [sys.executable, str(STREAM_CLIENT), mesh.address, str(spec)],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
        check=False,
    )
    assert proc.returncode == 0, f"tritonclient stream failed:\n{proc.stdout}\n{proc.stderr}"
    by_id = {r["id"]: r for r in json.loads(proc.stdout)["results"]}
    assert len(by_id) == len(requests)
    for i, x in enumerate(chunks):
        got = by_id[f"c{i}"]
        assert got["error"] is None, got
        ref = digits.reference(x)
        np.testing.assert_array_equal(got["outputs"]["label"], ref["label"])
        np.testing.assert_allclose(
            got["outputs"]["probabilities"], ref["probabilities"], rtol=1e-5, atol=1e-6
        )
    assert by_id["missing"]["error"].startswith("NOT_FOUND: ")
    assert by_id["bad-shape"]["error"].startswith("INVALID_ARGUMENT: ")


def test_sdk_run_stream_in_input_order(
    sdk: DLHubClient, published: dict[str, Any], digits: Digits
) -> None:
    rows = [digits.x_test[i : i + 1] for i in range(24)]
    items: list[Any] = [*rows[:12], np.zeros((1, 10), dtype=np.float32), *rows[12:]]
    results = list(sdk.run_stream(f"{USERNAME}/{MODEL}", iter(items), ordered=True))
    assert [r.index for r in results] == list(range(len(items)))
    assert isinstance(results[12].error, InvalidArgument)
    labels = np.concatenate([r.value()["label"] for r in results if r.index != 12])
    np.testing.assert_array_equal(labels, digits.labels[:24])
