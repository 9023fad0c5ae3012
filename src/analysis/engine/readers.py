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
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from analysis.engine import paths
from analysis.engine.errors import InputError, Problem

ROW = "_row"


def _require_file(path: Path, what: str) -> None:
    if not path.exists():
        raise InputError([Problem(file=paths.relative(path), expected=what, found="no such file")])


def normalise_header(text: object) -> str:
    """Casefold, fold ё→е, collapse spaces and strip punctuation so header mappings are robust."""
    value = unicodedata.normalize("NFKC", str(text or "")).casefold().replace("ё", "е")
    value = re.sub(r"[\s_]+", " ", value)
    value = re.sub(r"[^\w %/]", "", value)
    return value.strip()


# ---------------------------------------------------------------- Excel
def sheet_names(path: str | Path) -> list[str]:
    path = Path(path)
    _require_file(path, "an Excel workbook")
    wb = load_workbook(path, read_only=True)
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
    _require_file(path, "an Excel workbook")
    wb = load_workbook(path, data_only=True)  # not read-only: merged-cell ranges are needed
    try:
        if sheet not in wb.sheetnames:
            raise InputError([Problem(file=paths.relative(path), sheet=sheet,
                                      expected=f"a sheet named '{sheet}'",
                                      found=", ".join(wb.sheetnames))])
        ws = wb[sheet]
        for merged in list(ws.merged_cells.ranges):
            top_left = ws.cell(merged.min_row, merged.min_col).value
            ws.unmerge_cells(str(merged))
            if merged.min_row < header_row + header_rows:
                for r in range(merged.min_row, merged.max_row + 1):
                    for c in range(merged.min_col, merged.max_col + 1):
                        ws.cell(r, c).value = top_left
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    first = header_row - 1
    header_block = rows[first:first + header_rows]
    if not header_block:
        raise InputError([Problem(file=paths.relative(path), sheet=sheet, row=header_row,
                                  expected="a header row", found="an empty sheet")])
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
    for offset, values in enumerate(rows[first + header_rows:]):
        values = list(values) + [None] * (width - len(values))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values[:width]):
            continue
        records.append(values[:width])
        numbers.append(header_row + header_rows + offset)
    frame = pd.DataFrame(records, columns=headers, dtype=object)
    frame.insert(0, ROW, pd.Series(numbers, dtype="int64"))
    return frame


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
        raise InputError([Problem(file=file, row=data[: utf8_error.start].count(b"\n") + 1,
                                  expected="text in UTF-8 or Windows-1251",
                                  found=f"undecodable bytes {data[utf8_error.start:utf8_error.start + 4]!r}")])
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

    `_row` is the line number in the file (header = line 1).
    """
    path = Path(path)
    _require_file(path, "a CSV file")
    text, encoding = decode_bytes(path.read_bytes(), paths.relative(path))
    first_line = text.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=counts.get)
    if counts[sep] == 0:
        raise InputError([Problem(file=paths.relative(path), row=1, expected="a header line with ';', ',' or tab separators",
                                  found=first_line[:80])])
    frame = pd.read_csv(_io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL)
    frame.insert(0, ROW, np.arange(2, len(frame) + 2, dtype="int64"))
    if header_map is not None:
        frame = rename_columns(frame, header_map, file=paths.relative(path))
    return frame, {"encoding": encoding, "separator": sep}


def rename_columns(frame: pd.DataFrame, header_map: Mapping[str, str], file: str, sheet: str | None = None) -> pd.DataFrame:
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
            raise InputError([Problem(file=file, sheet=sheet, row=1, column=str(column),
                                      expected=f"one column for '{target}'",
                                      found=f"both '{seen[target]}' and '{column}'")])
        seen[target] = column
        renamed[column] = target
    return frame.rename(columns=renamed)


# ---------------------------------------------------------------- values
_DMY = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?\s*$")


def parse_date_value(value: object) -> date | None:
    """dd.mm.yyyy, yyyy-mm-dd or an Excel date; None for blank; ValueError otherwise."""
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
    for pattern, order in ((_DMY, (2, 1, 0)), (_ISO, (0, 1, 2))):
        match = pattern.match(text)
        if match:
            parts = [int(g) for g in match.groups()]
            return date(parts[order[0]], parts[order[1]], parts[order[2]])
    raise ValueError(text)


def parse_dates_fast(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised dd.mm.yyyy / ISO parsing for large extracts: (datetime64 series, bad-value mask).

    Blank stays NaT and is not bad; anything else that fails is flagged for the data-quality table.
    """
    text = values.astype("string").str.strip()
    blank = text.isna() | (text == "")
    parsed = pd.to_datetime(text.where(text.str.contains(".", regex=False)), format="%d.%m.%Y", errors="coerce")
    iso = pd.to_datetime(text.where(~text.str.contains(".", regex=False) & ~blank), format="%Y-%m-%d", errors="coerce")
    parsed = parsed.fillna(iso)
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
        raise InputError([Problem(file=file, sheet=sheet, row=1, column=c, expected=f"a column '{c}'",
                                  found=f"columns: {found}") for c in missing])


def read_processed(path: str | Path, **kwargs) -> pd.DataFrame:
    """Read a table this pipeline wrote to data/processed (UTF-8 CSV)."""
    path = Path(path)
    _require_file(path, "a processed table (run `make` to build it)")
    return pd.read_csv(path, encoding="utf-8", keep_default_na=False, na_values=[""], **kwargs)
