"""The executor's device setting: parsing, start-up checks, and what each runner does with it.

This machine has no GPU and the dev install has the CPU onnxruntime wheel, so
``cuda`` must be refused here, clearly and naming the setting. The CUDA paths
themselves (providers handed to ONNX Runtime, the GPU index torch is given)
are checked against stand-ins for the two runtimes that behave as they do on
a GPU machine; bench/gpu.py exercises the real thing where a GPU is lent.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper
from pydantic import ValidationError

from dlhub_common.errors import FailedPrecondition, InvalidArgument
from dlhub_common.settings import Settings
from dlhub_executor.devices import (
    SETTING,
    Device,
    check_device,
    onnx_providers,
    session_device,
    torch_device,
)
from dlhub_executor.runners.onnx import OnnxRunner
from dlhub_executor.runners.torch import TorchExportRunner, TorchScriptRunner

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray, np.ndarray]:
    """``Y = X @ W + B``, X float32 [N, 4]."""
    folder = tmp_path_factory.mktemp("onnx")
    w = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    b = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["X", "W"], ["XW"]),
            helper.make_node("Add", ["XW", "B"], ["Y"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 3])],
        initializer=[numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    (folder / "model.onnx").write_bytes(model.SerializeToString())
    return folder, w, b


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("value", "kind", "index", "reported"),
    [
        ("cpu", "cpu", None, "cpu"),
        ("cuda", "cuda", None, "cuda:0"),
        ("cuda:0", "cuda", 0, "cuda:0"),
        ("cuda:3", "cuda", 3, "cuda:3"),
    ],
)
def test_device_values(value: str, kind: str, index: int | None, reported: str) -> None:
    device = Device.parse(value)
    assert (device.kind, device.index, str(device), device.setting) == (
        kind,
        index,
        reported,
        value,
    )


@pytest.mark.parametrize("value", ["gpu", "CUDA", "cuda:", "cuda:-1", "cuda:x", "cpu:0", ""])
def test_bad_device_values_are_refused_naming_the_setting(value: str) -> None:
    with pytest.raises(InvalidArgument, match=SETTING) as info:
        Device.parse(value)
    assert info.value.details == {"setting": SETTING, "value": value}


@pytest.mark.parametrize("value", ["gpu", "cuda:", "cuda:-1", "cpu:0", "mps"])
def test_settings_refuse_bad_devices_at_start_up(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(SETTING, value)
    with pytest.raises(ValidationError) as info:
        Settings()
    (error,) = info.value.errors()
    assert error["loc"] == ("executor_options", "device")
    assert error["input"] == value


def test_settings_accept_cuda_n(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SETTING, "cuda:1")
    assert Settings().executor_options.device == "cuda:1"
    monkeypatch.delenv(SETTING)
    assert Settings().executor_options.device == "cpu"  # the default


def test_dlhub_serve_executor_refuses_a_bad_device(tmp_path: Path) -> None:
    """The real start-up path: a malformed value and a CUDA the install lacks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLHUB_")}
    env.update(DLHUB_EXECUTOR__PORT="0", DLHUB_DATA_DIR=str(tmp_path))
    cmd = [sys.executable, "-m", "dlhub_sdk.cli", "serve", "executor"]
    bad = subprocess.run(
        cmd, env={**env, SETTING: "gpu"}, capture_output=True, text=True, timeout=60
    )
    assert bad.returncode != 0
    assert "executor_options.device" in bad.stderr, bad.stderr
    cuda = subprocess.run(
        cmd, env={**env, SETTING: "cuda:1"}, capture_output=True, text=True, timeout=60
    )
    assert cuda.returncode != 0
    assert (
        f"FAILED_PRECONDITION: no model runtime of this executor can use {SETTING}=cuda:1"
        in cuda.stderr
    )
    assert f"needs ONNX Runtime's {CUDA}" in cuda.stderr
    assert "install dlhub-executor[gpu]" in cuda.stderr
    assert "torch.cuda.is_available() is false" in cuda.stderr


# ------------------------------------------------------------- the install


def test_the_dev_install_has_the_cpu_onnxruntime_only() -> None:
    """`uv sync --frozen` gives dlhub-executor[cpu]: onnxruntime, never onnxruntime-gpu."""
    assert importlib.metadata.version("onnxruntime")
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.version("onnxruntime-gpu")
    assert CUDA not in ort.get_available_providers()


