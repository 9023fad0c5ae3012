"""`make check`: every raw input and the configuration, checked in one pass, without running a notebook.

Each file goes through the same reader and validator its chapter uses, so what passes here passes the
build; cross-references between files (a procedure step's legal basis in the inventory, a benchmark
answer's consultation code, a rating's finding) are checked on the raw files themselves. Every problem of
every file is listed at once, file by file, in plain words; a file that is not what its extension says
(an HTML page saved as .xlsx, an empty file, Excel's lock file) is named as what it is.

Only the numbers a finding cites are computed by the notebooks: they are checked against the last build's
numbers, as warnings, and by the build itself.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.engine import config, paths, provenance
from analysis.engine.errors import InputError, Problem
from analysis.engine.readers import file_problem, what_file_is

#: Warnings listed per file (the rest are counted).
WARNINGS_SHOWN = 8


@dataclass
class Checked:
    """One input (a file or folder) and what checking it found."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


@dataclass
class Run:
    """Every input checked, in order, and the values later checks need (inventory ids and the like)."""

    checked: list[Checked] = field(default_factory=list)
    found: dict[str, Any] = field(default_factory=dict)

    def attempt(self, file: str, read: Callable[[], Any], key: str | None = None, entry: Checked | None = None) -> Any:
        """Run one reader; keep its warnings and every problem it raises, never a traceback. The problems
        go to `entry` when given (a second look at a file already listed), else to a new entry."""
        if entry is None:
            entry = Checked(file)
            self.checked.append(entry)
        try:
            result = read()
        except InputError as exc:
            entry.problems.extend(exc.problems)
            return None
        except Exception as exc:  # a reader tripped over input it did not foresee: still name the file
            entry.problems.append(
                Problem(file=file, expected="a file its chapter can read", found=f"{type(exc).__name__}: {exc}")
            )
            return None
        entry.problems.extend(getattr(result, "warnings", None) or [])
        if key:
            self.found[key] = result
        return result


def _inputs() -> dict[str, str]:
    """Every notebook's parameters (name → value): where the build reads each input from."""
    from analysis.engine import runner

    merged: dict[str, str] = {}
    for spec in runner.discover():
        merged.update({k: v for k, v in spec.parameters.items() if isinstance(v, str)})
    return merged


def check_all() -> Run:
    run = Run()
    inputs = _inputs()
    run.attempt(paths.relative(paths.config_file()), lambda: config.get("corridor"))
    _provenance(run, inputs.get("provenance_in", "data/raw/provenance.yaml"))
    with tempfile.TemporaryDirectory(prefix="analysis-check-") as scratch:
        inventory_dir = _inventory(run, inputs, Path(scratch))
        _procedures(run, inputs, inventory_dir)
        _consultations(run, inputs)
        _processing_times(run, inputs)
        _benchmark(run, inputs)
        _findings(run, inputs)
    _exceptions(run, inputs)
    _other_files(run)
    return run


# ---------------------------------------------------------------- one chapter's inputs each
def _provenance(run: Run, register: str) -> None:
    def read():
        entries = provenance.load(register)
        raw = paths.resolve("data/raw")
        # A synthetic entry may announce a file its generator writes on request; any other must be there.
        problems = [
            Problem(
                file=register, column=name, expected=f"data/raw/{name} (listed in the register)", found="no such file"
            )
            for name, entry in entries.items()
            if entry["origin"] != "synthetic" and not (raw / name).exists()
        ]
        if problems:
            raise InputError(problems)
        return entries

    run.attempt(register, read, "provenance")


def _inventory(run: Run, inputs: dict[str, str], scratch: Path) -> Path | None:
    """The inventory, and its tables written to `scratch` for the chapters that cite it (None if broken)."""
    if "inventory_in" not in inputs:
        return None
    from analysis.chapters import inventory

    inv = run.attempt(inputs["inventory_in"], lambda: inventory.read(inputs["inventory_in"]), "inventory")
    if inv is None:
        return None
    inventory.write_outputs(inv, scratch / "inventory", config.run_setting("as_of"))
    return scratch / "inventory"


def _procedures(run: Run, inputs: dict[str, str], inventory_dir: Path | None) -> None:
    if "procedures_in" not in inputs:
        return
    from analysis.chapters import procedures

    entry_at = len(run.checked)
    run.attempt(
        inputs["procedures_in"],
        lambda: procedures.read(inputs["procedures_in"], inventory_dir, on=config.run_setting("as_of")),
    )
    if inventory_dir is None and "inventory" not in run.found:
        run.checked[entry_at].notes.append("bodies and legal bases not checked: the inventory has errors")


def _consultations(run: Run, inputs: dict[str, str]) -> None:
    if "consultations_in" not in inputs:
        return
    from analysis.chapters import consultations

    # A tool's project that lacks the review's attributes: the fill-in workbook is written where the chapter
    # writes it, so the check's message already names the workbook to complete in Excel.
    fill_in = f"{inputs['consultations_out']}/attributes_to_complete.xlsx" if "consultations_out" in inputs else None
    run.attempt(
        inputs["consultations_in"],
        lambda: consultations.read(inputs["consultations_in"], fill_in=fill_in),
        "consultations",
    )


