"""Procedures by pathway as a migrant lives them: steps, time, cost, burden and access.

The consultant keeps the steps of each pathway in data/raw/procedures.xlsx (one row per step). A step
never types a fee, deadline or term: it names the inventory provision that sets it (`fee_provision`,
`deadline_provision`), and the amount, unit and confidence are read from the inventory's processed
provisions, so chapters 3, 4, 6 and 8 show one value per fact. What the law does not give (time a
step takes in practice, hours of work, out-of-pocket costs, populations) is a labelled assumption
with its own source in the workbook.

The chapter computes World-Bank-style indicators (procedures, working days along the critical path
with the public-holiday calendar, cost against GNI per capita and a migrant's wage), the Standard
Cost Model burden, kept apart from the financial costs (fees, premiums, guarantees) as the SCM
manual asks, and an accessibility scorecard. Vocabularies and thresholds come from the `procedures`
section of config/corridor.yaml, so that another corridor needs no code change.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from analysis.engine import atomic, config, figures, paths, text
from analysis.engine.calendar import WorkCalendar
from analysis.engine.errors import Problem, raise_if_errors
from analysis.engine.readers import ROW, normalise_header, read_excel_sheet, read_processed
from analysis.engine.schema import Column, apply_excel_rules, foreign_key, validate

SHEETS = ("steps", "parameters", "scm_assumptions", "other_groups")
#: Unit of a parameter that is an exchange rate: `value` units of the configured currency per one unit
#: of the parameter's `currency`. Any currency may have one; none is fixed in code.
EXCHANGE_RATE = "exchange rate"
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")

#: Parameter ids the indicators and the Standard Cost Model need (the sheet may hold more).
PARAMETER_IDS = {
    "gni_per_capita": "GNI per capita of the destination (World Bank, Atlas method), with its year",
    "migrant_monthly_wage": "Monthly wage of a migrant worker of the corridor (the SCM tariff of the migrant)",
    "staff_monthly_wage": "Monthly wage of the staff who do the work for employers, universities and the state",
    "hours_per_month": "Working hours in a month (turns a monthly wage into an hourly one)",
    "overhead_rate": "Overhead added to staff wages (Standard Cost Model tariff)",
}


def settings() -> dict:
    return config.get("procedures")


def _vocab(key: str) -> list[str]:
    value = settings()[key]
    return list(value) if isinstance(value, (dict, list)) else [value]


def currency() -> dict:
    return config.get("currency")


def currency_label() -> str:
    """The configured currency's name, for column headers ("Fee (som)")."""
    return currency()["name"]


# ---------------------------------------------------------------- workbook shape
def step_columns() -> list[Column]:
    s = settings()
    confidence = _vocab("confidence")
    units = list(s["deadline_units"])
    return [
        Column("pathway", vocabulary=list(s["pathways"]), description="Pathway id (see README)"),
        Column("step", "int", minimum=1, description="Step number within the pathway (1, 2, ...)"),
        Column("action", description="What is done, by whom"),
        Column(
            "responsible_body",
            required=False,
            description="Institution id of the inventory (or a private actor of the configuration); blank = not known",
        ),
        Column("legal_basis", required=False, description="Provision ids of the inventory, separated by ';'"),
        Column(
            "channel",
            required=False,
            vocabulary=list(s["channels"]),
            multi=True,
            description="How the step is done; several separated by ';'",
        ),
        Column("documents", required=False, description="Documents the applicant must bring"),
        Column(
            "fee_provision",
            required=False,
            description=f"Provision id of the inventory whose amount is the fee, premium or guarantee; "
            f"'{s['free_token']}' where the sources say the step costs nothing; blank = not known",
        ),
        Column(
            "fee_kind",
            required=False,
            vocabulary=list(s["financial_cost_kinds"]),
            description="What the payment is (a financial cost, not an administrative burden)",
        ),
        Column(
            "fee_periods",
            "float",
            required=False,
            minimum=0,
            description="How many periods of a periodic fee (per month, per year) the pathway counts; blank = 1",
        ),
        Column("fee_payer", required=False, vocabulary=_vocab("bearers"), description="Who pays; blank = the migrant"),
        Column(
            "deadline_provision",
            required=False,
            description="Provision id of the inventory that sets the body's statutory deadline; blank = none found",
        ),
        Column(
            "term_provision",
            required=False,
            description="Provision id of the inventory that sets how long the document or status obtained lasts",
        ),
        Column(
            "observed_min",
            "float",
            required=False,
            minimum=0,
            description="Time the step takes in practice as a source reports it (lower end); an assumption",
        ),
        Column(
            "observed_max",
            "float",
            required=False,
            minimum=0,
            description="Upper end of the reported time (blank: same as observed_min)",
        ),
        Column("observed_unit", required=False, vocabulary=units, description="Unit of the reported time"),
        Column("observed_source", required=False, description="Address of the source of the reported time"),
        Column(
            "observed_confidence", required=False, vocabulary=confidence, description="Confidence of the reported time"
        ),
        Column(
            "parallel_with",
            required=False,
            description="Step numbers of the same pathway that can run at the same time",
        ),
        Column(
            "same_as",
            required=False,
            description="pathway/step of another pathway that this step repeats (e.g. entry_short_stay/2): its "
            "payments are counted once, there",
        ),
        Column(
            "languages",
            required=False,
            vocabulary=list(s["languages"]),
            multi=True,
            description="Languages the service is offered in; blank = not found in the sources (a data gap)",
        ),
        Column(
            "locations",
            required=False,
            vocabulary=list(s["locations"]),
            multi=True,
            description="Where the step can be done; blank = not known",
        ),
        Column("access_source", required=False, description="Address of the source of channel and languages"),
        Column(
            "access_confidence",
            required=False,
            vocabulary=confidence,
            description="Confidence of channel, languages and locations",
        ),
        Column(
            "observed_procedure",
            required=False,
            vocabulary=_vocab("observed_procedures"),
            description="Procedure id of the processing-time analysis that observes this step",
        ),
        Column("source", required=False, description="Addresses of the sources of the step, one per line"),
        Column("confidence", vocabulary=confidence, description="Confidence of the step as described"),
        Column("note", required=False, description="What a reader must know: what was not found, assumptions"),
    ]


def parameter_columns() -> list[Column]:
    confidence = _vocab("confidence")
    return [
        Column(
            "id",
            unique=True,
            description="Parameter id: "
            + ", ".join(PARAMETER_IDS)
            + "; populations of the Standard Cost Model; exchange rates (unit 'exchange rate')",
        ),
        Column("parameter", description="What the parameter is"),
        Column("value", "float", required=False, description="Value; blank = derived (base_parameter) or not known"),
        Column(
            "currency",
            required=False,
            description="ISO code of a money value, or the foreign currency of an exchange rate",
        ),
        Column("unit", description=f"Unit (per year, per month, hours, share, persons, %, '{EXCHANGE_RATE}')"),
        Column("reference_period", required=False, description="Year or period the value refers to"),
        Column(
            "base_parameter",
            required=False,
            description="Derived value: id of the parameter it is computed from (value = base x factor x (1 + change))",
        ),
        Column("change_parameter", required=False, description="Id of a parameter in % applied to the base"),
        Column("factor", "float", required=False, minimum=0, description="Factor applied to the base (blank = 1)"),
        Column("source", required=False, description="Address of the source"),
        Column("confidence", vocabulary=confidence, description="Confidence of the value"),
        Column("note", required=False, description="How the value was obtained or derived; what is missing"),
    ]


def scm_columns() -> list[Column]:
    s = settings()
    confidence = _vocab("confidence")
    return [
        Column("pathway", vocabulary=list(s["pathways"]), description="Pathway id"),
        Column("step", "int", minimum=1, description="Step number of the steps sheet"),
        Column("bearer", vocabulary=_vocab("bearers"), description="Who does the work (and pays if fee_payer)"),
        Column("obligation", description="The information obligation in words (what must be given to whom)"),
        Column("hours_per_case", "float", minimum=0, description="Time per case in hours (normally efficient person)"),
        Column(
            "hours_source", required=False, description="Where the time comes from (blank: assumption of the analysis)"
        ),
        Column(
            "out_of_pocket",
            "float",
            required=False,
            minimum=0,
            description="Out-of-pocket cost of meeting the obligation per case (copies, photos, translation, "
            "notary, travel), in the configured currency; not fees",
        ),
        Column("out_of_pocket_source", required=False, description="Where the out-of-pocket cost comes from"),
        Column(
            "population_parameter",
            required=False,
            description=(
                "Id of the parameter that gives how many people (or firms) do the step a year; blank = not known"
            ),
        ),
        Column("frequency_per_year", "float", minimum=0, description="Times per person per year"),
        Column("confidence", vocabulary=confidence, description="Confidence of time and quantity"),
        Column("note", required=False, description="Assumption behind time and quantity"),
    ]


def other_group_columns() -> list[Column]:
    s = settings()
    return [
        Column("group", vocabulary=list(s["other_groups"]), description="Group of people the pathways do not model"),
        Column("question", description="What a person of the group needs to know"),
        Column("answer", description="What applies, or that the research found nothing (not covered)"),
        Column("coverage", vocabulary=list(s["coverage_levels"]), description="How far the rules cover the group"),
        Column("legal_basis", required=False, description="Provision ids of the inventory, separated by ';'"),
        Column("confidence", vocabulary=_vocab("confidence"), description="Confidence of the answer"),
        Column("source", required=False, description="Addresses of the sources, one per line"),
    ]


def sheet_columns() -> dict[str, list[Column]]:
    return {
        "steps": step_columns(),
        "parameters": parameter_columns(),
        "scm_assumptions": scm_columns(),
        "other_groups": other_group_columns(),
    }


# ---------------------------------------------------------------- template
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _describe(col: Column) -> str:
    if col.vocabulary is not None:
        return "one of: " + ", ".join(col.vocabulary) + (" (several separated by ';')" if col.multi else "")
    return {"int": "whole number", "float": "number", "date": "dd.mm.yyyy"}.get(col.kind, "text")


