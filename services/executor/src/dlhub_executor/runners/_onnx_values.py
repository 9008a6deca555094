"""numpy <-> ONNX Runtime values where its numpy binding gets them wrong.

* Strings: the codec decodes BYTES into object arrays of ``bytes``, and
  onnxruntime turns each non-``str`` element into ``str(element)``, so
  ``b"a"`` reached the model as ``"b'a'"``. ONNX string tensors hold UTF-8
  text (onnxruntime's Python binding decodes them as UTF-8 on the way out),
  so inputs are decoded as UTF-8 here; bytes that are not UTF-8 are refused
  with InvalidArgument rather than altered. Outputs come back as ``str`` and
  the codec encodes them as UTF-8.
* bfloat16: the binding has no numpy type for it (``ml_dtypes.bfloat16``
  arrays are refused, bfloat16 outputs cannot be read with ``.numpy()``).
  bfloat16 inputs are fed as OrtValues built from the raw 16-bit patterns;
  when bfloat16 outputs are asked for, the call goes through OrtValues and
  they are copied out byte for byte. onnxruntime cannot make OrtValues of
  strings, so a model taking strings cannot return bfloat16 this way: that
  combination is refused with FailedPrecondition.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from dlhub_common.codec import dtype_for
from dlhub_common.errors import FailedPrecondition, InvalidArgument

Array = npt.NDArray[Any]
STRING = "tensor(string)"
BFLOAT16 = "tensor(bfloat16)"
_ONNX_BFLOAT16 = 16  # onnx.TensorProto.BFLOAT16


def utf8_strings(name: str, array: Array) -> Array:
    """An object array of ``str`` for an ONNX string input.

    Raises:
        InvalidArgument: an element is not valid UTF-8.
    """
    out = np.empty(array.shape, dtype=object)
    flat = out.reshape(-1)
    for i, item in enumerate(array.reshape(-1)):
        if isinstance(item, str):
            flat[i] = item
            continue
        try:
            flat[i] = bytes(item).decode("utf-8")
        except (UnicodeDecodeError, TypeError):
            raise InvalidArgument(
                f"tensor {name!r}: element {i} is not valid UTF-8; this model's input is an"
                " ONNX string tensor, which holds UTF-8 text",
                details={"tensor": name, "element": i},
            ) from None
    return out


class SessionValues:
    """Runs one session, converting what the numpy binding cannot."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.strings = frozenset(i.name for i in session.get_inputs() if i.type == STRING)
        self.bf16_outputs = frozenset(o.name for o in session.get_outputs() if o.type == BFLOAT16)
        self._bf16 = dtype_for("BF16")

    def run(
        self, names: Sequence[str], inputs: Mapping[str, Array], run_options: Any = None
    ) -> list[Any]:
        """Run for ``names``; bfloat16 inputs go in as OrtValues, strings as ``str``.

        ``run_options`` (``onnxruntime.RunOptions``) lets a watchdog stop the run.

        Raises:
            InvalidArgument: a string input that is not UTF-8.
            FailedPrecondition: a model that takes strings and returns
                bfloat16, which onnxruntime's Python API cannot run.
        """
        feed = {n: self._input(n, v) for n, v in inputs.items()}
        wanted_bf16 = self.bf16_outputs.intersection(names)
        if not wanted_bf16:  # session.run takes numpy arrays and OrtValues alike
            return list(self.session.run(list(names), feed, run_options))
        if self.strings:
            raise FailedPrecondition(
                f"outputs {sorted(wanted_bf16)} are bfloat16 and inputs {sorted(self.strings)}"
                " are strings: onnxruntime's Python API cannot feed strings and read bfloat16"
                " in one call; request only the other outputs, or publish the model with"
                " float32 outputs"
            )
        import onnxruntime as ort

        values = {
            n: v if not isinstance(v, np.ndarray) else ort.OrtValue.ortvalue_from_numpy(v)
            for n, v in feed.items()
        }
        return [
            _to_numpy(r, self._bf16)
            for r in self.session.run_with_ort_values(names, values, run_options)
        ]

    def _input(self, name: str, value: Array) -> Any:
        if name in self.strings:
            return utf8_strings(name, value)
        if value.dtype == self._bf16:
            import onnxruntime as ort

            bits = np.ascontiguousarray(value).view(np.uint16)
            return ort.OrtValue.ortvalue_from_numpy_with_onnx_type(
                bits, onnx_element_type=_ONNX_BFLOAT16
            )
        return value


def _to_numpy(value: Any, bf16: np.dtype[Any]) -> Array:
    if value.data_type() != BFLOAT16:
        out: Array = value.numpy()
        return out
    shape = tuple(value.shape())
    size = value.tensor_size_in_bytes()
    raw = ctypes.string_at(value.data_ptr(), size) if size else b""
    return np.frombuffer(raw, dtype=bf16).reshape(shape)
