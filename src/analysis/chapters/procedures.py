"""Procedures by pathway: steps, bodies, fees and deadlines; time, cost, burden and accessibility.

The consultant keeps the steps of each pathway in data/raw/procedures.xlsx (one row per step). This
module validates the workbook against the regulation inventory (bodies and provisions must exist),
computes World-Bank-style indicators (number of procedures, days along the critical path in working
days with the public-holiday calendar, official cost relative to income), the Standard Cost Model
burden split by who bears it, and an accessibility scorecard. Every vocabulary and threshold comes
from the `procedures` section of config/corridor.yaml so that another corridor needs no code change.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from analysis.engine import atomic, config, figures, paths
from analysis.engine.calendar import WorkCalendar
from analysis.engine.errors import Problem, raise_if_errors
from analysis.engine.readers import ROW, read_excel_sheet, read_processed
from analysis.engine.schema import Column, apply_excel_rules, foreign_key, validate

SHEETS = ("steps", "parameters", "scm_assumptions")

#: Parameter ids the indicators need (the `parameters` sheet may hold more).
PARAMETER_IDS = {
    "gni_per_capita": "Kyrgyz GNI per capita (per year)",
    "migrant_monthly_wage": "Monthly wage of an Uzbek migrant worker in Kyrgyzstan",
    "staff_monthly_wage": "Monthly wage of the staff who do the work for employers, universities and the state",
    "hours_per_month": "Working hours in a month (turns a monthly wage into an hourly one)",
    "overhead_rate": "Overhead added to staff wages (Standard Cost Model tariff)",
    "usd_kgs": "Exchange rate, som per US dollar",
}


def settings() -> dict:
    return config.get("procedures")


def _vocab(key: str) -> list[str]:
    value = settings()[key]
    return list(value) if isinstance(value, (dict, list)) else [value]


# ---------------------------------------------------------------- workbook shape
def step_columns() -> list[Column]:
    s = settings()
    confidence = _vocab("confidence")
    return [
        Column("pathway", vocabulary=list(s["pathways"]), description="Pathway id (see README)"),
        Column("step", "int", minimum=1, description="Step number within the pathway (1, 2, ...)"),
        Column("action", description="What is done, by whom"),
        Column("responsible_body", required=False,
               description="Institution id of the inventory (or a private actor of the configuration); blank = not known"),
        Column("legal_basis", required=False, description="Provision ids of the inventory, separated by ';'"),
        Column("channel", required=False, vocabulary=list(s["channels"]), multi=True,
               description="How the step is done; several separated by ';'"),
        Column("documents", required=False, description="Documents the applicant must bring"),
        Column("official_fee", "float", required=False, minimum=0,
               description="Official fee or compulsory payment; blank = not known, 0 = free"),
        Column("fee_currency", required=False, vocabulary=["KGS", "USD"], description="Currency of official_fee"),
        Column("fee_payer", required=False, vocabulary=_vocab("bearers"), description="Who pays the fee and other costs"),
        Column("fee_confidence", required=False, vocabulary=confidence, description="Confidence of the fee"),
        Column("other_costs", required=False, description="Other out-of-pocket costs (translation, notary, photos, travel)"),
        Column("other_costs_kgs", "float", required=False, minimum=0, description="Their amount in som, if known"),
        Column("deadline", "float", required=False, minimum=0, description="Statutory processing deadline (number)"),
        Column("deadline_unit", required=False, vocabulary=list(s["deadline_units"]), description="Unit of the deadline"),
        Column("deadline_confidence", required=False, vocabulary=confidence, description="Confidence of the deadline"),
        Column("parallel_with", required=False, description="Step numbers of the same pathway that can run at the same time"),
        Column("languages", required=False, vocabulary=list(s["languages"]), multi=True,
               description="Languages the service is offered in; blank = not known"),
        Column("locations", required=False, vocabulary=list(s["locations"]), multi=True,
               description="Where the step can be done; blank = not known"),
        Column("access_confidence", required=False, vocabulary=confidence,
               description="Confidence of channel, languages and locations"),
        Column("observed_procedure", required=False, vocabulary=_vocab("observed_procedures"),
               description="Procedure id of the processing-time analysis that observes this step"),
        Column("source", required=False, description="Addresses of the sources, one per line"),
        Column("confidence", vocabulary=confidence, description="Confidence of the step as described"),
        Column("note", required=False, description="What a reader must know: what was not found, assumptions"),
    ]


def parameter_columns() -> list[Column]:
    confidence = _vocab("confidence")
    return [
        Column("id", unique=True, description="Parameter id: " + ", ".join(PARAMETER_IDS)),
        Column("parameter", description="What the parameter is"),
        Column("value", "float", required=False, minimum=0, description="Value; blank = not known"),
        Column("currency", required=False, vocabulary=["KGS", "USD"], description="Currency of a money value"),
        Column("unit", description="Unit (per year, per month, hours, share, KGS per USD)"),
        Column("reference_period", required=False, description="Year or period the value refers to"),
        Column("source", required=False, description="Address of the source"),
        Column("confidence", vocabulary=confidence, description="Confidence of the value"),
        Column("note", required=False, description="How the value was obtained or derived; what is missing"),
    ]


def scm_columns() -> list[Column]:
    s = settings()
    return [
        Column("pathway", vocabulary=list(s["pathways"]), description="Pathway id"),
        Column("step", "int", minimum=1, description="Step number of the steps sheet"),
        Column("bearer", vocabulary=_vocab("bearers"), description="Who spends the time (and pays if fee_payer)"),
        Column("hours_per_case", "float", minimum=0, description="Time per case in hours (normally efficient person)"),
        Column("cases_per_year", "float", required=False, minimum=0,
               description="People (or firms) doing the step per year; blank = not known"),
        Column("frequency_per_year", "float", minimum=0, description="Times per person per year"),
        Column("source", required=False, description="Address of the source of the quantity"),
        Column("confidence", vocabulary=_vocab("confidence"), description="Confidence of time and quantity"),
        Column("note", required=False, description="Assumption behind time and quantity"),
    ]


def sheet_columns() -> dict[str, list[Column]]:
    return {"steps": step_columns(), "parameters": parameter_columns(), "scm_assumptions": scm_columns()}


# ---------------------------------------------------------------- template
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _describe(col: Column) -> str:
    if col.vocabulary is not None:
        return "one of: " + ", ".join(col.vocabulary) + (" (several separated by ';')" if col.multi else "")
    return {"int": "whole number", "float": "number", "date": "dd.mm.yyyy"}.get(col.kind, "text")


def write_workbook(path: str | Path, tables: Mapping[str, pd.DataFrame] | None = None,
                   allow_raw: bool = False) -> Path:
    """The procedures workbook: the three sheets (empty or filled) and a README explaining each column."""
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


# ---------------------------------------------------------------- reading and validation
@dataclass
class Procedures:
    steps: pd.DataFrame
    parameters: pd.DataFrame
    scm: pd.DataFrame
    file: str
    warnings: list[Problem] = field(default_factory=list)

    def parameter(self, pid: str) -> float | None:
        """A parameter's value in som where it is money (USD converted), None if not known."""
        rows = self.parameters[self.parameters["id"] == pid]
        if rows.empty or pd.isna(rows["value"].iloc[0]):
            return None
        value = float(rows["value"].iloc[0])
        if rows["currency"].iloc[0] == "USD":
            rate = self.parameter("usd_kgs")
            return None if rate is None else value * rate
        return value


