"""The seed's example against a real ``dlhub up``: examples/keras_mnist/mnist.py.

The example trains its Keras CNN, publishes it with the original markup calls
and runs it labelled; then the published version is run through tritonclient
(HTTP and gRPC, outputs equal to the saved model in this process), described
in the original layout through the CLI, and cited in every format through the
CLI and HTTP (the BibTeX parsed back by bibtexparser).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bibtexparser
import httpx
import numpy as np
import pytest

from dlhub_common.keras_runtime import load_keras_model
from tests.integration.test_keras_servables import _example, check_seed_layout

from ._support import CLI_TIMEOUT_S, USERNAME, Mesh, clean_env
from .conftest import start_dlhub_up

pytestmark = pytest.mark.e2e
NAME = f"{USERNAME}/mnist_tiny_example"

TRITON = """
import json, sys
import numpy as np
mode, url, model, path = sys.argv[1:]
x = np.load(path)
if mode == "http":
    import tritonclient.http as c
else:
    import tritonclient.grpc as c
client = c.InferenceServerClient(url)
inp = c.InferInput("image", list(x.shape), "FP32")
inp.set_data_from_numpy(x)
result = client.infer(model, [inp])
meta = client.get_model_metadata(model) if mode == "http" else client.get_model_metadata(
    model, as_json=True)
print(json.dumps({"probabilities": result.as_numpy("probabilities").tolist(),
                  "platform": meta["platform"]}))
"""


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mesh]:
    process, mesh = start_dlhub_up(tmp_path_factory.mktemp("keras-up"))
    yield mesh
    process.stop_cleanly()


def dlhub(mesh: Mesh, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "dlhub_sdk.cli", *args, "--address", mesh.address],
        env=clean_env(DLHUB_TOKEN=mesh.token),
        cwd=mesh.workdir,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_example_publishes_runs_labelled_and_cites(
    up: Mesh, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example: Any = _example()
    monkeypatch.setattr(example, "OUT", tmp_path)
    monkeypatch.setenv("DLHUB_ADDRESS", up.address)
    monkeypatch.setenv("DLHUB_TOKEN", up.token)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert example.main() == 0
    printed = out.getvalue()
    assert f"published {NAME} version 1" in printed
    accuracy = float(printed.split("held-out accuracy ")[1].split()[0])
    assert accuracy > 0.8, printed  # a real classifier, not noise
    assert "labelled:" in printed
    assert '"shim": "keras.KerasServable"' in printed

    # tritonclient, HTTP and gRPC: the saved model's answers
    x, _ = example.images()
    x = x[:6]
    expected = load_keras_model(example_keras(), tmp_path / "model.hd5").predict_on_batch(x)
    np.save(tmp_path / "x.npy", x)
    model = NAME.replace("/", ".")
    urls = {"http": up.http.removeprefix("http://"), "grpc": up.address}
    for mode, url in urls.items():
        proc = subprocess.run(
            [sys.executable, "-c", TRITON, mode, url, model, str(tmp_path / "x.npy")],
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        got = json.loads(proc.stdout)
        np.testing.assert_allclose(got["probabilities"], expected, rtol=1e-5, atol=1e-6)
        assert got["platform"] == "keras_torch"

    # the CLI: labelled run, describe in the original layout, citations
    rows = [
        json.loads(line)
        for line in dlhub(up, "run", NAME, "--inputs", json.dumps(x[:2].tolist()), "--labelled")
        .strip()
        .splitlines()
    ]
    assert [max(r, key=r.get) for r in rows] == [str(i) for i in expected[:2].argmax(axis=1)]
    layout = json.loads(dlhub(up, "describe", NAME, "--original", "--json"))
    check_seed_layout(layout, "mnist_tiny_example", owner=USERNAME)
    bibtex = dlhub(up, "cite", NAME, "--format", "bibtex")
    [entry] = bibtexparser.parse_string(bibtex).entries
    fields = {f.key: f.value for f in entry.fields}
    assert fields["author"] == "Lecunn, Yann and Cortes, Corinna"
    assert fields["title"] == "{MNIST Digit Classifier}"
    assert fields["note"] == f"dlhub:{NAME}:1"
    # HTTP: the same citations (one code path, dlhub_common.citations); a bad format is a 400
    with httpx.Client(base_url=up.http, headers=up.auth_headers, timeout=30) as http:

        def cite(fmt: str) -> httpx.Response:
            return http.get(f"/api/v1/servables/{NAME}/cite", params={"format": fmt})

        resp = cite("bibtex")
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("application/x-bibtex")
        assert resp.text == bibtex
        text = cite("text").text
        assert text.startswith("Lecunn, Y., & Cortes, C. ("), text
        assert "MNIST Digit Classifier (Version 1). DLHub." in text
        assert cite("ris").text.startswith("TY  - COMP\nAU  - Lecunn, Yann")
        assert "<creatorName" in cite("datacite-xml").text
        record = cite("datacite-json").json()
        assert record["types"]["resourceTypeGeneral"] == "InteractiveResource"
        bad = cite("word")
        assert bad.status_code == 400
        assert "unknown citation format 'word'" in bad.text


def example_keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    return keras
