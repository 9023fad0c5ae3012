"""Numbered findings and recommendations, their evidence, and how validation participants rated them.

The consultant keeps findings and recommendations in one workbook (data/raw/findings.xlsx) so that
every statement carries its evidence ids and every recommendation names the findings it answers.
Evidence ids are checked against the tables the other chapters write, statements take their numbers
from the findings registry, and validation ratings (data/raw/validation.xlsx) become a per-finding
agreement table that passes disclosure control before it is shown. Vocabularies and the "contested"
rule are in config/corridor.yaml (`findings:`).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment

from analysis.engine import atomic, config, paths, privacy
from analysis.engine.errors import InputError, Problem, raise_if_errors
from analysis.engine.numbers import Registry
from analysis.engine.readers import ROW, read_excel_sheet, read_processed
from analysis.engine.schema import Column, apply_excel_rules, foreign_key, validate
from analysis.engine.text import PlaceholderError, fill, with_unit

FINDINGS_SHEET = "findings"
RECOMMENDATIONS_SHEET = "recommendations"
RATINGS_SHEET = "ratings"
FINDING_ID = re.compile(r"^F-\d{2}$")
RECOMMENDATION_ID = re.compile(r"^R-\d{2}$")
PLACEHOLDER = re.compile(r"\{([a-z0-9][a-z0-9._-]*)(?::[^{}]*)?\}")
#: Evidence columns of the findings sheet: the three checked against tables, and registry ids.
TABLE_EVIDENCE = ("inventory_ids", "code_ids", "criterion_ids")
REGISTRY_EVIDENCE = "finding_refs"
FIXED_DOCUMENT_DATE = "2026-01-01T00:00:00Z"


def settings() -> dict:
    return config.get("findings")


def finding_columns() -> list[Column]:
    return [
        Column("finding_id", unique=True, description="F-01, F-02, … (stable once shared)", example="F-01"),
        Column("section", description="the report chapter the finding belongs to", example="Procedures by pathway"),
        Column(
            "statement",
            description="one or two sentences; numbers as {finding.id} placeholders",
            example="The single permit is issued within {procedures.single_permit.days} working days.",
        ),
        Column(
            "inventory_ids",
            required=False,
            description="act and provision ids of the inventory, ';'-separated",
            example="G01; G01-REG-DEADLINE",
        ),
        Column("code_ids", required=False, description="consultation code ids, ';'-separated", example="C-REG-COST"),
        Column(
            REGISTRY_EVIDENCE,
            required=False,
            description="ids of the findings registry (e.g. processing times), ';'-separated",
            example="processing_times.registration.p80_days",
        ),
        Column("criterion_ids", required=False, description="benchmark criterion ids, ';'-separated", example="WRK-01"),
        Column(
            "synthetic_evidence",
            kind="bool",
            description="yes when any evidence is synthetic example data "
            "(the statement must then say it is illustrative)",
            example="no",
        ),
        Column(
            "discussion",
            description="What the evidence shows and why it matters, for chapter 8 (the summary "
            "shows the statement); numbers as placeholders",
            example="",
        ),
        Column("note", required=False, description="the consultant's note, not shown in the report", example=""),
    ]


def recommendation_columns() -> list[Column]:
    cfg = settings()
    return [
        Column("recommendation_id", unique=True, description="R-01, R-02, …", example="R-01"),
        Column("finding_ids", description="the finding ids it answers, ';'-separated", example="F-01; F-03"),
        Column("recommendation", description="what should be done, in one or two sentences", example=""),
        Column(
            "responsible_body", description="institution id of the inventory (several ';'-separated)", example="MFA-CD"
        ),
        Column(
            "means",
            vocabulary=list(cfg["means"]),
            description="how the body acts: an instrument it can use "
            "itself (config findings.means names the bodies that can use each)",
            example="publication",
        ),
        Column(
            "timeframe", vocabulary=list(cfg["timeframes"]), description="short, medium or long term", example="short"
        ),
        Column("priority", vocabulary=list(cfg["priorities"]), description="high, medium or low", example="high"),
    ]


def rating_columns() -> list[Column]:
    val = settings()["validation"]
    return [
        Column("finding_id", description="the finding rated", example="F-01"),
        Column("participant_id", description="pseudonymous participant id (never a name)", example="V-07"),
        Column("group", vocabulary=list(val["groups"]), description="stakeholder group", example="government"),
        Column("sex", vocabulary=list(val["sexes"]), description="female or male", example="female"),
        Column(
            "rating", vocabulary=list(val["ratings"]), description="agree, partly agree or disagree", example="agree"
        ),
        Column("comment", required=False, description="what the participant said, paraphrased, no names", example=""),
    ]


def split_ids(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [item.strip() for item in str(value).split(";") if item.strip()]


# ---------------------------------------------------------------- the findings workbook
@dataclass
class FindingsTable:
    findings: pd.DataFrame
    recommendations: pd.DataFrame
    file: str
    warnings: list[Problem] = field(default_factory=list)

    @property
    def finding_ids(self) -> list[str]:
        return list(self.findings["finding_id"])


def _id_pattern_problems(
    frame: pd.DataFrame, column: str, pattern: re.Pattern, example: str, file: str, sheet: str
) -> list[Problem]:
    return [
        Problem(file=file, sheet=sheet, row=int(row), column=column, expected=f"an id like {example}", found=value)
        for row, value in zip(frame[ROW], frame[column])
        if value is not None and not pattern.match(str(value))
    ]


def read_findings_table(path: str | Path) -> FindingsTable:
    """Read and check both sheets of the findings workbook (not yet the evidence: see `check_evidence`)."""
    path = paths.resolve(path)
    file = paths.relative(path)
    findings, problems = validate(read_excel_sheet(path, FINDINGS_SHEET), finding_columns(), file, FINDINGS_SHEET)
    recs, rec_problems = validate(
        read_excel_sheet(path, RECOMMENDATIONS_SHEET), recommendation_columns(), file, RECOMMENDATIONS_SHEET
    )
    problems += rec_problems
    if "finding_id" in findings:
        problems += _id_pattern_problems(findings, "finding_id", FINDING_ID, "F-01", file, FINDINGS_SHEET)
    if "recommendation_id" in recs:
        problems += _id_pattern_problems(
            recs, "recommendation_id", RECOMMENDATION_ID, "R-01", file, RECOMMENDATIONS_SHEET
        )
    if "finding_ids" in recs and "finding_id" in findings:
        problems += foreign_key(
            recs,
            "finding_ids",
            findings["finding_id"].dropna(),
            file,
            RECOMMENDATIONS_SHEET,
            "finding of the findings sheet",
            multi=True,
        )
    if {"statement", "synthetic_evidence"} <= set(findings.columns):
        for row, statement, synthetic in zip(findings[ROW], findings["statement"], findings["synthetic_evidence"]):
            if pd.notna(synthetic) and bool(synthetic) and statement and "illustrative" not in statement.casefold():
                problems.append(
                    Problem(
                        file=file,
                        sheet=FINDINGS_SHEET,
                        row=int(row),
                        column="statement",
                        expected="the word 'illustrative' (its evidence is synthetic example data)",
                        found=statement[:60],
                    )
                )
    if {"finding_ids", "recommendation", "responsible_body", "means"} <= set(recs.columns) and {
        "finding_id",
        "synthetic_evidence",
    } <= set(findings.columns):
        problems += _recommendation_checks(findings, recs, file)
    warnings = raise_if_errors(problems)
    return FindingsTable(findings=findings, recommendations=recs, file=file, warnings=warnings)


def synthetic_only(findings: pd.DataFrame, finding_ids: object) -> bool:
    """Whether every finding a recommendation answers rests on synthetic example data."""
    flags = findings.set_index("finding_id")["synthetic_evidence"]
    answered = [f for f in split_ids(finding_ids) if f in flags.index]
    return bool(answered) and all(bool(flags[f]) for f in answered)


def _recommendation_checks(findings: pd.DataFrame, recs: pd.DataFrame, file: str) -> list[Problem]:
    """A body can act only by a means open to it; a recommendation on synthetic evidence only says so."""
    means = settings()["means"]
    problems = []
    for _, r in recs.iterrows():
        where = dict(file=file, sheet=RECOMMENDATIONS_SHEET, row=int(r[ROW]))
        allowed = means.get(r["means"], {}).get("bodies", "any") if isinstance(r["means"], str) else "any"
        if allowed != "any":
            for body in split_ids(r["responsible_body"]):
                if body not in allowed:
                    problems.append(
                        Problem(
                            **where,
                            column="responsible_body",
                            expected=f"a body that can act by {means[r['means']]['label']} "
                            f"({', '.join(allowed)}), or another means",
                            found=body,
                        )
                    )
        if synthetic_only(findings, r["finding_ids"]) and "illustrative" not in str(r["recommendation"]).casefold():
            problems.append(
                Problem(
                    **where,
                    column="recommendation",
                    expected="the word 'illustrative': every finding it answers rests on synthetic example data",
                    found=str(r["recommendation"])[:60],
                )
            )
    return problems


# ---------------------------------------------------------------- evidence
def _evidence_path(spec: list[str], locations: Mapping[str, str]) -> Path:
    parameter, name, _ = spec
    base = locations[parameter]
    return paths.resolve(Path(base, name) if name else Path(base))


def load_evidence_ids(locations: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """For each evidence column, every valid id and the file it comes from ({} when the file is absent).

    `locations` maps the notebook parameters named in config (inventory_dir, codebook_in,
    benchmark_dir) to their values.
    """
    found: dict[str, dict[str, str]] = {}
    for column, specs in settings()["evidence_tables"].items():
        ids: dict[str, str] = {}
        for spec in specs:
            path = _evidence_path(spec, locations)
            if path.exists():
                frame = read_processed(path, dtype=str)
                if spec[2] not in frame.columns:
                    raise InputError(
                        [
                            Problem(
                                file=paths.relative(path),
                                row=1,
                                column=spec[2],
                                expected=f"a column '{spec[2]}'",
                                found=", ".join(frame.columns),
                            )
                        ]
                    )
                ids.update({str(i): paths.relative(path) for i in frame[spec[2]].dropna()})
        found[column] = ids
    return found


def check_evidence(
    table: FindingsTable,
    evidence_ids: Mapping[str, Mapping[str, str]],
    registry_ids: Iterable[str],
    institution_ids: Iterable[str] | None,
    locations: Mapping[str, str],
) -> list[Problem]:
    """Problems for every evidence id, placeholder and responsible body that names nothing existing."""
    problems: list[Problem] = []
    registry_ids = set(registry_ids)
    frame = table.findings
    for column in TABLE_EVIDENCE:
        valid = evidence_ids.get(column, {})
        sources = " or ".join(
            paths.relative(_evidence_path(s, locations)) for s in settings()["evidence_tables"][column]
        )
        cited = [(int(row), item) for row, value in zip(frame[ROW], frame[column]) for item in split_ids(value)]
        if cited and not valid:  # the chapter that writes the table has not run: one problem, not one per id
            problems.append(
                Problem(
                    file=table.file,
                    sheet=FINDINGS_SHEET,
                    column=column,
                    expected=f"ids listed in {sources} (no such table: build that chapter first)",
                    found=f"{len(cited)} ids on rows {', '.join(str(r) for r in dict.fromkeys(r for r, _ in cited))}",
                )
            )
            continue
        problems += [
            Problem(
                file=table.file,
                sheet=FINDINGS_SHEET,
                row=row,
                column=column,
                expected=f"an id listed in {sources}",
                found=item,
            )
            for row, item in cited
            if item not in valid
        ]
    discussions = frame["discussion"] if "discussion" in frame else [""] * len(frame)
    for row, refs, statement, discussion in zip(frame[ROW], frame[REGISTRY_EVIDENCE], frame["statement"], discussions):
        for column, items in (
            (REGISTRY_EVIDENCE, split_ids(refs)),
            ("statement", PLACEHOLDER.findall(statement or "")),
            ("discussion", PLACEHOLDER.findall(discussion or "")),
        ):
            for item in items:
                if item not in registry_ids:
                    problems.append(
                        Problem(
                            file=table.file,
                            sheet=FINDINGS_SHEET,
                            row=int(row),
                            column=column,
                            expected="the id of a number in data/processed/numbers.json",
                            found=item,
                        )
                    )
    if institution_ids is None:
        institutions = paths.relative(_evidence_path(settings()["institutions_table"], locations))
        problems.append(
            Problem(
                file=table.file,
                sheet=RECOMMENDATIONS_SHEET,
                column="responsible_body",
                expected=f"institution ids listed in {institutions}",
                found="no such table: build the legal-framework chapter first",
            )
        )
    else:
        problems += foreign_key(
            table.recommendations,
            "responsible_body",
            institution_ids,
            table.file,
            RECOMMENDATIONS_SHEET,
            "institution of the inventory",
            multi=True,
        )
    return problems


def institution_ids(locations: Mapping[str, str]) -> list[str] | None:
    """Institution ids of the inventory, or None when the inventory has not been built."""
    spec = settings()["institutions_table"]
    path = _evidence_path(spec, locations)
    if not path.exists():
        return None
    return list(read_processed(path, dtype=str)[spec[2]].dropna())


def fill_statements(table: FindingsTable, registry: Registry) -> pd.Series:
    """Statements with their {number.id} placeholders replaced by the registry's formatted numbers."""
    filled = []
    for row, statement in zip(table.findings[ROW], table.findings["statement"]):
        try:
            filled.append(fill(statement, lambda name, spec: registry[name].formatted(spec)))
        except PlaceholderError as exc:
            raise InputError(
                [
                    Problem(
                        file=table.file,
                        sheet=FINDINGS_SHEET,
                        row=int(row),
                        column="statement",
                        expected="placeholders naming recorded findings",
                        found=str(exc),
                    )
                ]
            ) from None
    return pd.Series(filled, index=table.findings.index, name="statement")


