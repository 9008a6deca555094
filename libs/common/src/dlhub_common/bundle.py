"""Servable bundles as downloadable tar.gz archives with an OCI build context.

A version's bundle is its stored artifacts, including the two the registry
writes: ``dlhub.json`` (the canonical metadata) and ``environment.lock`` (the
resolved environment of a python servable, the runtime requirement of an ONNX
one). The download (``GET /api/v1/servables/{owner}/{name}/bundle``) is one
directory ``<owner>-<name>-v<version>/`` holding

* ``bundle/``: every bundle file, byte for byte as stored;
* ``Dockerfile``: builds an executor container for exactly this version (the
  bundle is copied into the executor's model cache under the digest, so the
  executor never downloads it);
* ``.dockerignore``.

The archive is produced as a stream (:func:`tar_gz_stream`): headers and file
bytes are compressed as they arrive, so no file is held whole in memory.
"""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

BLOCK = 512
METADATA_PATH = "dlhub.json"
LOCK_PATH = "environment.lock"
CACHE_DIR = "/opt/dlhub/cache"
ENV_DIR = "/opt/dlhub/envs"
# executor extras per servable type beyond the ONNX Runtime build (what the
# runner imports); every image gets one ONNX Runtime build: the build argument
# DLHUB_ONNXRUNTIME, "cpu" (onnxruntime) unless built with "gpu" (onnxruntime-gpu)
EXECUTOR_EXTRAS = {"torchscript": "torch", "torch_export": "torch"}
ONNXRUNTIME_ARG = "DLHUB_ONNXRUNTIME"


@dataclass(frozen=True)
class Entry:
    """One archive member: bytes given, or an opener that streams ``size`` bytes."""

    path: str
    size: int
    data: bytes | None = None
    opener: Callable[[], AsyncIterator[bytes]] | None = None


def bundle_prefix(owner: str, name: str, version: int) -> str:
    return f"{owner}-{name}-v{version}"


def dockerfile(
    *,
    owner: str,
    name: str,
    version: int,
    digest: str,
    servable_type: str,
    interface_version: int,
    files: Sequence[str],
    python: str = "",
) -> str:
    """The Dockerfile of one servable version's executor image."""
    ref = f"{owner}/{name}:{version}"
    cache = f"{CACHE_DIR}/{digest.replace(':', '-')}"
    extras = ["${" + ONNXRUNTIME_ARG + "}"]  # expanded by the shell of the RUN line
    if servable_type in EXECUTOR_EXTRAS:
        extras.append(EXECUTOR_EXTRAS[servable_type])
    package = f"dlhub-executor[{','.join(extras)}]"
    has_lock = LOCK_PATH in files
    lines = [
        f"# Executor image for the DLHub servable {ref}",
        f"# digest {digest}, type {servable_type}, interface version {interface_version}",
        "# Build:  docker build -t dlhub-" + f"{owner}-{name}:{version} .",
        "# Run:    docker run --env-file dlhub.env <image>   (bus and object-store settings",
        "#         of the mesh it joins; docs/distributed.md). The bundle is already in",
        "#         the model cache, so the executor serves this version without downloading it.",
        "FROM python:3.11-slim",
        "# a package index that serves the DLHub wheels, when not PyPI",
        "ARG DLHUB_INDEX_URL=",
        "# the ONNX Runtime build: cpu (onnxruntime), or gpu (onnxruntime-gpu; then run",
        "# with DLHUB_EXECUTOR_OPTIONS__DEVICE=cuda on a host whose GPUs the container sees)",
        f"ARG {ONNXRUNTIME_ARG}=cpu",
        f'LABEL org.dlhub.servable="{owner}/{name}" org.dlhub.version="{version}" \\',
        f'      org.dlhub.digest="{digest}" org.dlhub.servable_type="{servable_type}" \\',
        f'      org.dlhub.interface_version="{interface_version}" \\',
        f'      org.dlhub.lock="{LOCK_PATH if has_lock else ""}"',
        f"COPY bundle/ {cache}/",
    ]
    install = (
        'RUN pip install --no-cache-dir ${DLHUB_INDEX_URL:+--extra-index-url "$DLHUB_INDEX_URL"} \\'
    )
    if has_lock and servable_type not in ("python", "sklearn"):
        # the lock pins the runtime (e.g. onnxruntime==<version>) the version
        # was validated with (the CPU build's name: a gpu image is not pinned)
        lines += [install, f'      "{package}" dlhub-sdk -c {cache}/{LOCK_PATH}']
    else:
        lines += [install, f'      "{package}" dlhub-sdk']
    lines += [
        f"ENV DLHUB_EXECUTOR_OPTIONS__CACHE_DIR={CACHE_DIR} \\",
        f"    DLHUB_EXECUTOR_OPTIONS__ENV_DIR={ENV_DIR}",
    ]
    if servable_type in ("python", "sklearn") and has_lock:
        # build the servable's own environment from its lock now, not at first call
        lines += [
            'RUN python -c "from pathlib import Path; from dlhub_executor.runners.python'
            " import build_env; build_env(Path('" + ENV_DIR + "'), '" + python + "',"
            f" Path('{cache}/{LOCK_PATH}').read_bytes(), 900)\"",
        ]
    lines += ['CMD ["dlhub", "serve", "executor"]', ""]
    return "\n".join(lines)


DOCKERIGNORE = "# only the Dockerfile and bundle/ are the build context\n*\n!Dockerfile\n!bundle/\n"


def _header(path: str, size: int, mtime: int, mode: int = 0o644) -> bytes:
    info = tarfile.TarInfo(path)
    info.size = size
    info.mtime = mtime
    info.mode = mode
    info.uname = info.gname = "dlhub"
    return info.tobuf(format=tarfile.PAX_FORMAT, encoding="utf-8", errors="strict")


async def tar_gz_stream(entries: Sequence[Entry], *, mtime: int = 0) -> AsyncIterator[bytes]:
    """A gzip-compressed POSIX tar of ``entries``, produced piece by piece.

    Raises:
        ValueError: a streamed entry yielded another number of bytes than its size.
    """
    gz: Any = zlib.compressobj(6, zlib.DEFLATED, 31)

    def out(data: bytes) -> bytes:
        return bytes(gz.compress(data))

    for entry in entries:
        piece = out(_header(entry.path, entry.size, mtime))
        if piece:
            yield piece
        sent = 0
        if entry.data is not None:
            sent = len(entry.data)
            piece = out(entry.data)
            if piece:
                yield piece
        elif entry.opener is not None:
            async for chunk in entry.opener():
                sent += len(chunk)
                piece = out(chunk)
                if piece:
                    yield piece
        if sent != entry.size:
            raise ValueError(f"{entry.path}: expected {entry.size} bytes, got {sent}")
        pad = -sent % BLOCK
        if pad:
            piece = out(b"\0" * pad)
            if piece:
                yield piece
    yield out(b"\0" * (2 * BLOCK)) + bytes(gz.flush())
