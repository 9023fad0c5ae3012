"""Benchmark scoring on hand-worked examples, and evidence links that name the workbook row."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import benchmark as bm
from analysis.engine.errors import InputError
from analysis.engine.readers import ROW

RULES = {
    "share_within_deadline": {"kind": "at_least", "complete_at": 90, "partial_at": 50},
    "p80_gap_women_men": {"kind": "at_most", "complete_within": 1, "partial_within": 3},
}


def scored_frame(rows):
    """rows: (criterion_id, area, dimension, answer) -> the frame scored_criteria() returns."""
    criteria = pd.DataFrame(rows, columns=["criterion_id", "area", "dimension", "kg_answer"])
    criteria["mgi_domain"] = "migrants' rights"
    criteria["gender"] = False
    criteria["de_facto_answer"] = None
    criteria["de_facto_findings"] = None
    return bm.scored_criteria(criteria, {}, RULES)


# Area A, worked by hand:
#   dimension d1: 100, 50, not applicable -> mean 75 (NA leaves the denominator)
#   dimension d2: 0, unknown              -> mean 0  (unknown leaves the score, not the count)
#   2015 rule (dimension means): (75 + 0) / 2 = 37.5
#   current rule (criteria):      (100 + 50 + 0) / 3 = 50
#   coverage: 3 scored of 4 applicable = 75 %
# Area B: every answer unknown -> no score (NaN), never 0.
EXAMPLE = [
    ("A1", "A", "d1", "100"),
    ("A2", "A", "d1", "50"),
    ("A3", "A", "d1", "not applicable"),
    ("A4", "A", "d2", "0"),
    ("A5", "A", "d2", "unknown"),
    ("B1", "B", "d1", "unknown"),
    ("B2", "B", "d2", "unknown"),
]


def test_answer_score_keeps_not_applicable_and_unknown_apart_from_zero():
    assert bm.answer_score("100") == ("scored", 100.0)
    assert bm.answer_score("0") == ("scored", 0.0)
    status, value = bm.answer_score("unknown")
    assert status == "unknown" and math.isnan(value)
    status, value = bm.answer_score("not applicable")
    assert status == "not applicable" and math.isnan(value)
    with pytest.raises(ValueError):
        bm.answer_score("75")


def test_dimension_rule_on_hand_worked_example():
    result = bm.aggregate(scored_frame(EXAMPLE), "area", "dimension_mean").set_index("area")
    assert result.loc["A", "score"] == pytest.approx(37.5)
    assert (
        result.loc["A", "criteria"],
        result.loc["A", "scored"],
        result.loc["A", "unknown"],
        result.loc["A", "not_applicable"],
    ) == (5, 3, 1, 1)
    assert result.loc["A", "coverage_pct"] == pytest.approx(75.0)
    assert math.isnan(result.loc["B", "score"])
    assert result.loc["B", "coverage_pct"] == 0


def test_indicator_rule_on_hand_worked_example():
    result = bm.aggregate(scored_frame(EXAMPLE), "area", "indicator_mean").set_index("area")
    assert result.loc["A", "score"] == pytest.approx(50.0)
    assert math.isnan(result.loc["B", "score"])


def test_unknown_rule_name_is_refused():
    with pytest.raises(ValueError):
        bm.aggregate(scored_frame(EXAMPLE), "area", "median")


def test_sensitivity_panel_shows_both_rules_and_what_ifs():
    panel = bm.sensitivity_panel(scored_frame(EXAMPLE)).set_index("area")
    a = panel.loc["A"]
    assert a["dimension_mean"] == pytest.approx(37.5)
    assert a["indicator_mean"] == pytest.approx(50.0)
    assert a["difference"] == pytest.approx(12.5)
    assert a["unknown_as_0"] == pytest.approx(37.5)  # d2 = (0 + 0) / 2
    assert a["unknown_as_100"] == pytest.approx(62.5)  # d2 = (0 + 100) / 2 = 50 -> (75 + 50) / 2
    assert a["not_applicable_as_0"] == pytest.approx(25.0)  # d1 = (100 + 50 + 0) / 3 = 50 -> (50 + 0) / 2
    assert math.isnan(panel.loc["B", "dimension_mean"])
    assert panel.loc["B", "unknown_as_0"] == 0  # only the what-if reads unknown as 0


def test_score_from_finding_bands_and_missing_values():
    assert bm.score_from_finding("x.single_permit.share_within_deadline", 95.0, RULES) == ("scored", 100.0)
    assert bm.score_from_finding("x.single_permit.share_within_deadline", 90.0, RULES) == ("scored", 100.0)
    assert bm.score_from_finding("x.single_permit.share_within_deadline", 70.5, RULES) == ("scored", 50.0)
    assert bm.score_from_finding("x.single_permit.share_within_deadline", 49.9, RULES) == ("scored", 0.0)
    assert bm.score_from_finding("x.p80_gap_women_men", -2.0, RULES) == ("scored", 50.0)
    assert bm.score_from_finding("x.p80_gap_women_men", 0.0, RULES) == ("scored", 100.0)
    status, value = bm.score_from_finding("x.share_within_deadline", None, RULES)
    assert status == "unknown" and math.isnan(value)
    with pytest.raises(KeyError):
        bm.score_from_finding("x.median_days", 3.0, RULES)


def criteria_frame():
    return pd.DataFrame(
        {
            ROW: [2, 3, 4, 5],
            "criterion_id": ["W1", "W2", "W3", "W4"],
            "area": ["work"] * 4,
            "dimension": ["d"] * 4,
            "mgi_domain": ["migrants' rights"] * 4,
            "gender": [False] * 4,
            "criterion": ["full in law and practice", "full in law, short in practice", "partial in law", "not known"],
            "kg_answer": ["100", "100", "50", "unknown"],
            "de_jure_acts": ["A1", "A1", "A2", None],
            "de_jure_provisions": [None, "A1-P", None, None],
            "de_facto_answer": [None, "from finding", None, None],
            "de_facto_codes": [None, "C.ONE", None, None],
            "de_facto_findings": [None, "pt.single_permit.share_within_deadline", None, None],
            "de_facto_basis": [None, "share within deadline", None, None],
        }
    )


def test_profile_lists_and_gaps_follow_scores_and_evidence():
    criteria = criteria_frame()
    scored = bm.scored_criteria(criteria, {"pt.single_permit.share_within_deadline": 70.0}, RULES)
    places = bm.domain_lists(criteria, scored).set_index("criterion_id")["place"].to_dict()
    assert places == {
        "W1": "well developed",
        "W2": "potential for further development",
        "W3": "potential for further development",
        "W4": "not assessed (unknown)",
    }
    gaps = bm.gaps(criteria, scored)
    assert gaps["criterion_id"].tolist() == ["W2"]
    assert gaps.loc[0, "gap"] == 50.0
    assert gaps.loc[0, "evidence"] == "law: A1-P; practice: pt.single_permit.share_within_deadline, C.ONE"
    profile = bm.domain_profile(scored, ["migrants' rights", "partnerships"]).set_index("mgi_domain")
    assert profile.loc["migrants' rights", ["complete", "partial", "absent", "unknown"]].tolist() == [2, 1, 0, 1]
    assert math.isnan(profile.loc["partnerships", "mean_score"])


def test_comparator_without_a_row_is_unknown_never_zero():
    criteria = criteria_frame()
    comparators = pd.DataFrame({"criterion_id": ["W1"], "country": ["KZ"], "answer": ["0"]})
    wide = bm.answers_by_country(criteria, comparators, "KG", ["KZ", "RU"])
    assert wide["KZ"].tolist() == ["0", "unknown", "unknown", "unknown"]
    assert wide["RU"].eq("unknown").all()
    scores = bm.comparator_scores(wide, criteria, ["KG", "KZ", "RU"]).set_index("country")
    assert scores.loc["KZ", "score"] == 0 and scores.loc["KZ", "coverage_pct"] == 25
    assert math.isnan(scores.loc["RU", "score"])
    shared = bm.shared_scores(wide, criteria, ["KG", "KZ"]).set_index("country")
    assert shared.loc["KG", "score"] == 100 and shared.loc["KZ", "score"] == 0  # W1 only, like for like
    names = {"KG": "Kyrgyzstan", "KZ": "Kazakhstan", "RU": "Russia"}
    like = bm.like_for_like_table(wide, criteria, ["KG", "KZ"], "indicator_mean", names, {"work": "Work"})
    assert like.to_dict("records") == [{"Area": "Work", "Kyrgyzstan": 100, "Kazakhstan": 0, "Criteria": 1}]
    assert bm.like_for_like_table(wide, criteria, ["KG", "RU"], "indicator_mean", names, {"work": "Work"}).empty
    # One table for all comparators; a comparator sharing no scored criterion with the destination is left out.
    panel = bm.like_for_like_panel(wide, criteria, "KG", "indicator_mean", names, {"work": "Work", "stay": "Stay"})
    assert panel.to_dict("records") == [
        {"Area": "Work", "Kyrgyzstan (with Kazakhstan)": 100, "Kazakhstan": 0, "Criteria (Kazakhstan)": 1}
    ]


def workbook_rows(criterion_overrides=None):
    row = {c.name: "" for c in bm.columns("criteria")}
    row.update(
        {
            "criterion_id": "WRK-01",
            "area": "work",
            "dimension": "access",
            "mgi_domain": "migrants' rights",
            "mgi_sub_area": "right to work",
            "framework": "ICRMW",
            "reference": "ICRMW art. 52",
            "criterion": "A route to work",
            "option_100": "open",
            "option_50": "capped",
            "option_0": "none",
            "kg_answer": "50",
            "kg_basis": "quota",
            "de_jure_acts": "G07",
            "de_jure_provisions": "G07-SINGLE-PERMIT",
            "gender": "no",
            "comparison": "yes",
            "assessor": "consultant (draft, to be validated)",
            "confidence": "sourced",
            "source": "https://example.org/a",
        }
    )
    second = dict(
        row,
        criterion_id="WRK-02",
        de_jure_provisions="G07-MISSING; G07-SINGLE-PERMIT",
        de_facto_answer="50",
        de_facto_codes="PAT.SINGLE; NO.SUCH.CODE",
        de_facto_findings="processing_times.nowhere.p80_days",
    )
    second.update(criterion_overrides or {})
    names = [c.name for c in bm.columns("criteria")]
    return {
        "criteria": [[row[n] for n in names], [second[n] for n in names]],
        "comparators": [["WRK-01", "KZ", "unknown", "no source", "", "uncertain", "consultant", ""]],
        "ratifications": [["UN ICRMW 1990", "X01", "KG", "party", "", "sourced", "https://example.org/b"]],
        "evidence": [],
    }


def test_broken_evidence_link_names_the_row(tmp_path):
    path = bm.write_workbook(tmp_path / "benchmark.xlsx", workbook_rows())
    bench = bm.read(path)
    evidence = bm.Evidence(
        acts=frozenset({"G07"}),
        provisions=frozenset({"G07-SINGLE-PERMIT"}),
        codes=frozenset({"PAT.SINGLE"}),
        findings={"processing_times.single_permit.p80_days": 9.0},
    )
    with pytest.raises(InputError) as caught:
        bm.check_links(bench, evidence)
    found = {(p.sheet, p.row, p.column, p.found) for p in caught.value.problems}
    assert found == {
        ("criteria", 3, "de_jure_provisions", "G07-MISSING"),
        ("criteria", 3, "de_facto_codes", "NO.SUCH.CODE"),
        ("criteria", 3, "de_facto_findings", "processing_times.nowhere.p80_days"),
        ("ratifications", 2, "act_id", "X01"),
    }
    assert "row 3" in str(caught.value) and "G07-MISSING" in str(caught.value)


def test_score_without_de_jure_evidence_is_an_input_error(tmp_path):
    rows = workbook_rows(
        {
            "de_jure_acts": "",
            "de_jure_provisions": "",
            "de_facto_answer": "",
            "de_facto_codes": "",
            "de_facto_findings": "",
        }
    )
    path = bm.write_workbook(tmp_path / "benchmark.xlsx", rows)
    with pytest.raises(InputError) as caught:
        bm.read(path)
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "de_jure_acts")]


def test_bundled_workbook_meets_the_brief():
    bench = bm.read("data/raw/benchmark.xlsx")
    criteria = bench.criteria
    assert len(criteria) >= 40
    assert set(criteria["area"]) == {"work", "stay", "registration", "study", "rights", "gender"}
    assert {"unknown", "not applicable"} <= set(criteria["kg_answer"])
    assert criteria["gender"].sum() >= 3
    assert set(bench.comparators["country"]) == {"KZ", "RU"}
    assert set(bench.ratifications["country"]) == {"KG", "UZ"}
    assert (criteria["assessor"] == "consultant (draft, to be validated)").all()
    # an answer that rests on memory or uncertain facts is never marked sourced without a source
    sourced = criteria[criteria["confidence"] == "sourced"]
    assert sourced["source"].notna().all()
    assert not np.any(bench.comparators["answer"].eq("0") & bench.comparators["source"].isna())


def test_missing_findings_file_is_an_input_error(tmp_path):
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "acts.csv").write_text("id\nG07\n", encoding="utf-8")
    (inventory / "provisions.csv").write_text("id,act_id\nG07-SINGLE-PERMIT,G07\n", encoding="utf-8")
    (tmp_path / "codebook.csv").write_text("code_id,name\nPAT.SINGLE,Single permit\n", encoding="utf-8")
    with pytest.raises(InputError, match="merged numbers"):
        bm.load_evidence(str(inventory), str(tmp_path / "codebook.csv"), str(tmp_path / "findings.json"))


def test_from_finding_without_a_rule_names_the_row(tmp_path):
    rows = workbook_rows(
        {
            "de_facto_answer": "from finding",
            "de_facto_codes": "",
            "de_facto_findings": "processing_times.single_permit.median_days",
            "de_jure_provisions": "G07-SINGLE-PERMIT",
        }
    )
    path = bm.write_workbook(tmp_path / "benchmark.xlsx", rows)
    with pytest.raises(InputError) as caught:
        bm.read(path)
    assert [(p.row, p.column, p.found) for p in caught.value.problems] == [
        (3, "de_facto_findings", "processing_times.single_permit.median_days")
    ]


def test_confidence_stronger_than_cited_rows_is_a_warning():
    criteria = criteria_frame().assign(confidence=["sourced", "uncertain", "sourced", "uncertain"])
    warnings = bm.confidence_warnings(criteria, {"A1": "sourced", "A1-P": "uncertain", "A2": "from memory"}, "b.xlsx")
    assert [(w.row, w.severity, w.found) for w in warnings] == [(4, "warning", "sourced")]
    assert "A2 (from memory)" in warnings[0].expected
    printed = bm.confidence_check_table(criteria, {"A1": "sourced", "A1-P": "uncertain", "A2": "from memory"})
    assert printed.to_dict("records") == [
        {
            "Criterion": printed.loc[0, "Criterion"],
            "Workbook row": 4,
            "Answer's confidence": "sourced",
            "Weaker inventory rows it cites": "A2 (from memory)",
        }
    ]


def test_annex_table_is_one_line_per_criterion_with_reference_numbers():
    criteria = criteria_frame().assign(
        option_100="full",
        option_50="half",
        option_0="none",
        reference="ICRMW art. 25",
        kg_basis="Because",
        note=None,
        confidence="sourced",
        source=["https://a.org https://b.org", None, None, None],
    )
    scored = bm.scored_criteria(criteria, {"pt.single_permit.share_within_deadline": 95.0}, RULES)
    merged = criteria.merge(
        scored[["criterion_id", "de_jure_status", "de_jure_score", "de_facto_status", "de_facto_score"]],
        on="criterion_id",
    )
    table = bm.annex_table(merged, cited={"A1-P"}).set_index("Id")
    assert list(table.columns) == ["Criterion", "Law", "Practice", "Confidence", "Evidence"]
    assert table.loc["W2", ["Law", "Practice", "Confidence"]].tolist() == ["100", "100 (from finding)", "sourced"]
    assert table.loc["W1", "Practice"] == ""
    # The act A1 is covered by its provision A1-P, which is cited by reference number; codes and findings by id.
    assert table.loc["W2", "Evidence"].replace("\u200b", "") == (
        "[#A1-P]; C.ONE; pt.single_permit.share_within_deadline"
    )


def test_template_has_every_sheet_column_and_a_readme(tmp_path):
    from openpyxl import load_workbook

    path = bm.write_template(tmp_path / "benchmark_template.xlsx")
    wb = load_workbook(path)
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == [
        "criteria",
        "comparators",
        "ratifications",
        "evidence",
        "README",
    ]
    assert [c.value for c in wb["criteria"][1]] == [c.name for c in bm.columns("criteria")]
    assert wb["README"].max_row - 1 == sum(len(bm.columns(s)) for s in bm.SHEETS)


def evidence_row(cid="WRK-01", country="KZ", quote="The quote."):
    names = [c.name for c in bm.columns("evidence")]
    row = {n: "" for n in names} | {
        "evidence_id": "E-001",
        "criterion_ids": cid,
        "country": country,
        "kind": "comparator",
        "document": "A page",
        "address": "https://example.org/q",
        "tier": "news",
        "quote": quote,
    }
    return [row[n] for n in names]


def test_a_sourced_comparator_answer_needs_a_quote_on_the_evidence_sheet(tmp_path):
    rows = workbook_rows(
        {
            "de_jure_provisions": "G07-SINGLE-PERMIT",
            "de_facto_answer": "",
            "de_facto_codes": "",
            "de_facto_findings": "",
        }
    )
    rows["comparators"] = [["WRK-01", "KZ", "50", "capped", "https://example.org/q", "sourced", "consultant", ""]]
    with pytest.raises(InputError) as caught:
        bm.read(bm.write_workbook(tmp_path / "a.xlsx", rows))
    assert [(p.sheet, p.row, p.column) for p in caught.value.problems] == [("comparators", 2, "confidence")]
    rows["evidence"] = [evidence_row()]
    bench = bm.read(bm.write_workbook(tmp_path / "b.xlsx", rows))
    assert bm.quoted_pairs(bench.evidence) == {("WRK-01", "KZ")}


def test_party_statuses_come_from_the_inventory_and_status_criteria_follow_them(tmp_path):
    rows = workbook_rows(
        {
            "de_jure_provisions": "G07-SINGLE-PERMIT",
            "de_facto_answer": "",
            "de_facto_codes": "",
            "de_facto_findings": "",
            "status_act": "X01",
            "kg_answer": "100",
        }
    )
    bench = bm.read(bm.write_workbook(tmp_path / "b.xlsx", rows))
    parties = {"X01": {"KG": "not party", "UZ": "not party"}}
    problems = bm.status_problems(bench, parties)
    assert {(p.sheet, p.row, p.column) for p in problems} == {
        ("ratifications", 2, "status"),
        ("criteria", 3, "kg_answer"),
    }
    assert "'not party'" in problems[0].expected
    table = bm.ratification_table(bench.ratifications.assign(status=None), ["KG"], parties)
    assert table.loc[0, "KG status"] == "not party"  # the inventory's, never a second typed value
    assert not bm.status_problems(bench, {"X01": {"KG": "party"}})


def test_practice_on_synthetic_data_is_flagged_and_never_makes_a_criterion_well_developed(monkeypatch):
    criteria = criteria_frame().assign(
        de_facto_answer=["100", "from finding", None, None], de_facto_codes=["C.ONE", "C.ONE", None, None]
    )
    scored = bm.scored_criteria(criteria, {"pt.single_permit.share_within_deadline": 70.0}, RULES)
    inputs = {"codes": "consultations/segments.csv", "findings": {"pt": "processing_times.csv"}}
    original = bm.settings()
    monkeypatch.setattr(bm, "settings", lambda: {**original, "de_facto_inputs": inputs})
    synthetic = bm.synthetic_practice(criteria, lambda name: True)
    assert synthetic.tolist() == [True, True, False, False]
    lists = bm.domain_lists(criteria, scored, synthetic).set_index("criterion_id")
    # W2 is 100 in law and 50 in (synthetic) practice: the practice score does not demote it, and says why.
    assert lists.loc["W2", "place"] == "well developed"
    assert "illustrative" in lists.loc["W2", "scores"] and lists.loc["W2", "synthetic_practice"]
    assert bm.gaps(criteria, scored, synthetic)["synthetic_practice"].all()


def test_comparison_counts_and_differences_keep_unknown_apart():
    criteria = criteria_frame().assign(comparison=[True, True, True, False], confidence="sourced", kg_basis="b")
    comparators = pd.DataFrame(
        {
            "criterion_id": ["W1", "W2", "W4"],
            "country": ["KZ", "KZ", "KZ"],
            "answer": ["0", "unknown", "100"],
            "confidence": ["sourced", "uncertain", "sourced"],
            "basis": ["x", "y", "z"],
        }
    )
    counts = bm.answer_counts(criteria, comparators, "KG", ["KZ", "RU"]).set_index("country")
    assert counts.loc["KZ", ["answered", "sourced", "set_sourced", "set_unknown"]].tolist() == [2, 2, 1, 2]
    assert counts.loc["RU", ["answered", "set_unknown"]].tolist() == [0, 3]
    comparison = bm.comparison_table(criteria, comparators, "KG", ["KZ", "RU"])
    assert comparison["RU_answer"].eq("unknown").all()
    diff = bm.differences(comparison, {"KG": "Kyrgyzstan", "KZ": "Kazakhstan", "RU": "Russia"})
    assert diff["criterion_id"].tolist() == ["W1"]  # W2 and W3 have one known answer only: not compared
    assert bm.differences_text(diff) == "full in law and practice (Kyrgyzstan 100, Kazakhstan 0)"
