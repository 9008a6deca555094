"""The worker's built-in loader of native scikit-learn servables, without a mesh:
the worker runs on this interpreter (which has scikit-learn), in its own process."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.kernel_ridge import KernelRidge

from dlhub_common.errors import InvalidArgument, ServableError
from dlhub_common.metadata import validate_metadata
from dlhub_executor.runners.python import PythonModel

X, Y = load_iris(return_X_y=True)
SKLEARN = {"loader": "sklearn", "model": "model.joblib", "method": "predict"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundle")
    joblib.dump(KernelRidge(alpha=0.5).fit(X, Y), folder / "model.joblib")
    return folder


def native_model(bundle: Path, method: str = "predict") -> PythonModel:
    loader = {**SKLEARN, "method": method}
    return PythonModel(
        Path(sys.executable), bundle, "model.joblib", method, call_timeout_s=20.0, loader=loader
    )


def test_the_worker_loads_the_model_and_calls_its_method(bundle: Path) -> None:
    model = native_model(bundle)
    try:
        worker = model._worker
        assert worker is not None
        assert worker.pid != os.getpid()  # unpickled over there, not here
        expected = joblib.load(bundle / "model.joblib").predict(X[:4])
        assert np.allclose(json.loads(model.run_json(json.dumps(X[:4].tolist()))), expected)
        one_row = json.loads(model.run_json(json.dumps(X[0].tolist())))
        assert np.allclose(one_row, expected[:1])
        with pytest.raises(ServableError) as info:  # the estimator's own complaint
            model.run_json("[[1.0, 2.0]]")
        assert "features" in info.value.message
        assert json.loads(model.run_json("[[0, 0, 0, 0]]"))  # the worker stayed up
    finally:
        model.close()


def test_a_missing_method_or_file_fails_the_load(bundle: Path, tmp_path: Path) -> None:
    with pytest.raises(ServableError, match="has no method 'predict_proba'"):
        native_model(bundle, "predict_proba")
    with pytest.raises(ServableError, match="FileNotFoundError"):
        native_model(tmp_path)


def test_sklearn_metadata_needs_model_and_a_known_method() -> None:
    doc = {
        "datacite": {"creators": [{"name": "A"}], "titles": [{"title": "t"}]},
        "dlhub": {"name": "kr"},
        "servable": {
            "type": "sklearn",
            "python": "3.11",
            "dependencies": {"scikit-learn": "1.9.1"},
            "methods": {
                "run": {
                    "input": {
                        "type": "ndarray",
                        "shape": [None, 4],
                        "item_type": {"type": "float64"},
                    },
                    "output": {
                        "type": "ndarray",
                        "shape": [None],
                        "item_type": {"type": "float64"},
                    },
                    "method_details": {"model": "model.joblib", "method": "predict"},
                }
            },
        },
    }
    assert validate_metadata(doc).servable.type == "sklearn"
    doc["servable"]["methods"]["run"]["method_details"] = {"method": "fit"}
    with pytest.raises(InvalidArgument) as info:
        validate_metadata(doc)
    assert "method_details.model is required" in info.value.message
    assert "'fit' is not one of" in info.value.message
