"""Cross-references: "see Table 4.2", "Annex A", F-nn and R-nn as links (bookmarks and links in Word).

Numbers of chapters, tables and figures are given at assembly, so prose never types them. It names what it
refers to by a label instead:

- a heading carries one at its end, `## Registration {#sec:registration}`, `# Inventory {#annex:inventory}`;
- a caption cell ends with one, `Processing times by procedure {#tbl:times}` (or `{#fig:km}`), and a table
  made in code may pass `label=` to `report.table`;
- the text refers to it as `[@tbl:times]` → "Table 6.2", `[@fig:km]` → "Figure 6.1", `[@sec:registration]` →
  "section 3.3.2" (a chapter: "chapter 3"), `[@annex:inventory]` → "Annex A"; `[@Sec:…]` capitalises;
- a chapter and a notebook's first annex can also be named by their notebook: `[@sec:40_processing_times]`,
  `[@annex:10_legal_framework]`.

Finding and recommendation ids (the patterns of `feedback.reference_patterns`, F-nn and R-nn) link by
themselves to where a numbered chapter states them (the finding's bold id, the recommendation's table row),
and a typed "Annex B" links to that annex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from analysis.engine import config
from analysis.engine.assemble.common import replace_in_text, where
from analysis.engine.prose import ProseError

LABEL = re.compile(r"\s*\{#((?:tbl|fig|sec|annex):[\w.\-]+)\}\s*$")
REFERENCE = re.compile(r"\[@((?:tbl|fig|sec|annex|Tbl|Fig|Sec|Annex):[\w.\-]+)\]")
ANNEX = re.compile(r"\bAnnex ([A-Z])\b")
DEFAULT_ID_PATTERNS = (r"F-\d{2}", r"R-\d{2}")


class CrossReferenceError(ProseError):
    """A cross-reference names a label that no heading, table or figure carries."""


@dataclass(frozen=True)
class Target:
    anchor: str
    text: str  # "Table 6.2", "section 3.3.2", "Annex A"


def take_label(element: Tag) -> str | None:
    """Remove a trailing `{#kind:name}` from an element's text and return the label."""
    for node in reversed(list(element.find_all(string=True))):
        if not node.strip():
            continue
        match = LABEL.search(node)
        if match:
            node.replace_with(node[: match.start()])
            return match.group(1)
        return None
    return None


def resolve(soup: BeautifulSoup, targets: dict[str, Target]) -> None:
    """Replace every `[@kind:label]` with a link to its target; unknown labels raise, naming the cell."""
    problems: list[str] = []

    def replace(match: re.Match, node) -> list | None:
        label = match.group(1)
        key = label[0].lower() + label[1:]
        target = targets.get(key)
        if target is None:
            problems.append(
                f"{where(node)}: no heading, table or figure is labelled {{#{key}}} (referred to as [@{label}])"
            )
            return None
        link = soup.new_tag("a", href=f"#{target.anchor}", attrs={"class": "xref"})
        link.string = target.text[0].upper() + target.text[1:] if label[0].isupper() else target.text
        return [link]

    replace_in_text(soup, REFERENCE, replace)
    if problems:
        raise CrossReferenceError("\n".join(problems))


def id_pattern() -> re.Pattern:
    """Finding and recommendation ids (F-nn, R-nn): the references the report shows on purpose."""
    patterns = config.get("feedback.reference_patterns", list(DEFAULT_ID_PATTERNS))
    return re.compile(r"(?<![\w-])(" + "|".join(f"(?:{p})" for p in patterns) + r")(?![\w-])")


def link_ids(soup: BeautifulSoup, numbered_parts: list[Tag]) -> dict[str, str]:
    """Bookmark where a numbered chapter states each finding and recommendation (a bold id opening a
    paragraph, or a table cell holding only the id) and link every other mention to it. Returns id → anchor."""
    pattern = id_pattern()
    anchors: dict[str, str] = {}
    for part in numbered_parts:
        for element in part.find_all(["strong", "td"]):
            value = element.get_text(strip=True).rstrip(".")
            if not pattern.fullmatch(value) or value in anchors:
                continue
            anchor = f"id-{value}"
            element.insert(0, soup.new_tag("span", id=anchor))
            element["data-defines"] = value
            anchors[value] = anchor

    def replace(match: re.Match, node) -> list | None:
        value = match.group(1)
        if value not in anchors or node.find_parent("a") is not None or node.find_parent(attrs={"data-defines": value}):
            return None
        link = soup.new_tag("a", href=f"#{anchors[value]}", attrs={"class": "xref"})
        link.string = value
        return [link]

    replace_in_text(soup, pattern, replace)
    return anchors


def link_annexes(soup: BeautifulSoup, letters: set[str]) -> None:
    """A typed "Annex B" (in a source line, say) links to Annex B when there is one."""

    def replace(match: re.Match, node) -> list | None:
        if match.group(1) not in letters or node.find_parent(["a", "h1", "h2", "h3"]) is not None:
            return None
        link = soup.new_tag("a", href=f"#annex-{match.group(1)}", attrs={"class": "xref"})
        link.string = match.group(0)
        return [link]

    replace_in_text(soup, ANNEX, replace)
