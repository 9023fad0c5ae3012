"""Write the bundled data/raw/procedures.xlsx from the research reference (run once, by hand).

The workbook, not this script, is the source of truth: the consultant edits it in Excel. The script
keeps the first version of every step reviewable as text, with the source it came from:

    .venv/bin/python tools/build_procedures_workbook.py

Facts come from the reference notes on the legal framework (section 3, procedures for a newcomer
Uzbek citizen). What the notes do not give stays blank, with confidence "uncertain" and a note.
Ids of bodies and provisions are those of data/raw/regulation_inventory.xlsx.
"""

from __future__ import annotations

import pandas as pd

from analysis import paths, procedures

S, M, U = "sourced", "from memory", "uncertain"

URL = {
    "spot-uz-2023": "https://spot.uz/ru/2023/08/25/kyrgyzstan-id",
    "kaktus-14122": "https://nuts.kaktus.media/doc/14122_kyrgyzstandyktar_sentiabrdan_tarta_id_pasport_menen_ozbekstanga_kire_alat.html",
    "uza-449185": "https://uza.uz/ru/posts/grazhdane-uzbekistana-i-kyrgyzstana-smogut-peresekat-granicu-s-id-kartami_449185",
    "24kg-252575": "https://24.kg/vlast/252575_kyirgyizstan_inbspuzbekistan_dogovorilis_oblegchit_pasportnyiy_kontrol_",
    "24kg-330228": "https://24.kg/english/330228_How_foreign_citizens_can_legalize_their_stay_in_Kyrgyzstan_MFA_explains/",
    "24kg-90443": "https://24.kg/english/90443_State_Registration_Service_reminds_registration_rules_for_tourists_in_Kyrgyzstan/",
    "usembassy-reg": "https://kg.usembassy.gov/registration-for-foreigners/",
    "xebersaati": "http://www.xebersaati.com/news/233043-uzbek-citizens-to-undergo-registration-during-visits-to-kyrgyzstan/",
    "ozodlik": "https://rus.ozodlik.org/amp/32378704.html",
    "24kg-313664": "https://24.kg/english/313664_Single_Permit_document_to_replace_work_visas_for_foreigners__MFA____/",
    "24kg-329358": "https://24.kg/english/329358_Over_12000_foreigners_receive_permission_to_work_in_Kyrgyzstan_in_2025/",
    "cis-163636": "https://cis-legislation.com/document.fwx?rgn=163636",
    "tours-too-kg": "https://tours.too.kg/work-visa-permit-kyrgyzstan",
    "akchabar-patent": "https://www.akchabar.kg/en/news/trudovym-migrantam-iz-sosednikh-stran-napomnili-o-nalogovykh-obyazatelstvakh-v-kyrgyzstane",
    "cis-161314": "https://cis-legislation.com/document.fwx?rgn=161314",
    "24kg-304106": "https://24.kg/english/304106_Temporary_residence_permit_gives_citizens_of_8_countries_grounds_for_stay_in_KR/",
    "digital-vnzh-terms": "https://digital.gov.kg/chavo-vnzh/sroki-rassmotreniya-zayavlenij",
    "economist-kg-resident": "https://economist.kg/society/2025/12/18/mid-vydal-bolieie-1-tysiachi-riezidient-kart-inostrantsam-v-kyrghyzstanie",
    "knau-visa": "https://knau.kg/?p=19537",
    "oshsu-admission": "https://oshsu.kg/en/page/54",
    "eimu-visa": "https://eimu.edu.kg/en/information-for-obtaining-a-study-visa-for-foreign-students",
    "bhu-visa": "https://bhu.kg/ru/vizovaja-podderzhka/",
    "kgma-visa": "https://kgma.kg/index.php/en/for-student/visa-and-registration",
    "wenews-2024": "https://wenewsenglish.pk/58000-foreign-students-enrolment-and-healthcare-compliance-in-kyrgyzstan",
    "kant-2023-chi": "https://kant.kg/2023-04-19/v-kyrgyzstane-teper-mediczinskoe-strahovanie-stalo-obyazatelnym",
    "24kg-228582": "https://24.kg/english/228582_Most_foreign_students_in_Kyrgyz_universities_are_citizens_of_Uzbekistan/",
    "fergana-wage-2025": "https://it.fergana.media/news/142922/?country=kg",
    "mts-wage-2025": "https://mts.kg/obschestvo/4173-nacstatkom-podschital-srednjuju-zarplatu-kyrgyzstancev-za-2025-god.html",
}


