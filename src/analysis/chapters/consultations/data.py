"""The consultation tables (respondents, sessions, codebook, segments, plan): columns, reading, checks.

The data model follows REFI-QDA concepts (docs/consultations.md): a project coded in NVivo, ATLAS.ti,
MAXQDA or QualCoder converts into these tables (`refi`), and the Excel route (`write_template` /
`read_workbook`) serves consultants who code in a spreadsheet. Kept apart from the analysis so that the
REFI-QDA exchange can build on it without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from analysis.engine import atomic, config, paths
from analysis.engine.errors import InputError, Problem, raise_if_errors
from analysis.engine.readers import ROW, read_csv_any, read_excel_sheet, sheet_names
from analysis.engine.schema import Column, apply_excel_rules, foreign_key, validate

TABLES = ("respondents", "sessions", "codebook", "segments", "plan")
#: Tables a consultation may leave out: which paragraphs each coder read (default: the whole session).
OPTIONAL_TABLES = ("coding_scope",)
#: Respondent attributes and the configuration vocabulary that orders and labels them.
GROUP_VOCABULARIES = {"stakeholder_group": "stakeholder_groups", "sex": "sexes", "region": "regions"}


def vocabulary(key: str) -> list[str]:
    value = config.get(f"consultations.{key}")
    return list(value) if isinstance(value, (dict, list)) else [value]


def columns() -> dict[str, list[Column]]:
    """The documented columns of each input table (vocabularies from config/corridor.yaml)."""
    return {
        "respondents": [
            Column("respondent_id", unique=True, description="pseudonymous id, never a name", example="R-0001"),
            Column("session_id", description="the session the respondent took part in", example="S-01"),
            Column("stakeholder_group", vocabulary=vocabulary("stakeholder_groups"), example="government"),
            Column("sex", vocabulary=vocabulary("sexes"), example="female"),
            Column("age_band", vocabulary=vocabulary("age_bands"), required=False, example="25-34"),
            Column("region", vocabulary=vocabulary("regions"), example="batken"),
            Column("interview_language", vocabulary=vocabulary("interview_languages"), example="ru"),
            Column(
                "consent_to_quote",
                kind="bool",
                description="yes only if the respondent agreed to be quoted",
                example="yes",
            ),
        ],
        "sessions": [
            Column("session_id", unique=True, example="S-01"),
            Column("session_type", vocabulary=vocabulary("session_types"), example="interview"),
            Column("date", kind="date", description="dd.mm.yyyy or yyyy-mm-dd", example="14.10.2026"),
            Column("mode", vocabulary=vocabulary("modes"), example="in_person"),
            Column("region", vocabulary=vocabulary("regions"), example="osh_city"),
            Column(
                "paragraphs", kind="int", minimum=1, description="paragraphs (turns) in the transcript", example="24"
            ),
            Column(
                "primary_coder", description="whose coding counts; a second coder is for reliability only", example="C1"
            ),
        ],
        "codebook": [
            Column("code_id", unique=True, example="REG.DELAY"),
            Column("parent_id", required=False, description="blank for a theme (top level)", example="REG"),
            Column("name", example="Registration delays"),
            Column("definition", required=False),
            Column("inclusion", required=False),
            Column("exclusion", required=False),
            Column("example", required=False),
        ],
        "segments": [
            Column("segment_id", unique=True, example="G-0001"),
            Column("session_id", example="S-01"),
            Column("position", kind="int", minimum=1, description="paragraph number in the transcript", example="3"),
            Column("respondent_id", description="who speaks in this paragraph", example="R-0001"),
            Column("code_id", example="REG.DELAY"),
            Column("coder", example="C1"),
            Column("excerpt", description="original words (Russian, Kyrgyz, Uzbek or English)"),
            Column("excerpt_en", required=False, description="English translation, used for quotes"),
        ],
        "coding_scope": [
            Column("session_id", description="a session coded by more than one coder", example="S-01"),
            Column("coder", description="a coder who read part of it (without a row: the whole session)", example="C2"),
            Column("first_paragraph", kind="int", minimum=1, description="first paragraph the coder read", example="1"),
            Column("last_paragraph", kind="int", minimum=1, description="last paragraph the coder read", example="12"),
        ],
        "plan": [
            Column("stakeholder_group", vocabulary=vocabulary("stakeholder_groups")),
            Column("sex", vocabulary=vocabulary("sexes")),
            Column("region", vocabulary=vocabulary("regions")),
            Column("planned", kind="int", minimum=0, description="respondents planned in this cell"),
        ],
    }


def empty(name: str) -> pd.DataFrame:
    """A table with its documented columns and no row."""
    return pd.DataFrame({ROW: pd.Series(dtype="int64"), **{c.name: pd.Series(dtype=object) for c in columns()[name]}})


@dataclass
class Consultations:
    respondents: pd.DataFrame
    sessions: pd.DataFrame
    codebook: pd.DataFrame
    segments: pd.DataFrame
    plan: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    read_as: dict[str, dict] = field(default_factory=dict)
    coding_scope: pd.DataFrame = field(default_factory=lambda: empty("coding_scope"))
    #: What a REFI-QDA project held beyond these tables (GUIDs, colours, users, memos), for a faithful
    #: re-export (`refi.Exchange`); None for data that did not come from a project.
    exchange: Any = None


# ---------------------------------------------------------------- reading
def read_folder(folder: str | Path) -> Consultations:
    """The five CSV files of a consultation folder (UTF-8 or Windows-1251, ';' or ',')."""
    folder = paths.resolve(folder)
    frames, read_as, problems = {}, {}, []
    names = TABLES + tuple(n for n in OPTIONAL_TABLES if (folder / f"{n}.csv").exists())
    files = {name: paths.relative(folder / f"{name}.csv") for name in names}
    for name in names:
        try:
            frames[name], read_as[name] = read_folder_table(folder / f"{name}.csv", name, how=True)
        except InputError as exc:  # keep reading: every file's problems are listed at once
            problems += exc.problems
    if problems:
        specs = columns()
        for name, frame in frames.items():
            problems += validate(frame, specs[name], files[name], None)[1]
        raise_if_errors(problems)
    data = check(frames, files, sheets={name: None for name in names})
    data.read_as = read_as
    return data


def read_folder_table(path: str | Path, name: str, how: bool = False):
    """One table of a consultation folder as CSV (its documented headers or their aliases); with `how`,
    also how it was read (encoding, separator)."""
    aliases = config.get(f"consultations.header_aliases.{name}", default=None)
    frame, read_as = read_csv_any(paths.resolve(path), header_map=aliases)
    return (frame, read_as) if how else frame


def read_workbook(path: str | Path) -> Consultations:
    """The Excel route: one sheet per table, as written by `write_template`."""
    path = paths.resolve(path)
    present = set(sheet_names(path))
    names = TABLES + tuple(n for n in OPTIONAL_TABLES if n in present)
    frames = {name: read_excel_sheet(path, name) for name in names}
    file = paths.relative(path)
    return check(frames, {name: file for name in names}, sheets={name: name for name in names})


def check(frames: dict[str, pd.DataFrame], files: dict[str, str], sheets: dict[str, str | None]) -> Consultations:
    """Validate every table and every cross-reference; raise one InputError listing all problems.

    The optional tables (OPTIONAL_TABLES) may be absent from `frames`."""
    specs = columns()
    typed, problems = {}, []
    for name in TABLES + tuple(n for n in OPTIONAL_TABLES if n in frames):
        typed[name], found = validate(frames[name], specs[name], files[name], sheets[name])
        problems += found
    raise_if_errors(problems)
    r, s, c, g = typed["respondents"], typed["sessions"], typed["codebook"], typed["segments"]
    problems += foreign_key(r, "session_id", s["session_id"], files["respondents"], sheets["respondents"], "session")
    problems += foreign_key(c, "parent_id", c["code_id"], files["codebook"], sheets["codebook"], "code (parent)")
    problems += foreign_key(g, "session_id", s["session_id"], files["segments"], sheets["segments"], "session")
    problems += foreign_key(g, "respondent_id", r["respondent_id"], files["segments"], sheets["segments"], "respondent")
    problems += foreign_key(g, "code_id", c["code_id"], files["segments"], sheets["segments"], "code in the codebook")
    problems += _cycle_problems(c, files["codebook"], sheets["codebook"])
    problems += _paragraph_problems(g, s, files["segments"], sheets["segments"])
    problems += _primary_coder_problems(g, s, files["sessions"], sheets["sessions"])
    if "coding_scope" in typed:
        problems += _scope_problems(
            typed["coding_scope"],
            g,
            s,
            files["coding_scope"],
            sheets["coding_scope"],
            files["segments"],
            sheets["segments"],
        )
    warnings = raise_if_errors(problems)
    return Consultations(warnings=warnings, **typed)


def _cycle_problems(codebook: pd.DataFrame, file: str, sheet: str | None) -> list[Problem]:
    parent = dict(zip(codebook["code_id"], codebook["parent_id"]))
    problems = []
    for row, code in zip(codebook[ROW], codebook["code_id"]):
        seen, node = {code}, parent.get(code)
        while node:
            if node in seen:
                problems.append(
                    Problem(
                        file=file,
                        sheet=sheet,
                        row=int(row),
                        column="parent_id",
                        expected="a parent that is not the code itself or its descendant",
                        found=parent.get(code),
                    )
                )
                break
            seen.add(node)
            node = parent.get(node)
    return problems


def _paragraph_problems(segments: pd.DataFrame, sessions: pd.DataFrame, file: str, sheet: str | None) -> list[Problem]:
    """A position beyond the transcript's length is an error; one paragraph with two different
    excerpts is a warning (a coder quoted differently), since the excerpt is what gets quoted."""
    length = dict(zip(sessions["session_id"], sessions["paragraphs"]))
    problems = []
    for row, session, position in zip(segments[ROW], segments["session_id"], segments["position"]):
        if session in length and position is not pd.NA and position > length[session]:
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    row=int(row),
                    column="position",
                    expected=f"a paragraph number up to {length[session]} (session {session})",
                    found=position,
                )
            )
    excerpts = segments.groupby(["session_id", "position"])["excerpt"].nunique()
    for (session, position), count in excerpts[excerpts > 1].items():
        group = segments[(segments["session_id"] == session) & (segments["position"] == position)]
        row = group.loc[group["excerpt"] != group["excerpt"].iloc[0], ROW].iloc[0]
        problems.append(
            Problem(
                file=file,
                sheet=sheet,
                row=int(row),
                column="excerpt",
                severity="warning",
                expected=f"the same excerpt for every code of paragraph {position} of {session}",
                found=f"{count} different excerpts (the REFI export keeps the first)",
            )
        )
    return problems


def _primary_coder_problems(
    segments: pd.DataFrame, sessions: pd.DataFrame, file: str, sheet: str | None
) -> list[Problem]:
    """A session whose primary coder coded nothing in it while others did would silently drop out of
    every count (only the primary coding counts)."""
    coders = segments.groupby("session_id")["coder"].unique()
    problems = []
    for row, session, primary in zip(sessions[ROW], sessions["session_id"], sessions["primary_coder"]):
        found = coders.get(session)
        if found is not None and primary not in set(found):
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    row=int(row),
                    column="primary_coder",
                    expected=f"a coder of session {session} ({', '.join(sorted(found))})",
                    found=primary,
                )
            )
    return problems


def _scope_problems(
    scope: pd.DataFrame,
    segments: pd.DataFrame,
    sessions: pd.DataFrame,
    file: str,
    sheet: str | None,
    segments_file: str,
    segments_sheet: str | None,
) -> list[Problem]:
    """Ranges inside their session, and no segment of a coder outside the paragraphs they read."""
    length = dict(zip(sessions["session_id"], sessions["paragraphs"]))
    problems = foreign_key(scope, "session_id", sessions["session_id"], file, sheet, "session")
    for row, session, first, last in zip(
        scope[ROW], scope["session_id"], scope["first_paragraph"], scope["last_paragraph"]
    ):
        if first > last:
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    row=int(row),
                    column="last_paragraph",
                    expected=f"a paragraph at or after first_paragraph ({first})",
                    found=last,
                )
            )
        elif session in length and last > length[session]:
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    row=int(row),
                    column="last_paragraph",
                    expected=f"a paragraph up to {length[session]} (session {session})",
                    found=last,
                )
            )
    read = paragraphs_read(scope)
    for row, session, coder, position in zip(
        segments[ROW], segments["session_id"], segments["coder"], segments["position"]
    ):
        if (session, coder) in read and position not in read[(session, coder)]:
            problems.append(
                Problem(
                    file=segments_file,
                    sheet=segments_sheet,
                    row=int(row),
                    column="position",
                    expected=f"a paragraph that coding_scope says {coder} read in {session} "
                    f"({_ranges(read[(session, coder)])})",
                    found=position,
                )
            )
    return problems


def paragraphs_read(scope: pd.DataFrame) -> dict[tuple[str, str], set[int]]:
    """(session, coder) -> the paragraphs that coder read, for the pairs the coding scope names."""
    read: dict[tuple[str, str], set[int]] = {}
    for session, coder, first, last in zip(
        scope["session_id"], scope["coder"], scope["first_paragraph"], scope["last_paragraph"]
    ):
        read.setdefault((session, coder), set()).update(range(int(first), int(last) + 1))
    return read


def _ranges(numbers: set[int]) -> str:
    """{1, 2, 3, 7} -> '1-3, 7'."""
    ordered, parts = sorted(numbers), []
    if not ordered:
        return "none"
    start = previous = ordered[0]
    for n in ordered[1:] + [None]:
        if n is not None and n == previous + 1:
            previous = n
            continue
        parts.append(f"{start}-{previous}" if previous != start else str(start))
        if n is not None:
            start = previous = n
    return ", ".join(parts)


# ---------------------------------------------------------------- Excel template
def write_template(path: str | Path, example: Consultations | None = None) -> Path:
    """A coding workbook: one sheet per table with documented headers, drop-down vocabularies and
    a README sheet; filled with `example` if given. `read_workbook` reads it back."""
    workbook = Workbook()
    readme = workbook.active
    readme.title = "README"
    readme.append(["sheet", "column", "required", "allowed values / type", "description", "example"])
    for cell in readme[1]:
        cell.font = Font(bold=True)
    for name, specs in columns().items():
        sheet = workbook.create_sheet(name)
        sheet.append([col.name for col in specs])
        for col in specs:
            allowed = (
                ", ".join(col.vocabulary)
                if col.vocabulary
                else {"bool": "yes / no", "date": "dd.mm.yyyy", "int": "whole number"}.get(col.kind, "text")
            )
            readme.append([name, col.name, "yes" if col.required else "no", allowed, col.description, col.example])
        apply_excel_rules(sheet, specs, widths={"excerpt": 60, "excerpt_en": 60, "definition": 40}, last_row=5000)
        if example is not None:
            frame = getattr(example, name)
            for record in frame[[c.name for c in specs]].itertuples(index=False):
                sheet.append([_cell_value(v) for v in record])
    path = Path(path)
    with atomic.atomic_path(path) as tmp:
        workbook.save(tmp)
    return path


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, np.integer):
        return int(value)
    return value
