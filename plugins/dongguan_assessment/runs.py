"""Runs of Dongguan's firm assessment: run a period that has ended, run it again to correct
it, publish it.

A run scores every firm for every compound it managed in the period and ranks them; it is
refused while the period has not ended (on the city's calendar, `today()` of the door) or
while an input the settings make mandatory is missing. Each run of a period is a version:
a re-run supersedes the previous one, which is kept (`firmAssessmentRuns`). Publishing makes
the current run final and only then applies its credit consequences (`credit_effects`), so
a corrected mistake never cost a firm anything; a published period is not run again.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from plugins.dongguan_assessment import blacklist, credit
from plugins.dongguan_assessment.inputs import (
    compound_inputs,
    managed,
    missing_inputs,
    published_error,
    published_run,
)
from plugins.dongguan_assessment.models import AssessmentRun, CompoundScore, FirmAssessment
from plugins.dongguan_assessment.periods import Period, parse_period
from plugins.dongguan_assessment.rules import ADMINS, kept
from plugins.dongguan_assessment.scoring import criteria, firm_results, weighted_score
from plugins.dongguan_assessment.settings import DongguanAssessmentSettings
from schema.plugin_api import (
    BLACKLIST,
    BLACKLIST_REMOVAL,
    PENALTY_POINTS,
    CreditConsequence,
    DomainError,
    Principal,
    Score,
    ValidationErrors,
    assessment_score,
    credit_effects,
    current_city,
    now,
    require_role,
    today,
)
from schema.plugin_api.models import Compound, Firm

RUN_FIELDS = (
    "id",
    "period",
    "version",
    "run_by",
    "created_at",
    "superseded_at",
    "published_at",
    "published_by",
)


def _concurrent(period: Period) -> DomainError:
    return DomainError("ASSESSMENT_RUN_CONCURRENTLY", "period", period=period.label)


async def run_assessment(
    principal: Principal, s: DongguanAssessmentSettings, period_text: str
) -> int:
    """Score and rank every firm of an ended period as a new version of its run; returns the
    run's id. Nothing is written when refused."""
    require_role(principal, ADMINS)
    period = parse_period(period_text)
    if period.end >= today():
        raise ValidationErrors(
            [DomainError("PERIOD_NOT_ENDED", "period", period=period.label, end=str(period.end))]
        )
    published = await published_run(period)
    if published is not None:
        raise ValidationErrors([published_error(period, published)])
    found = await managed(period)
    missing = await missing_inputs(s, period, found)
    if missing is not None:
        raise ValidationErrors([missing])
    inputs = await compound_inputs(s, period, found)
    homes = dict(
        await Compound.filter(id__in=[m.compound_id for m in found]).values_list("id", "homes")
    )
    weights = {c.key: c.weight for c in criteria(s)}
    per_firm: dict[int, list[tuple[int, Decimal, dict[str, Any]]]] = defaultdict(list)
    for (firm_id, compound_id), values in sorted(inputs.items()):
        plain = {k: v["value"] for k, v in values.items()}
        score = await assessment_score(firm_id, plain) or weighted_score(s, plain)
        if score is None:
            continue
        shown = {
            k: {"value": str(v["value"]), "weight": str(weights.get(k, 0)), "detail": v["detail"]}
            for k, v in values.items()
        }
        for key in weights:
            shown.setdefault(
                key, {"value": None, "weight": str(weights[key]), "detail": {"missing": True}}
            )
        per_firm[firm_id].append((compound_id, score.value, shown))

    results = await firm_results(
        s, period, {f: [(c, v) for c, v, _ in scored] for f, scored in per_firm.items()}, homes
    )
    names = dict(await Firm.filter(id__in=list(per_firm)).values_list("id", "name"))
    # A vetoed firm ranks after every other, however it scored.
    results.sort(key=lambda r: (r.veto is not None, -r.score, names.get(r.firm_id, ""), r.firm_id))

    async with in_transaction():
        version = await _supersede(period)
        try:
            run = await AssessmentRun.create(
                period=period.label,
                period_kind=period.kind,
                period_start=period.start,
                period_end=period.end,
                run_by=principal.subject or "",
                version=version,
            )
        except IntegrityError as clash:  # another admin's run took this version first
            raise _concurrent(period) from clash
        for rank, r in enumerate(results, start=1):
            assessment = await FirmAssessment.create(
                run=run,
                firm_id=r.firm_id,
                period=period.label,
                period_kind=period.kind,
                period_start=period.start,
                score=r.score,
                grade=r.grade,
                passed=r.passed,
                rank=rank,
                base_score=r.base_score,
                credit_points=r.credit_points,
                credit_deduction=r.credit_deduction,
                veto=kept(r.veto) if r.veto else None,
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
                    for c, v, shown in per_firm[r.firm_id]
                ]
            )
    return run.id


