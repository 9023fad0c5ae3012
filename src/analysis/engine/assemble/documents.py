"""DOCX and PDF from the HTML report, through pandoc (Word with the style template; typst for the PDF).

The Word file is made to be read and commented on as a partner opens it: a title page, then the disclaimer,
a contents page already filled (entries linked to the headings, page numbers filled by Word's "Update
field"), page numbers in the footer and the stage mark in the header, captions in Word's Caption style,
footnotes, cross-references as links to bookmarks, wide tables on landscape pages, each figure stored once.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from analysis.engine import atomic, config, paths
from analysis.engine.assemble.common import REFERENCE_DOCX, STAGE_MARKS, build_date, tagged, words

A4_WIDTH, A4_HEIGHT, MARGIN = 7560310, 10692130, 792480  # EMU: 21 cm, 29.7 cm, 2.2 cm
CHAR_WIDTH, CELL_PADDING = 68000, 72400  # EMU: one character of 8 pt table text; both cell margins
CELL_MARGIN_TWIPS = 57  # 1 mm each side of a table cell (pandoc's default, 1.9 mm, costs columns their width)
LUA_FILTER = Path(__file__).with_name("report.lua")
#: A table of at least LANDSCAPE_MIN_ROWS rows goes on landscape pages when it has LANDSCAPE_COLUMNS columns,
#: or at least LANDSCAPE_MIN_COLUMNS columns holding more than LANDSCAPE_ROW_CHARACTERS characters a row.
#: Each landscape section breaks the page before and after it, so a table of short cells (fewer than
#: NARROW_ROW_CHARACTERS a row: numbers) stays portrait however many columns it has.
LANDSCAPE_COLUMNS = 10
LANDSCAPE_MIN_COLUMNS = 7
LANDSCAPE_ROW_CHARACTERS = 350
NARROW_ROW_CHARACTERS = 100
LANDSCAPE_MIN_ROWS = 5


def _pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def _needs_landscape(table) -> bool:
    """Many columns, or several columns of long text, read better across a landscape page."""
    rows = table.find_all("tr")
    header = rows[0] if rows else None
    columns = len(header.find_all(["th", "td"])) if header else 0
    body = rows[1:] or rows
    if len(body) < LANDSCAPE_MIN_ROWS:  # a short table fits a portrait page; turning the page costs more
        return False
    characters = sum(len(" ".join(row.get_text(" ").split())) for row in body) / max(len(body), 1)
    if columns >= LANDSCAPE_COLUMNS:
        return characters >= NARROW_ROW_CHARACTERS
    return columns >= LANDSCAPE_MIN_COLUMNS and characters > LANDSCAPE_ROW_CHARACTERS


def _landscape_sections(soup: BeautifulSoup) -> None:
    """Put each wide table on landscape pages with the headings just above it (a heading must not stay alone
    on the page before), and join landscape tables that follow each other into one section."""
    for block in tagged(soup, "div", "table-block"):
        table = block.find("table")
        if table is None or not _needs_landscape(table):
            continue
        section = soup.new_tag("div", attrs={"class": "landscape"})
        block.wrap(section)
        # The heading above the table (and the paragraphs between them, if few) come along.
        lead = []
        previous = section.find_previous_sibling()
        while previous is not None and previous.name == "p" and len(lead) < 2:
            lead.append(previous)
            previous = previous.find_previous_sibling()
        if previous is not None and previous.name in ("h2", "h3", "h4"):
            for element in [*lead, previous]:
                section.insert(0, element.extract())
    for section in tagged(soup, "div", "landscape"):
        following = section.find_next_sibling()
        between = []
        while following is not None and following.name in ("h2", "h3", "h4", "p") and len(between) < 3:
            between.append(following)
            following = following.find_next_sibling()
        if following is not None and "landscape" in (following.get("class") or []) and section.parent is not None:
            for element in [*between, *following.contents]:
                section.append(element.extract())
            following.decompose()


def html_for_pandoc(document: str | BeautifulSoup, language: str = "en") -> str:
    """The document as pandoc should read it: without what it renders itself (title page), cannot use (CSS),
    or what belongs in another document (a translation); with page breaks, the place of the contents,
    captions in the Caption style and wide tables marked for landscape pages. A parsed document is changed
    in place (the report's tree, once the HTML and the translations have been cut from it)."""
    soup = document if isinstance(document, BeautifulSoup) else BeautifulSoup(document, "html.parser")
    # The part title "Annexes" would take a page of its own: the contents and the annex titles say it.
    for name, kind in (("section", "title-page"), ("style", None), ("title", None), ("section", "translation")):
        for tag in tagged(soup, name, kind) if kind else soup.find_all(name):
            tag.decompose()
    for tag in tagged(soup, "h1", "part-title"):
        tag.decompose()
    vocabulary = words(language)
    for toc in tagged(soup, "nav", "toc"):
        marker = soup.new_tag("div", attrs={"class": "contents-here", "data-title": vocabulary["contents"]})
        toc.replace_with(marker)
    for front in [*tagged(soup, "div", "front-matter", "contents-here"), *tagged(soup, "section", "abbreviations")]:
        front.insert_before(soup.new_tag("div", attrs={"class": "page-break"}))
    # pandoc's HTML reader keeps only the content of <main> if there is one, which dropped the annexes.
    for tag in soup.find_all("main"):
        tag.name = "div"
    for table in tagged(soup, "table", "abbreviation-table"):
        _two_pairs_a_row(table, soup)
    for caption in tagged(soup, "p", "caption"):
        wrapper = soup.new_tag("div", attrs={"data-custom-style": "Caption"})
        caption.wrap(wrapper)
    for note in tagged(soup, "p", "table-source", "table-note"):
        note.wrap(soup.new_tag("div", attrs={"data-custom-style": "Table Note"}))
    # The HTML's structure (chapters, cells, notices) means nothing to Word or typst, and typst cannot break
    # pages inside a block: only the divisions the writers act on stay.
    for division in soup.find_all(["div", "section"]):
        classes = set(division.get("class") or [])
        if not (
            classes & {"page-break", "contents-here", "footnotes", "table-block"}
            or division.get("data-custom-style")
            or division.get("role") == "doc-endnotes"
        ):
            division.unwrap()
    _landscape_sections(soup)
    for block in tagged(soup, "div", "table-block"):
        block.unwrap()
    return str(soup)


_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif);base64,(.+)", re.DOTALL)


