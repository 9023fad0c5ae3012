"""Reproducible anywhere, and a notebook run by hand (as in JupyterLab) never changes what `make` publishes.

A second clean build, in another folder, gives byte-identical notebooks and numbers. Then the scenario of
issue 11: change `as_of` in a notebook's first cell and run it by hand, change another input and rebuild,
change it back and rebuild: every published file equals the clean build's again.
"""

import hashlib
import os

import pytest
from conftest import copy_project, make_in

pytestmark = pytest.mark.slow


def _digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_second_clean_build_elsewhere_is_identical_and_a_hand_run_changes_nothing(built_report, tmp_path,
                                                                                  monkeypatch):
    project = copy_project(tmp_path / "project")
    make_in(project, "report")
    published = project / "reports/draft"
    # Same inputs in another folder: byte-identical executed notebooks and numbers (no clock, no machine path).
    names = sorted(p.name for p in (built_report / "notebooks").glob("*.ipynb"))
    assert names == sorted(p.name for p in (published / "notebooks").glob("*.ipynb"))
    for name in names:
        assert (built_report / "notebooks" / name).read_bytes() == (published / "notebooks" / name).read_bytes(), name
    assert (built_report / "numbers.json").read_bytes() == (published / "numbers.json").read_bytes()
    first = {"processed": _digest(project / "data/processed"), "reports": _digest(project / "reports")}

    # By hand: no output root, as_of changed in the first cell, run from the notebooks folder.
    import papermill

    for name in [k for k in os.environ if k.startswith("ANALYSIS_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(project / "notebooks")
    papermill.execute_notebook("20_procedures.ipynb", str(tmp_path / "by_hand.ipynb"),
                               parameters={"as_of": "2024-06-01"}, kernel_name="python3",
                               progress_bar=False, cwd=str(project / "notebooks"))
    assert (project / ".lab/data/processed/procedures").is_dir(), "the hand run wrote to .lab/"
    assert _digest(project / "data/processed") == first["processed"]
    assert _digest(project / "reports") == first["reports"]

    # Another input changes and make rebuilds; changed back, the report is the first clean build again.
    exceptions = project / "data/raw/final_exceptions.yaml"
    original = exceptions.read_bytes()
    exceptions.write_bytes(original + b"# a note added and removed again\n")
    make_in(project, "report")
    exceptions.write_bytes(original)
    make_in(project, "report")
    assert _digest(project / "data/processed") == first["processed"]
    assert _digest(project / "reports") == first["reports"]