def fill_discussions(table: FindingsTable, registry: Registry) -> pd.Series:
    """The chapter-8 discussion of each finding with its placeholders filled (the summary shows the statement)."""
    filled = []
    for row, discussion in zip(table.findings[ROW], table.findings["discussion"]):
        try:
            filled.append(fill(discussion, lambda name, spec: registry[name].formatted(spec)))
        except PlaceholderError as exc:
            raise InputError(
                [
                    Problem(
                        file=table.file,
                        sheet=FINDINGS_SHEET,
                        row=int(row),
                        column="discussion",
                        expected="placeholders naming recorded numbers",
                        found=str(exc),
                    )
                ]
            ) from None
    return pd.Series(filled, index=table.findings.index, name="discussion")


def open_registry(numbers_in: str) -> Registry:
    """A read-only registry over the merged numbers of the chapters (for the final gate)."""
    merged = paths.resolve(numbers_in)
    if not merged.exists():
        raise InputError(
            [
                Problem(
                    file=paths.relative(merged),
                    expected="the merged numbers of the chapters (run the earlier notebooks first)",
                    found="no such file",
                )
            ]
        )
    return Registry(None, notebook="findings-table", others=merged)


def load_checked(findings_table_in: str, registry: Registry, locations: Mapping[str, str]) -> FindingsTable:
    """The findings workbook with every evidence link checked against the tables and the registry.

    `registry` must read the merged numbers (data/processed/numbers.json).
    """
    table = read_findings_table(findings_table_in)
    problems = check_evidence(
        table, load_evidence_ids(locations), registry.known_ids(), institution_ids(locations), locations
    )
    raise_if_errors(problems)
    return table


