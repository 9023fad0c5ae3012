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

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Iterable

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analysis.engine import atomic, config, paths
from analysis.engine.errors import Problem, raise_if_errors
from analysis.engine.readers import ROW, read_excel_sheet, sheet_names
from analysis.engine.schema import Column, apply_excel_rules, date_order, foreign_key, validate

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
        _f("valid_from", "date", width=12, national_date=True, description="First day it applies (blank: not found)",
           example="19.12.2016"),
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


def _fill_sheet(ws, sheet: str, frame: pd.DataFrame | None, vocab: dict[str, list[str]]) -> None:
    fields = SPECS[sheet]
    ws.append([f.column.name for f in fields])
    for cell in ws[1]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    if frame is not None:
        for record in frame.to_dict("records"):
            ws.append([_cell_value(record.get(f.column.name), f) for f in fields])
    for i, f in enumerate(fields, start=1):
        if f.column.kind == "date":
            for row in range(2, ws.max_row + 1):
                ws[f"{get_column_letter(i)}{row}"].number_format = "DD.MM.YYYY"
    apply_excel_rules(ws, _columns(sheet, vocab), widths={f.column.name: f.width for f in fields})
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


# ------------------------------------------------------------------ reading and validation
DATE_COLUMNS = {sheet: [f.column.name for f in SPECS[sheet] if f.column.kind == "date"] for sheet in SHEETS}


@dataclass
class Inventory:
    """The validated workbook: one typed DataFrame per sheet (with `_row`) and the warnings found."""

    tables: dict[str, pd.DataFrame]
    warnings: list[Problem] = field(default_factory=list)
    file: str = "data/raw/regulation_inventory.xlsx"

    def __getitem__(self, sheet: str) -> pd.DataFrame:
        return self.tables[sheet]


def _columns(sheet: str, vocab: dict[str, list[str]]) -> list[Column]:
    return [replace(f.column, vocabulary=vocab[f.vocabulary]) if f.vocabulary else f.column for f in SPECS[sheet]]


def _as_date(value) -> date:
    return pd.Timestamp(value).date()


def read(path: str | Path = "data/raw/regulation_inventory.xlsx", today: str | date | None = None,
         as_of: str | date | None = None) -> Inventory:
    """Read and validate every sheet; raise InputError listing every error, keep warnings.

    `today` is the build date (not the clock): a date after it is an error, except in draft acts and
    their provisions, which may announce future dates. Weak rules in force on `as_of` (default: the
    build date), which the report shows, are warned about.
    """
    path = paths.resolve(path)
    file = paths.relative(path)
    today = _as_date(today or config.get("report.as_of"))
    vocab = vocabularies()
    present = sheet_names(path)
    missing = [s for s in SHEETS if s not in present]
    raise_if_errors([Problem(file=file, sheet=s, expected=f"a sheet named '{s}'", found=", ".join(present))
                     for s in missing])
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for sheet in SHEETS:
        frame = read_excel_sheet(path, sheet)
        typed, found = validate(frame, _columns(sheet, vocab), file, sheet)
        tables[sheet] = typed
        problems.extend(found)
    raise_if_errors(problems)  # types must be right before cross-sheet checks
    problems.extend(_cross_checks(tables, file, today))
    warnings = raise_if_errors(problems)
    inv = Inventory(tables=tables, warnings=warnings, file=file)
    inv.warnings.extend(_quality_warnings(inv, _as_date(as_of or today)))
    return inv


def _problem(file, sheet, row, column, expected, found, severity="error") -> Problem:
    return Problem(file=file, sheet=sheet, row=int(row), column=column, expected=expected, found=found, severity=severity)


