"""Benchmark metrics agree with scikit-learn's on random data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from dlhub_common import metrics
from dlhub_common.errors import InvalidArgument


@pytest.mark.parametrize("seed", range(5))
def test_regression_metrics_match_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.normal(size=50)
    p = y + rng.normal(scale=0.3, size=50)
    assert metrics.compute("mae", y, p) == pytest.approx(skm.mean_absolute_error(y, p))
    assert metrics.compute("rmse", y, p) == pytest.approx(np.sqrt(skm.mean_squared_error(y, p)))
    assert metrics.compute("r2", y, p) == pytest.approx(skm.r2_score(y, p))
    y2 = rng.normal(size=(30, 3))
    p2 = y2 + rng.normal(size=(30, 3))
    assert metrics.compute("r2", y2, p2) == pytest.approx(skm.r2_score(y2, p2))


@pytest.mark.parametrize("seed", range(5))
def test_classification_metrics_match_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, size=60)
    p = np.where(rng.random(60) < 0.7, y, rng.integers(0, 4, size=60))
    assert metrics.compute("accuracy", y, p) == pytest.approx(skm.accuracy_score(y, p))
    assert metrics.compute("macro_f1", y, p) == pytest.approx(skm.f1_score(y, p, average="macro"))
    # Per-class scores (logits) are reduced with arg-max.
    logits = rng.normal(size=(60, 4))
    assert metrics.compute("accuracy", y, logits) == pytest.approx(
        skm.accuracy_score(y, logits.argmax(axis=1))
    )


def test_direction_and_comparison() -> None:
    assert metrics.higher_is_better("accuracy")
    assert not metrics.higher_is_better("mae")
    assert metrics.better("mae", 0.1, 0.2)
    assert metrics.better("r2", 0.9, 0.8)
    assert not metrics.better("accuracy", 0.5, 0.5)


def test_bad_inputs_name_the_problem() -> None:
    with pytest.raises(InvalidArgument, match="unknown metric 'f2'"):
        metrics.compute("f2", [1], [1])
    with pytest.raises(InvalidArgument, match="3 predictions for 2 references"):
        metrics.compute("mae", [1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(InvalidArgument, match="numeric"):
        metrics.compute("rmse", ["a", "b"], ["c", "d"])
