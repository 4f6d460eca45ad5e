"""Dongguan's assessment and credit in GraphQL (contributed by register_schema).

A firm sees why it got its score: each assessment lists the compounds it was scored for and,
for each, every criterion's value, weight and the figures behind it (ratings, survey,
complaints per 100 homes, failed checklist items).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.scalars import JSON

from plugins.dongguan_assessment import credit, scoring
from plugins.dongguan_assessment.models import (
    BlacklistEntry,
    CompoundScore,
    CreditDeduction,
    FirmAssessment,
)
from plugins.dongguan_assessment.periods import parse_period
from plugins.dongguan_assessment.settings import NAME, DongguanAssessmentSettings
from schema.plugin_api import (
    Compound,
    Connection,
    Firm,
    FromRow,
    Info,
    Ordering,
    UserError,
    attempt,
    attempt_create,
    by_pk,
    city_plugins,
    connection,
    key_argument,
    localise,
    page_request,
    paginate,
    pk_of,
    settings_of,
    to_global_id,
)
from schema.plugin_api.models import Compound as CompoundModel
from schema.plugin_api.models import Firm as FirmModel

LABELS = {
    scoring.OWNER_SATISFACTION: ("业主满意度", "owners' satisfaction"),
    scoring.PARTY_EVALUATION: ("社区党组织评价", "party organisation's evaluation"),
    scoring.INSPECTION: ("项目标准检查", "inspection against the project standard"),
    scoring.COMPLAINT_RATE: ("投诉率", "complaint rate"),
}
ASSESSMENT_FIELDS = ("id", "firm_id", "period", "score", "grade", "passed", "rank")


async def _settings() -> DongguanAssessmentSettings:
    return settings_of(await city_plugins(), NAME, DongguanAssessmentSettings)


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
    )


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
class DongguanAssessmentQuery:
    @strawberry.field(description="Firms' results of a period (2026Q1, 2026), by rank.")
    async def firm_assessments(
        self,
        period: str,
        firm_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[DgFirmAssessment]:
        label = parse_period(period).label
        query = FirmAssessment.filter(period=label)
        if firm_id is not None:
            query = query.filter(firm_id=pk_of(firm_id, "Firm", "firmId"))
        page = await paginate(
            query, Ordering("rank"), page_request(first, after), ASSESSMENT_FIELDS
        )
        compounds = await _with_compounds(page.rows)
        return connection(page, lambda r: _assessment(r, compounds))

    @strawberry.field(description="A firm's credit deductions, newest first.")
    async def firm_credit_deductions(
        self, firm_id: strawberry.ID, first: int | None = None, after: str | None = None
    ) -> Connection[DgCreditDeduction]:
        query = CreditDeduction.filter(firm_id=pk_of(firm_id, "Firm", "firmId"))
        page = await paginate(
            query, Ordering("occurred_on", descending=True), page_request(first, after),
            credit.DEDUCTION_FIELDS,
        )  # fmt: skip
        return connection(page, DgCreditDeduction.from_row)

    @strawberry.field(description="The blacklist, newest listing first (lifted ones too).")
    async def dongguan_blacklist(
        self, first: int | None = None, after: str | None = None
    ) -> Connection[DgBlacklistEntry]:
        page = await paginate(
            BlacklistEntry.all(), Ordering("listed_on", descending=True),
            page_request(first, after), credit.BLACKLIST_FIELDS,
        )  # fmt: skip
        return connection(page, DgBlacklistEntry.from_row)


@strawberry.type
class RunFirmAssessmentPayload:
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


async def _recorded_input(info: Info, pk: int) -> DgAssessmentInputRecord | None:
    row = await scoring.input_by_id(info.context.principal, pk)
    return DgAssessmentInputRecord.from_row(row) if row else None


async def _blacklist_entry(info: Info, pk: int) -> DgBlacklistEntry | None:
    row = await credit.entry_by_id(pk)
    return DgBlacklistEntry.from_row(row) if row else None


# A corrected input replaces the first one: a repeat of the first then reads NOT_FOUND.
ASSESSMENT_INPUT = by_pk("DgAssessmentInput", _recorded_input)
BLACKLIST_ENTRY = by_pk("DgBlacklistEntry", _blacklist_entry)
InputKey = key_argument("the input is recorded")
ListKey = key_argument("the listing is made")


@strawberry.type
class DongguanAssessmentMutation:
    @strawberry.mutation(
        description="Assess every firm for every compound it managed in the period; rank them."
    )
    async def run_firm_assessment(self, info: Info, period: str) -> RunFirmAssessmentPayload:
        async def act() -> list[DgFirmAssessment]:
            s = await _settings()
            run_id = await scoring.run_assessment(info.context.principal, s, period)
            rows = (
                await FirmAssessment.filter(run_id=run_id)
                .order_by("rank")
                .values(*ASSESSMENT_FIELDS)
            )
            compounds = await _with_compounds(rows)
            return [_assessment(r, compounds) for r in rows]

        found, errors = await attempt(info, act)
        return RunFirmAssessmentPayload(assessments=found, errors=errors)

    @strawberry.mutation(
        description="Record a compound's owners' survey, party evaluation or inspection."
    )
    async def record_assessment_input(
        self,
        info: Info,
        compound_id: strawberry.ID,
        period: str,
        criterion: str,
        value: Decimal | None = None,
        failed_items: list[str] | None = None,
        note: str = "",
        idempotency_key: InputKey = None,
    ) -> RecordAssessmentInputPayload:
        async def act() -> DgAssessmentInputRecord:
            row = await scoring.record_input(
                info.context.principal,
                await _settings(),
                pk_of(compound_id, "Compound", "compoundId"),
                period,
                criterion,
                value,
                failed_items or [],
                note,
            )
            return DgAssessmentInputRecord.from_row(row)

        found, errors = await attempt_create(info, act, idempotency_key, ASSESSMENT_INPUT)
        return RecordAssessmentInputPayload(input=found, errors=errors)

    @strawberry.mutation(description="Put a firm or a social organisation on the blacklist.")
    async def add_to_blacklist(
        self,
        info: Info,
        reason: str,
        firm_id: strawberry.ID | None = None,
        organisation_id: strawberry.ID | None = None,
        idempotency_key: ListKey = None,
    ) -> BlacklistPayload:
        async def act() -> DgBlacklistEntry:
            row = await credit.add_to_blacklist(
                info.context.principal,
                await _settings(),
                reason,
                firm_id=pk_of(firm_id, "Firm", "firmId") if firm_id else None,
                organisation_id=(
                    pk_of(organisation_id, "Organisation", "organisationId")
                    if organisation_id
                    else None
                ),
            )
            return DgBlacklistEntry.from_row(row)

        found, errors = await attempt_create(info, act, idempotency_key, BLACKLIST_ENTRY)
        return BlacklistPayload(entry=found, errors=errors)

    @strawberry.mutation(description="Lift a blacklisting before it lapses, with the reason.")
    async def remove_from_blacklist(
        self, info: Info, entry_id: strawberry.ID, reason: str
    ) -> BlacklistPayload:
        async def act() -> DgBlacklistEntry:
            row = await credit.remove_from_blacklist(
                info.context.principal, pk_of(entry_id, "DgBlacklistEntry", "entryId"), reason
            )
            return DgBlacklistEntry.from_row(row)

        found, errors = await attempt(info, act)
        return BlacklistPayload(entry=found, errors=errors)


__all__ = ["NAME", "DongguanAssessmentMutation", "DongguanAssessmentQuery"]
