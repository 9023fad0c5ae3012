"""Column specifications and one validator that reports every problem with its location.

We keep this small validator instead of pandera's because the messages must name the Excel row the
consultant sees (kept in `_row`), the column's documented name and the expected vocabulary, and all
problems must be collected before the build stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Sequence

import pandas as pd

from analysis.engine.errors import Problem
from analysis.engine.readers import ROW, parse_date_value, parse_number_value


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "str"  # str | int | float | date | bool
    required: bool = True  # a value must be present in every row
    vocabulary: Sequence[str] | None = None
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    earliest: date | None = None
    latest: date | None = None
    multi: bool = False  # several vocabulary values separated by ';'
    description: str = ""
    example: str = ""


@dataclass
class Table:
    """A validated table and the warnings it raised."""

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or (isinstance(value, str) and not value.strip()) or value is pd.NaT


def _bool(value: Any) -> bool:
    text = str(value).strip().casefold()
    if text in {"yes", "y", "true", "1", "да", "ооба"}:
        return True
    if text in {"no", "n", "false", "0", "нет", "жок"}:
        return False
    raise ValueError(value)


def validate(frame: pd.DataFrame, columns: Sequence[Column], file: str, sheet: str | None = None,
             extra_checks: Iterable[Callable[[pd.DataFrame], list[Problem]]] = ()) -> tuple[pd.DataFrame, list[Problem]]:
    """Type-convert and check `frame`; return (typed frame, problems). Never raises."""
    problems: list[Problem] = []
    present = [c for c in columns if c.name in frame.columns]
    for col in columns:
        if col.name not in frame.columns:
            problems.append(Problem(file=file, sheet=sheet, row=1, column=col.name,
                                    expected=f"a column '{col.name}'" + (f" ({col.description})" if col.description else ""),
                                    found="no such column"))
    out = pd.DataFrame({ROW: frame[ROW].to_numpy()} if ROW in frame.columns else {})
    rows = frame[ROW].tolist() if ROW in frame.columns else list(range(2, len(frame) + 2))
    for col in present:
        converted: list[Any] = []
        for row_number, value in zip(rows, frame[col.name].tolist()):
            where = dict(file=file, sheet=sheet, row=int(row_number), column=col.name)
            if _blank(value):
                if col.required:
                    problems.append(Problem(**where, expected="a value", found="an empty cell"))
                converted.append(None)
                continue
            try:
                parsed = _convert(col, value)
            except (ValueError, TypeError):
                problems.append(Problem(**where, expected=_describe_kind(col), found=value))
                converted.append(None)
                continue
            problems.extend(_range_problems(col, parsed, where))
            converted.append(parsed)
        out[col.name] = _as_series(col, converted)
        if col.unique:
            values = out[col.name]
            dup = values.duplicated(keep="first") & values.notna()
            for row_number, value in zip(out.loc[dup, ROW], values[dup]):
                problems.append(Problem(file=file, sheet=sheet, row=int(row_number), column=col.name,
                                        expected="a unique id", found=f"{value} (duplicate)"))
    for check in extra_checks:
        problems.extend(check(out))
    return out, problems


def _convert(col: Column, value: Any) -> Any:
    if col.kind == "str":
        text = str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if col.vocabulary is not None:
            items = [t.strip() for t in text.split(";")] if col.multi else [text]
            bad = [t for t in items if t not in col.vocabulary]
            if bad:
                raise ValueError(text)
            return "; ".join(items) if col.multi else text
        return text
    if col.kind == "int":
        number = parse_number_value(value)
        if number is None or not float(number).is_integer():
            raise ValueError(value)
        return int(number)
    if col.kind == "float":
        number = parse_number_value(value)
        if number is None:
            raise ValueError(value)
        return float(number)
    if col.kind == "date":
        parsed = parse_date_value(value)
        if parsed is None:
            raise ValueError(value)
        return parsed
    if col.kind == "bool":
        return _bool(value)
    raise TypeError(col.kind)


def _describe_kind(col: Column) -> str:
    if col.vocabulary is not None:
        listed = ", ".join(col.vocabulary)
        return f"one of: {listed}" + (" (several separated by ';')" if col.multi else "")
    return {
        "int": "a whole number",
        "float": "a number (decimal comma or point)",
        "date": "a date as dd.mm.yyyy or yyyy-mm-dd",
        "bool": "yes or no",
    }.get(col.kind, "text")


def _range_problems(col: Column, value: Any, where: dict) -> list[Problem]:
    found = []
    if col.minimum is not None and value < col.minimum:
        found.append(Problem(**where, expected=f"a value of at least {col.minimum:g}", found=value))
    if col.maximum is not None and value > col.maximum:
        found.append(Problem(**where, expected=f"a value of at most {col.maximum:g}", found=value))
    if col.earliest is not None and value < col.earliest:
        found.append(Problem(**where, expected=f"a date on or after {col.earliest:%d.%m.%Y}", found=f"{value:%d.%m.%Y}"))
    if col.latest is not None and value > col.latest:
        found.append(Problem(**where, expected=f"a date on or before {col.latest:%d.%m.%Y}", found=f"{value:%d.%m.%Y}"))
    return found


def _as_series(col: Column, values: list[Any]) -> pd.Series:
    if col.kind == "int":
        return pd.Series(values, dtype="Int64")
    if col.kind == "float":
        return pd.Series(values, dtype="Float64")
    if col.kind == "date":
        return pd.to_datetime(pd.Series(values, dtype="object"))
    if col.kind == "bool":
        return pd.Series(values, dtype="boolean")
    return pd.Series(values, dtype="object")


def foreign_key(frame: pd.DataFrame, column: str, valid: Iterable[str], file: str, sheet: str | None,
                what: str, multi: bool = False) -> list[Problem]:
    """Problems for values of `column` that do not name an existing row elsewhere."""
    valid = set(valid)
    problems = []
    for row_number, value in zip(frame[ROW], frame[column]):
        if _blank(value):
            continue
        items = [v.strip() for v in str(value).split(";")] if multi else [str(value)]
        for item in items:
            if item and item not in valid:
                problems.append(Problem(file=file, sheet=sheet, row=int(row_number), column=column,
                                        expected=f"the id of an existing {what}", found=item))
    return problems


def date_order(frame: pd.DataFrame, start: str, end: str, file: str, sheet: str | None) -> list[Problem]:
    """Problems for rows whose `end` date lies before their `start` date."""
    problems = []
    both = frame[start].notna() & frame[end].notna()
    for _, row in frame[both & (frame[end] < frame[start])].iterrows():
        problems.append(Problem(file=file, sheet=sheet, row=int(row[ROW]), column=end,
                                expected=f"a date on or after {start} ({row[start]:%d.%m.%Y})",
                                found=f"{row[end]:%d.%m.%Y}"))
    return problems
