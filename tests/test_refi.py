"""REFI-QDA: an exported project imports back to the same tables; hand-made files in older variants import."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from analysis.chapters import consultations
from analysis.chapters.consultations import refi
from analysis.engine.errors import InputError
from analysis.examples import consultations as synthetic_consultations


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    folder = tmp_path_factory.mktemp("consultations")
    synthetic_consultations.write(out=str(folder), key=str(folder / "key.csv"))
    return consultations.read_folder(folder)


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    left = left.drop(columns="_row").sort_values(list(left.columns[1:2])).reset_index(drop=True)
    right = right.drop(columns="_row").sort_values(list(right.columns[1:2])).reset_index(drop=True)
    left = left.sort_values(left.columns[0]).reset_index(drop=True)
    right = right.sort_values(right.columns[0]).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_round_trip_of_an_exported_project(example, tmp_path):
    refi.export_project(example, tmp_path / "p.qdpx")
    back = refi.import_project(tmp_path / "p.qdpx")
    for name in ("respondents", "sessions", "codebook", "segments"):
        _same(getattr(example, name), getattr(back, name))
    assert back.plan.empty


def test_export_is_deterministic_and_follows_the_conventions(example, tmp_path):
    first = refi.export_project(example, tmp_path / "a.qdpx").read_bytes()
    second = refi.export_project(example, tmp_path / "b.qdpx").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a.qdpx") as archive:
        names = archive.namelist()
        xml = archive.read("project.qde").decode("utf-8")
    assert "project.qde" in names and all(n == "project.qde" or n.startswith("sources/") for n in names)
    assert 'xmlns="urn:QDA-XML:project:1.0"' in xml and "richTextPath" not in xml
    # children of Project in the order the schema requires
    order = [xml.index(f"<{tag}>") for tag in ("Users", "CodeBook", "Variables", "Cases", "Sources")]
    assert order == sorted(order)


def test_codebook_round_trip(example, tmp_path):
    refi.export_codebook(example.codebook, tmp_path / "c.qdc")
    back = refi.import_codebook(tmp_path / "c.qdc").drop(columns="guid")
    _same(example.codebook.fillna(""), back)


OLD_CODEBOOK = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:0:4" origin="ATLAS.ti 9.0">
  <Codes>
    <Code guid="{8A5E1F2C-0000-4A4B-9C9D-0123456789AB}" name="Registration burden" isCodable="true">
      <Description>Obligations to register the stay.</Description>
      <Code guid="{8A5E1F2C-0000-4A4B-9C9D-0123456789AC}" name="Registration deadline" isCodable="true"/>
    </Code>
    <Code guid="{8A5E1F2C-0000-4A4B-9C9D-0123456789AD}" name="Registration burden" isCodable="true"/>
  </Codes>
  <Sets><Set guid="{8A5E1F2C-0000-4A4B-9C9D-0123456789AE}" name="group"><MemberCode guid="{8A5E1F2C-0000-4A4B-9C9D-0123456789AB}"/></Set></Sets>
</CodeBook>
"""


def test_older_codebook_namespace_with_braced_upper_case_guids(tmp_path):
    (tmp_path / "old.qdc").write_text(OLD_CODEBOOK, encoding="utf-8")
    codes = refi.import_codebook(tmp_path / "old.qdc")
    assert list(codes["code_id"]) == ["REGISTRATION_BURDEN", "REGISTRATION_DEADLINE", "REGISTRATION_BURDEN_2"]
    assert list(codes["parent_id"]) == ["", "REGISTRATION_BURDEN", ""]
    assert codes.loc[0, "definition"] == "Obligations to register the stay."
    assert codes.loc[1, "guid"] == "8a5e1f2c-0000-4a4b-9c9d-0123456789ac"


