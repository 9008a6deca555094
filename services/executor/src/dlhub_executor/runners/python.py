"""Python-function servables: one warm worker process per servable version.

The servable's environment is built once per distinct (python version,
``environment.lock``) — so versions with the same resolved dependencies share
it — under ``<env_dir>/<key>/``: ``uv venv --python <version>`` then ``uv pip
install -r environment.lock``. A ``.ready`` marker is written last, and an
exclusive file lock keeps two executors on one machine from building the same
environment at once.

The worker (``_worker.py``, standard library only) runs in that environment,
imports the module from the bundle directory once, and answers calls over
length-prefixed JSON frames on its stdin/stdout (protocol version 1, checked
in the handshake; see ``_worker.py``). Calls are serialised per worker. A call
that outlives ``call_timeout_s`` kills the worker (a fresh one starts) and
fails with DEADLINE_EXCEEDED; an exception inside the function fails the call
with SERVABLE_ERROR carrying the traceback in ``details["traceback"]`` (the
task manager hides it from callers other than the servable's owner), and the
worker stays up.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import select
import shutil
import struct
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import (
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    ServableError,
)
from dlhub_common.uvtool import uv_command, uv_env
from dlhub_executor.runners.base import Array, LoadedModel, ModelRunner
from dlhub_executor.runners.deadline import current_deadline_ns, expired_error

log = logging.getLogger("dlhub.executor")

PROTOCOL = 1
WORKER_SCRIPT = Path(__file__).with_name("_worker.py")
LOCK_PATH = "environment.lock"
_HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 256 * 1024 * 1024
LOAD_TIMEOUT_S = 120.0


class WorkerDied(Exception):
    """The worker closed its output or could not be reached."""


def env_key(python: str, lock: bytes) -> str:
    return hashlib.sha256(python.encode() + b"\0" + lock).hexdigest()[:24]


def _requirement_lines(lock: bytes) -> list[str]:
    return [
        ln.strip()
        for ln in lock.decode(errors="replace").splitlines()
        if ln.strip() and not ln.strip().startswith("#")
    ]


def isolated_env() -> dict[str, str]:
    """The environment of a servable's child process (worker, trainer): nothing
    of this process's but PATH and HOME, so no settings or secrets leak in."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def build_env(env_root: Path, python: str, lock: bytes, timeout_s: float) -> tuple[Path, float]:
    """The environment's interpreter, building it first when needed; returns
    (python path, seconds spent building, 0 when it was there)."""
    env = env_root / env_key(python, lock)
    interpreter = env / "bin" / "python"
    ready = env / ".ready"
    if ready.exists():
        return interpreter, 0.0
    env_root.mkdir(parents=True, exist_ok=True)
    with open(env_root / f"{env.name}.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if ready.exists():  # built by another process meanwhile
            return interpreter, 0.0
        t0 = time.perf_counter()
        shutil.rmtree(env, ignore_errors=True)
        uv = uv_command()
        steps = [
            [*uv, "venv", "--no-project", "--no-config", "--python", python, "--quiet", str(env)]
        ]
        if _requirement_lines(lock):
            steps.append(
                [
                    *uv,
                    "pip",
                    "install",
                    "--no-config",
                    "--quiet",
                    "--python",
                    str(interpreter),
                    "-r",
                    str(env / LOCK_PATH),
                ]
            )
        for i, argv in enumerate(steps):
            if i == 1:
                (env / LOCK_PATH).write_bytes(lock)
            try:
                res = subprocess.run(
                    argv,
                    cwd=env_root,
                    env=uv_env(),
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=timeout_s,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                shutil.rmtree(env, ignore_errors=True)
                raise FailedPrecondition(
                    f"building the servable's environment took longer than {timeout_s:.0f} s"
                ) from None
            if res.returncode != 0:
                shutil.rmtree(env, ignore_errors=True)
                raise FailedPrecondition(
                    f"cannot build the servable's environment ({argv[len(uv)]}): "
                    + (res.stderr.strip()[-2000:] or f"uv exited with {res.returncode}")
                )
        ready.write_text(python + "\n")
        took = time.perf_counter() - t0
        log.info("built python %s environment %s in %.1f s", python, env.name, took)
        return interpreter, took


class Worker:
    """One worker process speaking protocol 1."""

    def __init__(
        self,
        interpreter: Path,
        bundle: Path,
        module: str,
        function: str,
        loader: dict[str, str] | None = None,
    ) -> None:
        self.bundle = bundle
        log_file = open(bundle.parent / f"{bundle.name}.worker.log", "ab")  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                [str(interpreter), "-I", "-u", str(WORKER_SCRIPT)],
                cwd=bundle,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                env=isolated_env(),
                start_new_session=True,
            )
        finally:
            log_file.close()
        self._next_id = 0
        try:
            hello = self.request(
                {
                    "op": "load",
                    "bundle": str(bundle),
                    "module": module,
                    "function": function,
                    **(loader or {}),
                },
                LOAD_TIMEOUT_S,
            )
        except BaseException:
            self.kill()
            raise
        if not hello.get("ok"):
            self.kill()
            err = hello.get("error") or {}
            raise ServableError(
                f"cannot {'load' if loader else 'import'} {module}:"
                f" {err.get('type', 'Error')}: {err.get('message', '')}",
                details={"traceback": err.get("traceback", "")},
            )
        if hello.get("protocol") != PROTOCOL:
            self.kill()
            raise FailedPrecondition(
                f"the servable worker speaks protocol {hello.get('protocol')!r},"
                f" this executor {PROTOCOL}"
            )
        self.python = str(hello.get("python", ""))
        self.pid = int(hello.get("pid") or self.proc.pid)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"v": PROTOCOL, **message}, allow_nan=False).encode()
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            stdin.write(_HEADER.pack(len(body)) + body)
            stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied(str(exc)) from None

    def _read_exact(self, stream: IO[bytes], n: int, deadline: float) -> bytes:
        fd = stream.fileno()
        data = bytearray()
        while len(data) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, min(n - len(data), 1 << 20))
            if not chunk:
                raise WorkerDied("the worker exited")
            data += chunk
        return bytes(data)

    def request(self, message: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Send one frame and read the answer (TimeoutError after ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s
        self._send(message)
        stdout = self.proc.stdout
        assert stdout is not None
        (size,) = _HEADER.unpack(self._read_exact(stdout, _HEADER.size, deadline))
        if size > MAX_FRAME_BYTES:
            raise WorkerDied(f"the worker sent a {size}-byte frame")
        reply: dict[str, Any] = json.loads(self._read_exact(stdout, size, deadline))
        return reply

    def call(self, value: Any, timeout_s: float) -> dict[str, Any]:
        self._next_id += 1
        return self.request({"op": "call", "id": self._next_id, "input": value}, timeout_s)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, 9)  # the worker and anything it started
        with contextlib.suppress(Exception):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._send({"op": "shutdown"})
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=2)
        self.kill()


