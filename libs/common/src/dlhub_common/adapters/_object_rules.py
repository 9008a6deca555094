"""What every ObjectStore adapter checks, with the same messages.

Keys are ``sha256/<64 lowercase hex digits>`` naming the content; a put may
name the digest it expects and a size limit. The local and S3 adapters apply
these rules the same way; where the bytes go is theirs.
"""

from __future__ import annotations

import re

from dlhub_common.errors import InvalidArgument, ResourceExhausted
from dlhub_common.ports.objects import ObjectInfo

_KEY = re.compile(r"sha256/([0-9a-f]{64})")
_HEX = re.compile(r"[0-9a-f]{64}")


def key_digest(key: str) -> str:
    """The hex digest an object key names."""
    match = _KEY.fullmatch(key) if isinstance(key, str) else None
    if match is None:
        raise InvalidArgument(f"object key {key!r} is not 'sha256/<64 lowercase hex digits>'")
    return match.group(1)


def is_digest(text: str) -> bool:
    """Whether ``text`` is 64 lowercase hex digits."""
    return _HEX.fullmatch(text) is not None


def expected_digest(expected_sha256: str | None) -> str | None:
    """A put's ``expected_sha256``, lowercased, or None when not given."""
    if expected_sha256 is None:
        return None
    expected_sha256 = expected_sha256.lower()
    if not _HEX.fullmatch(expected_sha256):
        raise InvalidArgument(f"expected sha256 {expected_sha256!r} is not 64 hex digits")
    return expected_sha256


def check_size(size: int, max_bytes: int | None) -> None:
    """Refuse a stream that has grown past a put's ``max_bytes``."""
    if max_bytes is not None and size > max_bytes:
        raise ResourceExhausted(
            f"object is larger than the limit of {max_bytes} bytes",
            details={"max_bytes": max_bytes},
        )


def verify_digest(digest: str, expected: str | None) -> None:
    if expected is not None and digest != expected:
        raise InvalidArgument(
            f"content sha256 is {digest}, expected {expected}",
            details={"expected_sha256": expected, "actual_sha256": digest},
        )


def check_chunk_size(chunk_size: int) -> None:
    if chunk_size <= 0:
        raise InvalidArgument("chunk_size must be positive")


def object_info(digest: str, size: int, *, created: bool) -> ObjectInfo:
    return ObjectInfo(key=f"sha256/{digest}", sha256=digest, size=size, created=created)
