"""Child process of :class:`~dlhub_sdk.models.tensorflow.TensorFlowServable`:
converts one SavedModel signature to ONNX with tf2onnx and checks it.

Run as ``python -m dlhub_sdk.models._tf_convert`` with one JSON request on
stdin (``saved_model``, ``signature``, ``onnx``, ``tolerance``, ``opset``,
``sample``: an ``.npz`` of inputs or null; or ``inspect``: true for the
signature alone); it answers one JSON line on stdout.
TensorFlow is imported here only, never in the caller's process: TensorFlow
and PyTorch each bundle LLVM, and importing TensorFlow before torch in one
process aborts it, so the SDK (and an embedded mesh running torch models)
keeps TensorFlow out.

The answer is ``{"ok": true, "inputs": {...}, "outputs": {...},
"max_abs_difference": d, "tensorflow": version, "tf2onnx": version}`` (the
signature's names, item types and shapes, ``null`` for unknown dims), or
``{"ok": false, "kind": ..., "message": ..., "ops": [...]}`` where ``kind``
is ``signature`` (no such signature, or its inputs are not fixed tensors),
``unsupported_ops`` (tf2onnx cannot convert ``ops``: ``[{"op", "nodes"}]``),
``conversion`` (tf2onnx failed otherwise) or ``fidelity`` (ONNX Runtime's
answers differ from TensorFlow's by more than the tolerance).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from typing import Any

_UNSUPPORTED = re.compile(r"Tensorflow op \[(?P<node>[^:\]]+): (?P<op>[^\]]+)\] is not supported")


class _Collect(logging.Handler):
    """Keeps tf2onnx's 'op ... is not supported' records: node and op type."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.found: dict[str, list[str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        m = _UNSUPPORTED.search(record.getMessage())
        if m:
            nodes = self.found.setdefault(m.group("op"), [])
            node = m.group("node").rsplit("/", 1)[-1]
            if node not in nodes:
                nodes.append(node)


def _spec(tensor: Any) -> dict[str, Any]:
    dims = tensor.shape.as_list() if tensor.shape.rank is not None else None
    return {"item_type": tensor.dtype.name, "shape": dims}


def _batch(inputs: dict[str, dict[str, Any]], sample: str | None) -> dict[str, Any]:
    import numpy as np

    if sample:
        with np.load(sample) as data:
            if list(data.keys()) == [""] and len(inputs) == 1:  # one unnamed array
                return {next(iter(inputs)): data[""]}
            return {name: data[name] for name in inputs}
    rng = np.random.default_rng(0)
    out = {}
    for name, spec in inputs.items():
        dims = spec["shape"]
        if dims is None or any(d is None for d in dims[1:]):
            raise ValueError(
                f"input {name!r} has shape {dims}: give sample_input, or a signature with"
                " fixed sizes besides the batch axis"
            )
        shape = [8 if dims[0] is None else dims[0], *dims[1:]]
        kind = np.dtype(spec["item_type"]).kind
        if kind == "f":
            out[name] = rng.standard_normal(shape).astype(spec["item_type"])
        elif kind in "iu":
            out[name] = rng.integers(0, 8, shape).astype(spec["item_type"])
        elif kind == "b":
            out[name] = rng.integers(0, 2, shape).astype(bool)
        else:
            raise ValueError(f"input {name!r} is {spec['item_type']}: give sample_input")
    return out


