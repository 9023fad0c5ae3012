"""The validator reports every problem with sheet, row, column, expected and found."""

from datetime import date

import pandas as pd

from analysis.engine.errors import Problem
from analysis.engine.schema import Column, date_order, foreign_key, validate

COLUMNS = [
    Column("id", unique=True),
    Column("type", vocabulary=("law", "code")),
    Column("fee", kind="float", minimum=0, required=False),
    Column("adopted", kind="date", earliest=date(1991, 8, 31), latest=date(2026, 11, 28)),
    Column("online", kind="bool", required=False),
]


def frame(rows):
    data = pd.DataFrame(rows, columns=["id", "type", "fee", "adopted", "online"])
    data.insert(0, "_row", range(2, len(data) + 2))
    return data


def test_clean_rows_are_typed():
    typed, problems = validate(frame([["L01", "law", "1 200,5", "17.07.2000", "да"]]), COLUMNS, "inv.xlsx", "acts")
    assert problems == []
    assert typed.loc[0, "fee"] == 1200.5
    assert typed.loc[0, "adopted"] == pd.Timestamp("2000-07-17")
    assert bool(typed.loc[0, "online"]) is True


def test_every_problem_is_located():
    rows = [
        ["L01", "decree", "-5", "17.07.2000", "maybe"],
        ["L01", "law", None, "01.01.2030", None],
        ["L03", "law", None, "1985-01-01", None],
    ]
    _, problems = validate(frame(rows), COLUMNS, "inv.xlsx", "acts")
    messages = [p.message() for p in problems]
    assert "inv.xlsx, sheet 'acts', row 2, column 'type': expected one of: law, code; found 'decree'" in messages
    assert "inv.xlsx, sheet 'acts', row 2, column 'fee': expected a value of at least 0; found -5.0" in messages
    assert "inv.xlsx, sheet 'acts', row 2, column 'online': expected yes or no; found 'maybe'" in messages
    assert (
        "inv.xlsx, sheet 'acts', row 3, column 'adopted': expected a date on or before 28.11.2026; found '01.01.2030'"
        in messages
    )
    assert (
        "inv.xlsx, sheet 'acts', row 4, column 'adopted': expected a date on or after 31.08.1991; found '01.01.1985'"
        in messages
    )
    assert "inv.xlsx, sheet 'acts', row 3, column 'id': expected a unique id; found 'L01 (duplicate)'" in messages
    assert len(problems) == 6


def test_missing_column_and_empty_required_cell():
    data = frame([["", "law", None, "17.07.2000", None]]).drop(columns=["online"])
    _, problems = validate(data, COLUMNS, "inv.xlsx", "acts")
    assert [p.message() for p in problems] == [
        "inv.xlsx, sheet 'acts', row 1, column 'online': expected a column 'online'; found 'no such column'",
        "inv.xlsx, sheet 'acts', row 2, column 'id': expected a value; found 'an empty cell'",
    ]


def test_foreign_keys_and_date_order():
    data = pd.DataFrame(
        {
            "_row": [2, 3],
            "act": ["L01", "L01; X9"],
            "from": pd.to_datetime(["2020-01-01", "2021-01-01"]),
            "to": pd.to_datetime(["2019-01-01", None]),
        }
    )
    fk = foreign_key(data, "act", {"L01"}, "inv.xlsx", "provisions", "act", multi=True)
    assert [p.message() for p in fk] == [
        "inv.xlsx, sheet 'provisions', row 3, column 'act': expected the id of an existing act; found 'X9'"
    ]
    order = date_order(data, "from", "to", "inv.xlsx", "provisions")
    assert [p.message() for p in order] == [
        "inv.xlsx, sheet 'provisions', row 2, column 'to': expected a date on or after from (01.01.2020); found '01.01.2019'"
    ]


def test_slashed_dates_in_a_table_that_mixes_both_orders_are_refused():
    data = pd.DataFrame({"_row": [2, 3, 4], "when": ["13/02/2025", "02/14/2025", "01/02/2025"]})
    typed, problems = validate(data, [Column("when", kind="date")], "s.csv")
    assert [p.row for p in problems] == [4]
    assert "both day first and month first, so '01/02/2025' could be either" in problems[0].expected
    assert typed["when"].iloc[1] == pd.Timestamp("2025-02-14")


def test_slashed_dates_that_nothing_orders_are_read_day_first_with_a_warning():
    data = pd.DataFrame({"_row": [2, 3], "when": ["01/02/2025", "05.03.2025"]})
    typed, problems = validate(data, [Column("when", kind="date")], "s.csv")
    assert typed["when"].iloc[0] == pd.Timestamp("2025-02-01")
    assert [(p.severity, p.row) for p in problems] == [("warning", 2)]
    assert "1 written a/b/yyyy were read day first" in problems[0].expected


def test_an_empty_table_warns_and_checks_needing_a_missing_column_do_not_run():
    def needs_type(frame):  # would raise KeyError on a frame without the column
        return [Problem("inv.xlsx", "acts", 1, "type", "never run", frame["type"])]

    _, problems = validate(frame([]).drop(columns=["type"]), COLUMNS, "inv.xlsx", "acts", extra_checks=[needs_type])
    assert [(p.severity, p.column) for p in problems] == [("error", "type"), ("warning", None)]
    assert problems[1].found == "no rows (an empty table)"
