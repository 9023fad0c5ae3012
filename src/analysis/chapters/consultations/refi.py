"""REFI-QDA exchange: codebooks (.qdc) and coded projects (.qdpx) of NVivo, ATLAS.ti, MAXQDA, QualCoder.

Import reads what real tools write: namespaces `urn:QDA-XML:project:1.0` and older ones such as
ATLAS.ti's `urn:QDA-XML:codebook:0:4`, GUIDs with or without braces in any case, a `sources` or
`Sources` folder, text inline (PlainTextContent) or as an internal file. Export writes the 1.0 format
with lower-case GUIDs and a lower-case `sources` folder (ATLAS.ti rejects a capitalised one), plain text
only (no richTextPath to a .txt, which ATLAS.ti refuses). Offsets are Unicode code points, zero-based
(`offsets="utf16"` converts for NVivo, which counts UTF-16 code units);
Cyrillic, Kyrgyz and Uzbek text lies in the Basic Multilingual Plane, where NVivo's UTF-16 count agrees.

Mapping to the consultation tables (docs/consultations.md): Code ↔ codebook row (definition,
inclusion, exclusion, example and code id kept as labelled lines of the Description); TextSource ↔
session (one paragraph per line; attributes as source variables); Case ↔ respondent (attributes as case
variables; SelectionRef says who speaks); PlainTextSelection + Coding ↔ segment; User ↔ coder.
"""

from __future__ import annotations

import io as _io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.chapters.consultations.data import TABLES, Consultations, check, columns
from analysis.engine import atomic, paths
from analysis.engine.errors import InputError, Problem
from analysis.engine.readers import ROW

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_GUID_NAMESPACE = uuid.UUID("6f0b1a5e-3c2d-4e8a-9b7c-1d2e3f405162")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same tables give the same bytes
_LABELS = (("definition", "Definition"), ("inclusion", "Inclusion"), ("exclusion", "Exclusion"),
           ("example", "Example"), ("code_id", "Code id"))
SESSION_VARIABLES = ("session_type", "date", "mode", "region", "primary_coder")
RESPONDENT_VARIABLES = ("stakeholder_group", "sex", "age_band", "region", "interview_language", "consent_to_quote")


def guid(kind: str, key: str) -> str:
    """A stable GUID for an object of this project, so re-exports do not change."""
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{key}"))


def normalise_guid(value: str | None) -> str:
    """'{ABCD…}' and 'abcd…' are the same GUID."""
    return (value or "").strip().strip("{}").lower()


OFFSET_UNITS = ("codepoints", "utf16")


def to_utf16(text: str, index: int) -> int:
    """A code-point offset as NVivo counts it (UTF-16 code units: characters beyond the BMP count twice)."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def from_utf16(text: str, units: int) -> int:
    """The code-point offset of a UTF-16 offset written by NVivo."""
    count = 0
    for index, ch in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def _check_units(offsets: str) -> None:
    if offsets not in OFFSET_UNITS:
        raise ValueError(f"offsets must be one of {OFFSET_UNITS}, not {offsets!r}")


# ---------------------------------------------------------------- export
def _description(row: pd.Series) -> str:
    lines = []
    for column, label in _LABELS:
        value = row.get(column)
        if isinstance(value, str) and value.strip():
            lines.append(f"{label}: {value.strip()}")
    return "\n".join(lines)


def _codes_element(parent: ET.Element, codebook: pd.DataFrame, ns: str) -> None:
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    children: dict[str, list[pd.Series]] = {}
    for _, row in codebook.iterrows():
        children.setdefault(row["parent_id"] or "", []).append(row)

    def add(container: ET.Element, row: pd.Series) -> None:
        has_children = bool(children.get(row["code_id"]))
        element = ET.SubElement(container, f"{{{ns}}}Code", {
            "guid": guid("code", row["code_id"]), "name": row["name"],
            "isCodable": "false" if has_children else "true"})
        ET.SubElement(element, f"{{{ns}}}Description").text = _description(row)
        for child in children.get(row["code_id"], []):
            add(element, child)

    for root in children.get("", []):
        add(codes, root)


def _xml_bytes(root: ET.Element, ns: str) -> bytes:
    ET.register_namespace("", ns)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def codebook_xml(codebook: pd.DataFrame) -> bytes:
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": f"analysis {__version__}"})
    _codes_element(root, _blank_to_empty(codebook), CODEBOOK_NS)
    return _xml_bytes(root, CODEBOOK_NS)


def export_codebook(codebook: pd.DataFrame, path: str | Path) -> Path:
    """Write the codebook as a REFI-QDA .qdc file."""
    return atomic.write_bytes(paths.resolve(path), codebook_xml(codebook))


def _blank_to_empty(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), "")


def session_text(segments: pd.DataFrame, paragraphs: int) -> tuple[str, dict[int, tuple[int, int]]]:
    """The transcript as one paragraph per line (uncoded paragraphs empty) and each paragraph's offsets."""
    excerpt = segments.drop_duplicates("position").set_index("position")["excerpt"].to_dict()
    lines = [str(excerpt.get(p, "")).replace("\n", " ") for p in range(1, paragraphs + 1)]
    offsets, start = {}, 0
    for number, line in enumerate(lines, start=1):
        offsets[number] = (start, start + len(line))
        start += len(line) + 1
    return "\n".join(lines), offsets