def write_workbook(path: str | Path, tables: Mapping[str, pd.DataFrame] | None = None, allow_raw: bool = False) -> Path:
    """The procedures workbook: its sheets (empty or filled) and a README explaining each column."""
    tables = tables or {}
    wb = Workbook()
    wb.remove(wb.active)
    readme_rows = []
    for sheet, columns in sheet_columns().items():
        ws = wb.create_sheet(sheet)
        names = [c.name for c in columns]
        ws.append(names)
        frame = tables.get(sheet)
        if frame is not None:
            for record in frame.reindex(columns=names).itertuples(index=False):
                ws.append([None if (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v for v in record])
        for col in columns:
            readme_rows.append([sheet, col.name, col.description, _describe(col), "yes" if col.required else "no"])
        apply_excel_rules(ws, columns, widths={c.name: 14 if c.kind != "str" else 24 for c in columns})
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    readme = wb.create_sheet("README", 0)
    readme.append(["sheet", "column", "meaning", "allowed values / format", "required"])
    for cell in readme[1]:
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
    for row in readme_rows:
        readme.append(row)
    for letter, width in zip("ABCDE", (16, 20, 70, 50, 10)):
        readme.column_dimensions[letter].width = width
    with atomic.atomic_path(paths.resolve(path), allow_raw=allow_raw) as tmp:
        wb.save(tmp)
    return Path(path)


def write_template(path: str | Path) -> Path:
    """An empty procedures workbook of the right shape (for a consultant starting another corridor)."""
    return write_workbook(path)


# ---------------------------------------------------------------- facts of the inventory
def money_unit(unit: object) -> tuple[str, str] | None:
    """("KGS", "per month") for "som per month"; ("USD", "") for "USD"; None when not money.

    The configured currency may be written by its name or code; any other currency by its ISO code.
    """
    if not isinstance(unit, str) or not unit.strip():
        return None
    head, _, rest = unit.strip().partition(" ")
    cur = currency()
    if head in (cur["name"], cur["code"]):
        return cur["code"], rest.strip()
    if CURRENCY_CODE.match(head):
        return head, rest.strip()
    return None


def deadline_kind(unit: object) -> str | None:
    """working_days / calendar_days / months / years for a deadline unit as the inventory writes it.

    The mapping is the one chapter 6 counts deadlines with (config `processing_times.deadline_units`),
    so both chapters read the same statutory deadline the same way.
    """
    if not isinstance(unit, str) or not unit.strip():
        return None
    units = {normalise_header(k): v for k, v in config.get("processing_times.deadline_units").items()}
    return units.get(normalise_header(unit))


def quantity_text(quantity: float, unit: object) -> str:
    """A provision's value as every chapter shows it: "1 month", "7 working days", "11,910 som per year"."""
    shown = f"{float(quantity):,.10g}"
    return shown + (f" {unit.strip()}" if isinstance(unit, str) and unit.strip() else "")


@dataclass
class Procedures:
    steps: pd.DataFrame
    parameters: pd.DataFrame
    scm: pd.DataFrame
    file: str
    other_groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    provisions: pd.DataFrame = field(default_factory=pd.DataFrame)  # inventory provisions, indexed by id
    acts: pd.DataFrame = field(default_factory=pd.DataFrame)  # inventory acts, indexed by id
    warnings: list[Problem] = field(default_factory=list)

    def _row(self, pid: str) -> pd.Series | None:
        rows = self.parameters[self.parameters["id"] == pid]
        return None if rows.empty else rows.iloc[0]

    def raw_parameter(self, pid: str, _seen: frozenset = frozenset()) -> float | None:
        """A parameter's value in its own unit, derived from its base where it has one; None if not known."""
        row = self._row(pid)
        if row is None or pid in _seen:
            return None
        if pd.notna(row.get("value")):
            return float(row["value"])
        base = row.get("base_parameter")
        if not isinstance(base, str) or not base:
            return None
        value = self.raw_parameter(base, _seen | {pid})
        if value is None:
            return None
        factor = row.get("factor")
        value *= 1.0 if factor is None or pd.isna(factor) else float(factor)
        change = row.get("change_parameter")
        if isinstance(change, str) and change:
            pct = self.raw_parameter(change, _seen | {pid})
            if pct is None:
                return None
            value *= 1 + pct / 100
        return value

    def rate(self, code: str | None) -> float | None:
        """Units of the configured currency for one unit of `code` (1 for the configured currency)."""
        if not code or code == currency()["code"]:
            return 1.0
        rows = self.parameters[(self.parameters["unit"] == EXCHANGE_RATE) & (self.parameters["currency"] == code)]
        if rows.empty or pd.isna(rows["value"].iloc[0]):
            return None
        return float(rows["value"].iloc[0])

    def rate_row(self, code: str) -> pd.Series | None:
        rows = self.parameters[(self.parameters["unit"] == EXCHANGE_RATE) & (self.parameters["currency"] == code)]
        return None if rows.empty else rows.iloc[0]

    def parameter(self, pid: str) -> float | None:
        """A parameter's value, money converted into the configured currency; None if not known."""
        value = self.raw_parameter(pid)
        row = self._row(pid)
        if value is None or row is None:
            return None
        code = row["currency"] if isinstance(row["currency"], str) else None
        if row["unit"] == EXCHANGE_RATE or code is None:
            return value
        rate = self.rate(code)
        return None if rate is None else value * rate

    def period(self, pid: str) -> str:
        row = self._row(pid)
        return "" if row is None or not isinstance(row["reference_period"], str) else row["reference_period"]


def _split(value) -> list[str]:
    return [v.strip() for v in str(value).replace("\n", ";").split(";") if v.strip()] if isinstance(value, str) else []


def _step_checks(file: str) -> list:
    def pairs(frame: pd.DataFrame) -> list[Problem]:
        problems = []
        for _, r in frame.iterrows():
            where = dict(file=file, sheet="steps", row=int(r[ROW]))
            if pd.notna(r.get("observed_min")) and not isinstance(r.get("observed_unit"), str):
                problems.append(
                    Problem(
                        **where,
                        column="observed_unit",
                        expected="the unit of the reported time (" + ", ".join(settings()["deadline_units"]) + ")",
                        found="an empty cell",
                    )
                )
            if pd.notna(r.get("observed_min")) and not isinstance(r.get("observed_source"), str):
                problems.append(
                    Problem(
                        **where,
                        column="observed_source",
                        expected="the source of the reported time (an assumption needs its own source)",
                        found="an empty cell",
                    )
                )
            if (
                pd.notna(r.get("observed_max"))
                and pd.notna(r.get("observed_min"))
                and r["observed_max"] < r["observed_min"]
            ):
                problems.append(
                    Problem(**where, column="observed_max", expected="at least observed_min", found=r["observed_max"])
                )
        return problems

    def numbering(frame: pd.DataFrame) -> list[Problem]:
        problems = []
        valid = frame.dropna(subset=["pathway", "step"])
        seen: dict[tuple, int] = {}
        for _, r in valid.iterrows():
            key = (r["pathway"], int(r["step"]))
            if key in seen:
                problems.append(
                    Problem(
                        file=file,
                        sheet="steps",
                        row=int(r[ROW]),
                        column="step",
                        expected=f"a step number not used before in pathway {key[0]} (row {seen[key]})",
                        found=key[1],
                    )
                )
            seen.setdefault(key, int(r[ROW]))
        steps_of = valid.groupby("pathway")["step"].apply(lambda s: {int(v) for v in s}).to_dict()
        for _, r in valid.iterrows():
            same = r.get("same_as")
            if isinstance(same, str):
                pathway, _, number = same.partition("/")
                if not (number.isdigit() and int(number) in steps_of.get(pathway, set()) and pathway != r["pathway"]):
                    problems.append(
                        Problem(
                            file=file,
                            sheet="steps",
                            row=int(r[ROW]),
                            column="same_as",
                            expected="pathway/step of a step of another pathway",
                            found=same,
                        )
                    )
            for item in _split(r.get("parallel_with")):
                ok = item.isdigit() and int(item) in steps_of.get(r["pathway"], set()) and int(item) != int(r["step"])
                if not ok:
                    problems.append(
                        Problem(
                            file=file,
                            sheet="steps",
                            row=int(r[ROW]),
                            column="parallel_with",
                            expected=f"numbers of other steps of pathway {r['pathway']}",
                            found=item,
                        )
                    )
        return problems

    return [pairs, numbering]


def _parameter_checks(file: str) -> list:
    def codes(frame: pd.DataFrame) -> list[Problem]:
        problems = []
        ids = set(frame["id"].dropna())
        for _, r in frame.iterrows():
            where = dict(file=file, sheet="parameters", row=int(r[ROW]))
            code = r.get("currency")
            if isinstance(code, str) and not CURRENCY_CODE.match(code):
                problems.append(
                    Problem(**where, column="currency", expected="an ISO currency code of three capitals", found=code)
                )
            if r.get("unit") == EXCHANGE_RATE and not isinstance(code, str):
                problems.append(
                    Problem(
                        **where,
                        column="currency",
                        expected="the currency that the exchange rate converts",
                        found="an empty cell",
                    )
                )
            for column in ("base_parameter", "change_parameter"):
                ref = r.get(column)
                if isinstance(ref, str) and ref not in ids:
                    problems.append(Problem(**where, column=column, expected="the id of another parameter", found=ref))
            if isinstance(r.get("change_parameter"), str) and not isinstance(r.get("base_parameter"), str):
                problems.append(
                    Problem(
                        **where,
                        column="base_parameter",
                        expected="the base the change applies to",
                        found="an empty cell",
                    )
                )
        return problems

    return [codes]


def _fact_problems(steps: pd.DataFrame, provisions: pd.DataFrame, file: str, rate_of) -> list[Problem]:
    """Fee provisions must be money, deadline provisions durations, and foreign currencies need a rate."""
    problems = []
    free = settings()["free_token"]
    for _, r in steps.iterrows():
        where = dict(file=file, sheet="steps", row=int(r[ROW]))
        fee = r.get("fee_provision")
        if isinstance(fee, str) and fee != free:
            if fee not in provisions.index:
                problems.append(
                    Problem(
                        **where, column="fee_provision", expected=f"a provision of the inventory or '{free}'", found=fee
                    )
                )
            else:
                unit = provisions.at[fee, "unit"]
                money = money_unit(unit)
                if money is None:
                    problems.append(
                        Problem(
                            **where,
                            column="fee_provision",
                            expected="a provision whose unit is money (the configured currency's name or an ISO code)",
                            found=f"{fee} ({unit})",
                        )
                    )
                elif rate_of(money[0]) is None:
                    problems.append(
                        Problem(
                            **where,
                            column="fee_provision",
                            expected=f"an exchange rate for {money[0]} "
                            f"on the parameters sheet (unit '{EXCHANGE_RATE}')",
                            found=fee,
                        )
                    )
        deadline = r.get("deadline_provision")
        if isinstance(deadline, str):
            if deadline not in provisions.index:
                problems.append(
                    Problem(
                        **where, column="deadline_provision", expected="a provision of the inventory", found=deadline
                    )
                )
            elif deadline_kind(provisions.at[deadline, "unit"]) is None:
                problems.append(
                    Problem(
                        **where,
                        column="deadline_provision",
                        expected="a provision whose unit is a duration (config processing_times.deadline_units)",
                        found=f"{deadline} ({provisions.at[deadline, 'unit']})",
                    )
                )
    return problems


def read(
    path: str | Path = "data/raw/procedures.xlsx",
    inventory_dir: str | Path | None = "data/processed/inventory",
    on: str | date | None = None,
) -> Procedures:
    """Read and validate the workbook; bodies and provisions are checked against the inventory tables.

    Raises InputError naming file, sheet, Excel row and column of every problem found. With `on`, a
    body that the inventory says did not exist on that date gives a warning (shown in the annex).
    """
    path = paths.resolve(path)
    file = paths.relative(path)
    typed, problems = {}, []
    for sheet, columns in sheet_columns().items():
        raw = read_excel_sheet(path, sheet)
        checks = {"steps": _step_checks(file), "parameters": _parameter_checks(file)}.get(sheet, [])
        typed[sheet], found = validate(raw, columns, file, sheet, extra_checks=checks)
        problems += found
    steps, scm, groups = typed["steps"], typed["scm_assumptions"], typed["other_groups"]
    provisions = acts = pd.DataFrame()
    if inventory_dir is not None:
        folder = paths.resolve(inventory_dir)
        institutions = read_processed(folder / "institutions.csv")["id"].astype(str)
        provisions = read_processed(folder / "provisions.csv").astype({"id": str}).set_index("id", drop=False)
        acts_file = folder / "acts.csv"
        acts = read_processed(acts_file).astype({"id": str}).set_index("id", drop=False) if acts_file.exists() else acts
        bodies = set(institutions) | set(settings().get("private_actors") or {})
        problems += foreign_key(
            steps,
            "responsible_body",
            bodies,
            file,
            "steps",
            "institution of the inventory (institutions sheet) or private actor",
        )
        problems += foreign_key(steps, "term_provision", provisions.index, file, "steps", "provision of the inventory")
        for sheet, frame in (("steps", steps), ("other_groups", groups)):
            problems += foreign_key(
                frame,
                "legal_basis",
                provisions.index,
                file,
                sheet,
                "provision of the inventory (provisions sheet)",
                multi=True,
            )
        probe = Procedures(steps=steps, parameters=typed["parameters"], scm=scm, file=file)
        problems += _fact_problems(steps, provisions, file, probe.rate)
        if on is not None:
            problems += _body_period_warnings(steps, read_processed(folder / "institutions.csv"), file, on)
    step_keys = {(p, int(s)) for p, s in zip(steps["pathway"], steps["step"]) if pd.notna(s) and p}
    parameter_ids = set(typed["parameters"]["id"].dropna())
    for _, r in scm.dropna(subset=["pathway", "step"]).iterrows():
        if (r["pathway"], int(r["step"])) not in step_keys:
            problems.append(
                Problem(
                    file=file,
                    sheet="scm_assumptions",
                    row=int(r[ROW]),
                    column="step",
                    expected="a step that exists in the steps sheet for this pathway",
                    found=f"{r['pathway']} step {int(r['step'])}",
                )
            )
        ref = r.get("population_parameter")
        if isinstance(ref, str) and ref not in parameter_ids:
            problems.append(
                Problem(
                    file=file,
                    sheet="scm_assumptions",
                    row=int(r[ROW]),
                    column="population_parameter",
                    expected="the id of a parameter (parameters sheet)",
                    found=ref,
                )
            )
    warnings = raise_if_errors(problems)
    for sheet, columns in sheet_columns().items():
        for col in columns:
            if col.kind == "float":
                typed[sheet][col.name] = typed[sheet][col.name].astype("float64")
            elif col.kind == "int":
                typed[sheet][col.name] = typed[sheet][col.name].astype("int64")
    steps = typed["steps"].sort_values(
        ["pathway", "step"], key=lambda s: s.map(_pathway_order()) if s.name == "pathway" else s
    )
    return Procedures(
        steps=steps.reset_index(drop=True),
        parameters=typed["parameters"],
        scm=typed["scm_assumptions"],
        other_groups=typed["other_groups"],
        file=file,
        provisions=provisions,
        acts=acts,
        warnings=warnings,
    )


def _body_period_warnings(steps: pd.DataFrame, institutions: pd.DataFrame, file: str, on: str | date) -> list[Problem]:
    day = pd.Timestamp(on)
    periods = institutions.set_index(institutions["id"].astype(str))
    problems = []
    for row, body in zip(steps[ROW], steps["responsible_body"]):
        if not isinstance(body, str) or body not in periods.index:
            continue
        start, end = pd.to_datetime(periods.at[body, "valid_from"]), pd.to_datetime(periods.at[body, "valid_to"])
        if (pd.notna(start) and start > day) or (pd.notna(end) and end < day):
            problems.append(
                Problem(
                    file=file,
                    sheet="steps",
                    row=int(row),
                    column="responsible_body",
                    expected=f"a body that exists on {day:%d.%m.%Y} (inventory validity period)",
                    found=body,
                    severity="warning",
                )
            )
    return problems


def _pathway_order() -> dict[str, int]:
    return {p: i for i, p in enumerate(settings()["pathways"])}


def read_observed(path: str | Path) -> pd.DataFrame | None:
    """The processing-time summary (working days) or None when that analysis has not produced it."""
    path = paths.resolve(path)
    if not path.exists():
        return None
    return read_processed(path)


# ---------------------------------------------------------------- each step's facts
def step_facts(proc: Procedures) -> pd.DataFrame:
    """The steps with the fee and statutory deadline each takes from its inventory provision.

    Added columns: fee_amount, fee_currency, fee_period, fee_text (as the inventory states it),
    fee_local (in the configured currency, times fee_periods), fee_known, fee_confidence;
    deadline_quantity, deadline_kind, deadline_text, deadline_confidence; term_text; observed_text.
    """
    steps = proc.steps.copy()
    prov = proc.provisions
    free = settings()["free_token"]
    records = []
    for _, r in steps.iterrows():
        rec = {
            "fee_amount": np.nan,
            "fee_currency": None,
            "fee_period": "",
            "fee_text": "not known",
            "fee_local": np.nan,
            "fee_known": False,
            "fee_confidence": None,
            "deadline_quantity": np.nan,
            "deadline_kind": None,
            "deadline_text": "none found",
            "deadline_confidence": None,
            "term_text": "",
        }
        fee = r.get("fee_provision")
        if fee == free:
            rec.update(
                fee_amount=0.0,
                fee_currency=currency()["code"],
                fee_text="no fee",
                fee_local=0.0,
                fee_known=True,
                fee_confidence=r["confidence"],
            )
        elif isinstance(fee, str) and fee in prov.index and pd.notna(prov.at[fee, "quantity"]):
            code, period = money_unit(prov.at[fee, "unit"])
            periods = r.get("fee_periods")
            periods = 1.0 if periods is None or pd.isna(periods) else float(periods)
            rate = proc.rate(code)
            amount = float(prov.at[fee, "quantity"])
            rec.update(
                fee_amount=amount,
                fee_currency=code,
                fee_period=period,
                fee_text=quantity_text(amount, prov.at[fee, "unit"]),
                fee_local=np.nan if rate is None else amount * rate * periods,
                fee_known=rate is not None,
                fee_confidence=prov.at[fee, "confidence"],
            )
        elif isinstance(fee, str) and fee in prov.index:
            rec.update(fee_text="amount not found", fee_confidence=prov.at[fee, "confidence"])
        deadline = r.get("deadline_provision")
        if isinstance(deadline, str) and deadline in prov.index and pd.notna(prov.at[deadline, "quantity"]):
            rec.update(
                deadline_quantity=float(prov.at[deadline, "quantity"]),
                deadline_kind=deadline_kind(prov.at[deadline, "unit"]),
                deadline_text=quantity_text(prov.at[deadline, "quantity"], prov.at[deadline, "unit"]),
                deadline_confidence=prov.at[deadline, "confidence"],
            )
        term = r.get("term_provision")
        if isinstance(term, str) and term in prov.index and pd.notna(prov.at[term, "quantity"]):
            rec["term_text"] = quantity_text(prov.at[term, "quantity"], prov.at[term, "unit"])
        rec["observed_text"] = observed_text(r.get("observed_min"), r.get("observed_max"), r.get("observed_unit"))
        records.append(rec)
    return pd.concat([steps.reset_index(drop=True), pd.DataFrame(records)], axis=1)


def observed_text(low, high, unit) -> str:
    """ "1–2 months"; "" where no reported time is recorded."""
    if low is None or pd.isna(low) or not isinstance(unit, str):
        return ""
    label = settings()["deadline_units"][unit]
    high = low if high is None or pd.isna(high) else high
    if high == low:
        return f"{low:g} {text.singular(label) if low == 1 else label}"
    return f"{low:g}–{high:g} {label}"


# ---------------------------------------------------------------- critical path
def _next_working_day(day: date, calendar: WorkCalendar) -> date:
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def _add_working(day: date, n: int, calendar: WorkCalendar) -> date:
    return pd.Timestamp(calendar.add_working_days(np.datetime64(day, "D"), n)).date()


def step_finish(
    start: date, deadline: float | None, unit: str | None, calendar: WorkCalendar, minimum_days: int = 1
) -> date:
    """When a step started on `start` ends: its duration, but at least `minimum_days` working days.

    A duration in calendar days, months or years that ends on a non-working day ends on the next
    working day. A step without a duration takes the minimum.
    """
    earliest = _add_working(start, minimum_days, calendar)
    if deadline is None or pd.isna(deadline) or not unit:
        return earliest
    if unit == "working_days":
        return _add_working(start, max(int(math.ceil(deadline)), minimum_days), calendar)
    if unit == "calendar_days":
        end = start + timedelta(days=int(math.ceil(deadline)))
    elif unit in ("months", "years"):
        months = int(math.ceil(deadline)) * (12 if unit == "years" else 1)
        end = (pd.Timestamp(start) + pd.DateOffset(months=months)).date()
    else:
        raise ValueError(f"unknown duration unit {unit!r}")
    return max(_next_working_day(end, calendar), earliest)


def schedule(
    steps: pd.DataFrame,
    start: date,
    calendar: WorkCalendar,
    minimum_days: int = 1,
    parallel_start_offset_days: int = 0,
    durations: Mapping[int, tuple[float, str]] | None = None,
) -> pd.DataFrame:
    """Start and finish of each step of one pathway along its critical path.

    A step waits for every earlier step except those it can run with (`parallel_with`, read both
    ways); with `parallel_start_offset_days` > 0 a step also starts that many working days after the
    step before it (the Doing Business rule that simultaneous procedures start on consecutive days).
    A step's duration is its statutory deadline (`deadline_quantity`, `deadline_kind`); `durations`
    overrides it, e.g. with a reported or observed time.
    """
    ordered = steps.sort_values("step")
    numbers = [int(s) for s in ordered["step"]]
    together = {n: set() for n in numbers}
    for n, value in zip(numbers, ordered["parallel_with"] if "parallel_with" in ordered else [None] * len(numbers)):
        for other in _split(value):
            together[n].add(int(other))
            together.setdefault(int(other), set()).add(n)
    starts, finishes, rows = {}, {}, []
    previous = None
    for n, (_, r) in zip(numbers, ordered.iterrows()):
        waits_for = [finishes[m] for m in numbers if m < n and m not in together[n]]
        begin = max(waits_for) if waits_for else start
        if previous is not None and parallel_start_offset_days:
            begin = max(begin, _add_working(starts[previous], parallel_start_offset_days, calendar))
        own = (r.get("deadline_quantity"), r.get("deadline_kind"))
        deadline, unit = (durations or {}).get(n, own)
        end = step_finish(begin, deadline, unit, calendar, minimum_days)
        starts[n], finishes[n] = begin, end
        previous = n
        rows.append(
            {
                "step": n,
                "start": begin,
                "finish": end,
                "working_days": int(calendar.working_days_between(np.datetime64(begin, "D"), np.datetime64(end, "D"))),
                "on_duration": pd.notna(deadline) and bool(unit),
            }
        )
    return pd.DataFrame(rows)


def total_days(plan: pd.DataFrame, start: date, calendar: WorkCalendar) -> tuple[int, int]:
    """(working days, calendar days) from `start` to the end of the last step."""
    end = max(plan["finish"])
    working = int(calendar.working_days_between(np.datetime64(start, "D"), np.datetime64(end, "D")))
    return working, (end - start).days


def reported_durations(group: pd.DataFrame, end: str) -> dict[int, tuple[float, str]]:
    """The time sources report for the steps that have one (`end`: observed_min or observed_max)."""
    out = {}
    for _, r in group.iterrows():
        low = r.get("observed_min")
        if low is None or pd.isna(low):
            continue
        value = r.get(end)
        value = low if value is None or pd.isna(value) else value
        out[int(r["step"])] = (float(value), r["observed_unit"])
    return out


def observed_durations(group: pd.DataFrame, observed: pd.DataFrame | None, stat: str) -> dict[int, tuple[float, str]]:
    """Observed working days (e.g. median) for the steps that the processing-time analysis covers."""
    if observed is None or stat not in observed:
        return {}
    values = observed.set_index("procedure")[stat]
    out = {}
    for step, proc in zip(group["step"], group["observed_procedure"]):
        if isinstance(proc, str) and proc in values.index and pd.notna(values[proc]):
            out[int(step)] = (float(values[proc]), "working_days")
    return out


# ---------------------------------------------------------------- money and tariffs
def hourly_tariffs(proc: Procedures) -> dict[str, float | None]:
    """Standard Cost Model tariff per bearer: the migrant's own hourly wage; staff wage plus overhead."""
    hours = proc.parameter("hours_per_month")
    migrant = proc.parameter("migrant_monthly_wage")
    staff = proc.parameter("staff_monthly_wage")
    overhead = proc.parameter("overhead_rate") or 0.0
    migrant_rate = migrant / hours if migrant is not None and hours else None
    staff_rate = staff / hours * (1 + overhead) if staff is not None and hours else None
    return {b: (migrant_rate if b == "migrant" else staff_rate) for b in _vocab("bearers")}


def _share(value: float, base: float | None) -> float:
    return float("nan") if base in (None, 0) or pd.isna(value) else 100.0 * value / base


# ---------------------------------------------------------------- indicators
def indicators(
    proc: Procedures, start: date, calendar: WorkCalendar, observed: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per pathway: procedures, days (statutory, reported, observed), fees and their weight."""
    cp = settings()["critical_path"]
    gni = proc.parameter("gni_per_capita")
    wage = proc.parameter("migrant_monthly_wage")
    steps = step_facts(proc)
    rows = []
    for pathway, group in steps.groupby("pathway", sort=False):
        plan = schedule(group, start, calendar, cp["minimum_days"], cp["parallel_start_offset_days"])
        working, calendar_days = total_days(plan, start, calendar)
        row = {
            "pathway": pathway,
            "label": settings()["pathways"][pathway],
            "procedures": len(group),
            "procedures_not_sourced": int((group["confidence"] != "sourced").sum()),
            "days_statutory": working,
            "calendar_days_statutory": calendar_days,
            "steps_without_deadline": int(group["deadline_kind"].isna().sum()),
            "steps_with_reported_time": int(group["observed_min"].notna().sum()),
        }
        for name, end in (("days_reported_low", "observed_min"), ("days_reported_high", "observed_max")):
            override = reported_durations(group, end)
            row[name] = (
                total_days(
                    schedule(group, start, calendar, cp["minimum_days"], cp["parallel_start_offset_days"], override),
                    start,
                    calendar,
                )[0]
                if override
                else np.nan
            )
        for stat in ("median_days", "p80_days"):
            override = {**reported_durations(group, "observed_min"), **observed_durations(group, observed, stat)}
            has_observed = bool(observed_durations(group, observed, stat))
            row[f"days_observed_{stat.split('_')[0]}"] = (
                total_days(
                    schedule(group, start, calendar, cp["minimum_days"], cp["parallel_start_offset_days"], override),
                    start,
                    calendar,
                )[0]
                if has_observed
                else np.nan
            )
        known = group["fee_known"]
        payer = group["fee_payer"].fillna("migrant")
        cost = float(group.loc[known, "fee_local"].sum())
        migrant_cost = float(group.loc[known & (payer == "migrant"), "fee_local"].sum())
        row.update(
            {
                "fees_local": cost,
                "fees_sourced_local": float(
                    group.loc[known & (group["fee_confidence"] == "sourced"), "fee_local"].sum()
                ),
                "fees_unknown": int((~known).sum()),
                "fees_pct_gni_per_capita": _share(cost, gni),
                "fees_pct_monthly_wage": _share(cost, wage),
                "migrant_fees_local": migrant_cost,
                "migrant_fees_pct_gni_per_capita": _share(migrant_cost, gni),
                "migrant_fees_pct_monthly_wage": _share(migrant_cost, wage),
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def de_jure_de_facto(proc: Procedures, observed: pd.DataFrame | None) -> pd.DataFrame:
    """Each observed step: its statutory deadline (as the inventory states it) next to the observed times."""
    facts = step_facts(proc)
    observed_steps = facts[facts["observed_procedure"].notna()]
    pathways = observed_steps.groupby("observed_procedure", sort=False)["pathway"].agg(lambda s: "; ".join(s))
    steps = observed_steps.drop_duplicates("observed_procedure")
    frame = pd.DataFrame(
        {
            "procedure": steps["observed_procedure"],
            "action": steps["action"],
            "pathways": steps["observed_procedure"].map(pathways),
            "statutory_deadline": steps["deadline_text"],
            "deadline_provision": steps["deadline_provision"],
        }
    )
    wanted = [
        "label_en",
        "n_decided",
        "n_pending",
        "median_days",
        "p80_days",
        "p90_days",
        "km_median_days",
        "share_within_deadline",
    ]
    if observed is None:
        for column in wanted:
            frame[column] = np.nan
        return frame.reset_index(drop=True)
    present = observed[["procedure"] + [c for c in wanted if c in observed]]
    merged = frame.merge(present, on="procedure", how="left")
    if "share_within_deadline" in merged:
        merged["share_within_deadline"] = 100.0 * merged["share_within_deadline"]
    return merged


# ---------------------------------------------------------------- Standard Cost Model
def administrative_burden(proc: Procedures) -> pd.DataFrame:
    """Standard Cost Model per assumption row: price (time x tariff + out-of-pocket) x quantity.

    Administrative burden only: the time and out-of-pocket costs of meeting an information
    obligation. Fees, premiums and guarantees are financial costs (`financial_costs`), never added
    here. The time cost is varied by +/- the configured share; quantity = population x frequency.
    """
    tariffs = hourly_tariffs(proc)
    band = float(settings()["scm"]["sensitivity"])
    steps = proc.steps.set_index(["pathway", "step"])
    rows = []
    for _, r in proc.scm.iterrows():
        step = steps.loc[(r["pathway"], int(r["step"]))]
        tariff = tariffs.get(r["bearer"])
        time_cost = r["hours_per_case"] * tariff if tariff is not None else np.nan
        pocket = 0.0 if pd.isna(r["out_of_pocket"]) else float(r["out_of_pocket"])
        ref = r["population_parameter"] if isinstance(r["population_parameter"], str) else None
        population = proc.parameter(ref) if ref else None
        population = np.nan if population is None else population
        quantity = population * r["frequency_per_year"]
        rows.append(
            {
                "pathway": r["pathway"],
                "step": int(r["step"]),
                "action": step["action"],
                "bearer": r["bearer"],
                "obligation": r["obligation"],
                "hours_per_case": float(r["hours_per_case"]),
                "tariff_per_hour": tariff,
                "time_cost": time_cost,
                "out_of_pocket": pocket,
                "price": time_cost + pocket,
                "population": population,
                "population_parameter": ref,
                "population_year": proc.period(ref) if ref else "",
                "frequency_per_year": r["frequency_per_year"],
                "quantity_per_year": quantity,
                "burden": (time_cost + pocket) * quantity,
                "burden_time": time_cost * quantity,
                "burden_out_of_pocket": pocket * quantity,
                "burden_low": (time_cost * (1 - band) + pocket) * quantity,
                "burden_high": (time_cost * (1 + band) + pocket) * quantity,
                "confidence": r["confidence"],
                "note": r["note"],
            }
        )
    return pd.DataFrame(rows)


def financial_costs(proc: Procedures, detail: pd.DataFrame) -> pd.DataFrame:
    """Fees, premiums and guarantees per step a year: the amount per case times the step's quantity.

    The quantity of a step is that of its assumption row for the payer (or any row of the step when
    the payer has none). Not varied in the sensitivity: the amounts are the law's.
    """
    facts = step_facts(proc)
    facts = facts[facts["same_as"].isna()]  # a repeated step is paid once, where it is first described
    rows = []
    for _, s in facts[facts["fee_provision"].notna() & (facts["fee_provision"] != settings()["free_token"])].iterrows():
        payer = s["fee_payer"] if isinstance(s["fee_payer"], str) else "migrant"
        mine = detail[(detail["pathway"] == s["pathway"]) & (detail["step"] == s["step"])]
        chosen = mine[mine["bearer"] == payer] if (mine["bearer"] == payer).any() else mine
        quantity = float(chosen["quantity_per_year"].iloc[0]) if len(chosen) else np.nan
        year = chosen["population_year"].iloc[0] if len(chosen) else ""
        rows.append(
            {
                "pathway": s["pathway"],
                "step": int(s["step"]),
                "action": s["action"],
                "payer": payer,
                "kind": s["fee_kind"] if isinstance(s["fee_kind"], str) else settings()["financial_cost_kinds"][0],
                "provision": s["fee_provision"],
                "amount_text": s["fee_text"],
                "per_case": s["fee_local"],
                "quantity_per_year": quantity,
                "population_year": year,
                "cost_per_year": s["fee_local"] * quantity,
                "confidence": s["fee_confidence"],
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "pathway",
            "step",
            "action",
            "payer",
            "kind",
            "provision",
            "amount_text",
            "per_case",
            "quantity_per_year",
            "population_year",
            "cost_per_year",
            "confidence",
        ],
    )


def burden_by_bearer(detail: pd.DataFrame) -> pd.DataFrame:
    """Annual administrative burden per pathway and bearer (rows whose quantity is unknown are counted apart)."""
    known = detail.assign(known=detail["quantity_per_year"].notna())
    table = (
        known.groupby(["pathway", "bearer"], sort=False)
        .agg(
            population=("population", "max"),
            population_year=("population_year", lambda s: "; ".join(sorted({v for v in s if v}))),
            price_per_case=("price", "sum"),
            burden=("burden", lambda s: s.sum(min_count=1)),
            burden_time=("burden_time", lambda s: s.sum(min_count=1)),
            burden_out_of_pocket=("burden_out_of_pocket", lambda s: s.sum(min_count=1)),
            burden_low=("burden_low", lambda s: s.sum(min_count=1)),
            burden_high=("burden_high", lambda s: s.sum(min_count=1)),
            rows=("step", "size"),
            rows_quantity_unknown=("known", lambda s: int((~s).sum())),
        )
        .reset_index()
    )
    return table


# ---------------------------------------------------------------- accessibility
def scorecard(proc: Procedures) -> pd.DataFrame:
    """Per pathway: steps online, in person only, through an intermediary, in a language the migrant reads.

    A blank languages cell is a data gap (not found in the sources): it counts neither as yes nor as
    no, and the number of such steps is shown next to the share.
    """
    s = settings()
    reads = set(s["migrant_reads"])
    own = set(s["origin_languages"])
    rows = []
    for pathway, group in proc.steps.groupby("pathway", sort=False):
        channels = group["channel"].map(lambda v: set(_split(v)))
        languages = group["languages"].map(lambda v: set(_split(v)))
        online = channels.map(lambda c: "online_portal" in c)
        known = languages.map(bool)
        rows.append(
            {
                "pathway": pathway,
                "label": s["pathways"][pathway],
                "steps": len(group),
                "steps_online": int(online.sum()),
                "steps_in_person_only": int(channels.map(lambda c: c == {"in_person"}).sum()),
                "steps_with_intermediary": int(channels.map(lambda c: "intermediary" in c).sum()),
                "steps_language_known": int(known.sum()),
                "steps_in_migrant_language": int(languages[known].map(lambda langs: bool(langs & reads)).sum()),
                "steps_in_origin_language": int(languages[known].map(lambda langs: bool(langs & own)).sum()),
                "steps_language_unknown": int((~known).sum()),
                "steps_access_not_sourced": int((group["access_confidence"] != "sourced").sum()),
            }
        )
    return pd.DataFrame(rows)


def languages_text(value) -> str:
    """ "Kyrgyz, Russian, English"; "not found (data gap)" where the sources do not say."""
    codes = _split(value)
    if not codes:
        return "not found (data gap)"
    return ", ".join(settings()["languages"][c] for c in codes)


def channel_text(value) -> str:
    codes = _split(value)
    return "; ".join(settings()["channels"][c] for c in codes) if codes else "not known"


# ---------------------------------------------------------------- tables for the report
def act_citation(proc: Procedures, provision: str) -> str:
    """How the report names the act a provision belongs to (its citation, else its English title)."""
    if provision not in proc.provisions.index:
        return provision
    act = proc.provisions.at[provision, "act_id"] if "act_id" in proc.provisions else None
    if not isinstance(act, str) or act not in proc.acts.index:
        return provision
    row = proc.acts.loc[act]
    cited = row.get("citation") if "citation" in row else None
    return cited if isinstance(cited, str) and cited else str(row.get("title_en", act))


def legal_basis_text(proc: Procedures, value) -> str:
    return "; ".join(dict.fromkeys(act_citation(proc, p) for p in _split(value))) or "not found"


def steps_table(
    proc: Procedures, pathway: str, plan: pd.DataFrame, names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The steps of one pathway as a migrant meets them: who, how, in which language, fee, time.

    Few columns, so that the table stays legible on a portrait page (the working days of each step are on the
    journey map); a step that is not fully sourced says so after its action.
    """
    names = names or {}
    group = step_facts(proc)
    group = group[group["pathway"] == pathway].merge(plan, on="step")
    runs_with = group["parallel_with"].map(lambda v: f" (runs with step {v})" if isinstance(v, str) and v else "")
    not_sourced = group["confidence"].map(lambda c: "" if c == "sourced" else f" ({c})")
    return pd.DataFrame(
        {
            "Step": group["step"].astype(int),
            "Action": group["action"] + runs_with + not_sourced,
            "Body": group["responsible_body"].map(lambda b: names.get(b, b) if isinstance(b, str) else "not known"),
            "Channel; language": group["channel"].map(channel_text) + "; " + group["languages"].map(languages_text),
            "Fee": group["fee_text"],
            "Deadline in law; reported time": group["deadline_text"]
            + "; "
            + group["observed_text"].replace("", "not found"),
            "Valid for": group["term_text"],
        }
    )


def time_table(table: pd.DataFrame) -> pd.DataFrame:
    """Procedures and working days per pathway: statutory, with reported times, with observed times."""

    def span(low, high):
        if pd.isna(low):
            return ""
        return f"{low:.0f}" if pd.isna(high) or high == low else f"{low:.0f}–{high:.0f}"

    return pd.DataFrame(
        {
            "Pathway": table["label"],
            "Procedures": table["procedures"],
            "Not fully sourced": table["procedures_not_sourced"],
            "Without a statutory deadline": table["steps_without_deadline"],
            "Working days, statutory": table["days_statutory"],
            "Working days, with reported times": [
                span(lo, hi) for lo, hi in zip(table["days_reported_low"], table["days_reported_high"])
            ],
            "Working days, observed median": table["days_observed_median"].round(0).astype("Int64"),
        }
    )


def _whole_amounts(values: pd.Series) -> pd.Series:
    """Amounts and counts in whole units with thousands separators ("12,030"), not as decimals."""
    return values.map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")


def cost_table(table: pd.DataFrame, gni_label: str) -> pd.DataFrame:
    """Fees per pathway and their weight against income (GNI per capita labelled with its year)."""
    cur = currency_label()
    return pd.DataFrame(
        {
            "Pathway": table["label"],
            f"Known fees ({cur})": _whole_amounts(table["fees_local"]),
            f"of which sourced ({cur})": _whole_amounts(table["fees_sourced_local"]),
            "Fees not known": table["fees_unknown"],
            f"Paid by the migrant ({cur})": _whole_amounts(table["migrant_fees_local"]),
            f"Migrant's fees, % of {gni_label}": table["migrant_fees_pct_gni_per_capita"].round(1),
            "Migrant's fees, % of a monthly wage": table["migrant_fees_pct_monthly_wage"].round(1),
            f"All fees, % of {gni_label}": table["fees_pct_gni_per_capita"].round(1),
        }
    )


def de_facto_table(frame: pd.DataFrame) -> pd.DataFrame:
    label = frame["label_en"] if "label_en" in frame else frame["procedure"]
    return pd.DataFrame(
        {
            "Procedure": label.fillna(frame["procedure"]),
            "Statutory deadline": frame["statutory_deadline"],
            "Decided": frame["n_decided"].astype("Int64"),
            "Pending": frame["n_pending"].astype("Int64"),
            "Median": frame["median_days"],
            "P80": frame["p80_days"],
            "P90": frame["p90_days"],
            "KM median": frame["km_median_days"],
            "% within deadline": frame["share_within_deadline"].round(1),
        }
    )


def scorecard_table(card: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Pathway": card["label"],
            "Steps": card["steps"],
            "Online": card["steps_online"],
            "In person only": card["steps_in_person_only"],
            "Through an intermediary": card["steps_with_intermediary"],
            "In a language the migrant reads": card["steps_in_migrant_language"],
            "Language not found (data gap)": card["steps_language_unknown"],
        }
    )


def burden_table(by_bearer: pd.DataFrame) -> pd.DataFrame:
    """Burden per pathway and bearer, in few columns (population with its year, the ±25 % range in one cell)."""
    labels = settings()["pathways"]
    cur = currency_label()

    def million(value) -> str:
        return "" if pd.isna(value) else f"{value / 1e6:,.2f}"

    population = [
        "" if pd.isna(n) else f"{n:,.0f} in {year}"
        for n, year in zip(by_bearer["population"], by_bearer["population_year"])
    ]
    spread = [
        "" if pd.isna(low) else f"{million(low)}–{million(high)}"
        for low, high in zip(by_bearer["burden_low"], by_bearer["burden_high"])
    ]
    return pd.DataFrame(
        {
            "Pathway": by_bearer["pathway"].map(labels),
            "Bearer": by_bearer["bearer"],
            "People a year": population,
            f"Price per case ({cur})": _whole_amounts(by_bearer["price_per_case"]),
            f"Burden (million {cur})": by_bearer["burden"].map(million),
            "of which out of pocket": by_bearer["burden_out_of_pocket"].map(million),
            "Time 25 % lower – higher": spread,
            "Rows without population": by_bearer["rows_quantity_unknown"],
        }
    )


def financial_table(costs: pd.DataFrame) -> pd.DataFrame:
    """Fees, premiums and guarantees a year; the number of cases with the year of its figure in one cell."""
    labels = settings()["pathways"]
    cur = currency_label()
    return pd.DataFrame(
        {
            "Pathway": costs["pathway"].map(labels),
            "Step": costs["step"],
            "Payment": costs["kind"],
            "Payer": costs["payer"],
            "Amount in law": costs["amount_text"],
            f"Per case ({cur})": _whole_amounts(costs["per_case"]),
            "Cases a year": [
                "" if pd.isna(n) else f"{n:,.0f} in {year}"
                for n, year in zip(costs["quantity_per_year"], costs["population_year"])
            ],
            f"A year (million {cur})": (costs["cost_per_year"] / 1e6).round(2),
        }
    )


#: The sentence every Standard Cost Model assumption ends with; the annex says it once, in the table's note.
TIME_ASSUMPTION = "Time is an assumption of this analysis, to be replaced by estimates from the consultations."


def scm_assumptions_table(detail: pd.DataFrame) -> pd.DataFrame:
    """The Standard Cost Model inputs of every step; the sentence all notes share (TIME_ASSUMPTION) is left out,
    and the confidence is shown only when the rows differ (the caller's note says it otherwise)."""
    cur = currency_label()
    notes = detail["note"].fillna("").str.replace(TIME_ASSUMPTION, "", regex=False).str.strip()
    frame = pd.DataFrame(
        {
            "Step": detail["pathway"].map(settings()["pathways"]) + " " + detail["step"].astype(str),
            "Bearer": detail["bearer"],
            "Obligation": detail["obligation"],
            "Hours": detail["hours_per_case"],
            f"Tariff ({cur}/h)": detail["tariff_per_hour"].round(0),
            f"Out of pocket ({cur})": detail["out_of_pocket"].round(0),
            "Population (year)": [
                "" if pd.isna(n) else f"{n} ({y})" if pd.notna(y) and str(y) else str(n)
                for n, y in zip(_whole_amounts(detail["population"]), detail["population_year"])
            ],
            "Times a year": detail["frequency_per_year"],
            "Note": notes,
            "Confidence": detail["confidence"],
        }
    )
    return frame.drop(columns=["Confidence"]) if detail["confidence"].nunique() <= 1 else frame


def other_groups_table(proc: Procedures) -> pd.DataFrame:
    g = proc.other_groups
    labels = settings()["other_groups"]
    return pd.DataFrame(
        {
            "Group": g["group"].map(labels),
            "Question": g["question"],
            "What applies": g["answer"],
            "Coverage": g["coverage"],
            "Legal basis": g["legal_basis"].map(lambda v: legal_basis_text(proc, v)),
            "Confidence": g["confidence"],
        }
    )


def cited_facts(inventory_dir: str | Path) -> set[str]:
    """The inventory facts a table may cite by reference number (`[#ID]`): those of the legal chapter's citations."""
    return set(read_processed(paths.resolve(inventory_dir) / "citations.csv")["fact_id"].astype(str))


def sources_table(proc: Procedures, cited: Iterable[str] = ()) -> pd.DataFrame:
    """Provisions and confidence of every step; provisions in `cited` print as reference numbers (`[#ID]`).
    The source of a reported time is printed (it is an assumption of the chapter's totals); the addresses of
    the steps' other sources stay in the workbook, the inventory's are in the References."""
    cited = set(cited)
    s = step_facts(proc)

    def refs(value) -> str:
        ids = [i.strip() for i in value.split(";") if i.strip()] if isinstance(value, str) else []
        known = [i for i in ids if i in cited]
        return "; ".join(
            [*(["[" + "; ".join("#" + i for i in known) + "]"] if known else []), *(i for i in ids if i not in cited)]
        )

    confidence = (
        s["confidence"]
        + " / "
        + s["fee_confidence"].fillna("-")
        + " / "
        + s["deadline_confidence"].fillna("-")
        + " / "
        + s["access_confidence"].fillna("-")
    )
    facts = (
        "fee: "
        + s["fee_provision"].map(refs).replace("", "not known")
        + "; deadline: "
        + s["deadline_provision"].map(refs).replace("", "none")
        + "; basis: "
        + s["legal_basis"].map(refs)
    )
    rows = pd.DataFrame(
        {
            "Step": s["pathway"].map(settings()["pathways"]) + " " + s["step"].astype(str),
            "Provisions": facts,
            "Confidence: step / fee / deadline / access": confidence,
            "Note": s["note"].fillna("")
            + s["observed_source"].map(lambda u: f" Reported time: {u}" if isinstance(u, str) and u.strip() else ""),
        }
    )
    # A step several pathways share (entry, registration) has the same facts in each: one row names them all.
    return (
        rows.groupby(list(rows.columns[1:]), sort=False, dropna=False)["Step"]
        .agg("; ".join)
        .reset_index()[list(rows.columns)]
    )


def assumptions_table(proc: Procedures) -> pd.DataFrame:
    """The parameters with source and confidence, for the annex (nothing is costed without them): value,
    currency, unit and period in one cell, so that the source and the note get the width."""
    p = proc.parameters

    def value(pid, currency, unit, period) -> str:
        raw = proc.raw_parameter(pid)
        shown = (
            f"{raw:,.2f}".rstrip("0").rstrip(".")
            if isinstance(raw, float)
            else f"{raw:,}"
            if isinstance(raw, int)
            else str(raw)
        )
        parts = [shown, *(str(v) for v in (currency, unit) if isinstance(v, str) and v.strip())]
        return " ".join(parts) + (f" ({period})" if isinstance(period, str) and period.strip() else "")

    return pd.DataFrame(
        {
            "Parameter": p["id"] + ": " + p["parameter"],
            "Value": [value(*row) for row in zip(p["id"], p["currency"], p["unit"], p["reference_period"])],
            "Confidence": p["confidence"],
            "Source": p["source"].fillna(""),
            "Note": p["note"].fillna(""),
        }
    )


def warnings_table(problems) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Sheet": p.sheet, "Row": p.row, "Column": p.column, "Message": p.message()} for p in problems],
        columns=["Sheet", "Row", "Column", "Message"],
    )


