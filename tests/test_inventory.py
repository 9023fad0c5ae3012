"""The legal-framework inventory: evidence and validation, the time logic of rules on a date, citations,
the numbers other chapters read, and the bundled facts."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.chapters import inventory
from analysis.engine import config, numbers
from analysis.engine.errors import InputError

BUILD_DATE = "2026-11-28"


def _d(text):
    return date.fromisoformat(text) if text else None


def small_tables() -> dict[str, pd.DataFrame]:
    """A hand-made inventory: a two-permit regime suspended for a one-year single-permit pilot, a revised
    quota, an EAEU rule, a remembered convention; sources dated so that the rules are confirmed in 2025."""
    acts = pd.DataFrame(
        [
            dict(
                id="L01",
                title_en="Labour migration law",
                citation="Law No. 4 of 13 Jan 2006",
                type="law",
                level="national law",
                adopted=_d("2006-01-13"),
                status="in force",
                confidence="sourced",
            ),
            dict(
                id="G01",
                title_en="Old permit regulation",
                type="government resolution",
                level="by-law",
                adopted=_d("2019-04-16"),
                status="suspended",
                confidence="sourced",
            ),
            dict(
                id="G02",
                title_en="Single permit regulation",
                citation="Cabinet Res. No. 721 of 2 Dec 2024",
                type="government resolution",
                level="by-law",
                adopted=_d("2024-12-02"),
                entry_into_force=_d("2025-01-01"),
                valid_until=_d("2025-12-31"),
                status="unknown",
                confidence="sourced",
            ),
            dict(
                id="X01",
                title_en="ILO C97",
                type="international convention",
                level="international",
                adopted=_d("1949-07-01"),
                status="in force",
                confidence="from memory",
            ),
        ]
    )
    provisions = pd.DataFrame(
        [
            dict(
                id="G01-PERMIT",
                act_id="G01",
                pathway="work_permit",
                rule="Employer and individual permits",
                applies_to="all_foreigners",
                valid_from=_d("2019-04-16"),
                confidence="sourced",
            ),
            dict(
                id="G02-SINGLE",
                act_id="G02",
                pathway="work_permit",
                rule="One single permit",
                article="item 5",
                quantity=7,
                unit="working days",
                applies_to="all_foreigners",
                valid_from=_d("2025-01-01"),
                confidence="sourced",
            ),
            dict(
                id="L01-QUOTA-A",
                act_id="L01",
                pathway="quota",
                rule="Quota",
                quantity=25000,
                unit="workers",
                applies_to="all_foreigners",
                valid_from=_d("2024-01-01"),
                confidence="sourced",
            ),
            dict(
                id="L01-QUOTA-B",
                act_id="L01",
                pathway="quota",
                rule="Quota",
                quantity=42000,
                unit="workers",
                applies_to="all_foreigners",
                valid_from=_d("2025-08-25"),
                replaces="L01-QUOTA-A",
                confidence="sourced",
            ),
            dict(
                id="L01-EAEU",
                act_id="L01",
                pathway="work_permit; registration",
                rule="EAEU workers need no permit",
                applies_to="eaeu_citizens",
                valid_from=_d("2015-08-12"),
                confidence="sourced",
            ),
            dict(
                id="L01-PATENT-FEE",
                act_id="L01",
                pathway="patent",
                rule="Patent fee",
                quantity=800,
                unit="som per month",
                applies_to="neighbouring_state_nationals",
                valid_from=_d("2022-01-01"),
                confidence="sourced",
            ),
            dict(
                id="X01-EQUAL",
                act_id="X01",
                pathway="social_protection",
                rule="Equal treatment",
                applies_to="all_foreigners",
                valid_from=_d("2008-01-01"),
                confidence="from memory",
            ),
        ]
    )
    amendments = pd.DataFrame(
        [
            dict(
                id="AM01",
                target_act_id="G01",
                action="suspends",
                amending_act_id="G02",
                date=_d("2025-01-01"),
                until=_d("2025-12-31"),
                confidence="sourced",
            )
        ]
    )
    institutions = pd.DataFrame(
        [
            dict(
                id="MTSOM",
                name_en="Ministry of Labour",
                country="KG",
                valid_from=_d("2021-11-06"),
                confidence="sourced",
            ),
            dict(id="MFA-CD", name_en="MFA Consular Department", country="KG", confidence="sourced"),
        ]
    )
    roles = pd.DataFrame(
        [
            dict(
                id="MTSOM-WP",
                institution_id="MTSOM",
                pathway="work_permit",
                role="Work permits",
                valid_from=_d("2021-11-06"),
                valid_to=_d("2024-12-31"),
                confidence="sourced",
            ),
            dict(
                id="MFA-CD-WP",
                institution_id="MFA-CD",
                pathway="work_permit",
                role="Single permits",
                valid_from=_d("2025-01-01"),
                confidence="sourced",
            ),
        ]
    )
    conflicts = pd.DataFrame(
        [
            dict(
                id="C01-A",
                conflict_id="C01",
                fact="Stay without registration",
                related_id="G01-PERMIT",
                value="5",
                unit="days",
                confidence="sourced",
                resolution_status="open",
            ),
            dict(
                id="C01-B",
                conflict_id="C01",
                fact="Stay without registration",
                related_id="G01-PERMIT",
                value="60",
                unit="days",
                confidence="uncertain",
                resolution_status="open",
            ),
        ]
    )
    sources = pd.DataFrame(
        [
            dict(
                source_id="S001",
                address="https://example.org/official",
                title="Official text",
                publisher="Ministry",
                tier="official",
                language="ru",
                source_date=_d("2025-06-01"),
            ),
            dict(
                source_id="S002",
                address="https://example.org/news",
                title="News item",
                publisher="News site",
                tier="news",
                language="en",
                source_date=_d("2025-09-01"),
            ),
            dict(
                source_id="S003",
                address="https://example.org/copy",
                title="Copy",
                publisher="Aggregator",
                tier="other",
                language="en",
                source_date=_d("2025-09-02"),
                copy_of="S002",
            ),
            dict(
                source_id="S004",
                address="https://example.org/undated",
                title="Undated page",
                publisher="University",
                tier="other",
                language="en",
            ),
        ]
    )
    quoted = [
        "L01",
        "G01",
        "G02",
        "G01-PERMIT",
        "G02-SINGLE",
        "L01-QUOTA-A",
        "L01-QUOTA-B",
        "L01-EAEU",
        "L01-PATENT-FEE",
        "AM01",
        "MTSOM",
        "MFA-CD",
        "MTSOM-WP",
        "MFA-CD-WP",
        "C01-A",
    ]
    evidence = pd.DataFrame(
        [
            dict(
                fact_id=f,
                source_id="S001" if f != "L01-PATENT-FEE" else "S002",
                quote=f"text stating {f}",
                stance="supports",
            )
            for f in quoted
        ]
        + [
            dict(fact_id="L01-PATENT-FEE", source_id="S003", quote="copied text", stance="supports"),
            dict(fact_id="C01-B", source_id="S004", quote="sixty days", stance="supports"),
            dict(fact_id="X01-EQUAL", source_id="S004", stance="supports"),
        ]
    )
    return dict(
        acts=acts,
        provisions=provisions,
        amendments=amendments,
        institutions=institutions,
        roles=roles,
        conflicts=conflicts,
        sources=sources,
        evidence=evidence,
    )


def write(tmp_path, tables) -> str:
    path = tmp_path / "inventory.xlsx"
    inventory.write_workbook(path, tables)
    return str(path)


def read_small(tmp_path, tables=None):
    return inventory.read(write(tmp_path, tables or small_tables()), today=BUILD_DATE)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The hand-made inventory, read once: tests that change it build their own."""
    return read_small(tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="module")
