"""How long procedures take: large administrative extracts, their data quality, and honest metrics.

An extract has millions of rows, Russian headers, Windows-1251 text, dd.mm.yyyy dates, invalid rows
and cases still pending. Three choices keep the analysis fast and right:

* low-cardinality columns (procedure, office, dates ...) are read as categories and every mapping or
  date parse is done once per distinct value, never once per row;
* every metric is computed from per-group histograms of integer durations (np.bincount), so
  percentiles, Kaplan–Meier and Aalen–Johansen estimates for hundreds of groups cost one pass each;
* pending cases are right-censored at the extraction date, because a median over closed cases alone
  understates waiting times exactly when a backlog builds up.

Percentiles use the nearest-rank definition: the p-th percentile is the smallest number of days within
which at least p % of decided cases were decided ("80 % of cases were decided within N days", the
USCIS wording). It equals the Kaplan–Meier quantile when nothing is censored. Durations count working
days after the day of receipt (Kyrgyz public-holiday calendar); calendar days are given alongside.
"""

from __future__ import annotations

import csv
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from analysis.engine import atomic, config, paths
from analysis.engine.calendar import WorkCalendar
from analysis.engine.errors import InputError, Problem
from analysis.engine.readers import (
    MIXED,
    check_columns,
    decode_bytes,
    file_problem,
    normalise_header,
    parse_dates_fast,
    read_csv_any,
    read_excel_sheet,
    read_processed,
    sheet_names,
    slash_date_order,
)
from analysis.engine.text import month_range

ROW = "_row"
DATE_COLUMNS = ("receipt_date", "decision_date", "extraction_date")
OUTCOMES = ("approved", "refused", "withdrawn")
UNKNOWN = "unknown"
EXAMPLES_PER_CHECK = 3
#: Share of the extract's rows that may be excluded before the build stops, unless the config sets one.
DEFAULT_MAX_INVALID_SHARE = 0.05
#: Bytes the CSV reader parses per task (each such chunk of a column has its own dictionary).
ARROW_BLOCK_BYTES = 16 << 20


def _settings() -> dict:
    return config.get("processing_times")


def normalise_value(text: object) -> str:
    """Casefold, fold ё→е and collapse spaces, so "Ж", " ж " and "ж" map alike."""
    value = unicodedata.normalize("NFKC", str(text or "")).casefold().replace("ё", "е")
    return re.sub(r"\s+", " ", value).strip()


# ---------------------------------------------------------------- mappings (data, not code)
@dataclass(frozen=True)
class ColumnMap:
    """Source header spellings → canonical column names, and which canonical columns are required."""

    headers: dict[str, str]
    required: tuple[str, ...]
    descriptions: dict[str, str]


def _read_map(path: Path) -> pd.DataFrame:
    """A mapping file as Excel saves it in any locale (UTF-8 or Windows-1251, ',' or ';'), `_row` dropped."""
    return read_csv_any(path)[0].drop(columns=ROW)


def load_column_map(path: str | Path) -> ColumnMap:
    path = paths.resolve(path)
    frame = _read_map(path)
    file = paths.relative(path)
    check_columns(frame, ["canonical", "source_header", "required"], file)
    headers = {normalise_header(h): c.strip() for h, c in zip(frame["source_header"], frame["canonical"])}
    required = tuple(
        dict.fromkeys(frame.loc[frame["required"].str.strip().str.casefold() == "yes", "canonical"].str.strip())
    )
    descriptions = dict(zip(frame["canonical"].str.strip(), frame.get("description", frame["canonical"]).fillna("")))
    return ColumnMap(headers=headers, required=required, descriptions=descriptions)


@dataclass(frozen=True)
class ValueMap:
    """Per field: extract value (normalised) → canonical value, and canonical value → English label."""

    values: dict[str, dict[str, str]]
    labels: dict[str, dict[str, str]]

    def label(self, field_name: str, value: str) -> str:
        return self.labels.get(field_name, {}).get(value, value)


def load_value_map(path: str | Path) -> ValueMap:
    path = paths.resolve(path)
    frame = _read_map(path)
    check_columns(frame, ["field", "extract_value", "canonical", "label_en"], paths.relative(path))
    values: dict[str, dict[str, str]] = {}
    labels: dict[str, dict[str, str]] = {}
    for field_name, raw, canonical, label in frame[["field", "extract_value", "canonical", "label_en"]].itertuples(
        index=False
    ):
        values.setdefault(field_name.strip(), {})[normalise_value(raw)] = canonical.strip()
        labels.setdefault(field_name.strip(), {})[canonical.strip()] = label.strip() or canonical.strip()
    return ValueMap(values=values, labels=labels)


PROCEDURE_COLUMNS = ["procedure", "label_en", "extract_values", "deadline_provision", "note"]


def load_procedures(
    path: str | Path,
    provisions: pd.DataFrame | None,
    provisions_file: str = "provisions.csv",
    provisions_required: bool = True,
) -> pd.DataFrame:
    """The procedures map with each statutory deadline read from the inventory's provisions.

    Columns added: deadline_quantity, deadline_unit, deadline_kind (working_days / calendar_days /
    months / years, or blank when no provision gives a deadline), deadline_text, and the provision's
    source, confidence and validity dates (a case received outside them has no deadline). A provision id
    that the inventory does not hold, or a deadline whose unit is not known, is an InputError naming the row.
    Without `provisions_required` (`make check` while the inventory itself has errors) the deadlines stay
    blank instead.
    """
    path = paths.resolve(path)
    file = paths.relative(path)
    frame, _ = read_csv_any(path)
    check_columns(frame, PROCEDURE_COLUMNS, file)
    units = {normalise_value(k): v for k, v in _settings()["deadline_units"].items()}
    problems: list[Problem] = []
    records = []
    lookup = _provision_lookup(provisions)
    lines = frame.pop(ROW).tolist()
    for line, row in zip(lines, frame.itertuples(index=False)):
        provision = row.deadline_provision.strip()
        record = {
            "deadline_quantity": np.nan,
            "deadline_unit": "",
            "deadline_kind": "",
            "deadline_text": "",
            "deadline_source": "",
            "deadline_confidence": "",
            "deadline_valid_from": pd.NaT,
            "deadline_valid_to": pd.NaT,
        }
        records.append(record)
        if not provision:
            continue
        if lookup is None and not provisions_required:
            continue
        if lookup is None:
            problems.append(
                Problem(
                    file=file,
                    row=line,
                    column="deadline_provision",
                    expected="the inventory's provisions table (run notebook 10 first)",
                    found=provision,
                )
            )
            continue
        if provision not in lookup:
            problems.append(
                Problem(
                    file=file,
                    row=line,
                    column="deadline_provision",
                    expected=f"a provision id in {provisions_file}",
                    found=provision,
                )
            )
            continue
        fact = lookup[provision]
        kind = units.get(normalise_value(fact["unit"]), "")
        quantity = pd.to_numeric(fact["quantity"], errors="coerce")
        if not kind or pd.isna(quantity):
            problems.append(
                Problem(
                    file=file,
                    row=line,
                    column="deadline_provision",
                    expected="a provision whose quantity is a number and whose unit is one of "
                    + ", ".join(_settings()["deadline_units"]),
                    found=f"{provision}: {fact['quantity']} {fact['unit']}",
                )
            )
            continue
        record.update(
            deadline_quantity=float(quantity),
            deadline_unit=fact["unit"],
            deadline_kind=kind,
            deadline_text=f"{float(quantity):g} {fact['unit']}",
            deadline_source=fact["source"],
            deadline_confidence=fact["confidence"],
            deadline_valid_from=fact["valid_from"],
            deadline_valid_to=fact["valid_to"],
        )
    if problems:
        raise InputError(problems)
    return pd.concat([frame, pd.DataFrame.from_records(records, index=frame.index)], axis=1)


def _provision_lookup(provisions: pd.DataFrame | None) -> dict[str, dict] | None:
    """provision id → quantity, unit, source, confidence and validity from the inventory's provisions table."""
    if provisions is None:
        return None
    id_col = next((c for c in ("provision_id", "id") if c in provisions.columns), None)
    if id_col is None or "quantity" not in provisions.columns or "unit" not in provisions.columns:
        raise InputError(
            [
                Problem(
                    file="data/processed/inventory/provisions.csv",
                    row=1,
                    column="provision_id, quantity, unit",
                    expected="the columns provision_id (or id), quantity and unit",
                    found=", ".join(map(str, provisions.columns)),
                )
            ]
        )

    def column(name: str, default=""):
        return provisions[name] if name in provisions.columns else pd.Series(default, index=provisions.index)

    text = lambda v: "" if pd.isna(v) else str(v)  # noqa: E731
    dates = {name: pd.to_datetime(column(name, None), errors="coerce") for name in ("valid_from", "valid_to")}
    return {
        str(i).strip(): {
            "quantity": q,
            "unit": text(u),
            "source": text(s),
            "confidence": text(c),
            "valid_from": f,
            "valid_to": t,
        }
        for i, q, u, s, c, f, t in zip(
            provisions[id_col],
            provisions["quantity"],
            provisions["unit"],
            column("source"),
            column("confidence"),
            dates["valid_from"],
            dates["valid_to"],
        )
    }


def read_provisions(inventory_dir: str | Path) -> pd.DataFrame | None:
    """The inventory's provisions table, or None when notebook 10 has not produced it."""
    path = paths.resolve(Path(inventory_dir) / "provisions.csv")
    return read_processed(path) if path.exists() else None


# ---------------------------------------------------------------- reading the extract
@dataclass
class RawExtract:
    frame: pd.DataFrame  # canonical columns; categories except application_id (Arrow strings)
    file: str
    encoding: str
    separator: str
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (line, text) of lines not read


def _sniff(path: Path, file: str) -> tuple[str, str, list[str]]:
    """Encoding, separator and header of a CSV, from its first 64 KiB only (files may be GBs)."""
    problem = file_problem(path, "the processing-times extract (a CSV text file)")
    if problem is not None:
        raise InputError([problem])
    with path.open("rb") as fh:
        head = fh.read(65536)
        more = bool(fh.read(1))
    if more and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    text, encoding = decode_bytes(head, file)
    first_line = text.split("\n", 1)[0].rstrip("\r")
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=counts.get)
    if counts[sep] == 0:
        raise InputError(
            [Problem(file=file, row=1, expected="a header line with ';', ',' or tab separators", found=first_line[:80])]
        )
    header = next(csv.reader([first_line], delimiter=sep))
    return encoding, sep, header


