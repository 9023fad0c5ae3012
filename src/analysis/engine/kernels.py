"""Kernels for the build: warm (forked from a process that has already imported the heavy modules) and quiet.

A cold kernel spends 2–3 s starting and importing pandas, matplotlib and the package before a notebook's
first cell does any work, and a build paid that once per notebook. `WarmKernels` starts one *warm process*
per build (or per `make watch` session) that imports those modules once; every notebook then gets a
kernel forked from it. The child becomes an ordinary ipykernel (a new IPython shell, an empty namespace,
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
import importlib
import importlib.util
import json
import os
import shutil
import signal
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

    def __init__(self, modules: list[str] | None = None, process: subprocess.Popen | None = None) -> None:
        """A warm process importing `modules`, or `process`, one already started that serves kernels as this
        module's does (the build's: analysis.engine.warm_start)."""
        self._process = process or subprocess.Popen(
            [sys.executable, "-m", __name__, *(modules or [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        self._lock = threading.Lock()
        self._ready = False
        self._spare: Spare | None = None
        self._spare_lock = threading.Lock()
        self.manager_class = type("BuildKernelManager", (WarmKernelManager,), {"warm": self})

    def fork(self, cmd: list[str], env: dict[str, str], cwd: str) -> int:
        """A new kernel process running `cmd` (jupyter's `python -m ipykernel_launcher -f CONNECTION`)."""
        if "ipykernel_launcher" not in cmd:
            raise RuntimeError(f"a warm kernel runs ipykernel only, not {cmd}")
        request = {"argv": cmd[cmd.index("ipykernel_launcher") + 1 :], "env": env, "cwd": cwd}
        with self._lock:
            if not self._ready:
                if self._process.stdout.readline() != b"ready\n":
                    raise RuntimeError("the warm kernel process stopped before it was ready")
                self._ready = True
            self._process.stdin.write(json.dumps(request).encode() + b"\n")
            self._process.stdin.flush()
            reply = self._process.stdout.readline()
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
        return self._process.poll() is None

    def close(self) -> None:
        """Stop the warm process; it stops the kernels it forked that are still running (one still importing
        has forked none, and is stopped at once rather than when its imports end)."""
        if self._process.poll() is None and not self._ready:
            self._process.kill()
            self._process.wait()
        if self._process.poll() is None:
            try:
                self._process.stdin.close()
                self._process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()
        self._process.stdout.close()

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
def serve(modules: list[str]) -> None:
    """Import `modules`, then fork one kernel per request line read from stdin, answering with its pid."""
    for name in (*KERNEL_MODULES, *modules):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the notebook that imports it shows the error with its traceback
            continue
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # exited kernels are reaped at once, never zombies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build, which closes this process
    replies = sys.stdout.buffer
    replies.write(b"ready\n")
    replies.flush()
    children = []
    for line in sys.stdin.buffer:
        pid = os.fork()
        if pid == 0:
            _become_kernel(json.loads(line))
        children.append(pid)
        replies.write(f"{pid}\n".encode())
        replies.flush()
    for pid in children:  # the build has gone: no kernel outlives it
        try:
            os.killpg(pid, signal.SIGTERM)
        except OSError:
            continue
    # The build waits for this process to end: tearing down an interpreter with pandas, matplotlib and
    # scipy loaded took 0.3 s, and nothing here is left to flush or close.
    os._exit(0)


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
