"""The findings registry: every headline number, with its unit and what it was computed from.

Each notebook records its numbers into its own fragment (data/processed/findings/<notebook>.json) so
that notebooks can run in parallel; `merge()` joins the fragments into data/processed/findings.json.
Narrative text takes numbers from the registry through `Registry.text()` and never types them by hand,
which is what lets `make verify` compare every published number.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import atomic, paths

_ID = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
_PLACEHOLDER = re.compile(r"\{([a-z0-9][a-z0-9._-]*)(?::([^{}]*))?\}")


class FindingError(ValueError):
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
    raise FindingError(f"a finding's value must be a number, text or None, not {type(value).__name__}")


@dataclass
class Finding:
    id: str
    value: Any
    unit: str
    description: str
    source: str
    rows: list[str] = field(default_factory=list)
    notebook: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "value": self.value, "unit": self.unit, "description": self.description,
                "source": self.source, "rows": list(self.rows), "notebook": self.notebook}

    def formatted(self, spec: str | None = None) -> str:
        return format_value(self.value, self.unit, spec)


def format_value(value: Any, unit: str, spec: str | None = None) -> str:
    """House number style: thousands separators, percentages with one decimal, units spelt out."""
    if value is None:
        return "n/a (suppressed or not computable)"
    if spec:
        return format(value, spec)
    if isinstance(value, str):
        return value
    if unit in {"%", "percent"}:
        return f"{value:,.1f} %"
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    else:
        text = f"{int(value):,}"
    if unit in {"", "count", "number"}:
        return text
    return f"{text} {unit}"


class Registry:
    """The findings of one notebook; `save()` writes its fragment atomically."""

    def __init__(self, fragment_path: str | Path | None, notebook: str | None = None,
                 others: str | Path | None = None):
        """`fragment_path` None gives a read-only registry over `others` (a merged findings.json)."""
        self.path = paths.resolve(fragment_path) if fragment_path is not None else None
        self.notebook = notebook or (self.path.stem if self.path else "reader")
        self._items: dict[str, Finding] = {}
        self._others: dict[str, Finding] = {}
        if others is not None:
            self._others = {f.id: f for f in load(others)}

    def record(self, id: str, value: Any, unit: str, description: str, source: str,
               rows: Iterable[Any] = ()) -> Finding:
        """Record one headline number; `source` says which file and rule it comes from, `rows` the ids."""
        if not _ID.match(id):
            raise FindingError(f"finding id {id!r}: use lower-case words joined by '.', '-' or '_'")
        if id in self._items:
            raise FindingError(f"finding {id!r} recorded twice in {self.notebook}")
        finding = Finding(id=id, value=_clean_value(value), unit=unit, description=description,
                          source=source, rows=sorted({str(r) for r in rows}), notebook=self.notebook)
        self._items[id] = finding
        return finding

    def __getitem__(self, id: str) -> Finding:
        if id in self._items:
            return self._items[id]
        if id in self._others:
            return self._others[id]
        raise FindingError(f"no finding {id!r} has been recorded (known: {', '.join(sorted(self._items)) or 'none'})")

    def known_ids(self) -> set[str]:
        """Ids recorded here or readable from the merged findings, e.g. to check references to them."""
        return set(self._items) | set(self._others)

    def value(self, id: str) -> Any:
        return self[id].value

    def text(self, template: str) -> str:
        """Fill `{finding.id}` or `{finding.id:,.0f}` placeholders from the registry."""
        def fill(match: re.Match) -> str:
            return self[match.group(1)].formatted(match.group(2))
        return _PLACEHOLDER.sub(fill, template)

    def all(self) -> list[Finding]:
        return [self._items[k] for k in sorted(self._items)]

    def save(self) -> Path:
        if self.path is None:
            raise FindingError("this registry is read-only (no fragment path)")
        atomic.write_json(self.path, {"notebook": self.notebook,
                                      "findings": [f.as_dict() for f in self.all()]})
        return self.path


def load(path: str | Path) -> list[Finding]:
    """Findings from a merged findings.json or from one fragment."""
    path = paths.resolve(path)
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    items = data["findings"]
    if isinstance(items, dict):
        items = list(items.values())
    return [Finding(**{k: v for k, v in item.items() if k in Finding.__dataclass_fields__}) for item in items]


def merge(fragments: Iterable[str | Path], out: str | Path) -> Path:
    """Join fragments into one findings.json keyed by id; a duplicate id across notebooks is an error."""
    merged: dict[str, dict] = {}
    for fragment in sorted(Path(f) for f in fragments):
        for finding in load(fragment):
            if finding.id in merged:
                raise FindingError(f"finding {finding.id!r} recorded by both {merged[finding.id]['notebook']} "
                                   f"and {finding.notebook}")
            merged[finding.id] = finding.as_dict()
    return atomic.write_json(paths.resolve(out), {"findings": merged})
