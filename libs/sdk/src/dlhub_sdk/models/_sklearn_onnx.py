"""Converting a scikit-learn estimator to ONNX and checking the conversion answers alike."""

import contextlib
import importlib
import re
import warnings
from typing import Any

import numpy as np

from dlhub_common.errors import InvalidArgument
from dlhub_sdk.models._sklearn_estimators import (
    DEFAULT_TOLERANCE,
    INPUT_NAME,
    Array,
    is_classifier,
    public_name,
)


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