def _processing_times(run: Run, inputs: dict[str, str]) -> None:
    names = ("procedures_map_in", "columns_map_in", "values_map_in", "extract_in")
    if not all(n in inputs for n in names):
        return
    from analysis.chapters import processing_times as pt
    from analysis.engine.calendar import WorkCalendar

    inv = run.found.get("inventory")
    provisions = None
    if inv is not None:
        from analysis.chapters import inventory

        provisions = inventory.tidy(inv)["provisions"]
    procs = run.attempt(
        inputs["procedures_map_in"],
        lambda: pt.load_procedures(inputs["procedures_map_in"], provisions, provisions_required=inv is not None),
    )
    columns = run.attempt(inputs["columns_map_in"], lambda: pt.load_column_map(inputs["columns_map_in"]))
    values = run.attempt(inputs["values_map_in"], lambda: pt.load_value_map(inputs["values_map_in"]))
    extract = inputs["extract_in"]
    if columns is None:
        run.checked.append(Checked(extract, notes=["not read: the column mapping has errors"]))
        return
    raw = run.attempt(extract, lambda: pt.read_extract(extract, columns))
    if raw is None or procs is None or values is None:
        return
    entry = run.checked[-1]
    prepared = run.attempt(extract, lambda: pt.prepare(raw, values, procs, WorkCalendar.from_config()), entry=entry)
    if prepared is not None:
        info = prepared.info
        entry.notes.append(
            f"{info['rows']:,} rows, {info['rows_analysed']:,} to analyse, {info['rows_excluded']:,} excluded"
        )
        entry.problems.extend(pt.exclusion_reasons(prepared.quality, extract, severity="warning"))


def _benchmark(run: Run, inputs: dict[str, str]) -> None:
    if "benchmark_in" not in inputs:
        return
    from analysis.chapters import benchmark as bm

    bench = run.attempt(inputs["benchmark_in"], lambda: bm.read(inputs["benchmark_in"]), "benchmark")
    inv, cons = run.found.get("inventory"), run.found.get("consultations")
    if bench is None:
        return
    entry = run.checked[-1]
    if inv is None or cons is None:
        entry.notes.append(
            "evidence links not checked: " + ("the inventory" if inv is None else "the consultations") + " has errors"
        )
        return
    numbers, last_build = _last_build_numbers()
    cited = {i for v in bench.criteria["de_facto_findings"] for i in bm._ids(v)}
    confidence = dict(zip(inv["acts"]["id"], inv["acts"]["confidence"])) | dict(
        zip(inv["provisions"]["id"], inv["provisions"]["confidence"])
    )
    evidence = bm.Evidence(
        frozenset(inv["acts"]["id"]),
        frozenset(inv["provisions"]["id"]),
        frozenset(cons.codebook["code_id"]),
        dict.fromkeys(numbers if last_build else cited),
        confidence,
    )
    sources = {
        "acts": inputs["inventory_in"],
        "provisions": inputs["inventory_in"],
        "codes": f"{inputs.get('consultations_in', 'consultations')}/codebook.csv",
        "findings": "the numbers of the last build",
    }
    try:
        entry.problems.extend(bm.check_links(bench, evidence, sources))
    except InputError as exc:
        entry.problems.extend(_soften_numbers(exc.problems, "de_facto_findings"))
    if not last_build:
        entry.notes.append("finding ids not checked: no build yet (the build checks them)")


def _findings(run: Run, inputs: dict[str, str]) -> None:
    if "findings_table_in" not in inputs:
        return
    from analysis.chapters import findings as ft

    path = inputs["findings_table_in"]
    table = run.attempt(path, lambda: ft.read_findings_table(path))
    if table is not None:
        entry = run.checked[-1]
        inv, cons, bench = run.found.get("inventory"), run.found.get("consultations"), run.found.get("benchmark")
        if inv is None or cons is None or bench is None:
            entry.notes.append("evidence links not checked: an input it cites has errors")
        else:
            evidence = {
                "inventory_ids": dict.fromkeys(list(inv["acts"]["id"]) + list(inv["provisions"]["id"]), ""),
                "code_ids": dict.fromkeys(cons.codebook["code_id"], ""),
                "criterion_ids": dict.fromkeys(bench.criteria["criterion_id"], ""),
            }
            numbers, last_build = _last_build_numbers()
            cited = set()
            prose = [c for c in ("statement", "discussion") if c in table.findings]
            for refs, *texts in zip(table.findings[ft.REGISTRY_EVIDENCE], *(table.findings[c] for c in prose)):
                cited |= set(ft.split_ids(refs))
                for text in texts:
                    cited |= set(ft.PLACEHOLDER.findall(text or ""))
            locations = {k: inputs[k] for k in ("inventory_dir", "codebook_in", "benchmark_dir") if k in inputs}
            found = ft.check_evidence(
                table, evidence, numbers if last_build else cited, list(inv["institutions"]["id"]), locations
            )
            entry.problems.extend(_soften_numbers(found, ft.REGISTRY_EVIDENCE, *prose))
            if not last_build:
                entry.notes.append("cited numbers not checked: no build yet (the build checks them)")
    if "validation_in" in inputs:
        ids = table.finding_ids if table is not None else None
        run.attempt(
            inputs["validation_in"],
            lambda: ft.read_validation(
                inputs["validation_in"], ids if ids is not None else _rated_ids(inputs["validation_in"])
            ),
        )


