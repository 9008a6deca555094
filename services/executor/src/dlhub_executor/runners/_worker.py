"""The python-servable worker: runs inside the servable's own environment.

Standard library only (the servable's venv has nothing of DLHub). Started by
``dlhub_executor.runners.python`` as ``<venv>/bin/python -I _worker.py``; it
speaks the executor-servable interface, protocol version 1, over its stdin
and stdout:

* every message is a frame: a 4-byte big-endian length, then that many bytes
  of UTF-8 JSON;
* the executor sends ``{"v": 1, "op": "load", "bundle": dir, "module":
  "glass.py", "function": "predict"}``; the worker imports the module from the
  bundle directory (which becomes the working directory and the head of
  ``sys.path``) and answers ``{"v": 1, "ok": true, "protocol": 1, "python":
  "3.11.7", "pid": n}`` or ``{"v": 1, "ok": false, "error": {...}}``;
* a native scikit-learn servable is loaded with ``{"v": 1, "op": "load",
  "bundle": dir, "loader": "sklearn", "model": "model.joblib", "method":
  "predict"}`` instead: the built-in loader (``_sklearn_loader.py``, next to
  this file) unpickles the model here, in this worker only, and each call
  passes the input rows to that method;
* then, one at a time, ``{"v": 1, "op": "call", "id": n, "input": value}`` ->
  ``{"v": 1, "id": n, "ok": true, "output": value}``, or ``"ok": false`` with
  ``"error": {"type", "message", "traceback"}`` when the function raised (the
  worker stays up for the next call);
* ``{"v": 1, "op": "shutdown"}`` or end of input ends the worker.

The function's own prints go to stderr: stdout carries frames only.
"""

import importlib.util
import json
import os
import struct
import sys
import traceback

PROTOCOL = 1
_HEADER = struct.Struct(">I")


def _read_exact(stream, n):
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame(stream):
    header = _read_exact(stream, _HEADER.size)
    if header is None:
        return None
    body = _read_exact(stream, _HEADER.unpack(header)[0])
    if body is None:
        return None
    return json.loads(body.decode("utf-8"))


def _jsonable(value):
    # numpy arrays and scalars, sets, tuples: to plain JSON values
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"the result contains a {type(value).__name__}, which is not JSON")


def write_frame(stream, message):
    body = json.dumps(message, default=_jsonable, allow_nan=False).encode("utf-8")
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def _error(exc):
    return {
        "type": type(exc).__name__,
        "message": str(exc)[:2000],
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[
            -20000:
        ],
    }


def _protocol_error(out, message):
    write_frame(
        out,
        {
            "v": PROTOCOL,
            "ok": False,
            "error": {"type": "ProtocolError", "message": message, "traceback": ""},
        },
    )


def _load_sklearn(request):
    # the built-in loader of native scikit-learn servables, shipped next to
    # this file; it imports joblib here, in the servable's own environment
    bundle = request["bundle"]
    os.chdir(bundle)
    sys.path.insert(0, bundle)  # modules shipped with the model (custom classes)
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_sklearn_loader.py")
    spec = importlib.util.spec_from_file_location("_dlhub_sklearn_loader", here)
    if spec is None or spec.loader is None:
        raise ImportError("cannot import the scikit-learn loader")
    loader = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loader)
    return loader.make_function(bundle, request["model"], request.get("method") or "predict")


def _load(request):
    if request.get("loader") == "sklearn":
        return _load_sklearn(request)
    bundle = request["bundle"]
    module_path = os.path.join(bundle, *request["module"].split("/"))
    os.chdir(bundle)
    sys.path.insert(0, bundle)
    name = os.path.splitext(os.path.basename(module_path))[0]
    spec = importlib.util.spec_from_file_location(name, module_path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {request['module']}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    func = getattr(module, request["function"], None)
    if not callable(func):
        raise AttributeError(f"{request['module']} has no function {request['function']!r}")
    return func


def main():
    stdin = sys.stdin.buffer
    out = os.fdopen(os.dup(1), "wb")  # frames only; the servable's prints go to stderr
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    func = None
    while True:
        request = read_frame(stdin)
        if request is None or request.get("op") == "shutdown":
            return 0
        if request.get("v") != PROTOCOL:
            _protocol_error(out, f"worker speaks protocol {PROTOCOL}, got {request.get('v')!r}")
            return 2
        op = request.get("op")
        if op == "load":
            try:
                func = _load(request)
            except BaseException as exc:  # reported to the executor
                write_frame(out, {"v": PROTOCOL, "ok": False, "error": _error(exc)})
                return 1
            write_frame(
                out,
                {
                    "v": PROTOCOL,
                    "ok": True,
                    "protocol": PROTOCOL,
                    "python": ".".join(str(p) for p in sys.version_info[:3]),
                    "pid": os.getpid(),
                },
            )
        elif op == "call" and func is not None:
            reply = {"v": PROTOCOL, "id": request.get("id")}
            try:
                reply["output"] = func(request.get("input"))
                reply["ok"] = True
                write_frame(out, reply)
            except Exception as exc:  # the servable's own failure
                write_frame(
                    out, {"v": PROTOCOL, "id": request.get("id"), "ok": False, "error": _error(exc)}
                )
        else:
            _protocol_error(out, f"unexpected op {op!r}")


if __name__ == "__main__":
    sys.exit(main())
