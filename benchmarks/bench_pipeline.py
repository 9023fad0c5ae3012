"""Time the pipeline: a clean full build, a no-op build and a one-notebook rebuild (`make bench`).

Everything is built into a scratch output root, so the published report is not touched. Per notebook
it prints the time spent starting the kernel, importing and running cells (from papermill's cell
timings, recorded by analysis.pipeline). Targets (issue 2): clean build ≤ 1.5 × Σ(kernel start +
cell execution); no-op build < 1 s. Exits non-zero if a target is missed. Not a test: shared machines
are noisy, so run it on a quiet machine and read the numbers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make(out: Path, *targets: str, jobs: int = 2) -> float:
    env = dict(os.environ, ANALYSIS_OUTPUT_ROOT=str(out))
    started = time.perf_counter()
    subprocess.run(["make", "-s", f"-j{jobs}", *targets, f"OUT={out}"], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    out = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        subprocess.run(["make", "-s", ".build/deps.mk"], cwd=REPO, check=True)  # venv and rules, not timed
        clean_notebooks = make(out, "notebooks")
        clean = clean_notebooks + make(out, "report")
        timings = {p.stem: json.loads(p.read_text()) for p in sorted((out / ".build/draft/timings").glob("*.json"))}
        noop = make(out, "report")
        leaf = "05_introduction"
        (out / ".build/draft" / f"{leaf}.done").unlink()
        one = make(out, "report")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(f"\n{'notebook':<24} {'kernel s':>9} {'imports s':>10} {'cells s':>8} {'overhead s':>11} {'total s':>8}")
    for name, t in timings.items():
        print(f"{name:<24} {t['kernel_start']:>9.2f} {t['imports']:>10.2f} {t['cells']:>8.2f} {t['overhead']:>11.2f} {t['total']:>8.2f}")
    work = sum(t["kernel_start"] + t["imports"] + t["cells"] for t in timings.values())
    print(f"\nΣ(kernel start + cell execution, imports included) = {work:.1f} s over {len(timings)} notebooks")
    checks = [
        ("clean build of the notebooks (make -j2 notebooks)", clean_notebooks, clean_notebooks <= 1.5 * work,
         f"≤ {1.5 * work:.1f} s"),
        ("clean full build (notebooks, then HTML/DOCX/PDF and privacy scan)", clean, clean <= 1.5 * work,
         f"≤ {1.5 * work:.1f} s"),
        ("no-op build (make report, nothing changed)", noop, noop < 1.0, "< 1.0 s"),
        (f"one-notebook rebuild ({leaf} + assembly)", one, True, "reported"),
    ]
    print(f"\n{'measurement':<68} {'seconds':>8}  target")
    for label, seconds, ok, target in checks:
        print(f"{label:<68} {seconds:>8.2f}  {target} {'OK' if ok else 'MISSED'}")
    return 0 if all(ok for _, _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
