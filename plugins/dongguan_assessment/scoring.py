"""Scoring Dongguan's property firms: inputs from real rows, weights from settings.

A compound's score is the weighted mean of its criteria (a criterion without an input drops
out and the others are reweighted; the mandatory inputs are never missing, inputs.py). A
firm's base score is the homes-weighted mean of its compounds; the credit points deducted
from it in the period take `credit_points_factor` each off that, and a blacklisting in the
period fails it whatever the score (`blacklisting_fails`). The stored inputs say all of it:
a firm sees exactly what its score was made of.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from plugins.dongguan_assessment import blacklist, credit
from plugins.dongguan_assessment.inputs import COMPLAINT_RATE, OWNER_SATISFACTION
from plugins.dongguan_assessment.periods import Period
from plugins.dongguan_assessment.rules import cents
from plugins.dongguan_assessment.settings import (
    INSPECTION,
    PARTY_EVALUATION,
    DongguanAssessmentSettings,
)
from schema.plugin_api import Criterion, Score, Text, localise


def criteria(s: DongguanAssessmentSettings) -> list[Criterion]:
    return [
        Criterion(OWNER_SATISFACTION, "业主满意度", s.weight_owner_satisfaction, "owner_survey"),
        Criterion(
            PARTY_EVALUATION, "社区党组织评价", s.weight_party_evaluation, "party_organisation"
        ),
        Criterion(INSPECTION, "项目标准检查", s.weight_inspection, "inspection"),
        Criterion(COMPLAINT_RATE, "投诉率", s.weight_complaint_rate, "cases"),
    ]


def grade_of(s: DongguanAssessmentSettings, value: Decimal) -> str:
    if value >= s.excellent_score:
        return "EXCELLENT"
    if value >= s.good_score:
        return "GOOD"
    return "PASS" if value >= s.pass_score else "FAIL"


def weighted_score(s: DongguanAssessmentSettings, inputs: dict[str, Decimal]) -> Score | None:
    weights = {c.key: c.weight for c in criteria(s)}
    present = {k: v for k, v in inputs.items() if k in weights and weights[k] > 0}
    total = sum((weights[k] for k in present), Decimal(0))
    if not total:
        return None
    value = cents(sum(weights[k] * v for k, v in present.items()) / total)
    return Score(value=value, grade=grade_of(s, value))


@dataclass
class FirmResult:
    """A firm's result in a run, before it is ranked and written."""

    firm_id: int
    base_score: Decimal
    credit_points: Decimal
    credit_deduction: Decimal
    score: Decimal
    grade: str
    passed: bool
    veto: Text | None


async def firm_results(
    s: DongguanAssessmentSettings,
    period: Period,
    compound_scores: dict[int, list[tuple[int, Decimal]]],
    homes: dict[int, Any],
) -> list[FirmResult]:
    """Each firm's result from its (compound, score) pairs, by firm id."""
    firm_ids = sorted(compound_scores)
    points = await credit.points_in(period, firm_ids)
    listed = await blacklist.listed_in(period, firm_ids) if s.blacklisting_fails else {}
    results = []
    for firm_id in firm_ids:
        scored = compound_scores[firm_id]
        weight = sum((Decimal(max(homes.get(c) or 1, 1)) for c, _ in scored), Decimal(0))
        base = cents(sum(Decimal(max(homes.get(c) or 1, 1)) * v for c, v in scored) / weight)
        deducted = points.get(firm_id, Decimal(0))
        off = min(base, cents(deducted * s.credit_points_factor))
        value = base - off
        veto = None
        if firm_id in listed:
            reason, on = listed[firm_id]["reason"], listed[firm_id]["listed_on"]
            veto = Text(
                f"{on} 列入黑名单（{localise(reason, 'zh')}），一票否决",
                f"blacklisted on {on} ({localise(reason, 'en')}): vetoed",
            )
        grade = "FAIL" if veto else grade_of(s, value)
        passed = veto is None and value >= s.pass_score
        results.append(FirmResult(firm_id, base, deducted, off, value, grade, passed, veto))
    return results