def _cross_checks(t: dict[str, pd.DataFrame], file: str, today: date) -> list[Problem]:
    problems: list[Problem] = []
    acts, provisions = t["acts"], t["provisions"]
    act_ids = set(acts["id"])
    problems += foreign_key(provisions, "act_id", act_ids, file, "provisions", "act (sheet acts)")
    problems += foreign_key(provisions, "replaces", set(provisions["id"]), file, "provisions", "provision")
    problems += foreign_key(t["amendments"], "target_act_id", act_ids, file, "amendments", "act (sheet acts)")
    problems += foreign_key(t["amendments"], "amending_act_id", act_ids, file, "amendments", "act (sheet acts)")
    inst_ids = set(t["institutions"]["id"])
    problems += foreign_key(t["institutions"], "parent_id", inst_ids, file, "institutions", "institution")
    problems += foreign_key(t["institutions"], "predecessor_id", inst_ids, file, "institutions", "institution")
    problems += foreign_key(t["roles"], "institution_id", inst_ids, file, "roles", "institution (sheet institutions)")
    known = act_ids | set(provisions["id"]) | inst_ids | set(t["roles"]["id"])
    problems += foreign_key(t["conflicts"], "related_id", known, file, "conflicts", "act, provision, institution or role")
    for sheet in ("provisions", "institutions", "roles"):
        problems += date_order(t[sheet], "valid_from", "valid_to", file, sheet)
    pattern = re.compile(ID_PATTERN)
    for sheet in SHEETS:
        for row, value in zip(t[sheet][ROW], t[sheet]["id"]):
            if value and not pattern.match(value):
                problems.append(_problem(file, sheet, row, "id", "an id of upper-case letters, digits and '-'", value))
    for row, pid, act in zip(provisions[ROW], provisions["id"], provisions["act_id"]):
        if pid and act and not pid.startswith(f"{act}-"):
            problems.append(_problem(file, "provisions", row, "id", f"an id starting with its act id '{act}-'", pid))
    problems += _date_limits(t, file, today)
    return problems


def _date_limits(t: dict[str, pd.DataFrame], file: str, today: date) -> list[Problem]:
    """Future dates (after the build date) and national dates before independence.

    valid_to may lie in the future (a yearly quota ends on 31 December); every other date says that
    something happened, so it cannot be later than the build date.
    """
    floor = _as_date(config.get("inventory.earliest_national_date"))
    exempt_levels = set(config.get("inventory.levels_exempt_from_earliest"))
    acts = t["acts"].set_index("id")
    level_of = acts["level"].to_dict()
    draft = {i for i, s in acts["status"].items() if s == "draft"}
    act_of_row = {
        "acts": t["acts"]["id"],
        "provisions": t["provisions"]["act_id"],
        "amendments": t["amendments"]["target_act_id"],
    }
    problems = []
    for sheet in SHEETS:
        frame = t[sheet]
        acts_here = act_of_row.get(sheet, pd.Series([None] * len(frame), index=frame.index))
        for column in DATE_COLUMNS[sheet]:
            national = next(f.national_date for f in SPECS[sheet] if f.column.name == column)
            for row, value, act in zip(frame[ROW], frame[column], acts_here):
                if pd.isna(value):
                    continue
                day = _as_date(value)
                if day > today and column != "valid_to" and act not in draft:
                    problems.append(_problem(file, sheet, row, column, f"a date on or before the build date "
                                             f"{today:%d.%m.%Y}", f"{day:%d.%m.%Y}"))
                if national and day < floor and level_of.get(act) not in exempt_levels:
                    problems.append(_problem(file, sheet, row, column, f"a date on or after {floor:%d.%m.%Y} "
                                             "(national acts and bodies postdate independence)", f"{day:%d.%m.%Y}"))
    return problems


def _quality_warnings(inv: Inventory, on: date) -> list[Problem]:
    """Facts a reader should know are weak: rules without a start, sources without an address,
    and uncertain or remembered rules that the report shows as in force."""
    warnings = []
    prov = inv["provisions"]
    for row, pid, start in zip(prov[ROW], prov["id"], prov["valid_from"]):
        if pd.isna(start):
            warnings.append(_problem(inv.file, "provisions", row, "valid_from", "the date the rule began "
                                     "(blank: counted from its act, or from the rule it replaces)", pid, "warning"))
    for sheet in SHEETS:
        for row, rid, source in zip(inv[sheet][ROW], inv[sheet]["id"], inv[sheet]["source"]):
            if "http" not in str(source):
                warnings.append(_problem(inv.file, sheet, row, "source", f"an address for {rid}", source, "warning"))
    in_force = rules_in_force(inv, on)
    for _, r in in_force[in_force["confidence"] != "sourced"].iterrows():
        warnings.append(_problem(inv.file, "provisions", r[ROW], "confidence",
                                 f"a sourced fact: {r['id']} is shown as in force on {on:%d.%m.%Y}",
                                 r["confidence"], "warning"))
    return warnings


