"""Stakeholder consultations: read and check the coded data, count persons, measure reliability.

Counts are of persons (respondents coded at least once), not of mentions, because one talkative
respondent must not outweigh a stakeholder group. Every count that reaches the report goes through
`analysis.privacy`. The data model follows REFI-QDA concepts (docs/consultations.md), so a project
coded in NVivo, ATLAS.ti, MAXQDA or QualCoder converts into these tables (`analysis.refi`), and the
Excel route (`write_template` / `read_workbook`) serves consultants who code in a spreadsheet.
"""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.chapters.consultations import refi
from analysis.chapters.consultations import reliability as rel
from analysis.chapters.consultations.data import (
    GROUP_VOCABULARIES,
    OPTIONAL_TABLES,
    TABLES,
    Consultations,
    check,
    columns,
    paragraphs_read,
    read_folder,
    read_workbook,
    vocabulary,
    write_template,
)
from analysis.engine import config, paths, privacy
from analysis.engine.errors import InputError, Problem
from analysis.engine.readers import ROW

# The tables and their readers are part of this chapter's interface (notebooks and `make templates`).
__all__ = [
    "OPTIONAL_TABLES",
    "TABLES",
    "Consultations",
    "check",
    "columns",
    "read",
    "read_folder",
    "read_workbook",
    "write_template",
]

#: Beside a REFI-QDA project: the consultant's completed fill-in workbook and the fieldwork plan.
ATTRIBUTES_FILE = "attributes.xlsx"
PLAN_FILE = "plan.csv"


def read(source: str | Path, fill_in: str | Path | None = None) -> Consultations:
    """A folder of CSV files, a coding workbook (.xlsx), or a REFI-QDA project (.qdpx) — given itself or
    as the one project in a folder — read with the `attributes.xlsx` and `plan.csv` beside it.

    A project that lacks the review's attributes writes the fill-in workbook to `fill_in` (if given)
    and stops with an InputError naming every case and source to complete."""
    resolved = paths.resolve(source)
    if resolved.is_dir():
        projects = sorted(p for p in resolved.iterdir() if p.suffix.lower() == ".qdpx")
        if len(projects) > 1 or (projects and (resolved / "segments.csv").exists()):
            raise InputError(
                [
                    Problem(
                        file=paths.relative(resolved),
                        expected="either the CSV tables of the consultations or one REFI-QDA project (.qdpx)",
                        found=", ".join(p.name for p in projects)
                        + (" and segments.csv" if (resolved / "segments.csv").exists() else ""),
                    )
                ]
            )
        if not projects:
            return read_folder(resolved)
        resolved = projects[0]
    if resolved.suffix.lower() in (".qdpx", ".qde"):
        return refi.import_project(
            resolved, attributes=resolved.parent / ATTRIBUTES_FILE, plan=resolved.parent / PLAN_FILE, fill_in=fill_in
        )
    return read_workbook(resolved) if resolved.suffix.lower() == ".xlsx" else read_folder(resolved)


# ---------------------------------------------------------------- codebook helpers
def themes(codebook: pd.DataFrame) -> pd.Series:
    """The top-level ancestor (theme) of every code, indexed by code_id."""
    parent = dict(zip(codebook["code_id"], codebook["parent_id"]))

    def root(code: str) -> str:
        while parent.get(code):
            code = parent[code]
        return code

    return pd.Series({code: root(code) for code in codebook["code_id"]}, name="theme_id")


def codebook_table(codebook: pd.DataFrame) -> pd.DataFrame:
    """The codebook as published: hierarchy level, theme and definitions (for the annex and benchmark)."""
    theme = themes(codebook)
    names = dict(zip(codebook["code_id"], codebook["name"]))
    out = codebook.drop(columns=[ROW], errors="ignore").copy()
    out.insert(1, "theme_id", out["code_id"].map(theme))
    out.insert(2, "theme", out["theme_id"].map(names))
    out.insert(3, "level", out["code_id"].map(lambda c: _depth(c, codebook)))
    return out.reset_index(drop=True)


def _depth(code: str, codebook: pd.DataFrame) -> int:
    parent = dict(zip(codebook["code_id"], codebook["parent_id"]))
    depth = 1
    while parent.get(code):
        code, depth = parent[code], depth + 1
    return depth


