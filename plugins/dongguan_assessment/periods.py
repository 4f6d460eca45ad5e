"""Assessment periods: a quarter ("2026Q1") or a year ("2026")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from schema.plugin_api import DomainError

QUARTER, YEAR = "QUARTER", "YEAR"
_PATTERN = re.compile(r"^(\d{4})(?:Q([1-4]))?$")


@dataclass(frozen=True)
class Period:
    label: str
    kind: str
    start: dt.date
    end: dt.date


def parse_period(text: str, field: str = "period") -> Period:
    found = _PATTERN.match(text.strip().upper())
    if not found:
        raise DomainError(
            "PLUGIN_RULE_VIOLATED",
            field,
            reason="期间应为年度（2026）或季度（2026Q1） / a year (2026) or a quarter (2026Q1)",
            plugin="dongguan_assessment",
        )
    year, quarter = int(found[1]), found[2]
    if quarter is None:
        return Period(str(year), YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))
    q = int(quarter)
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    return Period(f"{year}Q{q}", QUARTER, start, end - dt.timedelta(days=1))
