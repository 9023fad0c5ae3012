"""End to end: the report built from the example data, in its three formats, and reproducibility."""

import os
import re
import subprocess

import docx
import pytest
from conftest import REPO

pytestmark = pytest.mark.slow


def test_html_is_self_contained_and_complete(built_report):
    text = (built_report / "analysis.html").read_text(encoding="utf-8")
    # Nothing is fetched from the network: no remote scripts, styles, fonts or images.
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"(https?:)?//", text)
    assert "<script" not in text
    assert "DRAFT" in text and "Contents" in text and "Annex A" in text and "Reproducibility" in text
    first_page = text.split('<nav class="toc"')[0]
    assert "SYNTHETIC" in first_page, "a report built from synthetic data says so on its first page"
    assert "data:image/png;base64," in text
    assert re.search(r"Figure \d+\.\d+\.", text) and re.search(r"Table \d+\.\d+\.", text)
    assert str(REPO) not in text, "no absolute path of the build machine"


def test_docx_has_real_tables_images_and_styles(built_report):
    document = docx.Document(str(built_report / "analysis.docx"))
    assert len(document.tables) >= 5
    assert len(document.inline_shapes) >= 3
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert any(h.startswith("1 ") for h in headings)
    assert "DRAFT" in document.sections[0].header.paragraphs[0].text
    body = "\n".join(p.text for p in document.paragraphs[:15])
    assert "SYNTHETIC" in body


def test_pdf_has_cyrillic_text_and_the_notice_on_page_one(pdf_pages):
    first = pdf_pages[0]
    assert "DRAFT" in first and "SYNTHETIC" in first
    text = "".join(pdf_pages)
    assert re.search(r"[А-Яа-яЁё]{4,}", text), "Cyrillic survives into the PDF"


def test_bad_input_stops_the_build_with_a_located_message(tmp_path):
    """A broken raw workbook stops make with file/sheet/row/column, and leaves no stamp behind."""
    import shutil

    inputs = tmp_path / "in"
    shutil.copytree(REPO / "data" / "raw", inputs / "data" / "raw")
    for folder in ("notebooks", "config"):
        shutil.copytree(REPO / folder, inputs / folder)
    from openpyxl import load_workbook

    book = inputs / "data" / "raw" / "regulation_inventory.xlsx"
    wb = load_workbook(book)
    ws = wb["acts"]
    ws.cell(row=3, column=1).value = ws.cell(row=2, column=1).value  # duplicate act id
    wb.save(book)
    out = tmp_path / "out"
    env = dict(os.environ, ANALYSIS_PROJECT_ROOT=str(inputs), ANALYSIS_OUTPUT_ROOT=str(out))
    result = subprocess.run(
        [os.sys.executable, "-m", "analysis", "run", "10_legal_framework"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "regulation_inventory.xlsx, sheet 'acts', row 3, column" in result.stderr
    assert "duplicate" in result.stderr
    assert not (out / "reports" / "draft" / "notebooks" / "10_legal_framework.ipynb").exists()
    assert not (out / "data" / "processed").exists() or not list((out / "data" / "processed").rglob("*.csv"))
