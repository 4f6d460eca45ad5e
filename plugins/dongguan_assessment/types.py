"""Dongguan's assessment and credit as GraphQL types (schema.py holds the root fields).

A firm sees why it got its score: each assessment lists the compounds it was scored for and,
for each, every criterion's value, weight and the figures behind it (ratings, survey,
complaints per 100 homes, failed checklist items), then what the period's credit did.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from plugins.dongguan_assessment import inputs
from plugins.dongguan_assessment.models import CompoundScore, FirmAssessment
from plugins.dongguan_assessment.settings import INSPECTION, PARTY_EVALUATION
from schema.plugin_api import (
    Compound,
    Firm,
    FromRow,
    Info,
    UserError,
    localise,
    to_global_id,
)
from schema.plugin_api.models import Compound as CompoundModel
from schema.plugin_api.models import Firm as FirmModel

LABELS = {
    inputs.OWNER_SATISFACTION: ("业主满意度", "owners' satisfaction"),
    PARTY_EVALUATION: ("社区党组织评价", "party organisation's evaluation"),
    INSPECTION: ("项目标准检查", "inspection against the project standard"),
    inputs.COMPLAINT_RATE: ("投诉率", "complaint rate"),
}
ASSESSMENT_FIELDS = (
    "id",
    "firm_id",
    "period",
    "score",
    "grade",
    "passed",
    "rank",
    "base_score",
    "credit_points",
    "credit_deduction",
    "veto",
)


@strawberry.type(description="One criterion's input behind a compound score.")
class DgScoreInput:
    criterion: str
    label_zh: str
    label_en: str
    weight: Decimal
    value: Decimal | None = strawberry.field(description="0..100; null when missing.")
    detail: JSON = strawberry.field(description="The figures the value was computed from.")


@strawberry.type(description="A firm's score for one compound it managed in the period.")
class DgCompoundScore:
    compound_id: strawberry.Private[int]
    score: Decimal
    homes: int
    inputs: list[DgScoreInput]

    @strawberry.field
    async def compound(self, info: Info) -> Compound:
        row = await info.context.loaders.rows[CompoundModel].load(self.compound_id)
        return Compound.from_row(row)  # type: ignore[arg-type]


@strawberry.type(description="A firm's result in a Dongguan assessment, with its compounds.")
class DgFirmAssessment:
    id: strawberry.ID
    firm_id: strawberry.Private[int]
    period: str
    score: Decimal = strawberry.field(description="The homes-weighted mean of its compounds.")
    grade: str
    passed: bool
    rank: int
    compounds: list[DgCompoundScore]

    @strawberry.field
    async def firm(self, info: Info) -> Firm:
        row = await info.context.loaders.rows[FirmModel].load(self.firm_id)
        return Firm.from_row(row)  # type: ignore[arg-type]

    base_score: Decimal | None = strawberry.field(
        description="The homes-weighted mean of its compounds, before the period's credit "
        "(null for runs made before credit counted)."
    )
    credit_points: Decimal = strawberry.field(
        description="Credit points deducted from the firm in the period (not by assessments)."
    )
    credit_deduction: Decimal = strawberry.field(
        description="What those points took off the score (`credit_points_factor` each)."
    )
    stored_veto: strawberry.Private[str | None]

    @strawberry.field(
        description="Why the grade is FAIL whatever the score (a blacklisting in the period), "
        "in the request's language; null when not vetoed."
    )
    def veto(self, info: Info) -> str | None:
        return None if self.stored_veto is None else localise(self.stored_veto, info.context.lang)


def _input(key: str, v: dict[str, Any]) -> DgScoreInput:
    zh, en = LABELS.get(key, (key, key))
    value = v.get("value")
    return DgScoreInput(
        criterion=key,
        label_zh=zh,
        label_en=en,
        weight=Decimal(v.get("weight") or 0),
        value=Decimal(value) if value is not None else None,
        detail=v.get("detail") or {},
    )


async def _with_compounds(rows: list[dict[str, Any]]) -> dict[int, list[DgCompoundScore]]:
    # One statement for the whole page's compounds.
    scores = (
        await CompoundScore.filter(assessment_id__in=[r["id"] for r in rows])
        .order_by("compound_id")
        .values("assessment_id", "compound_id", "score", "homes", "inputs")
    )
    found: dict[int, list[DgCompoundScore]] = {}
    for s in scores:
        found.setdefault(s["assessment_id"], []).append(
            DgCompoundScore(
                compound_id=s["compound_id"],
                score=s["score"],
                homes=s["homes"],
                inputs=[_input(k, v) for k, v in sorted(s["inputs"].items())],
            )
        )
    return found


def _assessment(r: dict[str, Any], compounds: dict[int, list[DgCompoundScore]]) -> DgFirmAssessment:
    return DgFirmAssessment(
        id=strawberry.ID(to_global_id("DgFirmAssessment", r["id"])),
        firm_id=r["firm_id"],
        period=r["period"],
        score=r["score"],
        grade=r["grade"],
        passed=r["passed"],
        rank=r["rank"],
        compounds=compounds.get(r["id"], []),
        base_score=r["base_score"],
        credit_points=r["credit_points"],
        credit_deduction=r["credit_deduction"],
        stored_veto=r["veto"],
    )


async def assessments_of(rows: list[dict[str, Any]]) -> list[DgFirmAssessment]:
    compounds = await _with_compounds(rows)
    return [_assessment(r, compounds) for r in rows]


async def run_results(run_id: int) -> list[DgFirmAssessment]:
    rows = await FirmAssessment.filter(run_id=run_id).order_by("rank").values(*ASSESSMENT_FIELDS)
    return await assessments_of(rows)


@strawberry.enum(description="Where a run of a period stands.")
class DgRunStatus(Enum):
    DRAFT = "DRAFT"  # the current run, not published: it may be run again
    SUPERSEDED = "SUPERSEDED"  # a later run replaced it; kept as history
    PUBLISHED = "PUBLISHED"  # final: its credit consequences are applied


@strawberry.type(description="One run (version) of a period's assessment.")
class DgAssessmentRun:
    id: strawberry.ID
    pk: strawberry.Private[int]
    period: str
    version: int = strawberry.field(description="1 for the first run of the period, then 2, ...")
    status: DgRunStatus
    ran_at: dt.datetime
    superseded_at: dt.datetime | None
    published_at: dt.datetime | None

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> DgAssessmentRun:
        status = (
            DgRunStatus.PUBLISHED
            if r["published_at"]
            else DgRunStatus.SUPERSEDED
            if r["superseded_at"]
            else DgRunStatus.DRAFT
        )
        return cls(
            id=strawberry.ID(to_global_id("DgAssessmentRun", r["id"])),
            pk=r["id"],
            period=r["period"],
            version=r["version"],
            status=status,
            ran_at=r["created_at"],
            superseded_at=r["superseded_at"],
            published_at=r["published_at"],
        )

    @strawberry.field(description="Its firms' results, by rank.")
    async def assessments(self) -> list[DgFirmAssessment]:
        return await run_results(self.pk)


@strawberry.type(description="A credit deduction recorded against a firm.")
class DgCreditDeduction:
    id: strawberry.ID
    kind: str
    points: Decimal
    severity: str | None
    stored_reason: strawberry.Private[str]
    source: str
    occurred_on: dt.date

    from_row = FromRow(renamed={"stored_reason": "reason"})

    @strawberry.field(description="Why, in the request's language where it was kept in two.")
    def reason(self, info: Info) -> str:
        return localise(self.stored_reason, info.context.lang)


@strawberry.type(description="A firm or social organisation on Dongguan's blacklist.")
class DgBlacklistEntry:
    id: strawberry.ID
    firm_id: strawberry.Private[int | None]
    organisation_id: strawberry.Private[int | None]
    stored_reason: strawberry.Private[str]
    source: str
    listed_on: dt.date
    listed_until: dt.date
    removed_on: dt.date | None
    stored_removal_reason: strawberry.Private[str | None]

    from_row = FromRow(
        renamed={"stored_reason": "reason", "stored_removal_reason": "removal_reason"}
    )

    @strawberry.field(description="Why, in the request's language where it was kept in two.")
    def reason(self, info: Info) -> str:
        return localise(self.stored_reason, info.context.lang)

    @strawberry.field(description="Why it was lifted, in the request's language.")
    def removal_reason(self, info: Info) -> str | None:
        lifted = self.stored_removal_reason
        return None if lifted is None else localise(lifted, info.context.lang)

    @strawberry.field
    async def firm(self, info: Info) -> Firm | None:
        if self.firm_id is None:
            return None
        row = await info.context.loaders.rows[FirmModel].load(self.firm_id)
        return Firm.from_row(row) if row else None


@strawberry.type
class RunFirmAssessmentPayload:
    run: DgAssessmentRun | None
    assessments: list[DgFirmAssessment] | None
    errors: list[UserError]


@strawberry.type
class DgAssessmentInputRecord:
    id: strawberry.ID
    criterion: str
    period: str
    value: Decimal
    detail: JSON

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> DgAssessmentInputRecord:
        return cls(
            id=strawberry.ID(to_global_id("DgAssessmentInput", r["id"])),
            criterion=r["criterion"],
            period=r["period"],
            value=r["value"],
            detail=r["detail"],
        )


@strawberry.type
class RecordAssessmentInputPayload:
    input: DgAssessmentInputRecord | None
    errors: list[UserError]


@strawberry.type
class BlacklistPayload:
    entry: DgBlacklistEntry | None
    errors: list[UserError]


@strawberry.type
class PublishFirmAssessmentPayload:
    run: DgAssessmentRun | None
    errors: list[UserError]
