"""Every path derived from the project folder, so notebooks never guess the working directory.

Inputs (data/raw, config, notebooks) are read from the project folder; generated files (data/processed,
reports, .build) go to the output root. Three cases:

- `make` (and the runner it calls) sets the output root explicitly: the project folder itself, or a
  scratch folder for `make verify` and the tests (ANALYSIS_OUTPUT_ROOT);
- a notebook run by hand in JupyterLab has no output root set, so it writes to the project's `.lab/`
  folder and never changes what `make` publishes; it reads generated tables from `.lab/` when it made
  them itself and from the last `make` build otherwise;
- the project folder is the one the command runs in (ANALYSIS_PROJECT_ROOT, set by make, or the nearest
  folder above the working directory that holds `config/` and `notebooks/`), never the folder the package
  happens to be installed from, so a copied project reads its own inputs.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

#: The checkout this package was installed from: the last resort when no project folder is found.
PACKAGE_PROJECT = Path(__file__).resolve().parents[3]
#: Relative prefixes that name generated files, resolved against the output root.
GENERATED_PREFIXES = ("data/processed", "reports", ".build")
#: Where interactive runs write, inside the project folder (git-ignored).
LAB_FOLDER = ".lab"


def _is_project(folder: Path) -> bool:
    return (folder / "config").is_dir() and (folder / "notebooks").is_dir()


def project_root() -> Path:
    """The project folder whose inputs are read (see the module docstring)."""
    explicit = os.environ.get("ANALYSIS_PROJECT_ROOT")
    if explicit:
        return Path(explicit).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if _is_project(folder):
            return folder
    return PACKAGE_PROJECT


def input_root() -> Path:
    return project_root()


def interactive() -> bool:
    """True when no build set an output root: a notebook run by hand (JupyterLab, plain papermill)."""
    return not os.environ.get("ANALYSIS_OUTPUT_ROOT")


def output_root() -> Path:
    explicit = os.environ.get("ANALYSIS_OUTPUT_ROOT")
    return Path(explicit).resolve() if explicit else project_root() / LAB_FOLDER


def is_generated(relative: str | os.PathLike) -> bool:
    parts = PurePosixPath(Path(relative).as_posix()).parts
    return any(PurePosixPath(*parts[: len(PurePosixPath(p).parts)]) == PurePosixPath(p) for p in GENERATED_PREFIXES)


def resolve(relative: str | os.PathLike) -> Path:
    """Turn a project-relative path (as notebooks take them in parameters) into an absolute one.

    A generated path read in an interactive run falls back to the last `make` build when the run has
    not written it itself; writes never fall back (`writable`).
    """
    path = Path(relative)
    if path.is_absolute():
        return path
    if not is_generated(path):
        return input_root() / path
    target = output_root() / path
    if interactive() and not target.exists() and (project_root() / path).exists():
        return project_root() / path
    return target


def writable(path: str | os.PathLike) -> Path:
    """Where a generated file may be written: in an interactive run, the build's own folders map to
    `.lab/`, so exploring in JupyterLab never overwrites what `make` published."""
    path = Path(path)
    if not path.is_absolute():
        return output_root() / path if is_generated(path) else input_root() / path
    if interactive():
        try:
            inside = path.resolve().relative_to(project_root())
        except ValueError:
            return path
        if is_generated(inside):
            return output_root() / inside
    return path


def relative(path: str | os.PathLike) -> str:
    """The project-relative POSIX form of a path, for anything written into an output."""
    path = Path(path).resolve()
    for root in (output_root(), input_root(), PACKAGE_PROJECT):
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
