"""A build's warm process kept for the next build (analysis.engine.warm_start, warm_process): used only while it is
current, by one build at a time, and gone when its time is up."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from analysis.engine import build, kernels, runner, warm_process
from analysis.engine.kernels import WarmKernels

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def sockets(tmp_path, monkeypatch):
    """A temporary folder of the test's own, with a path short enough for a socket in it (pytest's own
    are not, under xdist), and a project folder to run from; whatever is still kept at the end is ended."""
    folder = Path(tempfile.mkdtemp(prefix="kept-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    # The kernels' IPC folder is made once per process, in the temporary folder: this test's goes with it.
    monkeypatch.setattr(kernels, "_sockets", None)
    (tmp_path / "project").mkdir()
    monkeypatch.chdir(tmp_path / "project")
    yield folder
    for path in folder.glob("analysis-warm-*/*.sock"):  # still kept: end it (whatever the environment now)
        _end_listener(path)
    shutil.rmtree(folder, ignore_errors=True)


def _end_listener(path: Path) -> None:
    """End the process listening on socket `path` (found from the connection's peer credentials)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
            pid = struct.unpack("3i", probe.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))[0]
        except OSError:
            return
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGTERM)
    _ended(pid)


def _started(modules: list[str]) -> warm_process.ProcessChannel:
    channel = warm_process.start(modules)
    assert channel.readline() == b"ready\n"
    channel.ready = True
    return channel


def _ended(pid: int, within: float = 10.0) -> bool:
    """Whether process `pid` (a child of this one) ends within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            return True
        time.sleep(0.05)
    return False


def _waiting() -> bool:
    """Whether a kept process listens on this project's socket (it does before its build's close returns)."""
    return warm_process.address().exists()


def test_a_kept_process_serves_the_next_build_alone_and_ends_when_its_time_is_up(sockets):
    first = _started(["json"])
    pid = first.process.pid
    WarmKernels(channel=first, keep_seconds=30).close()
    assert not _ended(pid, within=0.3) and _waiting()
    second = warm_process.connect()
    assert second is not None and WarmKernels(channel=second).kept
    # While it serves one build, another finds nothing to connect to (and starts a process of its own).
    assert not warm_process.address().exists() and warm_process.connect() is None
    WarmKernels(channel=second, keep_seconds=0.5).close()
    assert _waiting()
    assert _ended(pid) and not warm_process.address().exists()


def test_a_build_that_keeps_nothing_ends_the_kept_process(sockets):
    first = _started(["json"])
    WarmKernels(channel=first, keep_seconds=30).close()
    assert _waiting()
    WarmKernels(channel=warm_process.connect(), keep_seconds=0).close()
    assert _ended(first.process.pid)


def test_a_build_with_another_environment_neither_uses_nor_ends_the_kept_process(sockets, monkeypatch):
    """`make verify` builds with another output folder: the consultant's kept process waits on."""
    first = _started(["json"])
    WarmKernels(channel=first, keep_seconds=30).close()
    assert _waiting()
    with monkeypatch.context() as elsewhere:
        elsewhere.setenv("ANALYSIS_OUTPUT_ROOT", "/elsewhere")
        assert not _waiting() and warm_process.connect() is None
    assert not _ended(first.process.pid, within=0.3)
    again = warm_process.connect()
    assert again is not None
    again.kill()
    assert _ended(first.process.pid)


def test_a_kept_process_is_not_used_once_a_module_it_imported_has_changed(sockets, tmp_path, monkeypatch):
    code = tmp_path / "code"
    code.mkdir()
    module = code / "kept_probe.py"
    module.write_text("VALUE = 1\n")
    monkeypatch.setenv("PYTHONPATH", str(code))
    first = _started(["kept_probe"])
    WarmKernels(channel=first, keep_seconds=30).close()
    assert _waiting()
    module.write_text("VALUE = 2\n")
    os.utime(module, (time.time() + 5, time.time() + 5))
    assert warm_process.connect() is None
    assert _ended(first.process.pid)


def test_a_folder_that_others_can_open_is_not_used(sockets):
    folder = warm_process.kept_folder()
    assert folder is not None and folder.parent == sockets
    folder.chmod(0o755)
    assert warm_process.kept_folder() is None and warm_process.address() is None
    first = _started(["json"])
    WarmKernels(channel=first, keep_seconds=30).close()  # it cannot listen there, so it ends
    assert _ended(first.process.pid)


def test_how_long_a_build_keeps_its_process(monkeypatch):
    monkeypatch.delenv("ANALYSIS_WARM_MINUTES", raising=False)

    class Terminal:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    monkeypatch.setattr(sys, "stderr", Terminal(False))
    assert warm_process.keep_seconds() == 0  # scripts, tests and CI keep nothing
    monkeypatch.setattr(sys, "stderr", Terminal(True))
    assert warm_process.keep_seconds() == warm_process.KEPT_MINUTES * 60
    for value, seconds in (("2", 120), ("0", 0), ("-1", 0), ("soon", 0)):
        monkeypatch.setenv("ANALYSIS_WARM_MINUTES", value)
        assert warm_process.keep_seconds() == seconds


@pytest.mark.slow
def test_the_next_build_runs_in_the_kept_kernels_to_the_same_notebook(
    sockets, tmp_path, output_root, monkeypatch, capfd
):
    """Two builds of one notebook, the second in the kernels the first kept: the same executed notebook,
    and the kernels' errors reach the second build's error stream."""
    project = tmp_path / "project"
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(project))
    monkeypatch.setenv("ANALYSIS_WARM_MINUTES", "1")
    for variable, value in runner.BUILD_ENVIRONMENT.items():
        monkeypatch.setenv(variable, value)
    shutil.copytree(REPO / "config", project / "config")
    (project / "requirements.lock").write_text("")
    cell = new_code_cell('stage = "draft"\nnumbers_out = "data/processed/numbers/10_a.json"')
    cell.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(
        cells=[
            cell,
            new_code_cell("import pandas as pd\nimport sys\nprint('to the build', file=sys.__stderr__)"),
            new_code_cell("print(sorted({'b', 'a', 'c'}), hash('x'))\npd.DataFrame({'n': [1, 2]})"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (project / "notebooks").mkdir()
    nbformat.write(nb, project / "notebooks/10_a.ipynb")
    assert build.run_notebooks("draft") == ["10_a"]
    first = build.executed("draft", "10_a").read_bytes()
    assert _waiting()
    build.stamp("draft", "10_a").unlink()
    capfd.readouterr()
    assert build.run_notebooks("draft") == ["10_a"]
    said = capfd.readouterr()
    assert "in kernels kept from the last build" in said.out and "to the build" in said.err
    assert build.executed("draft", "10_a").read_bytes() == first


def test_the_files_a_kept_process_watches_include_the_package_wording():
    """Imported modules read words.yaml when imported: a change to it must retire a kept process too."""
    watched = kernels._module_files()
    assert any(name.endswith("assemble/words.yaml") for name in watched)
    assert any(name.endswith("pandas/__init__.py") for name in watched) or "pandas" not in sys.modules


def test_a_temporary_folder_too_deep_for_a_socket_gives_way_to_tmp(tmp_path, monkeypatch):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(deep))
    monkeypatch.setattr(tempfile, "tempdir", None)
    folder = warm_process.kept_folder()
    assert folder == Path("/tmp") / f"analysis-warm-{os.getuid()}"
    assert len(os.fsencode(warm_process.address())) <= warm_process.LONGEST_SOCKET_PATH