def write_outputs(out_dir: str | Path, tables: Mapping[str, pd.DataFrame]) -> list[Path]:
    out = paths.resolve(out_dir)
    return [atomic.write_csv(out / f"{name}.csv", frame) for name, frame in sorted(tables.items())]


# ---------------------------------------------------------------- figures
def journey_maps(
    plans: Mapping[str, pd.DataFrame],
    steps: pd.DataFrame,
    start: date,
    labels: Mapping[str, str],
    body_colours: Mapping[str, str],
    names: Mapping[str, str] | None = None,
):
    """All pathways in one figure, one panel each on a shared working-day axis: each step a bar from start to
    finish, coloured by the responsible body, with its fee; one legend of the bodies for all panels."""
    names = names or {}
    cal_start = np.datetime64(start, "D")
    merged = {
        p: plan.merge(
            steps[steps["pathway"] == p][["step", "action", "responsible_body", "fee_text"]], on="step"
        ).sort_values("step")
        for p, plan in plans.items()
    }
    longest = max(_working_offset(cal_start, f) for m in merged.values() for f in m["finish"])
    fig, axes = figures.new_figure(
        8.5,
        0.24 * sum(len(m) for m in merged.values()) + 0.5 * len(merged) + 1.4,
        nrows=len(merged),
        sharex=True,
        gridspec_kw={"height_ratios": [len(m) + 1.2 for m in merged.values()]},
    )
    axes = np.atleast_1d(axes)
    bodies: dict[str, None] = {}
    for ax, (pathway, frame) in zip(axes, merged.items()):
        for y, (_, r) in enumerate(frame.iterrows()):
            s_day = _working_offset(cal_start, r["start"])
            e_day = _working_offset(cal_start, r["finish"])
            body = r["responsible_body"] if isinstance(r["responsible_body"], str) else "not known"
            bodies[body] = None
            ax.barh(y, max(e_day - s_day, 0.3), left=s_day, color=body_colours.get(body, "#BBBBBB"), edgecolor="white")
            ax.text(
                e_day + 0.2,
                y,
                "fee not known" if r["fee_text"] == "not known" else r["fee_text"],
                va="center",
                fontsize=8,
            )
        ax.set_yticks(range(len(frame)))
        ax.set_yticklabels([_wrap(f"{int(r.step)}. {r.action}", 52, 1) for r in frame.itertuples()], fontsize=8)
        ax.set_ylim(len(frame) - 0.5, -0.5)
        ax.set_title(labels.get(pathway, pathway), fontsize=9, loc="left")
    axes[-1].set_xlim(0, longest * 1.25 + 2)
    axes[-1].set_xlabel("Working days from arrival (critical path, statutory deadlines, at least one day per step)")
    handles = [_legend_patch(body_colours.get(b, "#BBBBBB"), _wrap(names.get(b, b), 50, 2)) for b in bodies]
    fig.legend(
        handles=handles,
        title="Responsible body",
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=2,
        fontsize=8,
        frameon=False,
    )
    return fig


