"""Iris: train a scikit-learn random forest, publish it as is, run it.

Needs no download: the iris measurements ship with scikit-learn. The SDK
converts the fitted estimator to ONNX (skl2onnx), checks that the converted
model predicts what the estimator predicts, and publishes the ONNX graph; the
mesh runs it on ONNX Runtime. Run it against a running mesh (``dlhub up``):

    uv run python examples/sklearn/iris.py

The script reads the gateway address and token from DLHUB_ADDRESS /
DLHUB_TOKEN or from .dlhub/client.json, which ``dlhub up`` writes.
"""

from __future__ import annotations

import sys

import numpy as np
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

from dlhub_sdk import DLHubClient
from dlhub_sdk.models import ScikitLearnServable, ServableBuilder


def train() -> tuple[RandomForestClassifier, np.ndarray, np.ndarray]:
    """A random forest on iris; returns it with the held-out (X, y)."""
    iris = load_iris()
    x = iris.data.astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(
        x, iris.target, test_size=0.3, random_state=0, stratify=iris.target
    )
    model = RandomForestClassifier(n_estimators=50, max_depth=5, random_state=0)
    model.fit(x_train, y_train)
    print(f"trained: held-out accuracy {model.score(x_test, y_test):.3f}")
    return model, x_test, y_test


def describe(
    model: RandomForestClassifier, sample: np.ndarray, name: str = "iris"
) -> ServableBuilder:
    """The servable: converted to ONNX and checked against ``model`` on ``sample``."""
    return (
        ScikitLearnServable(model, name=name, sample_input=sample)
        .set_title("Iris species classifier (random forest)")
        .add_author("DLHub Examples", "DLHub")
        .set_abstract(
            "A scikit-learn random forest on Fisher's iris measurements, converted to ONNX. "
            "Input X: sepal length, sepal width, petal length, petal width in cm, shape"
            " [batch, 4]. Outputs: label (0 setosa, 1 versicolor, 2 virginica) and class"
            " probabilities."
        )
        .set_domains(["machine learning", "biology"])
        .add_related_identifier("10.24432/C56C76", "DOI", "IsDerivedFrom")
    )


def main() -> int:
    model, x_test, y_test = train()
    with DLHubClient() as client:
        summary = client.publish_servable(describe(model, x_test))
        ref = f"{summary['owner']}/{summary['name']}"
        print(f"published {ref} version {summary['version']} ({summary['digest'][:19]}...)")
        result = client.run(ref, x_test)
    expected = model.predict(x_test)
    gap = float(np.abs(result["probabilities"] - model.predict_proba(x_test)).max())
    print(f"run {ref} on {len(x_test)} held-out flowers:")
    print(f"  served    {result['label'][:12].tolist()} ...")
    print(f"  sklearn   {expected[:12].tolist()} ...")
    print(f"  actual    {y_test[:12].tolist()} ...")
    same = bool(np.array_equal(result["label"], expected))
    print(f"  labels equal to scikit-learn's: {same}; max probability difference {gap:.2g}")
    return 0 if same and gap < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
