"""Findings workbook checks, statements filled from the registry, agreement with small cells suppressed."""

from __future__ import annotations

import pandas as pd
import pytest
from findings_project import FINDINGS, RECOMMENDATIONS, make_project

from analysis.chapters import findings as ft
from analysis.engine.errors import InputError


def _problems(exc: pytest.ExceptionInfo) -> set[tuple]:
    return {(p.sheet, p.row, p.column, str(p.found)) for p in exc.value.problems}


def test_statements_are_filled_from_the_registry(tmp_path, monkeypatch):
    locations = make_project(tmp_path, monkeypatch)
    registry = ft.open_registry(locations["numbers_in"])
    table = ft.load_checked(locations["findings_table_in"], registry, locations)
    assert table.finding_ids == ["F-01", "F-02"]
    assert list(ft.fill_statements(table, registry)) == [
        "Registration is due within 5 working days days.",
        "The patent's legal basis is unclear.",
    ]
    assert list(table.recommendations["responsible_body"]) == ["MFA-CD"]


def test_every_broken_evidence_link_is_named_with_its_row(tmp_path, monkeypatch):
    broken = [
        dict(FINDINGS[0], inventory_ids="G01; G99", code_ids="C-NONE", criterion_ids="REG-01"),
        dict(FINDINGS[1], finding_refs="pt.unknown", statement="About {pt.missing}."),
    ]
    recs = [dict(RECOMMENDATIONS[0], responsible_body="MTSOM")]
    locations = make_project(tmp_path, monkeypatch, findings=broken, recommendations=recs)
    with pytest.raises(InputError) as exc:
        ft.load_checked(locations["findings_table_in"], ft.open_registry(locations["numbers_in"]), locations)
    assert _problems(exc) == {
        ("findings", 2, "inventory_ids", "G99"),
        ("findings", 2, "code_ids", "C-NONE"),
        ("findings", 3, "finding_refs", "pt.unknown"),
        ("findings", 3, "statement", "pt.missing"),
        ("recommendations", 2, "responsible_body", "MTSOM"),
    }
    assert "data/processed/inventory/acts.csv or data/processed/inventory/provisions.csv" in str(exc.value)


def test_evidence_from_a_chapter_not_yet_built_says_so(tmp_path, monkeypatch):
    locations = make_project(tmp_path, monkeypatch)
    (tmp_path / "data/processed/benchmark/criteria_scored.csv").unlink()
    (tmp_path / "data/processed/inventory/institutions.csv").unlink()
    with pytest.raises(InputError) as exc:
        ft.load_checked(locations["findings_table_in"], ft.open_registry(locations["numbers_in"]), locations)
    assert (
        "sheet 'findings', column 'criterion_ids': expected ids listed in data/processed/benchmark/criteria_scored.csv "
        "(no such table: build that chapter first); found '1 ids on rows 2'" in str(exc.value)
    )
    assert (
        "column 'responsible_body': expected institution ids listed in data/processed/inventory/institutions.csv"
        in str(exc.value)
    )


def test_workbook_rules_bad_ids_unknown_findings_and_unlabelled_synthetic_evidence(tmp_path, monkeypatch):
    findings = [dict(FINDINGS[0], finding_id="F1"), dict(FINDINGS[1], synthetic_evidence=True)]
    recs = [dict(RECOMMENDATIONS[0], finding_ids="F-02; F-09", timeframe="soon")]
    make_project(tmp_path, monkeypatch, findings=findings, recommendations=recs)
    with pytest.raises(InputError) as exc:
        ft.read_findings_table("data/raw/findings.xlsx")
    found = _problems(exc)
    assert ("findings", 2, "finding_id", "F1") in found
    assert ("findings", 3, "statement", "The patent's legal basis is unclear.") in found
    assert ("recommendations", 2, "finding_ids", "F-09") in found
    assert ("recommendations", 2, "timeframe", "soon") in found


def test_uncertain_inventory_facts_are_listed_per_finding(tmp_path, monkeypatch):
    locations = make_project(tmp_path, monkeypatch)
    table = ft.read_findings_table(locations["findings_table_in"])
    uncertain = ft.uncertain_evidence(table, ft.inventory_confidence(locations))
    assert uncertain.to_dict("records") == [
        {"finding_id": "F-02", "inventory_id": "L07-PATENT-FEE", "confidence": "uncertain"}
    ]


