"""What the chapter notebook records and shows: its numbers (named by the Markdown prose) and the tables
in the form they are published. The analysis itself is in the package's other modules."""

from __future__ import annotations

import pandas as pd

from analysis.chapters.consultations.data import GROUP_VOCABULARIES, Consultations
from analysis.engine import config, text


def _labels(attribute: str) -> dict[str, str]:
    return dict(config.get(f"consultations.{GROUP_VOCABULARIES[attribute]}"))


def record_overview(reg, data: Consultations, source: str) -> None:
    """Who was consulted, when, and with what codebook."""
    respondents, sessions = data.respondents, data.sessions
    groups = _labels("stakeholder_group")
    present = [g for g in groups if g in set(respondents["stakeholder_group"])]
    reg.record(
        "consultations.respondents.total",
        len(respondents),
        "respondents",
        "respondents consulted (interviews and focus groups)",
        f"{source} respondents",
        rows=respondents["respondent_id"],
    )
    reg.record(
        "consultations.respondents.groups",
        len(present),
        "groups",
        "stakeholder groups represented",
        f"{source} respondents",
    )
    reg.record(
        "consultations.groups.listed",
        text.listing(groups[g].lower() for g in present),
        "text",
        "the stakeholder groups represented, in the order of the configuration",
        f"{source} respondents",
    )
    reg.record(
        "consultations.respondents.women_pct",
        100 * float((respondents["sex"] == "female").mean()) if len(respondents) else None,
        "%",
        "share of respondents who are women",
        f"{source} respondents",
    )
    reg.record(
        "consultations.sessions.total",
        len(sessions),
        "sessions",
        "consultation sessions held",
        f"{source} sessions",
        rows=sessions["session_id"],
    )
    reg.record(
        "consultations.sessions.interviews",
        int((sessions["session_type"] == "interview").sum()),
        "interviews",
        "individual interviews",
        f"{source} sessions",
    )
    reg.record(
        "consultations.sessions.focus_groups",
        int((sessions["session_type"] == "focus_group").sum()),
        "focus groups",
        "focus group discussions",
        f"{source} sessions",
    )
    reg.record(
        "consultations.sessions.first_date",
        sessions["date"].min() if len(sessions) else None,
        "date",
        "date of the first session",
        f"{source} sessions",
    )
    reg.record(
        "consultations.sessions.last_date",
        sessions["date"].max() if len(sessions) else None,
        "date",
        "date of the last session",
        f"{source} sessions",
    )
    reg.record(
        "consultations.codes.total",
        int(data.codebook["parent_id"].notna().sum()),
        "codes",
        "codes in the codebook below the themes",
        f"{source} codebook",
    )
    reg.record(
        "consultations.codes.themes",
        int(data.codebook["parent_id"].isna().sum()),
        "themes",
        "themes (top level of the codebook)",
        f"{source} codebook",
    )


def record_coverage(reg, tracker: pd.DataFrame, by_group: pd.DataFrame, by_sex: pd.DataFrame, source: str) -> None:
    """The plan against the fieldwork (numbers for the methodology chapter too)."""
    planned = int(tracker["planned"].sum())
    within = int(tracker[["held", "planned"]].min(axis=1).sum())
    reg.record("consultations.coverage.planned", planned, "respondents", "respondents planned", source)
    reg.record(
        "consultations.coverage.held_within_plan",
        within,
        "respondents",
        "respondents held, counted up to the plan of each group-sex-region cell",
        source,
    )
    reg.record(
        "consultations.coverage.achieved_pct",
        100 * within / planned if planned else None,
        "%",
        "share of the plan achieved (held within plan / planned)",
        source,
    )
    reg.record(
        "consultations.coverage.cells_planned",
        int((tracker["planned"] > 0).sum()),
        "combinations",
        "group x sex x region combinations in the plan",
        source,
    )
    reg.record(
        "consultations.coverage.cells_met",
        int(((tracker["planned"] > 0) & (tracker["status"] == "met")).sum()),
        "combinations",
        "plan combinations fully met",
        source,
    )
    reg.record(
        "consultations.coverage.cells_not_started",
        int((tracker["status"] == "not started").sum()),
        "combinations",
        "plan combinations with nobody consulted yet",
        source,
    )
    sexes, groups = _labels("sex"), _labels("stakeholder_group")
    achieved = by_sex.set_index("group")["achieved (%)"]
    for sex, label in sexes.items():
        reg.record(
            f"consultations.coverage.{sex}_achieved_pct",
            achieved.get(label),
            "%",
            f"share of the plan achieved among {label.lower()} (blank if suppressed)",
            source,
        )
    shares = by_group.set_index("group")["achieved (%)"]
    for group, label in groups.items():
        if label in shares.index:
            reg.record(
                f"consultations.coverage.{group}_achieved_pct",
                shares[label],
                "%",
                f"share of the plan achieved for {label.lower()} (blank if suppressed)",
                source,
            )


