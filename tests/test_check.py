"""`make check` names every problem of every damaged input at once; templates enforce their rules; a copied
project reads its own inputs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis import check, templates

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the project's inputs (config, notebooks, data/raw) that a test may damage."""
    root = tmp_path / "project"
    for part in ("config", "notebooks", "data/raw"):
        shutil.copytree(REPO / part, root / part)
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(tmp_path / "out"))
    return root


def run_check() -> tuple[str, dict[str, check.Checked]]:
    run = check.check_all()
    return check.report(run, 0.0), {c.file: c for c in run.checked}


def messages(entry: check.Checked) -> str:
    return "\n".join(p.message() for p in entry.problems)


def test_example_inputs_pass(project):
    text, checked = run_check()
    assert not [c.file for c in checked.values() if c.errors], text
    assert text.splitlines()[-1].startswith("✔ inputs checked: all ")
    assert "data/raw/processing_times.csv" in checked and "data/raw/consultations" in checked


def test_every_damaged_file_is_named_in_one_pass(project):
    raw = project / "data" / "raw"
    (raw / "procedures.xlsx").write_text("step;fee\n1;100\n", encoding="utf-8")  # a wrong "Save as"
    (raw / "benchmark.xlsx").write_text("<!DOCTYPE html><html><body>Sign in</body></html>", encoding="utf-8")
    (raw / "findings.xlsx").write_bytes(b"")
    (raw / "~$regulation_inventory.xlsx").write_bytes(b"\x0cconsultant" + b"\x00" * 40)
    codebook = (raw / "consultations" / "codebook.csv").read_bytes()
    (raw / "consultations" / "codebook.csv").write_bytes(codebook[: codebook.rstrip().rfind(b"\n") + 12])
    respondents = (raw / "consultations" / "respondents.csv").read_text(encoding="utf-8").splitlines()
    (raw / "consultations" / "respondents.csv").write_text(
        "\n".join(respondents + [respondents[1]]) + "\n", encoding="utf-8"
    )
    sessions = (raw / "consultations" / "sessions.csv").read_text(encoding="utf-8").splitlines()
    header = sessions[0].split(",")
    fields = sessions[1].split(",")
    fields[header.index("paragraphs")] = "many"
    rows = [sessions[0], ",".join(fields)] + sessions[2:]
    (raw / "consultations" / "sessions.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    book = load_workbook(raw / "validation.xlsx")
    book["ratings"].title = "Sheet1"  # the sheet renamed by hand
    book.save(raw / "validation.xlsx")
    book = load_workbook(raw / "regulation_inventory.xlsx")
    book["roles"].delete_rows(1, book["roles"].max_row)  # emptied
    book.save(raw / "regulation_inventory.xlsx")

    text, checked = run_check()

    assert "a text file (first line: 'step;fee')" in messages(checked["data/raw/procedures.xlsx"])
    assert "an HTML page" in messages(checked["data/raw/benchmark.xlsx"])
    assert "an empty file (0 bytes)" in messages(checked["data/raw/findings.xlsx"])
    lock = checked["data/raw/~$regulation_inventory.xlsx"]
    assert lock.warnings and "lock file Excel keeps while the workbook is open" in messages(lock)
    consultations = messages(checked["data/raw/consultations"])
    assert "codebook.csv, row" in consultations and "was the file cut short?" in consultations
    assert "respondents.csv" in consultations and "a unique id" in consultations
    assert "sessions.csv, row 2, column 'paragraphs': expected a whole number; found 'many'" in consultations
    assert "sheet 'ratings': expected a sheet named 'ratings'; found 'Sheet1, README'" in messages(
        checked["data/raw/validation.xlsx"]
    )
    assert "sheet 'roles', row 1: expected a header row with the column names; found 'an empty sheet'" in messages(
        checked["data/raw/regulation_inventory.xlsx"]
    )
    assert text.splitlines()[-1].startswith("✖ ") and "in 6 of" in text.splitlines()[-1]


def test_cross_references_between_raw_files_and_excel_locale_csv(project):
    raw = project / "data" / "raw"
    book = load_workbook(raw / "procedures.xlsx")
    steps = book["steps"]
    column = [c.value for c in steps[1]].index("legal_basis") + 1
    steps.cell(2, column).value = "NO-SUCH-PROVISION"
    book.save(raw / "procedures.xlsx")
    segments = raw / "consultations" / "segments.csv"
    lines = segments.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    fields = lines[1].split(",")
    fields[header.index("code_id")] = "NOPE"
    segments.write_text("\n".join([lines[0], ",".join(fields)] + lines[2:]) + "\n", encoding="utf-8")
    for name in ("processing_times_values.csv", "processing_times_columns.csv", "processing_time_procedures.csv"):
        text = (raw / name).read_text(encoding="utf-8")
        import csv
        import io

        rows = list(csv.reader(io.StringIO(text)))
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)  # Excel, Russian locale
        (raw / name).write_bytes(out.getvalue().encode("cp1251"))

    text, checked = run_check()

    assert "legal_basis': expected the id of an existing provision of the inventory" in messages(
        checked["data/raw/procedures.xlsx"]
    )
    assert (
        "segments.csv, row 2, column 'code_id': expected the id of an existing code in the codebook; found 'NOPE'"
    ) in messages(checked["data/raw/consultations"])
    for name in ("processing_times_values.csv", "processing_times_columns.csv", "processing_time_procedures.csv"):
        assert not checked[f"data/raw/{name}"].errors, text


