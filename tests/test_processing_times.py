"""Processing times: percentiles, deadlines in working days, Kaplan–Meier / Aalen–Johansen against
lifelines, reading a Windows-1251 extract, and the data-quality count of invalid rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter

from analysis.chapters import processing_times as pt
from analysis.engine.calendar import WorkCalendar
from analysis.engine.errors import InputError
from analysis.examples import processing_times as synth

REPO_ROOT = Path(__file__).resolve().parents[1]

COLUMNS_MAP = "data/raw/processing_times_columns.csv"
VALUES_MAP = "data/raw/processing_times_values.csv"
PROCEDURES_MAP = "data/raw/processing_time_procedures.csv"
HEADER = "Номер заявления;Вид услуги;Подразделение;Способ подачи;Пол;Возрастная группа;Гражданство;Дата подачи;Дата решения;Результат;Дата выгрузки"
# Mondays to Fridays, and one holiday on Monday 9 March 2026 (International Women's Day moved from Sunday).
TEST_CALENDAR = WorkCalendar(holidays=(np.datetime64("2026-03-09"),), weekmask="1111100")


def provisions(valid_from: str = "", **deadlines: tuple[float, str]) -> pd.DataFrame:
    """A provisions table shaped like the inventory's (id, quantity, unit, validity, source, confidence)."""
    rows = [
        {
            "id": pid,
            "quantity": q,
            "unit": u,
            "valid_from": valid_from,
            "valid_to": "",
            "source": "https://example.org",
            "confidence": "sourced",
        }
        for pid, (q, u) in deadlines.items()
    ]
    return pd.DataFrame(rows, columns=["id", "quantity", "unit", "valid_from", "valid_to", "source", "confidence"])


