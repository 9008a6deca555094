"""The device a model ran on, through a real run: WorkResult.device -> TaskTimings.device -> views.

No GPU here: every executor runs on the CPU, so every tensor result says
``cpu``; an executor set to ``cuda`` must refuse to start.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
import torch

from dlhub_common._proto.dlhub.v1 import bus_pb2, tasks_pb2
from dlhub_common.errors import FailedPrecondition
from dlhub_common.topics import RESULTS
from dlhub_sdk.models import TorchServable

from .conftest import Mesh, TinyModel, running_mesh


async def test_onnx_run_reports_its_device_everywhere(mesh: Mesh, tiny: TinyModel) -> None:
    bus = await mesh.backends.bus()
    watch = bus.subscribe([RESULTS], "test-devices")  # its own group: sees every result
    await watch.start()
    try:
        await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
        x = np.ones((2, 4), dtype=np.float32)
        task = await mesh.run("tiny", {"X": x})
        assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
        assert task.timings.device == "cpu"

        async with asyncio.timeout(10):
            async for delivery in watch:
                result = bus_pb2.WorkResult.FromString(delivery.value)
                await delivery.ack()
                if result.task_id == task.task_id:
                    break
        assert result.ok
        assert result.device == "cpu"
    finally:
        await watch.close()

    # the HTTP views (run and task status) carry it too
    resp = await mesh.http.post(
        "/api/v1/servables/alice/tiny/run",
        json={"inputs": x.tolist(), "no_cache": True},
        headers=mesh.headers(),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["timings"]["device"] == "cpu"
    got = await mesh.http.get(f"/api/v1/tasks/{task.task_id}", headers=mesh.headers())
    assert got.status_code == 200, got.text
    assert got.json()["timings"]["device"] == "cpu"


class Double(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * 2


async def test_torch_run_reports_cpu(mesh: Mesh, tmp_path: Path) -> None:
    servable = (
        TorchServable(Double().eval(), torch.ones(2, 3), "double", output_dir=tmp_path)
        .set_title("Doubles its input")
        .add_author("Tester, Alice")
    )
    files = {path: src.read_bytes() for path, src in servable.files().items()}
    await mesh.publish(servable.to_dict(), files)
    task = await mesh.run("double", {"x": np.ones((4, 3), dtype=np.float32)})
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
    assert task.timings.device == "cpu"


@pytest.mark.usefixtures("hermetic_env")
async def test_a_cuda_executor_refuses_to_start_without_cuda(
    tmp_path: Path, tiny: TinyModel
) -> None:
    with pytest.raises(
        FailedPrecondition,
        match="no model runtime of this executor can use DLHUB_EXECUTOR_OPTIONS__DEVICE=cuda:0",
    ):
        async with running_mesh(tmp_path, tiny, executor_options={"device": "cuda:0"}):
            pass
