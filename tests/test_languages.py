"""The Russian summary's numbers, dates and typography."""

from analysis.engine import languages

NB, THIN = languages.NBSP, languages.NARROW_NBSP


def test_russian_plurals_agree_with_the_number():
    forms = ["рабочий день", "рабочих дня", "рабочих дней"]
    assert [languages.plural_form(n, forms) for n in (1, 2, 5, 11, 21, 22, 112, 102, 2.5)] == [
        forms[0],
        forms[1],
        forms[2],
        forms[2],
        forms[0],
        forms[1],
        forms[2],
        forms[1],
        forms[1],
    ]


def test_numbers_dates_and_money_the_russian_way():
    assert languages.format_value(1, "working days") == f"1{NB}рабочий день"
    assert languages.format_value(12110.0, "som") == f"12{THIN}110{NB}сомов"
    assert languages.format_value(3, "million som") == f"3{NB}млн сомов"  # from the configured currency's forms
    assert languages.format_value(42.5, "%") == f"42,5{NB}%"
    assert languages.format_value("2026-07-01", "date") == f"1{NB}июля 2026{NB}г."
    assert languages.format_value(None, "persons") == "нет данных"


def test_a_unit_without_russian_forms_or_an_english_text_number_stops_the_build():
    import pytest

    with pytest.raises(languages.LanguageError, match="'widgets' has no ru forms"):
        languages.format_value(3, "widgets")
    with pytest.raises(languages.LanguageError, match="text number"):
        languages.format_value("Registration burden", "text")


def test_typography_quotes_and_non_breaking_spaces_before_units():
    text = languages.typography('Закон "О внешней миграции" и срок 5 рабочих дней, сбор 120 сомов, 42 %')
    assert text == f"Закон «О внешней миграции» и срок 5{NB}рабочих дней, сбор 120{NB}сомов, 42{NB}%"
