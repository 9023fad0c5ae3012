"""The numbers registry and the prose placeholders: ids, house style, plurals, fragments and merging."""

import json

import numpy as np
import pytest

from analysis.engine import notebook, numbers, text


def fill(registry, template):
    return text.fill(template, lambda name, spec: registry[name].formatted(spec))


def test_record_fill_and_save(output_root):
    reg = numbers.Registry("data/processed/numbers/10_x.json")
    reg.record(
        "inventory.acts.total", np.int64(42), "acts", "Acts in the inventory", "legal inventory", rows=["L02", "L01"]
    )
    reg.record("inventory.sourced.share", 61.23456789, "%", "Share sourced", "legal inventory")
    assert (
        fill(reg, "The inventory holds {inventory.acts.total}, {inventory.sourced.share} sourced.")
        == "The inventory holds 42 acts, 61.2 % sourced."
    )
    assert fill(reg, "{inventory.sourced.share:.0f}") == "61"
    data = json.loads(reg.save().read_text(encoding="utf-8"))
    assert data["notebook"] == "10_x"
    first = data["numbers"][0]
    assert first["id"] == "inventory.acts.total" and first["value"] == 42 and first["rows"] == ["L01", "L02"]
    assert data["numbers"][1]["value"] == 61.234568  # rounded so reruns give equal bytes


def test_bad_ids_duplicates_and_unknown_placeholders(output_root):
    reg = numbers.Registry("data/processed/numbers/x.json")
    with pytest.raises(numbers.NumberError, match="lower-case"):
        reg.record("Inventory Total", 1, "", "", "")
    reg.record("a.b", 1, "", "", "")
    with pytest.raises(numbers.NumberError, match="recorded twice"):
        reg.record("a.b", 2, "", "", "")
    with pytest.raises(text.PlaceholderError, match=r"cell 'x': no recorded number or term for \{c.d\}, \{e.f\}"):
        text.fill("{c.d} and {e.f} and {a.b}", lambda n, s: reg[n].formatted(s), where="cell 'x'")


def test_merge_rejects_the_same_id_from_two_notebooks(output_root):
    for name in ("10_a", "20_b"):
        reg = numbers.Registry(f"data/processed/numbers/{name}.json")
        reg.record("same.id", 1, "", "", "")
        reg.save()
    fragments = sorted((output_root / "data/processed/numbers").glob("*.json"))
    with pytest.raises(numbers.NumberError, match="recorded by both 10_a and 20_b"):
        numbers.merge(fragments, "data/processed/numbers.json")


def test_merged_file_feeds_a_read_only_registry(output_root):
    reg = numbers.Registry("data/processed/numbers/10_a.json")
    reg.record("x.count", 3, "cases", "", "")
    reg.save()
    merged = numbers.merge([reg.path], "data/processed/numbers.json")
    reader = numbers.Registry(None, others=merged)
    assert fill(reader, "{x.count}") == "3 cases"
    with pytest.raises(numbers.NumberError, match="read-only"):
        reader.save()


def test_house_style_units_agree_with_the_number():
    assert numbers.format_value(25000, "persons") == "25,000 persons"
    assert numbers.format_value(1, "working days") == "1 working day"
    assert numbers.format_value(1, "bodies") == "1 body"
    assert numbers.format_value(2, "body") == "2 bodies"
    assert numbers.format_value(3, "criteria") == "3 criteria"  # a plural unit is not pluralised again
    assert numbers.format_value(1, "criteria") == "1 criterion"
    assert numbers.format_value(17, "women") == "17 women"
    assert numbers.format_value(1, "men") == "1 man"
    assert numbers.format_value(None, "days") == numbers.NOT_AVAILABLE
    assert numbers.format_value(3.14159, "days") == "3.14 days"
    assert numbers.format_value("2026-07-01", "date") == "1 July 2026"


def test_money_is_named_by_the_configured_currency():
    assert numbers.format_value(1500, "KGS") == "1,500 som"
    assert numbers.format_value(20, "USD") == "USD 20"
    assert numbers.format_value(12.5, "USD") == "USD 12.50"


def test_text_helpers():
    assert text.listing(["a", "b", "c"]) == "a, b and c"
    assert text.listing([]) == "none"
    assert text.count_phrase(0, "pathways") == "no pathways"
    assert text.count_phrase(1, "pathways") == "one pathway"
    assert text.count_phrase(3, "pathway") == "3 pathways"
    assert text.house_date("2026-11-28") == "28 November 2026"
    assert text.fill("{{literal}} {x}", lambda n, s: "1") == "{literal} 1"


def test_terms_come_from_the_configuration_with_articles_and_capitals():
    words = notebook.terms({"as_of": "2026-11-28", "stage": "draft"})
    assert words["a_origin_adj"] == "an Uzbek" and words["as_of"] == "28 November 2026"
    lookup = notebook.lookup_for(numbers.Registry(None), {"as_of": "2026-11-28"})
    assert text.fill("{A_origin_adj} citizen in {destination}", lookup) == "An Uzbek citizen in Kyrgyzstan"
