"""Dynamic batching in the executor, through the in-process mesh."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from dlhub_common._proto.dlhub.v1 import tasks_pb2
from dlhub_common.codec import tensor_to_array
from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import validate_metadata

from .conftest import Array, Mesh, TinyModel, running_mesh

pytestmark = pytest.mark.timeout(120)


def rows(n: int, seed: int) -> Array:
    return np.random.default_rng(seed).standard_normal((n, 4)).astype(np.float32)


def output(task: tasks_pb2.Task) -> Array:
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
    (out,) = task.outputs
    return tensor_to_array(out)


async def test_batched_results_equal_unbatched_and_each_caller_gets_its_rows(
    batch_mesh: Mesh, tiny: TinyModel
) -> None:
    inputs = [rows(n, seed) for seed, n in enumerate([1, 3, 2, 1, 4, 2, 1, 2])]
    tasks = await asyncio.gather(*(batch_mesh.run("tiny", {"X": x}) for x in inputs))
    for x, task in zip(inputs, tasks, strict=True):
        np.testing.assert_allclose(output(task), tiny.expected(x), rtol=1e-5, atol=1e-6)
        assert output(task).shape == (x.shape[0], 3)
    sizes = [t.timings.batch_size for t in tasks]
    assert max(sizes) > 1, sizes  # they did run together
    # every member of a batch reports its size: n tasks of size s means n/s batches
    for size in set(sizes):
        assert sizes.count(size) % size == 0, sizes
    # the same inputs one at a time give the same numbers
    for x, task in zip(inputs, tasks, strict=True):
        alone = await batch_mesh.run("tiny", {"X": x})
        assert alone.timings.batch_size == 1
        np.testing.assert_array_equal(output(alone), output(task))


async def test_the_delay_is_counted_from_the_first_request(
    tmp_path: Path, tiny: TinyModel, hermetic_env: None
) -> None:
    delay = 0.8
    async with running_mesh(
        tmp_path,
        tiny,
        batching={"max_batch_size": 64, "max_queue_delay_ms": delay * 1000},
        cache={"enabled": False},
    ) as mesh:
        await mesh.publish(TinyModel.metadata("tiny"), {"model.onnx": tiny.data})
        await mesh.run("tiny", {"X": rows(1, 99)})  # model loaded, first batch done

        async def timed(x: Array, after: float) -> tuple[float, float, tasks_pb2.Task]:
            await asyncio.sleep(after)
            sent = time.monotonic()
            task = await mesh.run("tiny", {"X": x})
            return sent, time.monotonic(), task

        (a_sent, a_done, a), (b_sent, b_done, b) = await asyncio.gather(
            timed(rows(1, 1), 0.0), timed(rows(1, 2), 0.5)
        )
    assert a.timings.batch_size == b.timings.batch_size == 2
    # the batch closed `delay` after the FIRST request: A waited about `delay`,
    # B (sent 0.5 s later) only the rest of it; counted from the last request
    # B would have waited the whole delay again
    assert a_done - a_sent >= delay - 0.05
    assert b_done - b_sent < delay - 0.2, (b_done - b_sent, delay)


def two_input_onnx() -> bytes:
    """``S[N, 4] = X[N, 4] + Z[N, 4]``: X and Z must have the same rows."""
    graph = helper.make_graph(
        [helper.make_node("Add", ["X", "Z"], ["S"])],
        "add",
        [
            helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4]),
            helper.make_tensor_value_info("Z", TensorProto.FLOAT, ["N", 4]),
        ],
        [helper.make_tensor_value_info("S", TensorProto.FLOAT, ["N", 4])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def two_input_metadata(name: str) -> dict[str, Any]:
    md = TinyModel.metadata(name)
    nd = {"type": "ndarray", "shape": [None, 4], "item_type": {"type": "float32"}}
    md["servable"]["methods"]["run"]["input"] = {"type": "dict", "properties": {"X": nd, "Z": nd}}
    md["servable"]["methods"]["run"]["output"] = {"type": "dict", "properties": {"S": nd}}
    return md


async def test_a_bad_input_in_a_batch_fails_only_its_caller(batch_mesh: Mesh) -> None:
    await batch_mesh.publish(two_input_metadata("add"), {"model.onnx": two_input_onnx()})
    good = [(rows(2, s), rows(2, s + 50)) for s in range(5)]
    # rows of X and Z disagree: the signature allows it (N is free), the model does not
    bad = (rows(2, 7), rows(3, 8))
    calls = [batch_mesh.run("add", {"X": x, "Z": z}) for x, z in good]
    calls.insert(2, batch_mesh.run("add", {"X": bad[0], "Z": bad[1]}))
    tasks = await asyncio.gather(*calls)
    failed = tasks.pop(2)
    assert failed.state == tasks_pb2.TASK_STATE_FAILED
    assert "onnxruntime" in failed.error.message
    for (x, z), task in zip(good, tasks, strict=True):
        np.testing.assert_allclose(output(task), x + z, rtol=1e-6)


async def test_a_model_without_a_free_batch_axis_runs_alone(
    batch_mesh: Mesh, tiny: TinyModel
) -> None:
    await batch_mesh.publish(
        TinyModel.metadata("fixed", input_shape=[2, 4]), {"model.onnx": tiny.data}
    )
    inputs = [rows(2, s) for s in range(4)]
    tasks = await asyncio.gather(*(batch_mesh.run("fixed", {"X": x}) for x in inputs))
    for x, task in zip(inputs, tasks, strict=True):
        assert task.timings.batch_size == 1
        np.testing.assert_allclose(output(task), tiny.expected(x), rtol=1e-5, atol=1e-6)


async def test_a_servable_can_turn_batching_off(batch_mesh: Mesh, tiny: TinyModel) -> None:
    md = TinyModel.metadata("alone")
    md["servable"]["batching"] = {"max_batch_size": 1}
    await batch_mesh.publish(md, {"model.onnx": tiny.data})
    tasks = await asyncio.gather(*(batch_mesh.run("alone", {"X": rows(1, s)}) for s in range(4)))
    assert [t.timings.batch_size for t in tasks] == [1, 1, 1, 1]


@pytest.mark.parametrize(
    ("batching", "field"),
    [
        ({"max_batch_size": 0}, "servable.batching.max_batch_size"),
        ({"max_batch_size": -3}, "servable.batching.max_batch_size"),
        ({"max_batch_size": 8, "max_queue_delay_ms": 3_600_000}, "max_queue_delay_ms"),
        ({"max_batch_size": 8, "max_queue_delay_ms": -1}, "max_queue_delay_ms"),
        ({"max_queue_delay_ms": 5}, "servable.batching.max_batch_size"),
        ({"max_batch_size": 8, "max_delay": 5}, "servable.batching.max_delay"),
    ],
)
async def test_batching_out_of_range_is_refused_at_publish_naming_the_field(
    batch_mesh: Mesh, tiny: TinyModel, batching: dict[str, Any], field: str
) -> None:
    md = TinyModel.metadata("badbatch")
    md["servable"]["batching"] = batching
    with pytest.raises(InvalidArgument, match=field.replace(".", r"\.")):
        validate_metadata(md)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await batch_mesh.publish(md, {"model.onnx": tiny.data})
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field.split(".")[-1] in (info.value.details() or "")


def test_batching_settings_out_of_range_are_refused_naming_the_field() -> None:
    from pydantic import ValidationError

    from dlhub_common.settings import Settings

    for bad, name in [
        ({"max_batch_size": 0}, "max_batch_size"),
        ({"max_queue_delay_ms": -1}, "max_queue_delay_ms"),
        ({"max_queue_delay_ms": 7_200_000}, "max_queue_delay_ms"),
    ]:
        with pytest.raises(ValidationError, match=name):
            Settings(batching=bad)


def test_two_input_model_is_valid_onnx() -> None:
    onnx.checker.check_model(onnx.load_from_string(two_input_onnx()))
