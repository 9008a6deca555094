"""Bounded label values for per-servable families.

A label value never comes from what a caller typed: only servables the
registry resolved get their own ``owner/name``; anything else (an unknown or
refused name) is counted under :data:`UNKNOWN`, so a caller cannot grow the
label set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

UNKNOWN = "unknown"


class _Ref(Protocol):
    owner: str
    name: str
    version: int


def servable_labels(ref: Any) -> tuple[str, str]:
    """``("owner/name", "version")`` of a resolved servable; ``("unknown", "")`` for none."""
    if ref is None:
        return UNKNOWN, ""
    if isinstance(ref, Mapping):
        owner, name, version = ref.get("owner"), ref.get("name"), ref.get("version")
    else:
        owner, name, version = ref.owner, ref.name, ref.version
    if not owner or not name:
        return UNKNOWN, ""
    return f"{owner}/{name}", str(int(version or 0))
