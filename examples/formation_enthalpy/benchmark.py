"""A regression benchmark for the formation-enthalpy models (SYNTHETIC data), with a leaderboard.

    dlhub up                                                   # in another terminal
    uv run python examples/formation_enthalpy/publish.py       # the three steps + pipeline
    uv run python examples/formation_enthalpy/benchmark.py

Publishes a benchmark (type ``benchmark``): the held-out part of data.py's
SYNTHETIC data set (200 formulas and their made-up enthalpies), scored by MAE,
for servables that take a list of formulas and return a list of numbers. Then
it publishes a second competitor, ``formation_enthalpy_linear`` (the same parse
and featurize steps, a linear regression as the predict step), scores both
pipelines and prints the leaderboard (lower MAE first).

THE DATA ARE SYNTHETIC: the ranking shows the mechanism, not real chemistry.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sklearn.linear_model import LinearRegression

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # run as a script: data.py and publish.py beside it

import data  # noqa: E402
import publish  # noqa: E402

from dlhub_sdk import Benchmark, DLHubClient, Pipeline  # noqa: E402
from dlhub_sdk.cli.benchmarks import leaderboard_text, run_text  # noqa: E402
from dlhub_sdk.models import NativeScikitLearnServable  # noqa: E402

BENCHMARK = "formation_enthalpy_heldout"
GRADIENT_BOOSTING = "formation_enthalpy"
LINEAR = "formation_enthalpy_linear"


def benchmark() -> Benchmark:
    formulas, _, targets = data.held_out()
    bench = Benchmark.from_json(
        BENCHMARK,
        formulas,
        [float(t) for t in targets],
        metric="mae",
        input_type={"type": "string", "description": "a chemical formula, e.g. 'Fe2O3'"},
        output_type={"type": "number", "description": f"formation enthalpy, {data.UNITS}"},
        batch_size=50,
    )
    bench.set_title("Formation enthalpy, held-out SYNTHETIC compositions: MAE")
    bench.add_author(*publish.AUTHOR).set_domains(["materials science"])
    bench.set_abstract(
        f"The held-out {len(formulas)} formulas of examples/formation_enthalpy/data.py"
        f" (seed {data.SEED}) and their SYNTHETIC formation enthalpies ({data.UNITS})."
        " Competitors take a list of formulas and return one number per formula."
    )
    return bench


def linear_competitor() -> tuple[NativeScikitLearnServable, Pipeline]:
    s = data.split()
    model = LinearRegression().fit(s.train_features, s.train_targets)
    predict = NativeScikitLearnServable(
        model, name="formation_enthalpy_linear_model", sample_input=s.test_features[:8]
    )
    predict.set_title("Formation enthalpy, linear baseline (SYNTHETIC training data)")
    predict.add_author(*publish.AUTHOR).set_domains(["materials science"])
    pipeline = (
        Pipeline(LINEAR)
        .set_title("Formation enthalpy from a formula, linear baseline (SYNTHETIC training data)")
        .add_author(*publish.AUTHOR)
        .set_domains(["materials science"])
        .step("parse", "parse_composition", "$input")
        .step("featurize", "composition_features", "parse")
        .step("predict", "formation_enthalpy_linear_model", "featurize")
    )
    return predict, pipeline


def main() -> int:
    with DLHubClient() as client:
        owner = client.whoami()["username"]
        summary = client.publish_benchmark(benchmark())
        ref = f"{summary['owner']}/{summary['name']}"
        print(f"published benchmark {ref} version {summary['version']} (MAE, SYNTHETIC data)")
        predict, pipeline = linear_competitor()
        s = client.publish_servable(predict)
        print(f"published {s['owner']}/{s['name']} version {s['version']}")
        p = client.publish_pipeline(pipeline)
        print(f"published pipeline {p['owner']}/{p['name']} version {p['version']}")
        outcomes = []
        for competitor in (f"{owner}/{GRADIENT_BOOSTING}", f"{owner}/{LINEAR}"):
            print(f"\n$ dlhub benchmark run {ref} --servable {competitor}")
            result = client.score_benchmark(ref, competitor)
            print(run_text(result))
            outcomes += result["outcomes"]
        print(f"\n$ dlhub benchmark leaderboard {ref}")
        print(leaderboard_text(client.leaderboard(ref)))
    return 1 if not outcomes or any("error" in o for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
