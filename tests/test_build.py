"""The build: which notebooks rerun, warm kernels give plain papermill's bytes, the HTML cache and page (make itself: test_make.py)."""

import json
import os
import shutil
import subprocess
import sys
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
        build.stamp("draft", spec.name, "outputs").write_text('{"data/processed/a": "first"}')
        build.stamp("draft", spec.name, "read").write_text(json.dumps(build.versions_read(spec, specs, "draft")))
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
    assert build.own_reason(project["10_a"], specs, "draft") == ("data/raw/a.csv changed", False)
    assert build.own_reason(project["20_b"], specs, "draft") is None
    assert build.downstream({"10_a"}, specs) == {"10_a", "20_b"}
    # The reader reruns only if an output of the first notebook that it reads changed: a rerun that
    # rewrites the same table (its time alone changes) does not rerun it.
    outputs = build.stamp("draft", "10_a", "outputs")
    os.utime(outputs, (time.time() + 20, time.time() + 20))
    assert build.upstream_reason(project["20_b"], specs, "draft") is None
    outputs.write_text('{"data/processed/a": "second"}')
    assert build.upstream_reason(project["20_b"], specs, "draft") == "outputs of 10_a changed"
    build.stamp("draft", "20_b").unlink()
    assert build.own_reason(project["20_b"], specs, "draft") == ("not built yet", False)


def test_a_reader_reruns_only_for_the_outputs_it_reads(project, tmp_path):
    """The first notebook's numbers fragment changes, but the second reads only its table."""
    specs = list(project.values())
    assert build.versions_read(project["20_b"], specs, "draft") == {"10_a:data/processed/a": "first"}
    build.stamp("draft", "10_a", "outputs").write_text(
        '{"data/processed/a": "first", "data/processed/numbers/10_a.json": "changed"}'
    )
    assert build.upstream_reason(project["20_b"], specs, "draft") is None


def test_a_saved_notebook_is_all_that_changed(project, tmp_path):
    specs = list(project.values())
    path = project["20_b"].path
    os.utime(path, (time.time() + 10, time.time() + 10))
    assert build.own_reason(project["20_b"], specs, "draft") == ("notebooks/20_b.ipynb changed", True)
    os.utime(tmp_path / "requirements.lock", (time.time() + 10, time.time() + 10))
    assert build.own_reason(project["20_b"], specs, "draft") == ("notebooks/20_b.ipynb changed", False)


def test_an_executed_notebook_replaced_after_its_build_reruns(project):
    """`git checkout reports/` puts back an older run: the report must not be assembled from it."""
    specs = list(project.values())
    assert build.own_reason(project["10_a"], specs, "draft") is None
    os.utime(build.executed("draft", "10_a"), (time.time() + 30, time.time() + 30))
    assert build.own_reason(project["10_a"], specs, "draft") == (
        "reports/draft/notebooks/10_a.ipynb changed since it was built",
        False,
    )


def test_the_longest_chain_starts_first(project):
    chains = build.chain_seconds(list(project.values()), "draft")
    assert chains["10_a"] > chains["20_b"] > 0


def test_outputs_digests_follow_content_not_time(project, tmp_path, output_root):
    table = output_root / "data/processed/a/t.csv"
    table.parent.mkdir(parents=True)
    table.write_text("x\n1\n")
    first = build.outputs_digests(project["10_a"])
    assert set(first) == {"data/processed/a", "data/processed/numbers/10_a.json"}
    os.utime(table, (time.time() + 30, time.time() + 30))
    assert build.outputs_digests(project["10_a"]) == first
    table.write_text("x\n2\n")
    changed = build.outputs_digests(project["10_a"])
    assert changed["data/processed/a"] != first["data/processed/a"]
    assert changed["data/processed/numbers/10_a.json"] == first["data/processed/numbers/10_a.json"]


