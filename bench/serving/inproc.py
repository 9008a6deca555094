"""The floor: the same ONNX files run by onnxruntime in this process, no server."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from bench.serving.models import ModelFile


@dataclass(frozen=True)
class InProcess:
    label: str
    calls: int
    samples_per_s: float
    p50: float  # ms per call
    p99: float
    cpu_ms_per_sample: float


def _session(model: ModelFile, threads: int) -> object:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(model.path), opts, providers=["CPUExecutionProvider"])


def measure(model: ModelFile, batch: int, duration: float, threads: int) -> InProcess:
    """session.run on fresh random batches of ``batch`` for ``duration`` seconds."""
    session = _session(model, threads)
    rng = np.random.default_rng(0)
    inputs = [
        rng.random((batch, *model.sample_shape), dtype=np.float32) for _ in range(16)
    ]  # made up front: the floor times the model, not the random generator
    run = session.run  # type: ignore[attr-defined]
    for x in inputs[:4]:
        run(None, {model.input_name: x})
    times: list[float] = []
    cpu0, t_end = os.times(), time.perf_counter() + duration
    while time.perf_counter() < t_end:
        x = inputs[len(times) % len(inputs)]
        t0 = time.perf_counter()
        run(None, {model.input_name: x})
        times.append(time.perf_counter() - t0)
    cpu1 = os.times()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    q = np.percentile(times, [50, 99]) * 1e3
    samples = len(times) * batch
    return InProcess(
        label=f"onnxruntime in-process, batch {batch}",
        calls=len(times),
        samples_per_s=samples / sum(times),
        p50=float(q[0]),
        p99=float(q[1]),
        cpu_ms_per_sample=cpu * 1e3 / samples,
    )
