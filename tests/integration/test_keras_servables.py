"""Keras servables through the in-process mesh, and the original markup API.

Small Keras 3 models (torch backend, seeded weights) are saved as ``.keras``
and as legacy HDF5 (``.hd5``); every run is compared with the same model
called in this process. The bad-input rows of issue 14 for Keras: a file that
is not a Keras model, custom layers not shipped with it, and classes that do
not fit the output, each INVALID_ARGUMENT with nothing stored.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import grpc
import h5py
import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras

from dlhub_common._proto.dlhub.v1 import tasks_pb2
from dlhub_common.codec import tensor_to_array
from dlhub_common.errors import InvalidArgument
from dlhub_sdk import DLHubClient
from dlhub_sdk.cli import main as cli_main
from dlhub_sdk.models import KerasModel

from .conftest import Mesh

CLASSES = list(map(str, range(10)))
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "keras_mnist" / "mnist.py"


def cnn() -> Any:
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1), name="image"),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.MaxPooling2D(4),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax", name="probabilities"),
        ]
    )


@keras.saving.register_keras_serializable(package="Mine")
class Twice(keras.layers.Layer):
    def call(self, x: Any) -> Any:
        return x * 2


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keras")
    model = cnn()
    custom = keras.Sequential([keras.Input(shape=(3,)), Twice(), keras.layers.Dense(2)])
    out = {
        "keras": folder / "model.keras",
        "hd5": folder / "model.hd5",
        "custom.keras": folder / "custom.keras",
        "custom.h5": folder / "custom.h5",
        "weights.h5": folder / "only.weights.h5",
        "plain.h5": folder / "plain.h5",
    }
    model.save(out["keras"])
    model.save(folder / "model.h5")  # Keras writes HDF5 only as .h5: the same bytes as .hd5
    (folder / "model.h5").rename(out["hd5"])
    custom.save(out["custom.keras"])
    custom.save(out["custom.h5"])
    model.save_weights(out["weights.h5"])
    with h5py.File(out["plain.h5"], "w") as f:
        f["x"] = np.zeros(3)
    return out


def digits(n: int = 5, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).random((n, 28, 28, 1), dtype=np.float32)


def _example() -> Any:
    spec = importlib.util.spec_from_file_location("dlhub_example_keras_mnist", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seed_markup(path: Path) -> KerasModel:
    """The issue's example, call for call: the example script's own describe()."""
    built: KerasModel = _example().describe(path)
    return built


def artifacts(builder: Any) -> dict[str, bytes]:
    return {path: src.read_bytes() for path, src in builder.files().items()}


def test_builder_reads_signature_pins_and_summary(files: dict[str, Path]) -> None:
    for kind in ("keras", "hd5"):
        doc = seed_markup(files[kind]).to_dict()
        servable = doc["servable"]
        run = servable["methods"]["run"]
        assert servable["type"] == "keras"
        assert run["input"]["properties"] == {
            "image": {
                "type": "ndarray",
                "shape": [None, 28, 28, 1],
                "item_type": {"type": "float32"},
            }
        }
        assert run["output"]["properties"]["probabilities"]["shape"] == [None, 10]
        assert run["method_details"]["backend"] == "torch"
        assert servable["dependencies"]["keras"] == keras.__version__
        assert "torch" in servable["dependencies"]
        assert ("h5py" in servable["dependencies"]) is (kind == "hd5")
        assert "Conv2D" in servable["model_summary"]
        assert servable["classes"] == CLASSES
        creators = doc["datacite"]["creators"]
        assert creators[0] == {
            "name": "Lecunn, Yann",
            "familyName": "Lecunn",
            "givenName": "Yann",
        }
        assert run["input"]["description"] == "Image of a digit"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("custom.keras", "not part of Keras: Mine>Twice"),
        ("custom.h5", "not part of Keras: Mine>Twice"),
        ("weights.h5", "holds no model_config"),
        ("plain.h5", "holds no model_config"),
    ],
)
def test_builder_refuses_what_it_cannot_serve(
    files: dict[str, Path], key: str, message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message) as info:
        KerasModel(files[key])
    assert files[key].name in info.value.message


def test_builder_refuses_classes_that_do_not_fit(files: dict[str, Path]) -> None:
    with pytest.raises(InvalidArgument, match="classes lists 3 names but no output has 3"):
        KerasModel(files["keras"], ["a", "b", "c"])


def outputs(task: tasks_pb2.Task) -> dict[str, np.ndarray]:
    assert task.state == tasks_pb2.TASK_STATE_SUCCEEDED, task.error.message
    return {t.name: tensor_to_array(t) for t in task.outputs}


async def test_publish_run_and_the_original_layout(mesh: Mesh, files: dict[str, Path]) -> None:
    """Both formats publish and run equal to the model in-process (gRPC, HTTP, SDK,
    CLI); describe gives the seed's layout; results come back labelled."""
    x = digits()
    expected = cnn().predict_on_batch(x)
    for kind in ("keras", "hd5"):
        builder = seed_markup(files[kind]).set_name(f"mnist-{kind}")
        await mesh.publish(builder.to_dict(), artifacts(builder))
        got = outputs(await mesh.run(f"mnist-{kind}", {"image": x}))
        np.testing.assert_allclose(got["probabilities"], expected, rtol=1e-5, atol=1e-6)
    name = "mnist-hd5"
    resp = await mesh.http.post(
        f"/api/v1/servables/alice/{name}/run?labelled=true",
        json={"inputs": x[:2].tolist()},
        headers=mesh.headers(),
    )
    body = resp.json()
    assert resp.status_code == 200, body
    np.testing.assert_allclose(body["outputs"][0]["data"], expected[:2].ravel(), atol=1e-5)
    for row, probs in zip(body["labelled"], expected[:2], strict=True):
        assert list(row) == [str(i) for i in np.argsort(-probs, kind="stable")]
        assert list(row.values()) == sorted(row.values(), reverse=True)

    with DLHubClient(mesh.grpc_address, mesh.token) as client:
        rows = await asyncio.to_thread(client.run, f"alice/{name}", x, labelled=True)
        raw = await asyncio.to_thread(client.run, f"alice/{name}", x)
        layout = await asyncio.to_thread(
            client.describe_servable, f"alice/{name}", layout="original"
        )
    assert len(rows) == len(x)
    assert max(rows[0], key=rows[0].get) == str(int(expected[0].argmax()))
    np.testing.assert_allclose(raw["probabilities"], expected, rtol=1e-5, atol=1e-6)
    http_layout = (
        await mesh.http.get(
            f"/api/v1/servables/alice/{name}?layout=original", headers=mesh.headers()
        )
    ).json()
    assert http_layout == layout
    check_seed_layout(layout, name)

    argv = ["--address", mesh.grpc_address, "--token", mesh.token]
    inputs_json = json.dumps(x[:1].tolist())
    code, out = await asyncio.to_thread(
        _cli, ["run", f"alice/{name}", "--inputs", inputs_json, "--labelled", *argv]
    )
    assert code == 0
    assert json.loads(out.splitlines()[0]) == pytest.approx(rows[0], abs=1e-6)
    # dlhub publish takes the Keras file itself (type from the suffix)
    code, out = await asyncio.to_thread(
        _cli,
        ["publish", str(files["keras"]), "--name", "mnist-cli", "--title", "CNN", "--author",
         "Lecunn, Yann", "--json", *argv],
    )  # fmt: skip
    assert code == 0, out
    got = outputs(await mesh.run("mnist-cli", {"image": x}))
    np.testing.assert_allclose(got["probabilities"], expected, rtol=1e-5, atol=1e-6)