def _header_mapping(
    header: Sequence[str], column_map: ColumnMap, file: str, sheet: str | None = None
) -> dict[str, str]:
    """Source header → canonical name; a missing required column or a column mapped twice is an InputError."""
    rename: dict[str, str] = {}
    for column in header:
        canonical = column_map.headers.get(normalise_header(column))
        if canonical is None:
            continue
        if canonical in rename.values():
            first = next(k for k, v in rename.items() if v == canonical)
            raise InputError(
                [
                    Problem(
                        file=file,
                        sheet=sheet,
                        row=1,
                        column=str(column),
                        expected=f"one column for '{canonical}'",
                        found=f"both '{first}' and '{column}'",
                    )
                ]
            )
        rename[column] = canonical
    missing = [c for c in column_map.required if c not in rename.values()]
    if missing:
        raise InputError(
            [
                Problem(
                    file=file,
                    sheet=sheet,
                    row=1,
                    column=c,
                    expected=f"a column for '{c}' ({column_map.descriptions.get(c, '')}); "
                    "spellings are listed in the column mapping",
                    found="headers: " + ", ".join(map(str, header)),
                )
                for c in missing
            ]
        )
    return rename


def read_extract(path: str | Path, column_map: ColumnMap) -> RawExtract:
    """Read an extract into canonical columns, fast: CSV (UTF-8 or Windows-1251, ';' ',' or tab) or .xlsx.

    A columnar reader (Arrow) parses the CSV on every core with the encoding given explicitly; every
    column but the application id becomes a category (one string per distinct value). `_row` is the line
    number in the file (header = line 1; quoted line breaks inside a field are not expected in extracts)
    or the Excel row. A line with the wrong number of fields is not read but kept in `malformed`, so the
    data-quality account counts it.
    """
    path = paths.resolve(path)
    file = paths.relative(path)
    if not path.exists():
        raise InputError([Problem(file=file, expected="the processing-times extract", found="no such file")])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_excel_extract(path, file, column_map)
    encoding, sep, header = _sniff(path, file)
    rename = _header_mapping(header, column_map, file)
    names = [f"column_{i}" for i in range(len(header))]
    source = {names[header.index(src)]: dst for src, dst in rename.items()}
    malformed: list[tuple[int, str]] = []
    try:
        table = _arrow_table(path, sep, names, source)
    except pa.ArrowInvalid as exc:
        # Lines with the wrong number of fields (rare): find them, then read the file without them.
        malformed = _malformed_lines(path, encoding, sep, len(header))
        if not malformed:
            raise InputError(
                [
                    Problem(
                        file=file,
                        expected=f"a well-formed '{sep}'-separated file",
                        found=str(exc).splitlines()[0][:200],
                    )
                ]
            ) from None
        with tempfile.TemporaryDirectory(prefix="extract-") as folder:
            kept = Path(folder) / path.name
            _copy_without(path, kept, {line for line, _ in malformed})
            table = _arrow_table(kept, sep, names, source)
    frame = pd.DataFrame(
        {dst: _to_pandas(table.column(name), encoding, file, dst) for name, dst in source.items()}, copy=False
    )
    del table  # only the application ids' buffers stay, in the frame
    pa.default_memory_pool().release_unused()  # the reader's blocks go back to the system for numpy to reuse
    frame = _complete(frame, column_map)
    frame[ROW] = _line_numbers(len(frame), [line for line, _ in malformed])
    return RawExtract(frame=frame, file=file, encoding=encoding, separator=sep, malformed=malformed)


def _arrow_table(path: Path, sep: str, names: list[str], source: Mapping[str, str]) -> pa.Table:
    """The CSV's bytes as Arrow columns, parsed on every core; raises ArrowInvalid on a malformed line.

    Bytes, not text: only the distinct values are decoded afterwards, in the file's encoding (';', quotes
    and digits are the same bytes in UTF-8 and Windows-1251)."""
    types = {
        name: pa.large_binary() if dst == "application_id" else pa.dictionary(pa.int32(), pa.binary())
        for name, dst in source.items()
    }
    table = pa_csv.read_csv(
        path,
        read_options=pa_csv.ReadOptions(skip_rows=1, column_names=names, block_size=ARROW_BLOCK_BYTES),
        parse_options=pa_csv.ParseOptions(delimiter=sep),
        convert_options=pa_csv.ConvertOptions(
            include_columns=list(source),
            column_types=types,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table


def _copy_without(path: Path, target: Path, lines: set[int]) -> None:
    with path.open("rb") as source, target.open("wb") as out:
        for number, line in enumerate(source, start=1):
            if number not in lines:
                out.write(line)


def _to_pandas(column: pa.ChunkedArray, encoding: str, file: str, name: str) -> pd.Series | pd.Categorical:
    """An Arrow column of bytes as pandas, decoded in `encoding` without a Python object per row: a
    category (each distinct value decoded once), or Arrow-backed strings for the application id."""
    python_encoding = "utf-8" if encoding == "utf-8" else encoding
    if not pa.types.is_dictionary(column.type):
        text = [_as_text(chunk, python_encoding, file, name) for chunk in column.chunks]
        return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(text, pa.large_string())))
    # Each chunk has its own dictionary: the distinct values of all, in order of first appearance (as
    # Arrow's unify_dictionaries would list them), are decoded once.
    dictionaries = [chunk.dictionary.to_pylist() for chunk in column.chunks]
    distinct = list(dict.fromkeys(value for dictionary in dictionaries for value in dictionary))
    try:
        decoded = [value.decode(python_encoding) for value in distinct]
    except UnicodeDecodeError as exc:
        raise InputError(
            [
                Problem(
                    file=file,
                    column=name,
                    expected=f"text in {encoding} throughout the file",
                    found=f"undecodable bytes {exc.object[exc.start : exc.start + 4]!r}",
                )
            ]
        ) from None
    # Categories sorted, so tables keep their row order; each row's code goes from its chunk's dictionary
    # to the sorted categories in a single lookup, straight into pandas' own code width.
    order = sorted(range(len(decoded)), key=decoded.__getitem__)
    dtype = _code_dtype(len(decoded))
    rank = {distinct[i]: r for r, i in enumerate(order)}
    codes = np.empty(len(column), dtype=dtype)
    start = 0
    for chunk, dictionary in zip(column.chunks, dictionaries):
        local = np.array([rank[value] for value in dictionary], dtype=dtype)
        np.take(local, chunk.indices.to_numpy(zero_copy_only=False), out=codes[start : start + len(chunk)])
        start += len(chunk)
    categories = pd.Index([decoded[i] for i in order], dtype=object)
    return pd.Categorical.from_codes(codes, categories=categories, validate=False)


def _code_dtype(n_categories: int) -> np.dtype:
    """The integer width pandas gives the codes of `n_categories` categories (no copy in from_codes)."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_categories < np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


def _as_text(values: pa.Array, encoding: str, file: str, name: str) -> pa.Array:
    """Bytes as Arrow strings: checked UTF-8, or zero-copy when every byte is ASCII (ids are), else decoded."""
    try:
        if encoding == "utf-8":
            return values.cast(pa.large_string())
        data = values.buffers()[2]
        if data is None or not (np.frombuffer(data, dtype=np.uint8) >= 0x80).any():
            return values.view(pa.large_string())
        return pa.array([v.decode(encoding) for v in values.to_pylist()], pa.large_string())
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(
            [
                Problem(
                    file=file,
                    column=name,
                    expected=f"text in {encoding} throughout the file",
                    found=f"undecodable bytes ({str(exc)[:80]})",
                )
            ]
        ) from None


def _malformed_lines(path: Path, encoding: str, sep: str, width: int) -> list[tuple[int, str]]:
    """(line, text) of every line whose number of fields is not the header's (a rare second pass)."""
    found = []
    with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        next(reader, None)
        start = 2
        for fields in reader:
            if fields and len(fields) != width:
                found.append((start, sep.join(fields)))
            start = reader.line_num + 1
    return found


def _line_numbers(n: int, skipped: list[int]) -> np.ndarray:
    """File line numbers of `n` rows read in order, when the lines `skipped` were left out."""
    lines = np.arange(2, n + len(skipped) + 2, dtype=np.int64)
    return lines[~np.isin(lines, skipped)][:n] if skipped else lines


def _read_excel_extract(path: Path, file: str, column_map: ColumnMap) -> RawExtract:
    """The first sheet of a workbook extract; Excel dates become dd.mm.yyyy text like a CSV's."""
    sheet = sheet_names(path)[0]
    frame = read_excel_sheet(path, sheet)
    rename = _header_mapping([c for c in frame.columns if c != ROW], column_map, file, sheet)
    frame = frame[[ROW] + list(rename)].rename(columns=rename)
    for column in rename.values():
        text = frame[column].map(
            lambda v: ""
            if v is None or (isinstance(v, float) and np.isnan(v))
            else f"{v:%d.%m.%Y}"
            if isinstance(v, (datetime, date))
            else str(int(v))
            if isinstance(v, float) and v.is_integer()
            else str(v)
        )
        frame[column] = text.astype("string[pyarrow]") if column == "application_id" else text.astype("category")
    return RawExtract(frame=_complete(frame, column_map), file=file, encoding="xlsx", separator="")


def _complete(frame: pd.DataFrame, column_map: ColumnMap) -> pd.DataFrame:
    for column in column_map.descriptions:  # optional columns the file lacks are blank
        if column not in frame.columns:
            frame[column] = pd.Categorical.from_codes(np.zeros(len(frame), np.int8), categories=[""])
    return frame


def _recode(values: pd.Series, mapping: Mapping[str, str], default: str | None) -> pd.Categorical:
    """Map a categorical column through `mapping` (normalised keys), once per distinct value.

    Unmapped values become `default`, or stay as they are when default is None.
    """
    categories = values.cat.categories
    new = [mapping.get(normalise_value(c), default if default is not None else str(c).strip()) for c in categories]
    labels = pd.Index(new).unique()
    recoded = labels.get_indexer(new).astype(_code_dtype(len(labels)))  # per category, in pandas' code width
    return pd.Categorical.from_codes(recoded[values.cat.codes.to_numpy()], categories=labels, validate=False)


def _is_in(values: pd.Categorical | pd.Series, allowed: Iterable[str]) -> np.ndarray:
    """Row mask of a categorical's values in `allowed`, computed once per category."""
    values = values.array if isinstance(values, pd.Series) else values
    if not isinstance(values, pd.Categorical):
        return np.isin(np.asarray(values, dtype=object), list(allowed))
    hit = np.append(np.isin(np.asarray(values.categories, dtype=object), list(allowed)), False)
    return _per_row(hit, values.codes)  # code -1 (missing) picks the appended False


