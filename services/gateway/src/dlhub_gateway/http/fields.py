"""Field types of the REST bodies: strict about JSON types, bounded in range.

An integer field takes a JSON integer (``3``, or ``3.0``, which JSON Schema
counts as the same integer) and nothing else: not ``"3"``, not ``true``, not
``3.5``. Integers are bounded by :data:`JSON_INT_MAX` (2**53 - 1), the largest
that every JSON client reads exactly.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, Strict

JSON_INT_MAX = 2**53 - 1


def _integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# A JSON integer in 0..2**53 - 1: versions, sizes, offsets, dimensions.
Count = Annotated[int, Strict(), Field(ge=0, le=JSON_INT_MAX), BeforeValidator(_integral)]