def _cli(argv: list[str]) -> tuple[int, str]:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = cli_main(argv)
    return code, buf.getvalue()


def check_seed_layout(layout: dict[str, Any], name: str, owner: str = "alice") -> None:
    """The original SDK's describe output of the seed's example, field for field."""
    assert set(layout) == {"datacite", "dlhub", "servable"}
    datacite = layout["datacite"]
    assert datacite["creators"] == [
        {"familyName": "Lecunn", "givenName": "Yann", "affiliations": []},
        {"familyName": "Cortes", "givenName": "Corinna", "affiliations": []},
    ]
    assert datacite["titles"] == [{"title": "MNIST Digit Classifier"}]
    assert datacite["publisher"] == "DLHub"
    assert datacite["publicationYear"].isdigit()
    assert datacite["relatedIdentifiers"] == [
        {
            "relatedIdentifier": "10.1109/CVPR.2007.383157",
            "relatedIdentifierType": "DOI",
            "relationType": "IsDescribedBy",
        }
    ]
    assert datacite["identifier"] == {"identifier": "10.YET/UNASSIGNED", "identifierType": "DOI"}
    assert datacite["resourceType"] == {"resourceTypeGeneral": "InteractiveResource"}
    dlhub = layout["dlhub"]
    assert {"version", "domains", "visible_to", "id", "name", "files"} <= set(dlhub)
    assert dlhub["domains"] == ["general", "digit recognition"]
    assert dlhub["visible_to"] == ["public"]
    assert dlhub["name"] == name
    assert dlhub["id"] == f"dlhub:{owner}/{name}:1" == dlhub["identifier"]
    assert dlhub["files"] == {"model": "model.hd5", "other": []}
    assert dlhub["digest"].startswith("sha256:")
    assert dlhub["publication_date"]
    servable = layout["servable"]
    run = servable["methods"]["run"]
    assert run["input"] == {
        "type": "ndarray",
        "description": "Image of a digit",
        "shape": [None, 28, 28, 1],
        "item_type": {"type": "float32"},
    }
    assert run["output"] == {
        "type": "ndarray",
        "description": "Probabilities of being 0-9",
        "shape": [None, 10],
        "item_type": {"type": "float32"},
    }
    assert run["parameters"] == {}
    assert run["method_details"]["method_name"] == "predict"
    assert run["method_details"]["classes"] == CLASSES
    assert servable["shim"] == "keras.KerasServable"
    assert servable["type"] == "Keras Model"
    assert servable["model_type"] == "Deep NN"
    assert servable["language"] == "python"
    assert servable["dependencies"]["python"]["keras"] == keras.__version__
    assert "Conv2D" in servable["model_summary"]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            "custom.keras",
            "'model.keras': it uses layers or objects that are not part of Keras: Mine>Twice",
        ),
        ("custom.h5", "'model.hd5': it uses layers or objects that are not part of Keras"),
        ("weights.h5", "'model.hd5': it is not a Keras model: it holds no model_config"),
        ("plain.h5", "'model.hd5': it is not a Keras model: it holds no model_config"),
    ],
)
async def test_registry_refuses_files_that_are_not_servable_keras_models(
    mesh: Mesh, files: dict[str, Path], key: str, message: str
) -> None:
    good = seed_markup(files["keras" if key.endswith(".keras") else "hd5"])
    name = f"bad-{key.replace('.', '-')}"
    doc = good.set_name(name).to_dict()
    model_file = doc["dlhub"]["files"]["model"]
    data = files[key].read_bytes()
    objects_before = mesh.object_files()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.publish(doc, {model_file: data})
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    details = info.value.details() or ""
    assert message in details
    assert "Mine>Twice" in details or "custom" not in key
    await mesh.assert_nothing_stored(name, objects_before)