def primary_segments(data: Consultations) -> pd.DataFrame:
    """Segments of each session's primary coder (the second coder's work serves reliability only)."""
    coder = dict(zip(data.sessions["session_id"], data.sessions["primary_coder"]))
    segments = data.segments
    return segments[segments["coder"] == segments["session_id"].map(coder)].copy()


# ---------------------------------------------------------------- person-based counts
def persons_by(data: Consultations, by: str, level: str = "code") -> pd.DataFrame:
    """Distinct respondents coded with each code (or theme) by a respondent attribute.

    level="theme" counts a person once per theme however many of its codes they were coded with.
    Columns follow the attribute's vocabulary; rows follow the codebook's order.
    """
    segments = primary_segments(data)
    theme = themes(data.codebook)
    segments["key"] = segments["code_id"] if level == "code" else segments["code_id"].map(theme)
    attribute = dict(zip(data.respondents["respondent_id"], data.respondents[by]))
    segments[by] = segments["respondent_id"].map(attribute)
    persons = segments.drop_duplicates(["key", "respondent_id"])
    table = pd.crosstab(persons["key"], persons[by])
    keys = list(data.codebook["code_id"]) if level == "code" else list(dict.fromkeys(theme))
    vocab = vocabulary(GROUP_VOCABULARIES[by])
    table = table.reindex(index=keys, columns=vocab, fill_value=0)
    if level == "code":
        coded = set(data.codebook.loc[data.codebook["code_id"].isin(segments["code_id"]), "code_id"])
        table = table.loc[[k for k in keys if k in coded]]
    table.index.name, table.columns.name = level, by
    return table.astype("int64")


def respondents_by(data: Consultations, rows: str, cols: str) -> pd.DataFrame:
    """Respondents (persons) by two attributes, in vocabulary order (input to suppression)."""
    table = pd.crosstab(data.respondents[rows], data.respondents[cols])
    return table.reindex(
        index=vocabulary(GROUP_VOCABULARIES[rows]), columns=vocabulary(GROUP_VOCABULARIES[cols]), fill_value=0
    )


def label(table: pd.DataFrame, index_labels: dict | None = None, column_labels: dict | None = None) -> pd.DataFrame:
    out = table.copy()
    if index_labels:
        out.index = [index_labels.get(i, i) for i in out.index]
    if column_labels:
        out.columns = [column_labels.get(c, c) for c in out.columns]
    return out


# ---------------------------------------------------------------- co-occurrence
def cooccurrence(data: Consultations, imbalance_ratio: float | None = None) -> pd.DataFrame:
    """Pairs of codes applied to the same paragraph, with ATLAS.ti's c-coefficient.

    c = n12 / (n1 + n2 - n12), counting paragraphs of the primary coding. c is distorted when one code
    is used far more often than the other, so such pairs are flagged (ratio from the configuration).
    """
    ratio = imbalance_ratio if imbalance_ratio is not None else config.get("consultations.cooccurrence_imbalance_ratio")
    segments = primary_segments(data)
    units = segments.drop_duplicates(["session_id", "position", "code_id"])
    by_code = units.groupby("code_id").apply(lambda f: set(zip(f["session_id"], f["position"])), include_groups=False)
    order = [c for c in data.codebook["code_id"] if c in by_code.index]
    rows = []
    for first, second in combinations(order, 2):
        n1, n2 = len(by_code[first]), len(by_code[second])
        n12 = len(by_code[first] & by_code[second])
        if n12 == 0:
            continue
        rows.append(
            {
                "code_1": first,
                "code_2": second,
                "n1": n1,
                "n2": n2,
                "n12": n12,
                "c_coefficient": n12 / (n1 + n2 - n12),
                "imbalanced": max(n1, n2) > ratio * min(n1, n2),
            }
        )
    return pd.DataFrame(rows, columns=["code_1", "code_2", "n1", "n2", "n12", "c_coefficient", "imbalanced"])


# ---------------------------------------------------------------- reliability
def coders_of(data: Consultations) -> dict[str, list[str]]:
    """session -> every coder who coded it (a segment) or read part of it (a coding_scope row)."""
    found: dict[str, set[str]] = {}
    for session, coder in zip(data.segments["session_id"], data.segments["coder"]):
        found.setdefault(session, set()).add(coder)
    for session, coder in zip(data.coding_scope["session_id"], data.coding_scope["coder"]):
        found.setdefault(session, set()).add(coder)
    return {session: sorted(names) for session, names in sorted(found.items())}