def _variable_value(parent: ET.Element, ns: str, variable_guid: str, value: object, kind: str) -> None:
    element = ET.SubElement(parent, f"{{{ns}}}VariableValue")
    ET.SubElement(element, f"{{{ns}}}VariableRef", {"targetGUID": variable_guid})
    if kind == "Boolean":
        ET.SubElement(element, f"{{{ns}}}BooleanValue").text = "true" if bool(value) else "false"
    else:
        ET.SubElement(element, f"{{{ns}}}TextValue").text = "" if value is None or value is pd.NA else str(value)


def project_files(data: Consultations, name: str = "Stakeholder consultations",
                  offsets: str = "codepoints") -> dict[str, bytes]:
    """The members of a .qdpx archive: project.qde and one plain-text source per session.

    `offsets="utf16"` writes positions as NVivo counts them (they differ only beyond the BMP, e.g. emoji).
    """
    _check_units(offsets)
    ns = PROJECT_NS
    codebook = _blank_to_empty(data.codebook.drop(columns=[ROW], errors="ignore"))
    segments = _blank_to_empty(data.segments.drop(columns=[ROW], errors="ignore"))
    root = ET.Element(f"{{{ns}}}Project", {"name": name, "origin": f"analysis {__version__}"})
    users = ET.SubElement(root, f"{{{ns}}}Users")
    for coder in sorted(set(segments["coder"]) | set(data.sessions["primary_coder"])):
        ET.SubElement(users, f"{{{ns}}}User", {"guid": guid("user", coder), "name": coder})
    codebook_element = ET.SubElement(root, f"{{{ns}}}CodeBook")
    _codes_element(codebook_element, codebook, ns)
    variables = ET.SubElement(root, f"{{{ns}}}Variables")
    kinds = {v: "Text" for v in SESSION_VARIABLES + RESPONDENT_VARIABLES}
    kinds["consent_to_quote"] = "Boolean"
    for owner, names in (("session", SESSION_VARIABLES), ("respondent", RESPONDENT_VARIABLES)):
        for variable in names:
            ET.SubElement(variables, f"{{{ns}}}Variable", {"guid": guid(f"variable-{owner}", variable),
                                                           "name": variable, "typeOfVariable": kinds[variable]})
    cases = ET.SubElement(root, f"{{{ns}}}Cases")
    spoken = segments.groupby("respondent_id")["segment_id"].apply(list).to_dict()
    for _, person in data.respondents.iterrows():
        case = ET.SubElement(cases, f"{{{ns}}}Case", {"guid": guid("respondent", person["respondent_id"]),
                                                      "name": person["respondent_id"]})
        for variable in RESPONDENT_VARIABLES:
            _variable_value(case, ns, guid("variable-respondent", variable), person[variable], kinds[variable])
        ET.SubElement(case, f"{{{ns}}}SourceRef", {"targetGUID": guid("session", person["session_id"])})
        for segment_id in spoken.get(person["respondent_id"], []):
            ET.SubElement(case, f"{{{ns}}}SelectionRef", {"targetGUID": guid("segment", segment_id)})
    sources = ET.SubElement(root, f"{{{ns}}}Sources")
    files = {}
    for _, session in data.sessions.iterrows():
        session_id = session["session_id"]
        coded = segments[segments["session_id"] == session_id]
        text, paragraph_offsets = session_text(coded, int(session["paragraphs"]))
        source_guid = guid("session", session_id)
        files[f"sources/{source_guid}.txt"] = text.encode("utf-8")
        source = ET.SubElement(sources, f"{{{ns}}}TextSource", {
            "guid": source_guid, "name": session_id, "plainTextPath": f"internal://{source_guid}.txt"})
        for _, seg in coded.iterrows():
            start, end = paragraph_offsets[int(seg["position"])]
            if offsets == "utf16":
                start, end = to_utf16(text, start), to_utf16(text, end)
            selection = ET.SubElement(source, f"{{{ns}}}PlainTextSelection", {
                "guid": guid("segment", seg["segment_id"]), "name": seg["segment_id"],
                "startPosition": str(start), "endPosition": str(end), "creatingUser": guid("user", seg["coder"])})
            if seg.get("excerpt_en"):
                ET.SubElement(selection, f"{{{ns}}}Description").text = seg["excerpt_en"]
            coding = ET.SubElement(selection, f"{{{ns}}}Coding", {"guid": guid("coding", seg["segment_id"]),
                                                                  "creatingUser": guid("user", seg["coder"])})
            ET.SubElement(coding, f"{{{ns}}}CodeRef", {"targetGUID": guid("code", seg["code_id"])})
        for variable in SESSION_VARIABLES:
            value = session[variable]
            if variable == "date":
                value = pd.Timestamp(value).strftime("%Y-%m-%d")
            _variable_value(source, ns, guid("variable-session", variable), value, kinds[variable])
    return {"project.qde": _xml_bytes(root, ns), **files}


