"""From draft to final on a copy of the project: comments in, gate refuses, responses, final report."""

import os
import subprocess
import sys

import pytest
from conftest import copy_built_project, make_in
from openpyxl import load_workbook

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(built_report, tmp_path_factory):
    return copy_built_project(tmp_path_factory.mktemp("project"))


def run(project, *args, check=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_") and k != "AS_OF"}
    env.update(ANALYSIS_PROJECT_ROOT=str(project), ANALYSIS_OUTPUT_ROOT=str(project))
    return subprocess.run(list(args), cwd=project, env=env, capture_output=True, text=True, check=check)


def make(project, *targets, check=True):
    return make_in(project, *targets, check=check)


def test_comments_gate_and_final_report(project):
    assert make(project, "report").stdout == "", "the copy holds the session's build"
    run(project, sys.executable, "-m", "analysis", "synthetic-feedback")
    first = make(project, "feedback").stdout
    again = make(project, "feedback").stdout
    log = project / "data" / "feedback" / "feedback_log.xlsx"
    wb = load_workbook(log)
    sheet = wb.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = sheet.max_row - 1
    assert rows >= 3, first
    assert "0 new" in again or "no new" in again.lower(), again

    refused = make(project, "final", check=False)
    assert refused.returncode != 0
    assert "response" in (refused.stdout + refused.stderr).lower()
    assert not (project / "reports" / "final" / "analysis.html").exists()

    status, response = header.index("status") + 1, header.index("response") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=status).value = "accepted"
        sheet.cell(row=row, column=response).value = "Addressed in the final text."
    wb.save(log)
    make(project, "feedback")  # a re-import keeps the responses just written
    kept = load_workbook(log).worksheets[0]
    assert all(kept.cell(row=r, column=response).value for r in range(2, kept.max_row + 1))
    assert kept.max_row - 1 == rows

    make(project, "final")
    html = (project / "reports" / "final" / "analysis.html").read_text(encoding="utf-8")
    assert "FINAL" in html and "DRAFT —" not in html
    assert "How feedback was addressed" in html
