"""Reviewers' Word comments → the feedback log the consultant answers.

Partners comment on the draft DOCX in Word, LibreOffice or another editor. `read_comments` takes one
file apart (comments, the passage each comment marks, threads and resolved flags, the report section
and finding it concerns); `import_feedback` merges every file of data/raw/feedback/ into
data/feedback/feedback_log.xlsx, where the consultant writes a response and a status per comment;
`read_log` gives the final gate and the feedback annex that log, validated.

python-docx reads comment texts but neither the commented passage nor threads, so the OOXML parts are
parsed directly: word/comments.xml (author, date, text), word/document.xml (w:commentRangeStart/End,
w:commentReference), word/commentsExtended.xml (w15:paraIdParent = reply, w15:done = resolved),
word/commentsExtensible.xml (w16cex:dateUtc, used when a comment has no w:date) and word/styles.xml
(which paragraphs are headings). pandoc marks a reply with a non-standard w:parent attribute, which is
honoured too. Where a program stored no thread or resolved state, they stay unknown (blank).
"""

from __future__ import annotations

import argparse
import hashlib
import posixpath
import re
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from lxml import etree
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from analysis.engine import atomic, config, paths
from analysis.engine.errors import InputError, Problem, raise_if_errors
from analysis.engine.readers import ROW, read_excel_sheet
from analysis.engine.schema import Column, foreign_key, validate

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
W16CEX = "http://schemas.microsoft.com/office/word/2018/wordml/cex"
W16CID = "http://schemas.microsoft.com/office/word/2016/wordml/cid"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"

DEFAULT_FEEDBACK_DIR = "data/raw/feedback"
DEFAULT_LOG = "data/feedback/feedback_log.xlsx"
DEFAULT_STATUSES = ("open", "accepted", "partly accepted", "rejected", "noted")
DEFAULT_REFERENCE_PATTERNS = (r"F-\d{2}", r"R-\d{2}")
LOG_SHEET = "feedback_log"

COMMENT_COLUMNS = [
    "comment_id",
    "author",
    "initials",
    "date",
    "text",
    "anchor",
    "section",
    "finding_id",
    "parent_id",
    "resolved",
]
#: Columns the import (re)writes from the DOCX files.
MACHINE_COLUMNS = [
    "comment_key",
    "source_file",
    "comment_id",
    "parent_key",
    "author",
    "date",
    "text",
    "anchor",
    "section",
    "finding_id",
    "resolved",
]
#: Columns only the consultant writes; an import never changes them once the row exists.
CONSULTANT_COLUMNS = ["response", "status", "responded_by"]
LOG_COLUMNS = MACHINE_COLUMNS + CONSULTANT_COLUMNS

COLUMN_NOTES = {
    "comment_key": "stable id of the comment (hash of file name, author, date, text and passage)",
    "source_file": "the reviewed DOCX in data/raw/feedback/",
    "comment_id": "the comment's number inside that file",
    "parent_key": "for a reply: comment_key of the comment it answers",
    "author": "reviewer as stored by Word",
    "date": "when the comment was written (as stored by Word)",
    "text": "the comment",
    "anchor": "the commented passage",
    "section": "report section of the passage (nearest heading above it)",
    "finding_id": "finding / recommendation ids in the passage or its paragraph",
    "resolved": "yes if the reviewer marked the thread resolved, blank if the file does not say",
    "response": "CONSULTANT: how the comment was addressed",
    "status": "CONSULTANT: one of the statuses of config feedback.statuses",
    "responded_by": "CONSULTANT: who wrote the response",
}


# ---------------------------------------------------------------- configuration
def statuses() -> list[str]:
    return list(config.get("feedback.statuses", list(DEFAULT_STATUSES)))


def reference_pattern() -> re.Pattern[str]:
    """Finding and recommendation ids as numbered in the report (config feedback.reference_patterns)."""
    patterns = config.get("feedback.reference_patterns", list(DEFAULT_REFERENCE_PATTERNS))
    return re.compile(r"(?<![\w-])(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?![\w-])")


