"""REFI-QDA exchange: codebooks (.qdc) and coded projects (.qdpx) of NVivo, ATLAS.ti, MAXQDA, QualCoder.

Import reads what real tools write: namespaces `urn:QDA-XML:project:1.0` and older ones such as
ATLAS.ti's `urn:QDA-XML:codebook:0:4`, GUIDs with or without braces in any case, a `sources` or
`Sources` folder, text inline (PlainTextContent) or as an internal file in UTF-8, UTF-16 (with a byte
order mark or recognisably so) or Windows-1251, CRLF line ends (MAXQDA) counted in offsets, and the
attribute spellings of the tools (`Gender`, `Stakeholder group`, NVivo's `Unassigned`; aliases in
config/corridor.yaml, `consultations.refi`). Every malformed input stops with one InputError that names
the file, the element with its line and GUID or name, what was expected and what was found; a
selection never reaches past its source's text, and one that spans several paragraphs becomes one
segment per paragraph, so that an excerpt is never attributed to a speaker of another paragraph.

A project without this review's attributes (stakeholder group, sex, consent …) imports what it has and
lists what is missing in a fill-in workbook (`write_fill_in`); the consultant completes it in Excel and
the completed workbook is read on the next run. Nothing is guessed: a value the configuration does not
recognise is shown, not mapped.

Export writes the 1.0 format, valid against the REFI-QDA project schema, with lower-case GUIDs and a
lower-case `sources` folder (ATLAS.ti rejects a capitalised one), plain text only (no richTextPath to a
.txt, which ATLAS.ti refuses). A project that was imported keeps on re-export what the review's tables
do not model (`Exchange`): the GUIDs of every element, code colours, hierarchy and isCodable, users,
memos (Notes and their NoteRefs), sets, unmapped variables, and the source texts and positions.
Offsets are Unicode code points, zero-based (`offsets="utf16"` converts for NVivo, which counts UTF-16
code units; Cyrillic, Kyrgyz and Uzbek text lies in the Basic Multilingual Plane, where both agree).

Mapping to the consultation tables (docs/consultations.md): Code ↔ codebook row (definition,
inclusion, exclusion, example and code id kept as labelled lines of the Description); TextSource ↔
session (one paragraph per line; attributes as source variables); Case ↔ respondent (attributes as case
variables; the speaker of a coded passage is the case whose selection contains it, else the only case
linked to the source, else — MAXQDA's document variables — the source itself as one respondent);
PlainTextSelection + Coding ↔ segment; User ↔ coder.
"""

from __future__ import annotations

import io as _io
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from lxml import etree

from analysis import __version__
from analysis.chapters.consultations.data import (
    GROUP_VOCABULARIES,
    TABLES,
    Consultations,
    check,
    columns,
    empty,
    read_folder_table,
    vocabulary,
)
from analysis.engine import atomic, config, paths
from analysis.engine.errors import InputError, Problem
from analysis.engine.readers import ROW, decode_bytes, normalise_header, parse_date_value, read_excel_sheet, sheet_names

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_GUID_NAMESPACE = uuid.UUID("6f0b1a5e-3c2d-4e8a-9b7c-1d2e3f405162")
_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same tables give the same bytes
_LABELS = (
    ("definition", "Definition"),
    ("inclusion", "Inclusion"),
    ("exclusion", "Exclusion"),
    ("example", "Example"),
    ("code_id", "Code id"),
)
SESSION_VARIABLES = ("session_type", "date", "mode", "region", "primary_coder")
RESPONDENT_VARIABLES = ("stakeholder_group", "sex", "age_band", "region", "interview_language", "consent_to_quote")
#: What the consultant completes when a project lacks it (age_band is optional).
REQUIRED_RESPONDENT = ("session_id", "stakeholder_group", "sex", "region", "interview_language", "consent_to_quote")
REQUIRED_SESSION = ("session_type", "date", "mode", "region", "primary_coder")
#: Elements of a project whose GUIDs must be unique.
_IDENTIFIED = (
    "User",
    "Code",
    "Variable",
    "Case",
    "TextSource",
    "PDFSource",
    "PictureSource",
    "AudioSource",
    "VideoSource",
    "Representation",
    "PlainTextSelection",
    "PDFSelection",
    "Coding",
    "Note",
    "Set",
    "Link",
    "Graph",
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
FILL_IN_SHEETS = ("respondents", "sessions", "speakers")


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


# ---------------------------------------------------------------- what a project holds beyond the tables
@dataclass
class Exchange:
    """The parts of an imported project that the review's tables do not model, kept so that a
    re-export is faithful. GUIDs are kept as the tool wrote them (braces, case)."""

    project: dict[str, str] = field(default_factory=dict)  # Project attributes and "description"
    users: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["guid", "name", "id"]))
    codes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["code_id", "guid", "color", "is_codable"])
    )
    variables: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["guid", "name", "type", "description", "column"])
    )
    values: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["owner_guid", "variable_guid", "tag", "text"])
    )
    sources: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["session_id", "guid", "attributes", "description", "text"])
    )
    cases: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["respondent_id", "guid", "description", "source_guids", "selection_guids"]
        )
    )
    #: Selections without a coding (the turns of a case, which say who speaks where).
    turns: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["guid", "source_guid", "start", "end", "attributes"])
    )
    selections: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=[
                "segment_id",
                "guid",
                "name",
                "source_guid",
                "start",
                "end",
                "attributes",
                "coding_guid",
                "coding_attributes",
            ]
        )
    )
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["guid", "attributes", "text"]))
    note_refs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["owner_guid", "note_guid"]))
    sets: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["guid", "name", "description", "member_tag", "member_guid"])
    )

    def with_text(self, change: Callable[[str], str]) -> Exchange:
        """A copy with `change` applied to every free text (source texts line by line, memos,
        descriptions), e.g. to remove private names. Turns are moved with their lines; a changed source's
        coded selections lose their stored positions, which the export recomputes from the excerpts."""
        sources, turns, selections = self.sources.copy(), self.turns.copy(), self.selections.copy()
        texts, descriptions, changed = [], [], set()
        for source_guid, text, description in zip(sources["guid"], sources["text"], sources["description"]):
            new, move = _change_lines(text, change)
            if new != text:
                changed.add(source_guid)
                mine = turns["source_guid"] == source_guid
                turns.loc[mine, "start"] = turns.loc[mine, "start"].map(move)
                turns.loc[mine, "end"] = turns.loc[mine, "end"].map(move)
            texts.append(new)
            descriptions.append(change(description) if description else description)
        sources["text"], sources["description"] = texts, descriptions
        selections.loc[selections["source_guid"].isin(changed), ["start", "end"]] = None
        notes = self.notes.assign(text=self.notes["text"].map(lambda t: change(t) if t else t))
        cases = self.cases.assign(description=self.cases["description"].map(lambda t: change(t) if t else t))
        project = {**self.project, "description": change(self.project.get("description", ""))}
        return replace(
            self, project=project, sources=sources, turns=turns, selections=selections, notes=notes, cases=cases
        )


def _change_lines(text: str, change: Callable[[str], str]) -> tuple[str, Callable[[int], int]]:
    """`change` applied to each line of a text (line ends kept) and the map of old offsets to new ones
    (an offset keeps its place in its line, clamped to the changed line)."""
    old_lines = text.split("\n")
    new_lines = []
    for line in old_lines:
        body, end = (line[:-1], "\r") if line.endswith("\r") else (line, "")
        new_lines.append(change(body) + end)
    new_text = "\n".join(new_lines)

    def move(position: int) -> int:
        old_start = new_start = 0
        for old, new in zip(old_lines, new_lines):
            if position <= old_start + len(old):
                column = position - old_start
                old_body, new_body = len(old.rstrip("\r")), len(new.rstrip("\r"))
                return new_start + (new_body + column - old_body if column >= old_body else min(column, new_body))
            old_start, new_start = old_start + len(old) + 1, new_start + len(new) + 1
        return len(new_text)

    return new_text, move


# ---------------------------------------------------------------- reading the file
@dataclass
class _Reader:
    """One project file being read: where problems are, and everything found so far."""

    file: str
    member: str = "project.qde"
    offsets: str = "codepoints"
    problems: list[Problem] = field(default_factory=list)

    def where(self, element: Any, attribute: str | None = None, context: str = "", member: str | None = None) -> str:
        if element is None:
            text = ""
        elif member is None or member == self.member:
            text = f"line {element.sourceline}: {describe(element)}"
        else:  # a file of the archive: the element that names it is in project.qde
            text = f"the text of {describe(element)} ({self.member} line {element.sourceline})"
        if context:
            text += f" in {context}"
        if attribute:
            text += f", attribute {attribute}"
        return text

    def problem(
        self,
        element: Any,
        expected: str,
        found: Any,
        attribute: str | None = None,
        context: str = "",
        severity: str = "error",
        member: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(
                file=f"{self.file} › {member or self.member}",
                element=self.where(element, attribute, context, member),
                expected=expected,
                found=found,
                severity=severity,
            )
        )


def describe(element: Any) -> str:
    """How a message names an element: its tag, its name and its GUID."""
    parts = [element.tag]
    if element.get("name"):
        parts.append(f"'{element.get('name')}'")
    if element.get("guid"):
        parts.append(f"(GUID {element.get('guid')})")
    return " ".join(parts)


