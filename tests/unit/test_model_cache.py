"""The executor's model cache: warm-up at load and idle unload."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from dlhub_common._proto.dlhub.v1 import bus_pb2, types_pb2
from dlhub_common.adapters.local_objects import LocalObjectStore
from dlhub_common.backends import LocalObjectsConfig
from dlhub_common.codec import array_to_tensor
from dlhub_executor import models as models_module
from dlhub_executor import warmup
from dlhub_executor.models import ModelCache
from dlhub_executor.runners.base import Array, LoadedModel, ModelRunner
from dlhub_executor.runners.onnx import OnnxModel, OnnxRunner
from dlhub_executor.runners.torch import TorchModel

pytestmark = pytest.mark.timeout(30)


def linear_onnx() -> bytes:
    """``Y = X @ W`` with X float32 [N, 4] (N free) and a string input S [N]."""
    w = np.arange(12, dtype=np.float32).reshape(4, 3)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["X", "W"], ["Y"]),
            helper.make_node("Identity", ["S"], ["T"]),
        ],
        "linear",
        [
            helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4]),
            helper.make_tensor_value_info("S", TensorProto.STRING, ["N"]),
        ],
        [
            helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 3]),
            helper.make_tensor_value_info("T", TensorProto.STRING, ["N"]),
        ],
        initializer=[numpy_helper.from_array(w, "W")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def objects(tmp_path: Path) -> AsyncIterator[LocalObjectStore]:
    store = LocalObjectStore(LocalObjectsConfig(root=tmp_path / "objects"), tmp_path)
    await store.start()
    yield store
    await store.stop()


async def onnx_item(objects: LocalObjectStore) -> bus_pb2.WorkItem:
    data = linear_onnx()

    async def one() -> AsyncIterator[bytes]:
        yield data

    info = await objects.put(one())
    return bus_pb2.WorkItem(
        task_id="t1",
        digest="sha256:" + info.sha256,
        servable_type="onnx",
        model_path="model.onnx",
        artifacts=[
            types_pb2.ArtifactRef(
                path="model.onnx", object_key=info.key, size=info.size, sha256=info.sha256
            )
        ],
    )


# ------------------------------------------------------------------ warm-up


async def test_onnx_model_is_warmed_once_at_load_on_zeros_with_free_dims_as_one(
    objects: LocalObjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Array]] = []
    real_run = OnnxModel.run

    def recording_run(self: OnnxModel, inputs: Mapping[str, Array], outputs: Sequence[str]) -> Any:
        seen.append(dict(inputs))
        return real_run(self, inputs, outputs)

    monkeypatch.setattr(OnnxModel, "run", recording_run)
    options = {"onnx": {"intra_op_threads": 1}}
    cache = ModelCache(objects, tmp_path / "cache", runner_options=options)
    item = await onnx_item(objects)
    model = await cache.get(item)
    assert len(seen) == 1  # the warm-up run, before any request ran
    assert seen[0]["X"].shape == (1, 4)
    assert seen[0]["X"].dtype == np.float32
    assert not seen[0]["X"].any()
    assert seen[0]["S"].tolist() == [""]
    assert await cache.get(item) is model
    assert len(seen) == 1  # loaded (and warmed) once
    out = model.run({"X": np.ones((2, 4), np.float32), "S": np.array(["a", "b"], object)}, ["Y"])
    np.testing.assert_allclose(out["Y"], np.ones((2, 4)) @ np.arange(12).reshape(4, 3))
    cache.close()


def test_warm_up_failure_is_ignored() -> None:
    class Refusing:
        def get_inputs(self) -> list[Any]:
            return [type("Arg", (), {"name": "X", "type": "tensor(float)", "shape": [2]})()]

        def get_outputs(self) -> list[Any]:
            return []

        def run(self, names: Any, feeds: Any) -> Any:
            raise RuntimeError("zeros are not allowed")

    assert warmup.warm_up(OnnxModel(Refusing()), bus_pb2.WorkItem()) is False


def test_unreadable_signature_is_served_cold() -> None:
    class Broken:
        def get_inputs(self) -> list[Any]:
            raise RuntimeError("no metadata")

        def get_outputs(self) -> list[Any]:
            return []

    class Readable(Broken):
        def get_inputs(self) -> list[Any]:
            return []

    model = OnnxModel(Readable())
    model.session = Broken()  # the signature became unreadable after the load
    assert warmup.warm_up(model, bus_pb2.WorkItem()) is False


def test_onnx_graph_with_a_non_tensor_input_is_not_warmed() -> None:
    class SequenceInput:
        def get_inputs(self) -> list[Any]:
            return [type("Arg", (), {"name": "X", "type": "seq(tensor(float))", "shape": None})()]

        def get_outputs(self) -> list[Any]:
            return []

        def run(self, names: Any, feeds: Any) -> Any:
            raise AssertionError("must not run")

    assert warmup.warm_up(OnnxModel(SequenceInput()), bus_pb2.WorkItem()) is False


def test_torch_model_is_warmed_on_zeros_like_the_item() -> None:
    calls: list[tuple[Any, ...]] = []

    class FakeTensor(np.ndarray):  # what TorchModel needs of a torch.Tensor
        def detach(self) -> FakeTensor:
            return self

        def cpu(self) -> FakeTensor:
            return self

        def numpy(self) -> Array:
            return np.asarray(self)

    class FakeTorch:
        Tensor = FakeTensor

        @staticmethod
        def from_numpy(a: Array) -> FakeTensor:
            return a.view(FakeTensor)

        class inference_mode:
            def __enter__(self) -> None:
                return None

            def __exit__(self, *exc: object) -> None:
                return None

    class Module:
        def __call__(self, *args: Any) -> Any:
            calls.append(args)
            return args[0] * 2

    item = bus_pb2.WorkItem(
        servable_type="torchscript", inputs=[array_to_tensor("x", np.full((3, 2), 7, np.int64))]
    )
    model = TorchModel(FakeTorch, Module(), "cpu", ["x"], ["y"])
    assert warmup.warm_up(model, item) is True
    [(arg,)] = calls
    assert arg.shape == (3, 2)
    assert arg.dtype == np.int64
    assert not arg.any()


def test_python_servables_are_never_warmed() -> None:
    class Python(LoadedModel):
        def run(self, inputs: Mapping[str, Array], outputs: Sequence[str]) -> dict[str, Array]:
            raise AssertionError("publisher code must not run on made-up inputs")

        def run_json(self, inputs_json: str) -> str:
            raise AssertionError("publisher code must not run on made-up inputs")

    assert warmup.warm_up(Python(), bus_pb2.WorkItem(servable_type="python")) is False


def test_onnx_runner_session_feeds_for_every_plain_type(tmp_path: Path) -> None:
    (tmp_path / "m.onnx").write_bytes(linear_onnx())
    model = OnnxRunner(intra_op_threads=1).load(tmp_path, "m.onnx")
    assert isinstance(model, OnnxModel)
    feeds = warmup.onnx_zeros(model.session)
    assert feeds is not None
    assert {k: v.shape for k, v in feeds.items()} == {"X": (1, 4), "S": (1,)}


# ------------------------------------------------------------------ idle unload


async def test_idle_model_is_unloaded_and_loaded_again_on_next_use(
    objects: LocalObjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []
    real = models_module.warm_up

    def counting(model: LoadedModel, item: bus_pb2.WorkItem) -> bool:
        loads.append(item.digest)
        return real(model, item)

    monkeypatch.setattr(models_module, "warm_up", counting)
    clock = FakeClock()
    cache = ModelCache(objects, tmp_path / "cache", idle_unload_s=60.0, clock=clock)
    item = await onnx_item(objects)
    first = await cache.get(item)
    clock.now += 59
    assert cache.unload_idle() == []  # used 59 s ago: kept
    assert await cache.get(item) is first
    clock.now += 59
    assert cache.unload_idle() == []  # the second use counts
    clock.now += 2
    assert cache.unload_idle() == [item.digest]
    second = await cache.get(item)
    assert second is not first
    assert loads == [item.digest, item.digest]
    cache.close()


async def test_periodic_sweep_closes_an_idle_model(
    tmp_path: Path, objects: LocalObjectStore
) -> None:
    closed = asyncio.Event()

    class Closing(LoadedModel):
        def run(self, inputs: Mapping[str, Array], outputs: Sequence[str]) -> dict[str, Array]:
            return {}

        def close(self) -> None:
            closed.set()

    class Runner(ModelRunner):
        def load(self, bundle_dir: Path, model_path: str) -> LoadedModel:
            return Closing()

    cache = ModelCache(objects, tmp_path / "cache", idle_unload_s=0.2)
    cache._runners["closing"] = Runner()  # a runner type of this test only
    await cache.get(bus_pb2.WorkItem(task_id="t", digest="sha256:ab", servable_type="closing"))
    await asyncio.wait_for(closed.wait(), timeout=5)  # swept every 0.05 s
    cache.close()


def test_no_idle_unload_when_not_configured(tmp_path: Path) -> None:
    cache = ModelCache(LocalObjectStore(LocalObjectsConfig(), tmp_path), tmp_path)
    assert cache.unload_idle() == []