def _split(value) -> list[str]:
    return [v.strip() for v in str(value).split(";") if v.strip()] if isinstance(value, str) else []


def _step_checks(file: str) -> list:
    def pairs(frame: pd.DataFrame) -> list[Problem]:
        problems = []
        for _, r in frame.iterrows():
            where = dict(file=file, sheet="steps", row=int(r[ROW]))
            if pd.notna(r.get("deadline")) and not isinstance(r.get("deadline_unit"), str):
                problems.append(Problem(**where, column="deadline_unit",
                                        expected="the unit of the deadline (" + ", ".join(settings()["deadline_units"]) + ")",
                                        found="an empty cell"))
            if pd.notna(r.get("official_fee")) and not isinstance(r.get("fee_currency"), str):
                problems.append(Problem(**where, column="fee_currency", expected="the currency of the fee (KGS or USD)",
                                        found="an empty cell"))
        return problems

    def numbering(frame: pd.DataFrame) -> list[Problem]:
        problems = []
        valid = frame.dropna(subset=["pathway", "step"])
        seen: dict[tuple, int] = {}
        for _, r in valid.iterrows():
            key = (r["pathway"], int(r["step"]))
            if key in seen:
                problems.append(Problem(file=file, sheet="steps", row=int(r[ROW]), column="step",
                                        expected=f"a step number not used before in pathway {key[0]} (row {seen[key]})",
                                        found=key[1]))
            seen.setdefault(key, int(r[ROW]))
        steps_of = valid.groupby("pathway")["step"].apply(lambda s: {int(v) for v in s}).to_dict()
        for _, r in valid.iterrows():
            for item in _split(r.get("parallel_with")):
                ok = item.isdigit() and int(item) in steps_of.get(r["pathway"], set()) and int(item) != int(r["step"])
                if not ok:
                    problems.append(Problem(file=file, sheet="steps", row=int(r[ROW]), column="parallel_with",
                                            expected=f"numbers of other steps of pathway {r['pathway']}", found=item))
        return problems

    return [pairs, numbering]


