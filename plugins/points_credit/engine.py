"""A firm's standing on any day, from its deductions: pure functions, no database.

Points add up within a cycle and expire when it ends. A level is triggered on the day the
cycle's points first reach it; a level that lasts (say 12 months) lasts from that day,
whatever happens to the points after, while one that does not last holds only as long as
the points that reached it count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from plugins.points_credit.settings import PointsCreditSettings, PointsLevel
from schema.plugin_api import CreditStanding, Text, number

REGIME = "points_credit"
CLEAR = "CLEAR"


@dataclass(frozen=True, order=True)
class Deduction:
    occurred_on: dt.date
    points: int


@dataclass(frozen=True)
class Trigger:
    level: PointsLevel
    on: dt.date
    until: dt.date | None  # the first day it no longer holds; None: while the points count


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


def cycle_of(day: dt.date, s: PointsCreditSettings) -> tuple[dt.date, dt.date]:
    """(first day, first day of the next) of the cycle that contains `day`."""
    since_start = (day.month - s.cycle_starts_month) % 12
    start = add_months(dt.date(day.year, day.month, 1), -(since_start % s.cycle_months))
    return start, add_months(start, s.cycle_months)


def triggers(
    deductions: Iterable[Deduction], as_of: dt.date, s: PointsCreditSettings
) -> list[Trigger]:
    """Every level triggered up to `as_of`, in order; each cycle starts again from zero."""
    found: list[Trigger] = []
    total, cycle = 0, None
    for d in sorted(x for x in deductions if x.occurred_on <= as_of):
        this = cycle_of(d.occurred_on, s)
        if this != cycle:
            total, cycle = 0, this
        before, total = total, total + d.points
        for level in s.levels:
            if before < level.points <= total:
                until = (
                    add_months(d.occurred_on, level.lasts_months) if level.lasts_months else None
                )
                found.append(Trigger(level, d.occurred_on, until))
    return found


def points_in_cycle(
    deductions: Iterable[Deduction], as_of: dt.date, s: PointsCreditSettings
) -> int:
    start, _ = cycle_of(as_of, s)
    return sum(d.points for d in deductions if start <= d.occurred_on <= as_of)


def standing(
    deductions: list[Deduction], as_of: dt.date, s: PointsCreditSettings
) -> CreditStanding:
    """The firm's standing on `as_of`: its cycle's points and every consequence in force."""
    points = points_in_cycle(deductions, as_of, s)
    start, next_start = cycle_of(as_of, s)
    active = [
        t
        for t in triggers(deductions, as_of, s)
        if (t.until is None and t.on >= start) or (t.until is not None and as_of < t.until)
    ]
    n, since = number(points), start.isoformat()
    reasons = [Text(f"自 {since} 起本周期扣 {n} 分", f"{n} points in the cycle from {since}")]
    if not points:
        reasons = []
    ends: list[dt.date] = [next_start - dt.timedelta(days=1)] if points else []
    restrictions: list[str] = []
    for t in active:
        last = (t.until - dt.timedelta(days=1)).isoformat() if t.until else None
        reasons.append(
            Text(
                f"自 {t.on.isoformat()} 起{t.level.label_zh}" + (f"，至 {last}" if last else ""),
                f"{t.level.label_en} since {t.on.isoformat()}" + (f" until {last}" if last else ""),
            )
        )
        if t.until is not None:
            ends.append(t.until - dt.timedelta(days=1))
        restrictions += [r for r in t.level.restrictions if r not in restrictions]
    worst = max(active, key=lambda t: t.level.points).level if active else None
    return CreditStanding(
        regime=REGIME,
        level=worst.code if worst else CLEAR,
        label_zh=worst.label_zh if worst else "无处罚",
        label_en=worst.label_en if worst else "clear",
        score=Decimal(points),
        higher_is_better=False,
        restrictions=tuple(restrictions),
        reasons=tuple(reasons),
        valid_until=min(ends) if ends else None,
    )
