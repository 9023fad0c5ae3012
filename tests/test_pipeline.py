"""Make rules come from the notebooks' parameters; executed notebooks are normalised."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.engine import runner as pipeline


def write_notebook(folder, name, params, body="from analysis.engine import report"):
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[cell, new_code_cell(body)])
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture
def notebooks(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(tmp_path))
    folder = tmp_path / "notebooks"
    write_notebook(
        folder,
        "10_inventory",
        'stage = "draft"\ninventory_in = "data/raw/inv.xlsx"\n'
        'inventory_out = "data/processed/inventory"\nnumbers_out = "data/processed/numbers/10_inventory.json"',
    )
    write_notebook(
        folder,
        "20_procedures",
        'stage = "draft"\nsteps_in = "data/raw/steps.xlsx"\n'
        'provisions = "data/processed/inventory/provisions.csv"\nnumbers_out = "data/processed/numbers/20_procedures.json"',
    )
    write_notebook(
        folder,
        "50_benchmark",
        'stage = "draft"\nnumbers_in = "data/processed/numbers.json"\n'
        'numbers_out = "data/processed/numbers/50_benchmark.json"',
    )
    write_notebook(
        folder,
        "60_findings",
        'stage = "draft"\nnumbers_in = "data/processed/numbers.json"\n'
        'numbers_out = "data/processed/numbers/60_findings.json"',
    )
    write_notebook(folder, "05_summary", 'stage = "draft"\nnumbers_in = "data/processed/numbers.json"')
    return {s.name: s for s in pipeline.discover()}


def names(specs):
    return sorted(s.name for s in specs)


def test_inputs_and_outputs_from_parameters(notebooks):
    spec = notebooks["20_procedures"]
    assert spec.inputs == ["data/raw/steps.xlsx", "data/processed/inventory/provisions.csv"]
    assert spec.outputs == ["data/processed/numbers/20_procedures.json"]


def test_upstream_order(notebooks):
    all_specs = list(notebooks.values())
    assert names(pipeline.upstream(notebooks["20_procedures"], all_specs)) == ["10_inventory"]
    # number readers wait for the plain writers, and for readers with a lower number …
    assert names(pipeline.upstream(notebooks["50_benchmark"], all_specs)) == ["10_inventory", "20_procedures"]
    assert names(pipeline.upstream(notebooks["60_findings"], all_specs)) == [
        "10_inventory",
        "20_procedures",
        "50_benchmark",
    ]
    # … and a summary that records nothing waits for every writer, whatever its number.
    assert names(pipeline.upstream(notebooks["05_summary"], all_specs)) == [
        "10_inventory",
        "20_procedures",
        "50_benchmark",
        "60_findings",
    ]


def test_make_rules(notebooks):
    rules = pipeline.make_rules(list(notebooks.values())).splitlines()
    start = rules.index("NOTEBOOKS += 20_procedures")
    line = rules[start + 1]
    assert line.startswith("NOTEBOOK_PREREQS += $(wildcard notebooks/20_procedures.ipynb ")
    assert "$(call inputs_of,data/raw/steps.xlsx)" in line
    assert "data/processed/inventory/provisions.csv" not in line  # produced upstream, not a file prerequisite
    # imports, transitively, with the packages' __init__ files
    for module in ("engine/report.py", "engine/figures.py", "engine/__init__.py", "__init__.py"):
        assert f"src/analysis/{module}" in line
    assert "src/analysis/chapters/inventory.py" not in line
    assert "$(STAMPS)/config/20_procedures.digest" in line  # the configuration keys it read
    # a stamp has an empty rule, so that deleting it reruns the notebook
    assert rules[start + 2] == "$(STAMPS)/20_procedures.done: ;"


def test_prerequisite_files_are_the_make_rules_resolved(notebooks, tmp_path, output_root):
    (tmp_path / "data/raw").mkdir(parents=True)
    (tmp_path / "data/raw/steps.xlsx").write_bytes(b"")
    files = pipeline.prerequisite_files(notebooks["20_procedures"], list(notebooks.values()), "draft")
    assert files[:2] == [tmp_path / "notebooks/20_procedures.ipynb", tmp_path / "data/raw/steps.xlsx"]
    assert pipeline.PACKAGE_DIR / "engine/report.py" in files
    assert output_root / ".build/draft/config/20_procedures.digest" in files
    assert not any("provisions" in str(f) for f in files)


def test_imports_are_found_at_any_depth():
    """Lazy imports inside functions, branches, handlers and cases count as much as those at the top."""
    source = """
import analysis.engine.paths
from analysis.engine import config


