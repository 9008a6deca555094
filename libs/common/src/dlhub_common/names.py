"""Servable names, references and their Open Inference Protocol spelling.

A servable is ``owner/name`` plus an immutable integer version. Owners and
names are lower-case slugs without dots, which makes this OIP mapping
unambiguous and URL-safe:

* OIP model name: ``owner.name`` (``owner/name`` is also accepted over gRPC,
  and ``owner%2Fname`` over REST, but ``owner.name`` is what DLHub reports);
* OIP model version: the version number as a string; empty means latest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dlhub_common.bounds import INT64_MAX
from dlhub_common.errors import CLIP_CHARS, InvalidArgument, clip

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?\Z")  # \Z: no trailing newline
SLUG_RULE = (
    "1-64 characters: lower-case letters, digits, '-' and '_', starting and ending alphanumeric"
)
_REF_RE = re.compile(r"^(?P<owner>[^/.:@\s]+)[/.](?P<name>[^/.:@\s]+)(?:[:@](?P<version>\S+))?$")


def check_slug(kind: str, value: str) -> str:
    """Return ``value`` when it is a valid owner or name, else raise InvalidArgument."""
    if not isinstance(value, str) or not SLUG_RE.match(value):
        cut = value[:CLIP_CHARS] if isinstance(value, str) else clip(value)
        raise InvalidArgument(f"invalid {kind} {clip(value)}: {SLUG_RULE}", details={kind: cut})
    return value


@dataclass(frozen=True)
class Ref:
    """A reference to a servable; ``version`` 0 means the latest version."""

    owner: str
    name: str
    version: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def oip_name(self) -> str:
        return f"{self.owner}.{self.name}"

    def __str__(self) -> str:
        return self.full_name if self.version == 0 else f"{self.full_name}:{self.version}"


def parse_version(text: str | int | None) -> int:
    """Parse a version: '' / None / 'latest' -> 0, else a positive integer (< 2**63)."""
    if text is None or text == "" or text == "latest":
        return 0
    problem = f"invalid version {clip(text)}: expected a positive integer"
    if isinstance(text, str) and len(text) > 20:  # longer than any int64: no int() of it
        raise InvalidArgument(problem)
    try:
        version = int(text)
    except (TypeError, ValueError):
        raise InvalidArgument(problem) from None
    if not 0 <= version <= INT64_MAX:
        raise InvalidArgument(f"{problem} below 2**63", details={"field": "version"})
    return version


def parse_ref(text: str, version: str | int | None = None) -> Ref:
    """Parse ``owner/name``, ``owner.name``, ``owner/name:3`` or ``owner/name@3``.

    Args:
        text: the reference.
        version: an explicit version that overrides one in ``text``.
    """
    match = _REF_RE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise InvalidArgument(
            f"invalid servable reference {clip(text)}:"
            " expected 'owner/name' or 'owner/name:version'"
        )
    owner = check_slug("owner", match["owner"])
    name = check_slug("name", match["name"])
    ver = parse_version(version) if version not in (None, "") else parse_version(match["version"])
    return Ref(owner, name, ver)