def convert(request: dict[str, Any]) -> dict[str, Any]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import onnxruntime as ort
    import tensorflow as tf
    import tf2onnx

    path, name = request["saved_model"], request["signature"]
    loaded = tf.saved_model.load(path)
    signatures = dict(loaded.signatures)
    if name not in signatures:
        return {
            "ok": False,
            "kind": "signature",
            "message": f"the SavedModel {path} has no signature {name!r}"
            f" (it has {sorted(signatures) or 'none'})",
        }
    function = signatures[name]
    args, kwargs = function.structured_input_signature
    if args:
        return {
            "ok": False,
            "kind": "signature",
            "message": f"signature {name!r} takes positional inputs; name them (TensorSpec name=)",
        }
    inputs = {key: _spec(spec) for key, spec in sorted(kwargs.items())}
    structured = function.structured_outputs
    if not isinstance(structured, dict):
        structured = {"output_0": structured}
    outputs = {key: _spec(t) for key, t in structured.items()}
    versions = {
        "tensorflow": tf.__version__,
        "tf2onnx": tf2onnx.__version__,
        "numpy": np.__version__,
    }
    if request.get("inspect"):  # the signature only (native servables)
        return {"ok": True, "inputs": inputs, "outputs": outputs, **versions}
    try:
        batch = _batch(inputs, request.get("sample"))
    except (ValueError, KeyError) as exc:
        return {"ok": False, "kind": "signature", "message": str(exc)}
    collect = _Collect()
    logging.getLogger("tf2onnx").addHandler(collect)
    try:
        graph_def, in_names, out_names, _tables, renames = tf2onnx.tf_loader.from_saved_model(
            path,
            None,
            None,
            signatures=[name],
            return_initialized_tables=True,
            return_tensors_to_rename=True,
        )
        tf2onnx.convert.from_graph_def(
            graph_def,
            name=name,
            input_names=in_names,
            output_names=out_names,
            opset=request.get("opset"),
            tensors_to_rename=renames,
            output_path=request["onnx"],
        )
    except Exception as exc:
        if not collect.found:
            return {
                "ok": False,
                "kind": "conversion",
                "message": f"tf2onnx failed: {type(exc).__name__}: {str(exc)[:500]}",
                **versions,
            }
    if collect.found:
        ops = [{"op": op, "nodes": nodes[:5]} for op, nodes in sorted(collect.found.items())]
        return {
            "ok": False,
            "kind": "unsupported_ops",
            "message": "tf2onnx cannot convert the op(s) "
            + ", ".join(f"{o['op']} (node {', '.join(o['nodes'])})" for o in ops),
            "ops": ops,
            **versions,
        }
    expected = function(**{k: tf.constant(v) for k, v in batch.items()})
    if not isinstance(expected, dict):
        expected = {"output_0": expected}
    session = ort.InferenceSession(request["onnx"], providers=["CPUExecutionProvider"])
    got = dict(zip(outputs, session.run(list(outputs), batch), strict=True))
    worst = 0.0
    for key in outputs:
        want = np.asarray(expected[key].numpy(), dtype=np.float64)
        have = np.asarray(got[key], dtype=np.float64)
        if want.shape != have.shape:
            return {
                "ok": False,
                "kind": "fidelity",
                "message": f"output {key!r}: ONNX Runtime gives shape {list(have.shape)},"
                f" TensorFlow {list(want.shape)}",
                **versions,
            }
        worst = max(worst, float(np.max(np.abs(want - have))) if want.size else 0.0)
    if not worst <= float(request["tolerance"]):
        return {
            "ok": False,
            "kind": "fidelity",
            "message": f"the ONNX conversion differs from TensorFlow by up to {worst:.3g}"
            f" (tolerance {request['tolerance']})",
            **versions,
        }
    return {
        "ok": True,
        "inputs": inputs,
        "outputs": outputs,
        "rows": int(next(iter(batch.values())).shape[0]) if batch else 0,
        "max_abs_difference": worst,
        **versions,
    }


def main() -> int:
    request = json.loads(sys.stdin.read())
    out = os.fdopen(os.dup(1), "w")  # the answer only; TensorFlow's prints go to stderr
    os.dup2(2, 1)
    try:
        answer = convert(request)
    except Exception as exc:  # reported to the caller, which raises InvalidArgument
        answer = {"ok": False, "kind": "load", "message": f"{type(exc).__name__}: {exc}"[:1000]}
    out.write(json.dumps(answer) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
