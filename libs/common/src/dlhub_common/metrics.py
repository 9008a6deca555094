"""Benchmark metrics: one score from reference values and a model's predictions.

Shared by benchmark scoring (the task manager) and retraining's acceptance
check, so a score computed either way is the same number. Pure numpy; the
tests compare every metric with scikit-learn's.

Predictions of a classifier may be given as labels (the same shape as the
references) or as per-class scores with one more trailing axis (probabilities
or logits); the classification metrics then take the arg-max.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlhub_common.errors import InvalidArgument

# name -> (higher is better, kind)
METRICS: dict[str, tuple[bool, str]] = {
    "mae": (False, "regression"),
    "rmse": (False, "regression"),
    "r2": (True, "regression"),
    "accuracy": (True, "classification"),
    "macro_f1": (True, "classification"),
}


def check_metric(name: str) -> str:
    """The metric's name, or InvalidArgument naming the supported ones."""
    if name not in METRICS:
        raise InvalidArgument(
            f"unknown metric {name!r}; supported: {', '.join(METRICS)}"
            " (or a python servable as the metric function)",
            details={"field": "metric"},
        )
    return name


def higher_is_better(name: str) -> bool:
    return METRICS[check_metric(name)][0]


def better(name: str, a: float, b: float) -> bool:
    """Whether score ``a`` is strictly better than ``b`` under metric ``name``."""
    return a > b if higher_is_better(name) else a < b


def _labels(references: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    if predictions.ndim == references.ndim + 1:
        return np.asarray(predictions.argmax(axis=-1))
    return predictions


def compute(name: str, references: Any, predictions: Any) -> float:
    """The metric ``name`` of ``predictions`` against ``references``.

    Raises:
        InvalidArgument: unknown metric, no examples, or shapes that do not
            line up (naming both shapes).
    """
    check_metric(name)
    y = np.asarray(references)
    p = np.asarray(predictions)
    kind = METRICS[name][1]
    if kind == "classification":
        p = _labels(y, p)
    if y.shape[:1] != p.shape[:1] or y.size == 0:
        raise InvalidArgument(
            f"metric {name}: {p.shape[0] if p.ndim else 0} predictions for"
            f" {y.shape[0] if y.ndim else 0} references (shapes {list(p.shape)} and"
            f" {list(y.shape)})",
            details={"field": "predictions"},
        )
    if kind == "regression":
        try:
            yf = y.astype(np.float64).reshape(len(y), -1)
            pf = p.astype(np.float64).reshape(len(p), -1)
        except (TypeError, ValueError):
            raise InvalidArgument(
                f"metric {name} needs numeric values", details={"field": "predictions"}
            ) from None
        if yf.shape != pf.shape:
            raise InvalidArgument(
                f"metric {name}: prediction shape {list(p.shape)} does not match the"
                f" references' {list(y.shape)}",
                details={"field": "predictions"},
            )
        err = pf - yf
        if name == "mae":
            return float(np.mean(np.abs(err)))
        if name == "rmse":
            return float(np.sqrt(np.mean(err**2)))
        # R² per output, averaged uniformly (as scikit-learn's default).
        ss_res = np.sum(err**2, axis=0)
        ss_tot = np.sum((yf - yf.mean(axis=0)) ** 2, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(ss_tot > 0, 1.0 - ss_res / ss_tot, np.where(ss_res > 0, 0.0, 1.0))
        return float(np.mean(r2))
    if y.shape != p.shape:
        raise InvalidArgument(
            f"metric {name}: prediction shape {list(p.shape)} does not match the"
            f" references' {list(y.shape)}",
            details={"field": "predictions"},
        )
    y1 = y.reshape(-1)
    p1 = p.reshape(-1)
    if name == "accuracy":
        return float(np.mean(y1 == p1))
    # Macro F1 over the labels seen in either array (scikit-learn's default).
    scores = []
    for label in np.unique(np.concatenate([y1, p1])):
        tp = float(np.sum((p1 == label) & (y1 == label)))
        fp = float(np.sum((p1 == label) & (y1 != label)))
        fn = float(np.sum((p1 != label) & (y1 == label)))
        denom = 2 * tp + fp + fn
        scores.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(scores))
