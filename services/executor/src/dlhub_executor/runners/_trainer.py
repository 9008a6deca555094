"""Runs one training function inside the servable's own environment.

Standard library only (the servable's venv has nothing of DLHub). Started by
``dlhub_executor.training`` as ``<venv>/bin/python -I _trainer.py``; reads one
JSON object on stdin::

    {"previous_dir", "module", "function", "data_dir", "out_dir", "result",
     "cpu_time_s", "memory_bytes"}

sets its own CPU-time and address-space limits (``resource.setrlimit``, before
any of the servable's code is imported), imports ``module`` from
``previous_dir`` (the working directory and head of ``sys.path``), calls
``function(data_dir, previous_dir)`` and copies what it returned (a directory:
every file under it; or a list of file paths) into ``out_dir``. It writes
``{"ok": true, "files": [relative paths]}`` or ``{"ok": false, "error":
{"type", "message", "traceback"}}`` to ``result``. The function's prints go
to stderr (the training log).
"""

import importlib.util
import json
import os
import resource
import shutil
import sys
import traceback


class TrainResultError(Exception):
    """The function returned something other than files."""


def _limit(cpu_time_s, memory_bytes):
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_time_s, cpu_time_s + 5))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def _import(previous_dir, module_path):
    path = os.path.join(previous_dir, *module_path.split("/"))
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {module_path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _relative(path, roots):
    real = os.path.realpath(path)
    for root in roots:
        root = os.path.realpath(root)
        if real.startswith(root + os.sep):
            return os.path.relpath(real, root)
    return os.path.basename(real)


def _collect(returned, previous_dir, data_dir):
    """{relative path: source path} of what the function returned."""
    if isinstance(returned, (str, os.PathLike)) and os.path.isdir(returned):
        root = os.fspath(returned)
        files = {}
        for folder, _dirs, names in os.walk(root):
            for name in names:
                full = os.path.join(folder, name)
                files[os.path.relpath(full, root)] = full
        return files
    if isinstance(returned, (list, tuple)) and all(
        isinstance(p, (str, os.PathLike)) for p in returned
    ):
        files = {}
        for p in returned:
            if not os.path.isfile(p):
                raise TrainResultError(f"train returned {os.fspath(p)!r}, which is not a file")
            files[_relative(p, [previous_dir, data_dir])] = os.fspath(p)
        return files
    raise TrainResultError(
        f"train must return a directory or a list of file paths, got {type(returned).__name__}"
    )


def main():
    request = json.loads(sys.stdin.read())
    os.dup2(2, 1)  # the function's prints go to the training log
    sys.stdout = sys.stderr
    result = request["result"]
    try:
        _limit(int(request["cpu_time_s"]), int(request["memory_bytes"]))
        previous_dir = request["previous_dir"]
        os.chdir(previous_dir)
        sys.path.insert(0, previous_dir)
        module = _import(previous_dir, request["module"])
        func = getattr(module, request["function"], None)
        if not callable(func):
            raise AttributeError(f"{request['module']} has no function {request['function']!r}")
        returned = func(request["data_dir"], previous_dir)
        files = _collect(returned, previous_dir, request["data_dir"])
        if not files:
            raise TrainResultError("train returned no files")
        out = request["out_dir"]
        for rel, source in files.items():
            target = os.path.join(out, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(source, target)
        reply = {"ok": True, "files": sorted(files)}
    except BaseException as exc:  # reported to the job
        reply = {
            "ok": False,
            "error": {
                "type": type(exc).__name__,
                "message": str(exc)[:2000],
                "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[
                    -20000:
                ],
            },
        }
    with open(result, "w") as f:
        json.dump(reply, f)
    return 0 if reply["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
