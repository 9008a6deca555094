"""The executor-servable interface (protocol 1) and python-servable metadata,
without a mesh: the worker runs on this interpreter (it is stdlib-only)."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlhub_common.errors import DeadlineExceeded, InvalidArgument, ServableError
from dlhub_common.metadata import validate_metadata
from dlhub_common.uvtool import requirements_text
from dlhub_executor.runners.python import WORKER_SCRIPT, PythonModel
from dlhub_registry.python_servables import check_module_source
from dlhub_sdk.models.python import PythonStaticMethodServable, parse_requirement

MODULE = """
import os, time

def f(x):
    print("noise on stdout must not break the frames")
    if x == "boom":
        raise KeyError("inner")
    if x == "sleep":
        time.sleep(100)
    if x == "pid":
        return os.getpid()
    if x == "bad":
        return object()
    return [x, x]
"""


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    (tmp_path / "mod.py").write_text(MODULE)
    return tmp_path


def test_calls_exceptions_and_timeouts(bundle: Path) -> None:
    model = PythonModel(Path(sys.executable), bundle, "mod.py", "f", call_timeout_s=1.0)
    try:
        assert json.loads(model.run_json('"a"')) == ["a", "a"]
        with pytest.raises(ServableError) as info:
            model.run_json('"boom"')
        assert info.value.details["exception"] == "KeyError"
        assert "KeyError: 'inner'" in info.value.details["traceback"]
        with pytest.raises(ServableError, match="not JSON"):
            model.run_json('"bad"')
        pid = json.loads(model.run_json('"pid"'))  # the worker survived
        t0 = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            model.run_json('"sleep"')
        assert time.monotonic() - t0 < 5
        assert json.loads(model.run_json('"pid"')) != pid  # a fresh worker
    finally:
        model.close()


def test_import_errors_fail_the_load(bundle: Path) -> None:
    (bundle / "broken.py").write_text("raise RuntimeError('at import')\n")
    with pytest.raises(ServableError, match="RuntimeError: at import"):
        PythonModel(Path(sys.executable), bundle, "broken.py", "f", call_timeout_s=1.0)


def test_the_worker_refuses_another_protocol_version(bundle: Path) -> None:
    body = json.dumps({"v": 2, "op": "load"}).encode()
    out = subprocess.run(
        [sys.executable, "-I", str(WORKER_SCRIPT)],
        input=struct.pack(">I", len(body)) + body,
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert out.returncode == 2
    reply = json.loads(out.stdout[4:])
    assert reply["ok"] is False
    assert reply["error"]["type"] == "ProtocolError"


def test_module_checks() -> None:
    check_module_source("def predict(x):\n    return x\n", "m.py", "predict")
    with pytest.raises(InvalidArgument, match="no top-level function 'predict'"):
        check_module_source("class A:\n    def predict(self): ...\n", "m.py", "predict")
    with pytest.raises(InvalidArgument, match="does not parse"):
        check_module_source("def predict(:\n", "m.py", "predict")


def test_python_metadata(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text('"""Doubles."""\n\ndef double(x):\n    return 2 * x\n')
    model = PythonStaticMethodServable.from_function(
        tmp_path / "m.py",
        "double",
        input_type="number",
        output_type="number",
        requirements=["numpy==2.1.0", "scipy>=1.13  # comment", ""],
        python="3.11",
    )
    model.set_title("double").add_author("A, B")
    doc = model.to_dict()
    assert doc["servable"]["dependencies"] == {"numpy": "2.1.0", "scipy": ">=1.13"}
    assert doc["servable"]["methods"]["run"]["method_details"] == {
        "module": "m.py",
        "function": "double",
        "interface_version": 1,
    }
    assert requirements_text(doc["servable"]["dependencies"]) == "numpy==2.1.0\nscipy>=1.13\n"
    del doc["servable"]["python"]
    doc["servable"]["methods"]["run"]["method_details"]["interface_version"] = 7
    with pytest.raises(InvalidArgument) as info:
        validate_metadata(doc)
    assert "interface_version 7 is not supported" in info.value.message
    assert "python must name the Python version" in info.value.message
    assert parse_requirement("# only a comment") is None
    with pytest.raises(InvalidArgument):
        parse_requirement("-e git+https://example.org/x")
