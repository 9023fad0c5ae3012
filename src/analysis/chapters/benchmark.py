"""Benchmark of the corridor's framework against international and regional standards.

The consultant keeps one workbook (data/raw/benchmark.xlsx): criteria scored MIPEX-style (0/50/100)
and tagged with the MGI domain, with de jure evidence (inventory act and provision ids) and de facto
evidence (consultation code ids, processing-time finding ids); the same criteria for comparator
regimes; and a ratification table. This module reads and checks it, links every piece of evidence to
rows that exist, and scores it with pure functions.

Conventions (docs/benchmark.md):
- "not applicable" leaves a criterion out of every denominator; "unknown" is also left out of the
  score but counted, so that coverage is reported and an unknown is never read as a zero;
- two MIPEX aggregation rules: `dimension_mean` (2015: criteria → dimension means → area mean) and
  `indicator_mean` (current site: criteria → area mean); the chapter reports the one the configuration
  names (`benchmark.aggregation_rule`), the annex's sensitivity panel shows both;
- an answer is `sourced` only with a quote on the evidence sheet (address, tier, date); a party status
  of an instrument of the inventory is read from the inventory, never typed twice;
- practice scores that rest on synthetic example inputs are flagged and never make a criterion
  "well developed";
- no composite score and no ranking: MGI reports a profile per domain with "well developed" and
  "potential for further development" lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from analysis.engine import atomic, config, paths
from analysis.engine.errors import Problem, raise_if_errors
from analysis.engine.readers import ROW, read_excel_sheet, read_processed
from analysis.engine.schema import Column, apply_excel_rules, foreign_key, validate

SHEETS = ("criteria", "comparators", "ratifications", "evidence")
SCORED, NOT_APPLICABLE, UNKNOWN = "scored", "not applicable", "unknown"
FROM_FINDING = "from finding"
RULES = ("dimension_mean", "indicator_mean")


# ------------------------------------------------------------------ vocabularies and sheet shapes
def settings() -> dict[str, Any]:
    """The `benchmark:` section of the corridor configuration."""
    return config.get("benchmark")


def answer_vocabulary() -> list[str]:
    return [str(a) for a in settings()["answers"]]


def _lists(values: Iterable[Any]) -> list[str]:
    return [str(v) for v in values]


def columns(sheet: str) -> list[Column]:
    """Column specifications of one sheet; they drive validation and the README sheet."""
    s = settings()
    answers = answer_vocabulary()
    confidence = _lists(s["confidence"])
    c = Column
    if sheet == "criteria":
        return [
            c("criterion_id", unique=True, description="Stable id: area prefix and number", example="WRK-01"),
            c(
                "area",
                vocabulary=_lists(s["areas"]),
                description="Benchmark area (MIPEX-style policy area)",
                example="work",
            ),
            c(
                "dimension",
                description="Dimension within the area; dimension means feed the 2015 MIPEX rule",
                example="access",
            ),
            c("mgi_domain", vocabulary=_lists(s["mgi_domains"]), description="MGI domain", example="migrants' rights"),
            c("mgi_sub_area", description="MGI sub-area in the domain", example="right to work"),
            c(
                "framework",
                vocabulary=_lists(s["frameworks"]),
                multi=True,
                description="Standards the criterion comes from (several separated by ';')",
                example="ICRMW; GCM",
            ),
            c(
                "reference",
                description="Article, objective or indicator in those standards",
                example="ICRMW art. 52; GCM objective 5",
            ),
            c("criterion", description="The criterion in plain words", example="Workers can change employer"),
            c("option_100", description="Answer worth 100 (complete: meets the standard)"),
            c("option_50", required=False, description="Answer worth 50 (partial); blank if there is none"),
            c("option_0", description="Answer worth 0 (absent)"),
            c(
                "kg_answer",
                vocabulary=answers,
                description="The destination's answer: 100, 50, 0, not applicable or unknown (never 0 for 'not known')",
                example="50",
            ),
            c("kg_basis", description="Why this answer, in words: the judgement and what it rests on"),
            c(
                "de_jure_acts",
                required=False,
                description="Inventory act ids (several separated by ';')",
                example="G07",
            ),
            c(
                "de_jure_provisions",
                required=False,
                description="Inventory provision ids (several separated by ';')",
                example="G07-SINGLE-PERMIT",
            ),
            c(
                "de_facto_answer",
                required=False,
                vocabulary=answers + [FROM_FINDING],
                description="How it works in practice: 100, 50, 0, not applicable, unknown, or 'from finding' "
                "(scored from the first listed finding with the rule in config benchmark.de_facto_rules); blank "
                "= not assessed",
                example="from finding",
            ),
            c(
                "de_facto_codes",
                required=False,
                description="Consultation code ids (several separated by ';')",
                example="PAT.SINGLE",
            ),
            c(
                "de_facto_findings",
                required=False,
                description="Finding ids of earlier chapters (several separated by ';')",
                example="processing_times.single_permit.share_within_deadline",
            ),
            c("de_facto_basis", required=False, description="Why this de facto answer"),
            c(
                "gender",
                kind="bool",
                description="yes for criteria of the GCM gender-responsive principle and "
                "objective 1 (sex-disaggregated data)",
                example="no",
            ),
            c(
                "comparison",
                kind="bool",
                description="yes for the criteria that matter most to the corridor's workers "
                "and students: the regional comparison assesses every comparator on them",
                example="yes",
            ),
            c(
                "status_act",
                required=False,
                description="Inventory act id whose party status this criterion scores "
                "(the answer must agree with it, config benchmark.status_answers)",
                example="X01",
            ),
            c(
                "assessor",
                description="Who made the judgement and its state",
                example="consultant (draft, to be validated)",
            ),
            c("confidence", vocabulary=confidence, description="Lowest confidence of the facts the answer rests on"),
            c(
                "source",
                required=False,
                description="Addresses of the sources, one per line (required when the confidence is sourced)",
            ),
            c("note", required=False, description="What a reader must know: what was not found, what to verify"),
        ]
    if sheet == "comparators":
        return [
            c("criterion_id", description="A criterion_id of sheet criteria", example="STY-01"),
            c("country", vocabulary=_lists(s["comparators"]), description="Comparator country code", example="KZ"),
            c(
                "answer",
                vocabulary=answers,
                description="Answer for the regime that country applies to the "
                "corridor's origin citizens; unknown when no source allows an answer",
                example="unknown",
            ),
            c("basis", description="Why this answer, or why it is unknown"),
            c("source", required=False, description="Addresses of the sources (blank only for unknown)"),
            c("confidence", vocabulary=confidence, description="Confidence of the answer"),
            c("assessor", description="Who made the judgement"),
            c("note", required=False, description="What to verify"),
        ]
    if sheet == "ratifications":
        return [
            c(
                "instrument",
                description="Convention or instrument",
                example="ILO C97 Migration for Employment (Revised), 1949",
            ),
            c("act_id", required=False, description="Inventory act id of the instrument", example="X02"),
            c("country", vocabulary=_lists(s["ratification_countries"]), description="Country code", example="KG"),
            c(
                "status",
                required=False,
                vocabulary=_lists(s["ratification_statuses"]),
                description=(
                    "Status for that country; blank where act_id is given (the inventory's party status is used)"
                ),
            ),
            c("detail", required=False, description="Dates and details as the source gives them"),
            c("confidence", vocabulary=confidence, description="sourced, from memory or uncertain"),
            c("source", required=False, description="Addresses of the sources"),
        ]
    if sheet == "evidence":
        return [
            c("evidence_id", unique=True, description="Stable id of the quote", example="E-001"),
            c(
                "criterion_ids",
                required=False,
                description="Criteria the quote speaks to (several separated by ';'); "
                "blank for a quote about an assessment as a whole",
                example="STY-01",
            ),
            c(
                "country",
                vocabulary=_lists([config.get("corridor.destination.code")] + list(s["comparators"])),
                description="Whose regime the quote is about",
                example="KZ",
            ),
            c(
                "kind",
                vocabulary=_lists(s["evidence_kinds"]),
                description="comparator: a comparator's answer rests on "
                "it; international: a treaty body or IOM assessment of the destination",
                example="comparator",
            ),
            c("document", description="Document or page as cited", example="CMW/C/KGZ/CO/2"),
            c("pinpoint", required=False, description="Paragraph, article or item", example="para 4"),
            c("address", description="Address of the page read", example="https://docstore.ohchr.org/..."),
            c(
                "tier",
                vocabulary=_lists(s["source_tiers"]),
                description="Kind of source, in order of preference",
                example="international organisation",
            ),
            c("language", required=False, description="Language of the quote (ISO code)", example="ru"),
            c(
                "source_date",
                kind="date",
                required=False,
                description="Date of the document or page",
                example="08.12.2023",
            ),
            c("quote", description="The words of the source that state the fact, copied exactly"),
            c("quote_en", required=False, description="English rendering of the quote"),
            c("note", required=False, description="What the quote does not settle"),
        ]
    raise KeyError(sheet)


def readme_rows() -> list[list[str]]:
    """Rows of the README sheet, generated from the column specifications."""
    rows = []
    for sheet in SHEETS:
        for col in columns(sheet):
            allowed = "; ".join(col.vocabulary) if col.vocabulary else "yes / no" if col.kind == "bool" else "text"
            rows.append(
                [sheet, col.name, col.description + ("" if col.required else " (may be blank)"), allowed, col.example]
            )
    return rows


def write_workbook(path: str | Path, rows: dict[str, list[list]], allow_raw: bool = False) -> Path:
    """Write the workbook (rows per sheet in column order) with drop-downs and the README sheet."""
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet)
        cols = columns(sheet)
        ws.append([c.name for c in cols])
        ws.freeze_panes = "B2"
        for values in rows[sheet]:
            ws.append([v if v != "" else None for v in values])
        apply_excel_rules(
            ws,
            cols,
            widths={c.name: 40 if c.name in ("criterion", "kg_basis", "source", "basis") else 16 for c in cols},
        )
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    readme = wb.create_sheet("README")
    readme.append(["sheet", "column", "meaning", "allowed values", "example"])
    for cell in readme[1]:
        cell.font = Font(bold=True)
    for values in readme_rows():
        readme.append(values)
    readme.column_dimensions["C"].width = 80
    wb.properties.created = wb.properties.modified = datetime(2026, 11, 28)
    with atomic.atomic_path(path, allow_raw) as tmp:
        wb.save(tmp)
    return path


def write_template(path: str | Path) -> Path:
    """An empty workbook of the right shape, with drop-downs and the README sheet (`make templates`)."""
    return write_workbook(path, {sheet: [] for sheet in SHEETS})


# ------------------------------------------------------------------ reading
@dataclass
class Benchmark:
    criteria: pd.DataFrame
    comparators: pd.DataFrame
    ratifications: pd.DataFrame
    file: str
    warnings: list[Problem]
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)


def _ids(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [part.strip() for part in str(value).replace("\n", ";").split(";") if part.strip()]


def read(path: str | Path = "data/raw/benchmark.xlsx") -> Benchmark:
    """Read and validate the workbook; every problem is collected before an InputError is raised."""
    path = paths.resolve(path)
    file = paths.relative(path)
    frames, problems = {}, []
    for sheet in SHEETS:
        raw = read_excel_sheet(path, sheet)
        frame, found = validate(raw, columns(sheet), file, sheet)
        frames[sheet], problems = frame, problems + found
    raise_if_errors(problems)
    problems += _criteria_checks(frames["criteria"], file)
    criterion_ids = frames["criteria"]["criterion_id"]
    problems += foreign_key(
        frames["comparators"], "criterion_id", criterion_ids, file, "comparators", "criterion (sheet criteria)"
    )
    problems += foreign_key(
        frames["evidence"].assign(criterion_ids=frames["evidence"]["criterion_ids"].map(lambda v: "; ".join(_ids(v)))),
        "criterion_ids",
        criterion_ids,
        file,
        "evidence",
        "criterion (sheet criteria)",
        multi=True,
    )
    dup = frames["comparators"].duplicated(["criterion_id", "country"], keep="first")
    for _, row in frames["comparators"][dup].iterrows():
        problems.append(
            Problem(
                file,
                "comparators",
                int(row[ROW]),
                "country",
                "one row per criterion and country",
                f"{row.criterion_id} {row.country} (duplicate)",
            )
        )
    quoted = quoted_pairs(frames["evidence"])
    for _, row in frames["comparators"].iterrows():
        if row.answer != UNKNOWN and not _ids(row.source):
            problems.append(
                Problem(
                    file,
                    "comparators",
                    int(row[ROW]),
                    "source",
                    "a source for an answer other than unknown",
                    "an empty cell",
                )
            )
        if row.confidence == "sourced" and (row.criterion_id, row.country) not in quoted:
            problems.append(
                Problem(
                    file,
                    "comparators",
                    int(row[ROW]),
                    "confidence",
                    "a quote on sheet evidence for a sourced answer (same criterion and country)",
                    f"{row.criterion_id} {row.country}: sourced without a quote",
                )
            )
    problems += _ratification_checks(frames["ratifications"], file)
    warnings = raise_if_errors(problems)
    return Benchmark(
        frames["criteria"], frames["comparators"], frames["ratifications"], file, warnings, frames["evidence"]
    )


def quoted_pairs(evidence: pd.DataFrame) -> set[tuple[str, str]]:
    """(criterion, country) pairs that have at least one quote on the evidence sheet."""
    return {(cid, row.country) for _, row in evidence.iterrows() if _ids(row.quote) for cid in _ids(row.criterion_ids)}


def _ratification_checks(frame: pd.DataFrame, file: str) -> list[Problem]:
    return [
        Problem(
            file, "ratifications", int(row[ROW]), "status", "a status where no inventory act is given", "an empty cell"
        )
        for _, row in frame.iterrows()
        if not _ids(row.act_id) and not _ids(row.status)
    ]


def _criteria_checks(frame: pd.DataFrame, file: str) -> list[Problem]:
    """Scores need de jure evidence; de facto answers need de facto evidence; 50 needs its option."""
    problems = []
    rules = settings().get("de_facto_rules", {})
    for _, row in frame.iterrows():
        where = dict(file=file, sheet="criteria", row=int(row[ROW]))
        if row.kg_answer in ("0", "50", "100") and not (_ids(row.de_jure_acts) or _ids(row.de_jure_provisions)):
            problems.append(
                Problem(
                    **where,
                    column="de_jure_acts",
                    expected="at least one inventory act or provision id for a scored answer",
                    found="no evidence",
                )
            )
        if row.kg_answer == "50" and not _ids(row.option_50):
            problems.append(
                Problem(
                    **where,
                    column="option_50",
                    expected="the partial option for an answer of 50",
                    found="an empty cell",
                )
            )
        if row.confidence == "sourced" and not _ids(row.source):
            problems.append(
                Problem(
                    **where,
                    column="source",
                    expected="a source address for confidence 'sourced'",
                    found="an empty cell",
                )
            )
        facto = row.de_facto_answer
        evidence = _ids(row.de_facto_codes) + _ids(row.de_facto_findings)
        if facto in ("0", "50", "100") and not evidence:
            problems.append(
                Problem(
                    **where,
                    column="de_facto_codes",
                    expected="consultation codes or finding ids for a de facto answer",
                    found="no evidence",
                )
            )
        if facto == FROM_FINDING and not _ids(row.de_facto_findings):
            problems.append(
                Problem(
                    **where, column="de_facto_findings", expected="a finding id to score from", found="an empty cell"
                )
            )
        elif facto == FROM_FINDING and _ids(row.de_facto_findings)[0].rsplit(".", 1)[-1] not in rules:
            problems.append(
                Problem(
                    **where,
                    column="de_facto_findings",
                    expected="a finding whose metric has a rule "
                    f"in config benchmark.de_facto_rules ({', '.join(rules)})",
                    found=_ids(row.de_facto_findings)[0],
                )
            )
        if facto is None and evidence:
            problems.append(
                Problem(
                    **where,
                    column="de_facto_answer",
                    expected="a de facto answer where de facto evidence is listed",
                    found="an empty cell",
                )
            )
    return problems


# ------------------------------------------------------------------ evidence links
@dataclass(frozen=True)
class Evidence:
    """Ids that exist in the other chapters' outputs, and the findings' values."""

    acts: frozenset[str]
    provisions: frozenset[str]
    codes: frozenset[str]
    findings: Mapping[str, Any]
    confidence: Mapping[str, str] = field(default_factory=dict)  # inventory id -> confidence
    parties: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # act id -> country code -> party status


def load_evidence(inventory_dir: str, codebook_in: str, numbers_in: str) -> Evidence:
    from analysis.engine import numbers

    inventory = paths.resolve(inventory_dir)
    acts = read_processed(inventory / "acts.csv", dtype=str)
    provisions = read_processed(inventory / "provisions.csv", dtype=str)
    confidence = {}
    for table in (acts, provisions):
        if "confidence" in table.columns:
            confidence.update(zip(table["id"], table["confidence"]))
    codes = read_processed(paths.resolve(codebook_in), dtype=str)["code_id"]
    if not paths.resolve(numbers_in).exists():
        raise_if_errors(
            [
                Problem(
                    file=paths.relative(paths.resolve(numbers_in)),
                    expected="the merged numbers of the earlier chapters (make merges them)",
                    found="no such file",
                )
            ]
        )
    values = {n.id: n.value for n in numbers.load(numbers_in)}
    return Evidence(
        frozenset(acts["id"]), frozenset(provisions["id"]), frozenset(codes), values, confidence, act_parties(acts)
    )


def act_parties(acts: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Party status of every act for the destination and the origin, as the inventory records it."""
    roles = {
        config.get("corridor.destination.code"): "destination_party",
        config.get("corridor.origin.code"): "origin_party",
    }
    return {
        row["id"]: {
            code: str(row[column])
            for code, column in roles.items()
            if column in acts.columns and isinstance(row[column], str) and row[column]
        }
        for _, row in acts.iterrows()
    }


