"""Words a reader understands where chapters wrote machinery: sources in words, citations for inventory ids.

Chapters name their sources as the files they read ("Source: data/raw/procedures.xlsx"). The report names
them in words, so the assembly rewrites every project path (and bare input file name) of the text: a raw
input becomes its label from data/raw/provenance.yaml ("procedures workbook"), a processed table the input
of the chapter that makes it and that chapter ("legal inventory (chapter 3)"). In the tables of the main
text a cell that holds only inventory fact ids shows their short citations instead ("Res. No. 689 of 2016,
item 5"), once the legal-framework chapter writes its citations table.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from bs4 import BeautifulSoup, Tag

from analysis.engine import numbers, paths, provenance, runner
from analysis.engine.assemble.citations import Library
from analysis.engine.assemble.common import replace_in_text

PROJECT_PATH = re.compile(r"(?<![\w/.])(?:data|config)/[\w.\-/]*\w")
FILE_NAME = re.compile(r"(?<![\w/.\-])[\w\-]+\.(?:csv|xlsx|json|yaml|yml|ipynb|qdpx|qdc)\b")
ID_LIST = re.compile(r"\s*[;,]\s*")
WORDS = {
    "en": {"numbers": "register of computed numbers", "config": "configuration of the corridor", "chapter": "chapter"},
    "ru": {"numbers": "реестр рассчитанных показателей", "config": "конфигурация коридора", "chapter": "глава"},
}


class SourceWords:
    """Turns a project path into words, in the language of the part of the report it appears in."""

    def __init__(self, soup: BeautifulSoup):
        self.soup = soup
        self.specs = runner.discover()
        self.raw_names = {PurePosixPath(name).name: name for name in provenance.load()}

    def chapter_of(self, notebook: str) -> str | None:
        part = self.soup.find(attrs={"data-notebook": notebook, "class": "chapter"})
        heading = part.find("h1") if part is not None else None
        if heading is None or not str(heading.get("id", "")).startswith("sec-"):
            return None
        return heading["id"].removeprefix("sec-")

    def words_for(self, path: str, language: str) -> str:
        vocabulary = WORDS.get(language, WORDS["en"])
        if path == numbers.MERGED:
            return vocabulary["numbers"]
        if path.startswith("config/"):
            return vocabulary["config"]
        if path.startswith("data/raw/"):
            return provenance.label(path, language)
        for spec in self.specs:
            if any(path == o or path.startswith(o + "/") or o.startswith(path + "/") for o in spec.outputs):
                raw = [i for i in spec.inputs if i.startswith("data/raw/")]
                what = provenance.label(raw[0], language) if raw else spec.name.split("_", 1)[-1].replace("_", " ")
                chapter = self.chapter_of(spec.name)
                return f"{what} ({vocabulary['chapter']} {chapter})" if chapter else what
        return PurePosixPath(path).stem.replace("_", " ")

    def file_words(self, name: str, language: str) -> str | None:
        """A bare file name: a raw input's label, or the words for the processed table of that name."""
        raw = self.raw_names.get(name)
        if raw:
            return provenance.label(raw, language)
        made = sorted(paths.resolve("data/processed").rglob(name))
        if made:
            return self.words_for(paths.relative(made[0]), language)
        return None


def _language_of(node) -> str:
    part = node.find_parent(attrs={"lang": True})
    return part["lang"][:2] if part is not None else "en"


def sources_in_words(soup: BeautifulSoup, excluded: list[Tag] = ()) -> int:
    """Rewrite the project paths and input file names of the text in words (not inside `excluded`, the
    Reproducibility annex, which lists the files by name on purpose). Returns how many were rewritten."""
    wording = SourceWords(soup)
    skip = [id(e) for e in excluded]

    def outside(node) -> bool:
        return not any(id(p) in skip for p in node.parents)

    def path(match: re.Match, node) -> list | None:
        return [wording.words_for(match.group(0), _language_of(node))] if outside(node) else None

    def file(match: re.Match, node) -> list | None:
        if not outside(node):
            return None
        found = wording.file_words(match.group(0), _language_of(node))
        return [found] if found else None

    return replace_in_text(soup, PROJECT_PATH, path) + replace_in_text(soup, FILE_NAME, file)


def short_citations_in_tables(part: Tag | None, library: Library) -> int:
    """In the tables of the main text, a cell holding only inventory fact ids shows their short citations."""
    if part is None or not library.facts:
        return 0
    count = 0
    for cell in part.find_all("td"):
        if cell.find(True) is not None:
            continue
        ids = [i for i in ID_LIST.split(cell.get_text(strip=True)) if i]
        if not ids or not all(i in library.facts and library.facts[i].short for i in ids):
            continue
        cell.string = "; ".join(dict.fromkeys(library.facts[i].short for i in ids))
        count += 1
    return count


def project_paths_in(text: str) -> list[str]:
    """Project paths a text still shows (for the checks of the built report)."""
    return PROJECT_PATH.findall(text) + FILE_NAME.findall(text)