def read_template_shape(path: str | Path) -> dict[str, list[str]]:
    """Header of every sheet of a workbook (to check a template against the specification)."""
    return {s: [c for c in read_excel_sheet(path, s).columns if c != ROW] for s in SHEETS}


# ------------------------------------------------------------------ tidy outputs
def tidy(inv: Inventory) -> dict[str, pd.DataFrame]:
    """The sheets without the Excel row numbers, dates as dates."""
    out = {}
    for sheet in SHEETS:
        frame = inv[sheet].drop(columns=[ROW]).copy()
        for column in DATE_COLUMNS[sheet]:
            frame[column] = pd.to_datetime(frame[column]).dt.date
        out[sheet] = frame
    return out


def write_tidy(inv: Inventory, folder: str | Path = "data/processed/inventory") -> list[Path]:
    folder = paths.resolve(folder)
    return [atomic.write_csv(folder / f"{sheet}.csv", frame) for sheet, frame in tidy(inv).items()]


# ------------------------------------------------------------------ rules on a date
def _split(value) -> list[str]:
    return [v.strip() for v in str(value).split(";") if v.strip()] if isinstance(value, str) else []


def periods(inv: Inventory) -> pd.DataFrame:
    """Provisions with their act's level, type and status and an effective [start, end] period.

    A blank valid_from becomes the day after the start of the provision it replaces, else the act's
    entry into force (or adoption) if that is not after valid_to; `start_known` says which.
    """
    acts = inv["acts"].set_index("id")
    prov = inv["provisions"].copy()
    prov["level"] = prov["act_id"].map(acts["level"])
    prov["act_type"] = prov["act_id"].map(acts["type"])
    prov["act_status"] = prov["act_id"].map(acts["status"])
    act_start = acts["entry_into_force"].fillna(acts["adopted"])
    starts = dict(zip(prov["id"], prov["valid_from"]))
    effective = []
    for pid, start, end, act, replaced in zip(prov["id"], prov["valid_from"], prov["valid_to"], prov["act_id"],
                                              prov["replaces"]):
        if pd.notna(start):
            effective.append(start)
            continue
        if isinstance(replaced, str) and pd.notna(starts.get(replaced)):
            effective.append(starts[replaced] + pd.Timedelta(days=1))
            continue
        fallback = act_start.get(act)
        effective.append(fallback if pd.notna(fallback) and (pd.isna(end) or fallback <= end) else pd.NaT)
    prov["start"] = pd.to_datetime(pd.Series(effective, index=prov.index))
    prov["end"] = prov["valid_to"]
    prov["start_known"] = prov["valid_from"].notna()
    return prov


def _for_target(frame: pd.DataFrame) -> pd.Series:
    target = set(config.get("inventory.applies_to_target"))
    return frame["applies_to"].map(lambda v: bool(target & set(_split(v)))).astype(bool)


def rules_in_force(inv: Inventory, on: str | date, pathway: str | None = None, target_only: bool = True) -> pd.DataFrame:
    """Provisions that applied on `on` (inclusive dates), for the corridor's target group by default.

    Acts that are drafts or were not found hold no rules; a provision is dropped once a provision that
    replaces it applies.
    """
    on = pd.Timestamp(on)
    prov = periods(inv)
    with_rules = set(config.get("inventory.statuses_with_rules"))
    started = prov["act_status"].isin(with_rules) & (prov["start"].isna() | (prov["start"] <= on))
    superseded = set(prov.loc[started, "replaces"].dropna())  # even if the successor has itself ended
    live = started & (prov["end"].isna() | (prov["end"] >= on)) & ~prov["id"].isin(superseded)
    prov = prov[live]
    if target_only:
        prov = prov[_for_target(prov)]
    if pathway is not None:
        prov = prov[prov["pathway"].map(lambda v: pathway in _split(v)).astype(bool)]
    return prov.sort_values(["pathway", "id"]).reset_index(drop=True)


