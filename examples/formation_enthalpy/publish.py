"""Publish the formation-enthalpy example: three servables and one pipeline, then run it.

    dlhub up                                              # in another terminal
    uv run python examples/formation_enthalpy/publish.py
    dlhub run <you>/formation_enthalpy --inputs '["NaCl","Fe2O3"]'

* ``parse_composition`` (python, composition.py): formulas -> element fractions;
* ``composition_features`` (python, featurize.py + periodic_table.csv):
  fractions -> composition feature rows;
* ``formation_enthalpy_model`` (native scikit-learn): a gradient-boosting
  regressor trained here on the SYNTHETIC data set of data.py (seeded);
* ``formation_enthalpy`` (pipeline.yaml): parse -> featurize -> predict.

THE TRAINING DATA ARE SYNTHETIC (data.py): the predictions demonstrate the
pipeline, not real formation enthalpies.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import GradientBoostingRegressor

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # run as a script: data.py beside it

import data  # noqa: E402

from dlhub_sdk import DLHubClient  # noqa: E402
from dlhub_sdk.models import NativeScikitLearnServable, PythonStaticMethodServable  # noqa: E402

COMPOSITIONS = {"type": "list", "item_type": {"type": "any"}, "description": "element fractions"}
N_FEATURES = len(data.featurize.FEATURES)
FEATURE_ROWS = {
    "type": "ndarray",
    "shape": [None, N_FEATURES],
    "item_type": {"type": "float64"},
    "description": ", ".join(data.featurize.FEATURES),
}
AUTHOR = ("DLHub Examples", "DLHub")


def train() -> tuple[GradientBoostingRegressor, float]:
    """The model on the SYNTHETIC training part; returns it with its held-out MAE."""
    s = data.split()
    model = GradientBoostingRegressor(n_estimators=200, max_depth=3, random_state=0)
    model.fit(s.train_features, s.train_targets)
    mae = float(np.mean(np.abs(model.predict(s.test_features) - s.test_targets)))
    return model, mae


def steps(model: GradientBoostingRegressor) -> list[Any]:
    parse = PythonStaticMethodServable.from_function(
        HERE / "composition.py",
        "parse",
        input_type={
            "type": "list",
            "item_type": {"type": "string"},
            "description": "chemical formulas, e.g. 'Fe2O3'",
        },
        output_type=COMPOSITIONS,
        name="parse_composition",
    )
    parse.set_title("Parse chemical formulas into element fractions")
    parse.add_author(*AUTHOR).set_domains(["materials science"])
    features = PythonStaticMethodServable.from_function(
        HERE / "featurize.py",
        "featurize",
        input_type=COMPOSITIONS,
        output_type=FEATURE_ROWS,
        name="composition_features",
    )
    features.add_file(HERE / "periodic_table.csv")
    features.set_title("Composition features from a small periodic table")
    features.add_author(*AUTHOR).set_domains(["materials science"])
    predict = NativeScikitLearnServable(
        model, name="formation_enthalpy_model", sample_input=data.held_out()[1][:8]
    )
    predict.set_title("Formation enthalpy regressor (SYNTHETIC training data)")
    predict.add_author(*AUTHOR).set_domains(["materials science"])
    predict.set_abstract(
        "Gradient boosting on composition features, trained on the SYNTHETIC data set of"
        " examples/formation_enthalpy/data.py; not a model of real materials."
    )
    return [parse, features, predict]


def main() -> int:
    model, mae = train()
    print(f"trained on SYNTHETIC data: held-out MAE {mae:.3f} {data.UNITS}")
    with DLHubClient() as client:
        for builder in steps(model):
            summary = client.publish_servable(builder)
            print(f"published {summary['owner']}/{summary['name']}:{summary['version']}")
        pipeline = client.publish_pipeline(HERE / "pipeline.yaml")
        ref = f"{pipeline['owner']}/{pipeline['name']}"
        print(f"published pipeline {ref}:{pipeline['version']} ({pipeline['digest'][:19]}...)")
        formulas = ["NaCl", "Fe2O3"]
        served = client.run(ref, formulas)
    local = model.predict(
        np.array(data.featurize.featurize(data.composition.parse(formulas)))
    ).tolist()
    for formula, value in zip(formulas, served, strict=True):
        print(f"  {formula:8s} -> {value:+.3f} {data.UNITS}")
    print(f"  served: {[float(v) for v in served]}")
    same = bool(np.allclose(served, local, rtol=1e-9, atol=1e-12))
    print(f"  equal to the model run here: {same}")
    print(f'now: dlhub run {ref} --inputs \'["NaCl","Fe2O3"]\'')
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