OLD_PROJECT = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:0:4" name="hand-made">
  <Users><User guid="{AAAAAAAA-0000-0000-0000-000000000001}" name="Coder One"/></Users>
  <CodeBook><Codes>
    <Code guid="{BBBBBBBB-0000-0000-0000-000000000001}" name="Registration burden" isCodable="false">
      <Code guid="{BBBBBBBB-0000-0000-0000-000000000002}" name="Registration deadline" isCodable="true">
        <Description>Too little time to register.</Description></Code>
    </Code>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="{CCCCCCCC-0000-0000-0000-000000000001}" name="stakeholder_group" typeOfVariable="Text"/>
    <Variable guid="{CCCCCCCC-0000-0000-0000-000000000002}" name="sex" typeOfVariable="Text"/>
    <Variable guid="{CCCCCCCC-0000-0000-0000-000000000003}" name="region" typeOfVariable="Text"/>
    <Variable guid="{CCCCCCCC-0000-0000-0000-000000000004}" name="interview_language" typeOfVariable="Text"/>
    <Variable guid="{CCCCCCCC-0000-0000-0000-000000000005}" name="consent_to_quote" typeOfVariable="Boolean"/>
    <Variable guid="{CCCCCCCC-0000-0000-0000-000000000006}" name="session_type" typeOfVariable="Text"/>
    <Variable guid="{CCCCCCCC-0000-0000-0000-000000000007}" name="date" typeOfVariable="DateTime"/>
    <Variable guid="{CCCCCCCC-0000-0000-0000-000000000008}" name="mode" typeOfVariable="Text"/>
  </Variables>
  <Cases>
    <Case guid="{DDDDDDDD-0000-0000-0000-000000000001}" name="R-01">
      <VariableValue><VariableRef targetGUID="{cccccccc-0000-0000-0000-000000000001}"/><TextValue>migrant_or_student</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{CCCCCCCC-0000-0000-0000-000000000002}"/><TextValue>female</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{CCCCCCCC-0000-0000-0000-000000000003}"/><TextValue>batken</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{CCCCCCCC-0000-0000-0000-000000000004}"/><TextValue>uz</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{CCCCCCCC-0000-0000-0000-000000000005}"/><BooleanValue>true</BooleanValue></VariableValue>
      <SourceRef targetGUID="{EEEEEEEE-0000-0000-0000-000000000001}"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{EEEEEEEE-0000-0000-0000-000000000001}" name="Interview Batken">
      <PlainTextContent>Здравствуйте.
Пять дней на регистрацию — мало.</PlainTextContent>
      <PlainTextSelection guid="{FFFFFFFF-0000-0000-0000-000000000001}" name="sel1" startPosition="14" endPosition="46" creatingUser="{AAAAAAAA-0000-0000-0000-000000000001}">
        <Coding guid="{99999999-0000-0000-0000-000000000001}" creatingUser="{AAAAAAAA-0000-0000-0000-000000000001}">
          <CodeRef targetGUID="{bbbbbbbb-0000-0000-0000-000000000002}"/></Coding>
      </PlainTextSelection>
      <VariableValue><VariableRef targetGUID="{CCCCCCCC-0000-0000-0000-000000000006}"/><TextValue>interview</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{CCCCCCCC-0000-0000-0000-000000000007}"/><DateTimeValue>2026-10-05T10:00:00Z</DateTimeValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{CCCCCCCC-0000-0000-0000-000000000008}"/><TextValue>in_person</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{CCCCCCCC-0000-0000-0000-000000000003}"/><TextValue>batken</TextValue></VariableValue>
    </TextSource>
  </Sources>
