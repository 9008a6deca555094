"""``dlhub up`` (the whole mesh) and ``dlhub serve`` (one service alone)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

SERVICES = ("registry", "search", "taskmanager", "executor", "gateway")


def cmd_up(args: argparse.Namespace) -> int:
    from dlhub_common.telemetry import configure_logging
    from dlhub_common.tracing import configure_tracing
    from dlhub_sdk.mesh import run_mesh

    settings = _settings(args)
    configure_logging(settings.log_level)
    configure_tracing("mesh", settings.tracing.exporter, settings.tracing.otlp_endpoint)
    return asyncio.run(
        run_mesh(settings, user=args.user, example=args.example, executors=args.executors)
    )


def cmd_serve(args: argparse.Namespace) -> int:
    from dlhub_common.telemetry import configure_logging
    from dlhub_common.tracing import configure_tracing
    from dlhub_sdk.mesh import run_service

    if args.service != "executor" and args.servables is not None:
        raise SystemExit("error: --servables applies to `dlhub serve executor` only")
    if args.service not in ("executor", "gateway") and args.replicas != 1:
        raise SystemExit(
            "error: --replicas applies to `dlhub serve executor` and `dlhub serve gateway` only"
        )
    settings = _settings(args)
    configure_logging(settings.log_level)
    configure_tracing(args.service, settings.tracing.exporter, settings.tracing.otlp_endpoint)
    return asyncio.run(run_service(args.service, settings, replicas=args.replicas))


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
