"""Where an executor runs its models: ``cpu``, ``cuda`` or ``cuda:N``.

One setting, ``DLHUB_EXECUTOR_OPTIONS__DEVICE``, applies to every tensor
runner of an executor (ONNX Runtime and torch). The setting's shape is
checked by ``Settings`` (pydantic); what the installed runtimes can actually
do is checked here: at start-up (:func:`check_device`: at least one runtime
must be able to use the device) and on every model load (that model's
runtime must), so a ``cuda`` executor never quietly runs a model on the CPU:

* ONNX Runtime: ``cuda[:N]`` needs the ``CUDAExecutionProvider``, i.e. the
  ``onnxruntime-gpu`` wheel (``dlhub-executor[gpu]``) in place of
  ``onnxruntime`` (``dlhub-executor[cpu]``). Sessions get CUDA (with
  ``device_id``) first and the CPU second: nodes the CUDA provider has no
  kernel for run on the CPU, as ONNX Runtime always does.
* torch: ``cuda[:N]`` needs ``torch.cuda.is_available()`` and that GPU index.

What a model runs on is reported as ``"cpu"`` or ``"cuda:N"`` (the
``WorkResult.device`` of every result).
"""

from __future__ import annotations

import importlib.util
import logging
import re
from dataclasses import dataclass
from typing import Any

from dlhub_common.errors import FailedPrecondition, InvalidArgument

SETTING = "DLHUB_EXECUTOR_OPTIONS__DEVICE"
CUDA_PROVIDER = "CUDAExecutionProvider"
CPU_PROVIDER = "CPUExecutionProvider"
_PATTERN = re.compile(r"(cpu|cuda)(?::(\d+))?")
log = logging.getLogger("dlhub.executor")


@dataclass(frozen=True)
class Device:
    """A parsed device setting; ``index`` is None for plain ``cuda`` (GPU 0)."""

    kind: str
    index: int | None = None

    @classmethod
    def parse(cls, value: str) -> Device:
        match = _PATTERN.fullmatch(value.strip())
        if match is None or (match.group(1) == "cpu" and match.group(2) is not None):
            raise InvalidArgument(
                f"{SETTING} must be 'cpu', 'cuda' or 'cuda:N', got {value!r}",
                details={"setting": SETTING, "value": value},
            )
        index = match.group(2)
        return cls(match.group(1), int(index) if index is not None else None)

    @property
    def is_cuda(self) -> bool:
        return self.kind == "cuda"

    @property
    def gpu(self) -> int:
        """The GPU index (0 for plain ``cuda``)."""
        return self.index or 0

    @property
    def setting(self) -> str:
        """The setting as written: ``cpu``, ``cuda`` or ``cuda:N``."""
        return self.kind if self.index is None else f"{self.kind}:{self.index}"

    def __str__(self) -> str:
        """What results report: ``cpu`` or ``cuda:N``."""
        return f"cuda:{self.gpu}" if self.is_cuda else "cpu"


def _setting(device: Device) -> str:
    return f"{SETTING}={device.setting}"


def onnx_providers(device: Device, available: list[str]) -> list[Any]:
    """ONNX Runtime providers for ``device``, best first.

    Args:
        device: the executor's device.
        available: ``onnxruntime.get_available_providers()``.

    Returns:
        ``["CPUExecutionProvider"]`` for the CPU; for CUDA, the CUDA provider
        with its ``device_id``, then the CPU.

    Raises:
        FailedPrecondition: CUDA asked for, but this onnxruntime has no CUDA provider.
    """
    if not device.is_cuda:
        return [CPU_PROVIDER]
    if CUDA_PROVIDER not in available:
        raise FailedPrecondition(
            f"{_setting(device)} needs ONNX Runtime's {CUDA_PROVIDER}, but the installed"
            f" onnxruntime offers only {', '.join(available) or 'no providers'}: install"
            " dlhub-executor[gpu] (onnxruntime-gpu) instead of dlhub-executor[cpu],"
            f" or set {SETTING}=cpu",
            details={"setting": SETTING, "available_providers": list(available)},
        )
    return [(CUDA_PROVIDER, {"device_id": device.gpu}), CPU_PROVIDER]


def session_device(device: Device, providers: list[str]) -> str:
    """What a created session runs on, refusing a quiet fall-back to the CPU.

    ONNX Runtime drops a provider it cannot initialise (missing CUDA or cuDNN
    libraries, no GPU) with only a warning; ``providers`` is
    ``session.get_providers()``.

    Raises:
        FailedPrecondition: CUDA was asked for but the session did not get it.
    """
    if not device.is_cuda:
        return "cpu"
    if CUDA_PROVIDER not in providers:
        raise FailedPrecondition(
            f"{_setting(device)}: ONNX Runtime could not start its {CUDA_PROVIDER} on"
            f" GPU {device.gpu} (the session got {', '.join(providers)}); check that the"
            " GPU is visible (nvidia-smi) and that the CUDA and cuDNN libraries this"
            " onnxruntime-gpu release needs are installed",
            details={"setting": SETTING, "session_providers": list(providers)},
        )
    return str(device)


def torch_device(torch: Any, device: Device) -> str:
    """The torch device string for ``device`` (``cpu`` or ``cuda:N``).

    Raises:
        FailedPrecondition: CUDA asked for, but torch sees no GPU (or not that one).
    """
    if not device.is_cuda:
        return "cpu"
    if not torch.cuda.is_available():
        build = getattr(torch.version, "cuda", None)
        why = (
            "this torch build has no CUDA support (a CPU wheel)"
            if not build
            else f"torch (built for CUDA {build}) sees no GPU"
        )
        raise FailedPrecondition(
            f"{_setting(device)} but torch.cuda.is_available() is false: {why};"
            f" set {SETTING}=cpu or run the executor where a GPU is visible",
            details={"setting": SETTING},
        )
    count = int(torch.cuda.device_count())
    if device.gpu >= count:
        raise FailedPrecondition(
            f"{_setting(device)} but torch sees {count} GPU(s) (cuda:0..cuda:{count - 1})",
            details={"setting": SETTING, "gpus": count},
        )
    return str(device)


def check_device(value: str) -> Device:
    """Check at start-up that the installed runtimes can run models on ``value``.

    The CPU needs nothing. For CUDA, at least one tensor runtime must be able
    to use the GPU: onnxruntime with its CUDA provider, or torch (the
    ``torch`` extra) seeing the GPU. One that cannot is logged here and
    refuses its models when they load (so an executor with CUDA torch and the
    CPU onnxruntime serves PyTorch models on the GPU and refuses ONNX ones).

    Raises:
        InvalidArgument: a malformed value.
        FailedPrecondition: no installed runtime can use that device.
    """
    device = Device.parse(value)
    if not device.is_cuda:
        return device
    problems: list[str] = []
    try:
        import onnxruntime as ort
    except ImportError:
        problems.append("onnxruntime is not installed (install dlhub-executor[gpu])")
    else:
        try:
            onnx_providers(device, list(ort.get_available_providers()))
        except FailedPrecondition as exc:
            problems.append(exc.message)
    if importlib.util.find_spec("torch") is None:
        problems.append("torch is not installed (the torch extra)")
    else:
        import torch

        try:
            torch_device(torch, device)
        except FailedPrecondition as exc:
            problems.append(exc.message)
    if len(problems) == 2:
        raise FailedPrecondition(
            f"no model runtime of this executor can use {_setting(device)}: " + "; ".join(problems),
            details={"setting": SETTING, "problems": problems},
        )
    for problem in problems:
        log.warning("%s; those models will fail to load", problem)
    return device
