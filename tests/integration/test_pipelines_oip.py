"""A pipeline of two ONNX models runs as a model over the Open Inference Protocol:
its metadata is the derived signature, and tritonclient infers over gRPC and REST."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import numpy as np

from tests.integration._pipelines import Linear, publish_pipeline
from tests.integration.conftest import Mesh

A = Linear(4, 3, seed=11, x="X", y="Y")
B = Linear(3, 2, seed=12, x="H", y="Z")
SCRIPT = Path(__file__).with_name("_triton_pipeline.py")


async def test_tritonclient_runs_a_pipeline_as_a_model(mesh: Mesh, tmp_path: Path) -> None:
    await A.publish(mesh, "oip-a")
    await B.publish(mesh, "oip-b")
    await publish_pipeline(
        mesh,
        "chain",
        [
            {"name": "a", "servable": "oip-a", "inputs": {"X": "$input.X"}},
            {"name": "b", "servable": "oip-b", "inputs": {"H": "a.Y"}},
        ],
    )
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    np.save(tmp_path / "x.npy", x)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        mesh.grpc_address,
        mesh.http_url.removeprefix("http://"),
        "alice.chain",
        str(tmp_path / "x.npy"),
        "X",
        "Z",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, stderr.decode()[-2000:]
    out = json.loads(stdout)
    expected = B(A(x))
    assert out["grpc_ready"] is True
    for side in ("grpc_metadata", "http_metadata"):
        meta = out[side]
        assert meta["platform"] == "dlhub_pipeline"
        assert [(t["name"], t["datatype"]) for t in meta["inputs"]] == [("X", "FP32")]
        assert [int(d) for d in meta["inputs"][0]["shape"]] == [-1, 4]
        assert [(t["name"], t["datatype"]) for t in meta["outputs"]] == [("Z", "FP32")]
    np.testing.assert_allclose(np.array(out["grpc"]), expected, rtol=1e-5)
    np.testing.assert_allclose(np.array(out["http"]), expected, rtol=1e-5)
