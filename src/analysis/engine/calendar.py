"""Working days with the destination country's public-holiday calendar.

Holidays come from the maintained `holidays` package (it tracks moving religious holidays and
government transfers better than a list we would type), corrected by the dated additions and removals
in the corridor configuration. Counting uses numpy's business-day functions, which are vectorised and
fast enough for millions of applications.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays as holidays_lib
import numpy as np
import pandas as pd

from analysis.engine import config

_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@dataclass(frozen=True)
class WorkCalendar:
    holidays: tuple[np.datetime64, ...]
    weekmask: str  # numpy busday weekmask, e.g. "1111100"

    @classmethod
    def from_config(cls, years: Iterable[int] = range(2000, 2031)) -> WorkCalendar:
        cal = config.get("calendar")
        return build_calendar(
            cal["holiday_country"],
            tuple(years),
            tuple(cal.get("extra_holidays") or ()),
            tuple(cal.get("removed_holidays") or ()),
            tuple(cal.get("weekend") or ("Sat", "Sun")),
        )

    @property
    def _holiday_array(self) -> np.ndarray:
        return np.array(self.holidays, dtype="datetime64[D]")

    def is_working_day(self, day: date) -> bool:
        return bool(np.is_busday(np.datetime64(day, "D"), weekmask=self.weekmask, holidays=self._holiday_array))

    def working_days_between(self, start, end) -> np.ndarray:
        """Working days after `start` up to and including `end` (the day of receipt does not count).

        Accepts scalars or arrays of dates; NaT gives -1 so that callers can mask it.
        """
        start = _as_days(start)
        end = _as_days(end)
        valid = ~(np.isnat(start) | np.isnat(end))
        result = np.full(np.broadcast(start, end).shape, -1, dtype="int64")
        s = np.broadcast_to(start, result.shape)[valid] + np.timedelta64(1, "D")
        e = np.broadcast_to(end, result.shape)[valid] + np.timedelta64(1, "D")
        result[valid] = np.busday_count(s, e, weekmask=self.weekmask, holidays=self._holiday_array)
        return result

    def add_working_days(self, start, n) -> np.ndarray:
        """The date `n` working days after `start` (a deadline of n working days from receipt)."""
        start = _as_days(start)
        return _offset(start, np.asarray(n), self.weekmask, self._holiday_array)


def _offset(start: np.ndarray, n: np.ndarray, weekmask: str, hol: np.ndarray) -> np.ndarray:
    # Roll a non-working start day back to the previous working day so that "n working days after"
    # counts n working days strictly after the start, as working_days_between does.
    rolled = np.busday_offset(start, 0, roll="backward", weekmask=weekmask, holidays=hol)
    return np.busday_offset(rolled, n, roll="forward", weekmask=weekmask, holidays=hol)


def _as_days(values) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy(dtype="datetime64[D]")
    return np.asarray(values, dtype="datetime64[D]")


@lru_cache(maxsize=8)
def build_calendar(
    country: str, years: tuple[int, ...], extra: tuple[str, ...], removed: tuple[str, ...], weekend: tuple[str, ...]
) -> WorkCalendar:
    # A country the `holidays` package does not know (or a fictional one) lists its days off in `extra`.
    days = set(holidays_lib.country_holidays(country, years=list(years)).keys()) if country else set()
    days |= {date.fromisoformat(str(d)) for d in extra}
    days -= {date.fromisoformat(str(d)) for d in removed}
    weekmask = "".join("0" if d in weekend else "1" for d in _WEEKDAYS)
    return WorkCalendar(holidays=tuple(np.datetime64(d, "D") for d in sorted(days)), weekmask=weekmask)