def write_pandoc_input(document: str | BeautifulSoup, folder: Path, language: str = "en") -> Path:
    """`in.html` for pandoc in `folder`, its images saved beside it: pandoc reads a document with its
    images inline (data: URIs) several times more slowly. A parsed document is changed in place."""
    folder.mkdir(parents=True, exist_ok=True)
    soup = document if isinstance(document, BeautifulSoup) else BeautifulSoup(document, "html.parser")
    for image in soup.find_all("img", src=_DATA_IMAGE):
        kind, encoded = _DATA_IMAGE.fullmatch(image["src"]).groups()
        data = base64.b64decode(encoded)
        name = f"img-{hashlib.sha256(data).hexdigest()[:16]}.{kind}"
        (folder / name).write_bytes(data)
        image["src"] = name
    path = folder / "in.html"
    path.write_text(html_for_pandoc(soup, language), encoding="utf-8")
    return path


def _two_pairs_a_row(table, soup: BeautifulSoup) -> None:
    """The abbreviations in two pairs of columns, so the list takes half the pages on paper."""
    rows = table.find_all("tr")
    header, entries = rows[0], rows[1:]
    half = (len(entries) + 1) // 2
    for cell in list(header.find_all(["th", "td"])):
        header.append(_copy(cell))
    for left, right in zip(entries[:half], entries[half:] + [None]):
        if right is None:
            for _ in range(2):
                left.append(soup.new_tag("td"))
            continue
        for cell in right.find_all("td"):
            left.append(cell.extract())
        right.decompose()