def _recorded_run(spec: runner.NotebookSpec) -> nbformat.NotebookNode:
    """What a run of the notebook leaves: papermill's cell after the parameters, outputs, run settings;
    recorded with the source that ran, and returned."""
    source = nbformat.read(spec.path, as_version=4)
    if source.cells[1].cell_type != "markdown":
        source.cells.insert(1, new_markdown_cell("Before the code.", id="before"))
        source.cells.append(new_markdown_cell("The end.", id="end"))
        nbformat.write(source, spec.path)
    run = nbformat.from_dict(json.loads(json.dumps(source)))
    injected = new_code_cell("stage = 'draft'", id="injected-parameters")
    injected.metadata["tags"] = ["injected-parameters"]
    run.cells.insert(1, injected)
    run.cells[-2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="ran\n")]
    run.metadata["pipeline"] = {"parameters": runner.injected_parameters(spec, "draft")}
    record = runner.run_record("draft", spec.name)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"source": source, "run": run}))
    return run


def test_an_edit_of_markdown_alone_keeps_the_runs_outputs_and_takes_the_new_prose(project):
    spec = project["20_b"]
    _recorded_run(spec)
    source = nbformat.read(spec.path, as_version=4)
    source.cells[1].source = "Before the code, edited."
    source.cells.insert(3, new_markdown_cell("Between, new.", id="new"))
    del source.cells[-1]
    nbformat.write(source, spec.path)
    saved, merged = runner.prose_edit(spec, "draft")
    assert saved.cells == source.cells
    assert [(c.cell_type, c.get("id")) for c in merged.cells] == [
        ("code", source.cells[0].id),
        ("code", "injected-parameters"),
        ("markdown", "before"),
        ("code", source.cells[2].id),
        ("markdown", "new"),
    ]
    assert merged.cells[2].source == "Before the code, edited."
    assert merged.cells[3].outputs[0]["text"] == "ran\n"


def test_a_code_cell_or_a_run_setting_changed_means_the_notebook_runs(project, monkeypatch):
    spec = project["20_b"]
    _recorded_run(spec)
    assert runner.prose_edit(spec, "draft") is not None
    source = nbformat.read(spec.path, as_version=4)
    source.cells[2].source += "\n# a comment is code"
    nbformat.write(source, spec.path)
    assert runner.prose_edit(spec, "draft") is None
    _recorded_run(spec)
    monkeypatch.setattr(runner, "injected_parameters", lambda spec, stage: {"stage": "final"})
    assert runner.prose_edit(spec, "draft") is None
    runner.run_record("draft", spec.name).unlink()
    assert runner.prose_edit(spec, "draft") is None


# ---------------------------------------------------------------- the inputs' check beside the notebooks


def _check_process(seconds: float, status: int) -> subprocess.Popen:
    """A stand-in for `make check --brief` that ends after `seconds` with `status`."""
    return subprocess.Popen([sys.executable, "-c", f"import sys, time; time.sleep({seconds}); sys.exit({status})"])


def test_a_notebook_run_beside_the_check_is_stamped_only_once_the_check_has_passed(tmp_path):
    done = tmp_path / "10_a.done"
    check = build.InputsCheck(_check_process(0.5, 0))
    check.built(done)
    assert not done.exists() and check.poll_every() is not None
    check.wait()
    assert done.exists() and check.poll_every() is None
    later = tmp_path / "20_b.done"
    check.built(later)  # after the pass: at once
    assert later.exists()


def test_a_failed_check_stamps_no_notebook_and_stops_the_build(tmp_path):
    done = tmp_path / "10_a.done"
    check = build.InputsCheck(_check_process(0, 1))
    check.built(done)
    check.process.wait()
    assert check.failed()
    with pytest.raises(runner.RunError, match="the inputs have errors.*no notebook run in it counts as built"):
        check.wait()
    assert not done.exists()


@pytest.mark.slow
def test_a_build_whose_check_fails_leaves_its_notebooks_to_run_again(project):
    """The notebooks start beside the check; when it fails, the build fails with its verdict and no
    notebook it ran is stamped as built, so the next build runs them again."""
    for spec in project.values():
        build.stamp("draft", spec.name).unlink()
    with pytest.raises(runner.RunError, match="the inputs have errors"):
        build.run_notebooks("draft", check=lambda: _check_process(1.0, 1))
    assert not any(build.stamp("draft", name).exists() for name in project)
    assert build.run_notebooks("draft", check=lambda: _check_process(0, 0)) == ["10_a", "20_b"]
    assert all(build.stamp("draft", name).exists() for name in project)


# ---------------------------------------------------------------- readers that start before a notebook ends