def check_links(bench: Benchmark, evidence: Evidence, sources: Mapping[str, str] | None = None) -> list[Problem]:
    """Raise InputError naming the workbook row of every evidence id that does not exist.

    Returns warnings for answers whose confidence is stronger than that of an inventory row they cite:
    the consultant must confirm the answer rests only on the stronger facts (never upgrade memory).
    """
    sources = sources or {}
    crit = bench.criteria
    checks = [
        ("de_jure_acts", evidence.acts, f"inventory act ({sources.get('acts', 'acts.csv')})"),
        (
            "de_jure_provisions",
            evidence.provisions,
            f"inventory provision ({sources.get('provisions', 'provisions.csv')})",
        ),
        ("de_facto_codes", evidence.codes, f"consultation code ({sources.get('codes', 'codebook.csv')})"),
        ("de_facto_findings", evidence.findings, f"number ({sources.get('findings', 'numbers.json')})"),
    ]
    problems = []
    for column, valid, what in checks:
        problems += foreign_key(
            crit.assign(**{column: crit[column].map(lambda v: "; ".join(_ids(v)))}),
            column,
            valid,
            bench.file,
            "criteria",
            what,
            multi=True,
        )
    problems += foreign_key(
        bench.ratifications,
        "act_id",
        evidence.acts,
        bench.file,
        "ratifications",
        f"inventory act ({sources.get('acts', 'acts.csv')})",
    )
    problems += foreign_key(
        crit, "status_act", evidence.acts, bench.file, "criteria", f"inventory act ({sources.get('acts', 'acts.csv')})"
    )
    raise_if_errors(problems)
    raise_if_errors(status_problems(bench, evidence.parties))
    return confidence_warnings(crit, evidence.confidence, bench.file)