def procedures_map(tmp_path, rows: list[str]):
    path = tmp_path / "procedures.csv"
    path.write_text(
        "procedure,label_en,extract_values,deadline_provision,note\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return path


def write_extract(tmp_path, lines: list[str], encoding: str = "cp1251", sep: str = ";", header: str = HEADER):
    path = tmp_path / "extract.csv"
    text = "\r\n".join([header.replace(";", sep)] + [line.replace(";", sep) for line in lines]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def prepared(tmp_path, lines, deadlines=None, calendar=TEST_CALENDAR, **kwargs):
    procs = pt.load_procedures(
        procedures_map(
            tmp_path,
            [
                "single_permit,Single permit,Единое разрешение,SP-7WD,",
                "residence_permit,Residence permit,Временный вид на жительство,TRP-1M,",
                "patent,Patent,Патент,,",
            ],
        ),
        deadlines if deadlines is not None else provisions(**{"SP-7WD": (5, "working days"), "TRP-1M": (1, "month")}),
    )
    raw = pt.read_extract(write_extract(tmp_path, lines, **kwargs), pt.load_column_map(COLUMNS_MAP))
    return pt.prepare(raw, pt.load_value_map(VALUES_MAP), procs, calendar, origin="UZ"), procs


# ---------------------------------------------------------------- percentiles
def test_nearest_rank_percentiles_hand_worked():
    ten = list(range(1, 11))
    assert [pt.percentile(ten, p) for p in (50, 80, 90)] == [5, 8, 9]
    five = [7, 0, 3, 1, 0]  # sorted 0 0 1 3 7: ranks ceil(2.5)=3, ceil(4)=4, ceil(4.5)=5
    assert [pt.percentile(five, p) for p in (50, 80, 90)] == [1, 3, 7]
    assert np.isnan(pt.percentile([], 80))


def test_percentiles_suppressed_below_minimum_group_size():
    cases = pd.DataFrame(
        {
            "procedure": ["a"] * 9 + ["b"] * 10,
            "working_days": list(range(9)) + list(range(10)),
            "calendar_days": list(range(9)) + list(range(10)),
            "decided": True,
            "pending": False,
            "outcome": "approved",
            "has_deadline": False,
            "within_deadline": False,
            "overdue_pending": False,
        }
    )
    table = pt.metrics(cases, ["procedure"], min_cases=10).set_index("procedure")
    assert table.loc["a", "n_decided"] == 9 and np.isnan(table.loc["a", "median_days"])
    assert np.isnan(table.loc["a", "km_median_days"])
    assert table.loc["b", "median_days"] == 4 and table.loc["b", "p80_days"] == 7 and table.loc["b", "p90_days"] == 8
    assert table.loc["b", "km_median_days"] == 4  # nothing censored: KM quantile = nearest-rank percentile


# ---------------------------------------------------------------- deadlines
def test_working_day_deadline_skips_weekend_and_holiday():
    # Friday 6 March 2026 + 5 working days: Tue 10, Wed 11, Thu 12, Fri 13, Mon 16 (Mon 9 is a holiday).
    assert pt.deadline_dates(np.array(["2026-03-06"], dtype="datetime64[D]"), 5, "working_days", TEST_CALENDAR)[
        0
    ] == np.datetime64("2026-03-16")
    # Received on Saturday: counting starts on the next working day, Tue 10.
    assert pt.deadline_dates(np.array(["2026-03-07"], dtype="datetime64[D]"), 1, "working_days", TEST_CALENDAR)[
        0
    ] == np.datetime64("2026-03-10")


def test_working_day_deadline_with_the_kyrgyz_calendar_from_config():
    calendar = WorkCalendar.from_config(years=range(2025, 2028))
    # Thu 19 March 2026; Fri 20 is Eid al-Fitr, 21–22 a weekend: Mon 23 and Tue 24 are the 2 working days.
    assert pt.deadline_dates(np.array(["2026-03-19"], dtype="datetime64[D]"), 2, "working_days", calendar)[
        0
    ] == np.datetime64("2026-03-24")


def test_calendar_day_and_month_deadlines():
    receipt = np.array(["2025-01-31", "2024-01-31", "2025-03-15"], dtype="datetime64[D]")
    assert list(pt.deadline_dates(receipt, 1, "months", TEST_CALENDAR)) == list(
        np.array(["2025-02-28", "2024-02-29", "2025-04-15"], dtype="datetime64[D]")
    )
    assert pt.deadline_dates(receipt[:1], 10, "calendar_days", TEST_CALENDAR)[0] == np.datetime64("2025-02-10")
    assert pt.deadline_dates(np.array(["2024-02-29"], dtype="datetime64[D]"), 1, "years", TEST_CALENDAR)[
        0
    ] == np.datetime64("2025-02-28")


def test_within_deadline_counts_working_days_and_holidays(tmp_path):
    lines = [
        "1;Единое разрешение;Отдел Б;онлайн;Ж;25-34;Узбекистан;06.03.2026;16.03.2026;Одобрено;31.03.2026",  # 5th working day: in time
        "2;Единое разрешение;Отдел Б;онлайн;М;25-34;Узбекистан;06.03.2026;17.03.2026;Отказано;31.03.2026",  # 6th: late
        "3;Единое разрешение;Отдел Б;лично;М;25-34;Узбекистан;06.03.2026;;На рассмотрении;31.03.2026",  # pending, overdue
        "4;Единое разрешение;Отдел Б;лично;М;25-34;Узбекистан;30.03.2026;;На рассмотрении;31.03.2026",  # pending, not yet due
        "5;Временный вид на жительство;Отдел А;лично;Ж;35-44;Узбекистан;31.01.2026;28.02.2026;Одобрено;31.03.2026",
        "6;Временный вид на жительство;Отдел А;лично;Ж;35-44;Узбекистан;31.01.2026;02.03.2026;Одобрено;31.03.2026",
        "7;Патент;Отдел А;лично;М;35-44;Узбекистан;02.03.2026;03.03.2026;Одобрено;31.03.2026",
    ]
    extract, _ = prepared(tmp_path, lines)
    cases = extract.cases
    assert list(cases["working_days"]) == [5, 6, 16, 1, 20, 21, 1]  # pending: working days to the extraction
    assert list(cases["within_deadline"]) == [True, False, False, False, True, False, False]
    assert list(cases["overdue_pending"]) == [False, False, True, False, False, False, False]
    table = pt.metrics(cases, ["procedure"], min_cases=1).set_index("procedure")
    assert table.loc["single_permit", "share_within_deadline"] == pytest.approx(0.5)
    assert table.loc["single_permit", "share_within_deadline_incl_overdue_pending"] == pytest.approx(1 / 3)
    assert table.loc["residence_permit", "share_within_deadline"] == pytest.approx(0.5)
    assert np.isnan(table.loc["patent", "share_within_deadline"])  # no provision gives a deadline


def test_summary_says_where_no_provision_gives_a_deadline(tmp_path):
    extract, procs = prepared(
        tmp_path,
        [
            "1;Патент;Отдел А;лично;М;35-44;Узбекистан;02.03.2026;03.03.2026;Одобрено;31.03.2026",
            "2;Единое разрешение;Отдел Б;онлайн;Ж;25-34;Узбекистан;06.03.2026;16.03.2026;Одобрено;31.03.2026",
        ],
    )
    summary = pt.summary_by_procedure(extract.cases, procs).set_index("procedure")
    assert summary.loc["patent", "deadline_basis"] == "no provision gives a deadline"
    assert np.isnan(summary.loc["patent", "deadline_working_days"])
    assert summary.loc["single_permit", "deadline_working_days"] == 5
    assert summary.loc["residence_permit", "n_received"] == 0  # listed even without cases
    assert {
        "procedure",
        "n_received",
        "n_decided",
        "n_pending",
        "median_days",
        "p80_days",
        "p90_days",
        "km_median_days",
        "share_within_deadline",
        "deadline_working_days",
    } <= set(summary.reset_index().columns)


def test_deadline_applies_only_to_cases_received_while_the_provision_was_in_force(tmp_path):
    lines = [
        "1;Единое разрешение;Отдел Б;онлайн;Ж;25-34;Узбекистан;26.02.2026;05.03.2026;Одобрено;31.03.2026",
        "2;Единое разрешение;Отдел Б;онлайн;Ж;25-34;Узбекистан;02.03.2026;05.03.2026;Одобрено;31.03.2026",
    ]
    extract, procs = prepared(
        tmp_path,
        lines,
        deadlines=provisions(valid_from="2026-03-01", **{"SP-7WD": (5, "working days"), "TRP-1M": (1, "years")}),
    )
    assert list(extract.cases["has_deadline"]) == [False, True]
    assert procs.set_index("procedure").loc["single_permit", "deadline_confidence"] == "sourced"
    assert procs.set_index("procedure").loc["residence_permit", "deadline_kind"] == "years"


def test_provision_missing_from_inventory_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as info:
        pt.load_procedures(
            procedures_map(tmp_path, ["single_permit,Single permit,Единое разрешение,NO-SUCH,"]),
            provisions(**{"SP-7WD": (7, "working days")}),
        )
    assert "row 2" in str(info.value) and "NO-SUCH" in str(info.value)
    with pytest.raises(InputError, match="unit"):
        pt.load_procedures(
            procedures_map(tmp_path, ["single_permit,Single permit,Единое разрешение,SP-7WD,"]),
            provisions(**{"SP-7WD": (7, "fortnights")}),
        )


# ---------------------------------------------------------------- Kaplan–Meier and Aalen–Johansen
def test_kaplan_meier_hand_worked():
    # durations 1, 2, 2+, 3, 4+ (+ = censored): S(1)=4/5, S(2)=0.8·3/4=0.6, S(3)=0.6·1/2=0.3, S(4)=0.3
    events = np.bincount([1, 2, 3], minlength=5)[None, :]
    censored = np.bincount([2, 4], minlength=5)[None, :]
    survival, at_risk = pt.kaplan_meier(events, censored)
    assert survival[0] == pytest.approx([1.0, 0.8, 0.6, 0.3, 0.3])
    assert list(at_risk[0]) == [5, 5, 4, 2, 1]
    assert pt.km_quantile(survival, 50)[0] == 3
    assert np.isnan(pt.km_quantile(survival, 80)[0])  # the curve never falls to 0.2


def _random_cases(seed: int, n: int = 400):
    rng = np.random.default_rng(seed)
    durations = rng.integers(0, 30, n)
    outcome = rng.choice(["approved", "refused", "withdrawn", "pending"], n, p=[0.55, 0.15, 0.1, 0.2])
    return durations, outcome


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kaplan_meier_matches_lifelines(seed):
    durations, outcome = _random_cases(seed)
    decided = np.isin(outcome, ["approved", "refused"])
    width = durations.max() + 1
    survival, _ = pt.kaplan_meier(
        np.bincount(durations[decided], minlength=width)[None, :],
        np.bincount(durations[~decided], minlength=width)[None, :],
    )
    kmf = KaplanMeierFitter().fit(durations, decided)
    expected = kmf.survival_function_at_times(np.arange(width)).to_numpy()
    assert survival[0] == pytest.approx(expected, abs=1e-12)
    assert pt.km_quantile(survival, 50)[0] == kmf.median_survival_time_


@pytest.mark.parametrize("seed", [4, 5])
def test_aalen_johansen_matches_lifelines(seed):
    # Distinct times: lifelines jitters tied times at random, which would blur an exact comparison.
    _, outcome = _random_cases(seed, n=200)
    durations = np.random.default_rng(seed).permutation(200) + 1
    width = durations.max() + 1
    causes = {o: np.bincount(durations[outcome == o], minlength=width)[None, :] for o in pt.OUTCOMES}
    cif = pt.aalen_johansen(causes, np.bincount(durations[outcome == "pending"], minlength=width)[None, :])
    codes = pd.Series(outcome).map({"pending": 0, "approved": 1, "refused": 2, "withdrawn": 3}).to_numpy()
    for number, cause in enumerate(pt.OUTCOMES, start=1):
        ajf = AalenJohansenFitter(calculate_variance=False).fit(durations, codes, event_of_interest=number)
        curve = ajf.cumulative_density_.iloc[:, 0]
        expected = curve.reindex(np.arange(width), method="ffill").fillna(0.0).to_numpy()
        assert cif[cause][0] == pytest.approx(expected, abs=1e-12)


def test_curves_side_by_side_with_completed_only():
    cases = pd.DataFrame(
        {
            "procedure": ["a"] * 4,
            "working_days": [1, 2, 3, 3],
            "calendar_days": [1, 2, 3, 3],
            "decided": [True, True, False, False],
            "outcome": ["approved", "refused", "pending", "withdrawn"],
        }
    )
    curve = pt.curves(cases, ["procedure"], horizon=3)
    # decided only: both done by day 2; KM: 2 of 4 decided, others censored at 3 → S stays 0.5.
    assert list(curve["completed_survival"]) == [1.0, 0.5, 0.0, 0.0]
    assert list(curve["km_survival"]) == pytest.approx([1.0, 0.75, 0.5, 0.5])
    assert list(curve["cif_approved"]) == pytest.approx([0.0, 0.25, 0.25, 0.25])
    assert list(curve["cif_withdrawn"]) == pytest.approx([0.0, 0.0, 0.0, 0.5 * 1 / 2])


# ---------------------------------------------------------------- reading the extract
def test_windows_1251_semicolon_russian_headers_and_dates(tmp_path):
    extract, _ = prepared(
        tmp_path,
        [
            "101;Единое разрешение;Отдел В;онлайн;Ж;18-24;Узбекистан;05.01.2026;14.01.2026;Одобрено;02.11.2026",
            "102;Патент;Отдел Б;лично;М;55 и старше;Узбекистан;31.12.2025;;На рассмотрении;02.11.2026",
        ],
    )
    assert extract.info["encoding"] == "cp1251" and extract.info["separator"] == ";"
    cases = extract.cases
    assert list(cases["procedure"].astype(str)) == ["single_permit", "patent"]
    assert list(cases["office"].astype(str)) == ["office_c", "office_b"]
    assert list(cases["sex"].astype(str)) == ["female", "male"]
    assert list(cases["channel"].astype(str)) == ["online", "in_person"]
    assert list(cases["age_band"].astype(str)) == ["18-24", "55+"]
    assert cases["receipt"].iloc[0] == pd.Timestamp("2026-01-05") and cases["decision"].iloc[0] == pd.Timestamp(
        "2026-01-14"
    )
    assert cases["receipt"].iloc[1] == pd.Timestamp("2025-12-31") and pd.isna(cases["decision"].iloc[1])
    assert list(cases["cohort"].astype(str)) == ["2026-01", "2025-12"]
    assert extract.info["rows_excluded"] == 0


def test_utf8_comma_file_with_other_header_spellings(tmp_path):
    header = "№ заявления,Услуга,Территориальное подразделение,Способ подачи,Пол,Гражданство,Дата приема,Дата решения,Статус,Дата выгрузки"
    extract, _ = prepared(
        tmp_path,
        ["7,Патент,Отдел А,лично,муж,Узбекистан,2026-03-02,03.03.2026,Выдано,31.03.2026"],
        encoding="utf-8-sig",
        sep=",",
        header=header,
    )
    assert extract.info["encoding"] == "utf-8" and extract.info["separator"] == ","
    assert extract.cases["outcome"].astype(str).tolist() == ["approved"]
    assert extract.cases["working_days"].tolist() == [1]


@pytest.fixture
def lenient(monkeypatch):
    """A small hand-made extract with several bad rows stays under the limit that stops the build."""
    settings = pt._settings()
    monkeypatch.setattr(pt, "_settings", lambda: {**settings, "max_invalid_share": 0.5})


def test_excel_extract_with_date_cells(tmp_path, lenient):
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(";"))
    for number in (101, 103, 104, 105):  # valid rows, so that the one bad row stays below the stop share
        ws.append(
            [
                number,
                "Единое разрешение",
                "Отдел Б",
                "онлайн",
                "Ж",
                "18-24",
                "Узбекистан",
                datetime(2026, 3, 6),
                "16.03.2026",
                "Одобрено",
                datetime(2026, 3, 31),
            ]
        )
    ws.append(
        [
            102,
            "Патент",
            "Отдел Б",
            "лично",
            "М",
            "18-24",
            "Узбекистан",
            datetime(2026, 3, 31),
            datetime(2026, 3, 2),
            "Одобрено",
            datetime(2026, 3, 31),
        ]
    )
    path = tmp_path / "extract.xlsx"
    wb.save(path)
    raw = pt.read_extract(path, pt.load_column_map(COLUMNS_MAP))
    procs = pt.load_procedures(
        procedures_map(tmp_path, ["single_permit,Single permit,Единое разрешение,,", "patent,Patent,Патент,,"]),
        provisions(),
    )
    extract = pt.prepare(raw, pt.load_value_map(VALUES_MAP), procs, TEST_CALENDAR, origin="UZ")
    assert extract.info["encoding"] == "xlsx" and extract.cases["working_days"].tolist() == [5] * 4
    assert (
        extract.quality.set_index("check").loc["decision_before_receipt", "examples"]
        == "line 6: receipt_date '31.03.2026', decision_date '02.03.2026'"
    )


def test_missing_required_column_names_it(tmp_path):
    header = HEADER.replace(";Дата выгрузки", "")
    with pytest.raises(InputError) as info:
        pt.read_extract(
            write_extract(
                tmp_path, ["1;Патент;Отдел Б;лично;М;18-24;Узбекистан;02.03.2026;03.03.2026;Одобрено"], header=header
            ),
            pt.load_column_map(COLUMNS_MAP),
        )
    assert "extraction_date" in str(info.value) and "row 1" in str(info.value)


def test_invalid_rows_are_counted_with_examples_never_dropped_silently(tmp_path, lenient):
    good = "{id};Единое разрешение;Отдел Б;онлайн;М;25-34;{nat};{receipt};{decision};{outcome};31.03.2026"
    lines = [
        good.format(id=1, nat="Узбекистан", receipt="02.03.2026", decision="05.03.2026", outcome="Одобрено"),
        good.format(
            id=2, nat="Узбекистан", receipt="10.03.2026", decision="05.03.2026", outcome="Одобрено"
        ),  # before receipt
        good.format(
            id=3, nat="Узбекистан", receipt="02.03.2026", decision="05.03.2062", outcome="Одобрено"
        ),  # after extraction
        good.format(id=4, nat="Узбекистан", receipt="31.02.2026", decision="", outcome="На рассмотрении"),  # bad date
        good.format(id=5, nat="Узбекистан", receipt="02.03.2026", decision="", outcome="Одобрено"),  # closed, no date
        good.format(
            id=1, nat="Узбекистан", receipt="02.03.2026", decision="06.03.2026", outcome="Одобрено"
        ),  # duplicate id
        good.format(
            id=7, nat="Таджикистан", receipt="02.03.2026", decision="06.03.2026", outcome="Одобрено"
        ),  # other nationality
        good.format(id=8, nat="Узбекистан", receipt="02.03.2026", decision="06.03.2026", outcome="Одобрено").replace(
            ";М;", ";;"
        ),
    ] + [
        good.format(id=100 + i, nat="Узбекистан", receipt="02.03.2026", decision="04.03.2026", outcome="Одобрено")
        for i in range(12)
    ]  # enough valid rows to stay under the stop-the-build share of invalid ones
    extract, _ = prepared(tmp_path, lines)
    quality = extract.quality.set_index("check")
    expected = {
        "decision_before_receipt": 1,
        "decision_after_extraction": 1,
        "receipt_date_unreadable": 1,
        "closed_without_decision_date": 1,
        "application_id_duplicate": 1,
        "other_nationality": 1,
        "sex_not_recorded": 1,
        "procedure_unknown": 0,
    }
    assert {k: int(quality.loc[k, "rows"]) for k in expected} == expected
    assert extract.info == {**extract.info, "rows": 20, "rows_excluded": 5, "rows_out_of_scope": 1, "rows_analysed": 14}
    assert (
        quality.loc["decision_before_receipt", "examples"]
        == "line 3: receipt_date '10.03.2026', decision_date '05.03.2026'"
    )
    assert quality.loc["receipt_date_unreadable", "examples"] == "line 5: '31.02.2026'"
    assert quality.loc["application_id_duplicate", "action"] == "excluded"
    assert any(p.row == 3 and p.severity == "warning" for p in extract.problems)
    assert extract.cases["sex"].astype(str).tolist()[:2] == ["male", "unknown"]


@pytest.mark.parametrize(
    "ids",
    [
        ["12", "7", "12", "", "7", "9", ""],  # numbers in a narrow range: one scatter into a table
        ["12", str(10**17), "12", "", str(10**17), "9", ""],  # a wide range: pandas' hash table
        ["A-12", " A-7", "A-12 ", "", "A-7", "007", " "],  # text (and a leading zero), trimmed
    ],
)
def test_repeated_application_ids_first_occurrence_kept(ids):
    blank, repeated = pt._first_occurrence(pd.Series(ids, dtype="string[pyarrow]"))
    assert blank.tolist() == [False, False, False, True, False, False, True]
    assert repeated.tolist() == [False, False, True, False, True, False, False]  # blanks are never repeats


def test_mostly_unreadable_extract_stops_the_build(tmp_path):
    lines = [
        f"{i};Патент;Отдел Б;лично;М;18-24;Узбекистан;{'soon' if i < 3 else '03.03.2026'};;На рассмотрении;31.03.2026"
        for i in range(1, 5)
    ]
    with pytest.raises(InputError, match=r"2 of 4 rows \(50.0 %\)") as stopped:
        prepared(tmp_path, lines)
    assert "receipt date cannot be read" in str(stopped.value) and "max_invalid_share" in str(stopped.value)


# ---------------------------------------------------------------- backlog
def test_clearance_rate_and_pending_age_bands():
    cases = pd.DataFrame(
        {
            "office": ["office_b"] * 4,
            "receipt": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-02-02", "2026-02-03"]),
            "decision": pd.to_datetime(["2026-01-10", "2026-02-10", None, None]),
            "extraction": pd.to_datetime(["2026-02-28"] * 4),
            "closed": [True, True, False, False],
            "pending": [False, False, True, True],
            "calendar_days": [5, 21, 26, 25],
        }
    )
    table = pt.clearance(cases, ["office"])
    assert list(table["month"]) == ["2026-01", "2026-02"]
    assert list(table["received"]) == [2, 2] and list(table["closed"]) == [1, 1]
    assert list(table["clearance_rate"]) == [50.0, 50.0]
    assert list(table["pending_at_month_end"]) == [1, 2]
    assert list(table["complete_month"]) == [True, True]
    ages = pt.pending_ages(cases.assign(calendar_days=[5, 21, 26, 400]), ["office"])
    assert ages.set_index("age_band_days")["pending"].to_dict() == {
        **{b: 0 for b in ages["age_band_days"]},
        "0–29": 1,
        "360+": 1,
    }


# ---------------------------------------------------------------- synthetic extract
def test_generator_is_deterministic_and_reads_back(tmp_path):
    first = synth.to_csv_bytes(synth.generate(2_000, seed=7))
    assert first == synth.to_csv_bytes(synth.generate(2_000, seed=7))
    assert first.decode("cp1251").startswith(HEADER + "\r\n")
    path = tmp_path / "extract.csv"
    path.write_bytes(first)
    raw = pt.read_extract(path, pt.load_column_map(COLUMNS_MAP))
    procs = pt.load_procedures(
        PROCEDURES_MAP,
        provisions(**{p: (7, "working days") for p in pd.read_csv(PROCEDURES_MAP)["deadline_provision"].dropna()}),
    )
    extract = pt.prepare(raw, pt.load_value_map(VALUES_MAP), procs, WorkCalendar.from_config(years=range(2024, 2028)))
    quality = extract.quality.set_index("check")["rows"]
    assert quality["procedure_unknown"] == 1 and quality["outcome_unknown"] == 0  # every label is mapped
    assert set(extract.cases["procedure"].astype(str)) == set(synth.PROCEDURES)
    assert extract.cases["pending"].any() and set(extract.cases["sex"].astype(str)) >= {"female", "male"}
    assert 0 < extract.info["rows_excluded"] < 0.03 * 2_000


def test_display_formats_days_shares_and_labels():
    frame = pd.DataFrame(
        {
            "procedure": ["single_permit"],
            "sex": ["female"],
            "p80_days": [9.0],
            "km_p80_days": [np.nan],
            "share_within_deadline": [0.7051],
            "n_received": [1234],
        }
    )
    procs = pd.DataFrame({"procedure": ["single_permit"], "label_en": ["Single permit"]})
    values = pt.ValueMap(values={}, labels={"sex": {"female": "Women"}})
    shown = pt.for_display(
        frame,
        {
            "procedure": "Procedure",
            "sex": "Sex",
            "p80_days": "P80",
            "km_p80_days": "KM P80",
            "share_within_deadline": "Within, %",
            "n_received": "Received",
        },
        values,
        procs,
    )
    assert shown.iloc[0].tolist() == ["Single permit", "Women", "9", "", "70.5", "1,234"]


def test_worst_backlog_office_uses_recent_complete_months():
    months = ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    table = pd.DataFrame(
        {
            "office": ["office_b"] * 5 + ["office_a"] * 5,
            "month": months * 2,
            "received": [10, 10, 10, 10, 10, 10, 10, 10, 10, 10],
            "closed": [20, 9, 8, 7, 0, 5, 10, 10, 10, 0],
            "pending_at_month_end": [0, 1, 3, 6, 16, 5, 5, 5, 5, 15],
            "complete_month": [True] * 4 + [False] + [True] * 4 + [False],
        }
    )
    worst = pt.worst_backlog_office(table)
    assert worst["office"] == "office_b" and worst["clearance_rate"] == pytest.approx(80.0)
    assert (worst["first_month"], worst["last_month"], worst["pending"]) == ("2026-08", "2026-10", 16)


# ---------------------------------------------------------------- no quiet data loss
GOOD = "{id};Единое разрешение;Отдел Б;онлайн;М;25-34;Узбекистан;{receipt};05.03.2026;Одобрено;31.03.2026"


def test_a_few_excluded_rows_are_shown_on_the_build_output_and_in_the_chapter(tmp_path, capsys):
    lines = [GOOD.format(id=i, receipt="02.03.2026") for i in range(1, 34)]
    lines.append(GOOD.format(id=34, receipt="нет данных"))  # 1 of 34 rows: 2.9 %
    extract, _ = prepared(tmp_path, lines)
    pt.show_exclusions(extract)
    shown = capsys.readouterr().err.splitlines()
    assert shown[0] == "⚠ extract.csv: 1 of 34 rows (2.9 %) excluded from the processing-times chapter"
    assert shown[1] == "  1 × receipt date cannot be read (e.g. line 35: 'нет данных')"
    assert pt.exclusion_list(extract.quality) == "- Receipt date cannot be read (1 row, 2.9 %)"


def test_mixed_day_month_orders_exclude_the_dates_that_could_be_either(tmp_path, lenient):
    receipts = ["13/02/2026", "02/14/2026", "03/02/2026", "02.03.2026"]
    extract, _ = prepared(
        tmp_path,
        [GOOD.format(id=i, receipt=r).replace("05.03.2026", "16.03.2026") for i, r in enumerate(receipts, start=1)],
    )
    quality = extract.quality.set_index("check")
    assert quality.loc["date_day_month_ambiguous", "rows"] == 1
    assert quality.loc["date_day_month_ambiguous", "examples"].startswith("line 4: receipt_date '03/02/2026'")
    assert quality.loc["receipt_date_unreadable", "rows"] == 0
    assert sorted(extract.cases["receipt"].dt.strftime("%d.%m").tolist()) == ["02.03", "13.02", "14.02"]


def test_a_line_with_the_wrong_number_of_fields_is_counted_with_its_line_number(tmp_path, lenient):
    lines = [GOOD.format(id=i, receipt="02.03.2026") for i in range(1, 4)]
    lines.insert(1, "99;Единое разрешение;Отдел Б")  # cut short
    extract, _ = prepared(tmp_path, lines)
    quality = extract.quality.set_index("check")
    assert quality.loc["line_malformed", "rows"] == 1
    assert quality.loc["line_malformed", "examples"] == "line 3: '99;Единое разрешение;Отдел Б'"
    assert extract.info["rows"] == 4 and extract.info["rows_analysed"] == 3


def test_mapping_files_saved_by_a_russian_locale_excel_are_read(tmp_path):
    import csv
    import io

    for source in (COLUMNS_MAP, VALUES_MAP, PROCEDURES_MAP):
        rows = list(csv.reader(io.StringIO((REPO_ROOT / source).read_text(encoding="utf-8"))))
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
        (tmp_path / Path(source).name).write_bytes(out.getvalue().encode("cp1251"))
    assert pt.load_column_map(tmp_path / "processing_times_columns.csv") == pt.load_column_map(COLUMNS_MAP)
    assert pt.load_value_map(tmp_path / "processing_times_values.csv") == pt.load_value_map(VALUES_MAP)
    assert (
        pt.load_procedures(tmp_path / "processing_time_procedures.csv", None, provisions_required=False)[
            "extract_values"
        ].tolist()
        == pt.load_procedures(PROCEDURES_MAP, None, provisions_required=False)["extract_values"].tolist()
    )


def test_utf8_extract_with_comma_separator_reads_like_windows_1251(tmp_path):
    lines = [GOOD.format(id=i, receipt="02.03.2026") for i in range(1, 4)]
    raw = pt.read_extract(
        write_extract(tmp_path, lines, encoding="utf-8-sig", sep=","), pt.load_column_map(COLUMNS_MAP)
    )
    assert (raw.encoding, raw.separator) == ("utf-8", ",")
    assert list(raw.frame["office"].astype(str)) == ["Отдел Б"] * 3 and raw.frame["_row"].tolist() == [2, 3, 4]
    assert raw.frame["application_id"].tolist() == ["1", "2", "3"]
