"""The legal-framework inventory: validation messages, rules on a date, changes, coverage, bundled facts."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.chapters import inventory
from analysis.engine import config
from analysis.engine.errors import InputError

BUILD_DATE = "2026-11-28"


def _d(text):
    return date.fromisoformat(text) if text else None


def small_tables() -> dict[str, pd.DataFrame]:
    """A hand-made inventory: a two-permit regime to 2024, a single permit from 2025, a revised quota."""
    acts = pd.DataFrame([
        dict(id="L01", title_en="Labour migration law", type="law", level="national law", adopted=_d("2006-01-13"),
             status="in force", source="https://example.org/l01", confidence="sourced"),
        dict(id="G01", title_en="Old permit regulation", type="government resolution", level="by-law",
             adopted=_d("2019-04-16"), status="suspended", source="https://example.org/g01", confidence="sourced"),
        dict(id="G02", title_en="Single permit regulation", type="government resolution", level="by-law",
             adopted=_d("2024-12-02"), entry_into_force=_d("2025-01-01"), status="in force",
             source="https://example.org/g02", confidence="uncertain"),
        dict(id="X01", title_en="ILO C97", type="international convention", level="international",
             adopted=_d("1949-07-01"), status="in force", source="https://example.org/x01", confidence="from memory"),
    ])
    provisions = pd.DataFrame([
        dict(id="G01-PERMIT", act_id="G01", pathway="work_permit", rule="Employer and individual permits",
             applies_to="all_foreigners", valid_from=_d("2019-04-16"), valid_to=_d("2024-12-31"),
             source="https://example.org/g01", confidence="sourced"),
        dict(id="G02-SINGLE", act_id="G02", pathway="work_permit", rule="One single permit",
             applies_to="all_foreigners", valid_from=_d("2025-01-01"), source="https://example.org/g02",
             confidence="sourced"),
        dict(id="L01-QUOTA-A", act_id="L01", pathway="quota", rule="Quota", quantity=25000, unit="workers",
             applies_to="all_foreigners", valid_from=_d("2024-01-01"), source="https://example.org/a",
             confidence="sourced"),
        dict(id="L01-QUOTA-B", act_id="L01", pathway="quota", rule="Quota", quantity=42000, unit="workers",
             applies_to="all_foreigners", valid_from=_d("2025-08-25"), replaces="L01-QUOTA-A",
             source="https://example.org/b", confidence="sourced"),
        dict(id="L01-EAEU", act_id="L01", pathway="work_permit; registration", rule="EAEU workers need no permit",
             applies_to="eaeu_citizens", valid_from=_d("2015-08-12"), source="https://example.org/e",
             confidence="sourced"),
        dict(id="X01-EQUAL", act_id="X01", pathway="social_protection", rule="Equal treatment",
             applies_to="all_foreigners", valid_from=_d("2008-01-01"), source="https://example.org/x",
             confidence="from memory"),
    ])
    amendments = pd.DataFrame([dict(id="AM01", target_act_id="G01", action="suspends", amending_act_id="G02",
                                    date=_d("2025-01-01"), source="https://example.org/g02", confidence="sourced")])
    institutions = pd.DataFrame([
        dict(id="MTSOM", name_en="Ministry of Labour", country="KG", valid_from=_d("2021-11-06"),
             source="https://example.org/m", confidence="sourced"),
        dict(id="MFA-CD", name_en="MFA Consular Department", country="KG", source="https://example.org/c",
             confidence="sourced"),
    ])
    roles = pd.DataFrame([
        dict(id="MTSOM-WP", institution_id="MTSOM", pathway="work_permit", role="Work permits",
             valid_from=_d("2021-11-06"), valid_to=_d("2024-12-31"), source="https://example.org/m", confidence="sourced"),
        dict(id="MFA-CD-WP", institution_id="MFA-CD", pathway="work_permit", role="Single permits",
             valid_from=_d("2025-01-01"), source="https://example.org/c", confidence="sourced"),
    ])
    conflicts = pd.DataFrame([
        dict(id="C01-A", conflict_id="C01", fact="Stay without registration", related_id="G01-PERMIT", value="5",
             unit="days", source="https://example.org/5", confidence="sourced", resolution_status="open"),
        dict(id="C01-B", conflict_id="C01", fact="Stay without registration", related_id="G01-PERMIT", value="60",
             unit="days", source="https://example.org/60", confidence="uncertain", resolution_status="open"),
    ])
    return dict(acts=acts, provisions=provisions, amendments=amendments, institutions=institutions, roles=roles,
                conflicts=conflicts)


def write(tmp_path, tables) -> str:
    path = tmp_path / "inventory.xlsx"
    inventory.write_workbook(path, tables)
    return str(path)


@pytest.fixture
def small(tmp_path):
    return inventory.read(write(tmp_path, small_tables()), today=BUILD_DATE)


@pytest.fixture(scope="module")
def bundled():
    return inventory.read("data/raw/regulation_inventory.xlsx", today=BUILD_DATE)


# ------------------------------------------------------------------ template
def test_template_has_every_sheet_header_dropdowns_and_frozen_header(tmp_path):
    path = tmp_path / "template.xlsx"
    inventory.write_template(path)
    wb = load_workbook(path)
    assert wb.sheetnames == [*inventory.SHEETS, "README"]
    acts = wb["acts"]
    assert [c.value for c in acts[1]] == inventory.field_names("acts")
    assert acts.freeze_panes == "B2"
    lists = [dv.formula1 for dv in acts.data_validations.dataValidation if dv.type == "list"]
    assert any("government resolution" in formula for formula in lists)
    readme = [[c.value for c in row] for row in wb["README"].iter_rows(min_row=2)]
    assert ["provisions", "pathway"] == readme[[r[:2] for r in readme].index(["provisions", "pathway"])][:2]
    assert acts.max_row == 1  # empty


def test_an_empty_template_reads_back_as_an_empty_valid_inventory(tmp_path):
    path = tmp_path / "template.xlsx"
    inventory.write_template(path)
    inv = inventory.read(path, today=BUILD_DATE)
    assert all(len(inv[s]) == 0 for s in inventory.SHEETS)


# ------------------------------------------------------------------ bad edits (issue point 3)
def _error(tmp_path, tables) -> str:
    with pytest.raises(InputError) as caught:
        inventory.read(write(tmp_path, tables), today=BUILD_DATE)
    return str(caught.value)


def test_value_outside_vocabulary_names_sheet_row_column_and_value(tmp_path):
    tables = small_tables()
    tables["acts"].loc[1, "type"] = "decree"
    message = _error(tmp_path, tables)
    assert "sheet 'acts', row 3, column 'type'" in message
    assert "found 'decree'" in message and "government resolution" in message


def test_several_pathways_are_checked_one_by_one(tmp_path):
    tables = small_tables()
    tables["provisions"].loc[0, "pathway"] = "work_permit; visas"
    message = _error(tmp_path, tables)
    assert "sheet 'provisions', row 2, column 'pathway'" in message and "work_permit; visas" in message


def test_date_after_the_build_date_is_an_error(tmp_path):
    tables = small_tables()
    tables["provisions"].loc[1, "valid_from"] = date(2027, 1, 1)
    message = _error(tmp_path, tables)
    assert "sheet 'provisions', row 3, column 'valid_from'" in message
    assert "on or before the build date 28.11.2026" in message and "01.01.2027" in message


def test_future_end_date_and_draft_acts_may_lie_after_the_build_date(tmp_path):
    tables = small_tables()
    tables["provisions"].loc[2, "valid_to"] = date(2026, 12, 31)  # a yearly quota ends in December
    tables["acts"].loc[2, "status"] = "draft"
    tables["provisions"].loc[1, "valid_from"] = date(2027, 1, 1)  # a draft may announce its start
    inventory.read(write(tmp_path, tables), today=BUILD_DATE)


def test_national_date_before_1991_is_an_error_but_a_convention_may_be_older(tmp_path):
    tables = small_tables()
    tables["acts"].loc[0, "adopted"] = date(1985, 5, 1)
    message = _error(tmp_path, tables)
    assert "sheet 'acts', row 2, column 'adopted'" in message and "01.05.1985" in message
    assert "on or after 01.01.1991" in message
    assert "row 5" not in message  # X01 (1949) is international


def test_rule_of_a_national_act_before_1991_is_an_error_but_a_convention_rule_may_be_older(tmp_path):
    tables = small_tables()
    tables["provisions"].loc[2, "valid_from"] = date(1990, 1, 1)  # L01-QUOTA-A, national law
    tables["provisions"].loc[5, "valid_from"] = date(1950, 1, 1)  # X01-EQUAL, international
    message = _error(tmp_path, tables)
    assert "sheet 'provisions', row 4, column 'valid_from': expected a date on or after 01.01.1991" in message
    assert "row 7" not in message


def test_provision_or_amendment_pointing_to_a_missing_act(tmp_path):
    tables = small_tables()
    tables["provisions"].loc[3, "act_id"] = "Z99"
    tables["provisions"].loc[3, "id"] = "Z99-QUOTA-B"
    tables["amendments"].loc[0, "target_act_id"] = "G77"
    message = _error(tmp_path, tables)
    assert "sheet 'provisions', row 5, column 'act_id': expected the id of an existing act" in message
    assert "found 'Z99'" in message
    assert "sheet 'amendments', row 2, column 'target_act_id'" in message and "found 'G77'" in message


def test_duplicate_id(tmp_path):
    tables = small_tables()
    tables["acts"].loc[3, "id"] = "G02"
    message = _error(tmp_path, tables)
    assert "sheet 'acts', row 5, column 'id': expected a unique id; found 'G02 (duplicate)'" in message


def test_valid_to_before_valid_from(tmp_path):
    tables = small_tables()
    tables["provisions"].loc[0, "valid_to"] = date(2018, 1, 1)
    message = _error(tmp_path, tables)
    assert "sheet 'provisions', row 2, column 'valid_to': expected a date on or after valid_from (16.04.2019)" in message
    assert "01.01.2018" in message


def test_provision_id_must_start_with_its_act(tmp_path):
    tables = small_tables()
    tables["provisions"].loc[0, "id"] = "G02-PERMIT-OLD"
    assert "an id starting with its act id 'G01-'" in _error(tmp_path, tables)


def test_missing_source_or_confidence_is_an_error(tmp_path):
    tables = small_tables()
    tables["roles"].loc[0, "source"] = None
    tables["institutions"].loc[1, "confidence"] = None
    message = _error(tmp_path, tables)
    assert "sheet 'roles', row 2, column 'source': expected a value" in message
    assert "sheet 'institutions', row 3, column 'confidence': expected a value" in message


def test_missing_sheet_is_named(tmp_path):
    path = write(tmp_path, small_tables())
    wb = load_workbook(path)
    del wb["conflicts"]
    wb.save(path)
    with pytest.raises(InputError, match="expected a sheet named 'conflicts'"):
        inventory.read(path, today=BUILD_DATE)


# ------------------------------------------------------------------ analysis on the small inventory
def test_rules_in_force_follow_the_date_and_the_target_group(small):
    assert set(inventory.rules_in_force(small, "2024-06-01", "work_permit")["id"]) == {"G01-PERMIT"}
    assert set(inventory.rules_in_force(small, "2025-01-01", "work_permit")["id"]) == {"G02-SINGLE"}
    assert set(inventory.rules_in_force(small, "2024-12-31", "work_permit")["id"]) == {"G01-PERMIT"}  # inclusive
    everyone = inventory.rules_in_force(small, "2025-06-01", "work_permit", target_only=False)
    assert set(everyone["id"]) == {"G02-SINGLE", "L01-EAEU"}


def test_a_successive_value_replaces_the_earlier_one(small):
    assert list(inventory.rules_in_force(small, "2025-08-24", "quota")["quantity"]) == [25000]
    assert list(inventory.rules_in_force(small, "2025-08-25", "quota")["quantity"]) == [42000]


def test_changes_between_two_dates(small):
    changes = inventory.changes_between(small, "2024-06-01", "2025-10-01")
    by_id = changes.set_index("id")
    assert by_id.loc["G02-SINGLE", "change"] == "new"
    assert by_id.loc["G01-PERMIT", "change"] == "repealed"
    assert by_id.loc["L01-QUOTA-B", "change"] == "amended"
    assert by_id.loc["L01-QUOTA-B", "previous_value"] == "25,000 workers"
    assert by_id.loc["L01-QUOTA-B", "value"] == "42,000 workers"
    assert "L01-QUOTA-A" not in by_id.index  # shown as the previous value, not as repealed
    assert len(changes) == 3
    assert list(inventory.amendments_between(small, "2024-06-01", "2025-10-01")["id"]) == ["AM01"]


def test_coverage_matrix_counts_rules_per_pathway_and_level(small):
    matrix = inventory.coverage_matrix(small, "2025-10-01")
    labels = config.pathway_labels()
    assert matrix.loc[labels["work_permit"], "by-law"] == 1
    assert matrix.loc[labels["quota"], "national law"] == 1
    assert matrix.loc[labels["social_protection"], "international"] == 1
    assert matrix.loc[labels["work_permit"], "bilateral"] == 0
    assert int(matrix.to_numpy().sum()) == 3  # the EAEU rule is not for the target group


def test_verification_shares_and_check_first(small):
    shares = inventory.verification_shares(small)
    assert shares.loc["acts", "sourced"] == 2 and shares.loc["acts", "uncertain"] == 1
    # facts: 4 acts, 6 provisions, 1 amendment, 2 institutions, 2 roles, 2 conflict values = 17
    assert shares.loc["all facts", "total"] == 17
    assert shares.loc["all facts", "from memory"] == 2
    assert shares.loc["all facts", "from memory %"] == pytest.approx(11.8)
    first = inventory.check_first(small, "2025-10-01")
    assert list(first["id"][:2]) == ["C01", "X01-EQUAL"]  # open conflict, then a remembered rule in force
    assert "5 days; 60 days" in first.loc[0, "fact"]


def test_roles_on_a_date(small):
    assert list(inventory.roles_on(small, "2024-06-01")["institution_id"]) == ["MTSOM"]
    assert list(inventory.roles_on(small, "2025-06-01")["institution_id"]) == ["MFA-CD"]
    matrix = inventory.institution_map(small, "2025-06-01")
    assert matrix.loc["MFA-CD", "Work permit / single permit"] == "•"
    assert list(matrix.columns) == ["Work permit / single permit"]
    annex = inventory.institutions_annex(small).set_index("Id")
    assert annex.loc["MTSOM", "From"] == "06.11.2021" and annex.loc["MTSOM", "source"] == "https://example.org/m"
    words = inventory.roles_table(small, "2024-06-01")
    assert words.to_dict("records") == [{"Procedure": "Work permit / single permit", "Body": "MTSOM",
                                         "Role": "Work permits", "Since": "06.11.2021", "Confidence": "sourced"}]


def test_tidy_tables_are_written_without_excel_rows(small, tmp_path):
    written = inventory.write_tidy(small, tmp_path / "out")
    assert sorted(p.name for p in written) == sorted(f"{s}.csv" for s in inventory.SHEETS)
    provisions = pd.read_csv(tmp_path / "out" / "provisions.csv")
    assert "_row" not in provisions.columns and provisions.loc[0, "valid_from"] == "2019-04-16"


def test_warnings_flag_uncertain_rules_shown_as_in_force(small, tmp_path):
    flagged = [w for w in small.warnings if w.column == "confidence"]
    assert [w.expected.split(":")[1].split()[0] for w in flagged] == ["X01-EQUAL"]
    assert all(w.severity == "warning" for w in small.warnings)
    tables = small_tables()
    tables["provisions"].loc[0, "confidence"] = "uncertain"  # G01-PERMIT, in force only until 2024
    earlier = inventory.read(write(tmp_path, tables), today=BUILD_DATE, as_of="2024-06-01")
    flagged = [w.expected.split(":")[1].split()[0] for w in earlier.warnings if w.column == "confidence"]
    assert sorted(flagged) == ["G01-PERMIT", "X01-EQUAL"]


# ------------------------------------------------------------------ the bundled workbook
def test_as_of_pin_2024_work_permit_and_quota_regime_2025_single_permit(bundled):
    in_2024 = set(inventory.rules_in_force(bundled, "2024-06-01")["id"])
    in_2025 = set(inventory.rules_in_force(bundled, "2025-06-01")["id"])
    assert {"G06-EMPLOYER-PERMIT", "G06-INDIVIDUAL-PERMIT", "G11-QUOTA-2024"} <= in_2024
    assert "G07-SINGLE-PERMIT" not in in_2024
    assert {"G07-SINGLE-PERMIT", "G07-PROCESSING-DEADLINE", "G11-QUOTA-2025-A"} <= in_2025
    assert not {"G06-EMPLOYER-PERMIT", "G06-INDIVIDUAL-PERMIT"} & in_2025


def test_every_bundled_fact_has_a_source_and_a_confidence(bundled):
    allowed = set(config.get("inventory.confidence"))
    for sheet in inventory.SHEETS:
        frame = bundled[sheet]
        assert frame["source"].map(lambda s: isinstance(s, str) and s.strip() != "").all(), sheet
        assert set(frame["confidence"]) <= allowed, sheet
    acts, provisions = bundled["acts"], bundled["provisions"]
    assert len(acts) >= 40 and len(provisions) >= 60
    assert set(acts["id"].str[0]) == set("LPGBEXU")
    with_address = sum("http" in s for sheet in inventory.SHEETS for s in bundled[sheet]["source"])
    assert with_address / sum(len(bundled[s]) for s in inventory.SHEETS) > 0.95


def test_bundled_quota_values_are_successive_and_registration_values_a_conflict(bundled):
    quota = bundled["provisions"].set_index("id")
    assert [quota.loc[f"G11-QUOTA-2025-{x}", "quantity"] for x in "ABC"] == [25000, 42000, 52000]
    assert quota.loc["G11-QUOTA-2025-B", "replaces"] == "G11-QUOTA-2025-A"
    assert quota.loc["G11-QUOTA-2025-B", "valid_from"] == pd.Timestamp("2025-08-25")
    c01 = bundled["conflicts"][bundled["conflicts"]["conflict_id"] == "C01"]
    assert {"5", "30", "60"} <= set(c01["value"])


def test_stable_ids_other_chapters_cite(bundled):
    ids = set(bundled["provisions"]["id"])
    assert {"G01-REG-DEADLINE", "G07-PROCESSING-DEADLINE", "G03-TRP-REVIEW-DEADLINE", "L07-PATENT-FEE",
            "G02-STAY-60-120"} <= ids
    assert {"MFA-CD", "MTSOM", "SRS", "KYZMAT", "STS"} <= set(bundled["institutions"]["id"])


def test_bundled_gap_no_bilateral_labour_agreement(bundled):
    matrix = inventory.coverage_matrix(bundled, BUILD_DATE)
    labels = config.pathway_labels()
    assert matrix.loc[labels["work_permit"], "bilateral"] == 0
    assert bundled["acts"].set_index("id").loc["B09", "status"] == "not found"


def test_reform_events_flag_the_configured_milestones(bundled):
    events = inventory.reform_events(bundled)
    assert events["date"].min() >= pd.Timestamp("2000-01-01")
    flagged = events[events["milestone"] != ""].drop_duplicates("milestone")
    assert set(flagged["id"]) == set(config.get("inventory.milestones"))
    single = flagged.set_index("id").loc["G07-SINGLE-PERMIT"]
    assert single["date"] == pd.Timestamp("2025-01-01") and single["kind"] == "rule starts"


def test_institution_periods_clip_open_ends_to_the_window(small):
    periods = inventory.institution_periods(small, since="2015-01-01", until="2026-11-28").set_index("id")
    assert periods.loc["MTSOM", "start"] == pd.Timestamp("2021-11-06")
    assert periods.loc["MFA-CD", "start"] == pd.Timestamp("2015-01-01") and not periods.loc["MFA-CD", "start_known"]
    assert periods.loc["MTSOM", "stop"] == pd.Timestamp("2026-11-28") and not periods.loc["MTSOM", "stop_known"]


def test_figures_render(small):
    from analysis.engine import figures

    for fig in (inventory.figure_acts_by_type_and_level(small),
                inventory.figure_coverage(inventory.coverage_matrix(small, "2025-10-01"), "coverage"),
                inventory.figure_reform_timeline(inventory.reform_events(small), "reforms"),
                inventory.figure_institution_timeline(inventory.institution_periods(small), "bodies")):
        assert figures.png_bytes(fig).startswith(b"\x89PNG")


def test_annex_sorted_by_level_then_date_with_links_only_in_the_link_column(bundled):
    annex = inventory.annex_table(bundled)
    order = {lvl: i for i, lvl in enumerate(config.get("inventory.levels"))}
    assert annex["Level"].map(order).is_monotonic_increasing
    assert annex.iloc[0]["Level"] == "international"
    assert all(part.startswith("http") for links in annex["source"] for part in links.split())
    assert annex.set_index("Id").loc["B10", "source"] == ""
    assert "Source without address: reference" in annex.set_index("Id").loc["B10", "Note"]


def test_bundled_workbook_has_the_template_shape(tmp_path):
    template = tmp_path / "template.xlsx"
    inventory.write_template(template)
    assert inventory.read_template_shape(template) == inventory.read_template_shape("data/raw/regulation_inventory.xlsx")


def test_value_text_formats_quantity_and_unit_and_says_when_an_amount_is_missing():
    assert inventory.value_text({"quantity": 800.0, "unit": "som per month"}) == "800 som per month"
    assert inventory.value_text({"quantity": 17.25, "unit": "% of wage"}) == "17.25 % of wage"
    assert inventory.value_text({"quantity": 42000.0, "unit": None}) == "42,000"
    assert inventory.value_text({"quantity": float("nan"), "unit": "som"}) == "amount not found"
    assert inventory.value_text({"quantity": float("nan"), "unit": None}) == ""
