"""Readers for the messy formats this field produces.

Excel workbooks with merged or two-row headers, CSV exports in UTF-8 or Windows-1251 with ';' or ','
separators, dd.mm.yyyy dates, decimal commas and Russian column headers. Every reader keeps the row
number the user sees in Excel or a text editor in a `_row` column, so that a later validation error can
point at it.
"""

from __future__ import annotations

import csv
import io as _io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from analysis.engine import paths
from analysis.engine.errors import InputError, Problem

ROW = "_row"


#: What each file extension promises, in words, for messages ("expected an Excel workbook (.xlsx)").
EXPECTED = {
    ".xlsx": "an Excel workbook (.xlsx)",
    ".xlsm": "an Excel workbook (.xlsm)",
    ".csv": "a CSV text file",
    ".yaml": "a YAML text file",
    ".yml": "a YAML text file",
    ".docx": "a Word document (.docx)",
    ".qdpx": "a REFI-QDA project (.qdpx)",
}
#: A member each zip-based format must hold.
_ZIP_MEMBER = {
    ".xlsx": "xl/workbook.xml",
    ".xlsm": "xl/workbook.xml",
    ".docx": "word/document.xml",
    ".qdpx": "project.qde",
}


def what_file_is(path: Path) -> str:
    """What a file really is, from its name and first bytes, in words a consultant recognises.

    A failed download, a wrong "Save as" or an open workbook leaves files whose extension lies: an HTML
    sign-in page named .xlsx, CSV text named .xlsx, Excel's lock file ~$name.xlsx, an empty file.
    """
    if path.name.startswith("~$"):
        return "the lock file Excel keeps while the workbook is open (not the workbook: close Excel)"
    size = path.stat().st_size
    if size == 0:
        return "an empty file (0 bytes)"
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return "a damaged zip archive (the download or copy was cut short)"
        for member, kind in (
            ("xl/workbook.xml", "an Excel workbook"),
            ("word/document.xml", "a Word document"),
            ("ppt/presentation.xml", "a PowerPoint presentation"),
            ("project.qde", "a REFI-QDA project"),
        ):
            if member in names:
                return kind
        return "a zip archive of other files"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old-format Office file (Excel 97-2003 .xls) or a password-protected workbook"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:1024]:
        return "an HTML page (a failed download or a sign-in page saved under this name)"
    if lowered.startswith(b"<?xml"):
        return "an XML file"
    if b"\x00" in head:
        return "a binary file (perhaps UTF-16 text or an image)"
    first = head.split(b"\n", 1)[0][:60].decode("utf-8", errors="replace").strip()
    return f"a text file (first line: '{first}')"


