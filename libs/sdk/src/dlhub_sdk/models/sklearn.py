"""scikit-learn servables, converted to ONNX and served by ONNX Runtime.

:class:`ScikitLearnServable` takes a fitted estimator (or the joblib/pickle
file it was saved to), converts it with skl2onnx, checks that the converted
graph answers like the estimator, and then describes the ONNX file exactly as
:class:`~dlhub_sdk.models.onnx.OnnxServable` does. The servable's type is
``onnx``: services only ever see the ONNX graph, never a pickle.

Loading a pickle runs code from the file, so it happens here, in your own
process, on your own file, and nowhere else. Estimators skl2onnx cannot
convert are refused: native scikit-learn servables (joblib in an isolated
worker) are not available yet.

Needs ``scikit-learn``, ``skl2onnx`` and ``onnxruntime`` in the SDK's
environment (the fidelity check runs the converted model).
"""

from __future__ import annotations

import contextlib
import importlib
import pickle
import re
import shutil
import tempfile
import warnings
import weakref
from importlib import metadata as pkg_metadata
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import FailedPrecondition, InvalidArgument
from dlhub_sdk.models.onnx import OnnxServable, _tensor_specs

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


def _converter_options(estimator: Any, options: dict[Any, Any] | None) -> dict[Any, Any] | None:
    """skl2onnx options: ZipMap off for classifiers (DLHub serves tensors), then the caller's."""
    defaults: dict[str, Any] = {"zipmap": False} if is_classifier(estimator) else {}
    user = dict(options or {})
    if all(isinstance(k, str) for k in user):
        merged: dict[Any, Any] = {**defaults, **user}
        return merged or None
    # keyed by id(model) or by class: put the defaults under the top-level model's id
    top = id(estimator)
    inner = user.get(top)
    user[top] = {**defaults, **(inner if isinstance(inner, dict) else {})}
    return user


def _wants_raw_scores(options: dict[Any, Any] | None) -> bool:
    """Whether converter options ask a classifier for raw scores instead of probabilities."""
    if not options:
        return False
    if options.get("raw_scores"):
        return True
    return any(isinstance(v, dict) and bool(v.get("raw_scores")) for v in options.values())


def _unsupported(estimator: Any, exc: Exception) -> InvalidArgument:
    name = public_name(estimator)
    found = re.search(r"type '<class '([^']+)'>'", str(exc))
    inner = found.group(1) if found else None
    if inner:
        module_name, _, qualname = inner.rpartition(".")
        with contextlib.suppress(ImportError, AttributeError, ValueError):
            inner = public_name(getattr(importlib.import_module(module_name), qualname))
    part = f" (its part {inner} has no converter)" if inner and inner != name else ""
    return InvalidArgument(
        f"{name}{part} cannot be converted to ONNX by skl2onnx, and native scikit-learn"
        " servables (joblib in an isolated worker) are not available yet;"
        " use an estimator skl2onnx supports, or export to ONNX yourself and publish"
        " it with OnnxServable",
        details={"estimator": name, **({"unsupported": inner} if inner else {})},
    )


def _convert(
    estimator: Any, n_features: int, options: dict[Any, Any] | None, target_opset: int | None
) -> Any:
    """The estimator as an ONNX ModelProto with one float32 input ``X`` [None, n_features]."""
    from skl2onnx import to_onnx  # type: ignore[import-untyped]
    from skl2onnx.common.data_types import FloatTensorType  # type: ignore[import-untyped]
    from skl2onnx.common.exceptions import (  # type: ignore[import-untyped]
        MissingConverter,
        MissingShapeCalculator,
    )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = to_onnx(
                estimator,
                initial_types=[(INPUT_NAME, FloatTensorType([None, n_features]))],
                options=_converter_options(estimator, options),
                target_opset=target_opset,
            )
    except (MissingShapeCalculator, MissingConverter) as exc:
        raise _unsupported(estimator, exc) from None
    except NotImplementedError as exc:
        raise InvalidArgument(
            f"skl2onnx cannot convert this {public_name(estimator)} configuration ({exc});"
            " native scikit-learn servables (joblib in an isolated worker) are not available yet"
        ) from None
    except Exception as exc:
        raise InvalidArgument(
            f"converting {public_name(estimator)} to ONNX failed: {type(exc).__name__}: {exc}"
        ) from None
    # skl2onnx may import the default domain twice; keep one entry per domain
    best: dict[str, int] = {}
    for opset in model.opset_import:
        best[opset.domain] = max(best.get(opset.domain, 0), opset.version)
    if len(best) != len(model.opset_import):
        del model.opset_import[:]
        for domain, version in best.items():
            entry = model.opset_import.add()
            entry.domain, entry.version = domain, version
    return model


# ---------------------------------------------------------------- fidelity