def read(path: str | Path = "data/raw/procedures.xlsx", inventory_dir: str | Path | None = "data/processed/inventory",
         on: str | date | None = None) -> Procedures:
    """Read and validate the workbook; bodies and provisions are checked against the inventory tables.

    Raises InputError naming file, sheet, Excel row and column of every problem found. With `on`, a
    body that the inventory says did not exist on that date gives a warning (shown in the annex).
    """
    path = paths.resolve(path)
    file = paths.relative(path)
    typed, problems = {}, []
    for sheet, columns in sheet_columns().items():
        raw = read_excel_sheet(path, sheet)
        checks = _step_checks(file) if sheet == "steps" else []
        typed[sheet], found = validate(raw, columns, file, sheet, extra_checks=checks)
        problems += found
    steps = typed["steps"]
    if inventory_dir is not None:
        folder = paths.resolve(inventory_dir)
        institutions = read_processed(folder / "institutions.csv")["id"].astype(str)
        provisions = read_processed(folder / "provisions.csv")["id"].astype(str)
        bodies = set(institutions) | set(settings().get("private_actors") or {})
        problems += foreign_key(steps, "responsible_body", bodies, file, "steps",
                                "institution of the inventory (institutions sheet) or private actor")
        problems += foreign_key(steps, "legal_basis", provisions, file, "steps",
                                "provision of the inventory (provisions sheet)", multi=True)
        if on is not None:
            problems += _body_period_warnings(steps, read_processed(folder / "institutions.csv"), file, on)
    step_keys = {(p, int(s)) for p, s in zip(steps["pathway"], steps["step"]) if pd.notna(s) and p}
    scm = typed["scm_assumptions"]
    for _, r in scm.dropna(subset=["pathway", "step"]).iterrows():
        if (r["pathway"], int(r["step"])) not in step_keys:
            problems.append(Problem(file=file, sheet="scm_assumptions", row=int(r[ROW]), column="step",
                                    expected="a step that exists in the steps sheet for this pathway",
                                    found=f"{r['pathway']} step {int(r['step'])}"))
    warnings = raise_if_errors(problems)
    for sheet, columns in sheet_columns().items():
        for col in columns:
            if col.kind == "float":
                typed[sheet][col.name] = typed[sheet][col.name].astype("float64")
            elif col.kind == "int":
                typed[sheet][col.name] = typed[sheet][col.name].astype("int64")
    steps, scm = typed["steps"], typed["scm_assumptions"]
    steps = steps.sort_values(["pathway", "step"], key=lambda s: s.map(_pathway_order()) if s.name == "pathway" else s)
    return Procedures(steps=steps.reset_index(drop=True), parameters=typed["parameters"], scm=scm, file=file,
                      warnings=warnings)


def _body_period_warnings(steps: pd.DataFrame, institutions: pd.DataFrame, file: str, on: str | date) -> list[Problem]:
    day = pd.Timestamp(on)
    periods = institutions.set_index(institutions["id"].astype(str))
    problems = []
    for row, body in zip(steps[ROW], steps["responsible_body"]):
        if not isinstance(body, str) or body not in periods.index:
            continue
        start, end = pd.to_datetime(periods.at[body, "valid_from"]), pd.to_datetime(periods.at[body, "valid_to"])
        if (pd.notna(start) and start > day) or (pd.notna(end) and end < day):
            problems.append(Problem(file=file, sheet="steps", row=int(row), column="responsible_body",
                                    expected=f"a body that exists on {day:%d.%m.%Y} (inventory validity period)",
                                    found=body, severity="warning"))
    return problems


def _pathway_order() -> dict[str, int]:
    return {p: i for i, p in enumerate(settings()["pathways"])}


def read_observed(path: str | Path) -> pd.DataFrame | None:
    """The processing-time summary (working days) or None when that analysis has not produced it."""
    path = paths.resolve(path)
    if not path.exists():
        return None
    return read_processed(path)


# ---------------------------------------------------------------- critical path
def _next_working_day(day: date, calendar: WorkCalendar) -> date:
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def _add_working(day: date, n: int, calendar: WorkCalendar) -> date:
    return pd.Timestamp(calendar.add_working_days(np.datetime64(day, "D"), n)).date()


def step_finish(start: date, deadline: float | None, unit: str | None, calendar: WorkCalendar,
                minimum_days: int = 1) -> date:
    """When a step started on `start` ends: its statutory deadline, but at least `minimum_days` working days.

    A deadline in calendar days or months that ends on a non-working day ends on the next working day.
    A step without a deadline takes the minimum.
    """
    earliest = _add_working(start, minimum_days, calendar)
    if deadline is None or pd.isna(deadline) or not unit:
        return earliest
    if unit == "working_days":
        return _add_working(start, max(int(math.ceil(deadline)), minimum_days), calendar)
    if unit == "calendar_days":
        end = start + timedelta(days=int(math.ceil(deadline)))
    elif unit == "months":
        end = (pd.Timestamp(start) + pd.DateOffset(months=int(math.ceil(deadline)))).date()
    else:
        raise ValueError(f"unknown deadline unit {unit!r}")
    return max(_next_working_day(end, calendar), earliest)


def schedule(steps: pd.DataFrame, start: date, calendar: WorkCalendar, minimum_days: int = 1,
             parallel_start_offset_days: int = 0, durations: Mapping[int, tuple[float, str]] | None = None) -> pd.DataFrame:
    """Start and finish of each step of one pathway along its critical path.

    A step waits for every earlier step except those it can run with (`parallel_with`, read both
    ways); with `parallel_start_offset_days` > 0 a step also starts that many working days after the
    step before it (the Doing Business rule that simultaneous procedures start on consecutive days).
    `durations` overrides a step's (deadline, unit), e.g. with an observed median.
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
        deadline, unit = (durations or {}).get(n, (r.get("deadline"), r.get("deadline_unit")))
        end = step_finish(begin, deadline, unit, calendar, minimum_days)
        starts[n], finishes[n] = begin, end
        previous = n
        rows.append({"step": n, "start": begin, "finish": end,
                     "working_days": int(calendar.working_days_between(np.datetime64(begin, "D"), np.datetime64(end, "D"))),
                     "on_deadline": pd.notna(deadline) and bool(unit)})
    return pd.DataFrame(rows)


def total_days(plan: pd.DataFrame, start: date, calendar: WorkCalendar) -> tuple[int, int]:
    """(working days, calendar days) from `start` to the end of the last step."""
    end = max(plan["finish"])
    working = int(calendar.working_days_between(np.datetime64(start, "D"), np.datetime64(end, "D")))
    return working, (end - start).days


# ---------------------------------------------------------------- money
def fee_kgs(steps: pd.DataFrame, usd_kgs: float | None) -> pd.Series:
    """Official fees in som (USD converted at the parameter rate); NaN where unknown."""
    fee = steps["official_fee"].astype("float64")
    rate = np.nan if usd_kgs is None else usd_kgs
    return fee.where(steps["fee_currency"] != "USD", fee * rate)


def hourly_tariffs(proc: Procedures) -> dict[str, float | None]:
    """Standard Cost Model tariff per bearer: the migrant's own hourly wage; staff wage plus overhead."""
    hours = proc.parameter("hours_per_month")
    migrant = proc.parameter("migrant_monthly_wage")
    staff = proc.parameter("staff_monthly_wage")
    overhead = proc.parameter("overhead_rate") or 0.0
    migrant_rate = migrant / hours if migrant is not None and hours else None
    staff_rate = staff / hours * (1 + overhead) if staff is not None and hours else None
    return {"migrant": migrant_rate, "employer": staff_rate, "university": staff_rate, "state": staff_rate}


