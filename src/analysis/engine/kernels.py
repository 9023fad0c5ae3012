"""Kernels for the build: warm (forked from a process that has already imported the heavy modules) and quiet.

A cold kernel spends 2–3 s starting and importing pandas, matplotlib and the package before a notebook's
first cell does any work, and a build paid that once per notebook. `WarmKernels` starts one *warm process*
per build (or per `make watch` session; from a terminal, kept for the next build: analysis.engine.warm_start)
that imports those modules once; every notebook then gets a kernel forked from it. The child becomes an ordinary ipykernel (a new IPython shell, an empty namespace,
execution count 1) in a fresh process, so nothing one notebook does reaches another, and the modules it
finds imported are exactly what its own import cell would have loaded. Each launch also starts a *spare*
kernel like it, which starts up while the notebook runs, so the next notebook's kernel is ready at once
(and the build's client, not jupyter_client's, waits for it without fixed delays). papermill drives the kernel
unchanged — its parameter injection and executed-notebook format are its own — so plain `papermill` reruns
any notebook to the same outputs (`make verify` and tests/test_build.py compare the bytes).

Every build kernel (warm or not) talks over IPC sockets in a private folder, so ipykernel does not warn
that it is "running over TCP without encryption", and is shut down without the interrupt jupyter_client
sends first by default, which made a kernel that was still flushing log "KeyboardInterrupt caught in kernel".
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from pathlib import Path
from queue import Empty
from typing import Any, NamedTuple

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from analysis.engine import warm_process

#: What every kernel imports before the notebook's first cell (the kernel machinery, its debugger included).
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger")
_sockets: Path | None = None


def socket_folder() -> Path:
    """One private folder per build process for the kernels' IPC sockets (removed when it exits)."""
    global _sockets
    if _sockets is None:
        _sockets = Path(tempfile.mkdtemp(prefix="analysis-kernels-"))
        atexit.register(shutil.rmtree, _sockets, True)
    return _sockets


class BuildKernelClient(AsyncKernelClient):
    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """jupyter_client's wait for the kernel_info reply and the first IOPub message, without the 0.2 s it
        then waits for IOPub to fall silent (nbclient ignores messages that do not answer its own requests).
        A kernel that is already up (a spare) answers at once, but the status messages of that first
        request can go out before this client's IOPub subscription has joined: it asks again every 10 ms
        rather than waiting 0.2 s for messages that will not come."""
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.01)  # IOPub is connected once a message arrives
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


class QuietKernelManager(AsyncKernelManager):
    """A kernel over IPC (no TCP warning), shut down without an interrupt (no spurious KeyboardInterrupt)."""

    def __init__(self, **kwargs: Any) -> None:
        # As a trait value (a plain class attribute would hide the trait, and the manager would make
        # jupyter_client's own client).
        super().__init__(client_class=f"{__name__}.BuildKernelClient", **kwargs)
        self.transport = "ipc"
        self.ip = str(socket_folder() / uuid.uuid4().hex[:12])

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:  # the notebook has finished; an idle kernel needs no interrupt to stop
            return
        await super()._async_interrupt_kernel()

    async def _async_finish_shutdown(
        self, waittime: float | None = None, pollinterval: float = 0.1, restart: bool = False
    ) -> None:
        """Look whether the kernel has exited every 10 ms, not every 100 ms: the notebook waits for it."""
        await super()._async_finish_shutdown(waittime, min(pollinterval, 0.01), restart)


class WarmKernelManager(QuietKernelManager):
    """A quiet kernel forked from the build's warm process (`warm` is set on a subclass per process)."""

    warm: WarmKernels

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = WarmProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)


class WarmProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, except that the kernel process comes from the warm process: the
    spare kernel it started for a launch like this one, or else one forked now."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict[str, Any]:
        cwd = str(kwargs.get("cwd") or os.getcwd())
        env = dict(kwargs.get("env") or os.environ)
        warm = self.parent.warm
        spare = warm.take_spare(cmd, env, cwd)
        if spare is None:
            pid = warm.fork(cmd, env, cwd)
        else:
            # The manager adopts the spare's connection file (and removes it at shutdown) instead of the one
            # it wrote for a kernel that is not started; the provisioner's information is the truth.
            manager = self.parent
            Path(manager.connection_file).unlink(missing_ok=True)
            manager.connection_file = str(spare.connection_file)
            manager.load_connection_info(spare.info)
            pid, self.connection_info = spare.pid, spare.info
        warm.start_spare(cmd, env, cwd)
        self.process = ForkedKernel(pid)
        self.pid = self.pgid = pid  # the child leads its own session, as jupyter_client's launcher does
        self.cwd = cwd
        return self.connection_info