class PythonModel(LoadedModel):
    """A python servable version: its environment and its warm worker."""

    def __init__(
        self,
        interpreter: Path,
        bundle: Path,
        module: str,
        function: str,
        call_timeout_s: float,
        loader: dict[str, str] | None = None,
    ) -> None:
        self.interpreter = interpreter
        self.bundle = bundle
        self.module = module
        self.function = function
        self.call_timeout_s = call_timeout_s
        self.loader = loader
        self._lock = threading.Lock()
        self._worker: Worker | None = self._start()

    def _start(self) -> Worker:
        return Worker(self.interpreter, self.bundle, self.module, self.function, self.loader)

    def run(self, inputs: Any, outputs: Any) -> dict[str, Array]:
        raise FailedPrecondition("python servables take one JSON value (inputs_json), not tensors")

    def run_json(self, inputs_json: str) -> str:
        try:
            value = json.loads(inputs_json) if inputs_json else None
        except ValueError as exc:
            raise InvalidArgument(f"input is not valid JSON: {exc}") from None
        with self._lock:
            if self._worker is None or not self._worker.alive:
                if self._worker is not None:
                    self._worker.kill()
                self._worker = None
                self._worker = self._start()
            worker = self._worker
            # task control: the call timeout, or the task's deadline when sooner
            limit, deadline = self.call_timeout_s, current_deadline_ns()
            if deadline:
                limit = max(0.001, min(limit, (deadline - time.time_ns()) / 1e9))
            try:
                reply = worker.call(value, limit)
            except TimeoutError:
                log.warning(
                    "%s:%s ran past %.1f s; restarting its worker",
                    self.module,
                    self.function,
                    limit,
                )
                worker.kill()
                self._worker = None
                with contextlib.suppress(Exception):
                    self._worker = self._start()  # a fresh worker for the next call
                if limit < self.call_timeout_s:
                    raise expired_error("the servable") from None
                raise DeadlineExceeded(
                    f"the servable did not answer within {self.call_timeout_s:g} s"
                    " (executor_options.call_timeout_s); its worker was restarted"
                ) from None
            except WorkerDied as exc:
                worker.kill()
                self._worker = None
                raise ServableError(
                    f"the servable's worker process died during the call ({exc});"
                    " it is restarted on the next call"
                ) from None
        if reply.get("ok"):
            return json.dumps(reply.get("output"), allow_nan=False)
        err = reply.get("error") or {}
        kind = str(err.get("type", "Exception"))
        raise ServableError(
            f"the servable raised {kind}: {err.get('message', '')}",
            details={"exception": kind, "traceback": str(err.get("traceback", ""))},
        )

    def close(self) -> None:
        """Stop the worker: politely when it is idle, at once when a call is in
        flight (closing must not wait out a call's timeout)."""
        if self._lock.acquire(timeout=0.5):
            try:
                if self._worker is not None:
                    self._worker.close()
                    self._worker = None
            finally:
                self._lock.release()
        elif self._worker is not None:
            self._worker.kill()