# ---------------------------------------------------------------- indicators
def _share(value: float, base: float | None) -> float:
    return float("nan") if base in (None, 0) or pd.isna(value) else 100.0 * value / base


def indicators(proc: Procedures, start: date, calendar: WorkCalendar, observed: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per pathway: procedures, days (de jure and de facto), official cost and its weight."""
    cp = settings()["critical_path"]
    rate = proc.parameter("usd_kgs")
    gni = proc.parameter("gni_per_capita")
    wage = proc.parameter("migrant_monthly_wage")
    steps = proc.steps.assign(fee_kgs=fee_kgs(proc.steps, rate))
    rows = []
    for pathway, group in steps.groupby("pathway", sort=False):
        plan = schedule(group, start, calendar, cp["minimum_days"], cp["parallel_start_offset_days"])
        working, calendar_days = total_days(plan, start, calendar)
        row = {"pathway": pathway, "label": settings()["pathways"][pathway], "procedures": len(group),
               "procedures_not_sourced": int((group["confidence"] != "sourced").sum()),
               "days_de_jure": working, "calendar_days_de_jure": calendar_days,
               "steps_without_deadline": int((~plan["on_deadline"]).sum())}
        for stat in ("median_days", "p80_days"):
            override = observed_durations(group, observed, stat)
            if override:
                fact = schedule(group, start, calendar, cp["minimum_days"], cp["parallel_start_offset_days"], override)
                row[f"days_de_facto_{stat.split('_')[0]}"] = total_days(fact, start, calendar)[0]
            else:
                row[f"days_de_facto_{stat.split('_')[0]}"] = np.nan
        known = group["fee_kgs"].notna()
        cost = float(group.loc[known, "fee_kgs"].sum())
        migrant_cost = float(group.loc[known & (group["fee_payer"].fillna("migrant") == "migrant"), "fee_kgs"].sum())
        row.update({
            "official_cost_kgs": cost,
            "official_cost_sourced_kgs": float(group.loc[known & (group["fee_confidence"] == "sourced"), "fee_kgs"].sum()),
            "fees_unknown": int((~known).sum()),
            "other_costs_kgs": float(group["other_costs_kgs"].astype("float64").sum()),
            "official_cost_usd": cost / rate if rate else np.nan,
            "cost_pct_gni_per_capita": _share(cost, gni),
            "cost_pct_monthly_wage": _share(cost, wage),
            "migrant_cost_kgs": migrant_cost,
            "migrant_cost_pct_monthly_wage": _share(migrant_cost, wage),
        })
        rows.append(row)
    return pd.DataFrame(rows)


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


def de_jure_de_facto(proc: Procedures, observed: pd.DataFrame | None) -> pd.DataFrame:
    """Each observed step: its statutory deadline next to the observed processing times (working days)."""
    observed_steps = proc.steps[proc.steps["observed_procedure"].notna()]
    pathways = observed_steps.groupby("observed_procedure", sort=False)["pathway"].agg(lambda s: "; ".join(s))
    steps = observed_steps.drop_duplicates("observed_procedure")
    frame = pd.DataFrame({
        "procedure": steps["observed_procedure"], "action": steps["action"],
        "pathways": steps["observed_procedure"].map(pathways),
        "statutory_deadline": [deadline_text(d, u) for d, u in zip(steps["deadline"], steps["deadline_unit"])],
    })
    wanted = ["n_decided", "n_pending", "median_days", "p80_days", "p90_days", "km_median_days",
              "share_within_deadline", "deadline_working_days"]
    if observed is None:
        for column in wanted:
            frame[column] = np.nan
        return frame.reset_index(drop=True)
    present = observed[["procedure"] + [c for c in wanted if c in observed]]
    merged = frame.merge(present, on="procedure", how="left")
    if "share_within_deadline" in merged:
        merged["share_within_deadline"] = 100.0 * merged["share_within_deadline"]
    return merged


def deadline_text(deadline, unit) -> str:
    """'7 working days', '1 month'; 'none found' where no statutory deadline was found."""
    if pd.isna(deadline) or not isinstance(unit, str):
        return "none found"
    label = settings()["deadline_units"][unit]
    return f"{deadline:g} {label[:-1] if deadline == 1 and label.endswith('s') else label}"


# ---------------------------------------------------------------- Standard Cost Model
def burden(proc: Procedures) -> pd.DataFrame:
    """Standard Cost Model per assumption row: price (time x tariff + out-of-pocket) x quantity.

    Fees and other out-of-pocket costs of a step count for the row whose bearer is the step's fee
    payer (the migrant when none is given). The time cost is varied by +/- the configured share.
    """
    tariffs = hourly_tariffs(proc)
    band = float(settings()["scm"]["sensitivity"])
    steps = proc.steps.assign(fee_kgs=fee_kgs(proc.steps, proc.parameter("usd_kgs"))).set_index(["pathway", "step"])
    rows = []
    for _, r in proc.scm.iterrows():
        step = steps.loc[(r["pathway"], int(r["step"]))]
        payer = step["fee_payer"] if isinstance(step["fee_payer"], str) else "migrant"
        pays = payer == r["bearer"]
        out_of_pocket = (np.nansum([step["fee_kgs"], step["other_costs_kgs"]]) if pays else 0.0)
        tariff = tariffs.get(r["bearer"])
        time_cost = r["hours_per_case"] * tariff if tariff is not None else np.nan
        price = time_cost + out_of_pocket
        quantity = r["cases_per_year"] * r["frequency_per_year"] if pd.notna(r["cases_per_year"]) else np.nan
        rows.append({
            "pathway": r["pathway"], "step": int(r["step"]), "action": step["action"], "bearer": r["bearer"],
            "hours_per_case": float(r["hours_per_case"]), "tariff_kgs_per_hour": tariff,
            "time_cost_kgs": time_cost, "out_of_pocket_kgs": out_of_pocket,
            "out_of_pocket_incomplete": bool(pays and pd.isna(step["fee_kgs"])),
            "price_kgs": price, "cases_per_year": r["cases_per_year"], "frequency_per_year": r["frequency_per_year"],
            "quantity_per_year": quantity, "burden_kgs": price * quantity,
            "burden_time_kgs": time_cost * quantity, "burden_out_of_pocket_kgs": out_of_pocket * quantity,
            "burden_low_kgs": (time_cost * (1 - band) + out_of_pocket) * quantity,
            "burden_high_kgs": (time_cost * (1 + band) + out_of_pocket) * quantity,
            "confidence": r["confidence"], "note": r["note"],
        })
    return pd.DataFrame(rows)


def burden_by_bearer(detail: pd.DataFrame) -> pd.DataFrame:
    """Annual burden per pathway and bearer (rows whose quantity is unknown are counted separately)."""
    known = detail.assign(known=detail["quantity_per_year"].notna())
    table = known.groupby(["pathway", "bearer"], sort=False).agg(
        burden_kgs=("burden_kgs", lambda s: s.sum(min_count=1)),
        burden_time_kgs=("burden_time_kgs", lambda s: s.sum(min_count=1)),
        burden_out_of_pocket_kgs=("burden_out_of_pocket_kgs", lambda s: s.sum(min_count=1)),
        burden_low_kgs=("burden_low_kgs", lambda s: s.sum(min_count=1)),
        burden_high_kgs=("burden_high_kgs", lambda s: s.sum(min_count=1)),
        price_per_case_kgs=("price_kgs", "sum"),
        rows=("step", "size"), rows_quantity_unknown=("known", lambda s: int((~s).sum())),
    ).reset_index()
    return table


# ---------------------------------------------------------------- accessibility
def scorecard(proc: Procedures) -> pd.DataFrame:
    """Per pathway: share of steps online, in a language the migrant reads, in the south; intermediaries.

    A blank languages or locations cell is not known: it counts neither as yes nor as no, and the
    number of unknown steps is shown next to each share.
    """
    s = settings()
    reads = set(s["migrant_reads"])
    south = set(s["southern_border_locations"])
    rows = []
    for pathway, group in proc.steps.groupby("pathway", sort=False):
        channels = group["channel"].map(lambda v: set(_split(v)))
        languages = group["languages"].map(lambda v: set(_split(v)))
        locations = group["locations"].map(lambda v: set(_split(v)))
        online = channels.map(lambda c: "online_portal" in c) | locations.map(lambda l: "online" in l)
        language_known = languages.map(bool)
        location_known = locations.map(bool) | online
        rows.append({
            "pathway": pathway, "label": s["pathways"][pathway], "steps": len(group),
            "pct_online": 100.0 * online.mean(),
            "pct_migrant_language": _pct(languages[language_known].map(lambda l: bool(l & reads))),
            "steps_language_unknown": int((~language_known).sum()),
            "pct_in_south": _pct((locations[location_known].map(lambda l: bool(l & south))) | online[location_known]),
            "steps_location_unknown": int((~location_known).sum()),
            "steps_with_intermediary": int(channels.map(lambda c: "intermediary" in c).sum()),
            "steps_access_not_sourced": int((group["access_confidence"] != "sourced").sum()),
        })
    return pd.DataFrame(rows)


def _pct(flags: pd.Series) -> float:
    return 100.0 * flags.mean() if len(flags) else float("nan")


# ---------------------------------------------------------------- tables for the report
def steps_table(proc: Procedures, pathway: str, plan: pd.DataFrame, usd_kgs: float | None,
                names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The steps of one pathway as a reader sees them (bodies by name where the inventory gives one)."""
    names = names or {}
    s = settings()
    group = proc.steps[proc.steps["pathway"] == pathway].assign(fee_kgs=lambda f: fee_kgs(f, usd_kgs))
    merged = group.merge(plan, on="step")
    runs_with = merged["parallel_with"].map(lambda v: f" (runs with step {v})" if isinstance(v, str) and v else "")
    return pd.DataFrame({
        "Step": merged["step"].astype(int),
        "Action": merged["action"] + runs_with,
        "Body": merged["responsible_body"].map(lambda b: names.get(b, b) if isinstance(b, str) else "not known"),
        "Legal basis": merged["legal_basis"].fillna("").str.replace(";", ",", regex=False),
        "Fee (som)": merged["fee_kgs"],
        "Statutory deadline": [deadline_text(d, u) for d, u in zip(merged["deadline"], merged["deadline_unit"])],
        "Days on path": merged["working_days"],
        "Confidence": merged["confidence"],
    })


def assumptions_table(proc: Procedures) -> pd.DataFrame:
    """The parameters with source and confidence, for the annex (nothing is costed without them)."""
    p = proc.parameters
    return pd.DataFrame({"Id": p["id"], "Parameter": p["parameter"], "Value": p["value"],
                         "Currency": p["currency"].fillna(""), "Unit": p["unit"],
                         "Period": p["reference_period"].fillna(""), "Confidence": p["confidence"],
                         "Source": p["source"].fillna(""), "Note": p["note"].fillna("")})


def write_outputs(out_dir: str | Path, tables: Mapping[str, pd.DataFrame]) -> list[Path]:
    out = paths.resolve(out_dir)
    return [atomic.write_csv(out / f"{name}.csv", frame) for name, frame in sorted(tables.items())]


# ---------------------------------------------------------------- figures
def journey_map(plan: pd.DataFrame, steps: pd.DataFrame, start: date, title: str, body_colours: Mapping[str, str],
                names: Mapping[str, str] | None = None):
    """Steps on a working-day axis (bars from start to finish), coloured by body, fees annotated."""
    merged = plan.merge(steps[["step", "action", "responsible_body", "fee_kgs"]], on="step").sort_values("step")
    fig, ax = figures.new_figure(9.5, 0.75 * len(merged) + 1.8)
    cal_start = np.datetime64(start, "D")
    for y, (_, r) in enumerate(merged.iterrows()):
        s_day = _working_offset(cal_start, r["start"])
        e_day = _working_offset(cal_start, r["finish"])
        body = r["responsible_body"] if isinstance(r["responsible_body"], str) else "not known"
        ax.barh(y, max(e_day - s_day, 0.3), left=s_day, color=body_colours.get(body, "#BBBBBB"), edgecolor="white")
        fee = r["fee_kgs"]
        label = "fee not known" if pd.isna(fee) else ("no fee" if fee == 0 else f"{fee:,.0f} som")
        ax.text(e_day + 0.2, y, label, va="center", fontsize=8)
    ax.set_yticks(range(len(merged)))
    ax.set_yticklabels([_wrap(f"{int(r.step)}. {r.action}", 45, 2) for r in merged.itertuples()], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("Working days from arrival (critical path, statutory deadlines, at least one day per step)")
    ax.set_title(title)
    names = names or {}
    handles = [_legend_patch(body_colours.get(b, "#BBBBBB"), _wrap(names.get(b, b), 40, 2)) for b in
               dict.fromkeys(b if isinstance(b, str) else "not known" for b in merged["responsible_body"])]
    ax.legend(handles=handles, title="Responsible body", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2,
              fontsize=8, frameon=False)
    ax.set_xlim(0, max(_working_offset(cal_start, f) for f in merged["finish"]) * 1.35 + 2)
    return fig


def _working_offset(start: np.datetime64, day: date) -> int:
    return int(np.busday_count(start + np.timedelta64(1, "D"), np.datetime64(day, "D") + np.timedelta64(1, "D")))


def _legend_patch(colour: str, label: str):
    from matplotlib.patches import Patch
    return Patch(facecolor=colour, label=label)


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _wrap(text: str, width: int, lines: int) -> str:
    """Wrap a label on at most `lines` lines, the last one shortened with an ellipsis."""
    parts = textwrap.wrap(text, width)
    if len(parts) > lines:
        parts = parts[: lines - 1] + [_short(" ".join(parts[lines - 1:]), width)]
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
    "#882255", "#44AA99", "#332288", "#DDCC77"]


def body_colours(steps: pd.DataFrame) -> dict[str, str]:
    """One palette colour per body, in order of first appearance (stable across runs)."""
    bodies = list(dict.fromkeys(b for b in steps["responsible_body"] if isinstance(b, str)))
    colours = {b: BODY_PALETTE[i % len(BODY_PALETTE)] for i, b in enumerate(bodies)}
    colours["not known"] = "#BBBBBB"
    return colours


def comparison_chart(table: pd.DataFrame):
    """Pathways side by side on procedures, working days (de jure and de facto) and official cost."""
    fig, axes = figures.new_figure(11.0, 4.2, ncols=3)
    labels = [_wrap(label, 24, 3) for label in table["label"]]
    y = np.arange(len(table))
    axes[0].barh(y, table["procedures"], color=figures.PALETTE[0])
    axes[0].set_title("Procedures")
    axes[1].barh(y - 0.2, table["days_de_jure"], height=0.4, color=figures.PALETTE[0], label="de jure")
    axes[1].barh(y + 0.2, table["days_de_facto_median"].fillna(0), height=0.4, color=figures.PALETTE[1],
                 label="de facto (observed median)")
    axes[1].set_title("Working days")
    axes[1].legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False)
    sourced = table["official_cost_sourced_kgs"]
    axes[2].barh(y, sourced, color=figures.PALETTE[2], label="sourced fees")
    axes[2].barh(y, table["official_cost_kgs"] - sourced, left=sourced, color="white", edgecolor=figures.PALETTE[2],
                 hatch="///", label="fees from uncertain sources")
    axes[2].set_title("Official cost (som, known fees)")
    axes[2].legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False)
    for ax in axes:
        ax.set_yticks(y)
        ax.set_yticklabels(labels if ax is axes[0] else [], fontsize=8)
        ax.invert_yaxis()
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- readable tables
def time_table(table: pd.DataFrame) -> pd.DataFrame:
    """Procedures and working days per pathway, statutory and observed."""
    return pd.DataFrame({
        "Pathway": table["label"],
        "Procedures": table["procedures"],
        "Not fully sourced": table["procedures_not_sourced"],
        "Without a statutory deadline": table["steps_without_deadline"],
        "Working days, statutory": table["days_de_jure"],
        "Calendar days, statutory": table["calendar_days_de_jure"],
        "Working days, observed median": table["days_de_facto_median"].round(0).astype("Int64"),
        "Working days, observed P80": table["days_de_facto_p80"].round(0).astype("Int64"),
    })


