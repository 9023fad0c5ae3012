"""The build: which notebooks rerun, warm kernels give plain papermill's bytes, the HTML cache and page (make itself: test_make.py)."""

import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, TEST_OUT
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.engine import build, runner
from analysis.engine import watch as watching
from analysis.engine.assemble import chapter

# ---------------------------------------------------------------- which notebooks rerun (no kernels)


def _notebook(folder: Path, name: str, params: str) -> None:
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    folder.mkdir(parents=True, exist_ok=True)
    nb = new_notebook(cells=[cell, new_code_cell("from analysis.engine import paths")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture
def project(tmp_path, monkeypatch, output_root):
    """Two chapters, the second reading the first's table, built once (stamps older than nothing)."""
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(tmp_path))
    shutil.copytree(REPO / "config", tmp_path / "config")
    (tmp_path / "data/raw").mkdir(parents=True)
    (tmp_path / "data/raw/a.csv").write_text("x\n1\n")
    _notebook(
        tmp_path / "notebooks",
        "10_a",
        'stage = "draft"\na_in = "data/raw/a.csv"\n'
        'a_out = "data/processed/a"\nnumbers_out = "data/processed/numbers/10_a.json"',
    )
    _notebook(
        tmp_path / "notebooks",
        "20_b",
        'stage = "draft"\ntable_in = "data/processed/a/t.csv"\nnumbers_out = "data/processed/numbers/20_b.json"',
    )
    specs = runner.discover()
    runner.write_config_digests(specs, "draft")
    (tmp_path / "requirements.lock").write_text("")
    for spec in specs:
        build.executed("draft", spec.name).parent.mkdir(parents=True, exist_ok=True)
        build.executed("draft", spec.name).write_text("{}")
        build.stamp("draft", spec.name, "outputs").write_text("digest")
    later = time.time() + 5
    for spec in specs:
        build.stamp("draft", spec.name).write_text("")
        os.utime(build.stamp("draft", spec.name), (later, later))
    return {s.name: s for s in specs}


def test_a_built_notebook_has_no_reason_to_rerun(project):
    specs = list(project.values())
    assert [build.own_reason(s, specs, "draft") for s in specs] == [None, None]
    assert build.upstream_reason(project["20_b"], specs, "draft") is None


def test_a_changed_input_or_missing_stamp_reruns_the_notebook_and_may_rerun_what_reads_it(project, tmp_path):
    specs = list(project.values())
    raw = tmp_path / "data/raw/a.csv"
    os.utime(raw, (time.time() + 10, time.time() + 10))
    assert build.own_reason(project["10_a"], specs, "draft") == "data/raw/a.csv changed"
    assert build.own_reason(project["20_b"], specs, "draft") is None
    assert build.downstream({"10_a"}, specs) == {"10_a", "20_b"}
    # The reader reruns only if the first notebook's outputs changed (their stamp is rewritten only then).
    outputs = build.stamp("draft", "10_a", "outputs")
    os.utime(outputs, (time.time() + 20, time.time() + 20))
    assert build.upstream_reason(project["20_b"], specs, "draft") == "outputs of 10_a changed"
    build.stamp("draft", "20_b").unlink()
    assert build.own_reason(project["20_b"], specs, "draft") == "not built yet"


def test_an_executed_notebook_replaced_after_its_build_reruns(project):
    """`git checkout reports/` puts back an older run: the report must not be assembled from it."""
    specs = list(project.values())
    assert build.own_reason(project["10_a"], specs, "draft") is None
    os.utime(build.executed("draft", "10_a"), (time.time() + 30, time.time() + 30))
    assert (
        build.own_reason(project["10_a"], specs, "draft")
        == "reports/draft/notebooks/10_a.ipynb changed since it was built"
    )


def test_the_longest_chain_starts_first(project):
    chains = build.chain_seconds(list(project.values()), "draft")
    assert chains["10_a"] > chains["20_b"] > 0


def test_outputs_digest_follows_content_not_time(project, tmp_path, output_root):
    table = output_root / "data/processed/a/t.csv"
    table.parent.mkdir(parents=True)
    table.write_text("x\n1\n")
    first = build.outputs_digest(project["10_a"])
    os.utime(table, (time.time() + 30, time.time() + 30))
    assert build.outputs_digest(project["10_a"]) == first
    table.write_text("x\n2\n")
    assert build.outputs_digest(project["10_a"]) != first


# ---------------------------------------------------------------- the HTML cache and the watch page


def test_a_chapter_is_rendered_once_until_its_notebook_changes(tmp_path, output_root, monkeypatch):
    from analysis.engine.assemble import html

    calls = []
    monkeypatch.setattr(html, "chapter_html", lambda name, nb: calls.append(name) or (f"<p>{name}</p>", ""))
    executed = tmp_path / "10_a.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# A")]), executed)
    assert chapter("draft", executed) == (["<p>10_a</p>", ""], True)
    assert chapter("draft", executed) == (["<p>10_a</p>", ""], False)
    nbformat.write(new_notebook(cells=[new_markdown_cell("# A, changed")]), executed)
    assert chapter("draft", executed)[1] is True
    assert calls == ["10_a", "10_a"]


