"""Agreement statistics: Krippendorff's alpha against the published examples and the `krippendorff` package at
every level, Cohen's and Fleiss' kappa against textbook values, and `make reliability` on files in the layout
of Krippendorff's papers (tests/fixtures/reliability)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from openpyxl import Workbook

from analysis import cli
from analysis.chapters.consultations import reliability as rel

FIXTURES = Path(__file__).parent / "fixtures" / "reliability"
REPO = Path(__file__).resolve().parents[1]

# Published values (tests/fixtures/reliability/README.md says where each comes from).
PUBLISHED = [
    ("krippendorff_2011_binary.csv", "nominal", 0.095),
    ("krippendorff_2011_nominal_labels.csv", "nominal", 0.692),
    ("krippendorff_2011_missing.csv", "nominal", 0.743),
    ("krippendorff_2011_missing.csv", "ordinal", 0.815),
    ("krippendorff_2011_missing.csv", "interval", 0.849),
    ("krippendorff_2011_missing.csv", "ratio", 0.797),
    ("wikipedia_three_coders.csv", "nominal", 0.691),
]


@pytest.mark.parametrize("file, level, published", PUBLISHED)
def test_alpha_reproduces_the_published_examples(file, level, published):
    data = rel.read_reliability_file(FIXTURES / file)
    assert round(rel.alpha(data.values, level), 3) == published


def test_the_missing_data_example_counts_only_pairable_values():
    result = rel.krippendorff_alpha(rel.read_reliability_file(FIXTURES / "krippendorff_2011_missing.csv").values)
    # unit 12 was coded by one observer only: it does not count
    assert (result.coders, result.units, result.pairable_units, result.pairable_values) == (4, 12, 11, 40)


@pytest.mark.parametrize("level", rel.LEVELS)
@pytest.mark.parametrize("seed", range(6))
def test_alpha_agrees_with_the_krippendorff_package_at_every_level(level, seed):
    rng = np.random.default_rng(seed)
    coders, units = rng.integers(2, 6), rng.integers(8, 40)
    truth = rng.integers(0, 5, units)
    data = np.where(rng.random((coders, units)) < 0.75, truth, rng.integers(0, 5, (coders, units))).astype(float)
    data[rng.random((coders, units)) < 0.2] = np.nan  # missing values
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert rel.alpha(data, level) == pytest.approx(expected, abs=1e-12)


def test_ordinal_labels_in_their_order_agree_with_the_package():
    order = ["disagree", "partly", "agree"]
    data = [
        ["agree", "partly", None, "disagree", "agree", "partly"],
        ["agree", "agree", "partly", "disagree", "partly", "partly"],
        ["partly", "agree", "partly", None, "agree", "disagree"],
    ]
    ranks = np.array([[np.nan if v is None else order.index(v) for v in row] for row in data])
    expected = krippendorff.alpha(reliability_data=ranks, level_of_measurement="ordinal")
    assert rel.alpha(data, "ordinal", order=order) == pytest.approx(expected)
    with pytest.raises(ValueError, match="order"):
        rel.alpha(data, "ordinal")


def test_alpha_is_nan_where_it_is_undefined_never_an_error():
    assert np.isnan(rel.alpha([[1, 1, 1], [1, 1, 1]]))  # no variation
    assert np.isnan(rel.alpha([[1, np.nan], [np.nan, 2]]))  # no unit coded by two coders
    assert np.isnan(rel.alpha([[np.nan, np.nan], [np.nan, np.nan]]))


def test_bootstrap_interval_is_reproducible_brackets_alpha_and_resamples_clusters():
    rng = np.random.default_rng(3)
    first = rng.integers(0, 2, 60)
    second = np.where(rng.random(60) < 0.85, first, 1 - first)
    data = np.vstack([first, second]).astype(float)
    one = rel.krippendorff_alpha(data, draws=500, seed=7)
    two = rel.krippendorff_alpha(data, draws=500, seed=7)
    assert (one.ci_low, one.ci_high) == (two.ci_low, two.ci_high)
    assert one.ci_low < one.alpha < one.ci_high
    assert 0 <= one.share_below(0.8) <= 1
    clusters = np.repeat(np.arange(6), 10)  # ten units per cluster: fewer, larger resampling units
    clustered = rel.krippendorff_alpha(data, draws=500, seed=7, clusters=clusters)
    assert clustered.alpha == one.alpha and (clustered.ci_low, clustered.ci_high) != (one.ci_low, one.ci_high)


def test_cohen_kappa_on_the_textbook_two_by_two_and_missing_values_as_missing():
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o = .7, p_e = .5, kappa = .4
    first = [1] * 25 + [0] * 25
    second = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert rel.cohen_kappa(first, second) == pytest.approx(0.4)
    # a unit one coder did not code is left out, not counted as a disagreement
    assert rel.cohen_kappa(first + [1, 1], second + [None, np.nan]) == pytest.approx(0.4)
    assert np.isnan(rel.cohen_kappa([1, None], [None, 0]))


def test_fleiss_kappa_reproduces_the_textbook_example():
    # Fleiss' kappa worked example (Wikipedia, "Fleiss' kappa"): 10 subjects, 14 raters, 5 categories: .210
    counts = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    data = np.array([[c for c, n in enumerate(row) for _ in range(n)] for row in counts]).T
    assert round(rel.fleiss_kappa(data), 3) == 0.210


def test_fleiss_kappa_with_two_coders_and_no_missing_value_is_scotts_pi():
    first, second = [1, 1, 0, 0, 0, 1, 0, 1], [1, 0, 0, 0, 1, 1, 0, 1]
    p_o = np.mean(np.array(first) == np.array(second))
    share = (np.mean(first) + np.mean(second)) / 2
    p_e = share**2 + (1 - share) ** 2
    assert rel.fleiss_kappa([first, second]) == pytest.approx((p_o - p_e) / (1 - p_e))


def test_percent_agreement_counts_pairs_of_values():
    assert rel.percent_agreement([[1, 1, 0], [1, 0, 0], [1, np.nan, 0]]) == pytest.approx(
        100 * 12 / 14
    )  # pairs 6 + 2 + 6, agreeing 6 + 0 + 6


@pytest.mark.parametrize(
    "alpha, expected",
    [
        (0.8, "reliable"),
        (0.7999, "tentative"),
        (0.667, "tentative"),
        (0.6669, "unreliable"),
        (float("nan"), "not computable"),
    ],
)
def test_thresholds(alpha, expected):
    assert rel.verdict(alpha) == expected


# ---------------------------------------------------------------- files and the command
def test_an_excel_file_reads_like_the_csv(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    for row in (FIXTURES / "krippendorff_2011_missing.csv").read_text().splitlines():
        cells = row.split(",")
        sheet.append([cells[0]] + [int(c) if c.isdigit() else (c or None) for c in cells[1:]])
    workbook.save(tmp_path / "c.xlsx")
    data = rel.read_reliability_file(tmp_path / "c.xlsx")
    assert data.coders == ["A", "B", "C", "D"] and data.units[:2] == ["1", "2"]
    assert round(rel.alpha(data.values, "interval"), 3) == 0.849


@pytest.mark.parametrize("file, level, published", PUBLISHED)
def test_the_command_prints_the_published_alpha_and_what_it_rests_on(file, level, published, capsys):
    assert cli.main(["reliability", str(FIXTURES / file), "--level", level, "--draws", "200"]) == 0
    out = capsys.readouterr().out
    assert f"Krippendorff's alpha ({level}): {published:.3f}" in out
    assert "95 % bootstrap interval" in out and "pairable values" in out and "Coders:" in out


def test_the_command_prints_coders_units_and_pairable_values(capsys):
    cli.main(["reliability", str(FIXTURES / "krippendorff_2011_missing.csv"), "--level", "ratio", "--draws", "100"])
    out = capsys.readouterr().out
    assert "Coders: 4; units: 12 (11 coded by two or more coders); pairable values: 40" in out


def _write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


BAD_FILES = {
    "no such file": (lambda tmp: tmp / "missing.csv", "nominal", "no such file"),
    "not csv or xlsx": (lambda tmp: _write(tmp, "data.pdf", "%PDF"), "nominal", "a .csv or .xlsx file"),
    "not a workbook": (lambda tmp: _write(tmp, "data.xlsx", "coder,1\nA,1"), "nominal", "a file Excel cannot open"),
    "zip named csv": (lambda tmp: _write(tmp, "data.csv", b"PK\x03\x04rest"), "nominal", "a ZIP or Excel file"),
    "undecodable": (
        lambda tmp: _write(tmp, "data.csv", b"coder,1\nA,\x98\x98\x98\n"),
        "nominal",
        "UTF-8 or Windows-1251",
    ),
    "one coder": (lambda tmp: _write(tmp, "data.csv", "coder,1,2\nA,1,2\n"), "nominal", "at least two coders"),
    "duplicate coder": (
        lambda tmp: _write(tmp, "data.csv", "coder,1,2\nA,1,2\nA,1,1\n"),
        "nominal",
        "one row per coder",
    ),
    "blank coder": (lambda tmp: _write(tmp, "data.csv", "coder,1,2\nA,1,2\n,1,1\n"), "nominal", "the coder's name"),
    "duplicate unit": (lambda tmp: _write(tmp, "data.csv", "coder,1,1\nA,1,2\nB,1,1\n"), "nominal", "unique"),
    "labels at interval": (
        lambda tmp: _write(tmp, "data.csv", "coder,1,2\nA,1,x\nB,1,2\n"),
        "interval",
        "a number (the interval level)",
    ),
    "labels without order": (
        lambda tmp: _write(tmp, "data.csv", "coder,1,2\nA,low,high\nB,low,low\n"),
        "ordinal",
        "ORDER=",
    ),
    "negative ratio": (lambda tmp: _write(tmp, "data.csv", "coder,1,2\nA,-1,2\nB,1,2\n"), "ratio", "zero or more"),
    "nothing pairable": (
        lambda tmp: _write(tmp, "data.csv", "coder,1,2\nA,1,\nB,,2\n"),
        "nominal",
        "two or more coders",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_file_the_command_cannot_read_gives_a_clear_error(case, tmp_path, capsys):
    make, level, expected = BAD_FILES[case]
    path = make(tmp_path)
    assert cli.main(["reliability", str(path), "--level", level]) == 2
    err = capsys.readouterr().err
    assert expected in err and path.name in err and "Traceback" not in err, err


def test_a_label_outside_the_order_names_its_cell(tmp_path, capsys):
    path = _write(tmp_path, "ratings.csv", "coder,F-01,F-02\nV1,agree,partly\nV2,agree,maybe\n")
    assert cli.main(["reliability", str(path), "--level", "ordinal", "--order", "disagree,partly,agree"]) == 2
    assert (
        "row 3, column 'C': expected one of the ordered labels disagree, partly, agree; found 'maybe'"
        in capsys.readouterr().err
    )


def test_make_reliability_reproduces_a_published_alpha():
    result = subprocess.run(
        ["make", "-s", "reliability", f"FILE={FIXTURES / 'krippendorff_2011_missing.csv'}", "LEVEL=interval"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Krippendorff's alpha (interval): 0.849" in result.stdout
