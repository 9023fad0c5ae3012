"""The legal-framework inventory: acts, provisions, amendments, institutions, roles and conflicts, with
the evidence that carries each of them (sources and quotes).

The consultant edits one workbook (data/raw/regulation_inventory.xlsx); this module describes its
shape once (the sheet specifications below drive the empty template, the Excel drop-downs, the README
sheet and the validation), reads and checks it, writes tidy tables, the numbered bibliography and one
citation per fact, and answers the questions of the report: what applied on a date and how sure we
are of it, which bodies did what, what changed, where the framework has gaps and what to verify first.

Conventions (documented in docs/inventory.md):
- a fact is `sourced` only if a quote from a dated source with an address states it (sheet evidence);
- dates are inclusive: a rule with valid_to 2024-12-31 applies on that day and not on 2025-01-01;
- a blank valid_from means "start not found": the rule counts from its act's entry into force (or
  adoption), and is reported in the data-quality annex;
- a provision with `replaces` ends the provision it replaces once it applies (successive values);
- a rule applies only within its act's validity: a temporary act ends with its term (extended only by
  an `extends` amendment that quotes a source); a suspended act revives when the suspension ends;
- where the status after a date is unknown (term ended, act of unknown status, newest source older than
  `inventory.stale_after_months`) the rule is "not confirmed since" that date, a state of its own;
- a provision is only as sure as its act: it inherits the act's weaker confidence;
- acts with status draft or not found never hold rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analysis.engine import atomic, config, paths, text
from analysis.engine.errors import Problem, raise_if_errors
from analysis.engine.readers import ROW, read_excel_sheet, sheet_names
from analysis.engine.schema import Column, apply_excel_rules, date_order, foreign_key, validate

#: Sheets that hold facts (each row is a fact with an id, a confidence and its verification).
SHEETS = ("acts", "provisions", "amendments", "institutions", "roles", "conflicts")
#: Sheets that hold the evidence: one row per source, one row per quote that carries a fact.
EVIDENCE_SHEETS = ("sources", "evidence")
WORKBOOK_SHEETS = SHEETS + EVIDENCE_SHEETS
ID_PATTERN = r"^[A-Z0-9]+(?:[-_][A-Za-z0-9]+)*$"
SOURCE_ID_PATTERN = r"^S\d{3,}$"
#: Evidence stances that confirm a fact (a contradicting quote never does).
CONFIRMING_STANCES = ("supports", "amends")
#: Text of a fact sheet's main column, for tables and citations.
FACT_TEXT = {
    "acts": "title_en",
    "provisions": "rule",
    "amendments": "what",
    "institutions": "name_en",
    "roles": "role",
    "conflicts": "fact",
}


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
        "tiers": list(inv["source_tiers"]),
        "stances": list(inv["evidence_stances"]),
        "languages": list(inv["source_languages"]),
    }


@dataclass(frozen=True)
class Field:
    """A workbook column: its schema check, its README text, its width and its drop-down list."""

    column: Column
    vocabulary: str | None = None  # key of vocabularies()
    width: int = 14
    national_date: bool = False  # subject to the 1991 floor for national acts


def _f(
    name: str,
    kind: str = "str",
    required: bool = False,
    vocab: str | None = None,
    multi: bool = False,
    unique: bool = False,
    width: int = 14,
    description: str = "",
    example: str = "",
    national_date: bool = False,
) -> Field:
    return Field(
        Column(
            name=name,
            kind=kind,
            required=required,
            multi=multi,
            unique=unique,
            description=description,
            example=example,
        ),
        vocab,
        width,
        national_date,
    )


_CONFIDENCE = _f(
    "confidence",
    required=True,
    vocab="confidence",
    width=12,
    description="sourced = a quote from a dated source with an address states the fact (sheet "
    "evidence); uncertain = sources conflict, are indirect, undated or were not read; "
    "from memory = no source read",
    example="sourced",
)
_VERIFIED = [
    _f(
        "verified_by",
        width=14,
        description="Who checked the fact against its sources",
        example="desk review (project team)",
    ),
    _f(
        "verified_on",
        "date",
        width=12,
        description="When it was checked (may be after the as-of date)",
        example="01.12.2026",
    ),
]
_NOTE = _f(
    "note",
    width=40,
    description="Anything a reader must know: date precision, what was not found, which official text would settle it",
    example="month precision: signed April 2025",
)

SPECS: dict[str, list[Field]] = {
    "acts": [
        _f(
            "id",
            required=True,
            unique=True,
            width=8,
            description="Stable act id (L = KG law, P = presidential "
            "decree, G = government act, B = bilateral, E = EAEU/CIS, X = international, U = origin country)",
            example="G07",
        ),
        _f(
            "citation",
            width=30,
            description="How footnotes cite the act (short); blank: the English title",
            example="Cabinet Res. No. 721 of 2 Dec 2024",
        ),
        _f("title_en", required=True, width=45, description="Title in English", example="Provisional regulation ..."),
        _f("title_ru", width=45, description="Title in Russian (as published)", example="Временное положение ..."),
        _f(
            "type",
            required=True,
            vocab="act_types",
            width=18,
            description="Form of the act",
            example="government resolution",
        ),
        _f(
            "level",
            required=True,
            vocab="levels",
            width=14,
            description="Level in the hierarchy of norms",
            example="by-law",
        ),
        _f("number", width=10, description="Official number", example="721"),
        _f("adopted", "date", width=12, national_date=True, description="Date adopted or signed", example="02.12.2024"),
        _f(
            "entry_into_force",
            "date",
            width=12,
            national_date=True,
            description="Date it entered into force",
            example="01.01.2025",
        ),
        _f(
            "valid_until",
            "date",
            width=12,
            description="Last day of the act's term as adopted (pilots, temporary "
            "acts, yearly quotas) or the last day of a repealed or expired act; blank: no term. An extension is an "
            "amendment (action extends, column until)",
            example="31.12.2025",
        ),
        _f(
            "last_amended",
            "date",
            width=12,
            national_date=True,
            description="Date of the last amendment known",
            example="13.01.2026",
        ),
        _f(
            "status",
            required=True,
            vocab="statuses",
            width=11,
            description="Status on the date of compilation "
            "(the report computes the status on the as-of date from the dates and amendments)",
            example="in force",
        ),
        _f(
            "destination_party",
            vocab="party_statuses",
            width=11,
            description="Treaties: is the destination state a party?",
            example="party",
        ),
        _f(
            "origin_party",
            vocab="party_statuses",
            width=11,
            description="Treaties: is the origin state a party?",
            example="not party",
        ),
        _f("issuing_body", width=18, description="Who adopted it", example="Cabinet of Ministers"),
        _f("summary", width=50, description="What it governs for the target group, in plain words"),
        _CONFIDENCE,
        *_VERIFIED,
        _NOTE,
    ],
    "provisions": [
        _f(
            "id",
            required=True,
            unique=True,
            width=24,
            description="<act id>-<SHORT-NAME>, stable",
            example="G01-REG-DEADLINE",
        ),
        _f("act_id", required=True, width=8, description="Id of the act on sheet acts", example="G01"),
        _f("article", width=10, description="Article, part or paragraph, if known", example="art. 431 p. 1"),
        _f(
            "pathway",
            required=True,
            vocab="pathways",
            multi=True,
            width=22,
            description="Pathway id(s) from config pathways, several separated by ';'",
            example="registration",
        ),
        _f("rule", required=True, width=60, description="The rule in plain words"),
        _f("quantity", "float", width=10, description="Its number, if it has one", example="5"),
        _f("unit", width=14, description="Unit of the quantity", example="working days"),
        _f(
            "applies_to",
            required=True,
            vocab="applies_to",
            multi=True,
            width=22,
            description="Who it applies to, several separated by ';'",
            example="uzbek_citizens",
        ),
        _f(
            "valid_from",
            "date",
            width=12,
            national_date=True,
            description="First day it applies (blank: not found)",
            example="19.12.2016",
        ),
        _f(
            "valid_to",
            "date",
            width=12,
            description="Last day it applies, if the rule itself ends (blank: as long as its act)",
            example="31.12.2024",
        ),
        _f(
            "replaces",
            width=22,
            description="Id of the provision whose value this one replaces (successive values)",
            example="G11-QUOTA-2025-A",
        ),
        _CONFIDENCE,
        *_VERIFIED,
        _NOTE,
    ],
    "amendments": [
        _f("id", required=True, unique=True, width=8, description="Stable id", example="AM01"),
        _f(
            "target_act_id",
            required=True,
            width=10,
            description="Act that is amended, suspended, extended, replaced or repealed",
            example="G06",
        ),
        _f(
            "action",
            required=True,
            vocab="amendment_actions",
            width=11,
            description="What happens to the target",
            example="suspends",
        ),
        _f("amending_act_id", width=10, description="Id of the amending act, if it is on sheet acts", example="G07"),
        _f(
            "amending_instrument",
            width=35,
            description="The amending instrument as cited",
            example="Cabinet Res. 02.12.2024 No. 721",
        ),
        _f(
            "date",
            "date",
            required=True,
            width=12,
            national_date=True,
            description="Date it takes effect",
            example="01.01.2025",
        ),
        _f(
            "until",
            "date",
            width=12,
            description="suspends: last day of the suspension (blank: until lifted); "
            "extends: the new last day of the target's term (required)",
            example="31.12.2025",
        ),
        _f("what", width=50, description="What changed, in plain words"),
        _CONFIDENCE,
        *_VERIFIED,
        _NOTE,
    ],
    "institutions": [
        _f("id", required=True, unique=True, width=10, description="Short upper-case id, stable", example="MTSOM"),
        _f("name_en", required=True, width=40, description="Name in English"),
        _f("name_ru", width=40, description="Name in Russian"),
        _f(
            "short_name",
            width=24,
            description="How the report's sentences name the body (with its article); blank: the English name",
            example="the MFA Consular Department",
        ),
        _f(
            "country", required=True, width=8, description="Country code (corridor origin or destination)", example="KG"
        ),
        _f("parent_id", width=10, description="Id of the parent body, if it is on this sheet", example="MFA"),
        _f("parent_note", width=25, description="Parent as the sources name it"),
        _f("predecessor_id", width=10, description="Id of the body it replaced, if any", example="SMS"),
        _f(
            "valid_from",
            "date",
            width=12,
            national_date=True,
            description="Date the body (under this name) began",
            example="06.11.2021",
        ),
        _f(
            "valid_to",
            "date",
            width=12,
            description="Last day the body (under this name) existed",
            example="11.05.2025",
        ),
        _f("functions", width=60, description="What it does for the target group, in plain words"),
        _CONFIDENCE,
        *_VERIFIED,
        _NOTE,
    ],
    "roles": [
        _f(
            "id",
            required=True,
            unique=True,
            width=16,
            description="<institution id>-<SHORT>, stable",
            example="MFA-CD-WP",
        ),
        _f("institution_id", required=True, width=10, description="Id on sheet institutions", example="MFA-CD"),
        _f(
            "pathway",
            required=True,
            vocab="pathways",
            width=22,
            description="Pathway id from config pathways",
            example="work_permit",
        ),
        _f("role", required=True, width=50, description="Its role in that procedure, in plain words"),
        _f(
            "valid_from",
            "date",
            width=12,
            description="First day it had this role (blank: not found)",
            example="01.01.2025",
        ),
        _f("valid_to", "date", width=12, description="Last day it had this role (blank: still has it)"),
        _CONFIDENCE,
        *_VERIFIED,
        _NOTE,
    ],
    "conflicts": [
        _f(
            "id",
            required=True,
            unique=True,
            width=8,
            description="<conflict id>-<letter>: one row per value",
            example="C01-A",
        ),
        _f("conflict_id", required=True, width=8, description="The conflict this value belongs to", example="C01"),
        _f("fact", required=True, width=40, description="The fact on which sources disagree"),
        _f(
            "related_id",
            width=20,
            description="Provision, act, institution or role id concerned",
            example="G01-REG-DEADLINE",
        ),
        _f("value", required=True, width=14, description="The value this source gives", example="5"),
        _f("unit", width=12, description="Its unit", example="working days"),
        _f("reported_by", width=30, description="Who says so (outlet, official, document)"),
        _f("reported_on", "date", width=12, description="Date of the statement or page", example="25.04.2023"),
        _CONFIDENCE,
        _f(
            "resolution_status",
            required=True,
            vocab="conflict_statuses",
            width=12,
            description="open / partly resolved / resolved (an extension reported after a first end date is an "
            "amendment, not a conflict)",
            example="open",
        ),
        _f("resolution_note", width=40, description="How it was or can be resolved"),
        *_VERIFIED,
    ],
    "sources": [
        _f(
            "source_id",
            required=True,
            unique=True,
            width=8,
            description="S + number; the number is the source's "
            "number in the report's bibliography (stable: append new sources at the end)",
            example="S012",
        ),
        _f(
            "address",
            width=45,
            description="Address, normalised: https://host/path?query, no trailing dot in the "
            "host, no :443 or :80, no #fragment; blank only for a source that has none (it cannot make a fact "
            "sourced)",
            example="https://cis-legislation.com/document.fwx?rgn=163636",
        ),
        _f("title", width=40, description="Title of the page or document as shown"),
        _f("publisher", width=20, description="Site or body that publishes it", example="24.kg"),
        _f(
            "tier",
            required=True,
            vocab="tiers",
            width=14,
            description="official = official text or official "
            "site; legal database; international organisation; news; other (firms, blogs, universities, "
            "aggregators, commercial reprints)",
            example="legal database",
        ),
        _f("language", vocab="languages", width=8, description="Language of the page", example="ru"),
        _f(
            "source_date",
            "date",
            width=12,
            description="Date of the document or page: adoption date of an "
            "official text (revision date if shown), publication date of news; blank if the page shows none",
            example="02.12.2024",
        ),
        _f(
            "copy_of",
            width=8,
            description="Source id of the original if this page copies another outlet's "
            "article (a copy is not a second source)",
            example="S034",
        ),
        _f("note", width=30, description="E.g. machine translation, page cut off, defunct site"),
    ],
    "evidence": [
        _f(
            "fact_id",
            required=True,
            width=22,
            description="Id of the fact it carries (a row of any fact sheet)",
            example="G07-SINGLE-PERMIT",
        ),
        _f("source_id", required=True, width=8, description="Id on sheet sources", example="S012"),
        _f(
            "quote",
            width=60,
            description="The words of the source that state the fact, copied exactly, in the "
            "original language (blank: address only, not read: it does not make the fact sourced)",
        ),
        _f("quote_en", width=50, description="English rendering of the quote"),
        _f("pinpoint", width=14, description="Article, item or paragraph of the source", example="item 2"),
        _f(
            "stance",
            required=True,
            vocab="stances",
            width=11,
            description="supports = states the fact; "
            "contradicts = states something else; amends = states a later change (extension, suspension)",
            example="supports",
        ),
    ],
}

#: What each sheet holds, for the README sheet and docs/inventory.md.
SHEET_NOTES = {
    "acts": "One row per legal act (law, decree, resolution, order, treaty, convention, non-binding instrument, "
    "act of the origin country).",
    "provisions": "One row per rule that matters to a migrant; a value that replaced an earlier one is a new row "
    "with `replaces`.",
    "amendments": "One row per act amending, suspending, extending, replacing, repealing, implementing or "
    "ratifying another. Suspended is not repealed: a suspended act revives when `until` has passed.",
    "institutions": "One row per body under one name; a reorganisation is a new row with `predecessor_id`.",
    "roles": "One row per role of a body in one procedure for a period.",
    "conflicts": "One row per value that a source gives for a fact on which sources disagree.",
    "sources": "One row per source (page or document), listed once; its number is the bibliography number.",
    "evidence": "One row per quote that carries a fact. A fact is 'sourced' only if at least one supporting quote "
    "comes from a source with an address, a tier and a date.",
}


def field_names(sheet: str) -> list[str]:
    return [f.column.name for f in SPECS[sheet]]


# ------------------------------------------------------------------ addresses
_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid)$")


def normalise_address(address: str) -> str:
    """One spelling per page: lower-case host without a trailing dot or default port, no #fragment, no
    tracking parameters (the query is kept when it identifies the document)."""
    parts = urlsplit(str(address).strip())
    host = (parts.hostname or "").rstrip(".")
    netloc = host if parts.port in (None, _DEFAULT_PORTS.get(parts.scheme.lower())) else f"{host}:{parts.port}"
    query = "&".join(p for p in parts.query.split("&") if p and not _TRACKING.match(p.split("=", 1)[0]))
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


def address_problem(address: str) -> str | None:
    """Why an address is not usable as it stands (None if it parses and is normalised)."""
    value = str(address)
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return "an address that parses (scheme, host, path)"
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "." not in parts.hostname
        or any(c.isspace() for c in value)
    ):
        return "an address that parses: http(s)://host/path"
    if (
        port is not None
        and port == _DEFAULT_PORTS.get(parts.scheme)
        or parts.netloc.endswith(".")
        or parts.fragment
        or value != normalise_address(value)
    ):
        return f"a normalised address ({normalise_address(value)})"
    return None


def dedup_key(address: str) -> str:
    """Key under which two spellings of one page (http/https, www., trailing slash) are the same source."""
    parts = urlsplit(normalise_address(address))
    host = parts.netloc[4:] if parts.netloc.startswith("www.") else parts.netloc
    return f"{host}{parts.path.rstrip('/')}" + (f"?{parts.query}" if parts.query else "")


# ------------------------------------------------------------------ writing workbooks
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
#: Document properties of a written workbook: fixed, so the same tables give the same file.
_FIXED_TIME = datetime(2026, 1, 1)


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


def _blank(value) -> bool:
    return (
        value is None
        or value is pd.NaT
        or (isinstance(value, float) and pd.isna(value))
        or (isinstance(value, str) and not value.strip())
    )


def _filled(series: pd.Series) -> pd.Series:
    """True where a cell holds something (a boolean mask even for an empty column)."""
    return series.map(lambda v: not _blank(v)).astype(bool)


def _cell_value(value, f: Field):
    if _blank(value):
        return None
    if f.column.kind == "date":
        return pd.Timestamp(value).to_pydatetime().date() if not isinstance(value, date) else value
    return value


def _readme_rows(vocab: dict[str, list[str]]) -> list[list[str]]:
    rows = [["sheet", "column", "meaning", "allowed values / format", "example"]]
    for sheet in WORKBOOK_SHEETS:
        rows.append([sheet, "(sheet)", SHEET_NOTES[sheet], "", ""])
        for f in SPECS[sheet]:
            if f.vocabulary:
                allowed = "; ".join(vocab[f.vocabulary]) + (" (several separated by ';')" if f.column.multi else "")
            else:
                allowed = {"date": "date (dd.mm.yyyy)", "float": "number", "int": "whole number"}.get(
                    f.column.kind, "text"
                )
            if f.column.required:
                allowed += " — required"
            rows.append([sheet, f.column.name, f.column.description, allowed, f.column.example])
    return rows


def write_workbook(path: str | Path, tables: dict[str, pd.DataFrame] | None = None, allow_raw: bool = False) -> Path:
    """Write the inventory workbook (atomically) with drop-downs, frozen headers and a README sheet."""
    vocab = vocabularies()
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in WORKBOOK_SHEETS:
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
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    with atomic.atomic_path(paths.resolve(path), allow_raw=allow_raw) as tmp:
        wb.save(tmp)
    return Path(paths.resolve(path))


def write_template(path: str | Path) -> Path:
    """An empty inventory workbook of the same shape (for `make templates`)."""
    return write_workbook(path)


# ------------------------------------------------------------------ reading and validation
DATE_COLUMNS = {sheet: [f.column.name for f in SPECS[sheet] if f.column.kind == "date"] for sheet in WORKBOOK_SHEETS}
#: Dates that record the research, not the law: they may lie after the as-of date.
_RESEARCH_DATES = {"verified_on", "source_date"}


@dataclass
class Inventory:
    """The validated workbook: one typed DataFrame per sheet (with `_row`) and the warnings found."""

    tables: dict[str, pd.DataFrame]
    warnings: list[Problem] = field(default_factory=list)
    file: str = "data/raw/regulation_inventory.xlsx"
    #: (kind, date) -> the acts' or provisions' states on that date: a chapter asks for them a dozen times
    #: (the inventory is not changed once read).
    states: dict[tuple[str, pd.Timestamp], pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    def __getitem__(self, sheet: str) -> pd.DataFrame:
        return self.tables[sheet]

    def states_on(self, kind: str, on: pd.Timestamp, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The states of `kind` on `on`, computed once; a copy each time, which the caller may change."""
        if (kind, on) not in self.states:
            self.states[kind, on] = compute()
        return self.states[kind, on].copy()

    @cached_property
    def quoted(self) -> pd.DataFrame:
        """Evidence rows with a quote, joined to their source (tier, date, address, copy_of)."""
        return quoted_evidence(self)

    @cached_property
    def last_confirmed(self) -> pd.Series:
        """fact id -> date of its newest source that confirms it (NaT: none dated)."""
        return last_confirmed(self)