def src(*keys: str) -> str:
    return "\n".join(URL[k] for k in keys)


SOUTH_CROSSINGS = "osh; jalal_abad; batken"
LANGUAGE_NOTE = "Languages of the service: not found in the sources."


def entry(pathway: str, step: int = 1) -> dict:
    return dict(
        pathway=pathway, step=step, action="Enter Kyrgyzstan visa-free with the Uzbek ID card or passport; the Border Service records the entry",
        responsible_body="SBS-2026", legal_basis="B02-VISA-FREE-ENTRY; B03-ID-CARD-ENTRY; B03-UNDER-16",
        channel="in_person", documents="Uzbek national ID card or passport (children under 16: passport)",
        official_fee=0, fee_currency="KGS", fee_payer="migrant", fee_confidence=S,
        other_costs="Travel to the border crossing", deadline=None, locations=SOUTH_CROSSINGS, access_confidence=U,
        source=src("spot-uz-2023", "kaktus-14122", "uza-449185", "24kg-252575"), confidence=S,
        note="No visa is needed (stay up to 60 days in 120). Crossing points on the Uzbek border lie in the Osh, "
             "Jalal-Abad and Batken regions (geography, not from a source). " + LANGUAGE_NOTE)


def registration(pathway: str, step: int, confidence: str = S, extra_note: str = "") -> dict:
    return dict(
        pathway=pathway, step=step,
        action="Register the stay (temporary registration, valid 60 days) at a public service centre or online, "
               "within 5 working days of entry",
        responsible_body="KYZMAT", legal_basis="G01-REG-DEADLINE; G01-REG-PERIOD; G01-REG-WHERE; G01-REG-FEE",
        channel="online_portal; in_person",
        documents="Application; request of the host party (a Kyrgyz citizen or permanent resident) and the host's ID; "
                  "passport and copy; receipt for the state fee",
        official_fee=120, fee_currency="KGS", fee_payer="migrant", fee_confidence=U,
        other_costs="Copies; travel to the service centre", deadline=None,
        locations="online; bishkek; osh; jalal_abad; batken; other_regions", access_confidence=U,
        observed_procedure="registration",
        source=src("24kg-330228", "24kg-90443", "usembassy-reg", "xebersaati", "ozodlik"), confidence=confidence,
        note="Fee: 120 som reported by the US Embassy in 2016; the current fee was not found. The 5 working days are "
             "the migrant's time limit after entry, not a processing deadline; no processing deadline was found. "
             "Sources conflict on the registration-free period (inventory conflict C01). Online at ereg.e-gov.kg "
             "(2025); whether it accepts ID-card holders is not verified. Public service centres exist in every "
             "region (not from a source). " + LANGUAGE_NOTE + extra_note)