async def test_registry_refuses_classes_that_do_not_fit_the_output(
    mesh: Mesh, files: dict[str, Path]
) -> None:
    builder = seed_markup(files["keras"]).set_name("mnist-wrong-classes")
    doc = builder.to_dict()
    doc["servable"]["classes"] = ["cat", "dog"]
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.publish(doc, artifacts(builder))
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "servable.classes: classes lists 2 names but no output has 2 values per row" in (
        info.value.details() or ""
    )


async def test_onnx_conversion_runs_on_onnxruntime(mesh: Mesh, files: dict[str, Path]) -> None:
    """to_onnx: Keras's own export, names kept, checked for fidelity; published as
    type onnx it answers as Keras does."""
    builder = seed_markup(files["keras"]).set_name("mnist-keras")
    converted = builder.to_onnx()
    doc = converted.to_dict()
    assert doc["servable"]["type"] == "onnx"
    assert doc["dlhub"]["name"] == "mnist-keras-onnx"
    run = doc["servable"]["methods"]["run"]
    assert list(run["input"]["properties"]) == ["image"]
    assert run["input"]["properties"]["image"]["shape"] == [None, 28, 28, 1]
    assert list(run["output"]["properties"]) == ["probabilities"]
    assert run["method_details"]["fidelity_check"]["max_abs_difference"] <= 1e-4
    assert doc["servable"]["classes"] == CLASSES
    assert doc["datacite"]["titles"] == [{"title": "MNIST Digit Classifier"}]
    await mesh.publish(doc, artifacts(converted))
    x = digits(4, seed=3)
    got = outputs(await mesh.run("mnist-keras-onnx", {"image": x}))
    np.testing.assert_allclose(got["probabilities"], cnn().predict_on_batch(x), atol=1e-5)
    with pytest.raises(InvalidArgument, match="differs from Keras by up to"):
        builder.to_onnx(tolerance=0.0 - 1.0)