def _working_offset(start: np.datetime64, day: date) -> int:
    return int(np.busday_count(start + np.timedelta64(1, "D"), np.datetime64(day, "D") + np.timedelta64(1, "D")))


def _legend_patch(colour: str, label: str):
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, label=label)


def _short(value: str, width: int = 48) -> str:
    return value if len(value) <= width else value[: width - 1].rstrip() + "…"


def _wrap(value: str, width: int, lines: int) -> str:
    """Wrap a label on at most `lines` lines, the last one shortened with an ellipsis."""
    parts = textwrap.wrap(value, width)
    if len(parts) > lines:
        parts = parts[: lines - 1] + [_short(" ".join(parts[lines - 1 :]), width)]
    return "\n".join(parts)


def body_names(inventory_dir: str | Path) -> dict[str, str]:
    """Institution id -> English name (inventory) plus the private actors of the configuration."""
    institutions = read_processed(paths.resolve(inventory_dir) / "institutions.csv")
    names = dict(zip(institutions["id"].astype(str), institutions["name_en"].astype(str)))
    names.update(settings().get("private_actors") or {})
    return names


#: Okabe-Ito without black and grey (grey marks an unknown body), then Paul Tol's muted colours:
#: eleven colour-blind-safe colours, enough for one colour per body across all pathways.
BODY_PALETTE = [c for c in figures.PALETTE if c not in ("#000000", "#999999")] + [
    "#882255",
    "#44AA99",
    "#332288",
    "#DDCC77",
]


