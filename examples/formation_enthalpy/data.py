"""The SYNTHETIC formation-enthalpy data set of this example: deterministic, importable.

THE DATA ARE SYNTHETIC. Compositions are drawn at random from the example's
periodic table and their "formation enthalpy" is a made-up function of the
composition features (electronegativity spread, size mismatch, groups) plus
seeded noise. It exercises the pipeline and a regression benchmark; it says
nothing about real materials.

    from examples.formation_enthalpy.data import held_out, split
    test = held_out()            # compositions, features, targets (eV/atom, SYNTHETIC)
    s = split(seed=0)            # train and test parts

The same seed gives the same data, on any machine (numpy's PCG64 generator).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

HERE = Path(__file__).resolve().parent
SEED = 0
SIZE = 1000
TEST_FRACTION = 0.2
NOISE_EV = 0.03
UNITS = "eV/atom (SYNTHETIC)"


def _sibling(name: str) -> ModuleType:
    """This example's step modules, wherever the example is imported from."""
    spec = importlib.util.spec_from_file_location(f"formation_enthalpy_{name}", HERE / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


composition = _sibling("composition")
featurize = _sibling("featurize")


@dataclass(frozen=True)
class Split:
    """Train and held-out parts: formulas, feature rows and SYNTHETIC enthalpies."""

    train_compositions: list[str]
    train_features: npt.NDArray[np.float64]
    train_targets: npt.NDArray[np.float64]
    test_compositions: list[str]
    test_features: npt.NDArray[np.float64]
    test_targets: npt.NDArray[np.float64]


def _formula(counts: dict[str, int]) -> str:
    return "".join(el + (str(n) if n > 1 else "") for el, n in counts.items())


def compositions(seed: int = SEED, size: int = SIZE) -> list[str]:
    """``size`` distinct random binary and ternary formulas, e.g. ``"Fe2O3"``."""
    rng = np.random.default_rng(seed)
    symbols = sorted(featurize.table(), key=lambda s: featurize.table()[s]["number"])
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < size:
        k = int(rng.choice([2, 3], p=[0.7, 0.3]))
        picked = rng.choice(len(symbols), size=k, replace=False)
        counts = {symbols[i]: int(rng.integers(1, 5)) for i in sorted(picked)}
        formula = _formula(counts)
        if formula not in seen:
            seen.add(formula)
            out.append(formula)
    return out


def synthetic_enthalpy(row: Any) -> float:
    """The made-up "true" enthalpy of one feature row (before noise), eV/atom."""
    names = featurize.FEATURES
    f = dict(zip(names, row, strict=True))
    return float(
        -1.4 * f["electronegativity_spread"]
        + 0.6 * f["radius_mismatch"]
        - 0.02 * abs(f["mean_group"] - 10.0)
        + 0.05 * (f["n_elements"] - 2.0)
    )


def dataset(
    seed: int = SEED, size: int = SIZE
) -> tuple[list[str], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(formulas, feature rows, SYNTHETIC enthalpies with seeded noise)."""
    formulas = compositions(seed, size)
    x = np.array(featurize.featurize(composition.parse(formulas)), dtype=np.float64)
    noise = np.random.default_rng(seed + 1).normal(0.0, NOISE_EV, size=len(formulas))
    y = np.array([synthetic_enthalpy(r) for r in x]) + noise
    return formulas, x, y


def split(seed: int = SEED, size: int = SIZE, test_fraction: float = TEST_FRACTION) -> Split:
    """The data set cut into train and held-out parts (a seeded permutation)."""
    formulas, x, y = dataset(seed, size)
    order = np.random.default_rng(seed + 2).permutation(len(formulas))
    n_test = round(len(formulas) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return Split(
        [formulas[i] for i in train],
        x[train],
        y[train],
        [formulas[i] for i in test],
        x[test],
        y[test],
    )


def held_out(
    seed: int = SEED,
) -> tuple[list[str], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The held-out part: (formulas, feature rows, SYNTHETIC enthalpies)."""
    s = split(seed)
    return s.test_compositions, s.test_features, s.test_targets
