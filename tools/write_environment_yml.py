"""Write environment.yml from requirements.lock, so conda users get exactly the pinned pip set."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
pins = [
    line.strip()
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
lines = [
    "# Generated from requirements.lock by tools/write_environment_yml.py (make lock); do not edit by hand.",
    "# conda env create -f environment.yml && conda activate uz-kg-migration-review && pip install -e .",
    "name: uz-kg-migration-review",
    "channels:",
    "  - conda-forge",
    "dependencies:",
    "  - python=3.11",
    "  - pip",
    "  - pip:",
] + [f"      - {pin}" for pin in pins]
(REPO / "environment.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
