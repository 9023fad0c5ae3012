"""A tiny project in a temporary folder for the findings-table and final-gate tests.

Two findings, one recommendation, an inventory with one uncertain provision, a codebook, benchmark
criteria and a merged numbers file: small enough to work every expected result out by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.chapters import findings as ft

REPO = Path(__file__).resolve().parents[1]

FINDINGS = [
    {"finding_id": "F-01", "section": "Legal framework", "statement": "Registration is due within {reg.days} days.",
     "inventory_ids": "G01; G01-REG-DEADLINE", "code_ids": "C-REG", "finding_refs": "reg.days",
     "criterion_ids": "REG-01", "synthetic_evidence": False},
    {"finding_id": "F-02", "section": "Procedures", "statement": "The patent's legal basis is unclear.",
     "inventory_ids": "L07-PATENT-FEE", "code_ids": "", "finding_refs": "", "criterion_ids": "",
     "synthetic_evidence": False},
]
RECOMMENDATIONS = [
    {"recommendation_id": "R-01", "finding_ids": "F-01; F-02", "recommendation": "Publish the rules.",
     "responsible_body": "MFA-CD", "timeframe": "short", "priority": "high"},
]


def make_project(root: Path, monkeypatch, findings=FINDINGS, recommendations=RECOMMENDATIONS,
                 ratings=None) -> dict[str, str]:
    """Write the inputs under `root` (as input and output root) and return the gate's locations."""
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(root))
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(root))
    monkeypatch.setenv("ANALYSIS_CONFIG", str(REPO / "config" / "corridor.yaml"))
    inventory = root / "data/processed/inventory"
    inventory.mkdir(parents=True)
    pd.DataFrame({"id": ["G01", "L07"], "confidence": ["sourced", "sourced"]}).to_csv(inventory / "acts.csv", index=False)
    pd.DataFrame({"id": ["G01-REG-DEADLINE", "L07-PATENT-FEE"], "act_id": ["G01", "L07"],
                  "confidence": ["sourced", "uncertain"]}).to_csv(inventory / "provisions.csv", index=False)
    pd.DataFrame({"id": ["MFA-CD", "STS"]}).to_csv(inventory / "institutions.csv", index=False)
    (root / "data/processed/consultations").mkdir(parents=True)
    pd.DataFrame({"code_id": ["C-REG"]}).to_csv(root / "data/processed/consultations/codebook.csv", index=False)
    (root / "data/processed/benchmark").mkdir(parents=True)
    pd.DataFrame({"criterion_id": ["REG-01"]}).to_csv(root / "data/processed/benchmark/criteria_scored.csv", index=False)
    (root / "data/processed/numbers.json").write_text(json.dumps({"numbers": {"reg.days": {
        "id": "reg.days", "value": 5, "unit": "working days", "description": "deadline", "source": "x",
        "rows": [], "notebook": "10_legal_framework"}}}), encoding="utf-8")
    write_provenance(root)
    ft.write_findings_workbook(root / "data/raw/findings.xlsx", findings, recommendations, allow_raw=True)
    if ratings is None:
        ratings = [{"finding_id": f, "participant_id": f"V-{i:02d}", "group": "government",
                    "sex": "female" if i % 2 else "male", "rating": "agree", "comment": ""}
                   for f in ("F-01", "F-02") for i in range(1, 7)]
    ft.write_validation_workbook(root / "data/raw/validation.xlsx", ratings, allow_raw=True)
    return {"findings_table_in": "data/raw/findings.xlsx", "validation_in": "data/raw/validation.xlsx",
            "feedback_log_in": "data/feedback/feedback_log.xlsx", "exceptions_in": "data/raw/final_exceptions.yaml",
            "inventory_dir": "data/processed/inventory", "codebook_in": "data/processed/consultations/codebook.csv",
            "benchmark_dir": "data/processed/benchmark", "numbers_in": "data/processed/numbers.json"}


def write_provenance(root: Path) -> None:
    """The test project's workbooks are written by the test, so they are synthetic inputs."""
    raw = root / "data/raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "provenance.yaml").write_text("findings.xlsx: {origin: synthetic}\nvalidation.xlsx: {origin: synthetic}\n",
                                         encoding="utf-8")