def _matches(path: Path, kind: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in _ZIP_MEMBER:
        return (
            kind
            == {
                "xl/workbook.xml": "an Excel workbook",
                "word/document.xml": "a Word document",
                "project.qde": "a REFI-QDA project",
            }[_ZIP_MEMBER[suffix]]
        )
    return kind.startswith("a text file")


def file_problem(path: str | Path, expected: str | None = None) -> Problem | None:
    """A Problem when the file is missing or is not what its extension says; None when it looks right."""
    path = Path(path)
    expected = expected or EXPECTED.get(path.suffix.lower(), "a file")
    if not path.exists():
        return Problem(file=paths.relative(path), expected=expected, found="no such file")
    if path.is_dir():
        return Problem(file=paths.relative(path), expected=expected, found="a folder")
    if path.suffix.lower() not in EXPECTED:
        return None
    kind = what_file_is(path)
    return None if _matches(path, kind) else Problem(file=paths.relative(path), expected=expected, found=kind)


def _require_file(path: Path, what: str) -> None:
    problem = file_problem(path, what)
    if problem is not None:
        raise InputError([problem])


def _open_workbook(path: Path, **options):
    """openpyxl's workbook, or an InputError naming the file when it is not one."""
    _require_file(path, "an Excel workbook (.xlsx)")
    try:
        return load_workbook(path, **options)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file; the user needs one sentence
        raise InputError(
            [
                Problem(
                    file=paths.relative(path),
                    expected="an Excel workbook (.xlsx) that opens",
                    found=f"a damaged workbook ({type(exc).__name__}: {exc})",
                )
            ]
        ) from None


def normalise_header(text: object) -> str:
    """Casefold, fold ё→е, collapse spaces and strip punctuation so header mappings are robust."""
    value = unicodedata.normalize("NFKC", str(text or "")).casefold().replace("ё", "е")
    value = re.sub(r"[\s_]+", " ", value)
    value = re.sub(r"[^\w %/]", "", value)
    return value.strip()


# ---------------------------------------------------------------- Excel
def sheet_names(path: str | Path) -> list[str]:
    path = Path(path)
    wb = _open_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_excel_sheet(path: str | Path, sheet: str, header_rows: int = 1, header_row: int = 1) -> pd.DataFrame:
    """Read one sheet as strings/values with `_row` holding the Excel row number.

    `header_rows` > 1 joins stacked header rows with " / "; merged header cells are filled across
    their span, which is how a consultant's "grouped" headers arrive.
    """
    path = Path(path)
    sheets = _workbook_cells(*_identity(path))
    if sheet not in sheets:
        raise InputError(
            [
                Problem(
                    file=paths.relative(path), sheet=sheet, expected=f"a sheet named '{sheet}'", found=", ".join(sheets)
                )
            ]
        )
    cells, merged_ranges = sheets[sheet]
    rows = [list(r) for r in cells]
    for min_row, min_col, max_row, max_col in merged_ranges:
        if min_row < header_row + header_rows:  # a grouped header: its value spans the merged cells
            top_left = rows[min_row - 1][min_col - 1]
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    rows[r - 1][c - 1] = top_left
    first = header_row - 1
    header_block = rows[first : first + header_rows]
    if not any(v not in (None, "") for r in header_block for v in r):
        raise InputError(
            [
                Problem(
                    file=paths.relative(path),
                    sheet=sheet,
                    row=header_row,
                    expected="a header row with the column names",
                    found="an empty sheet",
                )
            ]
        )
    width = max(len(r) for r in header_block)
    headers = []
    for c in range(width):
        parts = []
        for r in header_block:
            value = r[c] if c < len(r) else None
            if value not in (None, "") and str(value).strip() not in parts:
                parts.append(str(value).strip())
        headers.append(" / ".join(parts) if parts else f"unnamed_{c + 1}")
    records, numbers = [], []
    for offset, values in enumerate(rows[first + header_rows :]):
        values = list(values) + [None] * (width - len(values))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values[:width]):
            continue
        records.append(values[:width])
        numbers.append(header_row + header_rows + offset)
    frame = pd.DataFrame(records, columns=headers, dtype=object)
    frame.insert(0, ROW, pd.Series(numbers, dtype="int64"))
    return frame


def _identity(path: Path) -> tuple[Path, int, int]:
    """A file as it is now (path, size, modification time): the cache key of its parsed cells."""
    _require_file(path, "an Excel workbook (.xlsx)")
    stat = path.stat()
    return path.resolve(), stat.st_size, stat.st_mtime_ns


