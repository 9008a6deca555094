"""Glass-forming ability of a metallic alloy from its elements (a toy model).

``predict(["V", "Co", "Zr"])`` returns a score in [0, 1]: how likely an
equiatomic alloy of these elements forms a metallic glass. A tiny composition
featurizer (atomic-size mismatch, electronegativity spread, mean valence
electron count, ... from a small hard-coded table of elemental properties)
feeds a k-nearest-neighbour model fitted on ``glass_data.csv`` (once per
process, at the first call).

THE DATASET IS SYNTHETIC: ``make_dataset.py`` labels random alloys with a
made-up rule inspired by the empirical glass-formation criteria (large size
mismatch, several elements, electronegativity spread) plus noise. The scores
illustrate DLHub's python servables; they are not materials science.

Standard library only, so the servable's environment builds in a moment.
"""

from __future__ import annotations

import csv
import functools
import math
from pathlib import Path
from typing import Any

# symbol: (metallic radius in pm, Pauling electronegativity, valence electrons)
ELEMENTS: dict[str, tuple[float, float, int]] = {
    "Al": (143, 1.61, 3),
    "Ti": (147, 1.54, 4),
    "V": (134, 1.63, 5),
    "Cr": (128, 1.66, 6),
    "Mn": (127, 1.55, 7),
    "Fe": (126, 1.83, 8),
    "Co": (125, 1.88, 9),
    "Ni": (124, 1.91, 10),
    "Cu": (128, 1.90, 11),
    "Zn": (134, 1.65, 12),
    "Zr": (160, 1.33, 4),
    "Nb": (146, 1.60, 5),
    "Mo": (139, 2.16, 6),
    "Pd": (137, 2.20, 10),
    "Ag": (144, 1.93, 11),
    "Hf": (159, 1.30, 4),
    "Ta": (146, 1.50, 5),
    "W": (139, 2.36, 6),
    "Pt": (139, 2.28, 10),
    "Au": (144, 2.54, 11),
    "Mg": (160, 1.31, 2),
    "Ca": (197, 1.00, 2),
    "La": (187, 1.10, 3),
    "Y": (180, 1.22, 3),
    "B": (90, 2.04, 3),
    "Si": (117, 1.90, 4),
    "P": (110, 2.19, 5),
}
FEATURES = ("size_mismatch", "electronegativity_spread", "mean_valence", "n_elements")
K = 7


def featurize(elements: list[str]) -> list[float]:
    """Features of an equiatomic alloy of ``elements``.

    Raises:
        ValueError: an unknown or repeated element symbol.
    """
    unknown = [e for e in elements if e not in ELEMENTS]
    if unknown:
        raise ValueError(f"unknown element(s) {unknown}; known: {sorted(ELEMENTS)}")
    if len(set(elements)) != len(elements):
        raise ValueError(f"repeated element in {elements}")
    if not elements:
        raise ValueError("give at least one element")
    n = len(elements)
    radii = [ELEMENTS[e][0] for e in elements]
    chis = [ELEMENTS[e][1] for e in elements]
    vecs = [ELEMENTS[e][2] for e in elements]
    r_mean = sum(radii) / n
    chi_mean = sum(chis) / n
    delta = math.sqrt(sum((1 - r / r_mean) ** 2 for r in radii) / n)
    chi_spread = math.sqrt(sum((c - chi_mean) ** 2 for c in chis) / n)
    return [100 * delta, chi_spread, sum(vecs) / n, float(n)]


def _load(path: Path) -> tuple[list[list[float]], list[float]]:
    xs, ys = [], []
    with path.open() as f:
        for row in csv.DictReader(f):
            xs.append(featurize(row["elements"].split("-")))
            ys.append(float(row["glass_score"]))
    return xs, ys


@functools.cache
def _model() -> tuple[list[list[float]], list[float], list[float], list[float]]:
    """(scaled training features, labels, feature means, feature scales), fitted once."""
    xs, ys = _load(Path(__file__).with_name("glass_data.csv"))
    mean = [sum(col) / len(col) for col in zip(*xs, strict=True)]
    std = [
        math.sqrt(sum((v - m) ** 2 for v in col) / len(col)) or 1.0
        for col, m in zip(zip(*xs, strict=True), mean, strict=True)
    ]
    return [_scaled(x, mean, std) for x in xs], ys, mean, std


def _scaled(x: list[float], mean: list[float], std: list[float]) -> list[float]:
    return [(v - m) / s for v, m, s in zip(x, mean, std, strict=True)]


def predict(elements: Any) -> Any:
    """Glass-forming-ability score in [0, 1] of the equiatomic alloy of ``elements``.

    ``elements`` is a list of symbols, or ``{"data": [...]}``: the call shape
    of the original DLHub servable, ``dl.run(id, {"data": ["V", "Co", "Zr"]})``;
    or a batch, a list of such lists, for a list of scores (how benchmarks call it).
    """
    if isinstance(elements, list) and elements and all(isinstance(e, list) for e in elements):
        return [predict(e) for e in elements]  # a batch: one score per alloy (benchmarks)
    if isinstance(elements, dict):
        if set(elements) != {"data"} or not isinstance(elements["data"], list):
            raise ValueError('give a list of element symbols, or {"data": [symbols]}')
        elements = elements["data"]
    if not isinstance(elements, list) or not all(isinstance(e, str) for e in elements):
        raise ValueError("element symbols must be a list of strings, e.g. ['V', 'Co', 'Zr']")
    xs, ys, mean, std = _model()
    q = _scaled(featurize(elements), mean, std)
    nearest = sorted((math.dist(q, x), y) for x, y in zip(xs, ys, strict=True))[:K]
    weights = [1.0 / (d + 1e-6) for d, _ in nearest]
    score = sum(w * y for w, (_, y) in zip(weights, nearest, strict=True)) / sum(weights)
    return round(min(1.0, max(0.0, score)), 4)