def cost_table(table: pd.DataFrame) -> pd.DataFrame:
    """Official cost per pathway and its weight against income."""
    return pd.DataFrame({
        "Pathway": table["label"],
        "Known fees (som)": table["official_cost_kgs"].round(0),
        "of which sourced (som)": table["official_cost_sourced_kgs"].round(0),
        "Fees not known": table["fees_unknown"],
        "% of GNI per capita": table["cost_pct_gni_per_capita"].round(1),
        "% of migrant's monthly wage": table["cost_pct_monthly_wage"].round(1),
        "Paid by the migrant (som)": table["migrant_cost_kgs"].round(0),
        "Paid by the migrant, % of wage": table["migrant_cost_pct_monthly_wage"].round(1),
    })


def de_facto_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Procedure": frame["procedure"], "Statutory deadline": frame["statutory_deadline"],
        "Deadline, working days": frame["deadline_working_days"],
        "Decided": frame["n_decided"].astype("Int64"), "Pending": frame["n_pending"].astype("Int64"),
        "Median": frame["median_days"], "P80": frame["p80_days"], "P90": frame["p90_days"],
        "KM median": frame["km_median_days"],
        "% within deadline": frame["share_within_deadline"].round(1),
    })


def scorecard_table(card: pd.DataFrame, indicators_frame: pd.DataFrame) -> pd.DataFrame:
    cost = indicators_frame.set_index("pathway")["migrant_cost_pct_monthly_wage"]
    return pd.DataFrame({
        "Pathway": card["label"], "Steps": card["steps"],
        "Online %": card["pct_online"].round(1),
        "Migrant's language %": card["pct_migrant_language"].round(1),
        "Language not known": card["steps_language_unknown"],
        "Southern regions %": card["pct_in_south"].round(1),
        "Place not known": card["steps_location_unknown"],
        "Through an intermediary": card["steps_with_intermediary"],
        "Migrant's fees, % of wage": card["pathway"].map(cost).round(1),
    })


