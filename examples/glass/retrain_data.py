"""SYNTHETIC "measurements" for the retraining demo (not real data).

``measured(seed, n)`` labels ``n`` random alloys with the same made-up rule
as ``make_dataset.py`` (so they agree with the model's data), as if they had
been measured; ``benchmark(n)`` is a held-out set of such alloys, the data
set of the acceptance benchmark ``glass-heldout`` (metric: MAE).
``noise(seed, n)`` gives rows with random labels: data that makes the model
worse, for a candidate the acceptance rule rejects.
"""

from __future__ import annotations

import csv
import io
import random

from glass import ELEMENTS
from make_dataset import synthetic_score

BENCHMARK_SEED = 7001


def _alloys(rng: random.Random, n: int, skip: set[str]) -> list[list[str]]:
    symbols = sorted(ELEMENTS)
    out: list[list[str]] = []
    while len(out) < n:
        elements = sorted(rng.sample(symbols, rng.randint(2, 5)))
        key = "-".join(elements)
        if key not in skip:
            skip.add(key)
            out.append(elements)
    return out


def benchmark(n: int = 60) -> tuple[list[list[str]], list[float]]:
    """(inputs, references) of the held-out benchmark."""
    rng = random.Random(BENCHMARK_SEED)
    alloys = _alloys(rng, n, set())
    return alloys, [synthetic_score(a, rng) for a in alloys]


def _csv(rows: list[tuple[str, float]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["elements", "glass_score"])
    writer.writerows(rows)
    return buf.getvalue().encode()


def measured(seed: int, n: int = 400) -> bytes:
    """A CSV of ``n`` newly "measured" alloys (the held-out ones excluded)."""
    rng = random.Random(seed)
    held_out = {"-".join(a) for a in benchmark()[0]}
    alloys = _alloys(rng, n, held_out)
    return _csv([("-".join(a), synthetic_score(a, rng)) for a in alloys])


def noise(seed: int, n: int = 400) -> bytes:
    """A CSV of ``n`` alloys with random labels: training on it makes the model worse."""
    rng = random.Random(seed)
    held_out = {"-".join(a) for a in benchmark()[0]}
    alloys = _alloys(rng, n, held_out)
    return _csv([("-".join(a), round(rng.random(), 4)) for a in alloys])
