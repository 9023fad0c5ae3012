"""The executive summary and the introduction: pathways at a glance, key numbers, the corridor in figures.

Everything the summary shows comes from the processed tables and the numbers registry, never typed: the
pathways table takes its documents from the procedures workbook, its fees and times from the numbers the
procedures chapter recorded, its legal basis and status from the inventory. The same functions give the
Russian summary its table, with each English phrase translated through data/raw/translations_ru.csv (a
phrase missing there stops the build naming it) and each act by its official Russian title.

Numbers that rest on synthetic example data are told apart from sourced ones by lineage: a number is
synthetic when the notebook that recorded it reads, directly or through the notebooks it depends on, an
input that data/raw/provenance.yaml marks synthetic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.engine import atomic, config, languages, paths, provenance, runner, text
from analysis.engine.errors import InputError, Problem
from analysis.engine.numbers import Registry
from analysis.engine.readers import read_processed

CONTEXT_COLUMNS = (
    "id",
    "indicator",
    "value",
    "unit",
    "period",
    "confidence",
    "title",
    "publisher",
    "source_date",
    "tier",
    "address",
)


# ---------------------------------------------------------------- translations
@dataclass
class Translations:
    """English phrases of the summary's tables and their Russian (or other) translation."""

    path: str
    phrases: dict[str, str]
    missing: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: str | Path) -> Translations:
        resolved = paths.resolve(path)
        if not resolved.exists():
            raise InputError(
                [
                    Problem(
                        file=paths.relative(resolved),
                        expected="the translations of the summary's phrases (columns en, ru)",
                        found="no such file",
                    )
                ]
            )
        frame = pd.read_csv(resolved, dtype=str, keep_default_na=False, encoding="utf-8")
        return cls(paths.relative(resolved), {r["en"].strip(): r["ru"].strip() for r in frame.to_dict("records")})

    def __call__(self, phrase: str) -> str:
        phrase = phrase.strip()
        if phrase in self.phrases and self.phrases[phrase]:
            return self.phrases[phrase]
        if phrase not in self.missing:
            self.missing.append(phrase)
        return phrase

    def check(self) -> None:
        """Raise once for every phrase that has no translation yet."""
        if self.missing:
            raise InputError(
                [
                    Problem(file=self.path, column="ru", expected=f"a translation of {p!r}", found="no row")
                    for p in self.missing
                ]
            )


def _identity(phrase: str) -> str:
    return phrase


# ---------------------------------------------------------------- synthetic or sourced
def synthetic_notebooks(specs: list[runner.NotebookSpec] | None = None) -> set[str]:
    """Notebooks that read a synthetic input, directly or through the notebooks whose outputs they read."""
    specs = specs if specs is not None else runner.discover()
    direct = {s.name for s in specs if any(i.startswith("data/raw/") and provenance.is_synthetic(i) for i in s.inputs)}
    found = set(direct)
    for spec in specs:
        if any(
            u.name in direct
            for u in runner.transitive_upstream(spec, specs)
            if any(runner._covers(o, i) for o in u.outputs for i in spec.inputs)
        ):
            found.add(spec.name)
    return found


