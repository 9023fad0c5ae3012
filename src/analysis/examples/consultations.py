"""SYNTHETIC example consultations: respondents, sessions, codebook, coded segments and a plan.

Realistic in shape only — every person, quote and count is invented. The generator also writes the
invented names of the respondents, and the organisations and villages such a study would have to
protect, to a key of invented names (data/raw/synthetic_identity_key.csv, listed in provenance.yaml with
role identity_key), so that the privacy scan has something to find if the pipeline ever leaks one. It
never writes data/private/, where a real project keeps its key of real names. Run with
`python -m analysis example-data`.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from analysis.engine import atomic, paths, privacy

SEED = 20261128
OUT = "data/raw/consultations"
KEY = "data/raw/synthetic_identity_key.csv"
SALT = "synthetic-consultations"  # a real project keeps its salt beside the key file, outside git

# (code_id, parent_id, name, definition, inclusion, exclusion, example)
CODEBOOK = [
    (
        "REG",
        "",
        "Registration burden",
        "Obligations to register the stay of a foreign citizen and their cost in time.",
        "",
        "",
        "",
    ),
    (
        "REG.DEADLINE",
        "REG",
        "Registration deadline",
        "The time allowed to register after entry is described as too short or hard to meet.",
        "Statements on the days allowed after crossing the border.",
        "Fines as such (code INF or REG.DOCS).",
        "Five working days is not enough when you arrive on Friday.",
    ),
    (
        "REG.DOCS",
        "REG",
        "Documents and repeated visits",
        "Documents demanded for registration and the number of visits needed.",
        "Lists of papers, landlord consent, returning to the office.",
        "Online submission problems (ONLINE.ACCESS).",
        "They sent me back three times for a landlord paper.",
    ),
    (
        "LANG",
        "",
        "Language of procedures",
        "Whether procedures can be followed in a language the applicant understands.",
        "",
        "",
        "",
    ),
    (
        "LANG.FORMS",
        "LANG",
        "Forms only in Russian or Kyrgyz",
        "Forms, notices or decisions are not available in Uzbek.",
        "Mentions of forms, portals or letters in a language the person cannot read.",
        "Interpreting during interviews (LANG.INTERP).",
        "The form was only in Russian and Kyrgyz.",
    ),
    (
        "LANG.INTERP",
        "LANG",
        "Intermediaries and interpreters",
        "Reliance on intermediaries or interpreters to deal with the authorities.",
        "Paid or unpaid help with language.",
        "Payments to officials (INF.PAY).",
        "We pay a man at the market to fill in the papers.",
    ),
    ("ONLINE", "", "Online portals", "Use of e-government portals for registration, permits or visas.", "", "", ""),
    (
        "ONLINE.ACCESS",
        "ONLINE",
        "Portal access and failures",
        "The portal cannot be reached, rejects documents or needs local accounts.",
        "Technical failures, identification, uploads.",
        "Payment failures (ONLINE.PAY).",
        "The site does not accept an Uzbek phone number.",
    ),
    (
        "ONLINE.PAY",
        "ONLINE",
        "Online payment",
        "Paying state fees online.",
        "Card, bank and receipt problems.",
        "Informal payments (INF.PAY).",
        "A foreign card is refused when paying the fee.",
    ),
    ("EMP", "", "Employer obligations", "What the law requires employers of foreign workers to do.", "", "", ""),
    (
        "EMP.NOTIFY",
        "EMP",
        "Employer paperwork and guarantee fee",
        "Employers' applications, notifications and the guarantee fee for foreign workers.",
        "Single-window applications by employers, deposits, quotas per firm.",
        "Workers' own permits (PAT).",
        "The guarantee fee makes small firms hire without papers.",
    ),
    (
        "EMP.INFORMAL",
        "EMP",
        "Work without a contract",
        "Foreign workers employed without a written contract or registration.",
        "Verbal agreements, cash wages.",
        "Informal payments to officials (INF.PAY).",
        "Most of us work on construction without any contract.",
    ),
    ("PAT", "", "Work permits and patents", "Permits that allow a foreign citizen to work.", "", "", ""),
    (
        "PAT.COST",
        "PAT",
        "Cost of permits",
        "The fee or total cost of obtaining a permit.",
        "State fees, medical certificates, translations.",
        "Informal payments (INF.PAY).",
        "The permit costs more than a month of wages.",
    ),
    (
        "PAT.SINGLE",
        "PAT",
        "Single permit",
        "Experience with the single permit introduced in 2025.",
        "Speed, single window, refusals.",
        "Registration of stay (REG).",
        "With the single permit everything was done in one week.",
    ),
    (
        "DIPL",
        "",
        "Recognition of diplomas",
        "Recognition of school certificates and diplomas obtained in Uzbekistan.",
        "",
        "",
        "",
    ),
    (
        "DIPL.NOSTR",
        "DIPL",
        "Certificate of compliance",
        "Delays and cost of the certificate of compliance of the education level.",
        "Nostrification, translations, apostille.",
        "University admission as such (STUD.REG).",
        "Without the ministry certificate the university would not enrol me.",
    ),
    ("STUD", "", "Student registration", "Registration and stay of students from Uzbekistan.", "", "", ""),
    (
        "STUD.REG",
        "STUD",
        "Registration through the university",
        "Universities registering foreign students and extending their stay.",
        "Dean's office, student lists, deadlines.",
        "Diploma recognition (DIPL).",
        "The university registers us, but only once a semester.",
    ),
    (
        "STUD.WORK",
        "STUD",
        "Working while studying",
        "Whether and how students may work.",
        "Part-time jobs, permits for students.",
        "Employers' duties (EMP).",
        "Students work in cafes without any permit.",
    ),
    ("GEN", "", "Gender-specific barriers", "Barriers that affect women and men differently.", "", "", ""),
    (
        "GEN.CARE",
        "GEN",
        "Care and family duties",
        "Childcare and family duties that limit access to procedures or work.",
        "Office hours, travel with children.",
        "Safety (GEN.SAFETY).",
        "With two children I cannot queue all day.",
    ),
    (
        "GEN.SAFETY",
        "GEN",
        "Safety and harassment",
        "Harassment or unsafe conditions in work, housing or offices.",
        "Employers, landlords, checks at night.",
        "Informal payments (INF.PAY).",
        "Women do not go alone to the office in the evening.",
    ),
    ("INF", "", "Informal payments", "Payments outside the official fee schedule.", "", "", ""),
    (
        "INF.PAY",
        "INF",
        "Informal payments requested",
        "Requests or expectations of unofficial payments to speed up or allow a procedure.",
        "Direct requests, 'gratitude', fixers' fees passed to officials.",
        "Legal fees of intermediaries (LANG.INTERP).",
        "Without paying extra, the papers wait a month.",
    ),
    ("SRC", "", "Information sources", "Where people learn about the rules.", "", "", ""),
    (
        "SRC.NETWORK",
        "SRC",
        "Friends and social media",
        "Information from relatives, friends, chats and social media.",
        "Telegram groups, compatriots.",
        "Official hotlines (SRC.OFFICIAL).",
        "Everything we know comes from the Telegram chat.",
    ),
    (
        "SRC.OFFICIAL",
        "SRC",
        "Official information",
        "Information from government websites, hotlines, consulates or IOM centres.",
        "Brochures, consultations at migrant centres.",
        "Social media (SRC.NETWORK).",
        "The consulate explained the new rules to us.",
    ),
]

# Excerpt variants per code: (Russian original, English translation). They name no one, so that the
# example builds the same with or without the (git-ignored) key file; tests exercise the redaction.
EXCERPTS = {
    "REG.DEADLINE": [
        (
            "Пять рабочих дней на регистрацию — это очень мало, если приезжаешь в пятницу вечером.",
            "Five working days to register is very little if you arrive on a Friday evening.",
        ),
        (
            "Многие даже не знают, что нужно регистрироваться, и узнают о сроке только при проверке.",
            "Many do not even know they must register and learn about the deadline only when they are checked.",
        ),
    ],
    "REG.DOCS": [
        (
            "Меня три раза отправляли обратно за согласием хозяина квартиры.",
            "They sent me back three times for the landlord's consent.",
        ),
        (
            "Список документов в каждом отделе свой, никто не знает, какой правильный.",
            "Each office has its own list of documents; nobody knows which one is right.",
        ),
    ],
    "LANG.FORMS": [
        (
            "Бланки только на русском и кыргызском, на узбекском ничего нет.",
            "The forms are only in Russian and Kyrgyz; there is nothing in Uzbek.",
        ),
        (
            "Решение об отказе пришло на кыргызском, и мы не поняли причину.",
            "The refusal came in Kyrgyz and we did not understand the reason.",
        ),
    ],
    "LANG.INTERP": [
        (
            "Мы платим человеку на базаре, чтобы он заполнил бумаги.",
            "We pay a man at the market to fill in the papers.",
        ),
        (
            "Без посредника молодые ребята из нашего района вообще не справляются.",
            "Without an intermediary the young men from our district cannot manage at all.",
        ),
    ],
    "ONLINE.ACCESS": [
        (
            "Портал не принимает узбекский номер телефона, нужен местный.",
            "The portal does not accept an Uzbek phone number; you need a local one.",
        ),
        (
            "Сайт регистрации часто не работает, особенно в конце месяца.",
            "The registration site often does not work, especially at the end of the month.",
        ),
    ],
    "ONLINE.PAY": [
        ("Иностранную карту при оплате пошлины отклоняют.", "A foreign card is refused when paying the state fee."),
        (
            "Квитанцию об онлайн-оплате в отделе не признают, просят оплатить в банке.",
            "The office does not accept the online payment receipt and asks us to pay at the bank.",
        ),
    ],
    "EMP.NOTIFY": [
        (
            "Гарантийный взнос для маленькой фирмы слишком большой, поэтому берут без оформления.",
            "The guarantee fee is too high for a small firm, so they hire without papers.",
        ),
        (
            "Через единое окно работодателю стало проще, но наш бухгалтер всё равно ходил дважды.",
            "The single window made it easier for employers, but our accountant still went twice.",
        ),
    ],
    "EMP.INFORMAL": [
        (
            "Большинство наших на стройке работают без всякого договора.",
            "Most of our people on construction sites work without any contract.",
        ),
        (
            "Зарплату платят наличными, договор никто не подписывает.",
            "Wages are paid in cash and nobody signs a contract.",
        ),
    ],
    "PAT.COST": [
        (
            "Разрешение стоит больше месячной зарплаты, если считать медсправку и переводы.",
            "The permit costs more than a month's wages once you count the medical certificate and translations.",
        ),
        (
            "Для граждан Узбекистана пошлина ниже, но об этом мало кто знает.",
            "The fee is lower for citizens of Uzbekistan, but few people know it.",
        ),
    ],
    "PAT.SINGLE": [
        (
            "С единым разрешением всё сделали за неделю, раньше уходил месяц.",
            "With the single permit everything was done in a week; it used to take a month.",
        ),
        (
            "Единое разрешение пока работает только для тех, у кого есть официальный работодатель.",
            "The single permit so far works only for those with a formal employer.",
        ),
    ],
    "DIPL.NOSTR": [
        (
            "Без справки министерства о соответствии уровня образования университет не зачислял меня.",
            "Without the ministry's certificate of compliance the university would not enrol me.",
        ),
        (
            "Справку о соответствии ждали два месяца, и семестр уже начался.",
            "We waited two months for the certificate of compliance and the semester had already started.",
        ),
    ],
    "STUD.REG": [
        (
            "Университет регистрирует нас, но только один раз в семестр, остальное время мы ждём.",
            "The university registers us, but only once a semester; the rest of the time we wait.",
        ),
        (
            "Деканат собирает паспорта и сам подаёт списки, это удобно.",
            "The dean's office collects passports and submits the lists itself, which is convenient.",
        ),
    ],
    "STUD.WORK": [
        (
            "Студенты работают в кафе без всякого разрешения, иначе не прожить.",
            "Students work in cafes without any permit; otherwise you cannot live.",
        ),
        ("Никто не объяснил нам, можно ли студенту работать.", "Nobody explained to us whether a student may work."),
    ],
    "GEN.CARE": [
        (
            "С двумя детьми я не могу стоять в очереди целый день.",
            "With two children I cannot stand in the queue all day.",
        ),
        (
            "Отдел работает, когда женщины на работе, вечером ничего не открыто.",
            "The office is open while women are at work; nothing is open in the evening.",
        ),
    ],
    "GEN.SAFETY": [
        (
            "Женщины не ходят одни в отдел вечером, просят брата или мужа.",
            "Women do not go to the office alone in the evening; they ask a brother or husband.",
        ),
        (
            "Хозяин квартиры держит паспорта у себя, особенно у девушек.",
            "The landlord keeps the passports, especially the young women's.",
        ),
    ],
    "INF.PAY": [
        ("Если не заплатить сверху, бумаги лежат месяц.", "Unless you pay extra, the papers lie there for a month."),
        (
            "Говорят, в соседнем районе за регистрацию просят «благодарность».",
            "They say that in the next district people are asked for 'gratitude' for registration.",
        ),
    ],
    "SRC.NETWORK": [
        ("Всё, что мы знаем, мы узнаём из чата в Телеграме.", "Everything we know we learn from the Telegram chat."),
        (
            "Земляки рассказывают правила, но часто уже устаревшие.",
            "Compatriots explain the rules, but often rules that have already changed.",
        ),
    ],
    "SRC.OFFICIAL": [
        (
            "Консульство объяснило нам новые правила на встрече.",
            "The consulate explained the new rules to us at a meeting.",
        ),
        (
            "Горячая линия есть, но там отвечают только по-русски.",
            "There is a hotline, but it answers only in Russian.",
        ),
    ],
}

# Relative weight of each theme for each group (the synthetic "signal").
THEME_WEIGHTS = {
    "government": {"REG": 3, "ONLINE": 3, "PAT": 3, "SRC": 2, "LANG": 1, "EMP": 1, "STUD": 1},
    "academia": {"DIPL": 3, "STUD": 3, "LANG": 2, "REG": 1, "SRC": 1, "GEN": 1},
    "private_sector": {"EMP": 4, "PAT": 3, "ONLINE": 2, "INF": 1, "REG": 1},
    "migrant_association": {"REG": 2, "INF": 2, "LANG": 2, "GEN": 2, "SRC": 2, "EMP": 1},
    "migrant_or_student": {
        "REG": 3,
        "LANG": 2,
        "ONLINE": 2,
        "PAT": 2,
        "INF": 2,
        "SRC": 3,
        "GEN": 1,
        "STUD": 2,
        "DIPL": 1,
    },
    "international_partner": {"GEN": 2, "SRC": 2, "REG": 1, "INF": 1},
}

FIRST_F = [
    "Айгуль",
    "Гульнара",
    "Динара",
    "Нилуфар",
    "Мадина",
    "Зарина",
    "Шахноза",
    "Асель",
    "Бермет",
    "Феруза",
    "Нодира",
    "Жылдыз",
    "Малика",
    "Камила",
    "Саида",
    "Айпери",
    "Дильноза",
    "Гулзат",
]
FIRST_M = [
    "Бакыт",
    "Азамат",
    "Фаррух",
    "Шерзод",
    "Улугбек",
    "Нурлан",
    "Темур",
    "Жоомарт",
    "Рустам",
    "Алишер",
    "Эрлан",
    "Бобур",
    "Санжар",
    "Канат",
    "Дилшод",
    "Мирлан",
    "Икром",
    "Талант",
    "Акмал",
    "Эльдор",
    "Бекзод",
    "Азиз",
]
LAST = [
    "Осмонов",
    "Юсупов",
    "Касымов",
    "Турсунов",
    "Абдуллаев",
    "Ташиев",
    "Мамытов",
    "Рахимов",
    "Эргашев",
    "Сыдыков",
    "Назаров",
    "Каримов",
    "Жумабаев",
    "Усмонов",
    "Садыков",
    "Исмаилов",
]
ORGANISATIONS = [("ОсОО «Ак-Суу Курулуш»", "Ak-Suu Kurulush LLC"), ("Ала-Тоо Текстиль", "Ala-Too Textile")]
VILLAGES = [("Кызыл-Булак-Сай", "Kyzyl-Bulak-Sai"), ("Жаны-Тереклик", "Jany-Tereklik")]

# (group, number of respondents, share female, regions, session design)
GROUPS = [
    ("government", 8, 0.5, ["bishkek", "osh_city", "batken"], "interview"),
    ("academia", 6, 0.6, ["bishkek", "osh_city", "jalal_abad"], "interview"),
    ("private_sector", 7, 0.35, ["bishkek", "osh", "chuy"], "interview"),
    ("migrant_association", 5, 0.5, ["osh_city"], "focus_group"),
    ("migrant_or_student", 11, 0.5, ["osh_city", "jalal_abad"], "focus_group"),
    ("international_partner", 3, 0.67, ["bishkek"], "interview"),
]

PLAN = [  # (group, sex, region, planned): the consultant's fieldwork plan, with gaps on purpose
    ("government", "female", "bishkek", 2),
    ("government", "male", "bishkek", 2),
    ("government", "female", "osh_city", 1),
    ("government", "male", "osh_city", 1),
    ("government", "female", "batken", 1),
    ("government", "male", "batken", 1),
    ("academia", "female", "bishkek", 1),
    ("academia", "male", "bishkek", 1),
    ("academia", "female", "osh_city", 2),
    ("academia", "male", "osh_city", 1),
    ("academia", "female", "jalal_abad", 1),
    ("private_sector", "female", "bishkek", 2),
    ("private_sector", "male", "bishkek", 2),
    ("private_sector", "male", "osh", 2),
    ("private_sector", "female", "batken", 2),
    ("private_sector", "male", "batken", 2),
    ("private_sector", "male", "chuy", 1),
    ("migrant_association", "female", "osh_city", 3),
    ("migrant_association", "male", "osh_city", 3),
    ("migrant_or_student", "female", "osh_city", 5),
    ("migrant_or_student", "male", "osh_city", 4),
    ("migrant_or_student", "female", "jalal_abad", 3),
    ("migrant_or_student", "male", "jalal_abad", 3),
    ("migrant_or_student", "female", "batken", 3),
    ("migrant_or_student", "male", "batken", 3),
    ("international_partner", "female", "bishkek", 2),
    ("international_partner", "male", "bishkek", 1),
]

# Codes that respondents tend to raise in the same breath (drives the co-occurrence table).
RELATED_CODES = {
    "INF.PAY": "REG.DOCS",
    "LANG.FORMS": "ONLINE.ACCESS",
    "GEN.CARE": "REG.DOCS",
    "EMP.INFORMAL": "PAT.COST",
    "DIPL.NOSTR": "STUD.REG",
    "SRC.NETWORK": "REG.DEADLINE",
}

DOUBLE_CODED_SHARE = 0.3
SECOND_CODER_AGREES = 0.9  # chance the second coder gives the same code to a paragraph


def generate(seed: int = SEED) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    codebook = pd.DataFrame(
        CODEBOOK, columns=["code_id", "parent_id", "name", "definition", "inclusion", "exclusion", "example"]
    )
    children = codebook[codebook["parent_id"] != ""].groupby("parent_id")["code_id"].apply(list).to_dict()
    people, sessions = [], []
    used_names: set[str] = set()
    day = date(2026, 9, 14)
    for group, count, female_share, regions, design in GROUPS:
        members = []
        for n in range(count):
            sex = "female" if rng.random() < female_share else "male"
            while True:
                first = rng.choice(FIRST_F if sex == "female" else FIRST_M)
                last = rng.choice(LAST) + ("а" if sex == "female" else "")
                name = f"{first} {last}"
                if name not in used_names:
                    used_names.add(name)
                    break
            members.append(
                {
                    "name": name,
                    "stakeholder_group": group,
                    "sex": sex,
                    "age_band": rng.choice(
                        ["18-24", "25-34", "35-44", "45-54", "55+"],
                        p=[0.5, 0.3, 0.1, 0.05, 0.05]
                        if group == "migrant_or_student"
                        else [0.02, 0.28, 0.35, 0.25, 0.10],
                    ),
                    "region": regions[n % len(regions)],
                    "interview_language": rng.choice(["ru", "uz", "ky"], p=[0.6, 0.3, 0.1])
                    if group.startswith("migrant")
                    else rng.choice(["ru", "ky", "en"], p=[0.7, 0.2, 0.1]),
                    "consent_to_quote": "yes" if rng.random() < 0.8 else "no",
                }
            )
        if design == "interview":
            batches = [[m] for m in members]
        else:  # one focus group per region
            batches = [[m for m in members if m["region"] == region] for region in regions]
        for batch in batches:
            day += timedelta(days=int(rng.integers(1, 3)))
            while day.weekday() >= 5:
                day += timedelta(days=1)
            session_id = f"S-{len(sessions) + 1:02d}"
            sessions.append(
                {
                    "session_id": session_id,
                    "session_type": "interview" if len(batch) == 1 else "focus_group",
                    "date": day.strftime("%d.%m.%Y"),
                    "mode": "in_person"
                    if len(batch) > 1
                    else rng.choice(["in_person", "online", "phone"], p=[0.6, 0.3, 0.1]),
                    "region": batch[0]["region"],
                    "paragraphs": 0,
                    "primary_coder": "C1",
                    "members": batch,
                }
            )
            for member in batch:
                member["session_id"] = session_id
            people += batch
    ids = privacy.pseudonymise([p["name"] for p in people], SALT, prefix="R", length=6)
    for person, rid in zip(people, ids):
        person["respondent_id"] = rid

    segments = []
    for session in sessions:
        position = 0
        for member in session["members"]:
            weights = THEME_WEIGHTS[member["stakeholder_group"]].copy()
            if member["sex"] == "female" and "GEN" in weights:
                weights["GEN"] *= 3
            elif member["sex"] == "female":
                weights["GEN"] = 2
            themes_ = list(weights)
            p = np.array([weights[t] for t in themes_], dtype=float)
            for _ in range(int(rng.integers(2, 6))):
                position += int(rng.integers(1, 3))  # uncoded turns (moderator, small talk) in between
                theme = themes_[rng.choice(len(themes_), p=p / p.sum())]
                codes = [rng.choice(children[theme])]
                partner = RELATED_CODES.get(codes[0])
                if partner and rng.random() < 0.6:  # issues that go together in the field
                    codes.append(partner)
                elif rng.random() < 0.15:  # and some chance co-occurrence
                    other = themes_[rng.choice(len(themes_), p=p / p.sum())]
                    extra = rng.choice(children[other])
                    if extra not in codes:
                        codes.append(extra)
                sentences = [EXCERPTS[code][int(rng.integers(0, len(EXCERPTS[code])))] for code in codes]
                ru, en = " ".join(r for r, _ in sentences), " ".join(e for _, e in sentences)
                for code in codes:
                    segments.append(
                        {
                            "session_id": session["session_id"],
                            "position": position,
                            "respondent_id": member["respondent_id"],
                            "code_id": code,
                            "coder": "C1",
                            "excerpt": ru,
                            "excerpt_en": en,
                        }
                    )
        session["paragraphs"] = position + int(rng.integers(1, 4))

    # Double-coded subset: a share of sessions from every group, coded again by C2.
    by_group: dict[str, list[str]] = {}
    for session in sessions:
        by_group.setdefault(session["members"][0]["stakeholder_group"], []).append(session["session_id"])
    double = sorted(
        s
        for group_sessions in by_group.values()
        for s in rng.choice(group_sessions, max(1, round(DOUBLE_CODED_SHARE * len(group_sessions))), replace=False)
    )
    second = []
    for seg in segments:
        if seg["session_id"] not in double:
            continue
        code = seg["code_id"]
        agree = SECOND_CODER_AGREES - (0.35 if code.startswith("INF") or code == "GEN.SAFETY" else 0.0)
        if rng.random() < agree:
            second.append({**seg, "coder": "C2"})
        elif rng.random() < 0.6:  # a neighbouring code instead
            siblings = children[code.split(".")[0]]
            second.append({**seg, "coder": "C2", "code_id": siblings[(siblings.index(code) + 1) % len(siblings)]})
    segments += second
    frame = pd.DataFrame(segments).drop_duplicates(["session_id", "position", "code_id", "coder"])
    frame = frame.sort_values(["session_id", "coder", "position", "code_id"]).reset_index(drop=True)
    frame.insert(0, "segment_id", [f"G-{n:04d}" for n in range(1, len(frame) + 1)])

    respondents = pd.DataFrame(people)[
        [
            "respondent_id",
            "session_id",
            "stakeholder_group",
            "sex",
            "age_band",
            "region",
            "interview_language",
            "consent_to_quote",
        ]
    ]
    sessions_frame = pd.DataFrame(sessions).drop(columns="members")
    plan = pd.DataFrame(PLAN, columns=["stakeholder_group", "sex", "region", "planned"])
    key = pd.DataFrame(
        [{"term": p["name"], "kind": "name"} for p in people]
        + [{"term": t, "kind": "organisation"} for pair in ORGANISATIONS for t in pair]
        + [{"term": t, "kind": "place"} for pair in VILLAGES for t in pair]
    )
    return {
        "respondents": respondents,
        "sessions": sessions_frame,
        "codebook": codebook,
        "segments": frame[
            ["segment_id", "session_id", "position", "respondent_id", "code_id", "coder", "excerpt", "excerpt_en"]
        ],
        "plan": plan,
        "identity_key": key,
    }


def write(seed: int = SEED, out: str = OUT, key: str = KEY) -> list[str]:
    """Write the example set and its key of invented names (raw files listed as synthetic)."""
    tables = generate(seed)
    written = []
    for name, frame in tables.items():
        target = paths.resolve(key) if name == "identity_key" else paths.resolve(out) / f"{name}.csv"
        atomic.write_csv(target, frame, allow_raw=True)
        written.append(paths.relative(target))
    return written


def targets(out: str = OUT, key: str = KEY) -> list[str]:
    """The raw files `write` replaces, relative to data/raw (checked against provenance.yaml first)."""
    folder = out.removeprefix("data/raw/")
    return [f"{folder}/{name}.csv" for name in ("respondents", "sessions", "codebook", "segments", "plan")] + [
        key.removeprefix("data/raw/")
    ]
