"""The ``datacite`` block checked against the official DataCite Metadata Schema 4.

The schema is the one the ``datacite`` package ships (``datacite-v4.5.json``,
the DataCite REST API's JSON form of kernel 4.5), checked with jsonschema,
so every field of DataCite 4 is accepted (contributors, dates, language,
geoLocations, sizes, formats, relatedItems, ...) and every bad one is named.

DLHub's canonical block keeps the layout of the original DLHub (camelCase
DataCite 4 JSON) with a few differences from the REST form, translated here
before the check (:func:`to_kernel4`):

* ``resourceType`` (DLHub) is ``types`` (REST); both are accepted;
* ``identifier: {identifier, identifierType: DOI}`` is ``doi``; the
  placeholder ``10.YET/UNASSIGNED`` of an unminted version is left out;
* an affiliation may be a plain string (``{"name": ...}`` in REST);
* ``publisher`` may be a plain string (``{"name": ...}`` in REST);
* ``alternateIdentifiers`` items may use ``identifier``/``identifierType``;
* ``publicationYear`` and ``schemaVersion`` are assigned when absent.

Identifiers are then checked with idutils: ORCID and ROR name identifiers,
ROR affiliations and funders, the DOI, and related and alternate identifiers
of a type idutils knows (DOI, URL, arXiv, Handle, ISBN, ...).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import importlib.resources
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import idutils
from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError

SCHEMA_FILE = "schemas/datacite-v4.5.json"
SCHEMA_VERSION = "http://datacite.org/schema/kernel-4"
# The identifier of a version no DOI was minted for (as in the original DLHub).
UNASSIGNED_DOI = "10.YET/UNASSIGNED"

_YEAR = re.compile(r"^[0-9]{4}$")
_YEARMONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
DATE_RULE = (
    "not a DataCite date: use YYYY, YYYY-MM, YYYY-MM-DD or an ISO 8601 date-time,"
    " or a range of two of them as start/end"
)


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _is_datetime(value: str) -> bool:
    if "T" not in value:
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _range(check: Callable[[str], bool]) -> Callable[[object], bool]:
    def is_range(value: object) -> bool:
        if not isinstance(value, str) or value.count("/") != 1:
            return False
        start, end = value.split("/")
        # RKMS-ISO8601 ranges may be open at one end ("2020/" or "/2021").
        return (bool(start) or bool(end)) and all(check(p) for p in (start, end) if p)

    return is_range


def _format_checker() -> FormatChecker:
    checks: dict[str, Callable[[str], bool]] = {
        "year": lambda v: bool(_YEAR.match(v)),
        "yearmonth": lambda v: bool(_YEARMONTH.match(v)),
        "date": _is_date,
        "datetime": _is_datetime,
    }
    checker = FormatChecker(formats=())
    for name, check in checks.items():
        checker.checks(name)(lambda v, c=check: not isinstance(v, str) or c(v))
        checker.checks(f"{name}-range")(lambda v, c=check: not isinstance(v, str) or _range(c)(v))
    checker.checks("uri")(lambda v: not isinstance(v, str) or bool(_URI.match(v)))
    return checker


@functools.cache
def _validator() -> Draft201909Validator:
    text = (importlib.resources.files("datacite") / SCHEMA_FILE).read_text(encoding="utf-8")
    schema = json.loads(text)
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=_format_checker())


def to_kernel4(block: dict[str, Any], *, year: str | None = None) -> dict[str, Any]:
    """The DataCite REST API JSON (kernel 4.5) of a canonical ``datacite`` block.

    Args:
        block: the ``datacite`` block (DLHub or REST field names).
        year: ``publicationYear`` when the block has none (default this year).

    Returns:
        A new dict; the block is not changed.
    """
    out = copy.deepcopy(block)
    _dlhub_defaults(out)
    resource = out.pop("resourceType", None)
    if "types" not in out:
        out["types"] = resource if isinstance(resource, dict) else {}
    if isinstance(out["types"], dict):
        out["types"].setdefault("resourceTypeGeneral", "Software")
    ident = out.pop("identifier", None)
    if isinstance(ident, dict) and "doi" not in out:
        value = ident.get("identifier")
        if ident.get("identifierType", "DOI") == "DOI" and value != UNASSIGNED_DOI:
            out["doi"] = value
    elif ident is not None:
        out["identifier"] = ident  # refused by the schema, named as it was given
    publisher = out.get("publisher", "DLHub")
    out["publisher"] = {"name": publisher} if isinstance(publisher, str) else publisher
    if "publicationYear" not in out:
        out["publicationYear"] = year or str(dt.datetime.now(dt.UTC).year)
    elif isinstance(out["publicationYear"], int):
        out["publicationYear"] = str(out["publicationYear"])
    out.setdefault("schemaVersion", SCHEMA_VERSION)
    for key in ("creators", "contributors"):
        for person in _dicts(out.get(key)):
            if isinstance(person.get("affiliation"), list):
                person["affiliation"] = [
                    {"name": a} if isinstance(a, str) else a for a in person["affiliation"]
                ]
    for alt in _dicts(out.get("alternateIdentifiers")):
        if "identifier" in alt and "alternateIdentifier" not in alt:
            alt["alternateIdentifier"] = alt.pop("identifier")
        if "identifierType" in alt and "alternateIdentifierType" not in alt:
            alt["alternateIdentifierType"] = alt.pop("identifierType")
    return out


def _dlhub_defaults(block: dict[str, Any]) -> None:
    # The defaults DLHub's canonical form fills in (dlhub_common.metadata).
    for item in _dicts(block.get("descriptions")):
        item.setdefault("descriptionType", "Abstract")
    for item in _dicts(block.get("relatedIdentifiers")):
        item.setdefault("relatedIdentifierType", "DOI")
        item.setdefault("relationType", "IsDescribedBy")
    for person in _dicts(block.get("creators")):
        for ident in _dicts(person.get("nameIdentifiers")):
            ident.setdefault("nameIdentifierScheme", "ORCID")


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (v for v in value if isinstance(v, dict))


# REST field -> the canonical field it came from, for error paths.
_BACK = {"types": "resourceType", "doi": "identifier.identifier"}
_ALT_BACK = {"alternateIdentifier": "identifier", "alternateIdentifierType": "identifierType"}


def _field(block: dict[str, Any], path: list[str | int]) -> str:
    parts = [str(p) for p in path]
    if not parts:
        return "datacite"
    if parts[0] in _BACK and parts[0] not in block:
        parts[0] = _BACK[parts[0]]
    if parts[0] == "alternateIdentifiers" and len(parts) > 2:
        items = block.get("alternateIdentifiers") or []
        index = int(parts[1]) if parts[1].isdigit() else -1
        if 0 <= index < len(items) and parts[2] not in items[index]:
            parts[2] = _ALT_BACK.get(parts[2], parts[2])
    return "datacite." + ".".join(parts)


def _problem(error: ValidationError) -> str:
    if error.validator == "anyOf" and "format" in json.dumps(error.validator_value):
        return f"{error.instance!r}: {DATE_RULE}"
    if error.validator == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        return f"{error.instance!r} is not one of: {allowed}"
    if error.validator == "pattern" and error.path and error.path[-1] == "doi":
        return f"{error.instance!r} is not a DOI (10.<prefix>/<suffix>)"
    if error.validator == "pattern" and error.path and error.path[-1] == "publicationYear":
        return f"{error.instance!r} is not a year (YYYY)"
    if error.validator == "format":
        return f"{error.instance!r} is not a valid {error.validator_value}"
    return str(error.message)


_QUOTED = re.compile(r"'([^']*)'")


def _split(error: ValidationError) -> Iterator[tuple[list[str | int], str]]:
    # One problem per unknown key, named by its own path.
    path = list(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        inside = error.message[error.message.find("(") :]
        names = [n for n in _QUOTED.findall(inside) if isinstance(error.instance, dict)]
        if names:
            for name in names:
                yield [*path, name], "unknown field (not in the DataCite 4.5 schema)"
            return
    if error.validator == "required":
        missing = _QUOTED.findall(error.message)[:1]
        if missing:
            yield [*path, missing[0]], "required (DataCite 4.5)"
            return
    yield path, _problem(error)


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    # if/then/else and allOf wrap the useful errors; anyOf is reported whole.
    if error.context and error.validator in ("allOf", "then", "else", "if"):
        for sub in error.context:
            yield from _leaves(sub)
    else:
        yield error


# relatedIdentifierType / alternateIdentifierType -> idutils check.
_ID_CHECKS: dict[str, Callable[[str], Any]] = {
    "DOI": idutils.is_doi,
    "URL": idutils.is_url,
    "arXiv": idutils.is_arxiv,
    "Handle": idutils.is_handle,
    "ISBN": idutils.is_isbn,
    "ISSN": idutils.is_issn,
    "ARK": idutils.is_ark,
    "PMID": idutils.is_pmid,
    "PURL": idutils.is_purl,
    "URN": idutils.is_urn,
    "LSID": idutils.is_lsid,
    "EAN13": idutils.is_ean13,
    "ORCID": idutils.is_orcid,
    "ROR": idutils.is_ror,
    "ISNI": idutils.is_isni,
}


def _check_id(kind: str, value: Any) -> str | None:
    check = next((c for k, c in _ID_CHECKS.items() if k.lower() == str(kind).lower()), None)
    if check is None or not isinstance(value, str) or check(value):
        return None
    return f"{value!r} is not a valid {kind}"


def _identifier_problems(rest: dict[str, Any]) -> Iterator[tuple[list[str | int], str]]:
    for key in ("creators", "contributors"):
        for i, person in enumerate(rest.get(key) or []):
            if not isinstance(person, dict):
                continue
            for j, ident in enumerate(person.get("nameIdentifiers") or []):
                if isinstance(ident, dict):
                    problem = _check_id(
                        ident.get("nameIdentifierScheme", ""), ident.get("nameIdentifier")
                    )
                    if problem:
                        yield [key, i, "nameIdentifiers", j, "nameIdentifier"], problem
            for j, aff in enumerate(person.get("affiliation") or []):
                if isinstance(aff, dict) and aff.get("affiliationIdentifier"):
                    problem = _check_id(
                        aff.get("affiliationIdentifierScheme", ""), aff["affiliationIdentifier"]
                    )
                    if problem:
                        yield [key, i, "affiliation", j, "affiliationIdentifier"], problem
    for i, ref in enumerate(rest.get("relatedIdentifiers") or []):
        if isinstance(ref, dict):
            problem = _check_id(ref.get("relatedIdentifierType", ""), ref.get("relatedIdentifier"))
            if problem:
                yield ["relatedIdentifiers", i, "relatedIdentifier"], problem
    for i, alt in enumerate(rest.get("alternateIdentifiers") or []):
        if isinstance(alt, dict):
            problem = _check_id(
                alt.get("alternateIdentifierType", ""), alt.get("alternateIdentifier")
            )
            if problem:
                yield ["alternateIdentifiers", i, "alternateIdentifier"], problem
    for i, fund in enumerate(rest.get("fundingReferences") or []):
        if isinstance(fund, dict) and fund.get("funderIdentifierType") == "ROR":
            problem = _check_id("ROR", fund.get("funderIdentifier"))
            if problem:
                yield ["fundingReferences", i, "funderIdentifier"], problem
    if isinstance(rest.get("doi"), str) and not idutils.is_doi(rest["doi"]):
        yield ["doi"], f"{rest['doi']!r} is not a valid DOI"


def datacite_problems(block: Any) -> list[dict[str, str]]:
    """Every problem of a ``datacite`` block, as ``[{"field", "problem"}]``.

    Fields are dotted paths from the document root (``datacite.dates.0.date``),
    named as they were given (DLHub or REST field names).
    """
    if not isinstance(block, dict):
        return [{"field": "datacite", "problem": "must be an object (DataCite 4 JSON)"}]
    rest = to_kernel4(block)
    problems: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    errors = sorted(_validator().iter_errors(rest), key=lambda e: list(map(str, e.path)))
    for error in errors:
        for leaf in _leaves(error):
            for path, problem in _split(leaf):
                item = (_field(block, path), problem)
                if item in seen:
                    continue
                seen.add(item)
                problems.append({"field": item[0], "problem": item[1]})
    named = {p["field"] for p in problems}
    for path, problem in _identifier_problems(rest):
        if _field(block, path) not in named:
            problems.append({"field": _field(block, path), "problem": problem})
    return problems