def _metadata_file(folder: Path, stage: str, version: str, notices: list[str], language: str = "en") -> Path:
    rep = (
        config.get("report")
        if language == "en"
        else {**config.get("report"), **config.get(f"translations.{language}.report")}
    )
    vocabulary = words(language)
    meta = {
        "title": rep["title"],
        "subtitle": f"{rep.get('subtitle', '')} — {vocabulary['stage'][stage]}",
        "author": [rep["author"]],
        "date": _house_date(build_date(), language),
        "abstract": "\n\n".join(notices) + f"\n\n{vocabulary['prepared_for']}: {rep['commissioned_by']}. "
        f"{vocabulary['version']} {version}.",
        "lang": rep.get("language", "en") if language == "en" else language,
        "abstract-title": vocabulary["status"],
    }
    path = folder / "metadata.yaml"
    path.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return path


def _house_date(value, language: str) -> str:
    from analysis.engine import languages, text

    return text.house_date(value) if language == "en" else languages.house_date(value, language)


@dataclass(frozen=True)
class PandocSource:
    """A document as pandoc is to read it (`in.html` in `folder`, its images beside it) and its contents
    entries. Each writer reads it on its own: a reading kept as pandoc's JSON and shared would save one
    reading's work, but the PDF, the longest of the documents, would have to wait for it."""

    folder: Path
    contents: list[tuple[int, str, str]]


def pandoc_source(document: str, folder: Path, language: str = "en", tree: BeautifulSoup | None = None) -> PandocSource:
    """The HTML report as pandoc's writers read it (`write_pandoc_input`); the report's Lua filter runs in
    each writer, where it knows the output format. `tree`: the document already parsed, which this changes."""
    write_pandoc_input(tree if tree is not None else document, folder, language)
    return PandocSource(folder, _contents_entries(document))


