"""examples/benchmarks/digits.py against a ``dlhub up`` of its own: the digits
benchmark, its competitors, ``--all`` and the leaderboard, with each score
checked against scikit-learn's accuracy on the predictions a plain run returns.

A mesh of its own: ``--all`` scores every servable that fits, and the shared
session mesh holds other tests' digits models.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import accuracy_score

from dlhub_sdk import DLHubClient

from ._support import USERNAME, Mesh, clean_env
from .conftest import start_dlhub_up

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "benchmarks" / "digits.py"
BENCH = f"{USERNAME}/digits-heldout"


@pytest.fixture(scope="module")
def own_mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mesh]:
    process, mesh = start_dlhub_up(tmp_path_factory.mktemp("bench-mesh"))
    yield mesh
    process.stop_cleanly()


@pytest.mark.timeout(300)
def test_digits_benchmark_example(own_mesh: Mesh) -> None:
    env = clean_env(
        DLHUB_ADDRESS=own_mesh.address, DLHUB_TOKEN=own_mesh.token, DIGITS_CNN_EPOCHS="1"
    )
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=env,
        cwd=own_mesh.workdir,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert f"published benchmark {BENCH} version 1 (450 held-out digits, accuracy)" in out
    assert (
        f"skipped {USERNAME}/digits-cnn-image:1: input 'image' has shape [-1, 1, 8, 8],"
        " the benchmark sends [-1, 64]"
    ) in out

    with DLHubClient(own_mesh.address, own_mesh.token) as client:
        board = client.leaderboard(BENCH)
        described = client.describe_servable(BENCH)
        assert described["servable"]["benchmark"]["metric"] == "accuracy"
        entries = board["entries"]
        names = [e["servable"] for e in entries]
        assert sorted(names) == sorted(
            f"{USERNAME}/{n}:1" for n in ("digits-logreg", "digits-forest", "digits-cnn-flat")
        )
        values = [e["value"] for e in entries]
        assert values == sorted(values, reverse=True)
        assert [e["rank"] for e in entries] == [1, 2, 3]
        # each score is scikit-learn's accuracy of what the served model answers
        x_test, y_test = _heldout()
        for entry in entries:
            labels = client.run(entry["servable"], {"X": x_test})["label"]
            assert entry["value"] == pytest.approx(accuracy_score(y_test, labels), abs=1e-12)
            assert entry["examples"] == len(y_test)
        assert min(values) > 0.3  # trained classifiers, not chance (0.1; one CNN epoch here)
        # run again: every pair is stored, nothing is scored twice
        again = client.score_benchmark(BENCH, all=True)
        assert {o["servable"] for o in again["outcomes"]} == set(names)
        assert all(o["already_scored"] for o in again["outcomes"])
    # the printed leaderboard is the same ranking
    printed = out.split(f"$ dlhub benchmark leaderboard {BENCH}")[1].splitlines()
    ranked = [line.split()[1] for line in printed if line.strip()[:1].isdigit()]
    assert ranked == [n.rsplit(":", 1)[0] for n in names]


def _heldout() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    _, x_test, _, y_test = train_test_split(x, digits.target, test_size=0.25, random_state=0)
    return x_test, y_test
