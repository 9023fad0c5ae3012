"""The HTML report: executed notebooks rendered without code, annexes moved, everything numbered.

nbconvert renders each executed notebook; this module joins them in file-name order, moves cells tagged
`annex` to the annexes, numbers chapters, sections, figures and tables, and adds the title page (with the
DRAFT/FINAL mark and the synthetic-data notice), a table of contents and the Reproducibility annex.
"""

from __future__ import annotations

import copy
import html
import platform
import subprocess
from importlib import metadata as importlib_metadata

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from analysis.engine import config, paths, provenance, text
from analysis.engine.assemble.common import CSS_FILE, STAGE_MARKS, build_date
from analysis.engine.runner import RunError

DROP_TAGS = {"parameters", "injected-parameters", "remove"}
KEY_PACKAGES = ["pandas", "numpy", "matplotlib", "seaborn", "openpyxl", "papermill", "nbconvert", "nbclient",
                "pypandoc-binary", "typst", "python-docx", "lifelines", "krippendorff", "holidays"]


def executed_notebooks(stage: str) -> list[tuple[str, nbformat.NotebookNode]]:
    folder = paths.resolve(f"reports/{stage}/notebooks")
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise RunError(f"no executed notebooks in {paths.relative(folder)}: run `make notebooks STAGE={stage}`")
    return [(p.stem, nbformat.read(p, as_version=4)) for p in found]


def split_cells(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """The report body and the annex part of one notebook, without parameters or code-only cells."""
    body, annex = copy.deepcopy(nb), copy.deepcopy(nb)
    body.cells, annex.cells = [], []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & DROP_TAGS:
            continue
        if cell.cell_type == "code" and not cell.get("outputs"):
            continue
        (annex if "annex" in tags else body).cells.append(cell)
    return body, annex


def _exporter() -> HTMLExporter:
    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, exclude_anchor_links=True)


def render(nb: nbformat.NotebookNode) -> str:
    if not nb.cells:
        return ""
    body, _ = _exporter().from_notebook_node(nb)
    return body


# ---------------------------------------------------------------- numbering and structure
def _letters(n: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n - 1] if n <= 26 else f"Z{n}"


def number_document(soup: BeautifulSoup) -> list[tuple[int, str, str, str]]:
    """Number headings, figures and tables in place; return TOC entries (level, id, number, title)."""
    toc = []
    for part_id, lettered in (("report-body", False), ("report-annexes", True)):
        part = soup.find(id=part_id)
        if part is None:
            continue
        chapter = 0
        counters = [0, 0]
        figure = table = 0
        for element in part.find_all(["h1", "h2", "h3", "figcaption", "p"]):
            classes = element.get("class") or []
            if element.name in ("h1", "h2", "h3"):
                if "unnumbered" in classes:
                    continue
                level = int(element.name[1])
                if level == 1:
                    chapter += 1
                    counters = [0, 0]
                    figure = table = 0
                    number = _letters(chapter) if lettered else str(chapter)
                elif level == 2:
                    counters = [counters[0] + 1, 0]
                    number = f"{_letters(chapter) if lettered else chapter}.{counters[0]}"
                else:
                    counters[1] += 1
                    number = f"{_letters(chapter) if lettered else chapter}.{counters[0]}.{counters[1]}"
                title = element.get_text(" ", strip=True)
                anchor = ("annex-" if lettered else "sec-") + number.replace(".", "-")
                element["id"] = anchor
                prefix = f"Annex {number}" if lettered and level == 1 else number
                element.clear()
                element.append(f"{prefix} {title}" if not (lettered and level == 1) else f"{prefix}: {title}")
                toc.append((level, anchor, prefix, title))
            elif "caption" in classes:
                strong = element.find("strong")
                if strong is None:
                    continue
                chap = _letters(chapter) if lettered else str(chapter)
                if "figure-caption" in classes:
                    figure += 1
                    strong.string = f"Figure {chap}.{figure}."
                elif "table-caption" in classes:
                    table += 1
                    strong.string = f"Table {chap}.{table}."
    return toc


def toc_html(toc: list[tuple[int, str, str, str]]) -> str:
    items = [f'<li class="toc-l{level}"><a href="#{anchor}">{html.escape(number)} {html.escape(title)}</a></li>'
             for level, anchor, number, title in toc if level <= 2]
    return '<nav class="toc"><h2 class="unnumbered">Contents</h2><ul>' + "".join(items) + "</ul></nav>"


# ---------------------------------------------------------------- title page and annexes
def synthetic_notice() -> str | None:
    synthetic = provenance.synthetic_inputs()
    if not synthetic:
        return None
    listed = ", ".join(sorted(synthetic))
    return ("This report is built from SYNTHETIC example data for the following inputs: "
            f"{listed} (see the table of inputs in chapter 1). They were generated by code in this repository "
            "with fixed seeds to show how the "
            "analysis works; they describe no real person, office or case, and no finding based on them "
            "may be cited as evidence about Kyrgyzstan.")


