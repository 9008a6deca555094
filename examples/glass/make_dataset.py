"""Writes glass_data.csv: a SYNTHETIC metallic-glass dataset (not real data).

Random equiatomic alloys of 2-5 elements are labelled with a made-up rule
inspired by empirical glass-formation criteria: larger atomic-size mismatch,
more elements and a larger electronegativity spread raise the score; noise is
added. Run it again to regenerate the file (seeded, so the same file comes out).
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

from glass import ELEMENTS, featurize

OUT = Path(__file__).with_name("glass_data.csv")


def synthetic_score(elements: list[str], rng: random.Random) -> float:
    size, chi, vec, n = featurize(elements)
    z = 0.45 * (size - 6) + 0.6 * (n - 2.5) + 4.0 * (chi - 0.2) - 0.08 * abs(vec - 7)
    return round(1 / (1 + math.exp(-z)) * 0.9 + rng.uniform(0, 0.1), 4)


def main() -> None:
    rng = random.Random(20181105)
    symbols = sorted(ELEMENTS)
    rows, seen = [], set()
    while len(rows) < 400:
        elements = sorted(rng.sample(symbols, rng.randint(2, 5)))
        key = "-".join(elements)
        if key in seen:
            continue
        seen.add(key)
        rows.append({"elements": key, "glass_score": synthetic_score(elements, rng)})
    with OUT.open("w", newline="") as f:
        writer = csv.DictWriter(f, ["elements", "glass_score"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} synthetic alloys to {OUT}")


if __name__ == "__main__":
    main()
