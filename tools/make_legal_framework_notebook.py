"""Write notebooks/10_legal_framework.ipynb (kept as a script so its cells and ids stay reviewable)."""

from notebook_cells import cell, write_notebook


cells = [
    cell("code", '''inventory_in = "data/raw/regulation_inventory.xlsx"
config_in = "config/corridor.yaml"
inventory_out = "data/processed/inventory"
findings_out = "data/processed/findings/10_legal_framework.json"
stage = "draft"
as_of = "2026-11-28"
compare_from = "2024-06-01"
compare_to = "2026-11-28"
seed = 20261128''', "params", ["parameters"]),
    cell("code", '''import pandas as pd

from analysis import config, findings, inventory, report''', "imports"),
    cell("code", '''# The build date bounds the dates the workbook may hold; `as_of` (the date the rules are shown for) may be
# earlier, e.g. `make AS_OF=2024-06-01`.
build_date = max(as_of, config.get("report.as_of"))
inv = inventory.read(inventory_in, today=build_date, as_of=as_of)
written = inventory.write_tidy(inv, inventory_out)
reg = findings.Registry(findings_out)
origin = config.get("corridor.origin.demonym")
source = "data/processed/inventory"
SOURCE = f"Legal-framework inventory ({inventory_in}), compiled from public legal sources"''', "load"),
    cell("markdown", "# Legal framework", "title"),
    cell("code", '''acts, provisions = inv["acts"], inv["provisions"]
reg.record("inventory.acts.total", len(acts), "acts", "acts in the inventory", f"{source}/acts.csv", rows=acts["id"])
reg.record("inventory.provisions.total", len(provisions), "provisions", "provisions (rules) in the inventory",
           f"{source}/provisions.csv", rows=provisions["id"])
reg.record("inventory.institutions.total", len(inv["institutions"]), "bodies", "bodies in the inventory",
           f"{source}/institutions.csv", rows=inv["institutions"]["id"])
report.md(reg.text(
    "This chapter sets out the acts, rules and bodies that govern citizens of Uzbekistan who come to Kyrgyzstan to "
    "work or study. The inventory holds {inventory.acts.total}, {inventory.provisions.total} and "
    "{inventory.institutions.total}; every fact carries its source address and a verification status "
    "(sourced, from memory, uncertain). Rules are shown as they applied on a given date, because the framework "
    "changed often: registration rules in 2016, the ID-card protocol in 2023, the stay regulation in 2023 "
    "(amended in 2026), the single permit in 2025 and several reorganisations of the bodies since 2015."))''', "intro"),
    # ---------------------------------------------------------------- (a)
    cell("markdown", "## The framework at a glance", "a-heading"),
    cell("code", '''report.figure(inventory.figure_acts_by_type_and_level(inv),
              caption="Acts in the inventory by type and level of the hierarchy of norms (all statuses, including "
                      "drafts and instruments not found).",
              source=SOURCE)''', "a-acts-figure"),
    cell("code", '''coverage = inventory.coverage_matrix(inv, as_of)
gaps_bilateral = [p for p in coverage.index if coverage.loc[p, "bilateral"] == 0]
empty_pathways = [p for p in coverage.index if coverage.loc[p].sum() == 0]
reg.record("inventory.coverage.bilateral_gaps", len(gaps_bilateral), "pathways",
           f"pathways with no bilateral KG–UZ rule in force on {as_of}", f"{source}/provisions.csv",
           rows=gaps_bilateral)
report.figure(inventory.figure_coverage(coverage, f"Rules in force on {as_of} per pathway and level"),
              caption=f"Number of provisions in force on {as_of} that apply to {origin} citizens, per pathway and "
                      "level of the act; 'gap' marks a pathway that no act of that level regulates.",
              source=SOURCE)''', "a-coverage-figure"),
    cell("code", '''not_found = acts[acts["status"] == "not found"]
report.md(reg.text(
    "{inventory.coverage.bilateral_gaps} have no bilateral rule: "
    + ", ".join(gaps_bilateral).lower() + ". "
    "The bilateral framework regulates entry and stay (visa-free travel, the ID card, the length of stay); "
    "the research found no KG–UZ instrument in force on labour migration, social security or the recognition "
    "of diplomas (acts searched for and not found: " + "; ".join(not_found["title_en"]) + ")."
    + (" Pathways with no rule at any level: " + ", ".join(empty_pathways).lower() + "." if empty_pathways else "")))''',
         "a-gaps-text"),
    cell("code", '''treaties = acts[acts["level"].isin(["international", "regional", "bilateral"])]
destination, origin_country = config.get("corridor.destination.name"), config.get("corridor.origin.name")
report.table(pd.DataFrame({"Id": treaties["id"], "Instrument": treaties["title_en"], "Level": treaties["level"],
                           destination: treaties["destination_party"].fillna(""),
                           origin_country: treaties["origin_party"].fillna(""), "Status": treaties["status"],
                           "Confidence": treaties["confidence"]}),
             caption=f"International, regional and bilateral instruments: whether {destination} and {origin_country} "
                     "are parties (dates and details: annex)", source=SOURCE)''', "a-ratifications"),
    # ---------------------------------------------------------------- (b)
    cell("markdown", "## Reforms since 2000", "b-heading"),
    cell("code", '''events = inventory.reform_events(inv)
report.figure(inventory.figure_reform_timeline(events, "Acts, rules and amendments since 2000"),
              caption="Dates on which acts were adopted, rules started to apply and amendments took effect, per "
                      "level; circled and numbered: the milestones of the reform (listed on the right).",
              source=SOURCE)
milestones = events[events["milestone"] != ""].drop_duplicates("milestone")
report.table(pd.DataFrame({"Date": milestones["date"].dt.strftime("%d.%m.%Y"), "Milestone": milestones["milestone"],
                           "Id": milestones["id"], "What": milestones["text"]}),
             caption="Milestones of the reform of the migration framework since 2000", source=SOURCE)''',
         "b-timeline"),
    # ---------------------------------------------------------------- (c)
    cell("code", '''report.md(f"## Rules that apply to an {origin} citizen on {pd.Timestamp(as_of):%d %B %Y}")''', "c-heading"),
    cell("code", '''in_force = inventory.rules_in_force(inv, as_of)
weak = in_force[in_force["confidence"] != "sourced"]
reg.record("inventory.rules_in_force.total", len(in_force), "provisions",
           f"provisions in force on {as_of} that apply to the target group", f"{source}/provisions.csv",
           rows=in_force["id"])
reg.record("inventory.rules_in_force.not_sourced", len(weak), "count",
           f"of them, rules recorded as from memory or uncertain", f"{source}/provisions.csv", rows=weak["id"])
report.md(reg.text(
    "On this date {inventory.rules_in_force.total} applied to " + origin + " citizens or their employers; "
    "{inventory.rules_in_force.not_sourced} of these rest on facts recorded from memory or as uncertain, and are "
    "listed in the verification section. Rules for other groups (EAEU citizens, the states listed for residence "
    "permits or digital-nomad status) are left out. None of the provisions distinguishes between women and men, so "
    "this section cannot be disaggregated by sex; differences in practice are taken up in the consultations chapter."))''',
         "c-summary"),
    cell("code", '''per_pathway = inventory.by_pathway(in_force).groupby("pathway_label", sort=False)["id"].count()
report.table(per_pathway.rename("Provisions in force").rename_axis("Pathway").reset_index(),
             caption=f"Provisions in force on {as_of} per pathway (a provision can serve several pathways)",
             source=SOURCE)
rules = inventory.rules_table(in_force)
for label, part in rules.groupby("Pathway", sort=False):
    report.md(f"### {label}")
    report.table(part.drop(columns="Pathway"), caption=f"{label}: rules in force on {as_of} that apply to {origin} citizens",
                 source=SOURCE, note="'start not found': counted from the act's entry into force or from the rule "
                                     "it replaces (data-quality annex).")''', "c-rules"),
    # ---------------------------------------------------------------- (d)
    cell("markdown", "## The institutional map", "d-heading"),
    cell("code", '''roles = inventory.roles_on(inv, as_of)
reg.record("inventory.bodies_with_roles", roles["institution_id"].nunique(), "bodies",
           f"bodies with a role in a procedure on {as_of}", f"{source}/roles.csv", rows=roles["institution_id"])
report.md(reg.text("On " + as_of + ", {inventory.bodies_with_roles} had a role in the procedures that concern "
                   + origin + " citizens."))
report.table(inventory.institution_map(inv, as_of).reset_index(),
             caption=f"Bodies with a role (•) in each procedure on {as_of}", source=SOURCE)
report.table(inventory.roles_table(inv, as_of), caption=f"What each body does in each procedure on {as_of}",
             source=SOURCE)''', "d-map"),
    cell("code", '''report.figure(inventory.figure_institution_timeline(inventory.institution_periods(inv, until=build_date),
                                                   "Bodies created, renamed or abolished since 2015"),
              caption="Bodies of Kyrgyzstan that were created, renamed, merged or abolished since 2015, with the "
                      "dates the sources give; bodies that kept their name are not shown.",
              source=SOURCE)''', "d-timeline"),
    # ---------------------------------------------------------------- (e)
    cell("code", '''report.md(f"## What changed between {pd.Timestamp(compare_from):%d %B %Y} and {pd.Timestamp(compare_to):%d %B %Y}")''',
         "e-heading"),
    cell("code", '''changes = inventory.changes_between(inv, compare_from, compare_to)
for kind in ("new", "amended", "repealed"):
    part = changes[changes["change"] == kind]
    reg.record(f"inventory.changes.{kind}", len(part), "count",
               f"provisions {kind} between {compare_from} and {compare_to}", f"{source}/provisions.csv", rows=part["id"])
report.md(reg.text("Between the two dates, new rules: {inventory.changes.new}; rules whose value changed: "
                   "{inventory.changes.amended}; rules that ceased to apply: {inventory.changes.repealed}."))
shown = pd.DataFrame({"Change": changes["change"], "Provision": changes["id"], "Rule": changes["rule"],
                      "Value": changes["value"], "Previous value": changes["previous_value"],
                      "From": changes["valid_from"].dt.strftime("%d.%m.%Y").fillna(""),
                      "To": changes["valid_to"].dt.strftime("%d.%m.%Y").fillna(""), "Confidence": changes["confidence"]})
report.table(shown,
             caption=f"Rules new, amended or repealed between {compare_from} and {compare_to}", source=SOURCE)
events_between = inventory.amendments_between(inv, compare_from, compare_to)
report.table(pd.DataFrame({"Date": events_between["date"].dt.strftime("%d.%m.%Y"), "Act": events_between["target_act_id"],
                           "Action": events_between["action"], "By": events_between["amending_instrument"].fillna(""),
                           "What": events_between["what"].fillna("")}),
             caption=f"Amendments, suspensions and repeals of acts between {compare_from} and {compare_to}",
             source=SOURCE)''', "e-changes"),
    # ---------------------------------------------------------------- (f)
    cell("markdown", "## Verification status", "f-heading"),
    cell("code", '''shares = inventory.verification_shares(inv)
for level, key in (("sourced", "sourced"), ("from memory", "memory"), ("uncertain", "uncertain")):
    reg.record(f"inventory.facts.{key}_pct", shares.loc["all facts", f"{level} %"], "%",
               f"share of facts (rows of all sheets) recorded as {level}", source)
open_conflicts = inv["conflicts"].loc[inv["conflicts"]["resolution_status"] != "resolved", "conflict_id"].unique()
reg.record("inventory.conflicts.open", len(open_conflicts), "count", "facts on which sources disagree, unresolved",
           f"{source}/conflicts.csv", rows=open_conflicts)
report.md(reg.text("Of all facts in the inventory, {inventory.facts.sourced_pct} were seen in a public source, "
                   "{inventory.facts.memory_pct} are recorded from memory and {inventory.facts.uncertain_pct} are "
                   "uncertain. Unresolved disagreements between sources: {inventory.conflicts.open}."))
report.table(shares.rename_axis(columns=None).reset_index(), caption="Facts per sheet by verification status", source=SOURCE)''', "f-shares"),
    cell("code", '''conflicts = inv["conflicts"]
report.table(pd.DataFrame({"Conflict": conflicts["conflict_id"], "Fact": conflicts["fact"], "Value": conflicts["value"],
                           "Unit": conflicts["unit"].fillna(""), "Reported by": conflicts["reported_by"].fillna(""),
                           "On": conflicts["reported_on"].dt.strftime("%d.%m.%Y").fillna(""),
                           "Status": conflicts["resolution_status"], "source": conflicts["source"].map(inventory.source_links)}),
             caption="Facts on which the sources disagree, each value with its source", source=SOURCE, links=["source"])
report.table(inventory.check_first(inv, as_of),
             caption="What the consultant should check first: open conflicts, then weak facts the rules shown rely on",
             source=SOURCE)''', "f-check-first"),
    # ---------------------------------------------------------------- annex
    cell("markdown", "# Legal-framework inventory", "annex-heading", ["annex"]),
    cell("code", '''report.table(inventory.annex_table(inv),
             caption="All acts with English and Russian titles and source addresses, by level and date",
             source=SOURCE, links=["source"])''', "annex-acts", ["annex"]),
    cell("code", '''report.table(inventory.institutions_annex(inv),
             caption="All bodies with English and Russian names, parent, predecessor and period", source=SOURCE,
             links=["source"])''', "annex-institutions", ["annex"]),
    cell("code", '''all_rules = inventory.periods(inv)
report.table(pd.DataFrame({"Id": all_rules["id"], "Act": all_rules["act_id"], "Article": all_rules["article"].fillna(""),
                           "Rule": all_rules["rule"], "Value": [inventory.value_text(r) for _, r in all_rules.iterrows()],
                           "From": all_rules["valid_from"].dt.strftime("%d.%m.%Y").fillna(""),
                           "To": all_rules["valid_to"].dt.strftime("%d.%m.%Y").fillna(""),
                           "Confidence": all_rules["confidence"], "source": all_rules["source"].map(inventory.source_links)}),
             caption="All provisions with their sources", source=SOURCE, links=["source"])''', "annex-provisions",
         ["annex"]),
    cell("code", '''report.table(inventory.quality_table(inv.warnings),
             caption="Data quality: warnings on the inventory (rules without a start date, sources without an "
                     "address, weak facts shown as in force)", source=SOURCE)''', "annex-quality", ["annex"]),
    cell("code", "reg.save();", "save"),
]
write_notebook(cells, "notebooks/10_legal_framework.ipynb")
