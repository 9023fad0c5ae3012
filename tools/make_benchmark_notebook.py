"""Write notebooks/50_benchmark.ipynb (kept as a script so its cells and ids stay reviewable)."""

from pathlib import Path

from notebook_cells import cell, write_notebook

TARGET = Path(__file__).resolve().parents[1] / "notebooks" / "50_benchmark.ipynb"


PARAMETERS = '''benchmark_in = "data/raw/benchmark.xlsx"
inventory_dir = "data/processed/inventory"
codebook_in = "data/processed/consultations/codebook.csv"
findings_in = "data/processed/findings.json"
benchmark_out = "data/processed/benchmark"
findings_out = "data/processed/findings/50_benchmark.json"
stage = "draft"
as_of = "2026-11-28"
seed = 20261128'''

ANALYSE = '''bench = bm.read(benchmark_in)
evidence = bm.load_evidence(inventory_dir, codebook_in, findings_in)
confidence_warnings = bm.check_links(bench, evidence, sources={"acts": f"{inventory_dir}/acts.csv",
                                                              "provisions": f"{inventory_dir}/provisions.csv",
                                                              "codes": codebook_in, "findings": findings_in})
tables = bm.analyse(bench, evidence)
bm.write_tables(benchmark_out, tables)
reg = findings.Registry(findings_out)
bm.record_findings(reg, tables, benchmark_out)
settings = bm.settings()
area_labels = settings["area_labels"]
destination = config.get("corridor.destination")
origin = config.get("corridor.origin")
comparators = dict(settings["comparators"])
SOURCE = f"{benchmark_in} (criteria judged by the consultant, draft to be validated)"'''

METHOD = """This chapter sets Kyrgyzstan's rules for citizens of Uzbekistan who come to work or study against the
standards IOM readers, migration researchers and governments use:

- the **UN Migrant Workers Convention** (ICRMW) and the ILO migrant-worker conventions **C97, C143, C181, C189
  and C190**, which bind the states that ratified them;
- the **Global Compact for Migration** (GCM) objectives and its gender-responsive guiding principle;
- IOM's **Migration Governance Indicators** (MGI), whose six domains organise the profile below;
- the **Lisbon Recognition Convention** for the recognition of qualifications of students;
- the MIPEX way of scoring (0, 50 or 100 for each answer) and **SDG indicator 10.7.2**.

Each criterion states in plain words what the standard expects, offers three answers worth 0 (absent),
50 (partial) or 100 (complete), and records Kyrgyzstan's answer with the rows of the legal inventory it rests on
(*de jure*). Where consultations or processing-time data show how the rule works, a second, *de facto* answer
cites the consultation codes or the processing-time findings. Two answers are not scores: **not applicable**
(the criterion does not concern citizens of Uzbekistan) leaves the criterion out, and **unknown** (the research
did not establish the fact) is counted and reported as missing evidence, never as 0. Every answer is a
judgement of the consultant, marked as a draft to be validated, with the confidence of the facts it rests on.

Following the MGI, the chapter does not rank countries and gives no single composite score. This is a
MIPEX-*style* assessment, not an official MIPEX score: MIPEX does not cover Kyrgyzstan."""

SUMMARY = '''report.md(reg.text(
    "The benchmark holds {benchmark.criteria.total:d} criteria, {benchmark.criteria.gender:d} of them on gender. "
    "In law, {benchmark.criteria.scored:d} could be scored and {benchmark.criteria.unknown:d} remain unknown because "
    "the research did not establish the fact; the number that does not apply to citizens of "
    f"{origin['name']}" " is {benchmark.criteria.not_applicable:d}. "
    "For {benchmark.criteria.de_facto_scored:d} criteria there is also a score for practice."))'''

PROFILE = '''profile = tables["domain_profile"]
report.figure(bm.figure_domain_profile(profile),
              caption="Benchmark criteria by MGI domain and answer in law (complete, partial, absent, unknown, not applicable)",
              source=SOURCE + "; evidence in " + f"{inventory_dir}/acts.csv and provisions.csv")'''

