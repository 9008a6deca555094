"""The registry's fault points (dlhub_registry.faults): test-only SIGKILLs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from dlhub_registry import faults


def _run(code: str, point: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DLHUB_FAULTPOINT": point}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_unset_points_do_nothing() -> None:
    assert os.environ.get("DLHUB_FAULTPOINT") is None
    for point in sorted(faults.POINTS):
        faults.faultpoint(point)  # returns: nothing is armed


def test_the_armed_point_kills_the_process_and_no_other() -> None:
    code = (
        "from dlhub_registry.faults import faultpoint\n"
        "faultpoint('publish.after_upload')\n"
        "print('passed the other point', flush=True)\n"
        "faultpoint('publish.mid_commit')\n"
        "print('not reached')\n"
    )
    result = _run(code, "publish.mid_commit")
    assert result.returncode == -signal.SIGKILL
    assert result.stdout == "passed the other point\n"


def test_an_unknown_point_is_refused_naming_the_known_ones() -> None:
    result = _run("import dlhub_registry.faults", "publish.typo")
    assert result.returncode == 1
    assert "publish.typo" in result.stderr
    assert "publish.after_commit" in result.stderr