STEPS = [
    # (1) visa-free entry and registration
    entry("entry_short_stay"),
    registration("entry_short_stay", 2),
    # (2) long-term residence
    entry("long_term_residence"),
    registration("long_term_residence", 2, extra_note=" Needed while the residence permit is pending (assumption)."),
    dict(pathway="long_term_residence", step=3,
         action="Apply for a temporary residence permit (general procedure for work, study or business stays)",
         responsible_body="MTSOM", legal_basis="G03-TRP-REVIEW-DEADLINE; G03-TRP-PRIVATE", channel="in_person",
         documents=None, official_fee=None, fee_payer="migrant", fee_confidence=U,
         other_costs="Notarised translations and photos (amounts not found)", deadline=1, deadline_unit="months",
         deadline_confidence=S, locations=None, access_confidence=U, observed_procedure="residence_permit",
         source=src("cis-161314", "24kg-304106", "digital-vnzh-terms", "24kg-330228"), confidence=U,
         note="Review within 1 month (general rule of Res. 437/2024; 15 working days apply only to 8 other states). "
              "Uzbekistan is not in the 2024 private-purpose route; work, study and business stays keep the earlier "
              "procedure, whose documents and fee were not found. The MFA named MTSOM as the body (May 2025); earlier "
              "texts name the Department of Population Registration (MDD-DPR). Alternative: a resident card of up to "
              "360 days from the MFA single window (G14-RESIDENT-CARD), fee not found."),
    # (3) single permit through an employer
    entry("work_permit"),
    registration("work_permit", 2, confidence=U,
                 extra_note=" Whether a worker must register separately once the single permit covers the stay is "
                            "not verified."),
    dict(pathway="work_permit", step=3,
         action="The employer applies online for a single permit for the named worker and pays the state fee "
                "(work visa and one-year permit) on filing",
         responsible_body="MFA-CD", legal_basis="G07-SINGLE-PERMIT; G07-NO-COMMISSION",
         channel="online_portal; intermediary", documents="Not found",
         official_fee=30000, fee_currency="KGS", fee_payer="employer", fee_confidence=U,
         other_costs=None, deadline=None, locations="online", access_confidence=S,
         source=src("24kg-313664", "cis-163636", "tours-too-kg"), confidence=S,
         note="Official fee schedule not found. 30,000 som of government fees is quoted by a travel agency "
              "(commercial, unverified), which adds USD 30 for Uzbek citizens (not counted here). Filed on "
              "evisa.e-gov.kg by the employer: the worker depends on the employer as intermediary. " + LANGUAGE_NOTE),
    dict(pathway="work_permit", step=4, action="The employer pays the non-refundable guarantee fee",
         responsible_body="MFA-CD", legal_basis="G07-GUARANTEE-FEE", channel="online_portal; intermediary",
         official_fee=None, fee_payer="employer", fee_confidence=U, parallel_with="3", locations="online",
         access_confidence=U, source=src("24kg-313664"), confidence=S,
         note="Amount not found. Paid at filing, so it runs together with step 3. " + LANGUAGE_NOTE),
    dict(pathway="work_permit", step=5,
         action="The MFA Consular Department reviews the application and issues the single permit (60 or 360 days)",
         responsible_body="MFA-CD", legal_basis="G07-PROCESSING-DEADLINE; G07-TERM-60; G07-TERM-360",
         channel="online_portal", official_fee=0, fee_currency="KGS", fee_payer="employer", fee_confidence=S,
         deadline=7, deadline_unit="working_days", deadline_confidence=S, locations="online", access_confidence=S,
         observed_procedure="single_permit", source=src("24kg-313664", "24kg-329358", "cis-163636"), confidence=S,
         note="The whole procedure takes at most 7 working days; the fee is paid at filing (step 3). Pilot regime "
              "of Res. 721/2024; its status after 1 Jan 2026 is not verified. The annual quota still applies."),
    # (4) patent for workers hired by private individuals; border migrant worker
    entry("patent"),
    registration("patent", 2, extra_note=" The temporary registration card is needed for the patent (step 5)."),
    dict(pathway="patent", step=3, action="Obtain a personal identification number (PIN) at a public service centre",
         responsible_body="KYZMAT", legal_basis="L07-PATENT-FIRST-ISSUE", channel="in_person",
         documents="Passport", official_fee=None, fee_payer="migrant", fee_confidence=U,
         locations="bishkek; osh; jalal_abad; batken; other_regions", access_confidence=U,
         source=src("akchabar-patent"), confidence=S,
         note="Fee and processing time of the PIN not found. Public service centres exist in every region "
              "(not from a source). " + LANGUAGE_NOTE),
    dict(pathway="patent", step=4, action="Have the passport translated and the translation notarised",
         responsible_body="NOTARY", legal_basis="L07-PATENT-FIRST-ISSUE", channel="intermediary",
         documents="Passport", official_fee=None, fee_payer="migrant", fee_confidence=U,
         other_costs="Translation and notary fees (amounts not found)", parallel_with="3",
         locations=None, access_confidence=U, source=src("akchabar-patent"), confidence=S,
         note="Can be done while the PIN is issued (assumption). Notary and translation fees not found."),
    dict(pathway="patent", step=5,
         action="Obtain the first (paper) patent at the tax office of the place of work and pay the first month",
         responsible_body="STS", legal_basis="L07-PATENT-FEE; L07-PATENT-FIRST-ISSUE; L07-PATENT-STAY-BOUND",
         channel="in_person", documents="Passport; notarised translation; PIN certificate; temporary registration card",
         official_fee=800, fee_currency="KGS", fee_payer="migrant", fee_confidence=S,
         locations=None, access_confidence=U, observed_procedure="patent",
         source=src("akchabar-patent"), confidence=S,
         note="800 som per month (counted here for one month); later months are renewed online in the taxpayer "
              "account. Valid only during the visa-free stay (60 days in 120). For workers hired by private "
              "individuals (construction, crop and livestock farming, personal services). The Tax Code article and "
              "the link to the 'border migrant worker' of Law 4/2006 are not verified, nor whether patent holders "
              "also need the quota or a single permit. Tax offices exist at the "
              "place of work; their locations were not listed in the sources."),
    dict(pathway="patent", step=6,
         action="Buy the insurance policy (6 % of the capped average monthly wage)",
         responsible_body=None, legal_basis="L07-PATENT-INSURANCE", channel=None,
         official_fee=None, fee_payer="migrant", fee_confidence=U, parallel_with="5",
         locations=None, access_confidence=U, source=src("akchabar-patent"), confidence=S,
         note="Body selling the policy not named in the source; the cap of the average wage was not found, so "
              "the amount is not known."),
    # (5) study
    entry("study"),
    dict(pathway="study", step=2,
         action="Obtain the certificate of equivalence of the Uzbek school certificate (no admission without it)",
         responsible_body="MSHEI", legal_basis="G17-EQUIVALENCE", channel="in_person; intermediary",
         documents="School certificate (with translation)", official_fee=None, fee_payer="migrant", fee_confidence=U,
         other_costs="Translation and notarisation (amounts not found)", locations=None, access_confidence=U,
         source=src("knau-visa", "oshsu-admission"), confidence=U,
         note="Issued by the Ministry of Education and Science until 11 May 2025; which successor ministry issues it "
              "now is not verified. Fee and processing time not found. Universities often file on the student's "
              "behalf (intermediary)."),
    dict(pathway="study", step=3,
         action="Be admitted and sign the study contract with the university (fee-paying basis)",
         responsible_body="HEI", legal_basis="G17-CONTRACT-ADMISSION; L11-ADMISSION-BASIS", channel="in_person",
         documents="Passport; equivalence certificate; application", official_fee=None, fee_payer="migrant",
         fee_confidence=U, other_costs="Tuition (not an administrative fee; not counted)",
         locations="bishkek; osh; jalal_abad; batken", access_confidence=U,
         source=src("oshsu-admission", "24kg-228582"), confidence=S,
         note="State grants are not open to Uzbek citizens (except ethnic Kyrgyz under Decree 102/2003). Universities "
              "with many Uzbek students are in Osh, Jalal-Abad and Batken (OshSU, Kyrgyz-Uzbek University, Batken "
              "State University) and Bishkek. Admission fee, if any, not found."),
    dict(pathway="study", step=4,
         action="Register as a student through the university's passport-visa office",
         responsible_body="KYZMAT", legal_basis="G01-REG-DEADLINE; G01-REG-PERIOD; G01-REG-FEE",
         channel="intermediary; in_person",
         documents="Passport; contract and enrolment reference; hostel reference or notarised landlord consent; "
                   "state-fee receipt",
         official_fee=120, fee_currency="KGS", fee_payer="migrant", fee_confidence=U,
         other_costs="Notarised landlord consent if not in a hostel (amount not found)",
         locations="bishkek; osh; jalal_abad; batken", access_confidence=U, observed_procedure="student_registration",
         source=src("eimu-visa", "bhu-visa", "kgma-visa"), confidence=S,
         note="Fee assumed equal to the general registration fee (120 som in 2016); the current fee was not found. "
              "Whether an Uzbek student must also obtain an S visa to stay beyond 60 days in 120 is not verified. "
              "The 5-working-day limit after entry applies, so in practice the student may register first as a "
              "visitor. " + LANGUAGE_NOTE),
    dict(pathway="study", step=5, action="Buy the compulsory health insurance policy for foreign students (one year)",
         responsible_body="FOMS", legal_basis="L10-CHI-COMPULSORY; L10-CHI-STUDENT-FEE", channel="in_person",
         official_fee=11990, fee_currency="KGS", fee_payer="migrant", fee_confidence=S, parallel_with="4",
         locations=None, access_confidence=U, source=src("wenews-2024", "kant-2023-chi"), confidence=S,
         note="11,990 som per year (cut from 16,000; May 2024 report). Can be bought while the registration is "
              "processed (assumption). Where policies are sold was not found."),
]

