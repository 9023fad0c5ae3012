"""Agreement between coders: Krippendorff's alpha at every level, Cohen's and Fleiss' kappa, and the
reader behind `make reliability` for data kept the way Krippendorff's papers lay them out.

Alpha is computed from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's
alpha-reliability"), so any number of coders, missing values and the nominal, ordinal, interval and
ratio levels are handled by one formula:

    alpha = 1 - (n - 1) * sum(o_ck * d2_ck) / sum(n_c * n_k * d2_ck)

where o is the coincidence matrix over the *pairable* values (units with at least two values; a unit
that one coder alone coded does not count), n_c its margins, n their total and d2 the level's squared
difference. We compute it ourselves rather than call the `krippendorff` package because the chapter also
needs the pairable counts and a fast bootstrap (each unit's coincidences are summed once, a resample is
then one matrix product); the tests check the result against the package at every level and against
the published examples. Where alpha is undefined (no pairable value, or no variation) it is NaN, never
an exception.

Data are coders x units (a row per coder, a column per unit); a missing value is None, NaN or a blank.
"""

from __future__ import annotations

import argparse
import csv
import io as _io
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.engine import config, paths
from analysis.engine.errors import InputError, Problem
from analysis.engine.readers import decode_bytes, parse_number_value

LEVELS = ("nominal", "ordinal", "interval", "ratio")
#: What a file may hold for "no value": a blank cell, or the marks Krippendorff's macro ('.') and the
#: usual worked examples ('*') use.
MISSING_MARKS = ("", ".", "*")


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return isinstance(value, str) and value.strip() in MISSING_MARKS


# ---------------------------------------------------------------- values
@dataclass(frozen=True)
class Encoded:
    """Values as indices into an ordered domain (-1 = missing) and the domain's numeric values."""

    codes: np.ndarray
    domain: tuple
    numeric: np.ndarray