def bundled():
    return inventory.read("data/raw/regulation_inventory.xlsx", today=BUILD_DATE)


def state(inv, on, pid) -> tuple[str, str]:
    row = inventory.provision_states(inv, on).set_index("id").loc[pid]
    return row["state"], row["status_text"]


# ------------------------------------------------------------------ template and workbook shape
def test_template_has_every_sheet_header_dropdowns_and_frozen_header(tmp_path):
    path = tmp_path / "template.xlsx"
    inventory.write_template(path)
    wb = load_workbook(path)
    assert wb.sheetnames == [*inventory.WORKBOOK_SHEETS, "README"]
    acts = wb["acts"]
    assert [c.value for c in acts[1]] == inventory.field_names("acts")
    assert "source" not in inventory.field_names("acts")
    for sheet in inventory.SHEETS:
        assert {"verified_by", "verified_on", "confidence"} <= set(inventory.field_names(sheet)), sheet
    assert acts.freeze_panes == "B2"
    lists = [dv.formula1 for dv in wb["sources"].data_validations.dataValidation if dv.type == "list"]
    assert any("legal database" in formula for formula in lists)
    readme = [[c.value for c in row] for row in wb["README"].iter_rows(min_row=2)]
    described = {(r[0], r[1]) for r in readme}
    assert {(s, f) for s in inventory.WORKBOOK_SHEETS for f in inventory.field_names(s)} <= described
    assert ("evidence", "(sheet)") in described
    assert acts.max_row == 1  # empty


