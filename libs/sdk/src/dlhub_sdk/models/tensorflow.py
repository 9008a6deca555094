"""TensorFlow servables: SavedModel directories and the ``tf.function``
signatures in them.

:class:`TensorFlowServable` converts one signature to ONNX at publish with
tf2onnx and checks the conversion: the ONNX graph, run with ONNX Runtime on a
seeded batch (or ``sample_input``), must give TensorFlow's answers within the
tolerance. The result is an ONNX servable, so executors never need
TensorFlow. Where tf2onnx cannot convert the graph, the error names the ops
(and their nodes) and offers the native path: :class:`NativeTensorFlowServable`
publishes the SavedModel as is, with a small loader module, as a python
servable whose environment pins the TensorFlow and numpy it was read with;
the executor loads TensorFlow only inside that servable's isolated worker, as
for native scikit-learn.

TensorFlow is never imported in this process: the SavedModel is read,
converted and checked in a child process (``_tf_convert.py``) of the
SDK's own TensorFlow environment (``_tf_env.py``: built once with uv, or
``DLHUB_TF_PYTHON``), because TensorFlow and PyTorch each bundle LLVM and one
process holding both aborts, and Keras 3 imports TensorFlow whenever it is
installed beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import FailedPrecondition, InvalidArgument
from dlhub_sdk.models._sklearn_estimators import _output_folder
from dlhub_sdk.models._tf_env import child_env, tensorflow_python
from dlhub_sdk.models.base import ServableBuilder
from dlhub_sdk.models.onnx import OnnxServable

__all__ = ["NativeTensorFlowServable", "TensorFlowServable", "child_env", "tensorflow_python"]

DEFAULT_TOLERANCE = 1e-4
DEFAULT_SIGNATURE = "serving_default"
CONVERT_TIMEOUT_S = 600.0
NATIVE_MODULE = "savedmodel_runner.py"
NATIVE_FOLDER = "saved_model"


def _saved_model_dir(path: str | Path) -> Path:
    folder = Path(path)
    if not folder.is_dir() or not (folder / "saved_model.pb").is_file():
        raise InvalidArgument(
            f"{folder} is not a TensorFlow SavedModel directory (no saved_model.pb)"
        )
    return folder


def _servable_name(name: str | None, source: Path) -> str:
    """``name``, or the SavedModel folder's name, as a servable name."""
    return (name or source.resolve().name).lower().replace("_", "-").replace(".", "-")


