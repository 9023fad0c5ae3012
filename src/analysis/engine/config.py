"""The corridor configuration (countries, currency, calendar, pathways, thresholds, run settings).

Read from one YAML file so that another origin-destination pair needs no code change. Every key a
process reads is remembered (`keys_read`), so the build reruns exactly the notebooks whose keys changed.
"""

from __future__ import annotations

import copy
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from analysis.engine import paths
from analysis.engine.errors import InputError, Problem

REQUIRED_SECTIONS = ("corridor", "report", "currency", "calendar", "privacy", "pathways")
#: Run settings a notebook may declare in its parameters cell (value None: take it from here). The
#: pipeline injects them; `make AS_OF=yyyy-mm-dd` overrides the as-of date for one build.
RUN_SETTINGS = {
    "as_of": "report.as_of",
    "compare_from": "report.compare_from",
    "compare_to": "report.compare_to",
    "seed": "report.seed",
    "min_cell_size": "privacy.min_cell_size",
}
_keys_read: set[str] = set()


@lru_cache(maxsize=8)
def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise InputError(
            [Problem(file=paths.relative(path), expected="the corridor configuration file", found="no such file")]
        )
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            [
                Problem(
                    file=paths.relative(path),
                    row=mark.line + 1 if mark else None,
                    expected="valid YAML",
                    found=str(getattr(exc, "problem", exc)),
                )
            ]
        ) from None
    missing = [key for key in REQUIRED_SECTIONS if key not in data]
    if missing:
        raise InputError(
            [
                Problem(file=paths.relative(path), column=key, expected=f"a top-level section '{key}'", found="nothing")
                for key in missing
            ]
        )
    return data


def _path(path: str | Path | None) -> Path:
    return Path(path).resolve() if path else paths.config_file()


def get(dotted: str, default: Any = ..., path: str | Path | None = None) -> Any:
    """One value by dotted key, e.g. get("privacy.min_cell_size"); a copy, so callers cannot change it."""
    _keys_read.add(dotted)
    node: Any = _load(_path(path))
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif default is not ...:
            return default
        else:
            raise InputError(
                [
                    Problem(
                        file=paths.relative(_path(path)),
                        column=dotted,
                        expected=f"a value for '{dotted}'",
                        found=f"no '{part}'",
                    )
                ]
            )
    return copy.deepcopy(node)


def keys_read() -> list[str]:
    """The dotted keys this process has read, for the build's per-notebook dependency on the config."""
    return sorted(_keys_read)


def value_at(dotted: str, path: str | Path | None = None) -> Any:
    """A value without recording the read (the build uses it to fingerprint what notebooks read)."""
    node: Any = _load(_path(path))
    for part in dotted.split("."):
        if not (isinstance(node, dict) and part in node):
            return None
        node = node[part]
    return node


def run_setting(name: str, given: Any = None) -> Any:
    """A run setting: the value a notebook was given, else `make AS_OF=…` for the as-of date, else the
    configuration. The one place that decides which as-of date a build speaks about."""
    if given is not None:
        return given
    if name == "as_of" and os.environ.get("AS_OF"):
        return os.environ["AS_OF"]
    if name == "compare_to":  # blank in the configuration: compare up to the as-of date
        value = get(RUN_SETTINGS[name], default=None)
        return value if value is not None else run_setting("as_of")
    return get(RUN_SETTINGS[name])


def pathway_labels() -> dict[str, str]:
    return dict(get("pathways"))
