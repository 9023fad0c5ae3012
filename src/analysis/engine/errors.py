"""One exception for bad input, carrying where the problem is and what was expected.

A consultant fixing a workbook needs file, sheet, row, column, the expected value and the value found;
collecting every problem before raising lets them fix all of them in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    expected: str = ""
    found: Any = None
    severity: str = "error"  # "error" stops the build; "warning" goes to the data-quality annex
    element: str | None = None  # where in a structured file (XML: line, element and its GUID or name)

    def location(self, with_file: bool = True) -> str:
        parts = [self.file] if with_file else []
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.element:
            parts.append(self.element)
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def message(self, with_file: bool = True) -> str:
        found = "" if self.found is None else f"; found {self.found!r}"
        where = self.location(with_file)
        return f"{where}: expected {self.expected}{found}" if where else f"expected {self.expected}{found}"

    def as_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["found"] = None if self.found is None else str(self.found)
        record["message"] = self.message()
        return record


class InputError(ValueError):
    """Raised when an input file cannot be used as it is; lists every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = [p for p in problems if p.severity == "error"] or list(problems)
        lines = [p.message() for p in self.problems[:50]]
        more = len(self.problems) - len(lines)
        if more > 0:
            lines.append(f"... and {more} more problems")
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"{len(self.problems)} input {noun}:\n  " + "\n  ".join(lines))


def raise_if_errors(problems: Iterable[Problem]) -> list[Problem]:
    """Raise InputError if any problem is an error; return the warnings otherwise."""
    problems = list(problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    return problems