def _open(path: Path, file: str) -> tuple[bytes, zipfile.ZipFile | None, str]:
    """The project XML (and the archive holding it): a .qdpx ZIP with project.qde, or a bare .qde."""
    if not path.is_file():
        raise InputError(
            [
                Problem(
                    file=file,
                    expected="a REFI-QDA project (.qdpx archive or project.qde)",
                    found="no such file" if not path.exists() else "a folder",
                )
            ]
        )
    head = path.read_bytes()[:4]
    if head.startswith(b"PK"):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(
                [Problem(file=file, expected="an intact ZIP archive (.qdpx)", found=f"a damaged archive ({exc})")]
            ) from exc
        member = next((n for n in archive.namelist() if n.lower().rsplit("/", 1)[-1] == "project.qde"), None)
        if member is None:
            names = archive.namelist()
            archive.close()
            raise InputError(
                [
                    Problem(
                        file=file,
                        expected="a project.qde inside the .qdpx archive",
                        found=", ".join(names[:8]) + (" …" if len(names) > 8 else "") if names else "an empty archive",
                    )
                ]
            )
        try:
            return archive.read(member), archive, member
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            archive.close()
            raise InputError(
                [
                    Problem(
                        file=f"{file} › {member}",
                        expected="an intact ZIP archive (.qdpx)",
                        found=f"a damaged member ({exc})",
                    )
                ]
            ) from exc
    if path.suffix.lower() == ".qdpx":
        raise InputError(
            [
                Problem(
                    file=file,
                    expected="a REFI-QDA project: a ZIP archive holding project.qde",
                    found=f"not a ZIP archive (it starts with {head!r})",
                )
            ]
        )
    return path.read_bytes(), None, path.name


def _parse(data: bytes, file: str, root_tag: str, kind: str) -> tuple[Any, str]:
    """Parse XML, check it is a QDA-XML `root_tag`, and drop namespaces from tags."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else None)
        raise InputError(
            [
                Problem(
                    file=file,
                    element=f"line {line}" if line else None,
                    expected="well-formed XML (in the encoding it declares, UTF-8 if none)",
                    found=exc.msg,
                )
            ]
        ) from exc
    qname = etree.QName(root)
    namespace = qname.namespace or ""
    if qname.localname != root_tag or (namespace and not namespace.lower().startswith(f"urn:qda-xml:{kind}")):
        raise InputError(
            [
                Problem(
                    file=file,
                    element=f"line {root.sourceline}: root element",
                    expected=f"a REFI-QDA <{root_tag}> in a urn:QDA-XML:{kind}:… namespace (1.0 or older)",
                    found=f"<{qname.localname}>" + (f" in namespace {namespace}" if namespace else ""),
                )
            ]
        )
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(root)
    return root, namespace


def _duplicate_guids(root: Any, reader: _Reader) -> None:
    first: dict[str, Any] = {}
    for element in root.iter(*_IDENTIFIED):
        value = element.get("guid")
        if value is None:
            reader.problem(element, "a guid attribute", "none", attribute="guid")
            continue
        if not _GUID.match(value.strip()):
            reader.problem(element, "a GUID (8-4-4-4-12 hexadecimal digits, braces allowed)", value, attribute="guid")
            continue
        key = normalise_guid(value)
        if key in first:
            reader.problem(
                element,
                "a GUID used by one element only",
                f"the GUID of {describe(first[key])} at line {first[key].sourceline}",
                attribute="guid",
            )
        else:
            first[key] = element


# ---------------------------------------------------------------- source texts
def decode_text(data: bytes) -> tuple[str, str]:
    """A source text in UTF-8, UTF-16 (declared by a byte order mark, or recognisable as such) or
    Windows-1251; InputError (without a file) if it is none of them."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16"), "UTF-16"
    if b"\x00" not in data:
        try:
            return data.decode("utf-8-sig"), "UTF-8"
        except UnicodeDecodeError:
            pass
    if len(data) % 2 == 0:
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if _plausible_text(text):
                return text, "UTF-16"
    text, encoding = decode_bytes(data, "")
    return text, {"utf-8": "UTF-8", "cp1251": "Windows-1251"}[encoding]


def _plausible_text(text: str) -> bool:
    """Mostly Latin or Cyrillic letters, digits, spaces and punctuation (not CJK from a wrong byte order)."""
    if not text:
        return True
    ok = sum(
        1
        for ch in text
        if ch.isspace() or ch.isdigit() or ord(ch) < 0x250 or 0x400 <= ord(ch) <= 0x52F or 0x2000 <= ord(ch) <= 0x206F
    )
    return ok / len(text) > 0.95


def _archive_member(archive: zipfile.ZipFile, name: str) -> str | None:
    """A member of the sources folder by file name, whatever the folder's case (sources/ or Sources/)."""
    wanted = name.lower().lstrip("/")
    for member in archive.namelist():
        lowered = member.lower()
        if lowered == wanted or (
            lowered.rsplit("/", 1)[-1] == wanted.rsplit("/", 1)[-1] and lowered.startswith("sources/")
        ):
            return member
    return None


def _source_text(source: Any, owner: Any, archive: zipfile.ZipFile | None, reader: _Reader) -> str | None:
    inline = source.find("PlainTextContent")
    target = (source.get("plainTextPath") or "").strip()
    if inline is not None:
        return inline.text or ""
    if not target:
        reader.problem(owner, "the source's text: PlainTextContent or a plainTextPath", "neither")
        return None
    if not target.lower().startswith("internal://"):
        reader.problem(
            owner,
            "the text inside the project (PlainTextContent or an internal:// file); export the "
            "project with its sources embedded",
            target,
            attribute="plainTextPath",
        )
        return None
    if archive is None:
        reader.problem(
            owner,
            "a .qdpx archive holding the internal file",
            f"a bare project.qde pointing at {target}",
            attribute="plainTextPath",
        )
        return None
    name = target[len("internal://") :]
    member = _archive_member(archive, "sources/" + name)
    if member is None:
        reader.problem(
            owner,
            f"the file sources/{name} inside the archive",
            "no such file in the archive",
            attribute="plainTextPath",
        )
        return None
    try:
        data = archive.read(member)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        reader.problem(owner, "an intact ZIP member", f"a damaged file ({exc})", member=member)
        return None
    try:
        text, encoding = decode_text(data)
    except InputError as exc:
        reader.problem(owner, "a source text in UTF-8, UTF-16 or Windows-1251", exc.problems[0].found, member=member)
        return None
    if encoding != "UTF-8":
        reader.problem(
            owner, "a source text in UTF-8", f"{encoding}; read as {encoding}", member=member, severity="warning"
        )
    return text


def _position(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else None


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int, int, str]]:
    """(paragraph, start, end, excerpt) for each paragraph (line) a selection covers, blank parts left out."""
    out = []
    paragraph = text.count("\n", 0, start) + 1
    position = start
    while True:
        line_end = text.find("\n", position)
        line_end = len(text) if line_end == -1 else line_end
        stop = min(end, line_end)
        piece = text[position:stop].rstrip("\r")
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((paragraph, position + lead, position + lead + len(piece.strip()), piece.strip()))
        if end <= line_end:
            return out
        position, paragraph = line_end + 1, paragraph + 1


# ---------------------------------------------------------------- attributes
def _aliases(table: str) -> dict[str, str]:
    """Variable names (normalised) -> column of `table`, from the configuration's aliases and the
    columns' own names."""
    own = RESPONDENT_VARIABLES if table == "respondents" else SESSION_VARIABLES
    found = {normalise_header(name): name for name in own}
    for source in (f"consultations.header_aliases.{table}", f"consultations.refi.variable_aliases.{table}"):
        for spelling, column in (config.get(source, default=None) or {}).items():
            if column in own:
                found[normalise_header(spelling)] = column
    return found


def _vocabularies() -> dict[str, dict[str, str]]:
    """column -> normalised id or label -> id, for the columns with a vocabulary."""
    keys = {
        **GROUP_VOCABULARIES,
        "age_band": "age_bands",
        "interview_language": "interview_languages",
        "session_type": "session_types",
        "mode": "modes",
    }
    out = {}
    for column, key in keys.items():
        value = config.get(f"consultations.{key}")
        pairs = value.items() if isinstance(value, dict) else ((v, v) for v in value)
        out[column] = {normalise_header(label): ident for ident, label in pairs}
        out[column].update({normalise_header(ident): ident for ident in vocabulary(key)})
    return out


_YES = {"yes", "y", "true", "1", "да", "ооба"}
_NO = {"no", "n", "false", "0", "нет", "жок"}


def _normalise_value(column: str, value: str, vocabularies: dict[str, dict[str, str]]) -> str | None:
    """The value in the review's vocabulary, '' for a tool's 'no value' marker, None if not recognised."""
    text = (value or "").strip()
    unassigned = {normalise_header(v) for v in config.get("consultations.refi.unassigned", default=[]) or []}
    if not text or normalise_header(text) in unassigned:
        return ""
    if column == "consent_to_quote":
        folded = text.casefold()
        return "yes" if folded in _YES else "no" if folded in _NO else None
    if column == "date":
        try:
            parsed = parse_date_value(text[:10] if re.match(r"\d{4}-\d\d-\d\dT", text) else text)
        except ValueError:
            return None
        return parsed.isoformat() if parsed else ""
    if column in vocabularies:
        return vocabularies[column].get(normalise_header(text))
    return text


def _value_of(element: Any) -> tuple[str, str]:
    for tag in ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue"):
        found = element.find(tag)
        if found is not None:
            return tag, (found.text or "").strip()
    return "", ""