def _converter(request: dict[str, Any]) -> dict[str, Any]:
    """One answer of ``_tf_convert`` run in a TensorFlow child process."""
    command = [tensorflow_python(), "-I", str(Path(__file__).with_name("_tf_convert.py"))]
    try:
        done = subprocess.run(
            command,
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=CONVERT_TIMEOUT_S,
            env=child_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise FailedPrecondition(
            f"reading the SavedModel took longer than {CONVERT_TIMEOUT_S:.0f} s"
        ) from None
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise FailedPrecondition(
            f"the TensorFlow converter exited with {done.returncode}: {done.stderr.strip()[-1000:]}"
        )
    answer: dict[str, Any] = json.loads(lines[-1])
    return answer


def _ndarray(spec: Mapping[str, Any]) -> dict[str, Any]:
    shape = spec["shape"]
    out: dict[str, Any] = {"type": "ndarray", "item_type": {"type": spec["item_type"]}}
    if shape is not None:
        out["shape"] = shape
    return out


class TensorFlowServable(OnnxServable):
    """A TensorFlow SavedModel signature, converted to ONNX and checked.

    Args:
        saved_model_dir: the folder ``tf.saved_model.save`` wrote.
        name: servable name (default: the folder name, slugified).
        signature: the signature to serve (``tf.saved_model.save(...,
            signatures={...})``; default ``serving_default``).
        classes: names of the output's classes, in order (``set_classes``).
        tolerance: the largest absolute difference allowed between ONNX
            Runtime's and TensorFlow's answers on the check batch.
        sample_input: the check batch, ``{input name: array}`` (or one array
            for a one-input signature); default 8 seeded random rows.
        opset: the ONNX opset to convert to (default: tf2onnx's).
        output_dir: where to write the ``.onnx`` file (default: a temporary
            folder removed with the builder).

    Raises:
        InvalidArgument: not a SavedModel, no such signature, tf2onnx cannot
            convert it (naming the ops; publish it with
            :class:`NativeTensorFlowServable`), or the answers differ.
        FailedPrecondition: the SDK's TensorFlow environment cannot be built (docs/tensorflow.md).
    """

    def __init__(
        self,
        saved_model_dir: str | Path,
        name: str | None = None,
        *,
        signature: str = DEFAULT_SIGNATURE,
        classes: Sequence[str] | None = None,
        tolerance: float = DEFAULT_TOLERANCE,
        sample_input: Any = None,
        opset: int | None = None,
        output_dir: str | Path | None = None,
    ) -> None:
        source = _saved_model_dir(saved_model_dir)
        slug = _servable_name(name, source)
        folder = _output_folder(self, output_dir)
        target = folder / f"{slug}.onnx"
        sample = None
        if sample_input is not None:
            sample = folder / "sample.npz"
            arrays = sample_input if isinstance(sample_input, Mapping) else {"": sample_input}
            named: dict[str, Any] = {str(k): np.asarray(v) for k, v in arrays.items()}
            np.savez(sample, **named)
        answer = _converter(
            {
                "saved_model": str(source.resolve()),
                "signature": signature,
                "onnx": str(target),
                "tolerance": tolerance,
                "opset": opset,
                "sample": str(sample) if sample else None,
            }
        )
        if not answer.get("ok"):
            message = f"{source}: {answer.get('message', 'conversion failed')}"
            if answer.get("kind") in ("unsupported_ops", "conversion", "fidelity"):
                message += (
                    f"; publish it natively instead: NativeTensorFlowServable({str(source)!r},"
                    f" signature={signature!r}) runs TensorFlow only in the servable's own"
                    " isolated worker"
                )
            raise InvalidArgument(message, details={"ops": answer.get("ops", [])})
        super().__init__(target, name=slug, classes=classes)
        self._servable["methods"]["run"]["method_details"].update(
            {
                "converted_from": "tensorflow_saved_model",
                "signature": signature,
                "tensorflow_version": answer["tensorflow"],
                "tf2onnx_version": answer["tf2onnx"],
                "fidelity_check": {
                    "against": "tensorflow",
                    "rows": answer["rows"],
                    "compared": sorted(answer["outputs"]),
                    "max_abs_difference": float(f"{answer['max_abs_difference']:.3g}"),
                    "tolerance": tolerance,
                },
            }
        )


_RUNNER = '''"""Runs the TensorFlow SavedModel shipped beside this module (a DLHub native
TensorFlow servable, written by dlhub_sdk.models.NativeTensorFlowServable)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["KERAS_BACKEND"] = "tensorflow"  # whatever the executor's environment says

import numpy as np
import tensorflow as tf

SIGNATURE = {signature!r}
INPUTS = {inputs!r}
_model = tf.saved_model.load(os.path.join(os.path.dirname(os.path.abspath(__file__)), {folder!r}))
_function = _model.signatures[SIGNATURE]


def run(value):
    if len(INPUTS) == 1 and not isinstance(value, dict):
        value = {{next(iter(INPUTS)): value}}
    missing = sorted(set(INPUTS) - set(value))
    if missing:
        raise ValueError(f"missing input(s) {{missing}}; the signature takes {{sorted(INPUTS)}}")
    tensors = {{k: tf.constant(np.asarray(value[k], dtype=t)) for k, t in INPUTS.items()}}
    outputs = {{k: v.numpy() for k, v in _function(**tensors).items()}}
    return next(iter(outputs.values())) if len(outputs) == 1 else outputs
'''


class NativeTensorFlowServable(ServableBuilder):
    """A TensorFlow SavedModel published as is, run with TensorFlow in the
    servable's own isolated worker (a python servable).

    The SavedModel is shipped under ``saved_model/`` with a loader module
    (``savedmodel_runner.py``, function ``run``); the environment pins this
    process's TensorFlow and numpy and its Python major.minor. Runs take one
    JSON value: the input as nested lists, or ``{input name: nested lists}``
    for several; they return the output the same way.

    Args:
        saved_model_dir: the folder ``tf.saved_model.save`` wrote.
        name: servable name (default: the folder name, slugified).
        signature: the signature to serve (default ``serving_default``).
        classes: names of the output's classes, in order.
        python: the servable's Python version (default: this one's).
        output_dir: where to write the loader module (default: a temporary
            folder removed with the builder).
    """

    servable_type = "python"

    def __init__(
        self,
        saved_model_dir: str | Path,
        name: str | None = None,
        *,
        signature: str = DEFAULT_SIGNATURE,
        classes: Sequence[str] | None = None,
        python: str | None = None,
        output_dir: str | Path | None = None,
    ) -> None:
        super().__init__()
        source = _saved_model_dir(saved_model_dir)
        answer = _converter(
            {"saved_model": str(source.resolve()), "signature": signature, "inspect": True}
        )
        if not answer.get("ok"):
            raise InvalidArgument(f"{source}: {answer.get('message', 'cannot read it')}")
        inputs: dict[str, Any] = answer["inputs"]
        outputs: dict[str, Any] = answer["outputs"]
        folder = _output_folder(self, output_dir)
        runner = folder / NATIVE_MODULE
        runner.write_text(
            _RUNNER.format(
                signature=signature,
                inputs={k: v["item_type"] for k, v in inputs.items()},
                folder=NATIVE_FOLDER,
            )
        )
        self._files[NATIVE_MODULE] = runner
        self._dlhub["files"]["model"] = NATIVE_MODULE
        for path in sorted(source.rglob("*")):
            if path.is_file():
                self.add_file(path, f"{NATIVE_FOLDER}/{path.relative_to(source).as_posix()}")

        def side(specs: dict[str, Any]) -> dict[str, Any]:
            if len(specs) == 1:
                return _ndarray(next(iter(specs.values())))
            return {"type": "dict", "properties": {k: _ndarray(v) for k, v in specs.items()}}

        self._servable["python"] = python or f"{sys.version_info[0]}.{sys.version_info[1]}"
        self._servable["methods"]["run"] = {
            "input": side(inputs),
            "output": side(outputs),
            "parameters": {},
            "method_details": {
                "module": NATIVE_MODULE,
                "function": "run",
                "interface_version": 1,
                "loader": "tensorflow_saved_model",
                "signature": signature,
                "tensorflow_version": answer["tensorflow"],
                "input_names": sorted(inputs),
                "output_names": sorted(outputs),
            },
        }
        self._servable["model_summary"] = f"TensorFlow SavedModel, signature {signature!r}"
        self.add_dependency("tensorflow-cpu", answer["tensorflow"])
        self.add_dependency("numpy", answer["numpy"])
        slug = _servable_name(name, source)
        self.set_name(slug)
        if classes:
            self.set_classes(classes)