def test_cpu_and_gpu_extras_conflict() -> None:
    import tomllib

    root = Path(__file__).resolve().parents[2]
    project = tomllib.loads((root / "services/executor/pyproject.toml").read_text())
    extras = project["project"]["optional-dependencies"]
    assert [r.split(">")[0] for r in extras["cpu"]] == ["onnxruntime"]
    assert [r.split(">")[0] for r in extras["gpu"]] == ["onnxruntime-gpu"]
    assert not any("onnxruntime" in r for r in project["project"]["dependencies"])
    conflicts = project["tool"]["uv"]["conflicts"]
    assert [{"extra": "cpu"}, {"extra": "gpu"}] in conflicts
    # dlhub-sdk[sklearn] needs the CPU onnxruntime for its conversion check
    assert [{"extra": "gpu"}, {"package": "dlhub-sdk", "extra": "sklearn"}] in conflicts
    lock = (root / "uv.lock").read_text()
    assert '{ package = "dlhub-executor", extra = "cpu" }' in lock
    assert '{ package = "dlhub-executor", extra = "gpu" }' in lock


# ------------------------------------------------------------ ONNX Runtime


def test_onnx_providers() -> None:
    assert onnx_providers(Device.parse("cpu"), [CPU]) == [CPU]
    assert onnx_providers(Device.parse("cpu"), [CUDA, CPU]) == [CPU]  # cpu means cpu
    assert onnx_providers(Device.parse("cuda"), [CUDA, CPU]) == [(CUDA, {"device_id": 0}), CPU]
    assert onnx_providers(Device.parse("cuda:2"), [CUDA, CPU]) == [(CUDA, {"device_id": 2}), CPU]
    with pytest.raises(FailedPrecondition) as info:
        onnx_providers(Device.parse("cuda"), ["AzureExecutionProvider", CPU])
    message = info.value.message
    assert f"{SETTING}=cuda needs ONNX Runtime's {CUDA}" in message
    assert "AzureExecutionProvider, CPUExecutionProvider" in message
    assert "dlhub-executor[gpu]" in message


def test_a_session_that_fell_back_to_the_cpu_is_refused() -> None:
    assert session_device(Device.parse("cuda:1"), [CUDA, CPU]) == "cuda:1"
    assert session_device(Device.parse("cpu"), [CPU]) == "cpu"
    with pytest.raises(FailedPrecondition, match=rf"{SETTING}=cuda:1: .* could not start"):
        session_device(Device.parse("cuda:1"), [CPU])


def test_onnx_runner_on_the_cpu(tiny_model: tuple[Path, np.ndarray, np.ndarray]) -> None:
    folder, w, b = tiny_model
    model = OnnxRunner(intra_op_threads=1, device="cpu").load(folder, "model.onnx")
    assert model.device == "cpu"
    assert model.session.get_providers() == [CPU]  # type: ignore[attr-defined]
    x = np.ones((2, 4), dtype=np.float32)
    np.testing.assert_allclose(model.run({"X": x}, [])["Y"], x @ w + b, rtol=1e-6)


def test_onnx_runner_refuses_cuda_without_the_cuda_provider(
    tiny_model: tuple[Path, np.ndarray, np.ndarray],
) -> None:
    folder, _, _ = tiny_model
    runner = OnnxRunner(device="cuda")
    with pytest.raises(FailedPrecondition) as info:
        runner.load(folder, "model.onnx")
    assert info.value.message.startswith(f"{SETTING}=cuda needs ONNX Runtime's {CUDA}")
    assert "install dlhub-executor[gpu] (onnxruntime-gpu)" in info.value.message
    assert info.value.details["available_providers"] == ort.get_available_providers()


def test_onnx_runner_refuses_a_malformed_device() -> None:
    with pytest.raises(InvalidArgument, match=SETTING):
        OnnxRunner(device="gpu0")


class _FakeSession:
    """Behaves like an InferenceSession of onnxruntime-gpu: keeps what it was given."""

    def __init__(self, path: str, sess_options: Any, providers: list[Any]) -> None:
        self.providers_given = providers
        self.got = [p if isinstance(p, str) else p[0] for p in providers]

    def get_providers(self) -> list[str]:
        return self.got

    def get_outputs(self) -> list[Any]:
        return [SimpleNamespace(name="Y", type="tensor(float)")]

    def get_inputs(self) -> list[Any]:
        return [SimpleNamespace(name="X", type="tensor(float)")]


def _fake_ort(available: list[str], falls_back: bool = False) -> ModuleType:
    fake = ModuleType("onnxruntime")

    class Session(_FakeSession):
        def __init__(self, path: str, sess_options: Any, providers: list[Any]) -> None:
            super().__init__(path, sess_options, providers)
            if falls_back:  # what ORT does when CUDA's libraries are missing
                self.got = [CPU]

    fake.InferenceSession = Session  # type: ignore[attr-defined]
    fake.SessionOptions = lambda: SimpleNamespace()  # type: ignore[attr-defined]
    fake.RunOptions = lambda: SimpleNamespace(terminate=False)  # type: ignore[attr-defined]
    fake.GraphOptimizationLevel = SimpleNamespace(ORT_ENABLE_ALL=99)  # type: ignore[attr-defined]
    fake.get_available_providers = lambda: list(available)  # type: ignore[attr-defined]
    fake.preload_dlls = lambda: fake.__dict__.setdefault("preloaded", True)  # type: ignore[attr-defined]
    return fake


