"""``dlhub up`` (the whole mesh) and ``dlhub serve`` (one service alone): the server
package's commands, added to ``dlhub`` through the ``dlhub.cli`` entry point."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

from dlhub_sdk.cli.connect import _settings

SERVICES = ("registry", "search", "taskmanager", "executor", "gateway")


def cmd_up(args: argparse.Namespace) -> int:
    from dlhub_common.observability.logs import configure_logging
    from dlhub_common.tracing import configure_tracing
    from dlhub_server.mesh import run_mesh

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
    from dlhub_server.mesh import run_service

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


def add_commands(sub: Any) -> None:
    """The ``dlhub.cli`` entry point: add ``up`` and ``serve`` to the parser's subcommands."""
    p = sub.add_parser("up", help="run the whole mesh on the embedded backends")
    p.add_argument("--data-dir", help="where data lives (default .dlhub)")
    p.add_argument("--user", help="local user to sign in as (default $USER)")
    p.add_argument("--example", help="a Python script to run once the mesh is up")
    p.add_argument(
        "--executors",
        type=int,
        default=None,
        metavar="N",
        help="processes that run models (default: one per core but one, on more than two"
        " cores; else 1). On the in-process bus"
        " they are the executor's model worker processes (models that take more than"
        " 1 ms of CPU per call run there); with DLHUB_BUS__TYPE=kafka, N executor processes",
    )
    p.set_defaults(func=cmd_up)

    p = sub.add_parser("serve", help="run one service alone (distributed mode)")
    p.add_argument("service", choices=SERVICES)
    p.add_argument("--data-dir", help="where embedded backends keep data")
    p.add_argument(
        "--servables",
        metavar="OWNER/NAME[,...]",
        help="executor: serve only these servables (pinned; executor_options.servables)",
    )
    p.add_argument(
        "--replicas",
        type=int,
        default=1,
        metavar="N",
        help="executor or gateway: run N processes with these settings (this one and N-1"
        " more); gateway replicas share both public ports (SO_REUSEPORT)",
    )
    p.set_defaults(func=cmd_serve)
