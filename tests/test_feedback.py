"""Reviewers' comments from DOCX files written by pandoc, LibreOffice and a Word-style package.

The expected values below were read off the fixtures' sources in tests/fixtures/feedback/make_fixtures.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.chapters.findings import feedback
from analysis.engine.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "feedback"
PANDOC = FIXTURES / "pandoc_comments.docx"
LO_FROM_PANDOC = FIXTURES / "libreoffice_from_pandoc.docx"
LO_FROM_ODT = FIXTURES / "libreoffice_from_odt.docx"
WORD = FIXTURES / "word_style_handbuilt.docx"


def _by_author_text(frame: pd.DataFrame, start: str) -> pd.Series:
    match = frame[frame["text"].str.startswith(start)]
    assert len(match) == 1, f"expected one comment starting {start!r}, found {len(match)}"
    return match.iloc[0]


# ---------------------------------------------------------------- read_comments
@pytest.mark.parametrize("path", [PANDOC, LO_FROM_PANDOC], ids=["pandoc", "libreoffice"])
def test_pandoc_document_comments_read_the_same_after_a_libreoffice_round_trip(path):
    comments = feedback.read_comments(path)
    assert list(comments.columns) == feedback.COMMENT_COLUMNS
    assert comments["author"].tolist() == [
        "Aigul Reviewer",
        "Бакыт Асанов",
        "IOM Officer",
        "IOM Officer",
        "Aigul Reviewer",
    ]
    assert comments["date"].tolist() == [
        pd.Timestamp("2026-11-20 09:15"),
        pd.Timestamp("2026-11-21 14:30"),
        pd.Timestamp("2026-11-22 08:00"),
        pd.Timestamp("2026-11-22 08:05"),
        pd.Timestamp("2026-11-23 11:00"),
    ]
    first = _by_author_text(comments, "Please cite")
    assert first["anchor"] == "F-03: A work permit takes 30 working days on average."
    assert (first["section"], first["finding_id"]) == ("3.2 Work permits", "F-03")

    spanning = _by_author_text(comments, "Этот вывод")
    # a two-line Cyrillic comment on a passage that runs over two paragraphs
    assert spanning["text"] == "Этот вывод охватывает два абзаца.\nПроверьте срок."
    assert spanning["anchor"] == (
        "Регистрация по месту пребывания занимает пять дней.\nВторой абзац с выводом F-04 продолжается здесь."
    )
    assert spanning["finding_id"] == "F-04"

    recommendation = _by_author_text(comments, "Unclear who")
    # empty passage: the id comes from the paragraph the comment sits in
    assert (recommendation["anchor"], recommendation["section"], recommendation["finding_id"]) == (
        "",
        "3.3 Study",
        "R-02",
    )

    in_table = _by_author_text(comments, "Source?")
    # the finding id is in the other cell of the table row
    assert (in_table["anchor"], in_table["finding_id"]) == ("Students register within 30 days.", "F-05")


def test_pandoc_reply_is_linked_to_its_parent_and_inherits_its_finding():
    comments = feedback.read_comments(PANDOC).set_index("comment_id")
    assert comments.loc["3", "parent_id"] == "1"
    assert comments.loc["3", "finding_id"] == "F-03"
    assert comments["parent_id"].isna().sum() == 4
    assert comments["resolved"].isna().all()  # pandoc stores no resolved state: unknown, not False


def test_libreoffice_stores_resolved_and_multi_paragraph_comments_but_no_thread():
    comments = feedback.read_comments(LO_FROM_ODT)
    assert comments["author"].tolist() == ["Aigul Reviewer", "IOM Officer", "Бакыт Асанов"]
    assert comments["initials"].tolist()[0] == "AR"
    assert comments["text"].tolist()[0] == "Первый абзац замечания.\nSecond paragraph of the remark."
    assert comments["anchor"].tolist()[0] == (
        "F-01: Registration is due within five working days.\nIt continues in a second paragraph."
    )
    assert comments["resolved"].tolist() == [False, False, True]
    assert comments["section"].tolist() == ["2.1 Registration"] * 3
    assert comments["finding_id"].tolist() == ["F-01", "F-01", "R-01"]
    assert comments["parent_id"].isna().all()  # LibreOffice 7.4 drops the reply link on DOCX export


def test_word_style_thread_done_flag_and_utc_date_fallback():
    comments = feedback.read_comments(WORD).set_index("comment_id")
    assert comments["parent_id"].to_dict() == {"0": None, "1": "0", "2": "0", "3": None}
    # done="1" on the thread's first comment resolves the whole thread
    assert comments["resolved"].to_dict() == {"0": True, "1": True, "2": True, "3": False}
    assert (
        comments.loc["0", "text"] == "Which year do the 140 cases cover?\nPlease add the period to the table caption."
    )
    assert comments.loc["0", "anchor"] == "F-07: The median work permit takes 21 working days"
    assert comments.loc["0", "section"] == "4.1 Work permits"
    # comment 3 has no w:date; commentsIds + commentsExtensible give its UTC date
    assert comments.loc["3", "date"] == pd.Timestamp("2026-11-23 07:20")
    assert comments.loc["3", "anchor"] == "Публиковать сроки регистрации\nна сайте ведомства."
    assert (comments.loc["3", "section"], comments.loc["3", "finding_id"]) == ("4.2 Student registration", "R-03")
    assert comments.loc["3", "initials"] == "БА"


def test_a_file_that_is_not_a_docx_is_an_input_error(tmp_path):
    bad = tmp_path / "notes.docx"
    bad.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="notes.docx: expected a Word document"):
        feedback.read_comments(bad)


# ---------------------------------------------------------------- import and log
@pytest.fixture
def project(tmp_path, monkeypatch):
    """A scratch repository: data/raw/feedback with two reviewed files, the log beside it."""
    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(tmp_path))
    monkeypatch.setenv("ANALYSIS_OUTPUT_ROOT", str(tmp_path))
    monkeypatch.setenv("ANALYSIS_CONFIG", str(Path(__file__).parents[1] / "config" / "corridor.yaml"))
    inbox = tmp_path / "data" / "raw" / "feedback"
    inbox.mkdir(parents=True)
    shutil.copy(WORD, inbox / "draft_iom.docx")
    shutil.copy(LO_FROM_ODT, inbox / "draft_partner.docx")
    return tmp_path


LOG = "data/feedback/feedback_log.xlsx"


def test_import_twice_adds_nothing_twice(project, capsys):
    first = feedback.import_feedback("data/raw/feedback", LOG)
    assert (first.files, first.new, first.known, first.total) == (2, 7, 0, 7)
    assert "7 new comment(s), 0 already in the log" in capsys.readouterr().out
    second = feedback.import_feedback("data/raw/feedback", LOG)
    assert (second.new, second.known, second.total, second.written) == (0, 7, 7, False)
    log = feedback.read_log(LOG)
    assert log["comment_key"].is_unique and len(log) == 7
    assert list(log.columns) == feedback.LOG_COLUMNS + ["_row"]
    assert set(log["status"]) == {"open"}
    assert log["_row"].tolist() == list(range(2, 9))


def test_replies_get_their_parents_key_and_the_log_keeps_types(project):
    feedback.import_feedback("data/raw/feedback", LOG, echo=False)
    log = feedback.read_log(LOG)
    iom = log[log["source_file"] == "draft_iom.docx"].set_index("comment_id")
    assert iom.loc["1", "parent_key"] == iom.loc["0", "comment_key"]
    assert iom.loc["2", "parent_key"] == iom.loc["0", "comment_key"]
    assert pd.isna(iom.loc["0", "parent_key"])
    assert iom.loc["0", "date"] == pd.Timestamp("2026-11-20 09:00")
    assert iom["resolved"].tolist() == [True, True, True, False]
    assert iom.loc["3", "text"] == "Кто отвечает за сайт?"
    partner = log[log["source_file"] == "draft_partner.docx"]
    assert partner["finding_id"].tolist() == ["F-01", "F-01", "R-01"]


def test_reimport_keeps_what_the_consultant_wrote(project):
    feedback.import_feedback("data/raw/feedback", LOG, echo=False)
    path = project / LOG
    wb = load_workbook(path)
    ws = wb[feedback.LOG_SHEET]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in header}
    ws.cell(2, col["response"]).value = "Period added to the caption of table 4.2."
    ws.cell(2, col["status"]).value = "accepted"
    ws.cell(2, col["responded_by"]).value = "Consultant"
    ws.cell(2, col["section"]).value = "section typed by hand"  # a machine column: refreshed from the DOCX
    ws.cell(5, col["finding_id"]).value = "F-09"  # the DOCX gives R-03 here: the DOCX wins
    ws.cell(1, len(header) + 1).value = "note"  # a column the consultant added survives too
    ws.cell(3, len(header) + 1).value = "ask IOM"
    wb.save(path)
    key = ws.cell(2, col["comment_key"]).value

    shutil.copy(PANDOC, project / "data/raw/feedback/draft_ministry.docx")
    summary = feedback.import_feedback("data/raw/feedback", LOG, echo=False)
    # threads still to answer: 2 (Word file, replies excluded) + 3 (LibreOffice) + 4 (pandoc) - 1 answered
    assert (summary.new, summary.known, summary.total, summary.open) == (5, 7, 12, 8)

    log = feedback.read_log(LOG).set_index("comment_key")
    assert log.loc[key, "response"] == "Period added to the caption of table 4.2."
    assert log.loc[key, "status"] == "accepted"
    assert log.loc[key, "responded_by"] == "Consultant"
    assert log.loc[key, "section"] == "4.1 Work permits"
    assert load_workbook(path)[feedback.LOG_SHEET].cell(3, len(header) + 1).value == "ask IOM"
    rows = feedback.read_log(LOG)
    assert rows.loc[rows["_row"] == 5, "finding_id"].item() == "R-03"


def test_read_log_names_the_row_of_a_bad_status_and_of_an_orphan_reply(project):
    feedback.import_feedback("data/raw/feedback", LOG, echo=False)
    path = project / LOG
    wb = load_workbook(path)
    ws = wb[feedback.LOG_SHEET]
    header = [c.value for c in ws[1]]
    ws.cell(4, header.index("status") + 1).value = "done"
    ws.cell(6, header.index("parent_key") + 1).value = "0000000000000000"
    wb.save(path)
    with pytest.raises(InputError) as error:
        feedback.read_log(LOG)
    messages = [p.message() for p in error.value.problems]
    assert messages == [
        "data/feedback/feedback_log.xlsx, sheet 'feedback_log', row 4, column 'status': expected one of: "
        "open, accepted, partly accepted, rejected, noted; found 'done'",
        "data/feedback/feedback_log.xlsx, sheet 'feedback_log', row 6, column 'parent_key': expected the id of "
        "an existing comment (comment_key) in this log; found '0000000000000000'",
    ]


def test_the_log_offers_the_status_vocabulary_as_a_drop_down(project):
    feedback.import_feedback("data/raw/feedback", LOG, echo=False)
    ws = load_workbook(project / LOG)[feedback.LOG_SHEET]
    (validation,) = ws.data_validations.dataValidation
    assert validation.formula1 == '"open,accepted,partly accepted,rejected,noted"'
    assert str(validation.sqref).startswith("M2:M")


def test_comment_key_depends_on_file_author_date_text_and_passage():
    base = feedback.comment_key("a.docx", "X", pd.Timestamp("2026-11-20 09:00"), "text", "passage")
    assert len(base) == 16
    assert base == feedback.comment_key("a.docx", "X", pd.Timestamp("2026-11-20 09:00"), "text", "passage")
    variants = {
        feedback.comment_key("b.docx", "X", pd.Timestamp("2026-11-20 09:00"), "text", "passage"),
        feedback.comment_key("a.docx", "Y", pd.Timestamp("2026-11-20 09:00"), "text", "passage"),
        feedback.comment_key("a.docx", "X", pd.Timestamp("2026-11-20 09:01"), "text", "passage"),
        feedback.comment_key("a.docx", "X", pd.Timestamp("2026-11-20 09:00"), "text!", "passage"),
        feedback.comment_key("a.docx", "X", pd.Timestamp("2026-11-20 09:00"), "text", "other"),
        feedback.comment_key("a.docx", "X", pd.Timestamp("2026-11-20 09:00"), "text", "passage", occurrence=1),
    }
    assert base not in variants and len(variants) == 6


def test_command_line_import(project, capsys):
    assert feedback.main(["import"]) == 0
    assert "2 file(s) read; 7 new comment(s)" in capsys.readouterr().out
    assert (project / LOG).exists()


def test_command_line_without_files_says_where_to_put_them(project, capsys):
    for path in (project / "data/raw/feedback").iterdir():
        path.unlink()
    assert feedback.main(["import"]) == 0
    assert "no .docx files in data/raw/feedback/" in capsys.readouterr().err
    assert not (project / LOG).exists()


# ---------------------------------------------------------------- document walk on hand-written XML
NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
)


def test_localised_heading_styles_are_found_by_name_outline_level_or_inheritance():
    from lxml import etree

    styles = etree.fromstring(
        f"<w:styles {NS}>"
        '<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/></w:style>'  # Russian Word
        '<w:style w:type="paragraph" w:styleId="Zagolovok"><w:name w:val="Заголовок"/>'
        '<w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="MyHeading"><w:name w:val="My heading"/><w:basedOn w:val="Zagolovok"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Heading"><w:name w:val="Heading"/></w:style>'  # LibreOffice's base
        '<w:style w:type="character" w:styleId="Heading1Char"><w:name w:val="heading 1"/></w:style>'
        "</w:styles>"
    )
    assert feedback._heading_styles(styles) == {"1": 1, "Zagolovok": 2, "MyHeading": 2}


def test_walk_skips_fallback_copies_and_ends_a_range_between_paragraphs():
    from lxml import etree

    document = etree.fromstring(
        f"<w:document {NS}><w:body>"
        '<w:p><w:pPr><w:pStyle w:val="1"/></w:pPr><w:r><w:t>5 Benchmark</w:t></w:r></w:p>'
        '<w:commentRangeStart w:id="7"/>'
        "<w:p><w:r><w:t>F-11: one</w:t></w:r>"
        "<mc:AlternateContent><mc:Choice><w:r><w:t> box</w:t></w:r></mc:Choice>"
        "<mc:Fallback><w:r><w:t> box</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>"
        "<w:p><w:r><w:t>two</w:t><w:tab/><w:t>cols</w:t></w:r><w:r><w:delText>gone</w:delText></w:r></w:p>"
        '<w:commentRangeEnd w:id="7"/>'
        "<w:p><w:r><w:t>F-12 after</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    paragraphs, marks, anchors = feedback._walk_document(document, {"1": 1})
    assert [p.text for p in paragraphs] == ["5 Benchmark", "F-11: one box", "two\tcols", "F-12 after"]
    assert [p.heading for p in paragraphs] == ["5 Benchmark"] * 4
    assert (marks["7"].start, marks["7"].end) == (1, 2)
    assert anchors["7"] == "F-11: one box\ntwo\tcols"


# ---------------------------------------------------------------- synthetic reviewed draft
def _mini_draft(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("6 Findings", level=1)
    document.add_heading("6.1 Work", level=2)
    for n in range(1, 5):
        document.add_paragraph(f"F-0{n}: statement number {n} about work permits and registration deadlines.")
    document.add_heading("6.2 Recommendations", level=2)
    document.add_paragraph("R-01: publish every procedure with its deadline and fee on one official page.")
    document.save(path)
    return path


def test_synthetic_reviewed_copy_is_deterministic_and_reads_back(tmp_path):
    from analysis.examples import feedback as synthetic_feedback

    draft = _mini_draft(tmp_path / "draft.docx")
    copy = synthetic_feedback.reviewed_copy(draft)
    assert copy == synthetic_feedback.reviewed_copy(draft)
    (tmp_path / "reviewed.docx").write_bytes(copy)
    comments = feedback.read_comments(tmp_path / "reviewed.docx").set_index("comment_id")
    assert len(comments) == 5
    assert comments.loc["1", "parent_id"] == "0"
    assert comments["resolved"].tolist() == [False, False, False, False, True]
    assert comments.loc["2", "anchor"].count("\n") == 1  # over two paragraphs
    assert comments.loc["2", "text"].startswith("Уточните")
    assert comments.loc["0", "finding_id"] == comments.loc["1", "finding_id"]
    assert comments.loc["0", "finding_id"].startswith("F-0")
    assert comments.loc["4", "section"] == "6.2 Recommendations"
    assert comments.loc["4", "finding_id"] == "R-01"
    assert comments.loc["0", "date"] == pd.Timestamp("2026-12-01 10:00")


def test_a_finding_id_filled_by_hand_survives_when_the_docx_gives_none(project):
    shutil.copy(LO_FROM_PANDOC, project / "data/raw/feedback/draft_ministry.docx")
    feedback.import_feedback("data/raw/feedback", LOG, echo=False)
    path = project / LOG
    wb = load_workbook(path)
    ws = wb[feedback.LOG_SHEET]
    header = [c.value for c in ws[1]]
    (row,) = [
        r
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, header.index("text") + 1).value == "Agreed, and add the 2024 amendment."
    ]
    assert ws.cell(row, header.index("finding_id") + 1).value is None  # LibreOffice lost the reply link
    ws.cell(row, header.index("finding_id") + 1).value = "F-03"
    wb.save(path)
    assert feedback.import_feedback("data/raw/feedback", LOG, echo=False).written is False
    log = feedback.read_log(LOG)
    assert log.loc[log["_row"] == row, "finding_id"].item() == "F-03"


def test_a_broken_file_stops_the_import_before_the_log_is_written(project):
    (project / "data/raw/feedback/broken.docx").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(InputError, match="data/raw/feedback/broken.docx: expected a Word document"):
        feedback.import_feedback("data/raw/feedback", LOG, echo=False)
    assert not (project / LOG).exists()
