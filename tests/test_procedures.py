"""Procedures by pathway: facts read from the inventory, critical-path rules, the Standard Cost Model
(administrative burden apart from financial costs) and bad-input errors.

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
    """rows: (step, duration, kind, parallel_with) — the columns step_facts() gives the schedule."""
    return pd.DataFrame(rows, columns=["step", "deadline_quantity", "deadline_kind", "parallel_with"])


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
    plan = P.schedule(
        steps((1, 5, "working_days", None), (2, 3, "working_days", "1"), (3, 2, "working_days", None)),
        MONDAY,
        NO_HOLIDAYS,
    )
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
    assert P.total_days(
        P.schedule(steps((1, 10, "calendar_days", None)), MONDAY, NO_HOLIDAYS), MONDAY, NO_HOLIDAYS
    ) == (8, 10)
    assert P.total_days(
        P.schedule(steps((1, 10, "calendar_days", None)), MONDAY, TUESDAY_OFF), MONDAY, TUESDAY_OFF
    ) == (7, 10)


def test_a_calendar_deadline_ending_on_a_weekend_ends_on_the_next_working_day():
    assert P.step_finish(MONDAY, 12, "calendar_days", NO_HOLIDAYS) == date(2026, 3, 16)  # Sat 14 -> Mon 16
    assert P.step_finish(MONDAY, 1, "months", NO_HOLIDAYS) == date(2026, 4, 2)
    assert P.step_finish(MONDAY, 1, "years", NO_HOLIDAYS) == date(2027, 3, 2)


def test_observed_and_reported_durations_replace_the_statutory_ones():
    group = pd.DataFrame(
        {
            "step": [1, 2],
            "observed_procedure": [None, "single_permit"],
            "observed_min": [1.0, np.nan],
            "observed_max": [2.0, np.nan],
            "observed_unit": ["months", None],
        }
    )
    observed = pd.DataFrame({"procedure": ["single_permit"], "median_days": [5.0]})
    assert P.observed_durations(group, observed, "median_days") == {2: (5.0, "working_days")}
    assert P.observed_durations(group, None, "median_days") == {}
    assert P.reported_durations(group, "observed_min") == {1: (1.0, "months")}
    assert P.reported_durations(group, "observed_max") == {1: (2.0, "months")}


# ---------------------------------------------------------------- facts of the inventory
def test_units_of_the_inventory_are_read_as_money_or_duration():
    assert P.money_unit("som per month") == ("KGS", "per month")
    assert P.money_unit("KGS") == ("KGS", "")
    assert P.money_unit("USD") == ("USD", "")
    assert P.money_unit("% of capped average wage") is None
    assert P.money_unit(None) is None
    assert P.deadline_kind("working days") == "working_days"
    assert P.deadline_kind("month") == "months"
    assert P.deadline_kind("% of staff") is None
    assert P.quantity_text(11910.0, "som per year") == "11,910 som per year"
    assert P.quantity_text(1.0, "month") == "1 month"


PROVISIONS = pd.DataFrame(
    {
        "id": ["FEE-KGS", "FEE-USD", "FEE-BLANK", "DEADLINE", "TERM", "SHARE"],
        "act_id": ["A1"] * 6,
        "quantity": [120.0, 10.0, np.nan, 7.0, 360.0, 20.0],
        "unit": ["som", "USD", "som", "working days", "days", "% of staff"],
        "confidence": ["uncertain", "sourced", "sourced", "sourced", "sourced", "sourced"],
    }
).set_index("id", drop=False)
PARAMETERS = pd.DataFrame(
    {
        "id": [
            "migrant_monthly_wage",
            "staff_monthly_wage",
            "hours_per_month",
            "overhead_rate",
            "usd_rate",
            "gni_per_capita",
            "cases_2025",
            "cases_change",
            "cases_2026",
        ],
        "value": [20000.0, 40000.0, 200.0, 0.25, 90.0, 1000.0, 1000.0, -50.0, np.nan],
        "currency": ["KGS", "KGS", None, None, "USD", "USD", None, None, None],
        "unit": [
            "per month",
            "per month",
            "hours per month",
            "share",
            P.EXCHANGE_RATE,
            "per year",
            "persons",
            "%",
            "persons",
        ],
        "reference_period": ["2025", "2025", None, None, "2025", "2014", "2025", "2026", "2026 (derived)"],
        "base_parameter": [None] * 8 + ["cases_2025"],
        "change_parameter": [None] * 8 + ["cases_change"],
        "factor": [np.nan] * 8 + [4.0],
    }
)


def hand_made(**step_overrides) -> P.Procedures:
    step_rows = pd.DataFrame(
        [
            {
                "pathway": "work_permit",
                "step": 1,
                "action": "File",
                "fee_provision": "FEE-USD",
                "fee_kind": "fee",
                "fee_periods": np.nan,
                "fee_payer": "migrant",
                "deadline_provision": "DEADLINE",
                "term_provision": "TERM",
                "observed_min": np.nan,
                "observed_max": np.nan,
                "observed_unit": None,
                "same_as": None,
                "parallel_with": None,
                "observed_procedure": None,
                "confidence": "sourced",
                **step_overrides,
            }
        ]
    )
    scm = pd.DataFrame(
        {
            "pathway": ["work_permit", "work_permit"],
            "step": [1, 1],
            "bearer": ["migrant", "employer"],
            "obligation": ["Give documents", "File"],
            "hours_per_case": [2.0, 4.0],
            "out_of_pocket": [100.0, np.nan],
            "population_parameter": ["cases_2026", None],
            "frequency_per_year": [1.0, 1.0],
            "confidence": ["uncertain", "uncertain"],
            "note": ["", ""],
        }
    )
    return P.Procedures(steps=step_rows, parameters=PARAMETERS, scm=scm, file="test.xlsx", provisions=PROVISIONS)


def test_a_fee_deadline_and_term_come_from_the_provisions():
    facts = P.step_facts(hand_made()).iloc[0]
    assert facts["fee_text"] == "10 USD" and facts["fee_local"] == pytest.approx(900.0)  # converted at 90
    assert facts["fee_confidence"] == "sourced"
    assert (facts["deadline_text"], facts["deadline_kind"], facts["deadline_quantity"]) == (
        "7 working days",
        "working_days",
        7,
    )
    assert facts["term_text"] == "360 days"
    monthly = P.step_facts(hand_made(fee_provision="FEE-KGS", fee_periods=3.0)).iloc[0]
    assert monthly["fee_local"] == pytest.approx(360.0)  # three periods counted
    free = P.step_facts(hand_made(fee_provision="free")).iloc[0]
    assert (free["fee_text"], free["fee_local"], free["fee_known"]) == ("no fee", 0.0, True)
    unknown = P.step_facts(hand_made(fee_provision=None, deadline_provision=None)).iloc[0]
    assert (unknown["fee_text"], unknown["fee_known"], unknown["deadline_text"]) == ("not known", False, "none found")
    blank = P.step_facts(hand_made(fee_provision="FEE-BLANK")).iloc[0]
    assert blank["fee_text"] == "amount not found" and not blank["fee_known"]


def test_derived_parameters_and_money_in_the_configured_currency():
    proc = hand_made()
    assert proc.raw_parameter("cases_2026") == pytest.approx(1000.0 * 4 * 0.5)
    assert proc.parameter("gni_per_capita") == pytest.approx(90_000.0)  # USD 1,000 at 90
    assert proc.rate("KGS") == 1.0 and proc.rate("EUR") is None
    assert proc.period("gni_per_capita") == "2014"
    assert P.gni_label(proc) == "GNI per capita (2014)"


# ---------------------------------------------------------------- Standard Cost Model
def test_administrative_burden_is_time_and_out_of_pocket_never_fees():
    detail = P.administrative_burden(hand_made())
    migrant, employer = detail.iloc[0], detail.iloc[1]
    # Migrant: 2 h x (20,000 / 200 = 100 /h) = 200 + 100 out of pocket = 300; the 900 fee is NOT in the price.
    assert migrant["tariff_per_hour"] == pytest.approx(100.0)
    assert migrant["price"] == pytest.approx(300.0)
    assert (migrant["population"], migrant["population_year"]) == (2000.0, "2026 (derived)")
    assert migrant["burden"] == pytest.approx(600_000.0)
    # +/- 25 % on the time cost only: (150 + 100) x 2000 and (250 + 100) x 2000.
    assert migrant["burden_low"] == pytest.approx(500_000.0)
    assert migrant["burden_high"] == pytest.approx(700_000.0)
    # Employer: 4 h x 40,000 / 200 x 1.25 = 1,000 per case; population not known.
    assert employer["price"] == pytest.approx(1000.0)
    assert np.isnan(employer["burden"])
    by_bearer = P.burden_by_bearer(detail).set_index("bearer")
    assert by_bearer.loc["employer", "rows_quantity_unknown"] == 1
    assert by_bearer.loc["migrant", "burden"] == pytest.approx(600_000.0)


def test_financial_costs_are_the_law_amounts_times_the_payers_cases():
    proc = hand_made()
    costs = P.financial_costs(proc, P.administrative_burden(proc))
    [row] = costs.to_dict("records")
    assert (row["payer"], row["kind"], row["amount_text"]) == ("migrant", "fee", "10 USD")
    assert row["per_case"] == pytest.approx(900.0)
    assert row["cost_per_year"] == pytest.approx(900.0 * 2000)
    employer_pays = hand_made(fee_payer="employer")
    costs = P.financial_costs(employer_pays, P.administrative_burden(employer_pays))
    assert np.isnan(costs["cost_per_year"].iloc[0])  # the employer's number of cases is not known


def test_a_repeated_step_is_paid_once():
    proc = hand_made(same_as="entry_short_stay/2")
    assert P.financial_costs(proc, P.administrative_burden(proc)).empty


# ---------------------------------------------------------------- workbook and bad input
GOOD_STEP = dict(
    pathway="entry_short_stay",
    step=1,
    action="Register",
    responsible_body="KYZMAT",
    legal_basis="G01-REG-DEADLINE",
    channel="in_person",
    fee_provision="G01-REG-FEE",
    fee_kind="fee",
    fee_payer="migrant",
    confidence="sourced",
)
PARAMETER = dict(
    id="usd_rate", parameter="Exchange rate", value=87.0, currency="USD", unit=P.EXCHANGE_RATE, confidence="uncertain"
)
SCM_ROW = dict(
    pathway="entry_short_stay",
    step=1,
    bearer="migrant",
    obligation="Register",
    hours_per_case=2,
    population_parameter="usd_rate",
    frequency_per_year=1,
    confidence="uncertain",
)


@pytest.fixture
def inventory_dir(tmp_path):
    folder = tmp_path / "inventory"
    folder.mkdir()
    pd.DataFrame({"id": ["KYZMAT", "MFA-CD"]}).to_csv(folder / "institutions.csv", index=False)
    pd.DataFrame(
        {
            "id": ["G01-REG-DEADLINE", "G01-REG-FEE", "FEE-EUR", "STAFF-CAP"],
            "act_id": ["G01"] * 4,
            "quantity": [5, 120, 10, 20],
            "unit": ["working days", "som", "EUR", "% of staff"],
            "confidence": ["sourced"] * 4,
        }
    ).to_csv(folder / "provisions.csv", index=False)
    pd.DataFrame({"id": ["G01"], "title_en": ["Registration decree"]}).to_csv(folder / "acts.csv", index=False)
    return folder


def workbook(tmp_path, *step_rows, parameters=(PARAMETER,)) -> str:
    path = tmp_path / "procedures.xlsx"
    P.write_workbook(
        path,
        {
            "steps": pd.DataFrame(list(step_rows)),
            "parameters": pd.DataFrame(list(parameters)),
            "scm_assumptions": pd.DataFrame([SCM_ROW]),
        },
    )
    return path


def test_a_valid_workbook_reads_with_the_inventory_facts(tmp_path, inventory_dir):
    proc = P.read(workbook(tmp_path, GOOD_STEP), inventory_dir)
    assert proc.steps["fee_provision"].tolist() == ["G01-REG-FEE"]
    assert proc.rate("USD") == 87.0
    assert proc.parameter("gni_per_capita") is None
    assert P.step_facts(proc)["fee_text"].tolist() == ["120 som"]
    assert P.legal_basis_text(proc, "G01-REG-DEADLINE") == "Registration decree"


def test_unknown_body_names_the_row(tmp_path, inventory_dir):
    with pytest.raises(InputError) as err:
        P.read(
            workbook(tmp_path, GOOD_STEP, {**GOOD_STEP, "step": 2, "responsible_body": "NO-SUCH-BODY"}), inventory_dir
        )
    [problem] = err.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.found) == (
        "steps",
        3,
        "responsible_body",
        "NO-SUCH-BODY",
    )
    assert "institution" in problem.expected


def test_a_fee_must_be_money_and_a_deadline_a_duration(tmp_path, inventory_dir):
    with pytest.raises(InputError) as err:
        P.read(
            workbook(tmp_path, {**GOOD_STEP, "fee_provision": "STAFF-CAP", "deadline_provision": "G01-REG-FEE"}),
            inventory_dir,
        )
    found = {(p.row, p.column) for p in err.value.problems}
    assert found == {(2, "fee_provision"), (2, "deadline_provision")}
    assert "row 2" in str(err.value) and "money" in str(err.value) and "duration" in str(err.value)


def test_a_foreign_currency_fee_needs_an_exchange_rate(tmp_path, inventory_dir):
    with pytest.raises(InputError) as err:
        P.read(workbook(tmp_path, {**GOOD_STEP, "fee_provision": "FEE-EUR"}), inventory_dir)
    [problem] = err.value.problems
    assert (problem.row, problem.column, problem.found) == (2, "fee_provision", "FEE-EUR")
    assert "exchange rate for EUR" in problem.expected


def test_a_reported_time_needs_its_unit_and_its_own_source(tmp_path, inventory_dir):
    with pytest.raises(InputError) as err:
        P.read(workbook(tmp_path, {**GOOD_STEP, "observed_min": 1}), inventory_dir)
    assert {(p.row, p.column) for p in err.value.problems} == {(2, "observed_unit"), (2, "observed_source")}


def test_unknown_provision_parallel_step_and_repeated_step_are_errors(tmp_path, inventory_dir):
    with pytest.raises(InputError) as err:
        P.read(
            workbook(
                tmp_path,
                {**GOOD_STEP, "legal_basis": "G01-REG-DEADLINE; X99", "parallel_with": "7", "same_as": "study/9"},
            ),
            inventory_dir,
        )
    assert {(p.column, str(p.found)) for p in err.value.problems} == {
        ("legal_basis", "X99"),
        ("parallel_with", "7"),
        ("same_as", "study/9"),
    }


def test_a_currency_code_must_be_three_capitals_and_a_base_must_exist(tmp_path, inventory_dir):
    bad = [
        PARAMETER,
        dict(id="x", parameter="x", value=1, currency="som", unit="per month", confidence="uncertain"),
        dict(id="y", parameter="y", base_parameter="nowhere", unit="persons", confidence="uncertain"),
    ]
    with pytest.raises(InputError) as err:
        P.read(workbook(tmp_path, GOOD_STEP, parameters=bad), inventory_dir)
    assert {(p.row, p.column, str(p.found)) for p in err.value.problems} == {
        (3, "currency", "som"),
        (4, "base_parameter", "nowhere"),
    }


def test_template_has_every_sheet_and_a_readme(tmp_path):
    path = P.write_template(tmp_path / "template.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    assert wb.sheetnames == ["README", "steps", "parameters", "scm_assumptions", "other_groups"]
    assert [c.value for c in wb["steps"][1]][:3] == ["pathway", "step", "action"]
    assert wb["steps"].max_row == 1
    described = {(r[0], r[1]) for r in wb["README"].iter_rows(min_row=2, values_only=True)}
    assert ("steps", "fee_provision") in described and ("scm_assumptions", "population_parameter") in described
    headers = [c.value for c in wb["steps"][1]]
    assert "official_fee" not in headers and "deadline" not in headers  # no amount or deadline is typed


def test_template_offers_drop_downs_for_single_choice_columns(tmp_path):
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    ws = load_workbook(P.write_template(tmp_path / "t.xlsx"))["steps"]
    headers = [c.value for c in ws[1]]
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in ws.data_validations.dataValidation}
    unit = get_column_letter(headers.index("observed_unit") + 1) + "2"
    assert lists[unit] == '"working_days,calendar_days,months,years"'
    assert lists.get(get_column_letter(headers.index("channel") + 1) + "2") is None  # several values: a hint only


# ---------------------------------------------------------------- accessibility and indicators
def test_scorecard_counts_unknown_languages_apart_and_the_origin_language():
    proc = P.Procedures(
        steps=pd.DataFrame(
            {
                "pathway": ["study"] * 3,
                "step": [1, 2, 3],
                "channel": ["online_portal", "in_person", "intermediary; in_person"],
                "languages": ["ky; ru", "uz", None],
                "access_confidence": ["sourced", "uncertain", "uncertain"],
            }
        ),
        parameters=pd.DataFrame(),
        scm=pd.DataFrame(),
        file="t",
    )
    row = P.scorecard(proc).iloc[0]
    assert (row["steps_online"], row["steps_in_person_only"], row["steps_with_intermediary"]) == (1, 1, 1)
    assert (row["steps_language_known"], row["steps_in_migrant_language"], row["steps_language_unknown"]) == (2, 2, 1)
    assert row["steps_in_origin_language"] == 1
    assert P.languages_text(None) == "not found (data gap)"
    assert P.languages_text("ky; ru") == "Kyrgyz, Russian"


def test_indicators_count_days_with_reported_times_and_the_fees_weight():
    proc = hand_made()
    second = proc.steps.iloc[0].to_dict() | {
        "step": 2,
        "fee_provision": "FEE-KGS",
        "fee_payer": "employer",
        "deadline_provision": None,
        "parallel_with": "1",
        "observed_min": 1.0,
        "observed_max": 2.0,
        "observed_unit": "calendar_days",
        "observed_source": "https://example.org",
        "confidence": "uncertain",
    }
    third = proc.steps.iloc[0].to_dict() | {
        "step": 3,
        "fee_provision": None,
        "deadline_provision": None,
        "observed_procedure": "single_permit",
    }
    proc.steps = pd.DataFrame([proc.steps.iloc[0].to_dict(), second, third])
    observed = pd.DataFrame({"procedure": ["single_permit"], "median_days": [3.0], "p80_days": [9.0]})
    row = P.indicators(proc, MONDAY, NO_HOLIDAYS, observed).iloc[0]
    # Step 1 (7 working days) runs with step 2, then step 3 (one day): Tue 3 .. Wed 11 .. Thu 12 March.
    assert (row["procedures"], row["procedures_not_sourced"], row["days_statutory"]) == (3, 1, 8)
    assert (row["days_reported_low"], row["days_reported_high"]) == (8, 8)  # step 2's 1-2 days stay within step 1
    assert row["days_observed_median"] == 10  # step 3 observed at 3 working days
    # Known fees: 900 (USD 10 at 90, migrant) + 120 (employer); the third is not known.
    assert row["fees_local"] == pytest.approx(1020.0)
    assert row["migrant_fees_local"] == pytest.approx(900.0)
    assert row["fees_unknown"] == 1
    assert row["migrant_fees_pct_monthly_wage"] == pytest.approx(100 * 900 / 20000)
    assert row["migrant_fees_pct_gni_per_capita"] == pytest.approx(100 * 900 / 90000)
    assert "3 procedures; 8 working days along the critical path" in P.pathway_summary(row)


def test_a_body_that_no_longer_exists_gives_a_warning(tmp_path, inventory_dir):
    pd.DataFrame({"id": ["KYZMAT", "SRS"], "valid_from": [None, None], "valid_to": [None, "2021-10-07"]}).to_csv(
        inventory_dir / "institutions.csv", index=False
    )
    proc = P.read(workbook(tmp_path, {**GOOD_STEP, "responsible_body": "SRS"}), inventory_dir, on="2026-11-28")
    [warning] = [w for w in proc.warnings if w.column == "responsible_body"]
    assert (warning.severity, warning.row, warning.found) == ("warning", 2, "SRS")


def test_bundled_workbook_covers_the_pathways_and_labels_every_assumption():
    proc = P.read("data/raw/procedures.xlsx", inventory_dir=None)
    assert list(dict.fromkeys(proc.steps["pathway"])) == list(P.settings()["pathways"])
    steps = proc.steps
    # a fee or deadline that is not known says why
    unknown = steps[steps["fee_provision"].isna() | steps["deadline_provision"].isna()]
    assert unknown["note"].str.len().gt(0).all()
    # every reported time is a labelled assumption with its own source
    reported = steps[steps["observed_min"].notna()]
    assert len(reported) >= 1 and reported["observed_source"].str.startswith("http").all()
    assert set(P.PARAMETER_IDS) <= set(proc.parameters["id"])
    blank = proc.parameters[proc.parameters["value"].isna() & proc.parameters["base_parameter"].isna()]
    assert blank.empty or ((blank["confidence"] == "uncertain").all() and blank["note"].str.len().gt(0).all())
    assert set(proc.other_groups["group"]) == set(P.settings()["other_groups"])


def test_the_cost_assumptions_say_the_shared_sentence_and_an_equal_confidence_once():
    detail = P.administrative_burden(hand_made())
    detail["note"] = ["Two hours. " + P.TIME_ASSUMPTION, P.TIME_ASSUMPTION]
    table = P.scm_assumptions_table(detail)
    assert table["Note"].tolist() == ["Two hours.", ""]
    assert "Confidence" not in table  # every row is "uncertain": the notebook's note says it
    detail.loc[1, "confidence"] = "sourced"
    assert P.scm_assumptions_table(detail)["Confidence"].tolist() == ["uncertain", "sourced"]