def reliability_units(data: Consultations) -> pd.DataFrame:
    """Presence (1/0) of every code in every paragraph of the sessions coded by two or more coders, for
    every one of their coders, with NaN where that coder did not read the paragraph (coding_scope).

    One row per session, paragraph and code; one column per coder (all coders, in name order). A
    paragraph that only one coder read is kept but is not pairable, so it does not count."""
    read = paragraphs_read(data.coding_scope)
    paragraphs = dict(zip(data.sessions["session_id"], data.sessions["paragraphs"]))
    codes = list(data.codebook["code_id"])
    double = {s: c for s, c in coders_of(data).items() if len(c) >= 2}
    everyone = sorted({c for names in double.values() for c in names})
    frames = []
    for session, names in double.items():
        positions = np.arange(1, int(paragraphs[session]) + 1)
        index = pd.MultiIndex.from_product([[session], positions, codes], names=["session_id", "position", "code_id"])
        block = pd.DataFrame(index=index, columns=everyone, dtype=float)
        coded = data.segments[data.segments["session_id"] == session]
        for coder in names:
            seen = read.get((session, coder), set(positions.tolist()))
            mine = set(
                zip(coded.loc[coded["coder"] == coder, "position"], coded.loc[coded["coder"] == coder, "code_id"])
            )
            block[coder] = [(1.0 if (p, c) in mine else 0.0) if p in seen else np.nan for _, p, c in index]
        frames.append(block)
    if not frames:
        return pd.DataFrame(columns=["session_id", "position", "code_id"])
    return pd.concat(frames).reset_index()


def double_coded_sessions(data: Consultations) -> pd.DataFrame:
    """Which sessions were coded by more than one coder, by whom, and how many paragraphs two or more
    of them read (the paragraphs compared)."""
    units = reliability_units(data)
    primary = dict(zip(data.sessions["session_id"], data.sessions["primary_coder"]))
    paragraphs = dict(zip(data.sessions["session_id"], data.sessions["paragraphs"]))
    rows = []
    for session, names in coders_of(data).items():
        if len(names) < 2:
            continue
        block = units[(units["session_id"] == session)].drop_duplicates(["session_id", "position"])
        compared = int((block[names].notna().sum(axis=1) >= 2).sum())
        rows.append(
            {
                "session_id": session,
                "primary_coder": primary.get(session, ""),
                "other_coders": ", ".join(c for c in names if c != primary.get(session)),
                "coders": len(names),
                "paragraphs": int(paragraphs[session]),
                "paragraphs_compared": compared,
            }
        )
    return pd.DataFrame(
        rows, columns=["session_id", "primary_coder", "other_coders", "coders", "paragraphs", "paragraphs_compared"]
    )


ALL_CODES = "all codes"
RELIABILITY_COLUMNS = [
    "code_id",
    "sessions",
    "coders",
    "paragraphs",
    "pairable_values",
    "coded_by_any",
    "agreement_pct",
    "alpha",
    "alpha_ci_low",
    "alpha_ci_high",
    "verdict",
    "kappa",
    "kappa_statistic",
    "kappa_band",
]