def body_colours(steps: pd.DataFrame) -> dict[str, str]:
    """One palette colour per body, in order of first appearance (stable across runs)."""
    bodies = list(dict.fromkeys(b for b in steps["responsible_body"] if isinstance(b, str)))
    colours = {b: BODY_PALETTE[i % len(BODY_PALETTE)] for i, b in enumerate(bodies)}
    colours["not known"] = "#BBBBBB"
    return colours


def comparison_chart(table: pd.DataFrame):
    """Pathways side by side on procedures, statutory working days and the fees the migrant pays."""
    fig, axes = figures.new_figure(11.0, 4.6, ncols=3)
    labels = [_wrap(label, 24, 3) for label in table["label"]]
    y = np.arange(len(table))
    axes[0].barh(y, table["procedures"], color=figures.PALETTE[0])
    axes[0].set_title("Procedures")
    axes[1].barh(y, table["days_statutory"], color=figures.PALETTE[0], label="statutory deadlines")
    reported = table["days_reported_high"].fillna(table["days_reported_low"])
    axes[1].scatter(reported, y, color=figures.PALETTE[1], marker="D", zorder=3, label="with reported times (upper)")
    axes[1].set_title("Working days")
    axes[1].legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False)
    axes[2].barh(y, table["migrant_fees_local"], color=figures.PALETTE[2])
    axes[2].set_title(f"Fees the migrant pays ({currency_label()}, known fees)")
    for ax in axes:
        ax.set_yticks(y)
        ax.set_yticklabels(labels if ax is axes[0] else [], fontsize=8)
        ax.invert_yaxis()
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- numbers for the prose
def gni_label(proc: Procedures) -> str:
    """ "GNI per capita (2014)" — the share always names the year of the income it divides by."""
    period = proc.period("gni_per_capita")
    return f"GNI per capita ({period})" if period else "GNI per capita"