def title_page(stage: str, version: str) -> tuple[str, list[str]]:
    rep = config.get("report")
    notices = [STAGE_MARKS[stage]]
    synthetic = synthetic_notice()
    if synthetic:
        notices.append(synthetic)
    rows = [("Prepared for", rep["commissioned_by"]), ("Prepared by", rep["author"]),
            ("Status", stage.upper()), ("Version", version), ("Date", text.house_date(build_date())),
            ("Rules as of", text.house_date(config.run_setting("as_of")))]
    meta = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    boxes = "".join(f'<div class="notice notice-{"synthetic" if i else "stage"}"><p>{html.escape(n)}</p></div>'
                    for i, n in enumerate(notices))
    page = (f'<section class="title-page"><p class="doc-title">{html.escape(rep["title"])}</p>'
            f'<p class="doc-subtitle">{html.escape(rep.get("subtitle", ""))}</p>{boxes}'
            f'<table class="title-meta">{meta}</table></section>')
    return page, notices


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=paths.input_root(), capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def reproducibility_annex(stage: str, inputs: dict[str, str]) -> str:
    commit = _git("rev-parse", "HEAD") or "not a git checkout"
    dirty = _git("status", "--porcelain", "--untracked-files=no", "--", "src", "notebooks", "data/raw", "config")
    versions = []
    for name in KEY_PACKAGES:
        try:
            versions.append((name, importlib_metadata.version(name)))
        except importlib_metadata.PackageNotFoundError:
            continue
    rows_inputs = "".join(f"<tr><td>{html.escape(p)}</td><td><code>{h[:16]}</code></td></tr>"
                          for p, h in sorted(inputs.items()) if p.startswith(("data/", "config/")))
    rows_versions = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(v)}</td></tr>" for n, v in versions)
    status = " (with uncommitted changes to inputs or code)" if dirty else ""
    return f"""
<h1>Reproducibility</h1>
<p>Every number in this report is computed by the notebooks in <code>notebooks/</code> from the files
below and recorded with its source rows in <code>reports/{stage}/numbers.json</code>. To check this
report, clone the repository at the commit below and run <code>make verify</code>; it reruns every
notebook from <code>data/raw/</code> in a scratch folder and compares each finding and each notebook
output and paragraph with the published ones.</p>
<table class="data-table"><tr><th>Item</th><th>Value</th></tr>
<tr><td>Code commit</td><td><code>{html.escape(commit)}</code>{html.escape(status)}</td></tr>
<tr><td>Stage</td><td>{html.escape(stage)}</td></tr>
<tr><td>Python</td><td>{html.escape(platform.python_version())}</td></tr></table>
<p class="caption table-caption"><strong>Table:</strong> Input files and their SHA-256 hashes (first 16 hex digits; the full
hashes are in reports/{stage}/manifest.json).</p>
<table class="data-table"><tr><th>Input file</th><th>SHA-256</th></tr>{rows_inputs}</table>
<p class="caption table-caption"><strong>Table:</strong> Versions of the main packages (all pins in requirements.lock).</p>
<table class="data-table"><tr><th>Package</th><th>Version</th></tr>{rows_versions}</table>
"""


# ---------------------------------------------------------------- the HTML document
def chapter_html(name: str, nb: nbformat.NotebookNode) -> tuple[str, str]:
    """One executed notebook's report body and annex part, rendered. It depends on nothing but the notebook
    (and the engine's code), so the build keeps it, as JSON, until the notebook changes (analysis.engine.assemble)."""
    body, annex = split_cells(nb)
    return (f'<div class="chapter" data-notebook="{name}">{render(body)}</div>',
            f'<div class="annex" data-notebook="{name}">{render(annex)}</div>' if annex.cells else "")


def build_html(stage: str, version: str, inputs: dict[str, str],
               chapters: list[list[str]] | None = None) -> tuple[str, list[str]]:
    """The document from every chapter's `chapter_html` (rendered here unless `chapters` gives them)."""
    if chapters is None:
        chapters = [chapter_html(name, nb) for name, nb in executed_notebooks(stage)]
    body_parts = [body for body, _ in chapters]
    annex_parts = [annex for _, annex in chapters if annex]
    annex_parts.append(f'<div class="annex" data-notebook="reproducibility">{reproducibility_annex(stage, inputs)}</div>')
    title, notices = title_page(stage, version)
    rep = config.get("report")
    doc = f"""<!DOCTYPE html>
<html lang="{html.escape(rep.get('language', 'en'))}"><head><meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{html.escape(rep['title'])} ({stage})</title>
<style>{CSS_FILE.read_text(encoding='utf-8')}</style></head>
<body class="stage-{stage}">
{title}
<div id="toc-placeholder"></div>
<main id="report-body">{''.join(body_parts)}</main>
<section id="report-annexes"><h1 class="unnumbered part-title">Annexes</h1>{''.join(annex_parts)}</section>
</body></html>"""
    soup = BeautifulSoup(doc, "html.parser")
    for tag in soup.find_all(["script", "link"]):  # nothing may load from the network
        tag.decompose()
    toc = number_document(soup)
    soup.find(id="toc-placeholder").replace_with(BeautifulSoup(toc_html(toc), "html.parser"))
    return str(soup), notices
