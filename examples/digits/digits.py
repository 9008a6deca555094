"""Digits: train a small classifier, export it to ONNX, publish it, run it.

Needs no download: the 8x8 digits ship with scikit-learn. Run it against a
running mesh (``dlhub up``) or let ``make run`` start both:

    uv run python examples/digits/digits.py

The script reads the gateway address and token from DLHUB_ADDRESS /
DLHUB_TOKEN or from .dlhub/client.json, which ``dlhub up`` writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from skl2onnx import to_onnx
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from dlhub_sdk import DLHubClient
from dlhub_sdk.models import OnnxServable

OUT = Path(__file__).resolve().parent / "out"


def train_and_export(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Train on 8x8 digits and write ``path``; returns held-out (X, y)."""
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(
        x, digits.target, test_size=0.25, random_state=0
    )
    model = LogisticRegression(max_iter=2000).fit(x_train, y_train)
    print(f"trained: held-out accuracy {model.score(x_test, y_test):.3f}")
    onnx_model = to_onnx(
        model, x_train[:1], options={id(model): {"zipmap": False}}, target_opset=17
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(onnx_model.SerializeToString())
    return x_test, y_test


def describe(path: Path) -> OnnxServable:
    return (
        OnnxServable(path, name="digits")
        .set_title("Handwritten digit classifier (8x8)")
        .add_author("DLHub Examples", "DLHub")
        .set_abstract(
            "Logistic regression on scikit-learn's 8x8 handwritten digits, exported to ONNX. "
            "Input: pixel intensities scaled to [0, 1], shape [batch, 64]. "
            "Outputs: predicted label and class probabilities."
        )
        .set_domains(["machine learning", "computer vision"])
        .add_related_identifier("10.24432/C50P49", "DOI", "IsDerivedFrom")
    )


def main() -> int:
    model_path = OUT / "digits.onnx"
    x_test, y_test = train_and_export(model_path)
    with DLHubClient() as client:
        summary = client.publish_servable(describe(model_path))
        ref = f"{summary['owner']}/{summary['name']}"
        print(f"published {ref} version {summary['version']} ({summary['digest'][:19]}...)")
        result = client.run(ref, x_test[:8])
        print(f"run {ref} on 8 held-out digits:")
        print(f"  predicted {result['label'].tolist()}")
        print(f"  actual    {y_test[:8].tolist()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