def read():
    from analysis.engine import atomic

    class Reader:
        def method(self):
            import analysis.engine.text
    try:
        from analysis.engine import numbers
    except ImportError:
        from analysis.engine import prose
    finally:
        with open("x") as f:
            for line in f:
                while line:
                    if line:
                        from analysis.engine import figures
                    else:
                        from analysis.engine import calendar
    match f:
        case 1:
            from analysis.engine import glossary
    value = lambda: __import__("analysis.engine.report")  # a call, not an import statement
    from . import provenance
"""
    found = pipeline.imported_modules(source, "analysis.engine.readers")
    assert found >= {
        f"analysis.engine.{name}"
        for name in ("paths", "config", "atomic", "text", "numbers", "prose", "figures", "calendar", "glossary")
    }
    assert "analysis.engine.provenance" in found  # relative to the module's package
    assert "analysis.engine.report" not in found


def test_exactly_one_parameters_cell_is_required(tmp_path):
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nbformat.write(nb, tmp_path / "10_x.ipynb")
    with pytest.raises(pipeline.RunError, match="exactly one cell tagged 'parameters', found 0"):
        pipeline.parameters_of(tmp_path / "10_x.ipynb")


def test_normalise_removes_what_changes_between_runs():
    nb = new_notebook(cells=[new_markdown_cell("# T"), new_code_cell("x")])
    nb.metadata["papermill"] = {
        "start_time": "2026-01-01T00:00:00",
        "duration": 1.2,
        "parameters": {"stage": "draft"},
        "input_path": "/somewhere/notebooks/10.ipynb",
    }
    injected = new_code_cell('stage = "final"')
    injected.metadata["tags"] = ["injected-parameters"]
    injected.metadata["papermill"] = {"duration": 0.1}
    nb.cells.insert(1, injected)
    nb.cells[2].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    nb.cells[2].outputs = [
        new_output("stream", name="stderr", text="/somewhere/x.py:1: Warning"),
        new_output("stream", name="stdout", text="ok"),
    ]
    result, stderr = pipeline.normalise(nb)
    assert "papermill" not in result.metadata and result.metadata["pipeline"] == {"parameters": {"stage": "draft"}}
    assert result.cells[1]["id"] == "injected-parameters" and "papermill" not in result.cells[1].metadata
    assert "execution" not in result.cells[2].metadata
    assert [o["text"] for o in result.cells[2].outputs] == ["ok"]
    assert stderr == ["[cell 2] /somewhere/x.py:1: Warning"]


def test_outputs_with_this_machines_paths_are_caught():
    from analysis.engine import paths

    cell = new_code_cell("reg.save()")
    cell["id"] = "save"
    cell.outputs = [
        new_output("execute_result", data={"text/plain": f"PosixPath('{paths.project_root()}/data/x.json')"})
    ]
    assert pipeline.machine_paths_in(new_notebook(cells=[new_code_cell("1"), cell])) == ["save"]


def test_editing_a_config_key_touches_only_the_notebooks_that_read_it(notebooks, tmp_path, monkeypatch):
    import json

    config_file = tmp_path / "config" / "corridor.yaml"
    config_file.parent.mkdir(parents=True)
    base = (
        "corridor: {id: X}\nreport: {as_of: '2026-11-28'}\ncurrency: {code: KGS}\ncalendar: {}\n"
        "privacy: {min_cell_size: 5}\npathways: {}\n"
    )
    config_file.write_text(base + "inventory: {threshold: 1}\nprocedures: {threshold: 2}\n", encoding="utf-8")
    monkeypatch.setenv("ANALYSIS_CONFIG", str(config_file))
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(tmp_path / "out"))
    monkeypatch.delenv("AS_OF", raising=False)
    keys = tmp_path / "out/.build/draft/config-keys"
    keys.mkdir(parents=True)
    (keys / "10_inventory.json").write_text(json.dumps(["inventory.threshold"]), encoding="utf-8")
    (keys / "20_procedures.json").write_text(json.dumps(["procedures.threshold"]), encoding="utf-8")
    specs = [notebooks["10_inventory"], notebooks["20_procedures"]]
    digests = tmp_path / "out/.build/draft/config"

    def snapshot():
        return {p.name: (p.read_text(), p.stat().st_mtime_ns) for p in sorted(digests.glob("*.digest"))}

    pipeline.write_config_digests(specs, "draft")
    before = snapshot()
    from analysis.engine import config

    config._load.cache_clear()
    config_file.write_text(base + "inventory: {threshold: 1}\nprocedures: {threshold: 3}\n", encoding="utf-8")
    pipeline.write_config_digests(specs, "draft")
    after = snapshot()
    assert after["10_inventory.digest"] == before["10_inventory.digest"]  # not rewritten: make skips it
    assert after["20_procedures.digest"][0] != before["20_procedures.digest"][0]
