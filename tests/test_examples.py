"""`make example-data` writes only inputs marked synthetic, and never the private key of names."""

import shutil

from conftest import REPO

from analysis.examples import regenerate


def _copy_project(tmp_path, monkeypatch):
    """A project of its own, read with its own configuration."""
    monkeypatch.delenv("ANALYSIS_CONFIG", raising=False)
    project = tmp_path / "project"
    for folder in ("config", "notebooks"):
        shutil.copytree(REPO / folder, project / folder)
    shutil.copytree(REPO / "data" / "raw", project / "data" / "raw")
    return project


def test_example_data_refuses_inputs_marked_real(tmp_path, monkeypatch, capsys):
    project = _copy_project(tmp_path, monkeypatch)
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(project))
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(tmp_path / "out"))
    provenance = project / "data" / "raw" / "provenance.yaml"
    text = provenance.read_text(encoding="utf-8")
    # The consultant replaced the respondents with real data and marked them so.
    marked = text.replace(
        "consultations/respondents.csv:\n  origin: synthetic", "consultations/respondents.csv:\n  origin: real"
    )
    assert marked != text
    provenance.write_text(marked, encoding="utf-8")
    respondents = project / "data" / "raw" / "consultations" / "respondents.csv"
    respondents.write_text("real data the consultant collected\n", encoding="utf-8")
    private = project / "data" / "private" / "identity_key.csv"
    private.parent.mkdir(parents=True)
    private.write_text("term\nA real name\n", encoding="utf-8")

    assert regenerate.main([]) == 0
    out = capsys.readouterr().out
    assert "skipped the consultations" in out and "consultations/respondents.csv" in out
    assert respondents.read_text(encoding="utf-8") == "real data the consultant collected\n"
    assert private.read_text(encoding="utf-8") == "term\nA real name\n"
    # The other generators still ran: their files are synthetic and come out byte for byte as bundled.
    assert (project / "data/raw/processing_times.csv").read_bytes() == (
        REPO / "data/raw/processing_times.csv"
    ).read_bytes()
    assert "✔ data/raw/processing_times.csv" in out


def test_example_data_refuses_another_corridor(tmp_path, monkeypatch, capsys):
    project = _copy_project(tmp_path, monkeypatch)
    config = project / "config" / "corridor.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("id: UZ-KG", "id: TJ-KZ"), encoding="utf-8")
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(project))
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(tmp_path / "out"))
    before = {p: p.read_bytes() for p in (project / "data" / "raw").rglob("*") if p.is_file()}
    assert regenerate.main([]) == 2
    assert "for the UZ-KG corridor" in capsys.readouterr().out
    assert before == {p: p.read_bytes() for p in (project / "data" / "raw").rglob("*") if p.is_file()}