def pathway_summary(row: pd.Series) -> str:
    """One sentence per pathway: procedures, working days (statutory, with reported times), fees."""
    from analysis.engine.numbers import format_money

    code = currency()["code"]
    parts = [
        text.with_unit(int(row["procedures"]), "procedures"),
        f"{text.with_unit(int(row['days_statutory']), 'working days')} along the critical path with the "
        f"statutory deadlines",
    ]
    if pd.notna(row["days_reported_low"]):
        low, high = int(row["days_reported_low"]), int(row["days_reported_high"])
        span = f"{low}" if low == high else f"{low}–{high}"
        parts[-1] += (
            f" ({span} with the times sources report for "
            + text.count_phrase(int(row["steps_with_reported_time"]), "step")
            + ")"
        )
    fees = f"known fees of {format_money(row['migrant_fees_local'], code)} paid by the migrant"
    if row["fees_local"] > row["migrant_fees_local"]:
        fees += f" and {format_money(row['fees_local'] - row['migrant_fees_local'], code)} paid by others"
    if row["fees_unknown"]:
        fees += f" ({text.count_phrase(int(row['fees_unknown']), 'fee')} not known)"
    return text.sentence_case("; ".join(parts) + "; " + fees + ".")


def reported_steps(facts: pd.DataFrame, pathway: str) -> str:
    """ "step 2, the equivalence certificate (1–2 months)": the steps whose time in practice a source reports."""
    mine = facts[(facts["pathway"] == pathway) & (facts["observed_text"] != "")]
    return text.listing(
        (
            f"step {int(r['step'])}, {r['action'][0].lower() + r['action'][1:]} ({r['observed_text']})"
            for _, r in mine.iterrows()
        ),
        empty="none",
    )


