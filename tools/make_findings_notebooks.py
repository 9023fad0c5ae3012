"""Write notebooks/05_summary.ipynb and notebooks/60_findings.ipynb (a script keeps cells and ids reviewable).

Run from the repository root: `python tools/make_findings_notebooks.py`. The notebooks are written
without outputs; the logic they call lives in analysis.findings_table and analysis.final_gate.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]

COMMON_PARAMETERS = '''stage = "draft"
as_of = "2026-11-28"
seed = 20261128
findings_in = "data/processed/findings.json"
findings_table_in = "data/raw/findings.xlsx"
validation_in = "data/raw/validation.xlsx"
feedback_log_in = "data/feedback/feedback_log.xlsx"
exceptions_in = "data/raw/final_exceptions.yaml"
inventory_dir = "data/processed/inventory"
benchmark_dir = "data/processed/benchmark"
codebook_in = "data/processed/consultations/codebook.csv"
provenance_in = "data/raw/provenance.yaml"
min_cell_size = None  # None: privacy.min_cell_size of config/corridor.yaml'''

LOAD = '''cfg = config.load()
k = min_cell_size or cfg["privacy"]["min_cell_size"]
locations = {"inventory_dir": inventory_dir, "codebook_in": codebook_in, "benchmark_dir": benchmark_dir}
reg = ft.open_registry(findings_in, {findings_out})
table = ft.load_checked(findings_table_in, reg, locations)
statements = ft.fill_statements(table, reg)
ratings = ft.read_validation(validation_in, table.finding_ids)
counts = ft.rating_counts(ratings, table.finding_ids)
shares = ft.contested(counts)
agreement = ft.agreement_table(counts, k).set_index("finding_id")
synthetic = provenance.synthetic_inputs(provenance_in)'''


def cell(kind, source, cid, tags=()):
    c = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    c["id"] = cid
    if tags:
        c.metadata["tags"] = list(tags)
    return c


def notebook(cells):
    nb = new_notebook(cells=cells)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    return nb


FINDINGS_CHAPTER = [
    cell("code", COMMON_PARAMETERS + '\nfindings_out = "data/processed/findings/60_findings.json"', "params", ["parameters"]),
    cell("code", "from analysis import config, final_gate, paths, privacy, provenance, report\n"
                 "from analysis import findings_table as ft", "imports"),
    cell("code", LOAD.replace("{findings_out}", "findings_out"), "load"),
    cell("code", '''ids = table.finding_ids
val = cfg["findings"]["validation"]
people = ratings.drop_duplicates("participant_id")
def at_least_k(n):  # person counts below the threshold are not published
    return int(n) if n >= k else None
reg.record("findings.total", len(ids), "findings", "findings in data/raw/findings.xlsx", findings_table_in, rows=ids)
reg.record("recommendations.total", len(table.recommendations), "recommendations",
           "recommendations in data/raw/findings.xlsx", findings_table_in, rows=table.recommendations["recommendation_id"])
high = table.recommendations[table.recommendations["priority"] == "high"]["recommendation_id"]
reg.record("recommendations.high_priority", len(high), "recommendations", "recommendations of high priority",
           findings_table_in, rows=high)
contested_ids = list(shares.index[shares["contested"]])
reg.record("findings.contested", len(contested_ids), "findings",
           f"findings with < {val['contested_below_agree_share']:.0%} agree or >= {val['contested_from_disagree_share']:.0%} disagree",
           validation_in, rows=contested_ids)
unrated = list(shares.index[shares["n"] == 0])
reg.record("findings.not_validated", len(unrated), "findings", "findings no validation participant rated",
           validation_in, rows=unrated)
reg.record("validation.participants", at_least_k(len(people)), "participants", "validation participants (persons)",
           validation_in, rows=people["participant_id"])
for sex, label in val["sexes"].items():
    these = people[people["sex"] == sex]
    reg.record(f"validation.participants_{sex}", at_least_k(len(these)), label.lower(),
               f"validation participants: {label.lower()}", validation_in, rows=these["participant_id"])
reg.record("validation.ratings", len(ratings), "ratings", "ratings of findings by validation participants", validation_in)
reg.record("validation.agree_share", 100 * (ratings["rating"] == "agree").mean() if len(ratings) else None, "%",
           "share of all ratings that are 'agree'", validation_in)''', "record"),
    cell("markdown", "# Findings, validation and recommendations", "title"),
    cell("code", '''report.md(reg.text(
    "This chapter states the review's {findings.total}, each with the evidence it rests on, how the "
    "participants of the validation workshop rated it, and the {recommendations.total} that "
    "answer them ({recommendations.high_priority} of high priority). Finding and recommendation ids (F-01, R-01, …) "
    "stay the same from the draft to the final report, so that comments and responses can refer to them."))''', "intro"),
    cell("code", '''if paths.relative(paths.resolve(validation_in)).removeprefix("data/raw/") in synthetic:
    report.notice("The validation ratings in this report are synthetic example data generated by code "
                  "(analysis.synthetic_validation); agreement levels and contested flags are illustrative only.",
                  kind="synthetic")''', "synthetic-notice"),
    cell("markdown", "## Findings", "findings-heading"),
    cell("code", '''def validation_words(fid):
    row = agreement.loc[fid]
    if row["contested"] == "not validated":
        return "**not yet validated**"
    raters = f"fewer than {k} participants" if isinstance(row["raters"], str) else f"{row['raters']} participants"
    share = f", {row['% agree']} agree" if row["% agree"] else ""
    flag = " — **contested**" if row["contested"] == "contested" else ""
    return f"rated by {raters}{share}{flag}"

for section, group in table.findings.groupby("section", sort=False):
    report.md(f"### {section}")
    report.md("\\n\\n".join(
        f"**{row.finding_id}.** {statements[index]}\\n\\n"
        f"<small>*Evidence:* {ft.evidence_text(row._asdict())}. *Validation:* {validation_words(row.finding_id)}.</small>"
        for index, row in zip(group.index, group.itertuples())))''', "findings-list"),
    cell("markdown", "## Validation with stakeholders", "validation-heading"),
    cell("code", '''report.md(reg.text(
    "The draft findings were put to a validation workshop: {validation.participants} "
    "({validation.participants_female}, {validation.participants_male}) gave {validation.ratings} "
    "(agree, partly agree or disagree), and {validation.agree_share} of all ratings were 'agree'. "
    f"A finding is flagged **contested** when fewer than {val['contested_below_agree_share']:.0%} of its raters agree "
    f"or at least {val['contested_from_disagree_share']:.0%} disagree ('partly agree' counts as neither): "
    "{findings.contested} are contested and {findings.not_validated} were not rated. Contested findings stay "
    "in the report with their flag."))''', "validation-intro"),
    cell("code", '''shown = agreement.reset_index().rename(columns={"finding_id": "Finding", "raters": "Raters",
                                                  "contested": "Flag"})
report.table(shown, caption="Agreement with each finding in the validation workshop (persons)",
             source=f"{validation_in}; counts per finding, small cells suppressed",
             note=privacy.suppression_note(k) + " Each finding is a separate table whose total is its raters.")''', "agreement-table"),
    cell("code", '''report.table(ft.participants_by_group(ratings, k),
             caption="Validation participants by stakeholder group and sex (persons)",
             source=validation_in, note=privacy.suppression_note(k))
report.table(ft.agreement_by_sex(ratings, ids, k).rename(columns={"finding_id": "Finding"}),
             caption="Ratings of each finding by women and men (persons)",
             source=f"{validation_in}; each finding's sex-by-rating table suppressed separately",
             note=privacy.suppression_note(k))''', "participants-table"),
    cell("markdown", "## Recommendations", "recommendations-heading"),
    cell("code", '''report.table(ft.recommendations_table(table, ft.institution_names(locations)),
             caption="Recommendations, the findings they answer, responsible bodies, timeframe and priority",
             source=f"{findings_table_in}; bodies from {inventory_dir}/institutions.csv")''', "recommendations-table"),
    cell("markdown", "## Feedback on the draft", "feedback-heading"),
    cell("code", '''log_path = paths.resolve(feedback_log_in)
if log_path.exists():
    from analysis.feedback import read_log
    log = read_log(log_path)
    report.table(ft.feedback_summary(log), caption="Reviewers' comment threads on the draft by status (a reply counts with its thread)",
                 source=feedback_log_in)
else:
    log = None
    report.md("No feedback yet: reviewers' comments on the draft will be read from the returned Word files "
              "(`make feedback`) and answered in the feedback log before the final report.")''', "feedback-status"),
    cell("code", '''if stage == "final":
    gate = final_gate.check({**locations, "findings_table_in": findings_table_in, "validation_in": validation_in,
                             "feedback_log_in": feedback_log_in, "exceptions_in": exceptions_in,
                             "findings_in": findings_in})
    if not gate.clear:
        raise RuntimeError("the final gate is not clear:\\n" + "\\n".join(r.line() for r in gate.reasons))
    report.md("# How feedback was addressed")
    report.md("Every comment the reviewers made on the draft, with the consultant's response and the status "
              "it was given (accepted, partly accepted, rejected or noted). Reviewers are shown as letters; "
              "their names are kept in the feedback log.")
    report.table(ft.feedback_annex(log), caption="Reviewers' comments on the draft and how each was addressed",
                 source=feedback_log_in)
    report.md("## Exceptions recorded before the final report")
    if gate.excepted:
        report.table(gate.excepted_table(), caption="Open points accepted by the consultant, with the reason",
                     source=exceptions_in)
    else:
        report.md("None: every comment was answered, every finding validated and no finding relies on an "
                  "uncertain fact.")''', "feedback-annex", ["annex"]),
    cell("code", "reg.save()", "save"),
]

SUMMARY = [
    cell("code", COMMON_PARAMETERS, "params", ["parameters"]),
    cell("code", "from analysis import config, provenance, report\n"
                 "from analysis import findings_table as ft", "imports"),
    cell("code", LOAD.replace("{findings_out}", "None"), "load"),
    cell("markdown", "# Executive summary", "title"),
    cell("code", '''if stage == "final":
    report.notice("FINAL: this version incorporates the validation of the findings and the reviewers' feedback; "
                  "the annex 'How feedback was addressed' lists every comment and its response.", kind="stage")
else:
    report.notice("DRAFT for validation with stakeholders: findings and recommendations may change.", kind="stage")
report.md(reg.text(
    f"This review of the rules and procedures for citizens of {cfg['corridor']['origin']['name']} who work or study "
    f"in {cfg['corridor']['destination']['name']} (as in force on {as_of}) reaches {{findings.total}} and "
    "makes {recommendations.total} ({recommendations.high_priority} of high priority). "
    "{validation.participants} of the validation workshop rated them; {findings.contested} are contested."))''', "status"),
    cell("code", '''if synthetic:
    report.notice("Part of the evidence (" + ", ".join(sorted(synthetic)) + ") is synthetic example data; "
                  "findings that rest on it say they are illustrative.", kind="synthetic")''', "synthetic-notice"),
    cell("markdown", "## Main findings", "findings-heading"),
    cell("code", '''report.md("\\n".join(
    f"- **{fid}** {statement}" + (" *(contested in validation)*" if agreement.loc[fid, "contested"] == "contested" else "")
    for fid, statement in zip(table.findings["finding_id"], statements)))''', "findings-list"),
    cell("markdown", "## Recommendations", "recommendations-heading"),
    cell("code", '''report.table(ft.recommendations_table(table, ft.institution_names(locations)),
             caption="Recommendations by priority", source=findings_table_in)''', "recommendations-table"),
    cell("markdown", "## Key numbers", "numbers-heading"),
    cell("code", '''report.table(ft.cited_numbers(table, reg),
             caption="The computed numbers the findings rest on, as recorded in the findings register",
             source=findings_in)''', "numbers-table"),
]


def main() -> None:
    for name, cells in (("05_summary", SUMMARY), ("60_findings", FINDINGS_CHAPTER)):
        nbformat.write(notebook(cells), ROOT / "notebooks" / f"{name}.ipynb")


if __name__ == "__main__":
    main()