def inventory_confidence(locations: Mapping[str, str]) -> dict[str, str]:
    """Confidence of every act and provision of the inventory, keyed by id."""
    column = settings()["confidence_column"]
    confidence: dict[str, str] = {}
    for spec in settings()["evidence_tables"]["inventory_ids"]:
        path = _evidence_path(spec, locations)
        if path.exists():
            frame = read_processed(path, dtype=str)
            if column in frame.columns:
                confidence.update({str(i): str(c) for i, c in zip(frame[spec[2]], frame[column].fillna(""))})
    return confidence


def uncertain_evidence(table: FindingsTable, confidence: Mapping[str, str]) -> pd.DataFrame:
    """One row per (finding, inventory id) whose recorded confidence counts as uncertain."""
    uncertain = set(settings()["uncertain_confidence"])
    rows = [
        (fid, item, confidence[item])
        for fid, value in zip(table.findings["finding_id"], table.findings["inventory_ids"])
        for item in split_ids(value)
        if confidence.get(item) in uncertain
    ]
    return pd.DataFrame(rows, columns=["finding_id", "inventory_id", "confidence"])


# ---------------------------------------------------------------- validation
def read_validation(path: str | Path, finding_ids: Iterable[str]) -> pd.DataFrame:
    """Ratings of the validation workbook; a rating of an unknown finding or a repeated rating is an error."""
    path = paths.resolve(path)
    file = paths.relative(path)
    ratings, problems = validate(read_excel_sheet(path, RATINGS_SHEET), rating_columns(), file, RATINGS_SHEET)
    if not problems:
        problems += foreign_key(ratings, "finding_id", finding_ids, file, RATINGS_SHEET, "finding of findings.xlsx")
        repeated = ratings.duplicated(["finding_id", "participant_id"], keep="first")
        problems += [
            Problem(
                file=file,
                sheet=RATINGS_SHEET,
                row=int(r),
                column="participant_id",
                expected="one rating per participant and finding",
                found=f"{p} rated {f} again",
            )
            for r, p, f in zip(
                ratings.loc[repeated, ROW], ratings.loc[repeated, "participant_id"], ratings.loc[repeated, "finding_id"]
            )
        ]
        for pid, group in ratings.groupby("participant_id"):
            for column in ("group", "sex"):
                if group[column].nunique() > 1:
                    row = int(group[ROW].iloc[list(group[column]).index(group[column].iloc[-1])])
                    problems.append(
                        Problem(
                            file=file,
                            sheet=RATINGS_SHEET,
                            row=row,
                            column=column,
                            expected=f"the same {column} on every row of participant {pid}",
                            found=", ".join(sorted(group[column].unique())),
                        )
                    )
    raise_if_errors(problems)
    return ratings


