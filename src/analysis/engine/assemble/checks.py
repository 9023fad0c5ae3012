"""What a reader must never trip over in the main text: internal ids, file paths, debug output, a second date
format, "1 working days", acronyms the glossary does not define.

The tests run these checks over the built HTML (chapter by chapter, so each problem is named with the
chapter that shows it) and over the text of the Word file. Ids belong in the annexes, or as a small tag next
to a human name: an inventory body's abbreviation that the glossary defines (MTSOM) is a name, not an id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.engine import glossary, numbers, paths, text
from analysis.engine.assemble import crossrefs
from analysis.engine.assemble.cleanup import project_paths_in

URL = re.compile(r"https?://\S+")
DEBUG = re.compile(
    r"\b[A-Z][A-Za-z]+\((?:[a-z_]+=)|\bobject at 0x[0-9a-f]+|Traceback \(most recent call last\)"
    r"|\b(?:seed|value|None)\s+None\b|\bNaN\b|\bnan\b|<NA>"
)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{4}-\d{2} to \d{4}-\d{2}\b|\b\d{2}\.\d{2}\.\d{4}\b")
PADDED_DATE = re.compile(
    r"\b0\d (?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December) \d{4}\b"
)
US_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December) \d{1,2}, \d{4}\b"
)
ID_COLUMNS = re.compile(r"(?:^|_)id$")
ID_LIKE = re.compile(r"^(?=.*[A-Z])[A-Z0-9][A-Z0-9.\-]+$")


@dataclass(frozen=True)
class Problem:
    kind: str
    found: str
    context: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.found!r} in “…{self.context}…”"


def internal_ids(folder: str | Path = "data/processed") -> set[str]:
    """The ids of the processed tables (inventory acts and provisions, codebook themes and codes, benchmark
    criteria, findings register …): every value of an `id` or `…_id` column written in capitals."""
    found: set[str] = set()
    for path in sorted(paths.resolve(folder).rglob("*.csv")):
        try:
            header = pd.read_csv(path, nrows=0).columns
        except (pd.errors.EmptyDataError, UnicodeDecodeError):
            continue
        columns = [c for c in header if ID_COLUMNS.search(str(c))]
        if not columns:
            continue
        frame = pd.read_csv(path, usecols=columns, dtype=str, keep_default_na=False)
        for column in columns:
            found |= {v for v in frame[column] if ID_LIKE.match(v)}
    return found


def plural_units() -> set[str]:
    """The plural units of the recorded numbers ("working days"), which must never follow a 1."""
    merged = paths.resolve(numbers.MERGED)
    if not merged.exists():
        return set()
    units = {n["unit"] for n in json.loads(merged.read_text(encoding="utf-8"))["numbers"].values()}
    return {text.plural(u) for u in units if u and re.fullmatch(r"[a-z ]+", u) and text.plural(u) != text.singular(u)}


def _context(value: str, start: int, end: int) -> str:
    return " ".join(value[max(0, start - 50) : end + 30].split())


def problems(value: str, ids: set[str], terms: glossary.Glossary, units: set[str]) -> list[Problem]:
    """Every problem of one piece of main text."""
    value = URL.sub(" ", value)
    found: list[Problem] = []

    def add(kind: str, pattern: re.Pattern) -> None:
        for match in pattern.finditer(value):
            found.append(Problem(kind, match.group(0), _context(value, match.start(), match.end())))

    add("debug output", DEBUG)
    add("date format", ISO_DATE)
    add("date format", PADDED_DATE)
    add("date format", US_DATE)
    if units:
        add(
            "plural",
            re.compile(r"(?<![\d.,])\b1 (?:" + "|".join(sorted(map(re.escape, units), key=len, reverse=True)) + r")\b"),
        )
    for path in project_paths_in(value):
        index = value.find(path)
        found.append(Problem("file path", path, _context(value, index, index + len(path))))
        value = value.replace(path, " ")  # checked once, as a path, not again for ids and acronyms
    names = set(terms.entries)
    shown_on_purpose = crossrefs.id_pattern()
    tokens = re.compile(r"(?<![\w\-.])[A-Za-z0-9][\w.\-]*[A-Za-z0-9](?![\w\-])")
    for match in tokens.finditer(value):
        token = match.group(0)
        if token in ids and token not in names and not shown_on_purpose.fullmatch(token):
            found.append(Problem("internal id", token, _context(value, match.start(), match.end())))
    for acronym in terms.undefined(value):
        if acronym not in ids:
            index = value.find(acronym)
            found.append(Problem("undefined acronym", acronym, _context(value, index, index + len(acronym))))
    return found