def by_pathway(rules: pd.DataFrame) -> pd.DataFrame:
    """One row per (pathway, provision), pathways in the configured order, with their labels."""
    labels = config.pathway_labels()
    order = {p: i for i, p in enumerate(labels)}
    out = rules.assign(pathway_id=rules["pathway"].map(_split)).explode("pathway_id")
    out["pathway_label"] = out["pathway_id"].map(labels)
    out["_order"] = out["pathway_id"].map(order)
    return out.sort_values(["_order", "id"]).drop(columns="_order").reset_index(drop=True)


def rules_table(rules: pd.DataFrame) -> pd.DataFrame:
    """The rules as a reader sees them: pathway, id, act, rule, value, from, to, confidence."""
    rows = by_pathway(rules)
    return pd.DataFrame({
        "Pathway": rows["pathway_label"],
        "Provision": rows["id"],
        "Rule": rows["rule"],
        "Value": [value_text(r) for _, r in rows.iterrows()],
        "From": [("" if pd.isna(s) else f"{s:%d.%m.%Y}") + ("" if k else " (start not found)")
                 for s, k in zip(rows["start"], rows["start_known"])],
        "To": [("" if pd.isna(e) else f"{e:%d.%m.%Y}") for e in rows["end"]],
        "Confidence": rows["confidence"],
    })


# ------------------------------------------------------------------ institutions on a date
def roles_on(inv: Inventory, on: str | date) -> pd.DataFrame:
    """Roles of the bodies on `on` (role and body both current; blank dates count as open)."""
    on = pd.Timestamp(on)
    inst = inv["institutions"].set_index("id")
    roles = inv["roles"].copy()
    for col in ("valid_from", "valid_to"):
        roles[f"body_{col}"] = roles["institution_id"].map(inst[col])
    live = pd.Series(True, index=roles.index)
    for start, end in (("valid_from", "valid_to"), ("body_valid_from", "body_valid_to")):
        live &= (roles[start].isna() | (roles[start] <= on)) & (roles[end].isna() | (roles[end] >= on))
    roles = roles[live].copy()
    roles["body"] = roles["institution_id"].map(inst["name_en"])
    return roles.sort_values(["pathway", "institution_id"]).reset_index(drop=True)


def institution_map(inv: Inventory, on: str | date, mark: str = "•") -> pd.DataFrame:
    """Body × procedure matrix on a date: `mark` where the body has a role (roles in words: roles_table)."""
    roles = roles_on(inv, on)
    labels = config.pathway_labels()
    matrix = pd.crosstab(roles["institution_id"], roles["pathway"])
    matrix = matrix.reindex(columns=[p for p in labels if p in matrix.columns])
    matrix = matrix.apply(lambda col: col.map(lambda n: mark if n else ""))
    matrix.columns = [labels[c] for c in matrix.columns]
    matrix.index.name = "Body"
    return matrix


def institutions_annex(inv: Inventory) -> pd.DataFrame:
    """Every body with English and Russian names, parent, period and source links."""
    inst = inv["institutions"].sort_values(["country", "id"])
    return pd.DataFrame({
        "Id": inst["id"], "Name (EN)": inst["name_en"], "Name (RU)": inst["name_ru"].fillna(""),
        "Parent": inst["parent_id"].fillna(inst["parent_note"]).fillna(""),
        "Predecessor": inst["predecessor_id"].fillna(""),
        "From": [("" if pd.isna(d) else f"{d:%d.%m.%Y}") for d in inst["valid_from"]],
        "To": [("" if pd.isna(d) else f"{d:%d.%m.%Y}") for d in inst["valid_to"]],
        "Confidence": inst["confidence"], "source": [source_links(v) for v in inst["source"]],
    }).reset_index(drop=True)


def roles_table(inv: Inventory, on: str | date) -> pd.DataFrame:
    """The roles on a date in words, by procedure."""
    roles = roles_on(inv, on)
    labels = config.pathway_labels()
    order = {p: i for i, p in enumerate(labels)}
    roles = roles.assign(_order=roles["pathway"].map(order)).sort_values(["_order", "institution_id"])
    return pd.DataFrame({
        "Procedure": roles["pathway"].map(labels), "Body": roles["institution_id"], "Role": roles["role"],
        "Since": [("" if pd.isna(d) else f"{d:%d.%m.%Y}") for d in roles["valid_from"]],
        "Confidence": roles["confidence"],
    }).reset_index(drop=True)


