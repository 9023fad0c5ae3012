"""The built report as IOM and partners get it: order, contents, footnotes, clean text, the Russian summary.

Run over the draft built from the example data, in its three formats. The clean-text check runs chapter by
chapter; chapters whose remaining problems belong to another issue are expected failures (strict: the
marker must go when the chapter is fixed).
"""

from __future__ import annotations

import re
import zipfile

import docx
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import REPO
from pypdf import PdfReader

from analysis.engine import config, glossary, runner
from analysis.engine.assemble import checks

pytestmark = pytest.mark.slow
#: Chapters whose own tables and captions still show internal ids or other date formats (their issue).
CHAPTERS = [s.name for s in runner.discover() if not s.name.startswith("01_")]


@pytest.fixture(scope="module")
def soup(built_report):
    return BeautifulSoup((built_report / "analysis.html").read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def word(built_report):
    return docx.Document(str(built_report / "analysis.docx"))


@pytest.fixture(scope="module")
def scan(built_report):
    import os

    os.environ["ANALYSIS_OUTPUT_ROOT"] = str(built_report.parents[1])
    return checks.internal_ids(), glossary.load(), checks.plural_units()


def _caption(part, pattern: str):
    """The caption (a paragraph of class caption) whose text matches."""
    return part.find(
        lambda tag: tag.name == "p" and "caption" in (tag.get("class") or []) and re.search(pattern, tag.get_text())
    )


def _position(soup, element) -> int:
    return next(i for i, e in enumerate(soup.find_all(True)) if e is element)


def test_html_follows_iom_order(soup):
    parts = [
        soup.select_one("section.title-page"),
        soup.find(string=re.compile("do not necessarily reflect")).parent,
        soup.select_one("nav.toc"),
        soup.select_one("section.abbreviations"),
        soup.find("h1", string="Executive summary"),
        soup.find("h1", string=re.compile(r"^1 Introduction")),
        soup.find("h1", string=re.compile(r"^2 Methodology and limitations")),
        soup.find("h1", string=re.compile(r"^8 Findings")),
        soup.find(id="report-annexes"),
        soup.select_one("section.references"),
        soup.select_one('section.translation[lang="ru"]'),
    ]
    assert all(p is not None for p in parts)
    positions = [_position(soup, p) for p in parts]
    assert positions == sorted(positions)
    assert soup.find("h2", string=re.compile("Limitations")) is not None
    assert soup.find("a", string="chapter 6") is not None, "cross-references are links"


def test_summary_has_the_pathways_table_from_the_data(soup):
    summary = soup.find("div", attrs={"data-notebook": "00_summary", "class": "chapter"})
    caption = _caption(summary, "Pathways at a glance")
    table = caption.find_next("table")
    header = [th.get_text(strip=True) for th in table.find("tr").find_all("th")]
    assert header[:3] == ["Pathway", "Who it is for", "Documents (own steps)"] and header[-1] == "Status"
    rows = table.find_all("tr")[1:]
    assert [r.find("td").get_text(strip=True) for r in rows] == list(config.get("procedures.pathways").values())
    marked = [li for li in summary.find_all("li") if "illustrative" in li.get_text()]
    assert marked, "findings that rest on synthetic data are marked where they appear"


def test_key_numbers_keep_sourced_and_synthetic_apart(soup):
    annex = soup.find(attrs={"data-notebook": "00_summary", "class": "annex"})
    captions = [c.get_text(" ", strip=True) for c in annex.select("p.caption")]
    assert any("sourced inputs" in c for c in captions) and any("synthetic" in c for c in captions)


def test_every_acronym_is_in_the_glossary_and_listed(soup, scan):
    ids, terms, units = scan
    text = " ".join(soup.find(id=i).get_text(" ") for i in ("report-body", "report-annexes"))
    undefined = [p for p in checks.problems(text, ids, terms, units) if p.kind == "undefined acronym"]
    assert undefined == [], "\n".join(map(str, undefined))
    listed = {row.find("td").get_text() for row in soup.select("section.abbreviations tr") if row.find("td")}
    assert {"IOM", "MTSOM"} <= listed


@pytest.mark.parametrize("notebook", CHAPTERS)
def test_main_text_is_clean(soup, scan, notebook):
    chapter = soup.find("div", attrs={"data-notebook": notebook, "class": "chapter"})
    found = checks.problems(chapter.get_text(" "), *scan)
    assert found == [], "\n".join(map(str, found[:20]))


def test_front_matter_is_clean(soup, scan):
    """Cover, disclaimer and abbreviations (the contents repeat the chapters' headings, checked with them)."""
    text = " ".join(
        soup.select_one(s).get_text(" ")
        for s in ("section.title-page", "section.front-matter-part", "section.abbreviations")
    )
    assert checks.problems(text, *scan) == []


def _docx_main_text(word) -> str:
    paragraphs = []
    for paragraph in word.paragraphs:
        if paragraph.style.name.startswith("Heading 1") and paragraph.text.startswith("Annex A"):
            break
        paragraphs.append(paragraph.text)
    return "\n".join(paragraphs)


def test_word_file_works(built_report, word):
    body = zipfile.ZipFile(built_report / "analysis.docx").read("word/document.xml").decode()
    assert all(not s.footer.is_linked_to_previous and "PAGE" in s.footer._element.xml for s in word.sections), (
        "a page number in the footer of every section, the landscape ones included"
    )
    assert 'TOC \\o "1-2"' in body and body.count('<w:pStyle w:val="TOC1"/>') >= 10, "contents already filled"
    assert '<w:hyperlink w:anchor="sec-3"' in body
    captions = [p for p in word.paragraphs if p.style.name == "Caption"]
    assert len(captions) >= 20 and all(p.text.startswith(("Table", "Figure")) for p in captions)
    assert "data:image" not in body, "each figure is stored once"
    assert any(s.orientation == 1 for s in word.sections), "wide tables on landscape pages"
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings.index("Executive summary") < headings.index("1 Introduction and context")
    assert "References" in headings and "Abbreviations and acronyms" in headings
    notes = zipfile.ZipFile(built_report / "analysis.docx").read("word/footnotes.xml").decode()
    assert notes.count("<w:footnote ") > 5, "citations are real footnotes"


def test_word_main_text_has_no_paths_debug_output_or_wrong_plurals(word, scan):
    found = [
        p
        for p in checks.problems(_docx_main_text(word), *scan)
        if p.kind in ("file path", "debug output", "plural", "undefined acronym")
    ]
    assert found == [], "\n".join(map(str, found[:20]))


def test_pdf_has_contents_footnotes_and_references(pdf_pages):
    text = "".join(pdf_pages[:12])
    assert "Contents" in text and "Executive summary" in text
    everything = "".join(pdf_pages)
    assert "References" in everything and "Radio Ozodlik" in everything


def test_pdfs_embed_only_the_fonts_typst_carries(built_report):
    """A font installed on the machine (another version of DejaVu, say) would change the PDF's bytes from one
    machine to the next: typst must use only its own."""
    own = ("LibertinusSerif", "DejaVuSansMono", "NewCM")
    for name in ("analysis.pdf", "summary_ru.pdf"):
        fonts = set()
        for page in PdfReader(str(built_report / name)).pages:
            for font in (page.get("/Resources") or {}).get("/Font", {}).values():
                fonts.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
        assert fonts, name
        assert all(font.startswith(own) for font in fonts), (name, sorted(fonts))


def test_russian_summary_in_its_own_files_and_in_the_html(built_report, soup):
    russian = docx.Document(str(built_report / "summary_ru.docx"))
    text = "\n".join(p.text for p in russian.paragraphs) + "\n".join(
        c.text for t in russian.tables for row in t.rows for c in row.cells
    )
    assert "Резюме" in text and "«" in text and "\u00a0" in text
    acts = pd.read_csv(built_report.parents[1] / "data/processed/inventory/acts.csv", dtype=str)
    assert acts.loc[acts["id"] == "G01", "title_ru"].iloc[0] in text, "acts by their official Russian names"
    pdf = "".join(page.extract_text() for page in PdfReader(str(built_report / "summary_ru.pdf")).pages)
    assert "Резюме" in pdf
    section = soup.select_one('section.translation[lang="ru"]')
    russian_table = _caption(section, "Пути в обзоре").find_next("table")
    english_table = _caption(
        soup.find("div", attrs={"data-notebook": "00_summary", "class": "chapter"}), "Pathways at a glance"
    ).find_next("table")

    def fees(table) -> list[str]:
        return [re.sub(r"\D", "", row.find_all("td")[3].get_text().split(";")[0]) for row in table.find_all("tr")[1:]]

    assert fees(russian_table) == fees(english_table), "the same numbers in both languages"


def test_synthetic_offices_are_invented():
    """The example extract's offices are invented: no office label names a place of the configuration."""
    values = pd.read_csv(REPO / "data/raw/processing_times_values.csv")
    offices = values[values["field"] == "office"]["label_en"].tolist()
    real = set(config.get("procedures.locations").values()) | set(config.get("consultations.regions").values())
    assert offices and not any(place.split()[0] in office for office in offices for place in real)
