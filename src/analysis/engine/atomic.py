"""Atomic writers: a file is either the old version or the complete new one, never half-written.

Every writer refuses paths under data/raw, which the pipeline must never touch.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.engine import paths

if TYPE_CHECKING:  # the build's own process writes no table: it need not wait for pandas to start
    import pandas as pd


class RawDataWriteError(PermissionError):
    pass


def guard_not_raw(path: Path, allow_raw: bool = False) -> None:
    """Refuse data/raw and data/private. An example-data generator (allow_raw=True) may write a raw
    file only if data/raw/provenance.yaml lists it as synthetic: real or sourced inputs are never
    overwritten by the project's own commands."""
    root = paths.input_root()
    target = Path(path).resolve()
    try:
        target.relative_to((root / "data" / "private").resolve())
    except ValueError:
        pass
    else:
        raise RawDataWriteError(f"refusing to write {paths.relative(path)}: data/private/ is never written")
    raw_dir = (root / "data" / "raw").resolve()
    try:
        inside = target.relative_to(raw_dir).as_posix()
    except ValueError:
        return
    if not allow_raw:
        raise RawDataWriteError(f"refusing to write {paths.relative(path)}: data/raw/ is read-only")
    from analysis.engine import provenance

    if not provenance.is_synthetic(inside):
        raise RawDataWriteError(
            f"refusing to write {paths.relative(path)}: data/raw/provenance.yaml does not "
            "list it as synthetic, so it may hold real or sourced data"
        )


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, allow_raw: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it over `path` only if the block succeeds.

    In an interactive run the build's folders map to `.lab/` (paths.writable)."""
    path = paths.writable(path)
    guard_not_raw(path, allow_raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)  # mkstemp creates 0600; outputs are ordinary readable files
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: str | os.PathLike, text: str, allow_raw: bool = False) -> Path:
    with atomic_path(path, allow_raw) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return paths.writable(path)


def write_bytes(path: str | os.PathLike, data: bytes, allow_raw: bool = False) -> Path:
    with atomic_path(path, allow_raw) as tmp:
        tmp.write_bytes(data)
    return paths.writable(path)


def write_json(path: str | os.PathLike, data: Any, allow_raw: bool = False) -> Path:
    """Sorted keys, fixed indentation and a trailing newline: the same data gives the same bytes."""
    return write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", allow_raw)


def write_csv(path: str | os.PathLike, frame: pd.DataFrame, allow_raw: bool = False) -> Path:
    """UTF-8 CSV with '\\n' line ends and ISO dates, readable by read_processed()."""
    with atomic_path(path, allow_raw) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n", date_format="%Y-%m-%d")
    return paths.writable(path)


def deterministic_zip(data: bytes) -> bytes:
    """Re-pack a DOCX with fixed entry dates and order: equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        ordered = ["[Content_Types].xml"] + sorted(n for n in names if n != "[Content_Types].xml")
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return buffer.getvalue()