def test_a_reader_of_files_alone_need_not_wait_for_the_whole_run(project, tmp_path):
    """20_b reads 10_a's table, not its numbers: it may start once 10_a has written its files."""
    first, second = project["10_a"], project["20_b"]
    assert runner.file_outputs(first) == ["data/processed/a"]
    assert not runner.needs_whole_run(second, first)
    numbers_reader = runner.spec_of(second.path)
    numbers_reader.inputs = [runner.numbers.MERGED]
    assert runner.needs_whole_run(numbers_reader, first)
    fragment_reader = runner.spec_of(second.path)
    fragment_reader.inputs = ["data/processed/numbers/10_a.json"]
    assert runner.needs_whole_run(fragment_reader, first)


def _early_writer_project(tmp_path: Path, after_the_tag: str) -> None:
    """10_a writes its table in the cell tagged `outputs-written`, then runs `after_the_tag`; 20_b reads the
    table and leaves a mark that it ran."""
    shutil.copytree(REPO / "config", tmp_path / "config")
    (tmp_path / "requirements.lock").write_text("")
    folder = tmp_path / "notebooks"
    _notebook(folder, "10_a", 'stage = "draft"\na_out = "data/processed/a"')
    _notebook(folder, "20_b", 'stage = "draft"\ntable_in = "data/processed/a/t.csv"\nb_out = "data/processed/b"')
    first = nbformat.read(folder / "10_a.ipynb", as_version=4)
    writes = new_code_cell(
        "from analysis.engine import atomic, paths\n_ = atomic.write_text(paths.resolve(a_out) / 't.csv', 'x\\n1\\n')"
    )
    writes.metadata["tags"] = [runner.OUTPUTS_WRITTEN_TAG]
    first.cells[1:] = [writes, new_code_cell(after_the_tag)]
    nbformat.write(first, folder / "10_a.ipynb")
    second = nbformat.read(folder / "20_b.ipynb", as_version=4)
    second.cells[1:] = [
        new_code_cell(
            "from analysis.engine import atomic, paths\n"
            "_ = atomic.write_text(paths.resolve(b_out) / 'ran.txt', paths.resolve(table_in).read_text())"
        )
    ]
    nbformat.write(second, folder / "20_b.ipynb")


@pytest.mark.slow
def test_a_reader_runs_while_the_notebook_it_reads_goes_on(tmp_path, output_root, monkeypatch):
    """10_a's last cell waits for 20_b's mark, so the build ends only if 20_b ran before 10_a ended. The
    next build has nothing to do: what 20_b read is recorded as what 10_a wrote."""
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(tmp_path))
    waits = (
        "import time\nmark = paths.resolve('data/processed/b/ran.txt')\ndeadline = time.monotonic() + 30\n"
        "while not mark.exists() and time.monotonic() < deadline:\n    time.sleep(0.05)\n"
        "assert mark.exists(), '20_b did not run while 10_a was running'"
    )
    _early_writer_project(tmp_path, waits)
    # 10_a's cell fails unless 20_b's mark appears while it runs; which of the two ends first is a race.
    assert sorted(build.run_notebooks("draft", jobs=2)) == ["10_a", "20_b"]
    assert (output_root / "data/processed/b/ran.txt").read_text() == "x\n1\n"
    assert build.run_notebooks("draft", jobs=2) == []


@pytest.mark.slow
def test_a_notebook_that_writes_after_saying_it_has_written_fails(tmp_path, output_root, monkeypatch):
    """A reader may already have read the table: a notebook that changes it after its tagged cell fails."""
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(tmp_path))
    _early_writer_project(tmp_path, "_ = atomic.write_text(paths.resolve(a_out) / 't.csv', 'x\\n2\\n')")
    with pytest.raises(runner.RunError, match="10_a changed data/processed/a after its cell tagged 'outputs-written'"):
        build.run_notebooks("draft", jobs=2)


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


def test_a_second_burst_of_events_for_the_same_save_does_not_build_again(tmp_path):
    saved, contents = tmp_path / "benchmark.xlsx", {}
    saved.write_bytes(b"first")
    assert watching.news({saved}, contents)
    assert not watching.news({saved}, contents)
    saved.write_bytes(b"second")
    assert watching.news({saved}, contents)
    saved.unlink()
    assert watching.news({saved}, contents) and not watching.news({saved}, contents)


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