def test_an_empty_template_reads_back_as_an_empty_valid_inventory(tmp_path):
    path = tmp_path / "template.xlsx"
    inventory.write_template(path)
    inv = inventory.read(path, today=BUILD_DATE)
    assert all(len(inv[s]) == 0 for s in inventory.WORKBOOK_SHEETS)


def test_bundled_workbook_has_the_template_shape(tmp_path):
    template = tmp_path / "template.xlsx"
    inventory.write_template(template)
    assert inventory.read_template_shape(template) == inventory.read_template_shape(
        "data/raw/regulation_inventory.xlsx"
    )


# ------------------------------------------------------------------ located errors
def _error(tmp_path, tables) -> str:
    with pytest.raises(InputError) as caught:
        inventory.read(write(tmp_path, tables), today=BUILD_DATE)
    return str(caught.value)


def test_schema_errors_name_file_sheet_row_and_column(tmp_path):
    tables = small_tables()
    tables["acts"].loc[1, "type"] = "decree"
    tables["provisions"].loc[0, "pathway"] = "work_permit; visas"
    tables["sources"].loc[1, "tier"] = "blog"
    message = _error(tmp_path, tables)
    assert "inventory.xlsx, sheet 'acts', row 3, column 'type'" in message
    assert "found 'decree'" in message and "government resolution" in message
    assert "sheet 'provisions', row 2, column 'pathway'" in message and "work_permit; visas" in message
    assert "sheet 'sources', row 3, column 'tier'" in message and "found 'blog'" in message


def test_sourced_fact_needs_a_quote_from_a_dated_source_with_an_address(tmp_path):
    tables = small_tables()
    ev = tables["evidence"]
    ev.loc[ev["fact_id"] == "G02-SINGLE", "quote"] = None  # no quote
    ev.loc[ev["fact_id"] == "MTSOM", "source_id"] = "S004"  # undated source
    tables["conflicts"].loc[1, "confidence"] = "sourced"  # C01-B: its only source is undated
    message = _error(tmp_path, tables)
    assert "sheet 'provisions', row 3, column 'confidence'" in message and "G02-SINGLE" in message
    assert "S001: no quote" in message
    assert "sheet 'institutions', row 2, column 'confidence'" in message and "S004: no date" in message
    assert "sheet 'conflicts', row 3, column 'confidence'" in message


def test_source_addresses_must_parse_and_be_normalised(tmp_path):
    tables = small_tables()
    tables["sources"].loc[0, "address"] = "https://24.kg./english/1_x/"
    tables["sources"].loc[1, "address"] = "https://www.mondaq.com:443/a#part"
    tables["sources"].loc[2, "address"] = "not an address"
    message = _error(tmp_path, tables)
    assert (
        "sheet 'sources', row 2, column 'address': expected a normalised address (https://24.kg/english/1_x/)"
        in message
    )
    assert "row 3, column 'address': expected a normalised address (https://www.mondaq.com/a)" in message
    assert "row 4, column 'address': expected an address that parses" in message


def test_a_page_is_listed_once_and_evidence_points_to_existing_rows(tmp_path):
    tables = small_tables()
    tables["sources"].loc[1, "address"] = "http://www.example.org/official/"  # the same page as S001
    tables["evidence"].loc[0, "fact_id"] = "G99"
    tables["evidence"].loc[1, "source_id"] = "S999"
    message = _error(tmp_path, tables)
    assert "sheet 'sources', row 3, column 'address': expected a page listed once (also S001)" in message
    assert "sheet 'evidence', row 2, column 'fact_id': expected the id of an existing fact" in message
    assert "sheet 'evidence', row 3, column 'source_id'" in message and "found 'S999'" in message


def test_ids_are_unique_across_sheets_because_footnotes_cite_them_alone(tmp_path):
    tables = small_tables()
    tables["roles"].loc[0, "id"] = "MFA-CD"  # also an institution
    tables["evidence"].loc[tables["evidence"]["fact_id"] == "MTSOM-WP", "fact_id"] = "MFA-CD"
    message = _error(tmp_path, tables)
    assert "column 'id': expected an id used on no other sheet" in message and "also on sheet" in message


