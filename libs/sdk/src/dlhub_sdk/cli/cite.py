"""``dlhub cite owner/name[:version] --format ...``: a servable's citation."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from dlhub_common.citations import FORMATS
from dlhub_sdk.cli.connect import _client


def cmd_cite(args: argparse.Namespace) -> int:
    with _client(args) as client:
        text = client.cite(args.servable, args.version, args.format, args.style)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def add_cite_command(sub: Any, client_cmd: Callable[..., argparse.ArgumentParser]) -> None:
    p = client_cmd("cite", "print a servable's citation (text, BibTeX, RIS, DataCite)")
    p.add_argument("servable", help="owner/name[:version]")
    p.add_argument("--version")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--style", default="apa", help="CSL style of --format text (apa, ieee, ...)")
    p.set_defaults(func=cmd_cite)
