"""Dongguan's answer to `firm_credit_standings`: blacklisted, else the grade of the latest
published assessment, with the deductions of the last twelve months as reasons."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from plugins.dongguan_assessment.blacklist import active_entries
from plugins.dongguan_assessment.credit import YEAR
from plugins.dongguan_assessment.models import CreditDeduction, FirmAssessment
from plugins.dongguan_assessment.settings import NAME, DongguanAssessmentSettings
from schema.plugin_api import (
    INCREASED_INSPECTION,
    NO_NEW_CONTRACTS,
    NO_SERVICE_PURCHASE,
    PUBLIC_NOTICE,
    WRITTEN_WARNING,
    CreditStanding,
    Text,
    localise,
    number,
)

LEVEL_LABELS = {
    "BLACKLISTED": ("黑名单", "Blacklisted"),
    "EXCELLENT": ("优秀", "Excellent"),
    "GOOD": ("良好", "Good"),
    "PASS": ("合格", "Pass"),
    "FAIL": ("不合格", "Fail"),
    "UNASSESSED": ("未考核", "Not assessed"),
}


async def standings(
    s: DongguanAssessmentSettings, firm_ids: list[int], as_of: dt.date
) -> dict[int, CreditStanding]:
    """Blacklisted, else the grade of the latest published assessment ended by `as_of`;
    deductions of the last twelve months are reasons, and a written warning past half the
    blacklist points."""
    listed = await active_entries(as_of, firm_ids)
    assessed = (
        await FirmAssessment.filter(
            firm_id__in=firm_ids, run__period_end__lte=as_of, run__published_at__isnull=False
        )
        .order_by("firm_id", "-period_start", "-id")
        .values("firm_id", "period", "score", "grade", "rank")
    )
    latest: dict[int, dict[str, Any]] = {}
    for r in assessed:
        latest.setdefault(r["firm_id"], r)
    deducted = await CreditDeduction.filter(
        firm_id__in=firm_ids, occurred_on__gt=as_of - YEAR, occurred_on__lte=as_of
    ).values("firm_id", "points", "reason")
    points: dict[int, Decimal] = {}
    reasons: dict[int, list[Text]] = {}
    for d in deducted:
        points[d["firm_id"]] = points.get(d["firm_id"], Decimal(0)) + Decimal(d["points"])
        n = number(Decimal(d["points"]))
        reasons.setdefault(d["firm_id"], []).append(
            Text(
                f"扣 {n} 分：{localise(d['reason'], 'zh')}",
                f"{n} points deducted: {localise(d['reason'], 'en')}",
            )
        )

    found = {}
    for firm_id in firm_ids:
        assessment = latest.get(firm_id)
        score = Decimal(assessment["score"]) if assessment else None
        why = list(reasons.get(firm_id, []))
        if firm_id in listed:
            entry = listed[firm_id]
            found[firm_id] = _standing(
                "BLACKLISTED",
                score,
                (NO_NEW_CONTRACTS, NO_SERVICE_PURCHASE, PUBLIC_NOTICE),
                (
                    Text(
                        f"黑名单：{localise(entry['reason'], 'zh')}",
                        f"Blacklisted: {localise(entry['reason'], 'en')}",
                    ),
                    *why,
                ),
                entry["listed_until"],
                blacklisted=True,
            )
            continue
        if assessment is None and firm_id not in points:
            continue
        level = assessment["grade"] if assessment else "UNASSESSED"
        restrictions: list[str] = []
        if level == "FAIL":
            restrictions += [WRITTEN_WARNING, INCREASED_INSPECTION]
        limit = s.blacklist_points_in_year
        if (
            limit is not None
            and points.get(firm_id, Decimal(0)) * 2 >= limit
            and WRITTEN_WARNING not in restrictions
        ):
            restrictions.append(WRITTEN_WARNING)
        if assessment:
            period, got, rank = (
                assessment["period"],
                number(assessment["score"]),
                assessment["rank"],
            )
            why.insert(
                0,
                Text(
                    f"{period} 考核 {got} 分，第 {rank} 名",
                    f"{period} assessment {got}, rank {rank}",
                ),
            )
        found[firm_id] = _standing(level, score, tuple(restrictions), tuple(why), None)
    return found


def _standing(
    level: str,
    score: Decimal | None,
    restrictions: tuple[str, ...],
    reasons: tuple[Text, ...],
    until: dt.date | None,
    blacklisted: bool = False,
) -> CreditStanding:
    zh, en = LEVEL_LABELS[level]
    return CreditStanding(
        regime=NAME,
        level=level,
        label_zh=zh,
        label_en=en,
        score=score,
        restrictions=restrictions,
        reasons=reasons,
        valid_until=until,
        blacklisted=blacklisted,
    )