def test_an_extension_needs_its_new_end_and_an_ended_act_its_last_day(tmp_path):
    tables = small_tables()
    tables["amendments"] = pd.concat(
        [
            tables["amendments"],
            pd.DataFrame(
                [dict(id="AM02", target_act_id="G02", action="extends", date=_d("2026-01-01"), confidence="sourced")]
            ),
        ],
        ignore_index=True,
    )
    tables["evidence"] = pd.concat(
        [
            tables["evidence"],
            pd.DataFrame([dict(fact_id="AM02", source_id="S001", quote="runs until 1 July 2026", stance="amends")]),
        ],
        ignore_index=True,
    )
    tables["acts"].loc[0, "status"] = "repealed"
    message = _error(tmp_path, tables)
    assert (
        "sheet 'amendments', row 3, column 'until': expected the new last day of the term that AM02 extends" in message
    )
    assert "sheet 'acts', row 2, column 'valid_until': expected the last day of the repealed act L01" in message


def test_law_dates_after_the_build_date_are_errors_but_research_dates_may_follow_it(tmp_path):
    tables = small_tables()
    tables["provisions"].loc[1, "valid_from"] = date(2027, 1, 1)
    message = _error(tmp_path, tables)
    assert "sheet 'provisions', row 3, column 'valid_from'" in message
    assert "on or before the build date 28.11.2026" in message and "01.01.2027" in message
    tables = small_tables()
    tables["acts"]["verified_on"] = date(2026, 12, 1)
    tables["sources"].loc[1, "source_date"] = date(2026, 11, 30)
    inventory.read(write(tmp_path, tables), today=BUILD_DATE)


def test_national_date_before_1991_is_an_error_but_a_convention_may_be_older(tmp_path):
    tables = small_tables()
    tables["acts"].loc[0, "adopted"] = date(1985, 5, 1)
    message = _error(tmp_path, tables)
    assert "sheet 'acts', row 2, column 'adopted'" in message and "01.05.1985" in message
    assert "row 5" not in message  # X01 (1949) is international


def test_missing_sheet_is_named(tmp_path):
    path = write(tmp_path, small_tables())
    wb = load_workbook(path)
    del wb["evidence"]
    wb.save(path)
    with pytest.raises(InputError, match="expected a sheet named 'evidence'"):
        inventory.read(path, today=BUILD_DATE)


# ------------------------------------------------------------------ addresses
def test_addresses_are_normalised_and_spellings_of_one_page_share_a_key():
    assert inventory.normalise_address("https://24.kg./english/1_x/") == "https://24.kg/english/1_x/"
    assert inventory.normalise_address("https://www.mondaq.com:443/a/b#x") == "https://www.mondaq.com/a/b"
    assert inventory.normalise_address("https://kloop.kg/a/?utm_source=x&id=2") == "https://kloop.kg/a/?id=2"
    assert inventory.address_problem("http://cbd.minjust.gov.kg/act/view/ru-ru/157078?cl=ru-ru") is None
    assert inventory.dedup_key("http://www.24.kg/a/") == inventory.dedup_key("https://24.kg/a")


# ------------------------------------------------------------------ time logic (issue point 2)
def test_a_provision_past_its_acts_term_is_never_in_force(small):
    assert state(small, "2025-06-01", "G02-SINGLE") == ("in force", "in force")
    assert state(small, "2025-12-31", "G02-SINGLE")[0] == "in force"  # inclusive
    assert state(small, "2026-01-01", "G02-SINGLE") == ("not confirmed", "not confirmed since 31 December 2025")
    assert "G02-SINGLE" not in set(inventory.rules_in_force(small, "2026-06-01")["id"])


def test_a_sourced_extension_prolongs_the_term_and_an_expired_act_ends(tmp_path):
    tables = small_tables()
    tables["amendments"] = pd.concat(
        [
            tables["amendments"],
            pd.DataFrame(
                [
                    dict(
                        id="AM02",
                        target_act_id="G02",
                        action="extends",
                        date=_d("2026-01-01"),
                        until=_d("2026-06-30"),
                        confidence="uncertain",
                    )
                ]
            ),
        ],
        ignore_index=True,
    )
    tables["evidence"] = pd.concat(
        [
            tables["evidence"],
            pd.DataFrame(
                [dict(fact_id="AM02", source_id="S002", quote="The pilot will run until July 1, 2026", stance="amends")]
            ),
        ],
        ignore_index=True,
    )
    inv = read_small(tmp_path, tables)
    assert state(inv, "2026-03-01", "G02-SINGLE")[0] == "in force"
    row = inventory.provision_states(inv, "2026-03-01").set_index("id").loc["G02-SINGLE"]
    assert row["effective_confidence"] == "uncertain" and row["inherited"]  # the extension's weakness carries over
    assert state(inv, "2026-07-01", "G02-SINGLE") == ("not confirmed", "not confirmed since 30 June 2026")
    tables["acts"].loc[2, "status"] = "expired"
    inv = read_small(tmp_path, tables)
    assert state(inv, "2026-07-01", "G02-SINGLE")[0] == "ended"