# ---------------------------------------------------------------- the project
@dataclass
class Project:
    """A REFI-QDA project read into the review's tables, before its attributes are known to be complete."""

    file: str
    frames: dict[str, pd.DataFrame]
    exchange: Exchange
    unrecognised: dict[tuple[str, str, str], str]
    speakers: dict[str, str]  # segment_id -> cases linked to its source, for a passage whose speaker is unknown
    coders: dict[str, list[str]]  # session_id -> coders of its codings
    warnings: list[Problem]

    def fill_in(self) -> dict[str, pd.DataFrame]:
        """The fill-in tables: every respondent and session with what is known of it (from the project or
        a workbook completed before) and what is still to complete, and every coded passage whose speaker
        the project does not say. Saving them back loses nothing already entered."""
        rows = []
        for _, person in self.frames["respondents"].iterrows():
            lacking = [c for c in REQUIRED_RESPONDENT if not str(person[c]).strip()]
            rows.append(
                {
                    **{c: person[c] for c in ["respondent_id", "session_id", *RESPONDENT_VARIABLES]},
                    "to complete": ", ".join(lacking),
                    "not recognised in the project": self._unrecognised("respondents", person["respondent_id"]),
                }
            )
        respondents = pd.DataFrame(
            rows,
            columns=[
                "respondent_id",
                "session_id",
                *RESPONDENT_VARIABLES,
                "to complete",
                "not recognised in the project",
            ],
        )
        rows = []
        for _, session in self.frames["sessions"].iterrows():
            lacking = [c for c in REQUIRED_SESSION if not str(session[c]).strip()]
            rows.append(
                {
                    "session_id": session["session_id"],
                    **{c: session[c] for c in SESSION_VARIABLES},
                    "coders in the project": ", ".join(self.coders.get(session["session_id"], [])),
                    "to complete": ", ".join(lacking),
                    "not recognised in the project": self._unrecognised("sessions", session["session_id"]),
                }
            )
        sessions = pd.DataFrame(
            rows,
            columns=[
                "session_id",
                *SESSION_VARIABLES,
                "coders in the project",
                "to complete",
                "not recognised in the project",
            ],
        )
        segments = self.frames["segments"]
        asked = segments[segments["segment_id"].isin(self.speakers)]
        speakers = pd.DataFrame(
            {
                "segment_id": asked["segment_id"],
                "session_id": asked["session_id"],
                "paragraph": asked["position"],
                "respondent_id": asked["respondent_id"],
                "cases linked to the source": asked["segment_id"].map(self.speakers),
                "to complete": asked["respondent_id"].map(lambda r: "" if r else "respondent_id"),
                "excerpt": asked["excerpt"].str.slice(0, 120),
            }
        )
        return {"respondents": respondents, "sessions": sessions, "speakers": speakers.reset_index(drop=True)}

    def missing(self) -> dict[str, pd.DataFrame]:
        """The rows of the fill-in tables that still lack something."""
        return {
            name: frame[frame["to complete"] != ""].reset_index(drop=True) for name, frame in self.fill_in().items()
        }

    def _unrecognised(self, table: str, key: str) -> str:
        return "; ".join(
            f"{column}: {value!r}"
            for (t, k, column), value in sorted(self.unrecognised.items())
            if t == table and k == key
        )

    def complete_with(self, attributes: dict[str, pd.DataFrame], file: str = "attributes.xlsx") -> Project:
        """The project with the consultant's values (from a completed fill-in workbook) where it had none.

        A typed value must be in the review's vocabulary (by id or label); one that is not is an
        InputError naming its cell in `file`."""
        frames = {name: frame.copy() for name, frame in self.frames.items()}
        problems = _attribute_problems(attributes, file)
        if problems:
            raise InputError(problems)
        vocabularies = _vocabularies()
        for table, key, columns_ in (
            ("respondents", "respondent_id", ("session_id", *RESPONDENT_VARIABLES)),
            ("sessions", "session_id", SESSION_VARIABLES),
            ("speakers", "segment_id", ("respondent_id",)),
        ):
            given = attributes.get(table)
            if given is None or given.empty or key not in given.columns:
                continue
            target = frames["segments" if table == "speakers" else table]
            lookup = given.drop_duplicates(key, keep="last").set_index(key)
            for column in columns_:
                if column not in lookup.columns:
                    continue
                values = (
                    target[key]
                    .map(lookup[column])
                    .map(
                        lambda v, c=column: ""
                        if _blank(v)
                        else _normalise_value(c, _cell_text(v), vocabularies)
                        if c in vocabularies or c in ("consent_to_quote", "date")
                        else _cell_text(v)
                    )
                )
                target[column] = target[column].where(target[column].astype(str).str.strip() != "", values)
        unrecognised = {k: v for k, v in self.unrecognised.items() if not str(_row_value(frames, *k)).strip()}
        return replace(self, frames=frames, unrecognised=unrecognised)

    def consultations(self, plan: pd.DataFrame | None = None, plan_file: str | None = None) -> Consultations:
        """The validated tables (raises InputError as any consultation input does)."""
        frames = {name: frame.copy() for name, frame in self.frames.items()}
        frames["plan"] = plan if plan is not None else empty("plan")
        sheets = {name: f"REFI {name}" for name in TABLES}
        files = {name: self.file for name in TABLES}
        if plan_file:
            files["plan"], sheets["plan"] = plan_file, None
        data = check(frames, files, sheets)
        data.warnings = self.warnings + data.warnings
        data.exchange = self.exchange
        return data


def _attribute_problems(attributes: dict[str, pd.DataFrame], file: str) -> list[Problem]:
    """Values of a completed fill-in workbook outside the review's vocabularies, by cell."""
    vocabularies = _vocabularies()
    problems = []
    for table, frame in attributes.items():
        for column in frame.columns:
            if column not in vocabularies and column not in ("consent_to_quote", "date"):
                continue
            for row, value in zip(frame[ROW], frame[column]):
                if _blank(value):
                    continue
                if _normalise_value(column, _cell_text(value), vocabularies) is None:
                    allowed = (
                        ", ".join(sorted(set(vocabularies[column].values())))
                        if column in vocabularies
                        else "yes or no"
                        if column == "consent_to_quote"
                        else "a date (dd.mm.yyyy)"
                    )
                    problems.append(
                        Problem(
                            file=file,
                            sheet=table,
                            row=int(row),
                            column=column,
                            expected=f"one of {allowed}",
                            found=value,
                        )
                    )
    return problems


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip()


def _cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _row_value(frames: dict[str, pd.DataFrame], table: str, key: str, column: str) -> Any:
    frame = frames[table]
    ident = "respondent_id" if table == "respondents" else "session_id"
    match = frame.loc[frame[ident] == key, column]
    return match.iloc[0] if len(match) else ""


def read_project(path: str | Path, offsets: str = "codepoints") -> Project:
    """Read a .qdpx (or project.qde) into the review's tables without requiring its attributes.

    Raises one InputError listing every structural problem (file, element, GUID, expected, found)."""
    _check_units(offsets)
    path = paths.resolve(path)
    file = paths.relative(path)
    xml, archive, member = _open(path, file)
    reader = _Reader(file=file, member=member, offsets=offsets)
    try:
        root, _ = _parse(xml, f"{file} › {member}", "Project", "project")
        _duplicate_guids(root, reader)
        if any(p.severity == "error" for p in reader.problems):
            raise InputError(reader.problems)
        project = _read_tables(root, archive, reader)
    finally:
        if archive is not None:
            archive.close()
    if any(p.severity == "error" for p in reader.problems):
        raise InputError(reader.problems)
    return project