def _retype_receipt_dates(extract: Path, every: int, order: str, start: int = 0) -> None:
    """Type every `every`-th receipt date (field 8) as a/b/yyyy, day first ("dmy") or month first ("mdy")."""
    lines = extract.read_bytes().decode("cp1251").splitlines()
    for i in range(1 + start, len(lines), every):
        fields = lines[i].split(";")
        day, month, year = (fields[7].split(".") + ["", "", ""])[:3]
        if year:
            fields[7] = f"{day}/{month}/{year}" if order == "dmy" else f"{month}/{day}/{year}"
            lines[i] = ";".join(fields)
    extract.write_bytes("\r\n".join(lines).encode("cp1251") + b"\r\n")


def test_dates_typed_one_way_are_read_and_a_file_mixing_both_ways_stops(project):
    extract = project / "data" / "raw" / "processing_times.csv"
    original = extract.read_bytes()
    _retype_receipt_dates(extract, 5, "dmy")  # a fifth typed 15/01/2025: the day-first order is evident
    _, checked = run_check()
    assert not checked["data/raw/processing_times.csv"].errors
    extract.write_bytes(original)
    _retype_receipt_dates(extract, 10, "dmy")
    _retype_receipt_dates(extract, 10, "mdy", start=5)  # and another tenth typed 01/15/2025
    text, checked = run_check()
    said = messages(checked["data/raw/processing_times.csv"])
    assert "at most 5 % of rows excluded" in said, text
    assert "both day first and month first" in said, text


def test_check_command_exits_non_zero_with_plain_words(project):
    (project / "data" / "raw" / "benchmark.xlsx").write_text("<html></html>", encoding="utf-8")
    env = dict(os.environ)
    result = subprocess.run([sys.executable, "-m", "analysis", "check"], capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert "✖ data/raw/benchmark.xlsx: 1 problem" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


# ---------------------------------------------------------------- templates
def test_every_template_enforces_its_rules(tmp_path):
    templates.write_all(tmp_path)
    for name, sheets in templates.specs().items():
        book = load_workbook(tmp_path / name)
        for sheet, columns in sheets.items():
            ws = book[sheet]
            where = f"{name} {sheet}"
            assert ws.freeze_panes in ("A2", "B2"), where
            rules = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
            for index, col in enumerate(columns, start=1):
                letter = ws.cell(1, index).column_letter
                assert ws.cell(1, index).value == col.name, where
                assert ws.column_dimensions[letter].width, f"{where} {col.name}: no width"
                rule = rules[f"{letter}2"]
                assert rule.prompt and rule.showInputMessage, f"{where} {col.name}: no input hint"
                comment = ws.cell(1, index).comment
                assert comment is not None, f"{where} {col.name}: no header comment"
                assert comment.text.startswith("Required") == col.required, f"{where} {col.name}"
                controlled = (col.vocabulary is not None or col.kind == "bool") and not col.multi
                expected = "list" if controlled else {"date": "date", "int": "whole", "float": "decimal"}.get(col.kind)
                assert rule.type == expected, f"{where} {col.name}: {rule.type} rule, expected {expected}"
                if expected:
                    assert rule.showErrorMessage and rule.errorStyle == "stop", f"{where} {col.name}: alert not strict"
                if expected == "list":
                    values = _list_values(book, rule.formula1)
                    assert values == list(col.vocabulary or ["yes", "no"]), f"{where} {col.name}"


def _list_values(book, formula: str) -> list[str]:
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, cells = formula.split("!")
    column = cells.split(":")[0].replace("$", "").rstrip("0123456789")
    ws = book[sheet]
    assert ws.sheet_state == "hidden"
    return [c.value for c in ws[column] if c.value is not None]


# ---------------------------------------------------------------- set-up
def test_a_wrong_python_fails_at_once_naming_the_one_needed(tmp_path):
    fake = tmp_path / "python3.13"
    fake.write_text("#!/bin/sh\necho 3.13\n")
    fake.chmod(0o755)
    result = subprocess.run(
        ["make", "venv", f"VENV={tmp_path / 'venv'}", f"PYTHON={fake}"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "✖ Python 3.11 is needed" in result.stdout and "is Python 3.13" in result.stdout
    assert not (tmp_path / "venv").exists()


# ---------------------------------------------------------------- the folder you build in
@pytest.mark.slow
def test_a_copied_project_reads_its_own_inputs(tmp_path):
    """A project folder copied with its venv (whose package is installed from the original's src) checks
    from the copy's data/raw, whether found from the working directory or set by make."""
    from conftest import copy_project, make_in

    copy = copy_project(tmp_path / "copy")
    (copy / "data" / "raw" / "benchmark.xlsx").write_text("only in the copy", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")}
    by_hand = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-m", "analysis", "check"],
        cwd=copy,
        capture_output=True,
        text=True,
        env=env,
    )
    assert "✖ data/raw/benchmark.xlsx" in by_hand.stdout and "only in the copy" in by_hand.stdout
    by_make = make_in(copy, "check", check=False)
    assert by_make.returncode != 0 and "only in the copy" in by_make.stdout
    original = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-m", "analysis", "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
    )
    assert original.returncode == 0 and "only in the copy" not in original.stdout  # read from its own folder