# ------------------------------------------------------------------ changes between two dates
def changes_between(inv: Inventory, start: str | date, end: str | date, target_only: bool = True) -> pd.DataFrame:
    """Rules that are new, amended (a successive value replaced an earlier one) or repealed between
    two dates, comparing the rules in force on each date."""
    before = rules_in_force(inv, start, target_only=target_only).set_index("id")
    after = rules_in_force(inv, end, target_only=target_only).set_index("id")
    replaces = inv["provisions"].set_index("id")["replaces"].dropna().to_dict()

    def ancestor_in_before(pid: str) -> str | None:
        seen = set()
        while pid in replaces and pid not in seen:
            seen.add(pid)
            pid = replaces[pid]
            if pid in before.index:
                return pid
        return None

    rows = []
    replaced_now = set()
    for pid in after.index.difference(before.index):
        old = ancestor_in_before(pid)
        if old:
            replaced_now.add(old)
        rows.append(_change_row("amended" if old else "new", after.loc[pid], pid, old, before))
    for pid in before.index.difference(after.index):
        if pid not in replaced_now:
            rows.append(_change_row("repealed", before.loc[pid], pid, None, before))
    columns = ["change", "id", "pathway", "rule", "value", "previous_id", "previous_value", "valid_from", "valid_to",
               "confidence"]
    order = {"new": 0, "amended": 1, "repealed": 2}
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["change", "pathway", "id"], key=lambda s: s.map(order) if s.name == "change" else s) \
        .reset_index(drop=True)


def value_text(row) -> str:
    """'800 som per month'; 'amount not found' when the rule has a unit but no number; else ''."""
    has_unit = isinstance(row["unit"], str) and row["unit"].strip()
    if pd.isna(row["quantity"]):
        return "amount not found" if has_unit else ""
    return f"{row['quantity']:,.10g}" + (f" {row['unit']}" if has_unit else "")


def _change_row(change: str, row, pid: str, old: str | None, before: pd.DataFrame) -> dict:
    return {"change": change, "id": pid, "pathway": row["pathway"], "rule": row["rule"], "value": value_text(row),
            "previous_id": old or "", "previous_value": value_text(before.loc[old]) if old else "",
            "valid_from": row["start"], "valid_to": row["end"], "confidence": row["confidence"]}


def amendments_between(inv: Inventory, start: str | date, end: str | date) -> pd.DataFrame:
    """Amendment events (sheet amendments) dated after `start` and on or before `end`."""
    am = inv["amendments"]
    inside = (am["date"] > pd.Timestamp(start)) & (am["date"] <= pd.Timestamp(end))
    return am[inside].sort_values(["date", "id"]).drop(columns=[ROW]).reset_index(drop=True)


# ------------------------------------------------------------------ coverage and verification
def level_order() -> list[str]:
    return list(config.get("inventory.levels"))


def coverage_matrix(inv: Inventory, on: str | date | None = None, target_only: bool = True) -> pd.DataFrame:
    """Number of provisions per pathway × level (in force on `on`, or all rules of existing acts).

    Zeros are gaps: no rule of that level covers that pathway.
    """
    if on is None:
        prov = periods(inv)
        prov = prov[prov["act_status"].isin(set(config.get("inventory.statuses_with_rules")))]
        if target_only:
            prov = prov[_for_target(prov)]
    else:
        prov = rules_in_force(inv, on, target_only=target_only)
    labels = config.pathway_labels()
    exploded = prov.assign(pathway_id=prov["pathway"].map(_split)).explode("pathway_id")
    matrix = pd.crosstab(exploded["pathway_id"], exploded["level"]) if len(exploded) else pd.DataFrame()
    matrix = matrix.reindex(index=list(labels), columns=level_order(), fill_value=0).fillna(0).astype(int)
    matrix.index = [labels[p] for p in matrix.index]
    matrix.index.name = "Pathway"
    matrix.columns.name = "Level"
    return matrix