def test_the_served_page_reloads_and_shows_errors_but_the_report_has_no_script(tmp_path, output_root):
    report = output_root / "reports/draft/analysis.html"
    report.parent.mkdir(parents=True)
    report.write_text('<!DOCTYPE html><html><body class="stage-draft"><p>Report</p></body></html>')
    session = watching.Session("draft")
    session.finished(None)
    page = session.page().decode()
    assert "EventSource" in page and f'"{session.version}"' in page and "The last build failed" not in page
    session.finished("40_processing_times failed in cell 3:\nInputError: <bad> row 2")
    page = session.page().decode()
    assert "The last build failed" in page and "&lt;bad&gt; row 2" in page
    assert page.index("The last build failed") < page.index("<p>Report</p>")
    assert "<script" not in report.read_text()


def test_editor_files_do_not_start_a_build():
    assert watching.relevant(None, "/p/data/raw/benchmark.xlsx")
    for name in (
        "/p/data/raw/~$benchmark.xlsx",
        "/p/notebooks/.~10.ipynb",
        "/p/notebooks/.ipynb_checkpoints/x.ipynb",
        "/p/src/analysis/__pycache__/x.pyc",
        "/p/config/corridor.yaml.swp",
    ):
        assert not watching.relevant(None, name), name


# ---------------------------------------------------------------- warm kernels (slow: they run notebooks)


@pytest.mark.slow
def test_warm_spare_and_plain_kernels_give_the_same_notebook_and_warm_ones_are_quiet(
    tmp_path, output_root, capfd, monkeypatch
):
    from jupyter_client.manager import AsyncKernelManager

    from analysis.engine.kernels import WarmKernels

    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(tmp_path))
    shutil.copytree(REPO / "config", tmp_path / "config")
    _notebook(tmp_path / "notebooks", "10_a", 'stage = "draft"')
    path = tmp_path / "notebooks/10_a.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[1:] = [
        new_code_cell("import pandas as pd\nfrom analysis.engine import figures"),
        new_code_cell("import sys\nprint(sorted({'b', 'a', 'c'}), hash('x'), stage)\npd.DataFrame({'n': [1, 2]})"),
        new_code_cell(
            "fig, ax = figures.new_figure()\nax.plot([1, 2])\nfrom IPython.display import Image\n"
            "Image(figures.png_bytes(fig))"
        ),
    ]
    nbformat.write(nb, path)
    for variable, value in runner.BUILD_ENVIRONMENT.items():  # as make exports them: both kernels inherit them
        monkeypatch.setenv(variable, value)
    spec = runner.discover()[0]
    with WarmKernels(runner.notebook_imports([spec])) as kernels:
        forks = []
        fork = kernels.fork
        monkeypatch.setattr(kernels, "fork", lambda *args: forks.append(args) or fork(*args))
        runner.execute(spec, [spec], "draft", kernels.manager_class)
        warm = build.executed("draft", spec.name).read_bytes()
        assert len(forks) == 2  # the notebook's kernel, and a spare started like it for the next notebook
        spare = kernels._spare
        runner.execute(spec, [spec], "draft", kernels.manager_class)
        assert build.executed("draft", spec.name).read_bytes() == warm
        assert len(forks) == 3  # the second notebook ran in the spare; only its replacement was forked
        assert not spare.connection_file.exists()  # the manager that adopted it removed it at shutdown
    messages = capfd.readouterr()
    assert "without encryption" not in messages.err and "KeyboardInterrupt" not in messages.out + messages.err
    runner.execute(spec, [spec], "draft", AsyncKernelManager)
    assert build.executed("draft", spec.name).read_bytes() == warm
    assert b"image/png" in warm and b"['a', 'b', 'c']" in warm


@pytest.mark.slow
# Three notebooks stand for the kinds there are (tables and citations; figures and the privacy scan; prose filled
# from every other chapter's numbers): the kernel, not the notebook, is what differs, and nbval runs them all.
@pytest.mark.parametrize("name", ["10_legal_framework", "30_consultations", "60_findings"])
def test_plain_papermill_reruns_a_built_notebook_to_the_same_bytes(built_report, name, tmp_path, monkeypatch):
    """What IOM does: rerun one notebook with papermill's own kernel; the executed notebook is the build's."""
    from jupyter_client.manager import AsyncKernelManager

    shutil.copytree(TEST_OUT / "data", tmp_path / "data")
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(tmp_path))
    for variable, value in runner.BUILD_ENVIRONMENT.items():  # what make exports to every build
        monkeypatch.setenv(variable, value)
    specs = runner.discover()
    runner.execute(next(s for s in specs if s.name == name), specs, "draft", AsyncKernelManager)
    rerun = tmp_path / "reports/draft/notebooks" / f"{name}.ipynb"
    assert rerun.read_bytes() == (built_report / "notebooks" / f"{name}.ipynb").read_bytes()