def test_an_extension_without_a_quote_does_not_count(tmp_path):
    tables = small_tables()
    tables["amendments"] = pd.concat(
        [
            tables["amendments"],
            pd.DataFrame(
                [
                    dict(
                        id="AM02",
                        target_act_id="G02",
                        action="extends",
                        date=_d("2026-01-01"),
                        until=_d("2026-06-30"),
                        confidence="from memory",
                    )
                ]
            ),
        ],
        ignore_index=True,
    )
    inv = read_small(tmp_path, tables)
    assert state(inv, "2026-03-01", "G02-SINGLE") == ("not confirmed", "not confirmed since 31 December 2025")


def test_suspended_rules_revive_at_the_end_of_the_suspension(small):
    assert state(small, "2024-06-01", "G01-PERMIT")[0] == "in force"
    assert state(small, "2025-06-01", "G01-PERMIT") == ("suspended", "suspended until 31 December 2025")
    assert state(small, "2026-01-01", "G01-PERMIT")[0] == "in force"
    assert "G01-PERMIT" in set(inventory.rules_in_force(small, "2026-03-01")["id"])


def test_a_repeal_ends_a_suspended_rule_for_good(tmp_path):
    tables = small_tables()
    tables["amendments"] = pd.concat(
        [
            tables["amendments"],
            pd.DataFrame(
                [dict(id="AM02", target_act_id="G01", action="repeals", date=_d("2025-06-01"), confidence="sourced")]
            ),
        ],
        ignore_index=True,
    )
    tables["evidence"] = pd.concat(
        [
            tables["evidence"],
            pd.DataFrame([dict(fact_id="AM02", source_id="S001", quote="is declared invalid", stance="supports")]),
        ],
        ignore_index=True,
    )
    inv = read_small(tmp_path, tables)
    assert state(inv, "2026-03-01", "G01-PERMIT") == ("ended", "ended on 31 May 2025")


def test_not_confirmed_since_appears_where_the_newest_source_is_older_than_the_threshold(small):
    months = config.get("inventory.stale_after_months")
    assert months == 12
    # the sources of the quota date from 1 June 2025: confirmed until 1 June 2026, not after
    assert state(small, "2026-06-01", "L01-QUOTA-B")[0] == "in force"
    assert state(small, "2026-06-02", "L01-QUOTA-B") == ("not confirmed", "not confirmed since 1 June 2025")
    # an undated or unquoted source confirms nothing
    assert state(small, "2025-06-01", "X01-EQUAL") == ("not confirmed", "not confirmed (no dated source)")
    flagged = inventory.verification_table(small, "2026-06-02").loc["provisions", "Not confirmed in the last period"]
    assert flagged == 6  # all but the patent fee (its news source of 1 Sep 2025 is recent enough; the copy counts not)


def test_a_copy_confirms_nothing_and_is_not_an_authoritative_source(small):
    assert small.last_confirmed["L01-PATENT-FEE"] == pd.Timestamp("2025-09-01")  # the original, not the copy of 2 Sep
    shares = inventory.authoritative_shares(small).set_index("sheet")
    assert shares.loc["acts", "authoritative"] == 3  # L01, G01, G02 quote the official text; X01 nothing
    assert shares.loc["provisions", "authoritative"] == 5  # the patent fee rests on news (and its copy)
    assert shares.loc["provisions", "share_pct"] == pytest.approx(71.4)


def test_a_provision_inherits_its_acts_uncertainty_and_conflicts_are_flagged(tmp_path):
    tables = small_tables()
    tables["acts"].loc[0, "confidence"] = "uncertain"
    inv = read_small(tmp_path, tables)
    states = inventory.provision_states(inv, "2025-10-01").set_index("id")
    assert states.loc["L01-QUOTA-B", "confidence"] == "sourced"
    assert states.loc["L01-QUOTA-B", "effective_confidence"] == "uncertain" and states.loc["L01-QUOTA-B", "inherited"]
    counts = inventory.state_counts(states.reset_index())
    assert counts["in_force_weak"] == 2 and counts["in_force_inherited"] == 2  # quota B and the patent fee
    assert states.loc["G01-PERMIT", "conflicts"] == "C01"
    table = inventory.provisions_annex(inv, "2025-10-01")
    assert "sources disagree (C01)" in " ".join(table["Status"])
    assert "uncertain (its act)" in " ".join(table["Status"])