def code_reliability(data: Consultations, seed: int, draws: int | None = None) -> pd.DataFrame:
    """Per code, then over all codes: Krippendorff's alpha (nominal, presence per paragraph) over all
    coders of each double-coded paragraph, with a bootstrap interval over paragraphs; % agreement; Cohen's
    kappa when two coders took part, Fleiss' kappa when more did; Krippendorff's verdict.

    The last row (code_id "all codes") pools every code x paragraph unit; its interval resamples
    paragraphs with all their codes. Codes no coder applied in these sessions are not computable."""
    settings = config.get("consultations.reliability")
    draws = int(settings["bootstrap_draws"]) if draws is None else draws
    units = reliability_units(data)
    if units.empty:
        return pd.DataFrame(columns=RELIABILITY_COLUMNS)
    coders = [c for c in units.columns if c not in ("session_id", "position", "code_id")]
    used = set(data.segments["code_id"])
    rows = []
    pairable = units[coders].notna().sum(axis=1) >= 2
    for offset, code in enumerate([c for c in data.codebook["code_id"] if c in used] + [ALL_CODES]):
        block = units[pairable] if code == ALL_CODES else units[pairable & (units["code_id"] == code)]
        values = block[coders].to_numpy(dtype=float).T
        paragraph = (block["session_id"] + "#" + block["position"].astype(str)).to_numpy()
        result = rel.krippendorff_alpha(
            values, "nominal", draws=draws, seed=seed + offset, clusters=paragraph if code == ALL_CODES else None
        )
        taking_part = [c for c, row in zip(coders, values) if (~np.isnan(row)).any()]
        if len(taking_part) > 2:
            kappa, statistic = rel.fleiss_kappa(values), "Fleiss"
        else:
            present = [row for row in values if (~np.isnan(row)).any()]
            kappa, statistic = (rel.cohen_kappa(*present), "Cohen") if len(present) == 2 else (float("nan"), "")
        rows.append(
            {
                "code_id": code,
                "sessions": int(block["session_id"].nunique()),
                "coders": len(taking_part),
                "paragraphs": int(len(np.unique(paragraph))),
                "pairable_values": result.pairable_values,
                "coded_by_any": int(len(np.unique(paragraph[np.nansum(values, axis=0) > 0]))),
                "agreement_pct": rel.percent_agreement(values),
                "alpha": result.alpha,
                "alpha_ci_low": result.ci_low,
                "alpha_ci_high": result.ci_high,
                "verdict": rel.verdict(result.alpha, settings),
                "kappa": kappa,
                "kappa_statistic": statistic,
                "kappa_band": rel.kappa_band(kappa, settings),
            }
        )
    return pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)


def coder_pairs(data: Consultations) -> pd.DataFrame:
    """Cohen's kappa and % agreement for every pair of coders who read the same paragraphs, per code
    and over all codes (code_id "all codes"), over the paragraphs both read."""
    units = reliability_units(data)
    coders = [c for c in units.columns if c not in ("session_id", "position", "code_id")]
    used = [c for c in data.codebook["code_id"] if c in set(data.segments["code_id"])]
    rows = []
    for first, second in combinations(coders, 2):
        both = units[units[first].notna() & units[second].notna()]
        if both.empty:
            continue
        for code in used + [ALL_CODES]:
            block = both if code == ALL_CODES else both[both["code_id"] == code]
            a, b = block[first].to_numpy(), block[second].to_numpy()
            kappa = rel.cohen_kappa(a, b)
            rows.append(
                {
                    "coder_1": first,
                    "coder_2": second,
                    "code_id": code,
                    "sessions": int(block["session_id"].nunique()),
                    "paragraphs": int(block[["session_id", "position"]].drop_duplicates().shape[0]),
                    "agreement_pct": 100 * float(np.mean(a == b)),
                    "kappa": kappa,
                    "kappa_band": rel.kappa_band(kappa),
                }
            )
    return pd.DataFrame(
        rows,
        columns=["coder_1", "coder_2", "code_id", "sessions", "paragraphs", "agreement_pct", "kappa", "kappa_band"],
    )


# ---------------------------------------------------------------- quotes
def redact(text: str, terms: list[str], replacement: str = "[…]") -> tuple[str, int]:
    """Remove private names, organisations and places from a quote; return (text, replacements)."""
    count = 0
    for term in sorted(terms, key=len, reverse=True):
        pattern = re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)
        text, n = pattern.subn(replacement, text)
        count += n
    return text, count


def redacted(data: Consultations, terms: list[str]) -> Consultations:
    """A copy with private terms removed from every free text: excerpts, translations and, for data from
    a REFI-QDA project, source texts, memos and descriptions (for the exported project file)."""

    def clean(text: Any) -> Any:
        return redact(text, terms)[0] if isinstance(text, str) else text

    segments = data.segments.assign(
        excerpt=data.segments["excerpt"].map(clean), excerpt_en=data.segments["excerpt_en"].map(clean)
    )
    exchange = data.exchange.with_text(clean) if data.exchange is not None else None
    return Consultations(**{**data.__dict__, "segments": segments, "exchange": exchange})


