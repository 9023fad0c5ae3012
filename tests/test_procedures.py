"""Procedures by pathway: critical-path rules, Standard Cost Model arithmetic and bad-input errors.

Dates are worked by hand on a calendar with a Saturday-Sunday weekend; 2 March 2026 is a Monday.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import procedures as P
from analysis.engine.calendar import WorkCalendar
from analysis.engine.errors import InputError

MONDAY = date(2026, 3, 2)
NO_HOLIDAYS = WorkCalendar(holidays=(), weekmask="1111100")
TUESDAY_OFF = WorkCalendar(holidays=(np.datetime64("2026-03-03"),), weekmask="1111100")


def steps(*rows) -> pd.DataFrame:
    """rows: (step, deadline, unit, parallel_with)."""
    return pd.DataFrame(rows, columns=["step", "deadline", "deadline_unit", "parallel_with"])


# ---------------------------------------------------------------- critical path
def test_a_step_without_deadline_or_with_zero_days_takes_one_working_day():
    plan = P.schedule(steps((1, None, None, None), (2, 0, "working_days", None)), MONDAY, NO_HOLIDAYS)
    assert list(plan["finish"]) == [date(2026, 3, 3), date(2026, 3, 4)]
    assert list(plan["working_days"]) == [1, 1]
    assert P.total_days(plan, MONDAY, NO_HOLIDAYS) == (2, 2)


def test_a_step_started_on_friday_ends_on_monday():
    assert P.step_finish(date(2026, 3, 6), None, None, NO_HOLIDAYS) == date(2026, 3, 9)


def test_parallel_steps_overlap_and_the_longest_sets_the_path():
    # A: 5 working days (Tue 3 .. Mon 9); B: 3 days alongside A (ends Thu 5); C waits for both: Tue 10, Wed 11.
    plan = P.schedule(steps((1, 5, "working_days", None), (2, 3, "working_days", "1"), (3, 2, "working_days", None)),
                      MONDAY, NO_HOLIDAYS)
    assert list(plan["start"]) == [MONDAY, MONDAY, date(2026, 3, 9)]
    assert list(plan["finish"]) == [date(2026, 3, 9), date(2026, 3, 5), date(2026, 3, 11)]
    assert P.total_days(plan, MONDAY, NO_HOLIDAYS) == (7, 9)


def test_parallel_is_read_both_ways():
    forward = P.schedule(steps((1, 4, "working_days", "2"), (2, 2, "working_days", None)), MONDAY, NO_HOLIDAYS)
    assert P.total_days(forward, MONDAY, NO_HOLIDAYS)[0] == 4


def test_consecutive_start_rule_delays_a_parallel_step_by_one_day():
    rows = steps((1, 1, "working_days", None), (2, 1, "working_days", "1"))
    assert P.total_days(P.schedule(rows, MONDAY, NO_HOLIDAYS), MONDAY, NO_HOLIDAYS)[0] == 1
    staggered = P.schedule(rows, MONDAY, NO_HOLIDAYS, parallel_start_offset_days=1)
    assert P.total_days(staggered, MONDAY, NO_HOLIDAYS)[0] == 2


def test_a_public_holiday_is_not_a_working_day():
    # 3 working days from Monday with Tuesday off: Wed 4, Thu 5, Fri 6.
    plan = P.schedule(steps((1, 3, "working_days", None)), MONDAY, TUESDAY_OFF)
    assert plan["finish"].iloc[0] == date(2026, 3, 6)
    assert P.total_days(plan, MONDAY, TUESDAY_OFF) == (3, 4)


def test_calendar_days_count_fewer_working_days_over_a_holiday():
    # 10 calendar days from Monday 2 March end Thursday 12 March: 8 working days, 7 with Tuesday off.
    assert P.total_days(P.schedule(steps((1, 10, "calendar_days", None)), MONDAY, NO_HOLIDAYS), MONDAY, NO_HOLIDAYS) == (8, 10)
    assert P.total_days(P.schedule(steps((1, 10, "calendar_days", None)), MONDAY, TUESDAY_OFF), MONDAY, TUESDAY_OFF) == (7, 10)


def test_a_calendar_deadline_ending_on_a_weekend_ends_on_the_next_working_day():
    assert P.step_finish(MONDAY, 12, "calendar_days", NO_HOLIDAYS) == date(2026, 3, 16)  # Sat 14 -> Mon 16
    assert P.step_finish(MONDAY, 1, "months", NO_HOLIDAYS) == date(2026, 4, 2)


def test_observed_durations_replace_the_statutory_ones():
    group = pd.DataFrame({"step": [1, 2], "observed_procedure": [None, "single_permit"]})
    observed = pd.DataFrame({"procedure": ["single_permit"], "median_days": [5.0]})
    assert P.observed_durations(group, observed, "median_days") == {2: (5.0, "working_days")}
    assert P.observed_durations(group, None, "median_days") == {}


# ---------------------------------------------------------------- Standard Cost Model
def hand_made(fee_payer: str = "migrant") -> P.Procedures:
    step_rows = pd.DataFrame({
        "pathway": ["work_permit"], "step": [1], "action": ["File"], "official_fee": [10.0], "fee_currency": ["USD"],
        "fee_payer": [fee_payer], "other_costs_kgs": [100.0],
    })
    parameters = pd.DataFrame({
        "id": ["migrant_monthly_wage", "staff_monthly_wage", "hours_per_month", "overhead_rate", "usd_kgs"],
        "value": [20000.0, 40000.0, 200.0, 0.25, 90.0], "currency": ["KGS", "KGS", None, None, None],
    })
    scm = pd.DataFrame({
        "pathway": ["work_permit", "work_permit"], "step": [1, 1], "bearer": ["migrant", "employer"],
        "hours_per_case": [2.0, 4.0], "cases_per_year": [1000.0, np.nan], "frequency_per_year": [2.0, 1.0],
        "confidence": ["uncertain", "uncertain"], "note": ["", ""],
    })
    return P.Procedures(steps=step_rows, parameters=parameters, scm=scm, file="test.xlsx")


def test_scm_price_times_quantity_with_sensitivity():
    detail = P.burden(hand_made())
    migrant, employer = detail.iloc[0], detail.iloc[1]
    # Migrant: 2 h x (20,000 / 200 = 100 som/h) = 200; pays the fee 10 USD x 90 = 900 and 100 other -> 1,200.
    assert migrant["tariff_kgs_per_hour"] == pytest.approx(100.0)
    assert migrant["price_kgs"] == pytest.approx(1200.0)
    assert migrant["quantity_per_year"] == pytest.approx(2000.0)
    assert migrant["burden_kgs"] == pytest.approx(2_400_000.0)
    # +/- 25 % on the time cost only: (150 + 1000) x 2000 and (250 + 1000) x 2000.
    assert migrant["burden_low_kgs"] == pytest.approx(2_300_000.0)
    assert migrant["burden_high_kgs"] == pytest.approx(2_500_000.0)
    # Employer: 4 h x 40,000 / 200 x 1.25 = 1,000 som per case, no fee (the migrant pays); quantity unknown.
    assert employer["price_kgs"] == pytest.approx(1000.0)
    assert np.isnan(employer["burden_kgs"])
    by_bearer = P.burden_by_bearer(detail).set_index("bearer")
    assert by_bearer.loc["employer", "rows_quantity_unknown"] == 1
    assert by_bearer.loc["migrant", "burden_kgs"] == pytest.approx(2_400_000.0)


def test_the_fee_counts_for_the_bearer_who_pays_it():
    detail = P.burden(hand_made(fee_payer="employer"))
    assert detail.iloc[0]["price_kgs"] == pytest.approx(200.0)
    assert detail.iloc[1]["price_kgs"] == pytest.approx(1000.0 + 900.0 + 100.0)


def test_usd_fee_converted_and_unknown_fee_stays_unknown():
    frame = pd.DataFrame({"official_fee": [10.0, np.nan, 50.0], "fee_currency": ["USD", None, "KGS"]})
    converted = P.fee_kgs(frame, 90.0)
    assert converted.iloc[0] == pytest.approx(900.0)
    assert np.isnan(converted.iloc[1])
    assert converted.iloc[2] == pytest.approx(50.0)


# ---------------------------------------------------------------- workbook and bad input
GOOD_STEP = dict(pathway="entry_short_stay", step=1, action="Register", responsible_body="KYZMAT",
                 legal_basis="G01-REG-DEADLINE", channel="in_person", official_fee=120, fee_currency="KGS",
                 fee_payer="migrant", fee_confidence="uncertain", deadline=5, deadline_unit="working_days",
                 confidence="sourced")
PARAMETER = dict(id="usd_kgs", parameter="Exchange rate", value=87.0, unit="KGS per USD", confidence="uncertain")
SCM_ROW = dict(pathway="entry_short_stay", step=1, bearer="migrant", hours_per_case=2, cases_per_year=100,
               frequency_per_year=1, confidence="uncertain")


@pytest.fixture
def inventory_dir(tmp_path):
    folder = tmp_path / "inventory"
    folder.mkdir()
    pd.DataFrame({"id": ["KYZMAT", "MFA-CD"]}).to_csv(folder / "institutions.csv", index=False)
    pd.DataFrame({"id": ["G01-REG-DEADLINE"]}).to_csv(folder / "provisions.csv", index=False)
    return folder


def workbook(tmp_path, *step_rows) -> str:
    path = tmp_path / "procedures.xlsx"
    P.write_workbook(path, {"steps": pd.DataFrame(list(step_rows)), "parameters": pd.DataFrame([PARAMETER]),
                            "scm_assumptions": pd.DataFrame([SCM_ROW])})
    return path


def test_a_valid_workbook_reads_with_typed_columns(tmp_path, inventory_dir):
    proc = P.read(workbook(tmp_path, GOOD_STEP), inventory_dir)
    assert proc.steps["official_fee"].tolist() == [120.0]
    assert proc.parameter("usd_kgs") == 87.0
    assert proc.parameter("gni_per_capita") is None


def test_unknown_body_names_the_row(tmp_path, inventory_dir):
    with pytest.raises(InputError) as err:
        P.read(workbook(tmp_path, GOOD_STEP, {**GOOD_STEP, "step": 2, "responsible_body": "NO-SUCH-BODY"}), inventory_dir)
    [problem] = err.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.found) == ("steps", 3, "responsible_body", "NO-SUCH-BODY")
    assert "institution" in problem.expected


def test_negative_fee_names_the_row(tmp_path, inventory_dir):
    with pytest.raises(InputError) as err:
        P.read(workbook(tmp_path, {**GOOD_STEP, "official_fee": -5}), inventory_dir)
    [problem] = err.value.problems
    assert (problem.row, problem.column, problem.found) == (2, "official_fee", -5)
    assert "at least 0" in problem.expected


def test_deadline_without_unit_names_the_row(tmp_path, inventory_dir):
    with pytest.raises(InputError) as err:
        P.read(workbook(tmp_path, {**GOOD_STEP, "deadline_unit": None}), inventory_dir)
    [problem] = err.value.problems
    assert (problem.row, problem.column) == (2, "deadline_unit")
    assert "unit of the deadline" in problem.expected
    assert "row 2" in str(err.value)


def test_unknown_provision_and_parallel_step_are_errors(tmp_path, inventory_dir):
    with pytest.raises(InputError) as err:
        P.read(workbook(tmp_path, {**GOOD_STEP, "legal_basis": "G01-REG-DEADLINE; X99", "parallel_with": "7"}),
               inventory_dir)
    assert {(p.column, str(p.found)) for p in err.value.problems} == {("legal_basis", "X99"), ("parallel_with", "7")}


def test_template_has_every_sheet_and_a_readme(tmp_path):
    path = P.write_template(tmp_path / "template.xlsx")
    from openpyxl import load_workbook
    wb = load_workbook(path)
    assert wb.sheetnames == ["README", "steps", "parameters", "scm_assumptions"]
    assert [c.value for c in wb["steps"][1]][:3] == ["pathway", "step", "action"]
    assert wb["steps"].max_row == 1
    described = {(r[0], r[1]) for r in wb["README"].iter_rows(min_row=2, values_only=True)}
    assert ("steps", "deadline_unit") in described and ("scm_assumptions", "bearer") in described


# ---------------------------------------------------------------- accessibility
def test_scorecard_counts_unknown_languages_and_locations_apart():
    proc = P.Procedures(steps=pd.DataFrame({
        "pathway": ["study"] * 3, "step": [1, 2, 3],
        "channel": ["online_portal", "in_person", "intermediary; in_person"],
        "languages": ["ky; ru", "ky", None], "locations": [None, "bishkek", "osh"],
        "access_confidence": ["sourced", "uncertain", "uncertain"],
    }), parameters=pd.DataFrame(), scm=pd.DataFrame(), file="t")
    row = P.scorecard(proc).iloc[0]
    assert row["pct_online"] == pytest.approx(100 / 3)
    assert row["pct_migrant_language"] == pytest.approx(50.0)  # Russian on step 1; step 2 Kyrgyz only
    assert row["steps_language_unknown"] == 1
    assert row["pct_in_south"] == pytest.approx(200 / 3)  # online step 1 and Osh step 3; Bishkek is not south
    assert row["steps_with_intermediary"] == 1


def test_indicators_count_days_cost_and_the_migrants_share():
    step_rows = pd.DataFrame({
        "pathway": ["work_permit"] * 3, "step": [1, 2, 3], "confidence": ["sourced", "uncertain", "sourced"],
        "deadline": [np.nan, np.nan, 7.0], "deadline_unit": [None, None, "working_days"],
        "parallel_with": [None, "1", None],
        "official_fee": [100.0, np.nan, 10.0], "fee_currency": ["KGS", None, "USD"],
        "fee_payer": [None, "employer", "employer"], "fee_confidence": ["sourced", "uncertain", "uncertain"],
        "other_costs_kgs": [np.nan, 50.0, np.nan], "observed_procedure": [None, None, "single_permit"],
    })
    proc = hand_made()
    proc.steps = step_rows
    observed = pd.DataFrame({"procedure": ["single_permit"], "median_days": [3.0], "p80_days": [9.0]})
    row = P.indicators(proc, MONDAY, NO_HOLIDAYS, observed).iloc[0]
    # Steps 1 and 2 overlap (1 day), then 7 working days: Tue 3 .. Wed 11 March.
    assert (row["procedures"], row["procedures_not_sourced"], row["days_de_jure"]) == (3, 1, 8)
    assert (row["days_de_facto_median"], row["days_de_facto_p80"]) == (4, 10)
    # Known fees: 100 som + 10 USD x 90 = 1,000 som; the migrant pays only the first (no payer = migrant).
    assert row["official_cost_kgs"] == pytest.approx(1000.0)
    assert row["official_cost_sourced_kgs"] == pytest.approx(100.0)
    assert row["fees_unknown"] == 1
    assert row["migrant_cost_pct_monthly_wage"] == pytest.approx(100 * 100 / 20000)
    assert np.isnan(row["cost_pct_gni_per_capita"])  # no GNI parameter


def test_a_body_that_no_longer_exists_gives_a_warning(tmp_path, inventory_dir):
    pd.DataFrame({"id": ["KYZMAT", "SRS"], "valid_from": [None, None], "valid_to": [None, "2021-10-07"]}).to_csv(
        inventory_dir / "institutions.csv", index=False)
    proc = P.read(workbook(tmp_path, {**GOOD_STEP, "responsible_body": "SRS"}), inventory_dir, on="2026-11-28")
    [warning] = proc.warnings
    assert (warning.severity, warning.row, warning.found) == ("warning", 2, "SRS")


def test_bundled_workbook_covers_the_five_pathways_and_marks_unknowns():
    proc = P.read("data/raw/procedures.xlsx", inventory_dir=None)
    assert list(dict.fromkeys(proc.steps["pathway"])) == list(P.settings()["pathways"])
    unknown_fee = proc.steps[proc.steps["official_fee"].isna()]
    assert (unknown_fee["fee_confidence"] == "uncertain").all()
    assert unknown_fee["note"].str.len().gt(0).all()
    blank = proc.parameters[proc.parameters["value"].isna()]
    assert (blank["confidence"] == "uncertain").all() and blank["note"].str.len().gt(0).all()
    assert set(P.PARAMETER_IDS) <= set(proc.parameters["id"])


def test_template_offers_drop_downs_for_single_choice_columns(tmp_path):
    from openpyxl import load_workbook
    ws = load_workbook(P.write_template(tmp_path / "t.xlsx"))["steps"]
    rules = {str(v.sqref).split(":")[0]: v for v in ws.data_validations.dataValidation}
    assert rules["O2"].formula1 == '"working_days,calendar_days,months"'  # deadline_unit
    assert rules["F2"].type is None  # channel takes several values: a hint, no single-choice list
