"""ONNX conversion of a Keras servable (``KerasModel.to_onnx``), checked for fidelity.

Keras 3 exports the model itself (``model.export(format="onnx")``, through
torch's ONNX exporter on the torch backend). The graph's inputs and outputs
are renamed to the Keras signature's names, the graph is run with ONNX
Runtime on a seeded batch next to Keras, and refused when they disagree by
more than the tolerance; so the same model can run on the lighter runtime.
"""

from __future__ import annotations

import copy
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import FailedPrecondition, InvalidArgument
from dlhub_sdk.models.onnx import OnnxServable

DEFAULT_TOLERANCE = 1e-4


def _rename(path: Path, inputs: Sequence[str], outputs: Sequence[str]) -> None:
    import onnx

    model = onnx.load(str(path))
    graph = model.graph
    renames = {v.name: new for v, new in zip(graph.input, inputs, strict=False)}
    renames.update({v.name: new for v, new in zip(graph.output, outputs, strict=False)})
    for value in [*graph.input, *graph.output]:
        value.name = renames.get(value.name, value.name)
    for node in graph.node:
        node.input[:] = [renames.get(n, n) for n in node.input]
        node.output[:] = [renames.get(n, n) for n in node.output]
    onnx.save(model, str(path))


def _batch(specs: dict[str, Any], rows: int = 8) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    out = {}
    for name, spec in specs.items():
        dims = spec["shape"]
        if any(d is None for d in dims[1:]):
            raise InvalidArgument(
                f"to_onnx needs fixed sizes besides the batch axis; input {name!r} is {dims}"
            )
        out[name] = rng.random([rows, *dims[1:]]).astype(spec["item_type"]["type"])
    return out


def keras_to_onnx(
    built: Any,
    *,
    name: str | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    output_dir: str | Path | None = None,
) -> OnnxServable:
    """The :class:`~dlhub_sdk.models.keras.KerasModel` ``built`` as an ONNX servable.

    Raises:
        InvalidArgument: the export failed (with Keras's reason), or ONNX
            Runtime's answers differ from Keras's by more than ``tolerance``.
        FailedPrecondition: onnxruntime is not installed.
    """
    try:
        import onnxruntime as ort
    except ImportError:
        raise FailedPrecondition(
            "the ONNX fidelity check needs onnxruntime (pip install onnxruntime)"
        ) from None
    run = built._servable["methods"]["run"]
    batch = _batch(run["input"]["properties"])
    arrays = [batch[n] for n in built.input_names]
    expected = built.model.predict_on_batch(arrays[0] if len(arrays) == 1 else arrays)
    expected = expected if isinstance(expected, list | tuple) else [expected]
    folder = Path(output_dir) if output_dir else Path(tempfile.mkdtemp(prefix="dlhub-keras-"))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{built._dlhub['name']}.onnx"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's tracer warnings
            built.model.export(str(target), format="onnx", verbose=False)
    except Exception as exc:
        raise InvalidArgument(
            f"Keras could not export this model to ONNX: {type(exc).__name__}: {str(exc)[:500]}"
        ) from None
    _rename(target, built.input_names, built.output_names)
    session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    got = session.run(built.output_names, batch)
    worst = max(
        float(np.max(np.abs(np.asarray(g, dtype=np.float64) - np.asarray(e, dtype=np.float64))))
        for g, e in zip(got, expected, strict=True)
    )
    if not worst <= tolerance:
        raise InvalidArgument(
            f"the ONNX export differs from Keras by up to {worst:.3g} (tolerance {tolerance})"
        )
    classes = built._servable.get("classes")
    servable = OnnxServable(target, name=name or f"{built._dlhub['name']}-onnx", classes=classes)
    servable._datacite = copy.deepcopy(built._datacite)
    for key in ("domains", "visible_to"):
        servable._dlhub[key] = list(built._dlhub[key])
    for side in ("input", "output"):
        mine, theirs = servable._run_spec(side), run[side]
        if theirs.get("description"):
            mine["description"] = theirs["description"]
        for prop, spec in (theirs.get("properties") or {}).items():
            if spec.get("description") and prop in (mine.get("properties") or {}):
                mine["properties"][prop]["description"] = spec["description"]
    servable._servable["methods"]["run"]["method_details"]["fidelity_check"] = {
        "against": "keras",
        "compared": list(built.output_names),
        "max_abs_difference": float(f"{worst:.3g}"),
        "tolerance": tolerance,
    }
    return servable
