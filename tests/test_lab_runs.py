"""Reproducible anywhere, and a notebook run by hand (as in JupyterLab) never changes what `make` publishes.

The scenario of issue 11, in a copy of the project that holds a copy of the session's build (so nothing is
built twice): run a notebook by hand with `as_of` changed in its first cell, change another input and rebuild,
change it back and rebuild. Every published file then equals the session's build byte for byte, although the
notebooks that reran ran in another folder (no clock, no machine path in any output). A whole second build
elsewhere is what `make verify` does in CI.
"""

import hashlib
import os
import re

import pytest
from conftest import TEST_OUT, copy_built_project, make_in

pytestmark = pytest.mark.slow


def _digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_hand_run_changes_nothing_and_a_rebuild_elsewhere_gives_the_same_bytes(built_report, tmp_path, monkeypatch):
    project = copy_built_project(tmp_path / "project")
    assert make_in(project, "report").stdout == "", "the copy is up to date: make has nothing to do"
    first = {"processed": _digest(project / "data/processed"), "reports": _digest(project / "reports")}

    # By hand: no output root, as_of changed in the first cell, run from the notebooks folder.
    import papermill

    for name in [k for k in os.environ if k.startswith("ANALYSIS_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(project / "notebooks")
    papermill.execute_notebook(
        "20_procedures.ipynb",
        str(tmp_path / "by_hand.ipynb"),
        parameters={"as_of": "2024-06-01"},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(project / "notebooks"),
    )
    assert (project / ".lab/data/processed/procedures").is_dir(), "the hand run wrote to .lab/"
    assert _digest(project / "data/processed") == first["processed"]
    assert _digest(project / "reports") == first["reports"]

    # Another input changes and make rebuilds; changed back, the report is the first clean build again.
    exceptions = project / "data/raw/final_exceptions.yaml"
    original = exceptions.read_bytes()
    exceptions.write_bytes(original + b"# a note added and removed again\n")
    make_in(project, "html")  # the documents are made from the HTML: the last build writes them
    exceptions.write_bytes(original)
    rebuilt = make_in(project, "report").stdout
    assert "notebooks run" in rebuilt and "documents in" in rebuilt, rebuilt
    assert _digest(project / "data/processed") == first["processed"]
    # The copy is no git checkout, so the Reproducibility annex cannot name a commit (and the documents made
    # from the HTML differ by that line); everything else is the session's build, byte for byte.
    documents = {"draft/analysis.html", "draft/analysis.docx", "draft/analysis.pdf", "draft/manifest.json"}
    again = _digest(project / "reports")
    assert {k: v for k, v in again.items() if k not in documents} == {
        k: v for k, v in first["reports"].items() if k not in documents
    }
    commit = re.compile(r"<code>[^<]*</code>(?: \(with uncommitted changes to inputs or code\))?</td>")
    html = [
        commit.sub("", (root / "reports/draft/analysis.html").read_text(encoding="utf-8"))
        for root in (project, TEST_OUT)
    ]
    assert html[0] == html[1]