def burden_table(by_bearer: pd.DataFrame) -> pd.DataFrame:
    labels = settings()["pathways"]
    return pd.DataFrame({
        "Pathway": by_bearer["pathway"].map(labels), "Bearer": by_bearer["bearer"],
        "Price per case (som)": by_bearer["price_per_case_kgs"].round(0),
        "Burden (m som)": (by_bearer["burden_kgs"] / 1e6).round(2),
        "of which time": (by_bearer["burden_time_kgs"] / 1e6).round(2),
        "of which fees": (by_bearer["burden_out_of_pocket_kgs"] / 1e6).round(2),
        "Low (m som)": (by_bearer["burden_low_kgs"] / 1e6).round(2),
        "High (m som)": (by_bearer["burden_high_kgs"] / 1e6).round(2),
        "No quantity": by_bearer["rows_quantity_unknown"],
    })


def scm_assumptions_table(detail: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Step": detail["pathway"] + " " + detail["step"].astype(str), "Bearer": detail["bearer"],
        "Hours": detail["hours_per_case"], "Tariff (som/h)": detail["tariff_kgs_per_hour"].round(0),
        "Fees, out of pocket (som)": detail["out_of_pocket_kgs"].round(0),
        "Cases a year": detail["cases_per_year"], "Times a year": detail["frequency_per_year"],
        "Assumption": detail["note"].fillna("") + " (" + detail["confidence"] + ")",
    })


