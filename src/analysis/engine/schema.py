"""Column specifications and one validator that reports every problem with its location.

We keep this small validator instead of pandera's because the messages must name the Excel row the
consultant sees (kept in `_row`), the column's documented name and the expected vocabulary, and all
problems must be collected before the build stops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from analysis.engine.errors import Problem
from analysis.engine.readers import (
    MIXED,
    ROW,
    AmbiguousDate,
    ambiguity_note,
    parse_date_value,
    parse_number_value,
    slash_date_order,
)


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
    return (
        value is None
        or (isinstance(value, float) and pd.isna(value))
        or (isinstance(value, str) and not value.strip())
        or value is pd.NaT
    )


def _bool(value: Any) -> bool:
    text = str(value).strip().casefold()
    if text in {"yes", "y", "true", "1", "да", "ооба"}:
        return True
    if text in {"no", "n", "false", "0", "нет", "жок"}:
        return False
    raise ValueError(value)


def validate(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    file: str,
    sheet: str | None = None,
    extra_checks: Iterable[Callable[[pd.DataFrame], list[Problem]]] = (),
) -> tuple[pd.DataFrame, list[Problem]]:
    """Type-convert and check `frame`; return (typed frame, problems). Never raises.

    Dates written a/b/yyyy are read in the order the table's other such dates show (a part above 12 is
    the day); when the table shows both orders, each one that could be either is a problem. The
    `extra_checks` run only when every column is there (they may use any of them).
    """
    problems: list[Problem] = []
    present = [c for c in columns if c.name in frame.columns]
    for col in columns:
        if col.name not in frame.columns:
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    row=1,
                    column=col.name,
                    expected=f"a column '{col.name}'" + (f" ({col.description})" if col.description else ""),
                    found="no such column",
                )
            )
    if frame.empty and present:
        problems.append(
            Problem(
                file=file,
                sheet=sheet,
                row=2,
                expected="rows of data under the header",
                found="no rows (an empty table)",
                severity="warning",
            )
        )
    out = pd.DataFrame({ROW: frame[ROW].to_numpy()} if ROW in frame.columns else {})
    rows = frame[ROW].tolist() if ROW in frame.columns else list(range(2, len(frame) + 2))
    order = slash_date_order(v for c in present if c.kind == "date" for v in frame[c.name].tolist())
    for col in present:
        converted: list[Any] = []
        guessed: list[tuple[int, Any]] = []  # a/b/yyyy dates read day first without evidence
        for row_number, value in zip(rows, frame[col.name].tolist()):
            where = dict(file=file, sheet=sheet, row=int(row_number), column=col.name)
            if _blank(value):
                if col.required:
                    problems.append(Problem(**where, expected="a value", found="an empty cell"))
                converted.append(None)
                continue
            try:
                parsed = _convert(col, value, order)
            except AmbiguousDate:
                note = ambiguity_note(MIXED, str(value).strip())
                problems.append(Problem(**where, expected="a date as dd.mm.yyyy: " + note, found=value))
                converted.append(None)
                continue
            except (ValueError, TypeError):
                problems.append(Problem(**where, expected=_describe_kind(col), found=value))
                converted.append(None)
                continue
            if col.kind == "date" and order is None and isinstance(value, str) and _could_be_either(value):
                guessed.append((int(row_number), value))
            problems.extend(_range_problems(col, parsed, where))
            converted.append(parsed)
        if guessed:
            row_number, value = guessed[0]
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    row=row_number,
                    column=col.name,
                    severity="warning",
                    expected=f"dates as dd.mm.yyyy ({len(guessed)} written a/b/yyyy were "
                    + ambiguity_note(None, value.strip())
                    + ")",
                    found=value,
                )
            )
        out[col.name] = _as_series(col, converted)
        if col.unique:
            values = out[col.name]
            dup = values.duplicated(keep="first") & values.notna()
            for row_number, value in zip(out.loc[dup, ROW], values[dup]):
                problems.append(
                    Problem(
                        file=file,
                        sheet=sheet,
                        row=int(row_number),
                        column=col.name,
                        expected="a unique id",
                        found=f"{value} (duplicate)",
                    )
                )
    if len(present) == len(columns):
        for check in extra_checks:
            problems.extend(check(out))
    return out, problems


def _could_be_either(text: str) -> bool:
    parts = text.strip().replace("-", "/").split("/")
    return (
        len(parts) == 3
        and parts[0].isdigit()
        and parts[1].isdigit()
        and int(parts[0]) <= 12
        and int(parts[1]) <= 12
        and int(parts[0]) != int(parts[1])
    )


def _convert(col: Column, value: Any, slash_order: str | None = None) -> Any:
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
        parsed = parse_date_value(value, slash_order)
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
        found.append(
            Problem(**where, expected=f"a date on or after {col.earliest:%d.%m.%Y}", found=f"{value:%d.%m.%Y}")
        )
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


def foreign_key(
    frame: pd.DataFrame, column: str, valid: Iterable[str], file: str, sheet: str | None, what: str, multi: bool = False
) -> list[Problem]:
    """Problems for values of `column` that do not name an existing row elsewhere."""
    valid = set(valid)
    problems = []
    for row_number, value in zip(frame[ROW], frame[column]):
        if _blank(value):
            continue
        items = [v.strip() for v in str(value).split(";")] if multi else [str(value)]
        for item in items:
            if item and item not in valid:
                problems.append(
                    Problem(
                        file=file,
                        sheet=sheet,
                        row=int(row_number),
                        column=column,
                        expected=f"the id of an existing {what}",
                        found=item,
                    )
                )
    return problems


def date_order(frame: pd.DataFrame, start: str, end: str, file: str, sheet: str | None) -> list[Problem]:
    """Problems for rows whose `end` date lies before their `start` date."""
    problems = []
    both = frame[start].notna() & frame[end].notna()
    for _, row in frame[both & (frame[end] < frame[start])].iterrows():
        problems.append(
            Problem(
                file=file,
                sheet=sheet,
                row=int(row[ROW]),
                column=end,
                expected=f"a date on or after {start} ({row[start]:%d.%m.%Y})",
                found=f"{row[end]:%d.%m.%Y}",
            )
        )
    return problems


# ---------------------------------------------------------------- Excel input rules (templates)
HEADER_FILL, REQUIRED_FILL = "DDEBF7", "FCE4D6"
LISTS_SHEET = "lists"
_EXCEL_EPOCH = date(1899, 12, 30)
_INLINE_LIST_LIMIT = 255  # Excel's limit for a list typed into the rule


def input_hint(col: Column) -> str:
    """The sentence Excel shows when a cell of the column is selected: meaning, format, required."""
    parts = [
        col.description.rstrip(".") + "." if col.description else "",
        _describe_kind(col)[:1].upper() + _describe_kind(col)[1:] + ".",
        "Required." if col.required else "May be blank.",
    ]
    return " ".join(p for p in parts if p)


def _serial(day: date) -> int:
    return (day - _EXCEL_EPOCH).days


def _list_formula(ws, col: Column, values: Sequence[str]) -> str:
    """An inline list when Excel allows it, else a range on the hidden `lists` sheet (no length limit,
    commas allowed inside values)."""
    inline = '"' + ",".join(values) + '"'
    if len(inline) <= _INLINE_LIST_LIMIT and not any("," in v for v in values):
        return inline
    book = ws.parent
    lists = book[LISTS_SHEET] if LISTS_SHEET in book.sheetnames else book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    column = lists.max_column + 1 if lists.max_row > 1 or lists.cell(1, 1).value is not None else 1
    for row, value in enumerate(values, start=1):
        lists.cell(row, column, value)
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(column)
    return f"{LISTS_SHEET}!${letter}$1:${letter}${len(values)}"


def excel_rule(ws, col: Column):
    """The data-validation rule that enforces a column as it is typed: a strict drop-down for a single
    vocabulary value or yes/no, a date or number range, otherwise (free text, several values separated
    by ';') the input hint alone. Stop alerts: a wrong value cannot be entered."""
    from openpyxl.worksheet.datavalidation import DataValidation

    choices = list(col.vocabulary) if col.vocabulary is not None else ["yes", "no"] if col.kind == "bool" else []
    if choices and not col.multi:
        rule = DataValidation(type="list", formula1=_list_formula(ws, col, choices))
        error = f"Choose a value of {col.name} from the list (the README sheet explains each)."
    elif col.kind == "date":
        low, high = col.earliest or date(1900, 1, 1), col.latest or date(2100, 12, 31)
        rule = DataValidation(type="date", operator="between", formula1=str(_serial(low)), formula2=str(_serial(high)))
        error = f"Type a date (dd.mm.yyyy) between {low:%d.%m.%Y} and {high:%d.%m.%Y}."
    elif col.kind in ("int", "float"):
        low = -1e12 if col.minimum is None else col.minimum
        high = 1e12 if col.maximum is None else col.maximum
        rule = DataValidation(
            type="whole" if col.kind == "int" else "decimal",
            operator="between",
            formula1=f"{low:g}",
            formula2=f"{high:g}",
        )
        what = "a whole number" if col.kind == "int" else "a number"
        bounds = [
            f"at least {low:g}" if col.minimum is not None else "",
            f"at most {high:g}" if col.maximum is not None else "",
        ]
        error = f"Type {what}" + (" " + " and ".join(b for b in bounds if b) if any(bounds) else "") + "."
    else:
        rule, error = DataValidation(), ""
    rule.allow_blank = True
    rule.showInputMessage = True
    rule.promptTitle = col.name[:32]
    rule.prompt = input_hint(col)[:255]
    if error:
        rule.showErrorMessage = True
        rule.errorStyle = "stop"
        rule.errorTitle = "Not allowed here"[:32]
        rule.error = error[:255]
    return rule


def apply_excel_rules(
    ws, columns: Sequence[Column], widths: dict[str, float] | None = None, last_row: int = 1000
) -> None:
    """Make a sheet whose first row holds `columns` enforce them: bold headers, required ones coloured
    and commented, each column's rule and input hint down to `last_row`, header frozen, widths set."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    widths = widths or {}
    for index, col in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = ws.cell(1, index)
        header.font = Font(bold=True)
        header.fill = PatternFill("solid", fgColor=REQUIRED_FILL if col.required else HEADER_FILL)
        header.comment = Comment(("Required. " if col.required else "") + input_hint(col), "template")
        rule = excel_rule(ws, col)
        rule.add(f"{letter}2:{letter}{max(last_row, ws.max_row)}")
        ws.add_data_validation(rule)
        ws.column_dimensions[letter].width = widths.get(col.name) or _default_width(col)
    if ws.freeze_panes is None:
        ws.freeze_panes = "A2"


def _default_width(col: Column) -> float:
    if col.vocabulary and not col.multi:
        return min(max(len(col.name), *(len(v) for v in col.vocabulary)) + 4, 40)
    return {"date": 12, "int": 10, "float": 12, "bool": 8}.get(col.kind, 24 if not col.description else 32)