PARAMETERS = [
    dict(id="gni_per_capita", parameter="Kyrgyz GNI per capita (World Bank, Atlas method)", value=None,
         currency="USD", unit="per year", reference_period=None, source=None, confidence=U,
         note="No source for a recent value was found in the reference notes or the archived pages (the latest "
              "sourced figure is USD 1,200 for 2013). Enter the World Bank value (indicator NY.GNP.PCAP.CD, KGZ) "
              "and its year; until then the cost as a share of GNI per capita is not computed."),
    dict(id="migrant_monthly_wage", parameter="Monthly wage of an Uzbek migrant worker (proxy: average monthly "
                                              "nominal wage in Osh region)",
         value=26914, currency="KGS", unit="per month", reference_period="2025",
         source=URL["mts-wage-2025"], confidence=U,
         note="The figure is the National Statistical Committee's average for Osh region as reported by the press "
              "(excluding small enterprises). Using it for an Uzbek migrant is an assumption: no wage survey of "
              "Uzbek migrants in Kyrgyzstan was found. Osh region is where most Uzbek citizens arrive and work."),
    dict(id="staff_monthly_wage", parameter="Average monthly nominal wage in Kyrgyzstan (staff of employers, "
                                            "universities and public bodies)",
         value=42757, currency="KGS", unit="per month", reference_period="January-September 2025",
         source=URL["fergana-wage-2025"], confidence=S,
         note="National Statistical Committee via Kabar; excludes small enterprises."),
    dict(id="hours_per_month", parameter="Working hours in a month", value=173.3, currency=None,
         unit="hours per month", reference_period=None, source=None, confidence=U,
         note="40-hour week x 52 weeks / 12 months. The 40-hour norm of the Labour Code is not from an archived "
              "source."),
    dict(id="overhead_rate", parameter="Overhead on staff wages (Standard Cost Model tariff)", value=0.25,
         currency=None, unit="share", reference_period=None, source=None, confidence=U,
         note="Conventional Standard Cost Model overhead of 25 %, from memory; not from an archived source."),
    dict(id="usd_kgs", parameter="Exchange rate, som per US dollar", value=87.44, currency=None,
         unit="KGS per USD", reference_period="2025", source=URL["fergana-wage-2025"], confidence=U,
         note="Derived from the same press report (42,757 som = almost USD 489); not the National Bank's official "
              "rate on the as-of date."),
]

