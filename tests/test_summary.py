"""The summary's building blocks: pathways at a glance, key numbers by lineage, the corridor's figures."""

from datetime import date

import pandas as pd
import pytest

from analysis.chapters import summary
from analysis.engine import numbers
from analysis.engine.assemble import citations


@pytest.fixture
def registry():
    reg = numbers.Registry(None)
    for pathway in ("entry_short_stay", "work_permit"):
        reg._others[f"procedures.{pathway}.fees"] = numbers.Number(f"procedures.{pathway}.fees", 120.0, "som", "", "")
        reg._others[f"procedures.{pathway}.fees_unknown"] = numbers.Number(
            "x", 1 if pathway == "work_permit" else 0, "steps", "", ""
        )
        reg._others[f"procedures.{pathway}.days_statutory"] = numbers.Number("x", 2, "working days", "", "")
    return reg


def corridor(values: dict, monkeypatch) -> None:
    """These configuration keys, the corridor's own for the others."""
    real = summary.config.get
    monkeypatch.setattr(
        summary.config, "get", lambda key, default=None: values[key] if key in values else real(key, default)
    )


def tables():
    steps = pd.DataFrame(
        {
            "pathway": ["entry_short_stay", "entry_short_stay", "work_permit", "work_permit", "work_permit"],
            "action": ["Enter", "Register", "Enter", "Register", "Apply for the single permit"],
            "documents": [
                "ID card or passport",
                "Application; passport and copy",
                "ID card or passport",
                "Application; passport and copy",
                "Not found",
            ],
            "legal_basis": ["B02-ENTRY", "G01-REG", "B02-ENTRY", "G01-REG", "G07-PERMIT"],
        }
    )
    provisions = pd.DataFrame(
        {
            "id": ["B02-ENTRY", "G01-REG", "G07-PERMIT"],
            "act_id": ["B02", "G01", "G07"],
            "valid_from": ["2006-10-03", "", "2025-01-01"],
            "valid_to": ["", "", "2026-07-01"],
            "confidence": ["sourced", "sourced", "sourced"],
        }
    )
    acts = pd.DataFrame(
        {
            "id": ["B02", "G01", "G07"],
            "title_en": ["Agreement on trips", "Registration decree", "Single permit regulation"],
            "title_ru": ["Соглашение о поездках", "Постановление о регистрации", "Временное положение"],
            "number": ["", "689", "721"],
            "adopted": ["2006-10-03", "2016-12-19", "2024-12-02"],
            "status": ["in force", "amended", "in force"],
            "confidence": ["sourced"] * 3,
        }
    )
    indicators = pd.DataFrame({"pathway": ["entry_short_stay", "work_permit"], "steps_without_deadline": [2, 0]})
    return steps, provisions, acts, indicators


def test_pathways_show_their_own_steps_fees_time_basis_and_status(registry, monkeypatch):
    corridor(
        {
            "procedures.pathways": {"entry_short_stay": "Entry and registration", "work_permit": "Single permit"},
            "procedures.audience": {"work_permit": "Workers hired by an employer"},
        },
        monkeypatch,
    )
    steps, provisions, acts, indicators = tables()
    frame = summary.pathways_at_a_glance(steps, provisions, acts, indicators, registry, date(2026, 11, 28))
    entry, permit = frame.to_dict("records")
    assert entry["documents"] == "ID card or passport; Application; passport and copy"
    assert entry["basis"] == "Agreement on trips (2006); Registration decree (No. 689, 2016)"
    assert entry["time"] == "2 working days; no statutory deadline for 2 steps" and entry["status"] == "in force"
    # the first pathway's steps open every pathway, so the others show what comes on top
    assert (
        permit["documents"] == "not found in the sources"
        and permit["basis"] == "Single permit regulation (No. 721, 2024)"
    )
    assert permit["fees"] == "120 som; fees not found for 1 step"
    assert permit["status"] == "ended 1 July 2026", "a rule whose validity ended is never shown in force"
    assert permit["who"] == "Workers hired by an employer"


