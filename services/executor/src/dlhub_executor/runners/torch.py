"""PyTorch runner: TorchScript (``torch.jit.save``) and torch.export (``.pt2``) models.

torch is an optional extra of the executor (``dlhub-executor[torch]``) and is
imported on the first load only. Models run on the executor's device
(``executor_options.device``: ``cpu`` with ``intra_op_threads`` threads, or
``cuda[:N]``, refused at load when torch sees no such GPU), under
``torch.inference_mode()``. Inputs arrive as numpy arrays, are moved to the
device and passed to ``forward`` positionally in the signature's order
(``WorkItem.runtime_json`` ``{"inputs": [...], "outputs": [...]}``, set by the
task manager); outputs (a tensor, a tuple/list of tensors or a dict of them)
are copied back to the CPU and returned by the signature's output names in
order.

``run`` is thread-safe: a loaded module holds no per-call state, and
``inference_mode`` is thread-local.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common._proto.dlhub.v1 import bus_pb2
from dlhub_common.errors import InvalidArgument, ServableError
from dlhub_executor.devices import Device, torch_device
from dlhub_executor.runners.base import (
    Array,
    LoadedModel,
    ModelRunner,
    runtime_of,
    select_outputs,
)

# Inputs are read-only views of the request's bytes; models do not write to
# them, so torch.from_numpy shares them without a copy.
warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
# torch >= 2.9 marks torch.jit as deprecated; loading TorchScript still works.
warnings.filterwarnings("ignore", message=r"`torch\.jit\.\w+` is deprecated")

_threads_lock = threading.Lock()
_threads_set = False


def _torch(intra_op_threads: int) -> Any:
    """Import torch and size its CPU thread pool once per process."""
    global _threads_set
    import torch

    with _threads_lock:
        if not _threads_set:
            if intra_op_threads > 0:
                torch.set_num_threads(intra_op_threads)
            _threads_set = True
    return torch


def _flatten(value: Any, names: Sequence[str]) -> list[tuple[str | None, Any]]:
    """A forward() result as (name or None, tensor) pairs, in order."""
    if isinstance(value, Mapping):
        if names and set(names) <= set(value):
            return [(n, value[n]) for n in names]
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [(None, v) for v in value]
    return [(None, value)]


class TorchModel(LoadedModel):
    def __init__(
        self,
        torch: Any,
        module: Any,
        device: str,
        input_names: Sequence[str],
        output_names: Sequence[str],
    ) -> None:
        self.torch = torch
        self.module = module
        self.device = device
        self.input_names = list(input_names)
        self.output_names = list(output_names)

    def _args(self, inputs: Mapping[str, Array]) -> list[Any]:
        torch = self.torch
        if len(inputs) == 1 and len(self.input_names) <= 1:
            arrays = list(inputs.values())
        else:
            order = self.input_names or list(inputs)
            missing = [n for n in order if n not in inputs]
            if missing:
                raise InvalidArgument(f"missing input(s) {missing}; the model takes {order}")
            arrays = [inputs[n] for n in order]
        args = []
        for array in arrays:
            if array.dtype == object:
                raise InvalidArgument("PyTorch servables take numeric tensors, not BYTES")
            tensor = torch.from_numpy(np.ascontiguousarray(array))
            args.append(tensor.to(self.device) if self.device != "cpu" else tensor)
        return args

    def run(self, inputs: Mapping[str, Array], outputs: Sequence[str]) -> dict[str, Array]:
        args = self._args(inputs)
        try:
            with self.torch.inference_mode():
                result = self.module(*args)
        except Exception as exc:  # torch raises RuntimeError and friends
            raise ServableError(f"the PyTorch model failed: {str(exc)[:500]}") from None
        out: dict[str, Array] = {}
        for i, (given, value) in enumerate(_flatten(result, self.output_names)):
            if given is not None and given in self.output_names:
                name = given
            elif i < len(self.output_names):
                name = self.output_names[i]
            else:
                name = given or f"output_{i}"
            if not isinstance(value, self.torch.Tensor):
                raise ServableError(
                    f"the PyTorch model returned a {type(value).__name__} as output {name!r};"
                    " DLHub serves tensors"
                )
            out[name] = value.detach().cpu().numpy()
        return select_outputs(out, outputs)

    def close(self) -> None:
        self.module = None


class _TorchRunner(ModelRunner):
    """Loads one kind of PyTorch archive.

    Args:
        intra_op_threads: CPU threads torch uses (process-wide, set on the
            first load); 0 leaves torch's default (the number of cores).
        device: ``cpu``, ``cuda`` or ``cuda:N`` (``executor_options.device``).
    """

    kind = ""

    def __init__(self, intra_op_threads: int = 0, device: str = "cpu") -> None:
        self.intra_op_threads = intra_op_threads
        self.device = Device.parse(device)

    def _load_module(self, torch: Any, path: Path, device: str) -> Any:
        raise NotImplementedError

    def load(self, bundle_dir: Path, model_path: str) -> LoadedModel:
        return self._load(bundle_dir, model_path, {})

    def load_work(self, bundle_dir: Path, item: bus_pb2.WorkItem) -> LoadedModel:
        return self._load(bundle_dir, item.model_path, runtime_of(item))

    # what to install when the runtime is missing
    extra = "torch is not installed (install dlhub-executor[torch])"

    def _load(self, bundle_dir: Path, model_path: str, runtime: dict[str, Any]) -> LoadedModel:
        try:
            torch = _torch(self.intra_op_threads)
        except ImportError:
            raise ServableError(
                f"this executor cannot run {self.kind} servables: {self.extra}"
            ) from None
        device = torch_device(torch, self.device)  # refuses a GPU torch cannot see
        return self._open(torch, bundle_dir, model_path, device, runtime)

    def _open(
        self, torch: Any, bundle_dir: Path, model_path: str, device: str, runtime: dict[str, Any]
    ) -> LoadedModel:
        try:
            module = self._load_module(torch, bundle_dir / model_path, device)
        except Exception as exc:
            raise ServableError(
                f"cannot load {self.kind} model {model_path!r}: {str(exc)[:500]}"
            ) from None
        return TorchModel(
            torch,
            module,
            device,
            [str(n) for n in runtime.get("inputs") or []],
            [str(n) for n in runtime.get("outputs") or []],
        )


class TorchScriptRunner(_TorchRunner):
    """``torch.jit.save``d modules (servable type ``torchscript``)."""

    kind = "TorchScript"

    def _load_module(self, torch: Any, path: Path, device: str) -> Any:
        module = torch.jit.load(str(path), map_location=device)
        module.eval()
        return module


class TorchExportRunner(_TorchRunner):
    """``torch.export.save``d ExportedPrograms (servable type ``torch_export``)."""

    kind = "torch.export"

    def _load_module(self, torch: Any, path: Path, device: str) -> Any:
        program = torch.export.load(str(path))
        if device != "cpu":
            # moves the program's parameters, buffers and device constants together
            try:
                from torch.export.passes import move_to_device_pass  # torch >= 2.6
            except ImportError:
                return program.module().to(device)
            return move_to_device_pass(program, device).module()
        return program.module()