def verification_shares(inv: Inventory) -> pd.DataFrame:
    """Facts per sheet by confidence, with the share of each confidence in all facts."""
    levels = vocabularies()["confidence"]
    counts = pd.DataFrame({sheet: inv[sheet]["confidence"].value_counts() for sheet in SHEETS}).T
    counts = counts.reindex(columns=levels, fill_value=0).fillna(0).astype(int)
    counts.loc["all facts"] = counts.sum()
    counts["total"] = counts.sum(axis=1)
    for level in levels:
        counts[f"{level} %"] = (100 * counts[level] / counts["total"]).round(1)
    counts.index.name = "Sheet"
    return counts


def check_first(inv: Inventory, on: str | date, limit: int = 15) -> pd.DataFrame:
    """Facts to verify first: open conflicts, then uncertain or remembered rules in force for the
    target group, then other weak facts about acts and bodies; uncertain before from memory."""
    weak = {"uncertain": 0, "from memory": 1}
    rows = []
    for conflict_id, group in inv["conflicts"][inv["conflicts"]["resolution_status"] != "resolved"].groupby("conflict_id"):
        values = "; ".join(f"{v} {'' if pd.isna(u) else u}".strip() for v, u in zip(group["value"], group["unit"]))
        rows.append((0, 0, "conflicts", conflict_id, f"{group['fact'].iloc[0]}: {values}", "conflict",
                     group["related_id"].iloc[0]))
    live = rules_in_force(inv, on)
    live_ids = set(live["id"])
    for _, r in live[live["confidence"].isin(list(weak))].iterrows():
        rows.append((1, weak[r["confidence"]], "provisions", r["id"], r["rule"], r["confidence"], r["note"]))
    prov = inv["provisions"]
    for _, r in prov[prov["confidence"].isin(list(weak)) & ~prov["id"].isin(live_ids)].iterrows():
        rows.append((3, weak[r["confidence"]], "provisions", r["id"], r["rule"], r["confidence"], r["note"]))
    for sheet, text in (("acts", "title_en"), ("institutions", "name_en"), ("roles", "role"), ("amendments", "what")):
        frame = inv[sheet]
        for _, r in frame[frame["confidence"].isin(list(weak))].iterrows():
            rows.append((2, weak[r["confidence"]], sheet, r["id"], r[text], r["confidence"], r["note"]))
    frame = pd.DataFrame(rows, columns=["priority", "_weak", "sheet", "id", "fact", "confidence", "note"])
    frame = frame.sort_values(["priority", "_weak", "sheet", "id"]).drop(columns="_weak").head(limit)
    frame["priority"] = range(1, len(frame) + 1)
    return frame.reset_index(drop=True)


# ------------------------------------------------------------------ timelines and annex
def reform_events(inv: Inventory, since: str | date | None = None) -> pd.DataFrame:
    """Dated events since `since`: acts adopted, provisions starting, amendments; milestones flagged."""
    since = pd.Timestamp(since or config.get("inventory.timeline_since"))
    milestones = dict(config.get("inventory.milestones"))
    acts = inv["acts"]
    level_of = acts.set_index("id")["level"]
    events = [pd.DataFrame({"date": acts["adopted"], "id": acts["id"], "level": acts["level"],
                            "kind": "act adopted", "text": acts["title_en"]})]
    prov = inv["provisions"]
    events.append(pd.DataFrame({"date": prov["valid_from"], "id": prov["id"], "level": prov["act_id"].map(level_of),
                                "kind": "rule starts", "text": prov["rule"]}))
    am = inv["amendments"]
    events.append(pd.DataFrame({"date": am["date"], "id": am["id"], "level": am["target_act_id"].map(level_of),
                                "kind": "amendment", "text": am["action"] + " " + am["target_act_id"] + ": " + am["what"].fillna("")}))
    frame = pd.concat(events, ignore_index=True).dropna(subset=["date"])
    frame = frame[frame["date"] >= since]
    frame["milestone"] = frame["id"].map(milestones).fillna("")
    # an act's milestone marks its adoption only, a provision's its start
    return frame.sort_values(["date", "id"]).reset_index(drop=True)