class PythonRunner(ModelRunner):
    """Builds environments and starts workers.

    Args:
        env_dir: where environments are built (shared by servable versions
            with the same python version and lock).
        call_timeout_s: longest one call may run.
        build_timeout_s: longest one environment build may take.
    """

    def __init__(
        self, env_dir: Path, call_timeout_s: float = 60.0, build_timeout_s: float = 900.0
    ) -> None:
        self.env_dir = env_dir
        self.call_timeout_s = call_timeout_s
        self.build_timeout_s = build_timeout_s

    def load(self, bundle_dir: Path, model_path: str) -> LoadedModel:
        raise FailedPrecondition("a python servable needs its runtime description to load")

    def load_work(self, bundle_dir: Path, item: bus_pb2.WorkItem) -> LoadedModel:
        try:
            runtime = json.loads(item.runtime_json or "{}")
        except ValueError:
            runtime = {}
        module, function = runtime.get("module"), runtime.get("function")
        loader: dict[str, str] | None = None
        if runtime.get("loader") == "sklearn":
            # a native scikit-learn servable: the worker's built-in loader
            # unpickles the model file, in the worker, never here
            module = runtime.get("model")
            function = runtime.get("method") or "predict"
            loader = {"loader": "sklearn", "model": str(module), "method": str(function)}
        python = runtime.get("python")
        if not (module and function and python):
            raise FailedPrecondition("the work item lacks the python servable's runtime")
        if int(runtime.get("interface_version", 1)) != PROTOCOL:
            raise FailedPrecondition(
                f"interface version {runtime.get('interface_version')} is not supported"
                f" by this executor (it speaks {PROTOCOL})"
            )
        lock_file = bundle_dir / runtime.get("lock_path", LOCK_PATH)
        lock = lock_file.read_bytes() if lock_file.exists() else b""
        interpreter, _took = build_env(self.env_dir, str(python), lock, self.build_timeout_s)
        return PythonModel(
            interpreter, bundle_dir, module, function, self.call_timeout_s, loader=loader
        )
