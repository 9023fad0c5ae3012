"""make itself: an incremental rerun of only what changed, and make watch reloading a browser (slow: each
builds in a copy of the session's build; a module of their own, so a test worker takes them apart from
the rest of the build's tests)."""

import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, TEST_OUT, copy_project

# ---------------------------------------------------------------- make, incremental, and make watch


@pytest.fixture
def built_copy(built_report, tmp_path):
    """A copy of the project with a copy of the test build as its output (both keep their file times)."""
    project = copy_project(tmp_path / "project")
    out = tmp_path / "out"
    shutil.copytree(TEST_OUT, out, symlinks=True, ignore=shutil.ignore_patterns("test-out"))
    return project, out


def _make(project, out, *targets):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_") and k != "AS_OF"}
    return subprocess.run(
        ["make", "-s", f"VENV={REPO / '.venv'}", f"OUT={out}", *targets],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


@pytest.mark.slow
def test_make_reruns_only_what_changed(built_copy):
    project, out = built_copy
    assert _make(project, out, "report").stdout == "", "nothing changed: make alone answers"
    (project / "data/raw/benchmark.xlsx").touch()  # same content: the outputs do not change
    leftovers = [
        out / "reports/draft/notebooks/07_renamed.ipynb",
        out / ".build/draft/07_renamed.done",
        out / ".build/draft/html/07_renamed.json",
    ]  # the last run of a notebook since renamed
    for leftover in leftovers:
        leftover.write_text("{}", encoding="utf-8")
    # The introduction's prose edited: a sentence changed, a paragraph added, one removed.
    notebook = project / "notebooks/05_introduction.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    prose = [c for c in nb.cells if c.cell_type == "markdown" and not c.metadata.get("tags")]
    prose[0].source += "\n\nA sentence added while editing, as of {as_of}."
    nb.cells.insert(nb.cells.index(prose[1]), nbformat.v4.new_markdown_cell("A new paragraph.", id="new-paragraph"))
    nb.cells.remove(prose[-1])
    nbformat.write(nb, notebook)
    result = _make(project, out, "html").stdout
    assert not any(p.exists() for p in leftovers) and (out / ".build/draft/as_of").exists()
    assert re.search(r"✔ \[\d of \d\] 50_benchmark [\d.]+ s", result), result
    assert "60_findings: what it reads is unchanged, not rerun" in result
    assert "05_introduction (only its Markdown changed)" in result and "05_introduction prose rendered" in result
    assert re.search(r"2 of \d+ notebooks run", result), result
    edited = {
        f: (out / f).read_bytes()
        for f in ("reports/draft/notebooks/05_introduction.ipynb", "reports/draft/analysis.html")
    }
    assert b"A new paragraph." in edited["reports/draft/analysis.html"]
    # The same notebook run in a kernel gives the same bytes as its prose rendered on the last run (the
    # documents made from the HTML: tests/test_lab_runs.py and test_final_stage_e2e.py).
    (out / ".build/draft/runs/05_introduction.json").unlink()
    (out / ".build/draft/05_introduction.done").unlink()  # a touch may fall in the stamp's clock tick
    result = _make(project, out, "html").stdout
    assert re.search(r"✔ \[1 of \d+\] 05_introduction [\d.]+ s \(kernel", result), result
    assert {f: (out / f).read_bytes() for f in edited} == edited


def _chromium_page(port_file: Path, url: str, deadline: float):
    import websocket

    while not port_file.exists():
        assert time.monotonic() < deadline, "chromium did not start"
        time.sleep(0.1)
    devtools = int(port_file.read_text().split()[0])
    while True:
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{devtools}/json/list", timeout=10))
        found = [p for p in pages if p.get("type") == "page" and p["url"].startswith(url)]
        if found:
            # No Origin header: chromium rejects DevTools connections from an origin it was not told to allow.
            return websocket.create_connection(found[0]["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        assert time.monotonic() < deadline, pages
        time.sleep(0.1)


_request_ids = itertools.count(1)


def _evaluate(socket, expression: str):
    request = next(_request_ids)
    socket.send(
        json.dumps(
            {"id": request, "method": "Runtime.evaluate", "params": {"expression": expression, "returnByValue": True}}
        )
    )
    while True:
        reply = json.loads(socket.recv())
        if reply.get("id") == request:
            return reply.get("result", {}).get("result", {}).get("value")


def _until(socket, expression: str, deadline: float, what: str):
    while not _evaluate(socket, expression):
        assert time.monotonic() < deadline, f"the page never showed {what}"
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (apt-get install chromium)")
def test_make_watch_reloads_the_browser_and_shows_a_failed_build(built_copy, tmp_path):
    project, out = built_copy
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_") and k != "AS_OF"}
    session = subprocess.Popen(
        ["make", "-s", f"VENV={REPO / '.venv'}", f"OUT={out}", "watch", "PORT=0"],
        cwd=project,
        env=dict(env, PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    browser = None
    deadline = time.monotonic() + 240  # the whole scenario, on a loaded machine
    try:
        lines = []
        while not (found := re.search(r"http://127\.0\.0\.1:(\d+)/", "".join(lines))):
            assert session.poll() is None and time.monotonic() < deadline, "".join(lines)
            lines.append(session.stdout.readline())
        url = found.group(0)
        profile = tmp_path / "chromium"
        browser = subprocess.Popen(
            [
                "chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                url,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        page = _chromium_page(profile / "DevToolsActivePort", url, deadline)
        _until(
            page,
            "document.readyState === 'complete' && document.body.innerText.includes('Contents')",
            deadline,
            "the report",
        )
        notebook = project / "notebooks/05_introduction.ipynb"
        original = notebook.read_text(encoding="utf-8")

        def edit(sentence: str) -> None:
            nb = nbformat.reads(original, as_version=4)
            prose = next(c for c in nb.cells if c.cell_type == "markdown" and not c.metadata.get("tags"))
            prose.source += "\n\n" + sentence
            notebook.write_text(nbformat.writes(nb), encoding="utf-8")

        for sentence, shown in (
            ("A sentence saved while watching.", ["A sentence saved while watching."]),
            ("Broken on purpose: {no.such.number}.", ["The last build failed", "no.such.number"]),
            ("Fixed again.", ["Fixed again."]),
        ):
            _evaluate(page, "window.beforeSave = true")
            edit(sentence)
            text = " && ".join(f"document.body.innerText.includes({json.dumps(s)})" for s in shown)
            _until(page, f"window.beforeSave === undefined && {text}", deadline, " and ".join(shown))
        assert not _evaluate(page, "document.body.innerText.includes('The last build failed')")
        assert "<script" not in (out / "reports/draft/analysis.html").read_text(encoding="utf-8")
    finally:
        if browser is not None:
            os.killpg(browser.pid, signal.SIGKILL)
        os.killpg(session.pid, signal.SIGTERM)
        try:
            session.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(session.pid, signal.SIGKILL)