# ---------------------------------------------------------------- reading one DOCX
def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _part_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Relationship type suffix (comments, commentsExtended, styles, ...) → part name in the package."""
    names = set(archive.namelist())
    found = {"document": "word/document.xml"}
    rels_name = "word/_rels/document.xml.rels"
    if rels_name in names:
        rels = etree.fromstring(archive.read(rels_name))
        for rel in rels.iter(f"{{{PACKAGE_RELS}}}Relationship"):
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External" or not target:
                continue
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("word", target))
            found.setdefault(kind, part)
    for kind in ("comments", "commentsExtended", "commentsIds", "commentsExtensible", "styles"):
        found.setdefault(kind, f"word/{kind}.xml")
    return {kind: part for kind, part in found.items() if part in names}


def _xml(archive: zipfile.ZipFile, parts: dict[str, str], kind: str) -> etree._Element | None:
    if kind not in parts:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(archive.read(parts[kind]), parser)


def _run_text(element: etree._Element) -> str:
    """Visible text of one run-level element: w:t, tabs and line breaks (deleted text is skipped)."""
    tag = element.tag
    if tag == _w("t"):
        return element.text or ""
    if tag == _w("tab"):
        return "\t"
    if tag in (_w("br"), _w("cr")):
        return "" if element.get(_w("type")) == "page" else "\n"
    if tag == _w("noBreakHyphen"):
        return "-"
    return ""


def _paragraph_text(paragraph: etree._Element) -> str:
    return "".join(_run_text(e) for e in paragraph.iter()).strip()


def _tidy(text: str) -> str:
    """One line per paragraph, no trailing blanks: the form the log shows and the key hashes."""
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)


def _heading_styles(styles: etree._Element | None) -> dict[str, int]:
    """Paragraph style id → heading level, by name ("heading 2", any case) or outline level, inherited."""
    if styles is None:
        return {}
    info: dict[str, tuple[str, int | None, str | None]] = {}
    for style in styles.iter(_w("style")):
        if style.get(_w("type")) not in (None, "paragraph"):
            continue
        name = style.find(_w("name"))
        outline = style.find(f"{_w('pPr')}/{_w('outlineLvl')}")
        based = style.find(_w("basedOn"))
        info[style.get(_w("styleId"), "")] = (
            (name.get(_w("val"), "") if name is not None else "").casefold(),
            int(outline.get(_w("val"))) if outline is not None and outline.get(_w("val"), "").isdigit() else None,
            based.get(_w("val")) if based is not None else None,
        )

    def level(style_id: str, depth: int = 0) -> int | None:
        if style_id not in info or depth > 10:
            return None
        name, outline, based = info[style_id]
        match = re.fullmatch(r"heading\s*(\d)", name)
        if match:
            return int(match.group(1))
        if outline is not None and outline < 9:
            return outline + 1
        return level(based, depth + 1) if based else None

    return {sid: lvl for sid in info if (lvl := level(sid)) is not None}


def _heading_level(paragraph: etree._Element, heading_styles: dict[str, int]) -> int | None:
    ppr = paragraph.find(_w("pPr"))
    if ppr is None:
        return None
    outline = ppr.find(_w("outlineLvl"))
    if outline is not None and outline.get(_w("val"), "").isdigit() and int(outline.get(_w("val"))) < 9:
        return int(outline.get(_w("val"))) + 1
    style = ppr.find(_w("pStyle"))
    if style is None:
        return None
    style_id = style.get(_w("val"), "")
    if style_id in heading_styles:
        return heading_styles[style_id]
    match = re.fullmatch(r"heading\s*(\d)", style_id.casefold())  # no styles part: trust the id
    return int(match.group(1)) if match and not heading_styles else None


@dataclass
class _Paragraph:
    text: str
    heading: str | None  # the section in force at this paragraph (its own text if it is a heading)
    row: int | None  # index of the table row holding it, to find a finding id in a sibling cell


@dataclass
class _Mark:
    start: int | None = None
    end: int | None = None
    reference: int | None = None


def _walk_document(
    document: etree._Element, heading_styles: dict[str, int]
) -> tuple[list[_Paragraph], dict[str, _Mark], dict[str, str]]:
    """One pass in document order: paragraphs, where each comment starts/ends, and each anchor's text."""
    body = document.find(_w("body"))
    paragraphs: list[_Paragraph] = []
    marks: dict[str, _Mark] = {}
    anchors: dict[str, list[str]] = {}
    open_ids: list[str] = []
    stack: list[list[str]] = []  # text of the paragraphs being read (text boxes nest paragraphs)
    rows: list[int] = []
    row_count = 0
    section: str | None = None
    if body is None:
        return paragraphs, marks, {}
    fallback = f"{{{MC}}}Fallback"
    skipping = 0  # inside mc:Fallback, which repeats the mc:Choice content for older readers
    for event, element in etree.iterwalk(body, events=("start", "end")):
        tag = element.tag
        if tag == fallback:
            skipping += 1 if event == "start" else -1
            continue
        if skipping:
            continue
        if event == "start":
            if tag == _w("p"):
                stack.append([])
            elif tag == _w("tr"):
                rows.append(row_count)
                row_count += 1
            elif tag == _w("commentRangeStart"):
                cid = element.get(_w("id"))
                marks.setdefault(cid, _Mark()).start = len(paragraphs)
                anchors[cid] = []
                if cid not in open_ids:
                    open_ids.append(cid)
            elif tag == _w("commentRangeEnd"):
                cid = element.get(_w("id"))
                marks.setdefault(cid, _Mark()).end = len(paragraphs) if stack else max(len(paragraphs) - 1, 0)
                if cid in open_ids:
                    open_ids.remove(cid)
            elif tag == _w("commentReference"):
                marks.setdefault(element.get(_w("id")), _Mark()).reference = len(paragraphs)
            else:
                piece = _run_text(element)
                if piece:
                    if stack:
                        stack[-1].append(piece)
                    for cid in open_ids:
                        anchors[cid].append(piece)
        else:
            if tag == _w("p"):
                text = "".join(stack.pop()).strip() if stack else ""
                if _heading_level(element, heading_styles) is not None and text:
                    section = text
                paragraphs.append(_Paragraph(text=text, heading=section, row=rows[-1] if rows else None))
                for cid in open_ids:
                    anchors[cid].append("\n")
            elif tag == _w("tr") and rows:
                rows.pop()
    return paragraphs, marks, {cid: _tidy("".join(parts)) for cid, parts in anchors.items()}