def _columns(sheet: str, vocab: dict[str, list[str]]) -> list[Column]:
    return [replace(f.column, vocabulary=vocab[f.vocabulary]) if f.vocabulary else f.column for f in SPECS[sheet]]


def _as_date(value) -> date:
    return pd.Timestamp(value).date()


def read(
    path: str | Path = "data/raw/regulation_inventory.xlsx",
    today: str | date | None = None,
    as_of: str | date | None = None,
) -> Inventory:
    """Read and validate every sheet; raise InputError listing every error, keep warnings.

    `today` is the build date (not the clock): a date of the law after it is an error, except in draft
    acts and their provisions, which may announce future dates (verification and source dates record
    the research and may be later). Weak rules in force on `as_of` (default: the build date), which the
    report shows, are warned about.
    """
    path = paths.resolve(path)
    file = paths.relative(path)
    today = _as_date(today or config.get("report.as_of"))
    vocab = vocabularies()
    present = sheet_names(path)
    missing = [s for s in WORKBOOK_SHEETS if s not in present]
    raise_if_errors(
        [Problem(file=file, sheet=s, expected=f"a sheet named '{s}'", found=", ".join(present)) for s in missing]
    )
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for sheet in WORKBOOK_SHEETS:
        frame = read_excel_sheet(path, sheet)
        typed, found = validate(frame, _columns(sheet, vocab), file, sheet)
        tables[sheet] = typed
        problems.extend(found)
    raise_if_errors(problems)  # types must be right before cross-sheet checks
    problems.extend(_cross_checks(tables, file, today))
    problems.extend(_evidence_checks(tables, file))
    warnings = raise_if_errors(problems)
    inv = Inventory(tables=tables, warnings=warnings, file=file)
    inv.warnings.extend(_quality_warnings(inv, _as_date(as_of or today)))
    return inv


