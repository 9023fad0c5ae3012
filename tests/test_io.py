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
    path.write_bytes("\ufeffid,name\n1,Ош\n".encode("utf-8"))
    frame, how = io.read_csv_any(path)
    assert how["encoding"] == "utf-8" and how["separator"] == ","
    assert frame.loc[0, "name"] == "Ош"


def test_undecodable_bytes_are_reported_not_garbled(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"id;name\n1;\x81\x8d\x8f\x90\x98\n")  # bytes that are neither UTF-8 nor cp1251 text
    with pytest.raises(InputError, match="bad.csv, row 2: expected text in UTF-8 or Windows-1251"):
        io.read_csv_any(path)


@pytest.mark.parametrize("text,expected", [("1,5", 1.5), ("1 234,50", 1234.5), ("1\u00a0000", 1000.0),
                                           ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("", None), (7, 7.0)])
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