def key_numbers(
    ids: Iterable[str], registry: Registry, synthetic: set[str], cited_by: Mapping[str, list[str]] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The key numbers as two tables: those resting on sourced inputs, and those resting on synthetic
    example data (whose values illustrate the method only)."""
    rows = {True: [], False: []}
    for number_id in dict.fromkeys(ids):
        number = registry[number_id]
        rows[number.notebook in synthetic].append(
            {
                "Number": text.sentence_case(number.description),
                "Value": number.formatted(),
                "Cited by": ", ".join((cited_by or {}).get(number_id, [])),
                "Registry id": number_id,
            }
        )
    columns = ["Number", "Value", "Cited by", "Registry id"]
    return pd.DataFrame(rows[False], columns=columns), pd.DataFrame(rows[True], columns=columns)


def synthetic_findings(findings: pd.DataFrame) -> set[str]:
    """Findings the findings workbook marks as resting on synthetic evidence."""
    return set(findings.loc[findings["synthetic_evidence"].fillna(False).astype(bool), "finding_id"])


def findings_markdown(
    findings: pd.DataFrame,
    statements: Iterable[str],
    contested: set[str],
    synthetic: set[str],
    validation_is_synthetic: bool,
) -> str:
    """The key findings as a list, each marked where it rests on synthetic data or was contested."""
    lines = []
    for fid, statement in zip(findings["finding_id"], statements):
        marks = []
        if fid in synthetic:
            marks.append("illustrative: rests on synthetic example data")
        if fid in contested:
            marks.append(
                "contested in the validation" + (" (synthetic example ratings)" if validation_is_synthetic else "")
            )
        lines.append(f"- **{fid}** {statement}" + (f" *({'; '.join(marks)})*" if marks else ""))
    return "\n".join(lines)


def recommendations_brief(recommendations: pd.DataFrame, names: Mapping[str, str], synthetic: set[str]) -> pd.DataFrame:
    """Recommendations by priority in three columns: the recommendation with the findings it answers (and
    whether one rests on synthetic data), the bodies it addresses, its priority and timeframe."""
    settings = config.get("findings")
    order = {p: i for i, p in enumerate(settings["priorities"])}
    recs = recommendations.assign(_order=recommendations["priority"].map(order)).sort_values(
        ["_order", "recommendation_id"]
    )

    def ids(value) -> list[str]:
        return [v.strip() for v in str(value or "").replace(",", ";").split(";") if v.strip()]

    rows = []
    for rec in recs.itertuples():
        answers = ids(rec.finding_ids)
        flagged = [f for f in answers if f in synthetic]
        evidence = f"; illustrative: {', '.join(flagged)} rest on synthetic data" if flagged else ""
        timeframe = settings["timeframes"].get(rec.timeframe, rec.timeframe).split(" (")[0].lower()
        rows.append(
            {
                "Recommendation": f"{rec.recommendation_id} {rec.recommendation.rstrip('.')} "
                f"(answers {', '.join(answers)}{evidence}).",
                "Addressed to": "; ".join(names.get(b) or b for b in ids(rec.responsible_body)),
                "Priority": f"{rec.priority}, {timeframe}",
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- pathways at a glance
def _split(value) -> list[str]:
    return [v.strip() for v in str(value).split(";") if v.strip()] if pd.notna(value) else []


def _valid_on(row, on: date) -> bool:
    start = pd.to_datetime(row.get("valid_from"), errors="coerce")
    end = pd.to_datetime(row.get("valid_to"), errors="coerce")
    return (pd.isna(start) or start.date() <= on) and (pd.isna(end) or end.date() > on)


def _act_name(act: Mapping, language: str) -> str:
    title = (act.get("title_ru") if language == "ru" else act.get("title_en")) or act.get("title_en") or act["id"]
    number = act.get("number")
    year = str(act.get("adopted") or "")[:4]
    details = []
    if pd.notna(number) and str(number).strip():
        details.append(("№ " if language == "ru" else "No. ") + str(number).strip().removesuffix(".0"))
    if year.isdigit():
        details.append(f"{year} г." if language == "ru" else year)
    return f"{title} ({', '.join(details)})" if details else str(title)


def pathway_status(provisions: pd.DataFrame, acts: pd.DataFrame, on: date) -> tuple[str, str]:
    """The status of a pathway's rules on a date, in words, and the date an ended rule stopped applying.

    In force when every provision applies on the date and its act is in force (or amended); "ended" when a
    provision's validity ended before it; "uncertain" when a provision or its act is not sourced."""
    if provisions.empty:
        return "no provision found", ""
    ends = pd.to_datetime(provisions["valid_to"], errors="coerce")
    ended = ends[ends.notna() & (ends <= pd.Timestamp(on))]
    if not ended.empty:
        return "ended", str(ended.max().date())
    act_rows = acts[acts["id"].isin(provisions["act_id"])]
    in_force = {"in force", "amended"}
    if not act_rows["status"].isin(in_force).all() or not all(_valid_on(r, on) for r in provisions.to_dict("records")):
        return "partly in force", ""
    weak = {"uncertain", "from memory"}
    if provisions["confidence"].isin(weak).any() or act_rows["confidence"].isin(weak).any():
        return "in force, not fully confirmed", ""
    return "in force", ""


def pathways_at_a_glance(
    steps: pd.DataFrame,
    provisions: pd.DataFrame,
    acts: pd.DataFrame,
    indicators: pd.DataFrame,
    registry: Registry,
    on: date,
    language: str = "en",
    translate: Callable[[str], str] = _identity,
) -> pd.DataFrame:
    """One row per pathway of the procedures chapter: who it is for, the documents of its own steps, the
    official fees and statutory time of the whole pathway, the acts of its own steps and their status.

    The first pathway's steps (entry and registration) open every pathway, so the other rows list only
    what comes on top of them; fees and times are totals of the whole pathway."""
    pathways = config.get("procedures.pathways")
    audience = config.get("procedures.audience", {})
    first = next(iter(pathways))
    common = set(steps.loc[steps["pathway"] == first, "action"])
    provisions = provisions.set_index("id", drop=False)
    acts_by_id = {a["id"]: a for a in acts.to_dict("records")}
    indicators = indicators.set_index("pathway")

    def value(number_id: str) -> str:
        number = registry[number_id]
        if language == "en":
            return number.formatted()
        return languages.format_value(number.value, number.unit, None, language)

    rows = []
    for pathway, label in pathways.items():
        own = steps[steps["pathway"] == pathway]
        if pathway != first:
            own = own[~own["action"].isin(common)]
        documents = list(dict.fromkeys(d for v in own["documents"] for d in _split(v)))
        documents = [translate("not found in the sources" if d.casefold() == "not found" else d) for d in documents]
        basis_ids = [p for v in own["legal_basis"] for p in _split(v) if p in provisions.index]
        own_provisions = provisions.loc[list(dict.fromkeys(basis_ids))]
        act_ids = list(dict.fromkeys(own_provisions["act_id"]))
        status, ended = pathway_status(own_provisions, acts, on)
        status_text = translate(status)
        if ended:
            status_text += " " + (languages.house_date(ended, language) if language != "en" else text.house_date(ended))
        fees = value(f"procedures.{pathway}.fees")
        unknown = registry.value(f"procedures.{pathway}.fees_unknown") or 0
        if unknown:
            fees += "; " + translate("fees not found for") + " " + _count(unknown, "steps", language)
        time = value(f"procedures.{pathway}.days_statutory")
        low, high = f"procedures.{pathway}.days_reported_low", f"procedures.{pathway}.days_reported_high"
        if low in registry and registry.value(low) not in (
            None,
            registry.value(f"procedures.{pathway}.days_statutory"),
        ):
            span = (
                value(low)
                if registry.value(low) == registry.value(high)
                else f"{value(low).split(' ')[0]}–{value(high)}"
            )
            time += "; " + translate("with the times sources report") + " " + span
        without = int(indicators.loc[pathway, "steps_without_deadline"]) if pathway in indicators.index else 0
        if without:
            time += "; " + translate("no statutory deadline for") + " " + _count(without, "steps", language)
        rows.append(
            {
                "pathway": translate(label),
                "who": translate(audience.get(pathway, "")),
                "documents": "; ".join(documents) or translate("not found in the sources"),
                "fees": fees,
                "time": time,
                "basis": "; ".join(_act_name(acts_by_id[a], language) for a in act_ids if a in acts_by_id),
                "status": status_text,
            }
        )
    return pd.DataFrame(rows, columns=["pathway", "who", "documents", "fees", "time", "basis", "status"])


def _count(count: int, unit: str, language: str) -> str:
    return text.with_unit(count, unit) if language == "en" else languages.format_value(count, unit, None, language)


def read_pathway_tables(procedures_dir: str, inventory_dir: str) -> dict[str, pd.DataFrame]:
    """The processed tables the pathways table is built from."""
    return {
        "steps": read_processed(paths.resolve(procedures_dir) / "steps.csv"),
        "indicators": read_processed(paths.resolve(procedures_dir) / "indicators.csv"),
        "provisions": read_processed(paths.resolve(inventory_dir) / "provisions.csv", dtype=str),
        "acts": read_processed(paths.resolve(inventory_dir) / "acts.csv", dtype=str),
    }


# ---------------------------------------------------------------- the corridor in figures
def read_context(path: str | Path) -> pd.DataFrame:
    """The corridor's figures (data/raw/context.csv): one sourced figure a row, with its period."""
    resolved = paths.resolve(path)
    if not resolved.exists():
        raise InputError(
            [Problem(file=paths.relative(resolved), expected="the corridor's figures", found="no such file")]
        )
    frame = pd.read_csv(resolved, dtype=str, keep_default_na=False, encoding="utf-8")
    file = paths.relative(resolved)
    problems = [
        Problem(file=file, row=1, column=c, expected=f"a column '{c}'", found="missing")
        for c in CONTEXT_COLUMNS
        if c not in frame.columns
    ]
    if problems:
        raise InputError(problems)
    for number, row in enumerate(frame.to_dict("records"), start=2):
        for column in ("value", "value_high"):
            if row.get(column, "") and pd.to_numeric(row[column], errors="coerce") != pd.to_numeric(
                row[column], errors="coerce"
            ):
                problems.append(Problem(file=file, row=number, column=column, expected="a number", found=row[column]))
        for column in ("id", "indicator", "period", "address"):
            if not row[column].strip():
                problems.append(Problem(file=file, row=number, column=column, expected="a value", found=""))
        if row["confidence"] not in {"sourced", "from memory", "uncertain"}:
            problems.append(
                Problem(
                    file=file,
                    row=number,
                    column="confidence",
                    expected="sourced, from memory or uncertain",
                    found=row["confidence"],
                )
            )
    if frame["id"].duplicated().any():
        problems += [
            Problem(file=file, row=i + 2, column="id", expected="each id once", found=v)
            for i, v in frame["id"][frame["id"].duplicated()].items()
        ]
    if problems:
        raise InputError(problems)
    return frame


def _number(value: str) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else number


def record_context(registry: Registry, context: pd.DataFrame, source: str) -> None:
    """Each figure as a number `context.<id>` (and `context.<id>.high` for the top of a range)."""
    for row in context.to_dict("records"):
        registry.record(
            f"context.{row['id']}",
            _number(row["value"]),
            row["unit"],
            f"{row['indicator']} ({row['period']})",
            source,
            rows=[row["id"]],
        )
        if row.get("value_high"):
            registry.record(
                f"context.{row['id']}.high",
                _number(row["value_high"]),
                row["unit"],
                f"{row['indicator']} ({row['period']}), top of the range",
                source,
                rows=[row["id"]],
            )


def context_table(context: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """The figures as shown: value with its unit and qualifier, period, the source in words with its number
    in the References list."""
    rows = []
    for row in context.to_dict("records"):
        shown = registry[f"context.{row['id']}"].formatted()
        if row.get("value_high"):
            high = registry[f"context.{row['id']}.high"].formatted()
            shown = f"{shown.split(' ')[0]}–{high}"
        if row.get("qualifier"):
            shown = f"{row['qualifier']} {shown}"
        when = f", {text.house_date(row['source_date'])}" if row.get("source_date") else ""
        rows.append(
            {
                "Indicator": row["indicator"],
                "Value": shown,
                "Period": row["period"],
                "Source": f"{row['publisher']}{when} [#{row['id']}]",
                "Confidence": row["confidence"],
            }
        )
    return pd.DataFrame(rows)


def write_context_citations(context: pd.DataFrame, folder: str) -> None:
    """The figures as citable facts (citations.csv, sources.csv in the folder), so that prose can footnote
    them as `[@id]` and the References list names their sources (analysis.engine.assemble.citations)."""
    # One source a page: figures read from the same page cite the same entry of the References.
    source_of = {address: f"src-{fact}" for fact, address in zip(context["id"][::-1], context["address"][::-1])}
    citations = pd.DataFrame(
        {
            "fact_id": context["id"],
            "short": context["publisher"],
            "footnote": [
                f"{r['indicator']}, {r['period']}: {r['publisher']}"
                + (f", {text.house_date(r['source_date'])}" if r.get("source_date") else "")
                for r in context.to_dict("records")
            ],
            "source_ids": context["address"].map(source_of),
        }
    )
    pages = context.drop_duplicates("address")
    sources = pd.DataFrame(
        {
            "source_id": pages["address"].map(source_of),
            "title": pages["title"],
            "publisher": pages["publisher"],
            "source_date": pages["source_date"],
            "tier": pages["tier"],
            "address": pages["address"],
            "checked_on": pages["verified_on"] if "verified_on" in pages else "",
        }
    )
    folder_path = paths.resolve(folder)
    atomic.write_csv(folder_path / "citations.csv", citations)
    atomic.write_csv(folder_path / "sources.csv", sources)


def pathway_number_ids() -> list[str]:
    """The registry ids of each pathway's fees and statutory time (the procedures chapter records them)."""
    return [f"procedures.{p}.{m}" for p in config.get("procedures.pathways") for m in ("fees", "days_statutory")]


def inputs_table(provenance_in: str) -> pd.DataFrame:
    """The inputs of the analysis in words (data/raw/provenance.yaml): what each is and where it comes from;
    the files themselves are listed in the Reproducibility annex."""
    register = provenance.load(provenance_in)
    rows = [
        {
            "Input": text.sentence_case(provenance.label(name)),
            "Origin": entry["origin"],
            "What it is": " ".join(str(entry.get("description", "")).split()),
        }
        for name, entry in sorted(register.items(), key=lambda item: provenance.label(item[0]))
        if entry.get("role") != "identity_key"
    ]
    return pd.DataFrame(rows, columns=["Input", "Origin", "What it is"])
