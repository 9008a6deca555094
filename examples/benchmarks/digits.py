"""Digits benchmark: the held-out split of scikit-learn's 8x8 digits, scored by accuracy.

Publishes a benchmark (type ``benchmark``: the held-out images, their labels,
the signature a model must have, and the metric), then models trained on the
other part of the same split, scores every servable you may see whose
signature fits (``--all``) and prints the leaderboard:

* ``digits-logreg``: the logistic regression of examples/digits, exported to ONNX;
* ``digits-forest``: an iris-style scikit-learn random forest, converted to ONNX;
* ``digits-cnn-flat``: the PyTorch CNN of examples/torch_digits behind a flat
  ``X[batch, 64] -> label`` signature, as TorchScript (when torch is installed);
* ``digits-cnn-image``: the same CNN with its own ``image[batch, 1, 8, 8] ->
  logits`` signature: it does not fit, and the run says why.

Run it against a running mesh (``dlhub up``):

    uv run python examples/benchmarks/digits.py

The script reads the gateway address and token from DLHUB_ADDRESS /
DLHUB_TOKEN or from .dlhub/client.json, which ``dlhub up`` writes.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

from dlhub_sdk import DLHubClient
from dlhub_sdk._benchmarks import Benchmark
from dlhub_sdk.cli.benchmarks import leaderboard_text, run_text
from dlhub_sdk.models import ScikitLearnServable

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent
BENCHMARK = "digits-heldout"
# the CNN's training epochs (the end-to-end test trains fewer)
CNN_EPOCHS = int(os.environ.get("DIGITS_CNN_EPOCHS", "8"))


def _example(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The split of examples/digits: pixels scaled to 0..1, 25% held out."""
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(
        x, digits.target, test_size=0.25, random_state=0
    )
    return x_train, x_test, y_train.astype(np.int64), y_test.astype(np.int64)


def logreg(out: Path) -> Any:
    """examples/digits' ONNX logistic regression (trained on this split's training part)."""
    example = _example(EXAMPLES / "digits" / "digits.py", "dlhub_example_digits")
    path = out / "digits-logreg.onnx"
    example.train_and_export(path)
    return example.describe(path).set_name("digits-logreg")


def forest(x_train: np.ndarray, y_train: np.ndarray) -> Any:
    model = RandomForestClassifier(n_estimators=60, max_depth=10, random_state=0)
    model.fit(x_train, y_train)
    return (
        ScikitLearnServable(model, name="digits-forest", sample_input=x_train[:32])
        .set_title("Handwritten digit classifier (random forest)")
        .add_author("DLHub Examples", "DLHub")
        .set_abstract("A scikit-learn random forest on the 8x8 digits, converted to ONNX.")
    )


def cnns(x_train: np.ndarray, y_train: np.ndarray) -> list[Any]:
    """The CNN of examples/torch_digits, trained here: flat (fits) and image (does not)."""
    try:
        import torch
    except ImportError:
        print("torch is not installed: the CNN does not compete")
        return []
    from dlhub_sdk.models import TorchServable

    cnn_example = _example(EXAMPLES / "torch_digits" / "cnn.py", "dlhub_example_cnn")
    model = cnn_example.fit(x_train.reshape(-1, 1, 8, 8), y_train, epochs=CNN_EPOCHS)

    class Flat(torch.nn.Module):
        """X[batch, 64] -> label[batch]: the benchmark's signature."""

        def __init__(self, cnn: torch.nn.Module) -> None:
            super().__init__()
            self.cnn = cnn

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.cnn(x.reshape(-1, 1, 8, 8)).argmax(dim=1)

    flat = (
        TorchServable(
            Flat(model), x_train[:8], "digits-cnn-flat", input_names=["X"], output_names=["label"]
        )
        .set_title("Handwritten digit classifier (PyTorch CNN, flat input)")
        .add_author("DLHub Examples", "DLHub")
        .set_abstract("The CNN of examples/torch_digits taking X[batch, 64], returning labels.")
    )
    image = (
        TorchServable(
            model,
            x_train[:8].reshape(-1, 1, 8, 8),
            "digits-cnn-image",
            input_names=["image"],
            output_names=["logits"],
        )
        .set_title("Handwritten digit classifier (PyTorch CNN, image input)")
        .add_author("DLHub Examples", "DLHub")
        .set_abstract("The CNN of examples/torch_digits: image[batch, 1, 8, 8] -> logits.")
    )
    return [flat, image]


def benchmark(x_test: np.ndarray, y_test: np.ndarray, like: Any) -> Benchmark:
    bench = Benchmark.from_arrays(
        BENCHMARK,
        {"X": x_test},
        y_test,
        metric="accuracy",
        output="label",
        like=like,
        batch_size=64,
    )
    bench.set_title("Handwritten digits (8x8), held-out split: accuracy")
    bench.add_author("DLHub Examples", "DLHub")
    bench.set_abstract(
        "The 25% held-out split (random_state=0) of scikit-learn's 8x8 digits, pixels"
        " scaled to 0..1. Competitors take X[batch, 64] float32 and return label[batch]."
    )
    bench.add_related_identifier("10.24432/C50P49", "DOI", "IsDerivedFrom")
    return bench


def main() -> int:
    x_train, x_test, y_train, y_test = split()
    with tempfile.TemporaryDirectory() as out, DLHubClient() as client:
        models = [logreg(Path(out)), forest(x_train, y_train), *cnns(x_train, y_train)]
        summary = client.publish_benchmark(benchmark(x_test, y_test, like=models[0]))
        ref = f"{summary['owner']}/{summary['name']}"
        print(
            f"published benchmark {ref} version {summary['version']}"
            f" ({len(y_test)} held-out digits, accuracy)"
        )
        for model in models:
            s = client.publish_servable(model)
            print(
                f"published {s['owner']}/{s['name']} version {s['version']} ({s['servable_type']})"
            )
        t0 = time.perf_counter()
        result = client.score_benchmark(ref, all=True)
        print(f"\n$ dlhub benchmark run {ref} --all   ({time.perf_counter() - t0:.1f} s)")
        print(run_text(result))
        print(f"\n$ dlhub benchmark leaderboard {ref}")
        print(leaderboard_text(client.leaderboard(ref)))
    failed = [o for o in result["outcomes"] if "error" in o]
    return 1 if failed or not result["outcomes"] else 0


if __name__ == "__main__":
    sys.exit(main())
