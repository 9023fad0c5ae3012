"""What the HTML, DOCX and PDF writers share: the stage marks, the build date, the style files, and the
helpers that edit the assembled HTML."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable
from pathlib import Path

import yaml
from bs4 import NavigableString, Tag

REFERENCE_DOCX = "references/reference.docx"
CSS_FILE = Path(__file__).resolve().parents[1] / "report_style.css"
WORDS_FILE = Path(__file__).resolve().parent / "words.yaml"


@functools.cache
def _all_words() -> dict[str, dict]:
    return yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))


def words(language: str = "en") -> dict:
    """The words the assembly writes itself (cover, contents, captions) in a report language."""
    return _all_words()[language]


STAGE_MARKS = words("en")["stage_marks"]


def build_date() -> dt.date:
    """The document date: SOURCE_DATE_EPOCH (the last commit's date under make), so builds are repeatable."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or 0)
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date()


# ---------------------------------------------------------------- editing the assembled HTML
SKIP_TEXT_IN = {"code", "pre", "script", "style", "title"}


def text_nodes(root: Tag) -> list[NavigableString]:
    """The document's visible text nodes (not code, styles or comments), listed before any edit."""
    if root.name in SKIP_TEXT_IN or any(p.name in SKIP_TEXT_IN for p in root.parents):
        return []
    # The strings inside the elements to skip, found from those elements: asking each string for its
    # ancestors walked a million parents on a whole report. Plain loops over the descendants, here and in
    # `tagged`, take a third of the time of bs4's `find_all` and its filters, which the assembly calls often.
    hidden = {
        id(node)
        for tag in root.descendants
        if type(tag) is Tag and tag.name in SKIP_TEXT_IN
        for node in tag.descendants
    }
    return [node for node in root.descendants if type(node) is NavigableString and id(node) not in hidden]


def tagged(root: Tag, name: str, *classes: str) -> list[Tag]:
    """The `name` elements with any of `classes`, in document order: what the CSS selector `name.class`
    finds, at a thirtieth of soupsieve's time on a whole report."""
    wanted = set(classes)
    return [
        tag
        for tag in root.descendants
        if type(tag) is Tag and tag.name == name and not wanted.isdisjoint(_classes(tag))
    ]


def _classes(tag: Tag) -> list[str]:
    """A tag's classes: parsed, a list; set as one string on a tag the assembly made, that string split."""
    value = tag.get("class") or []
    return value.split() if isinstance(value, str) else value


def replace_in_text(root: Tag, pattern: re.Pattern, replace: Callable[[re.Match, NavigableString], list | None]) -> int:
    """Replace each match of `pattern` in the visible text by the nodes `replace` returns (strings or
    tags; None keeps the match as it is). Returns the number of matches replaced."""
    count = 0
    for node in text_nodes(root):
        value = str(node)
        matches = list(pattern.finditer(value))
        if not matches:
            continue
        pieces: list = []
        position = 0
        for match in matches:
            replacement = replace(match, node)
            if replacement is None:
                continue
            pieces.append(value[position : match.start()])
            pieces.extend(replacement)
            position = match.end()
            count += 1
        if not pieces:
            continue
        pieces.append(value[position:])
        for piece in pieces:
            if isinstance(piece, str) and not piece:
                continue
            node.insert_before(NavigableString(piece) if isinstance(piece, str) else piece)
        node.extract()
    return count


def where(node) -> str:
    """ "10_legal_framework.ipynb, cell 'registration'": where a piece of the assembled HTML comes from."""
    cell = node.find_parent(id=re.compile(r"^cell-id="))
    part = node.find_parent(attrs={"data-notebook": True})
    place = f"{part['data-notebook']}.ipynb" if part is not None else "the assembled report"
    return place + (f", cell '{cell['id'].removeprefix('cell-id=')}'" if cell is not None else "")
