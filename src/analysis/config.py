"""The corridor configuration (countries, currency, calendar, pathways, privacy thresholds).

Read from one YAML file so that another origin-destination pair needs no code change.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from . import paths
from .errors import InputError, Problem


@lru_cache(maxsize=8)
def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise InputError([Problem(file=paths.relative(path), expected="the corridor configuration file",
                                  found="no such file")])
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    for key in ("corridor", "report", "currency", "calendar", "privacy", "pathways"):
        if key not in data:
            raise InputError([Problem(file=paths.relative(path), column=key,
                                      expected=f"a top-level section '{key}'", found="nothing")])
    return data


def load(path: str | Path | None = None) -> dict[str, Any]:
    """The configuration as a dict (cached; do not mutate)."""
    return _load(Path(path).resolve() if path else paths.config_file())


def get(dotted: str, default: Any = ..., path: str | Path | None = None) -> Any:
    """One value by dotted key, e.g. get("privacy.min_cell_size")."""
    node: Any = load(path)
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif default is not ...:
            return default
        else:
            raise KeyError(f"configuration has no '{dotted}' (missing '{part}') in {paths.config_file()}")
    return node


def pathway_labels() -> dict[str, str]:
    return dict(get("pathways"))
