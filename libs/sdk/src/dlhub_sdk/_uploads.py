"""Sending a publish's artifacts: digests, progress, upload sessions and the
publish request stream."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import grpc

from dlhub_common._proto.dlhub.v1 import registry_pb2
from dlhub_common.errors import InvalidArgument, NotFound
from dlhub_common.rpc.errors import error_from_rpc
from dlhub_common.settings import MiB
from dlhub_sdk._upload_state import UploadState

CHUNK = 1 << 20
# Files above this go through resumable upload sessions, in chunks of (up to)
# UPLOAD_CHUNK; a broken upload resumes up to UPLOAD_RETRIES times.
UPLOAD_THRESHOLD = 32 * MiB
UPLOAD_CHUNK = 8 * MiB
UPLOAD_RETRIES = 5
# Errors after which an upload asks how far it got and resumes.
RESUMABLE = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.CANCELLED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.FAILED_PRECONDITION,
    }
)
Progress = Callable[[int, int], None]
Notice = Callable[[str], None]


class _Meter:
    """Bytes sent so far, reported to a progress callback."""

    def __init__(self, total: int, callback: Progress | None) -> None:
        self.total = total
        self.done = 0
        self.callback = callback

    def add(self, n: int) -> None:
        self.set(self.done + n)

    def set(self, done: int) -> None:
        self.done = done
        if self.callback is not None:
            self.callback(done, self.total)


def _upload_messages(
    src: Path, upload_id: str, offset: int, size: int, chunk: int, meter: _Meter
) -> Iterator[registry_pb2.WriteUploadRequest]:
    """The file's bytes from ``offset`` on, one message per chunk."""
    with src.open("rb") as fh:
        fh.seek(offset)
        while offset < size:
            data = fh.read(min(chunk, size - offset))
            if not data:
                raise InvalidArgument(f"{src} shrank while it was uploaded")
            yield registry_pb2.WriteUploadRequest(upload_id=upload_id, offset=offset, data=data)
            offset += len(data)
            meter.add(len(data))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def publish_requests(
    header: registry_pb2.PublishHeader,
    local: Mapping[str, Path],
    uploaded: set[str],
    meter: _Meter,
) -> Iterator[registry_pb2.PublishServableRequest]:
    """The publish stream: the header, then each file not sent by an upload session."""
    yield registry_pb2.PublishServableRequest(header=header)
    for path, src in local.items():
        if path in uploaded:
            continue
        with src.open("rb") as fh:
            first = True
            while True:
                data = fh.read(CHUNK)
                if not data and not first:
                    break
                first = False
                yield registry_pb2.PublishServableRequest(
                    chunk=registry_pb2.ArtifactChunk(path=path, data=data)
                )
                meter.add(len(data))
                if not data:
                    break


def _resumable(
    call: Callable[[str, Any], Any],
    state: UploadState,
    key: str,
    path: str,
    size: int,
    notice: Notice,
) -> tuple[str, int, int] | None:
    """(upload id, chunk size, bytes received) of a remembered session the
    server still has for these bytes, or None."""
    entry = state.get(key)
    if entry is None:
        return None
    upload_id = str(entry["upload_id"])
    try:
        status = call("GetUpload", registry_pb2.GetUploadRequest(upload_id=upload_id))
    except NotFound:
        state.forget(key)
        return None
    if int(status.size) != size:
        state.forget(key)
        return None
    received = int(status.received)
    notice(
        f"resuming upload of {path} from an earlier run: {received / MiB:.1f} of"
        f" {size / MiB:.1f} MiB already on the server (session {upload_id})"
    )
    return upload_id, int(entry.get("chunk_size") or UPLOAD_CHUNK), received


def upload_file(
    stub: Any,
    call: Callable[[str, Any], Any],
    metadata: Callable[[], tuple[tuple[str, str], ...]],
    path: str,
    src: Path,
    size: int,
    sha256: str,
    meter: _Meter,
    state: UploadState | None = None,
    state_key: str = "",
    notice: Notice = lambda text: None,
) -> str:
    """Send one file through an upload session; returns the upload id.

    ``call(method, request)`` makes a unary call; ``metadata()`` gives the
    call metadata for the streams sent on ``stub``. With ``state``, a session
    remembered under ``state_key`` by an earlier run is resumed (``notice``
    says so), and a new one is remembered.
    """
    resumed = _resumable(call, state, state_key, path, size, notice) if state else None
    if resumed is not None:
        upload_id, chunk, received = resumed
    else:
        created = call(
            "CreateUpload", registry_pb2.CreateUploadRequest(path=path, size=size, sha256=sha256)
        )
        upload_id = created.upload_id
        chunk = int(created.chunk_size) or UPLOAD_CHUNK
        received = int(created.received)
        if state is not None:
            state.remember(state_key, upload_id, chunk)
    start = meter.done
    meter.set(start + received)
    failures = 0
    while received < size:
        try:
            resp = stub.WriteUpload(
                _upload_messages(src, upload_id, received, size, chunk, meter),
                metadata=metadata(),
            )
            received = int(resp.received)
            continue
        except grpc.RpcError as exc:
            failures += 1
            if exc.code() not in RESUMABLE or failures > UPLOAD_RETRIES:
                raise error_from_rpc(exc) from None
        # the stream broke: ask how far it got and go on from there
        while True:
            time.sleep(min(0.2 * 2**failures, 5.0))
            try:
                status = stub.GetUpload(
                    registry_pb2.GetUploadRequest(upload_id=upload_id),
                    metadata=metadata(),
                    timeout=30,
                )
                break
            except grpc.RpcError as exc:
                failures += 1
                if exc.code() not in RESUMABLE or failures > UPLOAD_RETRIES:
                    raise error_from_rpc(exc) from None
        received = int(status.received)
        meter.set(start + received)
    return upload_id
