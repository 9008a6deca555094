"""The client a command talks to, from its ``--address``/``--token`` options."""

from __future__ import annotations

import argparse
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
