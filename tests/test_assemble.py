"""Report assembly: numbering of chapters, annexes, figures and tables; deterministic DOCX packing."""

import io
import zipfile

from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.engine import atomic
from analysis.engine.assemble import html as assemble

DOC = """<main id="report-body">
<h1>Introduction</h1><h2>Scope</h2><p class="caption table-caption"><strong>Table:</strong> A</p>
<h1>Legal framework</h1><h2>Acts</h2><h3>Laws</h3>
<figure><figcaption class="caption figure-caption"><strong>Figure:</strong> B</figcaption></figure>
<p class="caption table-caption"><strong>Table:</strong> C</p></main>
<section id="report-annexes"><h1 class="unnumbered">Annexes</h1><h1>Inventory</h1><h2>Acts</h2>
<p class="caption table-caption"><strong>Table:</strong> D</p></section>"""


def test_numbering():
    soup = BeautifulSoup(DOC, "html.parser")
    toc = assemble.number_document(soup).toc
    assert [(level, number, title) for level, _, number, title in toc] == [
        (1, "1", "Introduction"),
        (2, "1.1", "Scope"),
        (1, "2", "Legal framework"),
        (2, "2.1", "Acts"),
        (3, "2.1.1", "Laws"),
        (1, "Annex A", "Inventory"),
        (2, "A.1", "Acts"),
    ]
    captions = [s.get_text() for s in soup.select(".caption strong")]
    assert [c.span["id"] for c in soup.select(".caption")] == ["tbl-1-1", "fig-2-1", "tbl-2-1", "tbl-A-1"]
    assert captions == ["Table 1.1.", "Figure 2.1.", "Table 2.1.", "Table A.1."]
    assert soup.find("h1", id="annex-A").get_text() == "Annex A: Inventory"
    assert soup.find("h1", class_="unnumbered").get_text() == "Annexes"


def test_split_cells_moves_annex_and_drops_parameters():
    params = new_code_cell("stage = 'draft'")
    params.metadata["tags"] = ["parameters"]
    annex = new_markdown_cell("# Full inventory")
    annex.metadata["tags"] = ["annex"]
    silent = new_code_cell("x = 1")
    nb = new_notebook(cells=[params, new_markdown_cell("# Chapter"), silent, annex])
    body, annex_nb = assemble.split_cells(nb)
    assert [c.source for c in body.cells] == ["# Chapter"]
    assert [c.source for c in annex_nb.cells] == ["# Full inventory"]


def test_deterministic_zip_ignores_entry_times():
    def pack(when):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr(zipfile.ZipInfo("word/document.xml", date_time=when), "<w/>")
            z.writestr(zipfile.ZipInfo("[Content_Types].xml", date_time=when), "<t/>")
        return buffer.getvalue()

    a = atomic.deterministic_zip(pack((2020, 1, 1, 0, 0, 0)))
    b = atomic.deterministic_zip(pack((2026, 5, 5, 5, 5, 6)))
    assert a == b
    assert zipfile.ZipFile(io.BytesIO(a)).namelist()[0] == "[Content_Types].xml"


def test_only_what_a_reader_sees_reaches_the_report():
    """A value echoed by a cell's last line (a recorded Number's repr) or printed text is never shown."""
    echoed = new_code_cell("reg.record(...)")
    echoed.outputs = [
        {
            "output_type": "execute_result",
            "execution_count": 1,
            "metadata": {},
            "data": {"text/plain": "Number(id='validation.agree_share', value=71.9)"},
        },
        {"output_type": "stream", "name": "stdout", "text": "debug\n"},
    ]
    shown = new_code_cell("report.table(...)")
    shown.outputs = [
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {"text/html": "<table></table>", "text/plain": "<HTML>"},
        }
    ]
    front = new_markdown_cell("The opinions expressed …")
    front.metadata["tags"] = ["front-matter"]
    nb = new_notebook(cells=[echoed, shown, front])
    body, _ = assemble.split_cells(nb)
    assert len(body.cells) == 1 and body.cells[0].outputs[0]["data"]["text/html"] == "<table></table>"
    assert [c.source for c in assemble.front_cells(nb).cells] == ["The opinions expressed …"]


def test_tagged_finds_classes_parsed_and_set_by_the_assembly():
    """`tagged` is the CSS selector `name.class`: it must also find a tag the assembly made, whose class is
    one string rather than a parsed list, and keep document order."""
    from analysis.engine.assemble.common import tagged, text_nodes

    soup = BeautifulSoup(
        '<div class="a b"><p class="x">one</p><code>skip</code></div><p class="y">two</p>', "html.parser"
    )
    soup.div.append(soup.new_tag("p", attrs={"class": "x z"}))
    assert [t.get_text() for t in tagged(soup, "p", "x", "y")] == ["one", "", "two"]
    assert tagged(soup, "div", "b") == [soup.div]
    assert tagged(soup, "p", "nothing") == []
    assert [str(n) for n in text_nodes(soup)] == ["one", "two"]
