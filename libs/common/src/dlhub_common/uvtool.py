"""Driving the ``uv`` tool: resolving (registry) and building (executor) the
Python environments of python servables.

``uv`` is found on ``PATH`` (``shutil.which("uv")``), else as the ``uv`` pip
package of the running interpreter (``python -m uv``). Commands run with a
clean environment: no ``VIRTUAL_ENV`` or ``UV_PROJECT*`` of the calling
process leaks into them, and uv never downloads an interpreter (a servable's
Python version must be one this machine has).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dlhub_common.errors import FailedPrecondition

_DROP = ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT")


def uv_command() -> list[str]:
    """The argv prefix that runs uv.

    Raises:
        FailedPrecondition: uv is neither on PATH nor importable.
    """
    found = shutil.which("uv")
    if found:
        return [found]
    if importlib.util.find_spec("uv") is not None:
        return [sys.executable, "-m", "uv"]
    raise FailedPrecondition("python servables need the 'uv' tool on this machine (pip install uv)")


def uv_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROP}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["UV_NO_PROGRESS"] = "1"
    env.pop("UV_PYTHON", None)
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True)
class UvResult:
    returncode: int
    stdout: str
    stderr: str


async def run_uv(
    args: list[str], *, cwd: Path, timeout_s: float = 300.0, env: Mapping[str, str] | None = None
) -> UvResult:
    """Run ``uv <args>`` in ``cwd``; returns its exit status and output.

    Raises:
        FailedPrecondition: uv is missing, or it ran longer than ``timeout_s``.
    """
    proc = await asyncio.create_subprocess_exec(
        *uv_command(),
        *args,
        cwd=str(cwd),
        env=uv_env(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    except (TimeoutError, asyncio.CancelledError):
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise FailedPrecondition(f"uv {args[0]} took longer than {timeout_s:.0f} s") from None
    return UvResult(
        proc.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")
    )


async def find_python(version: str, *, cwd: Path) -> str | None:
    """The interpreter uv would use for ``version`` on this machine, or None."""
    res = await run_uv(
        ["python", "find", "--no-project", "--no-config", version], cwd=cwd, timeout_s=60
    )
    path = res.stdout.strip().splitlines()[-1] if res.stdout.strip() else ""
    return path if res.returncode == 0 and path else None


def requirements_text(dependencies: Mapping[str, str]) -> str:
    """``{"numpy": "2.1.0"}`` -> ``numpy==2.1.0`` lines (a pin that starts with an
    operator, like ``>=2``, is kept as is)."""
    lines = []
    for package, pin in sorted(dependencies.items()):
        pin = pin.strip()
        if pin in ("", "*"):
            lines.append(package)
        elif pin[0] in "<>=!~":
            lines.append(f"{package}{pin}")
        else:
            lines.append(f"{package}=={pin}")
    return "\n".join(lines) + ("\n" if lines else "")
