"""Validate JSON values against DLHub's typed I/O specs.

Servables that are not tensor-typed (type ``python``) take and return one
JSON value. Their declared ``methods.run.input`` / ``output`` use DLHub's
types: ``number``, ``integer``, ``string``, ``boolean``, ``ndarray`` (nested
lists with a ``shape`` and an ``item_type``), ``list`` (``item_type``),
``dict`` (``properties``), ``file`` (a URL or path string, or an object with
``url``/``path``), and ``any``. A reference object ``{"ref": "<url>"}``
(dlhub_common.references) fits any type: it is checked when staged.
:func:`check_value` walks a value against a spec and reports every mismatch with its path, e.g.
``input[2]: expected string, got number``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from dlhub_common.bounds import check_json_size
from dlhub_common.errors import InvalidArgument
from dlhub_common.metadata import IOSpec
from dlhub_common.references import is_reference

MAX_PROBLEMS = 20
_INT_ITEMS = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "integer"}
_FLOAT_ITEMS = {"float16", "float32", "float64", "bfloat16", "float", "number"}
_BOOL_ITEMS = {"bool", "boolean"}
_STRING_ITEMS = {"string", "bytes"}


def json_type(value: Any) -> str:
    """The DLHub name of a decoded JSON value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def _scalar(spec_type: str, value: Any) -> bool:
    """Does ``value`` fit the scalar (or ndarray item) type ``spec_type``?"""
    if spec_type in ("number", "float") or spec_type in _FLOAT_ITEMS:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if spec_type in _INT_ITEMS:
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if spec_type in _BOOL_ITEMS:
        return isinstance(value, bool)
    if spec_type in _STRING_ITEMS:
        return isinstance(value, str)
    return True


def _expected_name(spec_type: str) -> str:
    if spec_type in _FLOAT_ITEMS:
        return "number"
    if spec_type in _INT_ITEMS:
        return "integer"
    if spec_type in _BOOL_ITEMS:
        return "boolean"
    if spec_type in _STRING_ITEMS:
        return "string"
    return spec_type


def _walk(spec: IOSpec, value: Any, path: str, problems: list[str]) -> None:
    if len(problems) >= MAX_PROBLEMS:
        return
    t = spec.type
    if t == "any" or is_reference(value):  # a reference: checked where it is staged
        return
    if t == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected list, got {json_type(value)}")
            return
        if spec.shape and spec.shape[0] is not None and len(value) != spec.shape[0]:
            problems.append(f"{path}: expected {spec.shape[0]} items, got {len(value)}")
        if spec.item_type is not None:
            for i, item in enumerate(value):
                _walk(spec.item_type, item, f"{path}[{i}]", problems)
        return
    if t == "dict":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected dict, got {json_type(value)}")
            return
        props = spec.properties or {}
        for key in props.keys() - value.keys():
            problems.append(f"{path}: missing key {key!r}")
        for key, sub in props.items():
            if key in value:
                _walk(sub, value[key], f"{path}.{key}", problems)
        return
    if t == "ndarray":
        _ndarray(spec, value, path, 0, problems)
        return
    if t == "file":
        ok = isinstance(value, str) or (
            isinstance(value, dict) and isinstance(value.get("url", value.get("path")), str)
        )
        if not ok:
            problems.append(f"{path}: expected file (a URL or path string), got {json_type(value)}")
        return
    if not _scalar(t, value):
        problems.append(f"{path}: expected {_expected_name(t)}, got {json_type(value)}")
    elif isinstance(value, float) and not math.isfinite(value):
        problems.append(f"{path}: expected a finite number, got {value}")


def _ndarray(spec: IOSpec, value: Any, path: str, axis: int, problems: list[str]) -> None:
    shape = spec.shape or []
    if len(problems) >= MAX_PROBLEMS or (axis == 0 and is_reference(value)):
        return
    if axis == len(shape):
        item = spec.item_type
        if item is not None and not _scalar(item.type, value):
            problems.append(f"{path}: expected {_expected_name(item.type)}, got {json_type(value)}")
        return
    if not isinstance(value, list):
        problems.append(
            f"{path}: expected a list (axis {axis} of an ndarray of rank {len(shape)}),"
            f" got {json_type(value)}"
        )
        return
    want = shape[axis]
    if want is not None and len(value) != want:
        problems.append(f"{path}: expected {want} items on axis {axis}, got {len(value)}")
        return
    for i, sub in enumerate(value):
        _ndarray(spec, sub, f"{path}[{i}]", axis + 1, problems)


def problems_of(spec: IOSpec, value: Any, root: str = "input") -> list[str]:
    """Every mismatch between ``value`` and ``spec`` (at most MAX_PROBLEMS)."""
    problems: list[str] = []
    _walk(spec, value, root, problems)
    return problems


def check_value(spec: IOSpec, value: Any, root: str = "input") -> None:
    """Validate a decoded JSON value against a spec.

    Raises:
        InvalidArgument: naming each bad path, e.g. ``input[2]: expected string, got number``.
    """
    problems = problems_of(spec, value, root)
    if problems:
        raise InvalidArgument(
            "; ".join(problems),
            details={"problems": problems, "expected": spec.model_dump_doc()},
        )


def check_json(spec: IOSpec, text: str, root: str = "input") -> Any:
    """Decode ``text`` as JSON and validate it; returns the decoded value.

    Raises:
        InvalidArgument: not JSON, or the value does not fit the spec.
    """
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidArgument(f"{root} is not valid JSON: {exc}") from None
    check_json_size(value, root)
    check_value(spec, value, root)
    return value
