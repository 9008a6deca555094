"""Step 2 of the formation-enthalpy pipeline: element fractions -> composition features.

``featurize([{"Fe": 0.4, "O": 0.6}])`` -> one row of :data:`FEATURES` per
composition, from the small periodic table shipped beside this module
(``periodic_table.csv``). Standard library only.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

FEATURES = (
    "mean_electronegativity",
    "electronegativity_range",
    "electronegativity_spread",  # sum over pairs of x_i x_j (chi_i - chi_j)^2
    "mean_covalent_radius_pm",
    "radius_mismatch",  # sqrt(sum x_i (1 - r_i / mean r)^2)
    "mean_group",
    "mean_period",
    "mean_mass",
    "n_elements",
)
_TABLE: dict[str, dict[str, float]] = {}


def table() -> dict[str, dict[str, float]]:
    """The periodic table shipped with the servable, by symbol (read once)."""
    if not _TABLE:
        with (Path(__file__).parent / "periodic_table.csv").open() as fh:
            for row in csv.DictReader(fh):
                _TABLE[row["symbol"]] = {k: float(v) for k, v in row.items() if k != "symbol"}
    return _TABLE


def features(fractions: dict[str, float]) -> list[float]:
    """The :data:`FEATURES` of one composition."""
    known = table()
    missing = sorted(el for el in fractions if el not in known)
    if missing:
        raise ValueError(f"elements not in this example's periodic table: {missing}")
    x = {el: float(f) for el, f in fractions.items() if f > 0}
    total = sum(x.values())
    x = {el: f / total for el, f in x.items()}

    def mean(prop: str) -> float:
        return sum(f * known[el][prop] for el, f in x.items())

    chi = {el: known[el]["electronegativity"] for el in x}
    spread = sum(x[a] * x[b] * (chi[a] - chi[b]) ** 2 for a in x for b in x if a < b)
    radius = mean("covalent_radius_pm")
    mismatch = math.sqrt(
        sum(f * (1 - known[el]["covalent_radius_pm"] / radius) ** 2 for el, f in x.items())
    )
    return [
        mean("electronegativity"),
        max(chi.values()) - min(chi.values()),
        spread,
        radius,
        mismatch,
        mean("group"),
        mean("period"),
        mean("mass"),
        float(len(x)),
    ]


def featurize(compositions: list[dict[str, float]]) -> list[list[float]]:
    """The servable: one feature row per composition, in order."""
    return [features(c) for c in compositions]
