"""Keras runner: Keras 3 models (``.keras``, legacy HDF5 ``.h5``/``.hd5``) on the torch backend.

Keras and h5py are an optional extra of the executor (``dlhub-executor[keras]``,
with torch); TensorFlow is never needed. Keras is imported on the first Keras
load only (never at start), with ``KERAS_BACKEND=torch`` and the installed
libraries it would load for nothing hidden (:mod:`dlhub_common.keras_runtime`);
an executor that imported Keras on another backend refuses to load. The
model is loaded with ``compile=False`` and called under
``torch.inference_mode()`` on the executor's device (``keras.device``);
inputs are passed in the signature's order (``WorkItem.runtime_json``
``{"inputs": [...], "outputs": [...]}``) and outputs (a tensor, a list of
them or a dict) come back by the signature's output names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import InvalidArgument, ServableError
from dlhub_common.keras_runtime import BACKEND, load_keras_model
from dlhub_common.keras_runtime import import_keras as _import_keras
from dlhub_executor.runners.base import (
    Array,
    LoadedModel,
    select_outputs,
)
from dlhub_executor.runners.torch import _TorchRunner


def import_keras() -> Any:
    """Keras on the torch backend, without the libraries serving never uses."""
    keras = _import_keras(hide_unused=True)

    if keras.backend.backend() != BACKEND:
        raise ServableError(
            f"Keras runs on the {keras.backend.backend()!r} backend in this executor;"
            f" DLHub serves Keras models on {BACKEND!r} (KERAS_BACKEND={BACKEND})"
        )
    return keras


class KerasModel(LoadedModel):
    def __init__(
        self,
        torch: Any,
        keras: Any,
        model: Any,
        device: str,
        input_names: Sequence[str],
        output_names: Sequence[str],
    ) -> None:
        self.torch = torch
        self.keras = keras
        self.model = model
        self.device = device
        self.input_names = list(input_names)
        self.output_names = list(output_names)

    def _args(self, inputs: Mapping[str, Array]) -> Any:
        if len(inputs) == 1 and len(self.input_names) <= 1:
            arrays = list(inputs.values())
        else:
            missing = [n for n in self.input_names if n not in inputs]
            if missing:
                raise InvalidArgument(
                    f"missing input(s) {missing}; the model takes {self.input_names}"
                )
            arrays = [inputs[n] for n in self.input_names or list(inputs)]
        for array in arrays:
            if array.dtype == object:
                raise InvalidArgument("Keras servables take numeric tensors, not BYTES")
        tensors = [self.torch.from_numpy(np.ascontiguousarray(a)).to(self.device) for a in arrays]
        return tensors[0] if len(tensors) == 1 else tensors

    def _named(self, result: Any) -> dict[str, Any]:
        if isinstance(result, Mapping):
            return {str(k): v for k, v in result.items()}
        values = list(result) if isinstance(result, list | tuple) else [result]
        names = self.output_names or [f"output_{i}" for i in range(len(values))]
        if len(names) != len(values):
            raise ServableError(
                f"the Keras model returned {len(values)} output(s), its signature names {names}"
            )
        return dict(zip(names, values, strict=True))

    def run(self, inputs: Mapping[str, Array], outputs: Sequence[str]) -> dict[str, Array]:
        args = self._args(inputs)
        try:
            with self.torch.inference_mode(), self.keras.device(self.device):
                result = self.model(args, training=False)
            out = {n: self.keras.ops.convert_to_numpy(v) for n, v in self._named(result).items()}
        except (InvalidArgument, ServableError):
            raise
        except Exception as exc:  # Keras and torch raise ValueError, RuntimeError...
            raise ServableError(f"the Keras model failed: {str(exc)[:500]}") from None
        return select_outputs(out, outputs)

    def close(self) -> None:
        self.model = None


class KerasRunner(_TorchRunner):
    """Loads Keras models (servable type ``keras``) on the torch backend.

    Args:
        intra_op_threads: CPU threads torch uses (process-wide, set on the
            first load); 0 leaves torch's default.
        device: ``cpu``, ``cuda`` or ``cuda:N`` (``executor_options.device``).
    """

    kind = "Keras"
    extra = "keras, h5py and torch are not installed (install dlhub-executor[keras])"

    def _open(
        self, torch: Any, bundle_dir: Path, model_path: str, device: str, runtime: dict[str, Any]
    ) -> LoadedModel:
        try:
            keras = import_keras()
        except ImportError:
            raise ServableError(f"this executor cannot run Keras servables: {self.extra}") from None
        try:
            with keras.device(device):
                model = load_keras_model(keras, bundle_dir / model_path)
        except Exception as exc:
            raise ServableError(
                f"cannot load Keras model {model_path!r}: {str(exc)[:500]}"
            ) from None
        return KerasModel(
            torch,
            keras,
            model,
            device,
            [str(n) for n in runtime.get("inputs") or []],
            [str(n) for n in runtime.get("outputs") or []],
        )
