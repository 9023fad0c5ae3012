"""`make example-data`: regenerate the synthetic example inputs in data/raw from their fixed seeds.

The only code path that writes into data/raw, and only files that data/raw/provenance.yaml lists as
`synthetic`: once a consultant replaces an input with real data and marks it `real` (or `sourced`), this
command skips it and says so. It never writes data/private/. The generators describe the UZ-KG example
corridor; for another corridor they refuse to run rather than write Uzbek-Kyrgyz examples into it.
"""

from __future__ import annotations

from collections.abc import Callable

from analysis.engine import config, provenance
from analysis.examples import consultations, processing_times, validation

#: The corridor the example texts, codebook and offices were written for.
EXAMPLE_CORRIDOR = "UZ-KG"


def _generators() -> list[tuple[str, list[str], Callable[[], object]]]:
    """(what, raw files it replaces, how) — in order: validation draws ratings per finding."""
    return [
        ("consultations", consultations.targets(), consultations.write),
        (
            "processing-time extract",
            [processing_times.BUNDLED_PATH.removeprefix("data/raw/")],
            processing_times.write_bundled,
        ),
        ("validation ratings", ["validation.xlsx"], lambda: validation.main([])),
    ]


def main(argv: list[str] | None = None) -> int:
    corridor = config.get("corridor.id")
    if corridor != EXAMPLE_CORRIDOR:
        print(
            f"✖ the example generators write data for the {EXAMPLE_CORRIDOR} corridor; config/corridor.yaml "
            f"is for {corridor}. Put your own inputs in data/raw/ (see `make templates`)."
        )
        return 2
    skipped = 0
    for what, targets, write in _generators():
        not_synthetic = [t for t in targets if not provenance.is_synthetic(t)]
        if not_synthetic:
            skipped += 1
            print(
                f"⚠ skipped the {what}: data/raw/provenance.yaml does not list "
                f"{', '.join(not_synthetic)} as synthetic, so they may hold real data"
            )
            continue
        write()
        for target in targets:
            print(f"✔ data/raw/{target}")
    if skipped:
        print(f"{skipped} generator(s) skipped; mark an input `origin: synthetic` in provenance.yaml to regenerate it")
    return 0
