"""The final gate lists every reason at once, and clears when answered, validated or excepted."""

from __future__ import annotations

import sys
import types

import pandas as pd
from findings_project import make_project

from analysis.chapters.findings import gate as final_gate

LOG_COLUMNS = [
    "comment_key",
    "source_file",
    "author",
    "date",
    "text",
    "anchor",
    "section",
    "finding_id",
    "resolved",
    "response",
    "status",
]


def _log(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{c: row.get(c, "") for c in LOG_COLUMNS + ["parent_key"]} for row in rows])


COMMENTS = [
    {
        "comment_key": "k1",
        "source_file": "draft_iom.docx",
        "author": "IOM reviewer",
        "text": "Cite the decree.",
        "finding_id": "F-01",
        "response": "",
        "status": "open",
    },
    {
        "comment_key": "k2",
        "source_file": "draft_iom.docx",
        "author": "IOM reviewer",
        "text": "Добавьте источник.",
        "finding_id": "",
        "response": "Added.",
        "status": "accepted",
    },
    {
        "comment_key": "k3",
        "source_file": "draft_iom.docx",
        "author": "Consultant",
        "text": "Will do.",
        "parent_key": "k2",
        "response": "",
        "status": "open",
    },  # a reply: answered with its thread
]


def _gate(tmp_path, monkeypatch, log: pd.DataFrame | None = COMMENTS, exceptions: str | None = None, **project):
    locations = make_project(tmp_path, monkeypatch, **project)
    if log is not None:
        path = tmp_path / "data/feedback/feedback_log.xlsx"
        path.parent.mkdir(parents=True)
        path.write_bytes(b"read by the injected reader")
    if exceptions is not None:
        (tmp_path / "data/raw/final_exceptions.yaml").write_text(exceptions, encoding="utf-8")
    frame = _log(log) if log is not None else None
    return final_gate.check(locations, read_log=lambda path: frame)


def _lines(result) -> list[str]:
    return [r.line() for r in result.reasons]


def test_every_reason_is_listed(tmp_path, monkeypatch):
    ratings = [
        {
            "finding_id": "F-01",
            "participant_id": "V-01",
            "group": "government",
            "sex": "male",
            "rating": "agree",
            "comment": "",
        }
    ]
    result = _gate(tmp_path, monkeypatch, ratings=ratings)
    assert not result.clear
    assert _lines(result) == [
        "[no_validation] F-02: no validation participant rated this finding",
        "[uncertain_evidence] F-02: relies on L07-PATENT-FEE (confidence uncertain)",
        "[no_response] k1: no response and status 'open' (draft_iom.docx, IOM reviewer, on F-01): \"Cite the decree.\"",
    ]


def test_a_missing_feedback_log_is_a_reason(tmp_path, monkeypatch):
    result = _gate(tmp_path, monkeypatch, log=None)
    assert "[input] data/feedback/feedback_log.xlsx: no feedback log" in "\n".join(_lines(result))


def test_gate_clears_when_answered_and_excepted(tmp_path, monkeypatch):
    answered = [
        dict(COMMENTS[0], response="Decree 689 cited in 2.1.", status="partly accepted"),
        COMMENTS[1],
        COMMENTS[2],
    ]
    exceptions = """
exceptions:
  - finding: F-02
    rule: uncertain_evidence
    reason: The finding is that the patent's legal basis is unknown; the uncertainty is its subject.
    who: Consultant
    date: 2026-11-28
"""
    result = _gate(tmp_path, monkeypatch, log=answered, exceptions=exceptions)
    assert result.clear, _lines(result)
    table = result.excepted_table()
    assert table[["Subject", "Recorded by", "Date"]].values.tolist() == [["F-02", "Consultant", "2026-11-28"]]


def test_an_exception_for_another_rule_does_not_clear(tmp_path, monkeypatch):
    exceptions = """
exceptions:
  - {finding: F-02, rule: no_validation, reason: not needed, who: Consultant, date: 2026-11-28}
  - {comment: k1, reason: Reviewer withdrew the comment by e-mail, who: Consultant, date: 2026-11-29}
"""
    result = _gate(tmp_path, monkeypatch, exceptions=exceptions)
    assert _lines(result) == ["[uncertain_evidence] F-02: relies on L07-PATENT-FEE (confidence uncertain)"]
    assert [r.subject for r, _ in result.excepted] == ["k1"]
    assert [e.subject for e in result.unused] == ["F-02"]  # F-02 was validated: its exception clears nothing


def test_an_incomplete_exception_is_itself_a_reason(tmp_path, monkeypatch):
    result = _gate(tmp_path, monkeypatch, exceptions="exceptions:\n  - {finding: F-02, reason: '', date: 28.11.2026}\n")
    text = "\n".join(_lines(result))
    assert "exceptions[1].reason" in text and "exceptions[1].who" in text and "exceptions[1].date" in text
    assert "[uncertain_evidence] F-02" in text  # the broken exception clears nothing


def test_command_line_exit_codes(tmp_path, monkeypatch, capsys):
    locations = make_project(tmp_path, monkeypatch)
    args = [f"--{k.replace('_', '-')}={v}" for k, v in locations.items()]
    assert final_gate.main(args) == 1  # no feedback log, F-02 uncertain
    assert "2 reason(s)" in capsys.readouterr().err
    (tmp_path / "data/raw/final_exceptions.yaml").write_text(
        "exceptions:\n  - {finding: F-02, reason: subject of the finding, who: Consultant, date: 2026-11-28}\n"
        "  - {comment: data/feedback/feedback_log.xlsx, reason: none, who: Consultant, date: 2026-11-28}\n",
        encoding="utf-8",
    )
    assert final_gate.main(args) == 1  # a missing input cannot be excepted
    log = tmp_path / "data/feedback/feedback_log.xlsx"
    log.parent.mkdir(parents=True)
    log.write_bytes(b"")
    # The default reader is the feedback module's read_log; here it returns an empty log.
    monkeypatch.setitem(
        sys.modules, "analysis.chapters.findings.feedback", types.SimpleNamespace(read_log=lambda path: _log([]))
    )
    assert final_gate.main(args) == 0
    assert "clear (1 exception(s)" in capsys.readouterr().out