def encode(data: Any, level: str = "nominal", order: Sequence[Any] | None = None) -> Encoded:
    """Turn coders x units values (numbers or labels) into domain indices.

    Numbers (also numeric text such as "2,5") are compared as numbers. Labels are fine for the nominal
    level; the ordinal level needs their `order` (lowest first); interval and ratio need numbers.
    Raises ValueError for data that cannot be read at the level asked for.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    raw = np.asarray(data)
    if raw.ndim != 2:
        raise ValueError("reliability data must be a table: one row per coder, one column per unit")
    if raw.dtype.kind in "iuf" and order is None:  # numbers already (NaN missing): no cell-by-cell parsing
        numbers = raw.astype(float)
        return _encode_numbers(numbers, ~np.isnan(numbers), level)
    table = raw.astype(object)
    present = np.array([[not is_missing(v) for v in row] for row in table], dtype=bool).reshape(table.shape)
    codes = np.full(table.shape, -1, dtype=np.int64)
    if order is not None:
        if level in ("interval", "ratio"):
            raise ValueError(f"the {level} level needs numbers; an order of labels is for the ordinal level")
        domain = tuple(_label(v) for v in order)
        rank = {value: index for index, value in enumerate(domain)}
        for i, j in zip(*np.nonzero(present)):
            label = _label(table[i, j])
            if label not in rank:
                raise ValueError(
                    f"value {table[i, j]!r} (coder row {i + 1}, unit column {j + 1}) is not in the "
                    f"order {', '.join(domain)}"
                )
            codes[i, j] = rank[label]
        return Encoded(codes, domain, np.arange(len(domain), dtype=float))
    numbers = _numbers(table, present)
    if numbers is not None:
        return _encode_numbers(numbers, present, level)
    if level != "nominal":
        raise ValueError(
            f"the {level} level needs numbers"
            + (", or labels with their order (lowest first)" if level == "ordinal" else "")
        )
    labels = sorted({_label(v) for v in table[present]})
    index = {value: n for n, value in enumerate(labels)}
    for i, j in zip(*np.nonzero(present)):
        codes[i, j] = index[_label(table[i, j])]
    return Encoded(codes, tuple(labels), np.arange(len(labels), dtype=float))


def _encode_numbers(numbers: np.ndarray, present: np.ndarray, level: str) -> Encoded:
    codes = np.full(numbers.shape, -1, dtype=np.int64)
    domain_values = np.unique(numbers[present])
    if level == "ratio" and (domain_values < 0).any():
        raise ValueError("the ratio level needs values of zero or more")
    codes[present] = np.searchsorted(domain_values, numbers[present])
    return Encoded(codes, tuple(float(v) for v in domain_values), domain_values.astype(float))


def _label(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _numbers(table: np.ndarray, present: np.ndarray) -> np.ndarray | None:
    """The table as floats if every present value is a number, else None (labels)."""
    out = np.full(table.shape, np.nan)
    for i, j in zip(*np.nonzero(present)):
        value = table[i, j]
        if isinstance(value, bool):
            return None
        try:
            out[i, j] = parse_number_value(value)
        except (TypeError, ValueError):
            return None
    return out


# ---------------------------------------------------------------- coincidences and alpha
def value_counts(codes: np.ndarray, n_values: int | None = None) -> np.ndarray:
    """units x values: how many coders gave each value to each unit."""
    n_values = (int(codes.max()) + 1 if (codes >= 0).any() else 0) if n_values is None else n_values
    counts = np.zeros((codes.shape[1], n_values))
    coder, unit = np.nonzero(codes >= 0)
    np.add.at(counts, (unit, codes[coder, unit]), 1)
    return counts


def unit_coincidences(codes: np.ndarray, n_values: int) -> tuple[np.ndarray, np.ndarray]:
    """(each pairable unit's coincidence matrix, index of the pairable units).

    A unit with m >= 2 values adds n_uc * n_uk / (m - 1) to o_ck (c != k) and n_uc (n_uc - 1) / (m - 1)
    to o_cc; units with fewer than two values are not pairable and add nothing.
    """
    counts = value_counts(codes, n_values)
    m = counts.sum(axis=1)
    pairable = np.nonzero(m >= 2)[0]
    counts, m = counts[pairable], m[pairable]
    outer = counts[:, :, None] * counts[:, None, :]
    outer[:, np.arange(n_values), np.arange(n_values)] -= counts
    return outer / (m - 1)[:, None, None], pairable


def squared_difference(level: str, numeric: np.ndarray, margins: np.ndarray) -> np.ndarray:
    """d2_ck for every pair of values (batched over leading axes of `margins` for the ordinal level)."""
    if level == "nominal":
        return 1.0 - np.eye(len(numeric))
    if level == "interval":
        return (numeric[:, None] - numeric[None, :]) ** 2
    if level == "ratio":
        total = numeric[:, None] + numeric[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(total == 0, 0.0, (numeric[:, None] - numeric[None, :]) / np.where(total == 0, 1, total))
        return ratio**2
    # ordinal: (sum of n_g from c to k - (n_c + n_k) / 2) ** 2, from the cumulative margins
    cumulative = np.cumsum(margins, axis=-1)
    between = cumulative[..., None, :] - cumulative[..., :, None] + (margins[..., :, None] - margins[..., None, :]) / 2
    return between**2


def alpha_from_coincidences(o: np.ndarray, level: str, numeric: np.ndarray) -> np.ndarray:
    """Alpha of one coincidence matrix (V x V) or of a batch (... x V x V); NaN where undefined."""
    margins = o.sum(axis=-1)
    n = margins.sum(axis=-1)
    d2 = squared_difference(level, numeric, margins)
    observed = (o * d2).sum(axis=(-2, -1))
    expected = (margins[..., :, None] * margins[..., None, :] * d2).sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = 1.0 - (n - 1) * observed / expected
    return np.where((expected > 0) & (n > 1), value, np.nan)


@dataclass
class Agreement:
    """Krippendorff's alpha of a reliability data set, with what it rests on."""

    alpha: float
    level: str
    coders: int
    units: int
    pairable_units: int
    pairable_values: int
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    draws: np.ndarray = field(default_factory=lambda: np.empty(0))
    domain: tuple = ()

    def share_below(self, threshold: float) -> float:
        """Share of bootstrap resamples whose alpha is below `threshold` (Hayes & Krippendorff's q)."""
        return float(np.mean(self.draws < threshold)) if len(self.draws) else float("nan")


def krippendorff_alpha(
    data: Any,
    level: str = "nominal",
    order: Sequence[Any] | None = None,
    draws: int = 0,
    seed: int = 0,
    clusters: Sequence[Any] | None = None,
) -> Agreement:
    """Alpha over all coders (rows) and units (columns), with a bootstrap interval if `draws` > 0.

    The interval is the 2.5th-97.5th percentile of alpha over `draws` resamples (with replacement) of
    the pairable units, or of the `clusters` they belong to (one label per unit: the paragraph of a
    code x paragraph unit, so that a paragraph's codes are resampled together).
    """
    encoded = encode(data, level, order)
    codes = encoded.codes
    per_unit, pairable = unit_coincidences(codes, len(encoded.domain))
    o = per_unit.sum(axis=0) if len(pairable) else np.zeros((len(encoded.domain),) * 2)
    value = float(alpha_from_coincidences(o, level, encoded.numeric)) if len(pairable) else float("nan")
    result = Agreement(
        alpha=value,
        level=level,
        coders=int(((codes >= 0).sum(axis=1) > 0).sum()),
        units=int(((codes >= 0).sum(axis=0) > 0).sum()),
        pairable_units=len(pairable),
        pairable_values=int(round(o.sum())),
        domain=encoded.domain,
    )
    if draws and len(pairable) and not np.isnan(value):
        samples = _bootstrap(per_unit, pairable, clusters, level, encoded.numeric, draws, seed)
        finite = samples[np.isfinite(samples)]
        result.draws = finite
        if len(finite) >= draws / 2:
            result.ci_low, result.ci_high = (float(v) for v in np.percentile(finite, [2.5, 97.5]))
    return result


def alpha(data: Any, level: str = "nominal", order: Sequence[Any] | None = None) -> float:
    """Krippendorff's alpha (NaN where undefined)."""
    return krippendorff_alpha(data, level, order).alpha


def _bootstrap(
    per_unit: np.ndarray,
    pairable: np.ndarray,
    clusters: Sequence[Any] | None,
    level: str,
    numeric: np.ndarray,
    draws: int,
    seed: int,
) -> np.ndarray:
    if clusters is None:
        groups = np.arange(len(pairable))
    else:
        labels = np.asarray(list(clusters), dtype=object)[pairable]
        _, groups = np.unique(labels.astype(str), return_inverse=True)
    n_groups = int(groups.max()) + 1
    size = per_unit.shape[1]
    by_group = np.zeros((n_groups, size * size))
    np.add.at(by_group, groups, per_unit.reshape(len(pairable), -1))
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n_groups, size=(draws, n_groups))
    weights = np.zeros((draws, n_groups))
    np.add.at(weights, (np.repeat(np.arange(draws), n_groups), picks.ravel()), 1)
    resampled = (weights @ by_group).reshape(draws, size, size)
    return alpha_from_coincidences(resampled, level, numeric)


