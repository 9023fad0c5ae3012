"""The prose of a chapter notebook: Markdown cells with placeholders, conditions and captions.

What a consultant writes in Markdown cells, and how the runner turns it into the report's text:

- **Placeholders** `{inventory.acts.total}` (a recorded number, in the house style), `{x:,.0f}` (with a
  format), `{as_of}`, `{origin}`, `{A_origin_adj}` (terms from the configuration; a capital first letter
  capitalises the value). `{{` and `}}` are literal braces.
- **Conditions** (cell tags): `if:<number id>` keeps the cell only when the number is non-zero and not
  empty; `unless:<number id>` the opposite; `if-synthetic:<input>` keeps it only when that input is
  synthetic example data (data/raw/provenance.yaml) and shows it as a boxed notice; `if-corridor:<id>`
  keeps it only for that corridor (`corridor.id` of the configuration): a corridor's own analysis, which
  another corridor's review replaces with its own cells.
- **Captions** (cell tag `caption`): the text of the table or figure shown by the next code cell, which
  then calls `report.table(…)` / `report.figure(…)` without `caption=`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import nbformat

from analysis.engine import config, provenance, text

CAPTION_TAG = "caption"
PENDING_CAPTION = 'data-caption="pending"'
PENDING_ALT = "caption-pending"
Lookup = Callable[[str, str | None], str]


class ProseError(ValueError):
    """A Markdown cell asks for something the run cannot give (a caption with nothing to caption)."""


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _truthy(value: Any) -> bool:
    return value not in (None, "", 0, 0.0, False, "none", "0")


def keep(cell, value_of: Callable[[str], Any]) -> bool:
    """Whether a Markdown cell's conditions hold (`value_of` gives a recorded number's value)."""
    tags = _tags(cell)
    # Another corridor's own analysis is dropped before its other conditions are asked: the numbers they
    # name may not exist for this corridor.
    corridors = [t.partition(":")[2] for t in tags if t.startswith("if-corridor:")]
    if corridors and config.get("corridor.id") not in corridors:
        return False
    for tag in tags:
        kind, _, subject = tag.partition(":")
        if kind == "if" and subject and not _truthy(value_of(subject)):
            return False
        if kind == "unless" and subject and _truthy(value_of(subject)):
            return False
        if kind == "if-synthetic" and subject and not provenance.is_synthetic(subject):
            return False
    return True


def _inline_html(markdown: str) -> str:
    from nbconvert.filters import markdown2html_mistune

    rendered = markdown2html_mistune(markdown.strip()).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return rendered


def notice_html(markdown: str, kind: str = "synthetic") -> str:
    return f'<div class="notice notice-{html.escape(kind)}">{_inline_html(markdown)}</div>'


def attach_caption(cell, caption_markdown: str, where: str) -> None:
    """Put a caption cell's text into the first uncaptioned table or figure the code cell shows."""
    caption = _inline_html(caption_markdown)
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        shown = data.get("text/html")
        if shown is None:
            continue
        shown = "".join(shown) if isinstance(shown, list) else shown
        if PENDING_CAPTION in shown:
            marker = shown.index(PENDING_CAPTION)
            close = shown.index("</strong>", marker) + len("</strong>")
            before = shown[:marker].rstrip(" ")
            tail = shown[close:].lstrip(" ")
            gap = "" if tail.startswith("</") else " "  # a figure's caption runs on into "Source: …"
            filled = before + shown[marker + len(PENDING_CAPTION) : close] + " " + caption + gap + tail
            plain = html.escape(html.unescape(re.sub(r"<[^>]+>", "", caption)), quote=True)
            data["text/html"] = filled.replace(f'alt="{PENDING_ALT}"', f'alt="{plain}"', 1)
            return
    raise ProseError(
        f"{where}: a caption cell must be followed by a code cell that shows a table or figure without caption="
    )


def render(
    nb: nbformat.NotebookNode, lookup: Lookup, value_of: Callable[[str], Any], name: str, strict: bool = True
) -> list[str]:
    """Turn a run notebook's Markdown into the report's prose, in place: drop cells whose conditions do
    not hold, fill placeholders, box synthetic notices, move captions into their tables and figures.

    Returns the problems found; with `strict` (the build) they are raised together instead.
    """
    problems: list[str] = []
    kept = []
    pending_caption: tuple[str, str] | None = None
    for cell in nb.cells:
        where = f"{name}.ipynb, cell '{cell.get('id')}'"
        if cell.cell_type == "markdown":
            try:
                if not keep(cell, value_of):
                    continue
                cell.source = text.fill(cell.source, lookup, where=where)
            except (text.PlaceholderError, KeyError) as exc:
                problems.append(
                    str(exc)
                    if isinstance(exc, text.PlaceholderError)
                    else f"{where}: no recorded number {exc} for its condition"
                )
                kept.append(cell)
                continue
            tags = _tags(cell)
            if CAPTION_TAG in tags:
                pending_caption = (cell.source, where)
                continue
            if any(t.startswith("if-synthetic:") for t in tags):
                cell.source = notice_html(cell.source)
        elif cell.cell_type == "code" and pending_caption is not None:
            try:
                attach_caption(cell, *pending_caption)
            except ProseError as exc:
                problems.append(str(exc))
            pending_caption = None
        kept.append(cell)
    if pending_caption is not None:
        problems.append(f"{pending_caption[1]}: a caption cell at the end of the notebook captions nothing")
    nb.cells = kept
    if problems and strict:
        raise ProseError("\n".join(problems))
    return problems
