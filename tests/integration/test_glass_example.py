"""The metallic-glass example (examples/glass) as it publishes itself: the list
call shape and the original DLHub one, ``dl.run(id, {"data": [...]})``, give
the same score; any other object is refused with a clear error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dlhub_common._proto.dlhub.v1 import tasks_pb2, types_pb2
from tests.integration._retrain import glass_modules
from tests.integration.conftest import RPC_TIMEOUT_S, Mesh, TinyModel, running_mesh


async def _run(mesh: Mesh, value: Any) -> tasks_pb2.Task:
    resp = await mesh.stub.RunServable(
        tasks_pb2.RunServableRequest(
            servable=types_pb2.ServableRef(owner="alice", name="glass"),
            inputs_json=json.dumps(value),
            wait=True,
            timeout_s=RPC_TIMEOUT_S,
        ),
        metadata=mesh.md(),
        timeout=RPC_TIMEOUT_S + 5,
    )
    task: tasks_pb2.Task = resp.task
    return task


async def test_glass_takes_the_original_call_shape(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    glass, glass_publish, _data, _train = glass_modules()
    model = glass_publish.build()
    files = {p: src.read_bytes() for p, src in model.files().items()}
    async with running_mesh(
        tmp_path / "mesh", tiny, executor_options={"env_dir": tmp_path / "envs"}
    ) as mesh:
        await mesh.publish(model.to_dict(), files)
        listed = await _run(mesh, ["V", "Co", "Zr"])
        original = await _run(mesh, {"data": ["V", "Co", "Zr"]})
        for task in (listed, original):
            assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error
            assert json.loads(task.output_json) == glass.predict(["V", "Co", "Zr"])
        bad = await _run(mesh, {"elements": ["V"]})
        assert bad.state == tasks_pb2.TASK_STATE_FAILED
        assert 'give a list of element symbols, or {"data": [symbols]}' in bad.error.message
