"""Disclosure control for consultation and validation data: suppression, quotes, names, pseudonyms.

A consultation in a small border district can identify a person from two attributes, so every
published count of persons passes `suppress_counts`, every quote passes `can_attribute_quote`, and the
built outputs are scanned for the names, organisations and places of a private key file kept out of
git. The rules follow the threshold rule with primary and secondary (complementary) suppression of
statistical disclosure control and IOM's data-protection principles (docs/methodology: §6).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import html
import io as _io
import json
import re
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.engine import paths
from analysis.engine.errors import InputError, Problem
from analysis.engine.readers import decode_bytes

#: Marker of a cell withheld only so that a "<k" cell cannot be worked out from the totals.
SECONDARY_MARKER = "x"
TOTAL_LABEL = "Total"


def primary_marker(k: int) -> str:
    """How a count of 1..k-1 persons is published."""
    return f"<{k}"


def suppression_note(k: int) -> str:
    """The standard footnote for every table that went through `suppress_counts`."""
    return (
        f'"{primary_marker(k)}": fewer than {k} persons (not published to protect respondents); '
        f'"{SECONDARY_MARKER}": withheld so that a suppressed count cannot be worked out from the '
        "other cells and the totals."
    )


# ---------------------------------------------------------------- tabular suppression
def suppress_counts(
    table: pd.DataFrame, k: int, add_totals: bool = False, total_label: str = TOTAL_LABEL
) -> pd.DataFrame:
    """Publishable version of a two-way table of person counts.

    Primary suppression: every cell with 0 < n < k (zeros are published: an empty cell reveals no
    person). Secondary suppression assumes the row, column and grand totals are known to the reader
    (published here with `add_totals`, or elsewhere, e.g. respondents per group) and withholds further
    cells, smallest first, until no suppressed value, total included, is determined exactly by the
    published ones (checked by linear algebra, not by the weaker "two per line" rule). Totals below k
    are themselves suppressed. Returns an object table: numbers, `"<k"` or `SECONDARY_MARKER`.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    counts = _as_counts(table)
    augmented = _augment(counts)
    status = suppression_status(counts, k)
    out = augmented.astype(object).where(status == "", "")
    out = out.mask(status == "primary", primary_marker(k)).mask(status == "secondary", SECONDARY_MARKER)
    out.index = list(counts.index) + [total_label]
    out.columns = list(counts.columns) + [total_label]
    if not add_totals:
        out = out.iloc[:-1, :-1]
    out.index.name = table.index.name
    out.columns.name = table.columns.name
    return out


def suppression_status(table: pd.DataFrame, k: int) -> pd.DataFrame:
    """Per cell of the table with totals (last row and column): "", "primary" or "secondary"."""
    counts = _as_counts(table)
    values = _augment(counts).to_numpy()
    rows, cols = counts.shape
    status = np.full(values.shape, "", dtype=object)
    status[(values > 0) & (values < k)] = "primary"
    # A one-column (one-row) table's row (column) totals repeat its cells: solve without them, then copy.
    if cols == 1 and rows > 1:
        status[:, :1] = _secondary(values[:, :1], status[:, :1], row_equations=False)
        status[:, 1] = status[:, 0]
    elif rows == 1 and cols > 1:
        status[:1, :] = _secondary(values[:1, :], status[:1, :], column_equations=False)
        status[1, :] = status[0, :]
    elif rows > 1 and cols > 1:
        status = _secondary(values, status)
    return pd.DataFrame(status, index=range(values.shape[0]), columns=range(values.shape[1]))


def _secondary(
    values: np.ndarray, status: np.ndarray, row_equations: bool = True, column_equations: bool = True
) -> np.ndarray:
    status = status.copy()
    suppressed = status != ""
    totals = np.zeros(values.shape, dtype=bool)
    if row_equations:
        totals[:, -1] = True
    if column_equations:
        totals[-1, :] = True
    while True:
        exposed = recoverable_cells(values, suppressed, row_equations, column_equations)
        if not exposed:
            return status
        extra = _complement(values, suppressed, totals, exposed, row_equations, column_equations)
        if extra is None:  # everything that could be withheld already is
            return status
        suppressed[extra] = True
        status[extra] = "secondary"


