"""Citations of the legal inventory: footnotes in the text and the numbered References list.

Prose (a Markdown cell, or text a chapter shows) cites an inventory fact by its id:

- `[@G01-REG-DEADLINE]` or `[@L03; @G07-SINGLE-PERMIT]` becomes a **footnote** (a real footnote in Word and
  PDF, a numbered note at the end of the chapter in the HTML) whose text is each fact's full citation,
  followed by the numbers of its sources in the References list;
- `[#G01-REG-DEADLINE]` becomes only those numbers ("[3; 12]"), for tables, where a footnote on every row
  would bury the page.

An id may also name a source directly. The References list holds the sources actually cited, numbered in the
order of their first citation. Citations are resolved at assembly from two tables the legal-framework
chapter writes in data/processed/inventory/ (any chapter may write such a pair in its own folder, as the
introduction does for the corridor's figures), so no other notebook needs the inventory as input:

- `citations.csv`: `fact_id`, `short` (a short citation, "Res. No. 689 of 2016, item 5"), `footnote` (the full
  text of the footnote), `source_ids` (ids of sources.csv, separated by ";");
- `sources.csv`: `source_id`, `title`, `address`, and optionally `title_en`, `publisher`, `source_date`,
  `tier`, `checked_on` — one row per source, the bibliography.

An id that neither table knows stops the build with a message naming the notebook and cell.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup, NavigableString, Tag

from analysis.engine import paths, text
from analysis.engine.assemble.common import replace_in_text, where
from analysis.engine.errors import InputError, Problem
from analysis.engine.prose import ProseError

CITATIONS = "data/processed/inventory/citations.csv"
SOURCES = "data/processed/inventory/sources.csv"
#: `[@ID]`, `[@ID1; @ID2]`, `[#ID]`; cross-references (`[@tbl:label]`) are resolved before, by crossrefs.
MARKER = re.compile(r"\[([@#])([A-Za-z0-9][\w.\-/]*(?:\s*;\s*[@#]?[A-Za-z0-9][\w.\-/]*)*)\]")
REQUIRED = {CITATIONS: ("fact_id", "footnote", "source_ids"), SOURCES: ("source_id", "title", "address")}


class CitationError(ProseError):
    """A citation names an id that the citations and sources tables do not hold."""


@dataclass(frozen=True)
class Fact:
    id: str
    short: str
    footnote: str
    source_ids: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    address: str
    title_en: str = ""
    publisher: str = ""
    source_date: str = ""
    checked_on: str = ""

    def reference_html(self) -> str:
        """One entry of the References list: title [English title]. Publisher, date. Address."""
        parts = [html.escape(self.title)]
        if self.title_en and self.title_en != self.title:
            parts[0] += f" [{html.escape(self.title_en)}]"
        who_when = ", ".join(p for p in (html.escape(self.publisher), _date(self.source_date)) if p)
        if who_when:
            parts.append(who_when)
        if self.address:
            address = html.escape(self.address)
            parts.append(f'<a href="{address}">{address}</a>')
        if self.checked_on:
            parts.append(f"Checked on {_date(self.checked_on)}")
        return ". ".join(parts) + "."


def _date(value: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""):
        return text.house_date(value)
    return html.escape(value or "")


def _read(path: Path, label: str) -> pd.DataFrame | None:
    if not path.exists():
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in REQUIRED[label] if c not in frame.columns]
    if missing:
        raise InputError(
            [
                Problem(
                    file=paths.relative(path),
                    row=1,
                    column=c,
                    expected=f"a column '{c}'",
                    found="columns: " + ", ".join(frame.columns),
                )
                for c in missing
            ]
        )
    return frame


@dataclass
class Library:
    """The citable facts and their sources, as the legal-framework chapter wrote them."""

    facts: dict[str, Fact] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, citations: str | Path | None = None, sources: str | Path | None = None) -> Library:
        """The citable facts of one pair of tables, or (by default) of every chapter that writes them:
        data/processed/<folder>/citations.csv and sources.csv (the inventory's, the corridor figures')."""
        library = cls()
        if citations is not None or sources is not None:
            pairs = [(paths.resolve(citations or CITATIONS), paths.resolve(sources or SOURCES))]
        else:
            pairs = [
                (folder / "citations.csv", folder / "sources.csv")
                for folder in sorted(paths.resolve("data/processed").glob("*/"))
                if folder.is_dir()
            ]
            pairs = [pair for pair in pairs if pair[0].exists() or pair[1].exists()]
            if not any(c == paths.resolve(CITATIONS) for c, _ in pairs):
                library.missing.append(CITATIONS)
        problems: list[Problem] = []
        for citations_path, sources_path in pairs:
            problems += library._add(citations_path, sources_path)
        if problems:
            raise InputError(problems)
        return library

    def _add(self, citations_path: Path, sources_path: Path) -> list[Problem]:
        problems = []
        source_rows = _read(sources_path, SOURCES)
        fact_rows = _read(citations_path, CITATIONS)
        for path, rows in ((citations_path, fact_rows), (sources_path, source_rows)):
            if rows is None:
                self.missing.append(paths.relative(path))
        if source_rows is not None:
            for number, row in enumerate(source_rows.to_dict("records"), start=2):
                key = row["source_id"].strip()
                if not key or key in self.sources:
                    problems.append(
                        Problem(
                            file=paths.relative(sources_path),
                            row=number,
                            column="source_id",
                            expected="an id that no other source has",
                            found=key,
                        )
                    )
                    continue
                self.sources[key] = Source(
                    id=key,
                    title=row["title"].strip(),
                    address=row["address"].strip(),
                    **{k: str(row.get(k, "")).strip() for k in ("title_en", "publisher", "source_date", "checked_on")},
                )
        if fact_rows is not None:
            for number, row in enumerate(fact_rows.to_dict("records"), start=2):
                key = row["fact_id"].strip()
                ids = tuple(s.strip() for s in row["source_ids"].split(";") if s.strip())
                unknown = [s for s in ids if s not in self.sources]
                if unknown:
                    problems.append(
                        Problem(
                            file=paths.relative(citations_path),
                            row=number,
                            column="source_ids",
                            expected=f"ids of {paths.relative(sources_path)}",
                            found=", ".join(unknown),
                        )
                    )
                footnote = row["footnote"].strip() or str(row.get("short", "")).strip()
                if not footnote:
                    problems.append(
                        Problem(
                            file=paths.relative(citations_path),
                            row=number,
                            column="footnote",
                            expected="the text of the footnote",
                            found="",
                        )
                    )
                if key in self.facts:
                    problems.append(
                        Problem(
                            file=paths.relative(citations_path),
                            row=number,
                            column="fact_id",
                            expected="an id that no other citation has",
                            found=key,
                        )
                    )
                self.facts[key] = Fact(
                    id=key, short=str(row.get("short", "")).strip(), footnote=footnote, source_ids=ids
                )
        return problems

    def knows(self, id: str) -> bool:
        return id in self.facts or id in self.sources

    def sources_of(self, id: str) -> tuple[str, ...]:
        return self.facts[id].source_ids if id in self.facts else (id,)

    def note_text(self, id: str) -> str:
        if id in self.facts:
            return self.facts[id].footnote
        source = self.sources[id]
        return source.title_en or source.title


def parse(marker_body: str) -> list[str]:
    """The ids of one marker's body: "@A; @B" → ["A", "B"]."""
    return [item.strip().lstrip("@#").strip() for item in marker_body.split(";") if item.strip()]