@lru_cache(maxsize=4)
def _workbook_cells(path: Path, size: int, mtime_ns: int) -> dict[str, tuple[tuple[tuple, ...], tuple]]:
    """Every sheet's cell values and merged ranges, parsed once per version of the file: a chapter reads
    several sheets of one workbook, and openpyxl parses all of them on every open."""
    wb = _open_workbook(path, data_only=True)  # not read-only: merged-cell ranges are needed
    try:
        return {
            ws.title: (
                tuple(ws.iter_rows(values_only=True)),
                tuple((m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges),
            )
            for ws in wb.worksheets
        }
    finally:
        wb.close()


# ---------------------------------------------------------------- CSV
ENCODINGS = ("utf-8-sig", "cp1251")


def decode_bytes(data: bytes, file: str) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM) or Windows-1251; never guess silently.

    UTF-8 is strict, so a Windows-1251 file fails it and is tried as cp1251; the result must then look
    like Cyrillic or Latin text, otherwise the file is reported rather than garbled.
    """
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    text = data.decode("cp1251", errors="strict") if _plausible_cp1251(data) else None
    if text is None:
        raise InputError(
            [
                Problem(
                    file=file,
                    row=data[: utf8_error.start].count(b"\n") + 1,
                    expected="text in UTF-8 or Windows-1251",
                    found=f"undecodable bytes {data[utf8_error.start : utf8_error.start + 4]!r}",
                )
            ]
        )
    return text, "cp1251"


def _plausible_cp1251(data: bytes) -> bool:
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return False
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return True
    ok = sum(1 for ch in letters if ("a" <= ch.lower() <= "z") or ("\u0400" <= ch <= "\u04ff"))
    return ok / len(letters) > 0.95


def read_csv_any(path: str | Path, header_map: Mapping[str, str] | None = None) -> tuple[pd.DataFrame, dict]:
    """Read a CSV export as strings, detecting encoding and separator; return (frame, how it was read).

    What Excel writes in any locale is accepted: UTF-8 (with or without BOM) or Windows-1251, ',' ';' or
    tab. `_row` is the line number in the file (header = line 1). A line with more or fewer fields than
    the header, or a quote left open, is an error naming the line: it is how a file cut short, or a
    separator typed inside an unquoted value, shows.
    """
    path = Path(path)
    file = paths.relative(path)
    _require_file(path, "a CSV text file")
    data = path.read_bytes()
    text, encoding = decode_bytes(data, file)
    first_line = text.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=counts.get)
    if counts[sep] == 0:
        raise InputError(
            [Problem(file=file, row=1, expected="a header line with ';', ',' or tab separators", found=first_line[:80])]
        )
    header, records, lines, problems = _csv_records(text, sep, file)
    frame = (
        pd.DataFrame(records, columns=header, dtype=object) if records else pd.DataFrame(columns=header, dtype=object)
    )
    frame.insert(0, ROW, pd.Series(lines, dtype="int64"))
    if problems:
        raise InputError(problems)
    if header_map is not None:
        frame = rename_columns(frame, header_map, file=file)
    how = {"encoding": encoding, "separator": sep}
    if data and not data.endswith(b"\n"):
        how["warning"] = Problem(
            file=file,
            row=len(lines) + 1,
            expected="a line break at the end of the file",
            found="none (was the file cut short?)",
            severity="warning",
        )
    return frame, how


def _csv_records(text: str, sep: str, file: str) -> tuple[list[str], list[list[str]], list[int], list[Problem]]:
    """Header, records (blank lines skipped), the line each record starts on, and field-count problems."""
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep, strict=True)
    header: list[str] = []
    records, lines, problems = [], [], []
    line = 1
    try:
        for fields in reader:
            start, line = line, reader.line_num + 1
            if not header:
                header = [f.strip() for f in fields]
                continue
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                short = (
                    " (the line ends early: was the file cut short?)"
                    if len(fields) < len(header)
                    else f" (a '{sep}' inside a value that is not in quotes?)"
                )
                problems.append(
                    Problem(
                        file=file,
                        row=start,
                        expected=f"{len(header)} fields separated by '{sep}', as in the header",
                        found=f"{len(fields)} fields{short}",
                    )
                )
                continue
            records.append(fields)
            lines.append(start)
    except csv.Error as exc:
        problems.append(
            Problem(
                file=file,
                row=line,
                expected="every quoted value closed by a quote",
                found=f"{exc} (was the file cut short?)",
            )
        )
    return header, records, lines, problems


def rename_columns(
    frame: pd.DataFrame, header_map: Mapping[str, str], file: str, sheet: str | None = None
) -> pd.DataFrame:
    """Map source headers (any language, any case) to canonical names through a documented mapping.

    `header_map` maps a spelling to its canonical name; canonical names map to themselves implicitly.
    """
    lookup = {normalise_header(k): v for k, v in header_map.items()}
    lookup.update({normalise_header(v): v for v in header_map.values()})
    renamed, seen = {}, {}
    for column in frame.columns:
        if column == ROW:
            continue
        target = lookup.get(normalise_header(column))
        if target is None:
            continue
        if target in seen:
            raise InputError(
                [
                    Problem(
                        file=file,
                        sheet=sheet,
                        row=1,
                        column=str(column),
                        expected=f"one column for '{target}'",
                        found=f"both '{seen[target]}' and '{column}'",
                    )
                ]
            )
        seen[target] = column
        renamed[column] = target
    return frame.rename(columns=renamed)


# ---------------------------------------------------------------- values
# dd.mm.yyyy is the Russian-locale convention and never month-first; "a/b/yyyy" (or a-b-yyyy) may be either.
_DOTTED = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
_SLASHED = re.compile(r"^\s*(\d{1,2})[/-](\d{1,2})[/-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?\s*$")
DAY_FIRST, MONTH_FIRST, MIXED = "day first", "month first", "mixed"


class AmbiguousDate(ValueError):
    """A date like 01/02/2025 in a file whose other dates are written both day-first and month-first."""


def slash_date_order(values: Iterable[object]) -> str | None:
    """How a file writes its a/b/yyyy dates: DAY_FIRST, MONTH_FIRST, MIXED (both seen), or None (no
    a/b/yyyy date, or none that tells: both parts at most 12). A part above 12 can only be the day."""
    day_first = month_first = False
    for value in values:
        match = _SLASHED.match(value) if isinstance(value, str) else None
        if match:
            a, b = int(match.group(1)), int(match.group(2))
            day_first |= a > 12 >= b
            month_first |= b > 12 >= a
    if day_first and month_first:
        return MIXED
    return DAY_FIRST if day_first else MONTH_FIRST if month_first else None


def parse_date_value(value: object, slash_order: str | None = None) -> date | None:
    """dd.mm.yyyy, yyyy-mm-dd, an Excel date, or a/b/yyyy read in `slash_order` (default day first);
    None for blank; ValueError otherwise, AmbiguousDate for 01/02/2025 when the order is MIXED."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    text = str(value).strip()
    if not text:
        return None
    match = _DOTTED.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    match = _SLASHED.match(text)
    if match:
        a, b, year = (int(g) for g in match.groups())
        if slash_order == MIXED and a <= 12 and b <= 12 and a != b:
            raise AmbiguousDate(text)
        month_first = slash_order == MONTH_FIRST or (slash_order == MIXED and b > 12)
        return date(year, a, b) if month_first else date(year, b, a)
    raise ValueError(text)