# ---------------------------------------------------------------- kappa and % agreement
def percent_agreement(data: Any) -> float:
    """Share (%) of pairs of values within a unit that agree, over the pairable units (any number of coders)."""
    counts = value_counts(encode(data, "nominal").codes)
    m = counts.sum(axis=1)
    pairs = float((m * (m - 1)).sum())
    return 100 * float((counts * (counts - 1)).sum()) / pairs if pairs else float("nan")


def cohen_kappa(first: Any, second: Any) -> float:
    """Cohen's kappa of two coders over the units both coded (a missing value on either side drops the
    unit); NaN when no unit is left or chance agreement is total."""
    codes = encode(np.vstack([np.asarray(first, dtype=object), np.asarray(second, dtype=object)]), "nominal").codes
    both = (codes >= 0).all(axis=0)
    a, b = codes[0, both], codes[1, both]
    if not len(a):
        return float("nan")
    categories = np.union1d(a, b)
    observed = float(np.mean(a == b))
    expected = float(sum(np.mean(a == c) * np.mean(b == c) for c in categories))
    return float("nan") if expected == 1 else (observed - expected) / (1 - expected)


def fleiss_kappa(data: Any) -> float:
    """Fleiss' kappa for any number of coders, in Gwet's form for missing values: agreement over the
    units with at least two values, category shares averaged over the units with at least one.

    With every coder coding every unit it is Fleiss' (1971) kappa."""
    counts = value_counts(encode(data, "nominal").codes)
    r = counts.sum(axis=1)
    rated, paired = r >= 1, r >= 2
    if not paired.any():
        return float("nan")
    observed = float(np.mean((counts[paired] * (counts[paired] - 1)).sum(axis=1) / (r[paired] * (r[paired] - 1))))
    shares = (counts[rated] / r[rated][:, None]).mean(axis=0)
    expected = float((shares**2).sum())
    return float("nan") if expected == 1 else (observed - expected) / (1 - expected)


