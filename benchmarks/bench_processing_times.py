"""Scale benchmark for the processing-times analysis (not a test): 5 million applications.

Generates a synthetic Windows-1251 extract in a temporary folder, then runs the whole analysis
(reading the CSV included, figures excluded) in a fresh process and reports its wall time and peak
resident memory. Exits 1 if either is over target (60 s, 4 GB by default).

    python benchmarks/bench_processing_times.py [--rows 5000000] [--max-seconds 60] [--max-gb 4]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.engine import paths

MAPS = {
    "procedures_map_in": "data/raw/processing_time_procedures.csv",
    "columns_map_in": "data/raw/processing_times_columns.csv",
    "values_map_in": "data/raw/processing_times_values.csv",
}


def stand_in_inventory(folder: Path) -> Path:
    """The inventory's provisions if notebook 10 has run; else stand-in deadlines (speed only, not facts)."""
    real = paths.processed("inventory", "provisions.csv")
    if real.exists():
        return real.parent
    folder.mkdir(parents=True, exist_ok=True)
    import pandas as pd

    procedures = pd.read_csv(paths.resolve(MAPS["procedures_map_in"]), dtype=str, keep_default_na=False)
    ids = [p for p in procedures["deadline_provision"] if p.strip()]
    units = ["working days", "months"]
    rows = [
        {"provision_id": p, "quantity": 7 if i % 2 == 0 else 1, "unit": units[i % 2], "source": "benchmark stand-in"}
        for i, p in enumerate(ids)
    ]
    pd.DataFrame(rows).to_csv(folder / "provisions.csv", index=False)
    return folder


def peak_rss_kib() -> int:
    """Peak resident memory of this process image in KiB.

    /proc's VmHWM restarts at exec; getrusage's ru_maxrss survives exec on Linux and would report the
    parent's peak (the generator's), so it is only the fallback where /proc is missing.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def analyse_once(extract: str, inventory: str) -> None:
    """Child process: run the analysis and print its wall time and peak RSS as JSON."""
    start = time.perf_counter()
    from analysis.chapters import processing_times

    result = processing_times.analyse(extract, inventory_dir=inventory, **MAPS)
    seconds = time.perf_counter() - start
    peak_kib = peak_rss_kib()
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "peak_gb": round(peak_kib / 1024**2, 3),
                "rows": result.extract.info["rows"],
                "rows_analysed": result.extract.info["rows_analysed"],
                "tables": len(result.tables),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--max-gb", type=float, default=4.0)
    parser.add_argument("--analyse", nargs=2, metavar=("EXTRACT", "INVENTORY_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.analyse:
        analyse_once(*args.analyse)
        return 0
    from analysis.examples import processing_times as synthetic_processing_times

    with tempfile.TemporaryDirectory(prefix="bench_processing_times_") as tmp:
        extract = Path(tmp) / "processing_times.csv"
        start = time.perf_counter()
        synthetic_processing_times.write_extract(extract, args.rows)
        print(
            f"generated {args.rows:,} rows ({extract.stat().st_size / 1024**2:,.0f} MiB, Windows-1251) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        inventory = stand_in_inventory(Path(tmp) / "inventory")
        child = subprocess.run(
            [sys.executable, __file__, "--analyse", str(extract), str(inventory)], capture_output=True, text=True
        )
        if child.returncode != 0:
            print(child.stderr, file=sys.stderr)
            return 2
        result = json.loads(child.stdout.strip().splitlines()[-1])
    ok = result["seconds"] <= args.max_seconds and result["peak_gb"] <= args.max_gb
    print(
        f"analysis of {result['rows']:,} rows ({result['rows_analysed']:,} analysed, {result['tables']} tables): "
        f"{result['seconds']:.1f} s wall (target ≤ {args.max_seconds:g} s), "
        f"peak RSS {result['peak_gb']:.2f} GB (target ≤ {args.max_gb:g} GB): {'OK' if ok else 'OVER TARGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