def _references(texts: Iterable[str], pattern: re.Pattern[str]) -> str:
    found: list[str] = []
    for text in texts:
        for match in pattern.findall(text or ""):
            if match not in found:
                found.append(match)
    return "; ".join(found)


def _parse_date(value: str | None) -> pd.Timestamp | None:
    """Word's w:date is local wall-clock time labelled 'Z'; keep the clock time, drop the zone."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return pd.Timestamp(parsed.replace(tzinfo=None, microsecond=0))


def read_comments(docx_path: str | Path) -> pd.DataFrame:
    """Every comment of one DOCX, in the order of word/comments.xml (columns COMMENT_COLUMNS)."""
    docx_path = Path(docx_path)
    where = paths.relative(docx_path)
    try:
        archive = zipfile.ZipFile(docx_path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError([Problem(file=where, expected="a Word document (.docx)", found=type(exc).__name__)]) from exc
    with archive:
        parts = _part_names(archive)
        if "document" not in parts:
            raise InputError(
                [Problem(file=where, expected="a Word document with word/document.xml", found="no main document part")]
            )
        try:
            comments = _xml(archive, parts, "comments")
            extended = _xml(archive, parts, "commentsExtended")
            extensible = _xml(archive, parts, "commentsExtensible")
            comment_ids = _xml(archive, parts, "commentsIds")
            styles = _xml(archive, parts, "styles")
            document = _xml(archive, parts, "document")
        except etree.XMLSyntaxError as exc:
            raise InputError([Problem(file=where, expected="well-formed Word XML", found=str(exc))]) from exc
    if comments is None:
        return pd.DataFrame(columns=COMMENT_COLUMNS)

    paragraphs, marks, anchors = _walk_document(document, _heading_styles(styles))
    pattern = reference_pattern()

    records: list[dict[str, Any]] = []
    para_owner: dict[str, str] = {}  # w14:paraId of a comment paragraph → comment id
    last_para: dict[str, str] = {}
    for comment in comments.iter(_w("comment")):
        cid = comment.get(_w("id"))
        comment_paragraphs = comment.findall(f".//{_w('p')}")
        for p in comment_paragraphs:
            pid = p.get(f"{{{W14}}}paraId")
            if pid:
                para_owner[pid.upper()] = cid
                last_para[cid] = pid.upper()
        text = (
            "\n".join(_paragraph_text(p) for p in comment_paragraphs)
            if comment_paragraphs
            else _paragraph_text(comment)
        )
        mark = marks.get(cid, _Mark())
        first = next((i for i in (mark.start, mark.reference, mark.end) if i is not None), None)
        last = next((i for i in (mark.end, mark.reference, mark.start) if i is not None), first)
        anchor = anchors.get(cid, "")
        around: list[str] = []
        section = None
        if first is not None and first < len(paragraphs):
            last = min(max(last, first), len(paragraphs) - 1)
            spanned = paragraphs[first : last + 1]
            around = [p.text for p in spanned]
            table_rows = {p.row for p in spanned if p.row is not None}
            around += [p.text for p in paragraphs if p.row is not None and p.row in table_rows]
            section = paragraphs[first].heading
        records.append(
            {
                "comment_id": cid,
                "author": comment.get(_w("author")) or None,
                "initials": comment.get(_w("initials")) or None,
                "date": _parse_date(comment.get(_w("date"))),
                "text": _tidy(text),
                "anchor": anchor,
                "section": section,
                "finding_id": _references([anchor], pattern) or _references(around, pattern) or None,
                "parent_id": comment.get(_w("parent")) or None,  # pandoc's own attribute
                "resolved": None,
            }
        )

    by_id = {r["comment_id"]: r for r in records}
    if extensible is not None and comment_ids is not None:
        _fill_missing_dates(records, last_para, comment_ids, extensible)
    if extended is not None:
        entries = {e.get(f"{{{W15}}}paraId", "").upper(): e for e in extended.iter(f"{{{W15}}}commentEx")}
        for cid, record in by_id.items():
            entry = entries.get(last_para.get(cid, ""))
            record["resolved"] = entry is not None and entry.get(f"{{{W15}}}done") in ("1", "true", "on")
            parent = entry.get(f"{{{W15}}}paraIdParent") if entry is not None else None
            if parent and para_owner.get(parent.upper()) not in (None, cid):
                record["parent_id"] = para_owner[parent.upper()]
        for record in records:  # a thread is resolved as a whole (Word marks the first comment)
            root = _root(record, by_id)
            if root is not record and root["resolved"]:
                record["resolved"] = True
    for record in records:
        if record["parent_id"] not in by_id or record["parent_id"] == record["comment_id"]:
            record["parent_id"] = None
        elif not record["anchor"]:  # a reply without a passage of its own concerns its thread's passage
            root = _root(record, by_id)
            record["section"] = root["section"] or record["section"]
            record["finding_id"] = root["finding_id"] or record["finding_id"]
    frame = pd.DataFrame.from_records(records, columns=COMMENT_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _root(record: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    seen = set()
    while record["parent_id"] in by_id and record["comment_id"] not in seen:
        seen.add(record["comment_id"])
        record = by_id[record["parent_id"]]
    return record


def _fill_missing_dates(
    records: list[dict[str, Any]], last_para: dict[str, str], comment_ids: etree._Element, extensible: etree._Element
) -> None:
    """A comment without w:date takes w16cex:dateUtc, linked through commentsIds.xml (paraId → durableId)."""
    durable = {
        e.get(f"{{{W16CID}}}paraId", "").upper(): e.get(f"{{{W16CID}}}durableId")
        for e in comment_ids.iter(f"{{{W16CID}}}commentId")
    }
    utc = {
        e.get(f"{{{W16CEX}}}durableId"): e.get(f"{{{W16CEX}}}dateUtc")
        for e in extensible.iter(f"{{{W16CEX}}}commentExtensible")
    }
    for record in records:
        if record["date"] is None:
            record["date"] = _parse_date(utc.get(durable.get(last_para.get(record["comment_id"], ""))))


# ---------------------------------------------------------------- the log
def comment_key(source_file: str, author: Any, date: Any, text: Any, anchor: Any, occurrence: int = 0) -> str:
    """Stable id: the same comment in the same file gets the same key on every import."""
    when = pd.Timestamp(date).isoformat() if date is not None and not pd.isna(date) else ""
    parts = [source_file, _str(author), when, _str(text), _str(anchor)]
    if occurrence:
        parts.append(f"#{occurrence}")  # identical comments in one file stay distinct
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _str(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return str(value)


def _blank(value: Any) -> bool:
    return _str(value).strip() == ""


def comments_for_log(docx_path: Path) -> list[dict[str, Any]]:
    """The comments of one file as log rows (machine columns, keys and parent keys filled)."""
    frame = read_comments(docx_path)
    source = docx_path.name
    keys: dict[str, str] = {}
    seen: dict[str, int] = {}
    rows = []
    for record in frame.to_dict("records"):
        date = None if pd.isna(record["date"]) else record["date"].to_pydatetime()
        base = comment_key(source, record["author"], date, record["text"], record["anchor"])
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        key = comment_key(source, record["author"], date, record["text"], record["anchor"], occurrence)
        keys[record["comment_id"]] = key
        rows.append(
            {
                "comment_key": key,
                "source_file": source,
                "comment_id": record["comment_id"],
                "parent_id": record["parent_id"],
                "author": record["author"],
                "date": date,
                "text": record["text"],
                "anchor": record["anchor"],
                "section": record["section"],
                "finding_id": record["finding_id"],
                "resolved": None if record["resolved"] is None else ("yes" if record["resolved"] else "no"),
            }
        )
    for row in rows:
        parent = row.pop("parent_id")
        row["parent_key"] = keys.get(parent) if parent else None
    return rows


def _read_log_rows(log_path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The log as written (rows of raw cell values) and any extra columns the consultant added."""
    frame = read_excel_sheet(log_path, LOG_SHEET)
    missing = [c for c in ("comment_key", *CONSULTANT_COLUMNS) if c not in frame.columns]
    if missing:
        raise InputError(
            [
                Problem(
                    file=paths.relative(log_path),
                    sheet=LOG_SHEET,
                    row=1,
                    column=c,
                    expected=f"a column '{c}'",
                    found="no such column",
                )
                for c in missing
            ]
        )
    extra = [c for c in frame.columns if c not in LOG_COLUMNS and c != ROW and not c.startswith("unnamed_")]
    rows = []
    for record in frame.to_dict("records"):
        record.pop(ROW, None)
        rows.append({c: (None if _blank(v) else v) for c, v in record.items()})
    return rows, extra