def rating_counts(ratings: pd.DataFrame, finding_ids: Iterable[str]) -> pd.DataFrame:
    """Persons per finding (rows, in workbook order) and rating (columns, in vocabulary order)."""
    levels = settings()["validation"]["ratings"]
    counts = pd.crosstab(
        pd.Categorical(ratings["finding_id"], categories=list(finding_ids)),
        pd.Categorical(ratings["rating"], categories=levels),
        dropna=False,
    )
    counts.index.name, counts.columns.name = "finding_id", "rating"
    return counts.astype(int)


def contested(counts: pd.DataFrame) -> pd.DataFrame:
    """Shares per finding and the contested flag (rule in config `findings.validation`).

    Computed on the full counts: the flag says only that a threshold was crossed, which does not
    reveal any suppressed count.
    """
    val = settings()["validation"]
    n = counts.sum(axis=1)
    agree = (counts["agree"] / n).where(n > 0)
    disagree = (counts["disagree"] / n).where(n > 0)
    flag = (agree < val["contested_below_agree_share"]) | (disagree >= val["contested_from_disagree_share"])
    return pd.DataFrame(
        {"n": n, "agree_share": agree, "disagree_share": disagree, "contested": flag.where(n > 0, False).astype(bool)}
    )


def _suppress_one_finding(table: pd.DataFrame, k: int) -> pd.Series:
    """One finding's counts, suppressed with their margins, flattened to one row ("Total" last)."""
    shown = privacy.suppress_counts(table, k, add_totals=True)
    if shown.shape[0] == 2:  # a single row: its margin row repeats it
        return shown.iloc[0]
    flat = {f"{r}: {c}": shown.loc[r, c] for r in table.index for c in table.columns}
    flat[privacy.TOTAL_LABEL] = shown.iloc[-1, -1]
    return pd.Series(flat)


