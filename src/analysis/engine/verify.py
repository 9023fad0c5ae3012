"""`make verify`: rerun every notebook from data/raw in a scratch folder and compare with the report.

Checks, each a row of the printed table:
- inputs: the files the published manifest records still have the same hashes (otherwise say which);
- numbers: every value of the published numbers.json equals the rerun's, id by id;
- notebooks: every output of every cell of the published executed notebooks equals the rerun's
  (text, HTML, Markdown and images by hash), and so does every paragraph of prose with its numbers
  filled in — the comparison nbval makes, done here on the published notebooks because nbval skips
  cells of notebooks stored without outputs.
Exit status 1 on any difference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from analysis.engine import manifest, paths

COMPARED_MIME = ("text/plain", "text/html", "text/markdown", "image/png", "image/svg+xml", "application/json")


def rebuild(stage: str, out: Path) -> None:
    # A one-off build into a scratch folder: it keeps no warm process for a next build (warm_start).
    env = dict(os.environ, ANALYSIS_OUTPUT_ROOT=str(out), ANALYSIS_WARM_MINUTES="0")
    make = ["make", "-s", f"-j{os.cpu_count() or 1}", "notebooks", f"STAGE={stage}", f"OUT={out}"]
    subprocess.run(make, cwd=paths.input_root(), env=env, check=True)
    subprocess.run([sys.executable, "-m", "analysis", "merge-numbers"], cwd=paths.input_root(), env=env, check=True)


def compare_numbers(published: Path, rebuilt: Path) -> list[str]:
    old = json.loads(published.read_text(encoding="utf-8"))["numbers"]
    new = json.loads(rebuilt.read_text(encoding="utf-8"))["numbers"]
    lines = []
    for key in sorted(set(old) | set(new)):
        if key not in new:
            lines.append(f"{key}: published but not produced by the rerun")
        elif key not in old:
            lines.append(f"{key}: produced by the rerun but not in the published report")
        elif old[key]["value"] != new[key]["value"]:
            lines.append(
                f"{key}: published {old[key]['value']!r} {old[key]['unit']}, rerun gives "
                f"{new[key]['value']!r} (from {new[key]['source']})"
            )
    return lines


def _outputs(cell) -> list[tuple[str, str]]:
    result = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            result.append((f"stream:{output.get('name')}", output.get("text", "")))
        elif kind == "error":
            result.append(("error", f"{output.get('ename')}: {output.get('evalue')}"))
        else:
            for mime in COMPARED_MIME:
                if mime in output.get("data", {}):
                    value = output["data"][mime]
                    value = "".join(value) if isinstance(value, list) else value
                    if not isinstance(value, str):
                        value = json.dumps(value, sort_keys=True)
                    if mime.startswith("image/"):
                        value = "sha256:" + hashlib.sha256(value.encode()).hexdigest()
                    result.append((mime, value))
    return result


def _first_difference(a: str, b: str) -> str:
    index = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, index - 40)
    return f"published …{a[start : index + 60]!r}… vs rerun …{b[start : index + 60]!r}…"


def compare_notebook(published: Path, rebuilt: Path) -> list[str]:
    if not rebuilt.exists():
        return [f"{published.name}: not produced by the rerun"]
    old = nbformat.read(published, as_version=4)
    new = nbformat.read(rebuilt, as_version=4)
    old_cells = {c.get("id"): c for c in old.cells}
    lines = []
    for cell in new.cells:
        ref = old_cells.get(cell.get("id"))
        if ref is None:
            lines.append(f"{published.name}: cell {cell.get('id')} is new in the rerun")
            continue
        if cell.cell_type == "markdown":
            if ref.source != cell.source:
                lines.append(
                    f"{published.name} Markdown cell {cell.get('id')}: {_first_difference(ref.source, cell.source)}"
                )
            continue
        a, b = _outputs(ref), _outputs(cell)
        if [m for m, _ in a] != [m for m, _ in b]:
            lines.append(
                f"{published.name} cell {cell.get('id')}: output kinds {[m for m, _ in a]} vs {[m for m, _ in b]}"
            )
            continue
        for (mime, x), (_, y) in zip(a, b):
            if x != y:
                lines.append(f"{published.name} cell {cell.get('id')} {mime}: {_first_difference(x, y)}")
                break
    missing = set(old_cells) - {c.get("id") for c in new.cells}
    lines += [f"{published.name}: cell {m} missing in the rerun" for m in sorted(missing, key=str)]
    return lines


def verify(stage: str, published_dir: Path | None = None, rebuilt_root: Path | None = None) -> int:
    published_dir = published_dir or paths.input_root() / "reports" / stage
    rows: list[tuple[str, str, bool, list[str]]] = []
    scratch = None
    if rebuilt_root is None:
        scratch = Path(tempfile.mkdtemp(prefix="verify-"))
        print(f"Rerunning every {stage} notebook from data/raw in a scratch folder …", flush=True)
        rebuild(stage, scratch)
        rebuilt_root = scratch
    try:
        input_diff = manifest.differences(stage, published_dir / "manifest.json")
        rows.append(("inputs", "manifest.json vs data/raw, config, code", not input_diff, input_diff))
        rebuilt_numbers = rebuilt_root / "data" / "processed" / "numbers.json"
        diff = compare_numbers(published_dir / "numbers.json", rebuilt_numbers)
        count = len(json.loads((published_dir / "numbers.json").read_text(encoding="utf-8"))["numbers"])
        rows.append(("numbers", f"{count} numbers, value by value", not diff, diff))
        for notebook in sorted((published_dir / "notebooks").glob("*.ipynb")):
            diff = compare_notebook(notebook, rebuilt_root / "reports" / stage / "notebooks" / notebook.name)
            rows.append(("notebook", notebook.name, not diff, diff))
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    width = max(len(r[1]) for r in rows)
    print(f"\n{'check':<10} {'item':<{width}}  result")
    for kind, item, ok, details in rows:
        print(f"{kind:<10} {item:<{width}}  {'PASS' if ok else 'FAIL'}")
        for line in details[:10]:
            print(f"{'':<10}   - {line}")
        if len(details) > 10:
            print(f"{'':<10}   - … and {len(details) - 10} more")
    failed = sum(not r[2] for r in rows)
    print(f"\nverify: {len(rows) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis verify", description=__doc__)
    parser.add_argument("--stage", default="draft")
    parser.add_argument("--published", type=Path, help="published report folder (default reports/<stage>)")
    parser.add_argument("--rebuilt", type=Path, help="compare with an existing rebuild instead of rerunning")
    args = parser.parse_args(argv)
    return verify(args.stage, args.published, args.rebuilt)
