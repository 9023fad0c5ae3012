"""One value per fact across chapters: the built report shows every fee, deadline and status the same way
everywhere, as the legal inventory states it.

The chapters read fees, deadlines and terms from the inventory's provisions by id and party statuses from
its acts; these tests check the built draft (the same build as the other slow tests) rather than trusting
the mechanism: the tables each chapter writes, the numbers each records, and the text a reader sees.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import REPO

from analysis.chapters import procedures as P
from analysis.engine import config
from analysis.engine.text import PLACEHOLDER

pytestmark = pytest.mark.slow

#: Words that say a fact was not established; a finding on a criterion answered "unknown" must use one.
HEDGES = (
    "unknown",
    "could not be",
    "not established",
    "uncertain",
    "not found",
    "not confirmed",
    "data gap",
    "illustrative",
)
#: A party status typed into a finding instead of read from the registry.
TYPED_STATUS = re.compile(r"\b(is|are|was|were|has|have)( not)?( been)? (a )?(party|parties|ratified|signed)\b", re.I)


@pytest.fixture(scope="module")
def built(built_report: Path) -> dict:
    processed = built_report.parents[1] / "data" / "processed"
    numbers = json.loads((built_report / "numbers.json").read_text(encoding="utf-8"))["numbers"]
    texts = {nb.stem: _notebook_text(nb) for nb in (built_report / "notebooks").glob("*.ipynb")}
    return {
        "processed": processed,
        "numbers": numbers,
        "texts": texts,
        "provisions": pd.read_csv(processed / "inventory" / "provisions.csv").set_index("id", drop=False),
        "acts": pd.read_csv(processed / "inventory" / "acts.csv").set_index("id", drop=False),
    }


def _notebook_text(path: Path) -> str:
    """What a reader sees of an executed notebook: rendered prose and the text of its outputs."""
    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            shown = data.get("text/markdown") or data.get("text/html") or ""
            shown = "".join(shown) if isinstance(shown, list) else shown
            parts.append(html.unescape(re.sub(r"<[^>]+>", " ", shown)))
    return re.sub(r"\s+", " ", "\n".join(parts))


def _findings() -> pd.DataFrame:
    return pd.read_excel(REPO / "data" / "raw" / "findings.xlsx", "findings", dtype=str).fillna("")


def _canonical(provisions: pd.DataFrame, pid: str) -> str:
    row = provisions.loc[pid]
    return P.quantity_text(row["quantity"], row["unit"])


def test_deadlines_are_the_inventorys_in_chapters_4_6_and_8(built):
    prov, texts = built["provisions"], built["texts"]
    steps = pd.read_csv(built["processed"] / "procedures" / "steps.csv")
    summary = pd.read_csv(built["processed"] / "processing_times" / "summary_by_procedure.csv")
    shown = {}
    for frame, column, chapter in (
        (steps, "deadline_text", "20_procedures"),
        (summary, "deadline_text", "40_processing_times"),
    ):
        for pid, value in zip(frame["deadline_provision"], frame[column]):
            if isinstance(pid, str) and pid in prov.index and pd.notna(prov.at[pid, "quantity"]):
                assert value == _canonical(prov, pid), f"{chapter} shows {value!r} for {pid}"
                assert value in texts[chapter], f"{chapter} does not show the deadline of {pid} as {value!r}"
                shown.setdefault(pid, set()).add(chapter)
    assert any(len(chapters) > 1 for chapters in shown.values()), "some deadline is shown in chapters 4 and 6 both"
    findings = _findings()
    numbers = built["numbers"]
    for _, f in findings.iterrows():
        for key in PLACEHOLDER.findall(f["statement"] + " " + f["discussion"]):
            name = key[0]
            number = numbers[name]
            last = name.rsplit(".", 1)[-1]
            # a deadline itself (not a share within it, nor a total along a path); "deadline_working_days" would be a
            # month turned into working days, which this report never states as the law's deadline
            if last == "deadline" or last.startswith("deadline_"):
                assert number["unit"] == "text" and set(number["rows"]) <= set(prov.index), (
                    f"{f['finding_id']} cites {name}, a deadline that is not the inventory's statement of it"
                )
                assert number["value"] == _canonical(prov, number["rows"][0])
        for pid in [p.strip() for p in f["inventory_ids"].split(";") if p.strip()]:
            if pid in shown:  # a deadline of chapters 4/6 that the finding rests on: the same words in chapter 8
                text = _finding_text(texts["60_findings"], f["finding_id"]) + texts["00_summary"]
                assert _canonical(prov, pid) in text, f"{f['finding_id']} does not state {pid} as the inventory does"


def _finding_text(chapter: str, fid: str) -> str:
    start = chapter.find(f"{fid}.")
    return chapter[start : start + 2000] if start >= 0 else ""


def test_fees_and_terms_recorded_by_the_procedures_chapter_are_the_inventorys(built):
    prov, numbers = built["provisions"], built["numbers"]
    checked = 0
    for name, number in numbers.items():
        if (
            re.match(r"procedures\.[a-z_]+\.step\d+\.(fee|deadline|term)$", name)
            and set(number["rows"]) <= set(prov.index)
            and number["rows"]
            and pd.notna(prov.at[number["rows"][0], "quantity"])
        ):
            assert number["value"] == _canonical(prov, number["rows"][0]), name
            checked += 1
    assert checked >= 5


def test_no_finding_types_an_amount_of_money(built):
    """Fees reach the findings only through placeholders, so a changed fee changes every chapter at once."""
    cur = config.get("currency")
    typed = re.compile(rf"\d[\d,.]*\s*({re.escape(cur['name'])}|{cur['code']})\b")
    findings = _findings()
    for _, f in findings.iterrows():
        for column in ("statement", "discussion"):
            assert not typed.search(f[column]), f"{f['finding_id']} types an amount in its {column}: {f[column][:80]}"


def test_party_statuses_are_the_inventorys_and_a_compact_has_no_parties(built):
    acts = built["acts"]
    ratifications = pd.read_csv(built["processed"] / "benchmark" / "ratifications.csv")
    roles = {
        config.get("corridor.destination.code"): "destination_party",
        config.get("corridor.origin.code"): "origin_party",
    }
    for _, row in ratifications.iterrows():
        act = row["act_id"]
        if not isinstance(act, str) or act not in acts.index:
            continue
        for code, column in roles.items():
            if isinstance(acts.at[act, column], str):
                assert row[f"{code} status"] == acts.at[act, column], f"{row['instrument']} for {code}"
            if acts.at[act, "type"] == "non-binding instrument":
                assert row[f"{code} status"] != "party", f"{row['instrument']} is not a treaty and has no parties"
    findings = _findings()
    for _, f in findings.iterrows():
        assert not TYPED_STATUS.search(f["statement"]), (
            f"{f['finding_id']} types a party status; use the registry's benchmark.status.<act>.<country>"
        )


def test_status_criteria_follow_the_inventory_and_findings_on_unknowns_say_so(built):
    criteria = pd.read_csv(built["processed"] / "benchmark" / "criteria_scored.csv", dtype=str).fillna("")
    acts = built["acts"]
    mapping = {str(k): str(v) for k, v in config.get("benchmark.status_answers").items()}
    for _, c in criteria[criteria["status_act"] != ""].iterrows():
        status = acts.at[c["status_act"], "destination_party"]
        if status in mapping:
            assert c["kg_answer"] == mapping[status], f"{c['criterion_id']} against {c['status_act']} ({status})"
    unknown = set(criteria.loc[criteria["kg_answer"] == "unknown", "criterion_id"])
    findings = _findings()
    for _, f in findings.iterrows():
        cited = {c.strip() for c in f["criterion_ids"].split(";") if c.strip()} & unknown
        if cited:
            assert any(h in f["statement"].casefold() for h in HEDGES), (
                f"{f['finding_id']} rests on {sorted(cited)} (unknown) but states it as established"
            )


def test_chapter_8_does_not_repeat_the_summary_word_for_word(built):
    findings = _findings()
    chapter = built["texts"]["60_findings"]
    summary = built["texts"]["00_summary"]
    for _, f in findings.iterrows():
        first_words = f["statement"].split("{")[0][:60]
        assert first_words in summary, f"the summary states {f['finding_id']}"
        assert first_words not in chapter, f"chapter 8 repeats the summary's statement of {f['finding_id']}"
