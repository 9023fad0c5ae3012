"""A synthetic administrative extract of applications, written the way a real Kyrgyz extract arrives.

No real case-level extract is available to the review, so the processing-times chapter runs on this
generated one (and says so). It is built to exercise everything the analysis must get right:
procedures with different deadlines, seasonal peaks (spring for work, autumn for students), a shift to
online filing, a backlog building up in one office, cases still pending at extraction, cases stuck for
months, both sexes, other nationalities, and a small share of invalid rows of the kinds real extracts
contain (decision before receipt, dates after the extraction, unreadable dates, duplicate ids).

The file is Windows-1251, ';'-separated, CRLF, dd.mm.yyyy dates and Russian headers. Every number
below is a parameter of the FAKE data, not a fact about Kyrgyzstan. The same generator writes the
5-million-row extract for the benchmark.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.engine import atomic, paths
from analysis.engine.calendar import WorkCalendar

SEED = 20261128
BUNDLED_ROWS = 45_000
BUNDLED_PATH = "data/raw/processing_times.csv"
FIRST_RECEIPT = date(2025, 1, 1)
EXTRACTION_DATE = date(2026, 11, 2)
ENCODING = "cp1251"

# Russian headers as an export from the service's database would print them; the documented mapping
# to canonical names is data/raw/processing_times_columns.csv.
HEADERS = {
    "application_id": "Номер заявления",
    "procedure": "Вид услуги",
    "office": "Подразделение",
    "channel": "Способ подачи",
    "sex": "Пол",
    "age_band": "Возрастная группа",
    "nationality": "Гражданство",
    "receipt_date": "Дата подачи",
    "decision_date": "Дата решения",
    "outcome": "Результат",
    "extraction_date": "Дата выгрузки",
}

# procedure id: extract label, share of applications, median working days, spread (lognormal sigma),
# share of men, online share at the start and at the end of the period, refusal share,
# seasonal weight by calendar month (Jan..Dec).
PROCEDURES = {
    "registration": dict(
        label="Регистрация иностранного гражданина",
        share=0.44,
        median=2.0,
        sigma=0.6,
        men=0.72,
        online=(0.30, 0.65),
        refused=0.03,
        season=[0.7, 0.8, 1.2, 1.4, 1.3, 1.1, 1.0, 1.0, 1.1, 1.0, 0.8, 0.6],
    ),
    "patent": dict(
        label="Патент",
        share=0.17,
        median=1.0,
        sigma=0.5,
        men=0.88,
        online=(0.05, 0.15),
        refused=0.02,
        season=[0.5, 0.7, 1.4, 1.6, 1.4, 1.1, 1.0, 1.0, 1.0, 0.9, 0.7, 0.5],
    ),
    "single_permit": dict(
        label="Единое разрешение",
        share=0.15,
        median=5.0,
        sigma=0.45,
        men=0.84,
        online=(0.70, 0.90),
        refused=0.09,
        season=[0.6, 0.9, 1.5, 1.5, 1.3, 1.0, 0.9, 0.9, 1.0, 1.0, 0.8, 0.6],
    ),
    "student_registration": dict(
        label="Регистрация иностранного студента",
        share=0.16,
        median=3.0,
        sigma=0.5,
        men=0.55,
        online=(0.40, 0.75),
        refused=0.02,
        season=[0.8, 0.9, 0.5, 0.4, 0.4, 0.5, 0.7, 2.2, 3.0, 1.6, 0.8, 0.6],
    ),
    "residence_permit": dict(
        label="Временный вид на жительство",
        share=0.08,
        median=16.0,
        sigma=0.4,
        men=0.62,
        online=(0.10, 0.35),
        refused=0.12,
        season=[1.0] * 12,
    ),
}

# office: extract label, share of applications. The offices are invented ("Отдел А" … "Отдел Д"), never
# real ones: the invented backlog must not be read as an event in a real office or town. The backlog builds
# up in BACKLOG_OFFICE from BACKLOG_START: each month adds BACKLOG_GROWTH to the processing-time multiplier.
OFFICES = {"Отдел А": 0.34, "Отдел Б": 0.26, "Отдел В": 0.16, "Отдел Г": 0.14, "Отдел Д": 0.10}
BACKLOG_OFFICE = "Отдел Б"
BACKLOG_START = np.datetime64("2026-02", "M")
BACKLOG_GROWTH = 0.35
NATIONALITIES = {"Узбекистан": 0.90, "Таджикистан": 0.05, "Казахстан": 0.03, "Россия": 0.02}
AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55 и старше"]
AGE_WEIGHTS = {"student_registration": [0.85, 0.14, 0.01, 0.0, 0.0]}
AGE_DEFAULT = [0.18, 0.38, 0.26, 0.13, 0.05]
OUTCOME_LABELS = {
    "approved": "Одобрено",
    "refused": "Отказано",
    "withdrawn": "Отозвано заявителем",
    "pending": "На рассмотрении",
}
WITHDRAWN_SHARE = 0.02
STUCK_SHARE = 0.012  # files lost in a drawer: never decided
IN_PERSON_FACTOR = 1.35  # paper files take longer than online ones
WOMEN_ONLINE_FACTOR = 0.8  # women file online somewhat less often (a composition effect, not a rule)
# Shares of rows deliberately broken, as seen in real extracts.
BROKEN = {
    "decision_before_receipt": 0.003,
    "date_after_extraction": 0.002,
    "bad_date": 0.003,
    "decided_without_date": 0.001,
    "duplicate_id": 0.001,
    "unknown_procedure": 0.0005,
    "sex_blank": 0.01,
}
BAD_DATE_TEXTS = np.array(["31.02.2026", "2026/13/01", "15.13.2025", "нет данных", "00.00.0000"], dtype=object)


def generate(n_rows: int = BUNDLED_ROWS, seed: int = SEED, calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """The extract as a frame of strings with Russian headers, in file order."""
    rng = np.random.default_rng(seed)
    calendar = calendar or WorkCalendar.from_config()
    days = np.arange(np.datetime64(FIRST_RECEIPT), np.datetime64(EXTRACTION_DATE), dtype="datetime64[D]")
    working = np.is_busday(
        days, weekmask=calendar.weekmask, holidays=np.array(calendar.holidays, dtype="datetime64[D]")
    )
    months = days.astype("datetime64[M]")
    month_of_year = (months - months.astype("datetime64[Y]").astype("datetime64[M]")).astype(int)
    ids = list(PROCEDURES)
    procedure = rng.choice(len(ids), size=n_rows, p=[PROCEDURES[p]["share"] for p in ids])
    receipt = np.empty(n_rows, dtype="datetime64[D]")
    progress = np.empty(n_rows)  # 0 at the first day, 1 at extraction: drives the online trend
    for code, pid in enumerate(ids):
        mask = procedure == code
        spec = PROCEDURES[pid]
        growth = 1.0 + 0.25 * np.linspace(0, 1, len(days))
        weight = np.asarray(spec["season"])[month_of_year] * growth * np.where(working, 1.0, 0.06)
        chosen = rng.choice(len(days), size=int(mask.sum()), p=weight / weight.sum())
        receipt[mask] = days[chosen]
        progress[mask] = chosen / (len(days) - 1)
    office_names = list(OFFICES)
    office = rng.choice(len(office_names), size=n_rows, p=list(OFFICES.values()))
    men = np.array([PROCEDURES[p]["men"] for p in ids])[procedure]
    is_man = rng.random(n_rows) < men
    online_start = np.array([PROCEDURES[p]["online"][0] for p in ids])[procedure]
    online_end = np.array([PROCEDURES[p]["online"][1] for p in ids])[procedure]
    online_share = (online_start + (online_end - online_start) * progress) * np.where(is_man, 1.0, WOMEN_ONLINE_FACTOR)
    online = rng.random(n_rows) < online_share
    age = np.empty(n_rows, dtype=np.int64)
    for code, pid in enumerate(ids):
        mask = procedure == code
        age[mask] = rng.choice(len(AGE_BANDS), size=int(mask.sum()), p=AGE_WEIGHTS.get(pid, AGE_DEFAULT))
    nationality = rng.choice(len(NATIONALITIES), size=n_rows, p=list(NATIONALITIES.values()))

    refused_share = np.array([PROCEDURES[p]["refused"] for p in ids])[procedure]
    draw = rng.random(n_rows)
    outcome = np.where(
        draw < refused_share, "refused", np.where(draw < refused_share + WITHDRAWN_SHARE, "withdrawn", "approved")
    ).astype(object)
    median = np.array([PROCEDURES[p]["median"] for p in ids])[procedure]
    sigma = np.array([PROCEDURES[p]["sigma"] for p in ids])[procedure]
    factor = np.where(online, 1.0, IN_PERSON_FACTOR) * np.where(outcome == "refused", 1.5, 1.0)
    months_into_backlog = np.maximum((receipt.astype("datetime64[M]") - BACKLOG_START).astype(int) + 1, 0)
    factor = factor * np.where(
        office == office_names.index(BACKLOG_OFFICE), 1.0 + BACKLOG_GROWTH * months_into_backlog, 1.0
    )
    working_days = np.floor(median * factor * np.exp(sigma * rng.standard_normal(n_rows))).astype(np.int64)
    # A file received on a weekend or holiday is decided on a working day after it, never before.
    received_on_working_day = np.is_busday(
        receipt, weekmask=calendar.weekmask, holidays=np.array(calendar.holidays, dtype="datetime64[D]")
    )
    working_days = np.where(received_on_working_day, working_days, np.maximum(working_days, 1))
    decision = calendar.add_working_days(receipt, working_days)
    extraction = np.datetime64(EXTRACTION_DATE)
    stuck = rng.random(n_rows) < STUCK_SHARE
    pending = (decision > extraction) | stuck
    outcome[pending] = "pending"
    decision = np.where(pending, np.datetime64("NaT"), decision)

    order = np.argsort(receipt, kind="stable")  # an extract is usually sorted by receipt
    frame = pd.DataFrame(
        {
            "application_id": [f"{20_000_000 + i}" for i in range(n_rows)],
            "procedure": np.array([PROCEDURES[p]["label"] for p in ids], dtype=object)[procedure[order]],
            "office": np.array(office_names, dtype=object)[office[order]],
            "channel": np.where(online[order], "онлайн", "лично").astype(object),
            "sex": np.where(is_man[order], "М", "Ж").astype(object),
            "age_band": np.array(AGE_BANDS, dtype=object)[age[order]],
            "nationality": np.array(list(NATIONALITIES), dtype=object)[nationality[order]],
            "receipt_date": _format_dates(receipt[order]),
            "decision_date": _format_dates(decision[order]),
            "outcome": pd.Series(outcome[order]).map(OUTCOME_LABELS).to_numpy(dtype=object),
            "extraction_date": np.full(n_rows, f"{EXTRACTION_DATE:%d.%m.%Y}", dtype=object),
        }
    )
    _break_rows(frame, receipt[order], decision[order], rng)
    return frame.rename(columns=HEADERS)


def _format_dates(values: np.ndarray) -> np.ndarray:
    """dd.mm.yyyy for each date, blank for NaT; formats each distinct date once (millions of rows)."""
    unique, inverse = np.unique(values, return_inverse=True)
    texts = np.array(["" if np.isnat(d) else pd.Timestamp(d).strftime("%d.%m.%Y") for d in unique], dtype=object)
    return texts[inverse.ravel()]


def _break_rows(frame: pd.DataFrame, receipt: np.ndarray, decision: np.ndarray, rng: np.random.Generator) -> None:
    """Damage a small, fixed share of rows in the ways real extracts are damaged."""
    n = len(frame)
    taken = np.zeros(n, dtype=bool)

    def pick(share: float, eligible: np.ndarray | None = None) -> np.ndarray:
        candidates = np.flatnonzero(~taken & (eligible if eligible is not None else True))
        size = min(len(candidates), int(round(share * n)))
        chosen = np.sort(rng.choice(candidates, size=size, replace=False)) if size else np.array([], dtype=np.int64)
        taken[chosen] = True
        return chosen

    later = ~np.isnat(decision) & (decision > receipt)
    rows = pick(BROKEN["decision_before_receipt"], later)  # the two dates typed into each other's field
    frame.loc[rows, ["receipt_date", "decision_date"]] = frame.loc[rows, ["decision_date", "receipt_date"]].to_numpy()
    rows = pick(BROKEN["date_after_extraction"], ~np.isnat(decision))  # 2026 typed as 2062
    frame.loc[rows, "decision_date"] = (
        frame.loc[rows, "decision_date"].str.replace("2026", "2062").str.replace("2025", "2052")
    )
    rows = pick(BROKEN["bad_date"])
    column = np.where(rng.random(len(rows)) < 0.5, "receipt_date", "decision_date")
    for row, col in zip(rows, column):
        frame.at[row, col] = BAD_DATE_TEXTS[rng.integers(len(BAD_DATE_TEXTS))]
    rows = pick(BROKEN["decided_without_date"], ~np.isnat(decision))
    frame.loc[rows, "decision_date"] = ""
    rows = pick(BROKEN["duplicate_id"], np.arange(n) > 0)
    frame.loc[rows, "application_id"] = frame["application_id"].to_numpy()[rows - 1]
    rows = pick(BROKEN["unknown_procedure"])
    frame.loc[rows, "procedure"] = "Прочее"
    rows = pick(BROKEN["sex_blank"])
    frame.loc[rows, "sex"] = ""


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The extract as a Windows export writes it: Windows-1251, ';', CRLF."""
    buffer = io.StringIO()
    frame.to_csv(buffer, sep=";", index=False, lineterminator="\r\n")
    return buffer.getvalue().encode(ENCODING)


def write_extract(path: str | Path, n_rows: int, seed: int = SEED) -> Path:
    """Write an extract of `n_rows` anywhere outside data/raw (the benchmark uses a temporary folder)."""
    frame = generate(n_rows, seed)
    with atomic.atomic_path(path) as tmp:
        frame.to_csv(tmp, sep=";", index=False, lineterminator="\r\n", encoding=ENCODING, chunksize=500_000)
    return Path(path)


def write_bundled(seed: int = SEED) -> Path:
    """(Re)write the bundled example extract in data/raw; byte-identical for the same seed."""
    path = paths.resolve(BUNDLED_PATH)
    atomic.write_bytes(path, to_csv_bytes(generate(BUNDLED_ROWS, seed)), allow_raw=True)
    return path
