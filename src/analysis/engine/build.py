"""`make notebooks | html | report`: rerun the notebooks that are out of date, in parallel in warm kernels,
then the HTML (changed chapters only) and, for the report, the Word and PDF documents from it.

Make answers only "did anything change?" (one stamp per target over the union of every notebook's
prerequisites, so a no-op build costs make's own time) and calls this module otherwise, which decides
what to run. A notebook reruns when its stamp or its executed notebook is missing, when one of its own
prerequisites (`runner.prerequisite_files`: notebook, raw inputs, code, config fingerprint) is newer
than its stamp, or when an output it reads of a notebook before it is not the one its last run read
(`versions_read`, by content): a rerun that writes the same tables and numbers as before (a touched
file) stops there instead of rerunning everything downstream, and a changed table reruns only the
notebooks that read it. When the saved notebook is all that changed and only in its Markdown cells, it
does not run at all: its prose is rendered again on its last run (`runner.prose_edit`). Independent
notebooks run at the same time, one per core, the longest chain first; a notebook that reads only another's
files starts once that one has written them (`runner.OUTPUTS_WRITTEN_TAG`), before it ends.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from analysis.engine import atomic, numbers, paths, runner, warm_start
from analysis.engine.runner import STAMP_DIR, NotebookSpec, RunError

TARGETS = ("notebooks", "html", "report")
#: A chapter notebook's name ("10_legal_framework"): stamps and runs named otherwise (as_of, check) are not its.
NOTEBOOK_NAME = re.compile(r"\d\d_\w+")
_print_lock = threading.Lock()


def say(text: str, stream=None) -> None:
    with _print_lock:
        print(text, file=stream or sys.stdout, flush=True)


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def stamp(stage: str, name: str, kind: str = "done") -> Path:
    """`done`: the notebook is up to date since then; `outputs`: the digest of its outputs, rewritten only
    when they change, so its time is when the notebooks that read them last had a reason to rerun."""
    return paths.resolve(f"{STAMP_DIR}/{stage}/{name}.{kind}")


def executed(stage: str, name: str) -> Path:
    return paths.resolve(f"reports/{stage}/notebooks/{name}.ipynb")


def remove_leftovers(stage: str, specs: list[NotebookSpec]) -> None:
    """A renamed or removed notebook leaves its last run, stamps and cached chapter behind: delete them, so
    the published folder holds only what this build made (and `make verify` compares only that)."""
    names = {s.name for s in specs}
    patterns = (
        f"reports/{stage}/notebooks/*.ipynb",
        f"{STAMP_DIR}/{stage}/*.done",
        f"{STAMP_DIR}/{stage}/*.outputs",
        f"{STAMP_DIR}/{stage}/*.read",
        f"{STAMP_DIR}/{stage}/html/*.json",
        f"{STAMP_DIR}/{stage}/runs/*.json",
    )
    for pattern in patterns:
        folder, glob = pattern.rsplit("/", 1)
        for path in paths.resolve(folder).glob(glob):
            if NOTEBOOK_NAME.fullmatch(path.stem) and path.stem not in names:
                path.unlink()


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns if path.exists() else 0


def outputs_digests(spec: NotebookSpec) -> dict[str, str]:
    """A hash of each output a notebook writes under data/processed (a folder's: over its files' names and
    contents), so that a reader reruns only when what it reads changed."""
    digests = {}
    for output in spec.outputs:
        digest = hashlib.sha256()
        root = paths.resolve(output)
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for file in files:
            if file.is_file():
                digest.update(paths.relative(file).encode() + b"\0" + hashlib.sha256(file.read_bytes()).digest())
        digests[output] = digest.hexdigest()
    return digests


def own_reason(spec: NotebookSpec, specs: list[NotebookSpec], stage: str) -> tuple[str, bool] | None:
    """Why a notebook must rerun whatever the notebooks before it do, and whether the notebook itself is
    all that changed (then an edit of its prose alone need not run it); None if nothing of its own changed."""
    done = stamp(stage, spec.name)
    if not done.exists() or not executed(stage, spec.name).exists():
        return "not built yet", False
    built = done.stat().st_mtime_ns
    if _mtime(executed(stage, spec.name)) > built:  # e.g. `git checkout reports/`: not this build's run
        return f"{paths.relative(executed(stage, spec.name))} changed since it was built", False
    changed = [file for file in runner.prerequisite_files(spec, specs, stage) if _mtime(file) > built]
    if changed:
        return f"{paths.relative(changed[0])} changed", changed == [spec.path]
    return None


def _recorded(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def versions_read(spec: NotebookSpec, specs: list[NotebookSpec], stage: str) -> dict[str, str]:
    """What a notebook reads from the notebooks before it, as the hashes their last runs recorded: each
    output whose files it reads and, for a reader of the merged numbers, each fragment merged into them
    (`notebook:output` → hash). A table it does not read may change without rerunning it."""
    found = {}
    before, direct = runner.transitive_upstream(spec, specs), runner.upstream(spec, specs)
    fragments = {u.fragment for u in before if u.writes_numbers} if spec.reads_numbers else set()
    files_read = [item for item in spec.inputs if item != numbers.MERGED]
    for other in before:
        written = _recorded(stamp(stage, other.name, "outputs"))
        for output in other.outputs:
            files = other in direct and any(runner._covers(output, item) for item in files_read)
            if files or output in fragments:
                found[f"{other.name}:{output}"] = written.get(output, "")
    return found


def upstream_reason(spec: NotebookSpec, specs: list[NotebookSpec], stage: str) -> str | None:
    """Why a notebook must rerun for the notebooks before it: an output it reads is not the one its last
    run read (None if every one is)."""
    recorded = _recorded(stamp(stage, spec.name, "read"))
    for key, version in versions_read(spec, specs, stage).items():
        if recorded.get(key) != version:
            return f"outputs of {key.split(':', 1)[0]} changed"
    return None


def downstream(names: set[str], specs: list[NotebookSpec]) -> set[str]:
    """The notebooks that read, directly or not, from any of `names`."""
    found = set(names)
    grew = True
    while grew:
        grew = False
        for spec in specs:
            if spec.name not in found and any(u.name in found for u in runner.upstream(spec, specs)):
                found.add(spec.name)
                grew = True
    return found


def chain_seconds(specs: list[NotebookSpec], stage: str) -> dict[str, float]:
    """For each notebook, the longest run of notebooks from it to the end (last timings, 1 s if unknown):
    starting the longest chain first keeps the cores busy."""
    cost = {}
    for spec in specs:
        timing = paths.resolve(f"{STAMP_DIR}/{stage}/timings/{spec.name}.json")
        cost[spec.name] = json.loads(timing.read_text(encoding="utf-8"))["total"] if timing.exists() else 1.0
    readers = {s.name: [r.name for r in specs if s in runner.upstream(r, specs)] for s in specs}
    memo: dict[str, float] = {}

    def chain(name: str) -> float:
        if name not in memo:
            memo[name] = cost[name] + max((chain(r) for r in readers[name]), default=0.0)
        return memo[name]

    return {s.name: chain(s.name) for s in specs}


def start_check() -> subprocess.Popen:
    """`make check`, listing only the inputs with errors, in a process of its own: it runs while the warm
    kernel process imports (the engine reads no chapter, so the check is the command line's)."""
    return subprocess.Popen([sys.executable, "-m", "analysis", "check", "--brief"])


def run_notebooks(
    stage: str,
    jobs: int | None = None,
    kernels=None,
    after: Callable[[NotebookSpec], None] | None = None,
    check: Callable[[], subprocess.Popen] | None = None,
) -> list[str]:
    """Bring every notebook up to date; return the names of those that ran. `kernels` is a running
    `WarmKernels` (make watch keeps one), else one is started for this build at once and stopped if
    nothing must run.
    `after(spec)` runs on another thread once a notebook has run, while the others go on (the HTML
    renders its chapter then). `check` starts the inputs' check (`start_check`), once the warm process
    has started, so that it runs beside the warm imports and the first notebooks (`InputsCheck`): a
    notebook counts as built only once it has passed."""
    from analysis.engine.kernels import WarmKernels

    specs = runner.discover()
    # The warm process imports while this one finds out what must run (it is stopped if nothing must).
    own_kernels = WarmKernels.for_build(warm_start.take()) if kernels is None else None
    kernels = kernels or own_kernels
    check_process = None
    try:
        check_process = check() if check is not None else None
        remove_leftovers(stage, specs)
        runner.write_deps(stage, str(paths.resolve(f"{STAMP_DIR}/{stage}/deps.mk")), specs)
        owns = {s.name: r for s in specs if (r := own_reason(s, specs, stage))}
        reasons = {name: reason for name, (reason, _) in owns.items()}
        # Notebooks whose saved Markdown is all that changed since their last run: their prose is rendered
        # again, unless a notebook they read from changes its outputs in this build.
        prose_edits = {
            s.name: edit for s in specs if owns.get(s.name, ("", False))[1] and (edit := runner.prose_edit(s, stage))
        }
        candidates = downstream(set(reasons), specs)
        # Nothing runs when only prose changed: the notebooks after a prose edit read unchanged outputs.
        runs = set(reasons) != set(prose_edits)
        if own_kernels is not None and not runs:
            own_kernels.close()
        if candidates:
            # While the warm process imports (and the inputs are checked), this one imports what it needs
            # once a notebook has run (papermill; nbconvert for the prose's notices and the chapter's HTML).
            import nbconvert  # noqa: F401

            if runs:
                import papermill  # noqa: F401
    except BaseException:
        if own_kernels is not None:
            own_kernels.close()
        if check_process is not None:
            check_process.kill()
            check_process.wait()
        raise
    if not candidates:
        if own_kernels is not None:
            own_kernels.close()
        InputsCheck(check_process).wait()
        return []
    by_name = {s.name: s for s in specs}
    pending = [by_name[n] for n in sorted(candidates)]
    jobs = jobs or cores()
    total = len(pending)
    priority = chain_seconds(specs, stage)
    settled = {s.name for s in specs} - candidates
    # Notebooks running whose files are written (`runner.OUTPUTS_WRITTEN_TAG`), with those files' hashes: a
    # notebook that reads only their files may start before they end.
    written: dict[str, dict[str, str]] = {}
    ran: list[str] = []
    failures: list[str] = []
    follow_ups: list[Future] = []
    count = 0
    started = time.perf_counter()
    inputs_check = InputsCheck(check_process)

    def finish(spec: NotebookSpec) -> None:
        """What a notebook's run wrote and read (its readers' reasons to rerun); its stamp waits for the
        inputs' check (`InputsCheck.built`)."""
        digests = outputs_digests(spec)
        early = written.get(spec.name, {})
        changed = [output for output, digest in early.items() if digests.get(output) != digest]
        if changed:
            raise RunError(
                f"{spec.name} changed {', '.join(changed)} after its cell tagged '{runner.OUTPUTS_WRITTEN_TAG}', "
                "when the notebooks that read it may already have read it: write every file before that cell"
            )
        atomic.write_json(stamp(stage, spec.name, "outputs"), digests)
        atomic.write_json(stamp(stage, spec.name, "read"), versions_read(spec, specs, stage))
        # The keys it read are known now: its fingerprint must not look changed at the next build.
        runner.write_config_digests([spec], stage)

    def outputs_written(spec: NotebookSpec, signal: Future) -> None:
        """The running notebook has written its files: record their hashes (what a reader that starts now
        reads, `versions_read`) and let the scheduler start the notebooks that read only them."""
        digests = {
            output: digest for output, digest in outputs_digests(spec).items() if output in runner.file_outputs(spec)
        }
        written[spec.name] = digests
        atomic.write_json(stamp(stage, spec.name, "outputs"), digests)
        signal.set_result(spec)

    def execute(spec: NotebookSpec, number: int, signal: Future) -> None:
        timing = runner.execute(spec, specs, stage, kernels.manager_class, lambda: outputs_written(spec, signal))
        finish(spec)
        say(f"✔ [{number} of {total}] {spec.name} {runner.describe(timing)}")

    def rerender(spec: NotebookSpec, number: int) -> None:
        timing = runner.rerender_prose(spec, specs, stage, prose_edits[spec.name])
        finish(spec)
        say(
            f"✔ [{number} of {total}] {spec.name} prose rendered in {timing['total']:.1f} s (its code's last run stands)"
        )

    def available(spec: NotebookSpec, other: NotebookSpec) -> bool:
        """Whether what `spec` reads of `other` is there: it has run, or has written the files `spec` reads."""
        return other.name in settled or (other.name in written and not runner.needs_whole_run(spec, other))

    def ready() -> list[NotebookSpec]:
        ready = [s for s in pending if all(available(s, u) for u in runner.upstream(s, specs))]
        return sorted(ready, key=lambda s: -priority[s.name])

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool, ThreadPoolExecutor(max_workers=1) as follow_up:
            running: dict[Future, NotebookSpec] = {}
            signals: dict[Future, NotebookSpec] = {}  # set when a running notebook has written its files
            while True:
                progressed = True
                while progressed and not failures and len(running) < jobs:
                    progressed = False
                    for spec in ready()[: jobs - len(running)]:
                        pending.remove(spec)
                        count += 1
                        upstream = upstream_reason(spec, specs, stage)
                        reason = reasons.get(spec.name) or upstream
                        if reason is None:  # it may make others ready: look again
                            atomic.write_text(stamp(stage, spec.name), "")
                            settled.add(spec.name)
                            say(f"✔ [{count} of {total}] {spec.name}: what it reads is unchanged, not rerun")
                            progressed = True
                            continue
                        if spec.name in prose_edits and upstream is None:
                            say(f"▶ [{count} of {total}] {spec.name} (only its Markdown changed) …")
                            running[pool.submit(rerender, spec, count)] = spec
                            continue
                        if not kernels.running():  # a prose edit's notebook whose inputs changed after all
                            kernels = own_kernels = WarmKernels.for_build(warm_start.take())
                        say(f"▶ [{count} of {total}] {spec.name} ({reason}) …")
                        signal: Future = Future()
                        signals[signal] = spec
                        running[pool.submit(execute, spec, count, signal)] = spec
                if not running:
                    break
                try:
                    done, _ = wait([*running, *signals], timeout=inputs_check.poll_every(), return_when=FIRST_COMPLETED)
                except KeyboardInterrupt:
                    kernels.close()  # the running notebooks end now, instead of the pool waiting for them
                    raise
                if inputs_check.failed():
                    kernels.close()  # the running notebooks read inputs that failed the check: stop them
                    break
                for future in done:
                    signals.pop(future, None)  # a notebook has written its files: its readers may be ready
                for future in [f for f in done if f in running]:
                    spec = running.pop(future)
                    for signal in [f for f, s in signals.items() if s is spec]:  # it ended without saying so
                        del signals[signal]
                    try:
                        future.result()
                    except Exception as exc:  # noqa: BLE001 - every failure is reported, then the build stops
                        failures.append(str(exc) if isinstance(exc, RunError) else f"{spec.name}: {exc!r}")
                    else:
                        ran.append(spec.name)
                        settled.add(spec.name)
                        inputs_check.built(stamp(stage, spec.name))
                        if after is not None:
                            follow_ups.append(follow_up.submit(after, spec))
            for job in follow_ups:
                job.result()
    finally:
        if own_kernels is not None:
            own_kernels.close()
    # The check's verdict first: a notebook that failed on an input the check rejects says less than it.
    inputs_check.wait()
    if failures:
        raise RunError("\n".join(failures))
    if pending:
        raise RunError(f"these notebooks read from each other in a circle: {', '.join(s.name for s in pending)}")
    kept = ", in kernels kept from the last build" if ran and kernels.kept else ""
    say(f"✔ {len(ran)} of {len(specs)} notebooks run in {time.perf_counter() - started:.1f} s ({jobs} at a time{kept})")
    return ran


class InputsCheck:
    """The inputs' check (`start_check`), which runs beside the first notebooks instead of before them: the
    check takes as long as the warm kernels' imports and the first notebook's cells, so waiting for it
    delayed every build that checks by about 2 s. A notebook that ran before the check passed is stamped
    as built (`built`) only when it has passed; if it fails, the notebooks still running are stopped, none
    of those run in this build is stamped (the next build runs them again) and the build fails with the
    check's list of problems."""

    POLL_SECONDS = 0.05

    def __init__(self, process: subprocess.Popen | None) -> None:
        self.process = process
        self.waiting: list[Path] = []  # stamps of notebooks that ran while the check was running

    def poll_every(self) -> float | None:
        """How often the build looks at the check while notebooks run (None: it has ended)."""
        return self.POLL_SECONDS if self.process is not None else None

    def built(self, done: Path) -> None:
        """A notebook has run: write its stamp now if the check has passed, else once it has."""
        self.waiting.append(done)
        self._settle()

    def failed(self) -> bool:
        """Whether the check has ended and failed (if it passed, the stamps that waited are written)."""
        if self.process is not None and self.process.poll() is not None and self.process.returncode:
            return True
        self._settle()
        return False

    def wait(self) -> None:
        """Wait for the check; raise if it failed, else write the stamps that waited for it."""
        if self.process is not None and self.process.wait():
            raise RunError(
                "the inputs have errors (listed above): the build stopped, and no notebook run in it counts as "
                "built; `make check` lists every problem"
            )
        self._settle()

    def _settle(self) -> None:
        """Write the stamps that wait, if the check has passed (or there is none)."""
        if self.process is not None:
            if self.process.poll() is None or self.process.returncode:
                return
            self.process = None
        for done in self.waiting:
            atomic.write_text(done, "")
        self.waiting.clear()


def build(target: str, stage: str, jobs: int | None = None, kernels=None, check: bool = False) -> None:
    """Run what `target` needs: the notebooks (beside the inputs' check, if `check`); then the HTML; then
    (report) the documents and the privacy scan."""

    def render_chapter(spec: NotebookSpec) -> None:
        from analysis.engine import assemble  # once a notebook has run, not while the warm kernels start

        assemble.chapter(stage, executed(stage, spec.name))

    run_notebooks(
        stage, jobs, kernels, None if target == "notebooks" else render_chapter, start_check if check else None
    )
    runner.merge_all()
    if target == "notebooks":
        return
    from analysis.engine import assemble

    if target == "html":
        assemble.assemble(stage, documents=False)
        return
    scan = start_privacy_scan(stage)
    try:
        assemble.assemble(stage, documents=True, alongside=lambda: finish_privacy_scan(scan, stage))
    finally:
        if scan.poll() is None:  # the assembly failed before the scan was given the HTML
            scan.kill()
            scan.wait()


def start_privacy_scan(stage: str) -> subprocess.Popen:
    """The key of names searched for in every output, in a process of its own, started as soon as the
    notebooks have run: it imports and scans their outputs while this process assembles the HTML, then
    scans the HTML and numbers.json (`finish_privacy_scan`) while the documents are written. The DOCX and
    PDF are converted from the HTML, so scanning it covers their text; the tests scan all three."""
    outputs = ["data/processed", f"reports/{stage}/notebooks", "--more-on-stdin"]
    return subprocess.Popen([sys.executable, "-m", "analysis", "privacy", "scan", *outputs], stdin=subprocess.PIPE)


def finish_privacy_scan(scan: subprocess.Popen, stage: str) -> None:
    scan.communicate(f"reports/{stage}/analysis.html\nreports/{stage}/numbers.json\n".encode())
    if scan.returncode:
        raise RunError("a private term reached an output (see above); nothing is published until it is removed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis build", description=__doc__)
    parser.add_argument("target", choices=TARGETS)
    parser.add_argument("--stage", default="draft", choices=["draft", "final"])
    parser.add_argument("--jobs", type=int, default=None, help="notebooks at a time (default: the cores)")
    parser.add_argument("--check", action="store_true", help="check the inputs first (make: when they changed)")
    args = parser.parse_args(argv)
    runner.pipeline_environment()
    build(args.target, args.stage, args.jobs, check=args.check)
    return 0
