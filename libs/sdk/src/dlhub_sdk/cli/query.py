"""Finding servables and managing their versions: search, describe, servables,
versions, deprecate and withdraw."""

from __future__ import annotations

import argparse
import json
from typing import Any

from dlhub_common.errors import DLHubError
from dlhub_sdk.cli.connect import _client
from dlhub_sdk.cli.human import describe_summary, render, servables_table, table, versions_table
from dlhub_sdk.cli.output import _print, _warn


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
    parts: list[Any] = [servables_table(page["hits"]), f"{page['total']} match(es)"]
    for field, buckets in page["facets"].items():
        parts.append(table([(field.upper(), "left"), ("COUNT", "right")], list(buckets.items())))
    _print(args, page, render(*parts) if not args.json else "")
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    with _client(args) as client:
        layout = "original" if args.original else "dlhub"
        meta = client.describe_servable(args.servable, args.version, layout=layout)
        human = ""
        if not args.json and not args.original:
            human = render(describe_summary(meta, *_describe_extras(client, meta)))
        elif not args.json:
            human = json.dumps(meta, indent=2)
    _print(args, meta, human)
    if meta.get("state", "active") != "active":
        version = meta.get("dlhub", {}).get("version", "?")
        _warn(f"{args.servable} version {version} is {meta['state']}: {meta['state_reason']}")
    return 0


def _describe_extras(client: Any, meta: dict[str, Any]) -> tuple[str | None, Any]:
    """The citation and the versions with their states (None where they cannot be had)."""
    ref = f"{meta['dlhub'].get('owner')}/{meta['dlhub'].get('name')}"
    try:
        citation = client.cite(ref, meta["dlhub"].get("version"))
    except DLHubError:
        citation = None
    try:
        versions = client.list_versions(ref)
    except DLHubError:
        versions = None
    return citation, versions


def _versions_table(rows: list[dict[str, Any]]) -> str:
    return render(versions_table(rows))


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
    _print(args, rows, render(servables_table(rows)))
    return 0