def status_problems(bench: Benchmark, parties: Mapping[str, Mapping[str, str]]) -> list[Problem]:
    """A typed ratification status must equal the inventory's; a status criterion's answer must follow it.

    One fact, one value: the party status lives in the inventory; the benchmark repeats it only to
    score it, through the mapping `benchmark.status_answers` (party -> 100, signed -> 50 ...).
    """
    problems = []
    for _, row in bench.ratifications.iterrows():
        act = _ids(row.act_id)
        if act and _ids(row.status):
            recorded = parties.get(act[0], {}).get(row.country)
            if recorded and recorded != row.status:
                problems.append(
                    Problem(
                        bench.file,
                        "ratifications",
                        int(row[ROW]),
                        "status",
                        f"the inventory's party status of {act[0]} for {row.country} ('{recorded}'), or a blank cell",
                        row.status,
                    )
                )
    mapping = {str(k): str(v) for k, v in settings()["status_answers"].items()}
    destination = config.get("corridor.destination.code")
    for _, row in bench.criteria.iterrows():
        act = _ids(row.get("status_act"))
        if not act:
            continue
        recorded = parties.get(act[0], {}).get(destination)
        expected = mapping.get(recorded) if recorded else None
        if expected is not None and str(row.kg_answer) != expected:
            problems.append(
                Problem(
                    bench.file,
                    "criteria",
                    int(row[ROW]),
                    "kg_answer",
                    f"{expected} (the inventory records {act[0]} as '{recorded}' for {destination})",
                    row.kg_answer,
                )
            )
    return problems


def _weaker_citations(row: pd.Series, confidence: Mapping[str, str]) -> list[tuple[str, str]]:
    """The inventory rows a criterion cites whose confidence ranks below the criterion's (order in config)."""
    rank = {level: i for i, level in enumerate(settings()["confidence"])}
    own = rank.get(row["confidence"], len(rank))
    return [
        (cited, confidence[cited])
        for column in ("de_jure_acts", "de_jure_provisions")
        for cited in _ids(row[column])
        if confidence.get(cited) in rank and rank[confidence[cited]] > own
    ]


def confidence_warnings(criteria: pd.DataFrame, confidence: Mapping[str, str], file: str) -> list[Problem]:
    """Warnings where a criterion's confidence ranks above a cited inventory row's."""
    return [
        Problem(
            file,
            "criteria",
            int(row[ROW]),
            "confidence",
            f"no stronger than the cited {cited} ({level}), unless the answer rests only on its stronger facts",
            row["confidence"],
            severity="warning",
        )
        for _, row in criteria.iterrows()
        for cited, level in _weaker_citations(row, confidence)
    ]


def confidence_check_table(criteria: pd.DataFrame, confidence: Mapping[str, str]) -> pd.DataFrame:
    """The confidence warnings for print: one line per criterion, with the weaker rows it cites."""
    rows = []
    for _, row in criteria.iterrows():
        weaker = _weaker_citations(row, confidence)
        if weaker:
            rows.append(
                {
                    "Criterion": row["criterion_id"],
                    "Workbook row": int(row[ROW]),
                    "Answer's confidence": row["confidence"],
                    "Weaker inventory rows it cites": "; ".join(f"{breakable(c)} ({level})" for c, level in weaker),
                }
            )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ scoring