def _read_tables(root: Any, archive: zipfile.ZipFile | None, reader: _Reader) -> Project:
    users = {normalise_guid(u.get("guid")): u for u in root.iter("User")}
    coder_of = {key: u.get("name") or u.get("id") or normalise_guid(u.get("guid")) for key, u in users.items()}
    codebook, code_rows = _read_codes(root.find("CodeBook/Codes"), reader)
    code_of = {normalise_guid(r["guid"]): r["code_id"] for r in code_rows}
    variables = {normalise_guid(v.get("guid")): v for v in root.iter("Variable")}
    mapped = {"respondents": _aliases("respondents"), "sessions": _aliases("sessions")}
    vocabularies = _vocabularies()
    values_rows: list[dict] = []
    recorded: set[tuple[str, int]] = set()
    unrecognised: dict[tuple[str, str, str], str] = {}

    def attributes(owner: Any, table: str, key: str, context: str = "") -> dict[str, str]:
        """The owner's variable values mapped to `table`'s columns (also kept verbatim for re-export)."""
        found = {}
        for index, value in enumerate(owner.findall("VariableValue")):
            ref = value.find("VariableRef")
            target = normalise_guid(ref.get("targetGUID") if ref is not None else "")
            if target not in variables:
                reader.problem(
                    value,
                    "a VariableRef to a Variable of the project",
                    ref.get("targetGUID") if ref is not None else "no VariableRef",
                    context=describe(owner),
                )
                continue
            tag, text = _value_of(value)
            if (normalise_guid(owner.get("guid")), index) not in recorded:
                recorded.add((normalise_guid(owner.get("guid")), index))
                values_rows.append(
                    {
                        "owner_guid": owner.get("guid"),
                        "variable_guid": variables[target].get("guid"),
                        "tag": tag,
                        "text": text,
                    }
                )
            column = mapped[table].get(normalise_header(variables[target].get("name", "")))
            if column is None:
                continue
            if tag == "BooleanValue":
                text = "yes" if text.lower() in ("true", "1") else "no" if text.lower() in ("false", "0") else text
            normal = _normalise_value(column, text, vocabularies)
            if normal is None:
                unrecognised[(table, key, column)] = text
                normal = ""
            if normal or column not in found:
                found[column] = normal
        return found

    # sources: one session each; selections become segments
    sources = [
        *root.iter("TextSource"),
        *[(rep, pdf) for pdf in root.iter("PDFSource") for rep in pdf.findall("Representation")],
    ]
    source_of_guid, texts, session_rows, source_rows, pieces_of, turn_rows = {}, {}, [], [], {}, []
    names = [(s if not isinstance(s, tuple) else s[1]).get("name") or "" for s in sources]
    selection_names = [sel.get("name") or "" for sel in root.iter("PlainTextSelection")]
    known_selections = {normalise_guid(sel.get("guid")) for sel in root.iter("PlainTextSelection")}
    for item, name in zip(sources, names):
        source, owner = (item, item) if not isinstance(item, tuple) else item
        session_id = name or normalise_guid(owner.get("guid"))
        if names.count(name) > 1 and name:
            reader.problem(
                owner,
                "a source name used by one source only (it becomes the session id)",
                f"'{name}' {names.count(name)} times",
            )
        for element in {id(source): source, id(owner): owner}.values():
            source_of_guid[normalise_guid(element.get("guid"))] = session_id
        text = _source_text(source, owner, archive, reader)
        if text is None:
            continue
        texts[session_id] = text
        length = len(text) if reader.offsets == "codepoints" else to_utf16(text, len(text))
        unit = "characters" if reader.offsets == "codepoints" else "UTF-16 code units"
        values = attributes(owner, "sessions", session_id)
        if source is not owner:  # a PDF's text: its variables may sit on the Representation too
            values.update({k: v for k, v in attributes(source, "sessions", session_id).items() if v})
        session_rows.append(
            {
                "session_id": session_id,
                **{c: values.get(c, "") for c in SESSION_VARIABLES},
                "paragraphs": str(text.count("\n") + 1),
            }
        )
        source_rows.append(
            {
                "session_id": session_id,
                "guid": owner.get("guid"),
                "text": text,
                "attributes": _kept_attributes(
                    owner, ("guid", "name", "plainTextPath", "richTextPath", "path", "currentPath")
                ),
                "description": owner.findtext("Description") or "",
            }
        )
        if source.findall("Coding") or (owner is not source and owner.findall("Coding")):
            reader.problem(
                owner,
                "codings of selections (a code applied to the whole source is not kept)",
                f"{len(source.findall('Coding'))} coding(s) of the whole source",
                severity="warning",
            )
        for selection in source.findall("PlainTextSelection"):
            start, end = _position(selection.get("startPosition")), _position(selection.get("endPosition"))
            context = f"source '{session_id}'"
            bad = False
            for attribute, value in (("startPosition", start), ("endPosition", end)):
                if value is None:
                    reader.problem(
                        selection,
                        "a whole number of characters",
                        selection.get(attribute) or "nothing",
                        attribute=attribute,
                        context=context,
                    )
                    bad = True
            if bad:
                continue
            if not 0 <= start <= end <= length:
                reader.problem(
                    selection,
                    f"0 <= startPosition <= endPosition <= {length} (the length of the source's text in {unit})",
                    f"startPosition {start}, endPosition {end}",
                    context=context,
                )
                continue
            if reader.offsets == "utf16":
                start, end = from_utf16(text, start), from_utf16(text, end)
            pieces_of[normalise_guid(selection.get("guid"))] = (
                session_id,
                selection,
                start,
                end,
                _pieces(text, start, end),
            )
            if not selection.findall("Coding"):
                turn_rows.append(
                    {
                        "guid": selection.get("guid"),
                        "source_guid": owner.get("guid"),
                        "start": start,
                        "end": end,
                        "attributes": _kept_attributes(selection, ("guid", "startPosition", "endPosition")),
                    }
                )
    # cases: respondents; which case speaks in which passage
    case_rows, case_ranges, case_sources, case_exchange = [], [], {}, []
    for case in root.iter("Case"):
        name = case.get("name") or normalise_guid(case.get("guid"))
        values = attributes(case, "respondents", name)
        linked = []
        for ref in case.findall("SourceRef"):
            target = normalise_guid(ref.get("targetGUID"))
            if target not in source_of_guid:
                reader.problem(
                    ref, "the GUID of a source of the project", ref.get("targetGUID"), context=describe(case)
                )
            else:
                linked.append(source_of_guid[target])
        for ref in case.findall("SelectionRef"):
            target = normalise_guid(ref.get("targetGUID"))
            if target not in known_selections:
                reader.problem(
                    ref,
                    "the GUID of a PlainTextSelection of the project",
                    ref.get("targetGUID"),
                    context=describe(case),
                )
                continue
            if target not in pieces_of:
                continue  # in a source that could not be read: reported there
            session_id, _, start, end, _ = pieces_of[target]
            case_ranges.append((name, session_id, start, end))
            linked.append(session_id)
        linked = list(dict.fromkeys(linked))
        case_sources[name] = linked
        if len(linked) > 1:
            reader.problem(
                case,
                "a case linked to one source (one respondent in one session)",
                f"{len(linked)} sources; the first, '{linked[0]}', is its session",
                severity="warning",
            )
        case_rows.append(
            {
                "respondent_id": name,
                "session_id": linked[0] if linked else "",
                **{c: values.get(c, "") for c in RESPONDENT_VARIABLES},
            }
        )
        case_exchange.append(
            {
                "respondent_id": name,
                "guid": case.get("guid"),
                "description": case.findtext("Description") or "",
                "source_guids": [r.get("targetGUID") for r in case.findall("SourceRef")],
                "selection_guids": [r.get("targetGUID") for r in case.findall("SelectionRef")],
            }
        )
    # a source no case is linked to is one respondent (MAXQDA's document variables)
    with_cases = {s for linked in case_sources.values() for s in linked}
    for item, name in zip(sources, names):
        owner = item if not isinstance(item, tuple) else item[1]
        session_id = name or normalise_guid(owner.get("guid"))
        if session_id in texts and session_id not in with_cases and any(p[0] == session_id for p in pieces_of.values()):
            values = attributes(owner, "respondents", session_id)
            case_rows.append(
                {
                    "respondent_id": session_id,
                    "session_id": session_id,
                    **{c: values.get(c, "") for c in RESPONDENT_VARIABLES},
                }
            )
            case_sources[session_id] = [session_id]
            reader.problem(
                owner,
                "a case for each respondent",
                "no case linked to this source: it is taken as one respondent named after the source",
                severity="warning",
            )
    # segments
    segment_rows, selection_rows, speakers, coders = [], [], {}, {}
    for session_id, selection, start, end, pieces in pieces_of.values():
        codings = selection.findall("Coding")
        if not codings:
            continue
        if not pieces:
            reader.problem(
                selection,
                "a selection with text",
                "only blanks or line ends",
                severity="warning",
                context=f"source '{session_id}'",
            )
            continue
        name = selection.get("name") or ""
        base = name if name and selection_names.count(name) == 1 else normalise_guid(selection.get("guid"))
        for n, coding in enumerate(codings, start=1):
            ref = coding.find("CodeRef")
            target = normalise_guid(ref.get("targetGUID") if ref is not None else "")
            if target not in code_of:
                reader.problem(
                    coding,
                    "a CodeRef to a Code of the codebook",
                    ref.get("targetGUID") if ref is not None else "no CodeRef",
                    context=f"{describe(selection)} in source '{session_id}'",
                )
                continue
            user = coding.get("creatingUser") or selection.get("creatingUser")
            if not user or normalise_guid(user) not in coder_of:
                reader.problem(
                    coding,
                    "a creatingUser that is a User of the project (the coder)",
                    user or "none",
                    context=f"{describe(selection)} in source '{session_id}'",
                )
                continue
            coder = coder_of[normalise_guid(user)]
            coders.setdefault(session_id, [])
            if coder not in coders[session_id]:
                coders[session_id].append(coder)
            for paragraph, piece_start, piece_end, excerpt in pieces:
                segment_id = (
                    base + (f".{n}" if len(codings) > 1 else "") + (f"/p{paragraph}" if len(pieces) > 1 else "")
                )
                speaker = _speaker(session_id, piece_start, piece_end, case_ranges, case_sources)
                if not speaker:
                    speakers[segment_id] = ", ".join(
                        sorted(c for c, linked in case_sources.items() if session_id in linked)
                    )
                segment_rows.append(
                    {
                        "segment_id": segment_id,
                        "session_id": session_id,
                        "position": str(paragraph),
                        "respondent_id": speaker,
                        "code_id": code_of[target],
                        "coder": coder,
                        "excerpt": excerpt,
                        "excerpt_en": selection.findtext("Description") or "",
                    }
                )
                selection_rows.append(
                    {
                        "segment_id": segment_id,
                        "guid": selection.get("guid"),
                        "name": name,
                        "source_guid": _source_guid(source_rows, session_id),
                        "start": start if len(pieces) else None,
                        "end": end,
                        "attributes": _kept_attributes(selection, ("guid", "name", "startPosition", "endPosition")),
                        "coding_guid": coding.get("guid"),
                        "coding_attributes": _kept_attributes(coding, ("guid",)),
                    }
                )
    for row in session_rows:
        if not row["primary_coder"] and len(coders.get(row["session_id"], [])) == 1:
            row["primary_coder"] = coders[row["session_id"]][0]
    exchange = Exchange(
        project={**_kept_attributes(root, ()), "description": root.findtext("Description") or ""},
        users=pd.DataFrame(
            [{"guid": u.get("guid"), "name": u.get("name") or "", "id": u.get("id") or ""} for u in users.values()],
            columns=["guid", "name", "id"],
        ),
        codes=pd.DataFrame(
            [{k: r[k] for k in ("code_id", "guid", "color", "is_codable")} for r in code_rows],
            columns=["code_id", "guid", "color", "is_codable"],
        ),
        variables=pd.DataFrame(
            [
                {
                    "guid": v.get("guid"),
                    "name": v.get("name") or "",
                    "type": v.get("typeOfVariable") or "Text",
                    "description": v.findtext("Description") or "",
                    "column": mapped["respondents"].get(normalise_header(v.get("name", "")))
                    or mapped["sessions"].get(normalise_header(v.get("name", "")))
                    or "",
                }
                for v in variables.values()
            ],
            columns=["guid", "name", "type", "description", "column"],
        ),
        values=pd.DataFrame(values_rows, columns=["owner_guid", "variable_guid", "tag", "text"]),
        sources=pd.DataFrame(source_rows, columns=["session_id", "guid", "attributes", "description", "text"]),
        cases=pd.DataFrame(
            case_exchange, columns=["respondent_id", "guid", "description", "source_guids", "selection_guids"]
        ),
        turns=pd.DataFrame(turn_rows, columns=["guid", "source_guid", "start", "end", "attributes"]),
        selections=pd.DataFrame(
            selection_rows,
            columns=[
                "segment_id",
                "guid",
                "name",
                "source_guid",
                "start",
                "end",
                "attributes",
                "coding_guid",
                "coding_attributes",
            ],
        ),
        notes=_notes(root, archive, reader),
        note_refs=_note_refs(root),
        sets=_sets(root),
    )
    for tag in ("Link", "Graph", "PictureSource", "AudioSource", "VideoSource"):
        count = len(list(root.iter(tag)))
        if count:
            reader.problems.append(
                Problem(
                    file=f"{reader.file} › {reader.member}",
                    element=f"{count} {tag} element(s)",
                    expected="text sources, codes, cases, memos and sets (what is kept)",
                    found=f"{tag}: not kept on import",
                    severity="warning",
                )
            )
    specs = columns()
    frames = {
        "respondents": pd.DataFrame(case_rows, columns=[c.name for c in specs["respondents"]]).fillna(""),
        "sessions": pd.DataFrame(session_rows, columns=[c.name for c in specs["sessions"]]).fillna(""),
        "codebook": codebook,
        "segments": pd.DataFrame(segment_rows, columns=[c.name for c in specs["segments"]]),
    }
    for name in ("respondents", "sessions", "segments"):
        frames[name].insert(0, ROW, range(1, len(frames[name]) + 1))
    return Project(
        file=reader.file,
        frames=frames,
        exchange=exchange,
        unrecognised=unrecognised,
        speakers=speakers,
        coders=coders,
        warnings=[p for p in reader.problems if p.severity == "warning"],
    )


