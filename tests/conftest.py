"""Shared fixtures. Slow tests and nbval share one pipeline build in a scratch output root.

`make test` runs the tests on every core (pytest-xdist, one worker process per core, a module's or a
notebook's tests on one worker): the build is made once, by the first worker that needs it, under a file
lock the others wait on; each worker's nbval runs write to a copy of the build's tables of their own, so no
test sees the shared build's files change under it, in kernels forked from a warm process of the worker's
own (as the build's are). The longest modules are scheduled first (`SharedBuild.pytest_collection_modifyitems`).
"""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Everything the tests build goes here (git-ignored), never into data/processed or reports/.
TEST_OUT = REPO / ".build" / "test-out"
#: Where this worker's nbval runs of the notebooks write (a copy of the build's tables to read from).
NBVAL_OUT = REPO / ".build" / f"test-nbval-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
_built: set[str] = set()


#: The modules that take longest (`make test` with `--durations=20`, 2 cores), longest first.
LONGEST_MODULES = (
    "tests/test_final_stage_e2e.py",
    "tests/test_make.py",
    "tests/test_refi.py",
    "tests/test_lab_runs.py",
    "tests/test_second_corridor.py",
    "tests/test_build.py",
    "tests/test_check.py",
)


def _module_of(item) -> str:
    return item.nodeid.split("::", 1)[0]


def _is_notebook(item) -> bool:
    return item.nodeid.endswith(".ipynb") or ".ipynb::" in item.nodeid


def pytest_configure(config):
    import nbval.kernel

    config.pluginmanager.register(SharedBuild(), "shared-build")
    nbval.kernel.KernelManager = nbval_kernel_manager
    # Tests read the scratch build, never the repository's outputs (make exports ANALYSIS_OUTPUT_ROOT as the
    # repository for its own recipes, so override it here).
    os.environ["ANALYSIS_OUTPUT_ROOT"] = str(TEST_OUT)
    # make exports the project folder for its own recipes; a test that needs another one sets it itself.
    os.environ.pop("ANALYSIS_PROJECT_ROOT", None)
    os.environ.setdefault("MPLBACKEND", "Agg")
    # No build of a test keeps its warm process for the next (even under `pytest -s` in a terminal), unless
    # the test asks (tests/test_kept_kernels.py).
    os.environ["ANALYSIS_WARM_MINUTES"] = "0"


class SharedBuild:
    """Hooks for every test item, the notebooks' nbval items included (a conftest's own hooks reach only the
    items under its folder, and the notebooks are not under tests/)."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        """Build before the first notebook (a test asks for the build with the `built_report` fixture); point
        nbval's kernel (started when the notebook's first cell is set up, after this) at this worker's copy
        of the build's tables."""
        if _is_notebook(item):
            build_pipeline("draft")
            if not NBVAL_OUT.exists():
                shutil.copytree(TEST_OUT / "data", NBVAL_OUT / "data", symlinks=True)
            os.environ["ANALYSIS_OUTPUT_ROOT"] = str(NBVAL_OUT)

    def pytest_runtest_teardown(self, item):
        os.environ["ANALYSIS_OUTPUT_ROOT"] = str(TEST_OUT)

    def pytest_collection_modifyitems(self, items):
        """Order the modules for two workers that each take the next module when idle (`make test` passes
        --no-loadscope-reorder): the longest first, so it makes the session's build while the other worker
        runs the unit tests and the slow modules that need no build; then the other long ones, each
        followed by a short module, which is what its worker takes next in advance (xdist gives a worker
        the next module while the last one runs); then the rest. Without this, xdist starts the modules with
        the most tests first, and the long ones, which have one or two, end together on one worker."""
        modules: dict[str, list] = {}
        for item in items:
            modules.setdefault(_module_of(item), []).append(item)

        def needs_build(module: str) -> bool:
            return any(_is_notebook(i) or "built_report" in getattr(i, "fixturenames", ()) for i in modules[module])

        longest = [m for m in LONGEST_MODULES if m in modules]
        slow = [m for m in modules if m not in longest and any(i.get_closest_marker("slow") for i in modules[m])]
        short = [m for m in modules if m not in longest and m not in slow]
        units = [m for m in short if not m.endswith(".ipynb")]
        fillers = [m for m in short if m.endswith(".ipynb")]
        unbuilt = [m for m in longest[1:] + slow if not needs_build(m)]
        longest, slow = [m for m in longest if m not in unbuilt], [m for m in slow if m not in unbuilt]
        order = longest[:1] + units + unbuilt
        for module in longest[1:] + slow:
            order.append(module)
            if fillers:
                order.append(fillers.pop(0))
        order += fillers
        items[:] = [item for module in order for item in modules[module]]


_nbval_kernels = None