def pairwise_cohen(data: Any, coders: Sequence[str]) -> list[tuple[str, str, int, float]]:
    """(coder, coder, units both coded, Cohen's kappa) for every pair of coders (rows of `data`)."""
    table = np.asarray(data, dtype=object)
    out = []
    for i, j in combinations(range(len(coders)), 2):
        both = sum(1 for a, b in zip(table[i], table[j]) if not is_missing(a) and not is_missing(b))
        out.append((coders[i], coders[j], both, cohen_kappa(table[i], table[j]) if both else float("nan")))
    return out


def verdict(value: float, settings: dict | None = None) -> str:
    """Krippendorff's (2004) reading of alpha: reliable (>= .800), tentative (>= .667) or unreliable."""
    settings = settings or config.get("consultations.reliability")
    if value is None or np.isnan(value):
        return "not computable"
    if value >= float(settings["alpha_reliable"]):
        return "reliable"
    if value >= float(settings["alpha_tentative"]):
        return "tentative"
    return "unreliable"


def kappa_band(kappa: float, settings: dict | None = None) -> str:
    """Landis & Koch (1977) band of a kappa (bands in the configuration)."""
    settings = settings or config.get("consultations.reliability")
    if kappa is None or np.isnan(kappa):
        return "not computable"
    bands = sorted((float(k), v) for k, v in settings["kappa_bands"].items())
    name = bands[0][1]
    for lower, label in bands:
        if kappa >= lower:
            name = label
    return name


# ---------------------------------------------------------------- files in Krippendorff's layout
@dataclass
class ReliabilityData:
    """A reliability data file: coders (first column), units (header row) and the values between."""

    file: str
    coders: list[str]
    units: list[str]
    values: np.ndarray
    cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (coder, unit) -> cell address


def read_reliability_file(path: str | Path, name: str | None = None) -> ReliabilityData:
    """Read a CSV (UTF-8 or Windows-1251; ',', ';' or tab) or XLSX file laid out as in Krippendorff's
    papers: a header row naming the units, then one row per coder with the coder in the first column;
    a blank cell is a missing value. Every problem is reported at once, with its row and column.
    `name` is how messages name the file (as the user typed it)."""
    path = Path(path)
    file = name or paths.relative(path)
    if not path.is_file():
        raise InputError(
            [
                Problem(
                    file=file,
                    expected="a reliability data file (.csv or .xlsx)",
                    found="no such file" if not path.exists() else "a folder",
                )
            ]
        )
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        rows = _csv_rows(path, file)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path, file)
    else:
        raise InputError(
            [
                Problem(
                    file=file,
                    expected="a .csv or .xlsx file in Krippendorff's layout",
                    found=f"a '{path.suffix or 'no'}' file",
                )
            ]
        )
    return _layout(rows, file, sheet=None)


