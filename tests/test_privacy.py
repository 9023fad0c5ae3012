"""Each disclosure-control rule, on hand-worked tables and files that contain a private name."""

from __future__ import annotations

import io
import json
import zipfile

import nbformat
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from analysis.engine import privacy
from analysis.engine.errors import InputError


# ---------------------------------------------------------------- suppression
def test_primary_suppression_hides_small_non_zero_counts_only():
    table = pd.DataFrame({"female": [0, 4, 5], "male": [12, 9, 11]}, index=["gov", "academia", "private"])
    out = privacy.suppress_counts(table, k=5)
    status = privacy.suppression_status(table, k=5)
    assert out.loc["gov", "female"] == 0  # a zero reveals nobody
    assert out.loc["academia", "female"] == "<5"  # 4 < k
    assert status.loc[2, 0] != "primary"  # k itself is not small (withheld only as a complement)
    assert out.loc["private", "female"] == privacy.SECONDARY_MARKER


def test_secondary_suppression_closes_the_cycle_on_a_hand_worked_table():
    # gov: 3 | 7 ; academia: 6 | 8 ; private: 10 | 2.  Primary: 3 and 2. Withholding 7 and 10 makes the
    # four cells a cycle (two in each of their rows and columns); the academia row stays published.
    table = pd.DataFrame({"female": [3, 6, 10], "male": [7, 8, 2]}, index=["gov", "academia", "private"])
    out = privacy.suppress_counts(table, k=5, add_totals=True)
    expected = pd.DataFrame(
        {"female": ["<5", 6, "x", 19], "male": ["x", 8, "<5", 17], "Total": [10, 14, 12, 36]},
        index=["gov", "academia", "private", "Total"],
        dtype=object,
    )
    pd.testing.assert_frame_equal(out, expected, check_names=False)


def test_one_column_table_needs_a_complement_against_the_grand_total():
    out = privacy.suppress_counts(pd.DataFrame({"n": [3, 10, 12]}, index=["a", "b", "c"]), k=5, add_totals=True)
    assert list(out["n"]) == ["<5", "x", 12, 25]


def test_small_margin_is_itself_suppressed():
    out = privacy.suppress_counts(pd.DataFrame({"a": [2, 1], "b": [9, 8]}), k=5, add_totals=True)
    assert out.loc["Total", "a"] == "<5"


def _interval(values: np.ndarray, status: np.ndarray, cell: tuple[int, int]) -> tuple[float, float]:
    """Range of a withheld cell given every published cell, additivity and non-negativity (an
    independent check by linear programming, not the rank test the module uses)."""
    rows, cols = values.shape
    unknown = [(i, j) for i in range(rows) for j in range(cols) if status[i, j]]
    index = {c: n for n, c in enumerate(unknown)}
    a_eq, b_eq = [], []
    lines = [[(i, j) for j in range(cols - 1)] + [(i, cols - 1)] for i in range(rows)]
    lines += [[(i, j) for i in range(rows - 1)] + [(rows - 1, j)] for j in range(cols)]
    for line in lines:
        row, rhs = np.zeros(len(unknown)), 0.0
        for position, c in enumerate(line):
            sign = -1.0 if position == len(line) - 1 else 1.0
            if c in index:
                row[index[c]] += sign
            else:
                rhs -= sign * values[c]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    objective = np.zeros(len(unknown))
    objective[index[cell]] = 1.0
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    return low.fun, (np.inf if high.status == 3 else -high.fun)


@pytest.mark.parametrize("seed", range(12))
def test_no_suppressed_cell_can_be_recomputed_from_the_margins(seed):
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(rng.integers(0, 14, size=(rng.integers(2, 6), rng.integers(2, 5))))
    status = privacy.suppression_status(table, k=5).to_numpy()
    values = privacy._augment(privacy._as_counts(table)).to_numpy()
    published = privacy.suppress_counts(table, k=5, add_totals=True).to_numpy()
    for cell in zip(*np.nonzero(status != "")):
        low, high = _interval(values, status, cell)
        assert high - low > 0.5, f"cell {cell} of seed {seed} is recoverable"
    for cell in zip(*np.nonzero(status == "")):
        assert published[cell] == values[cell]
        assert not 0 < values[cell] < 5


