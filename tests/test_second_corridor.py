"""A second corridor builds from configuration and data alone, and its report speaks only of it.

tests/fixtures/corridor_b/ holds an ILLUSTRATIVE corridor between two fictional states (Norland → Sudmark,
fees in the ISO 4217 test currency XTS), so that no invented rule is attributed to a real state or office:
its own config/corridor.yaml and data/raw/, every input marked synthetic. The test copies the project's
code, puts that corridor in place of the bundled one and builds the HTML: the Word and PDF files are
converted from that HTML by pandoc and add no text of their own beyond the same configuration, so the
HTML is where leftover wording of the first corridor would show. No code change is made for the fixture.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import PROJECT_ITEMS, REPO, copy_project, make_in

FIXTURE = REPO / "tests" / "fixtures" / "corridor_b"

pytestmark = pytest.mark.slow


def _first_corridor_terms() -> dict[str, set[str]]:
    """The words that belong to the bundled corridor, taken from its own configuration and data."""
    cfg = yaml.safe_load((REPO / "config" / "corridor.yaml").read_text(encoding="utf-8"))
    terms: dict[str, set[str]] = {"country": set(), "currency": set(), "place": set(), "institution": set()}
    terms["word"] = {"patent", "kairylman", "Meken-kart", "Tunduk"}  # what only the first corridor's law has
    for side in ("origin", "destination"):
        country = cfg["corridor"][side]
        terms["country"] |= {country["name"], country["demonym"], country.get("name_official") or country["name"]}
    terms["country"] |= set(cfg["benchmark"]["comparators"].values()) | set(
        cfg["benchmark"]["ratification_countries"].values()
    )
    terms["country"] |= {
        cfg["translations"]["ru"]["terms"][k] for k in ("origin", "destination", "destination_official")
    }
    terms["currency"] |= {cfg["currency"]["code"], cfg["currency"]["name"], cfg["currency"]["symbol"]}
    terms["currency"] |= set(cfg["translations"]["ru"]["terms"]["currency_forms"])
    terms["place"] |= {label for key, label in cfg["procedures"]["locations"].items() if key != "online"}
    terms["place"] |= {re.sub(r" (city|region)$", "", label) for label in cfg["consultations"]["regions"].values()}
    sheet = openpyxl.load_workbook(REPO / "data" / "raw" / "regulation_inventory.xlsx", read_only=True)["institutions"]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    for row in rows:
        record = dict(zip(header, row))
        if record["id"]:
            terms["institution"] |= {record["id"], record["name_en"]}
    # The first corridor's own pathways (the patent, kairylman status …), unless the second has one by that name.
    own = yaml.safe_load((FIXTURE / "config" / "corridor.yaml").read_text(encoding="utf-8"))
    shared = {label.casefold() for label in own["procedures"]["pathways"].values()}
    terms["pathway"] = {label for label in cfg["procedures"]["pathways"].values() if label.casefold() not in shared}
    generic = {"Other regions", "Other border regions", "Ministry of Foreign Affairs"}  # not A's own words
    return {kind: {t for t in words if t and t not in generic} for kind, words in terms.items()}


def _found(text: str, term: str) -> bool:
    # Whole words; abbreviations (KGS, JK) case-sensitive, names in any case.
    flags = 0 if term.isupper() else re.IGNORECASE
    return re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text, flags) is not None


@pytest.fixture(scope="module")
def second_corridor(tmp_path_factory) -> Path:
    project = copy_project(
        tmp_path_factory.mktemp("corridor_b"), items=[i for i in PROJECT_ITEMS if i not in ("data/raw", "config")]
    )
    shutil.copytree(FIXTURE / "config", project / "config")
    shutil.copytree(FIXTURE / "data" / "raw", project / "data" / "raw")
    make_in(project, "html")
    return project / "reports" / "draft" / "analysis.html"


@pytest.fixture(scope="module")
def soup(second_corridor) -> BeautifulSoup:
    return BeautifulSoup(second_corridor.read_text(encoding="utf-8"), "html.parser")


def _main_text(soup: BeautifulSoup) -> str:
    parts = ["section.title-page", "section.front-matter-part", "#report-body", "#report-annexes"]
    return " ".join(node.get_text(" ") for s in parts if (node := soup.select_one(s)) is not None)


def test_the_main_text_holds_none_of_the_first_corridors_words(soup):
    text = _main_text(soup)
    leftovers = {kind: sorted(t for t in words if _found(text, t)) for kind, words in _first_corridor_terms().items()}
    assert {k: v for k, v in leftovers.items() if v} == {}


def test_the_report_names_its_own_corridor_and_says_it_is_illustrative(soup):
    title = soup.select_one("section.title-page").get_text(" ")
    assert "Norland" in title and "Sudmark" in title
    body = soup.select_one("#report-body").get_text(" ")
    assert re.search(r"\d mark\b", body), "fees are shown in the configured currency"
    assert "Sudmark Migration Service" in body
    assert "synthetic" in title.lower() or "illustrative" in title.lower()
