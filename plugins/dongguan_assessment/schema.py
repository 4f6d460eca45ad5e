"""Dongguan's assessment and credit in GraphQL (contributed by register_schema): the root
fields; the types are in types.py."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from plugins.dongguan_assessment import blacklist, credit, inputs, runs
from plugins.dongguan_assessment.models import BlacklistEntry, CreditDeduction, FirmAssessment
from plugins.dongguan_assessment.periods import parse_period
from plugins.dongguan_assessment.settings import NAME, DongguanAssessmentSettings
from plugins.dongguan_assessment.types import (
    ASSESSMENT_FIELDS,
    BlacklistPayload,
    DgAssessmentInputRecord,
    DgAssessmentRun,
    DgBlacklistEntry,
    DgCreditDeduction,
    DgFirmAssessment,
    PublishFirmAssessmentPayload,
    RecordAssessmentInputPayload,
    RunFirmAssessmentPayload,
    assessments_of,
    run_results,
)
from schema.plugin_api import (
    Connection,
    Info,
    Ordering,
    attempt,
    attempt_create,
    by_pk,
    city_plugins,
    connection,
    key_argument,
    page_request,
    paginate,
    pk_of,
    settings_of,
)


async def _settings() -> DongguanAssessmentSettings:
    return settings_of(await city_plugins(), NAME, DongguanAssessmentSettings)


@strawberry.type
class DongguanAssessmentQuery:
    @strawberry.field(
        description="Firms' results of a period (2026Q1, 2026), by rank: the current run's "
        "(the published one, else the latest), or run `version` of the period's history. "
        "Only city and platform admins see runs not yet published; others, the published one."
    )
    async def firm_assessments(
        self,
        info: Info,
        period: str,
        firm_id: strawberry.ID | None = None,
        version: int | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[DgFirmAssessment]:
        label = parse_period(period).label
        query = FirmAssessment.filter(period=label)
        query = (
            query.filter(run__version=version)
            if version is not None
            else query.filter(run__superseded_at__isnull=True)
        )
        if not runs.sees_drafts(info.context.principal):
            query = query.filter(run__published_at__isnull=False)
        if firm_id is not None:
            query = query.filter(firm_id=pk_of(firm_id, "Firm", "firmId"))
        page = await paginate(
            query, Ordering("rank"), page_request(first, after), ASSESSMENT_FIELDS
        )
        made = await assessments_of(page.rows)
        found = {r["id"]: a for r, a in zip(page.rows, made, strict=True)}
        return connection(page, lambda r: found[r["id"]])

    @strawberry.field(
        description="The runs of a period, newest version first: the current one and those it "
        "superseded, each with its results (for callers other than city and platform admins, "
        "the published run only)."
    )
    async def firm_assessment_runs(self, info: Info, period: str) -> list[DgAssessmentRun]:
        drafts = runs.sees_drafts(info.context.principal)
        rows = await runs.runs_of(parse_period(period), published_only=not drafts)
        return [DgAssessmentRun.from_row(r) for r in rows]

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
            page_request(first, after), blacklist.BLACKLIST_FIELDS,
        )  # fmt: skip
        return connection(page, DgBlacklistEntry.from_row)


async def _recorded_input(info: Info, pk: int) -> DgAssessmentInputRecord | None:
    row = await inputs.input_by_id(info.context.principal, pk)
    return DgAssessmentInputRecord.from_row(row) if row else None


async def _blacklist_entry(info: Info, pk: int) -> DgBlacklistEntry | None:
    row = await blacklist.entry_by_id(pk)
    return DgBlacklistEntry.from_row(row) if row else None


# A corrected input replaces the first one: a repeat of the first then reads NOT_FOUND.
ASSESSMENT_INPUT = by_pk("DgAssessmentInput", _recorded_input)
BLACKLIST_ENTRY = by_pk("DgBlacklistEntry", _blacklist_entry)
InputKey = key_argument("the input is recorded")
ListKey = key_argument("the listing is made")


@strawberry.type
class DongguanAssessmentMutation:
    @strawberry.mutation(
        description="Assess every firm for every compound it managed in an ended period and "
        "rank them, as the period's next run (version); refused once the period is published."
    )
    async def run_firm_assessment(self, info: Info, period: str) -> RunFirmAssessmentPayload:
        async def act() -> DgAssessmentRun:
            s = await _settings()
            run_id = await runs.run_assessment(info.context.principal, s, period)
            return DgAssessmentRun.from_row(await runs.run_by_id(run_id))

        run, errors = await attempt(info, act)
        found = await run_results(run.pk) if run else None
        return RunFirmAssessmentPayload(run=run, assessments=found, errors=errors)

    @strawberry.mutation(
        description="Publish a period's current run (city admins): final, its credit "
        "consequences applied; the period is not run again."
    )
    async def publish_firm_assessment(
        self, info: Info, run_id: strawberry.ID
    ) -> PublishFirmAssessmentPayload:
        async def act() -> DgAssessmentRun:
            row = await runs.publish_run(
                info.context.principal,
                await _settings(),
                pk_of(run_id, "DgAssessmentRun", "runId"),
            )
            return DgAssessmentRun.from_row(row)

        run, errors = await attempt(info, act)
        return PublishFirmAssessmentPayload(run=run, errors=errors)

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
            row = await inputs.record_input(
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
            row = await blacklist.add_to_blacklist(
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
            row = await blacklist.remove_from_blacklist(
                info.context.principal, pk_of(entry_id, "DgBlacklistEntry", "entryId"), reason
            )
            return DgBlacklistEntry.from_row(row)

        found, errors = await attempt(info, act)
        return BlacklistPayload(entry=found, errors=errors)


__all__ = ["NAME", "DongguanAssessmentMutation", "DongguanAssessmentQuery"]
