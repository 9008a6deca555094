"""Bundle downloads: the archive over HTTP, unpacked as it streams."""

from __future__ import annotations

import json
import shutil
import tarfile
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath
from typing import Any

from dlhub_common.errors import error_from_code
from dlhub_sdk._uploads import CHUNK


def fetch_bundle(url: str, headers: dict[str, str], out: Path, timeout: float) -> None:
    """GET the bundle at ``url`` and unpack it into ``out``; HTTP errors become DLHubErrors."""
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers), timeout=timeout
        ) as resp:
            _extract_bundle(resp, out)
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read() or b"{}")
        except ValueError:
            body = {}
        if not isinstance(body, dict) or "code" not in body:
            raise error_from_code("INTERNAL", f"HTTP {exc.code}: {exc.reason}") from None
        raise error_from_code(
            str(body["code"]), str(body.get("error", exc.reason)), body.get("details")
        ) from None


def _extract_bundle(stream: Any, out: Path) -> None:
    """Unpack a bundle tar.gz stream into ``out``, dropping its top directory;
    only regular files, only below ``out``."""
    root = out.resolve()
    with tarfile.open(fileobj=stream, mode="r|gz") as tar:
        for member in tar:
            parts = PurePosixPath(member.name).parts[1:]
            if not member.isfile() or not parts or ".." in parts:
                continue
            target = root.joinpath(*parts)
            if root not in target.resolve().parents:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            assert src is not None
            with target.open("wb") as fh:
                shutil.copyfileobj(src, fh, CHUNK)
