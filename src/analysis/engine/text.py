"""Small functions that return text: the house date, plurals, lists, and filling placeholders.

The report's prose lives in the notebooks' Markdown cells. Where a sentence depends on the data (a list
of pathways, "none" / "one" / "several"), a chapter computes the fragment with these functions and records
it as a text number, and the Markdown names it with a placeholder such as `{inventory.gaps.list}`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

#: `{inventory.acts.total}`, `{inventory.acts.total:,.0f}`, `{as_of}`, `{A_origin_adj}`; `{{` escapes.
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z][A-Za-z0-9_]*(?:\.[a-z0-9][a-z0-9_-]*)*)(?::([^{}]*))?\}(?!\})")

_IRREGULAR_SINGULAR = {
    "bodies": "body",
    "criteria": "criterion",
    "countries": "country",
    "people": "person",
    "persons": "person",
    "analyses": "analysis",
    "processes": "process",
    "classes": "class",
    "statuses": "status",
    "data": "data",
    "women": "woman",
    "men": "man",
    "%": "%",
}


def house_date(value: Any) -> str:
    """One date format in every output: 1 July 2026."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime().date()
    return f"{value.day} {value:%B %Y}"


def month_range(first: Any, last: Any) -> str:
    """The house style for a span of months: "August to October 2026", "November 2025 to January 2026"."""
    start, end = (dt.date.fromisoformat(f"{str(v)[:7]}-01") for v in (first, last))
    if start.year == end.year:
        return f"{start:%B} to {end:%B %Y}" if start != end else f"{end:%B %Y}"
    return f"{start:%B %Y} to {end:%B %Y}"


def singular(unit: str) -> str:
    """ "working days" → "working day"; only the last word changes."""
    head, _, last = unit.rpartition(" ")
    if last in _IRREGULAR_SINGULAR:
        word = _IRREGULAR_SINGULAR[last]
    elif last.endswith("ies") and len(last) > 4:
        word = last[:-3] + "y"
    elif last.endswith(("sses", "shes", "ches", "xes")):
        word = last[:-2]
    elif last.endswith("s") and not last.endswith("ss") and len(last) > 1:
        word = last[:-1]
    else:
        word = last
    return f"{head} {word}" if head else word


def plural(unit: str) -> str:
    head, _, last = unit.rpartition(" ")
    irregular = {v: k for k, v in _IRREGULAR_SINGULAR.items()}
    if last in _IRREGULAR_SINGULAR:  # already a plural form ("criteria"): keep it
        word = last
    elif last in irregular:
        word = irregular[last]
    elif last.endswith("s") or not last:
        word = last
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        word = last[:-1] + "ies"
    elif last.endswith(("s", "sh", "ch", "x")):
        word = last + "es"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


def with_unit(count: float, unit: str, number_text: str | None = None) -> str:
    """ "1 working day", "3 working days": the unit agrees with the number."""
    text = number_text if number_text is not None else f"{count:,}"
    if not unit:
        return text
    return f"{text} {singular(unit) if count == 1 else plural(unit)}"


def count_phrase(count: int, unit: str, zero: str = "no") -> str:
    """ "no pathway", "one pathway", "3 pathways" — for sentences that read as words."""
    if count == 0:
        return f"{zero} {plural(unit)}" if zero == "no" else zero
    if count == 1:
        return f"one {singular(unit)}"
    return with_unit(count, unit)


def listing(items: Iterable[Any], conjunction: str = "and", empty: str = "none") -> str:
    """ "a", "a and b", "a, b and c"."""
    words = [str(i) for i in items if str(i)]
    if not words:
        return empty
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


class PlaceholderError(KeyError):
    """A placeholder names nothing that the run recorded or that the configuration defines."""

    def __str__(self) -> str:  # KeyError quotes its argument; this message is for people
        return str(self.args[0])


def fill(template: str, lookup: Callable[[str, str | None], str], where: str = "") -> str:
    """Replace every placeholder with `lookup(name, format_spec)`; a name written with a capital first
    letter (`{A_origin_adj}`) gets a capitalised value. Unknown names are collected and reported together."""
    unknown: list[str] = []

    def replace(match: re.Match) -> str:
        name, spec = match.group(1), match.group(2)
        capital = name[0].isupper()
        key = name[0].lower() + name[1:] if capital else name
        try:
            value = lookup(key, spec)
        except KeyError:
            unknown.append("{" + name + "}")
            return match.group(0)
        return sentence_case(value) if capital else value

    text = PLACEHOLDER.sub(replace, template)
    if unknown:
        place = f"{where}: " if where else ""
        raise PlaceholderError(f"{place}no recorded number or term for {', '.join(sorted(set(unknown)))}")
    return text.replace("{{", "{").replace("}}", "}")