@dataclass(frozen=True)
class ImportSummary:
    files: int
    new: int
    known: int
    total: int
    open: int
    written: bool

    def line(self, log: str) -> str:
        return (
            f"feedback: {self.files} file(s) read; {self.new} new comment(s), {self.known} already in the log; "
            f"{log} holds {self.total} comment(s); {self.open} thread(s) still need a response and a status"
            + ("" if self.written else " (unchanged, not rewritten)")
        )


def import_feedback(
    feedback_dir: str | Path = DEFAULT_FEEDBACK_DIR, log_path: str | Path = DEFAULT_LOG, echo: bool = True
) -> ImportSummary:
    """Merge the comments of every *.docx in `feedback_dir` into the log; never touch consultant columns.

    A comment already in the log (same comment_key) only gets its machine columns refreshed, and a
    value the DOCX does not give (blank) never erases one in the log — so a section or finding id the
    consultant filled in by hand survives. Rows are never deleted. The workbook is rewritten
    atomically, and not at all when nothing changed (it may be open in Excel).
    """
    feedback_dir, log_path = paths.resolve(feedback_dir), paths.resolve(log_path)
    files = sorted(p for p in feedback_dir.glob("*.docx") if not p.name.startswith(("~$", ".~lock")))
    problems: list[Problem] = []
    incoming: list[dict[str, Any]] = []
    for path in files:
        try:
            incoming += comments_for_log(path)
        except InputError as exc:
            problems += exc.problems
    raise_if_errors(problems)

    rows, extra = _read_log_rows(log_path) if log_path.exists() else ([], [])
    by_key = {row["comment_key"]: row for row in rows if row.get("comment_key")}
    before = [dict(row) for row in rows]
    new = known = 0
    for comment in incoming:
        row = by_key.get(comment["comment_key"])
        if row is None:
            row = {**comment, "response": None, "status": "open", "responded_by": None}
            rows.append(row)
            by_key[comment["comment_key"]] = row
            new += 1
            continue
        known += 1
        for column in MACHINE_COLUMNS:
            if not _blank(comment[column]):
                row[column] = comment[column]
    written = rows != before or not log_path.exists()
    if written:
        _write_log(log_path, rows, extra)
    # a reply is answered with its thread (as the final gate counts), so only thread starts are counted
    unanswered = [
        r
        for r in rows
        if _blank(r.get("parent_key")) and (_blank(r.get("response")) or _str(r.get("status")).strip() in ("", "open"))
    ]
    summary = ImportSummary(
        files=len(files), new=new, known=known, total=len(rows), open=len(unanswered), written=written
    )
    if echo:
        print(summary.line(paths.relative(log_path)))
    return summary


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value) or None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _write_log(log_path: Path, rows: list[dict[str, Any]], extra: list[str]) -> None:
    """The log workbook: machine columns grey, consultant columns yellow, status as a drop-down."""
    columns = LOG_COLUMNS + extra
    wb = Workbook()
    ws = wb.active
    ws.title = LOG_SHEET
    ws.append(columns)
    machine_fill = PatternFill("solid", fgColor="EDEDED")
    consultant_fill = PatternFill("solid", fgColor="FFF2CC")
    widths = {
        "comment_key": 18,
        "source_file": 24,
        "comment_id": 8,
        "parent_key": 18,
        "author": 20,
        "date": 17,
        "text": 50,
        "anchor": 40,
        "section": 28,
        "finding_id": 12,
        "resolved": 9,
        "response": 50,
        "status": 16,
        "responded_by": 18,
    }
    for index, name in enumerate(columns, start=1):
        cell = ws.cell(1, index)
        cell.font = Font(bold=True)
        cell.fill = consultant_fill if name in CONSULTANT_COLUMNS else machine_fill
        ws.column_dimensions[cell.column_letter].width = widths.get(name, 20)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append([_cell(row.get(c)) for c in columns])
        for cell in ws[ws.max_row]:
            cell.alignment = wrap
        ws.cell(ws.max_row, columns.index("date") + 1).number_format = "yyyy-mm-dd hh:mm"
    status_letter = ws.cell(1, columns.index("status") + 1).column_letter
    choice = DataValidation(
        type="list",
        formula1='"' + ",".join(statuses()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="status",
        error="Choose one of: " + ", ".join(statuses()),
    )
    choice.add(f"{status_letter}2:{status_letter}{max(len(rows) + 1, 2) + 500}")
    ws.add_data_validation(choice)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{ws.cell(1, len(columns)).column_letter}{len(rows) + 1}"
    notes = wb.create_sheet("columns")
    notes.append(["column", "meaning"])
    for name in LOG_COLUMNS:
        notes.append([name, "CONSULTANT: " + " | ".join(statuses()) if name == "status" else COLUMN_NOTES[name]])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 90
    with atomic.atomic_path(log_path) as tmp:
        wb.save(tmp)


def read_log(path: str | Path = DEFAULT_LOG) -> pd.DataFrame:
    """The feedback log, validated: known status (blank means open), each reply's parent present.

    Returns LOG_COLUMNS plus `_row` (the Excel row), date as datetime, resolved as boolean (NA = unknown).
    """
    path = paths.resolve(path)
    where = paths.relative(path)
    frame = read_excel_sheet(path, LOG_SHEET)
    spec = [
        Column("comment_key", unique=True),
        Column("source_file"),
        Column("status", required=False, vocabulary=statuses()),
        Column("resolved", kind="bool", required=False),
    ]
    spec += [Column(name, required=False) for name in LOG_COLUMNS if name not in {c.name for c in spec} | {"date"}]
    checked, problems = validate(frame, spec, file=where, sheet=LOG_SHEET)
    if "date" not in frame.columns:
        problems.append(
            Problem(
                file=where, sheet=LOG_SHEET, row=1, column="date", expected="a column 'date'", found="no such column"
            )
        )
    else:
        checked["date"] = [
            _log_date(value, row, where, problems) for row, value in zip(frame[ROW], frame["date"], strict=True)
        ]
        checked["date"] = pd.to_datetime(checked["date"])
    if {"parent_key", "comment_key"} <= set(checked.columns):
        problems += foreign_key(
            checked,
            "parent_key",
            checked["comment_key"].dropna(),
            where,
            LOG_SHEET,
            "comment (comment_key) in this log",
        )
    raise_if_errors(problems)
    checked["status"] = checked["status"].where(checked["status"].notna(), "open")
    return checked[LOG_COLUMNS + [ROW]].reset_index(drop=True)


def _log_date(value: Any, row: int, file: str, problems: list[Problem]) -> pd.Timestamp | None:
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return pd.Timestamp(value)
    try:
        return pd.Timestamp(datetime.fromisoformat(str(value).strip()))
    except ValueError:
        problems.append(
            Problem(
                file=file,
                sheet=LOG_SHEET,
                row=int(row),
                column="date",
                expected="a date and time (yyyy-mm-dd hh:mm)",
                found=value,
            )
        )
        return None


# ---------------------------------------------------------------- command line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis feedback", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("import", help="merge reviewers' DOCX comments into the feedback log")
    run.add_argument("--feedback-dir", default=config.get("feedback.feedback_dir", DEFAULT_FEEDBACK_DIR))
    run.add_argument("--log", default=config.get("feedback.log", DEFAULT_LOG))
    args = parser.parse_args(argv)
    feedback_dir = paths.resolve(args.feedback_dir)
    if not any(feedback_dir.glob("*.docx")):
        print(
            f"feedback: no .docx files in {paths.relative(feedback_dir)}/ — put the reviewed copies of the "
            "draft there and run `make feedback` again",
            file=sys.stderr,
        )
        return 0
    try:
        import_feedback(feedback_dir, args.log)
    except InputError as exc:
        print(f"✖ {exc}", file=sys.stderr)
        return 2
    return 0
