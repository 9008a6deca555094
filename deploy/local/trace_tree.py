"""Print the span tree of one trace.

Reads the JSON lines an :mod:`deploy.local.otlp_receiver` wrote (or takes
:class:`~deploy.local.otlp_receiver.SpanRow` objects, or the SDK's finished
spans) and prints each span under its parent, in start order, with its
service, duration and ``dlhub.*`` attributes::

    python -m deploy.local.trace_tree spans.jsonl [--trace TRACE_ID]

Without ``--trace`` it prints the trace with the most spans.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from deploy.local.otlp_receiver import SpanRow


def rows_from_sdk(spans: Iterable[Any]) -> list[SpanRow]:
    """The SDK's finished spans (``ReadableSpan``, e.g. from InMemorySpanExporter) as rows."""
    rows = []
    for s in spans:
        rows.append(
            SpanRow(
                trace_id=format(s.context.trace_id, "032x"),
                span_id=format(s.context.span_id, "016x"),
                parent_id=format(s.parent.span_id, "016x") if s.parent is not None else "",
                name=s.name,
                service=str(s.resource.attributes.get("service.name", "")),
                kind=s.kind.name,
                start_ns=s.start_time or 0,
                end_ns=s.end_time or 0,
                attributes=dict(s.attributes or {}),
                links=[format(link.context.span_id, "016x") for link in s.links],
                status=f"ERROR: {s.status.description}" if not s.status.is_ok else "",
            )
        )
    return rows


def read_rows(path: Path) -> list[SpanRow]:
    return [SpanRow(**json.loads(line)) for line in path.read_text().splitlines() if line.strip()]


def busiest_trace(rows: list[SpanRow]) -> str:
    """The trace id with the most spans."""
    return Counter(r.trace_id for r in rows).most_common(1)[0][0]


def render(rows: list[SpanRow], trace_id: str) -> str:
    """The tree of ``trace_id``: one line a span, children indented under parents.

    A span whose parent is not among the rows (another trace, or not received)
    is printed as a root.
    """
    mine = [r for r in rows if r.trace_id == trace_id]
    ids = {r.span_id for r in mine}
    children: dict[str, list[SpanRow]] = {}
    for r in mine:
        children.setdefault(r.parent_id if r.parent_id in ids else "", []).append(r)
    lines = [f"trace {trace_id}: {len(mine)} spans"]

    def walk(parent: str, depth: int) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: (r.start_ns, r.end_ns)):
            attrs = " ".join(
                f"{k.removeprefix('dlhub.')}={v}"
                for k, v in sorted(r.attributes.items())
                if k.startswith("dlhub.")
            )
            extra = f" links={len(r.links)}" if r.links else ""
            status = f" [{r.status}]" if r.status else ""
            lines.append(
                f"{'  ' * depth}{r.name} ({r.service or '?'}, {r.duration_ms:.2f} ms)"
                f"{' ' + attrs if attrs else ''}{extra}{status}"
            )
            walk(r.span_id, depth + 1)

    walk("", 1)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spans", type=Path, help="JSON lines from deploy.local.otlp_receiver")
    parser.add_argument("--trace", help="trace id (32 hex digits); default: the largest trace")
    args = parser.parse_args(argv)
    rows = read_rows(args.spans)
    if not rows:
        raise SystemExit(f"error: no spans in {args.spans}")
    trace_id = args.trace or busiest_trace(rows)
    if not any(r.trace_id == trace_id for r in rows):
        raise SystemExit(f"error: no span of trace {trace_id} in {args.spans}")
    print(render(rows, trace_id))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
