"""``dlhub config show``: the gateway, HTTP URL and token the commands would use, and
where each came from (options, environment, the saved login in the user's config
directory, ``dlhub up``'s client file, or the default)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from dlhub_sdk.cli.human import render, table
from dlhub_sdk.cli.output import _print


def cmd_config_show(args: argparse.Namespace) -> int:
    from dlhub_sdk.config import client_file_path, config_dir, resolve, saved_login

    config = resolve(args.address, args.token)
    login = saved_login()
    rows = {
        "address": (config.address, config.address_source),
        "http": (config.http or "", config.http_source),
        # never the token itself: only whether there is one
        "token": ("(set)" if config.token else "(none)", config.token_source),
        "username": (login.get("username", ""), "saved login" if login else "none"),
    }
    data = {
        "values": {k: {"value": v, "source": src} for k, (v, src) in rows.items()},
        "config_dir": str(config_dir()),
        "client_file": str(client_file_path()),
    }
    human = render(
        table(
            [("SETTING", "left"), ("VALUE", "left"), ("FROM", "left")],
            [[k, v, src] for k, (v, src) in rows.items()],
        ),
        f"config directory: {config_dir()}  (`dlhub login` saves there)",
        f"dlhub up's client file: {client_file_path()}",
    )
    _print(args, data, human)
    return 0


def add_config_command(sub: Any, client_cmd: Callable[..., argparse.ArgumentParser]) -> None:
    config = sub.add_parser(
        "config", help="where the commands find the gateway and the token"
    ).add_subparsers(dest="config_command", required=True)
    p = client_cmd("show", "each value in use and where it came from", config)
    p.set_defaults(func=cmd_config_show)
