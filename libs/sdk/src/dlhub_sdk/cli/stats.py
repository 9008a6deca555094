"""``dlhub stats owner/name [--version N] [--since 30d]``: a servable's usage statistics."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from dlhub_sdk.cli.connect import _client
from dlhub_sdk.cli.output import _print

_HEAD = (
    f"{'INVOCATIONS':>11} {'ERRORS':>7} {'REFUSED':>7} {'P50 MS':>9} {'P95 MS':>9} {'CALLERS':>7}"
)


def _row(label: str, c: dict[str, Any]) -> str:
    return (
        f"{label:18} {c['invocations']:>11} {c['errors']:>7} {c['refused']:>7}"
        f" {c['latency_p50_ms']:>9.3f} {c['latency_p95_ms']:>9.3f} {c['unique_callers']:>7}"
        f"  {c['last_used_at'] or '-'}"
    )


def stats_text(stats: dict[str, Any]) -> str:
    """The human table: totals, each version, and (for owners) each day."""
    asked = f":{stats['version']}" if stats["version"] else ""
    lines = [f"{stats['servable']}{asked}: usage {stats['since']} .. {stats['until']} (UTC)"]
    lines.append(f"{'':18} {_HEAD}  LAST USED")
    lines.append(_row("total", stats["totals"]))
    for v in stats["versions"]:
        lines.append(_row(f"  version {v['version']}", v))
    if stats["days"] is None:
        lines.append("(per-day detail is shown to the owner only)")
    elif stats["days"]:
        lines.append(f"{'DAY':10} {'VER':>7} {_HEAD}  LAST USED")
        lines.extend(_row(f"{d['day']:10} {d['version']:>7}", d) for d in stats["days"])
    return "\n".join(lines)


def cmd_stats(args: argparse.Namespace) -> int:
    with _client(args) as client:
        stats = client.get_stats(args.servable, args.version, since=args.since)
    _print(args, stats, stats_text(stats))
    return 0


def add_stats_command(sub: Any, client_cmd: Callable[..., argparse.ArgumentParser]) -> None:
    p = client_cmd("stats", "a servable's usage: invocations, errors, latency, callers, by day")
    p.add_argument("servable", help="owner/name[:version]")
    p.add_argument("--version", help="one version (default: every version you may see)")
    p.add_argument("--since", default="30d", help="how far back: 30d, 4w or a first day 2026-11-01")
    p.set_defaults(func=cmd_stats)
