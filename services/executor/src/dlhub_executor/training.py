"""Training functions and benchmark scoring in the servable's own environment.

:class:`LocalTrainer` implements :class:`dlhub_common.training_spec.Trainer`
with the python-servable machinery: the environment is the one
``runners.python.build_env`` builds from the version's ``environment.lock``
(shared with the executor's workers), training runs as ``_trainer.py`` in it
with CPU-time and memory limits it sets on itself and a wall-clock timeout
enforced here (the whole process group is killed), and scoring loads the
model with the executor's own runner (:class:`~dlhub_executor.runners.python.PythonModel`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from dlhub_common.errors import (
    DeadlineExceeded,
    InvalidArgument,
    ResourceExhausted,
    ServableError,
)
from dlhub_common.training_spec import PredictCall, TrainCall, TrainOutcome
from dlhub_executor.runners.python import PythonModel, build_env, isolated_env

TRAINER_SCRIPT = Path(__file__).parent / "runners" / "_trainer.py"
LOG_TAIL_CHARS = 20000


class LocalTrainer:
    """Trains and scores in this process's machine.

    Args:
        env_dir: where servable environments are built (the executor's).
        build_timeout_s: longest one environment build may take.
    """

    def __init__(self, env_dir: Path, build_timeout_s: float = 900.0) -> None:
        self.env_dir = env_dir
        self.build_timeout_s = build_timeout_s

    async def train(self, call: TrainCall) -> TrainOutcome:
        running: list[Any] = []  # the training process, once started
        try:
            return await asyncio.to_thread(self._train, call, running)
        except asyncio.CancelledError:  # the job is stopped: so is its process group
            for proc in running:
                _kill(proc)
            raise

    async def predict(self, call: PredictCall) -> list[Any]:
        running: list[Any] = []  # the model, once loaded
        try:
            return await asyncio.to_thread(self._predict, call, running)
        except asyncio.CancelledError:
            for model in running:
                model.close()  # kills a worker that is in a call
            raise

    def _interpreter(self, python: str, lock: bytes) -> Path:
        interpreter, _took = build_env(self.env_dir, python, lock, self.build_timeout_s)
        return interpreter

    def _train(self, call: TrainCall, running: list[Any]) -> TrainOutcome:
        interpreter = self._interpreter(call.env.python, call.env.lock)
        with tempfile.TemporaryDirectory(prefix="dlhub-train-") as tmp:
            result = Path(tmp) / "result.json"
            log_path = Path(tmp) / "train.log"
            request = {
                "previous_dir": call.previous_dir,
                "module": call.module,
                "function": call.function,
                "data_dir": call.data_dir,
                "out_dir": call.out_dir,
                "result": str(result),
                "cpu_time_s": call.limits.cpu_time_s,
                "memory_bytes": call.limits.memory_bytes,
            }
            with log_path.open("wb") as log_file:
                proc = subprocess.Popen(
                    [str(interpreter), "-I", "-u", str(TRAINER_SCRIPT)],
                    cwd=call.previous_dir,
                    stdin=subprocess.PIPE,
                    stdout=log_file,
                    stderr=log_file,
                    env=isolated_env(),
                    start_new_session=True,
                )
                running.append(proc)
                try:
                    proc.communicate(
                        json.dumps(request).encode(), timeout=call.limits.wall_timeout_s
                    )
                except subprocess.TimeoutExpired:
                    _kill(proc)
                    raise DeadlineExceeded(
                        "training ran past its wall-clock limit of"
                        f" {call.limits.wall_timeout_s:g} s (DLHUB_RETRAIN__WALL_TIMEOUT_S);"
                        " it was killed",
                        details={"log": _tail(log_path), "limit": "wall_timeout_s"},
                    ) from None
                finally:
                    _kill(proc)
            log = _tail(log_path)
            code = proc.returncode
            if code == -signal.SIGXCPU and not result.exists():
                raise ResourceExhausted(
                    f"training ran past its CPU-time limit of {call.limits.cpu_time_s} s"
                    " (DLHUB_RETRAIN__CPU_TIME_S); it was killed",
                    details={"log": log, "limit": "cpu_time_s"},
                )
            if not result.exists():
                how = f"signal {-code}" if code < 0 else f"exit status {code}"
                raise ServableError(
                    f"the training process died ({how}) before it answered; a process over"
                    f" its memory limit ({call.limits.memory_bytes} bytes) may be killed so",
                    details={"log": log, "traceback": log},
                )
            reply = json.loads(result.read_text())
        if reply.get("ok"):
            return TrainOutcome(files=[str(f) for f in reply["files"]], log=log)
        err = reply.get("error") or {}
        kind = str(err.get("type", "Exception"))
        message = f"the training function raised {kind}: {err.get('message', '')}"
        if kind == "MemoryError":
            raise ResourceExhausted(
                f"{message} (memory limit {call.limits.memory_bytes} bytes,"
                " DLHUB_RETRAIN__MEMORY_BYTES)",
                details={"traceback": err.get("traceback", ""), "log": log, "limit": "memory"},
            )
        if kind == "TrainResultError":  # raised by _trainer.py, not by the function
            raise InvalidArgument(str(err.get("message", "")))
        raise ServableError(
            message, details={"exception": kind, "traceback": err.get("traceback", ""), "log": log}
        )

    def _predict(self, call: PredictCall, running: list[Any]) -> list[Any]:
        interpreter = self._interpreter(call.env.python, call.env.lock)
        details = call.method_details
        loader: dict[str, str] | None = None
        if call.servable_type == "sklearn":
            module, function = str(details["model"]), str(details.get("method") or "predict")
            loader = {"loader": "sklearn", "model": module, "method": function}
        else:
            module, function = str(details["module"]), str(details["function"])
        model = PythonModel(
            interpreter, Path(call.bundle_dir), module, function, call.call_timeout_s, loader
        )
        running.append(model)
        predictions: list[Any] = []
        try:
            for start in range(0, len(call.inputs), call.batch_size):
                batch = call.inputs[start : start + call.batch_size]
                got = json.loads(model.run_json(json.dumps(batch)))
                if not isinstance(got, list) or len(got) != len(batch):
                    shown = f"a list of {len(got)}" if isinstance(got, list) else type(got).__name__
                    raise InvalidArgument(
                        f"the model answered a batch of {len(batch)} benchmark inputs with"
                        f" {shown}; it must return one prediction per input"
                    )
                predictions.extend(got)
        finally:
            model.close()
        return predictions


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # the function and anything it started
    with contextlib.suppress(Exception):
        proc.wait(timeout=10)


def _tail(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-LOG_TAIL_CHARS:].decode("utf-8", "replace")
