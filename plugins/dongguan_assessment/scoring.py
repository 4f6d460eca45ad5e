"""Scoring Dongguan's property firms: inputs from real rows, weights from settings.

Owners' satisfaction blends the residents' ratings of the compound's cases (1..5 mapped to
0..100) with the owners' survey; the party organisation's evaluation and the inspection are
recorded by hand per compound and period; the complaint rate counts complaint cases per
100 homes. A criterion without an input drops out and the others are reweighted, and the
stored inputs say so: a firm sees exactly what its score was made of.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from plugins.dongguan_assessment import credit
from plugins.dongguan_assessment.models import (
    AssessmentInput,
    AssessmentRun,
    CompoundScore,
    FirmAssessment,
)
from plugins.dongguan_assessment.periods import Period, parse_period
from plugins.dongguan_assessment.settings import NAME, DongguanAssessmentSettings
from schema.plugin_api import (
    BLACKLIST,
    BLACKLIST_REMOVAL,
    PENALTY_POINTS,
    Criterion,
    DomainError,
    ManagementMode,
    Principal,
    Role,
    Score,
    ValidationErrors,
    assessment_score,
    credit_effects,
    current_city,
    local_date,
    now,
    require_role,
)
from schema.plugin_api.models import Case, Compound, Firm, ManagementContract, ResidentRating

ADMINS = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
OWNER_SATISFACTION = "owner_satisfaction"
PARTY_EVALUATION = "party_evaluation"
INSPECTION = "inspection"
COMPLAINT_RATE = "complaint_rate"
# What admins record by hand, per compound and period.
OWNER_SURVEY = "owner_survey"
RECORDED = (OWNER_SURVEY, PARTY_EVALUATION, INSPECTION)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


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
    value = (sum(weights[k] * v for k, v in present.items()) / total).quantize(CENT, ROUND_HALF_UP)
    return Score(value=value, grade=grade_of(s, value))


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass
class Managed:
    firm_id: int
    compound_id: int
    start: dt.date
    end: dt.date


async def _managed(period: Period) -> list[Managed]:
    """Every (firm, compound) with a contract in force in the period, and its window."""
    rows = (
        await ManagementContract.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=period.start),
            starts_on__lte=period.end,
            mode=ManagementMode.PROPERTY_FIRM,
        )
        .order_by("starts_on", "id")
        .values("firm_id", "compound_id", "starts_on", "ends_on")
    )
    windows: dict[tuple[int, int], Managed] = {}
    for r in rows:
        start = max(r["starts_on"], period.start)
        end = min(r["ends_on"] or period.end, period.end)
        key = (r["firm_id"], r["compound_id"])
        if key in windows:  # a renewed contract: one window from first to last day
            windows[key].start = min(windows[key].start, start)
            windows[key].end = max(windows[key].end, end)
        else:
            windows[key] = Managed(r["firm_id"], r["compound_id"], start, end)
    return list(windows.values())


async def compound_inputs(
    s: DongguanAssessmentSettings, period: Period, managed: list[Managed]
) -> dict[tuple[int, int], dict[str, Any]]:
    """(firm, compound) -> criterion -> {"value", "detail"}, from four statements in all."""
    city = current_city()
    compound_ids = sorted({m.compound_id for m in managed})
    since = dt.datetime.combine(period.start - dt.timedelta(days=1), dt.time(), dt.UTC)
    until = dt.datetime.combine(period.end + dt.timedelta(days=2), dt.time(), dt.UTC)
    ratings = await ResidentRating.filter(
        case__compound_id__in=compound_ids, created_at__gte=since, created_at__lt=until
    ).values("case__compound_id", "score", "created_at")
    complaints = await Case.filter(
        compound_id__in=compound_ids,
        kind__in=s.complaint_case_kinds,
        created_at__gte=since,
        created_at__lt=until,
    ).values("compound_id", "created_at")
    homes = dict(await Compound.filter(id__in=compound_ids).values_list("id", "homes"))
    recorded = await AssessmentInput.filter(
        compound_id__in=compound_ids, period=period.label
    ).values("compound_id", "criterion", "value", "detail")
    by_compound: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in recorded:
        by_compound[r["compound_id"]][r["criterion"]] = r

    result = {}
    for m in managed:

        def inside(moment: dt.datetime, m: Managed = m) -> bool:
            return m.start <= local_date(moment, city) <= m.end

        scores = [
            r["score"]
            for r in ratings
            if r["case__compound_id"] == m.compound_id and inside(r["created_at"])
        ]
        hand = by_compound.get(m.compound_id, {})
        inputs: dict[str, Any] = {}
        rated = _q((Decimal(sum(scores)) / len(scores) - 1) / 4 * HUNDRED) if scores else None
        survey = Decimal(hand[OWNER_SURVEY]["value"]) if OWNER_SURVEY in hand else None
        if rated is not None or survey is not None:
            if rated is not None and survey is not None:
                value = _q(s.survey_share * survey + (1 - s.survey_share) * rated)
            else:
                value = rated if rated is not None else survey
            inputs[OWNER_SATISFACTION] = {
                "value": value,
                "detail": {
                    "ratings": len(scores),
                    "mean_rating": str(_q(Decimal(sum(scores)) / len(scores))) if scores else None,
                    "ratings_score": str(rated) if rated is not None else None,
                    "survey_score": str(survey) if survey is not None else None,
                    "survey_share": str(s.survey_share),
                },
            }
        for key in (PARTY_EVALUATION, INSPECTION):
            if key in hand:
                inputs[key] = {"value": Decimal(hand[key]["value"]), "detail": hand[key]["detail"]}
        count = sum(
            1 for c in complaints if c["compound_id"] == m.compound_id and inside(c["created_at"])
        )
        rate = Decimal(count) * HUNDRED / max(homes.get(m.compound_id) or 1, 1)
        inputs[COMPLAINT_RATE] = {
            "value": _q(
                max(Decimal(0), HUNDRED - rate / s.complaints_per_100_homes_for_zero * HUNDRED)
            ),
            "detail": {
                "complaints": count,
                "homes": homes.get(m.compound_id),
                "per_100_homes": str(_q(rate)),
                "from": m.start.isoformat(),
                "to": m.end.isoformat(),
            },
        }
        result[(m.firm_id, m.compound_id)] = inputs
    return result


async def run_assessment(
    principal: Principal, s: DongguanAssessmentSettings, period_text: str
) -> int:
    """Score every firm for every compound it managed in the period, rank them, and apply
    the credit consequences; returns the run's id. A period is assessed once."""
    require_role(principal, ADMINS)
    period = parse_period(period_text)
    errors = []
    if await AssessmentRun.filter(period=period.label).exists():
        errors.append(_violation("period", f"{period.label} 已考核 / already assessed"))
    if period.start > local_date(now(), current_city()):
        errors.append(_violation("period", f"{period.label} 尚未开始 / has not started"))
    if errors:
        raise ValidationErrors(errors)
    managed = await _managed(period)
    inputs = await compound_inputs(s, period, managed)
    homes = dict(
        await Compound.filter(id__in=[m.compound_id for m in managed]).values_list("id", "homes")
    )
    weights = {c.key: c.weight for c in criteria(s)}
    per_firm: dict[int, list[tuple[int, Decimal, dict[str, Any]]]] = defaultdict(list)
    for (firm_id, compound_id), found in sorted(inputs.items()):
        plain = {k: v["value"] for k, v in found.items()}
        score = await assessment_score(firm_id, plain) or weighted_score(s, plain)
        if score is None:
            continue
        shown = {
            k: {"value": str(v["value"]), "weight": str(weights.get(k, 0)), "detail": v["detail"]}
            for k, v in found.items()
        }
        for key in weights:
            shown.setdefault(
                key, {"value": None, "weight": str(weights[key]), "detail": {"missing": True}}
            )
        per_firm[firm_id].append((compound_id, score.value, shown))

    names = dict(await Firm.filter(id__in=list(per_firm)).values_list("id", "name"))
    totals = []
    for firm_id, scored in per_firm.items():
        weight = sum((Decimal(max(homes.get(c) or 1, 1)) for c, _, _ in scored), Decimal(0))
        value = _q(sum(Decimal(max(homes.get(c) or 1, 1)) * v for c, v, _ in scored) / weight)
        totals.append((firm_id, value))
    totals.sort(key=lambda t: (-t[1], names.get(t[0], ""), t[0]))

    async with in_transaction():
        run = await AssessmentRun.create(
            period=period.label,
            period_kind=period.kind,
            period_start=period.start,
            period_end=period.end,
            run_by=principal.subject or "",
        )
        for rank, (firm_id, value) in enumerate(totals, start=1):
            grade = grade_of(s, value)
            assessment = await FirmAssessment.create(
                run=run,
                firm_id=firm_id,
                period=period.label,
                period_kind=period.kind,
                period_start=period.start,
                score=value,
                grade=grade,
                passed=value >= s.pass_score,
                rank=rank,
            )
            # bulk_create skips save(), which fills the city: it is given explicitly.
            await CompoundScore.bulk_create(
                [
                    CompoundScore(
                        city_id=current_city(),
                        assessment=assessment,
                        compound_id=c,
                        score=v,
                        homes=homes.get(c) or 0,
                        inputs=shown,
                    )
                    for c, v, shown in per_firm[firm_id]
                ]
            )
            effects = await credit_effects(firm_id, Score(value=value, grade=grade))
            await apply_effects(s, firm_id, effects, period, principal.subject or "")
    return run.id