@dataclass
class Resolution:
    """What resolving the citations of a document produced: the cited sources in order, and the notes."""

    cited: list[str] = field(default_factory=list)
    footnotes: int = 0

    def number_of(self, source_id: str) -> int:
        if source_id not in self.cited:
            self.cited.append(source_id)
        return self.cited.index(source_id) + 1


def _reference_links(soup: BeautifulSoup, numbers: list[int]) -> list:
    nodes: list = ["["]
    for index, number in enumerate(numbers):
        if index:
            nodes.append("; ")
        link = soup.new_tag("a", href=f"#ref-{number}", attrs={"class": "ref-number"})
        link.string = str(number)
        nodes.append(link)
    nodes.append("]")
    return nodes


def resolve(soup: BeautifulSoup, library: Library) -> Resolution:
    """Replace every citation marker of the document with a footnote or reference numbers, in document
    order; put each part's notes at its end and return the cited sources. Unknown ids raise CitationError
    listing every one with its notebook and cell."""
    result = Resolution()
    problems: list[str] = []
    notes_by_part: dict[int, tuple[Tag, list[Tag]]] = {}

    def replace(match: re.Match, node: NavigableString) -> list | None:
        kind, ids = match.group(1), parse(match.group(2))
        unknown = [i for i in ids if not library.knows(i)]
        if unknown:
            reason = (
                (
                    f"the citation tables are missing ({', '.join(library.missing)}: the legal-framework "
                    "chapter writes them)"
                )
                if library.missing
                else f"not in {CITATIONS} or {SOURCES}"
            )
            problems.append(f"{where(node)}: unknown citation {', '.join('[@' + i + ']' for i in unknown)} ({reason})")
            return None
        if kind == "#":
            numbers = sorted({result.number_of(s) for i in ids for s in library.sources_of(i)})
            return _reference_links(soup, numbers)
        result.footnotes += 1
        number = result.footnotes
        ref = soup.new_tag(
            "a", href=f"#fn-{number}", id=f"fnref-{number}", attrs={"class": "footnote-ref", "role": "doc-noteref"}
        )
        shorts = [library.facts[i].short for i in ids if i in library.facts and library.facts[i].short]
        if shorts:
            ref["title"] = "; ".join(shorts)
        sup = soup.new_tag("sup")
        sup.string = str(number)
        ref.append(sup)
        note = soup.new_tag("li", id=f"fn-{number}")
        paragraph = soup.new_tag("p")
        for index, fact_id in enumerate(ids):
            if index:
                paragraph.append("; ")
            paragraph.append(library.note_text(fact_id).rstrip(".") + " ")
            for item in _reference_links(soup, [result.number_of(s) for s in library.sources_of(fact_id)]):
                paragraph.append(item)
        paragraph.append(".")
        note.append(paragraph)
        part = _part_of(node, soup)
        notes_by_part.setdefault(id(part), (part, []))[1].append(note)
        return [ref]

    replace_in_text(soup, MARKER, replace)
    if problems:
        raise CitationError("\n".join(problems))
    for part, notes in notes_by_part.values():
        section = soup.new_tag("section", attrs={"class": "footnotes", "role": "doc-endnotes"})
        listing = soup.new_tag("ol", start=notes[0]["id"].removeprefix("fn-"))
        for note in notes:
            listing.append(note)
        section.append(listing)
        part.append(section)
    return result


def _part_of(node, soup: BeautifulSoup) -> Tag:
    """The chapter or annex (or the whole body) whose end carries the note of a citation."""
    part = node.find_parent(attrs={"data-notebook": True})
    return part if part is not None else (soup.body or soup)


def references_html(resolution: Resolution, library: Library, title: str = "References") -> str:
    """The References list: the sources cited, numbered as the footnotes and tables cite them."""
    if not resolution.cited:
        return ""
    items = "".join(
        f'<li><span id="ref-{n}"></span>{library.sources[s].reference_html()}</li>'
        for n, s in enumerate(resolution.cited, start=1)
    )
    return (
        f'<section class="references" id="references"><h1 class="unnumbered" id="references-heading">{html.escape(title)}</h1>'
        f'<ol class="references">{items}</ol></section>'
    )
