"""The annexes reach Word and PDF: pandoc reads only <main> when a document has one."""

from __future__ import annotations

import subprocess

from analysis.engine.assemble import documents as assemble

DOC = """<html><body><main id="report-body"><h1>Chapter</h1><p>Body text.</p></main>
<section id="report-annexes"><h1>Annexes</h1><p>Annex text.</p></section></body></html>"""


def test_annexes_survive_the_conversion_for_pandoc():
    prepared = assemble.html_for_pandoc(DOC)
    assert "<main" not in prepared
    markdown = subprocess.run(
        [assemble._pandoc(), "-f", "html", "-t", "plain"], input=prepared, text=True, capture_output=True, check=True
    ).stdout
    assert "Body text." in markdown and "Annex text." in markdown
