"""Publish the metallic-glass function as a python servable, then run it.

    uv run python examples/glass/publish.py      # with the mesh up (make run / dlhub up)

``glass.py`` is shipped as the servable's module and ``glass_data.csv`` (a
SYNTHETIC dataset, see make_dataset.py) as an extra file. The registry checks
the module, resolves the (empty) requirements into ``environment.lock``; the
first run builds the environment and starts the worker, later runs reuse it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from dlhub_sdk import DLHubClient
from dlhub_sdk.models import PythonStaticMethodServable

HERE = Path(__file__).parent


# A list of symbols, or {"data": [symbols]} as the original DLHub servable took it.
INPUT_TYPE = {
    "type": "any",
    "description": "element symbols of an equiatomic alloy: ['V', 'Co', 'Zr'] or"
    " {'data': ['V', 'Co', 'Zr']} (the original DLHub call shape), or a batch:"
    " a list of such lists",
}


OUTPUT_TYPE = {
    "type": "any",
    "description": "glass-forming-ability score in [0, 1]; a list of scores for a batch",
}
# What a model must take to compete on the benchmark: a batch of alloys, a score each.
BENCHMARK_INPUT = {"type": "list", "item_type": {"type": "list", "item_type": {"type": "string"}}}
BENCHMARK_OUTPUT = {"type": "list", "item_type": {"type": "number"}}
BENCHMARK_FILE = "data.json"


def build() -> PythonStaticMethodServable:
    model = PythonStaticMethodServable.from_function(
        HERE / "glass.py",
        "predict",
        input_type=INPUT_TYPE,
        output_type=OUTPUT_TYPE,
        requirements=[],  # standard library only: the environment builds in a moment
        name="glass",
    )
    model.add_file(HERE / "glass_data.csv")
    model.set_title("Metallic glass-forming ability (toy model on synthetic data)")
    model.add_author("Ward, Logan", "Argonne National Laboratory")
    model.set_abstract(
        "k-nearest-neighbour score of glass-forming ability from composition features;"
        " trained on a SYNTHETIC dataset, for demonstration only."
    )
    model.set_domains(["materials science"])
    return model


def build_retrainable(
    prefix: str, benchmark: str, *, margin: float = 0.0
) -> PythonStaticMethodServable:
    """The glass servable with its training recipe (docs/retraining.md): it
    retrains when a new CSV of measured compositions lands under ``prefix``,
    and a candidate is published when its MAE on ``benchmark`` is no worse
    (``margin`` 0) or better by ``margin``."""
    model = build()
    model.set_training(
        HERE / "train.py",
        prefix=prefix,
        benchmark=benchmark,
        rule="better_by" if margin else "no_worse",
        margin=margin,
    )
    return model


def benchmark_metadata(name: str = "glass-heldout") -> dict[str, Any]:
    """The acceptance benchmark: held-out alloys (SYNTHETIC), scored by MAE."""
    return {
        "datacite": {
            "creators": [{"name": "Ward, Logan"}],
            "titles": [{"title": "Held-out metallic-glass alloys (synthetic)"}],
            "resourceType": {"resourceTypeGeneral": "Dataset", "resourceType": "Benchmark"},
        },
        "dlhub": {"name": name, "files": {"model": BENCHMARK_FILE}},
        "servable": {
            "type": "benchmark",
            "methods": {"run": {"input": BENCHMARK_INPUT, "output": BENCHMARK_OUTPUT}},
            "benchmark": {"metric": "mae", "batch_size": 16},
        },
    }


def benchmark_files() -> dict[str, bytes]:
    sys.path.insert(0, str(HERE))
    try:
        import retrain_data
    finally:
        sys.path.remove(str(HERE))
    inputs, references = retrain_data.benchmark()
    return {BENCHMARK_FILE: json.dumps({"inputs": inputs, "references": references}).encode()}


def main() -> None:
    client = DLHubClient()
    published = client.publish_servable(build())
    ref = f"{published['owner']}/{published['name']}"
    print(f"published {ref} version {published['version']} ({published['digest']})")
    for alloy in (["V", "Co", "Zr"], ["Cu", "Zr"], ["Fe", "Co"]):
        print(f"  {'-'.join(alloy):10s} -> {client.run(ref, alloy)}")
    # the original DLHub call shape: dl.run(id, {"data": [...]})
    print(f"  {{'data': ['V', 'Co', 'Zr']}} -> {client.run(ref, {'data': ['V', 'Co', 'Zr']})}")


if __name__ == "__main__":
    main()
