"""Working days with the Kyrgyz public-holiday calendar, checked on hand-worked cases."""

from datetime import date

import numpy as np

from analysis.engine.calendar import WorkCalendar, build_calendar


def cal():
    return WorkCalendar.from_config()


def test_weekends_and_public_holidays_are_not_working_days():
    c = cal()
    assert c.is_working_day(date(2025, 3, 20))  # Thursday
    assert not c.is_working_day(date(2025, 3, 21))  # Nooruz
    assert not c.is_working_day(date(2025, 3, 22))  # Saturday
    assert not c.is_working_day(date(2025, 8, 31))  # Independence Day (a Sunday anyway)


def test_working_days_between_excludes_the_day_of_receipt():
    c = cal()
    # Thu 20 Mar 2025 → Mon 31 Mar: 21st is Nooruz; working days 24–28 and 31 = 6.
    assert c.working_days_between(np.datetime64("2025-03-20"), np.datetime64("2025-03-31")) == 6
    # Same day → 0; NaT → -1 so callers can mask it.
    result = c.working_days_between(
        np.array(["2025-03-20", "2025-03-20"], dtype="datetime64[D]"),
        np.array(["2025-03-20", "NaT"], dtype="datetime64[D]"),
    )
    assert result.tolist() == [0, -1]


def test_deadline_in_working_days_skips_holidays():
    c = cal()
    # 5 working days after Thu 20 Mar 2025: 24, 25, 26, 27, 28 → Fri 28 Mar.
    assert c.add_working_days(np.datetime64("2025-03-20"), 5) == np.datetime64("2025-03-28")
    # Filing on Saturday 22 Mar: counted from the previous working day → also 28 Mar.
    assert c.add_working_days(np.datetime64("2025-03-22"), 5) == np.datetime64("2025-03-28")


def test_configured_corrections_override_the_package():
    c = build_calendar("KG", (2025,), ("2025-03-20",), ("2025-03-21",), ("Sat", "Sun"))
    assert not c.is_working_day(date(2025, 3, 20))
    assert c.is_working_day(date(2025, 3, 21))


def test_a_country_the_holidays_package_does_not_know_lists_its_own_days_off():
    c = build_calendar("", (2025,), ("2025-06-20",), (), ("Sat", "Sun"))
    assert not c.is_working_day(date(2025, 6, 20))
    assert c.is_working_day(date(2025, 1, 1)), "no holidays of any country the package knows"
