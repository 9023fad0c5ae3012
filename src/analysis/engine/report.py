"""What notebooks use to show text, tables and figures in the report's house style.

Captions are marked up (class="caption") so that report assembly can number figures and tables
across the whole document; inside a single notebook they read "Figure: …" and "Table: …". A caption is
written as a Markdown cell tagged `caption` just above the code cell (analysis.engine.prose); `caption=`
is for tables made in a loop, whose captions come from the data.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable

import pandas as pd
from IPython.display import HTML, Markdown, display

from analysis.engine import figures


def md(text: str) -> None:
    """Show generated Markdown (a heading or list built from data); prose belongs in Markdown cells."""
    display(Markdown(text))


def notice(text: str, kind: str = "note") -> None:
    """A boxed notice, e.g. kind="synthetic" for data that are not real."""
    display(HTML(f'<div class="notice notice-{html.escape(kind)}"><p>{html.escape(text)}</p></div>'))


def _caption_text(caption: str | None) -> tuple[str, str]:
    """(attribute, text): without a caption the runner fills it in from the caption cell above."""
    from analysis.engine.prose import PENDING_CAPTION

    return ("", html.escape(caption)) if caption else (" " + PENDING_CAPTION, "")


def _caption(kind: str, caption: str | None, label: str | None) -> str:
    label_attr = f' data-label="{html.escape(label)}"' if label else ""
    pending, words = _caption_text(caption)
    return f'<p class="caption {kind}-caption"{label_attr}{pending}><strong>{kind.capitalize()}:</strong> {words}</p>'


def table_html(
    frame: pd.DataFrame,
    caption: str | None,
    source: str,
    note: str | None = None,
    label: str | None = None,
    index: bool = False,
    float_format: str = "{:,.1f}",
    links: Iterable[str] = (),
) -> str:
    """Deterministic HTML for a captioned table (no random Styler ids, blank for missing values).

    Columns named in `links` hold addresses and become hyperlinks.
    """
    shown = frame.copy()
    for column in links:
        if column in shown.columns:
            shown[column] = shown[column].map(
                lambda v: ""
                if pd.isna(v) or not str(v).strip()
                else " ".join(f'<a href="{html.escape(u)}">{html.escape(u)}</a>' for u in str(v).split())
            )
    escape_columns = [c for c in shown.columns if c not in set(links)]
    for column in escape_columns:
        if shown[column].dtype == object:
            shown[column] = shown[column].map(
                lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else html.escape(str(v))
            )
    body = shown.to_html(
        index=index,
        escape=False,
        na_rep="",
        border=0,
        classes="data-table",
        float_format=lambda x: float_format.format(x),
    )
    parts = [
        '<div class="table-block">',
        _caption("table", caption, label),
        body,
        f'<p class="table-source"><em>Source:</em> {html.escape(source)}</p>',
    ]
    if note:
        parts.append(f'<p class="table-note"><em>Note:</em> {html.escape(note)}</p>')
    parts.append("</div>")
    return "\n".join(parts)


def table(
    frame: pd.DataFrame,
    caption: str | None = None,
    source: str = "",
    note: str | None = None,
    label: str | None = None,
    index: bool = False,
    float_format: str = "{:,.1f}",
    links: Iterable[str] = (),
) -> None:
    """Show a numbered, captioned table with its source (becomes a real table in Word); without
    `caption`, the caption is the Markdown cell tagged `caption` above."""
    display(HTML(table_html(frame, caption, source, note, label, index, float_format, links)))


def figure_html(fig, caption: str | None, source: str, label: str | None = None, alt: str | None = None) -> str:
    from analysis.engine.prose import PENDING_ALT

    data = base64.b64encode(figures.png_bytes(fig)).decode("ascii")
    alt_text = html.escape(alt or caption or PENDING_ALT)
    label_attr = f' id="{html.escape(label)}"' if label else ""
    pending, words = _caption_text(caption)
    return (
        f'<figure class="figure-block"{label_attr}><img src="data:image/png;base64,{data}" alt="{alt_text}"/>'
        f'<figcaption class="caption figure-caption"{pending}><strong>Figure:</strong> {words} '
        f"<em>Source:</em> {html.escape(source)}</figcaption></figure>"
    )


def figure(fig, caption: str | None = None, source: str = "", label: str | None = None, alt: str | None = None) -> None:
    """Show a matplotlib figure as an embedded PNG with a numbered caption and its source; without
    `caption`, the caption is the Markdown cell tagged `caption` above."""
    display(HTML(figure_html(fig, caption, source, label, alt)))


def bullet_list(items: Iterable[str]) -> None:
    md("\n".join(f"- {item}" for item in items) or "_(none)_")


def blank_repeats(shown: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A printed table grouped by its first columns: a label equal to the one in the row above (within the
    same group of the columns before it) is left blank, so long labels do not wrap on every row."""
    out = shown.copy()
    keys = shown[columns].astype(str)
    for n, column in enumerate(columns):
        same = (keys[columns[: n + 1]] == keys[columns[: n + 1]].shift()).all(axis=1)
        out.loc[same, column] = ""
    return out