def record_themes(
    reg, theme_group: pd.DataFrame, theme_sex_status: pd.DataFrame, names: dict[str, str], source: str
) -> None:
    totals = theme_group.sum(axis=1)
    top = totals.idxmax() if len(totals) and totals.max() > 0 else None
    reg.record(
        "consultations.themes.most_raised", names[top] if top else None, "", "theme raised by most respondents", source
    )
    reg.record(
        "consultations.themes.most_raised_persons",
        int(totals.max()) if top else None,
        "respondents",
        "respondents who raised the most frequent theme",
        source,
    )
    published = int((theme_sex_status.iloc[:-1, :-1] == "").all(axis=1).sum())
    reg.record(
        "consultations.themes.sex_published",
        published,
        "themes",
        "themes whose counts for both women and men can be published",
        source,
    )


def cooccurrence_display(pairs: pd.DataFrame, names: dict[str, str], k: int) -> pd.DataFrame:
    """The pairs found together in at least k paragraphs, strongest first (at most ten)."""
    shown = pairs[pairs["n12"] >= k].sort_values(["c_coefficient", "code_1"], ascending=[False, True]).head(10)
    return pd.DataFrame(
        {
            "code (1)": shown["code_1"].map(names),
            "code (2)": shown["code_2"].map(names),
            "paragraphs (1)": shown["n1"],
            "paragraphs (2)": shown["n2"],
            "together": shown["n12"],
            "c": shown["c_coefficient"],
            "imbalanced": shown["imbalanced"].map({True: "yes", False: ""}),
        }
    )


def quotes_markdown(quotes: pd.DataFrame) -> str:
    """The shortlisted quotes, theme by theme, each with its attribution and original words."""
    lines = []
    for theme, block in quotes.groupby("theme", sort=False):
        lines.append(f"**{theme}**\n")
        for q in block.itertuples():
            lines.append(
                f"> “{q.quote}” — *{q.attribution}*"
                + (f"  \n> Original: «{q.original}»\n" if q.original != q.quote else "\n")
            )
    return "\n".join(lines)