</Project>
"""


def test_hand_made_project_in_the_older_namespace(tmp_path):
    with zipfile.ZipFile(tmp_path / "old.qdpx", "w") as archive:
        archive.writestr("project.qde", OLD_PROJECT)
        archive.writestr("Sources/", "")
    data = refi.import_project(tmp_path / "old.qdpx")
    segment = data.segments.iloc[0]
    assert segment["code_id"] == "REGISTRATION_DEADLINE"
    assert segment["excerpt"] == "Пять дней на регистрацию — мало."
    assert segment["position"] == 2 and segment["coder"] == "Coder One"
    assert segment["respondent_id"] == "R-01"  # the only case linked to the source speaks
    person = data.respondents.iloc[0]
    assert (person["stakeholder_group"], person["sex"], bool(person["consent_to_quote"])) == ("migrant_or_student", "female", True)
    session = data.sessions.iloc[0]
    assert session["session_id"] == "Interview Batken" and session["paragraphs"] == 2
    assert session["date"] == pd.Timestamp("2026-10-05") and session["primary_coder"] == "Coder One"
    assert data.codebook.loc[1, "definition"] == "Too little time to register."


def test_internal_file_in_a_capitalised_sources_folder(tmp_path):
    xml = OLD_PROJECT.replace(
        "<PlainTextContent>Здравствуйте.\nПять дней на регистрацию — мало.</PlainTextContent>", "").replace(
        'name="Interview Batken"', 'name="Interview Batken" plainTextPath="internal://EEEEEEEE.txt"').replace(
        'startPosition="14" endPosition="46"', 'startPosition="15" endPosition="47"')  # CRLF counted
    with zipfile.ZipFile(tmp_path / "caps.qdpx", "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr("Sources/EEEEEEEE.txt", "Здравствуйте.\r\nПять дней на регистрацию — мало.".encode("utf-8"))
    assert refi.import_project(tmp_path / "caps.qdpx").segments.iloc[0]["excerpt"] == "Пять дней на регистрацию — мало."


def test_foreign_namespace_is_refused(tmp_path):
    (tmp_path / "x.qdc").write_text('<CodeBook xmlns="urn:other:1.0"><Codes/></CodeBook>', encoding="utf-8")
    with pytest.raises(InputError, match="QDA-XML"):
        refi.import_codebook(tmp_path / "x.qdc")


def test_coding_that_points_to_no_code_is_an_input_error(tmp_path):
    xml = OLD_PROJECT.replace('<CodeRef targetGUID="{bbbbbbbb-0000-0000-0000-000000000002}"/>',
                              '<CodeRef targetGUID="{12345678-0000-0000-0000-000000000000}"/>')
    with zipfile.ZipFile(tmp_path / "bad.qdpx", "w") as archive:
        archive.writestr("project.qde", xml)
    with pytest.raises(InputError, match="code in the codebook"):
        refi.import_project(tmp_path / "bad.qdpx")


def test_notebook_reader_accepts_a_project_file(example, tmp_path):
    refi.export_project(example, tmp_path / "p.qdpx")
    data = consultations.read(tmp_path / "p.qdpx")
    assert len(data.segments) == len(example.segments) and data.plan.empty
    assert consultations.coverage(data)["planned"].sum() == 0


def test_text_of_a_pdf_source_is_read_from_its_representation(tmp_path):
    xml = OLD_PROJECT.replace('<TextSource guid="{EEEEEEEE-0000-0000-0000-000000000001}" name="Interview Batken">',
                              '<PDFSource guid="{EEEEEEEE-0000-0000-0000-0000000000FF}" name="Interview Batken" '
                              'path="internal://x.pdf"><Representation guid="{EEEEEEEE-0000-0000-0000-000000000001}">'
                              ).replace("</TextSource>", "</Representation></PDFSource>")
    with zipfile.ZipFile(tmp_path / "pdf.qdpx", "w") as archive:
        archive.writestr("project.qde", xml)
    data = refi.import_project(tmp_path / "pdf.qdpx")
    assert data.sessions.iloc[0]["session_id"] == "Interview Batken"
    assert data.segments.iloc[0]["excerpt"] == "Пять дней на регистрацию — мало."


def test_utf16_offsets_for_nvivo_beyond_the_basic_plane():
    text = "Ок 👍 регистрация"
    assert refi.to_utf16(text, 5) == 6 and refi.from_utf16(text, 6) == 5
    assert refi.to_utf16("Кыргызстан", 4) == 4  # Cyrillic: both counts agree


def test_round_trip_with_utf16_offsets_and_an_emoji(example, tmp_path):
    segments = example.segments.copy()
    segments.loc[segments.index[0], "excerpt"] = "👍 " + segments.loc[segments.index[0], "excerpt"]
    same = (segments["session_id"] == segments.iloc[0]["session_id"]) & (segments["position"] == segments.iloc[0]["position"])
    segments.loc[same, "excerpt"] = segments.loc[segments.index[0], "excerpt"]
    data = consultations.Consultations(**{**example.__dict__, "segments": segments})
    refi.export_project(data, tmp_path / "nvivo.qdpx", offsets="utf16")
    back = refi.import_project(tmp_path / "nvivo.qdpx", offsets="utf16")
    _same(data.segments, back.segments)
    wrong = refi.import_project(tmp_path / "nvivo.qdpx")  # read as code points, the emoji shifts the text
    assert not wrong.segments["excerpt"].equals(back.segments["excerpt"])