def _csv_rows(path: Path, file: str) -> list[list[Any]]:
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise InputError([Problem(file=file, expected="a text (CSV) file", found="a ZIP or Excel file named .csv")])
    text, _ = decode_bytes(data, file)
    first = text.split("\n", 1)[0]
    separator = max((";", ",", "\t"), key=first.count)
    if first.count(separator) == 0:
        raise InputError(
            [
                Problem(
                    file=file,
                    row=1,
                    expected="a header row naming the units, separated by ',', ';' or tab",
                    found=first[:80],
                )
            ]
        )
    return [row for row in csv.reader(_io.StringIO(text), delimiter=separator)]


def _xlsx_rows(path: Path, file: str) -> list[list[Any]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(
            [
                Problem(
                    file=file,
                    expected="an Excel workbook (.xlsx)",
                    found=f"a file Excel cannot open ({type(exc).__name__}: {exc})",
                )
            ]
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _layout(rows: list[list[Any]], file: str, sheet: str | None) -> ReliabilityData:
    rows = [row for row in rows if any(not is_missing(v) for v in row)]
    if len(rows) < 3:
        raise InputError(
            [
                Problem(
                    file=file,
                    sheet=sheet,
                    expected="a header row naming the units and a row for each of at least two coders",
                    found=f"{len(rows)} non-empty row{'s' if len(rows) != 1 else ''}",
                )
            ]
        )
    header = rows[0]
    width = max(len(r) for r in rows)
    last = max(j for r in rows for j, v in enumerate(r) if not is_missing(v))
    units, problems = [], []
    for j in range(1, last + 1):
        name = header[j] if j < len(header) else None
        units.append(f"unit {j}" if is_missing(name) else _label(name))
    for unit in sorted({u for u in units if units.count(u) > 1}):
        problems.append(
            Problem(
                file=file,
                sheet=sheet,
                row=1,
                column=_column_letter(units.index(unit) + 1),
                expected="one column per unit (unit names in the header row are unique)",
                found=f"'{unit}' {units.count(unit)} times",
            )
        )
    coders, values = [], []
    for number, row in enumerate(rows[1:], start=2):
        row = list(row) + [None] * (width - len(row))
        coder = row[0]
        if is_missing(coder):
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    row=number,
                    column="A",
                    expected="the coder's name or id in the first column",
                    found="a blank cell",
                )
            )
            coder = f"row {number}"
        coder = _label(coder)
        if coder in coders:
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    row=number,
                    column="A",
                    expected="one row per coder",
                    found=f"coder '{coder}' again",
                )
            )
        coders.append(coder)
        values.append([None if is_missing(v) else v for v in row[1 : last + 1]])
    if problems:
        raise InputError(problems)
    return ReliabilityData(file=file, coders=coders, units=units, values=np.array(values, dtype=object))


def _column_letter(index: int) -> str:
    """Excel's name of a zero-based column index (0 -> A)."""
    letters, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def agreement_of_file(
    data: ReliabilityData,
    level: str,
    order: Sequence[str] | None = None,
    draws: int | None = None,
    seed: int | None = None,
) -> Agreement:
    """Alpha of a file's data, with every value that cannot be read at this level reported by cell."""
    draws = int(config.get("consultations.reliability.bootstrap_draws")) if draws is None else draws
    seed = int(config.get("report.seed")) if seed is None else seed
    problems = _level_problems(data, level, order)
    if problems:
        raise InputError(problems)
    result = krippendorff_alpha(data.values, level, order, draws=draws, seed=seed)
    if result.pairable_units == 0:
        raise InputError(
            [
                Problem(
                    file=data.file,
                    expected="at least one unit (column) with values from two or more coders",
                    found="none: alpha needs pairable values",
                )
            ]
        )
    return result