def institution_periods(inv: Inventory, since: str | date | None = None, until: str | date | None = None) -> pd.DataFrame:
    """Bodies of the destination state with periods overlapping [since, until]; open ends clipped."""
    since = pd.Timestamp(since or config.get("inventory.institutions_since"))
    until = pd.Timestamp(until or config.get("report.as_of"))
    inst = inv["institutions"]
    inst = inst[inst["country"] == config.get("corridor.destination.code")].copy()
    inst = inst[(inst["valid_to"].isna() | (inst["valid_to"] >= since)) & (inst["valid_from"].isna() | (inst["valid_from"] <= until))]
    inst["start"] = inst["valid_from"].clip(lower=since).fillna(since)
    inst["stop"] = inst["valid_to"].clip(upper=until).fillna(until)
    inst["start_known"] = inst["valid_from"].notna()
    inst["stop_known"] = inst["valid_to"].notna()
    return inst.sort_values(["start", "id"]).reset_index(drop=True)


def source_links(text) -> str:
    """The addresses in a source cell, separated by spaces (for report.table links)."""
    return " ".join(re.findall(r"https?://\S+", str(text or "")))


def _annex_note(note, source) -> str:
    """The act's note, plus any source that has no address (shown as text, not as a link)."""
    unlinked = " ".join(part for part in str(source).split("\n") if part.strip() and "http" not in part)
    parts = [str(note)] if isinstance(note, str) and note.strip() else []
    if unlinked:
        parts.append(f"Source without address: {unlinked}.")
    return " ".join(parts)


def annex_table(inv: Inventory) -> pd.DataFrame:
    """Every act with English and Russian titles and source links, by level then date."""
    acts = inv["acts"].copy()
    acts["_level"] = acts["level"].map({lvl: i for i, lvl in enumerate(level_order())})
    acts["_date"] = acts["adopted"].fillna(acts["entry_into_force"])
    acts = acts.sort_values(["_level", "_date", "id"], na_position="last")
    return pd.DataFrame({
        "Id": acts["id"], "Level": acts["level"], "Type": acts["type"],
        "Title (EN)": acts["title_en"], "Title (RU)": acts["title_ru"].fillna(""),
        "No.": acts["number"].fillna(""),
        "Adopted": [("" if pd.isna(d) else f"{d:%d.%m.%Y}") for d in acts["adopted"]],
        "Status": acts["status"], "Confidence": acts["confidence"],
        "Note": [_annex_note(n, v) for n, v in zip(acts["note"], acts["source"])],
        "source": [source_links(v) for v in acts["source"]],
    }).reset_index(drop=True)


def quality_table(problems: Iterable[Problem]) -> pd.DataFrame:
    """Warnings as a table for the data-quality annex."""
    rows = [{"Sheet": p.sheet or "", "Row": p.row, "Column": p.column or "", "Expected": p.expected,
             "Found": "" if p.found is None else str(p.found)} for p in problems]
    return pd.DataFrame(rows, columns=["Sheet", "Row", "Column", "Expected", "Found"])


# ------------------------------------------------------------------ figures
def figure_acts_by_type_and_level(inv: Inventory):
    """Horizontal stacked bars: number of acts of each type, coloured by level."""
    from analysis.engine import figures

    counts = pd.crosstab(inv["acts"]["type"], inv["acts"]["level"])
    counts = counts.reindex(columns=[lvl for lvl in level_order() if lvl in counts.columns])
    counts = counts.loc[counts.sum(axis=1).sort_values().index]
    fig, ax = figures.new_figure(8.0, 4.8)
    left = pd.Series(0, index=counts.index)
    for colour, level in zip(figures.PALETTE, counts.columns):
        ax.barh(counts.index, counts[level], left=left, color=colour, label=level)
        left += counts[level]
    for y, total in enumerate(counts.sum(axis=1)):
        ax.text(total + 0.2, y, str(int(total)), va="center", fontsize=9)
    ax.set_xlabel("Number of acts")
    ax.set_ylabel("")
    ax.legend(title="Level", loc="lower right", frameon=True)
    ax.set_title("Acts in the inventory by type and level")
    return fig


