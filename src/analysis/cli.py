"""`python -m analysis COMMAND …`: the one command-line entry point of the project (make calls it).

Library code raises exceptions; this is the only place that turns them into an exit status and a
message in plain words (no traceback for a problem the user can fix).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

#: command -> (module with a `main(argv)`, one-line help). Loaded only when called.
DELEGATED = {
    "build": ("analysis.engine.build", "run the notebooks that are out of date, then the HTML (and DOCX, PDF)"),
    "watch": ("analysis.engine.watch", "rebuild the HTML on every save and serve it with live reload"),
    "assemble": ("analysis.engine.assemble", "assemble the executed notebooks into HTML, DOCX and PDF"),
    "verify": ("analysis.engine.verify", "rerun every notebook in a scratch folder and compare with the report"),
    "manifest": ("analysis.engine.manifest", "check that a published report matches its inputs"),
    "privacy": ("analysis.engine.privacy", "scan outputs for the private key of names"),
    "feedback": ("analysis.chapters.findings.feedback", "read reviewers' Word comments into the feedback log"),
    "final-gate": ("analysis.chapters.findings.gate", "list what stops the final report"),
    "check": ("analysis.check", "check every raw input and the configuration, without running a notebook"),
    "templates": ("analysis.templates", "write empty input workbooks"),
    "reliability": ("analysis.chapters.consultations.reliability", "Krippendorff's alpha of a reliability data file"),
    "example-data": ("analysis.examples.regenerate", "regenerate the synthetic example inputs"),
    "synthetic-feedback": ("analysis.examples.feedback", "write a synthetic reviewed copy of the draft"),
}


#: Commands that run notebooks in warm kernels (analysis.engine.warm_start).
WARM_COMMANDS = {"build", "watch"}


def _runner_command(argv: list[str]) -> int:
    from analysis.engine import runner

    parser = argparse.ArgumentParser(prog="python -m analysis run|deps|merge-numbers")
    sub = parser.add_subparsers(dest="command", required=True)
    deps = sub.add_parser("deps", help="write the make rules derived from the notebooks' parameters")
    deps.add_argument("--stage", default="draft")
    deps.add_argument("--out", help="file to write (default: standard output)")
    run_p = sub.add_parser("run", help="execute one notebook into reports/<stage>/notebooks/")
    run_p.add_argument("notebook")
    run_p.add_argument("--stage", default="draft", choices=["draft", "final"])
    merge = sub.add_parser("merge-numbers", help="merge every notebook's numbers into numbers.json")
    merge.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    runner.pipeline_environment()
    if args.command == "deps":
        rules = runner.write_deps(args.stage, args.out)
        if not args.out:
            sys.stdout.write(rules)
    elif args.command == "run":
        runner.run(args.notebook, args.stage)
    else:
        runner.merge_all(*([args.out] if args.out else []))
    return 0


def _delegate(module: str) -> Callable[[list[str]], int]:
    def call(argv: list[str]) -> int:
        return importlib.import_module(module).main(argv) or 0

    return call


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands: dict[str, Callable[[list[str]], int]] = {
        "run": lambda a: _runner_command(["run", *a]),
        "deps": lambda a: _runner_command(["deps", *a]),
        "merge-numbers": lambda a: _runner_command(["merge-numbers", *a]),
        **{name: _delegate(module) for name, (module, _) in DELEGATED.items()},
    }
    if not argv or argv[0] in {"-h", "--help"} or argv[0] not in commands:
        width = max(map(len, commands))
        lines = [
            f"  {name:<{width}}  {DELEGATED[name][1] if name in DELEGATED else 'build step (make calls it)'}"
            for name in commands
        ]
        print("usage: python -m analysis COMMAND [options]\n\ncommands:\n" + "\n".join(lines))
        return 0 if argv and argv[0] in {"-h", "--help"} else 2
    if argv[0] in WARM_COMMANDS and not {"-h", "--help"} & set(argv):
        from analysis.engine import warm_start

        warm_start.start_early()  # before the command imports its modules: every notebook waits for it
    from analysis.engine.atomic import RawDataWriteError
    from analysis.engine.errors import InputError
    from analysis.engine.numbers import NumberError
    from analysis.engine.prose import ProseError
    from analysis.engine.runner import RunError
    from analysis.engine.text import PlaceholderError

    try:
        return commands[argv[0]](argv[1:])
    except (InputError, RunError, PlaceholderError, ProseError, NumberError, RawDataWriteError) as exc:
        print(f"✖ {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("✖ interrupted", file=sys.stderr)
        return 130
