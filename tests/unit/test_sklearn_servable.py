"""Tests for dlhub_sdk.models.sklearn: conversion, signature, provenance, fidelity, refusals."""

from __future__ import annotations

import gc
import pickle
import re
import sys
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import onnx
import onnxruntime as ort
import pytest
import sklearn
from onnx import helper, numpy_helper
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from dlhub_common.errors import InvalidArgument
from dlhub_sdk import cli
from dlhub_sdk.models import NativeScikitLearnServable, OnnxServable, ScikitLearnServable
from dlhub_sdk.models import sklearn as sk

REPO = Path(__file__).resolve().parents[2]
X, Y = load_iris(return_X_y=True)
X32 = X.astype(np.float32)


def _fit(estimator: Any, y: Any = Y) -> Any:
    return estimator.fit(X32, y)


@pytest.fixture(scope="module")
def logistic() -> LogisticRegression:
    return _fit(LogisticRegression(max_iter=1000))


@pytest.fixture(scope="module")
def forest() -> RandomForestClassifier:
    return _fit(RandomForestClassifier(n_estimators=20, max_depth=4, random_state=0))


@pytest.fixture(scope="module")
def ridge() -> Ridge:
    return _fit(Ridge(alpha=0.5), X32[:, 0] * 2.0 + 1.0)


def build(estimator: Any, **kwargs: Any) -> ScikitLearnServable:
    servable = ScikitLearnServable(estimator, **kwargs)
    servable.set_title("A model").add_author("Ada Lovelace", "Analytical Engines")
    return servable


def run_onnx(path: Path, x: np.ndarray) -> dict[str, np.ndarray]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"X": x}), strict=True))


def shift_output(model: onnx.ModelProto, index: int, delta: float) -> onnx.ModelProto:
    """Corrupt a converted model: ``output[index] += delta`` inside the graph."""
    out = model.graph.output[index]
    raw = f"{out.name}__raw"
    for node in model.graph.node:
        node.output[:] = [raw if o == out.name else o for o in node.output]
        node.input[:] = [raw if i == out.name else i for i in node.input]
    dtype = onnx.helper.tensor_dtype_to_np_dtype(out.type.tensor_type.elem_type)
    const = numpy_helper.from_array(np.array(delta, dtype=dtype), name=f"{out.name}__delta")
    model.graph.initializer.append(const)
    model.graph.node.append(helper.make_node("Add", [raw, const.name], [out.name]))
    return model


def corrupt(monkeypatch: pytest.MonkeyPatch, index: int, delta: float) -> None:
    real = sk._convert

    def converted(*args: Any, **kwargs: Any) -> onnx.ModelProto:
        return shift_output(real(*args, **kwargs), index, delta)

    monkeypatch.setattr(sk, "_convert", converted)


# ------------------------------------------------------------------ conversion


@pytest.mark.parametrize(
    ("fixture", "estimator_name", "outputs"),
    [
        (
            "logistic",
            "sklearn.linear_model.LogisticRegression",
            {"label": ("int64", [None]), "probabilities": ("float32", [None, 3])},
        ),
        (
            "forest",
            "sklearn.ensemble.RandomForestClassifier",
            {"label": ("int64", [None]), "probabilities": ("float32", [None, 3])},
        ),
        ("ridge", "sklearn.linear_model.Ridge", {"variable": ("float32", [None, 1])}),
    ],
)
def test_converts_and_describes_like_onnx(
    request: pytest.FixtureRequest,
    fixture: str,
    estimator_name: str,
    outputs: dict[str, tuple[str, list[int | None]]],
) -> None:
    estimator = request.getfixturevalue(fixture)
    servable = build(estimator, sample_input=X32)
    assert isinstance(servable, OnnxServable)
    doc = servable.to_dict()  # validates
    assert doc["servable"]["type"] == "onnx"
    run = doc["servable"]["methods"]["run"]
    assert run["input"] == {
        "type": "dict",
        "properties": {
            "X": {"type": "ndarray", "shape": [None, 4], "item_type": {"type": "float32"}}
        },
    }
    got = {
        name: (spec["item_type"]["type"], spec["shape"])
        for name, spec in run["output"]["properties"].items()
    }
    assert got == outputs
    assert run["method_details"]["estimator"] == estimator_name
    # exactly one artifact, the converted graph (never the pickle), and it runs
    files = servable.files()
    assert list(files) == [doc["dlhub"]["files"]["model"]]
    [path] = files.values()
    assert path.suffix == ".onnx"
    result = run_onnx(path, X32)
    if "label" in outputs:
        np.testing.assert_array_equal(result["label"], estimator.predict(X32))
        np.testing.assert_allclose(result["probabilities"], estimator.predict_proba(X32), atol=1e-5)
    else:
        np.testing.assert_allclose(result["variable"].ravel(), estimator.predict(X32), rtol=1e-5)


