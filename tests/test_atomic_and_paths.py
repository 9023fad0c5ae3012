"""Outputs are written atomically, never into data/raw, and paths never depend on the cwd."""

import pytest

from analysis import atomic, paths


def test_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic.atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_raw_data_is_refused_unless_a_generator_asks(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_INPUT_ROOT", str(tmp_path))
    raw = tmp_path / "data" / "raw" / "x.json"
    with pytest.raises(atomic.RawDataWriteError, match="data/raw/ is read-only"):
        atomic.write_json(raw, {"a": 1})
    assert not raw.exists()
    atomic.write_json(raw, {"a": 1}, allow_raw=True)
    assert raw.read_text(encoding="utf-8") == '{\n  "a": 1\n}\n'


def test_generated_paths_follow_the_output_root(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert paths.resolve("data/processed/x.csv") == tmp_path / "data/processed/x.csv"
    assert paths.resolve("reports/draft/a.html") == tmp_path / "reports/draft/a.html"
    assert paths.resolve("data/raw/x.xlsx") == paths.REPO_ROOT / "data/raw/x.xlsx"
    assert paths.is_generated("data/processed") and not paths.is_generated("data/processed_old/x")