_TIME_NOTE = "Time is an assumption of this analysis, to be replaced by estimates from the consultations."
SCM = [
    dict(pathway="entry_short_stay", step=2, bearer="migrant", hours_per_case=3, cases_per_year=220000,
         frequency_per_year=1, source=URL["ozodlik"], confidence=U,
         note="About 220,000 Uzbek citizens were registered in 2022 (deputy minister, April 2023); a registration "
              "is counted once (quantity = registrations). Covers the registrations of every pathway. " + _TIME_NOTE
              + " 3 hours: travel, queue and filing at a service centre."),
    dict(pathway="entry_short_stay", step=2, bearer="state", hours_per_case=0.5, cases_per_year=220000,
         frequency_per_year=1, source=URL["ozodlik"], confidence=U, note="Officer time per registration. " + _TIME_NOTE),
    dict(pathway="long_term_residence", step=3, bearer="migrant", hours_per_case=8, cases_per_year=None,
         frequency_per_year=1, confidence=U,
         note="Number of Uzbek citizens applying for a residence permit not found. " + _TIME_NOTE),
    dict(pathway="long_term_residence", step=3, bearer="state", hours_per_case=2, cases_per_year=None,
         frequency_per_year=1, confidence=U, note="Officer time per application. " + _TIME_NOTE),
    dict(pathway="work_permit", step=3, bearer="employer", hours_per_case=4, cases_per_year=366,
         frequency_per_year=1, source=URL["24kg-329358"], confidence=U,
         note="122 single permits went to Uzbek citizens from 1 Jan to 30 Apr 2025; 366 per year is that pace over "
              "12 months (derived). " + _TIME_NOTE),
    dict(pathway="work_permit", step=3, bearer="migrant", hours_per_case=2, cases_per_year=366,
         frequency_per_year=1, source=URL["24kg-329358"], confidence=U,
         note="The worker gathers documents for the employer. Quantity as above. " + _TIME_NOTE),
    dict(pathway="work_permit", step=4, bearer="employer", hours_per_case=0.5, cases_per_year=366,
         frequency_per_year=1, source=URL["24kg-329358"], confidence=U, note="Quantity as above. " + _TIME_NOTE),
    dict(pathway="work_permit", step=5, bearer="state", hours_per_case=1, cases_per_year=366,
         frequency_per_year=1, source=URL["24kg-329358"], confidence=U,
         note="Consular officer time per application. Quantity as above. " + _TIME_NOTE),
    dict(pathway="patent", step=3, bearer="migrant", hours_per_case=3, cases_per_year=None, frequency_per_year=1,
         confidence=U, note="Number of patents issued to Uzbek citizens not found. " + _TIME_NOTE),
    dict(pathway="patent", step=4, bearer="migrant", hours_per_case=2, cases_per_year=None, frequency_per_year=1,
         confidence=U, note="Quantity not found. " + _TIME_NOTE),
    dict(pathway="patent", step=5, bearer="migrant", hours_per_case=3, cases_per_year=None, frequency_per_year=1,
         confidence=U, note="Quantity not found; monthly renewals online are not counted. " + _TIME_NOTE),
    dict(pathway="study", step=2, bearer="migrant", hours_per_case=4, cases_per_year=7771, frequency_per_year=1,
         source=URL["24kg-228582"], confidence=U,
         note="New Uzbek students per year not found: 38,857 Uzbek students (2022) divided by 5 years of study "
              "(derived, assumption); numbers fell in 2023-24. " + _TIME_NOTE),
    dict(pathway="study", step=4, bearer="university", hours_per_case=1, cases_per_year=38857, frequency_per_year=1,
         source=URL["24kg-228582"], confidence=U,
         note="38,857 Uzbek students (Ministry, 2022); one registration a year per student (assumption). "
              + _TIME_NOTE),
    dict(pathway="study", step=4, bearer="migrant", hours_per_case=1, cases_per_year=38857, frequency_per_year=1,
         source=URL["24kg-228582"], confidence=U, note="Quantity as above. " + _TIME_NOTE),
    dict(pathway="study", step=5, bearer="migrant", hours_per_case=1, cases_per_year=38857, frequency_per_year=1,
         source=URL["24kg-228582"], confidence=U,
         note="One policy a year per student; quantity as above. " + _TIME_NOTE),
]


def main() -> None:
    path = paths.raw("procedures.xlsx")
    procedures.write_workbook(path, {"steps": pd.DataFrame(STEPS), "parameters": pd.DataFrame(PARAMETERS),
                                     "scm_assumptions": pd.DataFrame(SCM)}, allow_raw=True)
    print(f"wrote {paths.relative(path)}")


if __name__ == "__main__":
    main()
