"""Consultation tables: reading (encodings, Excel route, coding scope), person counts, co-occurrence, the
reliability table over every coder (checked against the krippendorff package), quotes under the privacy
rules, coverage."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest

from analysis.chapters import consultations as c
from analysis.engine.errors import InputError
from analysis.examples import consultations as synthetic_consultations

RESPONDENTS = """respondent_id,session_id,stakeholder_group,sex,age_band,region,interview_language,consent_to_quote
R-1,S-1,government,female,35-44,bishkek,ru,yes
R-2,S-2,government,male,45-54,osh_city,ru,no
R-3,S-3,academia,female,25-34,osh_city,ky,yes
"""
SESSIONS = """session_id,session_type,date,mode,region,paragraphs,primary_coder
S-1,interview,14.10.2026,in_person,bishkek,6,C1
S-2,interview,2026-10-15,online,osh_city,4,C1
S-3,interview,16.10.2026,phone,osh_city,3,C1
"""
CODEBOOK = """code_id,parent_id,name,definition,inclusion,exclusion,example
REG,,Registration burden,,,,
REG.DOCS,REG,Documents,,,,
REG.DEADLINE,REG,Deadline,,,,
INF,,Informal payments,,,,
INF.PAY,INF,Payments requested,,,,
"""
SEGMENTS = """segment_id,session_id,position,respondent_id,code_id,coder,excerpt,excerpt_en
G-1,S-1,1,R-1,REG.DOCS,C1,Документы,They asked for documents again and again at the office in town.
G-2,S-1,2,R-1,REG.DOCS,C1,Документы,They asked for documents again and again at the office in town.
G-3,S-1,2,R-1,INF.PAY,C1,Документы,They asked for documents again and again at the office in town.
G-4,S-2,1,R-2,REG.DEADLINE,C1,Срок,Five days is not enough to register after arriving here.
G-5,S-3,1,R-3,REG.DOCS,C1,Справка,The landlord's consent was the hardest paper to obtain.
G-6,S-1,1,R-1,REG.DOCS,C2,Документы,They asked for documents again and again at the office in town.
G-7,S-1,2,R-1,REG.DOCS,C2,Документы,They asked for documents again and again at the office in town.
"""
PLAN = """stakeholder_group,sex,region,planned
government,female,bishkek,2
government,male,osh_city,1
private_sector,female,batken,2
"""


def _write(folder, **override):
    files = {
        "respondents": RESPONDENTS,
        "sessions": SESSIONS,
        "codebook": CODEBOOK,
        "segments": SEGMENTS,
        "plan": PLAN,
        **override,
    }
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def small(tmp_path):
    return c.read_folder(_write(tmp_path))


# ---------------------------------------------------------------- reading
def test_unknown_code_in_a_segment_is_a_clear_error(tmp_path):
    _write(tmp_path, segments=SEGMENTS.replace("G-4,S-2,1,R-2,REG.DEADLINE", "G-4,S-2,1,R-2,REG.TYPO"))
    with pytest.raises(InputError) as error:
        c.read_folder(tmp_path)
    problem = error.value.problems[0]
    assert (problem.file.endswith("segments.csv"), problem.row, problem.column, problem.found) == (
        True,
        5,
        "code_id",
        "REG.TYPO",
    )
    assert "code in the codebook" in problem.expected


def test_windows_1251_files_are_read_correctly(tmp_path):
    _write(tmp_path)
    russian = (
        RESPONDENTS.replace(",", ";")
        .replace(";yes", ";да")
        .replace(";no", ";нет")
        .replace("respondent_id;session_id;stakeholder_group;sex", "ID респондента;ID сессии;Группа;Пол")
    )
    (tmp_path / "respondents.csv").write_bytes(russian.encode("cp1251"))
    (tmp_path / "segments.csv").write_bytes(SEGMENTS.encode("cp1251"))
    data = c.read_folder(tmp_path)
    assert data.read_as["respondents"] == {"encoding": "cp1251", "separator": ";"}
    assert list(data.respondents["respondent_id"]) == ["R-1", "R-2", "R-3"]
    assert list(data.respondents["consent_to_quote"]) == [True, False, True]
    assert data.segments.loc[data.segments["segment_id"] == "G-5", "excerpt"].item() == "Справка"


def test_undecodable_respondents_file_is_refused_not_garbled(tmp_path):
    _write(tmp_path)
    (tmp_path / "respondents.csv").write_bytes(RESPONDENTS.encode("utf-8") + b"\x98\x98\x98\n")
    with pytest.raises(InputError, match="UTF-8 or Windows-1251"):
        c.read_folder(tmp_path)


def test_vocabulary_and_position_problems_name_the_row(tmp_path):
    _write(
        tmp_path,
        respondents=RESPONDENTS.replace("R-3,S-3,academia,female", "R-3,S-3,academia,f"),
        segments=SEGMENTS.replace("G-5,S-3,1,", "G-5,S-3,9,"),
    )
    with pytest.raises(InputError) as error:
        c.read_folder(tmp_path)
    assert [(p.row, p.column) for p in error.value.problems] == [(4, "sex")]  # vocabulary stops first
    _write(tmp_path, segments=SEGMENTS.replace("G-5,S-3,1,", "G-5,S-3,9,"))
    with pytest.raises(InputError) as error:
        c.read_folder(tmp_path)
    assert [(p.row, p.column) for p in error.value.problems] == [(6, "position")]


def test_two_excerpts_for_one_paragraph_is_a_warning(tmp_path):
    _write(tmp_path, segments=SEGMENTS.replace("G-3,S-1,2,R-1,INF.PAY,C1,Документы", "G-3,S-1,2,R-1,INF.PAY,C1,Другое"))
    warnings = c.read_folder(tmp_path).warnings
    assert [(w.row, w.column, w.severity) for w in warnings] == [(4, "excerpt", "warning")]


def test_excel_template_round_trip(small, tmp_path):
    c.write_template(tmp_path / "coding.xlsx", example=small)
    back = c.read(tmp_path / "coding.xlsx")
    for name in c.TABLES:
        pd.testing.assert_frame_equal(
            getattr(small, name).drop(columns="_row"), getattr(back, name).drop(columns="_row"), check_dtype=False
        )
    empty = c.write_template(tmp_path / "empty.xlsx")
    assert c.read_workbook(empty).segments.empty


# ---------------------------------------------------------------- counts
def test_codes_are_counted_as_persons_not_mentions(small):
    by_group = c.persons_by(small, "stakeholder_group")
    assert by_group.loc["REG.DOCS", "government"] == 1  # R-1 coded twice, counted once
    assert by_group.loc["REG.DOCS", "academia"] == 1
    themes = c.persons_by(small, "sex", level="theme")
    assert themes.loc["REG"].tolist() == [2, 1]  # women R-1, R-3; man R-2
    assert themes.loc["INF"].tolist() == [1, 0]
    assert "REG" not in by_group.index  # themes only at theme level


def test_cooccurrence_c_coefficient_and_imbalance_on_the_atlas_example():
    # ATLAS.ti's example: code A on 100 paragraphs, B on 10, both on 5 -> c = 5 / 105 = 0.048, flagged.
    rows = [(f"G-{n}", "S-1", n, "R-1", "REG.DOCS", "C1", "x", "") for n in range(1, 101)]
    rows += [(f"H-{n}", "S-1", n, "R-1", "INF.PAY", "C1", "x", "") for n in list(range(1, 6)) + list(range(101, 106))]
    segments = pd.DataFrame(
        rows,
        columns=["segment_id", "session_id", "position", "respondent_id", "code_id", "coder", "excerpt", "excerpt_en"],
    )
    data = c.Consultations(
        respondents=pd.DataFrame(),
        sessions=pd.DataFrame({"session_id": ["S-1"], "primary_coder": ["C1"]}),
        codebook=pd.DataFrame({"code_id": ["REG.DOCS", "INF.PAY"]}),
        segments=segments,
        plan=pd.DataFrame(),
    )
    pair = c.cooccurrence(data, imbalance_ratio=5).iloc[0]
    assert (pair["n1"], pair["n2"], pair["n12"]) == (100, 10, 5)
    assert pair["c_coefficient"] == pytest.approx(0.0476, abs=1e-4)
    assert bool(pair["imbalanced"])


def test_second_coder_does_not_count(small):
    assert len(c.primary_segments(small)) == 5


# ---------------------------------------------------------------- reliability
def test_reliability_table_on_the_double_coded_session(small):
    table = c.code_reliability(small, seed=1, draws=50).set_index("code_id")
    # S-1 has 6 paragraphs; REG.DOCS coded by both on 1 and 2 -> perfect agreement
    assert table.loc["REG.DOCS", ["paragraphs", "pairable_values", "coders", "sessions"]].tolist() == [6, 12, 2, 1]
    assert table.loc["REG.DOCS", "alpha"] == pytest.approx(1.0)
    # INF.PAY coded by C1 only on paragraph 2: the coincidence matrix by hand (o11 = 0, o10 = o01 = 1,
    # o00 = 10; n1 = 1, n0 = 11): alpha = 1 - 11 * 2 / (2 * 1 * 11) = 0
    assert table.loc["INF.PAY", "alpha"] == pytest.approx(0.0)
    assert table.loc["INF.PAY", "verdict"] == "unreliable"
    assert table.loc["INF.PAY", "kappa_statistic"] == "Cohen"
    assert table.loc["REG.DEADLINE", "verdict"] == "not computable"  # neither coder used it in S-1
    overall = table.loc[c.ALL_CODES]
    assert overall["paragraphs"] == 6 and overall["pairable_values"] == 6 * 5 * 2


def _coded_by_three(tmp_path, scope: str | None = None):
    extra = (
        "G-8,S-1,1,R-1,REG.DOCS,C3,Документы,They asked for documents again and again at the office in town.\n"
        "G-9,S-1,3,R-1,INF.PAY,C3,Документы,They asked for documents again and again at the office in town.\n"
    )
    files = {"segments": SEGMENTS + extra}
    if scope is not None:
        files["coding_scope"] = scope
    return c.read_folder(_write(tmp_path, **files))


def test_reliability_uses_every_coder_of_a_session_and_fleiss_kappa_for_three(tmp_path):
    data = _coded_by_three(tmp_path)
    sessions = c.double_coded_sessions(data)
    assert sessions.to_dict("records") == [
        {
            "session_id": "S-1",
            "primary_coder": "C1",
            "other_coders": "C2, C3",
            "coders": 3,
            "paragraphs": 6,
            "paragraphs_compared": 6,
        }
    ]
    table = c.code_reliability(data, seed=1, draws=0).set_index("code_id")
    present = {"C1": [1, 1, 0, 0, 0, 0], "C2": [1, 1, 0, 0, 0, 0], "C3": [1, 0, 0, 0, 0, 0]}  # REG.DOCS
    assert table.loc["REG.DOCS", "alpha"] == pytest.approx(c.rel.alpha(list(present.values())))
    assert table.loc["REG.DOCS", "alpha"] == pytest.approx(
        krippendorff.alpha(
            reliability_data=np.array(list(present.values()), dtype=float), level_of_measurement="nominal"
        )
    )
    assert table.loc["REG.DOCS", ["coders", "kappa_statistic"]].tolist() == [3, "Fleiss"]
    assert table.loc["REG.DOCS", "kappa"] == pytest.approx(c.rel.fleiss_kappa(list(present.values())))
    pairs = c.coder_pairs(data)
    assert sorted(set(zip(pairs["coder_1"], pairs["coder_2"]))) == [("C1", "C2"), ("C1", "C3"), ("C2", "C3")]


def test_paragraphs_a_coder_did_not_read_are_missing_not_disagreements(tmp_path):
    scope = "session_id,coder,first_paragraph,last_paragraph\nS-1,C3,1,1\nS-1,C3,3,3\n"
    data = _coded_by_three(tmp_path, scope)
    units = c.reliability_units(data)
    docs = units[units["code_id"] == "REG.DOCS"].set_index("position")
    assert (docs.loc[1, "C3"], docs.loc[3, "C3"]) == (1.0, 0.0)
    assert docs.loc[[2, 4, 5, 6], "C3"].isna().all()
    table = c.code_reliability(data, seed=1, draws=0).set_index("code_id")
    expected = [[1, 1, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [1, np.nan, 0, np.nan, np.nan, np.nan]]
    assert table.loc["REG.DOCS", "alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=np.array(expected, dtype=float), level_of_measurement="nominal")
    )
    # a second coder who read a session but applied no code still counts (scope row, no segment)
    alone = c.read_folder(
        _write(
            tmp_path, segments=SEGMENTS, coding_scope="session_id,coder,first_paragraph,last_paragraph\nS-2,C2,1,4\n"
        )
    )
    assert "S-2" in set(c.double_coded_sessions(alone)["session_id"])


def test_coding_scope_is_checked_against_the_sessions_and_the_segments(tmp_path):
    scope = "session_id,coder,first_paragraph,last_paragraph\nS-1,C3,2,2\nS-1,C2,3,9\n"
    with pytest.raises(InputError) as error:
        _coded_by_three(tmp_path, scope)
    found = {(p.file.rsplit("/", 1)[-1], p.row, p.column) for p in error.value.problems}
    # C2's range 3-9 runs past S-1's 6 paragraphs and leaves out the paragraphs C2 coded (rows 7, 8);
    # C3's range 2-2 leaves out theirs (rows 9, 10)
    assert found == {
        ("coding_scope.csv", 3, "last_paragraph"),
        ("segments.csv", 7, "position"),
        ("segments.csv", 8, "position"),
        ("segments.csv", 9, "position"),
        ("segments.csv", 10, "position"),
    }


def test_a_primary_coder_who_did_not_code_the_session_is_an_error(tmp_path):
    _write(
        tmp_path,
        sessions=SESSIONS.replace(
            "S-2,interview,2026-10-15,online,osh_city,4,C1", "S-2,interview,2026-10-15,online,osh_city,4,C9"
        ),
    )
    with pytest.raises(InputError) as error:
        c.read_folder(tmp_path)
    assert [(p.row, p.column, p.found) for p in error.value.problems] == [(3, "primary_coder", "C9")]


def test_the_synthetic_reliability_table_matches_the_krippendorff_package(tmp_path):
    synthetic_consultations.write(out=str(tmp_path), key=str(tmp_path / "key.csv"))
    data = c.read_folder(tmp_path)
    units = c.reliability_units(data)
    table = c.code_reliability(data, seed=1, draws=0).set_index("code_id")
    coders = [col for col in units.columns if col not in ("session_id", "position", "code_id")]
    for code, block in units.groupby("code_id"):
        if code not in table.index or table.loc[code, "verdict"] == "not computable":
            continue
        expected = krippendorff.alpha(
            reliability_data=block[coders].to_numpy(dtype=float).T, level_of_measurement="nominal"
        )
        assert table.loc[code, "alpha"] == pytest.approx(expected), code


# ---------------------------------------------------------------- quotes and coverage
def test_quotes_follow_the_privacy_rules(small):
    quotes = c.quote_shortlist(small, k=1, private_terms=["landlord"])
    assert set(quotes["segment_id"]) == {"G-1", "G-3", "G-5"}  # R-2 did not consent
    landlord = quotes.set_index("segment_id").loc["G-5"]
    assert "landlord" not in landlord["quote"].lower() and landlord["redactions"] == 1
    assert landlord["attribution"] == "Academia, women"
    two = c.quote_shortlist(small, k=2, private_terms=[])
    assert two.segment_id.tolist() == ["G-1", "G-3"]  # academia has one respondent only
    # government has 2 respondents but only one woman: the sex is not named
    assert two.attribution.tolist() == ["Government agency", "Government agency"]


def test_coverage_compares_plan_and_fieldwork(small):
    table = c.coverage(small).set_index(["stakeholder_group", "sex", "region"])
    assert table.loc[("government", "female", "bishkek")].tolist() == [2, 1, 1, "partly met"]
    assert table.loc[("private_sector", "female", "batken")].tolist() == [2, 0, 2, "not started"]
    assert table.loc[("academia", "female", "osh_city")].tolist() == [0, 1, 0, "met"]  # held, not planned
    by_group = c.coverage_by(c.coverage(small), "stakeholder_group").set_index("stakeholder_group")
    assert by_group.loc["government", "achieved_pct"] == pytest.approx(200 / 3)


def test_synthetic_example_has_the_promised_shape(tmp_path):
    synthetic_consultations.write(out=str(tmp_path), key=str(tmp_path / "key.csv"))
    data = c.read_folder(tmp_path)
    assert len(data.respondents) == 40 and set(data.respondents["sex"]) == {"female", "male"}
    assert data.respondents["stakeholder_group"].nunique() == 6
    assert 25 <= len(data.codebook) <= 30
    assert set(data.segments["coder"]) == {"C1", "C2"}
    assert (
        data.segments["excerpt"].str.contains("[а-я]").all() and data.segments["excerpt_en"].str.contains("[a-z]").all()
    )
    key = pd.read_csv(tmp_path / "key.csv")
    assert set(key["kind"]) == {"name", "organisation", "place"} and len(key) == 48
    again = tmp_path / "again"
    synthetic_consultations.write(out=str(again), key=str(again / "key.csv"))
    assert (again / "segments.csv").read_bytes() == (tmp_path / "segments.csv").read_bytes()


# ---------------------------------------------------------------- privacy of the built outputs
def test_exports_carry_no_private_term_although_the_raw_excerpts_do(tmp_path):
    from analysis.chapters.consultations import refi
    from analysis.engine import privacy

    synthetic_consultations.write(out=str(tmp_path / "raw"), key=str(tmp_path / "key.csv"))
    terms = privacy.load_private_key(tmp_path / "key.csv")
    data = c.read_folder(tmp_path / "raw")
    assert privacy.scan_for_private_terms([tmp_path / "raw"], terms) == []  # raw data hold pseudonyms only
    first = data.segments.index[0]  # a respondent names a colleague and a village in passing
    data.segments.loc[first, "excerpt"] += f" {terms[1]} из {terms[-1]}."
    data.segments.loc[first, "excerpt_en"] += f" {terms[1]} from {terms[-1]}."
    (tmp_path / "leaky").mkdir()
    data.segments.to_csv(tmp_path / "leaky" / "segments.csv", index=False)
    assert privacy.scan_for_private_terms([tmp_path / "leaky"], terms)
    out = tmp_path / "out"
    c.quote_shortlist(data, 5, terms).to_csv(out.mkdir() or out / "quotes.csv", index=False)
    refi.export_project(c.redacted(data, terms), out / "project.qdpx")
    assert privacy.scan_for_private_terms([out], terms) == []


@pytest.mark.slow
def test_every_built_output_is_free_of_private_terms(built_report, tmp_path):
    """HTML, DOCX, PDF, executed notebooks and processed tables of the built report, scanned for the
    names of the example's key file (regenerated here: same seed, same names as the bundled data)."""
    from analysis.engine import paths, privacy

    synthetic_consultations.write(out=str(tmp_path / "raw"), key=str(tmp_path / "key.csv"))
    assert (tmp_path / "raw/segments.csv").read_bytes() == (
        paths.input_root() / "data/raw/consultations/segments.csv"
    ).read_bytes()
    terms = privacy.load_private_key(tmp_path / "key.csv")
    root = built_report.parents[1]
    assert (root / "data/processed/consultations/codebook.csv").exists()
    assert (built_report / "analysis.html").exists()
    import importlib.util

    # pypdf is not in the lock yet; without it the PDF is covered by the HTML it is made from.
    skip = set() if importlib.util.find_spec("pypdf") else {".pdf"}
    outputs = [p for p in built_report.rglob("*") if p.is_file() and p.suffix in privacy.SCANNED_SUFFIXES - skip]
    assert privacy.scan_for_private_terms(outputs + [root / "data/processed"], terms) == []


def test_codebook_table_gives_theme_and_level_for_the_benchmark_links(small):
    table = c.codebook_table(small.codebook).set_index("code_id")
    assert table.loc["REG.DOCS", ["theme_id", "theme", "level"]].tolist() == ["REG", "Registration burden", 2]
    assert table.loc["INF", "level"] == 1 and "_row" not in table.columns


def test_codebook_cycle_is_an_error(tmp_path):
    _write(tmp_path, codebook=CODEBOOK.replace("REG,,Registration burden", "REG,REG.DOCS,Registration burden"))
    with pytest.raises(InputError, match="parent"):
        c.read_folder(tmp_path)