def sources_table(proc: Procedures) -> pd.DataFrame:
    s = proc.steps
    confidence = (s["confidence"] + " / " + s["fee_confidence"].fillna("-") + " / "
                  + s["deadline_confidence"].fillna("-") + " / " + s["access_confidence"].fillna("-"))
    return pd.DataFrame({"Step": s["pathway"] + " " + s["step"].astype(str),
                         "Confidence: step / fee / deadline / access": confidence,
                         "Note": s["note"].fillna(""), "Source": s["source"].fillna("")})


def warnings_table(problems) -> pd.DataFrame:
    return pd.DataFrame([{"Sheet": p.sheet, "Row": p.row, "Column": p.column, "Message": p.message()}
                         for p in problems], columns=["Sheet", "Row", "Column", "Message"])


# ---------------------------------------------------------------- findings
def record_findings(reg, proc: Procedures, table: pd.DataFrame, detail: pd.DataFrame, card: pd.DataFrame,
                    out_dir: str) -> None:
    """Headline numbers of the chapter into the findings registry (ids `procedures.*`)."""
    where = lambda name: f"{out_dir}/{name}.csv"  # noqa: E731
    steps = proc.steps
    ids = [f"{p}/{s}" for p, s in zip(steps["pathway"], steps["step"])]
    reg.record("procedures.steps.total", len(steps), "steps", "Steps described across the pathways",
               where("steps"), rows=ids)
    not_sourced = steps["confidence"] != "sourced"
    reg.record("procedures.steps.not_sourced", int(not_sourced.sum()), "steps",
               "Steps whose description is not fully sourced (from memory or uncertain)", where("steps"),
               rows=[i for i, flag in zip(ids, not_sourced) if flag])
    for _, r in table.iterrows():
        p = r["pathway"]
        rows = [i for i in ids if i.startswith(p + "/")]
        reg.record(f"procedures.{p}.steps", int(r["procedures"]), "procedures", f"Procedures: {r['label']}",
                   where("indicators"), rows=rows)
        reg.record(f"procedures.{p}.days_de_jure", int(r["days_de_jure"]), "working days",
                   f"Working days along the critical path, statutory deadlines: {r['label']}", where("indicators"), rows)
        reg.record(f"procedures.{p}.days_de_facto_median", r["days_de_facto_median"], "working days",
                   f"Working days along the critical path, observed medians where observed: {r['label']}",
                   where("indicators"), rows)
        reg.record(f"procedures.{p}.cost_kgs", r["official_cost_kgs"], "som",
                   f"Official cost of the known fees: {r['label']}", where("indicators"), rows)
        reg.record(f"procedures.{p}.fees_unknown", int(r["fees_unknown"]), "steps",
                   f"Steps whose fee is not known: {r['label']}", where("indicators"), rows)
        reg.record(f"procedures.{p}.cost_pct_wage", r["cost_pct_monthly_wage"], "%",
                   f"Official cost as a share of the migrant's monthly wage: {r['label']}", where("indicators"), rows)
        reg.record(f"procedures.{p}.migrant_cost_pct_wage", r["migrant_cost_pct_monthly_wage"], "%",
                   f"Fees paid by the migrant as a share of the migrant's monthly wage: {r['label']}",
                   where("indicators"), rows)
        reg.record(f"procedures.{p}.cost_pct_gni", r["cost_pct_gni_per_capita"], "%",
                   f"Official cost as a share of GNI per capita: {r['label']}", where("indicators"), rows)
    known = detail[detail["quantity_per_year"].notna()]
    burden_rows = [f"{p}/{s}/{b}" for p, s, b in zip(known["pathway"], known["step"], known["bearer"])]
    for suffix, column in (("total_kgs", "burden_kgs"), ("low_kgs", "burden_low_kgs"), ("high_kgs", "burden_high_kgs")):
        reg.record(f"procedures.burden.{suffix}", float(known[column].sum()) / 1e6, "million som",
                   f"Annual administrative burden where the quantity is known ({column})", where("burden"), burden_rows)
    for bearer, group in known.groupby("bearer"):
        reg.record(f"procedures.burden.{bearer}_kgs", float(group["burden_kgs"].sum()) / 1e6, "million som",
                   f"Annual administrative burden borne by the {bearer}", where("burden"),
                   [f"{p}/{s}" for p, s in zip(group["pathway"], group["step"])])
    unknown = detail[detail["quantity_per_year"].isna()]
    reg.record("procedures.burden.rows_quantity_unknown", len(unknown), "assumption rows",
               "Standard Cost Model rows whose quantity (people per year) is not known", where("burden"),
               [f"{p}/{s}/{b}" for p, s, b in zip(unknown["pathway"], unknown["step"], unknown["bearer"])])
    reg.record("procedures.access.steps_language_unknown", int(card["steps_language_unknown"].sum()), "steps",
               "Steps for which the languages of the service are not known", where("scorecard"))
    reg.record("procedures.access.steps_intermediary", int(card["steps_with_intermediary"].sum()), "steps",
               "Steps done through an intermediary (employer, university, notary)", where("scorecard"))
    online = sum(r["pct_online"] * r["steps"] / 100 for _, r in card.iterrows())
    reg.record("procedures.access.steps_online", int(round(online)), "steps", "Steps that can be done online",
               where("scorecard"))
    wage = proc.parameters.set_index("id")["value"].get("migrant_monthly_wage")
    reg.record("procedures.params.migrant_monthly_wage", wage, "som", "Monthly wage assumed for an Uzbek migrant",
               "parameters sheet of the procedures workbook", ["migrant_monthly_wage"])
