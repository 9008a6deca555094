"""Shared pieces of the PyTorch builders: importing torch, dtypes, forward() results."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np

from dlhub_common.errors import FailedPrecondition, InvalidArgument

DEFAULT_TOLERANCE = 1e-4
KINDS = {"torchscript": ("torchscript", "model.pt"), "export": ("torch_export", "model.pt2")}
# torch dtype names DLHub can carry as ndarray item types
TORCH_ITEM_TYPES = (
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "float32",
    "float64",
)

Array = np.ndarray[Any, Any]


def _import_torch() -> Any:
    try:
        import torch
    except ImportError:
        raise FailedPrecondition(
            "PyTorch servables need torch in this Python environment (pip install torch)"
        ) from None
    return torch


def _item_type(torch: Any, tensor: Any, what: str) -> str:
    if not isinstance(tensor, torch.Tensor):
        raise InvalidArgument(f"{what} is a {type(tensor).__name__}; DLHub serves tensors")
    name = str(tensor.dtype).removeprefix("torch.")
    if name not in TORCH_ITEM_TYPES:
        raise InvalidArgument(
            f"{what} is a {name} tensor; DLHub serves tensors of {', '.join(TORCH_ITEM_TYPES)}"
        )
    return name


def _flatten(value: Any) -> tuple[list[str] | None, list[Any]]:
    """A forward() result as (its own names or None, tensors)."""
    if isinstance(value, Mapping):
        return [str(k) for k in value], list(value.values())
    if isinstance(value, list | tuple):
        return None, list(value)
    return None, [value]


def _forward_names(module: Any, count: int) -> list[str]:
    """forward()'s positional parameter names, or input_0..n when it takes *args."""
    try:
        params = list(inspect.signature(module.forward).parameters.values())
    except (TypeError, ValueError, AttributeError):
        params = []
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = [p.name for p in params if p.kind in kinds]
    if len(names) >= count and not any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return names[:count]
    return [f"input_{i}" for i in range(count)]


def _close(expected: Any, actual: Any, tolerance: float) -> float | None:
    """Max abs difference when within tolerance (relative and absolute), else None."""
    e = np.asarray(expected, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    if e.shape != a.shape:
        return None
    if e.size == 0:
        return 0.0
    if not np.allclose(e, a, rtol=tolerance, atol=tolerance, equal_nan=True):
        return None
    return float(np.max(np.nan_to_num(np.abs(e - a), nan=0.0, posinf=0.0)))
