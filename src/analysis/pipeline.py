"""Run the pipeline notebooks: dependency rules for make, one notebook run, normalisation.

`python -m analysis.pipeline deps` writes make rules derived from every notebook's `parameters` cell
(the notebook is the single place that says what it reads and writes), and
`python -m analysis.pipeline run NB --stage draft` executes one notebook with papermill, prints its
progress and timing, normalises the result and moves it into place atomically.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from . import atomic, findings, paths

NOTEBOOK_DIR = "notebooks"
FINDINGS_JSON = "data/processed/findings.json"
STAMP_DIR = ".build"
# Cell-level metadata that changes on every run (papermill, nbclient timings) and is dropped.
_VOLATILE_CELL_KEYS = ("papermill", "execution")


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
    def reads_findings(self) -> bool:
        return FINDINGS_JSON in self.inputs

    @property
    def writes_findings(self) -> bool:
        return "findings_out" in self.parameters


def parameters_of(path: Path) -> dict[str, Any]:
    """Literal assignments of the cell tagged `parameters` (exactly one must exist)."""
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{paths.relative(path)}: expected exactly one cell tagged 'parameters', found {len(cells)}")
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
    """Notebooks whose outputs this one reads, plus the findings writers it must wait for.

    A notebook that reads the merged findings waits for every findings writer that does not itself read
    findings, for findings readers with a lower number, and — if it records no findings itself (a summary) —
    for every findings writer.
    """
    result = []
    for other in specs:
        if other is spec:
            continue
        if any(_covers(o, i) for o in other.outputs for i in spec.inputs if i != FINDINGS_JSON):
            result.append(other)
        elif spec.reads_findings and other.writes_findings and (
            not other.reads_findings or other.number < spec.number or not spec.writes_findings
        ):
            result.append(other)
    return result


def transitive_upstream(spec: NotebookSpec, specs: list[NotebookSpec]) -> list[NotebookSpec]:
    seen: dict[str, NotebookSpec] = {}
    stack = list(upstream(spec, specs))
    while stack:
        other = stack.pop()
        if other.name not in seen:
            seen[other.name] = other
            stack.extend(upstream(other, specs))
    return sorted(seen.values(), key=lambda s: s.name)


def _imported_modules(source: str) -> set[str]:
    """Names of `analysis.*` modules imported by a piece of code (absolute or relative imports)."""
    found: set[str] = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("analysis.")}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and module == "analysis" or node.level == 1 and not module:
                found |= {a.name for a in node.names}
            elif node.level == 0 and module.startswith("analysis."):
                found.add(module.split(".")[1])
            elif node.level == 1 and module:
                found.add(module.split(".")[0])
    return found


def code_dependencies(spec: NotebookSpec, package_dir: Path | None = None) -> list[str]:
    """The src/analysis modules a notebook uses, followed transitively through their imports.

    Editing one module then reruns only the notebooks that use it.
    """
    package_dir = package_dir or Path(__file__).resolve().parent
    nb = nbformat.read(spec.path, as_version=4)
    pending = set().union(*(_imported_modules(c.source) for c in nb.cells if c.cell_type == "code")) | {"__init__"}
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        module = package_dir / f"{name}.py"
        if name in seen or not module.exists():
            continue
        seen.add(name)
        pending |= _imported_modules(module.read_text(encoding="utf-8"))
    return [f"src/analysis/{name}.py" for name in sorted(seen)]


def make_rules(specs: list[NotebookSpec]) -> str:
    """Make rules: one stamp per notebook and stage; raw inputs by content of their folders."""
    lines = ["# Generated by `python -m analysis.pipeline deps` from the notebooks' parameters cells.", ""]
    produced = [o for s in specs for o in s.outputs]
    for spec in specs:
        prereqs = [f"notebooks/{spec.name}.ipynb"]
        for item in spec.inputs:
            if item == FINDINGS_JSON or any(_covers(o, item) for o in produced):
                continue
            # $(wildcard) keeps an optional input (a private key, a feedback log) from breaking make;
            # a required one that is missing is reported by the notebook with a clear message.
            prereqs.append(f"$(call inputs_of,{item})")
        prereqs += [f"$(STAMPS)/{u.name}.done" for u in upstream(spec, specs)]
        lines.append(f"NOTEBOOKS += {spec.name}")
        prereqs += code_dependencies(spec)
        lines.append(f"$(STAMPS)/{spec.name}.done: {' '.join(prereqs)} $(COMMON_INPUTS) | $(VENV_STAMP)")
        lines.append(f"\t@$(RUN_NOTEBOOK) {spec.name}")
        lines.append("\t@touch $@")
        lines.append("")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- running one notebook
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
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        tags = cell.metadata.get("tags")
        if tags == []:
            cell.metadata.pop("tags")
        if "injected-parameters" in (tags or []):
            cell["id"] = "injected-parameters"
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
    """Ids of cells whose outputs contain this machine's input or output root (never reproducible)."""
    roots = {str(paths.input_root()), str(paths.output_root()), str(paths.REPO_ROOT)}
    return [str(cell.get("id")) for cell in nb.cells
            if cell.cell_type == "code" and any(root in json.dumps(cell.get("outputs", [])) for root in roots)]


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
    return {"total": round(total, 3), "kernel_start": round(kernel, 3), "imports": round(imports, 3),
            "cells": round(cells, 3), "overhead": round(max(0.0, total - kernel - imports - cells), 3)}


