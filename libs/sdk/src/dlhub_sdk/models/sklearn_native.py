"""Native scikit-learn servables: the estimator as model.joblib, run in an isolated worker."""

import io
import pickle
import sys
import warnings
from collections.abc import Sequence
from importlib import metadata as pkg_metadata
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import FailedPrecondition, InvalidArgument
from dlhub_common.metadata import SKLEARN_METHODS
from dlhub_sdk.models._sklearn_estimators import (
    Array,
    _as_sample,
    _load_checked,
    _n_features,
    _output_folder,
    _structure,
    public_name,
)
from dlhub_sdk.models.base import ServableBuilder

NATIVE_MODEL_PATH = "model.joblib"
# Packages a native servable's environment pins to this process's versions.
NATIVE_PACKAGES = ("scikit-learn", "joblib", "numpy", "scipy")


class _ModuleRecorder(pickle.Pickler):
    """Pickles to nowhere, noting the module of every class and function it meets."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL)
        self.modules: set[str] = set()

    def persistent_id(self, obj: Any) -> None:  # called for every object pickled
        owner = obj if isinstance(obj, type) or callable(obj) else type(obj)
        module = getattr(owner, "__module__", None)
        if isinstance(module, str):
            self.modules.add(module)
        return None


def _modules_needed(estimator: Any) -> set[str]:
    """Top-level modules the pickled estimator refers to, beyond the standard
    library and the pinned packages."""
    recorder = _ModuleRecorder()
    failure: Exception | None = None
    try:
        recorder.dump(estimator)
    except Exception as exc:
        failure = exc
    if "__main__" in recorder.modules:
        raise InvalidArgument(
            f"{public_name(estimator)} uses classes or functions defined in __main__, which"
            " the servable's worker cannot import: define them in a module file and ship it"
            " with add_file(...)"
        )
    if failure is not None:
        raise InvalidArgument(
            f"{public_name(estimator)} cannot be pickled: {type(failure).__name__}: {failure}"
        )
    known = {"sklearn", "joblib", "numpy", "scipy", "threadpoolctl", "builtins"}
    return {
        top
        for top in (m.split(".")[0] for m in recorder.modules)
        if top not in known and top not in sys.stdlib_module_names and not top.startswith("_")
    }


def _native_versions() -> dict[str, str]:
    versions: dict[str, str] = {}
    for package in NATIVE_PACKAGES:
        try:
            versions[package] = pkg_metadata.version(package)
        except pkg_metadata.PackageNotFoundError:
            if package in ("scikit-learn", "joblib", "numpy"):
                raise FailedPrecondition(
                    f"native scikit-learn servables need {package} in this Python environment"
                ) from None
    return versions


_ITEM_TYPES = {"f": "float64", "i": "int64", "u": "int64", "b": "bool"}


def _output_spec(values: Array) -> dict[str, Any]:
    item = _ITEM_TYPES.get(values.dtype.kind, "string")
    return {
        "type": "ndarray",
        "shape": [None, *values.shape[1:]],
        "item_type": {"type": item},
    }


class NativeScikitLearnServable(ServableBuilder):
    """A fitted scikit-learn estimator published as is (servable type ``sklearn``).

    The estimator is saved with joblib as the artifact ``model.joblib``. The
    executor runs it in a worker process inside an environment pinned to this
    process's scikit-learn, joblib, numpy and scipy (and its Python major.minor):
    the worker's built-in loader unpickles it once and calls ``method`` on each
    input. DLHub's services never unpickle it.

    Runs take rows of numbers, a JSON ``[[...], ...]`` of shape
    ``[rows, n_features]`` (float64), and return the method's result as an
    ndarray (nested lists).

    Classes the pickle refers to outside scikit-learn, numpy, scipy and the
    standard library must be importable in the worker: ship their module with
    ``add_file("my_transformers.py")`` (the bundle folder is on the worker's
    ``sys.path``) or pin their package with ``add_dependency``; they are listed
    in ``method_details["modules"]``.

    Args:
        estimator_or_path: a fitted estimator, or a ``.joblib``/``.pkl`` file
            holding one (unpickled here, in this process only).
        name: servable name (default: the file stem, or the estimator's class).
        method: ``predict`` (default when the estimator has it),
            ``predict_proba``, ``decision_function`` or ``transform``.
        n_features: number of input columns, when the estimator does not
            record ``n_features_in_`` and no ``sample_input`` is given.
        sample_input: representative rows; the output type is read from the
            method's answer on them (default: 8 seeded normal rows).
        output_dir: where to write ``model.joblib`` (default: a temporary
            folder removed with the builder).
        python: the Python version of the servable (default: this one's).
    """

    servable_type = "sklearn"

    def __init__(
        self,
        estimator_or_path: Any,
        name: str | None = None,
        *,
        method: str | None = None,
        n_features: int | None = None,
        sample_input: Any = None,
        output_dir: str | Path | None = None,
        python: str | None = None,
        label: str | None = None,
        classes: Sequence[str] | None = None,
    ) -> None:
        super().__init__()
        versions = _native_versions()
        estimator, default_name, own_label = _load_checked(estimator_or_path)
        label = label or own_label
        if method is None:
            method = "predict" if hasattr(estimator, "predict") else "transform"
        if method not in SKLEARN_METHODS:
            raise InvalidArgument(f"method must be one of {list(SKLEARN_METHODS)}, not {method!r}")
        if not callable(getattr(estimator, method, None)):
            raise InvalidArgument(f"{label} has no method {method!r}")
        sample = _as_sample(sample_input) if sample_input is not None else None
        features = _n_features(estimator, n_features, sample, label)
        if sample is None:
            rng = np.random.default_rng(0)
            x = rng.standard_normal((8, features))
        else:
            x = sample.astype(np.float64)[:64]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                answer = np.asarray(getattr(estimator, method)(x))
        except Exception as exc:
            raise InvalidArgument(
                f"{label}.{method} failed on {len(x)} check row(s): {type(exc).__name__}: {exc}"
            ) from None
        modules = _modules_needed(estimator)

        import joblib  # type: ignore[import-untyped]

        folder = _output_folder(self, output_dir)
        model_file = folder / NATIVE_MODEL_PATH
        joblib.dump(estimator, model_file)
        self.estimator = estimator
        self.model_path = model_file
        self._files[NATIVE_MODEL_PATH] = model_file
        self._dlhub["files"]["model"] = NATIVE_MODEL_PATH
        self._servable["python"] = python or f"{sys.version_info[0]}.{sys.version_info[1]}"
        details: dict[str, Any] = {
            "interface_version": 1,
            "model": NATIVE_MODEL_PATH,
            "method": method,
            "estimator": public_name(estimator),
            "sklearn_version": versions["scikit-learn"],
            "n_features": features,
            **_structure(estimator),
        }
        if modules:
            details["modules"] = sorted(modules)
        self._servable["methods"]["run"] = {
            "input": {
                "type": "ndarray",
                "shape": [None, features],
                "item_type": {"type": "float64"},
                "description": f"rows of {features} feature(s)",
            },
            "output": _output_spec(answer),
            "parameters": {},
            "method_details": details,
        }
        for package, version in versions.items():
            self.add_dependency(package, version)
        self.set_name(name or default_name)
        if classes:
            self.set_classes(classes)

    def note_onnx_refusal(self, reason: str) -> None:
        """Record why the ONNX conversion was not used."""
        self._servable["methods"]["run"]["method_details"]["onnx_conversion"] = reason
