"""House rules of the repository that a reviewer would otherwise check by hand."""

import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

import nbformat
import yaml

from analysis.engine import manifest
from analysis.engine import runner as pipeline

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_notebooks_are_committed_without_outputs():
    assert NOTEBOOKS
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, (
                    f"{path.name} cell {cell.get('id')} has outputs"
                )


def test_every_notebook_has_one_parameters_cell_with_the_standard_parameters():
    for path in NOTEBOOKS:
        params = pipeline.parameters_of(path)
        assert {"stage", "as_of"} <= set(params), path.name
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata["kernelspec"]["name"] == "python3", path.name
        ids = [c.get("id") for c in nb.cells]
        assert len(ids) == len(set(ids)) and all(ids), f"{path.name}: cell ids must be unique and present"


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*==\s*([^\s;]+)", line)
        if match:
            pins[re.sub(r"\[.*\]", "", match.group(1)).lower().replace("_", "-")] = match.group(2)
    return pins


def test_environment_yml_pins_the_same_versions_as_requirements_lock():
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"] if isinstance(d, str))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    lock = _pins((REPO / "requirements.lock").read_text(encoding="utf-8").splitlines())
    env_pins = _pins(pip_section)
    assert env_pins == lock, {
        k: (env_pins.get(k), lock.get(k))
        for k in set(env_pins) ^ set(lock) | {k for k in env_pins if env_pins[k] != lock.get(k)}
    }
    requested = _pins((REPO / "requirements.in").read_text(encoding="utf-8").splitlines())
    for name, version in requested.items():
        assert lock.get(name) == version, f"requirements.in pins {name}=={version}, the lock has {lock.get(name)}"


def test_published_report_matches_its_inputs():
    """Committed outputs must never pass for current when inputs or code changed (git keeps no mtimes)."""
    problems = manifest.differences("draft", REPO / "reports" / "draft" / "manifest.json")
    assert problems == [], "reports/draft is stale; run `make report` and commit:\n" + "\n".join(problems)


def test_no_machine_paths_in_tracked_files():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    # This machine's own locations (checkout parent, home, temp), so the test names no path itself.
    needles = {str(REPO.parent) + os.sep, os.path.expanduser("~") + os.sep, tempfile.gettempdir() + os.sep}
    pattern = re.compile("|".join(re.escape(n) for n in sorted(needles)))
    offenders = []
    for name in tracked:
        path = REPO / name
        if path.suffix in {".docx", ".pdf", ".xlsx", ".png", ".qdpx"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if pattern.search(text):
            offenders.append(name)
    assert offenders == []


def test_findings_of_the_published_report_are_traceable():
    data = json.loads((REPO / "reports" / "draft" / "numbers.json").read_text(encoding="utf-8"))
    for key, finding in data["numbers"].items():
        assert finding["source"], f"{key} has no source"
        assert finding["unit"] is not None and finding["description"], key