def test_note_documents_both_markers():
    note = privacy.suppression_note(5)
    assert "<5" in note and f'"{privacy.SECONDARY_MARKER}"' in note


# ---------------------------------------------------------------- quotes
@pytest.mark.parametrize(
    "group_size, consented, allowed",
    [
        (5, True, True),
        (4, True, False),
        (12, False, False),
        (12, None, False),
        (12, float("nan"), False),
        (12, "да", True),
        (12, "no", False),
        (12, pd.NA, False),
    ],
)
def test_quote_needs_consent_and_a_group_of_at_least_k(group_size, consented, allowed):
    assert privacy.can_attribute_quote(group_size, consented, k=5) is allowed


# ---------------------------------------------------------------- key file and scan
def test_missing_key_file_gives_no_terms(tmp_path):
    assert privacy.load_private_key(tmp_path / "identity_key.csv") == []


def test_key_file_in_windows_1251_with_semicolons(tmp_path):
    key = tmp_path / "identity_key.csv"
    key.write_bytes("term;kind\nАйгуль Осмонова;name\nОш;place\n".encode("cp1251"))
    assert privacy.load_private_key(key) == ["Айгуль Осмонова", "Ош"]


def test_key_file_with_a_single_column(tmp_path):
    key = tmp_path / "k.csv"
    key.write_text("term\nBakyt Uulu\n\nBakyt Uulu\n", encoding="utf-8")
    assert privacy.load_private_key(key) == ["Bakyt Uulu"]


def test_key_file_without_term_column_is_an_input_error(tmp_path):
    key = tmp_path / "k.csv"
    key.write_text("name,kind\nX,name\n", encoding="utf-8")
    with pytest.raises(InputError, match="term"):
        privacy.load_private_key(key)


def _docx_with_split_name(path):
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph("Said by ")
    paragraph.add_run("Айгуль ").bold = True
    paragraph.add_run("Осмонова")
    document.save(path)


def test_scan_finds_a_name_in_every_output_format(tmp_path):
    (tmp_path / "report.html").write_text("<p>Said by <b>АЙГУЛЬ</b>\n Осмонова</p>", encoding="utf-8")
    _docx_with_split_name(tmp_path / "report.docx")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<td>Aйгуль</td><td>Айгуль Осмонова</td>"})
    ]
    nb.cells.append(cell)
    nbformat.write(nb, tmp_path / "30.ipynb")
    (tmp_path / "quotes.csv").write_bytes("quote\nАйгуль Осмонова сказала\n".encode("cp1251"))
    (tmp_path / "f.json").write_text(json.dumps({"q": "Айгуль Осмонова"}, ensure_ascii=True), encoding="utf-8")
    (tmp_path / "clean.txt").write_text("nothing here", encoding="utf-8")
    hits = privacy.scan_for_private_terms([tmp_path], ["Айгуль Осмонова"])
    assert sorted(name.rsplit("/", 1)[-1] for name, _ in hits) == [
        "30.ipynb",
        "f.json",
        "quotes.csv",
        "report.docx",
        "report.html",
    ]


def test_scan_reads_pdf_text(tmp_path):
    pytest.importorskip("pypdf")
    typst = pytest.importorskip("typst")
    source = tmp_path / "r.typ"
    source.write_text("Interview with Bakyt Uulu in Batken.", encoding="utf-8")
    typst.compile(str(source), output=str(tmp_path / "r.pdf"))
    source.unlink()
    assert privacy.scan_for_private_terms([tmp_path / "r.pdf"], ["Bakyt Uulu", "Jalal-Abad"]) == [
        (privacy.paths.relative(tmp_path / "r.pdf"), "Bakyt Uulu")
    ]