def _per_row(per_category: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """A category's value on each row (code -1 picks the last entry, as numpy indexing does); an array of
    False when no category is True, which costs no pass over the rows."""
    if per_category.dtype == bool and not per_category.any():
        return np.zeros(len(codes), dtype=bool)
    return per_category[codes]


def _drop_unused(values: pd.Categorical) -> pd.Categorical:
    """`remove_unused_categories` by counting codes instead of sorting them (millions of rows)."""
    codes = values.codes
    if codes.min(initial=0) >= 0:
        used = np.bincount(codes, minlength=len(values.categories)) > 0
    else:  # -1 (missing) counted apart
        used = np.bincount(codes.astype(np.intp) + 1, minlength=len(values.categories) + 1)[1:] > 0
    if used.all():
        return values
    remap = np.append(np.cumsum(used) - 1, -1).astype(codes.dtype)
    return pd.Categorical.from_codes(remap[codes], categories=values.categories[used], validate=False)


def _dates(values: pd.Series, slash_order: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(datetime64[D] values, bad mask, blank mask), parsing each distinct text once."""
    categories = pd.Series(values.cat.categories, dtype=object)
    parsed, bad = parse_dates_fast(categories, slash_order)
    codes = values.cat.codes.to_numpy().astype(np.intp)  # one conversion for the three lookups
    days = parsed.to_numpy(dtype="datetime64[D]")
    blank = categories.astype(str).str.strip().eq("").to_numpy()
    return days[codes], _per_row(bad.to_numpy(), codes), _per_row(blank, codes)


def _slash_dates(values: pd.Series, order: str | None) -> np.ndarray:
    """Rows whose date is written a/b/yyyy and could be read either way (both parts at most 12, unequal)
    — read day first when `order` is None, left out when it is MIXED."""
    if order not in (None, MIXED):
        return np.zeros(len(values), bool)
    text = pd.Series(values.cat.categories, dtype=object).astype(str)
    parts = text.str.extract(r"^\s*(\d{1,2})[/-](\d{1,2})[/-]\d{4}\s*$").astype(float)
    either = ((parts[0] <= 12) & (parts[1] <= 12) & (parts[0] != parts[1])).to_numpy()
    return _per_row(either, values.cat.codes.to_numpy())


def _first_occurrence(ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(blank mask, repeated mask) of application ids, trimmed, without a Python string per row.

    Ids that are plain numbers (no leading zero) are compared as integers, which is several times faster
    than hashing millions of strings; any other id is compared as text.
    """
    text = pa.array(ids.array)  # chunks as read: Arrow's functions take them as they are
    plain = _plain_numbers(text)  # digits only: nothing to trim, so the costly trim is skipped
    if not plain:
        text = pc.utf8_trim_whitespace(text)
    blank = pc.equal(text, "").to_numpy(zero_copy_only=False)
    if len(text) and (plain or pc.all(pc.match_substring_regex(text, r"^([1-9][0-9]{0,17})?$")).as_py()):
        if blank.any():
            numbers = pc.cast(pc.if_else(pa.array(blank), "0", text), pa.int64()).to_numpy()
        else:
            numbers = pc.cast(text, pa.int64()).to_numpy()
        return blank, _repeated(numbers) & ~blank
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    codes = pc.dictionary_encode(text).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    # dictionary_encode numbers values in order of first appearance: a row is a first occurrence
    # exactly when its code exceeds every code before it.
    earlier = np.maximum.accumulate(np.concatenate([[-1], codes[:-1]])) if len(codes) else codes
    return blank, (codes <= earlier) & ~blank


def _repeated(numbers: np.ndarray) -> np.ndarray:
    """Rows whose number is on an earlier row. Ids that a system counts up span a range not much wider
    than the number of rows: each number's first row is then found by one scatter into a table of the
    range (three times faster than a hash table); other numbers go through pandas' hash table."""
    n = len(numbers)
    if not n or n >= np.iinfo(np.int32).max or numbers.max() - numbers.min() > 4 * n + 1_000_000:
        return pd.Series(numbers).duplicated(keep="first").to_numpy()
    offset = numbers - numbers.min()
    rows = np.arange(n, dtype=np.int32)
    first = np.full(int(offset.max()) + 1, n, dtype=np.int32)
    np.minimum.at(first, offset, rows)
    return first[offset] != rows


def _plain_numbers(text: pa.Array | pa.ChunkedArray) -> bool:
    """Whether every id is blank or a number of at most 18 digits without a leading zero (untrimmed):
    the regular expression ^([1-9][0-9]{0,17})?$ by three cheap vectorised tests."""
    if not len(text):
        return False
    length = pc.binary_length(text)
    digits = pc.or_(pc.ascii_is_decimal(text), pc.equal(length, 0))
    return bool(
        pc.all(digits).as_py() and pc.max(length).as_py() <= 18 and not pc.any(pc.starts_with(text, "0")).as_py()
    )


# ---------------------------------------------------------------- validation and derived columns
@dataclass
class Check:
    id: str
    description: str
    action: str  # "excluded", "kept" or "out of scope"
    column: str
    expected: str
    mask: np.ndarray
    shown: tuple[str, ...] = ()  # columns whose values the examples show (default: `column`)


@dataclass
class Extract:
    """Valid, in-scope cases with derived columns, and the data-quality account of the whole file."""

    cases: pd.DataFrame
    quality: pd.DataFrame
    problems: list[Problem]
    info: dict = field(default_factory=dict)


def prepare(
    raw: RawExtract, values: ValueMap, procedures: pd.DataFrame, calendar: WorkCalendar, origin: str | None = None
) -> Extract:
    """Validate every row, count and exemplify each problem, and derive durations and deadlines.

    Rows with an error are excluded from the metrics but counted in the data-quality table; rows of
    another nationality are out of scope; rows without sex or channel are kept as "unknown". Dates written
    a/b/yyyy are read in the order the file's other such dates show; where the file shows both orders,
    those that could be either are excluded. More than `max_invalid_share` of the rows excluded stops the
    build: that is a wrong format or mapping, not a few typos.
    """
    # The validation's arrays over every row of the file are released when it returns, and the file's
    # own columns with `raw` unless the caller keeps it: only the kept rows' columns live on while the
    # cases are derived (the peak memory of a large extract).
    kept, quality, problems, info = _validate(raw, values, procedures, origin)
    del raw
    days = {column: kept.pop(column) for column in ("receipt", "decision", "extraction")}
    for column in ("office", "channel", "sex", "age_band", "outcome"):
        kept[column] = _drop_unused(kept[column])
    kept["procedure"] = kept["procedure"].set_categories(list(procedures["procedure"]))  # the map's order
    # numpy's cast to pandas' unit for dates: pandas' own conversion from days is ten times slower
    columns = {**kept, **{column: dates.astype("datetime64[s]") for column, dates in days.items()}}
    columns.update(_derive(kept["procedure"], kept["outcome"], days, procedures, calendar))
    cases = pd.DataFrame(columns, copy=False)  # the arrays are the cases' own: no copy of millions of rows
    return Extract(cases=cases, quality=quality, problems=problems, info=info)


def _validate(
    raw: RawExtract, values: ValueMap, procedures: pd.DataFrame, origin: str | None
) -> tuple[dict[str, object], pd.DataFrame, list[Problem], dict]:
    """The checks of `prepare`: the kept rows' columns (dates as datetime64[D]), the data-quality table,
    its located problems and the extract's counts."""
    settings = _settings()
    frame = raw.frame
    n = len(frame)
    procedure_lookup = {
        normalise_value(v): pid
        for pid, vals in zip(procedures["procedure"], procedures["extract_values"])
        for v in str(vals).split(";")
        if v.strip()
    }
    procedure = _recode(frame["procedure"], procedure_lookup, "")
    outcome = _recode(frame["outcome"], values.values.get("outcome", {}), "")
    sex = _recode(frame["sex"], values.values.get("sex", {}), UNKNOWN)
    channel = _recode(frame["channel"], values.values.get("channel", {}), UNKNOWN)
    office = _recode(frame["office"], values.values.get("office", {}), None)
    nationality = _recode(frame["nationality"], values.values.get("nationality", {}), None)
    age_band = _recode(frame["age_band"], values.values.get("age_band", {}), None)
    order = slash_date_order(v for c in DATE_COLUMNS for v in frame[c].cat.categories)
    receipt, bad_receipt, blank_receipt = _dates(frame["receipt_date"], order)
    decision, bad_decision, blank_decision = _dates(frame["decision_date"], order)
    extraction, bad_extraction, blank_extraction = _dates(frame["extraction_date"], order)
    either = {c: _slash_dates(frame[c], order) for c in DATE_COLUMNS}

    known_outcome = _is_in(outcome, list(settings["closed_outcomes"]) + [settings["pending_outcome"]])
    closed = _is_in(outcome, settings["closed_outcomes"])
    pending = _is_in(outcome, [settings["pending_outcome"]])
    has_decision = ~np.isnat(decision)
    blank_id, duplicate = _first_occurrence(frame["application_id"])
    date_hint = "a date as dd.mm.yyyy"
    ambiguous = either["receipt_date"] | either["decision_date"] | either["extraction_date"]
    checks = [
        Check(
            "date_day_month_ambiguous",
            "Date written a/b/yyyy in a file that writes dates both day first and "
            "month first: day and month cannot be told apart",
            "excluded",
            "receipt_date",
            "a date as dd.mm.yyyy",
            ambiguous if order == MIXED else np.zeros(n, bool),
            DATE_COLUMNS,
        ),
        Check(
            "receipt_date_unreadable",
            "Receipt date cannot be read",
            "excluded",
            "receipt_date",
            date_hint,
            bad_receipt & ~(either["receipt_date"] & (order == MIXED)),
        ),
        Check(
            "receipt_date_missing", "Receipt date missing", "excluded", "receipt_date", "a receipt date", blank_receipt
        ),
        Check(
            "decision_date_unreadable",
            "Decision date cannot be read",
            "excluded",
            "decision_date",
            date_hint,
            bad_decision & ~(either["decision_date"] & (order == MIXED)),
        ),
        Check(
            "extraction_date_unreadable",
            "Extraction date missing or unreadable",
            "excluded",
            "extraction_date",
            date_hint,
            (bad_extraction & ~(either["extraction_date"] & (order == MIXED))) | blank_extraction,
        ),
        Check(
            "procedure_unknown",
            "Procedure not in the procedures map",
            "excluded",
            "procedure",
            "a procedure listed in the procedures map",
            _is_in(procedure, [""]),
        ),
        Check(
            "outcome_unknown",
            "Outcome not in the value list",
            "excluded",
            "outcome",
            "an outcome listed in the value mapping",
            ~known_outcome,
        ),
        Check(
            "decision_before_receipt",
            "Decision dated before receipt",
            "excluded",
            "decision_date",
            "a decision on or after the receipt date",
            has_decision & ~np.isnat(receipt) & (decision < receipt),
            ("receipt_date", "decision_date"),
        ),
        Check(
            "receipt_after_extraction",
            "Receipt dated after the extraction",
            "excluded",
            "receipt_date",
            "a receipt on or before the extraction date",
            ~np.isnat(receipt) & ~np.isnat(extraction) & (receipt > extraction),
            ("receipt_date", "extraction_date"),
        ),
        Check(
            "decision_after_extraction",
            "Decision dated after the extraction",
            "excluded",
            "decision_date",
            "a decision on or before the extraction date",
            has_decision & ~np.isnat(extraction) & (decision > extraction),
            ("decision_date", "extraction_date"),
        ),
        Check(
            "closed_without_decision_date",
            "Decided or withdrawn but no decision date",
            "excluded",
            "decision_date",
            "a decision date for a closed case",
            closed & blank_decision,
            ("outcome", "decision_date"),
        ),
        Check(
            "pending_with_decision_date",
            "Pending but a decision date is given",
            "excluded",
            "outcome",
            "no decision date while pending",
            pending & has_decision,
            ("outcome", "decision_date"),
        ),
        Check(
            "application_id_duplicate",
            "Application id repeated (first occurrence kept)",
            "excluded",
            "application_id",
            "a unique application id",
            duplicate,
        ),
        Check(
            "application_id_missing", "Application id missing", "kept", "application_id", "an application id", blank_id
        ),
        Check(
            "date_read_day_first",
            "Date written a/b/yyyy that could be either way, read day first (no date in the file shows the order)",
            "kept",
            "receipt_date",
            "a date as dd.mm.yyyy",
            ambiguous if order is None else np.zeros(n, bool),
            DATE_COLUMNS,
        ),
        Check(
            "sex_not_recorded", "Sex not recorded (kept as unknown)", "kept", "sex", "М or Ж", _is_in(sex, [UNKNOWN])
        ),
        Check(
            "channel_not_recorded",
            "Channel not recorded (kept as unknown)",
            "kept",
            "channel",
            "online or in person",
            _is_in(channel, [UNKNOWN]),
        ),
    ]
    invalid = np.zeros(n, dtype=bool)
    for check in checks:
        if check.action == "excluded":
            invalid |= check.mask
    origin = origin if origin is not None else config.get("corridor.origin.code")
    other = ~invalid & ~_is_in(nationality, [origin])
    checks.append(
        Check(
            "other_nationality",
            f"Applicant not a citizen of {origin} (not analysed)",
            "out of scope",
            "nationality",
            origin,
            other,
        )
    )
    total = n + len(raw.malformed)
    quality, problems = _quality_table(checks, frame, raw.file, total, raw.malformed)
    excluded = int(invalid.sum()) + len(raw.malformed)
    limit = float(settings.get("max_invalid_share", DEFAULT_MAX_INVALID_SHARE))
    if total and excluded / total > limit:
        raise InputError(exclusion_problems(quality, raw.file, excluded, total, limit))
    keep = ~invalid & ~other
    kept = {
        "procedure": procedure[keep],
        "office": office[keep],
        "channel": channel[keep],
        "sex": sex[keep],
        "age_band": age_band[keep],
        "outcome": outcome[keep],
        "receipt": receipt[keep],
        "decision": decision[keep],
        "extraction": extraction[keep],
    }
    info = {
        "file": raw.file,
        "encoding": raw.encoding,
        "separator": raw.separator,
        "rows": total,
        "rows_excluded": excluded,
        "rows_out_of_scope": int(other.sum()),
        "rows_analysed": int(keep.sum()),
        "date_order": order or "",
    }
    return kept, quality, problems, info


def exclusion_problems(quality: pd.DataFrame, file: str, excluded: int, total: int, limit: float) -> list[Problem]:
    """Why the build stops: the share excluded against the limit, then each reason with its first lines."""
    head = Problem(
        file=file,
        expected=f"at most {100 * limit:g} % of rows excluded (processing_times."
        "max_invalid_share in config/corridor.yaml)",
        found=f"{excluded:,} of {total:,} rows ({100 * excluded / total:.1f} %): a wrong date format or "
        "mapping rather than a few typos",
    )
    return [head, *exclusion_reasons(quality, file)]


def exclusion_reasons(quality: pd.DataFrame, file: str, severity: str = "error") -> list[Problem]:
    """One problem per reason rows were excluded, with the count and the first lines (data-quality table)."""
    return [
        Problem(
            file=file,
            expected=f"no rows with: {r.description.lower()}",
            severity=severity,
            found=f"{r.rows:,} rows ({_percent(r.percent_of_rows)}), e.g. {r.examples}",
        )
        for r in quality.itertuples()
        if r.action == "excluded" and r.rows
    ]


def exclusion_report(extract: Extract) -> str:
    """The lines the build prints when rows were excluded (⚠, counts, first examples); '' when none."""
    info = extract.info
    if not info["rows_excluded"]:
        return ""
    lines = [
        f"⚠ {info['file']}: {info['rows_excluded']:,} of {info['rows']:,} rows "
        f"({_percent(100 * info['rows_excluded'] / info['rows'])}) excluded from the processing-times chapter"
    ]
    for r in extract.quality.itertuples():
        if r.action == "excluded" and r.rows:
            lines.append(f"  {r.rows:,} × {r.description.lower()} (e.g. {r.examples})")
    for r in extract.quality.itertuples():
        if r.check == "date_read_day_first" and r.rows:
            lines.append(f"⚠ {info['file']}: {r.rows:,} rows kept: {r.description.lower()} (e.g. {r.examples})")
    return "\n".join(lines)


def show_exclusions(extract: Extract) -> None:
    """Print the exclusions on the build output (the chapter and its annex show them too)."""
    import sys

    report = exclusion_report(extract)
    if report:
        print(report, file=sys.stderr, flush=True)


def exclusion_list(quality: pd.DataFrame) -> str:
    """Markdown bullets, one per reason rows were excluded, with the count (for the chapter's prose)."""
    return "\n".join(
        f"- {r.description} ({r.rows:,} {'row' if r.rows == 1 else 'rows'}, {_percent(r.percent_of_rows)})"
        for r in quality.itertuples()
        if r.action == "excluded" and r.rows
    )


def _percent(value: float) -> str:
    """A share of rows in words: one decimal, and "under 0.1 %" rather than a misleading "0.0 %"."""
    return "under 0.1 %" if 0 < value < 0.05 else f"{value:.1f} %"


def _quality_table(
    checks: Sequence[Check], frame: pd.DataFrame, file: str, n: int, malformed: Sequence[tuple[int, str]] = ()
) -> tuple[pd.DataFrame, list[Problem]]:
    records, problems = [], []
    lines = frame[ROW].to_numpy()
    shown_lines = "; ".join(f"line {line}: {text[:60]!r}" for line, text in malformed[:EXAMPLES_PER_CHECK])
    records.append(
        {
            "check": "line_malformed",
            "description": "Line with the wrong number of fields (cut short, or a "
            "separator inside an unquoted value): not read",
            "action": "excluded",
            "rows": len(malformed),
            "percent_of_rows": 100.0 * len(malformed) / n if n else np.nan,
            "examples": shown_lines,
        }
    )
    problems.extend(
        Problem(file=file, row=line, expected="the header's number of fields", found=text[:80], severity="warning")
        for line, text in malformed[:EXAMPLES_PER_CHECK]
    )
    for check in checks:
        count = int(check.mask.sum())
        where = np.flatnonzero(check.mask)[:EXAMPLES_PER_CHECK]
        shown = [c for c in (check.shown or (check.column,)) if c in frame.columns]
        found = [
            ", ".join(f"{c} {frame[c].iat[i]!r}" if len(shown) > 1 else str(frame[c].iat[i]) for c in shown)
            for i in where
        ]
        examples = "; ".join(f"line {int(lines[i])}: {v if len(shown) > 1 else repr(v)}" for i, v in zip(where, found))
        records.append(
            {
                "check": check.id,
                "description": check.description,
                "action": check.action,
                "rows": count,
                "percent_of_rows": 100.0 * count / n if n else np.nan,
                "examples": examples,
            }
        )
        problems.extend(
            Problem(
                file=file,
                row=int(lines[i]),
                column=check.column,
                expected=check.expected,
                found=str(v),
                severity="warning",
            )
            for i, v in zip(where, found)
        )
    return pd.DataFrame.from_records(records), problems


def _derive(
    procedure: pd.Categorical,
    outcome: pd.Categorical,
    days: Mapping[str, np.ndarray],
    procedures: pd.DataFrame,
    calendar: WorkCalendar,
) -> dict[str, np.ndarray | pd.Categorical]:
    """The cases' durations (working and calendar days), status flags, cohort and deadline, as columns;
    `days` holds the receipt, decision and extraction dates as datetime64[D]."""
    settings = _settings()
    receipt, decision, extraction = days["receipt"], days["decision"], days["extraction"]
    closed = _is_in(outcome, settings["closed_outcomes"])
    decided = _is_in(outcome, settings["decided_outcomes"])
    pending = _is_in(outcome, [settings["pending_outcome"]])
    end = np.where(closed, decision, extraction)
    deadline, deadline_working_days = _deadlines(procedure, receipt, procedures, calendar)
    has_deadline = ~np.isnat(deadline)
    return {
        "decided": decided,
        "closed": closed,
        "pending": pending,
        "working_days": _working_days(calendar, receipt, end).astype(np.int32),
        "calendar_days": (end - receipt).view(np.int64).astype(np.int32),
        "cohort": _month_labels(receipt),
        "deadline": deadline.astype("datetime64[s]"),
        "has_deadline": has_deadline,
        "within_deadline": decided & has_deadline & (decision <= deadline),
        "overdue_pending": pending & has_deadline & (extraction > deadline),
        "deadline_working_days": deadline_working_days,
    }


def _deadlines(
    procedure: pd.Categorical, receipt: np.ndarray, procedures: pd.DataFrame, calendar: WorkCalendar
) -> tuple[np.ndarray, np.ndarray]:
    """Each case's deadline (NaT without one) and its length in working days (-1 without one).

    Both depend only on the procedure and the day of receipt, so they are computed once per procedure
    and calendar day of the receipts' range (a small table), then looked up for every case. Only cases
    received while the provision was in force have a deadline.
    """
    n = len(receipt)
    known = ~np.isnat(receipt)
    if not known.any():
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"), np.full(n, -1, dtype=np.int32)
    numbers = receipt.view(np.int64)
    low = numbers.min(where=known, initial=np.iinfo(np.int64).max)
    high = numbers.max(where=known, initial=np.iinfo(np.int64).min)
    span = np.arange(low, high + 1).astype("datetime64[D]")
    categories = procedure.categories
    # one row per category, and a last row, never filled, for cases without a procedure (code -1)
    table = np.full((len(categories) + 1, len(span)), np.datetime64("NaT"), dtype="datetime64[D]")
    for row in procedures.itertuples(index=False):
        if not row.deadline_kind:
            continue
        in_force = np.ones(len(span), dtype=bool)
        if pd.notna(row.deadline_valid_from):
            in_force &= span >= np.datetime64(row.deadline_valid_from, "D")
        if pd.notna(row.deadline_valid_to):
            in_force &= span <= np.datetime64(row.deadline_valid_to, "D")
        for i in np.flatnonzero(np.asarray(categories == row.procedure)):
            table[i, in_force] = deadline_dates(span[in_force], row.deadline_quantity, row.deadline_kind, calendar)
    lengths = _working_days(calendar, np.broadcast_to(span, table.shape).ravel(), table.ravel()).astype(np.int32)
    codes = procedure.codes
    cell = np.where(codes < 0, len(categories), codes).astype(np.int64)
    cell *= len(span)
    cell += np.where(known, numbers - low, 0) if not known.all() else numbers - low
    deadline, length = table.ravel()[cell], lengths[cell]
    if not known.all():
        deadline[~known], length[~known] = np.datetime64("NaT"), -1
    return deadline, length


def _working_days(calendar: WorkCalendar, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """`calendar.working_days_between` for millions of rows: working days in (start, end] are T[end] −
    T[start], with T counted once per day of the range. NaT gives -1, as there."""
    s = np.asarray(start, dtype="datetime64[D]").view(np.int64)
    e = np.asarray(end, dtype="datetime64[D]").view(np.int64)
    nat = np.datetime64("NaT").astype("datetime64[D]").view(np.int64)
    valid = (s != nat) & (e != nat)
    if not valid.any():
        return np.full(len(s), -1, dtype=np.int64)
    everywhere = valid.all()  # the usual case: no masking on every row
    if everywhere:
        low, high = min(s.min(), e.min()), max(s.max(), e.max())
    else:
        big = np.iinfo(np.int64).max
        low = min(s.min(where=valid, initial=big), e.min(where=valid, initial=big))
        high = max(s.max(where=valid, initial=-big), e.max(where=valid, initial=-big))
    span = np.arange(low, high + 1).astype("datetime64[D]")
    table = calendar.working_days_between(np.full(len(span), span[0]), span)
    if everywhere:
        return table[e - low] - table[s - low]
    counted = table[np.where(valid, e - low, 0)] - table[np.where(valid, s - low, 0)]
    return np.where(valid, counted, -1)


def _month_labels(days: np.ndarray) -> pd.Categorical:
    """ "YYYY-MM" labels for millions of dates, formatting each month once.

    The month of each day is looked up in a table of the days' range: numpy's own conversion to months
    works out the calendar again for every row."""
    numbers = np.asarray(days, dtype="datetime64[D]").view(np.int64)
    if not len(numbers):
        return pd.Categorical([])
    low = numbers.min()
    offset = numbers - low
    month_of_day = np.arange(low, numbers.max() + 1).astype("datetime64[D]").astype("datetime64[M]").view(np.int64)
    present = np.unique(month_of_day[np.bincount(offset) > 0])  # months with a case, in order
    code_of_day = np.searchsorted(present, month_of_day).astype(_code_dtype(len(present)))
    labels = [str(np.datetime64(int(m), "M")) for m in present]
    return pd.Categorical.from_codes(code_of_day[offset], categories=labels, validate=False)


def deadline_dates(receipt, quantity: float, kind: str, calendar: WorkCalendar) -> np.ndarray:
    """The last day on which a decision is in time, for a deadline counted from the day of receipt.

    working_days: n working days after receipt (holidays and weekends skipped; a file received on a
    non-working day starts counting on the next working day); calendar_days: receipt + n days;
    months (years): the same day n months (years) later, or the month's last day when it has no such day.
    """
    receipt = np.asarray(receipt, dtype="datetime64[D]")
    n = int(quantity)
    if kind == "working_days":
        return calendar.add_working_days(receipt, n)
    if kind == "calendar_days":
        return receipt + np.timedelta64(n, "D")
    if kind in ("months", "years"):
        n = n * 12 if kind == "years" else n
        month = receipt.astype("datetime64[M]")
        day = (receipt - month.astype("datetime64[D]")).astype(np.int64)
        target = month + np.timedelta64(n, "M")
        last_day = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
            np.int64
        ) - 1
        return target.astype("datetime64[D]") + np.minimum(day, last_day).astype("timedelta64[D]")
    raise ValueError(f"unknown deadline kind {kind!r}")


# ---------------------------------------------------------------- estimators on histograms
def _histogram(
    codes: np.ndarray, durations: np.ndarray, mask: np.ndarray | None, n_groups: int, width: int
) -> np.ndarray:
    """counts[g, t]: rows of group g with duration t among `mask`, or all rows (durations are 0..width-1)."""
    counts = np.zeros(n_groups * width, dtype=np.int64)
    for rows in _row_blocks(len(codes)):
        if mask is None:
            flat = np.multiply(codes[rows], width, dtype=np.int64)
            flat += durations[rows]
        else:
            keep = mask[rows]
            flat = np.multiply(codes[rows][keep], width, dtype=np.int64)
            flat += durations[rows][keep]
        counts += np.bincount(flat, minlength=len(counts))
    return counts.reshape(n_groups, width)


def _class_histograms(
    codes: np.ndarray, durations: np.ndarray | None, classes: np.ndarray, n_classes: int, n_groups: int, width: int = 1
) -> np.ndarray:
    """counts[c, g, t]: rows of class c (0..n_classes-1), group g and duration t (all 0 when None).

    One pass over the rows gives the histograms of every class at once (decided and censored cases,
    each outcome ...), where a histogram per class would each go over all rows again.
    """
    counts = np.zeros(n_classes * n_groups * width, dtype=np.int64)
    for rows in _row_blocks(len(codes)):
        flat = np.multiply(classes[rows], n_groups, dtype=np.int64)
        flat += codes[rows]
        if durations is not None:
            flat *= width
            flat += durations[rows]
        counts += np.bincount(flat, minlength=len(counts))
    return counts.reshape(n_classes, n_groups, width)


#: Rows per block of the histogram helpers: a block's temporaries (8 MB) stay in the processor's cache
#: and are reused by the allocator, where arrays over millions of rows would each be fresh memory.
BLOCK_ROWS = 1 << 20


def _row_blocks(n: int) -> list[slice]:
    """Consecutive slices of at most BLOCK_ROWS rows covering 0..n (none when n is 0)."""
    return [slice(start, start + BLOCK_ROWS) for start in range(0, n, BLOCK_ROWS)]


def _counts(codes: np.ndarray, n_groups: int, flags: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per group, the rows where each flag is True (and "all" rows), from a single pass over the rows:
    each row's combination of flags (at most eight, one byte) is one class of `_class_histograms`."""
    state = np.zeros(len(codes), dtype=np.uint8)
    for bit, mask in enumerate(flags.values()):
        state |= np.left_shift(mask, bit, dtype=np.uint8)
    combinations = np.arange(1 << len(flags))
    if len(combinations) * n_groups > len(codes) + 65536:  # many groups: number only the combinations seen
        combinations = np.flatnonzero(np.bincount(state, minlength=len(combinations)))
        number = np.zeros(1 << len(flags), dtype=np.uint8)
        number[combinations] = np.arange(len(combinations))
        state = number[state]
    table = _class_histograms(codes, None, state, len(combinations), n_groups)[:, :, 0]
    counts = {name: table[(combinations >> bit) & 1 == 1].sum(axis=0) for bit, name in enumerate(flags)}
    counts["all"] = table.sum(axis=0)
    return counts


def nearest_rank(hist: np.ndarray, percent: int) -> np.ndarray:
    """Per row of a histogram: the smallest t with at least `percent` % of the counts at or below t."""
    n = hist.sum(axis=1)
    rank = (percent * n + 99) // 100  # ceil(p·n/100) in integers: no rounding surprises
    reached = hist.cumsum(axis=1) >= np.maximum(rank, 1)[:, None]
    return np.where(n > 0, reached.argmax(axis=1), np.nan).astype(float)


def percentile(values: Sequence[float] | np.ndarray, percent: int) -> float:
    """Nearest-rank percentile of non-negative whole numbers of days (see the module docstring)."""
    values = np.asarray(values, dtype=np.int64)
    if values.size == 0:
        return float("nan")
    hist = np.bincount(values)[None, :]
    return float(nearest_rank(hist, percent)[0])


def kaplan_meier(events: np.ndarray, censored: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Product-limit survival S(t) and numbers at risk per row, from event and censoring histograms.

    A case censored at t is at risk at t (the convention of lifelines and most software).
    """
    removed = events + censored
    at_risk = removed.sum(axis=1, keepdims=True) - np.cumsum(removed, axis=1) + removed
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, events / np.maximum(at_risk, 1), 0.0)
    return np.cumprod(1.0 - hazard, axis=1), at_risk


def km_quantile(survival: np.ndarray, percent: int) -> np.ndarray:
    """Smallest t with S(t) ≤ 1 − p/100 (as lifelines' median); NaN when the curve never gets there."""
    reached = survival <= 1.0 - percent / 100.0 + 1e-9
    return np.where(reached.any(axis=1), reached.argmax(axis=1), np.nan).astype(float)


def aalen_johansen(events_by_cause: Mapping[str, np.ndarray], censored: np.ndarray) -> dict[str, np.ndarray]:
    """Cumulative incidence per cause: CIF_k(t) = Σ_{s≤t} S(s−) d_k(s) / n(s), S over all causes."""
    all_events = sum(events_by_cause.values())
    survival, at_risk = kaplan_meier(all_events, censored)
    before = np.concatenate([np.ones((survival.shape[0], 1)), survival[:, :-1]], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            cause: np.cumsum(np.where(at_risk > 0, before * d / np.maximum(at_risk, 1), 0.0), axis=1)
            for cause, d in events_by_cause.items()
        }


# ---------------------------------------------------------------- grouped metrics
def _groups(cases: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group number of every case and the groups' keys, in the order of the columns' categories.

    Categorical columns are combined arithmetically from their codes (one pass, no hashing), which is
    what makes hundreds of groups over millions of rows cheap; other columns go through pandas.
    """
    if not by:
        return np.zeros(len(cases), dtype=np.int64), pd.DataFrame(index=[0])
    columns = [cases[c] for c in by]
    shape = [len(c.cat.categories) if isinstance(c.dtype, pd.CategoricalDtype) else 0 for c in columns]
    space = int(np.prod(shape, dtype=np.float64))
    if all(shape) and space <= 4 * len(cases) + 1_000_000 and not any((c.cat.codes < 0).any() for c in columns):
        combined = columns[0].cat.codes.to_numpy().astype(np.int64)
        for column, size in zip(columns[1:], shape[1:]):
            combined *= size  # in place: one array for millions of rows
            combined += column.cat.codes.to_numpy()
        present = np.flatnonzero(np.bincount(combined, minlength=space))
        remap = np.zeros(space, dtype=np.int32 if len(present) < np.iinfo(np.int32).max else np.int64)
        remap[present] = np.arange(len(present))
        keys = pd.DataFrame(
            {
                name: np.asarray(column.cat.categories, dtype=object)[codes]
                for name, column, codes in zip(by, columns, np.unravel_index(present, shape))
            }
        )
        return remap[combined], keys
    grouper = cases.groupby(list(by), observed=True, sort=True)
    keys = grouper.size().reset_index()[list(by)]
    for column in by:
        keys[column] = keys[column].astype(object)
    return grouper.ngroup().to_numpy(), keys


def metrics(
    cases: pd.DataFrame, by: Sequence[str], min_cases: int | None = None, percents: Sequence[int] | None = None
) -> pd.DataFrame:
    """Received, decided, pending; completed-only percentiles; within-deadline shares; KM quantiles.

    Days are working days unless a column says calendar. Percentiles are blank for groups with fewer
    than `min_cases` decided cases (KM quantiles: fewer than `min_cases` received).
    """
    settings = _settings()
    min_cases = settings["min_cases_for_percentile"] if min_cases is None else min_cases
    percents = list(settings["percentiles"] if percents is None else percents)
    codes, keys = _groups(cases, by)
    g = len(keys)
    decided = cases["decided"].to_numpy()
    has_deadline = cases["has_deadline"].to_numpy()
    counts = _counts(
        codes,
        g,
        {
            "decided": decided,
            "withdrawn": _is_in(cases["outcome"], ["withdrawn"]),
            "pending": cases["pending"].to_numpy(),
            "has_deadline": has_deadline,
            "decided_with_deadline": decided & has_deadline,
            "within": cases["within_deadline"].to_numpy(),
            "overdue": cases["overdue_pending"].to_numpy(),
        },
    )
    out = keys.copy()
    out["n_received"] = counts["all"]
    out["n_decided"] = counts["decided"]
    out["n_withdrawn"] = counts["withdrawn"]
    out["n_pending"] = counts["pending"]
    few_decided = out["n_decided"].to_numpy() < min_cases
    wd = cases["working_days"].to_numpy()
    cd = cases["calendar_days"].to_numpy()
    width_wd, width_cd = int(wd.max(initial=0)) + 1, int(cd.max(initial=0)) + 1
    censored_wd, hist_wd = _class_histograms(codes, wd, decided, 2, g, width_wd)  # not decided, decided
    hist_cd = _class_histograms(codes, cd, decided, 2, g, width_cd)[1]
    for p in percents:
        name = "median" if p == 50 else f"p{p}"
        out[f"{name}_days"] = np.where(few_decided, np.nan, nearest_rank(hist_wd, p))
    for p in percents:
        name = "median" if p == 50 else f"p{p}"
        out[f"{name}_calendar_days"] = np.where(few_decided, np.nan, nearest_rank(hist_cd, p))
    survival, _ = kaplan_meier(hist_wd, censored_wd)
    few_received = out["n_received"].to_numpy() < min_cases
    for p in (50, 80):
        name = "median" if p == 50 else f"p{p}"
        out[f"km_{name}_days"] = np.where(few_received, np.nan, km_quantile(survival, p))
    with_deadline, within, overdue = counts["decided_with_deadline"], counts["within"], counts["overdue"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share_within_deadline"] = np.where(with_deadline > 0, within / with_deadline, np.nan)
        out["share_within_deadline_incl_overdue_pending"] = np.where(
            with_deadline + overdue > 0, within / (with_deadline + overdue), np.nan
        )
    out["n_overdue_pending"] = pd.array(np.where(counts["has_deadline"] > 0, overdue, -1), dtype="Int64")
    out.loc[out["n_overdue_pending"] < 0, "n_overdue_pending"] = pd.NA  # no deadline: nothing can be overdue
    out["few_cases"] = few_decided
    return out


def curves(cases: pd.DataFrame, by: Sequence[str], horizon: int) -> pd.DataFrame:
    """KM survival (pending censored), completed-only survival and Aalen–Johansen incidence per group.

    One row per group and working day 0..horizon: km_survival = share not yet decided; completed_survival
    = share of decided cases not decided by then (what closed-case statistics show); cif_<outcome> =
    share closed with that outcome by then.
    """
    codes, keys = _groups(cases, by)
    g = len(keys)
    wd = np.minimum(cases["working_days"].to_numpy(), horizon + 1)
    width = horizon + 2  # the last column collects everything beyond the horizon
    # class of a case: its outcome (OUTCOMES, then any other) × whether it was decided, all in one pass
    outcome = np.full(len(cases), len(OUTCOMES), dtype=np.uint8)
    for i, o in enumerate(OUTCOMES):
        outcome[_is_in(cases["outcome"], [o])] = i
    classes = outcome * np.uint8(2) + cases["decided"].to_numpy()
    hist = _class_histograms(codes, wd, classes, 2 * (len(OUTCOMES) + 1), g, width).reshape(-1, 2, g, width)
    hist_decided = hist[:, 1].sum(axis=0)
    survival, at_risk = kaplan_meier(hist_decided, hist[:, 0].sum(axis=0))
    completed = 1.0 - np.cumsum(hist_decided, axis=1) / np.maximum(hist_decided.sum(axis=1, keepdims=True), 1)
    cif = aalen_johansen({o: hist[i].sum(axis=0) for i, o in enumerate(OUTCOMES)}, hist[len(OUTCOMES)].sum(axis=0))
    days = np.arange(horizon + 1)
    frame = keys.loc[keys.index.repeat(horizon + 1)].reset_index(drop=True)
    frame["working_day"] = np.tile(days, g)
    frame["at_risk"] = at_risk[:, : horizon + 1].ravel()
    frame["km_survival"] = survival[:, : horizon + 1].ravel()
    frame["completed_survival"] = completed[:, : horizon + 1].ravel()
    for o in OUTCOMES:
        frame[f"cif_{o}"] = cif[o][:, : horizon + 1].ravel()
    return frame


def clearance(cases: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Per group and calendar month: received, closed (by decision month), clearance rate, pending at end.

    Clearance rate = closed ÷ received × 100 (NCSC CourTools): below 100 the pile of pending cases grows.
    The extraction month is marked incomplete unless the extract was taken on its last day.
    """
    codes, keys = _groups(cases, by)
    g = len(keys)
    receipt = cases["receipt"].to_numpy(dtype="datetime64[D]")
    extracted = cases["extraction"].to_numpy().max().astype("datetime64[D]")
    first, last = receipt.min().astype("datetime64[M]"), extracted.astype("datetime64[M]")
    months = np.arange(first, last + np.timedelta64(1, "M"))
    m = len(months)
    closed = cases["closed"].to_numpy()
    # Counted by day of the period (numpy's conversion to months is slow on millions of rows), then
    # summed into months on the small per-group tables.
    day0 = first.astype("datetime64[D]")
    n_days = int(((last + np.timedelta64(1, "M")).astype("datetime64[D]") - day0).astype(np.int64))
    month_starts = (months.astype("datetime64[D]") - day0).astype(np.int64)
    received_by_day = _histogram(codes, (receipt - day0).view(np.int64), None, g, n_days)
    decided_on = (cases["decision"].to_numpy(dtype="datetime64[D]") - day0).view(np.int64)
    done_by_day = _histogram(codes, decided_on, closed, g, n_days)
    received = np.add.reduceat(received_by_day, month_starts, axis=1)
    done = np.add.reduceat(done_by_day, month_starts, axis=1)
    frame = keys.loc[keys.index.repeat(m)].reset_index(drop=True)
    frame["month"] = np.tile([str(x) for x in months], g)
    frame["received"] = received.ravel()
    frame["closed"] = done.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["clearance_rate"] = np.where(received.ravel() > 0, 100.0 * done.ravel() / received.ravel(), np.nan)
    frame["pending_at_month_end"] = (np.cumsum(received, axis=1) - np.cumsum(done, axis=1)).ravel()
    month_end = (months + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    frame["complete_month"] = np.tile(month_end <= extracted, g)
    return frame


def pending_ages(cases: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Pending cases by age at the extraction date in 30-day bands (calendar days, last band open)."""
    settings = _settings()
    band, last = settings["pending_age_band_days"], settings["pending_age_last_band_days"]
    n_bands = last // band + 1
    pend = cases[cases["pending"]]
    codes, keys = _groups(pend, by)
    index = np.minimum(pend["calendar_days"].to_numpy() // band, n_bands - 1).astype(np.int64)
    hist = _histogram(codes, index, None, len(keys), n_bands)
    labels = [f"{i * band}–{(i + 1) * band - 1}" for i in range(n_bands - 1)] + [f"{last}+"]
    frame = keys.loc[keys.index.repeat(n_bands)].reset_index(drop=True)
    frame["age_band_days"] = np.tile(labels, len(keys))
    frame["pending"] = hist.ravel()
    return frame


def summary_by_procedure(cases: pd.DataFrame, procedures: pd.DataFrame) -> pd.DataFrame:
    """One row per procedure, the table the procedures chapter reads (days are working days).

    deadline_working_days is the statutory number for a deadline in working days; for a deadline in
    calendar days or months it is the median working-day equivalent over the cases (basis says which).
    """
    table = metrics(cases, ["procedure"])
    table = procedures[
        [
            "procedure",
            "label_en",
            "deadline_provision",
            "deadline_text",
            "deadline_kind",
            "deadline_confidence",
            "deadline_source",
        ]
    ].merge(table, on="procedure", how="left")
    with_deadline = cases["has_deadline"].to_numpy()  # two columns of those cases, not the whole table
    equivalent = (
        cases["deadline_working_days"][with_deadline].groupby(cases["procedure"][with_deadline], observed=True).median()
    )
    statutory = procedures.set_index("procedure")["deadline_quantity"].where(
        procedures.set_index("procedure")["deadline_kind"] == "working_days"
    )
    table["deadline_working_days"] = [
        statutory.get(p) if pd.notna(statutory.get(p)) else equivalent.get(p, np.nan) for p in table["procedure"]
    ]
    table["deadline_basis"] = np.select(
        [table["deadline_kind"] == "working_days", table["deadline_kind"] != ""],
        ["statutory working days", "median working-day equivalent of " + table["deadline_text"].astype(str)],
        "no provision gives a deadline",
    )
    for column in ("n_received", "n_decided", "n_withdrawn", "n_pending"):
        table[column] = table[column].fillna(0).astype(int)
    return table


# ---------------------------------------------------------------- writing
def write_tables(out_dir: str | Path, tables: Mapping[str, pd.DataFrame]) -> list[Path]:
    """Each table as <name>.csv in the output folder (atomic; refuses data/raw)."""
    out = paths.resolve(out_dir)
    return [atomic.write_csv(out / f"{name}.csv", frame) for name, frame in sorted(tables.items())]


# ---------------------------------------------------------------- figures
# `figures` (matplotlib, seaborn) is imported where a figure is drawn: the analysis itself, on millions of
# rows in a fresh process, does not pay for loading the plotting libraries.
def _label(values: ValueMap | None, field_name: str, value: str) -> str:
    return values.label(field_name, value) if values else value


def _shared_legend(fig, axes, spare_panel: bool) -> None:
    """One legend for all panels, each entry once, in the empty panel's corner if there is one."""
    entries: dict[str, object] = {}
    for ax in axes.ravel():
        for handle, name in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(name, handle)
    fig.tight_layout()
    fig.legend(
        list(entries.values()),
        list(entries),
        loc="lower right",
        bbox_to_anchor=(0.98, 0.1) if spare_panel else (0.98, -0.08),
    )


def _procedure_panels(summary: pd.DataFrame, sharey: bool = False):
    """One panel per procedure, three to a row; returns the figure, axes and per-procedure labels and deadlines."""
    from analysis.engine import figures

    procs = list(summary["procedure"])
    ncols = 3
    nrows = -(-len(procs) // ncols)
    fig, axes = figures.new_figure(11.0, 2.2 * nrows, nrows=nrows, ncols=ncols, sharey=sharey, squeeze=False)
    labels = dict(zip(summary["procedure"], summary["label_en"]))
    deadlines = dict(zip(summary["procedure"], summary["deadline_working_days"]))
    return fig, axes, procs, labels, deadlines


def _finish_panels(fig, axes, count: int, ylabel: str):
    """Hide unused panels, label the first column and place one legend for all panels."""
    for ax in axes.ravel()[count:]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    _shared_legend(fig, axes, count % axes.shape[1] != 0)
    return fig


def plot_km(curve: pd.DataFrame, summary: pd.DataFrame, horizon: int):
    """Small multiples: share not yet decided by working day, KM (pending censored) vs completed-only."""
    from analysis.engine import figures

    fig, axes, procs, labels, deadlines = _procedure_panels(summary, sharey=True)
    for ax, proc in zip(axes.ravel(), procs):
        data = curve[curve["procedure"] == proc]
        ax.step(
            data["working_day"],
            data["km_survival"],
            where="post",
            color=figures.PALETTE[0],
            label="Kaplan–Meier (pending censored)",
        )
        ax.step(
            data["working_day"],
            data["completed_survival"],
            where="post",
            color=figures.PALETTE[1],
            linestyle="--",
            label="Decided cases only",
        )
        if pd.notna(deadlines.get(proc)):
            ax.axvline(
                deadlines[proc], color=figures.PALETTE[5], linestyle=":", linewidth=1.5, label="Statutory deadline"
            )
        ax.set_title(labels.get(proc, proc), fontsize=10)
        ax.set_xlim(0, horizon)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("working days after receipt")
    return _finish_panels(fig, axes, len(procs), "share not yet decided")


def plot_cohort_p80(by_cohort: pd.DataFrame, summary: pd.DataFrame):
    """80th percentile by receipt month, decided cases only vs Kaplan–Meier, per procedure."""
    from analysis.engine import figures

    fig, axes, procs, labels, deadlines = _procedure_panels(summary)
    for ax, proc in zip(axes.ravel(), procs):
        data = by_cohort[by_cohort["procedure"] == proc]
        x = pd.to_datetime(data["cohort"])
        ax.plot(
            x, data["p80_days"], marker="o", markersize=3, color=figures.PALETTE[1], label="P80, decided cases only"
        )
        ax.plot(
            x,
            data["km_p80_days"],
            marker="s",
            markersize=3,
            color=figures.PALETTE[0],
            linestyle="--",
            label="P80, Kaplan–Meier (pending censored)",
        )
        if pd.notna(deadlines.get(proc)):
            ax.axhline(
                deadlines[proc], color=figures.PALETTE[5], linestyle=":", linewidth=1.5, label="Statutory deadline"
            )
        ax.set_title(labels.get(proc, proc), fontsize=10)
        ax.set_ylim(bottom=0)
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    return _finish_panels(fig, axes, len(procs), "working days")


def plot_sex_gap(by_sex: pd.DataFrame, summary: pd.DataFrame):
    """Median and P80 of decided cases for women and men, per procedure (dot plot)."""
    from analysis.engine import figures

    labels = dict(zip(summary["procedure"], summary["label_en"]))
    procs = list(summary["procedure"])
    fig, axes = figures.new_figure(10.0, 0.45 * len(procs) + 1.4, ncols=2, sharey=True, squeeze=False)
    for ax, (column, title) in zip(axes[0], (("median_days", "Median"), ("p80_days", "80th percentile"))):
        for offset, (sex, name) in zip((-0.12, 0.12), (("female", "Women"), ("male", "Men"))):
            data = by_sex[by_sex["sex"] == sex].set_index("procedure").reindex(procs)
            ax.scatter(data[column], np.arange(len(procs)) + offset, color=figures.SEX_COLOURS[sex], label=name, s=40)
        ax.set_title(title)
        ax.set_xlabel("working days (decided cases)")
        ax.set_xlim(left=0)
    axes[0, 0].set_yticks(np.arange(len(procs)))
    axes[0, 0].set_yticklabels([labels.get(p, p) for p in procs])
    axes[0, 0].invert_yaxis()
    axes[0, 1].legend(loc="lower right")
    fig.tight_layout()
    return fig


def plot_offices(clearance_office: pd.DataFrame, values: ValueMap | None = None):
    """Monthly clearance rate and pending cases at month end, by office (all procedures)."""
    from analysis.engine import figures

    fig, axes = figures.new_figure(11.0, 3.3, ncols=2, squeeze=False)
    data = clearance_office[clearance_office["complete_month"]]
    for colour, (office, part) in zip(figures.PALETTE, data.groupby("office", sort=True)):
        x = pd.to_datetime(part["month"])
        name = _label(values, "office", office)
        axes[0, 0].plot(x, part["clearance_rate"], color=colour, label=name, linewidth=1.5)
        axes[0, 1].plot(x, part["pending_at_month_end"], color=colour, label=name, linewidth=1.5)
    axes[0, 0].axhline(100, color="black", linewidth=0.8, linestyle=":")
    axes[0, 0].set_ylabel("closed ÷ received, %")
    axes[0, 0].set_title("Monthly clearance rate")
    axes[0, 1].set_ylabel("cases")
    axes[0, 1].set_title("Pending at month end")
    for ax in axes[0]:
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    axes[0, 1].legend(loc="upper left")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- the whole analysis
@dataclass
class Analysis:
    extract: Extract
    procedures: pd.DataFrame
    values: ValueMap
    tables: dict[str, pd.DataFrame]


def analyse(
    extract_in: str | Path,
    procedures_map_in: str | Path,
    columns_map_in: str | Path,
    values_map_in: str | Path,
    inventory_dir: str | Path | None,
    horizon: int = 60,
    calendar: WorkCalendar | None = None,
) -> Analysis:
    """Read, validate and measure an extract; every table the chapter shows, keyed by file name."""
    calendar = calendar or WorkCalendar.from_config()
    provisions = read_provisions(inventory_dir) if inventory_dir is not None else None
    procedures = load_procedures(procedures_map_in, provisions)
    values = load_value_map(values_map_in)
    extract = prepare(read_extract(extract_in, load_column_map(columns_map_in)), values, procedures, calendar)
    cases = extract.cases
    if cases.empty:
        raise InputError(
            [
                Problem(
                    file=extract.info["file"],
                    expected="at least one valid application in scope",
                    found=f"none of {extract.info['rows']:,} rows (see the data-quality checks)",
                )
            ]
        )
    summary = summary_by_procedure(cases, procedures)
    tables = {
        "summary_by_procedure": summary,
        "by_cohort": metrics(cases, ["procedure", "cohort"]),
        "by_office": metrics(cases, ["procedure", "office"]),
        "by_channel": metrics(cases, ["procedure", "channel"]),
        "by_sex": metrics(cases, ["procedure", "sex"]),
        "by_sex_channel": metrics(cases, ["procedure", "channel", "sex"]),
        "curves": curves(cases, ["procedure"], horizon),
        "clearance_by_procedure": clearance(cases, ["procedure"]),
        "clearance_by_office": clearance(cases, ["office"]),
        "pending_age": pending_ages(cases, ["procedure"]),
        "pending_age_by_office": pending_ages(cases, ["office"]),
        "data_quality": extract.quality,
    }
    return Analysis(extract=extract, procedures=procedures, values=values, tables=tables)


# ---------------------------------------------------------------- for the report
DAY_COLUMNS = (
    "median_days",
    "p80_days",
    "p90_days",
    "km_median_days",
    "km_p80_days",
    "median_calendar_days",
    "p80_calendar_days",
    "p90_calendar_days",
    "deadline_working_days",
)
SHARE_COLUMNS = ("share_within_deadline", "share_within_deadline_incl_overdue_pending")


def for_display(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    values: ValueMap | None = None,
    procedures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Selected columns with English headers: whole days, shares as percentages, blanks for n/a.

    Procedure, office, sex and channel ids become their English labels.
    """
    labels = dict(zip(procedures["procedure"], procedures["label_en"])) if procedures is not None else {}
    shown = pd.DataFrame(index=frame.index)
    for column, header in columns.items():
        data = frame[column]
        if column == "procedure":
            data = data.map(lambda v: labels.get(v, v))
        elif column in ("office", "sex", "channel") and values is not None:
            data = data.map(lambda v, c=column: values.label(c, v))
        elif column in DAY_COLUMNS or column.startswith("n_") or pd.api.types.is_integer_dtype(data):
            data = data.astype(object).map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
        elif column in SHARE_COLUMNS or column.startswith("share") or column.startswith("cif_"):
            data = data.map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}")
        elif pd.api.types.is_float_dtype(data):
            data = data.map(lambda v: "" if pd.isna(v) else f"{v:,.1f}")
        shown[header] = data.astype(object).to_numpy()
    return shown.reset_index(drop=True)


def worst_backlog_office(clearance_office: pd.DataFrame, months: int = 3) -> pd.Series:
    """The office with the lowest clearance rate over the last `months` complete months."""
    complete = clearance_office[clearance_office["complete_month"]]
    last = sorted(complete["month"].unique())[-months:]
    recent = complete[complete["month"].isin(last)].groupby("office", observed=True)[["received", "closed"]].sum()
    recent["clearance_rate"] = 100.0 * recent["closed"] / recent["received"]
    pending = clearance_office[clearance_office["month"] == clearance_office["month"].max()].set_index("office")[
        "pending_at_month_end"
    ]
    recent["pending"] = pending.reindex(recent.index)
    recent["first_month"], recent["last_month"] = last[0], last[-1]
    return recent.sort_values(["clearance_rate", "pending"], ascending=[True, False]).reset_index().iloc[0]


def record_numbers(reg, result: Analysis, source: str) -> None:
    """Headline numbers into the numbers registry (ids processing_times.<procedure>.<metric> etc.)."""
    info = result.extract.info
    reg.record(
        "processing_times.extract.rows",
        info["rows"],
        "applications",
        "Rows in the extract",
        result.extract.info["file"],
    )
    reg.record(
        "processing_times.extract.rows_excluded",
        info["rows_excluded"],
        "applications",
        "Rows excluded because of invalid data (see the data-quality annex)",
        result.extract.info["file"],
    )
    reg.record(
        "processing_times.extract.share_excluded",
        100.0 * info["rows_excluded"] / max(info["rows"], 1),
        "%",
        "Share of the extract's rows excluded because of invalid data",
        result.extract.info["file"],
    )
    reg.record(
        "processing_times.extract.exclusions",
        exclusion_list(result.extract.quality),
        "text",
        "One line per reason rows were excluded, with its count",
        result.extract.info["file"],
    )
    reg.record(
        "processing_times.extract.max_share_excluded",
        100.0 * float(_settings().get("max_invalid_share", DEFAULT_MAX_INVALID_SHARE)),
        "%",
        "Share of excluded rows above which the build stops (processing_times.max_invalid_share)",
        "config/corridor.yaml",
    )
    day_first = result.extract.quality.set_index("check")["rows"].get("date_read_day_first", 0)
    reg.record(
        "processing_times.extract.dates_read_day_first",
        int(day_first),
        "applications",
        "Rows whose a/b/yyyy dates were read day first, no date of the file showing the order",
        result.extract.info["file"],
    )
    reg.record(
        "processing_times.extract.rows_out_of_scope",
        info["rows_out_of_scope"],
        "applications",
        "Valid rows of applicants of another nationality (not analysed)",
        result.extract.info["file"],
    )
    reg.record(
        "processing_times.extract.rows_analysed",
        info["rows_analysed"],
        "applications",
        "Applications analysed",
        result.extract.info["file"],
    )
    separator = {";": "a semicolon", ",": "a comma", "\t": "a tab"}.get(info["separator"], repr(info["separator"]))
    reg.record(
        "processing_times.extract.encoding", info["encoding"], "text", "Encoding the extract was read as", info["file"]
    )
    reg.record("processing_times.extract.separator", separator, "text", "Field separator of the extract", info["file"])
    extraction = result.extract.cases["extraction"].max()
    reg.record(
        "processing_times.extract.extraction_date",
        extraction.date() if pd.notna(extraction) else None,
        "date",
        "Date the extract was taken (pending cases are censored at it)",
        result.extract.info["file"],
    )
    summary = result.tables["summary_by_procedure"]
    where = f"{source}/summary_by_procedure.csv"
    units = {
        "n_received": ("applications", "Applications received"),
        "n_decided": ("applications", "Applications decided"),
        "n_pending": ("applications", "Applications pending at extraction"),
        "median_days": ("working days", "Median processing time of decided cases"),
        "p80_days": ("working days", "80th percentile of decided cases (80 % decided within)"),
        "p90_days": ("working days", "90th percentile of decided cases"),
        "km_median_days": ("working days", "Kaplan–Meier median time to decision, pending cases censored"),
        "km_p80_days": ("working days", "Kaplan–Meier 80th percentile time to decision, pending cases censored"),
        "deadline_working_days": ("working days", "Statutory deadline in working days (or its median equivalent)"),
    }
    for row in summary.itertuples(index=False):
        for column, (unit, text) in units.items():
            reg.record(
                f"processing_times.{row.procedure}.{column}",
                getattr(row, column),
                unit,
                f"{text}: {row.label_en}",
                where,
                rows=[row.procedure],
            )
        for column in SHARE_COLUMNS:
            value = getattr(row, column)
            text = (
                "Share of decided cases decided within the statutory deadline"
                if column == "share_within_deadline"
                else "Share decided within the deadline among decided cases and pending cases already overdue"
            )
            reg.record(
                f"processing_times.{row.procedure}.{column}",
                None if pd.isna(value) else 100.0 * value,
                "%",
                f"{text}: {row.label_en}",
                where,
                rows=[row.procedure],
            )
    worst = worst_backlog_office(result.tables["clearance_by_office"])
    where = f"{source}/clearance_by_office.csv"
    reg.record(
        "processing_times.backlog.office",
        result.values.label("office", worst["office"]),
        "",
        f"Office with the lowest clearance rate in {month_range(worst['first_month'], worst['last_month'])}",
        where,
        rows=[worst["office"]],
    )
    reg.record(
        "processing_times.backlog.clearance_rate",
        worst["clearance_rate"],
        "%",
        "Its clearance rate (closed ÷ received) over the last three complete months",
        where,
        rows=[worst["office"]],
    )
    reg.record(
        "processing_times.backlog.pending",
        worst["pending"],
        "applications",
        "Its applications pending at extraction",
        where,
        rows=[worst["office"]],
    )
    reg.record(
        "processing_times.backlog.period",
        month_range(worst["first_month"], worst["last_month"]),
        "",
        "Months over which the clearance rate is compared",
        where,
    )
    by_sex = result.tables["by_sex"]
    for row in summary.itertuples(index=False):
        women = by_sex[(by_sex["procedure"] == row.procedure) & (by_sex["sex"] == "female")]["p80_days"]
        men = by_sex[(by_sex["procedure"] == row.procedure) & (by_sex["sex"] == "male")]["p80_days"]
        gap = women.iloc[0] - men.iloc[0] if len(women) and len(men) else np.nan
        reg.record(
            f"processing_times.{row.procedure}.p80_gap_women_men",
            None if pd.isna(gap) else gap,
            "working days",
            f"80th percentile for women minus that for men: {row.label_en}",
            f"{source}/by_sex.csv",
            rows=[row.procedure],
        )
    unknown = int((result.extract.cases["sex"].astype(str) == UNKNOWN).sum())
    reg.record(
        "processing_times.sex.unknown",
        unknown,
        "applications",
        "Analysed applications without a recorded sex",
        f"{source}/by_sex.csv",
    )
    with_deadline, without = deadline_lines(reg, summary, result.procedures)
    reg.record(
        "processing_times.deadlines.with_deadline",
        with_deadline,
        "text",
        "One line per procedure with a statutory deadline: the share that met it and the P80",
        where,
        rows=summary.loc[summary["deadline_kind"] != "", "procedure"],
    )
    reg.record(
        "processing_times.deadlines.without_deadline",
        without,
        "text",
        "One line per procedure that no provision gives a deadline, with the procedures map's note",
        where,
    )
    reg.record(
        "processing_times.deadlines.without_count",
        int((summary["deadline_kind"] == "").sum()),
        "procedures",
        "Procedures without a statutory deadline in the inventory",
        where,
    )


def deadline_lines(reg, summary: pd.DataFrame, procedures: pd.DataFrame) -> tuple[str, str]:
    """Markdown bullet lists: each procedure against its statutory deadline, and those without one."""
    notes = dict(zip(procedures["procedure"], procedures["note"]))
    with_deadline, without = [], []
    for row in summary.itertuples():
        if not row.deadline_kind:
            without.append(f"- **{row.label_en}**: {notes.get(row.procedure) or 'no note in the procedures map'}")
            continue
        share = reg[f"processing_times.{row.procedure}.share_within_deadline"].formatted()
        p80 = reg[f"processing_times.{row.procedure}.p80_days"].formatted()
        # The citation's footnote names the provision and says whether it is weak (uncertain, not confirmed).
        with_deadline.append(
            f"- **{row.label_en}**: the statutory deadline is {row.deadline_text} "
            f"[@{row.deadline_provision}]; {share} of decided cases met it, and 80 % "
            f"were decided within {p80}."
        )
    return "\n".join(with_deadline), "\n".join(without)


def pending_age_table(ages: pd.DataFrame, values: ValueMap) -> pd.DataFrame:
    """Pending applications by office (rows) and age band (columns, in band order), for display."""
    ages = ages.assign(office=ages["office"].map(lambda v: values.label("office", v)))
    wide = ages.pivot(index="office", columns="age_band_days", values="pending")[ages["age_band_days"].unique()]
    wide.columns.name = None
    return wide.reset_index().rename(columns={"office": "Office"})


def outcomes_at(curve: pd.DataFrame, days: Iterable[int]) -> pd.DataFrame:
    """Aalen–Johansen shares approved / refused / withdrawn / still open at given working days."""
    table = curve[curve["working_day"].isin(list(days))].copy()
    table["cif_open"] = 1.0 - table[[f"cif_{o}" for o in OUTCOMES]].sum(axis=1)
    return table[["procedure", "working_day"] + [f"cif_{o}" for o in OUTCOMES] + ["cif_open"]]
