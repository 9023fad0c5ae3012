"""Markdown prose: placeholders, conditions, synthetic notices and caption cells, as the runner renders them."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.engine import prose, report
from analysis.engine.figures import new_figure


def _nb(*cells):
    nb = new_notebook(cells=list(cells))
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"c{index}"
    return nb


def _md(text, *tags):
    cell = new_markdown_cell(text)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _shown(html):
    cell = new_code_cell("report.table(…)")
    cell.outputs = [new_output("display_data", data={"text/html": html})]
    return cell


VALUES = {"a.count": 3, "a.none": 0}


def lookup(name, spec):
    return {"a.count": "3 acts", "a.none": "0 acts", "destination": "Kyrgyzstan"}[name]


def test_placeholders_conditions_and_captions(tmp_path, monkeypatch):
    import pandas as pd

    fig, _ = new_figure()
    nb = _nb(
        _md("There are {a.count} in {destination}."),
        _md("Shown only when there are some.", "if:a.count"),
        _md("Dropped: there are none.", "if:a.none"),
        _md("Kept: none.", "unless:a.none"),
        _md("Acts by *level*", "caption"),
        _shown(report.table_html(pd.DataFrame({"x": [1]}), None, "legal inventory")),
        _md("Acts over time", "caption"),
        _shown(report.figure_html(fig, None, "legal inventory")),
    )
    prose.render(nb, lookup, VALUES.get, "10_x")
    texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert texts == ["There are 3 acts in Kyrgyzstan.", "Shown only when there are some.", "Kept: none."]
    table, figure = (c.outputs[0]["data"]["text/html"] for c in nb.cells if c.cell_type == "code")
    assert '<p class="caption table-caption"><strong>Table:</strong> Acts by <em>level</em></p>' in table
    assert "<strong>Figure:</strong> Acts over time <em>Source:</em> legal inventory" in figure
    assert 'alt="Acts over time"' in figure and "pending" not in figure


def test_every_problem_is_reported_with_its_cell():
    nb = _nb(_md("{missing.number} and {a.count}"), _md("A caption with nothing after it", "caption"))
    with pytest.raises(prose.ProseError) as exc:
        prose.render(nb, lookup, VALUES.get, "10_x")
    message = str(exc.value)
    assert "10_x.ipynb, cell 'c0': no recorded number or term for {missing.number}" in message
    assert "cell 'c1': a caption cell at the end of the notebook captions nothing" in message


def test_synthetic_notice_is_kept_only_for_synthetic_inputs(monkeypatch, tmp_path):
    project = tmp_path
    (project / "config").mkdir()
    (project / "notebooks").mkdir()
    (project / "data/raw").mkdir(parents=True)
    (project / "data/raw/provenance.yaml").write_text(
        "x.csv: {origin: synthetic}\ny.csv: {origin: real}\n", encoding="utf-8"
    )
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(project))
    nb = _nb(
        _md("Invented **example** data.", "if-synthetic:data/raw/x.csv"),
        _md("Not shown.", "if-synthetic:data/raw/y.csv"),
    )
    prose.render(nb, lookup, VALUES.get, "10_x")
    assert [c.source for c in nb.cells] == [
        '<div class="notice notice-synthetic">Invented <strong>example</strong> data.</div>'
    ]
    assert isinstance(nb, nbformat.NotebookNode)


def test_a_corridors_own_analysis_is_kept_only_for_that_corridor():
    nb = _nb(
        _md("Generic text."),
        _md("Analysis of this corridor's law.", "if-corridor:UZ-KG"),
        _md("Analysis of another corridor.", "if-corridor:TJ-KZ"),
    )
    prose.render(nb, lookup, VALUES.get, "10_x")
    assert [c.source for c in nb.cells] == ["Generic text.", "Analysis of this corridor's law."]


def test_another_corridors_cell_never_asks_for_the_numbers_of_its_conditions():
    def value_of(number_id):
        raise KeyError(number_id)  # the numbers another corridor's cell names are never recorded here

    nb = _nb(_md("Steps of a pathway this corridor does not have.", "if:procedures.patent.steps", "if-corridor:TJ-KZ"))
    prose.render(nb, lookup, value_of, "20_x")
    assert nb.cells == []
