"""What every chapter notebook starts and ends with: its run settings, numbers and prose terms.

A chapter notebook's parameters cell declares its files and run settings (None: from the config); its
first code cell calls `start()`, its last `chapter.finish()`. Between them, code cells record numbers in
`chapter.numbers` and show tables and figures; Markdown cells hold the prose with placeholders
(`{inventory.acts.total}`, `{as_of}`), conditions and captions (analysis.engine.prose), which the runner
renders after the notebook ran. Run by hand (in
JupyterLab), `finish()` shows the chapter's prose with the numbers filled in, so the consultant sees the
values while editing; nothing is written outside `.lab/` (analysis.engine.paths).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat

from analysis.engine import atomic, config, languages, numbers, paths, prose, provenance, text

if TYPE_CHECKING:  # imported by the build's own process, which needs no pandas (a kernel has it already)
    import pandas as pd

CONFIG_KEYS_DIR = ".build/{stage}/config-keys"


def terms(settings: dict[str, Any]) -> dict[str, str]:
    """Words of the prose that come from the configuration and the run settings, never from the text:
    countries and their adjectives (with the right article), the currency, the run's dates."""
    origin, destination = config.get("corridor.origin"), config.get("corridor.destination")
    found = {
        "origin": origin["name"],
        "origin_adj": origin["demonym"],
        "a_origin_adj": f"{origin.get('article', 'a')} {origin['demonym']}",
        "destination": destination["name"],
        "destination_adj": destination["demonym"],
        "a_destination_adj": f"{destination.get('article', 'a')} {destination['demonym']}",
        "destination_official": destination.get("name_official", destination["name"]),
        "currency": config.get("currency.name"),
        "currency_code": config.get("currency.code"),
    }
    for name in ("as_of", "compare_from", "compare_to"):
        if settings.get(name):
            found[name] = text.house_date(settings[name])
    if "stage" in settings:
        found["stage"] = settings["stage"]
    return found


def lookup_for(
    registry: numbers.Registry, settings: dict[str, Any], language: str = "en"
) -> Callable[[str, str | None], str]:
    """The placeholder lookup: a term if the name is one, else a recorded number (written in `language`:
    a translation of the summary takes the same numbers, analysis.engine.languages)."""
    if language != "en":
        return _translated_lookup(registry, settings, language)
    words = terms(settings)

    def lookup(name: str, spec: str | None) -> str:
        if name in words:
            return words[name]
        return registry[name].formatted(spec)

    return lookup


def _translated_lookup(registry: numbers.Registry, settings: dict[str, Any], language: str):
    words = languages.terms(language, settings)

    def lookup(name: str, spec: str | None) -> str:
        if name in words:
            return words[name]
        number = registry[name]
        try:
            return languages.format_value(number.value, number.unit, spec, language)
        except languages.LanguageError as exc:
            raise prose.ProseError(f"{{{name}}}: {exc}") from None

    return lookup


def language_of(nb: nbformat.NotebookNode) -> str:
    """The report language of a notebook (notebook metadata "report": {"language": "ru"}; English by default)."""
    return nb.metadata.get("report", {}).get("language", "en")


@dataclass
class Chapter:
    """One run of one chapter notebook."""

    name: str
    stage: str
    settings: dict[str, Any]
    numbers: numbers.Registry
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def as_of(self) -> pd.Timestamp:
        import pandas as pd

        return pd.Timestamp(self.settings["as_of"])

    def setting(self, name: str) -> Any:
        return self.settings[name]

    def term(self, name: str) -> str:
        return terms(self.settings)[name]

    def text(self, template: str) -> str:
        """Fill the placeholders of a text that comes from data (a finding's statement in the findings
        workbook) with this run's numbers and terms. Prose of the notebook itself belongs in Markdown."""
        return text.fill(template, lookup_for(self.numbers, self.settings))

    def is_synthetic(self, input_path: str) -> bool:
        """Whether an input of this notebook is synthetic example data (data/raw/provenance.yaml)."""
        return provenance.is_synthetic(input_path)

    def finish(self) -> None:
        """Save the numbers (a summary that only reads numbers has none); record which configuration keys
        the run read; by hand, preview the prose."""
        if self.numbers.path is not None:
            self.numbers.save()
        keys = sorted(
            set(config.keys_read()) | {config.RUN_SETTINGS[k] for k in self.settings if k in config.RUN_SETTINGS}
        )
        atomic.write_json(paths.resolve(f"{CONFIG_KEYS_DIR.format(stage=self.stage)}/{self.name}.json"), keys)
        if paths.interactive():
            preview(self)


def start(
    numbers_out: str | None = None,
    stage: str = "draft",
    numbers_in: str | None = None,
    name: str | None = None,
    **settings: Any,
) -> Chapter:
    """Open a chapter run: resolve the run settings (None → config), open the numbers registry.

    `numbers_out` names this notebook's fragment (and so the notebook); `numbers_in` the merged numbers of
    the chapters it reads, for summaries.
    """
    resolved = {key: config.run_setting(key, value) for key, value in settings.items()}
    resolved["stage"] = stage
    name = name or (Path(numbers_out).stem if numbers_out else "reader")
    others = numbers_in if numbers_in and paths.resolve(numbers_in).exists() else None
    if numbers_in and others is None:
        from analysis.engine.errors import InputError, Problem

        raise InputError(
            [
                Problem(
                    file=numbers_in,
                    expected="the merged numbers of the other chapters",
                    found="no such file: run `make` once before running this notebook by hand",
                )
            ]
        )
    registry = numbers.Registry(numbers_out, notebook=name, others=others)
    return Chapter(name=name, stage=stage, settings=resolved, numbers=registry)


def preview(chapter: Chapter) -> None:
    """Show the notebook's prose with its placeholders filled and its conditions applied (JupyterLab only;
    the build renders the Markdown cells themselves). Reads the notebook as last saved."""
    from IPython.display import Markdown, display

    source = paths.input_root() / "notebooks" / f"{chapter.name}.ipynb"
    if not source.exists():
        return
    nb = nbformat.read(source, as_version=4)
    lookup = lookup_for(chapter.numbers, chapter.settings, language_of(nb))
    parts, problems = [], []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "markdown" or "annex" in tags:
            continue
        try:
            if not prose.keep(cell, chapter.numbers.value):
                continue
            filled = text.fill(cell.source, lookup)
        except (text.PlaceholderError, KeyError) as exc:
            problems.append(str(exc))
            filled = cell.source
        parts.append(f"*Caption:* {filled}" if prose.CAPTION_TAG in tags else filled)
    note = (
        "**Preview (JupyterLab only)**: the prose of this notebook as last saved, with the numbers of "
        "this run filled in. The build fills the Markdown cells themselves."
    )
    if problems:
        note += "\n\n⚠ " + "\n\n⚠ ".join(problems)
    display(Markdown(note + "\n\n---\n\n" + "\n\n".join(parts)))


def config_keys_recorded(stage: str, name: str) -> list[str] | None:
    """The configuration keys the last build of a notebook read, or None before its first build."""
    path = paths.resolve(f"{CONFIG_KEYS_DIR.format(stage=stage)}/{name}.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