def write_docx(
    source: PandocSource, target: Path, stage: str, version: str, notices: list[str], language: str = "en"
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        meta = _metadata_file(folder, stage, version, notices, language)
        out = folder / "out.docx"
        subprocess.run(
            [
                _pandoc(),
                "in.html",
                "-f",
                "html",
                "-t",
                "docx",
                f"--lua-filter={LUA_FILTER}",
                f"--reference-doc={paths.resolve(REFERENCE_DOCX)}",
                f"--metadata-file={meta}",
                "-o",
                str(out),
            ],
            cwd=source.folder,
            check=True,
        )
        _finish_docx(out, stage, source.contents, language)
        atomic.write_bytes(target, atomic.deterministic_zip(out.read_bytes()))


# ---------------------------------------------------------------- the Word file
_TOC = re.compile(r'<nav class="toc">.*?</nav>', re.DOTALL)


def _contents_entries(document: str) -> list[tuple[int, str, str]]:
    """(level, bookmark, text) of each contents entry, as the HTML contents lists them."""
    toc = _TOC.search(document)
    soup = BeautifulSoup(toc.group(0) if toc else "", "html.parser")
    entries = []
    for item in soup.find_all("li"):
        link = item.find("a")
        level = 2 if "toc-l2" in (item.get("class") or []) else 1
        entries.append((level, link["href"].lstrip("#"), " ".join(link.get_text(" ").split())))
    return entries


def _finish_docx(path: Path, stage: str, contents: list[tuple[int, str, str]], language: str) -> None:
    """What pandoc does not do: header and footer (stage mark, page number) on every section, the filled
    contents field, the Caption style, column widths that fit the page (landscape or portrait), the
    figures' descriptions, fixed core properties (python-docx)."""
    import docx

    document = docx.Document(str(path))
    _header_and_footer(document, STAGE_MARKS[stage] if language == "en" else words(language)["stage_marks"][stage])
    _fill_contents(document, contents, words(language)["contents"])
    # By style id on the XML: python-docx looks a paragraph's style up in the styles part one at a time.
    captions = {style.style_id for style in document.styles if style.name in ("Image Caption", "Table Caption")}
    caption = _style(document.styles, "Caption").style_id
    for paragraph in document.element.body.p_lst:
        if paragraph.style in captions:
            paragraph.style = caption
    for table, width in _tables_with_widths(document):
        _fit_columns(table, width)
    _describe_pictures(document)
    moment = dt.datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH") or 0), tz=dt.UTC).replace(tzinfo=None)
    props = document.core_properties
    props.created = props.modified = moment
    props.last_modified_by = props.author = config.get("report.author")
    props.revision = 1
    props.title = (
        config.get("report.title") if language == "en" else config.get(f"translations.{language}.report.title")
    )
    props.language = language
    document.save(str(path))


def _style(styles, name: str):
    """A style by the name pandoc's template gives it (python-docx would look "Caption" up as "caption")."""
    return next(style for style in styles if style.name == name)


def _header_and_footer(document, mark: str) -> None:
    """The stage mark in the header and the page number in the footer, defined once in the last section and
    referenced by every section (the landscape sections included)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    last = document.sections[-1]
    header = last.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.text = mark
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = last.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.text = ""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, value in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = value
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = value
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
    references = [e for e in last._sectPr if e.tag in (qn("w:headerReference"), qn("w:footerReference"))]
    for section in document.sections[:-1]:
        sect = section._sectPr
        for old in [e for e in sect if e.tag in (qn("w:headerReference"), qn("w:footerReference"))]:
            sect.remove(old)
        for index, reference in enumerate(references):
            sect.insert(index, _copy(reference))


def _copy(element):
    import copy

    return copy.deepcopy(element)


def _fill_contents(document, entries: list[tuple[int, str, str]], title: str) -> None:
    """Replace the contents marker by a Word contents field whose entries are already there (linked to the
    headings' bookmarks), so the page shows the contents when opened; "Update field" adds page numbers."""
    from docx.oxml import parse_xml

    marker = next((p for p in document.paragraphs if p.text.strip() == "CONTENTS-FIELD"), None)
    if marker is None:
        return
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paragraphs = [
        f'<w:p {ns}><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr><w:r><w:t>{html.escape(title)}</w:t></w:r></w:p>'
    ]
    for index, (level, anchor, label) in enumerate(entries):
        start = (
            (
                '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" '
                '\\h \\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            )
            if index == 0
            else ""
        )
        end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>' if index == len(entries) - 1 else ""
        paragraphs.append(
            f'<w:p {ns}><w:pPr><w:pStyle w:val="TOC{level}"/></w:pPr>{start}'
            f'<w:hyperlink w:anchor="{html.escape(anchor)}" w:history="1"><w:r><w:t xml:space="preserve">'
            f"{html.escape(label)}</w:t></w:r>"
            f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGEREF '
            f'{html.escape(anchor)} \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink>{end}</w:p>'
        )
    for xml in paragraphs:
        marker._p.addprevious(parse_xml(xml))
    marker._p.getparent().remove(marker._p)


def _tables_with_widths(document):
    """Each table with the text width of the page it is on (a landscape section's, or a portrait one's)."""
    from docx.oxml.ns import qn

    body = document.element.body
    pending = []
    for child in body.iterchildren():
        if child.tag == qn("w:tbl"):
            pending.append(child)
            continue
        sect = (
            child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
            if child.tag == qn("w:p")
            else (child if child.tag == qn("w:sectPr") else None)
        )
        if sect is not None and pending:
            width = _text_width(sect)
            for element in pending:
                yield _table(element, document), width
            pending = []
    final = body.find(qn("w:sectPr"))
    for element in pending:
        yield _table(element, document), _text_width(final)


def _table(element, document):
    from docx.table import Table

    return Table(element, document)


def _text_width(sect) -> int:
    """The width between the margins of a section, in EMU."""
    from docx.oxml.ns import qn

    size = sect.find(qn("w:pgSz")) if sect is not None else None
    margins = sect.find(qn("w:pgMar")) if sect is not None else None
    if size is None or margins is None:
        return A4_WIDTH - 2 * MARGIN
    twips = int(size.get(qn("w:w"))) - int(margins.get(qn("w:left"))) - int(margins.get(qn("w:right")))
    return twips * 635


def _describe_pictures(document) -> None:
    """pandoc puts the image's source (for us a data: address: the whole figure a second time) in the
    picture's description; the figure's alt text goes there instead, so each figure is stored once."""
    pic = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    for inline in document.element.body.iter(f"{wp}inline", f"{wp}anchor"):
        doc_pr = inline.find(f"{wp}docPr")
        for c_nv_pr in inline.iter(f"{pic}cNvPr"):
            c_nv_pr.set("descr", doc_pr.get("descr", "") if doc_pr is not None else "")


def _fit_columns(table, total_width) -> None:
    """Share the page width among columns by how much text they hold (pandoc gives equal widths,
    which squeezes long English and Russian titles and addresses into narrow columns)."""
    from docx.oxml.ns import qn
    from docx.shared import Emu

    count = len(table.columns)  # python-docx builds the columns anew at each call
    rows = [_row_cells(tr)[:count] for tr in table._tbl.tr_lst]
    if not rows:
        return
    longest_word = [1] * count
    lengths: list[list[int]] = [[] for _ in range(count)]
    for number, row in enumerate(rows):
        for index, cell in enumerate(row):
            text = "\n".join(p.text for p in cell.p_lst)
            longest_word[index] = max(longest_word[index], max((len(w) for w in text.split()), default=0))
            if number:  # the header row names the column; the body says how much it holds
                lengths[index].append(min(len(text), 400))
    mean_length = [sum(v) / len(v) if v else 1 for v in lengths]
    # Every column first gets room for its longest word (up to 14 characters, so ids, numbers and headers do
    # not break inside a word); what is left goes to the columns by the text they hold on average.
    minimum = [min(n, 14) * CHAR_WIDTH + CELL_PADDING for n in longest_word]
    if sum(minimum) >= total_width:
        widths = [int(total_width * m / sum(minimum)) for m in minimum]
    else:
        rest = total_width - sum(minimum)
        extra = [max(m - min(w, 14), 0) for m, w in zip(mean_length, longest_word)]
        weight = sum(extra)
        widths = [int(m + rest * e / weight) if weight else int(m + rest / count) for m, e in zip(minimum, extra)]
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
        for index, cell in enumerate(row):
            cell.width = Emu(widths[index])


def _row_cells(tr) -> list:
    """The row's cells (`w:tc`) as python-docx's `row.cells` lists them (a spanned cell once per grid
    column it spans, a vertically merged one as the cell it continues), without building a `_Cell` and
    its paragraphs for each: on the report's tables that took a second."""
    cells = []
    for tc in tr.tc_lst:
        source = tc
        while source.vMerge == "continue":
            source = source._tc_above
        cells.extend([source] * tc.grid_span)
    return cells


# ---------------------------------------------------------------- the PDF
def write_pdf(
    source: PandocSource, target: Path, stage: str, version: str, notices: list[str], language: str = "en"
) -> None:
    import typst

    folder = source.folder
    meta = _metadata_file(folder, stage, version, notices, language)
    # typst resolves images relative to the .typ file, so pandoc runs inside the folder (pitfall G9).
    subprocess.run(
        [
            _pandoc(),
            "in.html",
            "-f",
            "html",
            "-t",
            "typst",
            "-s",
            f"--lua-filter={LUA_FILTER}",
            "--extract-media=media",
            f"--metadata-file={meta}",
            "-V",
            "papersize=a4",
            "-V",
            "fontsize=10pt",
            "-o",
            "report.typ",
        ],
        cwd=folder,
        check=True,
    )
    typ = folder / "report.typ"
    typ.write_text(_typst_preamble(stage, language) + typ.read_text(encoding="utf-8"), encoding="utf-8")
    # Only the fonts typst carries (Libertinus Serif, DejaVu Sans Mono: Latin and Cyrillic), never the
    # machine's: a machine with another version of one of them installed would make other bytes.
    pdf = typst.compile(
        str(typ),
        root=str(folder),
        timestamp=int(os.environ.get("SOURCE_DATE_EPOCH") or 0),
        ignore_system_fonts=True,
    )
    atomic.write_bytes(target, pdf)


def _typst_preamble(stage: str, language: str = "en") -> str:
    marks = STAGE_MARKS if language == "en" else words(language)["stage_marks"]
    mark = marks[stage].replace('"', "'")
    return (
        f'#set page(header: align(right, text(size: 8pt, fill: gray)[{mark}]), numbering: "1")\n'
        "#show table: set text(size: 7.5pt)\n#show figure: set block(breakable: true)\n"
        # Chapters start on a new page, as in the Word file.
        "#show heading.where(level: 1): it => { pagebreak(weak: true); it }\n"
        # Our captions carry their own numbers ("Figure 3.1."), so typst must not add another.
        "#set figure(numbering: none)\n#show figure.caption: it => it.body\n"
    )


# ---------------------------------------------------------------- the style template
def write_reference_docx(target: Path) -> Path:
    """The Word style template: pandoc's default with the house fonts, colours, page and caption styles."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "default.docx"
        data = subprocess.run(
            [_pandoc(), "--print-default-data-file", "reference.docx"], capture_output=True, check=True
        ).stdout
        raw.write_bytes(data)
        document = docx.Document(str(raw))
        styles = document.styles
        for name in ("Normal", "Body Text", "First Paragraph", "Compact"):
            if name in [s.name for s in styles]:
                styles[name].font.name = "Calibri"
                # "Compact" is what pandoc uses inside table cells: smaller, so wide tables fit A4.
                styles[name].font.size = Pt(8 if name == "Compact" else 10)
        _style(styles, "Body Text").paragraph_format.space_before = Pt(3)
        _style(styles, "Body Text").paragraph_format.space_after = Pt(6)
        _style(styles, "Compact").paragraph_format.space_before = _style(
            styles, "Compact"
        ).paragraph_format.space_after = Pt(1)
        for level, size in ((1, 16), (2, 13), (3, 11.5)):
            style = styles[f"Heading {level}"]
            style.font.name = "Calibri"
            style.font.size = Pt(size)
            style.font.color.rgb = RGBColor(0x00, 0x33, 0xA0)  # IOM blue
        styles["Heading 1"].paragraph_format.page_break_before = True  # chapters start on a new page
        styles["TOC Heading"].paragraph_format.page_break_before = False
        caption = _style(styles, "Caption")
        caption.font.name = "Calibri"
        caption.font.size = Pt(9.5)
        caption.font.italic = False
        caption.font.color.rgb = RGBColor(0x1F, 0x1F, 0x1F)
        caption.paragraph_format.keep_with_next = True
        note = styles.add_style("Table Note", WD_STYLE_TYPE.PARAGRAPH)
        note.base_style = styles["Normal"]
        note.font.size = Pt(8)
        note.font.color.rgb = RGBColor(0x5F, 0x63, 0x68)
        for level in (1, 2):
            entry = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
            entry.element.set(qn("w:styleId"), f"TOC{level}")  # the id Word's contents field uses
            entry.base_style = styles["Normal"]
            entry.font.size = Pt(10.5 if level == 1 else 10)
            entry.font.bold = level == 1
            entry.paragraph_format.left_indent = Pt(0 if level == 1 else 14)
            entry.paragraph_format.space_after = Pt(2)
            # Word's "Update field" writes a tab and the page number: right-aligned, with dots.
            entry.paragraph_format.tab_stops.add_tab_stop(
                A4_WIDTH - 2 * MARGIN, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
            )
        styles["Footnote Text"].font.size = Pt(8.5)
        margins = styles["Table"].element.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}")
        for side in ("left", "right"):
            margins.find(qn(f"w:{side}")).set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        for section in document.sections:
            section.page_width, section.page_height = A4_WIDTH, A4_HEIGHT
            section.left_margin = section.right_margin = MARGIN
            section.top_margin = section.bottom_margin = MARGIN
        for name in ("Title", "Subtitle"):
            styles[name].font.color.rgb = RGBColor(0x00, 0x33, 0xA0)
        document.save(str(raw))
        atomic.write_bytes(target, atomic.deterministic_zip(raw.read_bytes()))
    return target
