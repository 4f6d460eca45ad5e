"""Dongguan's credit record of property firms: deductions, and what an assessment does.

Deductions are recorded per firm with reason and source (an admin's record, a published
failed assessment); `blacklist_points_in_year` points within twelve months blacklist the
firm (plugins/dongguan_assessment/blacklist.py). A period's deductions also lower the
firm's score in that period's assessment (`credit_points_factor`, scoring.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from plugins.dongguan_assessment.blacklist import blacklist_firm
from plugins.dongguan_assessment.models import CreditDeduction, FirmAssessment
from plugins.dongguan_assessment.periods import Period
from plugins.dongguan_assessment.rules import kept, violation
from plugins.dongguan_assessment.settings import DongguanAssessmentSettings
from schema.plugin_api import (
    BLACKLIST,
    PENALTY_POINTS,
    CreditConsequence,
    CreditEvent,
    CreditRecord,
    DomainError,
    Score,
    Text,
    ValidationErrors,
    number,
)

YEAR = dt.timedelta(days=365)
# The source of the deductions a published assessment makes: never counted in a score.
ASSESSMENT_SOURCE = "assessment:"


async def deduct(
    s: DongguanAssessmentSettings,
    firm_id: int,
    kind: str,
    points: Decimal,
    reason: str | Text,
    source: str,
    on: dt.date,
    actor: str,
    severity: str | None = None,
) -> dict[str, Any]:
    row = await CreditDeduction.create(
        firm_id=firm_id,
        kind=kind,
        points=points,
        severity=severity,
        reason=kept(reason),
        source=source[:40],
        occurred_on=on,
        recorded_by=actor,
    )
    await _points_rule(s, firm_id, on, actor)
    return (await CreditDeduction.filter(id=row.id).values(*DEDUCTION_FIELDS))[0]


async def _points_rule(
    s: DongguanAssessmentSettings, firm_id: int, on: dt.date, actor: str
) -> None:
    if s.blacklist_points_in_year is None:
        return
    points = await CreditDeduction.filter(
        firm_id=firm_id, occurred_on__gt=on - YEAR, occurred_on__lte=on
    ).values_list("points", flat=True)
    total = sum((Decimal(p) for p in points), Decimal(0))
    if total >= s.blacklist_points_in_year:
        total_, limit = number(total), number(s.blacklist_points_in_year)
        reason = Text(
            f"12个月内累计扣分 {total_} 分，达到 {limit} 分",
            f"{total_} points deducted within twelve months, reaching {limit}",
        )
        await blacklist_firm(s, firm_id, reason, "RULE:points", on, actor)


async def points_in(period: Period, firm_ids: list[int]) -> dict[int, Decimal]:
    """Points deducted from each firm during the period, but those of assessments: a score
    is not lowered by the consequences of another score."""
    rows = (
        await CreditDeduction.filter(
            firm_id__in=firm_ids, occurred_on__gte=period.start, occurred_on__lte=period.end
        )
        .exclude(source__startswith=ASSESSMENT_SOURCE)
        .values("firm_id", "points")
    )
    found: dict[int, Decimal] = {}
    for r in rows:
        found[r["firm_id"]] = found.get(r["firm_id"], Decimal(0)) + Decimal(r["points"])
    return found


async def consequences(
    s: DongguanAssessmentSettings, firm_id: int, score: Score
) -> list[CreditConsequence]:
    """A failed published assessment costs points; `blacklist_after_failures` in a row
    blacklist. Called as the city publishes a run: that run is the firm's latest."""
    if score.value >= s.pass_score and score.grade != "FAIL":
        return []
    got, needed = number(score.value), number(s.pass_score)
    why = (
        Text(f"考核得分 {got} 低于合格分 {needed}", f"assessment score {got} below {needed}")
        if score.value < s.pass_score
        else Text(f"考核一票否决（得分 {got}）", f"assessment failed by veto (score {got})")
    )
    found = [CreditConsequence(PENALTY_POINTS, why, points=int(s.failing_deduction_points))]
    published = FirmAssessment.filter(firm_id=firm_id, run__published_at__isnull=False)
    latest = await published.order_by("-period_start", "-id").first().values("period_kind")
    if latest is None:
        return found
    recent = (
        await FirmAssessment.filter(
            firm_id=firm_id, period_kind=latest["period_kind"], run__published_at__isnull=False
        )
        .order_by("-period_start", "-id")
        .limit(s.blacklist_after_failures)
        .values("period", "passed")
    )
    if len(recent) == s.blacklist_after_failures and not any(r["passed"] for r in recent):
        periods = "、".join(r["period"] for r in reversed(recent))
        why = Text(
            f"连续 {len(recent)} 次考核不合格（{periods}）",
            f"failed {len(recent)} assessments in a row ({periods.replace('、', ', ')})",
        )
        found.append(CreditConsequence(BLACKLIST, why))
    return found


async def record_event(s: DongguanAssessmentSettings, event: CreditEvent) -> CreditRecord:
    """recordCreditEvent in Dongguan: a deduction (points > 0) of a kind the settings allow;
    a serious violation blacklists at once."""
    errors = []
    if event.kind not in s.deduction_kinds:
        allowed = ", ".join(s.deduction_kinds)
        errors.append(violation("kind", Text(f"应为 {allowed} 之一", f"must be one of {allowed}")))
    serious = event.kind in s.serious_violation_kinds
    if event.points is None and not serious:
        errors.append(DomainError("REQUIRED", "points"))
    elif event.points is not None and not (0 < event.points <= 100):
        errors.append(DomainError("OUT_OF_RANGE", "points", min=0, max=100))
    if errors:
        raise ValidationErrors(errors)
    row = await deduct(
        s,
        event.firm_id,
        event.kind,
        event.points or Decimal(0),
        event.reason,
        event.source,
        event.occurred_on,
        event.actor,
        severity=event.severity or ("SERIOUS" if serious else None),
    )
    if serious:
        await blacklist_firm(
            s,
            event.firm_id,
            Text(f"严重违法违规：{event.reason}", f"serious violation: {event.reason}"),
            f"RULE:{event.kind}",
            event.occurred_on,
            event.actor,
        )
    return _record(row)


async def record_by_id(record_id: str) -> CreditRecord | None:
    """A deduction recordCreditEvent made, as it stands now (the credit_record hook)."""
    if not record_id.isdigit():
        return None
    rows = await CreditDeduction.filter(id=int(record_id)).values(*DEDUCTION_FIELDS)
    return _record(rows[0]) if rows else None


def _record(row: dict[str, Any]) -> CreditRecord:
    return CreditRecord(
        id=str(row["id"]),
        firm_id=row["firm_id"],
        kind=row["kind"],
        reason=row["reason"],
        source=row["source"],
        occurred_on=row["occurred_on"],
        points=Decimal(row["points"]),
        severity=row["severity"],
    )


DEDUCTION_FIELDS = (
    "id",
    "firm_id",
    "kind",
    "points",
    "severity",
    "reason",
    "source",
    "occurred_on",
)
