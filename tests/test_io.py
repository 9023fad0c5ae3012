"""Readers of messy inputs: encodings, separators, dates, decimal commas, merged headers."""

from datetime import date

import pandas as pd
import pytest
from openpyxl import Workbook

from analysis.engine import readers as io
from analysis.engine.errors import InputError


def test_windows_1251_semicolon_csv_with_russian_headers(tmp_path):
    path = tmp_path / "extract.csv"
    path.write_bytes("Номер;Дата подачи;Сумма\nA-1;05.01.2025;1 234,5\nA-2;31.12.2024;7\n".encode("cp1251"))
    frame, how = io.read_csv_any(path, header_map={"Номер": "id", "Дата подачи": "received", "Сумма": "amount"})
    assert how == {"encoding": "cp1251", "separator": ";"}
    assert list(frame.columns) == ["_row", "id", "received", "amount"]
    assert frame["_row"].tolist() == [2, 3]
    assert io.parse_date_value(frame.loc[0, "received"]) == date(2025, 1, 5)
    assert io.parse_number_value(frame.loc[0, "amount"]) == 1234.5


def test_utf8_with_bom_and_comma_separator(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("\ufeffid,name\n1,Ош\n".encode())
    frame, how = io.read_csv_any(path)
    assert how["encoding"] == "utf-8" and how["separator"] == ","
    assert frame.loc[0, "name"] == "Ош"


def test_undecodable_bytes_are_reported_not_garbled(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"id;name\n1;\x81\x8d\x8f\x90\x98\n")  # bytes that are neither UTF-8 nor cp1251 text
    with pytest.raises(InputError, match="bad.csv, row 2: expected text in UTF-8 or Windows-1251"):
        io.read_csv_any(path)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1,5", 1.5),
        ("1 234,50", 1234.5),
        ("1\u00a0000", 1000.0),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("", None),
        (7, 7.0),
    ],
)
def test_numbers_with_decimal_commas(text, expected):
    assert io.parse_number_value(text) == expected


def test_dates_in_both_orders_and_fast_path():
    assert io.parse_date_value("01.02.2025") == date(2025, 2, 1)
    assert io.parse_date_value("2025-02-01") == date(2025, 2, 1)
    with pytest.raises(ValueError):
        io.parse_date_value("32.01.2025")
    parsed, bad = io.parse_dates_fast(pd.Series(["01.02.2025", "2025-02-03", "", "31.02.2025", "soon"]))
    assert parsed.iloc[0] == pd.Timestamp("2025-02-01") and parsed.iloc[1] == pd.Timestamp("2025-02-03")
    assert bad.tolist() == [False, False, False, True, True]