def recoverable_cells(
    values: np.ndarray, suppressed: np.ndarray, row_equations: bool = True, column_equations: bool = True
) -> list[tuple[int, int]]:
    """Suppressed cells of a table-with-totals whose value follows exactly from the published cells.

    The published cells fix the right-hand side of the additivity equations (each row and column of
    the interior sums to its total, the totals sum to the grand total); an unknown is determined iff
    its unit vector lies in the row space of the equations restricted to the unknowns.
    """
    values = np.asarray(values)
    rows, cols = values.shape
    unknown = [(i, j) for i in range(rows) for j in range(cols) if suppressed[i, j]]
    if not unknown:
        return []
    position = {cell: n for n, cell in enumerate(unknown)}
    equations = []
    if row_equations:  # each row (the totals row included) sums to its last cell
        equations += [[(i, j, 1.0) for j in range(cols - 1)] + [(i, cols - 1, -1.0)] for i in range(rows)]
    if column_equations:
        equations += [[(i, j, 1.0) for i in range(rows - 1)] + [(rows - 1, j, -1.0)] for j in range(cols)]
    matrix = np.zeros((max(len(equations), 1), len(unknown)))
    for e, terms in enumerate(equations):
        for i, j, coefficient in terms:
            if (i, j) in position:
                matrix[e, position[(i, j)]] += coefficient
    rank = np.linalg.matrix_rank(matrix)
    exposed = []
    for n, cell in enumerate(unknown):
        probe = np.zeros((1, len(unknown)))
        probe[0, n] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, probe])) == rank:
            exposed.append(cell)
    return exposed


def _complement(
    values: np.ndarray,
    suppressed: np.ndarray,
    totals: np.ndarray,
    exposed: list[tuple[int, int]],
    row_equations: bool = True,
    column_equations: bool = True,
) -> tuple[int, int] | None:
    """The next cell to withhold, from the rows and columns of the exposed cells.

    Preference: an interior cell over a total; a non-zero cell over a zero (a withheld zero hides
    little and puzzles readers); the cell that leaves the fewest cells exposed (it closes a cycle);
    then one in the lines of several exposed cells (it will close one next); the smallest value; then the first position, so the result is deterministic.
    """
    rows, cols = values.shape

    def left_exposed(cell: tuple[int, int]) -> int:
        trial = suppressed.copy()
        trial[cell] = True
        return len(recoverable_cells(values, trial, row_equations, column_equations))

    def shared(cell: tuple[int, int]) -> int:
        return sum(1 for i, j in exposed if i == cell[0] or j == cell[1])

    def best(cells: Iterable[tuple[int, int]]) -> tuple[int, int] | None:
        candidates = sorted(c for c in cells if not suppressed[c])
        if not candidates:
            return None
        return min(
            candidates, key=lambda c: (bool(totals[c]), values[c] == 0, left_exposed(c), -shared(c), values[c], c)
        )

    lines = {(i, jj) for i, _ in exposed for jj in range(cols)} | {(ii, j) for _, j in exposed for ii in range(rows)}
    return best(lines) or best((i, j) for i in range(rows) for j in range(cols))


def _as_counts(table: pd.DataFrame) -> pd.DataFrame:
    if isinstance(table, pd.Series):
        table = table.to_frame()
    numeric = table.apply(pd.to_numeric, errors="coerce")
    if numeric.isna().any().any() or (numeric < 0).any().any():
        raise ValueError("suppress_counts needs a table of non-negative counts without blanks")
    if not np.allclose(numeric.to_numpy(dtype=float), np.round(numeric.to_numpy(dtype=float))):
        raise ValueError("suppress_counts needs whole-number counts of persons")
    return numeric.astype("int64")


def _augment(counts: pd.DataFrame) -> pd.DataFrame:
    values = counts.to_numpy()
    with_row_totals = np.column_stack([values, values.sum(axis=1)])
    augmented = np.vstack([with_row_totals, with_row_totals.sum(axis=0)])
    return pd.DataFrame(augmented)


# ---------------------------------------------------------------- quotes
def can_attribute_quote(group_size: int, consented: object, k: int) -> bool:
    """A quote may be shown, attributed only as "group, sex", if its group has at least k respondents
    and the respondent explicitly consented to quotation (a blank consent is a no)."""
    if isinstance(consented, str):
        consented = consented.strip().casefold() in {"yes", "y", "true", "1", "да", "ооба"}
    if not isinstance(consented, (bool, np.bool_)):
        return False
    return bool(consented) and int(group_size) >= k


# ---------------------------------------------------------------- private key and scan
def load_private_key(path: str | Path) -> list[str]:
    """Names, organisations and places that must never appear in an output.

    The file (git-ignored, by default data/private/identity_key.csv) has a `term` column and may have
    others (`kind`: name/organisation/place, notes). It is optional: a missing file gives [] so that a
    fresh clone builds, but then the scan proves nothing, which the notebook says.
    """
    path = paths.resolve(path)
    if not path.exists():
        return []
    text, _ = decode_bytes(path.read_bytes(), paths.relative(path))
    lines = text.splitlines()
    if not lines:
        return []
    header = lines[0]
    delimiter = max((";", ",", "\t"), key=header.count) if any(s in header for s in ";,\t") else ","
    rows = list(csv.reader(_io.StringIO(text), delimiter=delimiter))
    columns = [c.strip().casefold() for c in rows[0]]
    if "term" not in columns:
        raise InputError(
            [
                Problem(
                    file=paths.relative(path),
                    row=1,
                    column="term",
                    expected="a column 'term' (one name, organisation or place per row)",
                    found=", ".join(rows[0]),
                )
            ]
        )
    position = columns.index("term")
    terms: list[str] = []
    for row in rows[1:]:
        if position < len(row) and row[position].strip() and row[position].strip() not in terms:
            terms.append(row[position].strip())
    return terms