def _source_guid(source_rows: list[dict], session_id: str) -> str:
    return next((r["guid"] for r in source_rows if r["session_id"] == session_id), "")


def _kept_attributes(element: Any, leave_out: tuple[str, ...]) -> dict[str, str]:
    """Attributes to write back on export (those of other namespaces would not validate)."""
    return {k: v for k, v in element.attrib.items() if k not in leave_out and not k.startswith("{")}


def _speaker(
    session_id: str, start: int, end: int, ranges: list[tuple[str, str, int, int]], linked: dict[str, list[str]]
) -> str:
    """The case whose selection holds the passage; else the only case linked to its source; else ''."""
    holding = sorted({case for case, session, a, b in ranges if session == session_id and a < end and start < b})
    if len(holding) == 1:
        return holding[0]
    if holding:
        return ""
    cases = [case for case, sessions in linked.items() if session_id in sessions]
    return cases[0] if len(cases) == 1 else ""


def _slug(name: str) -> str:
    return re.sub(r"[^\w.]+", "_", name.strip()).strip("_").upper() or "CODE"


def _read_codes(codes: Any, reader: _Reader | None) -> tuple[pd.DataFrame, list[dict]]:
    rows: list[dict] = []
    taken: set[str] = set()

    def visit(element: Any, parent_id: str) -> None:
        description = element.findtext("Description") or ""
        fields = {column: "" for column, _ in _LABELS}
        free = []
        for line in description.splitlines():
            for column, label in _LABELS:
                if line.startswith(f"{label}:"):
                    fields[column] = line[len(label) + 1 :].strip()
                    break
            else:
                if line.strip():
                    free.append(line.strip())
        if free and not fields["definition"]:
            fields["definition"] = " ".join(free)
        if not element.get("name") and reader is not None:
            reader.problem(element, "a code name", "none", attribute="name")
        code_id = fields.pop("code_id") or _slug(element.get("name", ""))
        base, n = code_id, 2
        while code_id in taken:
            code_id, n = f"{base}_{n}", n + 1
        taken.add(code_id)
        codable = (element.get("isCodable") or "true").strip().lower()
        rows.append(
            {
                "code_id": code_id,
                "parent_id": parent_id,
                "name": element.get("name", ""),
                **fields,
                "guid": element.get("guid") or "",
                "color": element.get("color") or "",
                "is_codable": codable not in ("false", "0"),
            }
        )
        for child in element.findall("Code"):
            visit(child, code_id)

    if codes is not None:
        for code in codes.findall("Code"):
            visit(code, "")
    frame = pd.DataFrame(
        rows, columns=["code_id", "parent_id", "name", "definition", "inclusion", "exclusion", "example"]
    )
    frame.insert(0, ROW, range(1, len(frame) + 1))
    return frame, rows


def _notes(root: Any, archive: zipfile.ZipFile | None, reader: _Reader) -> pd.DataFrame:
    rows = []
    for note in root.iter("Note"):
        text = (
            _source_text(note, note, archive, reader)
            if (note.find("PlainTextContent") is not None or note.get("plainTextPath"))
            else ""
        )
        rows.append(
            {
                "guid": note.get("guid"),
                "text": text or "",
                "attributes": _kept_attributes(note, ("guid", "plainTextPath", "richTextPath")),
            }
        )
    return pd.DataFrame(rows, columns=["guid", "attributes", "text"])


def _note_refs(root: Any) -> pd.DataFrame:
    rows = [
        {
            "owner_guid": ref.getparent().get("guid") if ref.getparent() is not root else "project",
            "note_guid": ref.get("targetGUID"),
        }
        for ref in root.iter("NoteRef")
    ]
    return pd.DataFrame(rows, columns=["owner_guid", "note_guid"])


def _sets(root: Any) -> pd.DataFrame:
    rows = []
    for item in root.iter("Set"):
        members = [
            (m.tag, m.get("targetGUID") or m.get("guid"))
            for m in item
            if m.tag in ("MemberCode", "MemberSource", "MemberNote")
        ] or [("", "")]
        for tag, target in members:
            rows.append(
                {
                    "guid": item.get("guid"),
                    "name": item.get("name") or "",
                    "description": item.findtext("Description") or "",
                    "member_tag": tag,
                    "member_guid": target,
                }
            )
    return pd.DataFrame(rows, columns=["guid", "name", "description", "member_tag", "member_guid"])


def import_codebook(path: str | Path) -> pd.DataFrame:
    """Codebook rows from a .qdc file (any QDA-XML codebook namespace), with each code's `guid`,
    `color` and `is_codable` as the tool wrote them."""
    path = paths.resolve(path)
    file = paths.relative(path)
    if not path.is_file():
        raise InputError([Problem(file=file, expected="a REFI-QDA codebook (.qdc)", found="no such file")])
    reader = _Reader(file=file, member=path.name)
    root, _ = _parse(path.read_bytes(), file, "CodeBook", "codebook")
    frame, rows = _read_codes(root.find("Codes"), reader)
    _duplicate_guids(root, reader)
    if reader.problems:
        raise InputError(reader.problems)
    return frame.assign(
        guid=[r["guid"] for r in rows], color=[r["color"] for r in rows], is_codable=[r["is_codable"] for r in rows]
    )


# ---------------------------------------------------------------- importing with the consultant's attributes
def read_attributes(path: str | Path) -> dict[str, pd.DataFrame]:
    """The sheets of a completed fill-in workbook (respondents, sessions, speakers; any may be absent)."""
    path = paths.resolve(path)
    try:
        present = set(sheet_names(path))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            [
                Problem(
                    file=paths.relative(path),
                    expected="an Excel workbook (the completed fill-in workbook)",
                    found=f"a file Excel cannot open ({type(exc).__name__})",
                )
            ]
        ) from exc
    return {name: read_excel_sheet(path, name) for name in FILL_IN_SHEETS if name in present}


