"""What a Dongguan assessment is made of: the compounds each firm managed in the period,
the inputs recorded by hand for them, and the figures read from real rows.

Owners' satisfaction blends the residents' ratings of the compound's cases (1..5 mapped to
0..100) with the owners' survey; the party organisation's evaluation and the inspection are
recorded by hand per compound and period; the complaint rate counts complaint cases per
100 homes. The inputs the city's settings make mandatory must be there for every managed
compound before a run (`missing_inputs`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from plugins.dongguan_assessment.models import AssessmentInput, AssessmentRun
from plugins.dongguan_assessment.periods import Period, parse_period
from plugins.dongguan_assessment.rules import HUNDRED, RECORDERS, cents, violation
from plugins.dongguan_assessment.settings import (
    INSPECTION,
    OWNER_SURVEY,
    PARTY_EVALUATION,
    RECORDED,
    DongguanAssessmentSettings,
)
from schema.plugin_api import (
    DomainError,
    ManagementMode,
    Principal,
    Text,
    ValidationErrors,
    current_city,
    local_date,
    require_role,
    to_global_id,
)
from schema.plugin_api.models import Case, Compound, Firm, ManagementContract, ResidentRating

OWNER_SATISFACTION = "owner_satisfaction"
COMPLAINT_RATE = "complaint_rate"
INPUT_LABELS = {
    OWNER_SURVEY: ("业主满意度调查", "owners' satisfaction survey"),
    PARTY_EVALUATION: ("社区党组织评价", "party organisation's evaluation"),
    INSPECTION: ("项目标准检查", "inspection against the project standard"),
}
# The readable message names this many missing inputs; `extensions` carries them all.
SHOWN_MISSING = 10


@dataclass
class Managed:
    firm_id: int
    compound_id: int
    start: dt.date
    end: dt.date


async def managed(period: Period) -> list[Managed]:
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
        rated = cents((Decimal(sum(scores)) / len(scores) - 1) / 4 * HUNDRED) if scores else None
        survey = Decimal(hand[OWNER_SURVEY]["value"]) if OWNER_SURVEY in hand else None
        if rated is not None or survey is not None:
            if rated is not None and survey is not None:
                value = cents(s.survey_share * survey + (1 - s.survey_share) * rated)
            else:
                value = rated if rated is not None else survey
            inputs[OWNER_SATISFACTION] = {
                "value": value,
                "detail": {
                    "ratings": len(scores),
                    "mean_rating": str(cents(Decimal(sum(scores)) / len(scores)))
                    if scores
                    else None,
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
            "value": cents(
                max(Decimal(0), HUNDRED - rate / s.complaints_per_100_homes_for_zero * HUNDRED)
            ),
            "detail": {
                "complaints": count,
                "homes": homes.get(m.compound_id),
                "per_100_homes": str(cents(rate)),
                "from": m.start.isoformat(),
                "to": m.end.isoformat(),
            },
        }
        result[(m.firm_id, m.compound_id)] = inputs
    return result


async def missing_inputs(
    s: DongguanAssessmentSettings, period: Period, managed: list[Managed]
) -> DomainError | None:
    """One error naming every (firm, compound, input) the settings make mandatory and no
    one recorded for the period; None when nothing is missing."""
    compound_ids = sorted({m.compound_id for m in managed})
    recorded = set(
        await AssessmentInput.filter(compound_id__in=compound_ids, period=period.label)
        .filter(criterion__in=s.mandatory_inputs)
        .values_list("compound_id", "criterion")
    )
    gaps = sorted(
        (m.firm_id, m.compound_id, key)
        for m in managed
        for key in s.mandatory_inputs
        if (m.compound_id, key) not in recorded
    )
    if not gaps:
        return None
    firms = dict(await Firm.filter(id__in={f for f, _, _ in gaps}).values_list("id", "name"))
    compounds = dict(
        await Compound.filter(id__in={c for _, c, _ in gaps}).values_list("id", "name")
    )
    gaps.sort(key=lambda g: (firms[g[0]], compounds[g[1]], RECORDED.index(g[2])))
    shown = [
        (f"{firms[f]} / {compounds[c]}：{INPUT_LABELS[k][0]}", f"{firms[f]} / {compounds[c]}: "
         f"{INPUT_LABELS[k][1]}")
        for f, c, k in gaps[:SHOWN_MISSING]
    ]  # fmt: skip
    more = len(gaps) - len(shown)
    listed = Text(
        "；".join(zh for zh, _ in shown) + (f"；等共 {len(gaps)} 项" if more else ""),
        "; ".join(en for _, en in shown) + (f"; and {more} more" if more else ""),
    )
    return DomainError(
        "ASSESSMENT_INPUTS_MISSING",
        "period",
        period=period.label,
        count=len(gaps),
        missing=listed,
        extensions={
            "missing": [
                {
                    "firmId": to_global_id("Firm", f),
                    "firm": firms[f],
                    "compoundId": to_global_id("Compound", c),
                    "compound": compounds[c],
                    "criterion": k,
                }
                for f, c, k in gaps
            ]
        },
    )


async def published_run(period: Period) -> dict[str, Any] | None:
    """The period's published run, if the city published one (its results are final)."""
    return (
        await AssessmentRun.filter(period=period.label, published_at__isnull=False)
        .first()
        .values("id", "version", "published_at")
    )


def published_error(period: Period, run: dict[str, Any], field: str = "period") -> DomainError:
    on = local_date(run["published_at"], current_city())
    return DomainError(
        "ASSESSMENT_PUBLISHED", field, period=period.label, version=run["version"], on=str(on)
    )


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
    """Record (or correct, until the period's assessment is published) a hand input."""
    require_role(principal, RECORDERS)
    period = parse_period(period_text)
    errors = []
    if criterion not in RECORDED:
        errors.append(violation("criterion", f"应为 {', '.join(RECORDED)} 之一 / one of them"))
    if not await Compound.filter(id=compound_id).exists():
        errors.append(DomainError("NOT_FOUND", "compoundId"))
    published = await published_run(period)
    if published is not None:
        errors.append(published_error(period, published))
    detail: dict[str, Any] = {}
    if criterion == INSPECTION:
        items = {i.code: i for i in s.checklist}
        unknown = sorted(set(failed_items) - set(items))
        if unknown:
            errors.append(
                violation("failedItems", f"未知检查项 / unknown items: {', '.join(unknown)}")
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
            value=cents(value),
            detail=detail,
            note=note.strip()[:500],
            recorded_by=principal.subject or "",
        )
    return (await AssessmentInput.filter(id=row.id).values(*INPUT_FIELDS))[0]


async def input_by_id(principal: Principal, input_id: int) -> dict[str, Any] | None:
    """A recorded input, for those who record them; None once corrected (replaced) or absent."""
    require_role(principal, RECORDERS)
    rows = await AssessmentInput.filter(id=input_id).values(*INPUT_FIELDS)
    return rows[0] if rows else None


INPUT_FIELDS = ("id", "compound_id", "period", "criterion", "value", "detail", "note")
