"""The points rules on their own: cycles, thresholds, consequences that last a year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from core.infra.i18n import localise
from plugins.points_credit.engine import Deduction, add_months, cycle_of, standing
from plugins.points_credit.settings import PointsCreditSettings

D = dt.date.fromisoformat
YEARLY = PointsCreditSettings()
# 6 in February (warning), 3 in March (9: summoned), 3 in April (12: qualification review).
FIRM = [Deduction(D("2026-02-10"), 6), Deduction(D("2026-03-05"), 3), Deduction(D("2026-04-01"), 3)]


def test_cycles_follow_the_settings():
    assert cycle_of(D("2026-05-03"), YEARLY) == (D("2026-01-01"), D("2027-01-01"))
    half = PointsCreditSettings(cycle_months=6)
    assert cycle_of(D("2026-08-03"), half) == (D("2026-07-01"), D("2027-01-01"))
    april = PointsCreditSettings(cycle_starts_month=4)
    assert cycle_of(D("2026-02-03"), april) == (D("2025-04-01"), D("2026-04-01"))
    assert add_months(D("2026-01-31"), 1) == D("2026-02-28")


@pytest.mark.parametrize(
    ("day", "level", "points", "restrictions"),
    [
        ("2026-02-09", "CLEAR", 0, ()),
        ("2026-02-10", "WRITTEN_WARNING", 6, ("WRITTEN_WARNING",)),
        (
            "2026-03-05",
            "SUMMONED",
            9,
            ("WRITTEN_WARNING", "LEGAL_REPRESENTATIVE_SUMMONED", "NO_QUALIFICATION_UPGRADE"),
        ),
        (
            "2026-04-01",
            "QUALIFICATION_REVIEW",
            12,
            (
                "WRITTEN_WARNING",
                "LEGAL_REPRESENTATIVE_SUMMONED",
                "NO_QUALIFICATION_UPGRADE",
                "QUALIFICATION_REVIEW",
                "NO_NEW_CONTRACTS",
            ),
        ),
        # The points expire with the year; the warning with them; the year-long ones stay.
        (
            "2027-01-01",
            "QUALIFICATION_REVIEW",
            0,
            (
                "LEGAL_REPRESENTATIVE_SUMMONED",
                "NO_QUALIFICATION_UPGRADE",
                "QUALIFICATION_REVIEW",
                "NO_NEW_CONTRACTS",
            ),
        ),
        ("2027-03-05", "QUALIFICATION_REVIEW", 0, ("QUALIFICATION_REVIEW", "NO_NEW_CONTRACTS")),
        ("2027-04-01", "CLEAR", 0, ()),
    ],
)
def test_consequences_follow_the_points_as_of_any_day(day, level, points, restrictions):
    found = standing(FIRM, D(day), YEARLY)
    assert (found.level, found.score, found.restrictions) == (level, Decimal(points), restrictions)
    assert found.higher_is_better is False


def test_the_standing_says_why_and_until_when():
    found = standing(FIRM, D("2026-06-30"), YEARLY)
    assert tuple(localise(r, "en") for r in found.reasons) == (
        "12 points in the cycle from 2026-01-01",
        "written warning since 2026-02-10",
        "legal representative summoned since 2026-03-05 until 2027-03-04",
        "qualification review since 2026-04-01 until 2027-03-31",
    )
    assert found.valid_until == D("2026-12-31")  # the points lapse first
    assert standing(FIRM, D("2027-01-02"), YEARLY).valid_until == D("2027-03-04")


def test_points_of_two_cycles_do_not_add_up():
    firm = [Deduction(D("2026-11-01"), 8), Deduction(D("2027-01-15"), 8)]
    assert standing(firm, D("2027-01-15"), YEARLY).level == "WRITTEN_WARNING"
    half = PointsCreditSettings(cycle_months=6)
    spring = [Deduction(D("2026-02-01"), 5), Deduction(D("2026-06-30"), 4)]
    assert standing(spring, D("2026-06-30"), half).level == "SUMMONED"
    assert standing(spring, D("2026-07-01"), half).score == 0


def test_settings_refuse_a_cycle_that_does_not_divide_the_year_and_unordered_levels():
    with pytest.raises(ValidationError, match="divide the year"):
        PointsCreditSettings(cycle_months=5)
    levels = [lvl.model_dump() for lvl in YEARLY.levels]
    with pytest.raises(ValidationError, match="from the lowest"):
        PointsCreditSettings(levels=list(reversed(levels)))