@functools.cache
def _nbval_manager_class():
    """The kernel manager class nbval is given, made once per worker with the worker's warm process."""
    global _nbval_kernels
    import zmq
    from jupyter_client.manager import AsyncKernelManager, KernelManager
    from traitlets import Instance, Type, default

    from analysis.engine import runner
    from analysis.engine.kernels import WarmKernelManager, WarmKernels

    _nbval_kernels = WarmKernels(runner.notebook_imports(runner.discover()))

    class NbvalKernelManager(WarmKernelManager):
        warm = _nbval_kernels
        context = Instance(zmq.Context)
        client_factory = Type(klass="jupyter_client.client.KernelClient")

        @default("context")
        def _context_default(self):
            self._created_context = True
            return zmq.Context()

        def __init__(self, **kw):
            super().__init__(**kw)
            self.client_class = "jupyter_client.blocking.BlockingKernelClient"

    # AsyncKernelManager turns KernelManager's blocking methods into coroutines; nbval calls them blocking.
    for name, value in vars(AsyncKernelManager).items():
        if getattr(value, "__name__", "").startswith("_async_"):
            setattr(NbvalKernelManager, name, getattr(KernelManager, name))
    return NbvalKernelManager


def nbval_kernel_manager(**kwargs):
    """nbval's kernels, forked like the build's from one warm process per worker (analysis.engine.kernels):
    each notebook still runs in a fresh ipykernel of its own, without importing pandas, matplotlib and the
    package again (2–3 s a notebook). nbval drives a blocking client; the build's manager is asynchronous."""
    return _nbval_manager_class()(**kwargs)


def pytest_sessionfinish(session):
    if _nbval_kernels is not None:
        _nbval_kernels.close()


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller (or a run without workers)
        shutil.rmtree(REPO / ".build" / "test-nbval-main", ignore_errors=True)
        for old in (REPO / ".build").glob("test-nbval-gw*"):
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _exclusive(lock: Path):
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_pipeline(stage: str) -> Path:
    """Build the stage into TEST_OUT with the real Makefile (incremental: reruns only what changed), once per
    worker and stage, one worker at a time."""
    if stage not in _built:
        env = dict(os.environ, ANALYSIS_OUTPUT_ROOT=str(TEST_OUT))
        with _exclusive(TEST_OUT.with_name("test-out.lock")):
            subprocess.run(
                ["make", "-s", "-j2", "report", f"STAGE={stage}", f"OUT={TEST_OUT}"], cwd=REPO, env=env, check=True
            )
        _built.add(stage)
    return TEST_OUT


#: The configuration the unit tests read (never the live config/corridor.yaml, which the consultant edits).
UNIT_CONFIG = REPO / "tests" / "fixtures" / "config" / "corridor.yaml"


@pytest.fixture(autouse=True)
def unit_test_config(request, monkeypatch):
    """Unit tests read the frozen test configuration; slow tests build the project with its own."""
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setenv("ANALYSIS_CONFIG", str(UNIT_CONFIG))


@pytest.fixture(scope="session")
def built_report() -> Path:
    """The draft report built from the bundled example data into the scratch output root."""
    return build_pipeline("draft") / "reports" / "draft"


@pytest.fixture(scope="session")
def pdf_pages(built_report) -> list[str]:
    """The text of every page of the built PDF, extracted once for the tests that read it (pypdf takes
    seconds per hundred pages)."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(str(built_report / "analysis.pdf")).pages]


#: What a copy of the project needs to build with `make` (the package itself runs from the repository's .venv).
PROJECT_ITEMS = (
    "Makefile",
    "pyproject.toml",
    "requirements.lock",
    "notebooks",
    "data/raw",
    "config",
    "references",
    "src",
)


def copy_project(target: Path, items=PROJECT_ITEMS) -> Path:
    """A copy of the project's inputs and code that builds with the repository's environment."""
    import shutil

    stamp = (REPO / ".venv" / ".installed").stat().st_mtime
    for item in items:
        source = REPO / item
        if source.is_dir():
            shutil.copytree(source, target / item, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            (target / item).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / item)
            # Never let make in the copy reinstall the repository's environment from the copy.
            os.utime(target / item, (stamp - 60, stamp - 60))
    return target


def copy_built_project(target: Path) -> Path:
    """A copy of the project holding a copy of the session's build (file times kept), so that `make` in it
    has nothing to do until a test changes something: tests that start from a built project build once."""
    import shutil

    project = copy_project(target)
    build_pipeline("draft")
    for built in ("data/processed", "reports", ".build"):
        shutil.copytree(TEST_OUT / built, project / built, symlinks=True)
    return project


def _source_date_epoch() -> str:
    """The date make gives the repository's documents (its last commit), for a copy that has no history."""
    found = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=REPO, capture_output=True, text=True)
    return found.stdout.strip() or "1764288000"


def make_in(project: Path, *args: str, check: bool = True, **env_overrides) -> subprocess.CompletedProcess:
    """`make` in a copy of the project, with the repository's environment and none of the test's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_") and k != "AS_OF"}
    # A copy has no git history: its documents take the repository's date, as the session's build does.
    env.setdefault("SOURCE_DATE_EPOCH", _source_date_epoch())
    env.update(env_overrides)
    result = subprocess.run(
        ["make", "-s", "-j2", f"VENV={REPO / '.venv'}", *args], cwd=project, env=env, capture_output=True, text=True
    )
    if check and result.returncode:
        raise AssertionError(f"make {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


@pytest.fixture
def output_root(tmp_path, monkeypatch) -> Path:
    """Send generated files of a unit test to a temporary folder."""
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(tmp_path))
    return tmp_path