def import_project(
    path: str | Path,
    offsets: str = "codepoints",
    attributes: str | Path | None = None,
    plan: str | Path | None = None,
    fill_in: str | Path | None = None,
) -> Consultations:
    """The consultation tables from a .qdpx archive (or a bare project.qde file), validated.

    `attributes` is the consultant's completed fill-in workbook, `plan` the fieldwork plan (CSV; not
    part of REFI-QDA, so without it the plan is empty). If respondents or sessions still lack an
    attribute, the fill-in workbook is written to `fill_in` (if given) and one InputError names each
    of them. Use `offsets="utf16"` for a project written by NVivo whose texts contain characters beyond
    the BMP (emoji).
    """
    project = read_project(path, offsets)
    if attributes is not None and paths.resolve(attributes).exists():
        project = project.complete_with(read_attributes(attributes), paths.relative(paths.resolve(attributes)))
    lacking = project.missing()
    if any(len(frame) for frame in lacking.values()):
        written = write_fill_in(project, fill_in) if fill_in is not None else None
        raise InputError(_missing_problems(project, lacking, written, attributes))
    plan_frame, plan_file = None, None
    if plan is not None and paths.resolve(plan).exists():
        plan_frame = read_folder_table(plan, "plan")
        plan_file = paths.relative(paths.resolve(plan))
    return project.consultations(plan_frame, plan_file)


def _missing_problems(
    project: Project, lacking: dict[str, pd.DataFrame], written: Path | None, attributes: str | Path | None
) -> list[Problem]:
    then = (
        f"complete {paths.relative(written)} in Excel and save it as "
        f"{paths.relative(paths.resolve(attributes)) if attributes is not None else 'attributes.xlsx beside the project'}"
        ", then run again"
        if written is not None
        else "the attributes of the review (a fill-in workbook lists them: refi.write_fill_in)"
    )
    problems = []
    for _, row in lacking["respondents"].iterrows():
        problems.append(
            Problem(
                file=project.file,
                element=f"case '{row['respondent_id']}'",
                expected=f"{row['to complete']} ({then})",
                found="no value in the project"
                + (
                    f"; not recognised: {row['not recognised in the project']}"
                    if row["not recognised in the project"]
                    else ""
                ),
            )
        )
    for _, row in lacking["sessions"].iterrows():
        problems.append(
            Problem(
                file=project.file,
                element=f"source '{row['session_id']}'",
                expected=f"{row['to complete']} ({then})",
                found="no value in the project"
                + (f"; coders: {row['coders in the project']}" if row["coders in the project"] else "")
                + (
                    f"; not recognised: {row['not recognised in the project']}"
                    if row["not recognised in the project"]
                    else ""
                ),
            )
        )
    for _, row in lacking["speakers"].iterrows():
        problems.append(
            Problem(
                file=project.file,
                element=f"coded passage '{row['segment_id']}' in source "
                f"'{row['session_id']}', paragraph {row['paragraph']}",
                expected=f"the case who speaks ({then})",
                found=f"cases of the source: {row['cases linked to the source'] or 'none'}",
            )
        )
    return problems


def write_fill_in(project: Project, path: str | Path) -> Path:
    """The fill-in workbook: one sheet per kind of thing that lacks something (respondents, sessions,
    speakers), with what the project holds, drop-down lists of the review's vocabularies and a README."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    lacking = project.fill_in()
    workbook = Workbook()
    readme = workbook.active
    readme.title = "README"
    for line in (
        ["What to do"],
        [
            f"The project {project.file} lacks attributes this review needs. In each row, fill the blank cells "
            "of the columns named in 'to complete' (drop-down lists give the allowed values; cells to fill are "
            "yellow), save this workbook as attributes.xlsx next to the project in data/raw/consultations/, "
            "and run make again. Every respondent and session is listed, so saving it keeps what you entered "
            "before."
        ],
        [
            "Values already in the project are shown; one you type replaces a blank only. Columns "
            "'to complete', 'not recognised in the project' and 'coders in the project' are for reading."
        ],
        [
            "consent_to_quote: yes only if the respondent agreed to be quoted. Nothing is guessed: a blank "
            "stays missing."
        ],
    ):
        readme.append(line)
    readme["A1"].font = Font(bold=True)
    lists = {
        "stakeholder_group": vocabulary("stakeholder_groups"),
        "sex": vocabulary("sexes"),
        "age_band": vocabulary("age_bands"),
        "region": vocabulary("regions"),
        "interview_language": vocabulary("interview_languages"),
        "consent_to_quote": ["yes", "no"],
        "session_type": vocabulary("session_types"),
        "mode": vocabulary("modes"),
    }
    yellow = PatternFill("solid", fgColor="FFF2CC")
    for name in FILL_IN_SHEETS:
        frame = lacking[name]
        sheet = workbook.create_sheet(name)
        sheet.append(list(frame.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for record in frame.itertuples(index=False):
            sheet.append(["" if _blank(v) else v for v in record])
        for index, column in enumerate(frame.columns, start=1):
            letter = sheet.cell(1, index).column_letter
            sheet.column_dimensions[letter].width = max(12, min(50, len(column) + 4))
            if column in lists and len(",".join(lists[column])) < 250:
                rule = DataValidation(type="list", formula1='"' + ",".join(lists[column]) + '"', allow_blank=True)
                rule.add(f"{letter}2:{letter}{max(2, len(frame) + 1)}")
                sheet.add_data_validation(rule)
            for row in range(2, len(frame) + 2):
                if sheet.cell(row, index).value in (None, "") and column in (
                    *REQUIRED_RESPONDENT,
                    *REQUIRED_SESSION,
                    "respondent_id",
                ):
                    sheet.cell(row, index).fill = yellow
    target = paths.writable(path)
    with atomic.atomic_path(target) as tmp:
        workbook.save(tmp)
    return target


# ---------------------------------------------------------------- export
def _description(row: pd.Series) -> str:
    lines = []
    for column, label in _LABELS:
        value = row.get(column)
        if isinstance(value, str) and value.strip():
            lines.append(f"{label}: {value.strip()}")
    return "\n".join(lines)


def _sub(parent: Any, tag: str, attributes: dict[str, str] | None = None, text: str | None = None) -> Any:
    element = etree.SubElement(parent, tag, {k: str(v) for k, v in (attributes or {}).items() if v not in (None, "")})
    if text is not None:
        element.text = text
    return element


def _codes_element(
    parent: Any, codebook: pd.DataFrame, exchange: Exchange | None, notes_of: dict[str, list[str]] | None = None
) -> dict[str, str]:
    """Write the code hierarchy; return code_id -> GUID."""
    kept = exchange.codes.set_index("code_id") if exchange is not None and len(exchange.codes) else None
    codes = _sub(parent, "Codes")
    children: dict[str, list[pd.Series]] = {}
    for _, row in codebook.iterrows():
        children.setdefault(row["parent_id"] or "", []).append(row)
    guids = {}

    def add(container: Any, row: pd.Series) -> None:
        code_id = row["code_id"]
        original = kept.loc[code_id] if kept is not None and code_id in kept.index else None
        code_guid = original["guid"] if original is not None and original["guid"] else guid("code", code_id)
        guids[code_id] = code_guid
        codable = bool(original["is_codable"]) if original is not None else not children.get(code_id)
        element = _sub(
            container,
            "Code",
            {
                "guid": code_guid,
                "name": row["name"],
                "isCodable": "true" if codable else "false",
                "color": original["color"] if original is not None else "",
            },
        )
        _sub(element, "Description", text=_description(row))
        for note in (notes_of or {}).get(normalise_guid(code_guid), []):
            _sub(element, "NoteRef", {"targetGUID": note})
        for child in children.get(code_id, []):
            add(element, child)

    for top in children.get("", []):
        add(codes, top)
    return guids


def _xml_bytes(root: Any) -> bytes:
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def codebook_xml(codebook: pd.DataFrame, exchange: Exchange | None = None) -> bytes:
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": f"analysis {__version__}"}, nsmap={None: CODEBOOK_NS})
    _codes_element(root, _blank_to_empty(codebook), exchange)
    _qualify(root, CODEBOOK_NS)
    return _xml_bytes(root)


def export_codebook(codebook: pd.DataFrame, path: str | Path, exchange: Exchange | None = None) -> Path:
    """Write the codebook as a REFI-QDA .qdc file (GUIDs, colours and isCodable of an imported project kept)."""
    return atomic.write_bytes(paths.resolve(path), codebook_xml(codebook, exchange))


def _qualify(root: Any, ns: str) -> None:
    """Put every element of a tree built with plain tags into the QDA-XML namespace."""
    for element in root.iter():
        if isinstance(element.tag, str) and not element.tag.startswith("{"):
            element.tag = f"{{{ns}}}{element.tag}"


def _blank_to_empty(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), "")


def session_text(segments: pd.DataFrame, paragraphs: int) -> tuple[str, dict[int, tuple[int, int]]]:
    """The transcript as one paragraph per line (uncoded paragraphs empty) and each paragraph's offsets."""
    excerpt = segments.drop_duplicates("position").set_index("position")["excerpt"].to_dict()
    lines = [str(excerpt.get(p, "")).replace("\n", " ") for p in range(1, paragraphs + 1)]
    return "\n".join(lines), _line_offsets("\n".join(lines))


def _line_offsets(text: str) -> dict[int, tuple[int, int]]:
    offsets, start = {}, 0
    for number, line in enumerate(text.split("\n"), start=1):
        offsets[number] = (start, start + len(line.rstrip("\r")))
        start += len(line) + 1
    return offsets


def _value_element(parent: Any, variable_guid: str, tag: str, text: str) -> None:
    element = _sub(parent, "VariableValue")
    _sub(element, "VariableRef", {"targetGUID": variable_guid})
    _sub(element, tag or "TextValue", text=text)