def answer_score(answer: Any) -> tuple[str, float]:
    """(status, score): 0/50/100 are scored; "not applicable" and "unknown" carry no score."""
    text = "" if answer is None or (isinstance(answer, float) and np.isnan(answer)) else str(answer).strip()
    if text in (NOT_APPLICABLE, UNKNOWN):
        return text, np.nan
    if text == "":
        return UNKNOWN, np.nan
    score = float(text)
    if score not in (0.0, 50.0, 100.0):
        raise ValueError(f"an answer must be 0, 50, 100, not applicable or unknown, not {text!r}")
    return SCORED, score


def score_from_finding(finding_id: str, value: Any, rules: Mapping[str, Mapping[str, Any]]) -> tuple[str, float]:
    """De facto score of a metric through the band rule named by the finding's last segment.

    A rule is either {kind: at_least, complete_at, partial_at} (shares: higher is better) or
    {kind: at_most, complete_within, partial_within} applied to the absolute value (gaps). A finding
    without a value (suppressed or not computable) gives "unknown", never 0.
    """
    metric = finding_id.rsplit(".", 1)[-1]
    if metric not in rules:
        raise KeyError(f"no rule in config benchmark.de_facto_rules for metric '{metric}' ({finding_id})")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return UNKNOWN, np.nan
    rule, value = rules[metric], float(value)
    if rule["kind"] == "at_least":
        score = 100.0 if value >= rule["complete_at"] else 50.0 if value >= rule["partial_at"] else 0.0
    elif rule["kind"] == "at_most":
        size = abs(value)
        score = 100.0 if size <= rule["complete_within"] else 50.0 if size <= rule["partial_within"] else 0.0
    else:
        raise ValueError(f"unknown rule kind {rule['kind']!r} for metric '{metric}'")
    return SCORED, score


