"""Shared fixtures. Slow tests and nbval share one pipeline build in a scratch output root."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Everything the tests build goes here (git-ignored), never into data/processed or reports/.
TEST_OUT = REPO / ".build" / "test-out"


def _needs_build(items) -> bool:
    return any(item.get_closest_marker("slow") or item.nodeid.endswith(".ipynb") or ".ipynb::" in item.nodeid
               for item in items)


def pytest_configure(config):
    # Notebooks executed by nbval read upstream tables from the scratch build, never from the repository
    # (make exports ANALYSIS_OUTPUT_ROOT as the repository for its own recipes, so override it here).
    os.environ["ANALYSIS_OUTPUT_ROOT"] = str(TEST_OUT)
    # make exports the project folder too, which would override the scratch projects of the tests
    # (ANALYSIS_INPUT_ROOT) and let them write into the repository; tests find the repository themselves.
    os.environ.pop("ANALYSIS_PROJECT_ROOT", None)
    os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collection_finish(session):
    if _needs_build(session.items) and not session.config.option.collectonly:
        build_pipeline("draft")


def build_pipeline(stage: str) -> Path:
    """Build the stage into TEST_OUT with the real Makefile (incremental: reruns only what changed)."""
    env = dict(os.environ, ANALYSIS_OUTPUT_ROOT=str(TEST_OUT))
    subprocess.run(["make", "-s", "-j2", "report", f"STAGE={stage}", f"OUT={TEST_OUT}"], cwd=REPO, env=env,
                   check=True)
    return TEST_OUT


@pytest.fixture(scope="session")
def built_report() -> Path:
    """The draft report built from the bundled example data into the scratch output root."""
    return build_pipeline("draft") / "reports" / "draft"


@pytest.fixture
def output_root(tmp_path, monkeypatch) -> Path:
    """Send generated files of a unit test to a temporary folder."""
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(tmp_path))
    return tmp_path
