"""The glass model's training function: new measured compositions join its data.

``train(data_dir, previous_artifacts_dir)`` reads every CSV under
``data_dir`` (columns ``elements``, ``glass_score``, like ``glass_data.csv``),
appends the rows to the previous version's ``glass_data.csv`` (a row for an
alloy already there replaces it) and returns the folder holding the new
file: the candidate's ``glass_data.csv``. The k-nearest-neighbour model in
``glass.py`` refits from that file when it is loaded.

Standard library only; it runs in the servable's own environment, under the
CPU-time and memory limits of the registry's ``retrain`` settings.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

FIELDS = ["elements", "glass_score"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        missing = set(FIELDS) - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path.name}: missing column(s) {sorted(missing)}")
        rows = []
        for row in reader:
            key = "-".join(sorted(row["elements"].split("-")))
            score = float(row["glass_score"])
            if not 0.0 <= score <= 1.0:
                raise ValueError(f"{path.name}: glass_score {score} is outside [0, 1]")
            rows.append({"elements": key, "glass_score": f"{score:.4f}"})
        return rows


def train(data_dir: str, previous_artifacts_dir: str) -> str:
    merged = {r["elements"]: r for r in _rows(Path(previous_artifacts_dir) / "glass_data.csv")}
    new = sorted(Path(data_dir).rglob("*.csv"))
    for path in new:
        for row in _rows(path):
            merged[row["elements"]] = row
    print(f"{len(new)} new file(s); {len(merged)} alloys in the training set")
    out = Path(tempfile.mkdtemp(prefix="glass-train-"))
    with (out / "glass_data.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(merged.values())
    return str(out)