_KINDS = {**{v: "Text" for v in SESSION_VARIABLES + RESPONDENT_VARIABLES}, "consent_to_quote": "Boolean"}


def _table_value(value: Any, column: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if column == "consent_to_quote":
        return "true" if bool(value) else "false"
    if column == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value)


class _Variables:
    """The project's variables on export: the imported ones (GUIDs, names, types kept) and one for each
    of the review's attributes the project did not have."""

    def __init__(self, exchange: Exchange | None):
        self.rows = [] if exchange is None else [dict(r) for r in exchange.variables.to_dict("records")]
        self.by_guid = {normalise_guid(r["guid"]): r for r in self.rows}
        values = exchange.values if exchange is not None else Exchange().values
        self.values = {
            (normalise_guid(o), normalise_guid(v)): (t, x)
            for o, v, t, x in zip(values["owner_guid"], values["variable_guid"], values["tag"], values["text"])
        }
        self.owned: dict[str, list[str]] = {}
        for owner, variable in self.values:
            self.owned.setdefault(owner, []).append(variable)

    def existing(self, owner_guid: str, column: str) -> dict | None:
        """The imported variable that holds `column` for this owner: the one it had a value of, else any."""
        mine = [self.by_guid[v] for v in self.owned.get(normalise_guid(owner_guid), []) if v in self.by_guid]
        return next((row for row in mine + self.rows if row["column"] == column), None)

    def new(self, owner: str, column: str) -> dict:
        found = {
            "guid": guid(f"variable-{owner}", column),
            "name": column,
            "type": _KINDS[column],
            "description": "",
            "column": column,
        }
        if normalise_guid(found["guid"]) not in self.by_guid:
            self.rows.append(found)
            self.by_guid[normalise_guid(found["guid"])] = found
        return self.by_guid[normalise_guid(found["guid"])]

    def write_values(
        self, element: Any, owner_guid: str, current: dict[str, tuple[str, Any]], derived: set[str] = frozenset()
    ) -> None:
        """The owner's values in the project's order, a mapped attribute taken from the tables (with the
        tool's own spelling while its value is unchanged), then the review's attributes the project did not
        have (except `derived` ones, which an import works out by itself). `current`: column -> (owner
        kind, value)."""
        owner_key = normalise_guid(owner_guid)
        done: set[str] = set()
        for variable_guid in self.owned.get(owner_key, []):
            row = self.by_guid.get(variable_guid)
            if row is None:
                continue
            tag, text = self.values[(owner_key, variable_guid)]
            if row["column"] in current:
                done.add(row["column"])
                new_text = _table_value(current[row["column"]][1], row["column"])
                if not _same_value(row["column"], text, new_text):
                    tag, text = self._tagged(row, new_text)
            _value_element(element, row["guid"], tag, text)
        for column, (owner, value) in current.items():
            text = _table_value(value, column)
            if column in done or column in derived or not text:
                continue
            row = self.existing(owner_guid, column) or self.new(owner, column)
            _value_element(element, row["guid"], *self._tagged(row, text))

    @staticmethod
    def _tagged(row: dict, text: str) -> tuple[str, str]:
        tag = _TAGS.get(row["type"], "TextValue")
        if tag == "DateTimeValue" and text:
            return tag, f"{text}T00:00:00"
        if tag in ("TextValue", "BooleanValue", "DateValue", "DateTimeValue"):
            return tag, text
        row["type"] = "Text"
        return "TextValue", text


_TAGS = {
    "Text": "TextValue",
    "Boolean": "BooleanValue",
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Date": "DateValue",
    "DateTime": "DateTimeValue",
}


def _same_value(column: str, original: str, text: str) -> bool:
    if column == "consent_to_quote":
        return (original.strip().lower() in ("true", "1", *_YES)) == (text == "true")
    normal = _normalise_value(column, original, _vocabularies())
    return normal is not None and normal == text


def project_files(
    data: Consultations, name: str = "Stakeholder consultations", offsets: str = "codepoints"
) -> dict[str, bytes]:
    """The members of a .qdpx archive: project.qde and one plain-text source per session.

    `offsets="utf16"` writes positions as NVivo counts them (they differ only beyond the BMP, e.g. emoji).
    """
    _check_units(offsets)
    exchange = data.exchange
    codebook = _blank_to_empty(data.codebook.drop(columns=[ROW], errors="ignore"))
    segments = _blank_to_empty(data.segments.drop(columns=[ROW], errors="ignore"))
    notes_of: dict[str, list[str]] = {}
    if exchange is not None:
        for owner, note in zip(exchange.note_refs["owner_guid"], exchange.note_refs["note_guid"]):
            notes_of.setdefault(normalise_guid(owner), []).append(note)
    project_attributes = {k: v for k, v in (exchange.project if exchange else {}).items() if k != "description"}
    root = etree.Element(
        f"{{{PROJECT_NS}}}Project",
        {
            "name": project_attributes.pop("name", name),
            "origin": project_attributes.pop("origin", f"analysis {__version__}"),
            **project_attributes,
        },
        nsmap={None: PROJECT_NS},
    )
    users = _users(exchange, sorted(set(segments["coder"]) | set(data.sessions["primary_coder"])))
    if users:
        element = _sub(root, "Users")
        for user in users.values():
            _sub(element, "User", user)
    code_guids = _codes_element(_sub(root, "CodeBook"), codebook, exchange, notes_of) if len(codebook) else {}
    variables = _Variables(exchange)
    sources_element = etree.Element("Sources")
    files, speaker_refs = _write_sources(
        sources_element, data, segments, exchange, users, code_guids, variables, notes_of, offsets
    )
    cases_element = etree.Element("Cases")
    _write_cases(cases_element, data, exchange, variables, speaker_refs)
    if variables.rows:
        element = _sub(root, "Variables")
        for row in variables.rows:
            variable = _sub(
                element, "Variable", {"guid": row["guid"], "name": row["name"], "typeOfVariable": row["type"]}
            )
            if row.get("description"):
                _sub(variable, "Description", text=row["description"])
    if len(cases_element):
        root.append(cases_element)
    if len(sources_element):
        root.append(sources_element)
    if exchange is not None and len(exchange.notes):
        element = _sub(root, "Notes")
        for note in exchange.notes.itertuples(index=False):
            note_element = _sub(element, "Note", {"guid": note.guid, **note.attributes})
            _sub(note_element, "PlainTextContent", text=note.text)
    if exchange is not None and len(exchange.sets):
        element = _sub(root, "Sets")
        for set_guid, members in exchange.sets.groupby("guid", sort=False):
            first = members.iloc[0]
            item = _sub(element, "Set", {"guid": set_guid, "name": first["name"]})
            if first["description"]:
                _sub(item, "Description", text=first["description"])
            for tag in ("MemberCode", "MemberSource", "MemberNote"):
                for target in members.loc[members["member_tag"] == tag, "member_guid"]:
                    _sub(item, tag, {"targetGUID": target})
    if exchange is not None and exchange.project.get("description"):
        _sub(root, "Description", text=exchange.project["description"])
    for note in notes_of.get("project", []):
        _sub(root, "NoteRef", {"targetGUID": note})
    _qualify(root, PROJECT_NS)
    return {"project.qde": _xml_bytes(root), **files}


def _users(exchange: Exchange | None, coders: list[str]) -> dict[str, dict[str, str]]:
    """coder -> User attributes: the imported users (all of them, GUIDs kept), then a stable one per new coder."""
    users: dict[str, dict[str, str]] = {}
    if exchange is not None:
        for row in exchange.users.itertuples(index=False):
            users[row.name or row.id or normalise_guid(row.guid)] = {"guid": row.guid, "name": row.name, "id": row.id}
    for coder in coders:
        if coder and coder not in users:
            users[coder] = {"guid": guid("user", coder), "name": coder}
    return users


def _document_respondents(data: Consultations, exchange: Exchange | None) -> dict[str, dict[str, Any]]:
    """session -> attributes of the respondent that an imported source without cases stood for."""
    if exchange is None:
        return {}
    cases, sources = set(exchange.cases["respondent_id"]), set(exchange.sources["session_id"])
    return {
        person["respondent_id"]: {v: person[v] for v in RESPONDENT_VARIABLES}
        for _, person in data.respondents.iterrows()
        if person["respondent_id"] in sources and person["respondent_id"] not in cases
    }