PROFILE_LISTS = '''lists = tables["domain_lists"]
for domain in settings["mgi_domains"]:
    part = lists[lists["mgi_domain"] == domain]
    if part.empty:
        report.md(f"### {domain[0].upper() + domain[1:]}\\n\\nNo criterion of the benchmark falls in this domain.")
        continue
    text = [f"### {domain[0].upper() + domain[1:]}"]
    for place in ("well developed", "potential for further development", "not assessed (unknown)"):
        items = part[part["place"] == place]
        if items.empty:
            continue
        text.append(f"**{place[0].upper() + place[1:]}**\\n")
        text += [f"- {r.criterion} ({r.criterion_id}; {r.scores}; {r.evidence or 'no evidence listed'})"
                 for r in items.itertuples()]
        text.append("")
    report.md("\\n".join(text))'''

AREAS = '''panel = tables["area_scores"].copy()
panel.insert(0, "Area", panel.pop("area").map(area_labels))
report.table(panel.rename(columns={
    "dimension_mean": "Score, 2015 rule", "indicator_mean": "Score, current rule", "difference": "Difference",
    "unknown_as_0": "If unknown were 0", "unknown_as_100": "If unknown were 100",
    "not_applicable_as_0": "If not applicable were 0", "unknown": "Unknown criteria", "coverage_pct": "Scored, %"}),
    caption="Area scores in law under the two MIPEX aggregation rules, and how far missing evidence could move them",
    source=SOURCE, float_format="{:,.1f}",
    note="2015 rule: criteria are averaged into dimensions and dimensions into the area; current rule: criteria are "
         "averaged into the area directly. The what-if columns use the 2015 rule and are not scores: they show how "
         "much rests on unknown or not-applicable answers. Scored % = criteria scored / (scored + unknown).")'''

AREAS_TEXT = '''report.md(reg.text(
    "Under the 2015 rule the registration area scores {benchmark.area.registration.dimension_mean:.0f} of 100 and "
    "the work area {benchmark.area.work.dimension_mean:.0f} (current rule: {benchmark.area.work.indicator_mean:.0f}). "
    "Coverage differs between areas: {benchmark.area.gender.coverage_pct:.0f} % of the applicable gender criteria "
    "could be scored, against {benchmark.area.stay.coverage_pct:.0f} % in the stay area, so gender scores rest on "
    "fewer facts."))'''

GAPS = '''gap = tables["gaps"]
if gap.empty:
    report.md("No criterion has both a score in law and a score in practice yet.")
else:
    report.figure(bm.figure_gaps(gap),
                  caption="Criteria scored both in law and in practice: score in law (circle) and in practice (diamond)",
                  source=f"{benchmark_in}; practice from the consultation codes ({codebook_in}) and processing-time "
                         f"findings ({findings_in})")
    shown = gap.rename(columns={"criterion_id": "Id", "area": "Area", "criterion": "Criterion",
                                "de_jure_score": "In law", "de_facto_score": "In practice", "gap": "Gap",
                                "de_facto_basis": "Basis of the practice score", "evidence": "Evidence"})
    shown["Area"] = shown["Area"].map(area_labels)
    shown["Evidence"] = shown["Evidence"].map(bm.breakable)
    report.table(shown, caption="Law against practice, criterion by criterion (gap = law minus practice)",
                 source=SOURCE, float_format="{:,.0f}")
    report.md(reg.text("Practice falls short of the law on {benchmark.gaps.practice_below_law:d} of the "
                       "{benchmark.gaps.assessed:d} criteria assessed both ways."))'''

GAPS_TEXT = """Practice scores come in two kinds. Where a processing-time finding measures the criterion directly,
the score follows from the finding through bands stated in the corridor configuration
(`benchmark.de_facto_rules`: for the share decided within the statutory deadline, at least 90 % is complete and
at least 50 % partial; for the difference between women and men in the 80th percentile, at most 1 working day is
complete and at most 3 partial). Other practice scores are the consultant's reading of the coded consultations;
while the bundled consultations are synthetic example data, those scores only illustrate the method."""

