"""The findings registry: ids, values, text filling, fragments and merging."""

import json

import numpy as np
import pytest

from analysis import findings


def test_record_fill_text_and_save(output_root):
    reg = findings.Registry("data/processed/findings/10_x.json")
    reg.record("inventory.acts.total", np.int64(42), "acts", "Acts in the inventory", "data/processed/inventory/acts.csv",
               rows=["L02", "L01"])
    reg.record("inventory.sourced.share", 61.23456789, "%", "Share sourced", "acts.csv")
    assert reg.text("The inventory holds {inventory.acts.total}, {inventory.sourced.share} sourced.") == \
        "The inventory holds 42 acts, 61.2 % sourced."
    assert reg.text("{inventory.sourced.share:.0f}") == "61"
    path = reg.save()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["notebook"] == "10_x"
    first = data["findings"][0]
    assert first["id"] == "inventory.acts.total" and first["value"] == 42 and first["rows"] == ["L01", "L02"]
    assert data["findings"][1]["value"] == 61.234568  # rounded so reruns give equal bytes


def test_bad_ids_duplicates_and_unknown_placeholders(output_root):
    reg = findings.Registry("data/processed/findings/x.json")
    with pytest.raises(findings.FindingError, match="lower-case"):
        reg.record("Inventory Total", 1, "", "", "")
    reg.record("a.b", 1, "", "", "")
    with pytest.raises(findings.FindingError, match="recorded twice"):
        reg.record("a.b", 2, "", "", "")
    with pytest.raises(findings.FindingError, match="no finding 'c.d'"):
        reg.text("{c.d}")


def test_merge_rejects_the_same_id_from_two_notebooks(output_root):
    for name in ("10_a", "20_b"):
        reg = findings.Registry(f"data/processed/findings/{name}.json")
        reg.record("same.id", 1, "", "", "")
        reg.save()
    fragments = sorted((output_root / "data/processed/findings").glob("*.json"))
    with pytest.raises(findings.FindingError, match="recorded by both 10_a and 20_b"):
        findings.merge(fragments, "data/processed/findings.json")


def test_merged_file_feeds_a_read_only_registry(output_root):
    reg = findings.Registry("data/processed/findings/10_a.json")
    reg.record("x.count", 3, "cases", "", "")
    reg.save()
    merged = findings.merge([reg.path], "data/processed/findings.json")
    reader = findings.Registry(None, others=merged)
    assert reader.text("{x.count}") == "3 cases"
    with pytest.raises(findings.FindingError, match="read-only"):
        reader.save()


def test_format_value_house_style():
    assert findings.format_value(25000, "persons") == "25,000 persons"
    assert findings.format_value(None, "days") == "n/a (suppressed or not computable)"
    assert findings.format_value(3.14159, "days") == "3.14 days"