def test_rules_in_force_follow_the_date_and_the_target_group(small):
    assert set(inventory.rules_in_force(small, "2024-06-01", "work_permit")["id"]) == {"G01-PERMIT"}
    assert set(inventory.rules_in_force(small, "2025-06-01", "work_permit")["id"]) == {"G02-SINGLE"}
    everyone = inventory.rules_in_force(small, "2025-06-01", "work_permit", target_only=False)
    assert set(everyone["id"]) == {"G02-SINGLE", "L01-EAEU"}


def test_a_successive_value_replaces_the_earlier_one(small):
    assert list(inventory.rules_in_force(small, "2025-08-24", "quota")["quantity"]) == [25000]
    assert list(inventory.rules_in_force(small, "2025-08-25", "quota")["quantity"]) == [42000]


def test_changes_between_two_dates(small):
    changes = inventory.changes_between(small, "2024-06-01", "2025-10-01").set_index("id")
    assert changes.loc["G02-SINGLE", "change"] == "new"
    assert changes.loc["L01-QUOTA-B", "change"] == "amended"
    assert changes.loc["L01-QUOTA-B", "previous_value"] == "25,000 workers"
    assert changes.loc["G01-PERMIT", "change"] == "suspended"  # suspended, not ceased
    assert changes.loc["G01-PERMIT", "status_text"] == "suspended until 31 December 2025"
    assert list(inventory.amendments_between(small, "2024-06-01", "2025-10-01")["id"]) == ["AM01"]


def test_roles_on_a_date_and_their_state(small):
    assert list(inventory.roles_on(small, "2024-06-01")["institution_id"]) == ["MTSOM"]
    roles = inventory.roles_on(small, "2026-11-28")
    assert list(roles["status_text"]) == ["not confirmed since 1 June 2025"]
    matrix = inventory.institution_map(small, "2025-06-01")
    assert matrix.loc["MFA Consular Department", "Work permit / single permit"] == "•"


# ------------------------------------------------------------------ citations, bibliography, numbers
def test_citations_are_short_and_say_only_what_is_weak(small):
    """A footnote is the short citation and, only where the fact is weak on the date, a word saying how;
    each source is described once, in the References list."""
    cites = inventory.citations(small, "2025-10-01").set_index("fact_id")
    assert cites.loc["G02-SINGLE", "short"] == "Cabinet Res. No. 721 of 2 Dec 2024, item 5"
    assert cites.loc["G02-SINGLE", "footnote"] == "Cabinet Res. No. 721 of 2 Dec 2024, item 5"
    assert cites.loc["G01-PERMIT", "footnote"].endswith("(suspended until 31 Dec 2025; sources disagree)")
    assert cites.loc["C01-B", "footnote"] == "Stay without registration: 60 days (uncertain; no dated source)"
    assert "no source quoted" in cites.loc["X01-EQUAL", "footnote"]
    assert cites.loc["L01-PATENT-FEE", "source_ids"] == "S002; S003"
    assert set(cites.index) == {f for s in inventory.SHEETS for f in small[s]["id"]}
    later = inventory.citations(small, "2026-11-28").set_index("fact_id")
    assert later.loc["G02-SINGLE", "footnote"].endswith("(not confirmed since 31 Dec 2025)")
    bib = inventory.bibliography(small).set_index("number")
    assert bib.loc[3, "reference"] == "Aggregator, “Copy”, 2 September 2025 (copy of [2]). Other."
    assert bib.loc[4, "reference"].endswith("undated. Other.")


def test_outputs_for_other_chapters(small, tmp_path):
    written = inventory.write_outputs(small, tmp_path / "out", "2025-10-01")
    assert {p.name for p in written} == {f"{s}.csv" for s in inventory.WORKBOOK_SHEETS} | {
        "citations.csv",
        "provision_status.csv",
        "quality.csv",
    }
    provisions = pd.read_csv(tmp_path / "out" / "provisions.csv")
    assert "_row" not in provisions.columns and provisions.loc[0, "valid_from"] == "2019-04-16"
    assert {"source", "source_ids", "citation", "effective_confidence", "last_confirmed"} <= set(provisions.columns)
    status = pd.read_csv(tmp_path / "out" / "provision_status.csv").set_index("id")
    assert status.loc["G01-PERMIT", "status_text"] == "suspended until 31 December 2025"