def _ratings(spec: dict[str, list[str]]) -> list[dict]:
    rows = []
    for finding, ratings in spec.items():
        for i, rating in enumerate(ratings):
            rows.append(
                {
                    "finding_id": finding,
                    "participant_id": f"V-{i + 1:02d}",
                    "group": "academia",
                    "sex": "female" if i % 2 else "male",
                    "rating": rating,
                    "comment": "",
                }
            )
    return rows


def test_validation_errors_name_the_row(tmp_path, monkeypatch):
    rows = _ratings({"F-01": ["agree", "agree"], "F-02": ["agree"]})
    rows[1]["rating"] = "strongly agree"
    rows.append(dict(rows[0]))  # V-01 rates F-01 a second time (row 5)
    rows.append(dict(rows[2], finding_id="F-07"))  # a finding that does not exist (row 6)
    make_project(tmp_path, monkeypatch, ratings=rows)
    with pytest.raises(InputError) as exc:
        ft.read_validation("data/raw/validation.xlsx", ["F-01", "F-02"])
    assert _problems(exc) == {("ratings", 3, "rating", "strongly agree")}
    rows[1]["rating"] = "agree"
    ft.write_validation_workbook(tmp_path / "data/raw/validation.xlsx", rows, allow_raw=True)
    with pytest.raises(InputError) as exc:
        ft.read_validation("data/raw/validation.xlsx", ["F-01", "F-02"])
    assert _problems(exc) == {
        ("ratings", 6, "finding_id", "F-07"),
        ("ratings", 5, "participant_id", "V-01 rated F-01 again"),
    }


def test_contested_rule_at_its_boundaries():
    counts = pd.DataFrame(
        {"agree": [6, 5, 0], "partly agree": [3, 1, 0], "disagree": [1, 2, 0]},
        index=pd.Index(["F-01", "F-02", "F-03"], name="finding_id"),
    )
    result = ft.contested(counts)
    # F-01: 6/10 = 60 % agree (not below 60 %), 10 % disagree -> not contested.
    # F-02: 5/8 = 62.5 % agree but 2/8 = 25 % disagree (the threshold) -> contested. F-03: nobody rated.
    assert list(result["contested"]) == [False, True, False]
    assert result.loc["F-02", "disagree_share"] == pytest.approx(0.25)
    assert pd.isna(result.loc["F-03", "agree_share"])


def test_agreement_table_suppresses_small_cells_and_the_shares_that_would_reveal_them(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch)
    ratings = pd.DataFrame(
        _ratings(
            {
                "F-01": ["agree"] * 8 + ["partly agree"] * 3 + ["disagree"],  # 12 raters
                "F-02": ["agree"] * 2 + ["partly agree"] * 2 + ["disagree"] * 6,  # 10 raters
                "F-03": ["agree"] * 3,  # 3 raters: below k
            }
        )
    )
    counts = ft.rating_counts(ratings, ["F-01", "F-02", "F-03", "F-04"])
    assert counts.loc["F-01"].tolist() == [8, 3, 1]
    table = ft.agreement_table(counts, k=5).set_index("finding_id")
    # F-01: 3 and 1 are below k; their sum (4) follows from 12 - 8 but not each of them.
    assert table.loc["F-01"].tolist()[:4] == [12, 8, "<5", "<5"]
    assert table.loc["F-01", "% agree"] == "67 %" and table.loc["F-01", "% disagree"] == ""
    # F-02: 2 and 2 hidden, 6 disagree published (25 % or more disagree: contested).
    assert table.loc["F-02"].tolist()[:4] == [10, "<5", "<5", 6]
    assert table.loc["F-02", "% agree"] == "" and table.loc["F-02", "% disagree"] == "60 %"
    assert table.loc["F-02", "contested"] == "contested" and table.loc["F-01", "contested"] == ""
    # F-03: three raters in all: even the total is hidden.
    assert table.loc["F-03", "raters"] == "<5" and table.loc["F-03", "% agree"] == ""
    assert table.loc["F-04", "contested"] == "not validated" and table.loc["F-04", "raters"] == 0


def test_a_small_cell_is_not_revealed_by_the_total_and_a_zero(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch)
    counts = pd.DataFrame(
        {"agree": [20], "partly agree": [3], "disagree": [0]}, index=pd.Index(["F-01"], name="finding_id")
    )
    table = ft.agreement_table(counts, k=5).set_index("finding_id")
    # 23 raters and 0 disagree published: 20 agree would give away the 3, so it is withheld too.
    assert table.loc["F-01"].tolist()[:4] == [23, "x", "<5", 0]
    assert table.loc["F-01", "% agree"] == ""


