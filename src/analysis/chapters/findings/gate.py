"""The gate before the final report: every comment answered, every finding validated and well founded.

The final analysis must show how each reviewer's comment was handled and may not rest on findings
that nobody validated or on inventory facts still marked uncertain. Rather than stopping at the first
problem, the gate lists every reason at once, so the consultant can clear them in one pass. A reason
the consultant decides to accept is recorded as an explicit exception in data/raw/final_exceptions.yaml
(who, when, why); the final report states each exception.

    python -m analysis final-gate        # exit 0 when clear, 1 with the list of reasons
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from analysis.chapters import findings as ft
from analysis.engine import paths
from analysis.engine.errors import InputError, Problem

DEFAULTS = {
    "findings_table_in": "data/raw/findings.xlsx",
    "validation_in": "data/raw/validation.xlsx",
    "feedback_log_in": "data/feedback/feedback_log.xlsx",
    "exceptions_in": "data/raw/final_exceptions.yaml",
    "inventory_dir": "data/processed/inventory",
    "codebook_in": "data/processed/consultations/codebook.csv",
    "benchmark_dir": "data/processed/benchmark",
    "numbers_in": "data/processed/numbers.json",
}
#: The rules an exception may name; an exception without `rule` covers every rule for its subject.
RULES = {
    "no_response": "a feedback comment has no response",
    "no_validation": "a finding has no validation rating",
    "uncertain_evidence": "a finding relies on an inventory fact marked uncertain",
}
#: The one status that means "not yet handled"; every other status of the log (accepted, rejected, …) answers.
OPEN_STATUS = "open"


@dataclass(frozen=True)
class Reason:
    rule: str  # a key of RULES, or "input" for a file the gate could not use
    subject: str  # finding id, comment key or file
    message: str

    def line(self) -> str:
        return f"[{self.rule}] {self.subject}: {self.message}"


@dataclass(frozen=True)
class RecordedException:
    subject: str
    rule: str | None
    reason: str
    who: str
    date: date

    def covers(self, reason: Reason) -> bool:
        return self.subject == reason.subject and self.rule in (None, reason.rule)


@dataclass
class GateResult:
    reasons: list[Reason]  # still blocking
    excepted: list[tuple[Reason, RecordedException]]  # cleared by an exception (stated in the final report)
    unused: list[RecordedException] = field(default_factory=list)  # exceptions that cleared nothing

    @property
    def clear(self) -> bool:
        return not self.reasons

    def excepted_table(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "Subject": r.subject,
                    "Rule": RULES.get(r.rule, r.rule),
                    "Detail": r.message,
                    "Reason for the exception": e.reason,
                    "Recorded by": e.who,
                    "Date": e.date.isoformat(),
                }
                for r, e in self.excepted
            ],
            columns=["Subject", "Rule", "Detail", "Reason for the exception", "Recorded by", "Date"],
        )


# ---------------------------------------------------------------- exceptions
def read_exceptions(path: str | Path) -> list[RecordedException]:
    """Exceptions from the YAML file (absent file = none). Each entry needs a subject, reason, who and date."""
    path = paths.resolve(path)
    if not path.exists():
        return []
    file = paths.relative(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("exceptions") or [] if isinstance(data, dict) else data
    problems, result = [], []
    for number, entry in enumerate(entries, start=1):
        where = dict(file=file, sheet=None, row=None)
        entry = entry if isinstance(entry, dict) else {}
        subject = entry.get("finding") or entry.get("comment")
        if not subject:
            problems.append(
                Problem(
                    **where,
                    column=f"exceptions[{number}]",
                    expected="'finding: F-nn' or 'comment: <comment_key>'",
                    found=entry or None,
                )
            )
            continue
        rule = entry.get("rule")
        if rule is not None and rule not in RULES:
            problems.append(
                Problem(**where, column=f"exceptions[{number}].rule", expected=f"one of {', '.join(RULES)}", found=rule)
            )
        for key in ("reason", "who"):
            if not str(entry.get(key) or "").strip():
                problems.append(
                    Problem(
                        **where,
                        column=f"exceptions[{number}].{key}",
                        expected=f"the {key} of exception for {subject}",
                        found="nothing",
                    )
                )
        when = entry.get("date")
        if isinstance(when, str):
            try:
                when = date.fromisoformat(when)
            except ValueError:
                pass
        if not isinstance(when, date):
            problems.append(
                Problem(**where, column=f"exceptions[{number}].date", expected="a date as yyyy-mm-dd", found=when)
            )
            continue
        result.append(
            RecordedException(
                subject=str(subject),
                rule=rule,
                reason=str(entry.get("reason") or "").strip(),
                who=str(entry.get("who") or "").strip(),
                date=when,
            )
        )
    if problems:
        raise InputError(problems)
    return result


# ---------------------------------------------------------------- the rules
def unanswered_comments(log: pd.DataFrame) -> list[Reason]:
    """A comment needs a written response and a status other than open.

    Replies in a thread (non-blank parent_key, where the log has that column) are answered by the
    response to their thread's first comment, because the consultant answers a thread once.
    """

    def blank(value: object) -> bool:
        return value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip()

    has_parent = "parent_key" in log.columns
    reasons = []
    for _, row in log.iterrows():
        if has_parent and not blank(row["parent_key"]):
            continue
        missing = []
        if blank(row["response"]):
            missing.append("no response")
        if blank(row["status"]) or str(row["status"]).strip() == OPEN_STATUS:
            missing.append(f"status '{'' if blank(row['status']) else row['status']}'")
        if missing:
            where = f"{row['source_file']}, {row['author'] or 'unknown author'}"
            if not blank(row.get("finding_id")):
                where += f", on {row['finding_id']}"
            excerpt = str(row["text"] or "").strip().replace("\n", " ")
            reasons.append(
                Reason("no_response", str(row["comment_key"]), f'{" and ".join(missing)} ({where}): "{excerpt[:60]}"')
            )
    return reasons


def unvalidated_findings(finding_ids: list[str], ratings: pd.DataFrame) -> list[Reason]:
    rated = set(ratings["finding_id"])
    return [
        Reason("no_validation", fid, "no validation participant rated this finding")
        for fid in finding_ids
        if fid not in rated
    ]


def uncertain_foundations(uncertain: pd.DataFrame) -> list[Reason]:
    return [
        Reason(
            "uncertain_evidence",
            fid,
            "relies on " + ", ".join(f"{row.inventory_id} (confidence {row.confidence})" for row in group.itertuples()),
        )
        for fid, group in uncertain.groupby("finding_id", sort=False)
    ]


def _input_reasons(exc: InputError) -> list[Reason]:
    return [Reason("input", p.file, p.message()) for p in exc.problems]


# ---------------------------------------------------------------- the gate
def check(
    locations: Mapping[str, str] | None = None, read_log: Callable[[Path], pd.DataFrame] | None = None
) -> GateResult:
    """Every reason that blocks the final stage, and the reasons cleared by a recorded exception.

    `read_log` reads the feedback log (default: analysis.feedback.read_log).
    """
    loc = {**DEFAULTS, **(locations or {})}
    reasons: list[Reason] = []
    try:
        exceptions = read_exceptions(loc["exceptions_in"])
    except InputError as exc:
        exceptions = []
        reasons += _input_reasons(exc)

    table = None
    try:
        table = ft.load_checked(loc["findings_table_in"], ft.open_registry(loc["numbers_in"]), loc)
    except InputError as exc:
        reasons += _input_reasons(exc)
    if table is not None:
        try:
            ratings = ft.read_validation(loc["validation_in"], table.finding_ids)
            reasons += unvalidated_findings(table.finding_ids, ratings)
        except InputError as exc:
            reasons += _input_reasons(exc)
        if not paths.resolve(Path(loc["inventory_dir"], "provisions.csv")).exists():
            reasons.append(
                Reason(
                    "input",
                    loc["inventory_dir"],
                    "the inventory tables are missing: build the draft (`make report`) before the final stage",
                )
            )
        reasons += uncertain_foundations(ft.uncertain_evidence(table, ft.inventory_confidence(loc)))

    log_path = paths.resolve(loc["feedback_log_in"])
    if not log_path.exists():
        reasons.append(
            Reason(
                "input",
                paths.relative(log_path),
                "no feedback log: put the reviewed DOCX files in data/raw/feedback/ and run `make feedback`",
            )
        )
    else:
        if read_log is None:
            from analysis.chapters.findings.feedback import read_log
        try:
            reasons += unanswered_comments(read_log(log_path))
        except InputError as exc:
            reasons += _input_reasons(exc)

    blocking, excepted = [], []
    for reason in reasons:
        match = next((e for e in exceptions if e.covers(reason)), None)
        if match is not None and reason.rule != "input":
            excepted.append((reason, match))
        else:
            blocking.append(reason)
    used = {id(e) for _, e in excepted}
    return GateResult(reasons=blocking, excepted=excepted, unused=[e for e in exceptions if id(e) not in used])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis final-gate", description=__doc__.split("\n\n")[0])
    for key, value in DEFAULTS.items():
        parser.add_argument("--" + key.replace("_", "-"), dest=key, default=value)
    args = vars(parser.parse_args(argv))
    result = check(args)
    for reason, exc in result.excepted:
        print(f"  excepted: {reason.line()} — {exc.reason} ({exc.who}, {exc.date.isoformat()})")
    for exc in result.unused:
        print(
            f"  note: the exception for {exc.subject} ({exc.rule or 'any rule'}) clears nothing; remove it or fix its subject"
        )
    if result.clear:
        print(f"✔ final gate: clear ({len(result.excepted)} exception(s) recorded, stated in the final report)")
        return 0
    print(f"✖ final gate: {len(result.reasons)} reason(s) block the final report:", file=sys.stderr)
    for reason in result.reasons:
        print(f"  {reason.line()}", file=sys.stderr)
    print(
        "Answer the comments in the feedback log, add validation, or record an exception in "
        f"{args['exceptions_in']} (finding or comment, rule, reason, who, date).",
        file=sys.stderr,
    )
    return 1
