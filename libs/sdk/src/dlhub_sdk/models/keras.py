"""Keras servables: Keras 3 models (``.keras``, legacy HDF5 ``.h5``/``.hd5``).

``KerasModel('model.hd5', list(map(str, range(10))))``, as in the original
DLHub SDK. The file is loaded here with Keras on the torch backend (the
executor runs it the same way: no TensorFlow anywhere), and read for

* the signature: each input and output by name, with its dtype and shape
  (``null`` for the batch axis);
* the Keras and backend versions (dependency pins) and the layer summary;
* a check run: a batch of two seeded random inputs must give outputs of the
  declared shapes, and the classes (if given) must match an output's size.

:meth:`KerasModel.to_onnx` converts it to ONNX, checked for fidelity.

Layers that are not part of Keras are refused, naming the file and the
layer (custom code is not shipped with a Keras servable).

Needs ``dlhub-sdk[keras]`` (keras, h5py, torch).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata as pkg_metadata
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import FailedPrecondition, InvalidArgument
from dlhub_common.keras_files import KERAS_SUFFIXES, keras_file_problem
from dlhub_common.keras_runtime import BACKEND, load_keras_model
from dlhub_common.keras_runtime import import_keras as _import_keras
from dlhub_sdk.models.base import ServableBuilder
from dlhub_sdk.models.onnx import OnnxServable

SUMMARY_LIMIT = 10000  # characters of the layer summary kept (as the original SDK)


def import_keras() -> Any:
    """Keras on the torch backend (``KERAS_BACKEND`` set before its first import).

    Nothing is hidden from Keras here: this is the user's process, where
    ``keras.wrappers`` and ``keras.visualization`` must keep working.
    """
    try:
        keras = _import_keras()
    except ImportError:
        raise FailedPrecondition(
            "Keras servables need keras, h5py and torch: install dlhub-sdk[keras]"
        ) from None
    if keras.backend.backend() != BACKEND:
        raise FailedPrecondition(
            f"Keras was imported on the {keras.backend.backend()!r} backend; DLHub serves"
            f" Keras models on {BACKEND!r}: set KERAS_BACKEND={BACKEND} before importing keras"
        )
    return keras


def _dims(shape: Any) -> list[int | None]:
    return [None if d is None else int(d) for d in shape]


def _spec(tensor: Any, what: str) -> dict[str, Any]:
    dtype = str(getattr(tensor, "dtype", "float32")).removeprefix("torch.")
    if dtype not in ("float16", "float32", "float64", "int8", "int16", "int32", "int64",
                     "uint8", "bool", "bfloat16"):  # fmt: skip
        raise InvalidArgument(f"{what} has dtype {dtype}, which DLHub cannot carry")
    return {"type": "ndarray", "shape": _dims(tensor.shape), "item_type": {"type": dtype}}


def _version(package: str) -> str:
    try:
        return pkg_metadata.version(package)
    except pkg_metadata.PackageNotFoundError:
        return ""


class KerasModel(ServableBuilder):
    """A saved Keras 3 model.

    Args:
        model_path: the ``.keras`` or legacy HDF5 (``.h5``, ``.hd5``, ``.hdf5``) file.
        classes: names of the output's classes, in order (the original SDK's
            ``output_names``); results can then come back labelled.
        name: the servable name (default: the file stem, slugified).
    """

    servable_type = "keras"

    def __init__(
        self,
        model_path: str | Path,
        classes: Sequence[str] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__()
        path = Path(model_path)
        if path.suffix.lower() not in KERAS_SUFFIXES:
            raise InvalidArgument(
                f"{path.name}: a Keras model file ends in one of {', '.join(KERAS_SUFFIXES)}"
            )
        if not path.is_file():
            raise InvalidArgument(f"{path}: no such file")
        problem = keras_file_problem(path)
        if problem:
            raise InvalidArgument(f"{path.name}: {problem}")
        keras = import_keras()
        try:
            model = load_keras_model(keras, path)
        except Exception as exc:
            raise InvalidArgument(
                f"{path.name} cannot be loaded as a Keras model: {str(exc)[:500]}"
            ) from None
        self.model = model
        self.input_names = [str(t.name) for t in model.inputs]
        # Functional models name outputs by their layers; a Sequential one does not
        # say, and its outputs are named by the layers that make them.
        out_names = getattr(model, "output_names", None) or [
            getattr(getattr(t, "_keras_history", None), "operation", None)
            and t._keras_history.operation.name
            for t in model.outputs
        ]
        self.output_names = [str(n) for n in out_names if n] or [
            f"output_{i}" for i in range(len(model.outputs))
        ]
        if len(set(self.output_names)) != len(model.outputs):
            self.output_names = [f"output_{i}" for i in range(len(model.outputs))]
        inputs = {
            n: _spec(t, f"input {n!r}") for n, t in zip(self.input_names, model.inputs, strict=True)
        }
        outputs = {
            n: _spec(t, f"output {n!r}")
            for n, t in zip(self.output_names, model.outputs, strict=True)
        }
        self._check_run(keras, model, inputs, outputs)
        lines: list[str] = []
        model.summary(print_fn=lambda line, *_a, **_k: lines.append(str(line)))
        summary = "\n".join(lines)
        if len(summary) > SUMMARY_LIMIT:
            summary = summary[:SUMMARY_LIMIT] + "<<TRUNCATED>>"
        torch_version = _version("torch").split("+")[0]
        self._servable["methods"]["run"] = {
            "input": {"type": "dict", "properties": inputs},
            "output": {"type": "dict", "properties": outputs},
            "parameters": {},
            "method_details": {
                "method_name": "predict",
                "framework": "keras",
                "backend": BACKEND,
                "keras_version": keras.__version__,
                "backend_version": torch_version,
                "model_type": "Deep NN",
                "format": "keras" if path.suffix.lower() == ".keras" else "hdf5",
                # stored documents sort their keys: the model's own order is kept here
                "input_order": list(self.input_names),
                "output_order": list(self.output_names),
            },
        }
        self._servable["model_summary"] = summary
        self.add_dependency("keras", keras.__version__)
        self.add_dependency("torch", torch_version)
        if path.suffix.lower() != ".keras" and _version("h5py"):
            self.add_dependency("h5py", _version("h5py"))
        self._files[path.name] = path
        self._dlhub["files"]["model"] = path.name
        self.set_name(name or path.stem.lower().replace(" ", "-").replace(".", "-"))
        if classes:
            self.set_classes(classes)

    def to_onnx(
        self,
        name: str | None = None,
        *,
        tolerance: float = 1e-4,
        output_dir: str | Path | None = None,
    ) -> OnnxServable:
        """The same model as an :class:`~dlhub_sdk.models.onnx.OnnxServable`
        (Keras's own ONNX export), refused when ONNX Runtime's answers differ
        from Keras's by more than ``tolerance`` (dlhub_sdk.models._keras_onnx)."""
        from dlhub_sdk.models._keras_onnx import keras_to_onnx

        return keras_to_onnx(self, name=name, tolerance=tolerance, output_dir=output_dir)

    @staticmethod
    def _check_run(keras: Any, model: Any, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
        rng = np.random.default_rng(0)
        batch = []
        for name, spec in inputs.items():
            dims = spec["shape"]
            if any(d is None for d in dims[1:]):
                return  # variable sizes besides the batch axis: nothing to try
            shape = [2, *dims[1:]]
            batch.append(rng.standard_normal(shape).astype(spec["item_type"]["type"]))
            del name
        try:
            result = model.predict_on_batch(batch[0] if len(batch) == 1 else batch)
        except Exception as exc:
            raise InvalidArgument(
                f"the Keras model failed on a batch of 2 check inputs: {str(exc)[:500]}"
            ) from None
        values = list(result.values()) if isinstance(result, dict) else result
        values = values if isinstance(values, list | tuple) else [values]
        for (name, spec), value in zip(outputs.items(), values, strict=False):
            got = list(np.shape(value))
            want = spec["shape"]
            if len(got) != len(want) or any(
                w is not None and w != g for w, g in zip(want[1:], got[1:], strict=True)
            ):
                raise InvalidArgument(f"output {name!r} came back with shape {got}, not {want}")