def record_numbers(
    reg,
    proc: Procedures,
    table: pd.DataFrame,
    detail: pd.DataFrame,
    costs: pd.DataFrame,
    card: pd.DataFrame,
    out_dir: str,
) -> None:
    """Headline numbers of the chapter into the numbers registry (ids `procedures.*`)."""
    where = lambda name: f"{out_dir}/{name}.csv"  # noqa: E731
    code = currency()["code"]
    facts = step_facts(proc)
    ids = [f"{p}/{s}" for p, s in zip(facts["pathway"], facts["step"])]
    reg.record(
        "procedures.steps.total", len(facts), "steps", "Steps described across the pathways", where("steps"), rows=ids
    )
    not_sourced = facts["confidence"] != "sourced"
    reg.record(
        "procedures.steps.not_sourced",
        int(not_sourced.sum()),
        "steps",
        "Steps whose description is not fully sourced (from memory or uncertain)",
        where("steps"),
        rows=[i for i, flag in zip(ids, not_sourced) if flag],
    )
    reg.record(
        "procedures.pathways.total",
        len(table),
        "pathways",
        "Pathways modelled step by step",
        where("indicators"),
        rows=table["pathway"],
    )
    reg.record(
        "procedures.pathways.list",
        text.listing(lab[0].lower() + lab[1:] for lab in table["label"]),
        "text",
        "The pathways modelled, in words",
        where("indicators"),
        rows=table["pathway"],
    )
    for _, r in table.iterrows():
        p = r["pathway"]
        rows = [i for i in ids if i.startswith(p + "/")]
        reg.record(
            f"procedures.{p}.steps",
            int(r["procedures"]),
            "procedures",
            f"Procedures: {r['label']}",
            where("indicators"),
            rows=rows,
        )
        reg.record(
            f"procedures.{p}.summary",
            pathway_summary(r),
            "text",
            f"Procedures, working days and fees of the pathway in one sentence: {r['label']}",
            where("indicators"),
            rows,
        )
        reg.record(
            f"procedures.{p}.reported_steps",
            reported_steps(facts, p),
            "text",
            f"Steps whose time in practice a source reports: {r['label']}",
            where("steps"),
            rows,
        )
        reg.record(
            f"procedures.{p}.days_statutory",
            int(r["days_statutory"]),
            "working days",
            f"Working days along the critical path, statutory deadlines: {r['label']}",
            where("indicators"),
            rows,
        )
        for name in ("days_reported_low", "days_reported_high", "days_observed_median"):
            value = r[name]
            reg.record(
                f"procedures.{p}.{name}",
                None if pd.isna(value) else int(value),
                "working days",
                f"Working days along the critical path ({name.replace('_', ' ')}): {r['label']}",
                where("indicators"),
                rows,
            )
        reg.record(
            f"procedures.{p}.fees",
            r["fees_local"],
            code,
            f"Known fees of the pathway: {r['label']}",
            where("indicators"),
            rows,
        )
        reg.record(
            f"procedures.{p}.migrant_fees",
            r["migrant_fees_local"],
            code,
            f"Known fees the migrant pays: {r['label']}",
            where("indicators"),
            rows,
        )
        reg.record(
            f"procedures.{p}.fees_unknown",
            int(r["fees_unknown"]),
            "steps",
            f"Steps whose fee is not known: {r['label']}",
            where("indicators"),
            rows,
        )
        reg.record(
            f"procedures.{p}.migrant_fees_pct_wage",
            r["migrant_fees_pct_monthly_wage"],
            "%",
            f"Fees the migrant pays, share of a migrant's monthly wage: {r['label']}",
            where("indicators"),
            rows,
        )
        reg.record(
            f"procedures.{p}.migrant_fees_pct_gni",
            r["migrant_fees_pct_gni_per_capita"],
            "%",
            f"Fees the migrant pays, share of {gni_label(proc)}: {r['label']}",
            where("indicators"),
            rows,
        )
    for _, s in facts.iterrows():  # each step's fee, deadline and term, tied to the provision they come from
        key = f"procedures.{s['pathway']}.step{int(s['step'])}"
        label = f"{s['pathway']} step {int(s['step'])}"
        step_id = [f"{s['pathway']}/{int(s['step'])}"]
        for name, column, provision, what in (
            ("fee", "fee_text", "fee_provision", "Fee"),
            ("deadline", "deadline_text", "deadline_provision", "Statutory deadline"),
            ("term", "term_text", "term_provision", "Term of the document or status"),
        ):
            value = s[column] or "not found"
            ref = s[provision] if isinstance(s[provision], str) and s[provision] in proc.provisions.index else None
            reg.record(
                f"{key}.{name}",
                value,
                "text",
                f"{what} of {label} as the inventory states it",
                where("steps"),
                rows=[ref] if ref else step_id,
            )
        reg.record(
            f"{key}.reported_time",
            s["observed_text"] or "not found",
            "text",
            f"Time reported for {label} (an assumption with its own source)",
            where("steps"),
            rows=step_id,
        )
    _record_parameters(reg, proc)
    _record_burden(reg, detail, costs, where)
    reg.record(
        "procedures.access.steps_language_unknown",
        int(card["steps_language_unknown"].sum()),
        "steps",
        "Steps whose languages were not found in the sources (a data gap)",
        where("scorecard"),
    )
    reg.record(
        "procedures.access.steps_language_known",
        int(card["steps_language_known"].sum()),
        "steps",
        "Steps whose languages the sources give",
        where("scorecard"),
    )
    reg.record(
        "procedures.access.steps_in_migrant_language",
        int(card["steps_in_migrant_language"].sum()),
        "steps",
        "Steps offered in a language the migrant reads (of those whose languages are known)",
        where("scorecard"),
    )
    reg.record(
        "procedures.access.steps_intermediary",
        int(card["steps_with_intermediary"].sum()),
        "steps",
        "Steps done through an intermediary (employer, university, notary)",
        where("scorecard"),
    )
    reg.record(
        "procedures.access.steps_online",
        int(card["steps_online"].sum()),
        "steps",
        "Steps that can be done online",
        where("scorecard"),
    )
    reg.record(
        "procedures.access.migrant_languages",
        text.listing(settings()["languages"][c] for c in settings()["migrant_reads"]),
        "text",
        "Languages a migrant of the corridor is assumed to read (configuration)",
        "config procedures.migrant_reads",
    )
    reg.record(
        "procedures.access.origin_languages",
        text.listing(settings()["languages"][c] for c in settings()["origin_languages"]),
        "text",
        "Language(s) of the origin country (configuration)",
        "config procedures.origin_languages",
    )
    reg.record(
        "procedures.access.steps_in_origin_language",
        int(card["steps_in_origin_language"].sum()),
        "steps",
        "Steps offered in a language of the origin country",
        where("scorecard"),
    )
    labels = settings()["other_groups"]
    groups = proc.other_groups
    reg.record(
        "procedures.other_groups.list",
        text.listing(labels[g][0].lower() + labels[g][1:] for g in dict.fromkeys(groups["group"])),
        "text",
        "Groups the pathways do not model, covered by the table of what applies",
        where("other_groups"),
    )