def quote_shortlist(
    data: Consultations,
    k: int,
    private_terms: list[str],
    per_theme: int | None = None,
    min_chars: int | None = None,
    max_chars: int | None = None,
) -> pd.DataFrame:
    """Up to `per_theme` quotes per theme, attributed only as "group, sex".

    A quote qualifies when the respondent consented to quotation and their stakeholder group has at
    least k respondents (`privacy.can_attribute_quote`); the sex is named only if the group has at
    least k respondents of that sex (two attributes can identify a person); private terms are
    redacted. Within a theme, different groups are preferred, then paragraphs coded with this code
    alone, then mid-length quotes, then the segment id (deterministic).
    """
    settings = config.get("consultations")
    per_theme = per_theme or int(settings["quotes_per_theme"])
    min_chars = min_chars or int(settings["quote_min_chars"])
    max_chars = max_chars or int(settings["quote_max_chars"])
    group_size = data.respondents["stakeholder_group"].value_counts()
    group_sex_size = data.respondents.groupby(["stakeholder_group", "sex"]).size()
    people = data.respondents.set_index("respondent_id")
    theme = themes(data.codebook)
    names = dict(zip(data.codebook["code_id"], data.codebook["name"]))
    groups = config.get("consultations.stakeholder_groups")
    sexes = config.get("consultations.sexes")
    segments = primary_segments(data)
    segments = segments.drop_duplicates(["session_id", "position", "respondent_id", "code_id"])
    codes_here = segments.groupby(["session_id", "position"])["code_id"].transform("nunique")
    rows = []
    for (_, seg), sharing in zip(segments.iterrows(), codes_here):
        person = people.loc[seg["respondent_id"]]
        group = person["stakeholder_group"]
        if not privacy.can_attribute_quote(int(group_size.get(group, 0)), person["consent_to_quote"], k):
            continue
        english = seg.get("excerpt_en") or ""
        text = english if isinstance(english, str) and english.strip() else seg["excerpt"]
        if not (min_chars <= len(text) <= max_chars):
            continue
        text, removed = redact(text, private_terms)
        original, removed_original = redact(seg["excerpt"], private_terms)
        rows.append(
            {
                "theme_id": theme[seg["code_id"]],
                "theme": names[theme[seg["code_id"]]],
                "code_id": seg["code_id"],
                "code": names[seg["code_id"]],
                "quote": text,
                "original": original,
                "attribution": (
                    f"{groups[group]}, {sexes[person['sex']].lower()}"
                    if group_sex_size.get((group, person["sex"]), 0) >= k
                    else groups[group]
                ),
                "redactions": removed + removed_original,
                "segment_id": seg["segment_id"],
                "group": group,
                "other_codes": int(sharing) - 1,
            }
        )
    candidates = pd.DataFrame(rows)
    if candidates.empty:
        return pd.DataFrame(
            columns=[
                "theme_id",
                "theme",
                "code_id",
                "code",
                "quote",
                "original",
                "attribution",
                "redactions",
                "segment_id",
            ]
        )
    chosen = []
    for theme_id in dict.fromkeys(theme):
        pool = candidates[candidates["theme_id"] == theme_id].copy()
        if pool.empty:
            continue
        pool["distance"] = (pool["quote"].str.len() - (min_chars + max_chars) / 2).abs()
        pool = pool.sort_values(["other_codes", "distance", "segment_id"])
        seen_groups, seen_text = set(), set()
        for _, quote in pool.iterrows():
            if quote["group"] in seen_groups or quote["quote"] in seen_text:
                continue
            chosen.append(quote)
            seen_groups.add(quote["group"])
            seen_text.add(quote["quote"])
            if len(seen_groups) == per_theme:
                break
    out = pd.DataFrame(chosen).drop(columns=["distance", "group", "other_codes"])
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- coverage
def coverage(data: Consultations) -> pd.DataFrame:
    """Planned vs held respondents by stakeholder group, sex and region (the fieldwork tracker).

    Cells that were held but not planned appear with planned = 0, so unplanned fieldwork is visible.
    """
    keys = ["stakeholder_group", "sex", "region"]
    held = data.respondents.groupby(keys).size().rename("held")
    planned = data.plan.groupby(keys)["planned"].sum().astype("int64")
    table = pd.concat([planned, held], axis=1).fillna(0).astype("int64").reset_index()
    table["missing"] = (table["planned"] - table["held"]).clip(lower=0)
    table["status"] = np.select(
        [table["held"] >= table["planned"], table["held"] > 0], ["met", "partly met"], "not started"
    )
    order = {key: vocabulary(GROUP_VOCABULARIES[key]) for key in keys}
    for key in keys:
        table[key] = pd.Categorical(table[key], categories=order[key], ordered=True)
    table = table.sort_values(keys).reset_index(drop=True)
    for key in keys:
        table[key] = table[key].astype(str)
    return table


