"""Working days on China's statutory calendar (holidays and adjusted working weekends).

The days come from the `chinese-calendar` library, which is maintained as the State Council
publishes each year's arrangement. It only knows the years it ships: a date outside them is
refused with CALENDAR_OUT_OF_RANGE rather than guessed from weekends, because a guessed
deadline across an unknown Spring Festival would be wrong by a week.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import chinese_calendar

from core.errors import DomainError


@cache
def supported_years() -> tuple[int, int]:
    """The first and last year the installed calendar knows."""
    known = [d.year for d in chinese_calendar.holidays] + [
        d.year for d in chinese_calendar.workdays
    ]
    return min(known), max(known)


def _check(day: dt.date, field: str | None) -> None:
    first, last = supported_years()
    if not first <= day.year <= last:
        raise DomainError(
            "CALENDAR_OUT_OF_RANGE", field, date=day.isoformat(), first=first, last=last
        )


def is_working_day(day: dt.date, field: str | None = None) -> bool:
    _check(day, field)
    return bool(chinese_calendar.is_workday(day))


def add_working_days(start: dt.date, days: int, field: str | None = None) -> dt.date:
    """The working day `days` working days after `start` (start itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, field):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, field: str | None = None) -> int:
    """Working days in (start, end]: how many working days have passed since `start`."""
    if end <= start:
        return 0
    _check(start, field)
    _check(end, field)
    return len(chinese_calendar.get_workdays(start + dt.timedelta(days=1), end))
