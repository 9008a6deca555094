"""The Python interpreter TensorFlow runs in for the SDK: reading, converting
and checking SavedModels (``_tf_convert.py``) happens in a child process of
it, never in the caller's process.

TensorFlow is kept out of the caller's environment on purpose. TensorFlow
and PyTorch each bundle LLVM, and one process holding both aborts
(``LLVM ERROR: inconsistency in registered CommandLine options``); and Keras 3
imports TensorFlow lazily whenever it is installed, even on the torch
backend, which made every Keras model slow to load. So the SDK builds its own
environment for it once, with uv, and reuses it:

1. ``DLHUB_TF_PYTHON``: an interpreter that has ``tensorflow``, ``tf2onnx``
   and ``onnxruntime``, used as is;
2. else this interpreter, when it has all three (``dlhub-sdk[tensorflow]``
   installed into a torch-free environment);
3. else a virtual environment built with uv under ``DLHUB_TF_ENV_DIR``
   (default: the user cache directory, ``~/.cache/dlhub/tensorflow-env``),
   one per Python version and requirement set, built under a file lock so
   that concurrent builders wait for one build, and marked ready only once
   complete (an interrupted build is started again).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from dlhub_common.errors import FailedPrecondition
from dlhub_common.uvtool import uv_command, uv_env

log = logging.getLogger(__name__)

# What the conversion environment installs: TensorFlow (CPU build), the
# converter and the runtime the conversion is checked with.
REQUIREMENTS = ("tensorflow-cpu>=2.21,<3", "tf2onnx>=1.17", "onnxruntime>=1.18")
MODULES = ("tensorflow", "tf2onnx", "onnxruntime")
BUILD_TIMEOUT_S = 1800.0
READY = "dlhub-ready"


def env_root() -> Path:
    explicit = os.environ.get("DLHUB_TF_ENV_DIR")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_cache_dir("dlhub", appauthor=False)) / "tensorflow-env"


def _key() -> str:
    text = "\n".join((f"{sys.version_info[0]}.{sys.version_info[1]}", *REQUIREMENTS))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _python_in(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _uv(args: list[str], what: str) -> None:
    try:
        done = subprocess.run(
            [*uv_command(), *args],
            env=uv_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise FailedPrecondition(
            f"building the TensorFlow environment: {what} took longer than {BUILD_TIMEOUT_S:.0f} s"
        ) from None
    if done.returncode != 0:
        raise FailedPrecondition(
            f"building the TensorFlow environment: {what} failed: {done.stderr.strip()[-1500:]}"
        )


def _build(venv: Path) -> None:
    if venv.exists():  # an earlier build that did not finish
        shutil.rmtree(venv)
    log.warning("building the TensorFlow environment for SavedModels in %s (once)", venv)
    _uv(["venv", "--no-project", "--no-config", "--python", sys.executable, str(venv)], "uv venv")
    python = str(_python_in(venv))
    _uv(["pip", "install", "--no-config", "--python", python, *REQUIREMENTS], "uv pip install")
    (venv / READY).write_text("\n".join(REQUIREMENTS) + "\n")


def tensorflow_python() -> str:
    """The interpreter to run TensorFlow children with (building it once if needed).

    Raises:
        FailedPrecondition: uv is missing, or the environment cannot be built.
    """
    explicit = os.environ.get("DLHUB_TF_PYTHON")
    if explicit:
        return explicit
    if all(importlib.util.find_spec(m) is not None for m in MODULES):
        return sys.executable
    from filelock import FileLock

    root = env_root()
    root.mkdir(parents=True, exist_ok=True)
    venv = root / _key()
    if not (venv / READY).is_file():
        with FileLock(str(root / f"{_key()}.lock")):
            if not (venv / READY).is_file():
                _build(venv)
    return str(_python_in(venv))


def child_env() -> dict[str, str]:
    """The environment of a TensorFlow child: nothing of the caller's virtual
    environment (uv_env drops VIRTUAL_ENV, PYTHONPATH and the like), Keras on
    TensorFlow (the caller may have chosen torch), and TensorFlow's C++ logging quiet."""
    env = uv_env()
    env["KERAS_BACKEND"] = "tensorflow"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def main() -> int:
    """Build the environment now and print its interpreter (``make test`` does, before
    the tests: ``python -c "from dlhub_sdk.models._tf_env import main; main()"``)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.monotonic()
    python = tensorflow_python()
    print(f"tensorflow environment: {python} (ready in {time.monotonic() - started:.1f}s)")
    return 0
