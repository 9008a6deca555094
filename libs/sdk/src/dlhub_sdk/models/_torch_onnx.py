"""ONNX export of a PyTorch servable (``TorchServable.to_onnx``), checked for fidelity.

The module is exported with torch's legacy TorchScript-based exporter, run
with ONNX Runtime on the example inputs and refused unless it matches torch
within the tolerance; the result is an :class:`OnnxServable` carrying the
citation metadata (and classes) set so far.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from dlhub_common.errors import FailedPrecondition, InvalidArgument
from dlhub_sdk.models._torch_parts import _close
from dlhub_sdk.models.onnx import OnnxServable

if TYPE_CHECKING:
    from dlhub_sdk.models.torch import TorchServable


def torch_to_onnx(
    built: TorchServable,
    path: str | Path | None = None,
    *,
    name: str | None = None,
    opset: int = 17,
    tolerance: float | None = None,
) -> OnnxServable:
    """``built.to_onnx(...)``: see :meth:`TorchServable.to_onnx`."""
    torch = built.torch
    tol = built.tolerance if tolerance is None else tolerance
    target = Path(path) if path is not None else built.folder / "model.onnx"
    target.parent.mkdir(parents=True, exist_ok=True)
    args = built._export_inputs()
    axes = (
        {n: {0: "batch"} for n in [*built.input_names, *built.output_names]}
        if built.dynamic_batch
        else None
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                built.module,
                args,
                str(target),
                input_names=built.input_names,
                output_names=built.output_names,
                dynamic_axes=axes,
                opset_version=opset,
                dynamo=False,
            )
    except Exception as exc:
        raise InvalidArgument(
            f"cannot export {type(built.module).__name__} to ONNX:"
            f" {type(exc).__name__}: {str(exc)[:800]}"
        ) from None
    worst = _check_onnx(built, target, tol)
    servable = OnnxServable(
        target, name=name or f"{built._dlhub['name']}-onnx", classes=built._servable.get("classes")
    )
    servable._datacite = copy.deepcopy(built._datacite)
    for key in ("domains", "visible_to"):
        servable._dlhub[key] = list(built._dlhub[key])
    servable._servable["methods"]["run"]["method_details"].update(
        {
            "converted_from": "pytorch",
            "module": built._servable["methods"]["run"]["method_details"]["module"],
            "torch_version": torch.__version__.split("+")[0],
            "fidelity_check": {
                "compared": built.output_names,
                "max_abs_difference": float(f"{worst:.3g}"),
                "tolerance": tol,
            },
        }
    )
    servable.add_dependency("torch", torch.__version__.split("+")[0])
    return servable


def _check_onnx(built: TorchServable, target: Path, tolerance: float) -> float:
    try:
        import onnxruntime as ort
    except ImportError:
        raise FailedPrecondition(
            "the ONNX fidelity check needs onnxruntime (pip install onnxruntime)"
        ) from None
    feeds = {n: t.numpy() for n, t in zip(built.input_names, built.example_inputs, strict=True)}
    try:
        session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
        # the exporter drops inputs the graph does not use
        used = {i.name for i in session.get_inputs()}
        got = session.run(built.output_names, {k: v for k, v in feeds.items() if k in used})
    except Exception as exc:
        raise InvalidArgument(
            f"ONNX Runtime cannot run the exported model: {type(exc).__name__}: {exc}"
        ) from None
    expected = built.predict(*built.example_inputs)
    worst = 0.0
    for name, value in zip(built.output_names, got, strict=True):
        diff = _close(expected[name], value, tolerance)
        if diff is None:
            raise InvalidArgument(
                f"the ONNX export does not reproduce torch's output {name!r} within"
                f" {tolerance:g}; refusing it",
                details={"output": name, "tolerance": tolerance},
            )
        worst = max(worst, diff)
    return worst