def _problem(file, sheet, row, column, expected, found, severity="error") -> Problem:
    return Problem(
        file=file, sheet=sheet, row=int(row), column=column, expected=expected, found=found, severity=severity
    )


def fact_ids(t: dict[str, pd.DataFrame] | Inventory) -> dict[str, str]:
    """fact id -> its sheet, over every fact sheet."""
    return {fid: sheet for sheet in SHEETS for fid in t[sheet]["id"]}


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
    known = act_ids | set(provisions["id"]) | inst_ids | set(t["roles"]["id"]) | set(t["amendments"]["id"])
    problems += foreign_key(
        t["conflicts"], "related_id", known, file, "conflicts", "act, provision, amendment, institution or role"
    )
    for sheet in ("provisions", "institutions", "roles"):
        problems += date_order(t[sheet], "valid_from", "valid_to", file, sheet)
    problems += date_order(t["amendments"], "date", "until", file, "amendments")
    pattern = re.compile(ID_PATTERN)
    seen: dict[str, str] = {}
    for sheet in SHEETS:
        for row, value in zip(t[sheet][ROW], t[sheet]["id"]):
            if value and not pattern.match(value):
                problems.append(_problem(file, sheet, row, "id", "an id of upper-case letters, digits and '-'", value))
            if value in seen and seen[value] != sheet:  # footnotes cite facts by id alone
                problems.append(
                    _problem(
                        file, sheet, row, "id", "an id used on no other sheet", f"{value} (also on sheet {seen[value]})"
                    )
                )
            seen.setdefault(value, sheet)
    for row, pid, act in zip(provisions[ROW], provisions["id"], provisions["act_id"]):
        if pid and act and not pid.startswith(f"{act}-"):
            problems.append(_problem(file, "provisions", row, "id", f"an id starting with its act id '{act}-'", pid))
    am = t["amendments"]
    for row, aid, action, until in zip(am[ROW], am["id"], am["action"], am["until"]):
        if action == "extends" and pd.isna(until):
            problems.append(
                _problem(
                    file,
                    "amendments",
                    row,
                    "until",
                    f"the new last day of the term that {aid} extends",
                    "an empty cell",
                )
            )
    ended = {"repealed", "expired"}
    ends = _dated_repeals(t)
    closed = provisions.groupby("act_id")["valid_to"].apply(lambda s: bool(len(s)) and s.notna().all())
    for row, aid, status, until in zip(acts[ROW], acts["id"], acts["status"], acts["valid_until"]):
        if status in ended and pd.isna(until) and aid not in ends and not closed.get(aid, False):
            problems.append(
                _problem(
                    file,
                    "acts",
                    row,
                    "valid_until",
                    f"the last day of the {status} act {aid} (or a dated repeal on sheet amendments)",
                    "an empty cell",
                )
            )
    problems += _date_limits(t, file, today)
    return problems


def _date_limits(t: dict[str, pd.DataFrame], file: str, today: date) -> list[Problem]:
    """Future dates (after the build date) and national dates before independence.

    valid_to, valid_until and until may lie in the future (a yearly quota ends on 31 December); the
    research dates may follow the as-of date; every other date says that something happened, so it
    cannot be later than the build date.
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
    future_ok = {"valid_to", "valid_until", "until"} | _RESEARCH_DATES
    problems = []
    for sheet in WORKBOOK_SHEETS:
        frame = t[sheet]
        acts_here = act_of_row.get(sheet, pd.Series([None] * len(frame), index=frame.index))
        for column in DATE_COLUMNS[sheet]:
            national = next(f.national_date for f in SPECS[sheet] if f.column.name == column)
            for row, value, act in zip(frame[ROW], frame[column], acts_here):
                if pd.isna(value):
                    continue
                day = _as_date(value)
                if day > today and column not in future_ok and act not in draft:
                    problems.append(
                        _problem(
                            file,
                            sheet,
                            row,
                            column,
                            f"a date on or before the build date {today:%d.%m.%Y}",
                            f"{day:%d.%m.%Y}",
                        )
                    )
                if national and day < floor and level_of.get(act) not in exempt_levels:
                    problems.append(
                        _problem(
                            file,
                            sheet,
                            row,
                            column,
                            f"a date on or after {floor:%d.%m.%Y} (national acts and bodies postdate independence)",
                            f"{day:%d.%m.%Y}",
                        )
                    )
    return problems


def _evidence_checks(t: dict[str, pd.DataFrame], file: str) -> list[Problem]:
    """Sources are listed once with a usable address; evidence points to a fact and a source; a fact
    marked sourced has a quote from a source with an address, a tier and a date."""
    problems: list[Problem] = []
    sources, evidence = t["sources"], t["evidence"]
    pattern = re.compile(SOURCE_ID_PATTERN)
    seen: dict[str, str] = {}
    for row, sid, address in zip(sources[ROW], sources["source_id"], sources["address"]):
        if sid and not pattern.match(sid):
            problems.append(_problem(file, "sources", row, "source_id", "S followed by at least three digits", sid))
        if _blank(address):
            continue
        wrong = address_problem(address)
        if wrong:
            problems.append(_problem(file, "sources", row, "address", wrong, address))
            continue
        key = dedup_key(address)
        if key in seen:
            problems.append(
                _problem(file, "sources", row, "address", f"a page listed once (also {seen[key]})", address)
            )
        seen.setdefault(key, sid)
    source_ids = set(sources["source_id"])
    problems += foreign_key(sources, "copy_of", source_ids, file, "sources", "source")
    problems += foreign_key(evidence, "source_id", source_ids, file, "evidence", "source (sheet sources)")
    problems += foreign_key(evidence, "fact_id", set(fact_ids(t)), file, "evidence", "fact (any fact sheet)")
    usable = _usable_evidence(t)
    for sheet in SHEETS:
        frame = t[sheet]
        for row, fid, confidence in zip(frame[ROW], frame["id"], frame["confidence"]):
            if confidence == "sourced" and fid not in usable:
                problems.append(
                    _problem(
                        file,
                        sheet,
                        row,
                        "confidence",
                        f"for a 'sourced' fact, a quote from a source "
                        f"with an address, a tier and a date (sheets evidence, sources), for {fid}",
                        _why_not_usable(t, fid),
                    )
                )
    return problems


def _usable_evidence(t) -> set[str]:
    """Fact ids with at least one confirming quote from a source with an address, a tier and a date."""
    joined = t["evidence"].merge(t["sources"].drop(columns=[ROW]), on="source_id", how="inner")
    ok = (
        _filled(joined["quote"])
        & joined["stance"].isin(CONFIRMING_STANCES)
        & joined["address"].map(lambda a: not _blank(a) and address_problem(a) is None).astype(bool)
        & joined["tier"].notna()
        & joined["source_date"].notna()
    )
    return set(joined.loc[ok, "fact_id"])


def _why_not_usable(t, fid: str) -> str:
    rows = t["evidence"][t["evidence"]["fact_id"] == fid]
    if rows.empty:
        return "no row on sheet evidence"
    sources = t["sources"].set_index("source_id")
    reasons = []
    for sid, quote, stance in zip(rows["source_id"], rows["quote"], rows["stance"]):
        if _blank(quote):
            reasons.append(f"{sid}: no quote")
        elif stance not in CONFIRMING_STANCES:
            reasons.append(f"{sid}: {stance}")
        elif sid in sources.index:
            source = sources.loc[sid]
            missing = [
                name
                for name, bad in (("address", _blank(source["address"])), ("date", pd.isna(source["source_date"])))
                if bad
            ]
            reasons.append(f"{sid}: no {' or '.join(missing)}" if missing else f"{sid}: address not usable")
    return "; ".join(reasons)


def _dated_repeals(t) -> dict[str, pd.Timestamp]:
    """act id -> the day a sourced repeal or replacement took effect (the earliest, if several)."""
    am = t["amendments"]
    ends = am[am["action"].isin(["repeals", "replaces"]) & (am["confidence"] == "sourced")]
    return ends.groupby("target_act_id")["date"].min().to_dict()


def _quality_warnings(inv: Inventory, on: date) -> list[Problem]:
    """Facts a reader should know are weak: rules without a start, facts without any evidence, cited
    sources without an address or a date, and weak rules that the report shows as in force."""
    warnings = []
    prov = inv["provisions"]
    for row, pid, start in zip(prov[ROW], prov["id"], prov["valid_from"]):
        if pd.isna(start):
            warnings.append(
                _problem(
                    inv.file,
                    "provisions",
                    row,
                    "valid_from",
                    "the date the rule began (blank: counted from its act, or from the rule it replaces)",
                    pid,
                    "warning",
                )
            )
    with_evidence = set(inv["evidence"]["fact_id"])
    for sheet in SHEETS:
        for row, fid in zip(inv[sheet][ROW], inv[sheet]["id"]):
            if fid not in with_evidence:
                warnings.append(
                    _problem(inv.file, sheet, row, "id", "at least one source on sheet evidence", fid, "warning")
                )
    cited = set(inv["evidence"]["source_id"])
    sources = inv["sources"]
    for row, sid, address, day in zip(sources[ROW], sources["source_id"], sources["address"], sources["source_date"]):
        if sid in cited and _blank(address):
            warnings.append(
                _problem(inv.file, "sources", row, "address", f"an address for {sid}", "an empty cell", "warning")
            )
        if sid in cited and pd.isna(day):
            warnings.append(
                _problem(
                    inv.file,
                    "sources",
                    row,
                    "source_date",
                    f"the date of {sid} (undated pages cannot confirm a fact)",
                    "an empty cell",
                    "warning",
                )
            )
    states = provision_states(inv, on)
    shown = states[(states["state"] == IN_FORCE) & (states["effective_confidence"] != "sourced")]
    for _, r in shown.iterrows():
        warnings.append(
            _problem(
                inv.file,
                "provisions",
                r[ROW],
                "confidence",
                f"a sourced fact: {r['id']} is shown as in force on {on:%d.%m.%Y}",
                r["effective_confidence"],
                "warning",
            )
        )
    return warnings


def read_template_shape(path: str | Path) -> dict[str, list[str]]:
    """Header of every sheet of a workbook (to check a template against the specification)."""
    return {s: [c for c in read_excel_sheet(path, s).columns if c != ROW] for s in WORKBOOK_SHEETS}


# ------------------------------------------------------------------ evidence: last confirmed, tiers, citations
def quoted_evidence(inv: Inventory) -> pd.DataFrame:
    """Evidence rows that quote their source, with the source's tier, date, address and copy_of."""
    ev = inv["evidence"].drop(columns=[ROW])
    ev = ev.loc[_filled(ev["quote"])]
    return ev.merge(inv["sources"].drop(columns=[ROW]), on="source_id", how="left")


def last_confirmed(inv: Inventory) -> pd.Series:
    """Each fact's 'last confirmed' date: the newest dated source that quotes it in support (or as a
    later change); copies of another outlet do not count. Facts with none are absent."""
    ev = inv.quoted
    ok = ev["stance"].isin(CONFIRMING_STANCES) & ev["source_date"].notna() & ~_filled(ev["copy_of"])
    return ev.loc[ok].groupby("fact_id")["source_date"].max()


