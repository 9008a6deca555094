"""Human output built with rich: tables that fit their content and ``describe`` as a
readable summary. Colour only on a terminal (and never with ``NO_COLOR``); on a
pipe the text is plain and no line is cut or wrapped."""

from __future__ import annotations

import io
import os
import sys
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

# wide enough that a table on a pipe is never wrapped: it keeps its content's width
PIPE_WIDTH = 10_000


def render(*parts: Any, stream: Any = None) -> str:
    """``parts`` (rich renderables or plain strings) as text for ``stream`` (stdout)."""
    stream = stream if stream is not None else sys.stdout
    tty = bool(getattr(stream, "isatty", lambda: False)())
    out = io.StringIO()
    console = Console(
        file=out,
        force_terminal=tty,
        no_color=not tty or bool(os.environ.get("NO_COLOR")),
        color_system="auto" if tty else None,
        width=None if tty else PIPE_WIDTH,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=not tty,
    )
    for part in parts:
        console.print(part)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def table(columns: list[tuple[str, str]], rows: list[list[Any]]) -> Table:
    """A borderless table; ``columns``: (header, "left"/"right")."""
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, header_style="bold")
    for header, justify in columns:
        t.add_column(header, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        t.add_row(*(Text(str(v)) for v in row))
    return t


def servables_table(rows: list[dict[str, Any]]) -> Any:
    if not rows:
        return "(none)"
    return table(
        [("SERVABLE", "left"), ("VER", "right"), ("TYPE", "left"), ("TITLE", "left")],
        [[f"{r['owner']}/{r['name']}", r["version"], r["servable_type"], r["title"]] for r in rows],
    )


def versions_table(rows: list[dict[str, Any]]) -> Any:
    return table(
        [
            ("VER", "right"),
            ("STATE", "left"),
            ("PUBLISHED", "left"),
            ("LATEST", "left"),
            ("REASON", "left"),
        ],
        [
            [
                r["version"],
                r["state"],
                r["publication_date"],
                "*" if r["latest"] else "",
                r["state_reason"],
            ]
            for r in rows
        ],
    )


def _signature_rows(spec: dict[str, Any], direction: str) -> list[list[Any]]:
    """(direction, name, type, shape, description) rows of an input or output spec."""

    def one(name: str, s: dict[str, Any]) -> list[Any]:
        kind = s.get("type", "any")
        item = (s.get("item_type") or {}).get("type")
        shape = s.get("shape")
        dims = "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]" if shape else ""
        return [
            direction,
            name,
            f"{kind} of {item}" if item else kind,
            dims,
            s.get("description", ""),
        ]

    if spec.get("type") == "dict" and spec.get("properties"):
        return [one(n, s) for n, s in spec["properties"].items()]
    return [one("(value)", spec)]


def describe_summary(
    meta: dict[str, Any], citation: str | None, versions: list[dict[str, Any]] | None
) -> Any:
    """The parts of ``dlhub describe``: heading, facts, citation, signature, versions."""
    dc, dl, sv = meta.get("datacite", {}), meta.get("dlhub", {}), meta.get("servable", {})
    title = next((t.get("title", "") for t in dc.get("titles", [])), "") or dl.get("name", "")
    ref = f"{dl.get('owner', '?')}/{dl.get('name', '?')}:{dl.get('version', '?')}"
    heading = Text(title, style="bold")
    heading.append(f"  {ref}", style="cyan")
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    authors = "; ".join(c.get("name") or c.get("creatorName", "") for c in dc.get("creators", []))
    state = meta.get("state", "active")
    if meta.get("state_reason"):
        state += f" ({meta['state_reason']})"
    related = [r.get("relatedIdentifier", "") for r in dc.get("relatedIdentifiers", [])]
    for label, value in (
        ("Authors", authors),
        ("Type", sv.get("type", "")),
        ("State", state),
        ("Domains", ", ".join(dl.get("domains", []))),
        ("Published", dl.get("publication_date", "")),
        ("DOI", dl.get("doi") or dc.get("identifier", {}).get("identifier", "")),
        ("Related", ", ".join(related)),
        ("Visible to", ", ".join(meta.get("visible_to", []))),
        ("Co-owners", ", ".join(meta.get("co_owners", []))),
    ):
        if value:
            facts.add_row(label, Text(str(value)))
    parts: list[Any] = [heading, facts]
    description = next((d.get("description", "") for d in dc.get("descriptions", [])), "")
    if description:
        parts += ["", Text(description)]
    if citation:
        parts += ["", Text("Cite as", style="bold"), Text(citation.strip())]
    rows: list[list[Any]] = []
    for method, spec in (sv.get("methods") or {}).items():
        label = "" if method == "run" else f"{method}: "
        rows += _signature_rows(spec.get("input") or {}, f"{label}input")
        rows += _signature_rows(spec.get("output") or {}, f"{label}output")
    if rows:
        parts += [
            "",
            Text("Signature", style="bold"),
            table(
                [
                    ("", "left"),
                    ("NAME", "left"),
                    ("TYPE", "left"),
                    ("SHAPE", "left"),
                    ("DESCRIPTION", "left"),
                ],
                rows,
            ),
        ]
    if versions:
        parts += ["", Text("Versions", style="bold"), versions_table(versions)]
    elif meta.get("versions"):
        parts += ["", Text("Versions ", style="bold") + Text(", ".join(map(str, meta["versions"])))]
    return Group(*(Text(p) if isinstance(p, str) else p for p in parts))
