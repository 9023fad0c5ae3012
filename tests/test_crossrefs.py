"""Cross-references, numbering in IOM's order, and the wording of sources."""

import pytest
from bs4 import BeautifulSoup

from analysis.engine.assemble import crossrefs
from analysis.engine.assemble import html as assemble

DOC = """<main id="report-body">
<div class="chapter unnumbered-chapter" data-notebook="00_summary"><h1>Executive summary</h1>
<p>See [@tbl:times], [@Sec:40_processing_times], [@sec:deadlines] and [@annex:quality]; F-01 and R-01 answer.</p>
<p class="caption table-caption"><strong>Table:</strong> Pathways {#tbl:pathways}</p>
<table><tr><td>R-01</td></tr></table></div>
<div class="chapter" data-notebook="40_processing_times"><h1>How long procedures take</h1>
<h2>Against the deadlines {#sec:deadlines}</h2>
<p class="caption table-caption" data-label="times"><strong>Table:</strong> Times</p>
<p><strong>F-01.</strong> The finding.</p><table><tr><td>R-01</td><td>Publish.</td></tr></table>
<p>Source: the extract; data quality in Annex A.</p></div></main>
<section id="report-annexes"><h1 class="unnumbered part-title">Annexes</h1>
<div class="annex" data-notebook="40_processing_times"><h1>Data quality {#annex:quality}</h1></div></section>"""


def assembled(document=DOC):
    soup = BeautifulSoup(document, "html.parser")
    numbering = assemble.number_document(soup)
    crossrefs.resolve(soup, numbering.targets)
    chapters = [c for c in soup.select("#report-body > div.chapter") if "unnumbered-chapter" not in c["class"]]
    crossrefs.link_ids(soup, chapters)
    crossrefs.link_annexes(soup, numbering.annex_letters)
    return soup, numbering


def test_the_unnumbered_summary_comes_first_and_chapters_count_from_one():
    soup, numbering = assembled()
    assert [(level, number, title) for level, _, number, title in numbering.toc] == [
        (1, "", "Executive summary"),
        (1, "1", "How long procedures take"),
        (2, "1.1", "Against the deadlines"),
        (1, "Annex A", "Data quality"),
    ]
    assert [s.get_text() for s in soup.select(".caption strong")] == ["Table 1.", "Table 1.1."]
    assert "{#" not in soup.get_text()


def test_references_become_links_with_numbers():
    soup, _ = assembled()
    links = {a.get_text(): a["href"] for a in soup.select("#report-body p a.xref")}
    assert links["Table 1.1"] == "#tbl-1-1" and soup.find(id="tbl-1-1") is not None
    assert links["Chapter 1"] == "#sec-1"  # [@Sec:…] capitalises, a notebook names its chapter
    assert links["section 1.1"] == "#sec-1-1" and links["Annex A"] == "#annex-A"


def test_findings_and_recommendations_link_to_where_a_numbered_chapter_states_them():
    soup, _ = assembled()
    summary = soup.find(attrs={"data-notebook": "00_summary"})
    assert [a["href"] for a in summary.find("p").select("a.xref") if a.get_text() in ("F-01", "R-01")] == [
        "#id-F-01",
        "#id-R-01",
    ]
    assert soup.find(id="id-F-01").find_parent("strong") is not None
    assert (
        soup.find(id="id-R-01").find_parent("td").find_parent(attrs={"data-notebook": True})["data-notebook"]
        == "40_processing_times"
    )
    assert summary.find("td").find("a")["href"] == "#id-R-01"


def test_an_unknown_label_names_the_cell():
    document = (
        DOC.replace("[@tbl:times]", "[@tbl:missing]")
        .replace("<p>See", '<div id="cell-id=purpose"><p>See')
        .replace("answer.</p>", "answer.</p></div>")
    )
    with pytest.raises(crossrefs.CrossReferenceError, match=r"00_summary.ipynb, cell 'purpose'.*\{#tbl:missing\}"):
        assembled(document)
