"""examples/formation_enthalpy against a running mesh, as its README says:
``uv run python examples/formation_enthalpy/publish.py``, then ``dlhub run
<you>/formation_enthalpy --inputs '["NaCl","Fe2O3"]'`` prints one value per
composition, equal to the example's model run in this process on the same
(SYNTHETIC, seeded) training data; and ``dlhub pipeline describe`` lists the
three steps."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error

from tests.e2e._support import REPO, USERNAME, CliResult, Mesh, clean_env

EXAMPLE = REPO / "examples" / "formation_enthalpy"
FORMULAS = ["NaCl", "Fe2O3"]
# The embedded mesh only: the run path of a pipeline is the same code in both
# modes (its recovery in distributed mode: tests/integration/test_pipelines_restart.py),
# and the example's environments (scikit-learn) cost ~45 s per mesh.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def example_modules() -> dict[str, Any]:
    """The example's ``data`` and ``publish`` modules, imported without leaving
    their generic names in ``sys.modules`` (other examples have a ``publish``)."""
    names = ("data", "publish")
    saved = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    sys.path.insert(0, str(EXAMPLE))
    try:
        return {n: importlib.import_module(n) for n in names}
    finally:
        sys.path.remove(str(EXAMPLE))
        for n in names:
            sys.modules.pop(n, None)
        sys.modules.update(saved)


def run_example(mesh: Mesh, script: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE / script)],
        cwd=mesh.workdir,
        env=clean_env(DLHUB_ADDRESS=mesh.address, DLHUB_TOKEN=mesh.token),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


@pytest.mark.parametrize("mesh", ["embedded"], indirect=True)
def test_the_example_publishes_three_servables_and_a_pipeline_that_runs(
    mesh: Mesh, cli: Any
) -> None:
    """publish.py checks the served values against its own model run in-process
    (on the same seeded SYNTHETIC training data) and prints them; the CLI's equal them."""
    proc = run_example(mesh, "publish.py")
    assert "SYNTHETIC" in proc.stdout
    assert "equal to the model run here: True" in proc.stdout
    ref = f"{USERNAME}/formation_enthalpy"
    result: CliResult = cli("run", ref, "--inputs", '["NaCl","Fe2O3"]')
    values = result.json()
    assert len(values) == len(FORMULAS)  # one value per composition
    served = next(ln for ln in proc.stdout.splitlines() if ln.strip().startswith("served:"))
    np.testing.assert_allclose(values, ast.literal_eval(served.split(":", 1)[1].strip()))
    described = cli("pipeline", "describe", ref).json()
    assert [s["name"] for s in described["steps"]] == ["parse", "featurize", "predict"]
    assert described["runnable"] is True
    assert "SYNTHETIC" in described["datacite"]["titles"][0]["title"]

    # The example's regression benchmark: both pipelines scored by MAE, the
    # gradient-boosting one ahead of the linear baseline, and its score equal
    # to scikit-learn's MAE of the same model run here on the held-out part.
    proc = run_example(mesh, "benchmark.py")
    board = cli("benchmark", "leaderboard", f"{USERNAME}/formation_enthalpy_heldout").json()
    assert board["metric"] == "mae"
    assert [e["servable"].split(":")[0] for e in board["entries"]] == [
        f"{USERNAME}/formation_enthalpy",
        f"{USERNAME}/formation_enthalpy_linear",
    ]
    assert board["entries"][0]["value"] < board["entries"][1]["value"]
    example = example_modules()
    model, _ = example["publish"].train()
    _, features, targets = example["data"].held_out()
    expected = mean_absolute_error(targets, model.predict(features))
    assert board["entries"][0]["value"] == pytest.approx(expected, rel=1e-9)
