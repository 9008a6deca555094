"""The seed's example: a small Keras CNN on digits, marked up with the original calls.

Trains a small convolutional network on scikit-learn's bundled 8x8 digits,
upsampled to 28x28 (each pixel a 3x3 block, padded by 2, so the shape is
MNIST's ``[null, 28, 28, 1]``), saves it as legacy HDF5 (``model.hd5``),
describes it with exactly the original DLHub SDK's calls, publishes it and
runs it, with the results labelled by class. Keras runs on the torch backend
(no TensorFlow). Run it against a running mesh (``dlhub up``):

    uv run python examples/keras_mnist/mnist.py

The script reads the gateway address and token from DLHUB_ADDRESS /
DLHUB_TOKEN or from .dlhub/client.json, which ``dlhub up`` writes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from dlhub_sdk import DLHubClient
from dlhub_sdk.models import KerasModel

OUT = Path(__file__).resolve().parent / "out"
SEED = 0


def images() -> tuple[np.ndarray, np.ndarray]:
    """The digits as float32 ``[n, 28, 28, 1]`` in [0, 1], and their labels."""
    digits = load_digits()
    x = digits.images.astype(np.float32) / 16.0
    x = np.kron(x, np.ones((1, 3, 3), dtype=np.float32))  # 8x8 -> 24x24
    x = np.pad(x, ((0, 0), (2, 2), (2, 2)))  # -> 28x28
    return x[..., None], digits.target


def train_and_save(path: Path, epochs: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Train the CNN and save it to ``path`` (HDF5); returns held-out (x, y)."""
    import keras

    keras.utils.set_random_seed(SEED)
    x, y = images()
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=SEED)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1), name="image"),
            keras.layers.Conv2D(8, 3, strides=2, activation="relu"),
            keras.layers.Conv2D(16, 3, strides=2, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax", name="probabilities"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"trained: held-out accuracy {accuracy:.3f}")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Keras 3 writes legacy HDF5 only under .h5; .hd5 (the original's name) is the same bytes
    model.save(path.with_suffix(".h5"))
    path.with_suffix(".h5").replace(path)
    return x_test, y_test


def describe(path: Path) -> KerasModel:
    """The issue's markup, call for call."""
    model = KerasModel(str(path), list(map(str, range(10))))
    model.set_title("MNIST Digit Classifier")
    model.set_name("mnist_tiny_example")
    model.set_domains(["general", "digit recognition"])
    model.add_related_identifier("10.1109/CVPR.2007.383157", "DOI", "IsDescribedBy")
    model.set_authors(["Lecunn, Yann", "Cortes, Corinna"])
    model.output["description"] = "Probabilities of being 0-9"
    model.input["description"] = "Image of a digit"
    return model


def main() -> int:
    model_path = OUT / "model.hd5"
    x_test, y_test = train_and_save(model_path)
    with DLHubClient() as client:
        summary = client.publish_servable(describe(model_path))
        ref = f"{summary['owner']}/{summary['name']}"
        print(f"published {ref} version {summary['version']} ({summary['digest'][:19]}...)")
        described = client.describe_servable(ref, layout="original")
        described["servable"]["model_summary"] = "(layer summary, see describe)"
        print("describe (original layout):")
        print(json.dumps(described, indent=2))
        labelled = client.run(ref, x_test[:3], labelled=True)
        print(f"run {ref} on 3 held-out digits (actual {y_test[:3].tolist()}), labelled:")
        for row in labelled:
            top = dict(list(row.items())[:3])
            print(f"  {json.dumps({k: round(v, 4) for k, v in top.items()})}")
        print("citation:", client.cite(ref))
    return 0


if __name__ == "__main__":
    sys.exit(main())
