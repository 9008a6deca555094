"""Results labelled by class: ``{class: probability}``, highest first.

A servable that declares ``servable.classes`` (names of its output's values,
in output order) can have its results returned labelled: through the SDK
(``client.run(..., labelled=True)``), the CLI (``dlhub run --labelled``) and
HTTP (``?labelled=true``). The raw tensors stay the default (and the only
form over OIP).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from dlhub_common.errors import InvalidArgument


def _row_size(spec: Mapping[str, Any]) -> int | None:
    # Values per row of an ndarray output: its dims after a null batch axis.
    shape = spec.get("shape")
    if spec.get("type") != "ndarray" or not isinstance(shape, list) or not shape:
        return None
    dims = shape[1:] if shape[0] is None or len(shape) > 1 else shape
    if any(d is None for d in dims):
        return None
    return math.prod(dims)


def output_sizes(output: Mapping[str, Any]) -> dict[str, int]:
    """Values per row of every ndarray output whose shape says so, by name."""
    if output.get("type") == "dict":
        props = output.get("properties") or {}
        found = {name: _row_size(spec) for name, spec in props.items()}
    else:
        found = {"output": _row_size(output)}
    return {name: size for name, size in found.items() if size is not None}


def classes_problem(classes: Sequence[str] | None, output: Mapping[str, Any]) -> str | None:
    """Why ``classes`` cannot label this output (``None`` when they can, or when
    no output's size is known)."""
    if not classes:
        return None
    sizes = output_sizes(output)
    if not sizes or len(classes) in sizes.values():
        return None
    listing = ", ".join(f"{name!r}: {size}" for name, size in sizes.items())
    return (
        f"classes lists {len(classes)} names but no output has {len(classes)} values"
        f" per row ({listing})"
    )


def check_classes(classes: Sequence[str] | None, output: Mapping[str, Any]) -> None:
    """Raises InvalidArgument when ``classes`` cannot label the output."""
    problem = classes_problem(classes, output)
    if problem:
        raise InvalidArgument(problem)


def labelled(classes: Sequence[str], outputs: Mapping[str, Any]) -> list[dict[str, float]]:
    """One ``{class: probability}`` per row, highest first, from the first output
    with one value per class in each row.

    Raises:
        InvalidArgument: the servable has no classes, or no output fits them.
    """
    if not classes:
        raise InvalidArgument("this servable declares no classes: its results cannot be labelled")
    for array in outputs.values():
        values = np.asarray(array)
        if values.dtype.kind not in "biuf" or values.size % len(classes):
            continue
        rows = values.astype(np.float64).reshape(-1, len(classes))
        if values.ndim >= 1 and values.shape[-1] != len(classes) and values.ndim > 1:
            continue
        return [
            dict(sorted(zip(classes, map(float, row), strict=True), key=lambda p: -p[1]))
            for row in rows
        ]
    shapes = {name: list(np.shape(a)) for name, a in outputs.items()}
    raise InvalidArgument(
        f"no output has one value per class ({len(classes)} classes; outputs: {shapes})"
    )