def figure_coverage(matrix: pd.DataFrame, title: str):
    """Heat map of rules per pathway × level; empty cells are marked 'gap'."""
    import numpy as np
    import seaborn as sns

    from analysis.engine import figures

    fig, ax = figures.new_figure(8.0, 5.2)
    annotations = np.where(matrix.to_numpy() == 0, "gap", matrix.to_numpy().astype(str))
    sns.heatmap(matrix, annot=annotations, fmt="", cmap="Blues", cbar_kws={"label": "rules in force"},
                linewidths=0.5, linecolor="white", ax=ax, annot_kws={"fontsize": 9})
    for text in ax.texts:
        if text.get_text() == "gap":
            text.set_color("#D55E00")
            text.set_fontstyle("italic")
    ax.set_xlabel("Level of the act")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelrotation=20)
    ax.set_title(title)
    return fig


def figure_reform_timeline(events: pd.DataFrame, title: str):
    """Dated events per level since 2000; milestones labelled."""
    from analysis.engine import figures

    levels = [lvl for lvl in level_order() if lvl in set(events["level"])]
    lane = {lvl: i for i, lvl in enumerate(levels)}
    fig, ax = figures.new_figure(9.0, 5.0)
    markers = {"act adopted": "s", "rule starts": "o", "amendment": "^"}
    for (kind, marker), colour in zip(markers.items(), figures.PALETTE):
        part = events[events["kind"] == kind]
        ax.scatter(part["date"], part["level"].map(lane), marker=marker, s=28, alpha=0.75, color=colour, label=kind)
    milestones = events[events["milestone"] != ""].drop_duplicates("milestone").reset_index(drop=True)
    for number, row in milestones.iterrows():
        y = lane[row["level"]]
        ax.scatter([row["date"]], [y], s=130, facecolors="none", edgecolors="#000000", linewidths=1.2)
        ax.annotate(str(number + 1), (row["date"], y), xytext=(0, 9), textcoords="offset points", fontsize=9,
                    fontweight="bold", ha="center")
    key = "\n".join(f"{n + 1}  {text}" for n, text in enumerate(milestones["milestone"]))
    ax.text(1.02, 1.0, "Milestones\n" + key, transform=ax.transAxes, va="top", fontsize=8,
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "#999999"})
    ax.set_yticks(range(len(levels)), levels)
    ax.set_ylim(-0.6, len(levels) - 0.1)
    ax.set_xlabel("Date")
    ax.legend(loc="upper left", fontsize=8, frameon=True)
    ax.set_title(title)
    return fig


def figure_institution_timeline(periods_frame: pd.DataFrame, title: str):
    """Bars of the bodies created, renamed or abolished since 2015 (others stay off the chart).

    A body whose start the sources do not give, although it replaced another, is hatched.
    """
    from analysis.engine import figures

    changed = periods_frame["start_known"] | periods_frame["stop_known"] | periods_frame["predecessor_id"].notna()
    frame = periods_frame[changed].iloc[::-1].reset_index(drop=True)
    fig, ax = figures.new_figure(9.0, max(3.5, 0.36 * len(frame) + 1.2))
    for y, row in frame.iterrows():
        unknown_start = not row["start_known"] and isinstance(row["predecessor_id"], str)
        ax.barh(y, (row["stop"] - row["start"]).days, left=row["start"], height=0.6,
                color=figures.PALETTE[4] if unknown_start else figures.PALETTE[0], hatch="//" if unknown_start else None,
                edgecolor="white")
        if row["stop_known"]:
            ax.text(row["stop"], y, f" {row['stop']:%m.%Y}", va="center", fontsize=7.5)
    ax.set_yticks(range(len(frame)), [f"{i} — {n if len(n) <= 40 else n[:39] + '…'}" for i, n in zip(frame["id"], frame["name_en"])], fontsize=8)
    ax.set_xlabel("Date (bars end at the report date when the body still exists)")
    ax.set_title(title)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=figures.PALETTE[0], label="dates as the sources give them"),
                       Patch(facecolor=figures.PALETTE[4], hatch="//", label="start not found")],
              loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False)
    return fig