def coverage_by(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Planned, held and % achieved (held capped at plan per cell, so extra interviews in one cell do
    not hide a gap in another) aggregated by one attribute."""
    grouped = table.assign(held_within_plan=table[["held", "planned"]].min(axis=1)).groupby(by, sort=False)
    out = grouped[["planned", "held", "held_within_plan"]].sum()
    out["achieved_pct"] = np.where(
        out["planned"] > 0, 100 * out["held_within_plan"] / out["planned"].where(out["planned"] > 0, 1), np.nan
    )
    return out.reset_index()


# ---------------------------------------------------------------- publication helpers


def labels_of(attribute: str) -> dict[str, str]:
    return dict(config.get(f"consultations.{GROUP_VOCABULARIES[attribute]}"))


def code_names(codebook: pd.DataFrame) -> dict[str, str]:
    return dict(zip(codebook["code_id"], codebook["name"]))


SUM_OVER_CODES = "Sum over rows (a person counts once in each row)"


def publishable(
    counts: pd.DataFrame,
    k: int,
    index_labels: dict | None = None,
    column_labels: dict | None = None,
    add_totals: bool = True,
    total_row_label: str = privacy.TOTAL_LABEL,
) -> pd.DataFrame:
    """A person-count table after disclosure control, with readable labels and totals.

    For codes and themes the column sums are not numbers of persons (one person raises several
    themes), so those tables pass `total_row_label=SUM_OVER_CODES`.
    """
    safe = privacy.suppress_counts(counts, k, add_totals=add_totals)
    safe = label(safe, index_labels, column_labels)
    if add_totals:
        safe.index = list(safe.index[:-1]) + [total_row_label]
    safe.index.name = None
    return safe.reset_index(names="")


def coverage_by_group(table: pd.DataFrame, by: str, k: int) -> pd.DataFrame:
    """Planned and held respondents by one attribute; held counts below k suppressed, and the share
    achieved (held within plan) shown only where the held count is published."""
    summary = coverage_by(table, by)
    held = summary.set_index(by)[["held"]]
    safe = privacy.suppress_counts(held, k, add_totals=True)
    labels = labels_of(by)
    out = pd.DataFrame(
        {
            "group": [labels.get(g, g) for g in held.index] + ["Total"],
            "planned": list(summary["planned"]) + [int(summary["planned"].sum())],
            "held": list(safe["held"]),
        }
    )
    within = list(summary["held_within_plan"]) + [int(summary["held_within_plan"].sum())]
    planned = out["planned"].tolist()
    out["achieved (%)"] = [
        round(100 * w / p, 1) if p and not isinstance(h, str) else None for w, p, h in zip(within, planned, out["held"])
    ]
    return out


def cells_short_of_plan(table: pd.DataFrame) -> pd.DataFrame:
    """Plan cells not yet met (group, sex, region, planned, status) — without held counts, which could
    be small; this is what the consultant still has to find in the field."""
    short = table[table["status"] != "met"]
    groups, sexes, regions = labels_of("stakeholder_group"), labels_of("sex"), labels_of("region")
    return pd.DataFrame(
        {
            "group": short["stakeholder_group"].map(groups),
            "sex": short["sex"].map(sexes),
            "region": short["region"].map(regions),
            "planned": short["planned"],
            "status": short["status"],
        }
    ).reset_index(drop=True)


def sex_bars(counts: pd.DataFrame, status: pd.DataFrame, row_labels: dict, title: str):
    """Persons per theme, women and men, for the themes whose counts for both sexes are published;
    None if there is no such theme (the table then says why)."""
    from analysis.engine import figures

    published = (status.iloc[:-1, :-1].to_numpy() == "").all(axis=1)
    shown = counts[published]
    if shown.empty:
        return None
    fig, ax = figures.new_figure(8.0, 0.45 * len(shown) + 1.5)
    positions = np.arange(len(shown))
    height = 0.4
    for n, sex in enumerate(shown.columns):
        ax.barh(
            positions + (n - 0.5) * height,
            shown[sex],
            height=height,
            label=labels_of("sex").get(sex, sex),
            color=figures.SEX_COLOURS.get(sex, figures.PALETTE[n]),
        )
    ax.set_yticks(positions, [row_labels.get(r, r) for r in shown.index])
    ax.invert_yaxis()
    ax.set_xlabel("persons coded at least once")
    ax.set_title(title)
    ax.legend(loc="lower right")
    return fig
