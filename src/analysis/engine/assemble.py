"""Assemble the executed notebooks into one report: HTML (self-contained), DOCX and PDF.

nbconvert renders each executed notebook without code; this module joins them in file-name order,
moves cells tagged `annex` to the annexes, numbers chapters, sections, figures and tables, adds the
title page (with the DRAFT/FINAL mark and the synthetic-data notice), a table of contents and the
Reproducibility annex. pandoc turns the HTML into Word (real tables and images, styles from
references/reference.docx) and into typst source, which the pip-installed `typst` compiles to PDF.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import html
import os
import platform
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata as importlib_metadata
from pathlib import Path

import nbformat
import yaml
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from analysis.engine import atomic, config, manifest, numbers, paths, provenance, text
from analysis.engine.runner import RunError

REFERENCE_DOCX = "references/reference.docx"
A4_WIDTH, A4_HEIGHT, MARGIN = 7560310, 10692130, 792480  # EMU: 21 cm, 29.7 cm, 2.2 cm
CHAR_WIDTH, CELL_PADDING = 64000, 140000  # EMU: one character of 8.5 pt table text; both cell margins
CSS_FILE = Path(__file__).with_name("report_style.css")
DROP_TAGS = {"parameters", "injected-parameters", "remove"}
KEY_PACKAGES = ["pandas", "numpy", "matplotlib", "seaborn", "openpyxl", "papermill", "nbconvert", "nbclient",
                "pypandoc-binary", "typst", "python-docx", "lifelines", "krippendorff", "holidays"]
STAGE_MARKS = {
    "draft": "DRAFT — for validation with stakeholders; not for citation",
    "final": "FINAL — incorporates the feedback of IOM and partners",
}


def build_date() -> dt.date:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or 0)
    return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).date()


# ---------------------------------------------------------------- notebooks → HTML fragments
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
def build_html(stage: str, version: str, inputs: dict[str, str]) -> tuple[str, list[str]]:
    body_parts, annex_parts = [], []
    for name, nb in executed_notebooks(stage):
        body, annex = split_cells(nb)
        body_parts.append(f'<div class="chapter" data-notebook="{name}">{render(body)}</div>')
        if annex.cells:
            annex_parts.append(f'<div class="annex" data-notebook="{name}">{render(annex)}</div>')
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


# ---------------------------------------------------------------- DOCX and PDF through pandoc
def _pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def html_for_pandoc(document: str) -> str:
    """The same document without what pandoc renders itself (title page, TOC) or cannot use (CSS)."""
    soup = BeautifulSoup(document, "html.parser")
    for selector in ("section.title-page", "nav.toc", "style", "title"):
        for tag in soup.select(selector):
            tag.decompose()
    # pandoc's HTML reader keeps only the content of <main> if there is one, which dropped the annexes.
    for tag in soup.find_all("main"):
        tag.name = "div"
    return str(soup)


def _metadata_file(folder: Path, stage: str, version: str, notices: list[str]) -> Path:
    rep = config.get("report")
    meta = {"title": rep["title"], "subtitle": f"{rep.get('subtitle', '')} — {stage.upper()}",
            "author": [rep["author"]], "date": build_date().isoformat(),
            "abstract": "\n\n".join(notices) + f"\n\nPrepared for {rep['commissioned_by']}. Version {version}.",
            "lang": rep.get("language", "en"), "toc-title": "Contents",
            "abstract-title": "Status of this document"}
    path = folder / "metadata.yaml"
    path.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return path


def write_docx(document: str, target: Path, stage: str, version: str, notices: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "in.html").write_text(html_for_pandoc(document), encoding="utf-8")
        meta = _metadata_file(folder, stage, version, notices)
        out = folder / "out.docx"
        subprocess.run([_pandoc(), "in.html", "-f", "html", "-t", "docx", "--toc", "--toc-depth=2",
                        f"--reference-doc={paths.resolve(REFERENCE_DOCX)}", f"--metadata-file={meta}",
                        "-o", str(out)], cwd=folder, check=True)
        _mark_docx(out, stage)
        atomic.write_bytes(target, atomic.deterministic_zip(out.read_bytes()))


def _mark_docx(path: Path, stage: str) -> None:
    """Running header with the stage mark and fixed core properties (python-docx)."""
    import docx

    document = docx.Document(str(path))
    for section in document.sections:
        header = section.header
        paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        paragraph.text = STAGE_MARKS[stage]
    page = document.sections[0]
    width = (page.page_width or A4_WIDTH) - (page.left_margin or MARGIN) - (page.right_margin or MARGIN)
    for table in document.tables:
        _fit_columns(table, width)
    moment = dt.datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH") or 0), tz=dt.timezone.utc).replace(tzinfo=None)
    props = document.core_properties
    props.created = props.modified = moment
    props.last_modified_by = props.author = config.get("report.author")
    props.revision = 1
    document.save(str(path))


def _fit_columns(table, total_width) -> None:
    """Share the page width among columns by how much text they hold (pandoc gives equal widths,
    which squeezes long English and Russian titles into narrow columns)."""
    from docx.oxml.ns import qn

    rows = table.rows
    if not rows:
        return
    count = len(table.columns)
    longest_word = [1] * count
    text_length = [1] * count
    for row in rows:
        for index, cell in enumerate(row.cells[:count]):
            words = cell.text.split()
            longest_word[index] = max(longest_word[index], max((len(w) for w in words), default=0))
            text_length[index] = max(text_length[index], min(len(cell.text), 60))
    # Every column first gets room for its longest word (so ids, numbers and headers do not break
    # inside a word); what is left goes to the columns with long text.
    minimum = [min(n, 12) * CHAR_WIDTH + CELL_PADDING for n in longest_word]
    if sum(minimum) >= total_width:
        widths = [int(total_width * m / sum(minimum)) for m in minimum]
    else:
        rest = total_width - sum(minimum)
        extra = [max(t - w, 0) for t, w in zip(text_length, longest_word)]
        weight = sum(extra) or 1
        widths = [int(m + rest * e / weight) if sum(extra) else int(m + rest / count)
                  for m, e in zip(minimum, extra)]
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(int(total_width / 635)))  # EMU → twentieths of a point
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = tbl_pr.makeelement(qn("w:tblLayout"), {})
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")  # use these widths, not the reader's autofit
    for index, column in enumerate(table.columns):
        column.width = widths[index]
    for row in rows:
        for index, cell in enumerate(row.cells[:count]):
            cell.width = widths[index]


def write_pdf(document: str, target: Path, stage: str, version: str, notices: list[str]) -> None:
    import typst

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "in.html").write_text(html_for_pandoc(document), encoding="utf-8")
        meta = _metadata_file(folder, stage, version, notices)
        # typst resolves images relative to the .typ file, so pandoc runs inside the folder (pitfall G9).
        subprocess.run([_pandoc(), "in.html", "-f", "html", "-t", "typst", "-s", "--toc", "--toc-depth=2",
                        "--extract-media=media", f"--metadata-file={meta}", "-V", "papersize=a4",
                        "-V", "fontsize=10pt", "-o", "report.typ"], cwd=folder, check=True)
        typ = folder / "report.typ"
        typ.write_text(_typst_preamble(stage) + typ.read_text(encoding="utf-8"), encoding="utf-8")
        pdf = typst.compile(str(typ), root=str(folder),
                            timestamp=int(os.environ.get("SOURCE_DATE_EPOCH") or 0))
        atomic.write_bytes(target, pdf)


def _typst_preamble(stage: str) -> str:
    mark = STAGE_MARKS[stage].replace('"', "'")
    return (f'#set page(header: align(right, text(size: 8pt, fill: gray)[{mark}]), numbering: "1")\n'
            '#show table: set text(size: 7.5pt)\n#show figure: set block(breakable: true)\n'
            # Our captions carry their own numbers ("Figure 3.1."), so typst must not add another.
            '#set figure(numbering: none)\n#show figure.caption: it => it.body\n')


# ---------------------------------------------------------------- entry point
def assemble(stage: str) -> dict[str, Path]:
    version = importlib_metadata.version("analysis")
    inputs = manifest.input_hashes()
    document, notices = build_html(stage, version, inputs)
    out_dir = paths.resolve(f"reports/{stage}")
    targets = {"html": out_dir / "analysis.html", "docx": out_dir / "analysis.docx", "pdf": out_dir / "analysis.pdf"}
    atomic.write_text(targets["html"], document)
    print(f"✔ {stage}: {paths.relative(targets['html'])}", flush=True)
    # pandoc runs as a subprocess, so the Word and PDF conversions overlap on two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = {kind: pool.submit(writer, document, targets[kind], stage, version, notices)
                for kind, writer in (("docx", write_docx), ("pdf", write_pdf))}
        for kind, job in jobs.items():
            job.result()
            print(f"✔ {stage}: {paths.relative(targets[kind])}", flush=True)
    atomic.write_bytes(out_dir / "numbers.json", paths.resolve(numbers.MERGED).read_bytes())
    manifest.write(stage, inputs)
    print(f"✔ {stage}: {paths.relative(out_dir / 'manifest.json')}", flush=True)
    return targets


def write_reference_docx(target: Path) -> Path:
    """The Word style template: pandoc's default with the house fonts, colours and table style."""
    import docx
    from docx.shared import Pt, RGBColor

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "default.docx"
        data = subprocess.run([_pandoc(), "--print-default-data-file", "reference.docx"], capture_output=True,
                              check=True).stdout
        raw.write_bytes(data)
        document = docx.Document(str(raw))
        styles = document.styles
        for name in ("Normal", "Body Text", "First Paragraph", "Compact"):
            if name in [s.name for s in styles]:
                styles[name].font.name = "Calibri"
                # "Compact" is what pandoc uses inside table cells: smaller, so wide tables fit A4.
                styles[name].font.size = Pt(8.5 if name == "Compact" else 10.5)
        for level, size in ((1, 16), (2, 13), (3, 11.5)):
            style = styles[f"Heading {level}"]
            style.font.name = "Calibri"
            style.font.size = Pt(size)
            style.font.color.rgb = RGBColor(0x00, 0x33, 0xA0)  # IOM blue
        for section in document.sections:
            section.page_width, section.page_height = A4_WIDTH, A4_HEIGHT
            section.left_margin = section.right_margin = MARGIN
        for name in ("Title", "Subtitle"):
            styles[name].font.color.rgb = RGBColor(0x00, 0x33, 0xA0)
        document.save(str(raw))
        atomic.write_bytes(target, atomic.deterministic_zip(raw.read_bytes()))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis assemble", description=__doc__)
    parser.add_argument("--stage", default="draft", choices=sorted(STAGE_MARKS))
    parser.add_argument("--reference-docx", action="store_true", help=f"(re)write {REFERENCE_DOCX} and stop")
    args = parser.parse_args(argv)
    if args.reference_docx:
        write_reference_docx(paths.resolve(REFERENCE_DOCX))
        return 0
    assemble(args.stage)
    return 0