def test_signature_matches_a_plain_onnx_servable_of_the_same_file(
    logistic: LogisticRegression,
) -> None:
    converted = build(logistic)
    plain = OnnxServable(converted.onnx_path, name=converted._dlhub["name"])
    ours = converted.to_dict(validate=False)["servable"]["methods"]["run"]
    theirs = plain.to_dict(validate=False)["servable"]["methods"]["run"]
    assert ours["input"] == theirs["input"]
    assert ours["output"] == theirs["output"]
    assert converted.input_names == ["X"]
    assert converted.output_names == ["label", "probabilities"]


def test_pipeline_and_string_labels(logistic: LogisticRegression) -> None:
    pipeline = _fit(make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)))
    details = build(pipeline).to_dict()["servable"]["methods"]["run"]["method_details"]
    assert details["estimator"] == "sklearn.pipeline.Pipeline"
    assert details["steps"] == [
        "sklearn.preprocessing.StandardScaler",
        "sklearn.linear_model.LogisticRegression",
    ]
    names = np.array(["setosa", "versicolor", "virginica"])[Y]
    species = build(_fit(LogisticRegression(max_iter=1000), names), sample_input=X32)
    run = species.to_dict()["servable"]["methods"]["run"]
    assert run["output"]["properties"]["label"]["item_type"]["type"] == "string"
    assert run["method_details"]["classes"] == ["setosa", "versicolor", "virginica"]


def test_provenance_and_dependencies(forest: RandomForestClassifier) -> None:
    import onnxruntime
    import skl2onnx
    import sklearn

    doc = build(forest, sample_input=X32[:30]).to_dict()
    details = doc["servable"]["methods"]["run"]["method_details"]
    assert details["converted_from"] == "scikit-learn"
    assert details["estimator"] == "sklearn.ensemble.RandomForestClassifier"
    assert details["sklearn_version"] == sklearn.__version__
    assert details["skl2onnx_version"] == skl2onnx.__version__
    assert details["n_features"] == 4
    assert details["classes"] == [0, 1, 2]
    assert details["producer"].startswith("skl2onnx")
    assert len(details["opset"]) == len(set(details["opset"]))
    check = details["fidelity_check"]
    assert (check["rows"], check["input"], check["tolerance"]) == (30, "sample", 1e-4)
    assert check["compared"] == ["label", "probabilities"]
    assert 0 <= check["max_abs_difference"] <= 1e-4
    assert doc["servable"]["dependencies"] == {
        "scikit-learn": sklearn.__version__,
        "skl2onnx": skl2onnx.__version__,
        "onnxruntime": onnxruntime.__version__,
    }
    synthetic = build(forest).to_dict()["servable"]["methods"]["run"]["method_details"]
    assert synthetic["fidelity_check"]["input"] == "synthetic"
    assert synthetic["fidelity_check"]["rows"] == sk.SYNTHETIC_ROWS


def test_public_name() -> None:
    assert sk.public_name(LogisticRegression()) == "sklearn.linear_model.LogisticRegression"
    assert sk.public_name(KernelRidge) == "sklearn.kernel_ridge.KernelRidge"
    assert sk.public_name(make_pipeline(Ridge())) == "sklearn.pipeline.Pipeline"


