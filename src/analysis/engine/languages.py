"""Numbers, dates and typography in another report language than English (the Russian summary).

A translation's Markdown uses the same placeholders as the English text (`{findings.total}`), so its numbers
cannot differ; this module writes them the Russian way: "1 500 сом" and "42,5 %" with non-breaking spaces,
units that agree with the number (1 рабочий день, 3 рабочих дня, 5 рабочих дней; locale_ru.yaml), dates as
"1 июля 2026 г.", and «ёлочки» for quotation marks.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

import yaml

from analysis.engine import config

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
LOCALE_FILES = {"ru": Path(__file__).with_name("locale_ru.yaml")}


class LanguageError(ValueError):
    """A number cannot be written in the language (its unit has no translation, or it is English text)."""


@functools.cache
def locale(language: str) -> dict:
    return yaml.safe_load(LOCALE_FILES[language].read_text(encoding="utf-8"))


def plural_form(count: float, forms: list[str]) -> str:
    """Russian agreement: 1 день, 2 дня, 5 дней; 21 день; 2,5 дня."""
    if not float(count).is_integer():
        return forms[1]
    n = abs(int(count))
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def house_date(value: Any, language: str = "ru") -> str:
    """ "1 июля 2026 г."."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime().date()
    return f"{value.day}{NBSP}{locale(language)['months'][value.month - 1]} {value.year}{NBSP}г."


def number_text(value: float, decimals: int | None = None) -> str:
    """1 500 (non-breaking thin spaces between thousands), 42,5 (decimal comma)."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else (2 if abs(value) < 100 else 0)
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def _unit_forms(unit: str, language: str) -> list[str]:
    terms = config.get(f"translations.{language}.terms")
    currencies = {config.get("currency.code"), config.get("currency.name")}
    if unit in currencies:
        return terms["currency_forms"]
    if unit.startswith("million ") and unit.removeprefix("million ") in currencies:
        return [f"млн {terms['currency_forms'][-1]}"] * 3  # "3 млн сомов": the genitive plural after any number
    forms = locale(language)["units"].get(unit)
    if forms is None:
        raise LanguageError(
            f"the unit {unit!r} has no {language} forms: add them to {LOCALE_FILES[language].name} (units)"
        )
    return forms


def format_value(value: Any, unit: str, spec: str | None = None, language: str = "ru") -> str:
    """A recorded number as the Russian text writes it; text numbers (English fragments) cannot be used."""
    from analysis.engine.numbers import NOT_AVAILABLE

    if value is None:
        return {"ru": "нет данных"}.get(language, NOT_AVAILABLE)
    if unit == "date":
        return house_date(value, language)
    if isinstance(value, str) or unit == "text":
        raise LanguageError(
            f"a text number is English prose and cannot appear in the {language} text; "
            "use a number or write the sentence in the translation"
        )
    if spec:
        return format(value, spec).replace(",", NARROW_NBSP).replace(".", ",")
    if unit in {"%", "percent"}:
        return f"{number_text(value, 1)}{NBSP}%"
    if re.fullmatch(r"[A-Z]{3}", unit or "") and unit != config.get("currency.code"):
        return f"{unit}{NBSP}{number_text(value)}"
    number = number_text(value)
    if unit in {"", "count", "number", "share", "ratio"}:
        return number
    return f"{number}{NBSP}{plural_form(value, _unit_forms(unit, language))}"


def terms(language: str, settings: dict[str, Any]) -> dict[str, str]:
    """The prose terms of the configuration in the language (translations.<language>.terms), with the run's
    dates written in it."""
    found = {k: v for k, v in config.get(f"translations.{language}.terms").items() if isinstance(v, str)}
    for name in ("as_of", "compare_from", "compare_to"):
        if settings.get(name):
            found[name] = house_date(settings[name], language)
    if "stage" in settings:
        found["stage"] = settings["stage"]
    return found


_OPENING = re.compile(r'(^|[\s(\[«—–-])"(?=\S)')
_CLOSING = re.compile(r'(?<=\S)"')


@functools.cache
def _unit_space(language: str) -> re.Pattern:
    """A digit, a space and a unit word (of locale_<language>.yaml, the currency, %, г.)."""
    first_words = {form.split()[0] for forms in locale(language)["units"].values() for form in forms}
    first_words |= set(config.get(f"translations.{language}.terms.currency_forms"))
    alternatives = "|".join(sorted((re.escape(w) for w in first_words), key=len, reverse=True))
    return re.compile(rf"(\d) (?=(?:%|г\.|гг\.|тыс\.|(?:{alternatives})\b))")


def typography(text: str, language: str = "ru") -> str:
    """Straight quotes become «», and a number keeps its unit on the same line (non-breaking space)."""
    if language != "ru":
        return text
    text = _OPENING.sub(lambda m: m.group(1) + "«", text)
    text = _CLOSING.sub("»", text)
    return _unit_space(language).sub(lambda m: m.group(1) + NBSP, text)