def test_scan_respects_word_boundaries(tmp_path):
    (tmp_path / "a.md").write_text("Ошская область; Кош-Дөбө", encoding="utf-8")
    assert privacy.scan_for_private_terms([tmp_path], ["Ош"]) == []
    (tmp_path / "b.md").write_text("в городе Ош.", encoding="utf-8")
    assert [term for _, term in privacy.scan_for_private_terms([tmp_path], ["Ош"])] == ["Ош"]


def test_scan_looks_inside_a_refi_project(tmp_path):
    with zipfile.ZipFile(tmp_path / "p.qdpx", "w") as archive:
        archive.writestr("project.qde", '<Project name="Bakyt &amp; Uulu"/>')
    assert privacy.scan_for_private_terms([tmp_path], ["Bakyt & Uulu"])


# ---------------------------------------------------------------- pseudonyms
def test_pseudonyms_are_stable_salted_and_distinct():
    first = privacy.pseudonymise(["Айгуль", "Bakyt", "Айгуль"], salt="s1")
    assert first[0] == first[2] and first[0] != first[1]
    assert first == privacy.pseudonymise(["Айгуль", "Bakyt", "Айгуль"], salt="s1")
    assert first != privacy.pseudonymise(["Айгуль", "Bakyt", "Айгуль"], salt="s2")
    assert all(p.startswith("R-") and len(p) == 10 for p in first)
    assert "Айгуль" not in "".join(first)


def test_pseudonymise_refuses_an_empty_salt():
    with pytest.raises(ValueError):
        privacy.pseudonymise(["a"], salt="")


def test_command_line_scan_fails_on_a_leak_without_printing_the_term(tmp_path, capsys):
    key = tmp_path / "key.csv"
    key.write_text("term\nBakyt Uulu\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "t.csv").write_text("quote\nBakyt Uulu said\n", encoding="utf-8")
    assert privacy.main(["scan", str(tmp_path / "out"), "--key", str(key)]) == 1
    assert "Bakyt" not in capsys.readouterr().out
    (tmp_path / "out" / "t.csv").write_text("quote\n[…] said\n", encoding="utf-8")
    assert privacy.main(["scan", str(tmp_path / "out"), "--key", str(key)]) == 0


def test_the_build_names_its_last_outputs_on_the_scans_standard_input(tmp_path, capsys, monkeypatch):
    """The build starts the scan on the notebooks' outputs and names the HTML once it is written."""
    key = tmp_path / "key.csv"
    key.write_text("term\nBakyt Uulu\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "t.csv").write_text("quote\n[…] said\n", encoding="utf-8")
    (tmp_path / "report.html").write_text("<p>Said by <b>Bakyt</b>\n Uulu</p>", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{tmp_path / 'report.html'}\n"))
    assert privacy.main(["scan", str(tmp_path / "out"), "--key", str(key), "--more-on-stdin"]) == 1
    shown = capsys.readouterr().out
    assert "report.html" in shown and "searched in 2 output files" in shown and "Bakyt" not in shown


def test_a_leak_stops_the_build_naming_the_file_not_the_term(tmp_path):
    (tmp_path / "quotes.csv").write_text("quote\nBakyt Uulu said\n", encoding="utf-8")
    with pytest.raises(privacy.PrivacyError, match="quotes.csv") as error:
        privacy.assert_no_private_terms([tmp_path], ["Bakyt Uulu"])
    assert "Bakyt" not in str(error.value)
    privacy.assert_no_private_terms([tmp_path], ["Aigul"])  # no hit, no error


def test_real_data_need_the_key_file(tmp_path):
    with pytest.raises(InputError, match="private key"):
        privacy.require_key_for_real_data([], tmp_path / "identity_key.csv", synthetic=False)
    privacy.require_key_for_real_data([], tmp_path / "identity_key.csv", synthetic=True)
    privacy.require_key_for_real_data(["Bakyt Uulu"], tmp_path / "identity_key.csv", synthetic=False)