def test_the_russian_table_translates_every_phrase_or_names_what_is_missing(registry, monkeypatch, tmp_path):
    corridor({"procedures.pathways": {"entry_short_stay": "Entry and registration"}}, monkeypatch)
    path = tmp_path / "translations_ru.csv"
    path.write_text("en,ru\nEntry and registration,Въезд и регистрация\nin force,действует\n", encoding="utf-8")
    translate = summary.Translations.load(path)
    steps, provisions, acts, indicators = tables()
    frame = summary.pathways_at_a_glance(
        steps, provisions, acts, indicators, registry, date(2026, 11, 28), language="ru", translate=translate
    )
    assert frame.loc[0, "pathway"] == "Въезд и регистрация" and frame.loc[0, "status"] == "действует"
    assert frame.loc[0, "basis"].startswith("Соглашение о поездках (2006 г.)")
    with pytest.raises(summary.InputError, match="a translation of 'ID card or passport'"):
        translate.check()


def test_numbers_resting_on_synthetic_inputs_are_kept_apart():
    reg = numbers.Registry(None)
    reg._others["a.real"] = numbers.Number("a.real", 66, "acts", "acts in the inventory", "", notebook="10_x")
    reg._others["b.fake"] = numbers.Number("b.fake", 40, "persons", "respondents", "", notebook="30_y")
    sourced, synthetic = summary.key_numbers(["a.real", "b.fake"], reg, {"30_y"}, {"b.fake": ["F-10"]})
    assert sourced["Value"].tolist() == ["66 acts"]
    assert synthetic[["Value", "Cited by"]].values.tolist() == [["40 persons", "F-10"]]


def test_corridor_figures_are_recorded_shown_and_citable(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(tmp_path))
    path = tmp_path / "context.csv"
    pd.DataFrame(
        [
            {
                "id": "registered",
                "indicator": "Citizens registered",
                "value": "220000",
                "value_high": "",
                "qualifier": "",
                "unit": "persons",
                "period": "2022",
                "confidence": "sourced",
                "title": "Article",
                "publisher": "Radio",
                "source_date": "2023-04-25",
                "tier": "news",
                "address": "https://a.example/1",
                "verified_on": "2026-12-01",
            },
            {
                "id": "students",
                "indicator": "Foreign students",
                "value": "35000",
                "value_high": "37000",
                "qualifier": "",
                "unit": "students",
                "period": "2025",
                "confidence": "sourced",
                "title": "Article",
                "publisher": "Radio",
                "source_date": "2025-08-08",
                "tier": "news",
                "address": "https://a.example/1",
                "verified_on": "2026-12-01",
            },
        ]
    ).to_csv(path, index=False)
    context = summary.read_context(path)
    reg = numbers.Registry(None)
    reg._items = {}
    summary.record_context(reg, context, "corridor statistics")
    shown = summary.context_table(context, reg)
    assert shown["Value"].tolist() == ["220,000 persons", "35,000–37,000 students"]
    assert shown["Source"].tolist()[0] == "Radio, 25 April 2023 [#registered]"
    summary.write_context_citations(context, str(tmp_path / "data/processed/context"))
    library = citations.Library.load(
        tmp_path / "data/processed/context/citations.csv", tmp_path / "data/processed/context/sources.csv"
    )
    assert len(library.sources) == 1, "figures read from the same page cite one source"
    assert library.facts["students"].footnote == "Foreign students, 2025: Radio, 8 August 2025"


def test_a_figure_without_a_number_is_an_input_error(tmp_path):
    path = tmp_path / "context.csv"
    path.write_text(
        "id,indicator,value,unit,period,confidence,title,publisher,source_date,tier,address\n"
        "x,Figure,many,persons,2022,sourced,T,P,,news,https://a.example\n",
        encoding="utf-8",
    )
    with pytest.raises(summary.InputError, match="row 2, column 'value': expected a number"):
        summary.read_context(path)
