"""Digits CNN: train a small PyTorch network, publish it as TorchScript and as ONNX, run both.

Needs no download: the 8x8 digit images ship with scikit-learn. A two-layer
convolutional network trains for a few epochs on the CPU (seconds). The SDK
traces it to TorchScript, checks the saved model against the module, and
publishes it (servable type ``torchscript``, run by the executor's torch
runner); ``to_onnx`` exports the same network to ONNX, checks it with ONNX
Runtime against torch, and publishes that too (type ``onnx``). Both are run on
held-out digits and compared with the network run in this process. Run it
against a running mesh (``dlhub up``):

    uv run python examples/torch_digits/cnn.py

The script reads the gateway address and token from DLHUB_ADDRESS /
DLHUB_TOKEN or from .dlhub/client.json, which ``dlhub up`` writes.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

from dlhub_sdk import DLHubClient
from dlhub_sdk.models import TorchServable

EPOCHS = 8


class DigitsCNN(nn.Module):
    """[batch, 1, 8, 8] grey levels in 0..1 -> [batch, 10] class scores (logits)."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10)
        )

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(image))


def fit(x_train: np.ndarray, y_train: np.ndarray, epochs: int = EPOCHS) -> DigitsCNN:
    """The network trained on images [n, 1, 8, 8] and their labels, in eval mode."""
    torch.manual_seed(0)
    model = DigitsCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train).long()
    for _epoch in range(epochs):
        model.train()
        order = torch.randperm(len(xt))
        for start in range(0, len(xt), 64):
            batch = order[start : start + 64]
            optimizer.zero_grad()
            loss_fn(model(xt[batch]), yt[batch]).backward()
            optimizer.step()
    return model.eval()


def train() -> tuple[DigitsCNN, np.ndarray, np.ndarray]:
    """The network trained on 70% of the digits; returns it with the held-out (X, y)."""
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]  # [n, 1, 8, 8]
    x_train, x_test, y_train, y_test = train_test_split(
        x, digits.target, test_size=0.3, random_state=0, stratify=digits.target
    )
    t0 = time.perf_counter()
    model = fit(x_train, y_train)
    with torch.inference_mode():
        accuracy = (model(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
    print(
        f"trained {EPOCHS} epochs in {time.perf_counter() - t0:.1f} s:"
        f" held-out accuracy {accuracy:.3f}"
    )
    return model, x_test, y_test


def describe(model: DigitsCNN, sample: np.ndarray, name: str = "digits-cnn") -> TorchServable:
    """The TorchScript servable, checked against ``model`` on ``sample``."""
    return (
        TorchServable(model, sample[:8], name, input_names=["image"], output_names=["logits"])
        .set_title("Handwritten digit classifier (PyTorch CNN)")
        .add_author("DLHub Examples", "DLHub")
        .set_abstract(
            "A small convolutional network on scikit-learn's 8x8 digits. Input image: grey"
            " levels scaled to 0..1, shape [batch, 1, 8, 8]. Output logits: [batch, 10] class"
            " scores; the predicted digit is their argmax."
        )
        .set_domains(["machine learning", "computer vision"])
    )


def main() -> int:
    model, x_test, y_test = train()
    servable = describe(model, x_test)
    onnx_servable = servable.to_onnx()  # the same network for ONNX Runtime, checked vs torch
    expected = servable.predict(x_test)["logits"]
    ok = True
    with DLHubClient() as client:
        for builder in (servable, onnx_servable):
            summary = client.publish_servable(builder)
            ref = f"{summary['owner']}/{summary['name']}"
            print(
                f"published {ref} version {summary['version']} as {summary['servable_type']}"
                f" ({summary['digest'][:19]}...)"
            )
            logits = client.run(ref, x_test)["logits"]
            gap = float(np.abs(logits - expected).max())
            same = bool(np.array_equal(logits.argmax(1), expected.argmax(1)))
            print(f"run {ref} on {len(x_test)} held-out digits:")
            print(f"  served    {logits.argmax(1)[:12].tolist()} ...")
            print(f"  torch     {expected.argmax(1)[:12].tolist()} ...")
            print(f"  actual    {y_test[:12].tolist()} ...")
            print(f"  predictions equal to torch's: {same}; max logit difference {gap:.2g}")
            ok = ok and same and gap < 1e-3
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
