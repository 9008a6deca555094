"""Cancel over a real Kafka broker: the in-process mesh with the Kafka event bus.

The task manager and the executor each read ``dlhub.control`` in consumer
groups of their own; a new group starts at the end of the topic, so this
checks that both join before the work they guard (a cancel announced
while the executor is busy reaches it before it takes the cancelled item).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.local.common import CACHE, Server
from deploy.local.engines import kafka
from dlhub_common._proto.dlhub.v1 import tasks_pb2
from tests.integration._control import Gate, ResultWatch, cancel, get_task, publish_gate, run_json
from tests.integration.conftest import RPC_TIMEOUT_S, TinyModel, running_mesh


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    kafka.obtain(CACHE)
    server = kafka.start(tmp_path_factory.mktemp("kafka"), CACHE)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.timeout(240)
async def test_cancel_over_kafka(
    tmp_path: Path, tiny: TinyModel, broker: Server, hermetic_env: None
) -> None:
    bus = {
        "type": "kafka",
        "bootstrap_servers": broker.info["bootstrap_servers"],
        "topic_prefix": f"t{uuid.uuid4().hex[:8]}.",
        "num_partitions": 1,
    }
    async with running_mesh(
        tmp_path / "mesh",
        tiny,
        bus=bus,
        executor_options={"concurrency": 1, "env_dir": tmp_path / "envs"},
    ) as mesh:
        gate = Gate(tmp_path / "ran.log")
        await gate.start()
        try:
            await publish_gate(mesh, tmp_path)
            async with ResultWatch(mesh) as watch:
                running = await run_json(mesh, "gate", gate.value("running", hold=True))
                await gate.started("running")
                queued = await run_json(mesh, "gate", gate.value("queued", hold=False))
                for task in (queued, running):
                    assert (
                        await cancel(mesh, task.task_id)
                    ).state == tasks_pb2.TASK_STATE_CANCELLED
                gate.release("running")
                after = await run_json(mesh, "gate", gate.value("after", hold=False), wait=True)
                assert after.state == tasks_pb2.TASK_STATE_SUCCEEDED
                reported = {r.task_id for r in await watch.until(after.task_id)}
        finally:
            await gate.close()
        # the queued one never ran, so it reported nothing; the running one may
        # have reported its result (if the executor heard of the cancel only
        # after the run ended), which the task manager then discards: both
        # stay cancelled
        assert gate.ran() == ["running", "after"]
        assert queued.task_id not in reported
        for task in (queued, running):
            final = await get_task(mesh, task.task_id, wait=True, timeout_s=RPC_TIMEOUT_S)
            assert final.state == tasks_pb2.TASK_STATE_CANCELLED