def stale_threshold(on: str | date) -> pd.Timestamp:
    """The date before which a fact's newest source is too old to confirm it on `on`."""
    return pd.Timestamp(on) - pd.DateOffset(months=int(config.get("inventory.stale_after_months")))


def tier_order() -> list[str]:
    return vocabularies()["tiers"]


def best_tier(inv: Inventory) -> pd.Series:
    """fact id -> the most authoritative tier among the sources it quotes (copies left out)."""
    ev = inv.quoted
    ev = ev.loc[~_filled(ev["copy_of"])]
    rank = {t: i for i, t in enumerate(tier_order())}
    return ev.assign(_rank=ev["tier"].map(rank)).sort_values("_rank").groupby("fact_id")["tier"].first()


def authoritative_shares(inv: Inventory, sheets: Iterable[str] = ("acts", "provisions")) -> pd.DataFrame:
    """Per sheet: rows, rows that quote an official text, a legal database or an international
    organisation (inventory.authoritative_tiers; copies left out), their share and the target."""
    authoritative = set(config.get("inventory.authoritative_tiers"))
    targets = dict(config.get("inventory.authoritative_targets"))
    ev = inv.quoted
    ev = ev.loc[~_filled(ev["copy_of"]) & ev["tier"].isin(authoritative)]
    with_text = set(ev["fact_id"])
    rows = []
    for sheet in sheets:
        ids = inv[sheet]["id"]
        n = int(ids.isin(with_text).sum())
        rows.append(
            {
                "sheet": sheet,
                "rows": len(ids),
                "authoritative": n,
                "share_pct": round(100 * n / len(ids), 1) if len(ids) else None,
                "target_pct": targets.get(sheet),
            }
        )
    return pd.DataFrame(rows)


def _date_text(value) -> str:
    return "" if _blank(value) else text.house_date(value)


def _short_date(value) -> str:
    """2 Dec 2024: the date form of a citation."""
    return "" if _blank(value) else f"{pd.Timestamp(value).day} {pd.Timestamp(value):%b %Y}"


_MONTH = re.compile(r"\b(January|February|March|April|June|July|August|September|October|November|December)\b")


def _reported_value(value, unit) -> str:
    """A disagreeing source's value as the report writes it: "1 Jan 2026" for a date, "60 days" otherwise."""
    if not _blank(unit) and str(unit).strip() == "date" and not _blank(value):
        try:
            return _short_date(value)
        except ValueError:
            return str(value)
    return f"{value}" + (f" {unit}" if not _blank(unit) else "")


def compact_dates(words: str) -> str:
    """'not confirmed since 25 Aug 2023': the house dates of a table cell or a footnote with the month
    abbreviated, the date form of citations."""
    return _MONTH.sub(lambda m: m.group(1)[:3], words)


def source_number(source_id: str) -> int:
    return int(str(source_id)[1:])


def bibliography(inv: Inventory) -> pd.DataFrame:
    """The numbered list of sources: one row per source with what a reference list needs, and how
    many facts cite it."""
    sources = inv["sources"].drop(columns=[ROW]).copy()
    cited = inv["evidence"].groupby("source_id")["fact_id"].nunique()
    number = {sid: source_number(sid) for sid in sources["source_id"]}

    def reference(r) -> str:
        parts = [
            r["publisher"] if not _blank(r["publisher"]) else "",
            f"“{r['title']}”" if not _blank(r["title"]) else "",
            _date_text(r["source_date"]) or "undated",
        ]
        words = ", ".join(p for p in parts if p)
        if not _blank(r["copy_of"]):
            words += f" (copy of [{number.get(r['copy_of'], r['copy_of'])}])"
        return words + f". {r['tier'].capitalize()}."

    sources["number"] = sources["source_id"].map(number)
    sources["reference"] = [reference(r) for _, r in sources.iterrows()]
    sources["facts_cited"] = sources["source_id"].map(cited).fillna(0).astype(int)
    columns = [
        "number",
        "source_id",
        "reference",
        "address",
        "title",
        "publisher",
        "tier",
        "language",
        "source_date",
        "copy_of",
        "facts_cited",
        "note",
    ]
    return sources[columns].sort_values("number").reset_index(drop=True)


def act_citation(act) -> str:
    return act["citation"] if not _blank(act.get("citation")) else act["title_en"]


def _weak_words(
    confidence: str, evidence: pd.DataFrame, state: str | None, confirmed, threshold: pd.Timestamp, conflicted: bool
) -> list[str]:
    """What a footnote must say of a fact besides its citation, and only when the fact is weak: its
    confidence, that it is not confirmed since a date (or has no dated source), that sources disagree,
    that a source contradicts it, that no source is quoted."""
    words = [] if confidence == "sourced" else [confidence]
    if state:
        words.append(state.replace("not confirmed (no dated source)", "no dated source"))
    elif pd.isna(confirmed):
        words.append("no dated source")
    elif confirmed < threshold:
        words.append(f"not confirmed since {text.house_date(confirmed)}")
    if conflicted:
        words.append("sources disagree")
    if (evidence["stance"] == "contradicts").any():
        words.append("a source contradicts it")
    if len(evidence) and not _filled(evidence["quote"]).any():
        words.append("no source quoted")
    return words


def citations(inv: Inventory, on: str | date) -> pd.DataFrame:
    """One row per fact id: the short citation (“Cabinet Res. No. 721 of 2 Dec 2024, item 5”), the footnote
    and the ids of its sources.

    The footnote is the short citation (with the dates that are the fact itself: an act's term, when an
    amendment takes effect, a body's or role's period, who reported a disputed value) and, only where the
    fact is weak on `on`, a word saying how: “uncertain”, “not confirmed since 30 June 2026”, “sources
    disagree”. The numbers of its sources follow it in the report; each source is described once, in the
    References list."""
    acts = inv["acts"].set_index("id")
    institutions = inv["institutions"].set_index("id")
    labels = config.pathway_labels()
    evidence = inv["evidence"]
    by_fact = {fid: rows for fid, rows in evidence.groupby("fact_id", sort=False)}
    empty = evidence.iloc[0:0]
    last = inv.last_confirmed
    threshold = stale_threshold(on)
    provision_on = provision_states(inv, on).set_index("id")
    acts_on = act_states(inv, on)
    conflicted = set(_open_conflicts(inv))
    rows = []
    for sheet in SHEETS:
        for _, r in inv[sheet].iterrows():
            fid = r["id"]
            confidence, state = r["confidence"], None
            if sheet == "acts":
                short = act_citation(r)
                detail = f"term to {_short_date(r['valid_until'])}" if not _blank(r["valid_until"]) else ""
                if acts_on.at[fid, "act_state"] in (NOT_CONFIRMED, SUSPENDED, "ended"):
                    a = acts_on.loc[fid]
                    state = state_words(a["act_state"], a["act_since"], a["act_until"])
                elif r["status"] in ("draft", "not found"):
                    state = r["status"]
            elif sheet == "provisions":
                act = acts.loc[r["act_id"]]
                short = act_citation(act) + (f", {r['article']}" if not _blank(r["article"]) else "")
                detail = ""
                p = provision_on.loc[fid]
                confidence = p["effective_confidence"] + (" (its act)" if p["inherited"] else "")
                if p["state"] != IN_FORCE:
                    state = p["status_text"]
                conflicted_here = bool(p["conflicts"])
            elif sheet == "amendments":
                target = act_citation(acts.loc[r["target_act_id"]])
                by = (
                    r["amending_instrument"]
                    if not _blank(r["amending_instrument"])
                    else (
                        act_citation(acts.loc[r["amending_act_id"]])
                        if not _blank(r["amending_act_id"])
                        else "instrument not identified"
                    )
                )
                short = f"{by} ({r['action']} {target})"
                detail = f"takes effect {_short_date(r['date'])}" + (
                    f", until {_short_date(r['until'])}" if not _blank(r["until"]) else ""
                )
            elif sheet == "institutions":
                short = r["name_en"]
                detail = "; ".join(
                    f"{k} {_short_date(v)}"
                    for k, v in (("from", r["valid_from"]), ("to", r["valid_to"]))
                    if not _blank(v)
                )
            elif sheet == "roles":
                body = institutions.loc[r["institution_id"], "name_en"]
                short = f"{body}: {labels.get(r['pathway'], r['pathway'])}"
                detail = "; ".join(
                    f"{k} {_short_date(v)}"
                    for k, v in (("from", r["valid_from"]), ("to", r["valid_to"]))
                    if not _blank(v)
                )
            else:
                short = f"{r['fact']}: {_reported_value(r['value'], r['unit'])}"
                who = r["reported_by"] if not _blank(r["reported_by"]) else ""
                detail = ", ".join(p for p in (who, _short_date(r["reported_on"])) if p)
            if sheet != "provisions":
                conflicted_here = fid in conflicted
            used = by_fact.get(fid, empty)
            confirmed = last.get(fid, pd.NaT)
            weak = _weak_words(confidence, used, state, confirmed, threshold, conflicted_here)
            caveat = f" ({compact_dates('; '.join(weak))})" if weak else ""
            footnote = short + (f", {detail}" if detail else "") + caveat
            rows.append(
                {
                    "fact_id": fid,
                    "sheet": sheet,
                    "short": short,
                    "footnote": footnote,
                    "source_ids": "; ".join(dict.fromkeys(used["source_id"])),
                    "confidence": r["confidence"],
                    "last_confirmed": None if pd.isna(confirmed) else pd.Timestamp(confirmed).date(),
                }
            )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ tidy outputs
def tidy(inv: Inventory) -> dict[str, pd.DataFrame]:
    """The sheets without the Excel row numbers, dates as dates."""
    out = {}
    for sheet in WORKBOOK_SHEETS:
        frame = inv[sheet].drop(columns=[ROW]).copy()
        for column in DATE_COLUMNS[sheet]:
            frame[column] = pd.to_datetime(frame[column]).dt.date
        out[sheet] = frame
    return out


# ------------------------------------------------------------------ validity on a date
IN_FORCE = "in force"
NOT_CONFIRMED = "not confirmed"
SUSPENDED = "suspended"
#: States of a rule that the report shows on a date (the others did not or no longer apply).
SHOWN_STATES = (IN_FORCE, NOT_CONFIRMED, SUSPENDED)
_WEAKER = {"sourced": 0, "uncertain": 1, "from memory": 2}


def _split(value) -> list[str]:
    return [v.strip() for v in str(value).split(";") if v.strip()] if isinstance(value, str) else []


def weakest(*levels) -> str:
    """The weakest of several confidence levels (sourced < uncertain < from memory)."""
    present = [lvl for lvl in levels if isinstance(lvl, str)]
    return max(present, key=lambda lvl: _WEAKER.get(lvl, 0)) if present else "sourced"


