"""`make templates`: empty input workbooks of the right shape, with drop-downs and README sheets.

A consultant starting a new review (or another corridor) fills these and puts them in data/raw/.
"""

from __future__ import annotations

import sys
from pathlib import Path

from analysis.chapters import benchmark, consultations, inventory, procedures
from analysis.chapters import findings as findings_table
from analysis.engine import paths


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = [
        inventory.write_template(folder / "regulation_inventory.xlsx"),
        procedures.write_template(folder / "procedures.xlsx"),
        benchmark.write_template(folder / "benchmark.xlsx"),
        consultations.write_template(folder / "consultation_coding.xlsx"),
    ]
    written += findings_table.write_template(folder)
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = Path(argv[0]) if argv else paths.resolve("reports/templates")
    for path in write_all(folder):
        print(f"✔ {paths.relative(path)}")
    return 0
