"""Inputs by reference: the wire form (docs/staging.md).

A JSON input (python, sklearn servables) may give any value as a reference
object ``{"ref": "<url>"}`` (optional ``"as"``: ``path``, ``ndarray``,
``json``, ``text``; ``"dtype"`` and ``"shape"`` for raw ndarray bytes), and a
``file`` input also as a URL string or ``{"url": "<url>"}``. A tensor input
gives ``Tensor.ref`` instead of ``Tensor.data``. URLs: ``s3://bucket/key``,
``https://...``, ``http://...``, ``globus://<collection-id>/<path>``.

The task manager checks every reference before the run is accepted and
writes each one in its normal form ``{"ref", "as", ...}`` (the decode kind
read from the declared type), so the executor stages without the signature.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dlhub_common.errors import InvalidArgument, clip
from dlhub_common.metadata import IOSpec

SCHEMES = ("s3", "https", "http", "globus")
KINDS = ("path", "ndarray", "json", "text")
REF_KEYS = frozenset({"ref", "as", "dtype", "shape"})
# the decode kind of a reference at a position of this declared type
_KIND_OF_TYPE = {"file": "path", "ndarray": "ndarray", "string": "text"}


@dataclass(frozen=True)
class Reference:
    """One parsed reference. ``host`` is the bucket (s3) or collection id (globus)."""

    url: str
    scheme: str
    host: str
    port: int | None
    path: str

    @property
    def shown(self) -> str:
        return redact(self.url)


def redact(url: str) -> str:
    """``url`` as errors and logs may show it: no user:password, no query or fragment
    (presigned URLs carry their signature there)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        if parts.port is not None:
            netloc += f":{parts.port}"
    except ValueError:
        return clip(url.split("?", 1)[0].split("#", 1)[0])
    query = "?..." if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) + query


def parse(url: str) -> Reference:
    """Parse a reference URL.

    Raises:
        InvalidArgument: not a URL of a known scheme, or malformed (naming it, redacted).
    """
    if not isinstance(url, str) or not url or len(url) > 8192:
        raise InvalidArgument(f"a reference must be a URL string, got {clip(url)}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidArgument(f"reference {redact(url)} is not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise InvalidArgument(
            f"reference {redact(url)}: scheme {clip(parts.scheme or '(none)')} is not"
            f" allowed; use one of {', '.join(s + '://' for s in SCHEMES)}",
            details={"url": redact(url), "allowed_schemes": list(SCHEMES)},
        )
    host = parts.hostname or ""
    if not host:
        raise InvalidArgument(f"reference {redact(url)} names no host (or bucket/collection)")
    if any(ord(c) < 33 for c in url):
        raise InvalidArgument(f"reference {redact(url)} contains spaces or control characters")
    path = parts.path
    if scheme == "s3":
        if parts.query or parts.username:
            raise InvalidArgument(f"reference {redact(url)}: s3:// takes no query or user")
        if not path.lstrip("/"):
            raise InvalidArgument(f"reference {redact(url)} names no key (s3://bucket/key)")
    if scheme == "globus":
        host = parts.netloc
        try:
            uuid.UUID(host)
        except ValueError:
            raise InvalidArgument(
                f"reference {redact(url)}: globus://<collection-id>/<path> needs the"
                " collection's UUID"
            ) from None
        if not path.lstrip("/"):
            raise InvalidArgument(f"reference {redact(url)} names no path")
    return Reference(url=url, scheme=scheme, host=host, port=port, path=path)


def is_reference(value: Any) -> bool:
    """Is ``value`` a reference object ``{"ref": "<url>", ...}``?"""
    return (
        isinstance(value, dict) and isinstance(value.get("ref"), str) and value.keys() <= REF_KEYS
    )


def _looks_like_url(value: Any) -> bool:
    return (
        isinstance(value, str) and value.split("://", 1)[0].lower() in SCHEMES and ("://" in value)
    )


def _normal(obj: dict[str, Any], kind: str, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {"ref": obj["ref"], "as": obj.get("as") or kind}
    if out["as"] not in KINDS:
        raise InvalidArgument(f"{where}: 'as' must be one of {list(KINDS)}, got {clip(out['as'])}")
    if "dtype" in obj:
        if not isinstance(obj["dtype"], str):
            raise InvalidArgument(f"{where}: 'dtype' must be a string such as 'float32'")
        out["dtype"] = obj["dtype"]
    if "shape" in obj:
        shape = obj["shape"]
        if not isinstance(shape, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
        ):
            raise InvalidArgument(f"{where}: 'shape' must be a list of whole numbers")
        out["shape"] = shape
    parse(out["ref"])
    return out


def normalize_json(spec: IOSpec | None, value: Any, where: str = "input") -> tuple[Any, int]:
    """``value`` with every reference in its normal form; returns it and how many there are.

    Raises:
        InvalidArgument: a malformed reference (naming where it is).
    """
    count = 0

    def walk(spec: IOSpec | None, value: Any, where: str) -> Any:
        nonlocal count
        t = spec.type if spec is not None else "any"
        if is_reference(value):
            count += 1
            return _normal(value, _KIND_OF_TYPE.get(t, "json"), where)
        if t == "file":
            if _looks_like_url(value):
                count += 1
                return _normal({"ref": value}, "path", where)
            url = value.get("url") if isinstance(value, dict) else None
            if _looks_like_url(url) and "path" not in value:
                count += 1
                return _normal({"ref": url}, "path", where)
            return value
        if isinstance(value, list):
            item = spec.item_type if spec is not None and t == "list" else None
            if t == "ndarray":
                return value  # nested lists of numbers: a reference stands for the whole array
            return [walk(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            props = (spec.properties or {}) if spec is not None and t == "dict" else {}
            return {k: walk(props.get(k), v, f"{where}.{k}") for k, v in value.items()}
        return value

    out = walk(spec, value, where)
    return out, count


def json_references(value: Any) -> Iterator[dict[str, Any]]:
    """Every reference object (normal form or not) inside a decoded JSON value."""
    if is_reference(value):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from json_references(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from json_references(v)


def host_matches(host: str, patterns: list[str]) -> bool:
    """Does ``host`` match one of ``patterns`` (exact names, or ``*.suffix``)?"""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        p = pattern.lower().rstrip(".")
        if p.startswith("*.") and (host.endswith(p[1:]) and len(host) > len(p) - 1):
            return True
        if host == p:
            return True
    return False


def needs_token(ref: Reference, token_hosts: list[str]) -> bool:
    """Does staging ``ref`` send the caller's token? globus:// always; https to
    ``token_hosts`` only; never s3:// (executor credentials) or plain http."""
    if ref.scheme == "globus":
        return True
    return ref.scheme == "https" and host_matches(ref.host, token_hosts)
