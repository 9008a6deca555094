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
  Models with a bfloat16 input or output run through OrtValues: inputs are
  built from the raw 16-bit patterns, outputs are copied out byte for byte.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from dlhub_common.codec import dtype_for
from dlhub_common.errors import InvalidArgument

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
        inputs = session.get_inputs()
        outputs = session.get_outputs()
        self.strings = frozenset(i.name for i in inputs if i.type == STRING)
        self.bfloat16 = any(v.type == BFLOAT16 for v in [*inputs, *outputs])

    def run(self, names: Sequence[str], inputs: Mapping[str, Array]) -> list[Any]:
        feed = {n: utf8_strings(n, v) if n in self.strings else v for n, v in inputs.items()}
        if not self.bfloat16:
            return list(self.session.run(list(names), feed))
        return self._run_ort_values(names, feed)

    def _run_ort_values(self, names: Sequence[str], feed: Mapping[str, Array]) -> list[Any]:
        import onnxruntime as ort

        bf16 = dtype_for("BF16")
        values = {}
        for n, v in feed.items():
            if v.dtype == bf16:
                bits = np.ascontiguousarray(v).view(np.uint16)
                values[n] = ort.OrtValue.ortvalue_from_numpy_with_onnx_type(
                    bits, onnx_element_type=_ONNX_BFLOAT16
                )
            else:
                values[n] = ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(v))
        results = self.session.run_with_ort_values(list(names), values)
        return [_to_numpy(r, bf16) for r in results]


def _to_numpy(value: Any, bf16: np.dtype[Any]) -> Array:
    if value.data_type() != BFLOAT16:
        out: Array = value.numpy()
        return out
    shape = tuple(value.shape())
    size = value.tensor_size_in_bytes()
    raw = ctypes.string_at(value.data_ptr(), size) if size else b""
    return np.frombuffer(raw, dtype=bf16).reshape(shape)