def scored_criteria(
    criteria: pd.DataFrame,
    findings: Mapping[str, Any] | None = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """One row per criterion with de jure and de facto status and score (NaN where not scored)."""
    findings = findings or {}
    rules = rules if rules is not None else settings().get("de_facto_rules", {})
    out = criteria[["criterion_id", "area", "dimension", "mgi_domain", "gender"]].copy()
    jure = [answer_score(a) for a in criteria["kg_answer"]]
    out["de_jure_status"] = [s for s, _ in jure]
    out["de_jure_score"] = [v for _, v in jure]
    facto = []
    for answer, listed in zip(criteria["de_facto_answer"], criteria["de_facto_findings"]):
        if answer is None or (isinstance(answer, float) and np.isnan(answer)):
            facto.append(("not assessed", np.nan))
        elif answer == FROM_FINDING:
            first = _ids(listed)[0]
            facto.append(score_from_finding(first, findings.get(first), rules))
        else:
            facto.append(answer_score(answer))
    out["de_facto_status"] = [s for s, _ in facto]
    out["de_facto_score"] = [v for _, v in facto]
    return out.reset_index(drop=True)


def _group_score(group: pd.DataFrame, score: str, rule: str) -> float:
    values = group.dropna(subset=[score])
    if values.empty:
        return np.nan
    if rule == "indicator_mean":
        return float(values[score].mean())
    if rule == "dimension_mean":
        return float(values.groupby("dimension", sort=True)[score].mean().mean())
    raise ValueError(f"aggregation rule must be one of {RULES}, not {rule!r}")


def aggregate(
    scored: pd.DataFrame,
    by: str | list[str] = "area",
    rule: str = "dimension_mean",
    score: str = "de_jure_score",
    status: str = "de_jure_status",
) -> pd.DataFrame:
    """Group scores under one MIPEX rule, with counts that keep unknown and not applicable apart.

    `coverage_pct` is the share of applicable criteria that could be scored (unknowns lower it); a
    group with no scored criterion has no score (NaN), never 0.
    """
    keys = [by] if isinstance(by, str) else list(by)
    rows = []
    for key, group in scored.groupby(keys, sort=True, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        n_scored = int((group[status] == SCORED).sum())
        n_unknown = int((group[status] == UNKNOWN).sum())
        n_na = int((group[status] == NOT_APPLICABLE).sum())
        applicable = n_scored + n_unknown
        rows.append(
            {
                **dict(zip(keys, key)),
                "score": _group_score(group, score, rule),
                "criteria": len(group),
                "scored": n_scored,
                "unknown": n_unknown,
                "not_applicable": n_na,
                "coverage_pct": 100.0 * n_scored / applicable if applicable else np.nan,
            }
        )
    return pd.DataFrame(
        rows, columns=keys + ["score", "criteria", "scored", "unknown", "not_applicable", "coverage_pct"]
    )


def sensitivity_panel(scored: pd.DataFrame, by: str = "area") -> pd.DataFrame:
    """How each group's score moves between the two rules, and how far unknowns and NAs could move it.

    The bounds are what-ifs on the 2015 rule (unknown read as 0 or as 100, not applicable read as 0);
    they show the reader how much rests on missing evidence and are never the reported score.
    """

    def variant(frame: pd.DataFrame, rule: str) -> pd.Series:
        return aggregate(frame, by, rule).set_index(by)["score"]

    def filled(mask_status: str, value: float) -> pd.DataFrame:
        frame = scored.copy()
        mask = frame["de_jure_status"] == mask_status
        frame.loc[mask, "de_jure_score"] = value
        frame.loc[mask, "de_jure_status"] = SCORED
        return frame

    base = aggregate(scored, by, "dimension_mean").set_index(by)
    panel = pd.DataFrame(
        {
            "dimension_mean": base["score"],
            "indicator_mean": variant(scored, "indicator_mean"),
        }
    )
    panel["difference"] = panel["indicator_mean"] - panel["dimension_mean"]
    panel["unknown_as_0"] = variant(filled(UNKNOWN, 0.0), "dimension_mean")
    panel["unknown_as_100"] = variant(filled(UNKNOWN, 100.0), "dimension_mean")
    panel["not_applicable_as_0"] = variant(filled(NOT_APPLICABLE, 0.0), "dimension_mean")
    panel["unknown"] = base["unknown"]
    panel["coverage_pct"] = base["coverage_pct"]
    return panel.reset_index()


# ------------------------------------------------------------------ MGI-style profile
def evidence_text(row: pd.Series) -> str:
    """The evidence ids of one criterion, for the profile lists and the annex."""
    parts = []
    jure = _ids(row.get("de_jure_provisions")) or _ids(row.get("de_jure_acts"))
    if jure:
        parts.append("law: " + ", ".join(jure))
    facto = _ids(row.get("de_facto_findings")) + _ids(row.get("de_facto_codes"))
    if facto:
        parts.append("practice: " + ", ".join(facto))
    return "; ".join(parts)


def domain_lists(criteria: pd.DataFrame, scored: pd.DataFrame, synthetic: pd.Series | None = None) -> pd.DataFrame:
    """Per criterion, its place in the MGI-style profile.

    well developed = the law meets the criterion (100) and practice, where assessed on real evidence,
    does too; potential for further development = the law is partial or absent, or real practice falls
    short of it; not assessed = unknown in law (listed so that the gap in evidence stays visible). A
    practice score resting on synthetic example data (`synthetic`, per criterion) is shown as
    illustrative and never moves a criterion from one list to another.
    """
    flags = (pd.Series(False, index=criteria.index) if synthetic is None else synthetic).to_numpy()
    merged = criteria.assign(_synthetic=flags).merge(
        scored[["criterion_id", "de_jure_status", "de_jure_score", "de_facto_status", "de_facto_score"]],
        on="criterion_id",
    )
    rows = []
    for _, row in merged.iterrows():
        if row["de_jure_status"] == NOT_APPLICABLE:
            continue
        real_practice = row["de_facto_status"] == SCORED and not row["_synthetic"]
        if row["de_jure_status"] == UNKNOWN:
            place = "not assessed (unknown)"
        elif row["de_jure_score"] == 100 and not (real_practice and row["de_facto_score"] < 100):
            place = "well developed"
        else:
            place = "potential for further development"
        reason = "law: " + ("unknown" if row["de_jure_status"] == UNKNOWN else f"{row['de_jure_score']:.0f}")
        if row["de_facto_status"] == SCORED:
            reason += f", practice: {row['de_facto_score']:.0f}" + (
                " (illustrative: synthetic example data, not counted)" if row["_synthetic"] else ""
            )
        rows.append(
            {
                "mgi_domain": row["mgi_domain"],
                "place": place,
                "criterion_id": row["criterion_id"],
                "criterion": row["criterion"],
                "scores": reason,
                "evidence": evidence_text(row),
                "synthetic_practice": bool(row["_synthetic"]),
            }
        )
    return pd.DataFrame(
        rows, columns=["mgi_domain", "place", "criterion_id", "criterion", "scores", "evidence", "synthetic_practice"]
    )


def domain_profile(scored: pd.DataFrame, domains: Iterable[str]) -> pd.DataFrame:
    """Counts of complete / partial / absent / unknown per MGI domain, in the configured domain order."""
    rows = []
    for domain in domains:
        group = scored[scored["mgi_domain"] == domain]
        jure = group["de_jure_score"]
        rows.append(
            {
                "mgi_domain": domain,
                "complete": int((jure == 100).sum()),
                "partial": int((jure == 50).sum()),
                "absent": int((jure == 0).sum()),
                "unknown": int((group["de_jure_status"] == UNKNOWN).sum()),
                "not_applicable": int((group["de_jure_status"] == NOT_APPLICABLE).sum()),
                "mean_score": float(jure.mean()) if jure.notna().any() else np.nan,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ de jure vs de facto
def gaps(criteria: pd.DataFrame, scored: pd.DataFrame, synthetic: pd.Series | None = None) -> pd.DataFrame:
    """Criteria scored both in law and in practice, with the gap (law minus practice) and whether the
    practice score rests on synthetic example data."""
    flags = (pd.Series(False, index=criteria.index) if synthetic is None else synthetic).to_numpy()
    both = scored[(scored["de_jure_status"] == SCORED) & (scored["de_facto_status"] == SCORED)]
    out = both.merge(
        criteria.assign(synthetic_practice=flags)[
            ["criterion_id", "criterion", "de_facto_basis", "synthetic_practice"]
        ],
        on="criterion_id",
    )
    out["gap"] = out["de_jure_score"] - out["de_facto_score"]
    out["evidence"] = [
        evidence_text(r)
        for _, r in criteria.set_index("criterion_id").loc[out["criterion_id"]].reset_index().iterrows()
    ]
    return (
        out[
            [
                "criterion_id",
                "area",
                "criterion",
                "de_jure_score",
                "de_facto_score",
                "gap",
                "de_facto_basis",
                "evidence",
                "synthetic_practice",
            ]
        ]
        .sort_values("criterion_id")
        .reset_index(drop=True)
    )


# ------------------------------------------------------------------ comparators
def answers_by_country(
    criteria: pd.DataFrame, comparators: pd.DataFrame, destination: str, countries: Iterable[str]
) -> pd.DataFrame:
    """Wide table: one row per criterion, one column per country (destination first); no blanks.

    A comparator with no row for a criterion is "unknown": absence of evidence is never a zero.
    """
    wide = criteria[["criterion_id", "area", "criterion"]].copy()
    wide[destination] = criteria["kg_answer"].to_numpy()
    for country in countries:
        answers = comparators[comparators["country"] == country].set_index("criterion_id")["answer"]
        wide[country] = wide["criterion_id"].map(answers).fillna(UNKNOWN)
    return wide


def comparator_scores(
    wide: pd.DataFrame, criteria: pd.DataFrame, countries: Iterable[str], rule: str = "dimension_mean"
) -> pd.DataFrame:
    """Area scores per country on the criteria each country has; long format with coverage."""
    frames = []
    for country in countries:
        status_score = [answer_score(a) for a in wide[country]]
        frame = criteria[["criterion_id", "area", "dimension", "mgi_domain"]].copy()
        frame["de_jure_status"] = [s for s, _ in status_score]
        frame["de_jure_score"] = [v for _, v in status_score]
        agg = aggregate(frame, "area", rule)
        agg.insert(0, "country", country)
        frames.append(agg)
    return pd.concat(frames, ignore_index=True)


def shared_scores(
    wide: pd.DataFrame, criteria: pd.DataFrame, countries: list[str], rule: str = "dimension_mean"
) -> pd.DataFrame:
    """Area scores computed only on criteria that every listed country has scored (like for like)."""
    statuses = pd.DataFrame({c: [answer_score(a)[0] for a in wide[c]] for c in countries})
    common = (statuses == SCORED).all(axis=1).to_numpy()
    return comparator_scores(wide[common], criteria[common], countries, rule)


def like_for_like_table(
    wide: pd.DataFrame,
    criteria: pd.DataFrame,
    pair: list[str],
    rule: str,
    names: Mapping[str, str],
    area_labels: Mapping[str, str],
) -> pd.DataFrame:
    """Area scores of two regimes side by side, on the criteria both have scored (empty if they share none)."""
    shared = shared_scores(wide, criteria, pair, rule)
    shared = shared[shared["scored"] > 0]
    if shared.empty:
        return pd.DataFrame(columns=["Area", *(names[c] for c in pair), "Criteria"])
    scores = shared.pivot(index="area", columns="country", values="score")
    counts = shared.groupby("area")["scored"].max()
    order = [a for a in area_labels if a in scores.index]
    return pd.DataFrame(
        {
            "Area": [area_labels[a] for a in order],
            **{names[c]: scores.loc[order, c].round(0).astype("Int64").to_numpy() for c in pair},
            "Criteria": counts.loc[order].astype(int).to_numpy(),
        }
    )


def like_for_like_panel(
    wide: pd.DataFrame,
    criteria: pd.DataFrame,
    destination: str,
    rule: str,
    names: Mapping[str, str],
    area_labels: Mapping[str, str],
) -> pd.DataFrame:
    """The like-for-like tables of the destination with each comparator in one table, area by area: for each
    comparator, the two scores on the criteria both have scored and how many those are (blank where none)."""
    panel = pd.DataFrame({"Area": list(area_labels.values())})
    for code in names:
        if code == destination:
            continue
        like = like_for_like_table(wide, criteria, [destination, code], rule, names, area_labels)
        if like.empty:
            continue
        like = like.rename(
            columns={
                names[destination]: f"{names[destination]} (with {names[code]})",
                "Criteria": f"Criteria ({names[code]})",
            }
        )
        panel = panel.merge(like, on="Area", how="left")
    shown = panel.dropna(how="all", subset=panel.columns[1:]) if len(panel.columns) > 1 else panel.iloc[0:0]
    return shown.reset_index(drop=True)


def ratification_table(
    ratifications: pd.DataFrame, countries: list[str], parties: Mapping[str, Mapping[str, str]] | None = None
) -> pd.DataFrame:
    """One row per instrument, status and confidence per country side by side.

    Where a row names an inventory act, its status is the inventory's (one value per fact).
    """
    parties = parties or {}
    frame = ratifications.copy()
    frame["status"] = [
        parties.get(_ids(a)[0], {}).get(c) if _ids(a) and parties.get(_ids(a)[0], {}).get(c) else s
        for a, c, s in zip(frame["act_id"], frame["country"], frame["status"])
    ]
    order = list(dict.fromkeys(frame["instrument"]))
    wide = pd.DataFrame({"instrument": order})
    for country in countries:
        part = frame[frame["country"] == country].set_index("instrument")
        wide[f"{country} status"] = wide["instrument"].map(part["status"]).fillna(UNKNOWN)
        wide[f"{country} detail"] = wide["instrument"].map(part["detail"]).fillna("")
        wide[f"{country} confidence"] = wide["instrument"].map(part["confidence"]).fillna("")
    acts = frame.drop_duplicates("instrument").set_index("instrument")["act_id"]
    wide.insert(1, "act_id", wide["instrument"].map(acts))
    return wide


# ------------------------------------------------------------------ synthetic practice evidence
def synthetic_practice(criteria: pd.DataFrame, is_synthetic) -> pd.Series:
    """Per criterion: does its practice evidence rest on a synthetic example input?

    `benchmark.de_facto_inputs` names the raw input behind consultation codes and behind finding ids of
    each chapter (by id prefix); `is_synthetic(input)` says whether that input is synthetic.
    """
    inputs = settings()["de_facto_inputs"]
    codes_synthetic = is_synthetic(inputs["codes"])
    by_prefix = {prefix: is_synthetic(raw) for prefix, raw in inputs["findings"].items()}
    flags = []
    for codes, findings, answer in zip(
        criteria["de_facto_codes"], criteria["de_facto_findings"], criteria["de_facto_answer"]
    ):
        if answer is None or (isinstance(answer, float) and np.isnan(answer)):
            flags.append(False)
            continue
        flag = bool(_ids(codes)) and codes_synthetic
        flag |= any(by_prefix.get(f.split(".")[0], False) for f in _ids(findings))
        flags.append(flag)
    return pd.Series(flags, index=criteria.index, dtype=bool)


# ------------------------------------------------------------------ whole analysis (used by notebook 50)
def slug(text: str) -> str:
    """A finding-id-safe form of a label ("migrants' rights" -> "migrants_rights")."""
    return "_".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split())


def comparison_table(
    criteria: pd.DataFrame, comparators: pd.DataFrame, destination: str, countries: Iterable[str]
) -> pd.DataFrame:
    """The comparison set (criteria flagged `comparison`): each country's answer, confidence and basis.

    A country without a row for a criterion is unknown, with no source: absence of evidence is never a 0.
    """
    chosen = criteria[criteria["comparison"].astype(bool)]
    out = chosen[["criterion_id", "area", "criterion"]].copy()
    out[f"{destination}_answer"] = chosen["kg_answer"].to_numpy()
    out[f"{destination}_confidence"] = chosen["confidence"].to_numpy()
    out[f"{destination}_basis"] = chosen["kg_basis"].to_numpy()
    for country in countries:
        rows = comparators[comparators["country"] == country].set_index("criterion_id")
        out[f"{country}_answer"] = out["criterion_id"].map(rows["answer"]).fillna(UNKNOWN)
        out[f"{country}_confidence"] = out["criterion_id"].map(rows["confidence"]).fillna("uncertain")
        out[f"{country}_basis"] = out["criterion_id"].map(rows["basis"]).fillna("No row for this country: unknown.")
    return out.reset_index(drop=True)


def answer_counts(
    criteria: pd.DataFrame, comparators: pd.DataFrame, destination: str, countries: Iterable[str]
) -> pd.DataFrame:
    """Per country: criteria answered (not unknown), answered with a sourced answer, unknown — over all
    criteria and over the comparison set."""
    rows = []
    chosen = set(criteria.loc[criteria["comparison"].astype(bool), "criterion_id"])
    own = criteria[["criterion_id", "kg_answer", "confidence"]].rename(columns={"kg_answer": "answer"})
    for country in [destination, *countries]:
        answers = own if country == destination else comparators[comparators["country"] == country]
        answers = (
            criteria[["criterion_id"]]
            .merge(answers[["criterion_id", "answer", "confidence"]], how="left", on="criterion_id")
            .fillna({"answer": UNKNOWN, "confidence": "uncertain"})
        )
        known = answers["answer"] != UNKNOWN
        sourced = known & (answers["confidence"] == "sourced")
        in_set = answers["criterion_id"].isin(chosen)
        rows.append(
            {
                "country": country,
                "answered": int(known.sum()),
                "sourced": int(sourced.sum()),
                "unknown": int((~known).sum()),
                "set_answered": int((known & in_set).sum()),
                "set_sourced": int((sourced & in_set).sum()),
                "set_unknown": int((~known & in_set).sum()),
                "sourced_ids": "; ".join(answers.loc[sourced, "criterion_id"]),
            }
        )
    return pd.DataFrame(rows)


def international_table(evidence: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """What treaty bodies and IOM assessments say, by criterion (evidence rows of kind 'international')."""
    rows = []
    names = criteria.set_index("criterion_id")["criterion"]
    for _, e in evidence[evidence["kind"] == "international"].iterrows():
        for cid in _ids(e.criterion_ids):
            rows.append(
                {
                    "criterion_id": cid,
                    "criterion": names.get(cid, ""),
                    "document": e.document,
                    "pinpoint": e.pinpoint if _ids(e.pinpoint) else "",
                    "date": e.source_date,
                    "says": e.quote_en if _ids(e.quote_en) else e.quote,
                    "quote": e.quote,
                    "tier": e.tier,
                    "address": e.address,
                    "evidence_id": e.evidence_id,
                }
            )
    return (
        pd.DataFrame(
            rows,
            columns=[
                "criterion_id",
                "criterion",
                "document",
                "pinpoint",
                "date",
                "says",
                "quote",
                "tier",
                "address",
                "evidence_id",
            ],
        )
        .sort_values(["criterion_id", "document"], kind="stable")
        .reset_index(drop=True)
    )


def analyse(bench: Benchmark, evidence: Evidence, is_synthetic=lambda _input: False) -> dict[str, pd.DataFrame]:
    """Every table of the chapter, from the checked workbook and the evidence values."""
    s = settings()
    rule = s["aggregation_rule"]
    destination = config.get("corridor.destination.code")
    countries = list(s["comparators"])
    crit = bench.criteria
    scored = scored_criteria(crit, evidence.findings, s.get("de_facto_rules", {}))
    synthetic = synthetic_practice(crit, is_synthetic)
    wide = answers_by_country(crit, bench.comparators, destination, countries)
    criteria_scored = crit.drop(columns=[ROW]).merge(
        scored[["criterion_id", "de_jure_status", "de_jure_score", "de_facto_status", "de_facto_score"]],
        on="criterion_id",
    )
    criteria_scored["evidence"] = [evidence_text(r) for _, r in crit.iterrows()]
    criteria_scored["synthetic_practice"] = synthetic.to_numpy()
    in_set = crit["comparison"].astype(bool).to_numpy()
    return {
        "criteria_scored": criteria_scored,
        "area_scores": aggregate(scored, "area", rule),
        "sensitivity_panel": sensitivity_panel(scored, "area"),
        "dimension_scores": aggregate(scored, ["area", "dimension"], "indicator_mean"),
        "domain_profile": domain_profile(scored, s["mgi_domains"]),
        "domain_lists": domain_lists(crit, scored, synthetic),
        "gaps": gaps(crit, scored, synthetic),
        "comparators_wide": wide,
        "comparison": comparison_table(crit, bench.comparators, destination, countries),
        "answer_counts": answer_counts(crit, bench.comparators, destination, countries),
        "comparator_scores": comparator_scores(wide[in_set], crit[in_set], [destination] + countries, rule),
        "ratifications": ratification_table(bench.ratifications, list(s["ratification_countries"]), evidence.parties),
        "international": international_table(bench.evidence, crit),
        "evidence": bench.evidence.drop(columns=[ROW]),
    }


def write_tables(folder: str | Path, tables: Mapping[str, pd.DataFrame]) -> list[Path]:
    folder = paths.resolve(folder)
    return [atomic.write_csv(folder / f"{name}.csv", frame) for name, frame in tables.items()]


def record_findings(reg, tables: Mapping[str, pd.DataFrame], out: str) -> None:
    """Headline numbers (ids benchmark.*) into the numbers registry."""
    from analysis.engine import text as words

    s = settings()
    crit = tables["criteria_scored"]
    where = f"{out}/criteria_scored.csv"
    ids = crit["criterion_id"]
    reg.record("benchmark.criteria.total", len(crit), "criteria", "Criteria in the benchmark", where, rows=ids)
    for status in (SCORED, UNKNOWN, NOT_APPLICABLE):
        chosen = crit[crit["de_jure_status"] == status]["criterion_id"]
        reg.record(
            f"benchmark.criteria.{slug(status)}",
            len(chosen),
            "criteria",
            f"Criteria whose answer in law is {status}",
            where,
            rows=chosen,
        )
    gender = crit[crit["gender"].astype(bool)]["criterion_id"]
    reg.record(
        "benchmark.criteria.gender",
        len(gender),
        "criteria",
        "Gender criteria (GCM principle (g), objective 1)",
        where,
        rows=gender,
    )
    facto = crit[crit["de_facto_status"] == SCORED]["criterion_id"]
    reg.record(
        "benchmark.criteria.de_facto_scored",
        len(facto),
        "criteria",
        "Criteria with a de facto score",
        where,
        rows=facto,
    )
    illustrative = crit[(crit["de_facto_status"] == SCORED) & crit["synthetic_practice"]]["criterion_id"]
    reg.record(
        "benchmark.criteria.de_facto_synthetic",
        len(illustrative),
        "criteria",
        "Criteria whose practice score rests on synthetic example data (illustrative)",
        where,
        rows=illustrative,
    )
    rule = s["aggregation_rule"]
    reg.record(
        "benchmark.rule",
        s["rule_labels"][rule],
        "text",
        "The aggregation rule the chapter reports",
        "config benchmark.aggregation_rule",
    )
    for row in tables["area_scores"].itertuples(index=False):
        area_ids = crit[crit["area"] == row.area]["criterion_id"]
        reg.record(
            f"benchmark.area.{slug(row.area)}.score",
            row.score,
            "points of 100",
            f"Area score in law ({s['rule_labels'][rule]}): {row.area}",
            f"{out}/area_scores.csv",
            rows=area_ids,
        )
        reg.record(
            f"benchmark.area.{slug(row.area)}.coverage_pct",
            row.coverage_pct,
            "%",
            f"Share of applicable criteria scored (not unknown): {row.area}",
            f"{out}/area_scores.csv",
            rows=area_ids,
        )
    lists = tables["domain_lists"]
    for domain in tables["domain_profile"]["mgi_domain"]:
        for place, key in (("well developed", "well_developed"), ("potential for further development", "potential")):
            chosen = lists[(lists["mgi_domain"] == domain) & (lists["place"] == place)]["criterion_id"]
            reg.record(
                f"benchmark.domain.{slug(domain)}.{key}",
                len(chosen),
                "criteria",
                f"Criteria listed as {place}: {domain}",
                f"{out}/domain_lists.csv",
                rows=chosen,
            )
    gap = tables["gaps"]
    real = gap[~gap["synthetic_practice"]]
    reg.record(
        "benchmark.gaps.assessed",
        len(gap),
        "criteria",
        "Criteria scored both in law and in practice",
        f"{out}/gaps.csv",
        rows=gap["criterion_id"],
    )
    reg.record(
        "benchmark.gaps.assessed_real",
        len(real),
        "criteria",
        "Criteria scored both in law and in practice on evidence that is not synthetic",
        f"{out}/gaps.csv",
        rows=real["criterion_id"],
    )
    reg.record(
        "benchmark.gaps.practice_below_law",
        int((gap["gap"] > 0).sum()),
        "criteria",
        "Criteria where practice scores below law",
        f"{out}/gaps.csv",
        rows=gap[gap["gap"] > 0]["criterion_id"],
    )
    counts = tables["answer_counts"].set_index("country")
    names = dict(s["comparators"])
    chosen = crit[crit["comparison"].astype(bool)]["criterion_id"]
    reg.record(
        "benchmark.comparison.criteria",
        len(chosen),
        "criteria",
        "Criteria of the regional comparison (those that matter most to the corridor's workers and students)",
        where,
        rows=chosen,
    )
    reg.record(
        "benchmark.comparators.names",
        words.listing(names.values()),
        "text",
        "The comparator countries (configuration)",
        "config benchmark.comparators",
    )
    for code, name in names.items():
        c = counts.loc[code]
        key = f"benchmark.comparators.{slug(code)}"
        reg.record(f"{key}.name", name, "text", f"Name of comparator {code}", "config benchmark.comparators")
        reg.record(
            f"{key}.answered",
            int(c["answered"]),
            "criteria",
            f"Criteria answered for {name} (not unknown)",
            f"{out}/answer_counts.csv",
        )
        reg.record(
            f"{key}.sourced",
            int(c["sourced"]),
            "criteria",
            f"Criteria with a sourced answer (a quote on the evidence sheet) for {name}",
            f"{out}/answer_counts.csv",
            rows=_ids(c["sourced_ids"]),
        )
        reg.record(
            f"{key}.set_sourced",
            int(c["set_sourced"]),
            "criteria",
            f"Criteria of the comparison set with a sourced answer for {name}",
            f"{out}/answer_counts.csv",
        )
        reg.record(
            f"{key}.set_unknown",
            int(c["set_unknown"]),
            "criteria",
            f"Criteria of the comparison set that remain unknown for {name}",
            f"{out}/answer_counts.csv",
        )
    reg.record(
        "benchmark.comparators.sourced_text",
        words.listing(f"{int(counts.loc[code, 'sourced'])} for {name}" for code, name in names.items()),
        "text",
        "Sourced answers over all criteria, per comparator, in words",
        f"{out}/answer_counts.csv",
    )
    reg.record(
        "benchmark.comparators.set_sourced_text",
        words.listing(f"{int(counts.loc[code, 'set_sourced'])} for {name}" for code, name in names.items()),
        "text",
        "Sourced answers in the comparison set, per comparator, in words",
        f"{out}/answer_counts.csv",
    )
    reg.record(
        "benchmark.comparators.set_unknown_text",
        words.listing(f"{int(counts.loc[code, 'set_unknown'])} for {name}" for code, name in names.items()),
        "text",
        "Answers of the comparison set that remain unknown, per comparator, in words",
        f"{out}/answer_counts.csv",
    )
    diff = differences(
        tables["comparison"],
        {config.get("corridor.destination.code"): config.get("corridor.destination.name"), **names},
    )
    reg.record(
        "benchmark.comparison.differ",
        len(diff),
        "criteria",
        "Criteria of the comparison set on which the known answers of the regimes differ",
        f"{out}/comparison.csv",
        rows=diff["criterion_id"],
    )
    reg.record(
        "benchmark.comparison.differences",
        differences_text(diff),
        "text",
        "The criteria on which the regimes differ, with each regime's answer",
        f"{out}/comparison.csv",
        rows=diff["criterion_id"],
    )
    international = tables["international"]
    reg.record(
        "benchmark.international.quotes",
        len(international.drop_duplicates("evidence_id")),
        "quotes",
        "Quotes of treaty bodies and IOM assessments used as evidence",
        f"{out}/international.csv",
        rows=international["evidence_id"],
    )
    reg.record(
        "benchmark.international.criteria",
        international["criterion_id"].nunique(),
        "criteria",
        "Criteria on which a treaty body or IOM assessment speaks",
        f"{out}/international.csv",
        rows=international["criterion_id"],
    )
    rat = tables["ratifications"]
    countries = dict(s["ratification_countries"])
    for country in countries:
        party = rat[rat[f"{country} status"].isin(["party", "member"])]["instrument"]
        reg.record(
            f"benchmark.ratifications.{slug(country)}.party",
            len(party),
            "instruments",
            f"Instruments of the table to which {country} is a party or member",
            f"{out}/ratifications.csv",
            rows=party,
        )
        reg.record(
            f"benchmark.ratifications.{slug(country)}.name",
            countries[country],
            "text",
            f"Name of ratification country {country}",
            "config benchmark.ratification_countries",
        )
    reg.record(
        "benchmark.ratifications.summary_text",
        words.listing(
            f"{countries[c]}{' is a party or member to ' if i == 0 else ' to '}"
            f"{words.count_phrase(int(rat[f'{c} status'].isin(['party', 'member']).sum()), 'instrument')}"
            for i, c in enumerate(countries)
        ),
        "text",
        "Instruments of the table to which each country is a party or member, in words",
        f"{out}/ratifications.csv",
    )
    for _, row in rat.iterrows():
        act = row["act_id"]
        if not isinstance(act, str) or not act:
            continue
        for country in countries:
            reg.record(
                f"benchmark.status.{act.lower()}.{slug(country)}",
                row[f"{country} status"],
                "text",
                f"Party status of {row['instrument']} for {country} (the inventory's)",
                f"{out}/ratifications.csv",
                rows=[act],
            )


# ------------------------------------------------------------------ figures
ANSWER_COLOURS = {
    "complete": "#009E73",
    "partial": "#E69F00",
    "absent": "#D55E00",
    "unknown": "#BBBBBB",
    "not_applicable": "#FFFFFF",
}
ANSWER_LABELS = {
    "complete": "complete (100)",
    "partial": "partial (50)",
    "absent": "absent (0)",
    "unknown": "unknown",
    "not_applicable": "not applicable",
}


def _stacked(ax, frame: pd.DataFrame, label_column: str) -> None:
    left = np.zeros(len(frame))
    for key in ("complete", "partial", "absent", "unknown", "not_applicable"):
        values = frame[key].to_numpy(dtype=float)
        ax.barh(
            frame[label_column],
            values,
            left=left,
            color=ANSWER_COLOURS[key],
            edgecolor="#555555",
            linewidth=0.5,
            label=ANSWER_LABELS[key],
        )
        left += values
    ax.invert_yaxis()
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("criteria")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=5, frameon=False)


def figure_domain_profile(profile: pd.DataFrame):
    """Counts of complete / partial / absent / unknown criteria per MGI domain (no ranking)."""

    from analysis.engine import figures

    fig, ax = figures.new_figure(8.0, 4.2)
    _stacked(ax, profile, "mgi_domain")
    ax.set_ylabel("")
    return fig


# ------------------------------------------------------------------ tables for the chapter
def area_table(area_scores: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Area": area_scores["area"].map(labels),
            "Score in law": area_scores["score"],
            "Criteria": area_scores["criteria"],
            "Scored": area_scores["scored"],
            "Unknown": area_scores["unknown"],
            "Not applicable": area_scores["not_applicable"],
            "Scored, %": area_scores["coverage_pct"],
        }
    )


def _answer_cell(answer: str, confidence: str) -> str:
    return answer if answer in (UNKNOWN,) else f"{answer} ({confidence})"


def comparison_display(
    comparison: pd.DataFrame, names: Mapping[str, str], area_labels: Mapping[str, str]
) -> pd.DataFrame:
    """The comparison set side by side: each country's answer with the confidence of the facts behind it."""
    out = pd.DataFrame(
        {
            "Area": comparison["area"].map(area_labels),
            "Criterion": comparison["criterion"],
        }
    )
    for code, name in names.items():
        out[name] = [_answer_cell(a, c) for a, c in zip(comparison[f"{code}_answer"], comparison[f"{code}_confidence"])]
    return out


def differences(comparison: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Criteria of the comparison set where the regimes' known answers differ (unknowns are not compared)."""
    rows = []
    for _, r in comparison.iterrows():
        known = {code: r[f"{code}_answer"] for code in names if r[f"{code}_answer"] not in (UNKNOWN, NOT_APPLICABLE)}
        if len(known) >= 2 and len(set(known.values())) > 1:
            rows.append(
                {
                    "criterion_id": r["criterion_id"],
                    "criterion": r["criterion"],
                    "answers": ", ".join(f"{names[c]} {a}" for c, a in known.items()),
                }
            )
    return pd.DataFrame(rows, columns=["criterion_id", "criterion", "answers"])


def differences_text(diff: pd.DataFrame) -> str:
    """ "students may work part-time during their studies (Kyrgyzstan 0, Kazakhstan 0, Russia 100); ..."."""
    from analysis.engine import text as words

    return words.listing(
        (f"{r.criterion[0].lower() + r.criterion[1:].rstrip('.')} ({r.answers})" for r in diff.itertuples()),
        conjunction="and",
        empty="none",
    )


def international_display(international: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Criterion": international["criterion_id"].replace("", "the assessment as a whole"),
            "Document": international["document"],
            "Paragraph": international["pinpoint"],
            "Date": international["date"].map(lambda d: "" if pd.isna(d) else words_date(d)),
            "What it says": international["says"],
        }
    )


def words_date(value) -> str:
    from analysis.engine import text as words

    return words.house_date(value)


# ------------------------------------------------------------------ annex
def _practice_text(row: pd.Series) -> str:
    if row["de_facto_status"] == "not assessed":
        return ""
    answer = row["de_facto_answer"]
    shown = f"{row['de_facto_score']:.0f}" if row["de_facto_status"] == SCORED else row["de_facto_status"]
    return f"{shown} (from finding)" if answer == FROM_FINDING else shown


def breakable(identifier: str) -> str:
    """Let long ids (processing_times.single_permit.share_within_deadline) wrap in narrow printed columns."""
    return identifier.replace(".", ".\u200b").replace("_", "_\u200b")


def cited_facts(inventory_dir: str | Path) -> set[str]:
    """The inventory facts a table may cite by reference number (`[#ID]`): those of the legal chapter's citations."""
    return set(read_processed(paths.resolve(inventory_dir) / "citations.csv")["fact_id"].astype(str))


def annex_table(criteria_scored: pd.DataFrame, cited: Iterable[str] = ()) -> pd.DataFrame:
    """One line per criterion: its answers and the evidence behind them. Inventory facts in `cited` become
    reference numbers (`[#ID]`, resolved at assembly); the bases, quotes and addresses stay in the workbook."""
    cited = set(cited)
    rows = []
    for _, r in criteria_scored.iterrows():
        provisions = _ids(r["de_jure_provisions"])
        law = provisions + [a for a in _ids(r["de_jure_acts"]) if not any(p.startswith(a + "-") for p in provisions)]
        refs = [i for i in law if i in cited]
        evidence = [
            *(["[" + "; ".join("#" + i for i in refs) + "]"] if refs else []),
            *[breakable(i) for i in law if i not in cited],
            *[breakable(i) for i in _ids(r["de_facto_codes"]) + _ids(r["de_facto_findings"])],
        ]
        rows.append(
            {
                "Id": r["criterion_id"],
                "Criterion": r["criterion"],
                "Law": r["kg_answer"],
                "Practice": _practice_text(r),
                "Confidence": r["confidence"],
                "Evidence": "; ".join(evidence),
            }
        )
    return pd.DataFrame(rows)