def _max_abs(expected: Array, actual: Array) -> float:
    if expected.size == 0:
        return 0.0
    return float(np.max(np.abs(expected - actual)))


def _numeric(values: Any) -> Array | None:
    array = np.asarray(values)
    if array.dtype.kind in "biuf":
        return array.astype(np.float64)
    return None


def _onnx_outputs(model: Any, x: Array) -> list[Array]:
    import onnxruntime as ort

    try:
        session = ort.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        return [np.asarray(o) for o in session.run(None, {INPUT_NAME: x})]
    except Exception as exc:
        raise InvalidArgument(
            f"ONNX Runtime cannot run the converted model: {type(exc).__name__}: {exc}"
        ) from None


def _shaped(expected: Array, actual: Array, output: str) -> Array:
    if actual.shape == expected.shape:
        return actual
    if actual.size == expected.size:  # e.g. a regressor's [n] against ONNX's [n, 1]
        return actual.reshape(expected.shape)
    raise InvalidArgument(
        f"the converted model's {output!r} has shape {list(actual.shape)} where the estimator"
        f" gives {list(expected.shape)}; refusing to publish a conversion that disagrees"
    )


def check_fidelity(
    estimator: Any,
    model: Any,
    x: Array,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    probabilities: bool = True,
) -> dict[str, Any]:
    """Run ``estimator`` and the ONNX ``model`` on ``x`` and compare.

    ``probabilities=False`` skips the second output of a classifier (when the
    converter was asked for raw scores instead of probabilities).

    * labels (classifiers, clusterers) must be equal, except on rows where the
      estimator's own top two probabilities are within ``tolerance`` (a tie:
      either label is right);
    * probabilities must be within ``tolerance`` (absolute);
    * regression values and transforms within ``tolerance * max(1, |value|)``.

    Returns a summary for the metadata; raises InvalidArgument (with the max
    abs difference) when the conversion disagrees.
    """
    outputs = _onnx_outputs(model, x)
    names = [o.name for o in model.graph.output]
    problems: list[str] = []
    worst = 0.0
    # the same float32 values, in the dtype the estimator was most likely fitted on
    x64 = x.astype(np.float64)
    proba: Array | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "X does not have valid feature names"
            if hasattr(estimator, "predict"):
                predicted = np.asarray(estimator.predict(x64))
            elif hasattr(estimator, "transform"):
                predicted = np.asarray(estimator.transform(x64))
            else:
                raise InvalidArgument(
                    f"{public_name(estimator)} has neither predict nor transform to check against"
                )
            if (
                probabilities
                and is_classifier(estimator)
                and len(outputs) > 1
                and hasattr(estimator, "predict_proba")
            ):
                proba = np.asarray(estimator.predict_proba(x64), dtype=np.float64)
    except InvalidArgument:
        raise
    except Exception as exc:
        raise InvalidArgument(
            f"{public_name(estimator)} failed on the check input ({len(x)} rows):"
            f" {type(exc).__name__}: {exc}"
        ) from None
    discrete = is_classifier(estimator) or (
        predicted.dtype.kind not in "f" and hasattr(estimator, "predict")
    )
    if discrete:
        actual = _shaped(predicted, outputs[0], names[0])
        expected_num, actual_num = _numeric(predicted), _numeric(actual)
        if expected_num is not None and actual_num is not None:
            differs = expected_num != actual_num
        else:
            differs = predicted.astype(str) != actual.astype(str)
        differs = differs.reshape(len(x), -1).any(axis=1)
        classes = getattr(estimator, "classes_", None)
        if differs.any() and proba is not None and classes is not None:
            # a row where the estimator itself is torn between the two labels is a tie
            lookup = {str(c): i for i, c in enumerate(np.asarray(classes).tolist())}
            for index in np.flatnonzero(differs):
                column = lookup.get(str(np.asarray(actual[index]).item()))
                if column is not None and proba[index].max() - proba[index, column] <= tolerance:
                    differs[index] = False
        if differs.any():
            row = int(np.flatnonzero(differs)[0])
            gap = (
                f"; max abs difference {_max_abs(expected_num, actual_num):.6g}"
                if expected_num is not None and actual_num is not None
                else ""
            )
            problems.append(
                f"{names[0]!r}: {int(differs.sum())} of {len(x)} labels differ (row {row}:"
                f" estimator {predicted[row].tolist()!r}, ONNX {actual[row].tolist()!r}){gap}"
            )
        if proba is not None:
            got = _shaped(proba, outputs[1].astype(np.float64), names[1])
            diff = _max_abs(proba, got)
            worst = max(worst, diff)
            if diff > tolerance:
                problems.append(
                    f"{names[1]!r}: max abs difference {diff:.6g} exceeds {tolerance:g}"
                )
    else:
        expected = predicted.astype(np.float64)
        got = _shaped(expected, outputs[0].astype(np.float64), names[0])
        diff = _max_abs(expected, got)
        worst = max(worst, diff)
        allowed = tolerance * np.maximum(1.0, np.abs(expected))
        if np.any(np.abs(expected - got) > allowed) or not np.array_equal(
            np.isnan(expected), np.isnan(got)
        ):
            problems.append(
                f"{names[0]!r}: max abs difference {diff:.6g} exceeds {tolerance:g}"
                " (scaled by |value| above 1)"
            )
    if problems:
        raise InvalidArgument(
            f"the ONNX conversion of {public_name(estimator)} does not reproduce its"
            f" predictions on {len(x)} row(s): " + "; ".join(problems),
            details={"max_abs_difference": worst, "problems": problems, "rows": len(x)},
        )
    compared = [names[0]] + ([names[1]] if proba is not None else [])
    return {
        "rows": len(x),
        "compared": compared,
        "max_abs_difference": float(f"{worst:.3g}"),
        "tolerance": tolerance,
    }


