"""The build's warm kernel process (analysis.engine.kernels): started as early as the command line can, and
kept between builds run from a terminal.

Every notebook of a build waits for the warm process's imports (1.5 s), so `python -m analysis build` and
`watch` start it before they import their own modules (0.2 s), and the build's `WarmKernels` takes it over
(`take`). The process runs this module: it finds the modules the project's notebooks import, then serves
kernels.

*Kept between builds.* A build run from a terminal (or with ANALYSIS_WARM_MINUTES set) leaves its warm
process waiting, for that many minutes (10 by default), on a socket in a folder only its user can open
(analysis.engine.warm_process); the next build of the same project with the same Python and environment
connects to it and finds the modules imported, instead of waiting 1.5 s again (a build with another
environment looks for another socket). The process answers "stale" and ends if any file of a module it has
imported has changed, so a kept process never runs old code. Builds without a terminal (tests, CI,
scripts) keep nothing unless asked.
Between builds the process holds no terminal or pipe of anyone's: its standard streams are /dev/null, and
the kernels of a build write to that build's error stream, which the build passes over the socket.

Imported by the command line first, so it imports nothing heavy itself.
"""

from __future__ import annotations

from analysis.engine import warm_process
from analysis.engine.warm_process import Channel

_early: Channel | None = None


def start_early() -> None:
    """Find or start the build's warm process now, for the build to take over (`take`)."""
    global _early
    _early = warm_process.connect() or warm_process.start()


def take() -> Channel:
    """The process `start_early` found or started, once; else the kept one (`warm_process.connect`); else a
    new one. A build that keeps nothing (ANALYSIS_WARM_MINUTES=0) still uses a kept process, and so ends it."""
    global _early
    channel, _early = _early, None
    return channel or warm_process.connect() or warm_process.start()


def notebooks_imports() -> list[str]:
    """The modules the project's notebooks import (none if they cannot be read: the build says why)."""
    from analysis.engine import runner

    try:
        return runner.notebook_imports(runner.discover())
    except Exception:  # noqa: BLE001 - a notebook that cannot be read is the build's error to report
        return []


if __name__ == "__main__":
    import time

    started = time.time_ns()  # before the imports: a module saved after this may not be what was loaded
    from analysis.engine import kernels

    kernels.serve(notebooks_imports(), started)
