"""What notebooks use to show text, tables and figures in the report's house style.

Captions are marked up (class="caption") so that report assembly can number figures and tables
across the whole document; inside a single notebook they read "Figure: …" and "Table: …".
"""

from __future__ import annotations

import base64
import html
from typing import Iterable

import pandas as pd
from IPython.display import HTML, Markdown, display

from analysis.engine import figures


def md(text: str) -> None:
    """Show Markdown text (numbers in it should come from a findings Registry's text())."""
    display(Markdown(text))


def notice(text: str, kind: str = "note") -> None:
    """A boxed notice, e.g. kind="synthetic" for data that are not real."""
    display(HTML(f'<div class="notice notice-{html.escape(kind)}"><p>{html.escape(text)}</p></div>'))


def _caption(kind: str, caption: str, label: str | None) -> str:
    label_attr = f' data-label="{html.escape(label)}"' if label else ""
    return (f'<p class="caption {kind}-caption"{label_attr}><strong>{kind.capitalize()}:</strong> '
            f"{html.escape(caption)}</p>")


def table_html(frame: pd.DataFrame, caption: str, source: str, note: str | None = None,
               label: str | None = None, index: bool = False, float_format: str = "{:,.1f}",
               links: Iterable[str] = ()) -> str:
    """Deterministic HTML for a captioned table (no random Styler ids, blank for missing values).

    Columns named in `links` hold addresses and become hyperlinks.
    """
    shown = frame.copy()
    for column in links:
        if column in shown.columns:
            shown[column] = shown[column].map(
                lambda v: "" if pd.isna(v) or not str(v).strip() else
                " ".join(f'<a href="{html.escape(u)}">{html.escape(u)}</a>' for u in str(v).split()))
    escape_columns = [c for c in shown.columns if c not in set(links)]
    for column in escape_columns:
        if shown[column].dtype == object:
            shown[column] = shown[column].map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else html.escape(str(v)))
    body = shown.to_html(index=index, escape=False, na_rep="", border=0, classes="data-table",
                         float_format=lambda x: float_format.format(x))
    parts = ['<div class="table-block">', _caption("table", caption, label), body,
             f'<p class="table-source"><em>Source:</em> {html.escape(source)}</p>']
    if note:
        parts.append(f'<p class="table-note"><em>Note:</em> {html.escape(note)}</p>')
    parts.append("</div>")
    return "\n".join(parts)


def table(frame: pd.DataFrame, caption: str, source: str, note: str | None = None, label: str | None = None,
          index: bool = False, float_format: str = "{:,.1f}", links: Iterable[str] = ()) -> None:
    """Show a numbered, captioned table with its source (becomes a real table in Word)."""
    display(HTML(table_html(frame, caption, source, note, label, index, float_format, links)))


def figure_html(fig, caption: str, source: str, label: str | None = None, alt: str | None = None) -> str:
    data = base64.b64encode(figures.png_bytes(fig)).decode("ascii")
    alt_text = html.escape(alt or caption)
    label_attr = f' id="{html.escape(label)}"' if label else ""
    return (f'<figure class="figure-block"{label_attr}><img src="data:image/png;base64,{data}" alt="{alt_text}"/>'
            f'<figcaption class="caption figure-caption"><strong>Figure:</strong> {html.escape(caption)} '
            f'<em>Source:</em> {html.escape(source)}</figcaption></figure>')


def figure(fig, caption: str, source: str, label: str | None = None, alt: str | None = None) -> None:
    """Show a matplotlib figure as an embedded PNG with a numbered caption and its source."""
    display(HTML(figure_html(fig, caption, source, label, alt)))


def bullet_list(items: Iterable[str]) -> None:
    md("\n".join(f"- {item}" for item in items) or "_(none)_")
