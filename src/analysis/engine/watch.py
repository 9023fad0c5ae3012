"""`make watch`: rebuild the HTML on every save and show it in a browser that reloads when it changes.

It watches the raw inputs, the feedback log, the configuration, the notebooks and the package's code
(`watchfiles`); after each burst of saves it runs what `make html` runs, in this process and with one warm
kernel process kept for the whole session, so a rebuild starts at once. Saving a chapter module restarts
the warm process (it holds the old code); saving an engine module this process has loaded restarts the
whole session. A small HTTP server on localhost serves reports/<stage>/analysis.html with a few lines of
script that reload the page when a build finishes (server-sent events); when a build fails, the page shows
the error above the last good report, as the terminal does. The script is added only to what is served:
the published HTML has none.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import os
import signal
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from analysis.engine import build, config, paths, runner, warm_start

WATCHED = ("data/raw", "data/feedback", "config", "notebooks", "src/analysis")
IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints"}
RELOAD_SCRIPT = """<script>
new EventSource("/events").onmessage = (event) => {{ if (event.data !== "{version}") location.reload(); }};
</script>"""
ERROR_BOX = (
    '<div style="border:3px solid #b00020;background:#fff0f0;padding:1em;margin:1em;font-family:sans-serif">'
    "<strong>The last build failed</strong> ({when}); the report below is the last one that built."
    '<pre style="white-space:pre-wrap">{message}</pre></div>'
)


class Session:
    """What the browser is shown: the build number, the last error, and when they change."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.builds = 0
        self.error: str | None = None
        self.finished_at = ""
        self.changed = threading.Condition()

    @property
    def version(self) -> str:
        return f"{os.getpid()}-{self.builds}-{'failed' if self.error else 'ok'}"

    def finished(self, error: str | None) -> None:
        with self.changed:
            self.builds += 1
            self.error = error
            self.finished_at = time.strftime("%H:%M:%S")
            self.changed.notify_all()

    def page(self) -> bytes:
        report = paths.resolve(f"reports/{self.stage}/analysis.html")
        with self.changed:
            version, error, when = self.version, self.error, self.finished_at
        text = report.read_text(encoding="utf-8") if report.exists() else "<!DOCTYPE html><html><body></body></html>"
        if error:
            box = ERROR_BOX.format(when=when, message=html.escape(error))
            at = text.find(">", text.find("<body")) + 1
            text = text[:at] + box + text[at:]
        at = text.rfind("</body>")
        return (text[:at] + RELOAD_SCRIPT.format(version=version) + text[at:]).encode("utf-8")


def serve(session: Session, port: int) -> ThreadingHTTPServer:
    """The report on http://127.0.0.1:PORT/ (this machine only) and its change events on /events."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            if self.path == "/events":
                self.events()
            elif self.path in ("/", "/analysis.html"):
                body = session.page()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(404)

        def events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            sent = [None]
            try:
                while True:
                    with session.changed:
                        session.changed.wait_for(lambda: session.version != sent[0], timeout=15)
                        version = session.version
                    fresh = version != sent[0]
                    self.wfile.write(f"data: {version}\n\n".encode() if fresh else b": still here\n\n")
                    self.wfile.flush()
                    sent[0] = version
            except (BrokenPipeError, ConnectionResetError):
                return

        def log_message(self, *args) -> None:  # a page view is not news in the terminal
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def relevant(_change, path: str) -> bool:
    """Saves that can change the report: not editor swap files, lock files, caches or checkpoints."""
    parts = Path(path).parts
    name = parts[-1]
    return not (name.startswith((".", "~$")) or name.endswith((".tmp", ".swp", "~")) or IGNORED_PARTS & set(parts))


def loaded_modules() -> set[Path]:
    """Source files of the package that this process runs (a change to one needs a new process)."""
    found = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and (module.__name__ == "analysis" or module.__name__.startswith("analysis.")):
            found.add(Path(file).resolve())
    return found


def news(changed: set[Path], contents: dict[Path, str | None]) -> bool:
    """Whether any of the files saved holds other bytes than when it was last saved: an editor or a
    spreadsheet program can write one save as two bursts of file events, and the second must not build
    again. `contents` keeps each file's hash (None: deleted) from one burst to the next."""
    fresh = False
    for path in changed:
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        if path not in contents or contents[path] != digest:
            fresh = True
        contents[path] = digest
    return fresh


