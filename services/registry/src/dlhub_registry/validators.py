"""Per-type artifact checks run at publish, before anything is stored for good.

For ONNX: the model file must load and pass ``onnx.checker``, and a declared
run signature must match the graph's inputs and outputs.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import Metadata
from dlhub_common.signature import TensorSpec, tensor_signature

# onnx TensorProto element type -> OIP datatype
ONNX_TO_DATATYPE = {
    1: "FP32",
    2: "UINT8",
    3: "INT8",
    4: "UINT16",
    5: "INT16",
    6: "INT32",
    7: "INT64",
    8: "BYTES",
    9: "BOOL",
    10: "FP16",
    11: "FP64",
    12: "UINT32",
    13: "UINT64",
    16: "BF16",
}


def onnx_signature(model_path: Path) -> tuple[list[TensorSpec], list[TensorSpec]]:
    """Load and check an ONNX model; return its input and output tensor specs.

    Raises:
        InvalidArgument: the file is not a readable, valid ONNX model.
    """
    import onnx

    try:
        model = onnx.load(str(model_path), load_external_data=False)
        onnx.checker.check_model(model)
    except Exception as exc:  # onnx raises DecodeError, ValidationError, OSError...
        reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise InvalidArgument(
            f"model file {model_path.name!r} is not a valid ONNX model: {reason}"
        ) from None
    initializers = {init.name for init in model.graph.initializer}

    def specs(values: list[object]) -> list[TensorSpec]:
        out = []
        for value in values:
            name = value.name  # type: ignore[attr-defined]
            if name in initializers:
                continue
            tensor = value.type.tensor_type  # type: ignore[attr-defined]
            dims: list[int | None] = [
                d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim
            ]
            out.append(TensorSpec(name, ONNX_TO_DATATYPE.get(tensor.elem_type), tuple(dims)))
        return out

    return specs(list(model.graph.input)), specs(list(model.graph.output))


def compare(kind: str, declared: list[TensorSpec], actual: list[TensorSpec]) -> list[str]:
    """Differences between a declared signature and the model's own."""
    problems: list[str] = []
    got = {s.name: s for s in actual}
    want = {s.name: s for s in declared}
    for name in want.keys() - got.keys():
        problems.append(f"declared {kind} {name!r} is not in the model (it has {sorted(got)})")
    for name in got.keys() - want.keys():
        problems.append(f"model {kind} {name!r} is not declared")
    for name in want.keys() & got.keys():
        w, g = want[name], got[name]
        if w.datatype and g.datatype and w.datatype != g.datatype:
            problems.append(f"{kind} {name!r}: declared {w.datatype}, model has {g.datatype}")
        if len(w.shape) != len(g.shape):
            problems.append(
                f"{kind} {name!r}: declared rank {len(w.shape)}, model has rank {len(g.shape)}"
            )
            continue
        for axis, (wd, gd) in enumerate(zip(w.shape, g.shape, strict=True)):
            if wd is not None and gd is not None and wd != gd:
                problems.append(f"{kind} {name!r} axis {axis}: declared {wd}, model has {gd}")
    return problems


async def validate_onnx(metadata: Metadata, model_file: Path) -> None:
    """Check the ONNX file and that the declared signature matches it."""
    inputs, outputs = await asyncio.to_thread(onnx_signature, model_file)
    run = metadata.run
    problems = compare("input", tensor_signature(run.input), inputs)
    declared_out = tensor_signature(run.output, default_name=outputs[0].name if outputs else "")
    problems += compare("output", declared_out, outputs) if run.output.type != "any" else []
    if problems:
        raise InvalidArgument(
            "declared signature does not match the model: " + "; ".join(problems),
            details={"problems": problems},
        )
