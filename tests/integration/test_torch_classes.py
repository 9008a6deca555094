"""``classes=`` for PyTorch servables: labelled results through the SDK, the CLI
and HTTP (equal to the module in-process), and classes whose number differs
from the output's size refused (InvalidArgument at build, INVALID_ARGUMENT at
publish, nothing stored)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from pathlib import Path

import grpc
import numpy as np
import pytest
import torch

from dlhub_common.errors import InvalidArgument
from dlhub_sdk import DLHubClient
from dlhub_sdk.cli import main as cli_main
from dlhub_sdk.models import TorchServable

from .conftest import Mesh

CLASSES = ["cat", "dog", "fish"]


class Scores(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = torch.nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.linear(x), dim=-1)


def rows(n: int = 5) -> np.ndarray:
    return np.random.default_rng(2).standard_normal((n, 4)).astype(np.float32)


def build(name: str, folder: Path, classes: list[str]) -> TorchServable:
    built = TorchServable(
        Scores(), torch.zeros(2, 4), name, classes=classes, output_dir=folder / name
    )
    built.set_title("Three scores").add_author("Tester, Alice")
    return built


def _cli(argv: list[str]) -> tuple[int, str]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = cli_main(argv)
    return code, buf.getvalue()


def test_wrong_number_of_classes_is_refused_by_the_builder(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="classes lists 2 names but no output has 2"):
        build("two", tmp_path, ["cat", "dog"])


async def test_labelled_results_through_sdk_cli_and_http(mesh: Mesh, tmp_path: Path) -> None:
    built = build("scores", tmp_path, CLASSES)
    assert built.to_dict()["servable"]["classes"] == CLASSES
    x = rows()
    with torch.inference_mode():
        expected = Scores()(torch.from_numpy(x)).numpy()
    with DLHubClient(mesh.grpc_address, mesh.token) as client:
        await asyncio.to_thread(client.publish_servable, built)
        labelled = await asyncio.to_thread(client.run, "alice/scores", x, labelled=True)
        raw = await asyncio.to_thread(client.run, "alice/scores", x)
    np.testing.assert_allclose(raw["output_0"], expected, rtol=1e-5, atol=1e-6)
    assert len(labelled) == len(x)
    for row, probs in zip(labelled, expected, strict=True):
        assert list(row) == [CLASSES[i] for i in np.argsort(-probs, kind="stable")]
        np.testing.assert_allclose(sorted(row.values(), reverse=True), sorted(probs)[::-1])

    resp = await mesh.http.post(
        "/api/v1/servables/alice/scores/run?labelled=true",
        json={"inputs": x[:2].tolist()},
        headers=mesh.headers(),
    )
    assert resp.status_code == 200, resp.text
    for got, want in zip(resp.json()["labelled"], labelled[:2], strict=True):
        assert list(got) == list(want)
        assert got == pytest.approx(want, abs=1e-6)

    argv = ["--address", mesh.grpc_address, "--token", mesh.token]
    code, out = await asyncio.to_thread(
        _cli, ["run", "alice/scores", "--inputs", json.dumps(x[:1].tolist()), "--labelled", *argv]
    )
    assert code == 0, out
    assert json.loads(out.splitlines()[0]) == pytest.approx(labelled[0], abs=1e-6)


async def test_registry_refuses_classes_that_do_not_fit(mesh: Mesh, tmp_path: Path) -> None:
    built = build("wrong-classes", tmp_path, CLASSES)
    doc = built.to_dict()
    doc["servable"]["classes"] = ["cat", "dog"]
    files = {path: src.read_bytes() for path, src in built.files().items()}
    objects_before = mesh.object_files()
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.publish(doc, files)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "classes lists 2 names but no output has 2 values per row" in (
        info.value.details() or ""
    )
    await mesh.assert_nothing_stored("wrong-classes", objects_before)
