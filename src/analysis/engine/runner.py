"""Run the chapter notebooks: make rules from their parameters cells, one notebook run, normalisation.

`python -m analysis deps` writes make rules derived from every notebook's `parameters` cell (the notebook
is the single place that says what it reads and writes) and a fingerprint of the configuration keys each
notebook read in its last run, so editing the configuration reruns exactly the notebooks that read the
changed keys. `python -m analysis run NB --stage draft` executes one notebook with papermill, injecting
the run settings from the configuration, fills the placeholders of its Markdown cells from the numbers
registry, normalises the result and moves it into place atomically.
"""

from __future__ import annotations

import ast
import copy
import functools
import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from analysis.engine import atomic, config, figures, notebook, numbers, paths, prose

NOTEBOOK_DIR = "notebooks"
STAMP_DIR = ".build"
#: What make exports to every build and the runner gives its kernels when run without make: a fixed hash
#: seed (set order), matplotlib's file backend, no debugger warning at kernel start.
BUILD_ENVIRONMENT = {"PYTHONHASHSEED": "0", "MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
#: Inputs of every notebook: the pinned packages.
COMMON_INPUT = "requirements.lock"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: The tag of the code cell after which a notebook writes no more files under data/processed (its numbers
#: fragment aside, which `chapter.finish()` writes): the notebooks that read only those files start then,
#: while it goes on with its tables and figures (analysis.engine.build).
OUTPUTS_WRITTEN_TAG = "outputs-written"
# Cell-level metadata that changes on every run (papermill, nbclient timings) and is dropped.
_VOLATILE_CELL_KEYS = ("papermill", "execution")


class RunError(RuntimeError):
    """A notebook could not be run or its result cannot be published; the message says why."""


@dataclass
class NotebookSpec:
    name: str
    path: Path
    parameters: dict[str, Any]
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)

    @property
    def number(self) -> int:
        head = self.name.split("_", 1)[0]
        return int(head) if head.isdigit() else 999

    @property
    def reads_numbers(self) -> bool:
        return numbers.MERGED in self.inputs

    @property
    def writes_numbers(self) -> bool:
        return "numbers_out" in self.parameters

    @property
    def fragment(self) -> str:
        """The numbers fragment it writes ("" if none)."""
        return str(self.parameters.get("numbers_out", "")).rstrip("/")

    @property
    def settings(self) -> list[str]:
        """The run settings this notebook declares (their values come from the configuration)."""
        return [name for name in self.parameters if name in config.RUN_SETTINGS]


def parameters_of(path: Path) -> dict[str, Any]:
    """Literal assignments of the cell tagged `parameters` (exactly one must exist)."""
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise RunError(f"{paths.relative(path)}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    values: dict[str, Any] = {}
    for node in ast.parse(cells[0].source).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            for target in targets:
                if isinstance(target, ast.Name):
                    values[target.id] = value
    return values


def spec_of(path: Path) -> NotebookSpec:
    params = parameters_of(path)
    spec = NotebookSpec(name=path.stem, path=path, parameters=params)
    for key, value in params.items():
        if not isinstance(value, str):
            continue
        if key.endswith("_out"):
            spec.outputs.append(value.rstrip("/"))
        elif value.startswith(("data/", "config/")):
            spec.inputs.append(value.rstrip("/"))
    return spec


def discover(root: Path | None = None) -> list[NotebookSpec]:
    root = root or paths.input_root()
    return [spec_of(p) for p in sorted((root / NOTEBOOK_DIR).glob("[0-9][0-9]_*.ipynb"))]


def _covers(output: str, path: str) -> bool:
    return path == output or path.startswith(output + "/") or output.startswith(path + "/")


def upstream(spec: NotebookSpec, specs: list[NotebookSpec]) -> list[NotebookSpec]:
    """Notebooks whose outputs this one reads, plus the number writers it must wait for.

    A notebook that reads the merged numbers waits for every writer that does not itself read numbers,
    for readers with a lower number, and — if it records no numbers itself (a summary) — for every writer.
    """
    result = []
    for other in specs:
        if other is spec:
            continue
        if any(_covers(o, i) for o in other.outputs for i in spec.inputs if i != numbers.MERGED):
            result.append(other)
        elif _waits_for_numbers(spec, other):
            result.append(other)
    return result


def _waits_for_numbers(spec: NotebookSpec, other: NotebookSpec) -> bool:
    """Whether `spec`, a reader of the merged numbers, waits for those `other` records (see `upstream`)."""
    return (
        spec.reads_numbers
        and other.writes_numbers
        and (not other.reads_numbers or other.number < spec.number or not spec.writes_numbers)
    )


def file_outputs(spec: NotebookSpec) -> list[str]:
    """The outputs a notebook writes as files for other notebooks: all but its numbers fragment."""
    return [output for output in spec.outputs if output != spec.fragment]


def needs_whole_run(spec: NotebookSpec, other: NotebookSpec) -> bool:
    """Whether `spec` must wait for `other` to have run to its end, not only until it has written its files
    (`OUTPUTS_WRITTEN_TAG`): it reads the numbers `other` records, which exist only once it has finished."""
    reads_fragment = bool(other.fragment) and any(
        _covers(other.fragment, item) for item in spec.inputs if item != numbers.MERGED
    )
    return reads_fragment or _waits_for_numbers(spec, other)


def transitive_upstream(spec: NotebookSpec, specs: list[NotebookSpec]) -> list[NotebookSpec]:
    seen: dict[str, NotebookSpec] = {}
    stack = list(upstream(spec, specs))
    while stack:
        other = stack.pop()
        if other.name not in seen:
            seen[other.name] = other
            stack.extend(upstream(other, specs))
    return sorted(seen.values(), key=lambda s: s.name)


# ---------------------------------------------------------------- which code a notebook runs
def module_file(dotted: str) -> Path | None:
    """The source file of an `analysis.…` module or package, or None if it is not one."""
    parts = dotted.split(".")
    if parts[0] != "analysis":
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_of(file: Path) -> str:
    relative = file.relative_to(PACKAGE_DIR.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(source: str, current: str = "") -> set[str]:
    """Dotted names of the `analysis` modules a piece of code imports (absolute or relative imports)."""
    found: set[str] = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    package = current.rsplit(".", 1)[0] if current else ""
    for node in _import_statements(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "analysis"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if package else []
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module.split(".")[0] != "analysis":
                continue
            found.add(module)
            found |= {f"{module}.{a.name}" for a in node.names if module_file(f"{module}.{a.name}")}
    return found


def _import_statements(tree: ast.Module):
    """Every import statement of a module, at any depth: an import is a statement, and statements sit only
    in other statements' bodies, so the expressions (most of a module's nodes) need not be visited. A
    clean build asks this of every module of the package: visiting every node with `ast.walk` took 0.15 s
    there, this 0.04 s."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        for _, value in ast.iter_fields(node):
            if isinstance(value, list):
                stack.extend(v for v in value if isinstance(v, (ast.stmt, ast.excepthandler, ast.match_case)))


def _file_imports(file: Path) -> set[str]:
    """The `analysis` modules a source file or notebook imports, parsed once per version of the file: a
    build asks for every notebook's code twice, `make watch` at every save, and each build of `make html`
    would otherwise parse the whole package again (half a second); `_save_imports` keeps them between
    builds."""
    cache = _imports_cache()
    stat = file.stat()
    key, version = str(file), [stat.st_mtime_ns, stat.st_size]
    if cache.get(key, {}).get("version") != version:
        if file.suffix == ".ipynb":
            cells = nbformat.read(file, as_version=4).cells
            found = set().union(*(imported_modules(c.source) for c in cells if c.cell_type == "code"))
        else:
            module = _module_of(file) + (".__init__" if file.name == "__init__.py" else "")
            found = imported_modules(file.read_text(encoding="utf-8"), module)
        cache[key] = {"version": version, "imports": sorted(found)}
        _imports_changed.set()
    _imports_used.add(key)
    return set(cache[key]["imports"])


def _imports_file() -> Path:
    return paths.resolve(f"{STAMP_DIR}/imports.json")


@functools.cache
def _imports_cache() -> dict[str, dict[str, Any]]:
    try:
        return json.loads(_imports_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_imports() -> None:
    """Keep the files this process asked about (a renamed module's entry goes)."""
    cache = _imports_cache()
    if _imports_changed.is_set() or set(cache) - _imports_used:
        atomic.write_json(_imports_file(), {key: cache[key] for key in sorted(_imports_used)})
        _imports_changed.clear()


_imports_changed = threading.Event()
_imports_used: set[str] = set()


def code_dependencies(spec: NotebookSpec) -> list[str]:
    """The src/analysis files a notebook runs, followed transitively through their imports (packages'
    __init__ files included), so editing one module reruns only the notebooks that use it."""
    pending = set(_file_imports(spec.path))
    files: set[Path] = set()
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        pending |= {".".join(parts[:i]) for i in range(1, len(parts))}  # parent packages run first
        file = module_file(name)
        if file is None or file in files:
            continue
        files.add(file)
        pending |= _file_imports(file)
    root = PACKAGE_DIR.parents[1]
    return sorted(f.relative_to(root).as_posix() for f in files)


# ---------------------------------------------------------------- make rules and config fingerprints
def config_digest(spec: NotebookSpec, stage: str) -> str:
    """A fingerprint of the configuration values this notebook read in its last build (the whole file
    before its first build) and of the run settings it is given."""
    keys = notebook.config_keys_recorded(stage, spec.name)
    if keys is None:
        content: Any = paths.config_file().read_text(encoding="utf-8")
    else:
        content = {key: config.value_at(key) for key in keys}
    settings = {name: config.run_setting(name) for name in spec.settings}
    blob = json.dumps({"config": content, "settings": settings}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def write_config_digests(specs: list[NotebookSpec], stage: str) -> None:
    """Rewrite a notebook's fingerprint file only when it changes, so make reruns only those notebooks."""
    for spec in specs:
        target = paths.resolve(f"{STAMP_DIR}/{stage}/config/{spec.name}.digest")
        digest = config_digest(spec, stage) + "\n"
        if not target.exists() or target.read_text(encoding="utf-8") != digest:
            atomic.write_text(target, digest)


def raw_inputs(spec: NotebookSpec, specs: list[NotebookSpec]) -> list[str]:
    """The inputs of a notebook that no other notebook produces (files or folders of the project)."""
    produced = [o for s in specs for o in s.outputs]
    return [item for item in spec.inputs if item != numbers.MERGED and not any(_covers(o, item) for o in produced)]


def input_files(item: str) -> list[Path]:
    """The files an input stands for: itself, or every file in a folder (hidden ones excepted); none if
    it is missing (an optional input such as a private key: a required one is reported by the notebook)."""
    path = paths.input_root() / item
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [path] if path.is_file() else []


def prerequisite_files(spec: NotebookSpec, specs: list[NotebookSpec], stage: str) -> list[Path]:
    """Everything whose change reruns a notebook on its own account: the notebook, its raw inputs, the code
    it runs, the fingerprint of the configuration keys it read and the pinned packages (the notebooks it
    reads from are checked by their outputs, `analysis.engine.build`)."""
    files = [spec.path, *(f for item in raw_inputs(spec, specs) for f in input_files(item))]
    files += [PACKAGE_DIR.parents[1] / f for f in code_dependencies(spec)]
    files += [paths.resolve(f"{STAMP_DIR}/{stage}/config/{spec.name}.digest"), paths.input_root() / COMMON_INPUT]
    return files


def make_rules(specs: list[NotebookSpec]) -> str:
    """Make variables: the notebooks and the union of their prerequisites, so that make itself answers
    "nothing changed" (a no-op build) and calls `python -m analysis build` otherwise; that decides which
    notebooks rerun. A stamp has an empty rule, so deleting one reruns its notebook."""
    lines = ["# Generated by `python -m analysis deps` from the notebooks' parameters cells.", ""]
    for spec in specs:
        # $(call inputs_of) keeps an optional input (a private key, a feedback log) from breaking make, and
        # $(wildcard) a renamed notebook or module: make then calls the build, which rewrites these rules.
        files = " ".join([f"notebooks/{spec.name}.ipynb", *code_dependencies(spec)])
        prereqs = [f"$(wildcard {files})", *(f"$(call inputs_of,{i})" for i in raw_inputs(spec, specs))]
        prereqs.append(f"$(STAMPS)/config/{spec.name}.digest")
        lines.append(f"NOTEBOOKS += {spec.name}")
        lines.append(f"NOTEBOOK_PREREQS += {' '.join(prereqs)}")
        lines.append(f"$(STAMPS)/{spec.name}.done: ;")
        lines.append("")
    return "\n".join(lines) + "\n"


def write_deps(stage: str, target: str | None = None, specs: list[NotebookSpec] | None = None) -> str:
    """Write the configuration fingerprints and (if it changed) the make rules; return the rules."""
    specs = discover() if specs is None else specs
    write_config_digests(specs, stage)
    rules = make_rules(specs)
    _save_imports()
    if target:
        path = Path(target)
        if not path.exists() or path.read_text(encoding="utf-8") != rules:
            atomic.write_text(path, rules)
        else:
            path.touch()  # up to date as of now, so make does not remake it again
    return rules


# ---------------------------------------------------------------- running one notebook
def _normalise_cell(cell: nbformat.NotebookNode) -> None:
    """A cell's metadata as every run leaves it: no timings, no empty tag list, a fixed id for the
    injected parameters."""
    for key in _VOLATILE_CELL_KEYS:
        cell.metadata.pop(key, None)
    tags = cell.metadata.get("tags")
    if tags == []:
        cell.metadata.pop("tags")
    if "injected-parameters" in (tags or []):
        cell["id"] = "injected-parameters"


def normalise(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, list[str]]:
    """Remove what differs between identical runs; return the notebook and its stderr text.

    Timings and papermill paths go; the injected-parameters cell gets a fixed id; stderr streams
    (warnings that may carry this machine's paths) leave the notebook and go to the build log.
    """
    parameters = nb.metadata.get("papermill", {}).get("parameters", {})
    nb.metadata.pop("papermill", None)
    nb.metadata["pipeline"] = {"parameters": parameters}
    nb.metadata.pop("widgets", None)
    stderr: list[str] = []
    for index, cell in enumerate(nb.cells):
        _normalise_cell(cell)
        if cell.cell_type == "code":
            kept = []
            for output in cell.outputs:
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    stderr.append(f"[cell {index}] {output.get('text', '')}")
                else:
                    kept.append(output)
            cell.outputs = kept
    return nb, stderr


def machine_paths_in(nb: nbformat.NotebookNode) -> list[str]:
    """Ids of cells whose text or outputs contain this machine's project or output root."""
    roots = {str(paths.input_root()), str(paths.output_root()), str(paths.PACKAGE_PROJECT)}
    found = []
    for cell in nb.cells:
        shown = json.dumps(cell.get("outputs", [])) if cell.cell_type == "code" else cell.source
        if any(root in shown for root in roots):
            found.append(str(cell.get("id")))
    return found


def timing_of(nb: nbformat.NotebookNode, started: float, ended: float) -> dict[str, float]:
    """Split a run into kernel start, imports and cell execution, from papermill's cell timings."""
    from datetime import datetime

    def stamp(text):
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else None

    meta = nb.metadata.get("papermill", {})
    first_start = None
    imports = cells = 0.0
    for cell in nb.cells:
        info = cell.metadata.get("papermill", {})
        if cell.cell_type != "code" or info.get("duration") is None:
            continue
        first_start = first_start or stamp(info.get("start_time"))
        if _only_imports(cell.source):
            imports += info["duration"]
        else:
            cells += info["duration"]
    nb_start = stamp(meta.get("start_time"))
    kernel = max(0.0, (first_start - nb_start)) if first_start and nb_start else 0.0
    total = ended - started
    return {
        "total": round(total, 3),
        "kernel_start": round(kernel, 3),
        "imports": round(imports, 3),
        "cells": round(cells, 3),
        "overhead": round(max(0.0, total - kernel - imports - cells), 3),
    }


def _only_imports(source: str) -> bool:
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in body)


def injected_parameters(spec: NotebookSpec, stage: str) -> dict[str, Any]:
    """What the pipeline passes to a notebook: the stage and each run setting it declares, from the
    configuration (one owner per parameter)."""
    parameters: dict[str, Any] = {"stage": stage}
    for name in spec.settings:
        parameters[name] = config.run_setting(name)
    if "stage" not in spec.parameters:
        raise RunError(f"{spec.name}: the parameters cell lacks stage")
    return parameters


def render_prose(nb: nbformat.NotebookNode, spec: NotebookSpec, parameters: dict[str, Any]) -> None:
    """Render the Markdown (placeholders, conditions, captions) from this run's numbers and, for readers,
    the merged numbers of the chapters they read."""
    registry = numbers.Registry(None, notebook=spec.name)
    sources = [spec.parameters.get("numbers_out")]
    if spec.reads_numbers:
        sources.append(numbers.MERGED)
    for source in sources:
        if source and paths.resolve(source).exists():
            registry.add_from(source)
    prose.render(nb, notebook.lookup_for(registry, parameters, notebook.language_of(nb)), registry.value, spec.name)


def notebook_imports(specs: list[NotebookSpec]) -> list[str]:
    """The modules the notebooks' code cells import, in the order they first appear: what a warm kernel
    process imports once for all of them (analysis.engine.kernels)."""
    found: dict[str, None] = {}
    for spec in specs:
        for cell in nbformat.read(spec.path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found.update(dict.fromkeys(a.name for a in node.names))
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found[node.module] = None
                    found.update(
                        dict.fromkeys(
                            f"{node.module}.{a.name}" for a in node.names if module_file(f"{node.module}.{a.name}")
                        )
                    )
    found.update(dict.fromkeys(figures.PLOTTING_MODULES))
    return list(found)


def execute(
    spec: NotebookSpec,
    specs: list[NotebookSpec],
    stage: str,
    kernel_manager_class: type | None = None,
    outputs_written: Callable[[], None] | None = None,
) -> dict[str, float]:
    """Run one notebook with papermill into reports/<stage>/notebooks/ and return its timings.

    `kernel_manager_class` is the warm kernels' (analysis.engine.kernels) in a build; by default a quiet
    kernel of its own, which is what plain `papermill` would start, without its warnings.
    `outputs_written()` is called once the cell tagged `OUTPUTS_WRITTEN_TAG` has run without an error.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from analysis.engine.kernels import QuietKernelManager

    target = paths.resolve(f"reports/{stage}/notebooks/{spec.name}.ipynb")
    parameters = injected_parameters(spec, stage)
    _merge_upstream_numbers(spec, specs)
    # A run that fails or is stopped leaves no record a later prose edit could be rendered from.
    run_record(stage, spec.name).unlink(missing_ok=True)
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{spec.name}.running.ipynb")
    # Papermill runs this very reading of the notebook, so the run's record holds the source that ran.
    source = nbformat.read(spec.path, as_version=4)
    try:
        # No `cwd=`: papermill would chdir the whole build process; the kernel alone starts in notebooks/.
        papermill.execute_notebook(
            source,
            str(tmp),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            start_timeout=120,
            request_save_on_cell_execute=False,
            kernel_manager_class=kernel_manager_class or QuietKernelManager,
            resources={"metadata": {"path": str(spec.path.parent)}},
            **({"on_cell_executed": _when_outputs_written(outputs_written)} if outputs_written else {}),
        )
    except PapermillExecutionError as exc:
        tmp.unlink(missing_ok=True)
        raise RunError(f"{spec.name} failed in cell {exc.cell_index}:\n{exc.ename}: {exc.evalue}") from None
    finally:
        ended = time.perf_counter()
    try:
        nb = nbformat.read(tmp, as_version=4)
    finally:
        tmp.unlink(missing_ok=True)
    timing = timing_of(nb, started, ended)
    nb, stderr = normalise(nb)
    publish(spec, stage, source, nb, parameters)
    atomic.write_json(paths.resolve(f"{STAMP_DIR}/{stage}/timings/{spec.name}.json"), timing)
    for text in stderr:
        message = text.split("] ", 1)[1] if text.startswith("[cell ") else text
        # A chapter's own warnings (⚠ …) are meant for the consultant; anything else is the kernel's noise.
        shown = message.rstrip() if message.lstrip().startswith("⚠") else f"{spec.name} stderr {text.rstrip()}"
        print(f"  {shown}", file=sys.stderr, flush=True)
    return timing


def _when_outputs_written(call: Callable[[], None]) -> Callable[..., None]:
    """nbclient's hook after each code cell: `call()` after the cell tagged `OUTPUTS_WRITTEN_TAG`, if it ran."""

    def hook(cell: nbformat.NotebookNode, cell_index: int, execute_reply: dict) -> None:
        tags = cell.get("metadata", {}).get("tags", [])
        if OUTPUTS_WRITTEN_TAG in tags and execute_reply.get("content", {}).get("status") == "ok":
            call()

    return hook


def _merge_upstream_numbers(spec: NotebookSpec, specs: list[NotebookSpec]) -> None:
    """The merged numbers of the notebooks a reader waits for (see `upstream`), which its run and its
    prose read."""
    if spec.reads_numbers:
        fragments = [paths.resolve(u.fragment) for u in transitive_upstream(spec, specs) if u.writes_numbers]
        numbers.merge([f for f in fragments if f.exists()], numbers.MERGED)


def publish(
    spec: NotebookSpec,
    stage: str,
    source: nbformat.NotebookNode,
    run: nbformat.NotebookNode,
    parameters: dict[str, Any],
) -> None:
    """Render a normalised run's prose and move it into reports/<stage>/notebooks/. The run as it was
    before rendering is recorded first, with the source that ran, for `rerender_prose`."""
    atomic.write_text(run_record(stage, spec.name), json.dumps({"source": source, "run": run}, sort_keys=True))
    render_prose(run, spec, parameters)
    leaks = machine_paths_in(run)
    if leaks:
        raise RunError(
            f"{spec.name} shows an absolute path of this machine in cell(s) {', '.join(leaks)}; "
            "outputs must use project-relative paths (analysis.engine.paths.relative)"
        )
    atomic.write_text(paths.resolve(f"reports/{stage}/notebooks/{spec.name}.ipynb"), nbformat.writes(run) + "\n")


# ---------------------------------------------------------------- an edit of prose alone
def run_record(stage: str, name: str) -> Path:
    """A notebook's last run before its prose was rendered, with the source that ran."""
    return paths.resolve(f"{STAMP_DIR}/{stage}/runs/{name}.json")


def _code_of(nb: nbformat.NotebookNode) -> str:
    """All of a notebook that its run depends on: everything but its Markdown cells and its outputs."""
    cells = [
        {key: cell.get(key) for key in ("cell_type", "id", "source", "metadata", "attachments")}
        for cell in nb.cells
        if cell.cell_type != "markdown"
    ]
    shape = {"format": [nb.nbformat, nb.nbformat_minor], "metadata": nb.metadata, "cells": cells}
    return json.dumps(shape, sort_keys=True)


def prose_edit(spec: NotebookSpec, stage: str) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode] | None:
    """The notebook as now saved and its last run with the Markdown cells of that source, when nothing but
    Markdown changed since that run: the same code cells (source, tags, ids, order), notebook metadata
    and run settings. The run's outputs then stand, because code cells never see the Markdown; the
    notebook's prose is rendered again without a kernel (`publish`). None when the notebook must run.

    The caller makes sure none of the notebook's other prerequisites changed (`analysis.engine.build`).
    """
    record_path = run_record(stage, spec.name)
    if not record_path.exists():
        return None
    record = json.loads(record_path.read_text(encoding="utf-8"))
    source = nbformat.read(spec.path, as_version=4)
    run = nbformat.from_dict(record["run"])
    settings = json.loads(json.dumps(injected_parameters(spec, stage), default=str))
    if _code_of(source) != _code_of(nbformat.from_dict(record["source"])):
        return None
    if run.metadata.get("pipeline", {}).get("parameters") != settings:
        return None
    # The source's Markdown cells, in the places they have between its code cells.
    between: list[list[nbformat.NotebookNode]] = [[]]
    for cell in source.cells:
        if cell.cell_type == "markdown":
            cell = copy.deepcopy(cell)  # the source stays as saved: it is recorded as the source of this run
            _normalise_cell(cell)
            between[-1].append(cell)
        else:
            between.append([])
    cells: list[nbformat.NotebookNode] = []
    code = iter(between)
    for cell in run.cells:
        if cell.cell_type == "markdown":
            continue
        if cell.get("id") != "injected-parameters":  # papermill's cell follows the parameters cell
            cells += next(code)
        cells.append(cell)
    cells += next(code)
    run.cells = cells
    return source, run


def rerender_prose(
    spec: NotebookSpec,
    specs: list[NotebookSpec],
    stage: str,
    edit: tuple[nbformat.NotebookNode, nbformat.NotebookNode],
) -> dict[str, float]:
    """Publish a prose edit (`prose_edit`: the source as saved and the run with its Markdown)."""
    started = time.perf_counter()
    _merge_upstream_numbers(spec, specs)
    publish(spec, stage, *edit, injected_parameters(spec, stage))
    return {"total": round(time.perf_counter() - started, 3)}


def describe(timing: dict[str, float]) -> str:
    return (
        f"{timing['total']:.1f} s (kernel {timing['kernel_start']:.1f} s, imports {timing['imports']:.1f} s, "
        f"cells {timing['cells']:.1f} s)"
    )


def run(name: str, stage: str) -> Path:
    """`python -m analysis run NB`: one notebook in a kernel of its own (the build runs many: `build`)."""
    specs = discover()
    spec = next((s for s in specs if s.name == name), None)
    if spec is None:
        raise RunError(f"no notebook named {name} in {NOTEBOOK_DIR}/")
    print(f"▶ {stage}: {name} …", flush=True)
    timing = execute(spec, specs, stage)
    print(f"✔ {stage}: {name} {describe(timing)}", flush=True)
    return paths.resolve(f"reports/{stage}/notebooks/{name}.ipynb")


def merge_all(out: str = numbers.MERGED) -> Path:
    fragments = [paths.resolve(s.fragment) for s in discover() if s.writes_numbers]
    missing = [paths.relative(f) for f in fragments if not f.exists()]
    if missing:
        raise RunError(f"numbers fragments missing (run the notebooks first): {', '.join(missing)}")
    return numbers.merge(fragments, out)


def pipeline_environment() -> None:
    """The runner is the build: unless told otherwise it writes into the project folder, not `.lab/`, and
    its kernels get the settings make exports (a fixed hash seed, matplotlib's file backend)."""
    os.environ.setdefault("ANALYSIS_OUTPUT_ROOT", str(paths.project_root()))
    os.environ.setdefault("ANALYSIS_PROJECT_ROOT", str(paths.project_root()))
    for name, value in BUILD_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
