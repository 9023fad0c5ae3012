"""DOCX and PDF from the HTML report, through pandoc (Word with the style template; typst for the PDF)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import re
import subprocess
import tempfile
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from analysis.engine import atomic, config, paths
from analysis.engine.assemble.common import REFERENCE_DOCX, STAGE_MARKS, build_date

A4_WIDTH, A4_HEIGHT, MARGIN = 7560310, 10692130, 792480  # EMU: 21 cm, 29.7 cm, 2.2 cm
CHAR_WIDTH, CELL_PADDING = 64000, 140000  # EMU: one character of 8.5 pt table text; both cell margins
_DATA_IMAGE = re.compile(r'src="data:image/(png|jpeg|gif);base64,([^"]+)"')


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


def write_pandoc_input(document: str, folder: Path) -> Path:
    """`in.html` for pandoc in `folder`, its images saved beside it: pandoc reads a document with its
    images inline (data: URIs) several times more slowly."""
    def save(match: re.Match) -> str:
        data = base64.b64decode(match.group(2))
        name = f"img-{hashlib.sha256(data).hexdigest()[:16]}.{match.group(1)}"
        (folder / name).write_bytes(data)
        return f'src="{name}"'

    path = folder / "in.html"
    path.write_text(html_for_pandoc(_DATA_IMAGE.sub(save, document)), encoding="utf-8")
    return path


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
        write_pandoc_input(document, folder)
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
        write_pandoc_input(document, folder)
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
