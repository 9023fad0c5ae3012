"""The numbers registry: every number the report states, with its unit and the rows it comes from.

Each notebook records its numbers into its own fragment (data/processed/numbers/<notebook>.json) so that
notebooks can run in parallel; `merge()` joins the fragments into data/processed/numbers.json. Prose
names numbers with placeholders (`{inventory.acts.total}`) in Markdown cells, which the runner fills from
the registry, so no number is ever typed by hand and `make verify` can compare every one of them.
("Findings" are the review's F-nn statements; see analysis.chapters.findings.)
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.engine import atomic, config, paths, text

_ID = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MERGED = "data/processed/numbers.json"
NOT_AVAILABLE = "not available (suppressed or not computable)"


class NumberError(ValueError):
    pass


def _clean_value(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy / pandas scalars
        value = value.item()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 6)
    if hasattr(value, "isoformat"):  # dates are kept as ISO text and shown in the house format
        return value.isoformat()[:10]
    raise NumberError(f"a number's value must be a number, text, date or None, not {type(value).__name__}")


@dataclass
class Number:
    id: str
    value: Any
    unit: str
    description: str
    source: str
    rows: list[str] = field(default_factory=list)
    notebook: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "value": self.value,
            "unit": self.unit,
            "description": self.description,
            "source": self.source,
            "rows": list(self.rows),
            "notebook": self.notebook,
        }

    def formatted(self, spec: str | None = None) -> str:
        return format_value(self.value, self.unit, spec)


def format_money(value: float, code: str) -> str:
    """The destination's currency by its name after the amount (1,500 som); others by ISO code
    before it (USD 20), as the configuration names them."""
    amount = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.2f}"
    currency = config.get("currency")
    if code == currency["code"]:
        return f"{amount} {currency['name']}"
    return f"{code} {amount}"


def format_value(value: Any, unit: str, spec: str | None = None) -> str:
    """House number style: thousands separators, percentages with one decimal, units that agree with
    the number, dates as 1 July 2026, money in the configured currency's name."""
    if value is None:
        return NOT_AVAILABLE
    if spec:
        return format(value, spec)
    if unit == "date":
        return text.house_date(value)
    if isinstance(value, str):
        return value
    if unit in {"%", "percent"}:
        return f"{value:,.1f} %"
    if _CURRENCY.match(unit or ""):
        return format_money(value, unit)
    if isinstance(value, float) and not value.is_integer():
        number = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    else:
        number = f"{int(value):,}"
    if unit in {"", "count", "number", "share", "ratio", "text"}:
        return number
    if unit.split(" ")[-1] == config.get("currency.name"):  # "1,500 som", "3 million som": no plural
        return f"{number} {unit}"
    return text.with_unit(value, unit, number)


class Registry:
    """The numbers of one notebook; `save()` writes its fragment atomically."""

    def __init__(self, fragment_path: str | Path | None, notebook: str | None = None, others: str | Path | None = None):
        """`fragment_path` None gives a read-only registry over `others` (a merged numbers.json)."""
        self.path = paths.resolve(fragment_path) if fragment_path is not None else None
        self.notebook = notebook or (self.path.stem if self.path else "reader")
        self._items: dict[str, Number] = {}
        self._others: dict[str, Number] = {}
        if others is not None:
            self._others = {n.id: n for n in load(others)}

    def record(self, id: str, value: Any, unit: str, description: str, source: str, rows: Iterable[Any] = ()) -> Number:
        """Record one number; `source` says in words which table and rule it comes from, `rows` the ids."""
        if not _ID.match(id):
            raise NumberError(f"number id {id!r}: use lower-case words joined by '.', '-' or '_'")
        if id in self._items:
            raise NumberError(f"number {id!r} recorded twice in {self.notebook}")
        number = Number(
            id=id,
            value=_clean_value(value),
            unit=unit,
            description=description,
            source=source,
            rows=sorted({str(r) for r in rows}),
            notebook=self.notebook,
        )
        self._items[id] = number
        return number

    def add_from(self, path: str | Path) -> None:
        """Make the numbers of a fragment or merged file readable here (never saved with this one)."""
        self._others.update({n.id: n for n in load(path)})

    def __getitem__(self, id: str) -> Number:
        if id in self._items:
            return self._items[id]
        if id in self._others:
            return self._others[id]
        raise KeyError(id)

    def __contains__(self, id: str) -> bool:
        return id in self._items or id in self._others

    def known_ids(self) -> set[str]:
        """Ids recorded here or readable from the merged numbers, e.g. to check references to them."""
        return set(self._items) | set(self._others)

    def value(self, id: str) -> Any:
        return self[id].value

    def all(self) -> list[Number]:
        return [self._items[k] for k in sorted(self._items)]

    def save(self) -> Path:
        if self.path is None:
            raise NumberError("this registry is read-only (no fragment path)")
        return atomic.write_json(self.path, {"notebook": self.notebook, "numbers": [n.as_dict() for n in self.all()]})


def load(path: str | Path) -> list[Number]:
    """Numbers from a merged numbers.json or from one fragment."""
    path = paths.resolve(path)
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    items = data["numbers"]
    if isinstance(items, dict):
        items = list(items.values())
    return [Number(**{k: v for k, v in item.items() if k in Number.__dataclass_fields__}) for item in items]


def merge(fragments: Iterable[str | Path], out: str | Path = MERGED) -> Path:
    """Join fragments into one numbers.json keyed by id; a duplicate id across notebooks is an error."""
    merged: dict[str, dict] = {}
    for fragment in sorted(Path(f) for f in fragments):
        for number in load(fragment):
            if number.id in merged:
                raise NumberError(
                    f"number {number.id!r} recorded by both {merged[number.id]['notebook']} and {number.notebook}"
                )
            merged[number.id] = number.as_dict()
    return atomic.write_json(paths.resolve(out), {"numbers": merged})