def agreement_table(counts: pd.DataFrame, k: int) -> pd.DataFrame:
    """Publishable agreement per finding: counts with small cells suppressed, shares where safe, flag.

    Each finding is its own table with its own total (the participants who rated it): the same
    person rates many findings, so totals across findings count ratings, not persons, and are not
    published. A share is shown only when its count is published, so it never reveals a suppressed one.
    """
    shares = contested(counts)
    rows = []
    for finding in counts.index:
        shown = _suppress_one_finding(counts.loc[[finding]], k)
        row = {"finding_id": finding, "raters": shown[privacy.TOTAL_LABEL]}
        row.update({level: shown[level] for level in counts.columns})
        for level, share in (("agree", "agree_share"), ("disagree", "disagree_share")):
            published = isinstance(shown[level], (int, float)) and counts.loc[finding].sum() >= k
            row[f"% {level}"] = f"{100 * shares.loc[finding, share]:.0f} %" if published else ""
        row["contested"] = (
            "not validated"
            if shares.loc[finding, "n"] == 0
            else "contested"
            if shares.loc[finding, "contested"]
            else ""
        )
        rows.append(row)
    return pd.DataFrame(rows)


def agreement_by_sex(ratings: pd.DataFrame, finding_ids: Iterable[str], k: int) -> pd.DataFrame:
    """Ratings of women and men per finding; each finding's sex x rating table suppressed below k."""
    val = settings()["validation"]
    levels, sexes = val["ratings"], val["sexes"]
    rows = []
    for finding in finding_ids:
        mine = ratings[ratings["finding_id"] == finding]
        table = pd.crosstab(
            pd.Categorical(mine["sex"].map(sexes), categories=list(sexes.values())),
            pd.Categorical(mine["rating"], categories=levels),
            dropna=False,
        ).astype(int)
        table.index, table.columns = list(sexes.values()), list(levels)
        rows.append({"finding_id": finding, **_suppress_one_finding(table, k).to_dict()})
    return pd.DataFrame(rows)


def participants_by_group(ratings: pd.DataFrame, k: int) -> pd.DataFrame:
    """Validation participants by group and sex (persons, not ratings), suppressed below k."""
    val = settings()["validation"]
    people = ratings.drop_duplicates("participant_id")
    counts = pd.crosstab(
        pd.Categorical(people["group"].map(val["groups"]), categories=list(val["groups"].values())),
        pd.Categorical(people["sex"].map(val["sexes"]), categories=list(val["sexes"].values())),
        dropna=False,
    ).astype(int)
    counts.index.name, counts.columns.name = "Group", None
    return privacy.suppress_counts(counts, k, add_totals=True).reset_index()


# ---------------------------------------------------------------- writing the workbook
README_FINDINGS = [
    "Findings and recommendations of the review. Edit here; the report reads this workbook.",
    "Sheet 'findings': one row per finding. Statements take numbers from the findings registry as "
    "{number.id} placeholders (ids are listed in data/processed/numbers.json); never type a computed number.",
    "Evidence ids are separated by ';' and must exist: inventory_ids in data/processed/inventory/acts.csv or "
    "provisions.csv, code_ids in data/processed/consultations/codebook.csv, criterion_ids in "
    "data/processed/benchmark/criteria_scored.csv, number ids in data/processed/numbers.json.",
    "synthetic_evidence = yes when any evidence is synthetic example data; the statement must then say 'illustrative'.",
    "Column 'discussion': what the evidence shows and why it matters; chapter 8 shows it (the summary shows the "
    "statement), so the two never repeat each other word for word.",
    "Sheet 'recommendations': finding_ids it answers, responsible_body = institution id of the inventory, "
    "means = how that body acts (config findings.means lists the bodies that can use each means), "
    "timeframe (short / medium / long) and priority (high / medium / low). A recommendation whose findings "
    "all rest on synthetic example data must say 'illustrative'.",
]


