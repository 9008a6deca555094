"""Loading and describing fitted scikit-learn estimators (shared by both servable kinds)."""

import importlib
import pickle
import re
import shutil
import tempfile
import weakref
from importlib import metadata as pkg_metadata
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import FailedPrecondition, InvalidArgument

INPUT_NAME = "X"
DEFAULT_TOLERANCE = 1e-4
SYNTHETIC_ROWS = 64
MAX_CHECK_ROWS = 10_000
PICKLE_SUFFIXES = (".pkl", ".pickle")

Array = np.ndarray[Any, Any]


def _require() -> dict[str, str]:
    """Versions of the packages a conversion needs; FailedPrecondition when one is missing."""
    versions: dict[str, str] = {}
    missing = []
    for package in ("scikit-learn", "skl2onnx", "onnxruntime"):
        try:
            versions[package] = pkg_metadata.version(package)
        except pkg_metadata.PackageNotFoundError:
            missing.append(package)
    if missing:
        raise FailedPrecondition(
            "scikit-learn servables need " + ", ".join(missing) + " in this Python environment"
            f" (pip install {' '.join(missing)})"
        )
    return versions


def public_name(obj: Any) -> str:
    """``sklearn.linear_model.LogisticRegression`` rather than ``..._logistic.LogisticRegression``:
    the shortest public module path that still exposes the class."""
    cls = obj if isinstance(obj, type) else type(obj)
    parts = cls.__module__.split(".")
    for end in range(1, len(parts) + 1):
        if end > 1 and parts[end - 1].startswith("_"):
            break  # private below here: keep the full path
        module_name = ".".join(parts[:end])
        try:
            if getattr(importlib.import_module(module_name), cls.__qualname__, None) is cls:
                return f"{module_name}.{cls.__qualname__}"
        except ImportError:
            break
    return f"{cls.__module__}.{cls.__qualname__}"


def _slug(text: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", text).lower()
    text = re.sub(r"[^a-z0-9_-]+", "-", text).strip("-_")
    return text[:64].rstrip("-_") or "model"


def load_estimator(path: str | Path) -> Any:
    """Unpickle a saved estimator: joblib files, or plain pickles (``.pkl``/``.pickle``).

    This runs code from the file. Only ever call it on your own files, in your
    own process; DLHub services never do.
    """
    src = Path(path)
    if not src.is_file():
        raise InvalidArgument(f"{src} is not a readable file")
    try:
        if src.suffix.lower() in PICKLE_SUFFIXES:
            with src.open("rb") as fh:
                return pickle.load(fh)  # the caller's own file, in the caller's process
        import joblib  # type: ignore[import-untyped]

        return joblib.load(src)
    except Exception as exc:
        raise InvalidArgument(f"{src} is not a loadable joblib/pickle file: {exc}") from None


def _is_fitted(estimator: Any) -> bool:
    from sklearn.exceptions import NotFittedError  # type: ignore[import-untyped]
    from sklearn.utils.validation import check_is_fitted  # type: ignore[import-untyped]

    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    except TypeError:  # not an estimator at all
        return False
    return True


def _n_features(estimator: Any, n_features: int | None, sample: Array | None, label: str) -> int:
    fitted = getattr(estimator, "n_features_in_", None)
    candidates = {
        "n_features": n_features,
        "the estimator's n_features_in_": int(fitted) if fitted is not None else None,
        "sample_input": int(sample.shape[1]) if sample is not None else None,
    }
    given = {k: v for k, v in candidates.items() if v is not None}
    if not given:
        raise InvalidArgument(
            f"{label} does not record how many features it takes (no n_features_in_):"
            " pass n_features=N or sample_input=<array [rows, N]>"
        )
    if len(set(given.values())) > 1:
        listing = ", ".join(f"{k}={v}" for k, v in given.items())
        raise InvalidArgument(f"{label}: the number of features disagrees: {listing}")
    value = next(iter(given.values()))
    if value < 1:
        raise InvalidArgument(f"{label}: n_features must be at least 1, got {value}")
    return value


def _as_sample(sample_input: Any) -> Array:
    try:
        x = np.asarray(sample_input, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"sample_input is not a numeric array: {exc}") from None
    if x.ndim == 1:
        x = x.reshape(1, -1)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise InvalidArgument(
            f"sample_input must be a non-empty 2-D array [rows, features], got shape {x.shape}"
        )
    return x[:MAX_CHECK_ROWS]


def is_classifier(estimator: Any) -> bool:
    from sklearn.base import is_classifier as sklearn_is_classifier  # type: ignore[import-untyped]

    return bool(sklearn_is_classifier(estimator))


def _load_checked(estimator_or_path: Any) -> tuple[Any, str, str]:
    """(the fitted estimator, its default servable name, a label for messages)."""
    if isinstance(estimator_or_path, str | Path):
        source = Path(estimator_or_path)
        estimator = load_estimator(source)
        default_name = _slug(source.stem)
        label = f"{source} ({public_name(estimator)})"
    else:
        estimator = estimator_or_path
        default_name = _slug(type(estimator).__name__)
        label = public_name(estimator)
    if not (hasattr(estimator, "get_params") and hasattr(estimator, "fit")):
        raise InvalidArgument(f"{label} is not a scikit-learn estimator")
    if not _is_fitted(estimator):
        raise InvalidArgument(f"{label} is not fitted; fit it before publishing")
    return estimator, default_name, label


def _output_folder(owner: Any, output_dir: str | Path | None) -> Path:
    """``output_dir``, or a temporary folder removed with ``owner``."""
    if output_dir is None:
        folder = Path(tempfile.mkdtemp(prefix="dlhub-sklearn-"))
        owner._cleanup = weakref.finalize(owner, shutil.rmtree, folder, True)
        return folder
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _structure(estimator: Any) -> dict[str, Any]:
    details: dict[str, Any] = {}
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list):
        details["steps"] = [public_name(step) for _, step in steps]
    classes = getattr(estimator, "classes_", None)
    if classes is not None:
        details["classes"] = np.asarray(classes).tolist()
    return details


# ---------------------------------------------------------------- native