def _write_sources(
    parent: Any,
    data: Consultations,
    segments: pd.DataFrame,
    exchange: Exchange | None,
    users: dict[str, dict[str, str]],
    code_guids: dict[str, str],
    variables: _Variables,
    notes_of: dict[str, list[str]],
    offsets: str,
) -> tuple[dict[str, bytes], dict[str, list[str]]]:
    """TextSources with their selections, codings and turns; returns the text files and, per respondent,
    the selections that say where they speak (for the cases' SelectionRefs)."""
    documents = _document_respondents(data, exchange)
    kept_sources = exchange.sources.set_index("session_id") if exchange is not None and len(exchange.sources) else None
    kept_selections = (
        exchange.selections.set_index("segment_id") if exchange is not None and len(exchange.selections) else None
    )
    original_refs = (
        {r: list(g) for r, g in zip(exchange.cases["respondent_id"], exchange.cases["selection_guids"])}
        if exchange is not None
        else {}
    )
    files: dict[str, bytes] = {}
    refs: dict[str, list[str]] = {}
    for _, session in data.sessions.iterrows():
        session_id = session["session_id"]
        coded = segments[segments["session_id"] == session_id]
        original = (
            kept_sources.loc[session_id] if kept_sources is not None and session_id in kept_sources.index else None
        )
        if original is not None:
            text, source_guid = original["text"], original["guid"]
        else:
            text, _ = session_text(coded, int(session["paragraphs"]))
            source_guid = guid("session", session_id)
        lines = _line_offsets(text)
        file_guid = normalise_guid(source_guid)
        files[f"sources/{file_guid}.txt"] = text.encode("utf-8")
        source = _sub(
            parent,
            "TextSource",
            {
                "guid": source_guid,
                "name": session_id,
                "plainTextPath": f"internal://{file_guid}.txt",
                **(original["attributes"] if original is not None else {}),
            },
        )
        if original is not None and original["description"]:
            _sub(source, "Description", text=original["description"])
        spans: dict[str, tuple[int, int]] = {}  # selection GUID -> code-point span, for who speaks where
        if exchange is not None:
            for turn in exchange.turns[exchange.turns["source_guid"] == source_guid].itertuples(index=False):
                _selection(
                    source, text, spans, offsets, {"guid": turn.guid, **turn.attributes}, int(turn.start), int(turn.end)
                )
        by_selection: dict[str, list] = {}
        for _, seg in coded.iterrows():
            kept = (
                kept_selections.loc[seg["segment_id"]]
                if kept_selections is not None and seg["segment_id"] in kept_selections.index
                else None
            )
            key = kept["guid"] if kept is not None else guid("segment", seg["segment_id"])
            by_selection.setdefault(key, []).append((seg, kept))
        for selection_guid, members in by_selection.items():
            first_seg, kept = members[0]
            start, end = _selection_span(text, lines, members, kept)
            attributes = {
                "guid": selection_guid,
                "name": kept["name"] if kept is not None else first_seg["segment_id"],
                **(kept["attributes"] if kept is not None else {"creatingUser": users[first_seg["coder"]]["guid"]}),
            }
            selection = _selection(source, text, spans, offsets, attributes, start, end)
            if first_seg.get("excerpt_en"):
                _sub(selection, "Description", text=first_seg["excerpt_en"])
            written = set()
            for seg, kept_seg in members:
                coding_guid = kept_seg["coding_guid"] if kept_seg is not None else guid("coding", seg["segment_id"])
                if coding_guid in written:
                    continue  # the other paragraphs of one coding
                written.add(coding_guid)
                coding_attributes = (
                    kept_seg["coding_attributes"]
                    if kept_seg is not None
                    else {"creatingUser": users[seg["coder"]]["guid"]}
                )
                coding = _sub(selection, "Coding", {"guid": coding_guid, **coding_attributes})
                _sub(coding, "CodeRef", {"targetGUID": code_guids[seg["code_id"]]})
                for note in notes_of.get(normalise_guid(coding_guid), []):
                    _sub(coding, "NoteRef", {"targetGUID": note})
            for note in notes_of.get(normalise_guid(selection_guid), []):
                _sub(selection, "NoteRef", {"targetGUID": note})
        for respondent, guids in _speaker_refs(coded, by_selection, spans, lines, original_refs, session_id).items():
            for extra_guid, span in guids:
                if span is not None:  # a new turn: the whole paragraph
                    _selection(
                        source, text, spans, offsets, {"guid": extra_guid, "name": f"{respondent} speaks"}, *span
                    )
                refs.setdefault(respondent, []).append(extra_guid)
        for note in notes_of.get(normalise_guid(source_guid), []):
            _sub(source, "NoteRef", {"targetGUID": note})
        # a source taken as one respondent keeps that respondent's attributes
        current = {v: ("respondent", value) for v, value in documents.get(session_id, {}).items()}
        current.update({v: ("session", session[v]) for v in SESSION_VARIABLES})
        only_coder = sorted(set(coded["coder"])) == [session["primary_coder"]]
        variables.write_values(source, source_guid, current, {"primary_coder"} if only_coder else set())
    return files, refs


def _selection(
    source: Any,
    text: str,
    spans: dict[str, tuple[int, int]],
    offsets: str,
    attributes: dict[str, str],
    start: int,
    end: int,
) -> Any:
    """A PlainTextSelection of a source (positions in the unit asked for), its code-point span noted."""
    spans[normalise_guid(attributes["guid"])] = (start, end)
    if offsets == "utf16":
        start, end = to_utf16(text, start), to_utf16(text, end)
    return _sub(
        source,
        "PlainTextSelection",
        {
            "guid": attributes["guid"],
            "name": attributes.get("name"),
            "startPosition": str(start),
            "endPosition": str(end),
            **{k: v for k, v in attributes.items() if k not in ("guid", "name")},
        },
    )


def _speaker_refs(
    coded: pd.DataFrame,
    by_selection: dict[str, list],
    spans: dict[str, tuple[int, int]],
    lines: dict[int, tuple[int, int]],
    original_refs: dict[str, list[str]],
    session_id: str,
) -> dict[str, list[tuple[str, tuple[int, int] | None]]]:
    """respondent -> (selection GUID, span of a new turn or None) for their SelectionRefs in one source:
    the refs the project had, then, for each paragraph they speak in that those do not show as theirs
    alone, their coded selection (if it holds only their words) or a new turn over the paragraph."""
    out: dict[str, list[tuple[str, tuple[int, int] | None]]] = {}
    held: dict[str, list[tuple[int, int]]] = {}
    for respondent, guids in original_refs.items():
        for target in guids:
            if normalise_guid(target) in spans:
                out.setdefault(respondent, []).append((target, None))
                held.setdefault(respondent, []).append(spans[normalise_guid(target)])
    owner_of = {}  # segment -> its selection, if that selection holds only one speaker's words
    for selection_guid, members in by_selection.items():
        speakers = {seg["respondent_id"] for seg, _ in members}
        for seg, _ in members:
            owner_of[seg["segment_id"]] = selection_guid if len(speakers) == 1 else None
    for _, seg in coded.drop_duplicates(["respondent_id", "position"]).iterrows():
        respondent, paragraph = seg["respondent_id"], int(seg["position"])
        line = lines.get(paragraph, (0, 0))
        if _holds(held, respondent, line) and not any(
            _holds(held, other, line) for other in held if other != respondent
        ):
            continue
        target = owner_of.get(seg["segment_id"])
        entry = (target, None) if target else (guid("turn", f"{session_id}:{respondent}:{paragraph}"), line)
        if entry not in out.setdefault(respondent, []):
            out[respondent].append(entry)
            held.setdefault(respondent, []).append(spans.get(normalise_guid(entry[0]), line))
    return out


def _holds(held: dict[str, list[tuple[int, int]]], case: str, line: tuple[int, int]) -> bool:
    """Whether one of the case's selections overlaps the line."""
    return any(a < line[1] and line[0] < b for a, b in held.get(case, []))


def _selection_span(text: str, lines: dict[int, tuple[int, int]], members: list, kept: Any) -> tuple[int, int]:
    """The offsets of a selection: as imported while its source text is unchanged, else from its excerpts."""
    if kept is not None and pd.notna(kept["start"]) and pd.notna(kept["end"]):
        return int(kept["start"]), int(kept["end"])
    starts, ends = [], []
    for seg, _ in members:
        line_start, line_end = lines.get(int(seg["position"]), (0, 0))
        line = text[line_start:line_end]
        found = line.find(str(seg["excerpt"])) if seg["excerpt"] else -1
        start = line_start + (found if found >= 0 else 0)
        starts.append(start)
        ends.append(start + len(seg["excerpt"]) if found >= 0 else line_end)
    return min(starts), max(ends)


def _write_cases(
    parent: Any, data: Consultations, exchange: Exchange | None, variables: _Variables, refs: dict[str, list[str]]
) -> None:
    kept = exchange.cases.set_index("respondent_id") if exchange is not None and len(exchange.cases) else None
    documents = _document_respondents(data, exchange)
    source_guid = {s: guid("session", s) for s in data.sessions["session_id"]}
    if exchange is not None:
        source_guid.update(dict(zip(exchange.sources["session_id"], exchange.sources["guid"])))
    for _, person in data.respondents.iterrows():
        respondent = person["respondent_id"]
        original = kept.loc[respondent] if kept is not None and respondent in kept.index else None
        if respondent in documents:
            continue  # a source taken as one respondent: its attributes stay on the source
        case_guid = original["guid"] if original is not None else guid("respondent", respondent)
        case = _sub(parent, "Case", {"guid": case_guid, "name": respondent})
        if original is not None and original["description"]:
            _sub(case, "Description", text=original["description"])
        variables.write_values(case, case_guid, {v: ("respondent", person[v]) for v in RESPONDENT_VARIABLES})
        if original is not None:
            targets = list(original["source_guids"])
        else:
            targets = [source_guid.get(person["session_id"], guid("session", person["session_id"]))]
        for target in targets:
            _sub(case, "SourceRef", {"targetGUID": target})
        for selection in dict.fromkeys(refs.get(respondent, [])):
            _sub(case, "SelectionRef", {"targetGUID": selection})


def export_project(
    data: Consultations, path: str | Path, name: str = "Stakeholder consultations", offsets: str = "codepoints"
) -> Path:
    """Write the coded consultations as a REFI-QDA .qdpx archive (deterministic bytes)."""
    buffer = _io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in sorted(project_files(data, name, offsets).items()):
            info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return atomic.write_bytes(paths.resolve(path), buffer.getvalue())


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
