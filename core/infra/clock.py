"""The current time of the case workflow, and the city's calendar date.

`frozen_at` pins the clock for the calls made inside it (a ContextVar, so concurrent
requests are unaffected): replays of historical data and tests of dated deadlines use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from core.cases.rules import city_timezone

_frozen: ContextVar[dt.datetime | None] = ContextVar("civicgraph_clock", default=None)


def now() -> dt.datetime:
    return _frozen.get() or dt.datetime.now(dt.UTC)


def local_date(moment: dt.datetime, city: str) -> dt.date:
    """The calendar day `moment` falls on in the city (deadlines are local working days)."""
    return moment.astimezone(ZoneInfo(city_timezone(city))).date()


@contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
