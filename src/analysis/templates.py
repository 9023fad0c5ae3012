"""`make templates`: empty input workbooks of the right shape, with the rules that enforce it.

A consultant starting a new review (or another corridor) fills these and puts them in data/raw/. Every
data sheet carries strict drop-downs (a value outside the list cannot be typed), date and number rules,
required columns marked, an input hint per column, a frozen header and set widths
(`analysis.engine.schema.apply_excel_rules`), and a README sheet explaining each column.
"""

from __future__ import annotations

import sys
from pathlib import Path

from analysis.chapters import benchmark, consultations, inventory, procedures
from analysis.chapters import findings as findings_table
from analysis.engine import paths
from analysis.engine.schema import Column


def specs() -> dict[str, dict[str, list[Column]]]:
    """Workbook name → sheet → the columns its rules enforce (what `write_all` writes)."""
    vocab = inventory.vocabularies()
    return {
        "regulation_inventory.xlsx": {s: inventory._columns(s, vocab) for s in inventory.SHEETS},
        "procedures.xlsx": procedures.sheet_columns(),
        "benchmark.xlsx": {s: benchmark.columns(s) for s in benchmark.SHEETS},
        "consultation_coding.xlsx": consultations.columns(),
        "findings.xlsx": {
            findings_table.FINDINGS_SHEET: findings_table.finding_columns(),
            findings_table.RECOMMENDATIONS_SHEET: findings_table.recommendation_columns(),
        },
        "validation.xlsx": {findings_table.RATINGS_SHEET: findings_table.rating_columns()},
    }


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
