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
    return asyncio.run(run_mesh(settings, user=args.user, example=args.example))


def cmd_serve(args: argparse.Namespace) -> int:
    from dlhub_common.telemetry import configure_logging
    from dlhub_common.tracing import configure_tracing
    from dlhub_sdk.mesh import run_service

    settings = _settings(args)
    configure_logging(settings.log_level)
    configure_tracing(args.service, settings.tracing.exporter, settings.tracing.otlp_endpoint)
    return asyncio.run(run_service(args.service, settings))


def _settings(args: argparse.Namespace) -> Any:
    import os

    from dlhub_common.settings import Settings

    if getattr(args, "data_dir", None):
        os.environ["DLHUB_DATA_DIR"] = str(args.data_dir)
    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    try:
        return Settings(**overrides)
    except Exception as exc:  # pydantic ValidationError names every bad setting
        raise SystemExit(f"error: bad settings: {exc}") from None
