"""Per-type artifact checks run at publish, before anything is stored for good.

For ONNX: the model file must load and pass ``onnx.checker``, and a declared
run signature must match the graph's inputs and outputs.

For PyTorch (``torchscript``, ``torch_export``): the registry stays free of
torch, so it only checks that the file is the zip archive ``torch.jit.save``
or ``torch.export.save`` writes and that the signature is tensor-typed. Whether
the signature matches the model cannot be told without running it; the SDK's
``TorchServable`` checks that at build time by running the saved model.
"""

from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path, PurePosixPath

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


# What each PyTorch servable type's archive holds, under its one top folder.
TORCH_KINDS = {"torchscript": "TorchScript", "torch_export": "torch.export (.pt2)"}


def _torch_layout(names: list[str]) -> set[str]:
    """Archive members relative to the top folder (``m/data.pkl`` -> ``data.pkl``)."""
    tops = {PurePosixPath(n).parts[0] for n in names if n}
    if len(tops) == 1 and all("/" in n for n in names if n):
        top = next(iter(tops))
        return {n[len(top) + 1 :] for n in names}
    return set(names)  # torch 2.4's torch.export.save wrote members at the root


def torch_archive_problem(servable_type: str, model_path: Path) -> str | None:
    """Why ``model_path`` is not an archive of ``servable_type``; None when it is."""
    try:
        with zipfile.ZipFile(model_path) as archive:
            members = _torch_layout(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return "it is not a zip archive"
    if servable_type == "torchscript":
        code = any(m.startswith("code/") for m in members)
        if "data.pkl" in members and ("constants.pkl" in members or code):
            return None
        return "no data.pkl with constants.pkl or code/ (a torch.save checkpoint is not enough)"
    # torch >= 2.6 writes the PT2 archive format; 2.4-2.5 a serialized program JSON
    if "archive_format" in members or "serialized_exported_program.json" in members:
        return None
    if any(m.startswith("models/") and m.endswith(".json") for m in members):
        return None
    return "no archive_format, models/*.json or serialized_exported_program.json"


async def validate_torch(metadata: Metadata, model_file: Path) -> None:
    """Check the archive layout and that the signature is made of tensors."""
    kind = metadata.servable.type
    problem = await asyncio.to_thread(torch_archive_problem, kind, model_file)
    if problem is not None:
        raise InvalidArgument(
            f"model file {model_file.name!r} is not a {TORCH_KINDS[kind]} archive: {problem}"
        )
    run = metadata.run
    problems = []
    inputs = [t.name for t in tensor_signature(run.input)]
    outputs = [t.name for t in tensor_signature(run.output)]
    if not inputs:
        problems.append("methods.run.input must be a dict of ndarray (one per forward argument)")
    if not outputs:
        problems.append("methods.run.output must be an ndarray or a dict of ndarray")
    # Stored documents sort their keys: the order of forward()'s arguments and
    # results is kept in method_details.input_order / output_order.
    for key, names in (("input_order", inputs), ("output_order", outputs)):
        order = run.method_details.get(key)
        if order is None and len(names) > 1:
            problems.append(f"methods.run.method_details.{key} must list {sorted(names)} in order")
        elif order is not None and (
            not isinstance(order, list) or sorted(map(str, order)) != sorted(names)
        ):
            problems.append(
                f"methods.run.method_details.{key} {order!r} must list each of {sorted(names)} once"
            )
    if problems:
        raise InvalidArgument(
            f"a {kind} servable takes and returns tensors: " + "; ".join(problems),
            details={"problems": problems},
        )