def key_files() -> list[str]:
    """Every key of names to scan for: the private key of the configuration (real names, never committed)
    and the keys of invented names that the example generators list in data/raw/provenance.yaml."""
    from analysis.engine import config, provenance

    files = [config.get("privacy.private_key_file")]
    files += [
        f"data/raw/{name}"
        for name, entry in sorted(provenance.synthetic_inputs().items())
        if entry.get("role") == "identity_key"
    ]
    return files


def key_terms() -> tuple[list[str], list[str]]:
    """The terms of every key file that exists, and the files they were read from."""
    terms: list[str] = []
    read: list[str] = []
    for file in key_files():
        found = load_private_key(file)
        if paths.resolve(file).exists():
            read.append(file)
        terms += [t for t in found if t not in terms]
    return terms, read


def _normalise(text: str) -> str:
    """Case, ё/е, compatibility forms and runs of white space do not hide a name."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return re.sub(r"\s+", " ", text)


TEXT_SUFFIXES = {".csv", ".txt", ".md", ".typ", ".tex", ".yaml", ".yml", ".xml", ".qde", ".qdc", ".tsv"}
SCANNED_SUFFIXES = TEXT_SUFFIXES | {".html", ".htm", ".docx", ".pdf", ".ipynb", ".json", ".xlsx", ".qdpx"}


def extract_text(path: str | Path) -> str:
    """Every human-readable string of an output file, whatever its format."""
    path = Path(path)
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix in (".html", ".htm"):
        raw = decode_bytes(data, path.name)[0]
        import lxml.html  # parses tags that split a name, a sixth of BeautifulSoup's time on the report

        root = lxml.html.document_fromstring(raw)
        elements = [el for el in root.iter() if isinstance(el.tag, str)]  # not comments
        alts = " ".join(str(el.get("alt", "")) + " " + str(el.get("title", "")) for el in elements)
        return " ".join(root.itertext()) + " " + alts + " " + html.unescape(raw)
    if suffix == ".docx":
        return _docx_text(data)
    if suffix == ".pdf":
        return _pdf_text(path)
    if suffix in (".ipynb", ".json"):
        return " ".join(_json_strings(json.loads(decode_bytes(data, path.name)[0])))
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(_io.BytesIO(data), read_only=True, data_only=True)
        try:
            return " ".join(
                str(v)
                for ws in workbook.worksheets
                for row in ws.iter_rows(values_only=True)
                for v in row
                if v is not None
            )
        finally:
            workbook.close()
    if suffix == ".qdpx":
        with zipfile.ZipFile(_io.BytesIO(data)) as archive:
            return " ".join(
                html.unescape(archive.read(n).decode("utf-8", errors="replace"))
                for n in archive.namelist()
                if not n.endswith("/")
            )
    return decode_bytes(data, path.name)[0]


def _json_strings(node: object) -> list[str]:
    """All strings in a JSON document (notebook sources and outputs included), HTML unescaped."""
    if isinstance(node, str):
        return [node, html.unescape(re.sub(r"<[^>]+>", " ", node))]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in [str(key), *_json_strings(value)]]
    if isinstance(node, list):
        return [s for value in node for s in _json_strings(value)]
    return []


def _docx_text(data: bytes) -> str:
    """Paragraphs and tables through python-docx, plus the raw XML text of every part (headers,
    footnotes, comments), since Word may split a name into several runs."""
    import docx

    document = docx.Document(_io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    with zipfile.ZipFile(_io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                xml = archive.read(name).decode("utf-8", errors="replace")
                parts.append(html.unescape(re.sub(r"<[^>]+>", "", xml)))
    return " ".join(parts)


def _pdf_text(path: Path) -> str:
    """Text of a PDF through pypdf; the report's typst source (.typ) is scanned as text as well."""
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            f"scanning {path.name} needs pypdf (pip install pypdf), or scan the typst source (.typ) instead"
        ) from exc
    reader = PdfReader(str(path))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def _files(targets: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for target in targets:
        target = Path(target)
        if target.is_dir():
            found += sorted(p for p in target.rglob("*") if p.is_file() and p.suffix.lower() in SCANNED_SUFFIXES)
        elif target.is_file():
            found.append(target)
    return found


def scan_for_private_terms(targets: Iterable[str | Path], terms: Sequence[str]) -> list[tuple[str, str]]:
    """(file, term) for every private term found in the given files or folders (searched recursively).

    Matching ignores case, ё/е and line breaks, and respects word boundaries so that a short place
    name does not match inside another word.
    """
    patterns = [
        (term, _normalise(term), re.compile(r"(?<!\w)" + re.escape(_normalise(term)) + r"(?!\w)"))
        for term in terms
        if term and term.strip()
    ]
    hits: list[tuple[str, str]] = []
    if not patterns:
        return hits
    for file in _files(targets):
        text = _normalise(extract_text(file))
        for term, plain, pattern in patterns:
            # A plain substring test first: fast, and the boundary regex runs only on candidates.
            if plain in text and pattern.search(text):
                hits.append((paths.relative(file), term))
    return hits


class PrivacyError(RuntimeError):
    """A private term reached an output: the build stops before anything is published."""


def assert_no_private_terms(targets: Iterable[str | Path], terms: Sequence[str]) -> None:
    """Raise PrivacyError naming the files (not the terms) that contain a private term."""
    hits = scan_for_private_terms(targets, terms)
    if hits:
        files = sorted({file for file, _ in hits})
        raise PrivacyError(f"{len(hits)} private term(s) found in {', '.join(files)}; remove them before publishing")


def require_key_for_real_data(terms: Sequence[str], key_path: str | Path, synthetic: bool) -> None:
    """Real consultation data are never built without the key of names to remove; the synthetic
    example, which names no one, builds without it (as in a fresh clone)."""
    if not terms and not synthetic:
        raise InputError(
            [
                Problem(
                    file=paths.relative(paths.resolve(key_path)),
                    expected="the private key of names, organisations and places (column 'term'), "
                    "required to build a report from real consultation data",
                    found="no such file, or no terms in it",
                )
            ]
        )


# ---------------------------------------------------------------- pseudonyms
def pseudonymise(ids: Iterable[object], salt: str, prefix: str = "R", length: int = 8) -> list[str]:
    """Stable pseudonyms: keyed hash (HMAC-SHA-256) of each id with a secret salt.

    The same id and salt always give the same pseudonym, so files coded at different times join; without
    the salt a pseudonym cannot be reversed by hashing a list of candidate names. Different ids that
    collide are an error rather than a silent merge.
    """
    if not salt:
        raise ValueError("pseudonymise needs a secret, non-empty salt (an unsalted hash of a name is reversible)")
    ids = [str(i) for i in ids]
    key = salt.encode("utf-8")
    result = [f"{prefix}-{hmac.new(key, i.encode('utf-8'), hashlib.sha256).hexdigest()[:length].upper()}" for i in ids]
    mapping: dict[str, str] = {}
    for original, pseudonym in zip(ids, result):
        if mapping.setdefault(pseudonym, original) != original:
            raise ValueError(f"pseudonym collision for two different ids; use a longer length than {length}")
    return result


def main(argv: list[str] | None = None) -> int:
    """`python -m analysis privacy scan [PATH ...]`: exit 1 if a term of a key file appears in the outputs.

    Defaults to data/processed and reports/, with every key file of `key_files()`.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m analysis privacy")
    parser.add_argument("command", choices=["scan"])
    parser.add_argument("paths", nargs="*", default=["data/processed", "reports"])
    parser.add_argument("--key", default=None, help="scan for the terms of this key file only")
    parser.add_argument(
        "--more-on-stdin",
        action="store_true",
        help="then scan the paths read from standard input, one a line, until it closes (the build starts "
        "the scan on the notebooks' outputs before the HTML is written)",
    )
    args = parser.parse_args(argv)
    if args.key:
        terms, read = load_private_key(args.key), [args.key]
    else:
        terms, read = key_terms()
    targets = [paths.resolve(p) for p in args.paths]
    if not terms:
        print(f"privacy scan: skipped, no key of names to scan for (looked for {', '.join(key_files())})")
        return 0
    hits = scan_for_private_terms(targets, terms)
    if args.more_on_stdin:
        more = [paths.resolve(line.strip()) for line in sys.stdin if line.strip()]
        hits += scan_for_private_terms(more, terms)
        targets += more
    for file, _ in hits:
        print(f"private term found in {file}")  # the term itself is not printed
    checked = len(_files(targets))
    status = "✔" if not hits else "✖"
    absent = [f for f in ([] if args.key else key_files()) if f not in read]
    missing = f" (no {', '.join(absent)}: its names were not searched for)" if absent else ""
    print(
        f"{status} privacy scan: {len(terms)} terms from {', '.join(read)} searched in {checked} output files; "
        f"{len(hits)} found{missing}"
    )
    return 1 if hits else 0