def _record_parameters(reg, proc: Procedures) -> None:
    code = currency()["code"]
    source = "parameters sheet of the procedures workbook"
    gni = proc.raw_parameter("gni_per_capita")
    row = proc._row("gni_per_capita")
    gni_code = row["currency"] if row is not None and isinstance(row["currency"], str) else code
    reg.record(
        "procedures.params.gni_per_capita",
        gni,
        gni_code,
        "GNI per capita (World Bank, Atlas method)",
        source,
        ["gni_per_capita"],
    )
    reg.record(
        "procedures.params.gni_year",
        proc.period("gni_per_capita") or None,
        "text",
        "Year of the GNI per capita figure",
        source,
        ["gni_per_capita"],
    )
    reg.record(
        "procedures.params.gni_label",
        gni_label(proc),
        "text",
        "GNI per capita with its year, as tables name it",
        source,
        ["gni_per_capita"],
    )
    reg.record(
        "procedures.params.migrant_monthly_wage",
        proc.parameter("migrant_monthly_wage"),
        code,
        "Monthly wage assumed for a migrant worker of the corridor",
        source,
        ["migrant_monthly_wage"],
    )
    reg.record(
        "procedures.params.migrant_wage_period",
        proc.period("migrant_monthly_wage") or None,
        "text",
        "Period of the migrant wage figure",
        source,
        ["migrant_monthly_wage"],
    )
    foreign = proc.parameters[proc.parameters["unit"] == EXCHANGE_RATE]
    reg.record(
        "procedures.params.exchange_rates",
        text.listing(
            f"{proc.raw_parameter(r['id']):,.2f} {currency_label()} per {r['currency']} ({r['reference_period']})"
            for _, r in foreign.iterrows()
        )
        if len(foreign)
        else "none",
        "text",
        "Exchange rates used to convert foreign-currency amounts",
        source,
        foreign["id"],
    )


def millions(value: float) -> str:
    """ "151 million som": a Standard Cost Model total in words, without spurious precision (nothing is "0 som")."""
    if value is None or pd.isna(value):
        return "not computable"
    if value == 0:
        return f"0 {currency_label()}"
    amount = value / 1e6
    shown = f"{amount:,.0f}" if amount >= 10 else f"{amount:,.1f}"
    return f"{shown} million {currency_label()}"


def _record_burden(reg, detail: pd.DataFrame, costs: pd.DataFrame, where) -> None:
    """Administrative burden and financial costs, each in the currency and in words (for the prose)."""
    code = currency()["code"]
    known = detail[detail["quantity_per_year"].notna()]
    rows = [f"{p}/{s}/{b}" for p, s, b in zip(known["pathway"], known["step"], known["bearer"])]

    def both(key: str, value: float, description: str, source: str, ids) -> None:
        reg.record(key, value, code, description, source, ids)
        reg.record(f"{key}_text", millions(value), "text", description + " (in words)", source, ids)

    for suffix, column in (
        ("admin_total", "burden"),
        ("admin_low", "burden_low"),
        ("admin_high", "burden_high"),
        ("admin_time", "burden_time"),
        ("admin_out_of_pocket", "burden_out_of_pocket"),
    ):
        both(
            f"procedures.burden.{suffix}",
            float(known[column].sum()),
            f"Annual administrative burden (Standard Cost Model, {column}) where the population is known",
            where("burden"),
            rows,
        )
    for bearer, group in known.groupby("bearer"):
        both(
            f"procedures.burden.admin_{bearer}",
            float(group["burden"].sum()),
            f"Annual administrative burden borne by the {bearer}",
            where("burden"),
            [f"{p}/{s}" for p, s in zip(group["pathway"], group["step"])],
        )
    unknown = detail[detail["quantity_per_year"].isna()]
    reg.record(
        "procedures.burden.rows_population_unknown",
        len(unknown),
        "assumption rows",
        "Standard Cost Model rows whose population (people per year) is not known",
        where("burden"),
        [f"{p}/{s}/{b}" for p, s, b in zip(unknown["pathway"], unknown["step"], unknown["bearer"])],
    )
    years = sorted({y for y in known["population_year"] if y})
    reg.record(
        "procedures.burden.population_years",
        text.listing(years),
        "text",
        "Years of the population figures of the Standard Cost Model",
        where("burden"),
        rows,
    )
    priced = costs[costs["cost_per_year"].notna()]
    both(
        "procedures.financial.total",
        float(priced["cost_per_year"].sum()),
        "Annual financial costs (fees, premiums, guarantees) where the number of cases is known",
        where("financial_costs"),
        [f"{p}/{s}" for p, s in zip(priced["pathway"], priced["step"])],
    )
    reg.record(
        "procedures.financial.payments_not_priced",
        int(len(costs) - len(priced)),
        "payments",
        "Payments whose annual total cannot be computed (amount or number of cases not known)",
        where("financial_costs"),
        [f"{p}/{s}" for p, s in zip(costs["pathway"], costs["step"])],
    )
    for kind in settings()["financial_cost_kinds"]:
        group = priced[priced["kind"] == kind]
        both(
            f"procedures.financial.{kind}",
            float(group["cost_per_year"].sum()),
            f"Annual financial costs of kind '{kind}'",
            where("financial_costs"),
            [f"{p}/{s}" for p, s in zip(group["pathway"], group["step"])],
        )
