"""`make example-data`: regenerate every synthetic example input in data/raw from its fixed seed.

The only code path besides the individual generators that writes into data/raw; the build never calls
it. Each file it writes is listed with `origin: synthetic`, its generator and seed in
data/raw/provenance.yaml, and the regenerated files are byte-identical for the same seeds.
"""

from __future__ import annotations

from . import paths, synthetic_consultations, synthetic_processing_times, synthetic_validation


def main() -> int:
    for path in synthetic_consultations.write():
        print(f"✔ {path}")
    print(f"✔ {paths.relative(synthetic_processing_times.write_bundled())}")
    synthetic_validation.main([])  # after consultations: ratings are drawn per finding of findings.xlsx
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