def _only_imports(source: str) -> bool:
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in body)


def run(name: str, stage: str, as_of: str | None = None) -> Path:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    specs = {s.name: s for s in discover()}
    if name not in specs:
        raise SystemExit(f"no notebook named {name} in {NOTEBOOK_DIR}/")
    spec = specs[name]
    source = spec.path
    target = paths.resolve(f"reports/{stage}/notebooks/{name}.ipynb")
    parameters: dict[str, Any] = {"stage": stage}
    if as_of and "as_of" in spec.parameters:
        parameters["as_of"] = as_of
    unknown = set(parameters) - set(spec.parameters)
    if unknown:
        raise SystemExit(f"{name}: the parameters cell lacks {', '.join(sorted(unknown))}")
    if spec.reads_findings:
        # The merged findings of the notebooks this one waits for (see `upstream`).
        fragments = [paths.resolve(u.parameters["findings_out"]) for u in transitive_upstream(spec, list(specs.values()))
                     if u.writes_findings]
        findings.merge([f for f in fragments if f.exists()], FINDINGS_JSON)
    print(f"▶ {stage}: {name} …", flush=True)
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{name}.running.ipynb")
    try:
        papermill.execute_notebook(
            str(source), str(tmp), parameters=parameters, kernel_name="python3",
            cwd=str(source.parent), progress_bar=False, log_output=False, start_timeout=120,
        )
    except PapermillExecutionError as exc:
        tmp.unlink(missing_ok=True)
        print(f"✖ {stage}: {name} failed in cell {exc.cell_index}:\n{exc.ename}: {exc.evalue}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    ended = time.perf_counter()
    nb = nbformat.read(tmp, as_version=4)
    timing = timing_of(nb, started, ended)
    nb, stderr = normalise(nb)
    tmp.unlink(missing_ok=True)
    leaks = machine_paths_in(nb)
    if leaks:
        print(f"✖ {stage}: {name} shows an absolute path of this machine in cell(s) {', '.join(leaks)}; "
              "outputs must use repository-relative paths (analysis.paths.relative)", file=sys.stderr, flush=True)
        raise SystemExit(1)
    atomic.write_text(target, nbformat.writes(nb) + "\n")
    atomic.write_json(paths.resolve(f"{STAMP_DIR}/{stage}/timings/{name}.json"), timing)
    for text in stderr:
        print(f"  {name} stderr {text.rstrip()}", file=sys.stderr)
    print(f"✔ {stage}: {name} {timing['total']:.1f} s (kernel {timing['kernel_start']:.1f} s, imports "
          f"{timing['imports']:.1f} s, cells {timing['cells']:.1f} s)", flush=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("deps", help="print make rules derived from the notebooks' parameters")
    run_p = sub.add_parser("run", help="execute one notebook into reports/<stage>/notebooks/")
    run_p.add_argument("notebook")
    run_p.add_argument("--stage", default="draft", choices=["draft", "final"])
    run_p.add_argument("--as-of", default=os.environ.get("AS_OF") or None)
    merge_p = sub.add_parser("merge-findings", help="merge all findings fragments into findings.json")
    merge_p.add_argument("--out", default=FINDINGS_JSON)
    args = parser.parse_args(argv)
    if args.command == "deps":
        sys.stdout.write(make_rules(discover()))
    elif args.command == "run":
        run(args.notebook, args.stage, args.as_of)
    elif args.command == "merge-findings":
        fragments = [paths.resolve(s.parameters["findings_out"]) for s in discover() if s.writes_findings]
        missing = [paths.relative(f) for f in fragments if not f.exists()]
        if missing:
            raise SystemExit(f"findings fragments missing (run the notebooks first): {', '.join(missing)}")
        findings.merge(fragments, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