def act_terms(inv: Inventory) -> pd.DataFrame:
    """Per act: its start, the end of its term after extensions, the day a repeal took effect, and its
    suspensions.

    An extension counts only if it quotes a source (its own confidence carries over to the rules in the
    extended period); a repeal or replacement only if it is sourced (a 'possibly replaced' act keeps its
    rules, shown as not confirmed when the act's status is unknown)."""
    acts = inv["acts"].set_index("id")
    am = inv["amendments"]
    quoted = set(inv.quoted.loc[inv.quoted["stance"].isin(CONFIRMING_STANCES), "fact_id"])
    out = pd.DataFrame(index=acts.index)
    out["start"] = acts["entry_into_force"].fillna(acts["adopted"])
    out["status"] = acts["status"]
    out["confidence"] = acts["confidence"]
    term_end, extended_by, extension_confidence, extended_from = {}, {}, {}, {}
    for aid, until in acts["valid_until"].items():
        end = until
        if pd.notna(end) and acts.at[aid, "status"] not in ("repealed", "expired"):
            for _, x in am[(am["target_act_id"] == aid) & (am["action"] == "extends")].sort_values("until").iterrows():
                if x["id"] in quoted and pd.notna(x["until"]) and x["until"] > end:
                    extended_from.setdefault(aid, end)
                    end = x["until"]
                    extended_by[aid] = x["id"]
                    extension_confidence[aid] = weakest(extension_confidence.get(aid), x["confidence"])
        term_end[aid] = end
    out["term_end"] = pd.to_datetime(pd.Series(term_end))
    out["extended_from"] = pd.to_datetime(pd.Series(extended_from, dtype="object"))
    out["extended_by"] = pd.Series(extended_by, dtype="object")
    out["extension_confidence"] = pd.Series(extension_confidence, dtype="object")
    out["repealed_from"] = pd.to_datetime(pd.Series(_dated_repeals(inv), dtype="object"))
    return out


def _suspensions_on(inv: Inventory, on: pd.Timestamp) -> dict[str, pd.Series]:
    """act id -> the latest suspension of it that runs on `on`."""
    am = inv["amendments"]
    live = am[(am["action"] == "suspends") & (am["date"] <= on) & (am["until"].isna() | (am["until"] >= on))]
    return {act: rows.sort_values("date").iloc[-1] for act, rows in live.groupby("target_act_id", sort=False)}


def act_states(inv: Inventory, on: str | date) -> pd.DataFrame:
    """Each act's state on `on`: in force, not yet in force, suspended (until), ended (repealed or
    expired), not confirmed since the end of its term (status unknown after it), or no rules (draft,
    not found); with the date its state turns on (`since`) and its words."""
    on = pd.Timestamp(on)
    return inv.states_on("acts", on, lambda: _act_states(inv, on))


def _act_states(inv: Inventory, on: pd.Timestamp) -> pd.DataFrame:
    terms = act_terms(inv)
    last = inv.last_confirmed
    suspensions = _suspensions_on(inv, on)
    rows = []
    for aid, t in terms.iterrows():
        state, since, until = IN_FORCE, pd.NaT, pd.NaT
        if t["status"] in ("draft", "not found"):
            state = "no rules"
        elif pd.notna(t["start"]) and on < t["start"]:
            state = "not yet in force"
        elif pd.notna(t["repealed_from"]) and on >= t["repealed_from"]:
            state, since = "ended", t["repealed_from"]
        elif pd.notna(t["term_end"]) and on > t["term_end"]:
            if t["status"] in ("repealed", "expired"):
                state, since = "ended", t["term_end"] + pd.Timedelta(days=1)
            else:
                state, since = NOT_CONFIRMED, t["term_end"]
        else:
            suspension = suspensions.get(aid)
            if suspension is not None:
                state, since, until = SUSPENDED, suspension["date"], suspension["until"]
            elif t["status"] == "unknown" and pd.isna(t["term_end"]):
                confirmed = last.get(aid, pd.NaT)
                if pd.isna(confirmed) or on > confirmed:
                    state, since = NOT_CONFIRMED, confirmed
        rows.append(
            {
                "act_id": aid,
                "act_state": state,
                "act_since": since,
                "act_until": until,
                "term_end": t["term_end"],
                "extended_by": t["extended_by"],
                "in_extension": pd.notna(t["extended_from"]) and on > t["extended_from"] and state == IN_FORCE,
                "extension_confidence": t["extension_confidence"],
            }
        )
    columns = [
        "act_id",
        "act_state",
        "act_since",
        "act_until",
        "term_end",
        "extended_by",
        "in_extension",
        "extension_confidence",
    ]
    return pd.DataFrame(rows, columns=columns).set_index("act_id")


def state_words(state: str, since=None, until=None) -> str:
    """'in force', 'not confirmed since 30 June 2026', 'suspended until 31 December 2025'."""
    if state == NOT_CONFIRMED:
        return (
            f"not confirmed since {text.house_date(since)}" if not _blank(since) else "not confirmed (no dated source)"
        )
    if state == SUSPENDED:
        return f"suspended until {text.house_date(until)}" if not _blank(until) else "suspended"
    if state == "ended" and not _blank(since):
        return f"ended on {text.house_date(pd.Timestamp(since) - pd.Timedelta(days=1))}"
    return state


def periods(inv: Inventory) -> pd.DataFrame:
    """Provisions with their act's level, type, status and confidence and an effective [start, end].

    A blank valid_from becomes the day after the start of the provision it replaces, else the act's
    entry into force (or adoption) if that is not after valid_to; `start_known` says which.
    """
    acts = inv["acts"].set_index("id")
    prov = inv["provisions"].copy()
    prov["level"] = prov["act_id"].map(acts["level"])
    prov["act_type"] = prov["act_id"].map(acts["type"])
    prov["act_status"] = prov["act_id"].map(acts["status"])
    prov["act_confidence"] = prov["act_id"].map(acts["confidence"])
    act_start = acts["entry_into_force"].fillna(acts["adopted"])
    starts = dict(zip(prov["id"], prov["valid_from"]))
    effective = []
    for start, end, act, replaced in zip(prov["valid_from"], prov["valid_to"], prov["act_id"], prov["replaces"]):
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


def _open_conflicts(inv: Inventory) -> dict[str, str]:
    """fact id -> the unresolved conflicts that concern it ('C01, C04')."""
    c = inv["conflicts"]
    c = c[(c["resolution_status"] != "resolved") & c["related_id"].notna()]
    return c.groupby("related_id")["conflict_id"].apply(lambda s: ", ".join(sorted(set(s)))).to_dict()


def provision_states(inv: Inventory, on: str | date) -> pd.DataFrame:
    """Every provision's state on `on`, the date it turns on and why, with its last confirmed date, its
    effective confidence (its own or its act's, whichever is weaker) and the open conflicts on it or its
    act.

    in force: within its period and its act's validity, confirmed by a source no older than
    `inventory.stale_after_months`; not confirmed (since a date): the act's term ended with its status
    unknown, the act's status is unknown after the rule's last source, or the newest source is too old
    (or undated); suspended: its act is suspended (the rule revives when the suspension ends unless a
    repeal follows); otherwise not yet in force, ended, replaced, or no rules (draft or not found).
    """
    on = pd.Timestamp(on)
    return inv.states_on("provisions", on, lambda: _provision_states(inv, on))


def _provision_states(inv: Inventory, on: pd.Timestamp) -> pd.DataFrame:
    prov = periods(inv)
    acts = act_states(inv, on)
    last = inv.last_confirmed
    threshold = stale_threshold(on)
    conflicts = _open_conflicts(inv)
    started_ids = set(prov.loc[prov["start"].isna() | (prov["start"] <= on), "id"])
    superseded = set(prov.loc[prov["id"].isin(started_ids), "replaces"].dropna())
    states, since, until, confidence, inherited, stale = [], [], [], [], [], []
    for _, p in prov.iterrows():
        act = acts.loc[p["act_id"]]
        confirmed = last.get(p["id"], pd.NaT)
        state, day, end = IN_FORCE, pd.NaT, pd.NaT
        if act["act_state"] == "no rules":
            state = "no rules"
        elif pd.notna(p["start"]) and on < p["start"]:
            state = "not yet in force"
        elif pd.notna(p["end"]) and on > p["end"]:
            state, day = "ended", p["end"] + pd.Timedelta(days=1)
        elif p["id"] in superseded:
            state = "replaced"
        elif act["act_state"] in ("ended", "not yet in force"):
            state, day = act["act_state"], act["act_since"]
        elif act["act_state"] == SUSPENDED:
            state, day, end = SUSPENDED, act["act_since"], act["act_until"]
        elif act["act_state"] == NOT_CONFIRMED and pd.notna(act["term_end"]):
            state, day = NOT_CONFIRMED, act["act_since"]
        elif act["act_state"] == NOT_CONFIRMED and not (pd.notna(confirmed) and on <= confirmed):
            # an act of unknown status: the rule holds up to the newer of its own and its act's last source
            state, day = NOT_CONFIRMED, max([d for d in (act["act_since"], confirmed) if pd.notna(d)], default=pd.NaT)
        elif pd.isna(confirmed) or confirmed < threshold:
            state, day = NOT_CONFIRMED, confirmed
        own = p["confidence"]
        effective = weakest(own, p["act_confidence"], act["extension_confidence"] if act["in_extension"] else None)
        states.append(state)
        since.append(day)
        until.append(end)
        confidence.append(effective)
        inherited.append(effective != own)
        stale.append(pd.isna(confirmed) or confirmed < threshold)
    prov["state"] = states
    prov["since"] = pd.to_datetime(pd.Series(since, index=prov.index, dtype="object"))
    prov["until"] = pd.to_datetime(pd.Series(until, index=prov.index, dtype="object"))
    prov["status_text"] = [state_words(s, d, u) for s, d, u in zip(prov["state"], prov["since"], prov["until"])]
    prov["last_confirmed"] = prov["id"].map(last)
    prov["stale"] = stale
    prov["effective_confidence"] = confidence
    prov["inherited"] = inherited
    prov["conflicts"] = [
        ", ".join(sorted(set(_split_commas(conflicts.get(pid, "")) + _split_commas(conflicts.get(aid, "")))))
        for pid, aid in zip(prov["id"], prov["act_id"])
    ]
    prov["act_state"] = prov["act_id"].map(acts["act_state"])
    return prov


