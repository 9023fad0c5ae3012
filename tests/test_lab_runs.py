"""A notebook run by hand (as in JupyterLab) never changes what `make` publishes.

The scenario of issue 11: build, change `as_of` in a notebook's first cell and run it by hand, then change
another input and rebuild: the published numbers and HTML must equal a clean build of the same inputs.
"""

import hashlib
import os
import shutil
import subprocess

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow

COPIED = ("config", "notebooks", "data/raw", "references", "src")
FILES = ("Makefile", "requirements.lock", "pyproject.toml")


def _digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _make(project, *args, out=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")}
    command = ["make", "-s", "-j2", f"VENV={REPO / '.venv'}", *args]
    if out is not None:
        command.append(f"OUT={out}")
    subprocess.run(command, cwd=project, env=env, check=True, stdout=subprocess.DEVNULL)


def test_a_hand_run_changes_nothing_make_publishes(tmp_path, monkeypatch):
    project = tmp_path / "project"
    for folder in COPIED:
        shutil.copytree(REPO / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in FILES:
        shutil.copy2(REPO / name, project / name)
    _make(project, "report")
    published = {"processed": _digest(project / "data/processed"), "reports": _digest(project / "reports")}

    # By hand: no output root, as_of changed in the first cell, run from the notebooks folder.
    import papermill

    for name in [k for k in os.environ if k.startswith("ANALYSIS_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(project / "notebooks")
    papermill.execute_notebook("20_procedures.ipynb", str(tmp_path / "by_hand.ipynb"),
                               parameters={"as_of": "2024-06-01"}, kernel_name="python3",
                               progress_bar=False, cwd=str(project / "notebooks"))
    assert (project / ".lab/data/processed/procedures").is_dir(), "the hand run wrote to .lab/"
    assert _digest(project / "data/processed") == published["processed"]
    assert _digest(project / "reports") == published["reports"]

    # Another input changes; make rebuilds; the result equals a clean build of the same inputs.
    respondents = project / "data/raw/consultations/respondents.csv"
    lines = respondents.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",female,", ",male,") if ",female," in lines[1] else lines[1].replace(",male,", ",female,")
    respondents.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _make(project, "report")
    clean = tmp_path / "clean"
    _make(project, "report", out=clean)
    for name in ("numbers.json", "analysis.html"):
        assert (project / "reports/draft" / name).read_bytes() == (clean / "reports/draft" / name).read_bytes(), name