def ambiguity_note(order: str | None, example: str) -> str:
    """Why a/b/yyyy dates were read as they were, or could not be, for a message."""
    if order == MIXED:
        return (
            f"this file writes dates both day first and month first, so '{example}' could be either; "
            "type it as dd.mm.yyyy"
        )
    return f"read day first: '{example}' is taken as dd/mm/yyyy; type dates as dd.mm.yyyy to be unambiguous"


def parse_dates_fast(values: pd.Series, slash_order: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Vectorised dd.mm.yyyy / ISO / a/b/yyyy parsing for large extracts: (datetime64 series, bad mask).

    Meant for the distinct values of a column. Blank stays NaT and is not bad; anything else that fails,
    and an a/b/yyyy date that `slash_order` MIXED leaves ambiguous, is flagged for the data-quality table.
    """
    text = values.astype("string").str.strip()
    blank = text.isna() | (text == "")
    dotted = text.str.contains(".", regex=False).fillna(False)
    parsed = pd.to_datetime(text.where(dotted), format="%d.%m.%Y", errors="coerce")
    iso = pd.to_datetime(text.where(~dotted & ~blank), format="%Y-%m-%d", errors="coerce")
    parsed = parsed.fillna(iso)
    slashed = text.str.match(_SLASHED.pattern).fillna(False) & parsed.isna()
    if slashed.any():

        def read(v: str):
            try:
                return pd.Timestamp(parse_date_value(v, slash_order))
            except ValueError:
                return pd.NaT

        parsed = parsed.where(~slashed, pd.to_datetime(text.where(slashed).map(read, na_action="ignore")))
    bad = parsed.isna() & ~blank
    return parsed, bad


def parse_number_value(value: object) -> float | None:
    """Numbers with decimal commas and space/NBSP thousands separators ("1 234,5" → 1234.5)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    else:
        text = text.replace(",", ".")
    return float(text)


def check_columns(frame: pd.DataFrame, required: Iterable[str], file: str, sheet: str | None = None) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(str(c) for c in frame.columns if c != ROW)
        raise InputError(
            [
                Problem(file=file, sheet=sheet, row=1, column=c, expected=f"a column '{c}'", found=f"columns: {found}")
                for c in missing
            ]
        )


def read_processed(path: str | Path, **kwargs) -> pd.DataFrame:
    """Read a table this pipeline wrote to data/processed (UTF-8 CSV)."""
    path = Path(path)
    _require_file(path, "a processed table (run `make` to build it)")
    return pd.read_csv(path, encoding="utf-8", keep_default_na=False, na_values=[""], **kwargs)
