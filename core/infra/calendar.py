"""Working days on China's statutory calendar (holidays and adjusted working weekends).

The published arrangement comes from the `chinese-calendar` library, maintained as the
State Council publishes each year's schedule (usually in November or December for the
next year). For the next two years after the last one it ships, the days come from the
`holidays` library's China calendar instead: statutory holidays computed from the lunar
calendar and the current holiday law, with weekends off and no adjusted working weekends,
which the State Council has not announced yet. Such deadlines are provisional; upgrading
chinese-calendar makes them exact. Anything further out is refused with
CALENDAR_OUT_OF_RANGE rather than guessed.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import chinese_calendar
import holidays

from core.infra.errors import DomainError

PROVISIONAL_YEARS = 2


@cache
def published_years() -> tuple[int, int]:
    """The first and last year whose official arrangement the installed calendar knows."""
    known = [d.year for d in chinese_calendar.holidays] + [
        d.year for d in chinese_calendar.workdays
    ]
    return min(known), max(known)


def supported_years() -> tuple[int, int]:
    """The years deadlines can be computed for, provisional ones included."""
    first, last = published_years()
    return first, last + PROVISIONAL_YEARS


def is_provisional(day: dt.date) -> bool:
    return day.year > published_years()[1]


@cache
def _provisional_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("CN", years=year).keys())


def _check(day: dt.date, field: str | None) -> None:
    first, last = supported_years()
    if not first <= day.year <= last:
        raise DomainError(
            "CALENDAR_OUT_OF_RANGE", field, date=day.isoformat(), first=first, last=last
        )


def is_working_day(day: dt.date, field: str | None = None) -> bool:
    _check(day, field)
    if is_provisional(day):
        return day.weekday() < 5 and day not in _provisional_holidays(day.year)
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
    day, count = start, 0
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day, field)
    return count