def test_agreement_by_sex_and_participants_are_suppressed(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch)
    ratings = pd.DataFrame(_ratings({"F-01": ["agree"] * 12}))
    by_sex = ft.agreement_by_sex(ratings, ["F-01"], k=5).set_index("finding_id")
    assert by_sex.loc["F-01", "Women: agree"] == 6 and by_sex.loc["F-01", "Men: agree"] == 6
    ratings.loc[:2, "rating"] = "disagree"  # V-01..V-03: men, woman, man -> 2 men and 1 woman disagree
    by_sex = ft.agreement_by_sex(ratings, ["F-01"], k=5).set_index("finding_id")
    assert by_sex.loc["F-01", "Women: disagree"] == "<5" and by_sex.loc["F-01", "Men: disagree"] == "<5"
    assert by_sex.loc["F-01", "Total"] == 12
    people = ft.participants_by_group(ratings, k=5).set_index("Group")
    assert people.loc["Academia", "Women"] == 6 and people.loc["Government agency", "Women"] == 0


def test_synthetic_validation_is_reproducible_and_shows_the_contested_flag(tmp_path, monkeypatch):
    from analysis.examples import validation as sv

    make_project(tmp_path, monkeypatch)
    ids = [f"F-{i:02d}" for i in range(1, 11)]
    rows = sv.generate(ids)
    assert rows == sv.generate(ids)
    ft.write_validation_workbook(tmp_path / "data/raw/validation.xlsx", rows, allow_raw=True)
    first = (tmp_path / "data/raw/validation.xlsx").read_bytes()
    ft.write_validation_workbook(tmp_path / "data/raw/validation.xlsx", sv.generate(ids), allow_raw=True)
    assert (tmp_path / "data/raw/validation.xlsx").read_bytes() == first  # byte for byte, no clock inside
    ratings = ft.read_validation("data/raw/validation.xlsx", ids)  # consistent group and sex per person
    flags = ft.contested(ft.rating_counts(ratings, ids))["contested"]
    assert sorted(flags[flags].index) == sorted(sv.DEFAULT_CONTESTED)
    assert set(ratings["sex"]) == {"female", "male"}


def test_evidence_text_cites_the_law_names_codes_and_counts_the_rest():
    row = {
        "statement": "Within {pt.p80} and {pt.p90}.",
        "inventory_ids": "G01; G02",
        "code_ids": "REG; LANG",
        "finding_refs": "pt.p90; pt.n",
        "criterion_ids": "WRK-01",
    }
    names = {"REG": "Registration burden"}
    assert ft.evidence_text(row, names) == (
        "the law [@G01; @G02]; consultations (Registration burden; LANG); "
        "1 benchmark criterion (Annex F); 3 computed results"
    )
    assert ft.evidence_text({"statement": "No numbers."}) == "none listed"


def test_recommendations_high_priority_first_with_body_names(tmp_path, monkeypatch):
    recs = [
        dict(RECOMMENDATIONS[0], recommendation_id="R-01", priority="low"),
        dict(RECOMMENDATIONS[0], recommendation_id="R-02", priority="high", responsible_body="MFA-CD; STS"),
    ]
    locations = make_project(tmp_path, monkeypatch, recommendations=recs)
    (tmp_path / "data/processed/inventory/institutions.csv").write_text(
        "id,name_en\nMFA-CD,Consular Department\nSTS,\n"
    )
    shown = ft.recommendations_table(
        ft.read_findings_table(locations["findings_table_in"]), ft.institution_names(locations)
    )
    assert shown["Id"].tolist() == ["R-02", "R-01"]
    assert shown.loc[0, "Who acts, by what means"] == (
        "Consular Department (MFA-CD); STS, by publishing official information"
    )
    assert shown.loc[0, "Priority, timeframe"] == "high; short term (within 12 months)"


