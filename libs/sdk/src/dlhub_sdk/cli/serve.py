"""``dlhub up`` (the whole mesh) and ``dlhub serve`` (one service alone)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SERVICES = ("registry", "search", "taskmanager", "executor", "gateway")


def cmd_up(args: argparse.Namespace) -> int:
    from dlhub_common.observability.logs import configure_logging
    from dlhub_common.tracing import configure_tracing
    from dlhub_sdk.mesh import run_mesh

    settings = _settings(args)
    configure_logging(settings.log_level, settings.log_format)
    configure_tracing("mesh", settings.tracing.exporter, settings.tracing.otlp_endpoint)
    with _metrics(settings, "mesh"):
        return asyncio.run(
            run_mesh(settings, user=args.user, example=args.example, executors=args.executors)
        )


def cmd_serve(args: argparse.Namespace) -> int:
    from dlhub_common.observability.logs import configure_logging
    from dlhub_common.tracing import configure_tracing
    from dlhub_sdk.mesh import run_service

    if args.service != "executor" and args.servables is not None:
        raise SystemExit("error: --servables applies to `dlhub serve executor` only")
    if args.service not in ("executor", "gateway") and args.replicas != 1:
        raise SystemExit(
            "error: --replicas applies to `dlhub serve executor` and `dlhub serve gateway` only"
        )
    settings = _settings(args)
    configure_logging(settings.log_level, settings.log_format)
    configure_tracing(args.service, settings.tracing.exporter, settings.tracing.otlp_endpoint)
    with _metrics(settings, args.service):
        return asyncio.run(run_service(args.service, settings, replicas=args.replicas))


@contextlib.contextmanager
def _metrics(settings: Any, what: str) -> Iterator[None]:
    """``/metrics`` of this process on ``metrics.port`` (0: none) while it runs."""
    from dlhub_common.errors import DLHubError
    from dlhub_common.observability.server import MetricsServer

    if not settings.metrics.port:
        yield
        return
    server = MetricsServer(settings.metrics.host, settings.metrics.port)
    try:
        server.start()
    except DLHubError as exc:  # the port is taken: say which setting moves it
        raise SystemExit(f"error: {exc}") from None
    print(
        f"DLHub {what} serving /metrics on http://{server.host}:{server.port}/metrics", flush=True
    )
    try:
        yield
    finally:
        server.stop()


def _settings(args: argparse.Namespace) -> Any:
    import os

    from dlhub_common.settings import Settings

    if getattr(args, "data_dir", None):
        os.environ["DLHUB_DATA_DIR"] = str(args.data_dir)
    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    if getattr(args, "servables", None) is not None:  # merged into executor_options
        servables = [s.strip() for s in args.servables.split(",") if s.strip()]
        overrides["executor_options"] = {"servables": servables}
    try:
        return Settings(**overrides)
    except Exception as exc:  # pydantic ValidationError names every bad setting
        raise SystemExit(f"error: bad settings: {exc}") from None
