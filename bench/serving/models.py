"""The two models of the serving benchmark, built locally with nothing downloaded.

* ``digits``: the logistic regression of examples/digits (trained there, on
  scikit-learn's bundled 8x8 digits), FP32 ``[N, 64]``.
* ``resnet``: a CIFAR-size ResNet-20 (He et al., 2016: three stages of three
  basic blocks, 16/32/64 channels) with seeded random weights, FP32
  ``[N, 3, 32, 32]`` with a dynamic batch axis.

Both files are cached under bench/.cache/models/ and rebuilt only when absent.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "bench" / ".cache"
MODELS = CACHE / "models"
DIGITS_SCRIPT = ROOT / "examples" / "digits" / "digits.py"


@dataclass(frozen=True)
class ModelFile:
    """One ONNX file and what a client needs to call it."""

    key: str  # "digits" or "resnet"
    path: Path
    input_name: str
    sample_shape: tuple[int, ...]  # one sample, without the batch axis
    datatype: str = "FP32"


def load_digits_example() -> ModuleType:
    """examples/digits/digits.py as a module (its functions, not its main)."""
    spec = importlib.util.spec_from_file_location("dlhub_example_digits", DIGITS_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def digits_model() -> ModelFile:
    path = MODELS / "digits.onnx"
    if not path.is_file():
        load_digits_example().train_and_export(path)
    return ModelFile("digits", path, _input_name(path), (64,))


def resnet_model(seed: int = 0) -> ModelFile:
    path = MODELS / f"resnet20-seed{seed}.onnx"
    if not path.is_file():
        _export_resnet(path, seed)
    return ModelFile("resnet", path, _input_name(path), (3, 32, 32))


def _input_name(path: Path) -> str:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name: str = session.get_inputs()[0].name
    return name


def _export_resnet(path: Path, seed: int) -> None:
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.short: nn.Module = nn.Identity()
            if stride != 1 or cin != cout:
                self.short = nn.Sequential(
                    nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
                )

        def forward(self, x: Any) -> Any:
            y = torch.relu(self.bn1(self.conv1(x)))
            return torch.relu(self.bn2(self.conv2(y)) + self.short(x))

    class ResNet20(nn.Module):
        def __init__(self, classes: int = 10) -> None:
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16))
            layers: list[nn.Module] = []
            cin = 16
            for cout, stride in ((16, 1), (32, 2), (64, 2)):
                for i in range(3):
                    layers.append(Block(cin, cout, stride if i == 0 else 1))
                    cin = cout
            self.layers = nn.Sequential(*layers)
            self.head = nn.Linear(64, classes)

        def forward(self, x: Any) -> Any:
            y = self.layers(torch.relu(self.stem(x)))
            return torch.softmax(self.head(y.mean(dim=(2, 3))), dim=1)

    torch.manual_seed(seed)
    model = ResNet20().eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with torch.no_grad():
        torch.onnx.export(
            model,
            (torch.randn(1, 3, 32, 32),),
            str(tmp),
            input_names=["image"],
            output_names=["probabilities"],
            dynamic_axes={"image": {0: "batch"}, "probabilities": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(path)