def record_reliability(
    reg, table: pd.DataFrame, sessions: pd.DataFrame, coders_of: dict[str, list[str]], total_sessions: int, source: str
) -> None:
    """How many sessions were double-coded and by whom, alpha over all codes and the verdict per code.
    `coders_of`: session -> its coders."""
    settings = config.get("consultations.reliability")
    where = f"{source} (double-coded sessions)"
    coders = sorted({c for session in sessions["session_id"] for c in coders_of.get(session, [])})
    reg.record(
        "consultations.reliability.sessions",
        len(sessions),
        "sessions",
        "sessions coded independently by more than one coder",
        where,
        rows=sessions["session_id"],
    )
    reg.record(
        "consultations.reliability.double_coded_pct",
        100 * len(sessions) / total_sessions if total_sessions else None,
        "%",
        "share of sessions coded by more than one coder",
        where,
    )
    reg.record(
        "consultations.reliability.coders_listed",
        text.listing(coders),
        "text",
        "the coders of the double-coded sessions",
        where,
    )
    reg.record(
        "consultations.reliability.threshold_reliable",
        float(settings["alpha_reliable"]),
        "",
        "alpha from which Krippendorff (2004) calls a variable reliable",
        "config/corridor.yaml",
    )
    reg.record(
        "consultations.reliability.threshold_tentative",
        float(settings["alpha_tentative"]),
        "",
        "alpha from which Krippendorff (2004) allows tentative conclusions",
        "config/corridor.yaml",
    )
    per_code = table[table["code_id"] != "all codes"]
    verdicts = per_code["verdict"].value_counts()
    for name in ("reliable", "tentative", "unreliable", "not computable"):
        reg.record(
            f"consultations.reliability.codes_{name.replace(' ', '_')}",
            int(verdicts.get(name, 0)),
            "codes",
            f"codes whose Krippendorff alpha is {name}",
            where,
        )
    overall = table[table["code_id"] == "all codes"]
    row = overall.iloc[0] if len(overall) else None
    for key, column, description in (
        ("alpha_all", "alpha", "Krippendorff's alpha over all codes and paragraphs"),
        ("alpha_all_low", "alpha_ci_low", "its 95 % bootstrap interval, lower end"),
        ("alpha_all_high", "alpha_ci_high", "its 95 % bootstrap interval, upper end"),
    ):
        value = None if row is None or pd.isna(row[column]) else float(row[column])
        reg.record(f"consultations.reliability.{key}", value, "", description, where)
    reg.record(
        "consultations.reliability.verdict_all",
        row["verdict"] if row is not None else "not computable",
        "text",
        "Krippendorff's reading of alpha over all codes",
        where,
    )
    statistics = set(per_code["kappa_statistic"]) - {""}
    reg.record(
        "consultations.reliability.kappa_statistic",
        "Fleiss' kappa"
        if statistics == {"Fleiss"}
        else "Cohen's kappa"
        if statistics == {"Cohen"}
        else "Cohen's or Fleiss' kappa (two coders or more)"
        if statistics
        else "no kappa",
        "text",
        "the kappa of the per-code table: Cohen's for two coders, Fleiss' for more",
        where,
    )


def sessions_display(sessions: pd.DataFrame) -> pd.DataFrame:
    return sessions.rename(
        columns={
            "session_id": "session",
            "primary_coder": "primary coder",
            "other_coders": "other coders",
            "paragraphs_compared": "paragraphs compared",
        }
    )[["session", "primary coder", "other coders", "paragraphs", "paragraphs compared"]]


def reliability_display(table: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The per-code table as published (codes by name, the pooled row last, the interval in one column)."""

    def interval(low: float, high: float) -> str:
        return "" if pd.isna(low) else f"[{low:.3f}, {high:.3f}]"

    return pd.DataFrame(
        {
            "code": table["code_id"].map(lambda c: "All codes" if c == "all codes" else names.get(c, c)),
            "paragraphs": table["paragraphs"],
            "coded by any": table["coded_by_any"],
            "agreement (%)": table["agreement_pct"].map(lambda v: "" if pd.isna(v) else f"{v:.1f}"),
            "alpha": table["alpha"],
            "95 % interval": [interval(a, b) for a, b in zip(table["alpha_ci_low"], table["alpha_ci_high"])],
            "verdict": table["verdict"],
            "kappa": table["kappa"],
            "Landis & Koch": table["kappa_band"],
        }
    )


def pairs_display(pairs: pd.DataFrame) -> pd.DataFrame:
    overall = pairs[pairs["code_id"] == "all codes"]
    return pd.DataFrame(
        {
            "coder": overall["coder_1"],
            "with coder": overall["coder_2"],
            "sessions": overall["sessions"],
            "paragraphs": overall["paragraphs"],
            "agreement (%)": overall["agreement_pct"].map(lambda v: f"{v:.1f}"),
            "Cohen's kappa": overall["kappa"],
            "Landis & Koch": overall["kappa_band"],
        }
    )


def warnings_table(data: Consultations) -> pd.DataFrame:
    rows = [
        {
            "file": w.file,
            "where": w.location()[len(w.file) + 2 :],
            "expected": w.expected,
            "found": "" if w.found is None else str(w.found),
        }
        for w in data.warnings
    ]
    return pd.DataFrame(rows, columns=["file", "where", "expected", "found"])


def record_quality(reg, data: Consultations, source: str) -> None:
    reg.record(
        "consultations.warnings.count",
        len(data.warnings),
        "warnings",
        "data-quality warnings raised by the consultation inputs",
        source,
    )
