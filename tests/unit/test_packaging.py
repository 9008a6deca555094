"""The client SDK installs with nothing of the server: its wheel declares no service,
its code imports none, and ``dlhub up``/``serve`` without dlhub-server say how to get it."""

from __future__ import annotations

import ast
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import dlhub_sdk.cli.usage as usage
from dlhub_sdk.cli import main

ROOT = Path(__file__).resolve().parents[2]
SERVER_SIDE = {
    "dlhub-registry",
    "dlhub-search",
    "dlhub-taskmanager",
    "dlhub-executor",
    "dlhub-gateway",
    "dlhub-server",
}


def test_the_sdk_wheel_declares_no_service(tmp_path: Path) -> None:
    uv = shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    subprocess.run(
        [uv, "build", "--package", "dlhub-sdk", "--wheel", "--out-dir", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = tmp_path.glob("dlhub_sdk-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(meta).decode()
        files = zf.namelist()
    requires = {
        line.split(":", 1)[1].strip().split(";")[0].split("[")[0].split(">")[0].strip()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:")
    }
    assert "dlhub-common" in requires
    assert not requires & SERVER_SIDE, requires & SERVER_SIDE
    assert not [f for f in files if f.endswith(("mesh.py", "replicas.py"))]


def test_the_sdk_imports_nothing_of_the_server() -> None:
    banned = {name.replace("-", "_") for name in SERVER_SIDE}
    found = []
    for path in (ROOT / "libs/sdk/src/dlhub_sdk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = [node.value] if node.value.split(".")[0] in banned else []
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in banned]
    assert not found


def test_up_and_serve_without_the_server_say_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(usage.metadata, "entry_points", lambda group: [])
    for argv in (["up"], ["serve", "registry", "--data-dir", "x"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert f"`dlhub {argv[0]}` runs DLHub's services" in err
        assert "pip install dlhub-server" in err


def test_with_the_server_installed_up_and_serve_come_from_its_entry_point() -> None:
    (entry,) = [e for e in usage.metadata.entry_points(group="dlhub.cli") if e.name == "server"]
    assert entry.value == "dlhub_server.cli:add_commands"
    from dlhub_sdk.cli import build_parser

    args = build_parser().parse_args(["serve", "registry"])
    assert args.func.__module__ == "dlhub_server.cli"
