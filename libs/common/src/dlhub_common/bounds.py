"""Bounds on what callers send, checked where it enters.

Integers from the outside (versions, offsets, sizes, dimensions, counts) are
range-checked before they reach a protobuf field or an allocation, and JSON
values are bounded in nesting depth and element count before they are walked.
Each refusal is an :class:`~dlhub_common.errors.InvalidArgument` naming the field.
"""

from __future__ import annotations

import math
from typing import Any

from dlhub_common.errors import InvalidArgument, clip

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
# The deepest JSON value a request may hold (a tensor of rank 32 nests 33 deep).
MAX_JSON_DEPTH = 64
# The most scalars and containers one JSON value may hold.
MAX_JSON_ITEMS = 16 * 2**20
# The longest timeout a caller may ask for (a day).
MAX_TIMEOUT_S = 86_400.0


def check_int(field: str, value: object, *, lo: int = 0, hi: int = INT64_MAX) -> int:
    """``value`` as an int in ``[lo, hi]``; else InvalidArgument naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(
            f"{field} must be an integer, not {clip(value)}", details={"field": field}
        )
    if not lo <= value <= hi:
        raise InvalidArgument(
            f"{field} {clip(value)} is out of range: expected {lo}..{hi}",
            details={"field": field, "min": lo, "max": hi},
        )
    return value


def check_timeout(field: str, value: float, *, hi: float = MAX_TIMEOUT_S) -> float:
    """A timeout in seconds: finite, ``0 <= value <= hi`` (0 = the default)."""
    if not math.isfinite(value) or not 0 <= value <= hi:
        raise InvalidArgument(
            f"{field} {clip(value)} is out of range: expected 0..{hi:g} seconds",
            details={"field": field, "min": 0, "max": hi},
        )
    return value


def check_json_size(
    value: Any,
    what: str,
    *,
    max_depth: int = MAX_JSON_DEPTH,
    max_items: int = MAX_JSON_ITEMS,
) -> None:
    """Refuse a decoded JSON value nested deeper than ``max_depth`` or holding more
    than ``max_items`` values; walks iteratively, so any depth is safe to check."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    items = 0
    while stack:
        node, depth = stack.pop()
        items += 1
        if items > max_items:
            raise InvalidArgument(
                f"{what} holds more than {max_items} values", details={"max_items": max_items}
            )
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        if depth >= max_depth and len(children):
            raise InvalidArgument(
                f"{what} is nested deeper than {max_depth} levels",
                details={"max_depth": max_depth},
            )
        stack.extend((c, depth + 1) for c in children)
