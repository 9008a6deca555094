"""The CLI's rough edges a new user met (issue 13, part 4), each against an in-process
mesh: the readable describe, bad and misnamed inputs, where the configuration came
from, publishing over an existing name, and search after deprecating the latest."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

import dlhub_sdk.cli as cli
from dlhub_common.errors import InvalidArgument
from dlhub_sdk.client import DLHubClient

from .conftest import Mesh, TinyModel


@pytest.fixture
def run_cli(mesh: Mesh, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """``dlhub ARGS --address A --token T`` in a thread: (exit status, stdout, stderr)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(mesh.data_dir / "config"))
    monkeypatch.setenv("DLHUB_DATA_DIR", str(mesh.data_dir / "no-client-file"))

    async def run(*argv: str, login: bool = True) -> tuple[int, str, str]:
        conn = ["--address", mesh.grpc_address, "--token", mesh.token] if login else []

        def call() -> int:
            return cli.main([*argv, *conn])

        code = await asyncio.to_thread(call)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def _paper_model(tiny: TinyModel, name: str) -> dict[str, Any]:
    meta = tiny.metadata(name, title="Tiny calibration model")
    meta["datacite"]["creators"] = [{"name": "Ward, Logan"}, {"name": "Chard, Ryan"}]
    return meta


async def test_describe_is_a_readable_summary(mesh: Mesh, tiny: TinyModel, run_cli: Any) -> None:
    await mesh.publish(_paper_model(tiny, "calib"), {"model.onnx": tiny.data})
    await mesh.publish(_paper_model(tiny, "calib"), {"model.onnx": tiny.data})
    code, out, err = await run_cli("describe", "alice/calib")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) < 40  # a summary, not ~130 lines of JSON
    assert lines[0].startswith("Tiny calibration model  alice/calib:2")
    assert "Ward, Logan; Chard, Ryan" in out
    assert "Cite as" in out
    assert "Ward, L." in out  # the formatted citation
    (sig,) = [i for i, line in enumerate(lines) if line == "Signature"]
    assert lines[sig + 1].split() == ["NAME", "TYPE", "SHAPE", "DESCRIPTION"]
    assert any(line.split()[:3] == ["input", "X", "ndarray"] for line in lines[sig:])
    assert "[?, 4]" in out
    assert any(line.split()[:2] == ["output", "Y"] for line in lines[sig:])
    (ver,) = [i for i, line in enumerate(lines) if line == "Versions"]
    assert [line.split()[:2] for line in lines[ver + 3 : ver + 5]] == [
        ["1", "active"],
        ["2", "active"],
    ]
    assert "\x1b[" not in out  # no colour on a pipe
    code, out, _ = await run_cli("describe", "alice/calib", "--json")
    assert json.loads(out)["dlhub"]["version"] == 2  # --json unchanged for scripts


async def test_non_numeric_inputs_are_a_clear_error(
    mesh: Mesh, tiny: TinyModel, run_cli: Any
) -> None:
    await mesh.publish(tiny.metadata("lin"), {"model.onnx": tiny.data})
    code, _, err = await run_cli("run", "alice/lin", "--inputs", '[["a"]]')
    assert code == 1
    assert "Traceback" not in err
    assert "input 'X' must be a float32 array" in err
    assert err.startswith("error: INVALID_ARGUMENT: alice/lin:")

    def sdk() -> None:
        with DLHubClient(mesh.grpc_address, mesh.token) as client:
            client.run("alice/lin", [["a"]])

    with pytest.raises(InvalidArgument, match="input 'X' must be a float32 array"):
        await asyncio.to_thread(sdk)


async def test_a_wrong_input_name_is_unknown_and_lists_the_expected(
    mesh: Mesh, tiny: TinyModel, run_cli: Any
) -> None:
    await mesh.publish(tiny.metadata("lin"), {"model.onnx": tiny.data})
    code, _, err = await run_cli("run", "alice/lin", "--inputs", '{"x": [[1, 2, 3, 4]]}')
    assert code == 1
    assert "unknown input(s) 'x'; expected inputs: 'X'" in err
    assert "FP64" not in err
    # the task manager says so too, to a client that sends the tensor as is
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mesh.run("lin", {"x": np.ones((1, 4))})
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "unknown input 'x'" in (info.value.details() or "")
    assert "X: FP32[?, 4]" in (info.value.details() or "")