async def _supersede(period: Period) -> int:
    """Mark the period's current run superseded; the new run's version."""
    latest = (
        await AssessmentRun.filter(period=period.label)
        .order_by("-version")
        .first()
        .values("version")
    )
    if latest is None:
        return 1
    # Conditional: a publication or a re-run committed since our checks leaves no row to mark.
    marked = await AssessmentRun.filter(
        period=period.label,
        version=latest["version"],
        superseded_at__isnull=True,
        published_at__isnull=True,
    ).update(superseded_at=now())
    if marked != 1:
        published = await published_run(period)
        raise published_error(period, published) if published else _concurrent(period)
    return int(latest["version"]) + 1


async def publish_run(
    principal: Principal, s: DongguanAssessmentSettings, run_id: int
) -> dict[str, Any]:
    """Publish the current run of its period: final, and its credit consequences applied."""
    require_role(principal, ADMINS)
    rows = await AssessmentRun.filter(id=run_id).values(*RUN_FIELDS)
    if not rows:
        raise DomainError("NOT_FOUND", "runId")
    run = rows[0]
    period = parse_period(run["period"])
    if run["published_at"] is not None:
        raise published_error(period, run, "runId")
    if run["superseded_at"] is not None:
        latest = await AssessmentRun.filter(period=period.label).order_by("-version").first()
        raise DomainError(
            "ASSESSMENT_SUPERSEDED",
            "runId",
            period=period.label,
            version=run["version"],
            latest=latest.version if latest else run["version"],
        )
    async with in_transaction():
        marked = await AssessmentRun.filter(
            id=run_id, superseded_at__isnull=True, published_at__isnull=True
        ).update(published_at=now(), published_by=principal.subject or "")
        if marked != 1:
            raise _concurrent(period)
        results = (
            await FirmAssessment.filter(run_id=run_id)
            .order_by("rank")
            .values("firm_id", "score", "grade")
        )
        for r in results:
            effects = await credit_effects(r["firm_id"], Score(value=r["score"], grade=r["grade"]))
            await apply_effects(s, r["firm_id"], effects, period, principal.subject or "")
    return await run_by_id(run_id)


async def apply_effects(
    s: DongguanAssessmentSettings,
    firm_id: int,
    effects: list[CreditConsequence],
    period: Period,
    actor: str,
) -> None:
    """What the city's plugins drew from a published score: deduct, blacklist, or lift."""
    source = f"{credit.ASSESSMENT_SOURCE}{period.label}"
    for effect in effects:
        if effect.kind == PENALTY_POINTS and effect.points:
            await credit.deduct(
                s, firm_id, "ASSESSMENT_FAILED", Decimal(effect.points), effect.reason,
                source, period.end, actor,
            )  # fmt: skip
        elif effect.kind == BLACKLIST:
            await blacklist.blacklist_firm(
                s, firm_id, effect.reason, f"RULE:{source}", period.end, actor
            )
        elif effect.kind == BLACKLIST_REMOVAL:
            await blacklist.lift(firm_id, effect.reason, period.end, actor)


async def run_by_id(run_id: int) -> dict[str, Any]:
    return (await AssessmentRun.filter(id=run_id).values(*RUN_FIELDS))[0]


def sees_drafts(principal: Principal) -> bool:
    """Draft and superseded runs are the assessing office's working state: residents, firms
    and the public see a period's results once the city publishes them (公示)."""
    return principal.role in ADMINS


async def runs_of(period: Period, published_only: bool = False) -> list[dict[str, Any]]:
    """The period's runs, newest version first (only the published one if asked)."""
    query = AssessmentRun.filter(period=period.label)
    if published_only:
        query = query.filter(published_at__isnull=False)
    return await query.order_by("-version").values(*RUN_FIELDS)
