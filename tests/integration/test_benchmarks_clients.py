"""Benchmarks through the SDK, the CLI and HTTP/JSON against the in-process mesh."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error

from dlhub_common import benchmark_data
from dlhub_common.errors import InvalidArgument
from dlhub_sdk._benchmarks import Benchmark
from dlhub_sdk.cli import main as cli_main
from dlhub_sdk.client import DLHubClient

from .conftest import Mesh, TinyModel

X = np.random.default_rng(5).standard_normal((30, 4)).astype(np.float32)


async def test_sdk_and_cli(
    mesh: Mesh,
    tiny: TinyModel,
    tiny_v2: TinyModel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    truth = tiny.expected(X) + 0.1
    await mesh.publish(tiny.metadata("near", title="Near model"), {"model.onnx": tiny.data})
    await mesh.publish(tiny_v2.metadata("far", title="Far model"), {"model.onnx": tiny_v2.data})

    def use_sdk() -> tuple[dict, dict]:
        with DLHubClient(mesh.grpc_address, mesh.token) as client:
            like = client.describe_servable("alice/near")
            bad = Benchmark.from_arrays(
                "b", {"X": X[:, :2]}, truth, metric="mae", output="Y", like=like
            )
            bad.set_title("bad").add_author("Bench, Betty")
            with pytest.raises(InvalidArgument, match="input 'X' has shape \\[30, 2\\]"):
                client.publish_benchmark(bad)  # checked before anything is sent
            bench = Benchmark.from_arrays(
                "sdk-mae", {"X": X}, truth, metric="mae", output="Y", like=like, batch_size=8
            )
            bench.set_title("SDK benchmark").add_author("Bench, Betty")
            client.publish_benchmark(bench)
            result = client.score_benchmark("alice/sdk-mae", all=True)
            return result, client.leaderboard("alice/sdk-mae")

    result, board = await asyncio.to_thread(use_sdk)
    scored = {o["servable"]: o["score"]["value"] for o in result["outcomes"]}
    assert scored["alice/near:1"] == pytest.approx(
        mean_absolute_error(truth, tiny.expected(X)), rel=1e-5
    )
    assert [e["servable"] for e in board["entries"]] == ["alice/near:1", "alice/far:1"]
    assert board["entries"][0]["title"] == "Near model"
    assert board["entries"][0]["authors"] == ["Tester, Alice"]

    # the CLI: publish from a folder on a servable's signature, run, leaderboard
    data = tmp_path / "data"
    benchmark_data.write_tensor(data, {"X": X}, truth)
    common = ["--address", mesh.grpc_address, "--token", mesh.token]

    def cli(*argv: str) -> tuple[int, str]:
        code = cli_main(list(argv))
        return code, capsys.readouterr().out

    code, out = await asyncio.to_thread(
        cli,
        "benchmark",
        "publish",
        str(data),
        "--name",
        "cli-rmse",
        "--metric",
        "rmse",
        "--output",
        "Y",
        "--like",
        "alice/near",
        "--author",
        "Doe, Jane",
        *common,
    )
    assert code == 0, out
    assert "published benchmark alice/cli-rmse version 1" in out
    code, out = await asyncio.to_thread(
        cli, "benchmark", "run", "alice/cli-rmse", "--servable", "alice/far", *common
    )
    assert code == 0
    assert "alice/far:1" in out
    assert "scored now" in out
    code, out = await asyncio.to_thread(
        cli, "benchmark", "run", "alice/cli-rmse", "--servable", "alice/far", *common
    )
    assert "stored score (scored before)" in out
    code, out = await asyncio.to_thread(cli, "benchmark", "leaderboard", "alice/cli-rmse", *common)
    lines = out.splitlines()
    assert "rmse, lower is better" in lines[0]
    assert lines[1].split()[:2] == ["RANK", "SERVABLE"]
    assert lines[2].split()[:3] == ["1", "alice/far", "1"]


async def test_http(mesh: Mesh, tiny: TinyModel) -> None:
    truth = tiny.expected(X)
    await mesh.publish(tiny.metadata("tiny"), {"model.onnx": tiny.data})
    bench = Benchmark.from_arrays(
        "h", {"X": X}, truth, metric="r2", output="Y", like=tiny.metadata("tiny")
    )
    bench.set_title("HTTP benchmark").add_author("Bench, Betty")
    files = {p: src.read_bytes() for p, src in bench.files().items()}
    resp = await mesh.publish_http(bench.to_dict(), files)
    assert resp.status_code == 201, resp.text

    resp = await mesh.http.post(
        "/api/v1/benchmarks/alice/h/scores",
        json={"servable": "alice/tiny"},
        headers=mesh.headers(),
    )
    assert resp.status_code == 200, resp.text
    (outcome,) = resp.json()["outcomes"]
    assert outcome["score"]["value"] == pytest.approx(1.0)
    assert outcome["already_scored"] is False

    board = await mesh.http.get("/api/v1/benchmarks/alice/h/leaderboard")  # anonymous
    assert board.status_code == 200
    assert [e["servable"] for e in board.json()["entries"]] == ["alice/tiny:1"]
    assert board.json()["entries"][0]["rank"] == 1

    for body, status, words in (
        ({"servable": "alice/tiny"}, 401, "needs a token"),
        ({"servable": "alice/tiny", "all": True}, 400, "not both"),
        ({"servable": "alice/nope"}, 404, "nope"),
        ({"servable": 3}, 400, "servable"),
    ):
        headers = {} if status == 401 else mesh.headers()
        resp = await mesh.http.post("/api/v1/benchmarks/alice/h/scores", json=body, headers=headers)
        assert resp.status_code == status, resp.text
        assert words in resp.text
    missing = await mesh.http.get("/api/v1/benchmarks/alice/none/leaderboard")
    assert missing.status_code == 404
