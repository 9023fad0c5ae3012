"""The line protocol between a build and its warm kernel process (analysis.engine.kernels serves it), and
where a kept process waits for the next build (analysis.engine.warm_start says when one is kept).

A build talks to a process it started over that process's standard input and output (`ProcessChannel`),
and to one an earlier build kept over a Unix socket (`SocketChannel`), in a folder only its user can open,
one socket per interpreter, project folder and environment (`address`). The build's greeting (`hello`)
says what the process must share with it to serve it. Standard library only: the command line imports
this first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

#: Minutes a build run from a terminal keeps its warm process for the next one (ANALYSIS_WARM_MINUTES).
KEPT_MINUTES = 10.0
#: What make, the shell and the terminal change from one command to the next; the modules a warm process
#: imports do not depend on them (each kernel gets its build's whole environment anyway).
VOLATILE_ENVIRONMENT = frozenset(
    {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "MAKE_TERMOUT", "MAKE_TERMERR", "_", "OLDPWD", "SHLVL"}
    | {"COLUMNS", "LINES", "ANALYSIS_WARM_MINUTES"}
)
#: The longest socket path Linux and macOS bind (sun_path holds 108 and 104 bytes with its final zero).
LONGEST_SOCKET_PATH = 103
#: A socket's name in `kept_folder` (16 hexadecimal digits of a hash of `hello`), for its length.
SOCKET_NAME = "0123456789abcdef.sock"


class Channel:
    """The build's line protocol with a warm process: JSON requests out, one reply line each back."""

    ready = False

    def readline(self) -> bytes:
        raise NotImplementedError

    def send(self, request: dict) -> None:
        raise NotImplementedError

    def running(self) -> bool:
        raise NotImplementedError

    def end(self, keep_seconds: float) -> None:
        """Stop the build's kernels; then keep the process for `keep_seconds` (it detaches), else stop it."""
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError


class ProcessChannel(Channel):
    """A warm process this build started, over its standard input and output."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process

    def readline(self) -> bytes:
        return self.process.stdout.readline()

    def send(self, request: dict) -> None:
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()

    def running(self) -> bool:
        return self.process.poll() is None

    def end(self, keep_seconds: float) -> None:
        try:
            if keep_seconds > 0:
                self.send({"keep": keep_seconds})
                if self.readline() == b"kept\n":  # it has stopped the kernels and let go of the pipes
                    self.process.returncode = 0  # not this build's to wait for any more
                    return
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.kill()
        finally:
            self.process.stdout.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()


class SocketChannel(Channel):
    """A warm process kept by an earlier build, over its socket."""

    ready = True  # it answered "ready" when this build connected

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.replies = connection.makefile("rb")
        self.open = True

    def readline(self) -> bytes:
        line = self.replies.readline()
        self.open = self.open and bool(line)
        return line

    def send(self, request: dict) -> None:
        self.connection.sendall(json.dumps(request).encode() + b"\n")

    def running(self) -> bool:
        return self.open

    def end(self, keep_seconds: float) -> None:
        try:
            if keep_seconds > 0 and self.open:
                self.send({"keep": keep_seconds})
                self.readline()  # "kept" once the build's kernels are stopped
        except OSError:
            pass
        self.kill()

    def kill(self) -> None:
        """Close the connection: the process stops the build's kernels, then itself."""
        self.open = False
        self.replies.close()
        self.connection.close()


def keep_seconds() -> float:
    """How long this build keeps its warm process for the next: ANALYSIS_WARM_MINUTES, else KEPT_MINUTES
    when run from a terminal (make in a shell), else 0."""
    value = os.environ.get("ANALYSIS_WARM_MINUTES")
    if value is None:
        return KEPT_MINUTES * 60 if sys.stderr.isatty() else 0.0
    try:
        return max(float(value), 0.0) * 60
    except ValueError:
        return 0.0


def kept_folder() -> Path | None:
    """The folder of the kept processes' sockets: this user's alone (None if it is not, or cannot be made).
    In the temporary folder, unless a socket's path there would be too long to bind (then in /tmp)."""
    name = f"analysis-warm-{os.getuid()}"
    folder = Path(tempfile.gettempdir()) / name
    if len(os.fsencode(folder / SOCKET_NAME)) > LONGEST_SOCKET_PATH:
        folder = Path("/tmp") / name
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder


def address(greeting: dict | None = None) -> Path | None:
    """Where the warm process kept for a build with this `greeting` (`hello`: this process's) waits: one per
    interpreter, project folder and environment, so that a build with another (`make verify`'s scratch
    folder) neither uses nor ends it."""
    folder = kept_folder()
    if folder is None:
        return None
    key = json.dumps(greeting or hello(), sort_keys=True)
    path = folder / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.sock"
    return path if len(os.fsencode(path)) <= LONGEST_SOCKET_PATH else None


def comparable_environment(environment: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in environment.items() if k not in VOLATILE_ENVIRONMENT}


def hello() -> dict:
    """What a kept process must share with this build to serve it."""
    return {
        "executable": sys.executable,
        "cwd": os.path.realpath(os.getcwd()),
        "environment": comparable_environment(dict(os.environ)),
    }


def connect() -> SocketChannel | None:
    """The kept warm process for this build, if one waits and is current; else None."""
    path = address()
    if path is None or not path.exists():
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(5)
        connection.connect(str(path))
        # The build's error stream goes with the greeting: the kernels write their errors to it, as those of
        # a process it starts do to the descriptor 2 they inherit.
        socket.send_fds(connection, [json.dumps(hello()).encode() + b"\n"], [2])
        channel = SocketChannel(connection)
        if channel.readline() == b"ready\n":
            connection.settimeout(None)
            return channel
        channel.kill()  # "stale": it ends
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            connection.close()
    return None


def start(modules: list[str] | None = None) -> ProcessChannel:
    """A new warm process: for `modules`, else for the modules the project's notebooks import (it finds
    them itself: analysis.engine.warm_start)."""
    module = "analysis.engine.warm_start" if modules is None else "analysis.engine.kernels"
    command = [sys.executable, "-m", module]
    return ProcessChannel(
        subprocess.Popen(
            [*command, *(modules or [])], stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True
        )
    )