def test_onnx_runner_hands_cuda_and_the_gpu_index_to_onnxruntime(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import dlhub_executor.runners.onnx as onnx_runner

    fake = _fake_ort([CUDA, CPU])
    monkeypatch.setitem(sys.modules, "onnxruntime", fake)
    monkeypatch.setattr(onnx_runner, "_preloaded", False)
    model = OnnxRunner(device="cuda:1").load(tmp_path, "model.onnx")
    assert model.device == "cuda:1"
    assert model.session.providers_given == [(CUDA, {"device_id": 1}), CPU]  # type: ignore[attr-defined]
    assert fake.__dict__.get("preloaded") is True  # pip-installed CUDA libraries found
    cpu = OnnxRunner(device="cpu").load(tmp_path, "model.onnx")
    assert (cpu.device, cpu.session.providers_given) == ("cpu", [CPU])  # type: ignore[attr-defined]


def test_onnx_runner_refuses_a_quiet_fall_back_to_the_cpu(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", _fake_ort([CUDA, CPU], falls_back=True))
    with pytest.raises(FailedPrecondition, match=f"{SETTING}=cuda: ONNX Runtime could not start"):
        OnnxRunner(device="cuda").load(tmp_path, "model.onnx")


# ------------------------------------------------------------------ torch


class Affine(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * 2 + 1


@pytest.fixture(scope="module")
def torch_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("torch")
    example = torch.ones(2, 3)
    torch.jit.save(torch.jit.trace(Affine().eval(), example), str(folder / "model.pt"))
    torch.export.save(torch.export.export(Affine().eval(), (example,)), str(folder / "model.pt2"))
    return folder


@pytest.mark.parametrize(
    ("runner", "path"), [(TorchScriptRunner, "model.pt"), (TorchExportRunner, "model.pt2")]
)
def test_torch_runners_on_the_cpu(torch_models: Path, runner: Any, path: str) -> None:
    model = runner(device="cpu").load(torch_models, path)
    assert model.device == "cpu"
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(model.run({"x": x}, [])["output_0"], x * 2 + 1)


@pytest.mark.parametrize(
    ("runner", "path"), [(TorchScriptRunner, "model.pt"), (TorchExportRunner, "model.pt2")]
)
def test_torch_runners_refuse_cuda_without_a_gpu(
    torch_models: Path, runner: Any, path: str
) -> None:
    assert not torch.cuda.is_available()  # this machine
    with pytest.raises(FailedPrecondition) as info:
        runner(device="cuda").load(torch_models, path)
    assert info.value.message.startswith(f"{SETTING}=cuda but torch.cuda.is_available() is false")


def _fake_torch(gpus: int, cuda_build: str | None = "13.0") -> Any:
    return SimpleNamespace(
        cuda=SimpleNamespace(is_available=lambda: gpus > 0, device_count=lambda: gpus),
        version=SimpleNamespace(cuda=cuda_build),
    )


def test_torch_device() -> None:
    assert torch_device(_fake_torch(0), Device.parse("cpu")) == "cpu"
    assert torch_device(_fake_torch(2), Device.parse("cuda")) == "cuda:0"
    assert torch_device(_fake_torch(2), Device.parse("cuda:1")) == "cuda:1"
    with pytest.raises(FailedPrecondition, match=r"=cuda:2 but torch sees 2 GPU\(s\)"):
        torch_device(_fake_torch(2), Device.parse("cuda:2"))
    with pytest.raises(FailedPrecondition, match="no CUDA support"):
        torch_device(_fake_torch(0, cuda_build=None), Device.parse("cuda"))
    with pytest.raises(FailedPrecondition, match=r"built for CUDA 13\.0\) sees no GPU"):
        torch_device(_fake_torch(0), Device.parse("cuda"))


# ---------------------------------------------------------------- start-up


def test_check_device_refuses_cuda_when_no_runtime_can_use_it() -> None:
    assert check_device("cpu") == Device("cpu")
    with pytest.raises(FailedPrecondition) as info:
        check_device("cuda:0")  # here: CPU onnxruntime, and torch sees no GPU
    assert info.value.message.startswith(
        f"no model runtime of this executor can use {SETTING}=cuda:0: "
    )
    problems = info.value.details["problems"]
    assert len(problems) == 2
    assert "install dlhub-executor[gpu]" in problems[0]
    assert "torch.cuda.is_available() is false" in problems[1]
    with pytest.raises(InvalidArgument, match=SETTING):
        check_device("tpu")


def test_check_device_starts_when_one_runtime_can(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """CUDA torch with the CPU onnxruntime: starts, warns, ONNX models refuse to load."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with caplog.at_level("WARNING", logger="dlhub.executor"):
        assert check_device("cuda") == Device("cuda")
    (record,) = caplog.records
    assert f"{SETTING}=cuda needs ONNX Runtime's {CUDA}" in record.getMessage()
    assert "those models will fail to load" in record.getMessage()
