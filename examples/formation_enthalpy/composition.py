"""Step 1 of the formation-enthalpy pipeline: chemical formulas -> element fractions.

``parse(["Fe2O3", "NaCl"])`` -> ``[{"Fe": 0.4, "O": 0.6}, {"Na": 0.5, "Cl": 0.5}]``.
Counts may be decimals (``Fe0.5Ni0.5``) and groups may nest (``Ca(OH)2``).
Standard library only: the servable's environment builds in a moment.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"([A-Z][a-z]?)|(\()|(\))|(\d+(?:\.\d+)?)")


def _counts(formula: str) -> dict[str, float]:
    stack: list[dict[str, float]] = [{}]
    last: dict[str, float] | str | None = None  # the element or group a number applies to
    pos = 0
    for match in _TOKEN.finditer(formula):
        if match.start() != pos:
            raise ValueError(f"{formula!r}: unexpected {formula[pos : match.start()]!r}")
        pos = match.end()
        element, opening, closing, number = match.groups()
        if element:
            stack[-1][element] = stack[-1].get(element, 0.0) + 1.0
            last = element
        elif opening:
            stack.append({})
            last = None
        elif closing:
            if len(stack) == 1:
                raise ValueError(f"{formula!r}: ')' without '('")
            group = stack.pop()
            for el, n in group.items():
                stack[-1][el] = stack[-1].get(el, 0.0) + n
            last = group
        else:
            count = float(number)
            if isinstance(last, str):
                stack[-1][last] += count - 1.0
            elif isinstance(last, dict):
                for el, n in last.items():
                    stack[-1][el] += n * (count - 1.0)
            else:
                raise ValueError(f"{formula!r}: a number must follow an element or a group")
            last = None
    if pos != len(formula) or len(stack) != 1 or not stack[0]:
        raise ValueError(f"{formula!r} is not a chemical formula like 'Fe2O3'")
    return stack[0]


def fractions(formula: str) -> dict[str, float]:
    """Atomic fractions of one formula, summing to 1."""
    counts = _counts(formula.strip())
    total = sum(counts.values())
    if total <= 0:
        raise ValueError(f"{formula!r} has no atoms")
    return {el: n / total for el, n in counts.items()}


def parse(formulas: list[str]) -> list[dict[str, float]]:
    """The servable: every formula's element fractions, in order."""
    return [fractions(f) for f in formulas]