def rebuild(session: Session, jobs: int | None, kernels) -> None:
    started = time.perf_counter()
    config._load.cache_clear()  # the configuration is cached per process: read it as saved
    try:
        build.build("html", session.stage, jobs, kernels)
    except Exception as exc:  # noqa: BLE001 - any failure is shown, and the session goes on
        # The project's own errors (bad input, a failed cell) say what to fix; anything else is a bug.
        ours = type(exc).__module__.startswith("analysis.")
        message = str(exc) if ours else traceback.format_exc()
        build.say(f"✖ {message}", sys.stderr)
        session.finished(message)
        return
    for name in ("notebooks", "html"):  # what `make html` would leave: its next run has nothing to do
        build.stamp(session.stage, name).touch()
    build.say(f"✔ rebuilt in {time.perf_counter() - started:.1f} s; the browser reloads")
    session.finished(None)


def watch(stage: str, port: int, jobs: int | None = None, stop: threading.Event | None = None) -> None:
    import watchfiles

    from analysis.engine.kernels import WarmKernels

    session = Session(stage)
    root = paths.input_root()
    kernels = WarmKernels.for_build(warm_start.take())
    try:
        server = serve(session, port)
    except OSError as exc:
        kernels.close()
        raise runner.RunError(f"cannot serve on 127.0.0.1:{port} ({exc.strerror}): try `make watch PORT=…`") from None
    try:
        rebuild(session, jobs, kernels)
        build.say(
            f"Serving http://127.0.0.1:{server.server_address[1]}/ — rebuilt on every save in "
            f"{', '.join(WATCHED)}; Ctrl-C stops"
        )
        # What a build imports once a notebook must run, imported now rather than at the first save.
        import nbconvert  # noqa: F401
        import papermill  # noqa: F401

        folders = [root / f for f in WATCHED if (root / f).exists()]
        code = (root / "src/analysis").resolve()
        own_code = loaded_modules()
        contents: dict[Path, str | None] = {}
        # A burst of file events ends after 0.1 s without one: a spreadsheet program's save of a workbook
        # pauses between its writes for longer than 0.05 s, which cut one save into two builds.
        for changes in watchfiles.watch(
            *folders, watch_filter=relevant, debounce=1000, step=100, stop_event=stop, raise_interrupt=False
        ):
            changed = {Path(p).resolve() for _, p in changes}
            if not news(changed, contents) and session.error is None:  # after a failure, a save retries
                continue
            build.say(f"… {', '.join(sorted(paths.relative(p) for p in changed))} changed")
            if changed & own_code:
                build.say("↻ the build's own code changed: restarting the session")
                kernels.close(keep=False)  # it holds the old code
                server.server_close()
                again = ["--stage", stage, "--port", str(server.server_address[1])]
                again += ["--jobs", str(jobs)] if jobs else []
                os.execv(sys.executable, [sys.executable, "-m", "analysis", "watch", *again])  # the same page
            # The warm process holds the code and the package's wording (words.yaml …) as they were imported.
            if any(p.suffix == ".py" or code in p.parents for p in changed) or not kernels.running():
                kernels.close(keep=False)
                kernels = WarmKernels.for_build(warm_start.take())
            rebuild(session, jobs, kernels)
    finally:
        kernels.close()
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis watch", description=__doc__)
    parser.add_argument("--stage", default="draft", choices=["draft", "final"])
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--jobs", type=int, default=None, help="notebooks at a time (default: the cores)")
    args = parser.parse_args(argv)
    runner.pipeline_environment()
    signal.signal(signal.SIGTERM, _stop)  # `kill` ends the session as Ctrl-C does: kernels and server closed
    watch(args.stage, args.port, args.jobs)
    return 0


def _stop(_signum, _frame) -> None:
    raise KeyboardInterrupt
