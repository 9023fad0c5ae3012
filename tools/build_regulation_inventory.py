"""Write the bundled data/raw/regulation_inventory.xlsx from the research reference (run once, by hand).

The workbook, not this script, is the source of truth: the consultant edits it in Excel. The script is
kept so that the first version of every fact can be reviewed as text, with the source key it came from.
Source keys are resolved into addresses through section 6 ("Source index") of the reference file:

    .venv/bin/python tools/build_regulation_inventory.py [path/to/legal_framework.md]

Confidence follows the reference: "source" -> sourced, "memory" -> from memory, "uncertain" ->
uncertain. Where the reference splits a row's confidence (e.g. "source (dates); memory (article)"),
the row takes the weakest confidence among the facts its cells state and the note says which parts are
sourced. Partial dates
("April 2025", "2022") are stored as the first day of the period and the note gives the precision.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from analysis import inventory, paths

DEFAULT_REFERENCE = Path("../shared/reference/legal_framework.md")
S, M, U = "sourced", "from memory", "uncertain"


def source_index(reference: Path) -> dict[str, str]:
    """Source key -> address (the first URL on its line, else the whole description)."""
    text = reference.read_text(encoding="utf-8")
    section = text.split("## 6. Source index", 1)[1]
    index = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("Key", "---"):
            continue
        url = re.search(r"https?://\S+", cells[1])
        index[cells[0]] = url.group(0) if url else cells[1]
    return index


# ---------------------------------------------------------------- acts
# id, title_en, title_ru, type, level, number, adopted, entry_into_force, last_amended, status,
# issuing_body, summary, source keys, confidence, note, destination_party, origin_party
ACTS = [
    ("L01", "Constitution of the Kyrgyz Republic", "Конституция Кыргызской Республики", "constitution", "national law",
     None, "2021-05-05", "2021-05-05", None, "in force", "Referendum of 11 Apr 2021; enacted by law",
     "Baseline rights of foreigners; in 2015 (earlier constitution) KG told the CMW that foreigners have equal rights "
     "with citizens except voting and army service.", ["president-const", "advocatetanmoy-const", "ungeneva-cmw-2015"], S,
     "Article on foreigners in the current text not read (from memory)."),
    ("L02", "Law on External Migration", "Закон КР «О внешней миграции»", "law", "national law", "61",
     "2000-07-17", None, "2023-06-30", "amended", "Jogorku Kenesh (adopted 23 Jun 2000)",
     "Framework law for entry, stay, visas, registration, residence and expulsion; basis of the stay regulation (art. 13) "
     "and the residence-permit regulation (art. 15).",
     ["cbd-61-list", "legislationline-61", "cis-151023", "24kg-273238", "spinform-61849", "belta-2016", "vesti-59650",
      "24kg-357643", "24kg-360506"], S,
     "Amendments incl. 2005 No. 125, 2008 No. 98, 2013 No. 160, 24 Oct 2016 No. 171, 20 Mar 2019 No. 37, 26 Jun 2020 "
     "No. 64, 13 Sep 2021 No. 116, 30 Jun 2023 No. 129; a further 2023 law (number not seen). Drafts in 2026."),
    ("L03", "Law on External Labour Migration", "Закон КР «О внешней трудовой миграции»", "law", "national law", "4",
     "2006-01-13", None, "2023-06-30", "amended", "Jogorku Kenesh (adopted 14 Nov 2005)",
     "Work only with a work permit and within the annual quota; 20 % cap on foreign staff; border migrant worker (2020).",
     ["spinform-law4", "cis-law4", "ealeg-125729", "normlex-c097-2020", "24kg-121665", "time-kg-3607"], S, ""),
    ("L04", "Law on the Legal Status of Foreign Citizens in the Kyrgyz Republic",
     "Закон КР «О правовом положении иностранных граждан в Кыргызской Республике»", "law", "national law", "1296-XII",
     "1993-12-14", None, "2023-06-30", "amended", "Supreme Council",
     "Rights and obligations of foreigners; permanently residing vs temporarily staying (art. 5); compatriot status (art. 27).",
     ["cis-182", "ubr-171", "cis-135415"], S, ""),
    ("L05", "Code of the Kyrgyz Republic on Offences", "Кодекс КР о правонарушениях", "code", "national law", "128",
     "2021-10-28", "2021-12-01", "2025-07-01", "amended", "Jogorku Kenesh",
     "Art. 431 foreigner breaking rules of stay, labour or transit (p. 2 expulsion); art. 430 host or inviting party; "
     "art. 93 employer.", ["prg-code128", "for-kg-872121", "24kg-317736", "24kg-350585", "24kg-294792"], S,
     "Text as of 16 Apr 2025 seen; expulsion amendments signed April 2025; Law 22 Nov 2024 No. 186 in force 1 Jul 2025."),
    ("L06", "Code on Violations (2017) and Code on Administrative Responsibility (1998), predecessors",
     "Кодекс КР о нарушениях (2017); Кодекс об административной ответственности (1998)", "code", "national law",
     "58 (2017); 114 (1998)", "2017-04-13", "2019-01-01", "2020-06-26", "repealed", "Jogorku Kenesh",
     "Historic basis of the 10,000-som fine for late registration (2016–2018).",
     ["ealeg-75694", "ealeg-125729", "cis-150", "trend-xebersaati-233043", "belta-2016"], S,
     "Superseded by L05 from 1 Dec 2021; the exact repealing act is from memory. The 1998 code was adopted 4 Aug 1998."),
    ("L07", "Tax Code", "Налоговый кодекс КР", "code", "national law", "3", "2022-01-18", "2022-01-01", "2023-04-03",
     "amended", "Jogorku Kenesh (adopted 22 Dec 2021)",
     "Special tax on the basis of a patent for migrant workers from neighbouring countries hired by private individuals; "
     "employers as tax agents.", ["spinform-137076", "spinform-24860", "akchabar-patent"], S,
     "Replaced the Tax Code of 17 Oct 2008 No. 230 from 1 Jan 2022 (Law 18 Jan 2022 No. 4). Patent article number "
     "and start of the regime uncertain."),
    ("L08", "Labour Code", "Трудовой кодекс КР", "code", "national law", "23", "2025-01-23", "2025-01-23", None,
     "in force", "Jogorku Kenesh (adopted 18 Dec 2024)", "Employment contract of a lawfully employed foreign worker; "
     "electronic contract and work book.", ["cis-164746", "24kg-317888"], S,
     "In force from publication; publication date not seen (signing date used)."),
    ("L09", "Law on rates of state social-insurance contributions (amendment)",
     "Закон КР «О тарифах страховых взносов по государственному социальному страхованию»", "law", "national law",
     None, None, "2022-12-04", None, "in force", None,
     "Foreigners working for a KG legal entity pay contributions at citizens' rates.", ["bakertilly-kg"], U,
     "Rates sourced (tax alert); law number and date not seen."),
    ("L10", "Law on Medical Insurance of Citizens in the Kyrgyz Republic (2023 amendments)",
     "Закон КР «О медицинском страховании граждан в Кыргызской Республике»", "law", "national law", None, None,
     "2023-04-10", None, "in force", None, "Compulsory health insurance, explicitly including foreigners and foreign students.",
     ["kant-2023-chi", "wenews-2024", "xprimm-2014"], S, "Number of the amending law not seen."),
    ("L11", "Law on Education", "Закон КР «Об образовании»", "law", "national law", None, None, None, None, "in force",
     None, "Basis of the admission rules for foreign applicants (arts. 23 and 40 cited by Cabinet Res. 665/2022).",
     ["gov-npa-4250", "oshsu-admission"], U,
     "That it is cited: sourced. Number, date and whether a new law replaced the 2003 one: uncertain."),
    ("L12", "Law on Internal Migration", "Закон КР «О внутренней миграции»", "law", "national law", None, None, None,
     "2025-07-31", "amended", None, "Registration of citizens at the place of residence (host and landlord records); marginal.",
     ["zakonkz-30277067"], U, "Amended by Law 31 Jul 2025 No. 180 (in force 6 months after publication); base number "
     "and date not seen."),
    ("P01", "Decree on taking measures aimed at improving the migration situation",
     "Указ «О принятии мер, направленных на улучшение миграционной ситуации»", "presidential decree", "by-law", "4",
     "2021-01-29", None, None, "in force", "President",
     "Led to the Migration Policy Concept (G12) and the Meken-kart by-laws (G13).",
     ["cis-135415", "un-migration-concept", "24kg-181752"], S, "Reference status: implemented."),
    ("P02", "Decree on measures for optimisation of migration processes in the Kyrgyz Republic",
     "Указ «О мерах по оптимизации миграционных процессов в КР»", "presidential decree", "by-law", "268",
     "2024-09-19", None, None, "in force", "President",
     "Moves work authorisation to a single window run by the MFA (G07, G14); implemented in stages.",
     ["cis-163636", "open-kg-54857"], S, ""),
    ("P03", "Decree on the legalisation of foreigners staying in violation", None, "presidential decree", "by-law", "164",
     "2025-05-22", "2025-05-22", None, "expired", "President",
     "Irregular foreigners could regularise or leave without fines until 10 Jun 2025.", ["knews-2025-legal", "24kg-330228"], S,
     "Russian title not seen."),
    ("P04", "Decree on measures of support to compatriots abroad in education and culture",
     "Указ № 102 «О мерах по оказанию поддержки соотечественникам…»", "presidential decree", "by-law", "102",
     "2003-03-25", None, None, "in force", "President",
     "Budget-funded university places for ethnic Kyrgyz who are Uzbek citizens.", ["sayasat-114011", "kabar-2020-ethnic"], S,
     "Russian title reconstructed. Applied in 2020–2022."),
    ("G01", "Government decree on questions of registration of foreign citizens and stateless persons (incl. the "
     "registration procedure)", "Постановление Правительства КР «О вопросах регистрации иностранных граждан и лиц без "
     "гражданства на территории КР»", "government resolution", "by-law", "689", "2016-12-19", None, "2024-07-31",
     "amended", "Government", "Registration of foreigners; list of ~92 states exempt for 28–60 days (Uzbekistan not exempt in 2018).",
     ["trend-xebersaati-233043", "azattyk-29222462", "vb-352426", "sputnik-2016-reg", "cis-161314", "usembassy-reg",
      "ozodlik-32378704", "govori-220k"], S, "Amended by Cabinet Res. 8 Oct 2021 No. 203 and 31 Jul 2024 No. 437."),
    ("G02", "Regulation on the procedure of stay of foreign citizens in the Kyrgyz Republic",
     "Положение о порядке пребывания иностранных граждан на территории КР (утв. пост. КМ № 541)",
     "government resolution", "by-law", "541", "2023-10-10", "2023-10-10", "2026-01-13", "amended", "Cabinet of Ministers",
     "Caps visa-free stays (60 days in 120 for Uzbek citizens) and ended visa runs.",
     ["gov-npa-4495", "vestikavkaza-164142", "24kg-357656", "24kg-357624", "qazinform-8550e1", "24kg-353447",
      "zakonkz-6500012"], S, "Amending resolution reported 13 Jan 2026 (number not seen); Kazakh rules from 1 Sep 2025. "
     "Entry into force taken as the adoption date (not seen)."),
    ("G03", "Cabinet resolution on questions of stay of foreign citizens and stateless persons (regulation on "
     "residence permits)", "Постановление КМ КР «О вопросах пребывания иностранных граждан и лиц без гражданства на "
     "территории КР»", "government resolution", "by-law", "437", "2024-07-31", "2024-09-05", None, "in force",
     "Cabinet of Ministers", "TRP for private-purpose stays of citizens of 8 visa-free states (not Uzbekistan); review deadlines.",
     ["cis-161314", "paruskg-213900", "24kg-304106", "digital-vnzh-terms", "mondaq-1523874", "newskg-2024-09-05"], S, ""),
    ("G04", "Regulation on issuing temporary and permanent residence permits",
     "Положение о порядке оформления и выдачи временного и постоянного видов на жительство", "government resolution",
     "by-law", "626", "2008-11-13", None, "2021-09-02", "unknown", "Government", "TRP/PRP procedure (issuing body in "
     "2021: Department of Population Registration).", ["ealeg-134569", "ssm-immigrant", "sputnik-2022-draft"], U,
     "Text sourced; possibly replaced by the 2024 regulation in G03 (uncertain)."),
    ("G05", "Regulation on granting immigrant status", "Положение о порядке предоставления статуса иммигранта",
     "government resolution", "by-law", "793", "2001-12-15", None, None, "unknown", "Government",
     "Immigrant status (permanent residence).", ["ssm-immigrant"], U, "Existence sourced; current status not verified."),
    ("G06", "Regulation on the labour activity of foreign citizens and stateless persons (Annex 1 to \"On some "
     "questions in labour migration\")", "Положение о порядке осуществления трудовой деятельности иностранными "
     "гражданами и лицами без гражданства на территории КР", "government resolution", "by-law", "175", "2019-04-16",
     "2019-04-16", None, "suspended", "Government", "Two-permit regime: employer permit plus individual permit, within the quota.",
     ["cis-115240", "ecolex-175", "cis-163636"], S,
     "In force 15 days after publication (publication date not seen; adoption date used). Suspended until 1 Jan 2026 "
     "by Res. 721; status after 1 Jan 2026 not found."),
    ("G07", "Provisional regulation on permitting documents for stay and labour activity (\"Single Permit\")",
     "Временное положение о порядке оформления разрешительных документов на пребывание и осуществление трудовой "
     "деятельности иностранными гражданами и лицами без гражданства", "government resolution", "by-law", "721",
     "2024-12-02", "2025-01-01", None, "in force", "Cabinet of Ministers",
     "One single permit, issued by the MFA Consular Department, replaces work permit plus work visa; quota commission abolished.",
     ["cis-163636", "24kg-313664", "24kg-329358", "mts-17601"], U,
     "Adoption, content and 2025 application sourced; status after 2025 uncertain (hence the row's confidence). "
     "Russian title reconstructed from an English translation. Text valid to 1 Jan 2026; an MTSOM official says the "
     "pilot runs to 1 Jul 2026 (conflict C02); status after 2025 uncertain."),
    ("G08", "Decree on fees for issuing work permits", None, "government resolution", "by-law", "754", "2006-10-31",
     None, "2019-04-01", "unknown", "Government", "Fee basis of the pre-2025 work permits.",
     ["mfa-workpermit", "ssm-workpermit", "ka-fees", "24kg-131925"], S,
     "Fees raised April 2019 (amending act not seen); current status not verified."),
    ("G09", "Instruction on the procedure for issuing visas of the Kyrgyz Republic",
     "Инструкция о порядке оформления и выдачи виз КР", "government resolution", "by-law", "155", "2017-03-15", None,
     "2022-08-03", "amended", "Government", "Visa categories incl. S (study), W (labour), SW, DN, FF; e-visa rules.",
     ["cis-95612", "gov-npa-4057", "evisa-portal", "24kg-139975", "tistory-visa-types"], S,
     "New edition in force 3 Aug 2022; new categories from 15 Jan 2020. Whether Uzbek citizens need S or W for long "
     "stays is not confirmed."),
    ("G10", "Regulation on consular fees", "Положение о средствах, взимаемых за оказание консульских услуг",
     "government resolution", "by-law", "839", "2012-12-18", None, "2023-10-10", "amended", "Government",
     "Visa, exit-visa and overstay-related fees (amounts not seen).", ["gov-npa-4495", "gov-npa-4057"], S, ""),
    ("G11", "Annual quota for labour migration (limit on foreign workers by sector and region)",
     "Распоряжение КМ об определении квоты на трудовую миграцию", "ministerial order", "by-law", "yearly", None, None,
     "2025-08-25", "in force", "Cabinet of Ministers", "A ceiling on foreign workers of every nationality, Uzbek included.",
     ["time-kg-3607", "normlex-c097-2020", "24kg-121665", "azattyk-31668814", "24kg-quota-2023", "24kg-340772",
      "24kg-362851", "mts-17601"], S, "A yearly cabinet order (type 'ministerial order' is the nearest in the list)."),
    ("G12", "Concept of the Migration Policy of the Kyrgyz Republic 2021–2030",
     "Концепция миграционной политики КР на 2021–2030 годы", "government resolution", "by-law", "191", "2021-05-04",
     None, "2026-03-05", "in force", "Government", "Policy frame, listed as a GCM practice.",
     ["un-migration-concept", "24kg-364886"], S, "Action Plan 2022–2025 (13 Apr 2022); second stage 2026–2030 approved 5 Mar 2026."),
    ("G13", "Regulation on the status of compatriot with foreign citizenship (Meken-kart)",
     "Положение о порядке присвоения, обмена, прекращения и лишения статуса соотечественника с иностранным гражданством",
     "government resolution", "by-law", "203", "2021-10-08", None, None, "in force", "Cabinet of Ministers",
     "Former KG citizens and their descendants (possibly some Uzbek citizens) live and work without work permits.",
     ["cis-135415", "kabar-meken"], S, ""),
    ("G14", "Resolution on the resident card", "Резидент-карта (пост. КМ от 27.06.2025)", "government resolution",
     "by-law", None, "2025-06-27", None, None, "in force", "Cabinet of Ministers",
     "A foreigner may live, work and run a business for up to 360 days; applied for through the MFA single window.",
     ["economist-kg-resident", "open-kg-54857"], S, "Number not seen."),
    ("G15", "Provisional regulation on legalisation of foreigners", "Временное положение о легализации иностранцев",
     "government resolution", "by-law", None, "2025-05-01", None, None, "expired", "Cabinet of Ministers",
     "Procedure for the 2025 legalisation (see P03).", ["knews-2025-legal"], S, "Month precision: May 2025. Number not seen."),
    ("G16", "Regulation on the pilot project \"Digital nomad\"", "Положение о пилотном проекте «Цифровой кочевник»",
     "government resolution", "by-law", None, "2022-01-01", None, "2023-10-06", "unknown", "Cabinet of Ministers",
     "Exempts IT workers of listed countries (not Uzbekistan) from registration and work permits.",
     ["mineconom-dn", "akchabar-dn", "novosti-dn", "reporter-dn"], S,
     "Year precision (2022). Valid to 31 Dec 2023, extended to mid-2024; status after mid-2024 not found."),
    ("G17", "Resolution approving normative acts in higher and secondary vocational education (incl. admission procedure)",
     "Пост. КМ «Об утверждении НПА в сфере высшего и среднего профессионального образования»", "government resolution",
     "by-law", "355", "2022-06-30", None, "2022-11-30", "amended", "Cabinet of Ministers",
     "Admission of foreign applicants to universities.", ["gov-npa-4250", "oshsu-admission"], S,
     "Amended 30 Nov 2022 No. 665 (foreign applicants)."),
    ("G18", "Resolution on some questions of admitting foreigners to medical higher-education programmes", None,
     "government resolution", "by-law", "648", "2022-11-21", None, None, "in force", "Cabinet of Ministers",
     "From 2022–23 only HEIs with international programme accreditation may admit foreigners to medicine.",
     ["gov-npa-4231"], S, ""),
    ("G19", "Draft amendment: ban on transfers of foreigners into medical programmes (to HE resolution No. 590)", None,
     "government resolution", "by-law", "590", "2024-09-27", None, None, "draft", "Cabinet of Ministers",
     "Draft of 30 Dec 2025: foreigners admitted to medicine only into year 1; no transfers; no recognition of partial "
     "medical study abroad.", ["24kg-356594"], S, "Dates are those of Res. 590 (27 Sep 2024) which the draft amends."),
    ("G20", "Regulation on General Republican Testing and grant places", None, "government resolution", "by-law", "404",
     "2006-06-02", None, None, "unknown", "Government",
     "Citizens of KZ, RU, BY and TJ may compete for state grants; Uzbekistan is not in that list.", ["ksucta-foreign"], U,
     "Cited by a university page (sourced); current status uncertain."),
    ("G21", "Instruction on calculation and payment of state social-insurance premiums",
     "Инструкция о порядке начисления и уплаты страховых взносов", "government resolution", "by-law", "729",
     "2024-12-03", None, "2025-07-15", "amended", "Cabinet of Ministers", "Employer payroll obligations for foreign staff.",
     ["ealeg-163705"], S, "Amended 15 Jul 2025 No. 413."),
    ("G22", "Instructions for the State Portal of Electronic Services", None, "government resolution", "by-law", "525",
     "2019-10-07", None, None, "in force", "Government",
     "Documents from the portal or the Tunduk app have the same force as paper.", ["cis-119654"], S, ""),
    ("G23", "Order on a pilot electronic patent", None, "ministerial order", "by-law", "304", "2018-06-27", None, None,
     "unknown", "Government", "Pilot of online patents (July 2018, Bishkek and Osh): precedent for online renewals.",
     ["cis-108480"], S, "Government order; pilot outcome not found."),
    ("B01", "Treaty on Eternal Friendship between Uzbekistan and Kyrgyzstan", "Договор о вечной дружбе между РУз и КР",
     "bilateral instrument", "bilateral", None, "1996-12-24", None, None, "in force", "Both states",
     "Political basis of relations.", ["oldgovuz-12415"], S, "In force per the UZ government portal (2017).", "party", "party"),
    ("B02", "Agreement between the Governments on mutual trips of citizens",
     "Соглашение между Правительством КР и Правительством РУз о взаимных поездках граждан", "bilateral instrument",
     "bilateral", None, "2006-10-03", None, "2024-07-19", "amended", "Both governments",
     "Visa-free entry of Uzbek citizens; list of valid travel documents.", ["continent-30324354", "uza-449185"], S,
     "Signed in Tashkent; entry-into-force date not seen.", "party", "party"),
    ("B03", "Protocol amending the 2006 agreement on mutual trips (ID cards)",
     "Протокол о внесении изменений в Соглашение… от 3 октября 2006 г.", "bilateral instrument", "bilateral", None,
     "2023-01-27", "2023-08-25", None, "in force", "Both governments",
     "Entry, exit and transit with the ID card from 1 Sep 2023; stay up to 60 days.",
     ["spot-uz-2023", "kaktus-14122", "uza-479948", "24kg-252575"], S,
     "UZ ratification 27 Apr 2023; JK ratification law 3 May 2023; applied from 1 Sep 2023.", "party", "party"),
    ("B04", "Amendment to the mutual-trips agreement for residents of Sokh, Shakhimardan, Chon-Gara and Tash-Dobo",
     "Изменения в Соглашение о взаимных поездках", "bilateral instrument", "bilateral", None, "2024-07-19", None, None,
     "unknown", "Both governments", "Transit through Kadamjai district for enclave residents.", ["economist-ghost-2024"], U,
     "Announced during a state visit (page dated 19 Jul 2024); page text truncated (partial source).", "party", "party"),
    ("B05", "2017 package: State Border Treaty, Declaration on Strategic Partnership and other documents",
     "Договор о кыргызско-узбекской государственной границе; Декларация о стратегическом партнёрстве", "bilateral instrument",
     "bilateral", None, "2017-09-01", None, None, "in force", "Both states",
     "Context; no migration-specific clauses seen.", ["mfa-kg-uz-political", "oldgovuz-12415", "legalviews-2023"], M,
     "Signing (Sep–Oct 2017, month precision) sourced; in force from memory.", "party", "party"),
    ("B06", "Draft intergovernmental agreement on state social insurance and pension provision",
     "проект Соглашения о государственном социальном страховании и пенсионном обеспечении", "bilateral instrument",
     "bilateral", None, None, None, None, "draft", "KG Social Fund and UZ Off-Budget Pension Fund",
     "Would total insurance periods, pay pensions abroad and prevent double contributions.",
     ["fergana-139470", "erkin-too-pension", "trend-4097969"], S, "Drafts signed in Tashkent in 2025; negotiations "
     "ongoing (Oct 2025).", "signed", "signed"),
    ("B07", "Agreement on mutual recognition of education documents (planned)", None, "bilateral instrument", "bilateral",
     None, None, None, None, "not found", None, "Would govern recognition of school and HE documents.",
     ["kutbilim-2021", "24kg-319605"], U, "Talks sourced (working group 2021, Feb 2025); not found as signed.",
     "unknown", "unknown"),
    ("B08", "Five-party Central Asian agreement on mutual recognition of higher-education documents",
     "Соглашение о взаимном признании документов о высшем образовании", "EAEU/CIS instrument", "regional", None, None,
     None, None, "draft", "KZ, KG, TJ, TM, UZ",
     "Would ease recognition of KG diplomas in Uzbekistan.", ["zan-p2500000963", "24kg-351648", "centrasia-2025-diplomas"], S,
     "KZ approved the draft 12 Nov 2025; not signed (KG domestic procedures unfinished). Multilateral, not EAEU/CIS: "
     "nearest type in the list.", "unknown", "not party"),
    ("B09", "KG–UZ intergovernmental agreement on labour activity and protection of migrant workers", None,
     "bilateral instrument", "bilateral", None, None, None, None, "not found", None,
     "No such agreement was found. Comparators: KZ–KG (4 Jul 2006) and UZ–KZ (15 Apr 2019).",
     ["adilet-p070000494", "kun-2021-uzkz"], U, "Likely none; verify.", "unknown", "unknown"),
    ("B10", "KG–UZ convention on avoidance of double taxation", None, "bilateral instrument", "bilateral", None, None,
     None, None, "not found", None, "Not found in this research.", ["reference: legal_framework.md section 5 (not found)"],
     U, "No source: listed as not found.", "unknown", "unknown"),
    ("B11", "Intergovernmental agreement on cooperation in education, science and technology (2017 package)", None,
     "bilateral instrument", "bilateral", None, "2017-01-01", None, None, "unknown", "Both governments",
     "Reported as part of the 2017 package.", ["ja.topwar.ru 124238 (Japanese translation of a Russian article)"], U,
     "Year precision; secondary report only.", "unknown", "unknown"),
    ("E01", "Treaty on the Eurasian Economic Union, arts. 96–98 (labour migration)", "Договор о Евразийском экономическом союзе",
     "EAEU/CIS instrument", "regional", None, "2014-05-29", "2015-08-01", None, "in force", "EAEU member states",
     "Art. 97 frees member-state workers from work permits; it does not cover Uzbek citizens.",
     ["arbatcredit-art97", "dgs35-eaeu", "asiaplus-2020-observer", "24kg-357656", "24kg-353447"], M,
     "Treaty and art. 97 sourced; KG accession treaty signed 23 Dec 2014; entry into force for KG (Aug 2015, month "
     "precision) from memory.", "member", "observer"),
    ("E02", "Observer status of Uzbekistan in the EAEU", None, "EAEU/CIS instrument", "regional", None, "2020-12-11",
     "2020-12-11", None, "in force", "Supreme Eurasian Economic Council",
     "Observer (art. 109): no decision rights, no art. 97 benefits.", ["mondaq-1074182", "kun-2020-observer"], S, "",
     "member", "observer"),
    ("E03", "EAEU Agreement on pension provision of workers", "Соглашение о пенсионном обеспечении трудящихся государств – "
     "членов ЕАЭС", "EAEU/CIS instrument", "regional", None, "2019-12-20", "2021-01-01", None, "in force", "EAEU member states",
     "Applies among the five members; not to Uzbek workers.", ["trend-4097969"], M,
     "Existence sourced; dates from memory.", "member", "not party"),
    ("E04", "CIS Agreement on cooperation in labour migration and social protection of migrant workers",
     "Соглашение о сотрудничестве в области трудовой миграции и социальной защиты трудящихся-мигрантов",
     "EAEU/CIS instrument", "regional", None, "1994-04-15", None, None, "unknown", "CIS states",
     "Possible multilateral basis between KG and UZ.", ["mentioned in cyberleninka (Migranyan & Tkachenko)"], U,
     "Date from memory; KG and UZ participation not verified.", "unknown", "unknown"),
    ("E05", "CIS Convention on the legal status of migrant workers and members of their families",
     "Конвенция о правовом статусе трудящихся-мигрантов и членов их семей государств-участников СНГ",
     "EAEU/CIS instrument", "regional", None, "2008-11-14", None, None, "unknown", "CIS states", "Migrant workers' rights in the CIS.",
     ["hrlib-17387", "soc-in-2008"], S, "Existence and date sourced; KG and UZ status not found.", "unknown", "unknown"),
    ("E06", "CIS Agreement on mutual recognition of higher-education documents",
     "Соглашение государств-участников СНГ о взаимном признании документов о высшем образовании",
     "EAEU/CIS instrument", "regional", None, "2013-01-01", None, None, "unknown", "CIS states",
     "Recognition of diplomas among CIS states.", ["adilet-p1300000528"], U, "Year precision (KZ signing decision 2013); "
     "KG/UZ status not found.", "unknown", "unknown"),
    ("X01", "International Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families",
     "Международная конвенция о защите прав всех трудящихся-мигрантов и членов их семей", "international convention",
     "international", "A/RES/45/158", "1990-12-18", None, None, "in force", "UN General Assembly",
     "Binds KG as destination state towards Uzbek migrants; reviewed by the CMW in 2015 and 2023.",
     ["ungeneva-cmw-2015", "cmw-co1", "cmw-co2-ru", "ungeneva-cmw-2023"], M,
     "KG party: sourced; KG accession date (29 Sep 2003) from memory; UZ not a party: from memory. Resolution number from memory.",
     "party", "not party"),
    ("X02", "ILO Convention C97 Migration for Employment (Revised), 1949", None, "international convention", "international",
     "C97", None, None, None, "in force", "International Labour Conference",
     "Equal treatment of migrant workers lawfully in the country.", ["normlex-c097-2013", "normlex-c097-2020", "mehnat-ilo"], M,
     "KG ratified 2008 (sourced). UZ not ratified (from memory). Adoption date not recorded (year in the title).",
     "party", "not party"),
    ("X03", "ILO Convention C143 Migrant Workers (Supplementary Provisions), 1975", None, "international convention",
     "international", "C143", None, None, None, "in force", "International Labour Conference",
     "Irregular migration and equal opportunity.", ["reference: legal_framework.md section 4 (memory)"], M,
     "Not ratified by KG or UZ (from memory); verify in NORMLEX.", "not party", "not party"),
    ("X04", "ILO Convention C181 Private Employment Agencies, 1997", None, "international convention", "international",
     "C181", None, None, None, "in force", "International Labour Conference", "Recruitment by private agencies.",
     ["reference: legal_framework.md section 4 (memory)"], U, "Not ratified by KG or UZ (uncertain/memory); verify in NORMLEX.",
     "not party", "not party"),
    ("X05", "ILO Convention C189 Domestic Workers, 2011", None, "international convention", "international", "C189",
     None, None, None, "in force", "International Labour Conference", "Rights of domestic workers.",
     ["reference: legal_framework.md section 4 (memory)"], M, "Not ratified by KG or UZ (from memory).", "not party",
     "not party"),
    ("X06", "ILO Convention C190 Violence and Harassment, 2019", None, "international convention", "international",
     "C190", None, None, None, "in force", "International Labour Conference",
     "Protection against violence and harassment at work, migrant workers included.",
     ["ilo-c190-kg", "24kg-288496", "inform-kz-c190", "normlex-uz-c144-2024"], S,
     "KG ratification law signed 28 Feb 2024; instrument deposited 3 Jun 2024. UZ not ratified as of the CEACR 2024 "
     "comment. Adoption date not recorded (year in the title).", "party", "not party"),
    ("X07", "Global Compact for Safe, Orderly and Regular Migration", "Глобальный договор о безопасной, упорядоченной и "
     "легальной миграции", "non-binding instrument", "international", "A/73/L.66", "2018-12-19", None, None, "in force",
     "UN General Assembly", "Non-binding framework; UZ reports voluntarily on implementation.",
     ["camera-gcm", "iom-network-kg", "un-migration-concept", "iom-rovienna-uz"], S,
     "Vote 152–5–12 (24 absent). KG not among the no/abstain states; a positive vote is uncertain.", "unknown", "party"),
    ("U01", "Presidential resolution of Uzbekistan on safe, orderly and regular migration",
     "Постановление Президента РУз «О безопасной, упорядоченной и легальной миграции»", "presidential decree",
     "origin country", None, "2020-09-15", None, None, "in force", "President of Uzbekistan",
     "Pre-departure skills, protection abroad, reintegration.", ["iom-rovienna-uz"], S, "Number not seen (uncertain)."),
    ("U02", "Presidential decree of Uzbekistan creating the Migration Agency under the Cabinet of Ministers", None,
     "presidential decree", "origin country", None, "2024-10-17", None, None, "in force", "President of Uzbekistan",
     "Replaced the External Labour Migration Agency; licenses private employment agencies.", ["tashkenttimes-13914"], U,
     "Year 2024 inferred from \"from 1 Jan 2025\" clauses; number not seen."),
    ("U03", "Cabinet regulation of Uzbekistan on recognition of education documents obtained abroad",
     "Положение о порядке признания документов об образовании, полученных в иностранных государствах",
     "government resolution", "origin country", "620", "2019-07-24", None, None, "in force", "Cabinet of Ministers of Uzbekistan",
     "Recognition in Uzbekistan of diplomas earned in KG.", ["centrasia-2025-diplomas"], S, "In force as of Nov 2025."),
]

# ---------------------------------------------------------------- provisions
# id, act_id, article, pathway, rule, quantity, unit, applies_to, valid_from, valid_to, replaces, keys, confidence, note
ALL, VF, UZ, EA, OL, NB, ST, EM, CP = ("all_foreigners", "visa_free_nationals", "uzbek_citizens", "eaeu_citizens",
                                       "other_listed_states", "neighbouring_state_nationals", "foreign_students",
                                       "employers", "compatriots")
PROVISIONS = [
    ("L01-FOREIGNER-RIGHTS", "L01", None, "social_protection", "Foreigners, migrant workers included, have the rights of "
     "citizens except voting and army service (as KG told the CMW in 2015 about the earlier constitution).", None, None,
     ALL, "2021-05-05", None, None, ["ungeneva-cmw-2015", "president-const"], M,
     "The article of the 2021 constitution was not read: the rule is carried over from memory."),
    ("L02-VISA-FREE-BASIS", "L02", "art. 5-1", "entry_short_stay", "Visa-free regimes are set unilaterally or by treaty.",
     None, None, VF, "2005-01-01", None, None, ["cbd-61-list", "legislationline-61"], S, "Added in 2005 (year precision)."),
    ("L02-REG-THRESHOLD", "L02", None, "registration", "A foreigner staying longer than 5 working days must register.",
     5, "working days", ALL, "2016-11-04", None, None, ["belta-2016", "cbd-61-list"], S,
     "In force 4 Nov 2016; that the amending law is No. 171 of 24 Oct 2016 is not confirmed."),
    ("L02-SINGLE-ACCOUNTING", "L02", "art. 5-2", "registration; work_permit; long_term_residence",
     "Single System of Accounting of External Migration covers entry and exit, visas, work permits, TRP/PRP and registration.",
     None, None, ALL, "2023-06-30", None, None, ["cis-151023"], S, "Date of the amending law No. 129 (entry into force not seen)."),
    ("L02-SUSPEND-VISA-FREE", "L02", None, "entry_short_stay", "The Cabinet may fully or partly suspend visa-free regimes.",
     None, None, VF, "2023-06-30", None, None, ["cis-151023", "24kg-273238"], S, "Since 2023; exact date of this clause not seen."),
    ("L03-PERMIT-REQUIRED", "L03", None, "work_permit", "A foreigner may work only with a work permit, within the annual quota.",
     None, None, ALL, "2006-01-13", None, None, ["spinform-law4", "cis-law4"], S, "EAEU citizens are exempt under E01."),
    ("L03-QUOTA-BASIS", "L03", "art. 7", "quota", "The annual labour-migration quota is set under art. 7.", None, None, ALL,
     "2006-01-13", None, None, ["time-kg-3607"], S, ""),
    ("L03-FOREIGN-STAFF-CAP", "L03", None, "work_permit", "Foreign workers may not exceed 20 % of an employer's staff; "
     "exceeding the limit costs a multiple state fee.", 20, "% of staff", EM, "2018-03-24", None, None,
     ["normlex-c097-2020", "24kg-121665"], S, ""),
    ("L03-BORDER-WORKER", "L03", None, "border_migrant_worker", "A border migrant worker is a citizen of a neighbouring "
     "state with a treaty visa-free regime who keeps permanent residence there, comes for individual labour activity and "
     "returns home at least once within each visa-free period.", None, None, NB, "2020-06-26", None, None,
     ["ealeg-125729", "normlex-c097-2020"], S, "Added by Law 26 Jun 2020 No. 64. That it covers Uzbek workers is an inference."),
    ("L04-STATUS-CATEGORIES", "L04", "art. 5", "long_term_residence", "Foreigners are either permanently residing or "
     "temporarily staying.", None, None, ALL, "1993-12-14", None, None, ["cis-182", "ubr-171"], S, ""),
    ("L05-ART431-FOREIGNER", "L05", "art. 431", "penalties", "A foreigner who breaks the rules of stay, labour activity or "
     "transit is fined; part 2 allows expulsion.", None, None, ALL, "2021-12-01", None, None, ["prg-code128", "for-kg-872121"], S, ""),
    ("L05-ART431-FINE", "L05", "art. 431 p. 1", "penalties", "Fine per foreigner for breaking the rules of stay or labour.",
     5500, "som", ALL, None, None, None, ["24kg-350585", "24kg-294792"], U,
     "Derived: 66,000 som for 12 foreigners and 720,500 som for 131 persons (2024–25 reports). Current tariff not found."),
    ("L05-ART430-HOST-IND", "L05", "art. 430 p. 2", "penalties; registration", "Fine on an individual host who invites a "
     "foreigner for a purpose that does not match the real one.", 3000, "som", ALL, None, None, None, ["24kg-317736"], S,
     "Amount before the 2025 bill to triple it; start date not seen."),
    ("L05-ART430-HOST-ENT", "L05", "art. 430 p. 2", "penalties; registration", "Fine on a legal entity that invites a "
     "foreigner for a purpose that does not match the real one.", 13000, "som", EM, None, None, None, ["24kg-317736"], S,
     "Amount before the 2025 bill to triple it; start date not seen."),
    ("L05-ART93-EMPLOYER", "L05", "art. 93", "penalties; work_permit", "An employer who breaks the rules on attracting and "
     "using foreign labour is fined.", 65000, "som", EM, None, None, None, ["24kg-350585"], S,
     "Amount imposed on one legal entity (Nov 2025), not the tariff; 105,000 som on three entities (~2024)."),
    ("L05-EXPULSION-2025", "L05", "art. 431 p. 2", "penalties", "Amendments allow expulsion and entry bans of foreigners "
     "who break the rules of stay.", None, None, ALL, "2025-04-01", None, None, ["for-kg-872121"], S,
     "Month precision: signed April 2025. Length of entry bans not found."),
    ("L06-REG-FINE", "L06", None, "penalties; registration", "Fine for late registration of a foreigner.", 10000, "som", ALL,
     "2016-11-04", "2021-11-30", None, ["trend-xebersaati-233043", "belta-2016"], M,
     "Amount sourced (reports 2016–2018); start taken from the registration duty; end = the new Code on "
     "Offences from 1 Dec 2021 (repealing act from memory)."),
    ("L06-ART57-1", "L06", "art. 57-1", "penalties; border_migrant_worker", "A foreigner, and separately a border migrant "
     "worker, who breaks the rules of labour activity is fined.", 5, "fine categories", NB, "2020-06-26", "2021-11-30",
     None, ["ealeg-125729"], M, "Added by Law 26 Jun 2020 No. 64 (sourced); end with the code on 30 Nov 2021 from "
     "memory (repealing act)."),
    ("L07-PATENT-FEE", "L07", None, "patent", "A migrant worker from a neighbouring country hired by a private individual "
     "(construction, crop and livestock farming, personal services) pays tax on the basis of a patent.", 800, "som per month",
     NB, None, None, None, ["akchabar-patent"], S,
     "Press report of a State Tax Service explanation (page dated 26 Jun 2026). Tax Code article and start of the regime "
     "not found; start shown as the Tax Code's."),
    ("L07-PATENT-INSURANCE", "L07", None, "patent; social_protection", "A patent holder also buys an insurance policy "
     "priced at 6 % of the capped average monthly wage.", 6, "% of capped average wage", NB, None, None, None,
     ["akchabar-patent"], S, "Same press report as L07-PATENT-FEE."),
    ("L07-PATENT-STAY-BOUND", "L07", None, "patent; entry_short_stay", "A patent can be held only while the visa-free stay "
     "lasts (for Uzbek citizens within 60 days in 120).", None, None, NB, None, None, None, ["akchabar-patent"], S, ""),
    ("L07-PATENT-FIRST-ISSUE", "L07", None, "patent; registration", "The first paper patent is issued by the local tax "
     "office on passport, notarised translation, PIN certificate and temporary registration card; renewals online.",
     None, None, NB, None, None, None, ["akchabar-patent"], S, ""),
    ("L07-TAX-AGENT", "L07", None, "work_permit", "If the employer is a legal entity or individual entrepreneur it "
     "withholds the worker's income tax as tax agent.", None, None, EM, "2022-01-01", None, None, ["akchabar-patent"], S, ""),
    ("L08-E-CONTRACT", "L08", None, "work_permit; social_protection", "Employment contracts and work books may be "
     "electronic; a lawfully employed foreigner is covered by the Labour Code.", None, None, ALL, "2025-01-23", None, None,
     ["cis-164746", "24kg-317888"], S, "In force from publication (date not seen)."),
    ("L08-LATE-PAY", "L08", None, "social_protection", "Penalty for late payment of wages.", 0.25, "%", ALL, "2025-01-23",
     None, None, ["24kg-317888"], S, "Unit of time of the 0.25 % (per day) not stated in the source excerpt."),
    ("L08-WAGE-CLAIM-LIMIT", "L08", None, "social_protection", "Limitation period for wage claims.", 3, "years", ALL,
     "2025-01-23", None, None, ["24kg-317888"], S, ""),
    ("L09-RATE-OLD", "L09", None, "social_protection", "Foreigners paid a single social-insurance contribution.", 3, "%",
     ALL, None, "2022-12-03", None, ["bakertilly-kg"], S, "Start not found."),
    ("L09-EMPLOYEE-RATE", "L09", None, "social_protection", "A foreigner working for a KG legal entity pays contributions "
     "at citizens' rates: 8 % Pension Fund + 2 % State Accumulative Pension Fund, with or without a residence permit.",
     10, "% of wage", ALL, "2022-12-04", None, "L09-RATE-OLD", ["bakertilly-kg"], S, ""),
    ("L09-EMPLOYER-RATE", "L09", None, "social_protection", "The employer pays 17.25 % (15 % Pension Fund, 2 % CHI Fund, "
     "0.25 % workers' health fund) for foreign staff.", 17.25, "% of wage", EM, "2022-12-04", None, None, ["bakertilly-kg"], S, ""),
    ("L10-CHI-COMPULSORY", "L10", None, "social_protection; study", "Compulsory health insurance applies to foreigners "
     "and foreign students.", None, None, ALL, "2023-04-10", None, None, ["kant-2023-chi"], S, ""),
    ("L10-CHI-STUDENT-FEE-OLD", "L10", None, "study; social_protection", "Health-insurance fee for a foreign student.",
     16000, "som per year", ST, None, "2024-04-30", None, ["wenews-2024"], S, "Start not found; cut reported May 2024."),
    ("L10-CHI-STUDENT-FEE", "L10", None, "study; social_protection", "Health-insurance fee for a foreign student.", 11990,
     "som per year", ST, "2024-05-01", None, "L10-CHI-STUDENT-FEE-OLD", ["wenews-2024", "kant-2023-chi"], S,
     "Month precision: reported 27 May 2024."),
    ("L11-ADMISSION-BASIS", "L11", "arts. 23, 40", "study", "The admission rules for foreign applicants rest on arts. 23 "
     "and 40 of the Law on Education.", None, None, ST, None, None, None, ["gov-npa-4250"], U, "Law's number and date not found."),
    ("P02-SINGLE-WINDOW", "P02", None, "work_permit", "Work authorisation moves to a single window run by the MFA.",
     None, None, ALL, "2024-09-19", None, None, ["cis-163636", "open-kg-54857"], S, ""),
    ("P03-LEGALISATION", "P03", None, "penalties; entry_short_stay", "Foreigners staying in violation could regularise "
     "their stay or leave without fines.", None, None, ALL, "2025-05-22", "2025-06-10", None,
     ["knews-2025-legal", "24kg-330228"], S, "A police certificate was required."),
    ("P04-PLACES-2020", "P04", None, "study", "Budget-funded university places for ethnic Kyrgyz with Uzbek citizenship.",
     20, "places", UZ, "2020-09-25", "2021-08-31", None, ["kabar-2020-ethnic"], U,
     "Number sourced; period assumed (academic year 2020–21, to 31 Aug)."),
    ("P04-PLACES-2022", "P04", None, "study", "Budget-funded university places recommended for ethnic Kyrgyz with Uzbek "
     "citizenship.", 25, "places", UZ, "2022-09-01", "2023-08-31", None, ["sayasat-114011"], U,
     "Number sourced; period assumed (academic year 2022–23, 1 Sep to 31 Aug)."),
    ("G01-REG-DEADLINE", "G01", None, "registration", "An Uzbek citizen must register within 5 working days of crossing "
     "the border.", 5, "working days", UZ, "2016-12-19", None, None,
     ["trend-xebersaati-233043", "azattyk-29222462", "ozodlik-32378704"], S,
     "UZ MFA (2018) and a deputy minister (Apr 2023). Other sources differ: see conflict C01."),
    ("G01-REG-PERIOD", "G01", None, "registration", "Registration of an Uzbek citizen is issued for 60 days.", 60, "days",
     UZ, None, None, None, ["ozodlik-32378704", "govori-220k"], S, "Stated April 2023; start not found."),
    ("G01-EXEMPT-LIST", "G01", "annex", "registration", "Citizens of about 92 listed states are exempt from registration "
     "for 28–60 days; Uzbekistan was not listed (2018).", 92, "states", OL, "2016-12-19", None, None,
     ["vb-352426", "sputnik-2016-reg"], S, ""),
    ("G01-REG-FEE", "G01", None, "registration", "State fee for registration.", 120, "som", ALL, "2016-12-19", None, None,
     ["usembassy-reg"], S, "US Embassy page (2016). Current fee not found."),
    ("G01-REG-WHERE", "G01", None, "registration", "Registration is filed at any Public Service Centre or online "
     "(ereg.e-gov.kg from 2025; portal.srs.kg earlier).", None, None, ALL, None, None, None,
     ["24kg-330228", "24kg-90443", "centreline-2020"], S, ""),
    ("G02-STAY-60-120", "G02", None, "entry_short_stay", "An Uzbek citizen may stay visa-free up to 60 days in each "
     "120-day period.", 60, "days per 120 days", UZ, "2023-10-10", None, None,
     ["24kg-357656", "24kg-357624", "vestikavkaza-164142", "spot-uz-2023"], S,
     "60/120 counting for 60-day visa-free nationals since October 2023; confirmed for Uzbek citizens by the Jan 2026 version."),
    ("G02-NO-VISA-RUNS", "G02", None, "entry_short_stay", "Leaving and re-entering no longer restarts the visa-free "
     "period (visa runs ended).", None, None, VF, "2023-10-10", None, None, ["vestikavkaza-164142"], S, ""),
    ("G02-LISTED-30-60", "G02", None, "entry_short_stay", "Citizens of listed visa-free states may stay 30 days in 60.",
     30, "days per 60 days", OL, "2023-10-10", None, None, ["24kg-357656", "qazinform-8550e1"], S, ""),
    ("G02-PURPOSE-EXEMPT", "G02", None, "entry_short_stay; work_permit; study", "The 30/60 limit does not apply to persons "
     "entering for employment or education, who fall under separate permitting documents.", None, None, ALL,
     "2023-10-10", None, None, ["qazinform-8550e1"], S, "General wording, not Uzbek-specific; date of the rule not seen."),
    ("G02-VISA-HOLDERS", "G02", None, "entry_short_stay; long_term_residence", "A person holding a visa or residence "
     "permit may stay for its validity.", None, None, ALL, "2026-01-13", None, None, ["24kg-357624"], S,
     "Date of the report on the amended text."),
    ("G02-EAEU-90-180", "G02", None, "entry_short_stay", "EAEU citizens may stay 90 days in each 180-day period.", 90,
     "days per 180 days", EA, "2026-01-13", None, None, ["24kg-357656"], S, "Date of the report on the amended text."),
    ("G02-OTHER-90-180", "G02", None, "entry_short_stay", "Citizens of Serbia, Turkey, Ukraine and Mongolia may stay 90 "
     "days in each 180-day period.", 90, "days per 180 days", OL, "2026-01-13", None, None, ["24kg-357656"], S, ""),
    ("G02-GULF-180-360", "G02", None, "entry_short_stay", "Citizens of the Gulf states may stay 180 days in each 360-day "
     "period.", 180, "days per 360 days", OL, "2026-01-13", None, None, ["24kg-357656"], S, ""),
    ("G02-KZ-ENTRY-BAN", "G02", None, "penalties; registration", "A Kazakh citizen unregistered for more than 90 days "
     "is barred from entry for 90 days.", 90, "days", EA, "2025-09-01", None, None, ["zakonkz-6500012", "24kg-353447"], S, ""),
    ("G03-TRP-PRIVATE", "G03", None, "long_term_residence", "Citizens of 8 visa-free states (RU, KZ, TJ, AM, BY, GE, AZ, "
     "MD) may obtain a TRP for private purposes for 1 year, renewable up to 5 years; Uzbekistan is not listed.", 1,
     "year", OL, "2024-09-05", None, None, ["24kg-304106", "paruskg-213900", "mondaq-1523874"], S, ""),
    ("G03-REG-60-DAYS", "G03", None, "registration", "For those 8 states registration is required after 60 days "
     "instead of 6 months.", 60, "days", OL, "2024-09-05", None, None, ["newskg-2024-09-05", "24kg-304106"], S, ""),
    ("G03-TRP-REVIEW-DEADLINE", "G03", None, "long_term_residence", "A TRP application is reviewed within one month.",
     1, "month", ALL, "2024-09-05", None, None, ["digital-vnzh-terms"], S, ""),
    ("G03-TRP-REVIEW-8-STATES", "G03", None, "long_term_residence", "A TRP application of a citizen of the 8 states is "
     "reviewed within 15 working days.", 15, "working days", OL, "2024-09-05", None, None, ["digital-vnzh-terms"], S, ""),
    ("G03-PRP-REVIEW-DEADLINE", "G03", None, "long_term_residence", "A PRP application is reviewed within one year.", 1,
     "year", ALL, "2024-09-05", None, None, ["digital-vnzh-terms"], S, ""),
    ("G04-PRP-RESIDENCE", "G04", None, "long_term_residence", "A PRP requires proof of at least 5 years' residence.", 5,
     "years", ALL, "2008-11-13", None, None, ["ssm-immigrant", "sputnik-2022-draft"], U,
     "Old SMS page and a 2022 draft; whether it still applies is uncertain."),
    ("G06-EMPLOYER-PERMIT", "G06", None, "work_permit; quota", "The employer must obtain, within the quota, a permit to "
     "attract foreign labour.", None, None, EM, "2019-04-16", "2024-12-31", None, ["cis-115240", "ecolex-175"], S,
     "Suspended from 1 Jan 2025 by Res. 721."),
    ("G06-INDIVIDUAL-PERMIT", "G06", None, "work_permit", "Each foreign worker needs an individual work permit.", None,
     None, ALL, "2019-04-16", "2024-12-31", None, ["cis-115240", "ecolex-175"], S, "Suspended from 1 Jan 2025 by Res. 721."),
    ("G06-MIN-AGE", "G06", None, "work_permit", "A work permit is issued only to a person aged 18 or over.", 18, "years",
     ALL, "2019-04-16", "2024-12-31", None, ["ecolex-175"], S, ""),
    ("G06-STAFF-CAP", "G06", None, "work_permit", "Foreign staff may not exceed 20 % of an entity's staff.", 20,
     "% of staff", EM, "2019-04-16", "2024-12-31", None, ["ecolex-175", "24kg-121665"], S, ""),
    ("G06-COMMISSION-REFUSAL", "G06", None, "quota; work_permit", "The Interdepartmental Permitting Commission decides; "
     "a refusal is notified within 5 business days.", 5, "working days", EM, "2019-04-16", "2024-12-31", None,
     ["mfa-workpermit"], S, ""),
    ("G07-SINGLE-PERMIT", "G07", None, "work_permit", "One single permit replaces the work permit and the work visa; the "
     "employer (individual or legal entity) or the worker applies on evisa.e-gov.kg; the MFA Consular Department issues it.",
     None, None, ALL, "2025-01-01", None, None, ["24kg-313664", "24kg-329358", "cis-163636"], S,
     "End of the pilot: 1 Jan 2026 in the text, 1 Jul 2026 per an MTSOM official (conflict C02); left open."),
    ("G07-PROCESSING-DEADLINE", "G07", None, "work_permit", "The MFA issues the single permit within 7 working days.", 7,
     "working days", ALL, "2025-01-01", None, None, ["24kg-313664"], S, ""),
    ("G07-GUARANTEE-FEE", "G07", None, "work_permit", "The employer pays a non-refundable guarantee fee, besides one fee "
     "at filing (work visa plus one-year permit).", None, "som", EM, "2025-01-01", None, None, ["24kg-313664"], S,
     "Official amounts not found (a commercial page quotes 30,000 KGS plus USD 30 for Uzbek citizens: unverified)."),
    ("G07-NO-COMMISSION", "G07", None, "quota", "The quota commission is abolished; no separate quota allocation.", None,
     None, EM, "2025-01-01", None, None, ["24kg-313664", "24kg-329358"], S, ""),
    ("G07-TERM-60", "G07", None, "work_permit", "Single permits of 60 days are issued.", 60, "days", ALL, "2025-01-01",
     None, None, ["24kg-329358"], S, "12,232 issued by 30 Apr 2025."),
    ("G07-TERM-360", "G07", None, "work_permit", "Single permits of 360 days are issued.", 360, "days", ALL, "2025-01-01",
     None, None, ["24kg-329358"], S, "6,386 issued by 30 Apr 2025."),
    ("G08-FEE-EMPLOYER", "G08", None, "work_permit", "State fee for the employer's permit.", 4000, "som", EM, None,
     "2019-03-31", None, ["ka-fees"], S, "Pre-2019 law-firm FAQ; start not found; end month precision (fees raised April 2019)."),
    ("G08-FEE-INDIVIDUAL", "G08", None, "work_permit", "State fee for an individual work permit.", 2000, "som", ALL, None,
     "2019-03-31", None, ["ka-fees"], S, "Pre-2019 law-firm FAQ."),
    ("G08-FEE-ENTREPRENEUR", "G08", None, "work_permit; patent", "State fee for a foreign individual entrepreneur's "
     "permit.", 20000, "som", ALL, None, "2019-03-31", None, ["ka-fees"], S, "Pre-2019 law-firm FAQ."),
    ("G08-FEE-HQS", "G08", None, "work_permit", "State fee for a highly-qualified specialist's permit (up to 3 years).",
     10000, "som", ALL, "2019-04-01", "2024-12-31", None, ["24kg-131925"], U,
     "2019 figure sourced; end assumed at the switch to the single permit (not verified)."),
    ("G09-VISA-CATEGORIES", "G09", None, "entry_short_stay; study; work_permit", "Visa categories include S (study), W "
     "(labour), SW (special labour), DN (digital nomad) and FF (family).", None, None, ALL, "2020-01-15", None, None,
     ["24kg-139975", "gov-npa-4057"], S, "Whether Uzbek citizens need S or W for long stays is not confirmed."),
    ("G09-EVISA-INCOMPLETE", "G09", None, "entry_short_stay", "An incomplete e-visa application may be fixed within 1 "
     "month, then it is cancelled without refund.", 1, "month", ALL, "2022-08-03", None, None, ["evisa-portal"], S, ""),
    ("G09-S-VISA-TERM", "G09", None, "study", "An S (study) visa is issued for one academic year and renewed yearly up to "
     "5 years or the course length; apply 20–30 days before expiry.", 1, "year", ST, None, None, None,
     ["eimu-visa", "kgma-visa", "ksma-visa"], S, "University pages; applies to visa-required students."),
    ("G09-S-VISA-NO-WORK", "G09", None, "study; work_permit", "An S visa does not allow work; MVD said in May 2024 that "
     "foreign students may not work.", None, None, ST, None, None, None, ["ism-visa", "trimfeed-students"], S,
     "University page and a secondary report."),
    ("G10-OVERSTAY-FEES", "G10", None, "penalties; entry_short_stay", "Exit-visa fees are charged for overstays.", None,
     "som", ALL, "2023-10-10", None, None, ["gov-npa-4495"], S, "Amounts not seen."),
    ("G11-QUOTA-2012", "G11", None, "quota", "Labour-migration quota for the year.", 12864, "workers", ALL, "2012-01-01",
     "2012-12-31", None, ["time-kg-3607"], S, ""),
    ("G11-QUOTA-2019", "G11", None, "quota", "Labour-migration quota for the year (incl. 562 entrepreneurs).", 17410,
     "workers", ALL, "2019-01-01", "2019-12-31", "G11-QUOTA-2012", ["normlex-c097-2020", "24kg-121665"], S, ""),
    ("G11-QUOTA-2022", "G11", None, "quota", "Labour-migration quota for the year.", 16600, "workers", ALL, "2022-01-01",
     "2022-12-31", "G11-QUOTA-2019", ["azattyk-31668814"], S, ""),
    ("G11-QUOTA-2024", "G11", None, "quota", "Labour-migration quota for the year.", 25000, "workers", ALL, "2024-01-01",
     "2024-12-31", "G11-QUOTA-2022", ["24kg-quota-2023"], S, "24.kg article of 18 Nov 2023; no address stored."),
    ("G11-IMMIGRATION-QUOTA-2024", "G11", None, "quota; long_term_residence", "Separate immigration quota for the year.",
     400, "persons", ALL, "2024-01-01", "2024-12-31", None, ["24kg-quota-2023"], S, ""),
    ("G11-QUOTA-2025-A", "G11", None, "quota", "Labour-migration quota for 2025 as first set.", 25000, "workers", ALL,
     "2025-01-01", "2025-08-24", "G11-QUOTA-2024", ["24kg-340772", "azattyk-33512164"], S,
     "End: the day before the revision reported on 25 Aug 2025."),
    ("G11-QUOTA-2025-B", "G11", None, "quota", "Labour-migration quota for 2025 after the first revision (cabinet order).",
     42000, "workers", ALL, "2025-08-25", None, "G11-QUOTA-2025-A", ["24kg-340772", "azattyk-33512164"], S,
     "Start: date of the reports (order date not seen)."),
    ("G11-QUOTA-2025-C", "G11", None, "quota", "Labour-migration quota for 2025 after the second revision.", 52000,
     "workers", ALL, None, "2025-12-31", "G11-QUOTA-2025-B", ["mts-17601"], U,
     "Date of the second revision not found (after 25 Aug 2025; the report is undated)."),
    ("G11-QUOTA-2026", "G11", None, "quota", "Labour-migration quota for the year.", 52000, "workers", ALL, "2026-01-01",
     "2026-12-31", "G11-QUOTA-2025-C", ["24kg-362851"], S, "Reported 20 Feb 2026."),
    ("G13-MEKEN-WORK", "G13", None, "work_permit; long_term_residence", "A compatriot with Meken-kart status may live and "
     "work without a work permit.", None, None, CP, "2021-10-08", None, None, ["cis-135415", "kabar-meken"], S, ""),
    ("G13-MEKEN-REVIEW", "G13", None, "long_term_residence", "A Meken-kart application is reviewed in about 3 months "
     "(1.5 months simplified).", 3, "months", CP, "2021-10-08", None, None, ["kabar-meken"], S, ""),
    ("G14-RESIDENT-CARD", "G14", None, "long_term_residence; work_permit", "A resident card lets a foreigner live, work "
     "and run a business for up to 360 days; applied for through the MFA single window.", 360, "days", ALL, "2025-06-27",
     None, None, ["economist-kg-resident", "open-kg-54857"], S, "More than 1,000 issued by Dec 2025."),
    ("G16-DIGITAL-NOMAD", "G16", None, "work_permit; registration", "Digital-nomad status exempts IT workers of AZ, AM, "
     "BY, KZ, MD and RU from registration and work permits for 12 months, extendable by 1 year.", 12, "months", OL,
     "2022-01-01", "2024-06-30", None, ["novosti-dn", "akchabar-dn", "reporter-dn"], S,
     "Year precision start; valid to 31 Dec 2023, extended to mid-2024 (month precision); later status not found."),
    ("G17-EQUIVALENCE", "G17", None, "study", "A foreign school certificate needs a ministry equivalence certificate "
     "before admission.", None, None, ST, "2022-06-30", None, None, ["knau-visa", "oshsu-admission"], S, ""),
    ("G17-CONTRACT-ADMISSION", "G17", None, "study", "Foreign applicants are admitted on a contract (fee-paying) basis "
     "under intergovernmental agreements or contracts.", None, None, ST, "2022-11-30", None, None,
     ["oshsu-admission", "ksucta-foreign"], S, "Date of the amendment on foreign applicants (Res. 665)."),
    ("G18-MEDICINE-ACCREDITED", "G18", None, "study", "Only HEIs with international programme accreditation may admit "
     "foreigners to medicine.", None, None, ST, "2022-11-21", None, None, ["gov-npa-4231"], S, "From the 2022–23 year."),
    ("G19-NO-MEDICAL-TRANSFERS", "G19", None, "study", "Draft: foreigners admitted to medicine only into year 1; no "
     "transfers; no recognition of partial medical study abroad.", None, None, ST, None, None, None, ["24kg-356594"], S,
     "Draft of 30 Dec 2025; not in force."),
    ("G20-GRANTS-LIST", "G20", None, "study", "Citizens of KZ, RU, BY and TJ may compete for state grants; Uzbek citizens "
     "may not.", None, None, OL, "2006-06-02", None, None, ["ksucta-foreign"], U, "Current validity uncertain."),
    ("G21-EMPLOYER-PREMIUMS", "G21", None, "social_protection", "The employer calculates and pays social-insurance "
     "premiums for foreign staff.", None, None, EM, "2024-12-03", None, None, ["ealeg-163705"], S, ""),
    ("G22-E-DOCUMENTS", "G22", None, "registration; work_permit", "Documents from the State Portal or the Tunduk app have "
     "the same force as paper.", None, None, ALL, "2019-10-07", None, None, ["cis-119654"], S, ""),
    ("G23-E-PATENT-PILOT", "G23", None, "patent", "Pilot of online patents in Bishkek and Osh.", None, None, NB,
     "2018-07-01", None, None, ["cis-108480"], S, "Month precision (July 2018); end of the pilot not found."),
    ("B02-VISA-FREE-ENTRY", "B02", None, "entry_short_stay", "Uzbek citizens enter Kyrgyzstan without a visa with a "
     "listed travel document.", None, None, UZ, "2006-10-03", None, None, ["continent-30324354", "uza-449185"], S,
     "Signing date; entry into force not seen."),
    ("B03-ID-CARD-ENTRY", "B03", None, "entry_short_stay", "Uzbek citizens may enter, leave and transit with the national "
     "ID card; the birth certificate was dropped from the document list.", None, None, UZ, "2023-09-01", None, None,
     ["spot-uz-2023", "kaktus-14122"], S, "In force 25 Aug 2023; applied from 1 Sep 2023."),
    ("B03-STAY-60", "B03", None, "entry_short_stay", "Reciprocal stay of up to 60 days.", 60, "days", UZ, "2023-08-25",
     None, None, ["spot-uz-2023"], S, ""),
    ("B03-UNDER-16", "B03", None, "entry_short_stay", "Children under 16 cross with a passport.", 16, "years (age limit)",
     UZ, "2023-09-01", None, None, ["24kg-252575"], S, "Deputy FM's statement; final wording of the protocol not read."),
    ("B04-ENCLAVE-TRANSIT", "B04", None, "entry_short_stay; border_migrant_worker", "Residents of Sokh, Shakhimardan, "
     "Chon-Gara and Tash-Dobo may transit through Kadamjai district, apparently without the stay being counted.", None,
     None, UZ, "2024-07-19", None, None, ["economist-ghost-2024"], U, "Page text truncated (partial)."),
    ("B06-PENSION-TOTALISATION", "B06", None, "social_protection", "Draft: totalisation of insurance periods, pensions "
     "paid abroad, no double contributions.", None, None, UZ, None, None, None, ["fergana-139470", "trend-4097969"], S,
     "Draft; not in force."),
    ("E01-ART97-NO-PERMIT", "E01", "art. 97", "work_permit", "Workers of EAEU member states need no work permit and face "
     "no labour-market restrictions; Uzbek citizens are not covered.", None, None, EA, "2015-08-01", None, None,
     ["arbatcredit-art97", "dgs35-eaeu"], M, "Rule sourced; start for KG (Aug 2015, month precision) from memory."),
    ("E01-KZ-REG-30", "E01", None, "registration", "In KG, Kazakh citizens are exempt from registration for the first "
     "30 days.", 30, "days", EA, "2025-01-01", None, None, ["24kg-353447"], S, "Reported for 2025 (year precision)."),
    ("E02-OBSERVER-NO-ART97", "E02", "art. 109", "work_permit", "As an observer Uzbekistan has no decision rights and its "
     "citizens no art. 97 benefits.", None, None, UZ, "2020-12-11", None, None, ["mondaq-1074182", "kun-2020-observer"], S, ""),
    ("E03-PENSIONS-MEMBERS", "E03", None, "social_protection", "Pension rights are exported among EAEU member states only; "
     "Uzbek workers are not covered.", None, None, EA, "2021-01-01", None, None, ["trend-4097969"], M, "Dates from memory."),
    ("X01-ICRMW", "X01", None, "social_protection; penalties", "Kyrgyzstan must protect the rights of all migrant workers "
     "and their families, including Uzbek citizens, regular or not.", None, None, ALL, "2003-09-29", None, None,
     ["ungeneva-cmw-2015", "cmw-co1"], M, "KG party sourced; accession date from memory."),
    ("X02-C97-EQUAL-TREATMENT", "X02", None, "social_protection; work_permit", "Migrant workers lawfully in Kyrgyzstan "
     "get treatment no less favourable than nationals in pay, social security and related matters.", None, None, ALL,
     "2008-01-01", None, None, ["normlex-c097-2013", "normlex-c097-2020"], S, "KG ratified 2008 (year precision)."),
    ("X06-C190-HARASSMENT", "X06", None, "social_protection", "Protection against violence and harassment at work, "
     "migrant workers included.", None, None, ALL, "2024-06-03", None, None, ["ilo-c190-kg", "inform-kz-c190"], S,
     "Date of deposit; entry into force for KG 12 months later under ILO practice (from memory)."),
    ("U01-SAFE-MIGRATION", "U01", None, "social_protection", "Uzbekistan provides pre-departure training, protection "
     "abroad and reintegration for its migrants.", None, None, UZ, "2020-09-15", None, None, ["iom-rovienna-uz"], S, ""),
    ("U03-DIPLOMA-RECOGNITION", "U03", None, "study", "A diploma earned in Kyrgyzstan is recognised in Uzbekistan under "
     "Regulation 620/2019; there is no automatic regional recognition.", None, None, UZ, "2019-07-24", None, None,
     ["centrasia-2025-diplomas"], S, ""),
]

# ---------------------------------------------------------------- amendments
# id, target_act_id, action, amending_act_id, amending_instrument, date, what, keys, confidence, note
AMENDMENTS = [
    ("AM01", "L02", "amends", None, "Law 24 Oct 2016 No. 171", "2016-11-04", "Registration of foreigners staying more "
     "than 5 working days.", ["belta-2016", "cbd-61-list"], U, "That No. 171 carries this rule is not confirmed."),
    ("AM02", "L02", "amends", None, "Law 13 Sep 2021 No. 116", "2021-09-13", "Last amendment in the cbd.minjust list.",
     ["cbd-61-list"], S, ""),
    ("AM03", "L02", "amends", None, "Law 30 Jun 2023 No. 129", "2023-06-30", "Art. 5-2: Single System of Accounting "
     "of External Migration; Cabinet may suspend visa-free regimes.", ["cis-151023", "24kg-273238"], S, ""),
    ("AM04", "L03", "amends", None, "Law of 24 Mar 2018", "2018-03-24", "20 % cap on foreign staff.",
     ["normlex-c097-2020"], S, ""),
    ("AM05", "L03", "amends", None, "Law 26 Jun 2020 No. 64", "2020-06-26", "Border migrant worker.", ["ealeg-125729"], S, ""),
    ("AM06", "L06", "amends", None, "Law 26 Jun 2020 No. 64", "2020-06-26", "Art. 57-1: fine for foreigners and border "
     "migrant workers breaking the rules of labour activity.", ["ealeg-125729"], S, ""),
    ("AM07", "L06", "replaces", "L05", "Code on Offences (Law 28 Oct 2021 No. 126)", "2021-12-01", "New Code on Offences "
     "replaces the Code on Violations.", ["prg-code128", "cis-150"], M, "Exact repealing act from memory."),
    ("AM08", "L05", "amends", None, "Law 22 Nov 2024 No. 186", "2025-07-01", "Amendments in force 1 Jul 2025.",
     ["prg-code128"], S, ""),
    ("AM09", "L05", "amends", None, "Amending law signed April 2025", "2025-04-01", "Expulsion of foreigners breaking "
     "the rules of stay.", ["for-kg-872121"], S, "Month precision."),
    ("AM10", "G01", "amends", "G13", "Cabinet Res. 8 Oct 2021 No. 203", "2021-10-08", "Registration body renamed "
     "(Department of Population Registration).", ["cis-135415"], S, ""),
    ("AM11", "G01", "amends", "G03", "Cabinet Res. 31 Jul 2024 No. 437", "2024-09-05", "Registration after 60 days for "
     "8 states with a TRP route.", ["cis-161314", "24kg-304106"], S, ""),
    ("AM12", "G02", "amends", None, "Cabinet resolution (number not seen)", "2025-09-01", "Stay rules for Kazakh citizens.",
     ["zakonkz-6500012", "24kg-353447"], S, ""),
    ("AM13", "G02", "amends", None, "Cabinet resolution (number not seen)", "2026-01-13", "New stay periods (UZ 60/120, "
     "EAEU 90/180, other groups).", ["24kg-357656", "24kg-357624"], S, "Date of the reports."),
    ("AM14", "G10", "amends", "G02", "Cabinet Res. 10 Oct 2023 No. 541", "2023-10-10", "Exit-visa fees for overstays.",
     ["gov-npa-4495"], S, ""),
    ("AM15", "G09", "amends", None, "Cabinet resolution (gov.kg npa 4057)", "2022-08-03", "New edition of the visa "
     "instruction.", ["gov-npa-4057"], S, ""),
    ("AM16", "G04", "amends", None, "Res. 2 Sep 2021 No. 161", "2021-09-02", "Issuing body: Department of Population "
     "Registration.", ["ealeg-134569"], S, ""),
    ("AM17", "G04", "replaces", "G03", "Cabinet Res. 31 Jul 2024 No. 437", "2024-09-05", "Possibly replaced by the 2024 "
     "regulation on residence permits.", ["cis-161314"], U, "Not confirmed."),
    ("AM18", "G06", "suspends", "G07", "Cabinet Res. 2 Dec 2024 No. 721", "2025-01-01", "Two-permit regime suspended until "
     "1 Jan 2026 for the single-permit pilot.", ["cis-163636"], S, "Status after 1 Jan 2026 not found."),
    ("AM19", "G07", "implements", "P02", "Presidential Decree 19 Sep 2024 No. 268", "2024-12-02", "Single permit "
     "implements the single-window decree.", ["cis-163636"], S, ""),
    ("AM20", "G11", "amends", None, "Cabinet order (date of reports)", "2025-08-25", "2025 quota raised from 25,000 to "
     "42,000; activity types removed.", ["24kg-340772", "azattyk-33512164"], S, ""),
    ("AM21", "G17", "amends", None, "Cabinet Res. 30 Nov 2022 No. 665", "2022-11-30", "Rules for foreign applicants.",
     ["gov-npa-4250"], S, ""),
    ("AM22", "G21", "amends", None, "Cabinet Res. 15 Jul 2025 No. 413", "2025-07-15", "Amended premium instruction.",
     ["ealeg-163705"], S, ""),
    ("AM23", "G12", "amends", None, "Cabinet resolution of 5 Mar 2026", "2026-03-05", "Second stage 2026–2030 of the "
     "migration policy.", ["24kg-364886"], S, ""),
    ("AM24", "G16", "extends", None, "Cabinet resolution (number not seen)", "2023-10-06", "Digital-nomad pilot extended "
     "to mid-2024.", ["akchabar-dn", "reporter-dn"], S, "Date of the report."),
    ("AM25", "L12", "amends", None, "Law 31 Jul 2025 No. 180", "2025-07-31", "Amendment in force 6 months after "
     "publication.", ["zakonkz-30277067"], S, ""),
    ("AM26", "B02", "amends", "B03", "Protocol of 27 Jan 2023", "2023-08-25", "ID cards accepted; birth certificate "
     "dropped.", ["spot-uz-2023", "uza-479948"], S, ""),
    ("AM27", "B02", "amends", "B04", "Amendment for enclave residents", "2024-07-19", "Transit of enclave residents "
     "through Kadamjai district.", ["economist-ghost-2024"], U, "Partial source."),
    ("AM28", "B03", "ratifies", None, "KG law ratifying the protocol (JK 3 May 2023)", "2023-05-03", "Ratification by "
     "Kyrgyzstan.", ["uza-479948"], S, ""),
    ("AM29", "X06", "ratifies", None, "KG ratification law signed 28 Feb 2024", "2024-02-28", "Ratification of ILO C190 "
     "(instrument deposited 3 Jun 2024).", ["24kg-288496", "ilo-c190-kg"], S, ""),
    ("AM30", "P01", "implements", "G12", "Government Res. 4 May 2021 No. 191", "2021-05-04", "Migration Policy Concept "
     "implements the 2021 decree.", ["un-migration-concept"], S, ""),
    ("AM31", "P03", "implements", "G15", "Provisional regulation on legalisation", "2025-05-22", "Procedure for the 2025 "
     "legalisation.", ["knews-2025-legal"], S, "Date of the decree."),
    ("AM32", "L07", "replaces", None, "Tax Code 18 Jan 2022 No. 3 (Law 18 Jan 2022 No. 4)", "2022-01-01", "New Tax Code "
     "replaces the 2008 code.", ["spinform-137076", "spinform-24860"], S, ""),
]

# ---------------------------------------------------------------- institutions
# id, name_en, name_ru, country, parent_id, parent_note, predecessor_id, valid_from, valid_to, functions, keys, confidence, note
INSTITUTIONS = [
    ("CABMIN", "Cabinet of Ministers (Government until 2021)", "Кабинет министров КР", "KG", None, None, None, None,
     None, "Adopts stay, registration and work-permit regulations and the annual quota.",
     ["gov-npa-4495", "cis-163636"], S, ""),
    ("JK", "Jogorku Kenesh (parliament)", "Жогорку Кенеш", "KG", None, None, None, None, None,
     "Adopts migration laws; ratified the 2023 ID-card protocol.", ["uza-479948"], S, ""),
    ("MFA", "Ministry of Foreign Affairs", "Министерство иностранных дел КР", "KG", "CABMIN", "Cabinet", None, None, None,
     "Visas; from 2025 single permits and resident cards (through its Consular Department).",
     ["24kg-313664", "24kg-330228"], S, ""),
    ("MFA-CD", "MFA Consular Department and Visa Center", "Консульский департамент МИД КР; Визовый центр", "KG", "MFA",
     "MFA", None, None, None, "Visas (evisa.e-gov.kg); single permits from 1 Jan 2025; resident cards from 2025; public "
     "guidance on legalisation.", ["eimu-visa", "24kg-313664", "24kg-329358", "economist-kg-resident", "24kg-330228"], S, ""),
    ("MFA-DEM", "Department of External Migration under the MFA", "Департамент внешней миграции при МИД КР", "KG", "MFA",
     "MFA", "SMS", "2021-01-01", "2022-01-31", "Header of the former SMS website; its information centre became the "
     "Centre for Employment of Citizens Abroad under MTSOM (Jan 2022).", ["ssm-kg-header", "centralasia-13291"], U,
     "Existence sourced; dates (c. 2021 to early 2022, year and month precision) and functions uncertain."),
    ("MLMY", "Ministry of Labour, Migration and Youth", "Министерство труда, миграции и молодёжи", "KG", "CABMIN",
     "Government", None, None, "2015-12-10", "Migration functions before the SMS; represented KG at the CMW in 2015.",
     ["ssm-history", "cmw-co1"], S, "Until Dec 2015 (SMS created 11 Dec 2015)."),
    ("SMS", "State Migration Service under the Government", "Государственная служба миграции при Правительстве КР", "KG",
     "CABMIN", "Government", "MLMY", "2015-12-11", "2021-01-31", "Work permits and quota proposals (Interdepartmental "
     "Permitting Commission); residence permits and immigrant status; passport-visa department.",
     ["ssm-history", "ka-faq", "mfa-workpermit", "24kg-108966", "24kg-58606"], M,
     "Creation (Govt Res. 11 Dec 2015 No. 854) and roles sourced; abolition ~2021 from memory (date assumed)."),
    ("MHSD", "Ministry of Health and Social Development (merged)", "Министерство здравоохранения и социального развития",
     "KG", "CABMIN", "Cabinet", None, "2021-02-01", "2021-11-05", "Labour and social functions during the merger; "
     "migration role not verified.", ["kloop-2021-split"], S, "Month precision start (Feb 2021)."),
    ("MTSOM", "Ministry of Labour, Social Security and Migration", "Министерство труда, социального обеспечения и миграции КР",
     "KG", "CABMIN", "Cabinet", "MHSD", "2021-11-06", None, "Quota policy; work permits until end-2024; Meken-kart; "
     "digital nomads; migration-policy concept; CMW reporting; Centre for Employment of Citizens Abroad.",
     ["kloop-2021-split", "gratanet-labour", "mts-17601", "24kg-329358", "kabar-meken", "cmw-co2-ru", "akchabar-sabirov",
      "24kg-341861"], S, "Ministers: K. Bazarbaev (2021), J. Polotova (2024), R. Sabirov (Jan 2025), K. Sagynbaev (Sep 2025)."),
    ("IPC", "Interdepartmental Permitting Commission", "Межведомственная разрешительная комиссия", "KG", "MTSOM",
     "SMS / MTSOM", None, None, "2024-12-31", "Allocated the quota to employers; abolished for the pilot from 1 Jan 2025.",
     ["mfa-workpermit", "24kg-313664"], S, ""),
    ("SRS", "State Registration Service under the Government", "Государственная регистрационная служба при Правительстве КР",
     "KG", "CABMIN", "Government", None, None, "2021-10-07", "Registration of foreigners (AIS \"Registration of "
     "foreigners\", 2017; 57 passport offices; portal.srs.kg); passports; population register.",
     ["24kg-90443", "centreline-2020", "knews-2021-grs", "kds-reg"], U,
     "To ~2021; end taken as the day before Res. 203 (8 Oct 2021) named the successor department (inferred)."),
    ("MDD-DPR", "Ministry of Digital Development: Department of Population Registration", "Министерство цифрового "
     "развития КР; Департамент регистрации населения", "KG", "CABMIN", "Cabinet", "SRS", "2021-10-08", None,
     "Registration of foreigners at PSCs; TRP/PRP; hotline 119; proposed a new agency \"Kattoo\" (~2024).",
     ["cis-135415", "ealeg-134569", "24kg-304106", "digital-faq", "24kg-287525", "ozodlik-32378704"], S,
     "Active at least to Sep 2024; end not found."),
    ("KYZMAT", "State institution \"Kyzmat\"", "ГУ «Кызмат»", "KG", None, "Administrative Affairs Department of the "
     "President (Aug 2025 statement)", "MDD-DPR", None, None, "Authorised body for registration and documentation of the "
     "population; runs the PSCs; registers foreigners, online at ereg.e-gov.kg (May 2025).",
     ["vb-449961", "24kg-339113", "24kg-330228"], U, "Role sourced; start date and parent uncertain."),
    ("SBS", "State Border Service", "Государственная пограничная служба КР", "KG", "CABMIN", "independent", None,
     "2012-01-01", "2020-11-13", "Border control; applies stay limits and re-entry restrictions.",
     ["sputnik-2020-border"], S, "Independent from 2012 (year precision)."),
    ("GKNB-BS", "Border Service of the GKNB", "Пограничная служба ГКНБ КР", "KG", "GKNB", "GKNB", "SBS", "2020-11-14",
     "2026-02-09", "Border control; applies stay limits and re-entry restrictions; announced the Kazakh stay rules (Dec 2025).",
     ["sputnik-2020-border", "24kg-361437", "zakonkz-6500012"], S, ""),
    ("SBS-2026", "State Border Service (independent again)", "Пограничная служба КР", "KG", "CABMIN", "independent",
     "GKNB-BS", "2026-02-10", None, "Border control; applies stay limits and re-entry restrictions.", ["24kg-361437"], S,
     "Date of the report on the decree."),
    ("GKNB", "State Committee for National Security", "ГКНБ КР", "KG", None, None, None, None, None,
     "Enforcement raids (\"Illegal migrant\"); reported ~5,000 undocumented migrants (May 2025).",
     ["24kg-350585", "azattyk-33512164"], S, ""),
    ("MVD", "Ministry of Internal Affairs", "МВД КР", "KG", "CABMIN", "Cabinet", None, None, None,
     "Administrative liability and expulsion; police certificate for the 2025 legalisation; said foreign students may "
     "not work (May 2024).", ["24kg-317736", "24kg-330228", "trimfeed-students"], S, ""),
    ("STS", "State Tax Service under the Ministry of Finance", "Государственная налоговая служба при Министерстве финансов КР",
     "KG", None, "Ministry of Finance", None, None, None, "Patents for migrant workers of neighbouring states; income tax; "
     "e-patent pilot 2018.", ["cis-139405", "cmw-kgz-2", "akchabar-patent", "cis-108480"], S, "Name seen 2022–2026."),
    ("SF", "Social Fund of the Kyrgyz Republic", "Социальный фонд КР", "KG", "CABMIN", "Cabinet", None, None, None,
     "Insurance contributions and pensions; negotiating a pension agreement with Uzbekistan.",
     ["bakertilly-kg", "fergana-139470", "trend-4097969"], S, ""),
    ("FOMS", "Compulsory Health Insurance Fund", "Фонд обязательного медицинского страхования", "KG", None,
     "Ministry of Health (from memory)", None, None, None, "CHI policies for foreigners and foreign students.",
     ["kant-2023-chi", "xprimm-2014"], S, "Parent from memory."),
    ("MES", "Ministry of Education and Science", "Министерство образования и науки КР", "KG", "CABMIN", "Cabinet", None,
     None, "2025-05-11", "Equivalence certificate for foreign school documents; admission rules; foreign-student statistics.",
     ["knau-visa", "oshsu-admission", "24kg-328736", "24kg-228582"], S, "Split on 12 May 2025."),
    ("MOE", "Ministry of Education (Enlightenment)", "Министерство просвещения КР", "KG", "CABMIN", "Cabinet", "MES",
     "2025-05-12", None, "School education after the split.", ["24kg-328736", "fergana-137890"], S,
     "Which body now issues the school-certificate equivalence is not verified."),
    ("MSHEI", "Ministry of Science, Higher Education and Innovation", "Министерство науки, высшего образования и инноваций КР",
     "KG", "CABMIN", "Cabinet", "MES", "2025-05-12", None, "Higher education after the split (acting minister B. Orozov, "
     "May 2025).", ["24kg-328736", "fergana-137890"], S, ""),
    ("HEI", "University international and passport-visa offices", None, "KG", None, "universities", None, None, None,
     "Visa invitations; file students' registrations at PSCs; track foreign students' legal stay.",
     ["bhu-visa", "ksma-visa", "kgma-visa", "eimu-visa"], S, ""),
    ("TUNDUK", "State institution \"Tunduk\"", "ГУ «Түндүк»", "KG", None, "Ministry of Digital Development", None,
     "2019-10-07", None, "E-government interoperability; operator of the State Portal of E-services.",
     ["cis-119654", "24kg-233619"], S, "From Govt Res. 525 (2019); new institution ~2022."),
    ("UZ-MA", "Migration Agency under the Cabinet of Ministers of Uzbekistan", "Агентство миграции при КМ РУз", "UZ", None,
     "UZ Cabinet of Ministers", None, "2024-10-17", None, "Outbound labour migration; licensing private employment "
     "agencies; protecting Uzbeks abroad; \"Xorijda Ish\".", ["tashkenttimes-13914", "kun-2022-agency"], U,
     "Earlier the Agency for External Labour Migration; year 2024 inferred."),
    ("UZ-MFA", "Ministry of Foreign Affairs of Uzbekistan", "МИД РУз", "UZ", None, None, None, None, None,
     "Warned Uzbek travellers of the KG registration duty (2018); ID-card protocol.",
     ["trend-xebersaati-233043", "spot-uz-2023"], S, ""),
    ("UZ-AAKQ", "Agency for Assessment of Knowledge and Qualifications (Uzbekistan)", "Агентство по оценке знаний и "
     "квалификаций", "UZ", None, "UZ Ministry of Higher Education, Science and Innovation", None, None, None,
     "Recognition in Uzbekistan of diplomas obtained in Kyrgyzstan (Regulation 620/2019).", ["centrasia-2025-diplomas"], S, ""),
    ("UZ-PF", "Off-Budget Pension Fund (Uzbekistan)", "Внебюджетный пенсионный фонд", "UZ", None,
     "UZ Ministry of Economy and Finance", None, None, None, "Counterpart for the draft KG–UZ pension agreement.",
     ["fergana-139470"], S, ""),
]

# ---------------------------------------------------------------- roles
# id, institution_id, pathway, role, valid_from, valid_to, keys, confidence, note
ROLES = [
    ("MFA-CD-VISA", "MFA-CD", "entry_short_stay", "Issues visas (e-visa portal).", None, None, ["eimu-visa", "evisa-portal"], S, ""),
    ("MFA-CD-WP", "MFA-CD", "work_permit", "Issues single permits (pilot).", "2025-01-01", None, ["24kg-313664", "24kg-329358"], S, ""),
    ("MFA-CD-RC", "MFA-CD", "long_term_residence", "Issues resident cards.", "2025-06-27", None, ["economist-kg-resident"], S, ""),
    ("MLMY-WP", "MLMY", "work_permit", "Migration and work-permit functions.", None, "2015-12-10", ["ssm-history"], S, ""),
    ("SMS-WP", "SMS", "work_permit", "Issues work permits.", "2015-12-11", "2021-01-31", ["ka-faq", "mfa-workpermit"], M,
     "End from memory (abolition ~2021)."),
    ("SMS-QUOTA", "SMS", "quota", "Proposes the quota; runs the permitting commission.", "2015-12-11", "2021-01-31",
     ["mfa-workpermit"], M, "End from memory."),
    ("SMS-TRP", "SMS", "long_term_residence", "Residence permits and immigrant status.", "2015-12-11", "2021-01-31",
     ["ssm-immigrant"], M, "End from memory."),
    ("MTSOM-WP", "MTSOM", "work_permit", "Issues work permits and distributes the quota.", "2021-11-06", "2024-12-31",
     ["gratanet-labour", "24kg-313664"], S, ""),
    ("MTSOM-QUOTA", "MTSOM", "quota", "Quota policy.", "2021-11-06", None, ["mts-17601"], S, ""),
    ("MTSOM-MEKEN", "MTSOM", "long_term_residence", "Grants Meken-kart (compatriot) status.", "2021-11-06", None,
     ["kabar-meken"], S, ""),
    ("MTSOM-TRP", "MTSOM", "long_term_residence", "Named by the MFA as the body for residence permits.", "2025-05-23",
     None, ["24kg-330228"], U, "Conflicts with texts naming the Department of Population Registration (C03). Start = "
     "date of the MFA statement."),
    ("IPC-QUOTA", "IPC", "quota", "Allocates the quota to employers.", None, "2024-12-31", ["mfa-workpermit", "24kg-313664"], S, ""),
    ("SRS-REG", "SRS", "registration", "Registers foreigners (passport offices, portal.srs.kg).", "2017-01-01",
     "2021-10-07", ["24kg-90443", "centreline-2020"], U, "Start: AIS launched 2017 (year precision); end inferred."),
    ("MDD-DPR-REG", "MDD-DPR", "registration", "Registers foreigners at PSCs.", "2021-10-08", None,
     ["cis-135415", "ozodlik-32378704"], S, "Last seen Sep 2024; end not found."),
    ("MDD-DPR-TRP", "MDD-DPR", "long_term_residence", "Issues TRP and PRP.", "2021-10-08", None,
     ["ealeg-134569", "24kg-304106"], S, "Last seen Sep 2024; see conflict C03."),
    ("KYZMAT-REG", "KYZMAT", "registration", "Registers foreigners at PSCs and online (ereg.e-gov.kg).", "2025-05-23", None,
     ["24kg-330228", "vb-449961"], U, "Start = first date seen in sources; actual start not found."),
    ("SBS-BORDER", "SBS", "entry_short_stay", "Border control.", "2012-01-01", "2020-11-13", ["sputnik-2020-border"], S, ""),
    ("GKNB-BS-BORDER", "GKNB-BS", "entry_short_stay", "Border control; applies stay limits and re-entry bans.",
     "2020-11-14", "2026-02-09", ["sputnik-2020-border", "24kg-361437"], S, ""),
    ("SBS-2026-BORDER", "SBS-2026", "entry_short_stay", "Border control; applies stay limits and re-entry bans.",
     "2026-02-10", None, ["24kg-361437"], S, ""),
    ("GKNB-RAIDS", "GKNB", "penalties", "Enforcement raids against irregular migrants.", None, None,
     ["24kg-350585", "azattyk-33512164"], S, ""),
    ("MVD-PEN", "MVD", "penalties", "Administrative liability and expulsion.", None, None, ["24kg-317736"], S, ""),
    ("STS-PATENT", "STS", "patent", "Issues patents (paper first, renewals online).", None, None, ["akchabar-patent"], S, ""),
    ("SF-SOC", "SF", "social_protection", "Collects contributions; pays pensions.", None, None, ["bakertilly-kg"], S, ""),
    ("FOMS-CHI", "FOMS", "social_protection", "CHI policies for foreigners and foreign students.", None, None,
     ["kant-2023-chi"], S, ""),
    ("MES-STUDY", "MES", "study", "Equivalence of foreign school documents; admission rules.", None, "2025-05-11",
     ["knau-visa", "oshsu-admission"], S, ""),
    ("MSHEI-STUDY", "MSHEI", "study", "Higher education and admission of foreign students.", "2025-05-12", None,
     ["24kg-328736"], S, "Whether it issues the equivalence certificate is not verified."),
    ("HEI-REG", "HEI", "registration", "Files registrations of foreign students.", None, None, ["bhu-visa", "kgma-visa"], S, ""),
    ("HEI-STUDY", "HEI", "study", "Visa invitations; tracks students' legal stay.", None, None, ["ksma-visa", "eimu-visa"], S, ""),
    ("UZ-MA-SOC", "UZ-MA", "social_protection", "Protects Uzbek migrants abroad; licenses recruitment agencies.",
     "2024-10-17", None, ["tashkenttimes-13914"], U, "Start year inferred."),
    ("UZ-AAKQ-STUDY", "UZ-AAKQ", "study", "Recognises diplomas from Kyrgyzstan.", "2019-07-24", None,
     ["centrasia-2025-diplomas"], S, "Start: date of Regulation 620."),
]

# ---------------------------------------------------------------- conflicts
# id, conflict_id, fact, related_id, value, unit, reported_by, reported_on, keys, confidence, status, resolution note
_C01 = "Period an Uzbek citizen may stay without registration"
_C01_NOTE = "Check Decree 689 as amended (2021, 2024) and ask the registration body; the 30-day draft may not have been adopted."
_C02 = "End of the single-permit pilot (Res. 721)"
_C03 = "Body that issues residence permits (2025–2026)"
CONFLICTS = [
    ("C01-A", "C01", _C01, "G01-REG-DEADLINE", "5", "working days", "Ministry of Foreign Affairs of Uzbekistan",
     "2018-05-12", ["trend-xebersaati-233043", "azattyk-29222462"], S, "open", _C01_NOTE),
    ("C01-B", "C01", _C01, "G01-REG-DEADLINE", "5", "days", "KG deputy minister", "2023-04-25",
     ["ozodlik-32378704", "govori-220k"], S, "open", _C01_NOTE),
    ("C01-C", "C01", _C01, "G01-REG-DEADLINE", "60", "days", "24.kg", "2020-01-01", ["24kg-144429"], U, "open",
     "Likely wrong (reference). Year precision."),
    ("C01-D", "C01", _C01, "G01-REG-DEADLINE", "5", "days (without documents)", "KG deputy", "2024-01-01",
     ["gazeta-kg-160865"], U, "open", "c. 2024 (year precision)."),
    ("C01-E", "C01", _C01, "G01-REG-DEADLINE", "30", "days (proposed)", "Draft resolution", "2022-12-27",
     ["sputnik-2022-draft"], S, "open", "Proposal; adoption not confirmed."),
    ("C02-A", "C02", _C02, "G07-SINGLE-PERMIT", "2026-01-01", "date", "Text of Res. 721", None, ["cis-163636"], S, "open",
     "Check whether the pilot was extended or made permanent."),
    ("C02-B", "C02", _C02, "G07-SINGLE-PERMIT", "2026-07-01", "date", "MTSOM official", None, ["mts-17601"], S, "open",
     "Check whether the pilot was extended or made permanent."),
    ("C03-A", "C03", _C03, "MDD-DPR-TRP", "MDD-DPR", "body", "Regulation texts 2021–2024", "2024-09-05",
     ["ealeg-134569", "24kg-304106"], S, "open", "Ask the MFA and MTSOM which body receives TRP applications now."),
    ("C03-B", "C03", _C03, "MTSOM-TRP", "MTSOM", "body", "MFA guidance", "2025-05-23", ["24kg-330228"], S, "open",
     "Ask the MFA and MTSOM which body receives TRP applications now."),
]


def _rows(records, columns, index, key_position):
    frame_rows = []
    for record in records:
        values = list(record)
        values[key_position] = "\n".join(_address(k, index) for k in values[key_position])
        frame_rows.append(dict(zip(columns, values)))
    return pd.DataFrame(frame_rows, columns=columns)


def _address(key: str, index: dict[str, str]) -> str:
    if key in index:
        return index[key]
    if " " in key:  # a citation without an address, kept as text
        return key
    raise KeyError(f"source key {key!r} is not in the reference's source index")


def build(reference: Path) -> dict[str, pd.DataFrame]:
    index = source_index(reference)
    acts_cols = ["id", "title_en", "title_ru", "type", "level", "number", "adopted", "entry_into_force", "last_amended",
                 "status", "issuing_body", "summary", "source", "confidence", "note", "destination_party", "origin_party"]
    acts = _rows([a + (None,) * (len(acts_cols) - len(a)) for a in ACTS], acts_cols, index, 12)
    national = ~acts["level"].isin(["international", "regional", "bilateral"])
    acts.loc[national, ["destination_party", "origin_party"]] = "not applicable"
    prov_cols = ["id", "act_id", "article", "pathway", "rule", "quantity", "unit", "applies_to", "valid_from", "valid_to",
                 "replaces", "source", "confidence", "note"]
    am_cols = ["id", "target_act_id", "action", "amending_act_id", "amending_instrument", "date", "what", "source",
               "confidence", "note"]
    inst_cols = ["id", "name_en", "name_ru", "country", "parent_id", "parent_note", "predecessor_id", "valid_from",
                 "valid_to", "functions", "source", "confidence", "note"]
    role_cols = ["id", "institution_id", "pathway", "role", "valid_from", "valid_to", "source", "confidence", "note"]
    conf_cols = ["id", "conflict_id", "fact", "related_id", "value", "unit", "reported_by", "reported_on", "source",
                 "confidence", "resolution_status", "resolution_note"]
    tables = {
        "acts": acts,
        "provisions": _rows(PROVISIONS, prov_cols, index, 11),
        "amendments": _rows(AMENDMENTS, am_cols, index, 7),
        "institutions": _rows(INSTITUTIONS, inst_cols, index, 10),
        "roles": _rows(ROLES, role_cols, index, 6),
        "conflicts": _rows(CONFLICTS, conf_cols, index, 8),
    }
    for frame in tables.values():
        for column in frame.columns:
            if column in {"adopted", "entry_into_force", "last_amended", "valid_from", "valid_to", "date", "reported_on"}:
                frame[column] = pd.to_datetime(frame[column]).dt.date
    return tables


def main(argv: list[str]) -> None:
    reference = Path(argv[1]) if len(argv) > 1 else paths.REPO_ROOT / DEFAULT_REFERENCE
    tables = build(reference)
    out = inventory.write_workbook("data/raw/regulation_inventory.xlsx", tables, allow_raw=True)
    counts = ", ".join(f"{name} {len(frame)}" for name, frame in tables.items())
    print(f"wrote {paths.relative(out)}: {counts}")


if __name__ == "__main__":
    main(sys.argv)
