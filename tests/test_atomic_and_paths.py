"""Outputs are written atomically, never into data/raw or data/private, and paths never depend on the cwd."""

import pytest

from analysis.engine import atomic, paths


def test_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic.atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [target]


def _project(tmp_path, provenance: str):
    (tmp_path / "config").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "provenance.yaml").write_text(provenance, encoding="utf-8")
    return tmp_path


def test_raw_data_is_written_only_when_marked_synthetic(tmp_path, monkeypatch):
    project = _project(tmp_path, "x.json: {origin: synthetic}\nreal.csv: {origin: real}\n")
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(project))
    raw = project / "data" / "raw" / "x.json"
    with pytest.raises(atomic.RawDataWriteError, match="data/raw/ is read-only"):
        atomic.write_json(raw, {"a": 1})
    assert not raw.exists()
    atomic.write_json(raw, {"a": 1}, allow_raw=True)
    assert raw.read_text(encoding="utf-8") == '{\n  "a": 1\n}\n'
    for name in ("real.csv", "unlisted.csv"):
        with pytest.raises(atomic.RawDataWriteError, match="does not list it as synthetic"):
            atomic.write_text(project / "data" / "raw" / name, "x", allow_raw=True)
    with pytest.raises(atomic.RawDataWriteError, match="data/private/ is never written"):
        atomic.write_text(project / "data" / "private" / "identity_key.csv", "term\n", allow_raw=True)


def test_generated_paths_follow_the_output_root(tmp_path, monkeypatch):
    project = _project(tmp_path / "project", "{}\n")
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(tmp_path / "out"))
    for name in ("ANALYSIS_PROJECT_ROOT", "ANALYSIS_PROJECT_ROOT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(project / "notebooks")
    assert paths.project_root() == project  # found from the working directory, not the installed package
    assert paths.resolve("data/processed/x.csv") == tmp_path / "out/data/processed/x.csv"
    assert paths.resolve("reports/draft/a.html") == tmp_path / "out/reports/draft/a.html"
    assert paths.resolve("data/raw/x.xlsx") == project / "data/raw/x.xlsx"
    assert paths.is_generated("data/processed") and not paths.is_generated("data/processed_old/x")


def test_an_interactive_run_writes_to_lab_and_reads_the_build(tmp_path, monkeypatch):
    """Run by hand (no output root): reads fall back to make's tables, writes go to .lab/."""
    project = _project(tmp_path, "{}\n")
    monkeypatch.delenv("ANALYSIS_OUTPUT_ROOT", raising=False)
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(project))
    built = project / "data/processed/inventory/acts.csv"
    built.parent.mkdir(parents=True)
    built.write_text("published", encoding="utf-8")
    assert paths.interactive()
    assert paths.resolve("data/processed/inventory/acts.csv") == built
    written = atomic.write_text(paths.resolve("data/processed/inventory/acts.csv"), "explored")
    assert written == project / ".lab/data/processed/inventory/acts.csv"
    assert built.read_text(encoding="utf-8") == "published"
    assert paths.resolve("data/processed/inventory/acts.csv") == written
