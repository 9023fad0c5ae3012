"""Every path derived from the project root, so notebooks never guess the working directory.

Inputs (data/raw, config, notebooks) are read from the input root; generated files (data/processed,
reports) go to the output root. Both default to the repository. `make verify` points the output root
at a scratch folder (ANALYSIS_OUTPUT_ROOT) so that a rerun never touches the published report.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Relative prefixes that name generated files, resolved against the output root.
GENERATED_PREFIXES = ("data/processed", "reports", ".build")


def input_root() -> Path:
    return Path(os.environ.get("ANALYSIS_INPUT_ROOT") or REPO_ROOT).resolve()


def output_root() -> Path:
    return Path(os.environ.get("ANALYSIS_OUTPUT_ROOT") or REPO_ROOT).resolve()


def is_generated(relative: str | os.PathLike) -> bool:
    parts = PurePosixPath(Path(relative).as_posix()).parts
    return any(
        PurePosixPath(*parts[: len(PurePosixPath(p).parts)]) == PurePosixPath(p)
        for p in GENERATED_PREFIXES
    )


def resolve(relative: str | os.PathLike) -> Path:
    """Turn a repository-relative path (as notebooks take them in parameters) into an absolute one."""
    path = Path(relative)
    if path.is_absolute():
        return path
    root = output_root() if is_generated(path) else input_root()
    return root / path


def relative(path: str | os.PathLike) -> str:
    """The repository-relative POSIX form of a path, for anything written into an output."""
    path = Path(path).resolve()
    for root in (output_root(), input_root(), REPO_ROOT):
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            continue
    return path.name


def raw(*parts: str) -> Path:
    return resolve(Path("data/raw", *parts))


def processed(*parts: str) -> Path:
    return resolve(Path("data/processed", *parts))


def config_file(name: str = "corridor.yaml") -> Path:
    override = os.environ.get("ANALYSIS_CONFIG")
    return Path(override).resolve() if override else resolve(Path("config", name))
