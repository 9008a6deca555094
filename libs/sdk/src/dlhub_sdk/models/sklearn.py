"""scikit-learn servables: converted to ONNX where skl2onnx can, else native.

:class:`ScikitLearnServable` takes a fitted estimator (or the joblib/pickle
file it was saved to), converts it with skl2onnx, checks that the converted
graph answers like the estimator, and then describes the ONNX file exactly as
:class:`~dlhub_sdk.models.onnx.OnnxServable` does. The servable's type is
``onnx``: services only ever see the ONNX graph, never a pickle.

When skl2onnx has no converter for the estimator (or one of its parts), or
with ``native=True``, it builds a :class:`NativeScikitLearnServable` instead:
servable type ``sklearn``, the estimator saved as the artifact
``model.joblib``, run by the executor in a worker process inside an
environment pinned to the scikit-learn, joblib, numpy and scipy versions of
this process. Only that worker ever unpickles it; DLHub's services never do.

Loading a pickle runs code from the file, so on the publisher's side it
happens here, in your own process, on your own file.

Needs ``scikit-learn``, ``skl2onnx`` and ``onnxruntime`` in the SDK's
environment (the fidelity check runs the converted model); a native servable
needs only ``scikit-learn`` (and its ``joblib``).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import pickle
import re
import shutil
import sys
import tempfile
import warnings
import weakref
from importlib import metadata as pkg_metadata
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import FailedPrecondition, InvalidArgument
from dlhub_common.metadata import SKLEARN_METHODS
from dlhub_sdk.models.base import ServableBuilder
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


class Unconvertible(InvalidArgument):
    """skl2onnx cannot convert this estimator: it may still be published natively."""


NATIVE_HINT = (
    "; leave native unset (or pass native=True) to publish it as a native scikit-learn"
    " servable (joblib, run in an isolated worker), or export to ONNX yourself and publish"
    " it with OnnxServable"
)


def _unsupported(estimator: Any, exc: Exception) -> InvalidArgument:
    name = public_name(estimator)
    found = re.search(r"type '<class '([^']+)'>'", str(exc))
    inner = found.group(1) if found else None
    if inner:
        module_name, _, qualname = inner.rpartition(".")
        with contextlib.suppress(ImportError, AttributeError, ValueError):
            inner = public_name(getattr(importlib.import_module(module_name), qualname))
    part = f" (its part {inner} has no converter)" if inner and inner != name else ""
    return Unconvertible(
        f"{name}{part} cannot be converted to ONNX by skl2onnx" + NATIVE_HINT,
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
        raise Unconvertible(
            f"skl2onnx cannot convert this {public_name(estimator)} configuration ({exc})"
            + NATIVE_HINT,
            details={"estimator": public_name(estimator)},
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

    When skl2onnx has no converter for the estimator (or a part of it), the
    result is a :class:`NativeScikitLearnServable` instead (type ``sklearn``,
    the estimator as ``model.joblib``, run in an isolated worker); the reason
    is kept in ``method_details["onnx_conversion"]``. A conversion that runs
    but disagrees with the estimator is still refused.

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
        native: ``None`` (default): ONNX when skl2onnx can convert, else
            native; ``True``: always native; ``False``: ONNX or an error.
        method: the estimator method a native servable calls (default
            ``predict``); native servables only.
    """

    def __new__(
        cls,
        estimator_or_path: Any,
        name: str | None = None,
        *,
        native: bool | None = None,
        method: str | None = None,
        n_features: int | None = None,
        sample_input: Any = None,
        options: dict[Any, Any] | None = None,
        target_opset: int | None = None,
        tolerance: float = DEFAULT_TOLERANCE,
        output_dir: str | Path | None = None,
    ) -> Any:
        # ONNX where skl2onnx can convert; otherwise (or with native=True) the
        # native servable. The instance is built here so that the fallback can
        # hand the already loaded estimator on; __init__ then has nothing to do.
        native_args: dict[str, Any] = {
            "method": method,
            "n_features": n_features,
            "sample_input": sample_input,
            "output_dir": output_dir,
        }
        if native:
            return NativeScikitLearnServable(estimator_or_path, name, **native_args)
        if method is not None:
            raise InvalidArgument("method= applies to native scikit-learn servables only")
        versions = _require()
        estimator, default_name, label = _load_checked(estimator_or_path)
        self = super().__new__(cls)
        try:
            self._build(
                estimator,
                label,
                name or default_name,
                versions,
                n_features=n_features,
                sample_input=sample_input,
                options=options,
                target_opset=target_opset,
                tolerance=tolerance,
                output_dir=output_dir,
            )
        except Unconvertible as exc:
            if native is False:
                raise
            built = NativeScikitLearnServable(
                estimator, name or default_name, label=label, **native_args
            )
            built.note_onnx_refusal(exc.message.replace(NATIVE_HINT, ""))
            return built
        return self

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Built in ``__new__`` (see the class docstring for the arguments)."""

    def _build(
        self,
        estimator: Any,
        label: str,
        servable_name: str,
        versions: dict[str, str],
        *,
        n_features: int | None,
        sample_input: Any,
        options: dict[Any, Any] | None,
        target_opset: int | None,
        tolerance: float,
        output_dir: str | Path | None,
    ) -> None:
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

        folder = _output_folder(self, output_dir)
        onnx_path = folder / f"{_slug(servable_name)}.onnx"
        onnx_path.write_bytes(model.SerializeToString())
        OnnxServable.__init__(self, onnx_path, name=servable_name)
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
        details.update(_structure(estimator))
        self._servable["methods"]["run"]["method_details"].update(details)
        for package in ("scikit-learn", "skl2onnx", "onnxruntime"):
            self.add_dependency(package, versions[package])


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

        import joblib

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

    def note_onnx_refusal(self, reason: str) -> None:
        """Record why the ONNX conversion was not used."""
        self._servable["methods"]["run"]["method_details"]["onnx_conversion"] = reason