def test_loads_joblib_and_pickle_files(tmp_path: Path, logistic: LogisticRegression) -> None:
    joblib.dump(logistic, tmp_path / "Iris Model.joblib")
    with (tmp_path / "iris_v2.pkl").open("wb") as fh:
        pickle.dump(logistic, fh)
    from_joblib = build(tmp_path / "Iris Model.joblib")
    from_pickle = build(str(tmp_path / "iris_v2.pkl"), name="iris-two")
    assert from_joblib._dlhub["name"] == "iris-model"
    assert from_pickle._dlhub["name"] == "iris-two"
    for servable in (from_joblib, from_pickle):
        assert all(p.suffix == ".onnx" for p in servable.files().values())
        details = servable.to_dict()["servable"]["methods"]["run"]["method_details"]
        assert details["estimator"] == "sklearn.linear_model.LogisticRegression"
    (tmp_path / "broken.joblib").write_bytes(b"not a pickle")
    with pytest.raises(InvalidArgument, match="not a loadable joblib/pickle file"):
        ScikitLearnServable(tmp_path / "broken.joblib")
    with pytest.raises(InvalidArgument, match="not a readable file"):
        ScikitLearnServable(tmp_path / "missing.joblib")
    joblib.dump({"not": "an estimator"}, tmp_path / "dict.joblib")
    with pytest.raises(InvalidArgument, match="not a scikit-learn estimator"):
        ScikitLearnServable(tmp_path / "dict.joblib")


def test_n_features_from_the_argument_or_the_sample() -> None:
    estimator = _fit(LogisticRegression(max_iter=1000))
    with pytest.raises(InvalidArgument, match="disagrees: n_features=5"):
        ScikitLearnServable(estimator, n_features=5)
    with pytest.raises(InvalidArgument, match="disagrees"):
        ScikitLearnServable(estimator, sample_input=X32[:, :3])
    del estimator.n_features_in_  # as an estimator from an older scikit-learn might be
    with pytest.raises(InvalidArgument, match="pass n_features=N or sample_input"):
        ScikitLearnServable(estimator)
    for kwargs in ({"n_features": 4}, {"sample_input": X32[:10]}, {"sample_input": X32[0]}):
        run = build(estimator, **kwargs).to_dict()["servable"]["methods"]["run"]
        assert run["input"]["properties"]["X"]["shape"] == [None, 4]
    with pytest.raises(InvalidArgument, match="2-D"):
        ScikitLearnServable(estimator, sample_input=np.zeros((2, 2, 2)))


def test_refuses_unfitted_and_non_estimators() -> None:
    with pytest.raises(InvalidArgument, match="LogisticRegression is not fitted"):
        ScikitLearnServable(LogisticRegression())
    with pytest.raises(InvalidArgument, match="not a scikit-learn estimator"):
        ScikitLearnServable(object())


def test_output_dir_and_temporary_bundle(tmp_path: Path, ridge: Ridge) -> None:
    kept = build(ridge, name="my-ridge", output_dir=tmp_path / "bundle")
    assert kept.onnx_path == tmp_path / "bundle" / "my-ridge.onnx"
    temporary = build(ridge)
    folder = temporary.onnx_path.parent
    assert folder.is_dir()
    del temporary
    gc.collect()
    assert not folder.exists()
    assert kept.onnx_path.is_file()


def test_zipmap_stays_off_for_string_keyed_options(logistic: LogisticRegression) -> None:
    servable = build(logistic, options={"raw_scores": True})
    assert servable.output_names == ["label", "probabilities"]
    details = servable.to_dict()["servable"]["methods"]["run"]["method_details"]
    assert details["fidelity_check"]["compared"] == ["label"]  # scores are not probabilities
    by_id = build(logistic, options={id(logistic): {"raw_scores": True}})
    assert by_id.output_names == ["label", "probabilities"]
    with pytest.raises(InvalidArgument, match="not a tensor"):
        ScikitLearnServable(logistic, options={"zipmap": True})


# ------------------------------------------------------------------ fidelity


def test_fidelity_check_catches_shifted_regression_values(
    monkeypatch: pytest.MonkeyPatch, ridge: Ridge
) -> None:
    corrupt(monkeypatch, 0, 0.01)
    with pytest.raises(InvalidArgument, match=r"max abs difference 0\.01\d* exceeds 0\.0001") as e:
        ScikitLearnServable(ridge, sample_input=X32)
    assert "does not reproduce its predictions on 150 row(s)" in e.value.message
    assert e.value.details["max_abs_difference"] == pytest.approx(0.01, rel=1e-3)


