"""Write the bundled data/raw/benchmark.xlsx from the research reference (run once, by hand).

The workbook, not this script, is the source of truth: the consultant edits it in Excel. The script
keeps the first version of every judgement reviewable as text. Source keys in square brackets are
resolved into addresses through section 6 ("Source index") of the reference file; other addresses
(methodology.md) are written out in full:

    .venv/bin/python tools/build_benchmark_workbook.py [path/to/legal_framework.md]

Every answer is a draft judgement of the consultant on facts of the reference. Confidence is the
lowest confidence of the facts the answer rests on; a fact the research did not find makes the answer
"unknown", never 0. De facto answers that rest on the bundled consultations are illustrative, because
those example consultations are synthetic; the basis says so.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from analysis import benchmark, paths

DEFAULT_REFERENCE = Path("../shared/reference/legal_framework.md")
S, M, U = "sourced", "from memory", "uncertain"
ASSESSOR = "consultant (draft, to be validated)"
SYNTHETIC = " (illustrative: the bundled consultations are synthetic example data)"
DOMAIN = {"rights": "migrants' rights", "wog": "whole-of-government approach", "partner": "partnerships",
          "wellbeing": "well-being of migrants", "crises": "mobility dimensions of crises",
          "safe": "safe, orderly and regular migration"}

# Addresses quoted in methodology.md (not in the legal reference's source index).
DTM_GAPS = "https://dtm.iom.int/reports/kyrgyzstan-migration-data-gaps-analysis-january-2024"
KZ_UZ_REG = ("https://intermarkrelocation.com/news/immigration/kazakhstan-and-uzbekistan-mutually-increase-allowed-"
             "registration-free-term-of-stay/")
LISBON_KG = "https://kiwix.lema.org/wikipedia_en_all_mini_2024-02/A/Lisbon_Recognition_Convention"
UZ_GLOBAL_CONV = ("https://www.buila.ac.uk/articles/uzbekistan-joins-unesco-convention-on-qualifications-amid-focus-"
                  "on-quality")
GCM_GENDER = "https://migrationnetwork.un.org/taxonomy/term/258?page=16"
GCM_OBJ1 = "https://adattar.minorityforum.info/en/entity/raaui6nu5a?file=1587370301487dgy07rb4bk.pdf&page=7"

# One criterion: id, area, dimension, MGI domain key, MGI sub-area, frameworks, reference, criterion,
# (option 100, option 50, option 0), KG answer, basis, acts, provisions,
# (de facto answer, codes, findings, basis) or None, gender, confidence, sources, note.
C = [
    # ------------------------------------------------------------------ work
    ("WRK-01", "work", "access", "rights", "right to work", "MIPEX; ICRMW; GCM",
     "MIPEX labour market mobility (access); ICRMW art. 52; GCM objective 5",
     "Citizens of Uzbekistan have a lawful route to paid employment.",
     ("a permit route open in every sector without numerical limits", "a route exists but is capped by quotas or staff shares",
      "no route"), "50",
     "The single permit is open to Uzbek citizens, but the annual quota (52,000 for 2026) and the 20 % cap on foreign "
     "staff per employer still apply.", "G07; G11; L03", "G07-SINGLE-PERMIT; G11-QUOTA-2026; L03-FOREIGN-STAFF-CAP",
     ("50", "PAT.SINGLE; PAT.COST", "", "Consultations describe the single permit as fast but costly" + SYNTHETIC),
     False, U, "[24kg-313664] [24kg-362851] [24kg-121665]", "Status of the single-permit pilot after 1 Jan 2026 to verify (conflict C02)."),
    ("WRK-02", "work", "procedure", "safe", "admission and eligibility criteria", "GCM; MGI",
     "GCM objective 5; MGI safe, orderly and regular migration",
     "One application gives both the right to stay and the right to work (one-stop shop).",
     ("one application and one decision for stay and work", "two linked procedures in one office", "separate procedures"),
     "100", "Since 1 Jan 2025 one single permit replaces the work permit and work visa; the quota commission was abolished.",
     "G07; P02", "G07-SINGLE-PERMIT; G07-NO-COMMISSION; P02-SINGLE-WINDOW", None, False, U,
     "[24kg-313664] [cis-163636]", "The provisional regulation was valid to 1 Jan 2026; an official said the pilot runs to "
     "1 Jul 2026; its status on the as-of date is not confirmed."),
    ("WRK-03", "work", "procedure", "safe", "admission and eligibility criteria", "GCM; MGI",
     "GCM objective 5 (accessible, efficient procedures)",
     "Work authorisation is decided within a short statutory deadline, and the deadline is met in practice.",
     ("a deadline of at most 10 working days", "a deadline longer than 10 working days", "no statutory deadline"), "100",
     "The MFA issues the single permit within 7 working days.", "G07", "G07-PROCESSING-DEADLINE",
     ("from finding", "PAT.SINGLE", "processing_times.single_permit.share_within_deadline",
      "Share of single permits decided within the 7-working-day deadline, scored with the bands in the configuration."),
     False, U, "[24kg-313664]", "Rests on the single permit being in force on the as-of date (conflict C02)."),
    ("WRK-04", "work", "procedure", "safe", "admission and eligibility criteria", "GCM; MGI",
     "GCM objective 5 (affordable procedures); objective 6 (recruitment costs)",
     "The fees for work authorisation are officially published and affordable.",
     ("an official fee schedule, affordable for a low-wage worker", "published but high, or partly unpublished",
      "not published"), "unknown",
     "The official fee and guarantee-fee amounts of the single permit were not found; only a commercial page quotes them.",
     "G07; G10", "G07-GUARANTEE-FEE",
     ("50", "PAT.COST; EMP.NOTIFY", "", "Consultations report permit costs near a month's wage and a guarantee fee that "
      "deters small employers" + SYNTHETIC), False, U, "[24kg-313664] [tours-too-kg]",
     "Verify the fee schedule (reference section 5, fact 4)."),
    ("WRK-05", "work", "security", "rights", "right to work", "MIPEX; ILO C143; ICRMW",
     "MIPEX labour market mobility; ILO C143 art. 14(a); ICRMW art. 52",
     "A worker can change employer without losing the right to stay and work.",
     ("free change of employer", "change possible with a new permit or only through another status",
      "tied to one employer"), "50",
     "The single permit is requested for a named worker by the employer; the resident card (up to 360 days) lets the "
     "holder work without a named employer.", "G07; G14", "G07-SINGLE-PERMIT; G14-RESIDENT-CARD", None, False, U,
     "[24kg-313664] [economist-kg-resident]", "Whether a single-permit holder may change employer is not stated in the sources."),
    ("WRK-06", "work", "access", "rights", "right to work", "MIPEX", "MIPEX labour market mobility (access to self-employment)",
     "Citizens of Uzbekistan may work on their own account.",
     ("on the same terms as nationals", "with a permit, patent or special status", "not allowed"), "50",
     "Self-employment needs a status: the resident card allows business; the older entrepreneur permit was fee-based.",
     "G14; G08", "G14-RESIDENT-CARD; G08-FEE-ENTREPRENEUR", None, False, S, "[economist-kg-resident] [mfa-workpermit]", ""),
    ("WRK-07", "work", "access", "safe", "admission and eligibility criteria", "ICRMW; GCM",
     "ICRMW arts. 58–59 (frontier and seasonal workers); GCM objective 5",
     "A simple status exists for frontier and seasonal workers from the neighbouring country.",
     ("a simple, cheap status lasting the season", "a status exists but is bound to short stays or unclear",
      "no such status"), "50",
     "The law defines the border migrant worker (2020) and the tax service reports an 800-som monthly patent, but the "
     "patent lasts only for the visa-free stay and its legal basis is unclear.", "L03; L07",
     "L03-BORDER-WORKER; L07-PATENT-FEE; L07-PATENT-STAY-BOUND", None, False, U, "[ealeg-125729] [akchabar-patent]",
     "Tax Code article and eligibility of Uzbek citizens to verify (reference section 5, fact 5)."),
    ("WRK-08", "work", "rights", "rights", "right to work", "ILO C97; ICRMW", "ILO C97 art. 6; ICRMW art. 25",
     "Lawfully employed migrant workers have equal treatment with nationals in pay and working conditions.",
     ("equal treatment in law", "equal treatment with exceptions", "no equal-treatment rule"), "100",
     "Kyrgyzstan ratified C97 (equal treatment of lawfully employed migrants); the Labour Code covers lawfully employed "
     "foreigners.", "X02; L08", "X02-C97-EQUAL-TREATMENT; L08-E-CONTRACT",
     ("50", "EMP.INFORMAL", "", "Consultations describe work without a written contract" + SYNTHETIC), False, S,
     "[normlex-c097-2020] [cis-164746]", ""),
    ("WRK-09", "work", "rights", "rights", "access to basic social services and social security", "ILO C97; ICRMW; MIPEX",
     "ILO C97 art. 6(1)(b); ICRMW art. 27",
     "Migrant workers are insured in state social insurance on the same terms as nationals.",
     ("same rates and benefits as nationals", "insured with restrictions", "not insured"), "100",
     "Foreigners working for a Kyrgyz legal entity pay contributions at citizens' rates with or without a residence "
     "permit; employers pay for foreign staff.", "L09; G21", "L09-EMPLOYEE-RATE; L09-EMPLOYER-RATE; G21-EMPLOYER-PREMIUMS",
     None, False, U, "[bakertilly-kg] [ealeg-163705]", "Rates sourced; number and date of the amending law not seen."),
    ("WRK-10", "work", "rights", "partner", "bilateral agreements", "ICRMW; GCM", "ICRMW art. 27(2); GCM objective 22",
     "Pension rights can be exported or totalised with the origin country.",
     ("a social-security agreement in force", "an agreement signed or under negotiation", "none"), "50",
     "Draft agreement on social insurance and pensions signed by the two funds (2025); not in force. The EAEU pension "
     "agreement does not cover Uzbek workers (from memory).", "B06", "B06-PENSION-TOTALISATION", None, False,
     S, "[fergana-139470] [trend-4097969]", "The EAEU pension agreement (E03) is cited from memory and not used as evidence."),
    ("WRK-11", "work", "cooperation", "partner", "bilateral labour agreements", "MGI; GCM",
     "MGI well-being of migrants: bilateral labour agreements; GCM objective 5",
     "A bilateral labour-migration agreement with the origin country is in force.",
     ("in force", "signed or under negotiation", "none"), "unknown",
     "No Kyrgyzstan–Uzbekistan labour-migration agreement was found; the research could not establish that none exists.",
     "B09", "", None, False, U, "[adilet-p070000494] [kun-2021-uzkz]", "Verify (reference section 5, fact 8)."),
    ("WRK-12", "work", "cooperation", "safe", "pre-departure and recruitment", "ILO C181; GCM",
     "ILO C181 art. 7; GCM objective 6",
     "Private recruitment agencies are regulated and workers pay no recruitment fees.",
     ("ratified C181 or equivalent law, no fees to workers", "agencies regulated, fees not banned", "not regulated"),
     "unknown", "Kyrgyzstan has not ratified C181 (uncertain); domestic rules on recruitment agencies were not researched.",
     "X04", "", None, False, U, "", "Verify in NORMLEX and the Law on External Labour Migration."),
    # ------------------------------------------------------------------ stay
    ("STY-01", "stay", "duration", "safe", "admission and eligibility criteria", "GCM; MGI",
     "GCM objective 5; MGI safe, orderly and regular migration",
     "Visa-free stay is long enough for a season of work or a semester of study.",
     ("at least 90 days in 180, or stay tied to the purpose", "30 to 89 days per period", "under 30 days"), "50",
     "Uzbek citizens may stay 60 days in each 120-day period; the bilateral protocol says up to 60 days.", "G02; B03",
     "G02-STAY-60-120; B03-STAY-60", None, False, S, "[24kg-357624] [spot-uz-2023]", ""),
    ("STY-02", "stay", "access", "safe", "border management", "GCM; MGI", "GCM objective 4; MGI border management",
     "Citizens of the origin country may cross the border with a national ID card.",
     ("ID card accepted for entry, exit and transit", "accepted for some crossings", "passport only"), "100",
     "Since 1 Sep 2023 the Uzbek ID card is accepted for entry, exit and transit.", "B03", "B03-ID-CARD-ENTRY", None,
     False, S, "[spot-uz-2023] [kaktus-14122]", "Children under 16 cross with a passport."),
    ("STY-03", "stay", "security", "safe", "admission and eligibility criteria", "GCM; MIPEX",
     "GCM objective 5; MIPEX permanent residence (security)",
     "A person admitted to work or study may stay for the whole permit or course without leaving the country.",
     ("for workers and students alike", "for one of the two groups or unclear", "no"), "50",
     "Holders of a visa or residence permit stay for its validity and single permits of 360 days exist; for Uzbek "
     "students the document that covers stays beyond 60/120 is unclear.", "G02; G07",
     "G02-VISA-HOLDERS; G02-PURPOSE-EXEMPT; G07-TERM-360", None, False, U, "[24kg-357624] [qazinform-8550e1] [24kg-329358]",
     "Reference section 5, fact 7."),
    ("STY-04", "stay", "long-term", "rights", "long-term residency and path to citizenship", "MIPEX; MGI",
     "MIPEX permanent residence; MGI migrants' rights",
     "A temporary residence permit is open to citizens of Uzbekistan.",
     ("an open route", "a route for some purposes or a short card only", "no route"), "50",
     "The 2024 private-purpose TRP lists 8 states, not Uzbekistan; the resident card (up to 360 days) is open; the "
     "older TRP regulation may have been replaced.", "G03; G14; G04", "G03-TRP-PRIVATE; G14-RESIDENT-CARD", None, False,
     U, "[24kg-304106] [economist-kg-resident] [ealeg-134569]", ""),
    ("STY-05", "stay", "long-term", "rights", "long-term residency and path to citizenship", "MIPEX",
     "MIPEX permanent residence (eligibility, procedure)",
     "Permanent residence is open after at most 5 years and decided promptly.",
     ("after at most 5 years, decided within 6 months", "after at most 5 years, slow or unclear procedure",
      "no route or more than 5 years"), "50",
     "A PRP requires proof of 5 years' residence (old page, 2022 draft) and is reviewed within one year.", "G04; G03",
     "G04-PRP-RESIDENCE; G03-PRP-REVIEW-DEADLINE", None, False, U, "[ssm-immigrant] [digital-vnzh-terms]", ""),
    ("STY-06", "stay", "security", "safe", "return and regularisation", "GCM; ICRMW",
     "GCM objective 7 (regularisation); ICRMW art. 69",
     "People in an irregular situation have a route to regularise their stay.",
     ("a standing route", "one-off amnesties", "none"), "50",
     "A one-off legalisation ran to 10 Jun 2025; otherwise breaches lead to fines and possible expulsion.", "P03; G15; L05",
     "P03-LEGALISATION; L05-EXPULSION-2025", None, False, S, "[knews-2025-legal] [24kg-330228] [for-kg-872121]", ""),
    ("STY-07", "stay", "access", "safe", "border management", "GCM; MGI", "GCM objective 5; MGI border management",
     "Entry visas can be obtained online and quickly.",
     ("e-visa within 5 working days", "e-visa with longer or unclear processing", "paper visas only"), "not applicable",
     "Citizens of Uzbekistan enter without a visa, so visa processing does not concern them.", "B02",
     "B02-VISA-FREE-ENTRY", None, False, S, "[continent-30324354] [uza-449185]", ""),
    # ------------------------------------------------------------------ registration
    ("REG-01", "registration", "obligation", "safe", "admission and eligibility criteria", "GCM; MGI",
     "GCM objective 5; MGI safe, orderly and regular migration",
     "The time allowed to register after arrival is reasonable.",
     ("no registration for stays up to 30 days, or at least 30 days to register", "7 to 29 days",
      "less than 7 days"), "0",
     "Uzbek citizens must register within 5 working days of crossing the border.", "G01; L02",
     "G01-REG-DEADLINE; L02-REG-THRESHOLD",
     ("0", "REG.DEADLINE", "", "Consultations describe the deadline as hard to meet" + SYNTHETIC), False, S,
     "[trend-xebersaati-233043] [ozodlik-32378704]",
     "Conflicting reports of 30 or 60 registration-free days (conflict C01) to verify."),
    ("REG-02", "registration", "procedure", "wog", "institutional transparency and coherence", "GCM; MGI",
     "GCM objective 5; MGI whole-of-government approach",
     "Registration can be completed online.",
     ("online, with the same force as on paper", "partly online", "in person only"), "100",
     "Registration is filed at any Public Service Centre or online (ereg.e-gov.kg from 2025); portal documents have the "
     "force of paper.", "G01; G22", "G01-REG-WHERE; G22-E-DOCUMENTS",
     ("50", "ONLINE.ACCESS; ONLINE.PAY", "", "Consultations report portal and payment failures for foreign phones and "
      "cards" + SYNTHETIC), False, S, "[24kg-330228] [cis-119654]", ""),
    ("REG-03", "registration", "procedure", "safe", "admission and eligibility criteria", "GCM",
     "GCM objective 5 (affordable procedures)",
     "The registration fee is officially published and low.",
     ("published and low", "published but high", "not published"), "unknown",
     "A fee of 120 som was reported in 2016; the current fee was not found.", "G01", "G01-REG-FEE", None, False, U,
     "[usembassy-reg]", "Verify the current fee (reference section 5, fact 2)."),
    ("REG-04", "registration", "procedure", "safe", "admission and eligibility criteria", "GCM",
     "GCM objective 5",
     "One registration covers the whole lawful stay (no re-registration within it).",
     ("registration valid for the whole stay", "valid for part of it", "repeated registration"), "100",
     "Registration of an Uzbek citizen is issued for 60 days, the length of the visa-free stay.", "G01; G02",
     "G01-REG-PERIOD; G02-STAY-60-120",
     ("50", "REG.DOCS", "processing_times.registration.p80_days",
      "Registrations are decided quickly, but consultations describe repeated visits for documents" + SYNTHETIC),
     False, S, "[ozodlik-32378704] [24kg-357624]", ""),
    ("REG-05", "registration", "sanctions", "rights", "right to due process", "GCM; ICRMW",
     "GCM objective 7; ICRMW art. 22 (expulsion)",
     "Penalties for breaches of registration rules are proportionate and not automatically expulsion.",
     ("fines only, graduated", "fines with possible expulsion", "expulsion or detention as the rule"), "50",
     "Fines of about 5,500 som per person (derived from reports) and, since April 2025, possible expulsion and entry bans.",
     "L05", "L05-ART431-FINE; L05-EXPULSION-2025", None, False, U, "[24kg-350585] [for-kg-872121]",
     "Current tariff not found; per-person fine derived."),
    ("REG-06", "registration", "information", "safe", "information to migrants", "GCM",
     "GCM objective 3 (accurate and timely information)",
     "Registration rules and forms are available in the migrant's language.",
     ("in Uzbek, official", "through intermediaries or partly", "not available"), "unknown",
     "No provision on the language of forms or information was found.", "", "",
     ("0", "LANG.FORMS; SRC.NETWORK", "", "Consultations describe forms only in Russian and Kyrgyz and reliance on "
      "social media" + SYNTHETIC), False, U, "", ""),
    # ------------------------------------------------------------------ study
    ("STD-01", "study", "admission", "wellbeing", "provisions regulating student migration", "MGI; MIPEX",
     "MGI well-being of migrants: student migration; MIPEX education (access)",
     "Foreign applicants are admitted to higher education under published rules.",
     ("published admission rules for foreigners", "rules exist but unpublished or institution-specific", "no rules"),
     "100", "The admission procedure (Res. 355/2022, amended 2022 for foreign applicants) admits foreigners on a contract basis.",
     "G17", "G17-CONTRACT-ADMISSION", None, False, S, "[gov-npa-4250] [oshsu-admission]", ""),
    ("STD-02", "study", "recognition", "wellbeing", "recognition of qualifications", "Lisbon Recognition Convention; MGI",
     "Lisbon Recognition Convention arts. IV.1, IV.3 (assessment within a reasonable time, right of appeal)",
     "School certificates from the origin country are assessed for admission within a set time and with a right of appeal.",
     ("assessment with a published time limit and appeal", "an assessment procedure; time limit or appeal not established",
      "no procedure"), "50",
     "Admission requires the ministry's equivalence certificate; no time limit or appeal was found.", "G17",
     "G17-EQUIVALENCE",
     ("50", "DIPL.NOSTR", "", "Consultations describe delays and cost of the certificate" + SYNTHETIC), False, S,
     "[knau-visa] [oshsu-admission]", "The inventory has no row for the Lisbon Recognition Convention itself (see ratifications)."),
    ("STD-03", "study", "recognition", "partner", "regional cooperation", "Lisbon Recognition Convention; MGI",
     "MGI partnerships: regional cooperation; Lisbon Recognition Convention",
     "An agreement with the origin country on mutual recognition of education documents is in force.",
     ("in force", "signed or under negotiation", "none"), "50",
     "Bilateral talks (2021, 2025) and a five-party Central Asian draft (2025) exist; none is in force.", "B07; B08",
     "", None, False, U, "[24kg-319605] [24kg-351648] [centrasia-2025-diplomas]", "Whether a bilateral agreement (B07) exists is uncertain."),
    ("STD-04", "study", "access", "wellbeing", "provisions regulating student migration", "MIPEX; MGI",
     "MIPEX education (access to support); MGI student migration",
     "Students from the origin country can compete for state-funded places.",
     ("on the same terms as nationals", "limited places or specific groups", "no access"), "50",
     "Grants are open to citizens of KZ, RU, BY and TJ, not Uzbekistan; ethnic Kyrgyz with Uzbek citizenship get a few "
     "budget places.", "G20; P04", "G20-GRANTS-LIST; P04-PLACES-2022", None, False, U,
     "[ksucta-foreign] [sayasat-114011]", ""),
    ("STD-05", "study", "stay", "wellbeing", "provisions regulating student migration", "MGI; GCM",
     "MGI student migration; GCM objective 5",
     "Students can stay for the length of their course without the 60/120 limit.",
     ("a student visa or permit for the course", "renewable short documents", "only the visa-free limit"), "unknown",
     "An S visa for a year, renewable up to 5 years, exists for visa nationals; whether Uzbek students need it is unclear.",
     "G09", "G09-S-VISA-TERM", None, False, U, "[eimu-visa] [24kg-357624]", "Reference section 5, fact 7."),
    ("STD-06", "study", "stay", "wellbeing", "provisions regulating student migration", "MGI",
     "MGI student migration",
     "Universities can register their foreign students on their behalf.",
     ("registration through the university", "partly", "students register alone"), "100",
     "Students register within 5 days at a Public Service Centre or through the university's passport-visa office.",
     "G01", "G01-REG-DEADLINE; G01-REG-WHERE",
     ("50", "STUD.REG", "processing_times.student_registration.p80_days",
      "Registrations through universities are decided quickly, but consultations say they happen only once a "
      "semester" + SYNTHETIC), False, S, "[eimu-visa] [bhu-visa] [kgma-visa]", ""),
    ("STD-07", "study", "work", "wellbeing", "provisions regulating student migration", "MGI; MIPEX",
     "MGI student migration; MIPEX labour market mobility",
     "Students may work part-time during their studies.",
     ("yes, without a separate permit", "with a permit", "not allowed"), "0",
     "An S visa does not allow work; the MVD said in May 2024 that foreign students may not work.", "G09",
     "G09-S-VISA-NO-WORK", None, False, S, "[ism-visa] [trimfeed-students]", "MVD statement from a secondary source."),
    ("STD-08", "study", "services", "rights", "access to basic social services and social security", "MGI",
     "MGI migrants' rights: access to health services",
     "Foreign students can obtain health insurance at an official price.",
     ("compulsory insurance at a published price", "insurance available, price unclear", "no access"), "100",
     "Compulsory health insurance covers foreign students; the fee was cut to 11,990 som a year.", "L10",
     "L10-CHI-COMPULSORY; L10-CHI-STUDENT-FEE", None, False, S, "[kant-2023-chi] [wenews-2024]", ""),
    ("STD-09", "study", "work", "wellbeing", "provisions regulating student migration", "MGI; MIPEX",
     "MGI student migration; MIPEX labour market mobility",
     "Graduates can stay to seek work or switch to a work permit without leaving.",
     ("yes", "only by leaving or under conditions", "no"), "unknown",
     "No post-study rule was found.", "G07", "", None, False, U, "", ""),
    # ------------------------------------------------------------------ rights
    ("RGT-01", "rights", "ratification", "rights", "signature and ratification of international conventions", "ICRMW; MGI",
     "ICRMW; MGI migrants' rights", "The state is a party to the UN Migrant Workers Convention.",
     ("party", "signed", "not party"), "100", "Kyrgyzstan is a party; the CMW reviewed its reports in 2015 and 2023.",
     "X01", "X01-ICRMW", None, False, S, "[ungeneva-cmw-2015] [ungeneva-cmw-2023]", "Accession date from memory."),
    ("RGT-02", "rights", "ratification", "rights", "signature and ratification of international conventions", "ILO C97; MGI",
     "ILO C97; MGI migrants' rights", "The state has ratified ILO C97 Migration for Employment.",
     ("ratified", "", "not ratified"), "100", "Ratified in 2008.", "X02", "", None, False, S, "[normlex-c097-2013]", ""),
    ("RGT-03", "rights", "ratification", "rights", "signature and ratification of international conventions", "ILO C143; MGI",
     "ILO C143; MGI migrants' rights", "The state has ratified ILO C143 Migrant Workers (Supplementary Provisions).",
     ("ratified", "", "not ratified"), "0", "Not ratified (from memory).", "X03", "", None, False, M, "",
     "Verify in NORMLEX (reference section 5, fact 9)."),
    ("RGT-04", "rights", "ratification", "rights", "signature and ratification of international conventions", "ILO C181; MGI",
     "ILO C181; MGI migrants' rights", "The state has ratified ILO C181 Private Employment Agencies.",
     ("ratified", "", "not ratified"), "0", "Not ratified (uncertain).", "X04", "", None, False, U, "",
     "Verify in NORMLEX."),
    ("RGT-05", "rights", "ratification", "partner", "global cooperation", "GCM; MGI",
     "GCM paras 48–50 (follow-up and review); MGI partnerships",
     "The state endorses the Global Compact for Migration and reviews its implementation.",
     ("endorsed and a voluntary review submitted", "endorsed or engaged without a review", "not endorsed"), "50",
     "Kyrgyzstan was not among the states voting no or abstaining; a UN Network on Migration was launched in 2020 and "
     "the migration policy concept is in the GCM practice repository. A positive vote is not verified.", "X07; G12",
     "", None, False, U, "[camera-gcm] [iom-network-kg] [un-migration-concept]", ""),
    ("RGT-06", "rights", "protection", "rights", "equal treatment", "ICRMW", "ICRMW arts. 7, 25",
     "Foreigners have the rights of citizens except political rights.",
     ("in the constitution or law", "in some laws", "no general rule"), "100",
     "Kyrgyzstan told the CMW in 2015 that foreigners have citizens' rights except voting and army service; the current "
     "article was not read.", "L01; L04", "L01-FOREIGNER-RIGHTS; L04-STATUS-CATEGORIES", None, False, M,
     "[ungeneva-cmw-2015] [president-const]", ""),
    ("RGT-07", "rights", "protection", "rights", "right to due process", "ICRMW", "ICRMW art. 22",
     "Expulsion is decided individually and can be appealed with suspensive effect.",
     ("yes", "appeal without suspensive effect", "no appeal"), "unknown",
     "Expulsion is possible since April 2025; appeal rules were not found.", "L05", "L05-EXPULSION-2025", None, False, U,
     "[for-kg-872121]", ""),
    ("RGT-08", "rights", "services", "rights", "access to basic social services and social security", "ICRMW; MGI",
     "ICRMW art. 28; MGI migrants' rights (health)",
     "Migrant workers can join compulsory health insurance.",
     ("yes, on the same terms", "with restrictions", "no"), "100",
     "Compulsory health insurance explicitly includes foreigners; patent holders buy a policy.", "L10; L07",
     "L10-CHI-COMPULSORY; L07-PATENT-INSURANCE", None, False, S, "[kant-2023-chi] [akchabar-patent]", ""),
    ("RGT-09", "rights", "governance", "wog", "migration strategy", "MGI; GCM", "MGI whole-of-government: migration strategy",
     "A migration policy strategy with an action plan is in force.",
     ("strategy and action plan in force", "strategy without a plan", "none"), "100",
     "Concept of the Migration Policy 2021–2030 with an action plan 2022–2025 and a second stage approved in March 2026.",
     "G12", "", None, False, S, "[un-migration-concept] [24kg-364886]", ""),
    ("RGT-10", "rights", "governance", "wog", "migration data", "MGI; GCM; SDG 10.7.2",
     "MGI whole-of-government: migration data; GCM objective 1",
     "A single information system records entry, permits, residence and registration.",
     ("in law and running", "in law only", "none"), "100",
     "The Law on External Migration (art. 5-2, 2023) creates a Single System of Accounting of External Migration.", "L02",
     "L02-SINGLE-ACCOUNTING", None, False, S, "[cis-151023]", "Whether it is fully running was not researched."),
    ("RGT-11", "rights", "cooperation", "partner", "regional cooperation", "MGI", "MGI partnerships: regional cooperation",
     "Workers from the origin country benefit from a regional free-movement regime.",
     ("full free movement", "partial facilitation", "not covered"), "0",
     "Uzbekistan is an EAEU observer; its citizens get no art. 97 benefits.", "E02", "E02-OBSERVER-NO-ART97", None, False,
     S, "[mondaq-1074182] [kun-2020-observer]", ""),
    ("RGT-12", "rights", "governance", "crises", "crisis preparedness for migrants", "MGI; GCM",
     "MGI mobility dimensions of crises; GCM objective 7",
     "Emergency plans cover foreign nationals, including migrant workers and students.",
     ("yes", "partly", "no"), "unknown", "Not researched.", "", "", None, False, U, "",
     "The reference material has no facts on crisis preparedness."),
    # ------------------------------------------------------------------ gender
    ("GEN-01", "gender", "data", "wog", "migration data", "GCM; SDG 10.7.2",
     "GCM objective 1 (para 17: data disaggregated by sex); SDG 10.7.2",
     "Administrative migration records carry the sex of each person.",
     ("required in the law or register", "recorded in practice only", "not recorded"), "unknown",
     "Whether the single accounting system records sex is not stated.", "L02", "L02-SINGLE-ACCOUNTING",
     ("100", "", "processing_times.sex.unknown; processing_times.extract.rows_analysed",
      "The processing-time extract records sex for almost every application" + SYNTHETIC.replace("consultations", "extract")),
     True, U, GCM_OBJ1, ""),
    ("GEN-02", "gender", "data", "wog", "migration data", "GCM; SDG 10.7.2", "GCM objective 1; SDG 10.7.2",
     "Migration statistics disaggregated by sex are published.",
     ("published regularly", "available on request", "not available"), "50",
     "Breakdowns of immigrant flows by sex are not public but can be requested from the National Statistical Committee.",
     "L02", "L02-SINGLE-ACCOUNTING", None, True, S, DTM_GAPS, ""),
    ("GEN-03", "gender", "equal treatment", "rights", "equal treatment", "ICRMW; GCM",
     "ICRMW art. 7 (no distinction by sex); GCM guiding principle (g)",
     "Decisions on permits are taken within the same time for women and men.",
     ("equal treatment in law", "", "no rule"), "100",
     "As a party to the ICRMW Kyrgyzstan must treat migrant workers without distinction by sex.", "X01", "X01-ICRMW",
     ("from finding", "", "processing_times.single_permit.p80_gap_women_men",
      "Difference between women and men in the 80th percentile of single-permit processing times, scored with the bands "
      "in the configuration."), True, S, "[ungeneva-cmw-2023]", ""),
    ("GEN-04", "gender", "protection", "rights", "equal treatment", "ILO C190; GCM",
     "ILO C190 arts. 2, 4; GCM guiding principle (g)",
     "Protection against violence and harassment at work covers migrant workers.",
     ("ratified C190 and covered in law", "covered in law only", "not covered"), "100",
     "Kyrgyzstan ratified C190 in 2024 (first in Central Asia).", "X06", "X06-C190-HARASSMENT",
     ("50", "GEN.SAFETY", "", "Consultations describe harassment in housing and work" + SYNTHETIC), True, S,
     "[ilo-c190-kg] [24kg-288496]", ""),
    ("GEN-05", "gender", "protection", "rights", "signature and ratification of international conventions", "ILO C189; GCM",
     "ILO C189; GCM objective 6 (decent work, domestic work)",
     "Domestic workers, most of them women, are protected under ILO C189.",
     ("ratified", "", "not ratified"), "0", "Not ratified (from memory).", "X05", "", None, True, M, "",
     "Verify in NORMLEX."),
    ("GEN-06", "gender", "access", "safe", "admission and eligibility criteria", "GCM",
     "GCM guiding principle (g); objective 5 (accessible procedures)",
     "Registration and permits can be obtained without queuing in person, which matters for people with care duties.",
     ("online for both", "online for one", "in person only"), "100",
     "Registration is possible online (ereg.e-gov.kg) and the single permit is filed on evisa.e-gov.kg.", "G01; G07",
     "G01-REG-WHERE; G07-SINGLE-PERMIT",
     ("50", "GEN.CARE; ONLINE.ACCESS", "", "Consultations describe queues and portal failures that weigh on women with "
      "children" + SYNTHETIC), True, U, "[24kg-330228] [24kg-313664]", "Rests on the single permit being in force (conflict C02)."),
    ("GEN-07", "gender", "policy", "wog", "migration strategy", "GCM", "GCM guiding principle (g)",
     "The migration policy mainstreams a gender perspective.",
     ("with measures and indicators", "mentions gender", "silent"), "unknown",
     "The text of the migration policy concept was not read.", "G12", "", None, True, U, GCM_GENDER, ""),
    ("GEN-08", "gender", "access", "rights", "family reunification", "ICRMW; MIPEX",
     "ICRMW art. 44 (family unity); MIPEX family reunification",
     "Spouses and children of workers and students can join them for the length of their stay.",
     ("a family route for the whole stay", "only short visa-free stays", "no route"), "unknown",
     "A family (FF) visa category exists; its use by families of Uzbek workers or students was not found.", "G09",
     "G09-VISA-CATEGORIES", None, True, U, "[24kg-139975]", ""),
]

# Comparators: (criterion, country, answer, basis, sources, confidence, note). Every other criterion
# and country is written as unknown: the reference material holds no source for it.
COMPARATORS = [
    ("STY-01", "KZ", "100", "Kazakhstan and Uzbekistan allow 90 days in 180.", KZ_UZ_REG, S, ""),
    ("REG-01", "KZ", "100", "Citizens of Uzbekistan may stay 30 days in Kazakhstan without registration (was 5 days).",
     KZ_UZ_REG, S, ""),
    ("STY-07", "KZ", "not applicable", "Citizens of Uzbekistan stay in Kazakhstan without a visa (90 days in 180).",
     KZ_UZ_REG, S, ""),
    ("RGT-11", "KZ", "0", "Uzbekistan is an EAEU observer; its citizens get no art. 97 benefits in member states.",
     "[mondaq-1074182] [kun-2020-observer]", S, ""),
    ("RGT-11", "RU", "0", "Uzbekistan is an EAEU observer; its citizens get no art. 97 benefits in member states.",
     "[mondaq-1074182] [kun-2020-observer]", S, ""),
    ("WRK-11", "KZ", "100", "Uzbekistan approved (2021) its 2019 agreement with Kazakhstan on labour activity and the "
     "protection of migrant workers' rights.", "[kun-2021-uzkz]", U, "Entry into force not verified."),
]
UNKNOWN_BASIS = "No source in the reference material; unknown, not zero."

# Ratifications: (instrument, act id, country, status, detail, confidence, sources)
RATIFICATIONS = [
    ("UN ICRMW 1990", "X01", "KG", "party", "CMW reviews 2015 and 2023; accession 29 Sep 2003 (from memory)", S,
     "[ungeneva-cmw-2015] [cmw-co1] [cmw-co2-ru] [ungeneva-cmw-2023]"),
    ("UN ICRMW 1990", "X01", "UZ", "not party", "", M, ""),
    ("ILO C97 Migration for Employment (Revised), 1949", "X02", "KG", "party", "ratified 2008", S,
     "[normlex-c097-2013] [normlex-c097-2020]"),
    ("ILO C97 Migration for Employment (Revised), 1949", "X02", "UZ", "not party",
     "a Ministry of Labour page (c. 2017) lists 14 ratified conventions without C97", M, "[mehnat-ilo]"),
    ("ILO C143 Migrant Workers (Supplementary Provisions), 1975", "X03", "KG", "not party", "", M, ""),
    ("ILO C143 Migrant Workers (Supplementary Provisions), 1975", "X03", "UZ", "not party", "", M, ""),
    ("ILO C181 Private Employment Agencies, 1997", "X04", "KG", "not party", "verify in NORMLEX", U, ""),
    ("ILO C181 Private Employment Agencies, 1997", "X04", "UZ", "not party", "verify in NORMLEX", U, ""),
    ("ILO C189 Domestic Workers, 2011", "X05", "KG", "not party", "", M, ""),
    ("ILO C189 Domestic Workers, 2011", "X05", "UZ", "not party", "", M, ""),
    ("ILO C190 Violence and Harassment, 2019", "X06", "KG", "party",
     "ratification law 28 Feb 2024; deposited 3 Jun 2024 (first in Central Asia and the CIS)", S,
     "[ilo-c190-kg] [24kg-288496] [inform-kz-c190]"),
    ("ILO C190 Violence and Harassment, 2019", "X06", "UZ", "not party",
     "not ratified as of the CEACR 2024 comment; ratification being examined; later status unknown", U,
     "[normlex-uz-c144-2024]"),
    ("Global Compact for Migration (non-binding), 2018", "X07", "KG", "unknown",
     "not among the 5 'no' or 12 abstaining states; positive vote not verified; UN Network on Migration launched 2020", U,
     "[camera-gcm] [iom-network-kg] [un-migration-concept]"),
    ("Global Compact for Migration (non-binding), 2018", "X07", "UZ", "supported",
     "supported from the beginning; first voluntary implementation report in the UN Europe and Central Asia region", S,
     "[camera-gcm] [iom-rovienna-uz]"),
    ("Eurasian Economic Union", "E01", "KG", "member", "accession treaty signed 23 Dec 2014", S,
     "[asiaplus-2020-observer]"),
    ("Eurasian Economic Union", "E02", "UZ", "observer", "observer since 11 Dec 2020", S,
     "[asiaplus-2020-observer] [mondaq-1074182]"),
    ("Lisbon Recognition Convention, 1997", "", "KG", "party", "no inventory row yet", S, LISBON_KG),
    ("Lisbon Recognition Convention, 1997", "", "UZ", "unknown",
     "Uzbekistan announced accession to the UNESCO Global Convention on higher-education qualifications (2025)", U,
     UZ_GLOBAL_CONV),
]


def source_index(reference: Path) -> dict[str, str]:
    """Source key -> address (the first URL on its line, else the description)."""
    section = reference.read_text(encoding="utf-8").split("## 6. Source index", 1)[1]
    index = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] not in ("Key", "---"):
            url = re.search(r"https?://\S+", cells[1])
            index[cells[0]] = url.group(0) if url else cells[1]
    return index


def resolve_sources(text: str, index: dict[str, str]) -> str:
    """Replace [key] by its address, one per line; an unknown key stops the script."""
    def lookup(match: re.Match) -> str:
        if match.group(1) not in index:
            raise KeyError(f"source key {match.group(1)!r} is not in the reference's source index")
        return index[match.group(1)]
    resolved = re.sub(r"\[([^\]]+)\]", lookup, text)
    return "\n".join(resolved.split())


def tables(index: dict[str, str]) -> dict[str, list[list]]:
    criteria = []
    for (cid, area, dim, dom, sub, fw, ref, text, (o100, o50, o0), answer, basis, acts, provs, facto, gender, conf,
         src, note) in C:
        facto = facto or ("", "", "", "")
        criteria.append([cid, area, dim, DOMAIN[dom], sub, fw, ref, text, o100, o50, o0, answer, basis, acts, provs,
                         facto[0], facto[1], facto[2], facto[3], "yes" if gender else "no", ASSESSOR, conf,
                         resolve_sources(src, index), note])
    known = {(c, k): (a, b, s, cf, n) for c, k, a, b, s, cf, n in COMPARATORS}
    comparators = []
    for row in C:
        for country in benchmark.settings()["comparators"]:
            answer, basis, src, conf, note = known.get((row[0], country), ("unknown", UNKNOWN_BASIS, "", U, ""))
            comparators.append([row[0], country, answer, basis, resolve_sources(src, index), conf, ASSESSOR, note])
    ratifications = [[i, a, c, s, d, cf, resolve_sources(src, index)] for i, a, c, s, d, cf, src in RATIFICATIONS]
    return {"criteria": criteria, "comparators": comparators, "ratifications": ratifications}


def main(argv: list[str]) -> None:
    reference = Path(argv[1]) if len(argv) > 1 else paths.REPO_ROOT / DEFAULT_REFERENCE
    out = benchmark.write_workbook(paths.raw("benchmark.xlsx"), tables(source_index(reference)), allow_raw=True)
    print(f"wrote {paths.relative(out)}: {len(C)} criteria")


if __name__ == "__main__":
    main(sys.argv)
