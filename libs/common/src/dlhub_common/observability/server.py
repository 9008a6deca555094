"""``/metrics`` of this process on the port in settings (``metrics.port``)."""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client import start_http_server

from dlhub_common.errors import FailedPrecondition

log = logging.getLogger("dlhub.metrics")


class MetricsServer:
    """prometheus_client's HTTP server on its own thread; ``stop`` closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.requested_port = port
        self._server: Any = None
        self._thread: Any = None

    @property
    def port(self) -> int:
        return int(self._server.server_port) if self._server is not None else 0

    def start(self) -> None:
        try:
            self._server, self._thread = start_http_server(self.requested_port, self.host)
        except OSError as exc:
            raise FailedPrecondition(
                f"cannot serve /metrics on {self.host}:{self.requested_port} ({exc.strerror});"
                " set metrics.port (DLHUB_METRICS__PORT) to a free port, or 0 to turn it off"
            ) from None
        log.info("serving /metrics on http://%s:%d/metrics", self.host, self.port)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
