"""Citations: footnotes in the text, reference numbers in tables, the References list, unknown ids."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analysis.engine.assemble import citations, documents

FIXTURE = Path(__file__).parent / "fixtures" / "citations"
DOC = """<html><body><main id="report-body">
<div class="chapter" data-notebook="10_legal_framework">
<div id="cell-id=registration"><p>Register within five working days[@G01-REG-DEADLINE]; the law sets the
frame[@L03; @G07-SINGLE-PERMIT].</p></div>
<div id="cell-id=table"><table><tr><td>Registration</td><td>[#G01-REG-DEADLINE]</td></tr></table></div>
</div>
<div class="chapter" data-notebook="20_procedures"><div id="cell-id=steps"><p>Again[@L03].</p>
<p><code>[@NOT-A-CITATION]</code></p></div></div>
</main></body></html>"""


@pytest.fixture
def library() -> citations.Library:
    return citations.Library.load(FIXTURE / "citations.csv", FIXTURE / "sources.csv")


def resolved(library, document=DOC):
    soup = BeautifulSoup(document, "html.parser")
    result = citations.resolve(soup, library)
    return soup, result


def test_citations_become_numbered_notes_at_the_end_of_their_chapter(library):
    soup, result = resolved(library)
    refs = soup.select("a.footnote-ref")
    assert [r.get_text() for r in refs] == ["1", "2", "3"]
    assert refs[0]["href"] == "#fn-1" and refs[0]["title"] == "Res. No. 689 of 2016, item 5"
    first, second = soup.select('[data-notebook="10_legal_framework"] section.footnotes li')
    assert first["id"] == "fn-1" and "Resolution No. 689 of 30 December 2016, item 5 [1; 2]." in first.get_text()
    # two facts in one note, each followed by its sources' numbers
    assert "External Labour Migration [3]; Cabinet of Ministers Resolution" in second.get_text()
    later = soup.select('[data-notebook="20_procedures"] section.footnotes ol')[0]
    assert later["start"] == "3" and "External Labour Migration [3]" in later.get_text()
    assert "[@" not in soup.find(id="report-body").get_text().replace("[@NOT-A-CITATION]", "")


def test_table_markers_give_reference_numbers_without_a_note(library):
    soup, result = resolved(library)
    cell = soup.find("table").find_all("td")[1]
    assert cell.get_text() == "[1; 2]" and not cell.find("sup")
    assert [a["href"] for a in cell.find_all("a")] == ["#ref-1", "#ref-2"]
    assert soup.find("code").get_text() == "[@NOT-A-CITATION]", "code is never rewritten"


def test_references_list_holds_the_cited_sources_in_order_of_first_citation(library):
    soup, result = resolved(library)
    assert result.cited == ["S-CBD-689", "S-UZMFA-2018", "S-CBD-1780", "S-CIS-163636"]
    listing = BeautifulSoup(citations.references_html(result, library), "html.parser")
    items = listing.select("ol.references li")
    assert [i.span["id"] for i in items] == ["ref-1", "ref-2", "ref-3", "ref-4"]
    assert items[0].get_text() == (
        "Положение о регистрации иностранных граждан [Regulation on the registration of "
        "foreign citizens]. Ministry of Justice (legal database), 30 December 2016. "
        "http://cbd.minjust.gov.kg/act/view/ru-ru/99999. Checked on 1 December 2026."
    )


def test_an_unknown_id_stops_the_build_naming_notebook_and_cell(library):
    document = DOC.replace("[@L03].", "[@L99; @L03].")
    with pytest.raises(citations.CitationError) as caught:
        resolved(library, document)
    assert "20_procedures.ipynb, cell 'steps': unknown citation [@L99]" in str(caught.value)


def test_without_the_tables_a_citation_says_which_file_is_missing(tmp_path):
    empty = citations.Library.load(tmp_path / "citations.csv", tmp_path / "sources.csv")
    with pytest.raises(citations.CitationError, match="citation tables are missing"):
        resolved(empty)
    soup, result = resolved(empty, "<p>No citation here.</p>")
    assert result.cited == []


def test_a_fact_citing_an_unknown_source_is_an_input_error(tmp_path):
    (tmp_path / "sources.csv").write_text("source_id,title,address\nS1,A,https://a.example\n", encoding="utf-8")
    (tmp_path / "citations.csv").write_text("fact_id,short,footnote,source_ids\nF1,s,f,S1;S2\n", encoding="utf-8")
    with pytest.raises(citations.InputError, match="row 2, column 'source_ids'.*S2"):
        citations.Library.load(tmp_path / "citations.csv", tmp_path / "sources.csv")


def test_notes_are_real_footnotes_in_word_and_typst(library, tmp_path):
    soup, result = resolved(library)
    soup.find("main").append(BeautifulSoup(citations.references_html(result, library), "html.parser"))
    prepared = documents.html_for_pandoc(str(soup))
    out = tmp_path / "out.docx"
    subprocess.run(
        [documents._pandoc(), "-f", "html", "-t", "docx", "-o", str(out)], input=prepared, text=True, check=True
    )
    with zipfile.ZipFile(out) as package:
        notes = package.read("word/footnotes.xml").decode()
        body = package.read("word/document.xml").decode()
    assert notes.count("<w:footnote ") >= 3 + 2  # three notes, plus Word's separator notes
    assert "Resolution No. 689 of 30 December 2016" in notes
    assert 'w:name="ref-1"' in body, "the References entries are bookmarks the notes link to"
    typst = subprocess.run(
        [documents._pandoc(), "-f", "html", "-t", "typst"], input=prepared, text=True, capture_output=True, check=True
    ).stdout
    assert typst.count("#footnote[") == 3