class ForkedKernel:
    """The part of a Popen that the provisioner uses, for a kernel that is the warm process's child.

    The warm process ignores SIGCHLD, so a kernel that exits is reaped at once and its pid disappears.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class WarmKernels:
    """The warm process of one build: started at once, it imports `modules` while the build gets ready.

    Use as a context manager; `manager_class` is the kernel manager class to give papermill.
    """

    def __init__(
        self, modules: list[str] | None = None, channel: warm_process.Channel | None = None, keep_seconds: float = 0.0
    ) -> None:
        """A warm process importing `modules`, or `channel`, one already started or kept that serves kernels
        as this module's does (the build's: analysis.engine.warm_start). At `close`, the process is kept for
        `keep_seconds` for the next build, else stopped."""
        self._channel = channel or warm_process.start(modules or [])
        self._keep_seconds = keep_seconds
        self._lock = threading.Lock()
        self._spare: Spare | None = None
        self._spare_lock = threading.Lock()
        self.manager_class = type("BuildKernelManager", (WarmKernelManager,), {"warm": self})

    @classmethod
    def for_build(cls, channel: warm_process.Channel) -> WarmKernels:
        """The kernels of a build or `make watch`, kept for the next if run from a terminal."""
        return cls(channel=channel, keep_seconds=warm_process.keep_seconds())

    def fork(self, cmd: list[str], env: dict[str, str], cwd: str) -> int:
        """A new kernel process running `cmd` (jupyter's `python -m ipykernel_launcher -f CONNECTION`)."""
        if "ipykernel_launcher" not in cmd:
            raise RuntimeError(f"a warm kernel runs ipykernel only, not {cmd}")
        request = {"argv": cmd[cmd.index("ipykernel_launcher") + 1 :], "env": env, "cwd": cwd}
        with self._lock:
            if not self._channel.ready:
                if self._channel.readline() != b"ready\n":
                    raise RuntimeError("the warm kernel process stopped before it was ready")
                self._channel.ready = True
            self._channel.send(request)
            reply = self._channel.readline()
        if not reply.strip().isdigit():
            raise RuntimeError("the warm kernel process stopped")
        return int(reply)

    def start_spare(self, cmd: list[str], env: dict[str, str], cwd: str) -> None:
        """Start a kernel like the one just launched, for the next notebook: it starts up while this one
        runs, so the next notebook finds a kernel ready instead of waiting 0.4 s for one (the build's
        notebooks all launch alike). At most one waits; one launched otherwise replaces it."""
        from jupyter_client.connect import write_connection_file

        with self._spare_lock:
            if self._spare is not None or "-f" not in cmd:
                return
            folder = socket_folder()
            name = uuid.uuid4().hex[:12]
            key = uuid.uuid4().hex.encode()
            file, info = write_connection_file(
                str(folder / f"{name}.json"), transport="ipc", ip=str(folder / name), key=key, kernel_name="python3"
            )
            argv = list(cmd)
            argv[argv.index("-f") + 1] = file
            pid = self.fork(argv, env, cwd)
            self._spare = Spare(pid, Path(file), {**info, "key": key}, _launch_key(cmd, env, cwd))

    def take_spare(self, cmd: list[str], env: dict[str, str], cwd: str) -> Spare | None:
        """The waiting kernel, if it was started for a launch like this one (else it is stopped)."""
        with self._spare_lock:
            spare, self._spare = self._spare, None
        if spare is None:
            return None
        if spare.launch != _launch_key(cmd, env, cwd) or not self.running():
            _stop(spare.pid)
            spare.connection_file.unlink(missing_ok=True)
            return None
        return spare

    def running(self) -> bool:
        return self._channel.running()

    @property
    def kept(self) -> bool:
        """Whether the warm process is one an earlier build kept (its imports were done before this build)."""
        return isinstance(self._channel, warm_process.SocketChannel)

    def close(self, keep: bool = True) -> None:
        """Stop the kernels this build forked that are still running, and the warm process unless it is kept
        (`keep`, for `keep_seconds`; one still importing has forked none, and is stopped at once rather than
        when its imports end)."""
        if not self._channel.running():
            return
        if not self._channel.ready:
            self._channel.kill()
        else:
            self._channel.end(self._keep_seconds if keep else 0.0)

    def __enter__(self) -> WarmKernels:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Spare(NamedTuple):
    pid: int
    connection_file: Path
    info: dict[str, Any]
    launch: tuple


def _launch_key(cmd: list[str], env: dict[str, str], cwd: str) -> tuple:
    """What makes two kernel launches alike: the command (its connection file aside), environment, folder."""
    argv = list(cmd)
    if "-f" in argv:
        del argv[argv.index("-f") + 1]
    return tuple(argv), tuple(sorted(env.items())), cwd


def _stop(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except OSError:
        pass


# ---------------------------------------------------------------- the warm process
def serve(modules: list[str], started: int | None = None) -> None:
    """Import `modules`, then serve the build that started this process over stdin and stdout: fork one
    kernel per request line, answering with its pid. Kept by the build, wait for the next on a socket.
    `started`: when this process began to import (time.time_ns()), if before this call."""
    started = started or time.time_ns()
    identity = warm_process.hello()  # before the imports change the environment (debugpy sets a variable)
    for name in (*KERNEL_MODULES, *modules):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the notebook that imports it shows the error with its traceback
            continue
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # exited kernels are reaped at once, never zombies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build, which closes this process
    imported = _module_files()
    # A file saved while this process imported may be older than what it loaded: then it is never kept.
    fresh = all(info and info[0] < started for info in imported.values())
    kept = _serve_build(sys.stdin.buffer, sys.stdout.buffer, identity if fresh else None)
    while kept is not None:
        kept = _wait_for_build(*kept, imported)
    # The build does not wait for this process to end: tearing down an interpreter with pandas, matplotlib
    # and scipy loaded took 0.3 s, and nothing here is left to flush or close.
    os._exit(0)


#: A socket listened on for the next build: the socket, its path and the path's inode.
Listening = tuple[socket.socket, str, int]


def _serve_build(
    requests, replies, identity: dict | None, private: int | None = None
) -> tuple[Listening, float, dict] | None:
    """Fork a kernel per request until the build ends; stop the kernels still running. If the build asks
    to keep this process (and `identity`, what it shares with the builds it may serve, is given), listen
    for the next build before answering, so that a build started as soon as this one ends finds it.
    Returns the socket, the seconds to wait on it and the identity, or None: end. `private`: the
    connection's descriptor, which a kernel closes (the build would otherwise not see this process end)."""
    keep = 0.0
    children = []
    try:
        replies.write(b"ready\n")
        replies.flush()
        for line in requests:
            request = json.loads(line)
            if "keep" in request:
                keep = float(request["keep"])
                break
            pid = os.fork()
            if pid == 0:
                if private is not None:
                    os.close(private)
                _become_kernel(request)
            children.append(pid)
            replies.write(f"{pid}\n".encode())
            replies.flush()
    except (OSError, ValueError):  # the build has gone
        keep = 0.0
    for pid in children:  # no kernel outlives its build
        _stop(pid)
    listening = _listen(identity) if keep > 0 and identity is not None else None
    if keep > 0:
        try:
            replies.write(b"kept\n" if listening else b"ended\n")
            replies.flush()
        except OSError:
            _unlisten(listening)
            listening = None
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # no terminal or pipe of the build's is held once it has gone
        os.dup2(null, fd)
    os.close(null)
    return (listening, keep, identity) if listening else None


def _wait_for_build(
    listening: Listening, seconds: float, identity: dict, imported: dict[str, tuple]
) -> tuple[Listening, float, dict] | None:
    """Kept: wait `seconds` for the next build, and serve it if nothing it would load has changed since
    this process imported it (else answer "stale"). Returns what `_serve_build` does (None: end now)."""
    try:
        arrived = _next_build(listening[0], seconds)
    finally:
        _unlisten(listening)  # whoever connects next starts a process of its own, while this one serves
    if arrived is None:
        return None
    connection, greeting, errors = arrived
    with connection:
        if greeting != identity or _module_files(imported) != imported:
            with contextlib.suppress(OSError):
                connection.sendall(b"stale\n")
            os.close(errors)
            return None
        os.dup2(errors, 2)  # the kernels' errors go to the build's own error stream
        os.close(errors)
        with connection.makefile("rb") as requests, connection.makefile("wb") as replies:
            return _serve_build(requests, replies, identity, private=connection.fileno())


def _next_build(listener: socket.socket, seconds: float) -> tuple[socket.socket, dict, int] | None:
    """The next build to connect within `seconds`, its greeting and error stream (None: the time is up).
    A connection without a greeting (a process looking whether one waits here) is closed and not counted."""
    deadline = time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        listener.settimeout(remaining)
        try:
            connection, _ = listener.accept()
        except OSError:
            return None
        greeting, errors = _greeting(connection)
        if greeting is not None and errors is not None:
            return connection, greeting, errors
        connection.close()
    return None


def _listen(identity: dict) -> Listening | None:
    """The socket for the next build with this `identity` (the socket, its path and inode), unless a
    process listens on it already."""
    path = warm_process.address(identity)
    if path is None:
        return None
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
        return None  # one waits there already
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()
    finally:
        probe.close()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
        listener.listen(4)
        return listener, str(path), os.stat(path).st_ino
    except OSError:
        listener.close()
        return None


def _unlisten(listening: Listening | None) -> None:
    """Stop listening, and remove the socket's path unless another process has bound it since."""
    if listening is None:
        return
    listener, path, inode = listening
    listener.close()
    with contextlib.suppress(OSError):
        if os.stat(path).st_ino == inode:
            os.unlink(path)


def _greeting(connection: socket.socket) -> tuple[dict | None, int | None]:
    """The build's greeting line (warm_process.hello) and the error stream it sent with it."""
    connection.settimeout(5)
    received = b""
    errors: int | None = None
    try:
        while not received.endswith(b"\n") and len(received) < 1 << 20:
            data, fds, _, _ = socket.recv_fds(connection, 1 << 16, 1)
            if not data:
                break
            received += data
            if fds:
                errors = fds[0]
        connection.settimeout(None)
        return json.loads(received), errors
    except (OSError, ValueError):
        if errors is not None:
            os.close(errors)
        return None, None


def _module_files(known: dict[str, tuple] | None = None) -> dict[str, tuple]:
    """(modification time, size) of the file of every module imported and of every file of this package
    (the wording it reads when imported), or of the files in `known`: a kept process whose files changed
    would give a build old code."""
    if known is None:
        files = {getattr(m, "__file__", None) for m in list(sys.modules.values())}
        package = Path(__file__).resolve().parents[1]
        files.update(str(f) for f in package.rglob("*") if f.is_file() and "__pycache__" not in f.parts)
        known = dict.fromkeys(sorted(f for f in files if isinstance(f, str)), ())
    found = {}
    for name in known:
        try:
            info = os.stat(name)
        except OSError:
            found[name] = ()
            continue
        found[name] = (info.st_mtime_ns, info.st_size)
    return found


def _become_kernel(request: dict[str, Any]) -> None:
    """In the forked child: set up the process as `python -m ipykernel_launcher` would be, then run it."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(2, 1)  # the kernel's own output goes to the build's stderr, never into the request pipe
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # The kernel stops if the warm process goes. ipykernel read JPY_PARENT_PID when the warm process
        # imported it, so the value is passed as an option as well.
        parent = str(os.getppid())
        os.environ["JPY_PARENT_PID"] = parent
        # ipykernel_launcher removes the launch folder from sys.path; IPython then adds '' back.
        del sys.path[0]
        sys.argv = [
            importlib.util.find_spec("ipykernel_launcher").origin,
            *request["argv"],
            f"--IPKernelApp.parent_handle={parent}",
        ]
        from ipykernel.kernelapp import launch_new_instance

        launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - shown on the build's stderr; the build reports a dead kernel
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # never return into the warm process's loop


if __name__ == "__main__":
    serve(sys.argv[1:])
