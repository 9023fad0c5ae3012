"""Synthetic validation ratings of the draft findings (data/raw/validation.xlsx), fixed seed.

The real validation workshop has not taken place; these ratings only show how the report presents
agreement, suppression of small cells and contested findings. Participants are pseudonyms (V-01, …)
in the consultation groups, women and men; two findings are made contested on purpose so that the
flag can be seen. Regenerate with `python -m analysis.synthetic_validation`.
"""

from __future__ import annotations

import argparse

import numpy as np

from analysis.chapters import findings as ft
from analysis.engine import config, paths

SEED = 20261128
PARTICIPANTS = 26
#: Chance that a participant rates a given finding (some leave a finding out).
RATES_A_FINDING = 0.9
#: Probabilities of agree / partly agree / disagree.
SUPPORTED = (0.78, 0.16, 0.06)
CONTESTED = (0.40, 0.28, 0.32)
DEFAULT_CONTESTED = ("F-04", "F-09")
COMMENTS = {
    "agree": [
        "Matches what we see in practice.",
        "Agree; this is the main problem for newcomers.",
        "Согласен, так и есть.",
        "",
    ],
    "partly agree": [
        "True in some offices, less so in others.",
        "Partly: the rules changed again this year.",
        "Частично: зависит от офиса.",
        "",
    ],
    "disagree": [
        "Our office applies a different rule.",
        "The evidence is too thin for this conclusion.",
        "Не согласен: на практике иначе.",
        "",
    ],
}


def generate(finding_ids: list[str], seed: int = SEED, contested: tuple[str, ...] = DEFAULT_CONTESTED) -> list[dict]:
    """One row per participant and finding rated, in a reproducible order."""
    rng = np.random.default_rng(seed)
    val = config.get("findings.validation")
    groups, sexes, levels = list(val["groups"]), list(val["sexes"]), list(val["ratings"])
    people = [(f"V-{i + 1:02d}", groups[i % len(groups)], sexes[int(rng.random() < 0.45)]) for i in range(PARTICIPANTS)]
    rows = []
    for finding in finding_ids:
        weights = CONTESTED if finding in contested else SUPPORTED
        for pid, group, sex in people:
            if rng.random() > RATES_A_FINDING:
                continue
            rating = levels[int(rng.choice(len(levels), p=weights))]
            comment = COMMENTS[rating][int(rng.integers(len(COMMENTS[rating])))]
            rows.append(
                {
                    "finding_id": finding,
                    "participant_id": pid,
                    "group": group,
                    "sex": sex,
                    "rating": rating,
                    "comment": comment,
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis example-data (validation)", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--findings", default="data/raw/findings.xlsx")
    parser.add_argument("--out", default="data/raw/validation.xlsx")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    finding_ids = ft.read_findings_table(args.findings).finding_ids
    rows = generate(finding_ids, args.seed)
    ft.write_validation_workbook(paths.resolve(args.out), rows, allow_raw=True)
    print(f"wrote {args.out}: {len(rows)} ratings of {len(finding_ids)} findings by {PARTICIPANTS} participants")
    return 0