GENDER = '''crit = tables["criteria_scored"]
gender = crit[crit["gender"].astype(bool)][["criterion_id", "criterion", "reference", "kg_answer", "de_facto_status",
                                             "de_facto_score", "evidence", "confidence"]]
gender = gender.assign(de_facto=[("" if s == "not assessed" else s if s != "scored" else f"{v:.0f}")
                                 for s, v in zip(gender.pop("de_facto_status"), gender.pop("de_facto_score"))],
                       evidence=gender["evidence"].map(bm.breakable))
report.table(gender.rename(columns={"criterion_id": "Id", "criterion": "Criterion", "reference": "Standard",
                                    "kg_answer": "In law", "de_facto": "In practice", "evidence": "Evidence",
                                    "confidence": "Confidence"}),
             caption="Gender criteria: GCM guiding principle (g) and objective 1 (data disaggregated by sex)",
             source=SOURCE)'''

GENDER_TEXT = """The benchmark assesses rules, not persons, so it cannot itself be split by sex. Sex enters in two ways:
the gender criteria above, scored like the rest, and practice evidence measured separately for women and men
(the processing-time gap between women and men). Consultation evidence is cited by code only; the counts of
women and men behind each code are in the consultations chapter, with small cells suppressed."""

COMPARATORS_FIG = '''wide = tables["comparators_wide"]
labels = {destination["code"]: destination["name"], **comparators}
counts = bm.country_counts(wide, [destination["code"]] + list(comparators), labels)
report.figure(bm.figure_comparators(counts),
              caption=f"Answers for the regimes applied to citizens of {origin['name']}: {destination['name']} and "
                      "comparators (grey = unknown: no source allowed an answer)",
              source=f"{benchmark_in}, sheets criteria and comparators")
report.md(reg.text(
    "The sources allowed an answer for {benchmark.comparators.kz.answered:d} criteria for "
    f"{comparators.get('KZ', 'KZ')}" " and {benchmark.comparators.ru.answered:d} for " f"{comparators.get('RU', 'RU')}"
    ". Unknown answers are not zeros: the comparison is limited to the few criteria answered, and it is not a "
    "ranking."))'''

COMPARATORS_TABLE = '''known = wide[(wide[list(comparators)] != "unknown").any(axis=1)].copy()
known["area"] = known["area"].map(area_labels)
report.table(known.rename(columns={"criterion_id": "Id", "area": "Area", "criterion": "Criterion", **labels}),
             caption="Criteria with an answer for at least one comparator regime",
             source=f"{benchmark_in}, sheet comparators (bases and sources per answer)")
for code, name in comparators.items():
    pair = [destination["code"], code]
    shared = bm.shared_scores(wide, bench.criteria, pair)
    if shared["scored"].sum() == 0:
        report.md(f"No criterion is answered for both {destination['name']} and {name}; no like-for-like comparison "
                  "is possible.")
        continue
    shared = shared[shared["scored"] > 0].assign(country=lambda f: f["country"].map(labels),
                                                 area=lambda f: f["area"].map(area_labels))
    report.table(shared[["country", "area", "score", "scored"]].rename(columns={
                     "country": "Regime", "area": "Area", "score": "Score (2015 rule)", "scored": "Criteria"}),
                 caption=f"Like for like: {destination['name']} and {name} on the criteria answered for both",
                 source=f"{benchmark_in}, sheets criteria and comparators", float_format="{:,.0f}",
                 note="Only criteria scored for both regimes enter; with so few criteria this is an illustration of "
                      "where the regimes differ, not a ranking.")'''

ANNEX_TITLE = "# Benchmark criteria, evidence and ratifications"

ANNEX_CRITERIA = '''scored_table = tables["criteria_scored"]
assessors = sorted(set(scored_table["assessor"]))
compact = bm.annex_table(scored_table)
for area in settings["areas"]:
    part = compact[(scored_table["area"] == area).to_numpy()]
    report.table(part, caption=f"Benchmark criteria, answers and evidence: {area_labels[area].lower()}",
                 source=SOURCE, float_format="{:,.0f}",
                 note="Answers: 100 complete, 50 partial, 0 absent; unknown and not applicable are not scores. "
                      "Evidence: acts and provisions of the legal inventory, consultation codes, findings of earlier "
                      "chapters ('from finding': scored from the first finding listed). Assessor: "
                      + "; ".join(assessors) + ". Source addresses follow in the last table.")'''

ANNEX_SOURCES = '''sources = bm.annex_sources(scored_table)
report.table(sources[sources["Sources"] != ""], caption="Sources of the benchmark answers, by criterion",
             source=f"{benchmark_in}, column source", links=["Sources"])'''