def test_feedback_annex_shows_reviewers_as_letters_not_names():
    log = pd.DataFrame(
        {
            "comment_key": ["b", "a"],
            "source_file": ["d.docx", "d.docx"],
            "author": ["Zarina K.", "Anna P."],
            "date": ["2026-12-02", "2026-12-01"],
            "text": ["Уточните.", "Cite."],
            "section": ["2.1", "3"],
            "finding_id": ["F-01", ""],
            "response": ["Done.", "Cited."],
            "status": ["accepted", "noted"],
            "parent_key": ["", ""],
        }
    )
    log.loc[2] = dict(
        log.loc[0],
        comment_key="c",
        date="2026-12-03",
        author="Anna P.",
        text="Agree.\nThanks.",
        parent_key="b",
        response=None,
        status="open",
    )
    annex = ft.feedback_annex(log)
    assert annex["Reviewer"].tolist() == ["Reviewer A", "Reviewer B", "Reviewer A"]  # by date; names sorted
    assert "Zarina" not in annex.to_string() and annex["Comment"].tolist() == ["Cite.", "Уточните.", "Agree. Thanks."]
    assert annex.loc[2, ["Status", "Response"]].tolist() == ["reply", "answered with its thread"]
    assert ft.feedback_summary(log).set_index("Status")["Comments"].to_dict() == {  # the reply is not counted
        "open": 0,
        "accepted": 1,
        "partly accepted": 0,
        "rejected": 0,
        "noted": 1,
    }


def test_notebooks_declare_the_agreed_parameters():
    from findings_project import REPO

    from analysis.engine import runner as pipeline

    common = {
        "stage",
        "as_of",
        "numbers_in",
        "findings_table_in",
        "validation_in",
        "feedback_log_in",
        "exceptions_in",
        "inventory_dir",
        "benchmark_dir",
        "codebook_in",
    }
    chapter = pipeline.parameters_of(REPO / "notebooks" / "60_findings.ipynb")
    summary = pipeline.parameters_of(REPO / "notebooks" / "00_summary.ipynb")
    assert common <= set(chapter) and common <= set(summary)
    assert chapter["numbers_out"] == "data/processed/numbers/60_findings.json"
    assert "numbers_out" not in summary  # the summary only reads, so it runs after every number writer


def test_a_body_acts_only_by_a_means_open_to_it(tmp_path, monkeypatch):
    # A ministry does not "state in law": the law is parliament's (config findings.means).
    recs = [dict(RECOMMENDATIONS[0], means="law", responsible_body="MFA-CD")]
    make_project(tmp_path, monkeypatch, recommendations=recs)
    with pytest.raises(InputError) as exc:
        ft.read_findings_table("data/raw/findings.xlsx")
    [problem] = exc.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.found) == (
        "recommendations",
        2,
        "responsible_body",
        "MFA-CD",
    )
    assert "adopting or amending a law (JK)" in problem.expected


def test_a_recommendation_on_synthetic_evidence_only_says_it_is_illustrative(tmp_path, monkeypatch):
    findings = [dict(FINDINGS[0], synthetic_evidence=True, statement="Illustrative: due in {reg.days}."), FINDINGS[1]]
    recs = [dict(RECOMMENDATIONS[0], finding_ids="F-01")]
    make_project(tmp_path, monkeypatch, findings=findings, recommendations=recs)
    with pytest.raises(InputError) as exc:
        ft.read_findings_table("data/raw/findings.xlsx")
    assert [(p.row, p.column) for p in exc.value.problems] == [(2, "recommendation")]
    recs = [
        dict(RECOMMENDATIONS[0], finding_ids="F-01", recommendation="Publish the rules (illustrative)."),
        dict(RECOMMENDATIONS[0], recommendation_id="R-02", finding_ids="F-01; F-02"),
    ]
    locations = make_project(tmp_path / "again", monkeypatch, findings=findings, recommendations=recs)
    shown = ft.recommendations_table(ft.read_findings_table(locations["findings_table_in"]), {})
    assert shown.set_index("Id")["Answers (evidence)"].to_dict() == {
        "R-01": "F-01 (synthetic only, illustrative)",
        "R-02": "F-01; F-02 (partly synthetic, illustrative)",
    }
    assert shown.loc[0, "Who acts, by what means"].endswith(", by publishing official information")


def test_chapter_eight_shows_the_discussion_not_the_summary_statement(tmp_path, monkeypatch):
    locations = make_project(tmp_path, monkeypatch)
    registry = ft.open_registry(locations["numbers_in"])
    table = ft.load_checked(locations["findings_table_in"], registry, locations)
    discussions = list(ft.fill_discussions(table, registry))
    assert discussions[0] == "Five days is short for a first-time migrant (5 working days in law)."
    assert all(d != s for d, s in zip(discussions, ft.fill_statements(table, registry)))