def export_project(data: Consultations, path: str | Path, name: str = "Stakeholder consultations",
                   offsets: str = "codepoints") -> Path:
    """Write the coded consultations as a REFI-QDA .qdpx archive (deterministic bytes)."""
    buffer = _io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in sorted(project_files(data, name, offsets).items()):
            info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return atomic.write_bytes(paths.resolve(path), buffer.getvalue())


# ---------------------------------------------------------------- import
def _parse(data: bytes, file: str, kind: str) -> tuple[ET.Element, str]:
    """Parse XML and drop namespaces from tags, after checking the namespace is a QDA-XML one."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError([Problem(file=file, expected="well-formed REFI-QDA XML", found=str(exc))]) from exc
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if namespace and not namespace.lower().startswith(f"urn:qda-xml:{kind}"):
        raise InputError([Problem(file=file, expected=f"a urn:QDA-XML:{kind}:… namespace (1.0 or older)",
                                  found=namespace)])
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    return root, namespace


def _slug(name: str) -> str:
    return re.sub(r"[^\w.]+", "_", name.strip()).strip("_").upper() or "CODE"


def _read_codes(codes: ET.Element | None) -> pd.DataFrame:
    rows: list[dict] = []
    taken: set[str] = set()

    def visit(element: ET.Element, parent_id: str) -> None:
        description = element.findtext("Description") or ""
        fields = {column: "" for column, _ in _LABELS}
        free = []
        for line in description.splitlines():
            for column, label in _LABELS:
                if line.startswith(f"{label}:"):
                    fields[column] = line[len(label) + 1:].strip()
                    break
            else:
                if line.strip():
                    free.append(line.strip())
        if free and not fields["definition"]:
            fields["definition"] = " ".join(free)
        code_id = fields.pop("code_id") or _slug(element.get("name", ""))
        base, n = code_id, 2
        while code_id in taken:
            code_id, n = f"{base}_{n}", n + 1
        taken.add(code_id)
        rows.append({"code_id": code_id, "parent_id": parent_id, "name": element.get("name", ""), **fields,
                     "guid": normalise_guid(element.get("guid"))})
        for child in element.findall("Code"):
            visit(child, code_id)

    if codes is not None:
        for code in codes.findall("Code"):
            visit(code, "")
    frame = pd.DataFrame(rows, columns=["code_id", "parent_id", "name", "definition", "inclusion", "exclusion",
                                        "example", "guid"])
    frame.insert(0, ROW, range(1, len(frame) + 1))
    return frame


def import_codebook(path: str | Path) -> pd.DataFrame:
    """Codebook rows from a .qdc file (any QDA-XML codebook namespace); the `guid` column is kept."""
    path = paths.resolve(path)
    root, _ = _parse(path.read_bytes(), paths.relative(path), "codebook")
    return _read_codes(root.find("Codes"))


def _value(element: ET.Element) -> str:
    for tag in ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue"):
        found = element.find(tag)
        if found is not None:
            text = (found.text or "").strip()
            if tag == "BooleanValue":
                return "yes" if text.lower() in ("true", "1") else "no"
            if tag == "DateTimeValue":
                return text[:10]
            return text
    return ""


def _variables(element: ET.Element, names: dict[str, str]) -> dict[str, str]:
    values = {}
    for value in element.findall("VariableValue"):
        ref = value.find("VariableRef")
        if ref is not None:
            values[names.get(normalise_guid(ref.get("targetGUID")), "")] = _value(value)
    return values


def _archive_member(archive: zipfile.ZipFile, wanted: str) -> str | None:
    """A member by name regardless of folder case (sources/ or Sources/)."""
    wanted = wanted.lower()
    for name in archive.namelist():
        lowered = name.lower()
        if lowered == wanted or lowered.endswith("/" + wanted.split("/")[-1]) and "sources/" in lowered:
            return name
    return None


def import_project(path: str | Path, offsets: str = "codepoints") -> Consultations:
    """The consultation tables from a .qdpx archive (or a bare project.qde file), validated.

    Attributes a tool did not export (e.g. stakeholder group) are blank and reported by validation;
    the fieldwork plan is not part of REFI-QDA and comes back empty. Use `offsets="utf16"` for a
    project written by NVivo whose texts contain characters beyond the BMP (emoji).
    """
    _check_units(offsets)
    path = paths.resolve(path)
    file = paths.relative(path)
    archive = zipfile.ZipFile(path) if zipfile.is_zipfile(path) else None
    try:
        if archive is not None:
            member = next((n for n in archive.namelist() if n.lower().rsplit("/", 1)[-1] == "project.qde"), None)
            if member is None:
                raise InputError([Problem(file=file, expected="a project.qde inside the .qdpx archive",
                                          found=", ".join(archive.namelist()[:5]))])
            xml = archive.read(member)
        else:
            xml = path.read_bytes()
        root, _ = _parse(xml, file, "project")
        frames = _project_tables(root, archive, file, offsets)
    finally:
        if archive is not None:
            archive.close()
    sheets = {name: f"REFI {name}" for name in TABLES}
    return check(frames, {name: file for name in TABLES}, sheets)


def _project_tables(root: ET.Element, archive: zipfile.ZipFile | None, file: str,
                    offsets: str = "codepoints") -> dict[str, pd.DataFrame]:
    users = {normalise_guid(u.get("guid")): u.get("name") or u.get("id") or normalise_guid(u.get("guid"))
             for u in root.iter("User")}
    codebook = _read_codes(root.find("CodeBook/Codes"))
    code_of = dict(zip(codebook["guid"], codebook["code_id"]))
    variable_names = {normalise_guid(v.get("guid")): v.get("name", "") for v in root.iter("Variable")}

    speaker, case_rows = {}, []
    source_of_case: dict[str, str] = {}
    for case in root.iter("Case"):
        name = case.get("name", "")
        values = _variables(case, variable_names)
        for ref in case.findall("SelectionRef"):
            speaker[normalise_guid(ref.get("targetGUID"))] = name
        refs = [normalise_guid(r.get("targetGUID")) for r in case.findall("SourceRef")]
        source_of_case[name] = refs[0] if refs else ""
        case_rows.append({"respondent_id": name, **{v: values.get(v, "") for v in RESPONDENT_VARIABLES}})

    session_rows, segment_rows, source_names = [], [], {}
    problems = []
    # A PDF's extracted text is a Representation (a TextSource) inside its PDFSource.
    pdf_of = {id(rep): pdf for pdf in root.iter("PDFSource") for rep in pdf.findall("Representation")}
    for source in [*root.iter("TextSource"), *root.iter("Representation")]:
        source_guid = normalise_guid(source.get("guid"))
        named = pdf_of.get(id(source), source)
        session_id = source.get("name") or named.get("name") or source_guid
        source_names[source_guid] = session_id
        text = _source_text(source, archive, file, problems)
        values = _variables(source, variable_names)
        first_coder = ""
        for selection in source.findall("PlainTextSelection"):
            start, end = int(selection.get("startPosition", 0)), int(selection.get("endPosition", 0))
            if offsets == "utf16":
                start, end = from_utf16(text, start), from_utf16(text, end)
            selection_guid = normalise_guid(selection.get("guid"))
            for n, coding in enumerate(selection.findall("Coding"), start=1):
                ref = coding.find("CodeRef")
                coder = users.get(normalise_guid(coding.get("creatingUser") or selection.get("creatingUser")), "")
                first_coder = first_coder or coder
                segment_id = selection.get("name") or selection_guid
                segment_rows.append({
                    "segment_id": segment_id if len(selection.findall("Coding")) == 1 else f"{segment_id}.{n}",
                    "session_id": session_id, "position": text.count("\n", 0, start) + 1,
                    "respondent_id": speaker.get(selection_guid, ""),
                    "code_id": code_of.get(normalise_guid(ref.get("targetGUID") if ref is not None else ""),
                                           normalise_guid(ref.get("targetGUID") if ref is not None else "")),
                    "coder": coder, "excerpt": text[start:end].replace("\r", "").strip("\n"),
                    "excerpt_en": selection.findtext("Description") or ""})
        date = values.get("date", "")
        session_rows.append({"session_id": session_id, "session_type": values.get("session_type", ""),
                             "date": date, "mode": values.get("mode", ""), "region": values.get("region", ""),
                             "paragraphs": str(text.count("\n") + 1),
                             "primary_coder": values.get("primary_coder") or first_coder})
    if problems:
        raise InputError(problems)
    # A speaker not given by SelectionRef is the only case linked to the source, if there is one.
    only_case = {}
    for case_name, source_guid in source_of_case.items():
        only_case.setdefault(source_names.get(source_guid, ""), []).append(case_name)
    for row in segment_rows:
        if not row["respondent_id"] and len(only_case.get(row["session_id"], [])) == 1:
            row["respondent_id"] = only_case[row["session_id"]][0]
    for row in case_rows:
        row["session_id"] = source_names.get(source_of_case.get(row["respondent_id"], ""), "")
    specs = columns()
    frames = {
        "respondents": pd.DataFrame(case_rows, columns=[c.name for c in specs["respondents"]]),
        "sessions": pd.DataFrame(session_rows, columns=[c.name for c in specs["sessions"]]),
        "codebook": codebook.drop(columns=[ROW, "guid"]),
        "segments": pd.DataFrame(segment_rows, columns=[c.name for c in specs["segments"]]),
        "plan": pd.DataFrame(columns=[c.name for c in specs["plan"]]),
    }
    for frame in frames.values():
        frame.insert(0, ROW, range(1, len(frame) + 1))
    return frames


def _source_text(source: ET.Element, archive: zipfile.ZipFile | None, file: str, problems: list[Problem]) -> str:
    inline = source.find("PlainTextContent")
    if inline is not None:
        return inline.text or ""
    target = source.get("plainTextPath") or ""
    if target.startswith("internal://") and archive is not None:
        member = _archive_member(archive, "sources/" + target[len("internal://"):])
        if member is not None:
            # kept as stored: a tool that writes CRLF (MAXQDA) counts the CR in its offsets
            return archive.read(member).decode("utf-8-sig")
    problems.append(Problem(file=file, sheet="REFI sessions", column="plainTextPath",
                            expected="PlainTextContent or an internal:// text file inside the archive",
                            found=target or "nothing"))
    return ""


def write_tables(data: Consultations, folder: str | Path) -> list[Path]:
    """Write imported tables as the CSV files of a consultation folder (outside data/raw)."""
    folder = paths.resolve(folder)
    written = []
    for name in TABLES:
        frame = getattr(data, name).drop(columns=[ROW], errors="ignore").copy()
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].dt.strftime("%Y-%m-%d")
            elif pd.api.types.is_bool_dtype(frame[column]):
                frame[column] = frame[column].map({True: "yes", False: "no"})
        written.append(atomic.write_csv(folder / f"{name}.csv", frame))
    return written