ANNEX_RATIFICATIONS = '''report.table(tables["ratifications"],
             caption=f"Ratification of the benchmark's instruments by {destination['name']} and {origin['name']}",
             source=f"{benchmark_in}, sheet ratifications (sources per row in the workbook)")'''

ANNEX_WARNINGS = '''if confidence_warnings:
    report.md("Answers whose confidence is stronger than that of an inventory row they cite. Each must rest only "
              "on the stronger facts of that row (for example Kyrgyzstan's own ratification, sourced, where the row is "
              "weaker because of Uzbekistan's status); otherwise lower the answer's confidence.")
    criterion_of_row = dict(zip(bench.criteria["_row"], bench.criteria["criterion_id"]))
    report.table(pd.DataFrame([{"Criterion": criterion_of_row[p.row], "Workbook row": p.row,
                                "Answer's confidence": p.found, "Check": p.expected} for p in confidence_warnings]),
                 caption="Confidence checks of the benchmark answers against the legal inventory",
                 source=f"{benchmark_in}; {inventory_dir}/acts.csv and provisions.csv (column confidence)")
else:
    report.md("Every answer's confidence is at most that of the inventory rows it cites.")'''

SAVE = "fragment = reg.save()"

cells = [
    cell("code", PARAMETERS, "params", ["parameters"]),
    cell("code", "import pandas as pd\n\nfrom analysis import benchmark as bm, config, findings, report", "imports"),
    cell("code", ANALYSE, "analyse"),
    cell("markdown", "# Benchmark against international and regional standards", "title"),
    cell("markdown", METHOD, "method"),
    cell("code", SUMMARY, "summary"),
    cell("markdown", "## Profile by MGI domain\n\nThe profile counts, for each MGI domain, the criteria Kyrgyzstan meets "
                     "completely, partly or not at all in law, and those that remain unknown. The lists below are "
                     "generated from the scores and their evidence: *well developed* means the law meets the criterion "
                     "and practice, where assessed, does too; *potential for further development* means the law meets "
                     "it partly or not at all, or practice falls short of the law.", "profile-heading"),
    cell("code", PROFILE, "profile-figure"),
    cell("code", PROFILE_LISTS, "profile-lists"),
    cell("markdown", "## Scores by area and the two aggregation rules", "areas-heading"),
    cell("code", AREAS, "areas-table"),
    cell("code", AREAS_TEXT, "areas-text"),
    cell("markdown", "## Law and practice", "gaps-heading"),
    cell("markdown", GAPS_TEXT, "gaps-method"),
    cell("code", GAPS, "gaps"),
    cell("markdown", "## Gender", "gender-heading"),
    cell("code", GENDER, "gender-table"),
    cell("markdown", GENDER_TEXT, "gender-text"),
    cell("markdown", "## Kyrgyzstan and the comparator regimes\n\nThe same criteria were assessed for the regimes "
                     "Kazakhstan and Russia apply to citizens of Uzbekistan, where the sources allowed.",
         "comparators-heading"),
    cell("code", COMPARATORS_FIG, "comparators-figure"),
    cell("code", COMPARATORS_TABLE, "comparators-table"),
    cell("code", "report.md(reg.text(\"Of the instruments in the ratification table of the annex, Kyrgyzstan is a party or member to \"\n"
                 "                   \"{benchmark.ratifications.kg.party:d} and Uzbekistan to {benchmark.ratifications.uz.party:d}; \"\n"
                 "                   \"the table gives the confidence of each status.\"))", "ratifications-text"),
    cell("markdown", ANNEX_TITLE, "annex-title", ["annex"]),
    cell("code", ANNEX_CRITERIA, "annex-criteria", ["annex"]),
    cell("code", ANNEX_SOURCES, "annex-sources", ["annex"]),
    cell("code", ANNEX_RATIFICATIONS, "annex-ratifications", ["annex"]),
    cell("markdown", "## Confidence checks", "annex-confidence-heading", ["annex"]),
    cell("code", ANNEX_WARNINGS, "annex-confidence", ["annex"]),
    cell("code", SAVE, "save"),
]

write_notebook(cells, TARGET)
