"""Write notebooks/20_procedures.ipynb (kept as a script so its cells and ids stay reviewable)."""

from notebook_cells import cell, write_notebook


cells = [
    cell("code", 'procedures_in = "data/raw/procedures.xlsx"\n'
                 'inventory_dir = "data/processed/inventory"\n'
                 'observed_in = "data/processed/processing_times/summary_by_procedure.csv"\n'
                 'procedures_out = "data/processed/procedures"\n'
                 'findings_out = "data/processed/findings/20_procedures.json"\n'
                 'stage = "draft"\nas_of = "2026-11-28"\nseed = 20261128', "params", ["parameters"]),
    cell("code", "from datetime import date\n\n"
                 "import pandas as pd\n\nfrom analysis import findings, provenance, report\n"
                 "from analysis import procedures as P\n"
                 "from analysis.calendar import WorkCalendar", "imports"),
    cell("markdown", "# Procedures by pathway", "title"),
    cell("code", "proc = P.read(procedures_in, inventory_dir, on=as_of)\n"
                 "calendar = WorkCalendar.from_config()\n"
                 "start = date.fromisoformat(as_of)\n"
                 "observed = P.read_observed(observed_in)\n"
                 "observed_synthetic = P.settings()['observed_raw_input'] in provenance.synthetic_inputs()\n"
                 "labels = P.settings()['pathways']\n"
                 "usd_kgs = proc.parameter('usd_kgs')\n"
                 "reg = findings.Registry(findings_out)", "load"),
    cell("code", "table = P.indicators(proc, start, calendar, observed)\n"
                 "detail = P.burden(proc)\n"
                 "by_bearer = P.burden_by_bearer(detail)\n"
                 "card = P.scorecard(proc)\n"
                 "times = P.de_jure_de_facto(proc, observed)\n"
                 "cp = P.settings()['critical_path']\n"
                 "plans = {p: P.schedule(g, start, calendar, cp['minimum_days'], cp['parallel_start_offset_days'])\n"
                 "         for p, g in proc.steps.groupby('pathway', sort=False)}\n"
                 "schedule = pd.concat([plan.assign(pathway=p) for p, plan in plans.items()], ignore_index=True)\n"
                 "P.write_outputs(procedures_out, {\n"
                 "    'steps': proc.steps.drop(columns=['_row']), 'parameters': proc.parameters.drop(columns=['_row']),\n"
                 "    'schedule': schedule, 'indicators': table, 'burden': detail, 'burden_by_bearer': by_bearer,\n"
                 "    'scorecard': card, 'de_jure_de_facto': times})\n"
                 "P.record_findings(reg, proc, table, detail, card, procedures_out)", "compute"),
    cell("code", "report.md(reg.text(\n"
                 "    'This chapter sets out, pathway by pathway, the procedures a citizen of Uzbekistan goes through: '\n"
                 "    'the steps, the body responsible for each, its legal basis, the channel, the fees and the statutory '\n"
                 "    'deadline. It describes {procedures.steps.total}, of which {procedures.steps.not_sourced} are '\n"
                 "    'not fully sourced and are marked as such. Time is counted in working days with the Kyrgyz public-'\n"
                 "    'holiday calendar along the critical path: every step takes at least one day, and steps that can '\n"
                 "    'run at the same time overlap. Where the law sets no deadline the step counts for the one-day '\n"
                 "    'minimum, so the statutory totals are lower bounds. Costs are the official fees that could be '\n"
                 "    'found; where a fee is not known the table says so and the cost is a lower bound too.'))", "intro"),
    cell("code", "report.md(\n"
                 "    'The procedures are the same, de jure, for women and men: no provision seen distinguishes them by '\n"
                 "    'sex. Whether they weigh differently on women and men (for example through the sectors open to '\n"
                 "    'the patent, or the time and travel a step takes) cannot be measured from these data; the '\n"
                 "    'processing-time chapter disaggregates observed times by sex where the records allow.')", "gender"),
    cell("markdown", "## The pathways step by step", "pathways-heading"),
    cell("code", "colours = P.body_colours(proc.steps)\n"
                 "names = P.body_names(inventory_dir)\n"
                 "fees = proc.steps.assign(fee_kgs=P.fee_kgs(proc.steps, usd_kgs))\n"
                 "for pathway, plan in plans.items():\n"
                 "    label = labels[pathway]\n"
                 "    report.md(f'### {label}\\n\\n' + reg.text(\n"
                 "        f'{{procedures.{pathway}.steps}}, {{procedures.{pathway}.days_de_jure}} along the '\n"
                 "        f'critical path with statutory deadlines ({{procedures.{pathway}.days_de_facto_median}} with the '\n"
                 "        f'observed median times); known official fees of {{procedures.{pathway}.cost_kgs}} '\n"
                 "        f'(steps with a fee not known: {{procedures.{pathway}.fees_unknown:d}}).'))\n"
                 "    report.table(P.steps_table(proc, pathway, plan, usd_kgs, names), caption=f'Steps of the pathway: {label}',\n"
                 "                 source=f'{procedures_in} (steps sheet); ids of bodies and provisions from the regulation inventory',\n"
                 "                 float_format='{:,.0f}')\n"
                 "    group = fees[fees['pathway'] == pathway]\n"
                 "    fig = P.journey_map(plan, group, start, label, colours, names)\n"
                 "    report.figure(fig, caption=f'Journey map: {label}. Steps on a working-day axis from arrival, '\n"
                 "                  'coloured by responsible body, with the official fee of each step',\n"
                 "                  source=f'{procedures_in}; statutory deadlines; Kyrgyz public holidays')", "pathways"),
    cell("markdown", "## The pathways compared", "comparison-heading"),
    cell("code", "report.table(P.time_table(table), caption='Procedures and working days along the critical path by '\n"
                 "             'pathway (statutory deadlines and observed processing times)',\n"
                 "             source=f'{procedures_in}; observed times from {observed_in}', float_format='{:,.0f}',\n"
                 "             note='Every step takes at least one working day; a step without a statutory deadline '\n"
                 "                  'counts for that minimum. Observed days replace the statutory duration of the steps '\n"
                 "                  'that the processing-time analysis covers; the P80 column adds up the 80th percentiles '\n"
                 "                  'of the steps, an upper reading rather than the 80th percentile of the whole path.')\n"
                 "report.table(P.cost_table(table), caption='Official cost by pathway and its weight against income',\n"
                 "             source=f'{procedures_in} (steps and parameters sheets)', float_format='{:,.1f}',\n"
                 "             note='The cost counts the official fees found; steps whose fee is not known are counted '\n"
                 "                  'apart. GNI per capita has no sourced value yet (see the annex); the migrant\\'s wage '\n"
                 "                  'is a proxy.')\n"
                 "report.figure(P.comparison_chart(table), caption='The pathways compared on procedures, working days '\n"
                 "              '(statutory and observed median) and official cost',\n"
                 "              source=f'{procedures_in}; {observed_in}')\n"
                 "if observed is not None and observed_synthetic:\n"
                 "    report.notice('Observed days come from a synthetic processing-time extract generated to '\n"
                 "                  'demonstrate the analysis; they are not real data.', kind='synthetic')", "comparison"),
    cell("markdown", "## Statutory and observed times", "times-heading"),
    cell("code", "if observed is None:\n"
                 "    report.md('The processing-time analysis has produced no observed times, so only statutory '\n"
                 "              'deadlines are shown.')\n"
                 "else:\n"
                 "    report.table(P.de_facto_table(times), caption='Statutory deadline and observed processing time '\n"
                 "                 'of each observed procedure (working days)', source=observed_in)\n"
                 "    if observed_synthetic:\n"
                 "        report.notice('The observed processing times come from a synthetic extract generated to '\n"
                 "                      'demonstrate the analysis; they are not real data.', kind='synthetic')", "times"),
    cell("markdown", "## Accessibility", "access-heading"),
    cell("code", "report.table(P.scorecard_table(card, table), caption='Accessibility scorecard by pathway',\n"
                 "             source=f'{procedures_in} (channel, languages, locations)',\n"
                 "             note='Shares are of the steps whose language or place is known; online steps count as '\n"
                 "                  'available in the southern regions. The languages an Uzbek migrant reads are an '\n"
                 "                  'assumption of the configuration (Uzbek, Russian).')\n"
                 "report.md(reg.text(\n"
                 "    'The languages in which services are offered were not found for {procedures.access.steps_language_unknown}'\n"
                 "    ', so the share in a language an Uzbek migrant reads cannot yet be established; this is a '\n"
                 "    'question for the consultations. {procedures.access.steps_intermediary} go through an '\n"
                 "    'intermediary (employer, university or notary) and {procedures.access.steps_online} can be done online.'))", "access"),
    cell("markdown", "## Administrative burden", "burden-heading"),
    cell("code", "report.table(P.burden_table(by_bearer), caption='Annual administrative burden by pathway and bearer '\n"
                 "             '(Standard Cost Model: price x quantity, time cost varied by 25 % either way)',\n"
                 "             source=f'{procedures_in} (scm_assumptions and parameters sheets)', float_format='{:,.2f}',\n"
                 "             note='Every assumption is listed in the annex. A blank burden means the number of people '\n"
                 "                  'per year is not known; the price per case is shown all the same.')\n"
                 "report.md(reg.text(\n"
                 "    'Where the number of people is known, the procedures cost migrants, employers, universities and the state about '\n"
                 "    '{procedures.burden.total_kgs} a year (between {procedures.burden.low_kgs} and '\n"
                 "    '{procedures.burden.high_kgs} when the time taken is 25 % lower or higher). '\n"
                 "    '{procedures.burden.rows_quantity_unknown} have no known quantity and are not in this total. '\n"
                 "    'All time estimates are assumptions to be replaced by the estimates of the consultations.'))", "burden"),
    cell("markdown", "# Procedures: assumptions and sources", "annex-title", ["annex"]),
    cell("code", "report.table(P.assumptions_table(proc), caption='Economic parameters of the procedures chapter',\n"
                 "             source=f'{procedures_in} (parameters sheet)', float_format='{:,.2f}', links=['Source'])",
         "annex-parameters", ["annex"]),
    cell("code", "report.table(P.scm_assumptions_table(detail), caption='Standard Cost Model assumptions: time, '\n"
                 "             'tariff, out-of-pocket cost and quantity of each step',\n"
                 "             source=f'{procedures_in} (scm_assumptions sheet)', float_format='{:,.1f}')",
         "annex-scm", ["annex"]),
    cell("code", "report.table(P.sources_table(proc), caption='Sources and confidence of every step '\n"
                 "             '(step, fee, deadline and access)', source=f'{procedures_in} (steps sheet)',\n"
                 "             links=['Source'])", "annex-sources", ["annex"]),
    cell("code", "if proc.warnings:\n"
                 "    report.table(P.warnings_table(proc.warnings), caption='Warnings on the procedures workbook',\n"
                 "                 source=procedures_in)", "annex-warnings", ["annex"]),
    cell("code", "reg.save();", "save"),
]
write_notebook(cells, "notebooks/20_procedures.ipynb")
