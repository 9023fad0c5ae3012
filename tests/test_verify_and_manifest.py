"""`make verify` compares numbers, prose and notebook outputs; the manifest tracks inputs."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis.engine import manifest, verify


def numbers_file(path, value):
    path.write_text(
        json.dumps({"numbers": {"a.count": {"value": value, "unit": "acts", "source": "acts.csv"}}}), encoding="utf-8"
    )
    return path


def test_compare_numbers_names_the_changed_value(tmp_path):
    published = numbers_file(tmp_path / "pub.json", 42)
    rebuilt = numbers_file(tmp_path / "new.json", 41)
    assert verify.compare_numbers(published, rebuilt) == ["a.count: published 42 acts, rerun gives 41 (from acts.csv)"]
    assert verify.compare_numbers(published, numbers_file(tmp_path / "same.json", 42)) == []


def test_compare_notebook_compares_the_filled_prose(tmp_path):
    from nbformat.v4 import new_markdown_cell

    def prose(name, sentence):
        cell = new_markdown_cell(sentence)
        cell["id"] = "intro"
        path = tmp_path / name
        nbformat.write(new_notebook(cells=[cell]), path)
        return path

    lines = verify.compare_notebook(
        prose("a.ipynb", "The inventory holds 66 acts."), prose("b.ipynb", "The inventory holds 67 acts.")
    )
    assert len(lines) == 1 and "Markdown cell intro" in lines[0] and "66 acts" in lines[0]


def notebook_with(tmp_path, name, text):
    cell = new_code_cell("x")
    cell["id"] = "table-1"
    cell.outputs = [new_output("display_data", data={"text/html": text, "image/png": "iVBOR"})]
    path = tmp_path / name
    nbformat.write(new_notebook(cells=[cell]), path)
    return path


def test_compare_notebook_shows_where_outputs_differ(tmp_path):
    a = notebook_with(tmp_path, "a.ipynb", "<td>25,000</td>")
    b = notebook_with(tmp_path, "b.ipynb", "<td>25,001</td>")
    lines = verify.compare_notebook(a, b)
    assert len(lines) == 1 and "cell table-1 text/html" in lines[0] and "25,000" in lines[0] and "25,001" in lines[0]
    assert verify.compare_notebook(a, notebook_with(tmp_path, "c.ipynb", "<td>25,000</td>")) == []
    assert verify.compare_notebook(a, tmp_path / "missing.ipynb") == ["a.ipynb: not produced by the rerun"]


def test_manifest_reports_changed_inputs(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(tmp_path))
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(tmp_path))
    (tmp_path / "data" / "raw").mkdir(parents=True)
    raw = tmp_path / "data" / "raw" / "inv.csv"
    raw.write_text("a", encoding="utf-8")
    (tmp_path / "reports" / "draft").mkdir(parents=True)
    manifest.write("draft")
    assert manifest.differences("draft") == []
    raw.write_text("b", encoding="utf-8")
    (tmp_path / "data" / "raw" / "new.csv").write_text("c", encoding="utf-8")
    assert manifest.differences("draft") == [
        "changed since the report was built: data/raw/inv.csv",
        "added since the report was built: data/raw/new.csv",
    ]


@pytest.mark.slow
def test_verify_catches_a_tampered_number(built_report, tmp_path, capsys):
    import shutil

    published = tmp_path / "published"
    shutil.copytree(built_report, published)
    data = json.loads((published / "numbers.json").read_text(encoding="utf-8"))
    numeric = sorted(k for k, n in data["numbers"].items() if isinstance(n["value"], (int, float)))
    assert numeric, "the example build records numbers"
    key = numeric[0]
    data["numbers"][key]["value"] += 1
    (published / "numbers.json").write_text(json.dumps(data), encoding="utf-8")
    rebuilt_root = built_report.parents[1]
    assert verify.verify("draft", published, rebuilt_root) == 1
    out = capsys.readouterr().out
    assert key in out and "numbers" in out and "FAIL" in out
    assert verify.verify("draft", built_report, rebuilt_root) == 0