def _split_commas(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _for_target(frame: pd.DataFrame) -> pd.Series:
    target = set(config.get("inventory.applies_to_target"))
    return frame["applies_to"].map(lambda v: bool(target & set(_split(v)))).astype(bool)


def _select(frame: pd.DataFrame, pathway: str | Iterable[str] | None, target_only: bool) -> pd.DataFrame:
    if target_only:
        frame = frame[_for_target(frame)]
    if pathway is not None:
        wanted = {pathway} if isinstance(pathway, str) else set(pathway)
        frame = frame[frame["pathway"].map(lambda v: bool(wanted & set(_split(v)))).astype(bool)]
    return frame.sort_values(["pathway", "id"]).reset_index(drop=True)


def rules_on(
    inv: Inventory,
    on: str | date,
    pathway: str | Iterable[str] | None = None,
    target_only: bool = True,
    states: Iterable[str] = SHOWN_STATES,
) -> pd.DataFrame:
    """Provisions whose state on `on` is one of `states` (by default every state the report shows:
    in force, not confirmed, suspended), for the corridor's target group by default."""
    frame = provision_states(inv, on)
    return _select(frame[frame["state"].isin(set(states))], pathway, target_only)


def rules_in_force(
    inv: Inventory, on: str | date, pathway: str | Iterable[str] | None = None, target_only: bool = True
) -> pd.DataFrame:
    """Provisions in force on `on`: within their act's validity and confirmed by a recent source."""
    return rules_on(inv, on, pathway, target_only, states=(IN_FORCE,))


def provision_state(states: pd.DataFrame, provision_id: str) -> str:
    """The state of one provision in words ('not confirmed since 30 June 2026')."""
    row = states.loc[states["id"] == provision_id]
    if row.empty:
        raise KeyError(provision_id)
    return row["status_text"].iloc[0]


# ------------------------------------------------------------------ outputs other chapters read
def _date_or_none(value):
    return None if _blank(value) else pd.Timestamp(value).date()


def write_outputs(inv: Inventory, folder: str | Path, on: str | date) -> list[Path]:
    """The tidy sheets, the bibliography (sources.csv), one citation per fact (citations.csv), each
    provision's state on `on` (provision_status.csv), for the chapters that cite the inventory, and every
    warning on the inventory (quality.csv: the quality list that Annex B counts by kind)."""
    folder = paths.resolve(folder)
    tables = tidy(inv)
    cite_frame = citations(inv, on)
    cites = cite_frame.set_index("fact_id")
    states = provision_states(inv, on).set_index("id")
    acts_on = act_states(inv, on)
    tiers = best_tier(inv)
    for sheet in SHEETS:
        frame = tables[sheet]
        frame["citation"] = (
            frame["id"].map(cites["short"]) if sheet != "acts" else frame["citation"].fillna(frame["title_en"])
        )
        frame["source_ids"] = frame["id"].map(cites["source_ids"])
        frame["source"] = frame["id"].map(cites["footnote"])  # the citation with its caveats, for tables that show one
        frame["last_confirmed"] = frame["id"].map(cites["last_confirmed"])
        frame["best_tier"] = frame["id"].map(tiers)
        if sheet == "provisions":
            frame["effective_confidence"] = frame["id"].map(states["effective_confidence"])
        if sheet == "acts":
            frame["state_on_as_of"] = [
                state_words(acts_on.at[a, "act_state"], acts_on.at[a, "act_since"], acts_on.at[a, "act_until"])
                for a in frame["id"]
            ]
    tables["sources"] = bibliography(inv)
    written = [atomic.write_csv(folder / f"{sheet}.csv", frame) for sheet, frame in tables.items()]
    written.append(atomic.write_csv(folder / "citations.csv", cite_frame))
    status = states.reset_index()
    status_frame = pd.DataFrame(
        {
            "id": status["id"],
            "act_id": status["act_id"],
            "pathway": status["pathway"],
            "applies_to": status["applies_to"],
            "as_of": pd.Timestamp(on).date(),
            "state": status["state"],
            "status_text": status["status_text"],
            "since": status["since"].map(_date_or_none),
            "last_confirmed": status["last_confirmed"].map(_date_or_none),
            "stale": status["stale"],
            "effective_confidence": status["effective_confidence"],
            "inherited_from_act": status["inherited"],
            "open_conflicts": status["conflicts"],
        }
    )
    written.append(atomic.write_csv(folder / "provision_status.csv", status_frame))
    written.append(atomic.write_csv(folder / "quality.csv", quality_rows(inv.warnings)))
    return written


def registry_value(row) -> tuple[object, str]:
    """A provision as a registry number: its quantity in a unit the house style prints well (an
    amount in the configured currency, a percentage), or its rule as text when it has no number."""
    if pd.isna(row["quantity"]):
        return row["rule"], "text"
    unit = str(row["unit"] or "").strip()
    currency = config.get("currency")
    quantity = float(row["quantity"])
    value = int(quantity) if quantity.is_integer() else quantity
    if unit.split(" ")[0] in (currency["name"], currency["code"]):
        return value, currency["code"]
    if unit.startswith("%"):
        return value, "%"
    unit = re.sub(r"\s*\(.*\)\s*$", "", unit)  # "years (age limit)" -> "years": the gloss goes to the description
    return value, "" if unit in ("coefficient", "count") else unit


def record_numbers(reg, inv: Inventory, on: str | date, source: str) -> pd.DataFrame:
    """Record what the chapter's prose and other chapters read from the registry, so that no value, date
    or name of the inventory is typed into a sentence:

    - every provision's value `inventory.provisions.<id>` (its quantity, or its rule as text) and state
      on `on` `inventory.state.<id>` ("not confirmed since 30 June 2026");
    - every act's citation, state and term `inventory.acts.<id>.citation|state|valid_until|term_end`;
    - the dates of facts: `inventory.from.<id>` (an act's entry into force, a provision's, role's or
      body's first day, an amendment's date, the date a conflicting value was reported),
      `inventory.until.<id>` (the last day of a provision, role or body, the end of a suspension or
      extension), `inventory.adopted.<id>` (an act's adoption), `inventory.confirmed.<id>` (the newest
      source of any fact);
    - every provision's article `inventory.article.<id>`, every conflicting value
      `inventory.conflicts.<row id>` and every body's name in a sentence `inventory.bodies.<id>`.

    Ids are lower-cased. Returns the provision states on `on`.
    """
    states = provision_states(inv, on)
    for _, r in states.iterrows():
        key = r["id"].lower()
        value, unit = registry_value(r)
        reg.record(
            f"inventory.provisions.{key}",
            value,
            unit,
            f"{r['id']}: {r['rule']}"
            + (f" (unit: {r['unit']})" if isinstance(r["unit"], str) and unit not in ("text", r["unit"]) else ""),
            f"{source}/provisions.csv",
            rows=[r["id"]],
        )
        reg.record(
            f"inventory.state.{key}",
            r["status_text"],
            "text",
            f"state of {r['id']} on {on}",
            f"{source}/provision_status.csv",
            rows=[r["id"]],
        )
    terms = act_terms(inv)
    acts_on = act_states(inv, on)
    for _, a in inv["acts"].iterrows():
        key, aid = a["id"].lower(), a["id"]
        reg.record(
            f"inventory.acts.{key}.citation",
            act_citation(a),
            "text",
            f"how footnotes cite {aid}",
            f"{source}/acts.csv",
            rows=[aid],
        )
        reg.record(
            f"inventory.acts.{key}.state",
            state_words(acts_on.at[aid, "act_state"], acts_on.at[aid, "act_since"], acts_on.at[aid, "act_until"]),
            "text",
            f"state of {aid} on {on}",
            f"{source}/acts.csv",
            rows=[aid],
        )
        for name, value, what in (
            ("valid_until", a["valid_until"], "last day of its term as adopted"),
            ("term_end", terms.at[aid, "term_end"], "last day of its term after extensions"),
        ):
            if pd.notna(value):
                reg.record(
                    f"inventory.acts.{key}.{name}",
                    pd.Timestamp(value).date(),
                    "date",
                    f"{aid}: {what}",
                    f"{source}/acts.csv",
                    rows=[aid],
                )
    dated = [
        ("acts", "adopted", "adopted"),
        ("acts", "entry_into_force", "from"),
        ("provisions", "valid_from", "from"),
        ("provisions", "valid_to", "until"),
        ("amendments", "date", "from"),
        ("amendments", "until", "until"),
        ("institutions", "valid_from", "from"),
        ("institutions", "valid_to", "until"),
        ("roles", "valid_from", "from"),
        ("roles", "valid_to", "until"),
        ("conflicts", "reported_on", "from"),
    ]
    for sheet, column, family in dated:
        frame = inv[sheet]
        for fid, value in zip(frame["id"], frame[column]):
            if pd.notna(value):
                reg.record(
                    f"inventory.{family}.{fid.lower()}",
                    pd.Timestamp(value).date(),
                    "date",
                    f"{fid}: {column}",
                    f"{source}/{sheet}.csv",
                    rows=[fid],
                )
    for pid, article in zip(inv["provisions"]["id"], inv["provisions"]["article"]):
        if not _blank(article):
            reg.record(
                f"inventory.article.{pid.lower()}",
                article,
                "text",
                f"article of {pid}",
                f"{source}/provisions.csv",
                rows=[pid],
            )
    conflicts = inv["conflicts"]
    for cid, value, unit in zip(conflicts["id"], conflicts["value"], conflicts["unit"]):
        reg.record(
            f"inventory.conflicts.{cid.lower()}",
            _reported_value(value, unit),
            "text",
            f"value reported in {cid}",
            f"{source}/conflicts.csv",
            rows=[cid],
        )
    for fid, day in inv.last_confirmed.items():
        reg.record(
            f"inventory.confirmed.{fid.lower()}",
            pd.Timestamp(day).date(),
            "date",
            f"{fid}: date of its newest confirming source",
            f"{source}/citations.csv",
            rows=[fid],
        )
    for bid, short, name in zip(
        inv["institutions"]["id"], inv["institutions"]["short_name"], inv["institutions"]["name_en"]
    ):
        reg.record(
            f"inventory.bodies.{bid.lower()}",
            name if _blank(short) else short,
            "text",
            f"name of {bid} in a sentence",
            f"{source}/institutions.csv",
            rows=[bid],
        )
    return states


def record_verification(reg, inv: Inventory, states: pd.DataFrame, on: str | date, source: str) -> None:
    """The counts the chapter's overview and verification section state, computed by the rules of
    this module (states on `on`, inherited confidence, authoritative tiers, stale sources)."""
    for sheet, unit in (
        ("acts", "acts"),
        ("provisions", "provisions"),
        ("institutions", "bodies"),
        ("sources", "sources"),
        ("evidence", "quotes"),
    ):
        ids = inv[sheet]["id"] if "id" in inv[sheet] else inv[sheet].get("source_id", pd.Series(dtype=object))
        reg.record(
            f"inventory.{sheet}.total",
            len(inv[sheet]),
            unit,
            f"rows of sheet {sheet}",
            f"{source}/{sheet}.csv",
            rows=ids if sheet != "evidence" else (),
        )
    counts = state_counts(states)
    words = {
        "in_force": "rules for the target group in force (confirmed by a recent source)",
        "not_confirmed": "rules for the target group not confirmed on the date",
        "suspended": "rules for the target group suspended on the date",
        "in_force_weak": "rules in force that rest on an uncertain or remembered fact (their act's included)",
        "in_force_inherited": "rules in force recorded as sourced whose act is uncertain",
        "in_force_conflict": "rules in force on which sources disagree",
        "shown": "rules for the target group in force, not confirmed or suspended",
    }
    for key, n in counts.items():
        reg.record(f"inventory.rules.{key}", n, "rules", f"{words[key]} ({on})", f"{source}/provision_status.csv")
    shares = authoritative_shares(inv).set_index("sheet")
    for sheet in ("acts", "provisions"):
        reg.record(
            f"inventory.verification.{sheet}_authoritative",
            int(shares.at[sheet, "authoritative"]),
            sheet,
            f"{sheet} that quote an official text, a legal database or an international organisation",
            f"{source}/evidence.csv",
        )
        reg.record(
            f"inventory.verification.{sheet}_authoritative_pct",
            shares.at[sheet, "share_pct"],
            "%",
            f"share of {sheet} that quote an authoritative source",
            f"{source}/evidence.csv",
        )
        reg.record(
            f"inventory.verification.{sheet}_target_pct",
            shares.at[sheet, "target_pct"],
            "%",
            f"target share of {sheet} (inventory.authoritative_targets)",
            "config/corridor.yaml",
        )
    table = verification_table(inv, on)
    total = table.loc["all facts"]
    reg.record("inventory.facts.total", int(total["Facts"]), "facts", "rows of all fact sheets", source)
    reg.record("inventory.facts.checked", int(total["Checked"]), "facts", "facts with verified_on filled", source)
    reg.record(
        "inventory.facts.sourced_pct", total["sourced %"], "%", "share of facts sourced (provisions: effective)", source
    )
    reg.record("inventory.facts.uncertain_pct", total["uncertain %"], "%", "share of facts uncertain", source)
    reg.record("inventory.facts.memory_pct", total["from memory %"], "%", "share of facts from memory", source)
    reg.record(
        "inventory.facts.unquoted", int(total["No quoted source"]), "facts", "facts without any quoted source", source
    )
    reg.record(
        "inventory.facts.stale",
        int(total["Not confirmed in the last period"]),
        "facts",
        "facts whose newest source is older than the threshold, or undated",
        source,
    )
    reg.record(
        "inventory.verification.stale_months",
        int(config.get("inventory.stale_after_months")),
        "months",
        "age of the newest source beyond which a fact is not confirmed",
        "config/corridor.yaml",
    )
    reg.record(
        "inventory.verification.stale_before",
        stale_threshold(on).date(),
        "date",
        "facts whose newest source is older than this are not confirmed on the as-of date",
        "config/corridor.yaml",
    )
    reg.record(
        "inventory.institutions.since",
        pd.Timestamp(config.get("inventory.institutions_since")).date(),
        "date",
        "start of the period whose reorganisations the chapter shows",
        "config/corridor.yaml",
    )
    open_conflicts = inv["conflicts"].loc[inv["conflicts"]["resolution_status"] != "resolved", "conflict_id"].unique()
    reg.record(
        "inventory.conflicts.open",
        len(open_conflicts),
        "conflicts",
        "facts on which sources disagree, unresolved",
        f"{source}/conflicts.csv",
        rows=open_conflicts,
    )
    tiers = inv.quoted.loc[~_filled(inv.quoted["copy_of"])].drop_duplicates("source_id")["tier"].value_counts()
    for tier in tier_order():
        reg.record(
            f"inventory.sources.{tier.replace(' ', '_')}",
            int(tiers.get(tier, 0)),
            "sources",
            f"sources quoted, of tier {tier}",
            f"{source}/sources.csv",
        )


# ------------------------------------------------------------------ compact cells of the report's tables
def value_text(row) -> str:
    """'800 som per month'; 'amount not found' when the rule has a unit but no number; else ''."""
    has_unit = isinstance(row["unit"], str) and row["unit"].strip()
    if pd.isna(row["quantity"]):
        return "amount not found" if has_unit else ""
    return f"{row['quantity']:,.10g}" + (f" {row['unit']}" if has_unit else "")


def status_with_flags(row) -> str:
    """The state in words, plus 'sources disagree (C01)' where a conflict is open."""
    words = compact_dates(row["status_text"])
    return words + (f"; sources disagree ({row['conflicts']})" if row["conflicts"] else "")


def cited(fact_id: str, with_sources: set[str]) -> str:
    """'[#G01]': the marker the assembly turns into the numbers of the fact's sources in the References
    list, so that a table names no source in words and its numbers are those of the References; '' for a
    fact without a source (the quality list names it)."""
    return f"[#{fact_id}]" if fact_id in with_sources else ""


def short_rule(rule: str) -> str:
    """The rule's first clause (up to ';' or a parenthesis), for a table cell; the full wording is in the
    inventory and its processed tables."""
    words = str(rule).strip()
    cut = re.split(r";\s|\s\(", words, maxsplit=1)[0].rstrip(" .,:")
    return cut if len(cut) >= 25 else words.rstrip(".")


def _confidence_note(confidence: str, inherited: bool = False) -> str:
    return "" if confidence == "sourced" else f"; {confidence}" + (" (its act)" if inherited else "")


def state_counts(states: pd.DataFrame, target_only: bool = True) -> dict[str, int]:
    """How many rules (for the target group) are in force, not confirmed and suspended on the date, and
    how many of those in force rest on a weak fact, inherit their act's weakness or carry a conflict."""
    frame = states[_for_target(states)] if target_only else states
    live = frame[frame["state"] == IN_FORCE]
    return {
        "in_force": len(live),
        "not_confirmed": int((frame["state"] == NOT_CONFIRMED).sum()),
        "suspended": int((frame["state"] == SUSPENDED).sum()),
        "in_force_weak": int((live["effective_confidence"] != "sourced").sum()),
        "in_force_inherited": int((live["inherited"] & (live["confidence"] == "sourced")).sum()),
        "in_force_conflict": int((live["conflicts"] != "").sum()),
        "shown": int(frame["state"].isin(SHOWN_STATES).sum()),
    }


# ------------------------------------------------------------------ institutions on a date
def roles_on(inv: Inventory, on: str | date) -> pd.DataFrame:
    """Roles of the bodies on `on` (role and body both current; blank dates count as open), with the
    role's last confirmed date and its state (in force, or not confirmed since its newest source when
    that is older than `inventory.stale_after_months`)."""
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
    roles["last_confirmed"] = roles["id"].map(inv.last_confirmed)
    threshold = stale_threshold(on)
    fresh = roles["last_confirmed"].notna() & (roles["last_confirmed"] >= threshold)
    roles["state"] = [IN_FORCE if f else NOT_CONFIRMED for f in fresh]
    roles["status_text"] = [state_words(s, d) for s, d in zip(roles["state"], roles["last_confirmed"])]
    return roles.sort_values(["pathway", "institution_id"]).reset_index(drop=True)


def institution_map(inv: Inventory, on: str | date, mark: str = "•") -> pd.DataFrame:
    """Body × procedure matrix on a date: `mark` where the body has a role."""
    roles = roles_on(inv, on)
    labels = config.pathway_labels()
    matrix = pd.crosstab(roles["body"], roles["pathway"])
    matrix = matrix.reindex(columns=[p for p in labels if p in matrix.columns])
    matrix = matrix.apply(lambda col: col.map(lambda n: mark if n else ""))
    matrix.columns = [labels[c] for c in matrix.columns]
    matrix.index.name = "Body"
    return matrix


def institutions_annex(inv: Inventory) -> pd.DataFrame:
    """Annex B: every body with its reference, English name (Russian name) and the numbers of its
    sources, and its period with the body it replaced and its weak confidence."""
    inst = inv["institutions"].sort_values(["country", "id"])
    with_sources = set(inv["evidence"]["fact_id"])
    return pd.DataFrame(
        {
            "Ref.": inst["id"],
            "Body (in Russian) [sources]": [
                n + (f" ({r})" if not _blank(r) else "") + (f" {cited(i, with_sources)}" if i in with_sources else "")
                for n, r, i in zip(inst["name_en"], inst["name_ru"], inst["id"])
            ],
            "Period": [
                ", ".join(x for x in (_period(f, t), "" if _blank(p) else f"after {p}") if x) + _confidence_note(c)
                for f, t, p, c in zip(inst["valid_from"], inst["valid_to"], inst["predecessor_id"], inst["confidence"])
            ],
        }
    ).reset_index(drop=True)


def _period(start, end) -> str:
    """'Dec 2015 – Jan 2021', 'from Oct 2021', 'to May 2025', '' (dates not found)."""
    if pd.isna(start) and pd.isna(end):
        return ""
    if pd.isna(end):
        return f"from {_short_date(start)}"
    if pd.isna(start):
        return f"to {_short_date(end)}"
    return f"{_short_date(start)} – {_short_date(end)}"


# ------------------------------------------------------------------ changes between two dates
def changes_between(inv: Inventory, start: str | date, end: str | date, target_only: bool = True) -> pd.DataFrame:
    """Rules that are new, amended (a successive value replaced an earlier one), suspended, revived or
    that ceased between two dates, comparing the rules that applied on each date (in force, not
    confirmed or suspended)."""
    before = rules_on(inv, start, target_only=target_only).set_index("id")
    after = rules_on(inv, end, target_only=target_only).set_index("id")
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
    for pid in after.index.intersection(before.index):
        was, now = before.at[pid, "state"], after.at[pid, "state"]
        if SUSPENDED in (was, now) and was != now:
            rows.append(_change_row("suspended" if now == SUSPENDED else "revived", after.loc[pid], pid, None, before))
    for pid in after.index.difference(before.index):
        old = ancestor_in_before(pid)
        if old:
            replaced_now.add(old)
        rows.append(_change_row("amended" if old else "new", after.loc[pid], pid, old, before))
    for pid in before.index.difference(after.index):
        if pid not in replaced_now:
            rows.append(_change_row("ceased", before.loc[pid], pid, None, before))
    columns = [
        "change",
        "id",
        "pathway",
        "rule",
        "value",
        "previous_id",
        "previous_value",
        "valid_from",
        "valid_to",
        "status_text",
        "confidence",
    ]
    order = {"new": 0, "amended": 1, "suspended": 2, "revived": 3, "ceased": 4}
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(
        ["change", "pathway", "id"], key=lambda s: s.map(order) if s.name == "change" else s
    ).reset_index(drop=True)


def changes_table(inv: Inventory, start: str | date, end: str | date) -> pd.DataFrame:
    """The changes between two dates as the report shows them: the change, the rule's first clause, its
    value (and the value it replaced) and its state on the second date with weak confidence; its sources
    are those of the rule in Annex B."""
    changes = changes_between(inv, start, end)
    return pd.DataFrame(
        {
            "Change": changes["change"],
            "Rule": changes["rule"].map(short_rule),
            "Value": [v + (f" (was {p})" if p else "") for v, p in zip(changes["value"], changes["previous_value"])],
            "Status": [
                compact_dates(t) + _confidence_note(c) for t, c in zip(changes["status_text"], changes["confidence"])
            ],
        }
    )


def _change_row(change: str, row, pid: str, old: str | None, before: pd.DataFrame) -> dict:
    return {
        "change": change,
        "id": pid,
        "pathway": row["pathway"],
        "rule": row["rule"],
        "value": value_text(row),
        "previous_id": old or "",
        "previous_value": value_text(before.loc[old]) if old else "",
        "valid_from": row["start"],
        "valid_to": row["end"],
        "status_text": row["status_text"],
        "confidence": row["effective_confidence"],
    }


def amendments_between(inv: Inventory, start: str | date, end: str | date) -> pd.DataFrame:
    """Amendment events (sheet amendments) dated after `start` and on or before `end`."""
    am = inv["amendments"]
    inside = (am["date"] > pd.Timestamp(start)) & (am["date"] <= pd.Timestamp(end))
    return am[inside].sort_values(["date", "id"]).drop(columns=[ROW]).reset_index(drop=True)


# ------------------------------------------------------------------ coverage and verification
def level_order() -> list[str]:
    return list(config.get("inventory.levels"))


def coverage_matrix(inv: Inventory, on: str | date | None = None, target_only: bool = True) -> pd.DataFrame:
    """Number of provisions per pathway × level (that apply on `on` in any shown state, or all rules of
    acts that can hold rules). Zeros are gaps: no rule of that level covers that pathway."""
    if on is None:
        prov = periods(inv)
        prov = prov[prov["act_status"].isin(set(config.get("inventory.statuses_with_rules")))]
        if target_only:
            prov = prov[_for_target(prov)]
    else:
        prov = rules_on(inv, on, target_only=target_only)
    labels = config.pathway_labels()
    exploded = prov.assign(pathway_id=prov["pathway"].map(_split)).explode("pathway_id")
    matrix = pd.crosstab(exploded["pathway_id"], exploded["level"]) if len(exploded) else pd.DataFrame()
    matrix = matrix.reindex(index=list(labels), columns=level_order(), fill_value=0).fillna(0).astype(int)
    matrix.index = [labels[p] for p in matrix.index]
    matrix.index.name = "Pathway"
    matrix.columns.name = "Level"
    return matrix


def verification_table(inv: Inventory, on: str | date) -> pd.DataFrame:
    """Facts per sheet by confidence (provisions: their effective confidence, an act's weakness
    included), with the rows checked (verified_on filled), without any quoted source, and whose newest
    source is older than `inventory.stale_after_months` before `on`."""
    levels = vocabularies()["confidence"]
    states = provision_states(inv, on).set_index("id")
    last = inv.last_confirmed
    threshold = stale_threshold(on)
    quoted = set(inv.quoted["fact_id"])
    rows = []
    for sheet in SHEETS:
        frame = inv[sheet]
        confidence = frame["id"].map(states["effective_confidence"]) if sheet == "provisions" else frame["confidence"]
        counts = confidence.value_counts()
        newest = frame["id"].map(last)
        rows.append(
            {
                "Sheet": sheet,
                "Facts": len(frame),
                **{lvl: int(counts.get(lvl, 0)) for lvl in levels},
                "Checked": int(frame["verified_on"].notna().sum()),
                "No quoted source": int((~frame["id"].isin(quoted)).sum()),
                "Not confirmed in the last period": int((newest.isna() | (newest < threshold)).sum()),
            }
        )
    table = pd.DataFrame(rows).set_index("Sheet")
    table.loc["all facts"] = table.sum()
    for lvl in levels:
        table[f"{lvl} %"] = (100 * table[lvl] / table["Facts"]).round(1)
    return table


def verification_display(inv: Inventory, on: str | date) -> pd.DataFrame:
    """The verification table as the report shows it (counts only; the shares are in the prose). The
    column of rows checked is left out when every row was checked (the prose says so): it would repeat
    the facts column, and a ninth column turns the table onto a landscape page."""
    table = verification_table(inv, on)
    levels = vocabularies()["confidence"]
    checked = [] if (table["Checked"] == table["Facts"]).all() else ["Checked"]
    shown = table[["Facts", *levels, *checked, "No quoted source", "Not confirmed in the last period"]].astype(int)
    return shown.rename(columns={lvl: lvl.capitalize() for lvl in levels}).rename_axis("Sheet").reset_index()


def check_first(inv: Inventory, on: str | date, limit: int = 15) -> pd.DataFrame:
    """Facts to verify after the open disagreements (which Annex B lists with every value): rules for the
    target group that rest on a weak fact, weakest first, then those not confirmed on the date, then
    other weak facts about acts and bodies; each with why and the numbers of its sources (no ids: the
    table is in the main text)."""
    weak = {"uncertain": 0, "from memory": 1}
    with_sources = set(inv["evidence"]["fact_id"])
    rows = []
    states = provision_states(inv, on)
    target = states[_for_target(states) & states["state"].isin(SHOWN_STATES)]
    for _, r in target[target["effective_confidence"].isin(list(weak))].iterrows():
        rows.append(
            (
                1,
                weak[r["effective_confidence"]],
                r["id"],
                short_rule(r["rule"]),
                f"{r['effective_confidence']}; {compact_dates(r['status_text'])}",
                cited(r["id"], with_sources),
            )
        )
    for _, r in target[(target["effective_confidence"] == "sourced") & (target["state"] == NOT_CONFIRMED)].iterrows():
        rows.append(
            (2, 0, r["id"], short_rule(r["rule"]), compact_dates(r["status_text"]), cited(r["id"], with_sources))
        )
    for sheet in ("acts", "institutions", "roles", "amendments"):
        frame = inv[sheet]
        for _, r in frame[frame["confidence"].isin(list(weak))].iterrows():
            rows.append(
                (
                    3,
                    weak[r["confidence"]],
                    r["id"],
                    short_rule(r[FACT_TEXT[sheet]]),
                    r["confidence"],
                    cited(r["id"], with_sources),
                )
            )
    frame = pd.DataFrame(rows, columns=["priority", "_weak", "_id", "Fact", "Why", "Sources"])
    frame = frame.sort_values(["priority", "_weak", "_id"]).drop(columns=["_weak", "_id"]).head(limit)
    frame["priority"] = range(1, len(frame) + 1)
    return frame.rename(columns={"priority": "Priority"}).reset_index(drop=True)


# ------------------------------------------------------------------ annexes
def acts_annex(inv: Inventory, on: str | date) -> pd.DataFrame:
    """Annex A: one line per act, from the most general level down and by date: its reference, its
    citation (with its title where the citation has none), the numbers of its sources in the References
    list and its confidence where weak; the pathways its provisions serve (acts without provisions serve
    none) and its state on `on`."""
    labels = config.pathway_labels()
    prov = inv["provisions"]
    acts = inv["acts"]
    acts_on = act_states(inv, on)
    served: dict[str, set[str]] = {}
    for act_id, pathway in zip(prov["act_id"], prov["pathway"]):
        served.setdefault(act_id, set()).update(_split(pathway))
    level_rank = {lvl: i for i, lvl in enumerate(level_order())}
    acts = acts.assign(
        _level=acts["level"].map(level_rank).fillna(99), _date=acts["adopted"].fillna(pd.Timestamp.max)
    ).sort_values(["_level", "_date", "id"])
    with_sources = set(inv["evidence"]["fact_id"])

    def title(act) -> str:
        """The citation, and the short title after it only where the citation names no subject (it ends
        with the act's number or date, as resolutions do)."""
        citation = act_citation(act)
        short_title = act["title_en"]
        if _blank(short_title) or short_title.lower() in citation.lower() or not citation[-1].isdigit():
            return citation
        return f"{citation} — {short_title}"

    return pd.DataFrame(
        {
            "Ref. and act [sources]; its confidence where weak": [
                f"{a['id']} {title(a)}"
                + (f" {cited(a['id'], with_sources)}" if a["id"] in with_sources else "")
                + _confidence_note(a["confidence"])
                for _, a in acts.iterrows()
            ],
            "Pathways": [
                ", ".join(labels[p].split()[0] for p in labels if p in served.get(a, set())) or "none recorded"
                for a in acts["id"]
            ],
            "Status": [
                compact_dates(
                    state_words(acts_on.at[a, "act_state"], acts_on.at[a, "act_since"], acts_on.at[a, "act_until"])
                )
                for a in acts["id"]
            ],
        }
    ).reset_index(drop=True)


def provisions_annex(inv: Inventory, on: str | date) -> pd.DataFrame:
    """Annex B: every provision, by act. One cell holds its reference, its basis (the act's reference of
    Annex A and the article), the rule's first clause, its value and the numbers of its sources, so that
    the state on `on` (open disagreements and weak confidence included) has room. The full wording and the
    periods are in the inventory's processed tables."""
    states = provision_states(inv, on).sort_values(["act_id", "id"])
    with_sources = set(inv["evidence"]["fact_id"])

    def rule(r) -> str:
        basis = r["act_id"] + ("" if _blank(r["article"]) else f", {r['article']}")
        value = value_text(r)
        sources = cited(r["id"], with_sources)
        return (
            f"{r['id']} ({basis}): {short_rule(r['rule'])}"
            + (f"; {value}" if value else "")
            + (f" {sources}" if sources else "")
        )

    return pd.DataFrame(
        {
            "Rule (basis: act of Annex A, article): first clause; value [sources]": [
                rule(r) for _, r in states.iterrows()
            ],
            "Status": [
                status_with_flags(r) + _confidence_note(r["effective_confidence"], r["inherited"])
                for _, r in states.iterrows()
            ],
        }
    ).reset_index(drop=True)


def conflicts_table(inv: Inventory) -> pd.DataFrame:
    """Annex B: one row per disagreement between sources: the fact, every value with who reported it,
    when and its sources, and the status of the disagreement."""
    c = inv["conflicts"].sort_values(["conflict_id", "id"])
    with_sources = set(inv["evidence"]["fact_id"])
    order = list(vocabularies()["conflict_statuses"])  # open first: as open as its least resolved value

    def reported(r) -> str:
        value = _reported_value(r["value"], r["unit"])
        who = ", ".join(
            x for x in ("" if _blank(r["reported_by"]) else str(r["reported_by"]), _short_date(r["reported_on"])) if x
        )
        sources = cited(r["id"], with_sources)
        return value + (f" ({who})" if who else "") + (f" {sources}" if sources else "")

    rows = [
        {
            "Ref.": conflict_id,
            "Fact": group["fact"].iloc[0],
            "Values reported": "; ".join(reported(r) for _, r in group.iterrows()),
            "Status": min(group["resolution_status"], key=order.index),
        }
        for conflict_id, group in c.groupby("conflict_id", sort=True)
    ]
    return pd.DataFrame(rows, columns=["Ref.", "Fact", "Values reported", "Status"])


#: The kinds of warning on the inventory, by the column a warning names: what it means, and whether the
#: report lists the rows (the few a reader must act on) or only counts them.
QUALITY_KINDS = {
    "id": ("Fact without any source on the evidence sheet", True),
    "address": ("Cited source without an address", True),
    "confidence": ("Rule shown as in force that rests on an uncertain fact", False),
    "valid_from": ("Rule without its own start date (counted from its act or the rule it replaces)", False),
    "source_date": ("Undated source (cannot confirm a fact)", False),
}


def quality_rows(problems: Iterable[Problem]) -> pd.DataFrame:
    """Every warning on the inventory, one row each, with its kind: the inventory's quality list."""
    rows = [
        {
            "kind": QUALITY_KINDS.get(p.column or "", (p.column or "other", False))[0],
            "sheet": p.sheet or "",
            "row": p.row,
            "column": p.column or "",
            "expected": p.expected,
            "found": "" if p.found is None else str(p.found),
        }
        for p in problems
    ]
    return pd.DataFrame(rows, columns=["kind", "sheet", "row", "column", "expected", "found"])


def quality_summary(problems: Iterable[Problem]) -> pd.DataFrame:
    """Annex B: the warnings counted by kind; the kinds a reader must act on list their rows (sheet and
    row of the workbook, the fact where one is named), the others are in the quality list."""
    frame = quality_rows(problems)
    listed = {words for words, listing in QUALITY_KINDS.values() if listing}
    out = []
    for kind, group in frame.groupby("kind", sort=False):
        rows = ""
        if kind in listed:
            rows = "; ".join(
                f"{s} row {r}" + (f" ({f})" if f and f != "an empty cell" else "")
                for s, r, f in zip(group["sheet"], group["row"], group["found"])
            )
        out.append({"Warning": kind, "Count": len(group), "Rows to act on": rows or "in the quality list"})
    return pd.DataFrame(out, columns=["Warning", "Count", "Rows to act on"])


# ------------------------------------------------------------------ figures
def figure_coverage(matrix: pd.DataFrame, title: str):
    """Heat map of rules per pathway × level; empty cells are marked 'gap'."""
    import numpy as np
    import seaborn as sns

    from analysis.engine import figures

    fig, ax = figures.new_figure(8.0, 3.6)
    annotations = np.where(matrix.to_numpy() == 0, "gap", matrix.to_numpy().astype(str))
    sns.heatmap(
        matrix,
        annot=annotations,
        fmt="",
        cmap="Blues",
        cbar_kws={"label": "rules in force"},
        linewidths=0.5,
        linecolor="white",
        ax=ax,
        annot_kws={"fontsize": 9},
    )
    for label in ax.texts:
        if label.get_text() == "gap":
            label.set_color("#D55E00")
            label.set_fontstyle("italic")
    ax.set_xlabel("Level of the act")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelrotation=20)
    ax.set_title(title)
    return fig