def test_fidelity_check_catches_shifted_probabilities(
    monkeypatch: pytest.MonkeyPatch, forest: RandomForestClassifier
) -> None:
    corrupt(monkeypatch, 1, 0.001)
    with pytest.raises(InvalidArgument, match=r"'probabilities': max abs difference 0\.001"):
        ScikitLearnServable(forest)


def test_fidelity_check_catches_wrong_labels(
    monkeypatch: pytest.MonkeyPatch, logistic: LogisticRegression
) -> None:
    corrupt(monkeypatch, 0, 1)
    with pytest.raises(InvalidArgument, match=r"'label': 150 of 150 labels differ") as e:
        ScikitLearnServable(logistic, sample_input=X32)
    assert "max abs difference 1" in e.value.message


def test_fidelity_check_tolerates_tiny_differences(
    monkeypatch: pytest.MonkeyPatch, ridge: Ridge
) -> None:
    corrupt(monkeypatch, 0, 1e-6)
    details = build(ridge).to_dict()["servable"]["methods"]["run"]["method_details"]
    assert details["fidelity_check"]["max_abs_difference"] == pytest.approx(1e-6, abs=5e-7)


def test_fidelity_check_accepts_either_label_of_a_tie(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the estimator's own probabilities tie, a different label is not a conversion error."""
    tied = LogisticRegression().fit(X32[:100], Y[:100])
    tied.coef_[:] = 0.0
    tied.intercept_[:] = 0.0  # every probability exactly 0.5; sklearn says class 0
    corrupt(monkeypatch, 0, 1)  # ONNX says class 1
    build(tied, sample_input=X32[:10])


# ------------------------------------------------------------------ refusals


class Custom(RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """An estimator no converter knows."""

    def fit(self, x: Any, y: Any) -> Custom:
        self.n_features_in_ = x.shape[1]
        return self

    def predict(self, x: Any) -> Any:
        return x.sum(axis=1)


@pytest.mark.parametrize(
    ("estimator", "named"),
    [
        (KernelRidge(), "sklearn.kernel_ridge.KernelRidge cannot be converted"),
        (
            make_pipeline(StandardScaler(), KernelRidge()),
            "sklearn.pipeline.Pipeline (its part sklearn.kernel_ridge.KernelRidge has no"
            " converter) cannot be converted",
        ),
        (Custom(), "test_sklearn_servable.Custom cannot be converted"),
    ],
)
def test_unsupported_estimators_become_native(estimator: Any, named: str) -> None:
    """What skl2onnx cannot convert is refused with native=False, else published natively."""
    _fit(estimator)
    with pytest.raises(InvalidArgument) as info:
        ScikitLearnServable(estimator, native=False)
    message = info.value.message
    assert named in message
    assert "native scikit-learn servable (joblib, run in an isolated worker)" in message
    servable = ScikitLearnServable(estimator)
    assert isinstance(servable, NativeScikitLearnServable)
    details = servable.to_dict(validate=False)["servable"]["methods"]["run"]["method_details"]
    assert named in details["onnx_conversion"]
    assert "native=True" not in details["onnx_conversion"]


def test_native_servable_metadata(tmp_path: Path, ridge: Ridge) -> None:
    servable = build(ridge, native=True, output_dir=tmp_path)
    assert isinstance(servable, NativeScikitLearnServable)
    doc = servable.to_dict()  # validates
    block = doc["servable"]
    assert block["type"] == "sklearn"
    assert block["python"] == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert set(block["dependencies"]) == {"scikit-learn", "joblib", "numpy", "scipy"}
    assert block["dependencies"]["scikit-learn"] == sklearn.__version__
    run = block["methods"]["run"]
    assert run["input"]["shape"] == [None, 4]
    assert run["input"]["item_type"] == {"type": "float64"}
    assert run["output"] == {"type": "ndarray", "shape": [None], "item_type": {"type": "float64"}}
    assert run["method_details"]["model"] == "model.joblib"
    assert run["method_details"]["method"] == "predict"
    assert doc["dlhub"]["files"]["model"] == "model.joblib"
    assert servable.files() == {"model.joblib": tmp_path / "model.joblib"}
    again = joblib.load(tmp_path / "model.joblib")  # the publisher's own file, here
    assert np.allclose(again.predict(X32), ridge.predict(X32))


def test_native_method_and_classifier_outputs(logistic: LogisticRegression) -> None:
    proba = build(logistic, native=True, method="predict_proba")
    run = proba.to_dict()["servable"]["methods"]["run"]
    assert run["output"]["shape"] == [None, 3]
    assert run["method_details"]["classes"] == [0, 1, 2]
    labels = build(logistic, native=True).to_dict()["servable"]["methods"]["run"]
    assert labels["output"]["item_type"] == {"type": "int64"}
    with pytest.raises(InvalidArgument, match="method must be one of"):
        build(logistic, native=True, method="fit")
    with pytest.raises(InvalidArgument, match="native scikit-learn servables only"):
        build(logistic, method="predict_proba")


def test_native_refuses_classes_from_main(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Custom, "__module__", "__main__")
    with pytest.raises(InvalidArgument, match="defined in __main__"):
        ScikitLearnServable(_fit(Custom()))


# The built-in loader of native scikit-learn servables. It unpickles the model,
# but only ever inside the servable's own worker process (its venv), imported by
# _worker.py alone; no service process imports it (see the next test).
WORKER_ONLY_LOADER = (
    REPO / "services" / "executor" / "src" / "dlhub_executor" / "runners" / "_sklearn_loader.py"
)


def test_services_never_unpickle() -> None:
    """Only the SDK, in the user's process, may load a pickle; no service or shared code
    does, except the worker-only loader of native scikit-learn servables."""
    pattern = re.compile(r"\b(import (pickle|joblib|cloudpickle|dill)|(pickle|joblib)\.loads?\()")
    roots = [REPO / "services", REPO / "libs" / "common" / "src"]
    assert pattern.search(WORKER_ONLY_LOADER.read_text())  # the exemption is still needed
    offenders = [
        str(path.relative_to(REPO))
        for root in roots
        for path in root.rglob("*.py")
        if path != WORKER_ONLY_LOADER and pattern.search(path.read_text(errors="replace"))
    ]
    assert offenders == []


def test_only_the_worker_imports_the_sklearn_loader() -> None:
    """The loader is reached by file path from _worker.py, never imported by a service module."""
    users = [
        str(path.relative_to(REPO))
        for root in (REPO / "services", REPO / "libs")
        for path in root.rglob("*.py")
        if path != WORKER_ONLY_LOADER and "_sklearn_loader" in path.read_text(errors="replace")
    ]
    assert users == ["services/executor/src/dlhub_executor/runners/_worker.py"]


# ------------------------------------------------------------------ the CLI


def test_cli_infers_the_type_from_the_suffix(tmp_path: Path, ridge: Ridge) -> None:
    parser = cli.build_parser()

    def args(*argv: str) -> Any:
        return parser.parse_args(["publish", *argv, "--author", "Ada"])

    assert cli._model_type(args("m.onnx")) == "onnx"
    assert cli._model_type(args("m.joblib")) == "sklearn"
    assert cli._model_type(args("m.PKL")) == "sklearn"
    assert cli._model_type(args("m.bin", "--type", "sklearn")) == "sklearn"
    joblib.dump(ridge, tmp_path / "ridge.joblib")
    np.save(tmp_path / "sample.npy", X32[:20])
    builder = cli._model_builder(
        args(
            str(tmp_path / "ridge.joblib"),
            "--n-features",
            "4",
            "--sample-input",
            str(tmp_path / "sample.npy"),
        )
    )
    assert isinstance(builder, ScikitLearnServable)
    details = builder.to_dict(validate=False)["servable"]["methods"]["run"]["method_details"]
    assert details["fidelity_check"]["rows"] == 20
    with pytest.raises(InvalidArgument, match="apply to --type sklearn only"):
        cli._model_builder(args("m.onnx", "--n-features", "4"))
