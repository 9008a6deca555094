"""A TensorFlow SavedModel published as ONNX: iris species from four measurements.

Trains a softmax regression in TensorFlow (``train.py``, run by the SDK's own
TensorFlow interpreter: the project's environment has no TensorFlow), saves it
as a SavedModel, then builds a :class:`~dlhub_sdk.models.TensorFlowServable`:
the SDK converts the ``serving_default`` signature to ONNX with tf2onnx and
checks the conversion against TensorFlow. It publishes it, runs it on the
held-out rows (raw and labelled) and compares the answers with TensorFlow's
own. Run it against a running mesh (``dlhub up``):

    uv run python examples/tensorflow_iris/publish.py

The script reads the gateway address and token from DLHUB_ADDRESS /
DLHUB_TOKEN or from .dlhub/client.json, which ``dlhub up`` writes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from dlhub_sdk import DLHubClient
from dlhub_sdk.models import TensorFlowServable
from dlhub_sdk.models.tensorflow import child_env, tensorflow_python

HERE = Path(__file__).resolve().parent
SEED = 0


def train(out: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Train in TensorFlow; returns held-out (x, y), TensorFlow's answers, the class names."""
    iris = load_iris()
    x_train, x_test, y_train, y_test = train_test_split(
        iris.data, iris.target, test_size=0.2, random_state=SEED, stratify=iris.target
    )
    scaler = StandardScaler().fit(x_train)
    x_train, x_test = (scaler.transform(a).astype(np.float32) for a in (x_train, x_test))
    np.savez(out / "data.npz", x_train=x_train, y_train=y_train, x_test=x_test)
    subprocess.run(
        [tensorflow_python(), str(HERE / "train.py"), str(out / "data.npz"), str(out)],
        env=child_env(),
        check=True,
    )
    with np.load(out / "tensorflow.npz") as answers:
        expected = answers["probabilities"]
    return x_test, y_test, expected, [str(n) for n in iris.target_names]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        x_test, y_test, expected, classes = train(out)
        model = TensorFlowServable(out / "saved", name="iris-tf", classes=classes)
        model.set_title("Iris species from sepal and petal measurements (TensorFlow)")
        model.set_authors(["Fisher, Ronald"])
        model.set_domains(["botany"])
        model.input["features"]["description"] = "Sepal and petal length and width, standardised"
        model.output["probabilities"]["description"] = "Probability of each species"
        check = model.to_dict()["servable"]["methods"]["run"]["method_details"]["fidelity_check"]
        print(
            f"converted to ONNX: largest difference from TensorFlow {check['max_abs_difference']}"
        )
        with DLHubClient() as client:
            summary = client.publish_servable(model)
            ref = f"{summary['owner']}/{summary['name']}"
            print(f"published {ref} version {summary['version']}")
            raw = client.run(ref, x_test)["probabilities"]
            labelled = client.run(ref, x_test[:3], labelled=True)
    worst = float(np.max(np.abs(np.asarray(raw) - expected)))
    predicted = np.asarray(raw).argmax(axis=1)
    print(f"largest difference from TensorFlow in-process: {worst:.3g}")
    print(f"held-out accuracy {float((predicted == y_test).mean()):.3f} on {len(y_test)} rows")
    print(f"labelled (actual {[classes[i] for i in y_test[:3]]}):")
    for row in labelled:
        print(f"  {json.dumps({k: round(v, 4) for k, v in row.items()})}")
    return 0 if worst <= 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
