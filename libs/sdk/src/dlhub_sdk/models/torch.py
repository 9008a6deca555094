"""PyTorch servables: TorchScript or torch.export archives, run by the executor's torch runner.

:class:`TorchServable` takes an ``nn.Module`` and example inputs, traces (or
scripts) it to TorchScript, or exports it with ``torch.export``, saves the
archive, loads it back and runs it on the example inputs. The signature
(dtypes, shapes, with ``null`` for the batch dimension) comes from that run,
and the saved model must answer like the module itself. The registry cannot
check a PyTorch signature (it does not import torch), so this build-time run
is where a mismatch is caught.

:meth:`TorchServable.to_onnx` exports the same module to ONNX (the legacy
TorchScript-based exporter), checks it with ONNX Runtime against torch and
returns an :class:`~dlhub_sdk.models.onnx.OnnxServable`, for the lighter
runtime.

Needs ``torch`` in the SDK's environment (``dlhub-sdk[torch]``).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import warnings
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dlhub_common.errors import InvalidArgument
from dlhub_sdk.models._torch_onnx import torch_to_onnx
from dlhub_sdk.models._torch_parts import (
    DEFAULT_TOLERANCE,
    KINDS,
    TORCH_ITEM_TYPES,
    Array,
    _close,
    _flatten,
    _forward_names,
    _import_torch,
    _item_type,
)
from dlhub_sdk.models.base import ServableBuilder
from dlhub_sdk.models.onnx import OnnxServable


class TorchServable(ServableBuilder):
    """A PyTorch ``nn.Module`` published as TorchScript or as a torch.export program.

    Args:
        module: the model (put in eval mode here). A ``torch.jit.ScriptModule``
            is saved as is (``kind="torchscript"``).
        example_inputs: one tensor or array, or a tuple of them, one per
            forward() argument; the model is traced/exported and checked on them.
        name: the servable name.
        kind: ``"torchscript"`` (``torch.jit.trace``, or ``torch.jit.script``
            with ``script=True``; file ``model.pt``) or ``"export"``
            (``torch.export.export``; file ``model.pt2``).
        input_names: names of forward()'s arguments in the signature
            (default: forward()'s parameter names, or input_0..n).
        output_names: names of the outputs (default: the keys of a dict
            result, else output_0..n).
        dynamic_batch: the first axis of every input and output is the batch
            (``null`` in the signature); checked by running a second batch size.
        script: TorchScript by ``torch.jit.script`` rather than tracing.
        tolerance: how far the saved model may be from the module (absolute
            and relative), default 1e-4.
        output_dir: where to write the archive (default: a temporary folder
            removed with the builder).
        classes: names of the output's classes, in order (``set_classes``):
            results can come back labelled; InvalidArgument when their number
            differs from every output's values per row.
    """

    def __init__(
        self,
        module: Any,
        example_inputs: Any,
        name: str,
        *,
        kind: str = "torchscript",
        input_names: Sequence[str] | None = None,
        output_names: Sequence[str] | None = None,
        dynamic_batch: bool = True,
        script: bool = False,
        tolerance: float = DEFAULT_TOLERANCE,
        output_dir: str | Path | None = None,
        classes: Sequence[str] | None = None,
    ) -> None:
        if kind not in KINDS:
            raise InvalidArgument(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
        self.servable_type, filename = KINDS[kind]
        super().__init__()
        torch = _import_torch()
        self.torch = torch
        self.kind = kind
        self.module = module
        if hasattr(module, "eval"):
            # a loaded torch.export module refuses eval(): its mode is fixed already
            with contextlib.suppress(NotImplementedError):
                self.module = module.eval()
        self.dynamic_batch = dynamic_batch
        self.script = script
        self.tolerance = tolerance
        self.example_inputs = self._as_tensors(example_inputs)
        count = len(self.example_inputs)
        self.input_names = list(input_names) if input_names else _forward_names(self.module, count)
        if len(self.input_names) != count or len(set(self.input_names)) != count:
            raise InvalidArgument(
                f"input_names {self.input_names} must name each of the {count} example inputs once"
            )
        for i, t in enumerate(self.example_inputs):
            _item_type(torch, t, f"example input {i}")
            if dynamic_batch and t.dim() == 0:
                raise InvalidArgument(
                    f"example input {i} is a scalar; with dynamic_batch=True every input"
                    " needs a batch axis first"
                )

        if output_dir is None:
            folder = Path(tempfile.mkdtemp(prefix="dlhub-torch-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, folder, True)
        else:
            folder = Path(output_dir)
            folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.model_path = folder / filename

        with torch.inference_mode():
            own_names, expected = _flatten(self.module(*self.example_inputs))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.jit deprecation, tracer warnings
            self._save()
            loaded = self._load()
            with torch.inference_mode():
                _, got = _flatten(loaded(*self.example_inputs))
        self.output_names = list(output_names or own_names or [])
        if not self.output_names:
            self.output_names = [f"output_{i}" for i in range(len(expected))]
        if len(self.output_names) != len(expected):
            raise InvalidArgument(
                f"output_names {self.output_names} name {len(self.output_names)} outputs;"
                f" the model returns {len(expected)}"
            )
        worst = self._compare(expected, got, f"the saved {kind} model")
        batch_axes = self._batch_check(loaded) if dynamic_batch else None

        inputs = {
            n: self._spec(t, f"input {n!r}")
            for n, t in zip(self.input_names, self.example_inputs, strict=True)
        }
        outputs = {
            n: self._spec(t, f"output {n!r}", batch_axes.get(n) if batch_axes else None)
            for n, t in zip(self.output_names, got, strict=True)
        }
        version = torch.__version__.split("+")[0]
        self._servable["methods"]["run"] = {
            "input": {"type": "dict", "properties": inputs},
            "output": {"type": "dict", "properties": outputs},
            "parameters": {},
            "method_details": {
                "framework": "pytorch",
                "kind": kind,
                # stored documents sort their keys: forward()'s order is kept here
                "input_order": list(self.input_names),
                "output_order": list(self.output_names),
                "module": f"{type(module).__module__}.{type(module).__qualname__}",
                "torch_version": version,
                "fidelity_check": {
                    "compared": self.output_names,
                    "max_abs_difference": float(f"{worst:.3g}"),
                    "tolerance": tolerance,
                },
            },
        }
        self.add_dependency("torch", version)
        self._files[filename] = self.model_path
        self._dlhub["files"]["model"] = filename
        self.set_name(name)
        if classes:
            self.set_classes(classes)

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        input_shapes: Sequence[Sequence[int]],
        name: str | None = None,
        *,
        kind: str | None = None,
        input_dtypes: Sequence[str] = ("float32",),
        input_names: Sequence[str] | None = None,
        output_names: Sequence[str] | None = None,
        dynamic_batch: bool | None = None,
        seed: int = 0,
        tolerance: float = DEFAULT_TOLERANCE,
        output_dir: str | Path | None = None,
        classes: Sequence[str] | None = None,
    ) -> TorchServable:
        """A servable from a saved TorchScript (``.pt``) or torch.export (``.pt2``) archive.

        The archive is loaded here (``torch.jit.load`` / ``torch.export.load``:
        only ever your own files, in your own process), run on seeded random
        inputs of ``input_shapes`` (one shape per forward() argument) and
        described exactly as the constructor describes a module.

        Args:
            kind: ``"torchscript"`` or ``"export"`` (default: ``.pt2`` is export).
            input_dtypes: one dtype for every input, or one per input.
            dynamic_batch: None (the default) tries a dynamic batch axis and
                falls back to a fixed one when the model does not accept another
                batch size.
        """
        torch = _import_torch()
        src = Path(path)
        if kind is None:
            kind = "export" if src.suffix.lower() == ".pt2" else "torchscript"
        if kind not in KINDS:
            raise InvalidArgument(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
        if not src.is_file():
            raise InvalidArgument(f"{src} is not a readable file")
        if not input_shapes:
            raise InvalidArgument("give the shape of each input (e.g. 1,1,8,8)")
        dtypes = list(input_dtypes) or ["float32"]
        if len(dtypes) == 1:
            dtypes *= len(input_shapes)
        if len(dtypes) != len(input_shapes):
            raise InvalidArgument(
                f"{len(dtypes)} input dtypes for {len(input_shapes)} input shapes;"
                " give one dtype, or one per input"
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if kind == "torchscript":
                    module = torch.jit.load(str(src), map_location="cpu")
                else:
                    module = torch.export.load(str(src)).module()
        except Exception as exc:
            raise InvalidArgument(
                f"{src} is not a loadable {kind} archive: {type(exc).__name__}: {str(exc)[:300]}"
            ) from None
        generator = torch.Generator().manual_seed(seed)
        examples = []
        for i, (shape, dtype_name) in enumerate(zip(input_shapes, dtypes, strict=True)):
            if dtype_name not in TORCH_ITEM_TYPES:
                raise InvalidArgument(
                    f"input dtype {dtype_name!r}: use one of {', '.join(TORCH_ITEM_TYPES)}"
                )
            dims = [int(d) for d in shape]
            if any(d < 0 for d in dims):
                raise InvalidArgument(f"input {i} shape {dims} has a negative size")
            dtype = getattr(torch, dtype_name)
            if dtype.is_floating_point:
                examples.append(torch.rand(dims, generator=generator).to(dtype))
            elif dtype == torch.bool:
                examples.append(torch.randint(0, 2, dims, generator=generator).bool())
            else:
                examples.append(torch.randint(0, 10, dims, generator=generator).to(dtype))

        def build(dynamic: bool) -> TorchServable:
            servable = cls(
                module,
                tuple(examples),
                name or src.stem.lower().replace(" ", "-").replace(".", "-"),
                kind=kind,
                input_names=input_names,
                output_names=output_names,
                dynamic_batch=dynamic,
                tolerance=tolerance,
                output_dir=output_dir,
                classes=classes,
            )
            details = servable._servable["methods"]["run"]["method_details"]
            if kind == "export":
                details["module"] = "torch.export.ExportedProgram"
            else:
                details["module"] = str(getattr(module, "original_name", "") or details["module"])
            details["source_file"] = src.name
            return servable

        if dynamic_batch is not None:
            return build(dynamic_batch)
        if all(len(s) > 0 for s in input_shapes):
            try:
                return build(True)
            except InvalidArgument:
                pass  # the batch axis cannot vary: describe it as fixed
        return build(False)

    # -------------------------------------------------------- building

    def _as_tensors(self, example_inputs: Any) -> list[Any]:
        torch = self.torch
        items = (
            list(example_inputs) if isinstance(example_inputs, tuple | list) else [example_inputs]
        )
        if not items:
            raise InvalidArgument("example_inputs must hold at least one tensor")
        out = []
        for i, item in enumerate(items):
            if isinstance(item, torch.Tensor):
                out.append(item.detach().cpu())
            else:
                try:
                    out.append(torch.from_numpy(np.ascontiguousarray(item)))
                except (TypeError, ValueError) as exc:
                    raise InvalidArgument(f"example input {i} is not a tensor: {exc}") from None
        return out

    def _export_inputs(self) -> tuple[Any, ...]:
        """The example inputs, with a batch of at least 2 when the batch is dynamic
        (torch specializes dimensions of size 1)."""
        if self.dynamic_batch and self.example_inputs[0].shape[0] == 1:
            return tuple(self.torch.cat([t, t]) for t in self.example_inputs)
        return tuple(self.example_inputs)

    def _save(self) -> None:
        torch = self.torch
        args = self._export_inputs()
        try:
            if self.kind == "torchscript":
                if isinstance(self.module, torch.jit.ScriptModule):
                    scripted = self.module
                elif self.script:
                    scripted = torch.jit.script(self.module)
                else:
                    scripted = torch.jit.trace(self.module, args)
                torch.jit.save(scripted, str(self.model_path))
            else:
                dynamic = None
                if self.dynamic_batch:
                    batch = torch.export.Dim("batch")
                    dynamic = tuple({0: batch} for _ in args)
                program = torch.export.export(self.module, args, dynamic_shapes=dynamic)
                torch.export.save(program, str(self.model_path))
        except Exception as exc:
            hint = (
                "; if the batch axis cannot vary, pass dynamic_batch=False"
                if self.dynamic_batch
                else ""
            )
            raise InvalidArgument(
                f"cannot save {type(self.module).__name__} as {self.kind}:"
                f" {type(exc).__name__}: {str(exc)[:800]}{hint}"
            ) from None

    def _load(self) -> Any:
        torch = self.torch
        if self.kind == "torchscript":
            return torch.jit.load(str(self.model_path), map_location="cpu")
        return torch.export.load(str(self.model_path)).module()

    def _compare(self, expected: list[Any], got: list[Any], what: str) -> float:
        if len(got) != len(expected):
            raise InvalidArgument(
                f"{what} returns {len(got)} outputs where the module returns {len(expected)}"
            )
        worst = 0.0
        for name, e, g in zip(self.output_names, expected, got, strict=True):
            _item_type(self.torch, g, f"output {name!r}")
            diff = _close(e.float().numpy(), g.float().numpy(), self.tolerance)
            if diff is None:
                raise InvalidArgument(
                    f"{what} does not reproduce the module's output {name!r} on the example"
                    f" inputs (shapes {list(e.shape)} vs {list(g.shape)}, tolerance"
                    f" {self.tolerance:g}); refusing to publish it"
                )
            worst = max(worst, diff)
        return worst

    def _batch_check(self, loaded: Any) -> dict[str, bool]:
        """Run one more batch size; which outputs follow the batch on axis 0."""
        torch = self.torch
        n = int(self.example_inputs[0].shape[0])
        if any(int(t.shape[0]) != n for t in self.example_inputs):
            raise InvalidArgument(
                "with dynamic_batch=True every example input needs the same size on axis 0"
            )
        bigger = tuple(torch.cat([t, t[:1]]) for t in self.example_inputs)
        try:
            with torch.inference_mode():
                _, outs = _flatten(loaded(*bigger))
        except Exception as exc:
            raise InvalidArgument(
                f"the saved model fails on a batch of {n + 1} ({type(exc).__name__}:"
                f" {str(exc)[:300]}); pass dynamic_batch=False if its batch is fixed"
            ) from None
        _, base = _flatten(loaded(*self.example_inputs))
        return {
            name: b.dim() > 0 and o.dim() > 0 and o.shape[0] == n + 1 and b.shape[0] == n
            for name, b, o in zip(self.output_names, base, outs, strict=True)
        }

    def _spec(self, tensor: Any, what: str, batch: bool | None = None) -> dict[str, Any]:
        shape: list[int | None] = [int(d) for d in tensor.shape]
        dynamic = self.dynamic_batch if batch is None else batch
        if dynamic and shape:
            shape[0] = None
        return {
            "type": "ndarray",
            "shape": shape,
            "item_type": {"type": _item_type(self.torch, tensor, what)},
        }

    # -------------------------------------------------------- running locally

    def predict(self, *inputs: Any) -> dict[str, Array]:
        """The module's outputs on ``inputs`` (arrays or tensors), by output name,
        as a DLHub run returns them."""
        with self.torch.inference_mode():
            _, outs = _flatten(self.module(*self._as_tensors(inputs)))
        return {n: o.detach().cpu().numpy() for n, o in zip(self.output_names, outs, strict=True)}

    # -------------------------------------------------------- ONNX

    # -------------------------------------------------------- ONNX

    def to_onnx(
        self,
        path: str | Path | None = None,
        *,
        name: str | None = None,
        opset: int = 17,
        tolerance: float | None = None,
    ) -> OnnxServable:
        """Export the module to ONNX and return it as an :class:`OnnxServable`.

        The ONNX model has the same input and output names (batch axes
        symbolic when ``dynamic_batch``); it is run with ONNX Runtime on the
        example inputs and refused (InvalidArgument) unless it matches torch
        within ``tolerance`` (default: this builder's). Citation metadata set
        so far (title, authors, domains, visibility...) is copied.

        Args:
            path: the ``.onnx`` file (default: next to the torch archive).
            name: the ONNX servable's name (default: ``<name>-onnx``).
            opset: the ONNX opset to export to.
        """
        return torch_to_onnx(self, path, name=name, opset=opset, tolerance=tolerance)