async def test_config_show_says_where_each_value_came_from(
    mesh: Mesh, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = await run_cli("config", "show", "--json", login=False)
    values = json.loads(out)["values"]
    assert values["address"]["source"].startswith("the default")
    assert values["token"] == {"value": "(none)", "source": "none"}
    code, _, err = await run_cli("login")  # --token and --address: saved in the config dir
    assert code == 0, err
    code, out, _ = await run_cli("config", "show", "--json", login=False)
    shown = json.loads(out)
    saved = str(mesh.data_dir / "config" / "dlhub" / "login.json")
    assert shown["values"]["address"] == {
        "value": mesh.grpc_address,
        "source": f"saved login ({saved})",
    }
    assert shown["values"]["token"]["value"] == "(set)"
    assert mesh.token not in out
    monkeypatch.setenv("DLHUB_ADDRESS", "127.0.0.1:1")
    code, out, _ = await run_cli("config", "show", login=False)
    assert any(
        line.split()[:3] == ["address", "127.0.0.1:1", "DLHUB_ADDRESS"] for line in out.splitlines()
    )
    # a refused connection says which address and how it was found
    code, _, err = await run_cli("search", "x", login=False)
    assert code == 1
    assert "Traceback" not in err
    assert "no DLHub gateway answered at 127.0.0.1:1 (the address came from DLHUB_ADDRESS)" in err


async def test_publishing_an_existing_name_says_it_makes_the_next_version(
    mesh: Mesh, tiny: TinyModel, run_cli: Any, tmp_path: Path
) -> None:
    model = tmp_path / "digits.onnx"
    model.write_bytes(tiny.data)
    author = ["--author", "Tester, Alice; ANL"]
    code, out, err = await run_cli("publish", str(model), *author)
    assert code == 0, err
    assert "version 1" in out
    assert "exists" not in err
    code, out, err = await run_cli("publish", str(model), *author)
    assert code == 0, err
    assert "alice/digits exists (latest version 1): this publishes version 2" in err
    # files of another kind under the same name: refused without --new-version
    script = tmp_path / "digits.py"
    script.write_text("def predict(x):\n    return x\n")
    code, _, err = await run_cli("publish", str(script), "--function", "predict", *author)
    assert code == 1
    assert "alice/digits exists (latest version 2, a onnx servable) and this is a python" in err
    assert "pass --new-version (or --yes)" in err
    assert [v["version"] for v in await asyncio.to_thread(_versions, mesh, "alice/digits")] == [
        1,
        2,
    ]


def _versions(mesh: Mesh, name: str) -> list[dict[str, Any]]:
    with DLHubClient(mesh.grpc_address, mesh.token) as client:
        return client.list_versions(name)


async def test_deprecating_the_latest_leaves_the_servable_findable(
    mesh: Mesh, tiny: TinyModel, run_cli: Any
) -> None:
    for _ in range(2):
        await mesh.publish(tiny.metadata("calib", title="Calibration"), {"model.onnx": tiny.data})
    await mesh.wait_searchable("calib", version=2)
    code, _, err = await run_cli("deprecate", "alice/calib", "--reason", "v2 drifts")
    assert code == 0, err
    for _ in range(200):  # the search service applies the UPDATED event
        code, out, _ = await run_cli("search", "calibration", "--json")
        hits = json.loads(out)["hits"]
        if hits and hits[0]["version"] == 1:
            break
        await asyncio.sleep(0.02)
    assert [(h["name"], h["version"], h["state"]) for h in hits] == [("calib", 1, "active")]
    code, out, _ = await run_cli("search", "calibration", "--include-deprecated", "--json")
    assert sorted(h["version"] for h in json.loads(out)["hits"]) == [1, 2]
