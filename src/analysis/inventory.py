"""The legal-framework inventory: acts, provisions, amendments, institutions, roles and conflicts.

The consultant edits one workbook (data/raw/regulation_inventory.xlsx); this module describes its
shape once (the sheet specifications below drive the empty template, the Excel drop-downs, the README
sheet and the validation), reads and checks it, writes tidy tables, and answers the questions of the
report: which rules applied on a date, which bodies did what, what changed between two dates, where
the framework has gaps and which facts to verify first.

Conventions (documented in docs/inventory.md):
- dates are inclusive: a rule with valid_to 2024-12-31 applies on that day and not on 2025-01-01;
- a blank valid_from means "start not found": the rule counts from its act's entry into force (or
  adoption), and is reported in the data-quality annex;
- a provision with `replaces` ends the provision it replaces once it applies (successive values);
- acts with status draft or not found never hold rules in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Iterable

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import atomic, config, paths
from .errors import Problem, raise_if_errors
from .io import ROW, read_excel_sheet, sheet_names
from .schema import Column, date_order, foreign_key, validate

SHEETS = ("acts", "provisions", "amendments", "institutions", "roles", "conflicts")
ID_PATTERN = r"^[A-Z0-9]+(?:[-_][A-Za-z0-9]+)*$"


# ------------------------------------------------------------------ vocabularies
def vocabularies() -> dict[str, list[str]]:
    """Every controlled vocabulary of the workbook, from config/corridor.yaml (one place)."""
    inv = config.get("inventory")
    return {
        "act_types": list(inv["act_types"]),
        "levels": list(inv["levels"]),
        "statuses": list(inv["statuses"]),
        "party_statuses": list(inv["party_statuses"]),
        "pathways": list(config.pathway_labels()),
        "applies_to": list(inv["applies_to"]),
        "confidence": list(inv["confidence"]),
        "amendment_actions": list(inv["amendment_actions"]),
        "conflict_statuses": list(inv["conflict_statuses"]),
    }


@dataclass(frozen=True)
class Field:
    """A workbook column: its schema check, its README text, its width and its drop-down list."""

    column: Column
    vocabulary: str | None = None  # key of vocabularies()
    width: int = 14
    national_date: bool = False  # subject to the 1991 floor for national acts


def _f(name: str, kind: str = "str", required: bool = False, vocab: str | None = None, multi: bool = False,
       unique: bool = False, width: int = 14, description: str = "", example: str = "",
       national_date: bool = False) -> Field:
    return Field(Column(name=name, kind=kind, required=required, multi=multi, unique=unique,
                        description=description, example=example), vocab, width, national_date)


_SOURCE = _f("source", required=True, width=40,
             description="Source address(es), one per line; text if the source has no address",
             example="https://24.kg/english/313664_...")
_CONFIDENCE = _f("confidence", required=True, vocab="confidence", width=12,
                 description="sourced = seen in a public source; from memory = believed, no source found; "
                             "uncertain = conflicting, partial or unverified", example="sourced")
_NOTE = _f("note", width=40, description="Anything a reader must know: date precision, what was not found",
           example="month precision: signed April 2025")

SPECS: dict[str, list[Field]] = {
    "acts": [
        _f("id", required=True, unique=True, width=8, description="Stable act id (L = KG law, P = presidential "
           "decree, G = government act, B = bilateral, E = EAEU/CIS, X = international, U = origin country)",
           example="G07"),
        _f("title_en", required=True, width=45, description="Title in English", example="Provisional regulation ..."),
        _f("title_ru", width=45, description="Title in Russian (as published)", example="Временное положение ..."),
        _f("type", required=True, vocab="act_types", width=18, description="Form of the act", example="government resolution"),
        _f("level", required=True, vocab="levels", width=14, description="Level in the hierarchy of norms",
           example="by-law"),
        _f("number", width=10, description="Official number", example="721"),
        _f("adopted", "date", width=12, national_date=True, description="Date adopted or signed", example="02.12.2024"),
        _f("entry_into_force", "date", width=12, national_date=True, description="Date it entered into force",
           example="01.01.2025"),
        _f("last_amended", "date", width=12, national_date=True, description="Date of the last amendment known",
           example="13.01.2026"),
        _f("status", required=True, vocab="statuses", width=11, description="Status on the date of compilation",
           example="in force"),
        _f("destination_party", vocab="party_statuses", width=11,
           description="Treaties: is the destination state a party?", example="party"),
        _f("origin_party", vocab="party_statuses", width=11,
           description="Treaties: is the origin state a party?", example="not party"),
        _f("issuing_body", width=18, description="Who adopted it", example="Cabinet of Ministers"),
        _f("summary", width=50, description="What it governs for the target group, in plain words"),
        _SOURCE, _CONFIDENCE,
        _f("verified_by", width=12, description="Who checked the act against an official text", example="consultant"),
        _f("verified_on", "date", width=12, description="When it was checked", example="15.12.2026"),
        _NOTE,
    ],
    "provisions": [
        _f("id", required=True, unique=True, width=24, description="<act id>-<SHORT-NAME>, stable",
           example="G01-REG-DEADLINE"),
        _f("act_id", required=True, width=8, description="Id of the act on sheet acts", example="G01"),
        _f("article", width=10, description="Article, part or paragraph, if known", example="art. 431 p. 1"),
        _f("pathway", required=True, vocab="pathways", multi=True, width=22,
           description="Pathway id(s) from config pathways, several separated by ';'", example="registration"),
        _f("rule", required=True, width=60, description="The rule in plain words"),
        _f("quantity", "float", width=10, description="Its number, if it has one", example="5"),
        _f("unit", width=14, description="Unit of the quantity", example="working days"),
        _f("applies_to", required=True, vocab="applies_to", multi=True, width=22,
           description="Who it applies to, several separated by ';'", example="uzbek_citizens"),
        _f("valid_from", "date", width=12, description="First day it applies (blank: not found)", example="19.12.2016"),
        _f("valid_to", "date", width=12, description="Last day it applies (blank: still applies)", example="31.12.2024"),
        _f("replaces", width=22, description="Id of the provision whose value this one replaces (successive values)",
           example="G11-QUOTA-2025-A"),
        _SOURCE, _CONFIDENCE, _NOTE,
    ],
    "amendments": [
        _f("id", required=True, unique=True, width=8, description="Stable id", example="AM01"),
        _f("target_act_id", required=True, width=10, description="Act that is amended, suspended or repealed",
           example="G06"),
        _f("action", required=True, vocab="amendment_actions", width=11, description="What happens to the target",
           example="suspends"),
        _f("amending_act_id", width=10, description="Id of the amending act, if it is on sheet acts", example="G07"),
        _f("amending_instrument", width=35, description="The amending instrument as cited",
           example="Cabinet Res. 02.12.2024 No. 721"),
        _f("date", "date", required=True, width=12, national_date=True, description="Date it takes effect",
           example="01.01.2025"),
        _f("what", width=50, description="What changed, in plain words"),
        _SOURCE, _CONFIDENCE, _NOTE,
    ],
    "institutions": [
        _f("id", required=True, unique=True, width=10, description="Short upper-case id, stable", example="MTSOM"),
        _f("name_en", required=True, width=40, description="Name in English"),
        _f("name_ru", width=40, description="Name in Russian"),
        _f("country", required=True, width=8, description="Country code (corridor origin or destination)",
           example="KG"),
        _f("parent_id", width=10, description="Id of the parent body, if it is on this sheet", example="MFA"),
        _f("parent_note", width=25, description="Parent as the sources name it"),
        _f("predecessor_id", width=10, description="Id of the body it replaced, if any", example="SMS"),
        _f("valid_from", "date", width=12, national_date=True, description="Date the body (under this name) began",
           example="06.11.2021"),
        _f("valid_to", "date", width=12, description="Last day the body (under this name) existed",
           example="11.05.2025"),
        _f("functions", width=60, description="What it does for the target group, in plain words"),
        _SOURCE, _CONFIDENCE, _NOTE,
    ],
    "roles": [
        _f("id", required=True, unique=True, width=16, description="<institution id>-<SHORT>, stable",
           example="MFA-CD-WP"),
        _f("institution_id", required=True, width=10, description="Id on sheet institutions", example="MFA-CD"),
        _f("pathway", required=True, vocab="pathways", width=22, description="Pathway id from config pathways",
           example="work_permit"),
        _f("role", required=True, width=50, description="Its role in that procedure, in plain words"),
        _f("valid_from", "date", width=12, description="First day it had this role (blank: not found)",
           example="01.01.2025"),
        _f("valid_to", "date", width=12, description="Last day it had this role (blank: still has it)"),
        _SOURCE, _CONFIDENCE, _NOTE,
    ],
    "conflicts": [
        _f("id", required=True, unique=True, width=8, description="<conflict id>-<letter>: one row per value",
           example="C01-A"),
        _f("conflict_id", required=True, width=8, description="The conflict this value belongs to", example="C01"),
        _f("fact", required=True, width=40, description="The fact on which sources disagree"),
        _f("related_id", width=20, description="Provision, act or institution id concerned", example="G01-REG-DEADLINE"),
        _f("value", required=True, width=14, description="The value this source gives", example="5"),
        _f("unit", width=12, description="Its unit", example="working days"),
        _f("reported_by", width=30, description="Who says so (outlet, official, document)"),
        _f("reported_on", "date", width=12, description="Date of the statement or page", example="25.04.2023"),
        _SOURCE, _CONFIDENCE,
        _f("resolution_status", required=True, vocab="conflict_statuses", width=12,
           description="open / partly resolved / resolved", example="open"),
        _f("resolution_note", width=40, description="How it was or can be resolved"),
    ],
}


def field_names(sheet: str) -> list[str]:
    return [f.column.name for f in SPECS[sheet]]


# ------------------------------------------------------------------ writing workbooks
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _excel_list(values: list[str]) -> str:
    formula = '"' + ",".join(values) + '"'
    if len(formula) > 255:  # Excel's limit for an inline list
        raise ValueError(f"vocabulary too long for an Excel drop-down: {values}")
    return formula


def _fill_sheet(ws, sheet: str, frame: pd.DataFrame | None, vocab: dict[str, list[str]]) -> None:
    fields = SPECS[sheet]
    ws.append([f.column.name for f in fields])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    for i, f in enumerate(fields, start=1):
        ws.column_dimensions[get_column_letter(i)].width = f.width
    if frame is not None:
        for record in frame.to_dict("records"):
            ws.append([_cell_value(record.get(f.column.name), f) for f in fields])
    last_row = max(ws.max_row, 1000)
    for i, f in enumerate(fields, start=1):
        letter = get_column_letter(i)
        if f.column.kind == "date":
            for row in range(2, ws.max_row + 1):
                ws[f"{letter}{row}"].number_format = "DD.MM.YYYY"
        if f.vocabulary:
            values = vocab[f.vocabulary]
            if f.column.multi:  # Excel lists hold one value; several are typed, separated by ';'
                dv = DataValidation(allow_blank=True, showErrorMessage=False)
                dv.promptTitle = f.column.name[:32]
                dv.prompt = ("One or more of: " + "; ".join(values))[:255]
            else:
                dv = DataValidation(type="list", formula1=_excel_list(values), allow_blank=True,
                                    showErrorMessage=True)
                dv.errorTitle = "Not in the list"
                dv.error = f"Choose a value of {f.column.name} from the list (config/corridor.yaml inventory)"
            dv.showInputMessage = True
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _cell_value(value, f: Field):
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if f.column.kind == "date":
        return pd.Timestamp(value).to_pydatetime().date() if not isinstance(value, date) else value
    return value


def _readme_rows(vocab: dict[str, list[str]]) -> list[list[str]]:
    rows = [["sheet", "column", "meaning", "allowed values / format", "example"]]
    for sheet in SHEETS:
        for f in SPECS[sheet]:
            if f.vocabulary:
                allowed = ("; ".join(vocab[f.vocabulary]) + (" (several separated by ';')" if f.column.multi else ""))
            else:
                allowed = {"date": "date (dd.mm.yyyy)", "float": "number", "int": "whole number"}.get(f.column.kind, "text")
            if f.column.required:
                allowed += " — required"
            rows.append([sheet, f.column.name, f.column.description, allowed, f.column.example])
    return rows


def write_workbook(path: str | Path, tables: dict[str, pd.DataFrame] | None = None, allow_raw: bool = False) -> Path:
    """Write the inventory workbook (atomically) with drop-downs, frozen headers and a README sheet."""
    vocab = vocabularies()
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in SHEETS:
        _fill_sheet(wb.create_sheet(sheet), sheet, (tables or {}).get(sheet), vocab)
    readme = wb.create_sheet("README")
    for row in _readme_rows(vocab):
        readme.append(row)
    for cell in readme[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    readme.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (12, 20, 60, 60, 25)):
        readme.column_dimensions[letter].width = width
    for row in readme.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    with atomic.atomic_path(paths.resolve(path), allow_raw=allow_raw) as tmp:
        wb.save(tmp)
    return Path(paths.resolve(path))


def write_template(path: str | Path) -> Path:
    """An empty inventory workbook of the same shape (for `make templates`)."""
    return write_workbook(path)