async def apply_effects(
    s: DongguanAssessmentSettings, firm_id: int, effects: list[Any], period: Period, actor: str
) -> None:
    """What the city's plugins drew from a score: deduct, blacklist, or lift."""
    source = f"assessment:{period.label}"
    for effect in effects:
        if effect.kind == PENALTY_POINTS and effect.points:
            await credit.deduct(
                s, firm_id, "ASSESSMENT_FAILED", Decimal(effect.points), effect.reason,
                source, period.end, actor,
            )  # fmt: skip
        elif effect.kind == BLACKLIST:
            await credit.blacklist_firm(
                s, firm_id, effect.reason, f"RULE:{source}", period.end, actor
            )
        elif effect.kind == BLACKLIST_REMOVAL:
            await credit.lift(firm_id, effect.reason, period.end, actor)


def _violation(field: str, reason: str) -> DomainError:
    return DomainError("PLUGIN_RULE_VIOLATED", field, reason=reason, plugin=NAME)


async def record_input(
    principal: Principal,
    s: DongguanAssessmentSettings,
    compound_id: int,
    period_text: str,
    criterion: str,
    value: Decimal | None,
    failed_items: list[str],
    note: str,
) -> dict[str, Any]:
    """Record (or correct, until the period is assessed) a hand input for a compound."""
    require_role(principal, ADMINS | {Role.STREET_ADMIN})
    period = parse_period(period_text)
    errors = []
    if criterion not in RECORDED:
        errors.append(_violation("criterion", f"应为 {', '.join(RECORDED)} 之一 / one of them"))
    if not await Compound.filter(id=compound_id).exists():
        errors.append(DomainError("NOT_FOUND", "compoundId"))
    if await AssessmentRun.filter(period=period.label).exists():
        errors.append(_violation("period", f"{period.label} 已考核 / already assessed"))
    detail: dict[str, Any] = {}
    if criterion == INSPECTION:
        items = {i.code: i for i in s.checklist}
        unknown = sorted(set(failed_items) - set(items))
        if unknown:
            errors.append(
                _violation("failedItems", f"未知检查项 / unknown items: {', '.join(unknown)}")
            )
        failed = sorted(set(failed_items) & set(items))
        value = max(Decimal(0), HUNDRED - sum((items[c].points for c in failed), Decimal(0)))
        detail = {
            "failed": [
                {"code": c, "label": items[c].label, "points": str(items[c].points)} for c in failed
            ]
        }
    elif value is None or not (0 <= value <= HUNDRED):
        errors.append(DomainError("OUT_OF_RANGE", "value", min=0, max=100))
    if errors:
        raise ValidationErrors(errors)
    assert value is not None
    async with in_transaction():
        await AssessmentInput.filter(
            compound_id=compound_id, period=period.label, criterion=criterion
        ).delete()
        row = await AssessmentInput.create(
            compound_id=compound_id,
            period=period.label,
            criterion=criterion,
            value=_q(value),
            detail=detail,
            note=note.strip()[:500],
            recorded_by=principal.subject or "",
        )
    return (await AssessmentInput.filter(id=row.id).values(*INPUT_FIELDS))[0]


async def input_by_id(principal: Principal, input_id: int) -> dict[str, Any] | None:
    """A recorded input, for those who record them; None once corrected (replaced) or absent."""
    require_role(principal, ADMINS | {Role.STREET_ADMIN})
    rows = await AssessmentInput.filter(id=input_id).values(*INPUT_FIELDS)
    return rows[0] if rows else None


INPUT_FIELDS = ("id", "compound_id", "period", "criterion", "value", "detail", "note")
