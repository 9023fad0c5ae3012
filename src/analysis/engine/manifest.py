"""Hashes of a report's inputs and outputs (reports/<stage>/manifest.json).

git does not keep modification times, so make cannot tell whether committed outputs are current;
the manifest can: `python -m analysis manifest check` compares the hashes it records with the files
as they are now, and a test and CI run it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from analysis.engine import atomic, paths

INPUT_PATTERNS = (
    "data/raw/**/*",
    "data/feedback/**/*",
    "config/**/*",
    "notebooks/*.ipynb",
    "src/analysis/**/*.py",
    "src/analysis/**/*.css",
    "src/analysis/**/*.yaml",
    "src/analysis/**/*.lua",
    "references/*",
    "requirements.lock",
)
OUTPUT_NAMES = ("analysis.html", "analysis.docx", "analysis.pdf", "numbers.json", "summary_ru.docx", "summary_ru.pdf")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(root: Path, patterns) -> list[Path]:
    found = set()
    for pattern in patterns:
        for path in root.glob(pattern):
            if path.is_file() and not any(
                part.startswith(".") or part == "__pycache__" for part in path.relative_to(root).parts
            ):
                found.add(path)
    return sorted(found)


def input_hashes() -> dict[str, str]:
    root = paths.input_root()
    return {p.relative_to(root).as_posix(): sha256(p) for p in _files(root, INPUT_PATTERNS)}


def output_hashes(stage: str) -> dict[str, str]:
    folder = paths.resolve(f"reports/{stage}")
    files = [folder / n for n in OUTPUT_NAMES] + sorted((folder / "notebooks").glob("*.ipynb"))
    return {p.relative_to(folder).as_posix(): sha256(p) for p in files if p.exists()}


def write(stage: str, inputs: dict[str, str] | None = None) -> Path:
    data = {"stage": stage, "inputs": inputs if inputs is not None else input_hashes(), "outputs": output_hashes(stage)}
    return atomic.write_json(paths.resolve(f"reports/{stage}/manifest.json"), data)


def differences(stage: str, manifest_path: Path | None = None) -> list[str]:
    """Inputs that were added, removed or changed since the manifest was written."""
    path = manifest_path or paths.input_root() / "reports" / stage / "manifest.json"
    if not path.exists():
        return [f"{paths.relative(path)}: no manifest (build and commit the report)"]
    recorded = json.loads(path.read_text(encoding="utf-8"))["inputs"]
    current = input_hashes()
    lines = []
    for name in sorted(set(recorded) | set(current)):
        if name not in current:
            lines.append(f"removed since the report was built: {name}")
        elif name not in recorded:
            lines.append(f"added since the report was built: {name}")
        elif recorded[name] != current[name]:
            lines.append(f"changed since the report was built: {name}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis manifest", description=__doc__)
    parser.add_argument("command", choices=["check"])
    parser.add_argument("--stage", default="draft")
    args = parser.parse_args(argv)
    problems = differences(args.stage)
    for line in problems:
        print(line)
    if problems:
        print(
            f"reports/{args.stage}/ is out of date with its inputs: run `make report` and commit it.", file=sys.stderr
        )
        return 1
    print(f"reports/{args.stage}/manifest.json matches the inputs and code.")
    return 0