def _write_sheet(
    wb: Workbook, title: str, columns: list[Column], rows: Iterable[Mapping], widths: Mapping[str, int]
) -> None:
    ws = wb.create_sheet(title)
    ws.append([c.name for c in columns])
    for row in rows:
        ws.append([_excel_value(row.get(c.name)) for c in columns])
    for index in range(1, len(columns) + 1):
        for cell in ws[ws.cell(1, index).column_letter][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    apply_excel_rules(ws, columns, widths={c.name: widths.get(c.name, 16) for c in columns})


def _excel_value(value: object) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _save(wb: Workbook, path: str | Path, allow_raw: bool) -> Path:
    """Save with fixed dates: the same rows give the same bytes, so a regenerated example file shows no change."""

    wb.properties.creator = "analysis.findings_table"
    buffer = io.BytesIO()
    wb.save(buffer)
    source, fixed = zipfile.ZipFile(buffer), io.BytesIO()
    with zipfile.ZipFile(fixed, "w") as target:  # openpyxl stamps created/modified with the clock
        for name in source.namelist():
            data = source.read(name)
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", FIXED_DOCUMENT_DATE.encode(), data)
            target.writestr(name, data)
    atomic.write_bytes(paths.resolve(path), atomic.deterministic_zip(fixed.getvalue()), allow_raw=allow_raw)
    return Path(path)


def write_findings_workbook(
    path: str | Path, findings: Iterable[Mapping] = (), recommendations: Iterable[Mapping] = (), allow_raw: bool = False
) -> Path:
    """The findings workbook (empty = the template) with drop-downs, frozen headers and a README."""
    wb = Workbook()
    wb.remove(wb.active)
    _write_sheet(
        wb,
        FINDINGS_SHEET,
        finding_columns(),
        findings,
        {"statement": 70, "discussion": 90, "section": 24, "inventory_ids": 28, "finding_refs": 40, "note": 40},
    )
    _write_sheet(
        wb,
        RECOMMENDATIONS_SHEET,
        recommendation_columns(),
        recommendations,
        {"recommendation": 70, "finding_ids": 16, "responsible_body": 18},
    )
    readme = wb.create_sheet("README")
    for line in README_FINDINGS:
        readme.append([line])
    readme.column_dimensions["A"].width = 120
    return _save(wb, path, allow_raw)


def write_validation_workbook(path: str | Path, ratings: Iterable[Mapping] = (), allow_raw: bool = False) -> Path:
    """The validation workbook (empty = the template): one row per participant and finding rated."""
    wb = Workbook()
    wb.remove(wb.active)
    _write_sheet(wb, RATINGS_SHEET, rating_columns(), ratings, {"comment": 60, "group": 22})
    readme = wb.create_sheet("README")
    for line in (
        "Validation of the draft findings: one row per participant and finding rated.",
        "participant_id is a pseudonym (V-01, …); names stay in the private key, never here.",
        "rating: agree, partly agree or disagree. A finding nobody rated blocks the final report.",
    ):
        readme.append([line])
    readme.column_dimensions["A"].width = 100
    return _save(wb, path, allow_raw)


def write_template(folder: str | Path) -> list[Path]:
    """Empty findings and validation workbooks of the right shape (for `make templates`)."""
    folder = Path(folder)
    return [write_findings_workbook(folder / "findings.xlsx"), write_validation_workbook(folder / "validation.xlsx")]


# ---------------------------------------------------------------- the chapter's numbers
def record_numbers(
    reg: Registry,
    table: FindingsTable,
    ratings: pd.DataFrame,
    shares: pd.DataFrame,
    k: int,
    findings_in: str,
    validation_in: str,
    stage: str = "draft",
    feedback_log: Path | None = None,
) -> None:
    """Counts of findings, recommendations and validation (person counts below k are not published)."""
    ids = table.finding_ids
    val = settings()["validation"]
    people = ratings.drop_duplicates("participant_id")

    def at_least_k(n: int) -> int | None:
        return int(n) if n >= k else None

    recs = table.recommendations
    reg.record("findings.total", len(ids), "findings", "findings in the findings workbook", findings_in, rows=ids)
    reg.record(
        "recommendations.total",
        len(recs),
        "recommendations",
        "recommendations in the findings workbook",
        findings_in,
        rows=recs["recommendation_id"],
    )
    high = recs[recs["priority"] == "high"]["recommendation_id"]
    reg.record(
        "recommendations.high_priority",
        len(high),
        "recommendations",
        "recommendations of high priority",
        findings_in,
        rows=high,
    )
    only = recs[[synthetic_only(table.findings, v) for v in recs["finding_ids"]]]["recommendation_id"]
    reg.record(
        "recommendations.synthetic_only",
        len(only),
        "recommendations",
        "recommendations whose findings all rest on synthetic example data (marked illustrative)",
        findings_in,
        rows=only,
    )
    reg.record(
        "findings.contested_below_agree",
        100 * val["contested_below_agree_share"],
        "%",
        "a finding is contested below this share of raters agreeing",
        "config findings.validation",
    )
    reg.record(
        "findings.contested_from_disagree",
        100 * val["contested_from_disagree_share"],
        "%",
        "a finding is contested from this share of raters disagreeing",
        "config findings.validation",
    )
    contested_ids = list(shares.index[shares["contested"]])
    reg.record(
        "findings.contested",
        len(contested_ids),
        "findings",
        "findings below the agreement threshold or at or above the disagreement threshold",
        validation_in,
        rows=contested_ids,
    )
    unrated = list(shares.index[shares["n"] == 0])
    reg.record(
        "findings.not_validated",
        len(unrated),
        "findings",
        "findings no validation participant rated",
        validation_in,
        rows=unrated,
    )
    reg.record(
        "validation.participants",
        at_least_k(len(people)),
        "participants",
        "validation participants (persons)",
        validation_in,
        rows=people["participant_id"],
    )
    for sex, label in val["sexes"].items():
        these = people[people["sex"] == sex]
        reg.record(
            f"validation.participants_{sex}",
            at_least_k(len(these)),
            label.lower(),
            f"validation participants: {label.lower()}",
            validation_in,
            rows=these["participant_id"],
        )
    reg.record(
        "validation.ratings", len(ratings), "ratings", "ratings of findings by validation participants", validation_in
    )
    reg.record(
        "validation.agree_share",
        100 * (ratings["rating"] == "agree").mean() if len(ratings) else None,
        "%",
        "share of all ratings that are 'agree'",
        validation_in,
    )
    reg.record(
        "findings.stage_final",
        int(stage == "final"),
        "flag",
        "1 in the final report (its annex applies)",
        "run setting stage",
    )
    reg.record(
        "feedback.log_present", int(feedback_log is not None), "flag", "1 when the feedback log exists", "feedback log"
    )


def validation_words(row: Mapping, k: int) -> str:
    """ "rated by 24 participants, 79 % agree — contested", or "not yet validated"."""
    if row["contested"] == "not validated":
        return "**not yet validated**"
    raters = f"fewer than {k} participants" if isinstance(row["raters"], str) else f"{row['raters']} participants"
    share = f", {row['% agree']} agree" if row["% agree"] else ""
    flag = " — **contested**" if row["contested"] == "contested" else ""
    return f"rated by {raters}{share}{flag}"


# ---------------------------------------------------------------- what the chapter and the summary show
#: The evidence columns of the findings workbook.
EVIDENCE_COLUMNS = ("inventory_ids", "code_ids", REGISTRY_EVIDENCE, "criterion_ids")


def evidence_text(row: Mapping, code_names: Mapping[str, str] | None = None) -> str:
    """The evidence of one finding in words for the reader: the law as a citation (a footnote naming each act
    and provision), the consultation codes by name, how many benchmark criteria and computed results.

    The ids themselves are the findings workbook's and the annexes' (Annex F lists the criteria); registry
    ids used as placeholders in the statement count as computed evidence too.
    """
    ids = {column: split_ids(row.get(column)) for column in EVIDENCE_COLUMNS}
    ids[REGISTRY_EVIDENCE] = list(
        dict.fromkeys(PLACEHOLDER.findall(row.get("statement") or "") + ids[REGISTRY_EVIDENCE])
    )
    names = code_names or {}
    parts = []
    if ids["inventory_ids"]:
        parts.append("the law [" + "; ".join(f"@{i}" for i in ids["inventory_ids"]) + "]")
    if ids["code_ids"]:
        parts.append("consultations (" + "; ".join(names.get(c, c) for c in ids["code_ids"]) + ")")
    if ids["criterion_ids"]:
        parts.append(with_unit(len(ids["criterion_ids"]), "benchmark criteria") + " (Annex F)")
    if ids[REGISTRY_EVIDENCE]:
        parts.append(with_unit(len(ids[REGISTRY_EVIDENCE]), "computed results"))
    return "; ".join(parts) or "none listed"


def code_names(locations: Mapping[str, str]) -> dict[str, str]:
    """Consultation code id → its name in the codebook ({} when the consultations were not coded yet)."""
    spec = next((s for s in settings()["evidence_tables"]["code_ids"] if s[0] in locations), None)
    path = _evidence_path(spec, locations) if spec else None
    if path is None or not path.exists():
        return {}
    frame = read_processed(path if path.is_file() else path / "codebook.csv", dtype=str)
    return dict(zip(frame["code_id"], frame["name"].fillna(frame["code_id"])))


def institution_names(locations: Mapping[str, str], name_column: str = "name_en") -> dict[str, str]:
    spec = settings()["institutions_table"]
    path = _evidence_path(spec, locations)
    if not path.exists():
        return {}
    frame = read_processed(path, dtype=str)
    if name_column not in frame.columns:
        return {}
    return dict(zip(frame[spec[2]], frame[name_column].fillna("")))


def recommendations_table(table: FindingsTable, names: Mapping[str, str]) -> pd.DataFrame:
    """Recommendations as shown: high priority first, then by id; bodies with their names.

    Five columns, so that the recommendation itself keeps the width of the page: who acts goes with the means it
    uses, the findings answered with the basis of their evidence, the priority with the timeframe.
    """
    cfg = settings()
    recs = table.recommendations.copy()
    recs["_order"] = recs["priority"].map({p: i for i, p in enumerate(cfg["priorities"])})
    recs = recs.sort_values(["_order", "recommendation_id"])
    bodies = recs["responsible_body"].map(
        lambda v: "; ".join(f"{names[b]} ({b})" if names.get(b) else b for b in split_ids(v))
    )
    means = recs["means"].map(lambda m: cfg["means"][m]["label"])
    evidence = recs["finding_ids"].map(lambda v: _evidence_basis(table.findings, v))
    timeframe = recs["timeframe"].map(cfg["timeframes"]).map(lambda t: t[:1].lower() + t[1:])
    return pd.DataFrame(
        {
            "Id": recs["recommendation_id"],
            "Recommendation": recs["recommendation"],
            "Who acts, by what means": bodies + ", by " + means,
            "Answers (evidence)": recs["finding_ids"] + " (" + evidence + ")",
            "Priority, timeframe": recs["priority"] + "; " + timeframe,
        }
    ).reset_index(drop=True)


def _evidence_basis(findings: pd.DataFrame, finding_ids: object) -> str:
    """ "sourced", "partly synthetic, illustrative" or "synthetic only, illustrative"."""
    flags = findings.set_index("finding_id")["synthetic_evidence"]
    answered = [bool(flags[f]) for f in split_ids(finding_ids) if f in flags.index]
    if answered and all(answered):
        return "synthetic only, illustrative"
    return "partly synthetic, illustrative" if any(answered) else "sourced"


def cited_numbers(table: FindingsTable, registry: Registry) -> pd.DataFrame:
    """Every registry number a finding cites (placeholder or finding_refs), with its formatted value."""
    rows = []
    for fid, statement, refs in zip(
        table.findings["finding_id"], table.findings["statement"], table.findings[REGISTRY_EVIDENCE]
    ):
        for ref in dict.fromkeys(PLACEHOLDER.findall(statement or "") + split_ids(refs)):
            finding = registry[ref]
            rows.append(
                {"Finding": fid, "Number": finding.description, "Value": finding.formatted(), "Registry id": ref}
            )
    return pd.DataFrame(rows, columns=["Finding", "Number", "Value", "Registry id"])


def feedback_summary(log: pd.DataFrame) -> pd.DataFrame:
    """Comment threads of the feedback log per status (replies are answered with their thread, as in the gate)."""
    statuses = list(config.get("feedback.statuses", ["open", "accepted", "partly accepted", "rejected", "noted"]))
    if "parent_key" in log:
        log = log[log["parent_key"].fillna("").astype(str).str.strip() == ""]
    counts = log["status"].fillna("open").replace("", "open").value_counts()
    return pd.DataFrame({"Status": statuses, "Comments": [int(counts.get(s, 0)) for s in statuses]})


def feedback_annex(log: pd.DataFrame) -> pd.DataFrame:
    """How each comment was addressed; reviewers appear as "Reviewer A, B, …" (names stay in the log).

    A reply (non-blank parent_key) is answered with its thread, so it shows "reply" instead of a status.
    """

    def one_line(column: str) -> pd.Series:
        return frame[column].fillna("").astype(str).str.replace(r"\s*\n\s*", " ", regex=True).str.strip()

    authors = sorted({str(a) for a in log["author"].fillna("")})
    alias = {a: f"Reviewer {chr(65 + i) if i < 26 else i + 1}" for i, a in enumerate(authors)}
    frame = log.sort_values(["source_file", "date", "comment_key"], kind="stable")
    reply = (
        (frame["parent_key"].fillna("").astype(str).str.strip() != "")
        if "parent_key" in frame
        else pd.Series(False, index=frame.index)
    )
    return pd.DataFrame(
        {
            "Document": frame["source_file"],
            "Reviewer": frame["author"].fillna("").astype(str).map(alias),
            "Section": frame["section"].fillna(""),
            "Finding": frame["finding_id"].fillna(""),
            "Comment": one_line("text"),
            "Status": frame["status"].fillna("").where(~reply, "reply"),
            "Response": one_line("response").where(~reply, "answered with its thread"),
        }
    ).reset_index(drop=True)