def _level_problems(data: ReliabilityData, level: str, order: Sequence[str] | None) -> list[Problem]:
    problems = []
    allowed = {_label(v) for v in order} if order else None
    numeric_needed = level in ("interval", "ratio") or (level == "ordinal" and not order)
    labels_seen = []
    for i, j in zip(*np.nonzero(np.vectorize(lambda v: v is not None, otypes=[bool])(data.values))):
        value = data.values[i, j]
        where = dict(file=data.file, row=i + 2, column=_column_letter(j + 1))
        if allowed is not None:
            if _label(value) not in allowed:
                problems.append(Problem(**where, expected=f"one of the ordered labels {', '.join(order)}", found=value))
            continue
        try:
            number = parse_number_value(value)
        except (TypeError, ValueError):
            labels_seen.append(value)
            if numeric_needed:
                problems.append(
                    Problem(
                        **where,
                        expected=f"a number (the {level} level)"
                        + ("; for labels give their order: ORDER=lowest,...,highest" if level == "ordinal" else ""),
                        found=value,
                    )
                )
            continue
        if level == "ratio" and number is not None and number < 0:
            problems.append(Problem(**where, expected="a value of zero or more (the ratio level)", found=value))
    return problems[:50]


def describe(result: Agreement, data: ReliabilityData, seed: int, draws: int) -> str:
    """The command's report: alpha, its interval, the reading and what it rests on."""
    settings = config.get("consultations.reliability")
    reliable, tentative = float(settings["alpha_reliable"]), float(settings["alpha_tentative"])
    lines = [
        f"Krippendorff's alpha ({result.level}): "
        + ("not computable (every pairable value is the same)" if np.isnan(result.alpha) else f"{result.alpha:.3f}")
    ]
    if not np.isnan(result.ci_low):
        lines.append(
            f"95 % bootstrap interval: {result.ci_low:.3f} to {result.ci_high:.3f} "
            f"({draws:,} resamples of units, seed {seed}); alpha below {reliable:.3f} in "
            f"{100 * result.share_below(reliable):.1f} % and below {tentative:.3f} in "
            f"{100 * result.share_below(tentative):.1f} % of them"
        )
    lines.append(
        f"Reading (Krippendorff 2004: >= {reliable:.3f} reliable, >= {tentative:.3f} tentative): "
        f"{verdict(result.alpha, settings)}"
    )
    lines.append(
        f"Coders: {result.coders}; units: {result.units} ({result.pairable_units} coded by two or more "
        f"coders); pairable values: {result.pairable_values}"
    )
    lines.append(
        f"Values{'' if result.level == 'nominal' else ' (lowest first)'}: "
        + ", ".join(_label(v) for v in result.domain)
    )
    lines.append(f"File: {data.file} ({len(data.coders)} coder rows x {len(data.units)} unit columns)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`python -m analysis reliability FILE --level LEVEL [--order a,b,c]` (make reliability FILE=… LEVEL=…)."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis reliability",
        description="Krippendorff's alpha of a file in Krippendorff's layout: a header "
        "row naming the units, one row per coder (coder in the first "
        "column), blank = missing.",
    )
    parser.add_argument("file", help="a .csv or .xlsx file")
    parser.add_argument("--level", default="nominal", choices=LEVELS)
    parser.add_argument("--order", default="", help="ordinal labels from lowest to highest, comma-separated")
    parser.add_argument("--draws", type=int, default=None, help="bootstrap resamples (default: the configuration)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the resampling (default: report.seed)")
    args = parser.parse_args(argv)
    if not args.file.strip():
        raise InputError(
            [
                Problem(
                    file="FILE", expected="a data file: make reliability FILE=path.csv LEVEL=nominal", found="nothing"
                )
            ]
        )
    order = [part.strip() for part in args.order.split(",") if part.strip()] or None
    data = read_reliability_file(Path(args.file).expanduser(), name=args.file)
    draws = int(config.get("consultations.reliability.bootstrap_draws")) if args.draws is None else args.draws
    seed = int(config.get("report.seed")) if args.seed is None else args.seed
    result = agreement_of_file(data, args.level, order, draws=draws, seed=seed)
    print(describe(result, data, seed, draws))
    return 0
