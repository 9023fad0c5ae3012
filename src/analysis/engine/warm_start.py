"""The build's warm kernel process (analysis.engine.kernels), started as early as the command line can.

Every notebook of a build waits for the warm process's imports (1.5 s), so `python -m analysis build` and
`watch` start it before they import their own modules (0.2 s), and the build's `WarmKernels` takes it over
(`take`, else `start`). The process runs this module: it finds the modules the project's notebooks import,
then serves kernels. Imported by the command line first, so it imports nothing heavy itself.
"""

from __future__ import annotations

import subprocess
import sys

_early: subprocess.Popen | None = None


def start() -> subprocess.Popen:
    """A warm process for the modules the project's notebooks import."""
    return subprocess.Popen(
        [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True
    )


def start_early() -> None:
    """Start the warm process now, for the build to take over (`take`)."""
    global _early
    _early = start()


def take() -> subprocess.Popen:
    """The process `start_early` started, once; else a new one."""
    global _early
    process, _early = _early, None
    return process or start()


def notebooks_imports() -> list[str]:
    """The modules the project's notebooks import (none if they cannot be read: the build says why)."""
    from analysis.engine import runner

    try:
        return runner.notebook_imports(runner.discover())
    except Exception:  # noqa: BLE001 - a notebook that cannot be read is the build's error to report
        return []


if __name__ == "__main__":
    from analysis.engine import kernels

    kernels.serve(notebooks_imports())