def _rated_ids(path: str) -> list[str]:
    """Finding ids the validation workbook rates (when the findings workbook itself cannot be read)."""
    from analysis.engine.readers import read_excel_sheet

    ratings = read_excel_sheet(paths.resolve(path), "ratings")
    return [str(v) for v in ratings.get("finding_id", pd.Series([], dtype=object))]


def _exceptions(run: Run, inputs: dict[str, str]) -> None:
    if "exceptions_in" not in inputs:
        return
    from analysis.chapters.findings import gate

    run.attempt(inputs["exceptions_in"], lambda: gate.read_exceptions(inputs["exceptions_in"]))


def _other_files(run: Run) -> None:
    """Files of data/raw no reader opened: Excel's lock files, and files whose extension lies."""
    checked = {c.file for c in run.checked}
    raw = paths.resolve("data/raw")
    for path in sorted(p for p in raw.rglob("*") if p.is_file() and not p.name.startswith(".")):
        name = paths.relative(path)
        if path.name.startswith("~$"):
            found = what_file_is(path) + "; unsaved edits are not in the build"
            run.checked.append(
                Checked(name, [Problem(file=name, severity="warning", expected="no lock files", found=found)])
            )
            continue
        if name in checked or any(name.startswith(c.rstrip("/") + "/") for c in checked if not Path(c).suffix):
            continue
        problem = file_problem(path)
        if problem is not None:
            run.checked.append(Checked(name, [problem]))


# ---------------------------------------------------------------- numbers of the last build
def _last_build_numbers() -> tuple[set[str], bool]:
    """Ids of the numbers the last build recorded (data/processed/numbers.json), and whether there is one."""
    from analysis.engine import numbers

    merged = paths.resolve(numbers.MERGED)
    if not merged.exists():
        return set(), False
    return {n.id for n in numbers.load(merged)}, True


def _soften_numbers(problems: list[Problem], *columns: str) -> list[Problem]:
    """A cited number missing from the last build is a warning here: a notebook may record it next build."""
    return [
        replace(
            p,
            severity="warning",
            expected=p.expected.replace("data/processed/numbers.json", "the last build's numbers"),
        )
        if p.column in columns and "number" in p.expected
        else p
        for p in problems
    ]


# ---------------------------------------------------------------- output
def report(run: Run, seconds: float, brief: bool = False) -> str:
    """Every input with its problems and warnings; `brief` (the build) lists only the inputs with errors."""
    lines = []
    for entry in run.checked:
        errors, warnings = entry.errors, entry.warnings
        if brief and not errors:
            continue
        if brief:
            warnings = []
        mark = "✖" if errors else "⚠" if warnings else "✔"
        counts = ", ".join(part for part in (_count(len(errors), "problem"), _count(len(warnings), "warning")) if part)
        lines.append(
            f"{mark} {entry.file}"
            + (f": {counts}" if counts else "")
            + (f" ({'; '.join(entry.notes[:1])})" if entry.notes else "")
        )
        for problem in errors:
            lines.append(f"    {_said(problem, entry.file)}")
        for problem in warnings[:WARNINGS_SHOWN]:
            lines.append(f"    ⚠ {_said(problem, entry.file)}")
        if len(warnings) > WARNINGS_SHOWN:
            lines.append(f"    … and {len(warnings) - WARNINGS_SHOWN} more warnings")
        lines.extend(f"    {note}" for note in entry.notes[1:])
    errors = [p for e in run.checked for p in e.errors]
    broken = sum(1 for e in run.checked if e.errors)
    files = len({e.file for e in run.checked})
    if errors:
        lines.append(
            f"✖ {_count(len(errors), 'problem')} in {broken} of {files} inputs (checked in {seconds:.1f} s): "
            "fix them and run `make check` again"
        )
    else:
        warned = sum(len(e.warnings) for e in run.checked)
        said = f"; {_count(warned, 'warning')}: `make check` lists them" if brief and warned else ""
        lines.append(f"✔ inputs checked: all {files} usable{said} ({seconds:.1f} s)")
    return "\n".join(lines)


def _said(problem: Problem, file: str) -> str:
    return problem.message(with_file=problem.file != file)


def _count(n: int, noun: str) -> str:
    return "" if not n else f"{n} {noun}" + ("" if n == 1 else "s")


def main(argv: list[str] | None = None) -> int:
    """`python -m analysis check [--brief]`: exit 2 when any input has an error (warnings alone pass)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m analysis check")
    parser.add_argument("--brief", action="store_true", help="list only inputs with errors (the build's check)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    run = check_all()
    print(report(run, time.perf_counter() - started, brief=args.brief), flush=True)
    return 2 if any(e.errors for e in run.checked) else 0