def test_every_provision_is_recorded_in_the_numbers_registry(small, tmp_path):
    reg = numbers.Registry(tmp_path / "n.json", notebook="10_test")
    inventory.record_numbers(reg, small, "2025-10-01", "data/processed/inventory")
    assert reg["inventory.provisions.g02-single"].formatted() == "7 working days"
    assert reg["inventory.provisions.l01-patent-fee"].formatted() == "800 som"
    assert reg["inventory.provisions.g01-permit"].value == "Employer and individual permits"
    assert reg["inventory.state.g01-permit"].value == "suspended until 31 December 2025"
    assert reg["inventory.acts.g02.citation"].value == "Cabinet Res. No. 721 of 2 Dec 2024"
    assert reg["inventory.acts.g02.state"].value == "in force"


def test_value_text_formats_quantity_and_unit_and_says_when_an_amount_is_missing():
    assert inventory.value_text({"quantity": 800.0, "unit": "som per month"}) == "800 som per month"
    assert inventory.value_text({"quantity": 42000.0, "unit": None}) == "42,000"
    assert inventory.value_text({"quantity": float("nan"), "unit": "som"}) == "amount not found"


def test_the_coverage_figure_renders(small):
    from analysis.engine import figures

    fig = inventory.figure_coverage(inventory.coverage_matrix(small, "2025-10-01"), "coverage")
    assert figures.png_bytes(fig).startswith(b"\x89PNG")


# ------------------------------------------------------------------ the bundled workbook
def test_every_bundled_fact_was_checked_and_every_sourced_fact_has_its_evidence(bundled):
    for sheet in inventory.SHEETS:
        frame = bundled[sheet]
        assert frame["verified_on"].notna().all() and frame["verified_by"].notna().all(), sheet
    usable = inventory._usable_evidence(bundled.tables)
    sourced = [
        f for s in inventory.SHEETS for f, c in zip(bundled[s]["id"], bundled[s]["confidence"]) if c == "sourced"
    ]
    assert sourced and set(sourced) <= usable
    sources = bundled["sources"]
    assert all(inventory.address_problem(a) is None for a in sources["address"].dropna())
    assert set(sources["tier"]) <= set(config.get("inventory.source_tiers"))


def test_bundled_single_permit_is_not_confirmed_on_the_as_of_date(bundled):
    assert state(bundled, "2025-06-01", "G07-SINGLE-PERMIT")[0] == "in force"
    assert state(bundled, "2026-03-01", "G07-SINGLE-PERMIT")[0] == "in force"  # the reported extension
    assert state(bundled, BUILD_DATE, "G07-SINGLE-PERMIT") == ("not confirmed", "not confirmed since 30 June 2026")
    assert not {p for p in inventory.rules_in_force(bundled, BUILD_DATE)["id"] if p.startswith("G07-")}


def test_bundled_two_permit_regime_is_suspended_not_repealed(bundled):
    assert state(bundled, "2024-06-01", "G06-EMPLOYER-PERMIT")[0] == "in force"
    assert state(bundled, "2025-06-01", "G06-EMPLOYER-PERMIT") == ("suspended", "suspended until 31 December 2025")
    assert state(bundled, BUILD_DATE, "G06-EMPLOYER-PERMIT")[0] == "not confirmed"  # revived in law, unconfirmed


def test_bundled_quota_values_are_successive_and_registration_values_a_conflict(bundled):
    quota = bundled["provisions"].set_index("id")
    assert [quota.loc[f"G11-QUOTA-2025-{x}", "quantity"] for x in "ABC"] == [25000, 42000, 52000]
    assert quota.loc["G11-QUOTA-2025-B", "replaces"] == "G11-QUOTA-2025-A"
    c01 = bundled["conflicts"][bundled["conflicts"]["conflict_id"] == "C01"]
    assert {"5", "30", "60"} <= set(c01["value"])


def test_stable_ids_other_chapters_cite(bundled):
    ids = set(bundled["provisions"]["id"])
    assert {
        "G01-REG-DEADLINE",
        "G07-PROCESSING-DEADLINE",
        "G03-TRP-REVIEW-DEADLINE",
        "L07-PATENT-FEE",
        "G02-STAY-60-120",
        "L10-CHI-STUDENT-FEE",
    } <= ids
    assert {"MFA-CD", "MTSOM", "SRS", "KYZMAT", "STS"} <= set(bundled["institutions"]["id"])


