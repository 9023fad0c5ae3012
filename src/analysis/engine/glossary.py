"""The glossary of abbreviations and acronyms (data/raw/glossary.csv), kept as data.

The report's list of abbreviations is the glossary entries its text uses, so it never lists what the text
does not say and never misses what it does: `undefined()` names every acronym of a text that the glossary
lacks (a test runs it over the built report). An acronym is a word of two or more capital letters (Latin or
Cyrillic), optionally with digits or joined by hyphens (MTSOM, GKNB-BS, SBS-2026, ВНЖ).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.engine import paths
from analysis.engine.errors import InputError, Problem

GLOSSARY = "data/raw/glossary.csv"
COLUMNS = ("abbreviation", "expansion_en", "expansion_ru")
#: Two or more capitals (digits may follow the first two), as a whole word; parts joined by "-" or "/"
#: (SBS-2026, RFE/RL). A word joined to others by dots (a code such as ONLINE.ACCESS, an indicator code)
#: is not one.
ACRONYM = re.compile(
    r"(?<![\w\-./\u200b])[A-ZА-ЯЁ][A-ZА-ЯЁ]+[A-ZА-ЯЁ0-9]*(?:[-/][A-ZА-ЯЁ0-9]+)*(?![\w\-/]|\.[\w\u200b])"
)
#: Words quoted as the source wrote them (a title, a quote): the glossary defines the report's own words.
QUOTED = re.compile(r"“[^”]*”|«[^»]*»")
#: An acronym spelled out where it is used: "Kyrgyz State Medical Academy (KSMA)".
SPELLED_OUT = re.compile(r"\w+\s+\(([A-ZА-ЯЁ][A-ZА-ЯЁ0-9\-/]+)\)")
#: Capitals the report writes for emphasis or as its stage mark: words, not abbreviations.
EMPHASIS = {"DRAFT", "FINAL", "SYNTHETIC", "NOT", "ПРОЕКТ", "ОКОНЧАТЕЛЬНАЯ", "ВЕРСИЯ", "СИНТЕТИЧЕСКИЕ"}


def _is_document_number(token: str, before: str) -> bool:
    """A document's number, not an abbreviation: a UN symbol (CMW/C/KGZ/CO/2) or what follows "No."
    (Decree No. PF-162)."""
    parts = token.split("/")
    return (len(parts) > 2 and any(p.isdigit() for p in parts)) or bool(re.search(r"No\.?\s$", before))


@dataclass(frozen=True)
class Entry:
    abbreviation: str
    expansion_en: str
    expansion_ru: str

    def meaning(self, language: str = "en") -> str:
        return (self.expansion_ru if language == "ru" else "") or self.expansion_en


@dataclass
class Glossary:
    entries: dict[str, Entry]

    def acronyms(self, text: str) -> set[str]:
        """The acronyms of a text; a pair written with a slash (KG/UZ) counts as its parts unless the
        glossary has the whole (RFE/RL)."""
        found = set()
        for match in ACRONYM.finditer(text):
            token = match.group(0)
            if token not in self.entries and _is_document_number(
                token, text[max(0, match.start() - 4) : match.start()]
            ):
                continue
            found |= {token} if token in self.entries or "/" not in token else set(token.split("/"))
        return found

    def used_in(self, text: str) -> list[Entry]:
        """The entries the text uses, in alphabetical order of the abbreviation."""
        return [self.entries[a] for a in sorted(self.acronyms(text) & set(self.entries), key=str.casefold)]

    def undefined(self, text: str) -> list[str]:
        """Acronyms of the text that neither the glossary nor the text itself (“… Academy (KSMA)”) defines;
        words in quotation marks are the source's, not the report's."""
        own = QUOTED.sub(" ", text)
        spelled_out = set(SPELLED_OUT.findall(own))
        return sorted(
            a for a in self.acronyms(own) - set(self.entries) - EMPHASIS - spelled_out if ACRONYM.fullmatch(a)
        )


def load(path: str | Path = GLOSSARY) -> Glossary:
    """The glossary; an empty one if the corridor has none yet (the report then lists no abbreviations)."""
    path = paths.resolve(path)
    if not path.exists():
        return Glossary({})
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in COLUMNS if c not in frame.columns]
    problems = [
        Problem(
            file=paths.relative(path),
            row=1,
            column=c,
            expected=f"a column '{c}'",
            found="columns: " + ", ".join(frame.columns),
        )
        for c in missing
    ]
    if problems:
        raise InputError(problems)
    entries: dict[str, Entry] = {}
    for number, row in enumerate(frame.to_dict("records"), start=2):
        key = row["abbreviation"].strip()
        if not key or not row["expansion_en"].strip():
            problems.append(
                Problem(
                    file=paths.relative(path),
                    row=number,
                    column="expansion_en" if key else "abbreviation",
                    expected="an abbreviation and its meaning in English",
                    found=key or "",
                )
            )
        elif key in entries:
            problems.append(
                Problem(
                    file=paths.relative(path),
                    row=number,
                    column="abbreviation",
                    expected="each abbreviation once",
                    found=key,
                )
            )
        else:
            entries[key] = Entry(key, row["expansion_en"].strip(), row["expansion_ru"].strip())
    if problems:
        raise InputError(problems)
    return Glossary(entries)
