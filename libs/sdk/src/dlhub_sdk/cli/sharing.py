"""Sharing (``dlhub share``) and the audit log (``dlhub audit``)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from dlhub_common.errors import InvalidArgument
from dlhub_sdk.cli.connect import _client
from dlhub_sdk.cli.output import _print


def _listed(entries: list[str]) -> str:
    return ", ".join(entries) if entries else "(owner and co-owners only)"


def share_text(servable: str, result: dict[str, Any]) -> str:
    """What changed, one line per version and one for the co-owners."""
    changes = result["changes"]
    lines = []
    if changes:
        first = changes[0]["co_owners"]
        added = [c for c in first["after"] if c not in first["before"]]
        removed = [c for c in first["before"] if c not in first["after"]]
        if added or removed:
            parts = [f"+{c}" for c in added] + [f"-{c}" for c in removed]
            lines.append(
                f"co-owners of {servable.split(':', 1)[0]}: {' '.join(parts)}"
                f" (now: {', '.join(first['after']) or 'none'})"
            )
    for change in changes:
        before, after = change["visible_to"]["before"], change["visible_to"]["after"]
        if before != after:
            lines.append(
                f"version {change['version']}: visible to {_listed(after)} (was: {_listed(before)})"
            )
        else:
            lines.append(f"version {change['version']}: visible to {_listed(after)} (unchanged)")
    lines.append(f"recorded as audit entry {result['audit_id']}")
    return "\n".join(lines)


def cmd_share(args: argparse.Namespace) -> int:
    if args.private and args.visible_to:
        raise InvalidArgument("give --visible-to entries or --private, not both")
    visible_to: list[str] | None = [] if args.private else args.visible_to
    with _client(args) as client:
        result = client.share(
            args.servable,
            visible_to=visible_to,
            add_co_owners=args.co_owner,
            remove_co_owners=args.remove_co_owner,
        )
    _print(args, result, share_text(args.servable, result))
    return 0


def _audit_table(entries: list[dict[str, Any]]) -> str:
    if not entries:
        return "(no entries)"
    lines = [f"{'AT':24} {'ACTOR':16} {'ACTION':18} {'TARGET':30} DETAILS"]
    for e in entries:
        details = json.dumps(e["details"], sort_keys=True)
        if len(details) > 100:
            details = details[:97] + "..."
        lines.append(f"{e['at']:24} {e['actor']:16} {e['action']:18} {e['target']:30} {details}")
    return "\n".join(lines)


def cmd_audit(args: argparse.Namespace) -> int:
    if args.limit <= 0:
        raise InvalidArgument("--limit must be positive")
    with _client(args) as client:
        entries = client.audit(
            actor=args.actor,
            action=args.action,
            target=args.target,
            since=args.since,
            limit=args.limit,
        )
    _print(args, {"entries": entries}, _audit_table(entries))
    return 0