def test_bundled_corrections_of_the_audit(bundled):
    acts = bundled["acts"].set_index("id")
    provisions = bundled["provisions"].set_index("id")
    assert acts.loc["B10", "adopted"] == pd.Timestamp("1996-12-24")  # the double-taxation agreement exists
    assert provisions.loc["L10-CHI-STUDENT-FEE", "quantity"] == 11910
    assert provisions.loc["L10-CHI-STUDENT-FEE", "valid_from"] == pd.Timestamp("2024-02-01")
    assert acts.loc["L11", "status"] == "repealed" and acts.loc["L13", "number"] == "179"
    assert provisions.loc["L07-PATENT-LEGAL-BASIS", "confidence"] == "uncertain"


def test_bundled_annex_a_has_one_row_per_act_with_its_pathways_and_reference_markers(bundled):
    table = inventory.acts_annex(bundled, BUILD_DATE)
    assert len(table) == len(bundled["acts"])
    act = table.columns[0]
    rows = table.set_index(table[act].str.split().str[0])
    assert rows.loc["L02", act].startswith("L02 Law No. 61 of 17 Jul 2000 on External Migration [#L02]")
    assert "Entry" in rows.loc["L02", "Pathways"] and "Registration" in rows.loc["L02", "Pathways"]
    assert rows.loc["G07", "Status"] == "not confirmed since 30 Jun 2026"
    assert not table[act].str.contains("http").any()


# ------------------------------------------------------------------ the report's compact tables
def test_annex_cells_carry_reference_markers_not_source_descriptions(small):
    """Tables cite sources by the [#id] marker the assembly turns into References numbers; a fact without
    a source gets none."""
    provisions = inventory.provisions_annex(small, "2025-10-01")
    rule = provisions.columns[0]
    assert provisions[rule].str.contains(r"\[#[A-Z0-9-]+\]$").all()
    bodies = inventory.institutions_annex(small)
    assert not bodies.iloc[:, 1].str.contains("http").any()
    assert inventory.cited("X01", {"X01"}) == "[#X01]" and inventory.cited("X01", set()) == ""


def test_conflicts_are_one_row_each_with_every_value_and_the_least_resolved_status(small):
    table = inventory.conflicts_table(small)
    assert list(table["Ref."]) == ["C01"]
    assert table.loc[0, "Values reported"].startswith("5 days")
    assert "60 days" in table.loc[0, "Values reported"] and table.loc[0, "Status"] == "open"


def test_short_rule_keeps_the_first_clause_and_compact_dates_abbreviate_months():
    assert inventory.short_rule("Single permits of 60 days are issued (pilot); renewals online.") == (
        "Single permits of 60 days are issued"
    )
    assert inventory.short_rule("Fee (new).") == "Fee (new)"  # too short to cut
    assert inventory.compact_dates("not confirmed since 30 June 2026") == "not confirmed since 30 Jun 2026"
    assert inventory.compact_dates("1 May 2025") == "1 May 2025"


def test_quality_warnings_are_counted_by_kind_and_the_rows_to_act_on_listed(small, tmp_path):
    summary = inventory.quality_summary(small.warnings).set_index("Warning")
    full = inventory.quality_rows(small.warnings)
    assert summary["Count"].sum() == len(full) == len(small.warnings)
    listed = {words for words, listing in inventory.QUALITY_KINDS.values() if listing}
    assert listed & set(summary.index), "the small inventory has a warning a reader must act on"
    for kind, row in summary.iterrows():
        assert (row["Rows to act on"] == "in the quality list") == (kind not in listed)
    inventory.write_outputs(small, tmp_path / "out", "2025-10-01")
    assert len(pd.read_csv(tmp_path / "out" / "quality.csv")) == len(full)


@pytest.mark.slow
def test_the_verification_counts_in_the_report_match_the_inventory(built_report):
    """The numbers the chapter states are the ones the inventory gives on the as-of date."""
    found = {n.id: n.value for n in numbers.load(built_report / "numbers.json")}
    inv = inventory.read("data/raw/regulation_inventory.xlsx", today=BUILD_DATE)
    as_of = config.get("report.as_of")
    counts = inventory.state_counts(inventory.provision_states(inv, as_of))
    assert found["inventory.rules.in_force"] == counts["in_force"]
    assert found["inventory.rules.not_confirmed"] == counts["not_confirmed"]
    assert found["inventory.rules.in_force_weak"] == counts["in_force_weak"]
    shares = inventory.authoritative_shares(inv).set_index("sheet")
    assert found["inventory.verification.acts_authoritative_pct"] == shares.loc["acts", "share_pct"]
    assert found["inventory.verification.provisions_authoritative_pct"] == shares.loc["provisions", "share_pct"]
    assert found["inventory.acts.total"] == len(inv["acts"])
    assert found["inventory.state.g07-single-permit"] == "not confirmed since 30 June 2026"
