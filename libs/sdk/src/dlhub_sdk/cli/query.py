"""Finding servables and managing their versions: search, describe, servables,
versions, deprecate and withdraw."""

from __future__ import annotations

import argparse
import json
from typing import Any

from dlhub_sdk.cli.connect import _client
from dlhub_sdk.cli.output import _print, _table, _warn


def cmd_search(args: argparse.Namespace) -> int:
    with _client(args) as client:
        page = client.search_page(
            " ".join(args.query),
            owner=args.owner,
            domains=args.domain,
            authors=args.author,
            servable_type=args.type,
            limit=args.limit,
            offset=args.offset,
            facets=["domains", "owner"] if args.facets else (),
            include_deprecated=args.include_deprecated,
        )
    human = _table(page["hits"]) + f"\n{page['total']} match(es)"
    if args.facets:
        human += "\n" + json.dumps(page["facets"])
    _print(args, page, human)
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    with _client(args) as client:
        layout = "original" if args.original else "dlhub"
        meta = client.describe_servable(args.servable, args.version, layout=layout)
    _print(args, meta, json.dumps(meta, indent=2))
    if meta.get("state", "active") != "active":
        version = meta.get("dlhub", {}).get("version", "?")
        _warn(f"{args.servable} version {version} is {meta['state']}: {meta['state_reason']}")
    return 0


def _versions_table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'VER':>4}  {'STATE':10} {'PUBLISHED':20} {'LATEST':6} REASON"]
    for r in rows:
        latest = "*" if r["latest"] else ""
        lines.append(
            f"{r['version']:>4}  {r['state']:10} {r['publication_date']:20} {latest:6}"
            f" {r['state_reason']}".rstrip()
        )
    return "\n".join(lines)


def cmd_versions(args: argparse.Namespace) -> int:
    with _client(args) as client:
        rows = client.list_versions(args.servable)
    _print(args, rows, _versions_table(rows))
    return 0


def _change_state(args: argparse.Namespace, action: str, verb: str, effect: str) -> int:
    with _client(args) as client:
        summary = getattr(client, f"{action}_servable")(args.servable, args.reason, args.version)
    ref = f"{summary['owner']}/{summary['name']}"
    _print(args, summary, f"{verb} {ref} version {summary['version']} ({effect})")
    return 0


def cmd_deprecate(args: argparse.Namespace) -> int:
    return _change_state(
        args, "deprecate", "deprecated", "it still runs, with a warning; hidden from default search"
    )


def cmd_withdraw(args: argparse.Namespace) -> int:
    return _change_state(
        args, "withdraw", "withdrew", "it no longer runs; its metadata stays describable"
    )


def cmd_servables(args: argparse.Namespace) -> int:
    with _client(args) as client:
        rows = client.get_servables(owner=args.owner, all_versions=args.all_versions)
    _print(args, rows, _table(rows))
    return 0
