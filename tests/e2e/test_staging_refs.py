"""Inputs by reference end to end, embedded (``dlhub up``) and distributed (one
``dlhub serve`` per service over Kafka, MongoDB, OpenSearch and S3): the
executor process stages the digits input from a file server of this test
(127.0.0.1, allowed by the mesh's ``staging.private_hosts``), and a second run
of the same reference is a staging-cache hit."""

from __future__ import annotations

import contextlib
import hashlib
import io
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import numpy as np

from ._support import USERNAME, Digits, Mesh

FILES: dict[str, bytes] = {}
SEEN: list[int] = []


class _Files(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        data = FILES.get(self.path)
        if data is None:
            self.send_response(404)
            self.end_headers()
            SEEN.append(404)
            return
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if self.headers.get("if-none-match") == etag:
            self.send_response(304)
            self.send_header("etag", etag)
            self.end_headers()
            SEEN.append(304)
            return
        self.send_response(200)
        self.send_header("etag", etag)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        SEEN.append(200)

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def file_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_reference_staged_by_the_executor_then_a_cache_hit(
    mesh: Mesh, cli: Callable[..., Any], digits: Digits
) -> None:
    name = f"digits-staging-{mesh.mode}"
    cli("publish", str(digits.path), "--name", name, "--author", "Grace Hopper; Navy")
    x = digits.x_test[:8].astype(np.float32)
    buf = io.BytesIO()
    np.save(buf, x)
    FILES[f"/{mesh.mode}/x.npy"] = buf.getvalue()
    SEEN.clear()
    with file_server() as base:
        body = {"inputs": {"ref": f"{base}/{mesh.mode}/x.npy", "shape": [8, 64]}}
        runs = []
        for _ in range(2):
            response = httpx.post(
                f"{mesh.http}/api/v1/servables/{USERNAME}/{name}/run",
                json=body,
                headers=mesh.auth_headers,
                timeout=60,
            )
            assert response.status_code == 200, response.text
            runs.append(response.json())
        refused = httpx.post(
            f"{mesh.http}/api/v1/servables/{USERNAME}/{name}/run",
            json={"inputs": {"ref": "http://169.254.169.254/latest/x", "shape": [8, 64]}},
            headers=mesh.auth_headers,
            timeout=60,
        )
    expected = digits.reference(x)
    for run in runs:
        labels = next(o for o in run["outputs"] if o["name"] == "label")
        assert labels["data"] == expected["label"].tolist()
    assert runs[0]["timings"]["staging_ms"] > 0
    assert runs[0]["timings"]["staging_cache_hits"] == 0
    assert runs[1]["timings"]["staging_cache_hits"] == 1
    assert SEEN == [200, 304]
    assert refused.status_code == 400
    assert refused.json()["code"] == "INVALID_ARGUMENT"
