"""The client a command talks to, from its ``--address``/``--token`` options, and the
settings of commands that read a local data directory (``--data-dir``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def _client(args: argparse.Namespace) -> Any:
    from dlhub_sdk.client import DLHubClient

    client = DLHubClient(
        args.address,
        args.token,
        timeout=getattr(args, "timeout", 60.0),
        http=getattr(args, "http", None),
    )
    # for the error line of a refused connection (dlhub_sdk.cli.main)
    args.gateway = (client.address, client.address_source)
    return client


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