# ---------------------------------------------------------------- the builder


class ScikitLearnServable(OnnxServable):
    """A fitted scikit-learn estimator (or pipeline), published as ONNX.

    The estimator is converted with skl2onnx (ZipMap disabled for classifiers,
    so the outputs are plain tensors such as ``label`` and ``probabilities``)
    to a graph with one float32 input ``X`` of shape ``[None, n_features]``.
    The converted model is run with ONNX Runtime next to the estimator on
    ``sample_input`` (or on synthetic rows) and refused when they disagree.
    Everything else is :class:`OnnxServable`: the signature is read from the
    converted graph and the servable type is ``onnx``.

    Args:
        estimator_or_path: a fitted estimator, or a ``.joblib``/``.pkl`` file
            holding one. A file is unpickled here, in this process only: load
            only files you trust (your own).
        name: servable name (default: the file stem, or the estimator's class).
        n_features: number of input columns, when the estimator does not
            record ``n_features_in_`` and no ``sample_input`` is given.
        sample_input: representative rows ``[rows, n_features]``; the
            fidelity check runs on them (default: 64 seeded normal rows).
        options: skl2onnx converter options, merged over ``{"zipmap": False}``.
        target_opset: ONNX opset to convert to (default: skl2onnx's newest).
        tolerance: allowed difference of probabilities (absolute) and of
            regression values (relative above 1), default 1e-4.
        output_dir: where to write ``<name>.onnx`` (default: a temporary
            folder removed with the builder).
    """

    def __init__(
        self,
        estimator_or_path: Any,
        name: str | None = None,
        *,
        n_features: int | None = None,
        sample_input: Any = None,
        options: dict[Any, Any] | None = None,
        target_opset: int | None = None,
        tolerance: float = DEFAULT_TOLERANCE,
        output_dir: str | Path | None = None,
    ) -> None:
        versions = _require()
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
        sample = _as_sample(sample_input) if sample_input is not None else None
        features = _n_features(estimator, n_features, sample, label)
        if sample is None:
            rng = np.random.default_rng(0)
            check_x: Array = rng.standard_normal((SYNTHETIC_ROWS, features)).astype(np.float32)
        else:
            check_x = sample

        model = _convert(estimator, features, options, target_opset)
        _tensor_specs(model.graph.output, set())  # tensors only (e.g. no ZipMap), before running
        fidelity = check_fidelity(
            estimator, model, check_x, tolerance, probabilities=not _wants_raw_scores(options)
        )
        fidelity["input"] = "sample" if sample is not None else "synthetic"

        servable_name = name or default_name
        if output_dir is None:
            folder = Path(tempfile.mkdtemp(prefix="dlhub-sklearn-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, folder, True)
        else:
            folder = Path(output_dir)
            folder.mkdir(parents=True, exist_ok=True)
        onnx_path = folder / f"{_slug(servable_name)}.onnx"
        onnx_path.write_bytes(model.SerializeToString())
        super().__init__(onnx_path, name=servable_name)
        self.estimator = estimator
        self.onnx_path = onnx_path

        details: dict[str, Any] = {
            "converted_from": "scikit-learn",
            "estimator": public_name(estimator),
            "sklearn_version": versions["scikit-learn"],
            "skl2onnx_version": versions["skl2onnx"],
            "n_features": features,
            "fidelity_check": fidelity,
        }
        steps = getattr(estimator, "steps", None)
        if isinstance(steps, list):
            details["steps"] = [public_name(step) for _, step in steps]
        classes = getattr(estimator, "classes_", None)
        if classes is not None:
            details["classes"] = np.asarray(classes).tolist()
        self._servable["methods"]["run"]["method_details"].update(details)
        for package in ("scikit-learn", "skl2onnx", "onnxruntime"):
            self.add_dependency(package, versions[package])