def test_merged_two_row_headers(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "steps"
    ws["A1"], ws["B1"], ws["D1"] = "Step", "Fee", "Note"
    ws.merge_cells("B1:C1")
    ws["B2"], ws["C2"] = "amount", "currency"
    ws.append(["S1", "1,5", "KGS", "x"])
    ws.append([None, None, None, None])
    ws.append(["S2", 2, "KGS", None])
    path = tmp_path / "p.xlsx"
    wb.save(path)
    frame = io.read_excel_sheet(path, "steps", header_rows=2)
    assert list(frame.columns) == ["_row", "Step", "Fee / amount", "Fee / currency", "Note"]
    assert frame["_row"].tolist() == [3, 5]  # the blank row 4 is skipped, numbering is Excel's


def test_missing_sheet_and_file_name_the_problem(tmp_path):
    wb = Workbook()
    wb.active.title = "acts"
    path = tmp_path / "inv.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="sheet 'provisions': expected a sheet named 'provisions'; found 'acts'"):
        io.read_excel_sheet(path, "provisions")
    with pytest.raises(InputError, match=r"nothere.xlsx: expected an Excel workbook \(.xlsx\); found 'no such file'"):
        io.read_excel_sheet(tmp_path / "nothere.xlsx", "acts")


def test_rename_columns_refuses_two_sources_for_one_column():
    frame = pd.DataFrame({"_row": [2], "Дата": ["x"], "date": ["y"]})
    with pytest.raises(InputError, match="expected one column for 'date'"):
        io.rename_columns(frame, {"Дата": "date"}, file="f.csv")


# ---------------------------------------------------------------- files that are not what they say
@pytest.mark.parametrize(
    "content,named",
    [
        (b"", "an empty file (0 bytes)"),
        (b"<!DOCTYPE html>\n<html><body>Sign in to continue</body></html>", "an HTML page"),
        (b"id;name\n1;x\n", "a text file (first line: 'id;name')"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "an old-format Office file"),
        (b"PK\x03\x04" + b"\x00" * 20, "a damaged zip archive"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_named_as_what_it_is(tmp_path, content, named):
    path = tmp_path / "procedures.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError, match="procedures.xlsx: expected an Excel workbook") as raised:
        io.read_excel_sheet(path, "steps")
    assert named in str(raised.value)


def test_excel_lock_file_and_workbook_saved_as_csv_are_named(tmp_path):
    lock = tmp_path / "~$findings.xlsx"
    lock.write_bytes(b"\x0cconsultant" + b"\x00" * 40)
    assert "lock file Excel keeps while the workbook is open" in io.file_problem(lock).found
    wb = Workbook()
    wb.save(tmp_path / "codebook.csv")
    with pytest.raises(InputError, match="codebook.csv: expected a CSV text file; found 'an Excel workbook'"):
        io.read_csv_any(tmp_path / "codebook.csv")


def test_truncated_csv_names_the_line(tmp_path):
    path = tmp_path / "codebook.csv"
    path.write_text('code_id,name,definition\nA,Alpha,"first"\nB,Beta,"cut sho', encoding="utf-8")
    with pytest.raises(InputError, match="codebook.csv, row 3: expected every quoted value closed by a quote"):
        io.read_csv_any(path)
    path.write_text("code_id,name,definition\nA,Alpha,first\nB,Be\n", encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"row 3: expected 3 fields separated by ',', as in the header; "
        r"found '2 fields \(the line ends early: was the file cut short\?\)'",
    ):
        io.read_csv_any(path)


def test_excel_russian_locale_csv_is_read(tmp_path):
    path = tmp_path / "values.csv"
    path.write_bytes(
        'field;extract_value;canonical\r\nsex;Ж;female\r\nchannel;"онлайн; портал";online\r\n'.encode("cp1251")
    )
    frame, how = io.read_csv_any(path)
    assert how == {"encoding": "cp1251", "separator": ";"}
    assert frame["extract_value"].tolist() == ["Ж", "онлайн; портал"] and frame["_row"].tolist() == [2, 3]


def test_slashed_dates_follow_the_files_order_and_a_mixed_file_is_refused():
    assert io.slash_date_order(["13/02/2025", "01/02/2025"]) == io.DAY_FIRST
    assert io.slash_date_order(["02/13/2025", "01/02/2025"]) == io.MONTH_FIRST
    assert io.slash_date_order(["13/02/2025", "02/13/2025"]) == io.MIXED
    assert io.slash_date_order(["01/02/2025", "05.01.2025"]) is None
    assert io.parse_date_value("01/02/2025", io.MONTH_FIRST) == date(2025, 1, 2)
    assert io.parse_date_value("01/02/2025") == date(2025, 2, 1)
    assert io.parse_date_value("13/02/2025", io.MIXED) == date(2025, 2, 13)
    with pytest.raises(io.AmbiguousDate):
        io.parse_date_value("01/02/2025", io.MIXED)
    parsed, bad = io.parse_dates_fast(pd.Series(["01/02/2025", "13/02/2025", "02/13/2025"]), io.MIXED)
    assert bad.tolist() == [True, False, False] and parsed.iloc[2] == pd.Timestamp("2025-02-13")


def test_markup_in_a_free_text_cell_comes_out_escaped(tmp_path):
    from analysis.engine import report

    wb = Workbook()
    wb.active.title = "steps"
    wb.active.append(["step", "note"])
    wb.active.append([1, '<script>alert("x")</script> & <b>bold</b>'])
    wb.save(tmp_path / "p.xlsx")
    frame = io.read_excel_sheet(tmp_path / "p.xlsx", "steps")
    shown = report.table_html(frame.drop(columns="_row"), caption="Steps", source="test")
    assert "<script>" not in shown and "<b>" not in shown
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in shown


def test_blank_repeats_leaves_a_label_once_per_group():
    from analysis.engine import report

    shown = pd.DataFrame(
        {
            "Procedure": ["A", "A", "A", "B"],
            "Channel": ["online", "online", "office", "online"],
            "Sex": ["W", "M", "W", "W"],
        }
    )
    out = report.blank_repeats(shown, ["Procedure", "Channel"])
    assert out["Procedure"].tolist() == ["A", "", "", "B"]
    # A channel is repeated only within its procedure: B's "online" is shown again.
    assert out["Channel"].tolist() == ["online", "", "office", "online"]
    assert out["Sex"].tolist() == shown["Sex"].tolist()
