"""The points regime in the GraphQL schema of the cities that run it: notices and appeals.

The firm-facing contract (`Firm.creditStanding`, `recordCreditEvent`) is the core's; these
are the regime's own objects, which a score-and-grade city has no use for.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from plugins.points_credit import notices
from plugins.points_credit.settings import NAME
from schema.plugin_api import (
    Connection,
    Firm,
    FromRow,
    Info,
    UserError,
    attempt,
    attempt_create,
    by_pk,
    connection,
    key_argument,
    localise,
    optional_pk,
    page_request,
    pk_of,
)
from schema.plugin_api.models import Firm as FirmModel


class RequestState:
    """What the regime keeps for one request: its appeals, loaded together."""

    def __init__(self) -> None:
        self.appeals: DataLoader[int, Any] = DataLoader(load_fn=self._load_appeals)

    @staticmethod
    async def _load_appeals(ids: list[int]) -> list[Any]:
        found = await notices.appeals_of(list(ids))
        return [found.get(i) for i in ids]


def _appeals(info: Info) -> DataLoader[int, Any]:
    return info.context.plugin_state(NAME, RequestState).appeals


@strawberry.type(description="A firm's appeal against a notice of deduction.")
class PointsAppeal:
    id: strawberry.ID
    grounds: str
    filed_on: dt.date
    status: str = strawberry.field(description="PENDING, UPHELD or REJECTED.")
    decided_on: dt.date | None
    decision_reason: str | None
    deduction_pk: strawberry.Private[int]

    from_row = FromRow(renamed={"deduction_pk": "deduction_id"})


@strawberry.type(
    description="A notice of deduction: points taken, deadlines to rectify and appeal."
)
class PointsNotice:
    id: strawberry.ID
    points: int
    reason: str
    source: str
    occurred_on: dt.date
    notified_on: dt.date
    rectify_by: dt.date = strawberry.field(description="The firm rectifies by this day.")
    appeal_by: dt.date = strawberry.field(description="The last day to appeal.")
    removed_on: dt.date | None = strawberry.field(
        description="Set when an appeal was upheld: the points no longer count."
    )
    stored_removal_reason: strawberry.Private[str | None]
    pk: strawberry.Private[int]
    firm_pk: strawberry.Private[int]

    from_row = FromRow(renamed={"stored_removal_reason": "removal_reason", "firm_pk": "firm_id"})

    @strawberry.field(description="Why the points were removed, in the request's language.")
    def removal_reason(self, info: Info) -> str | None:
        why = self.stored_removal_reason
        return None if why is None else localise(why, info.context.lang)

    @strawberry.field
    async def firm(self, info: Info) -> Firm | None:
        row = await info.context.loaders.rows[FirmModel].load(self.firm_pk)
        return Firm.from_row(row) if row else None

    @strawberry.field(description="The appeal against this notice, if one was filed.")
    async def appeal(self, info: Info) -> PointsAppeal | None:
        row = await _appeals(info).load(self.pk)
        return PointsAppeal.from_row(row) if row else None


@strawberry.type
class PointsQuery:
    @strawberry.field(description="Notices of deduction under the points regime, newest first.")
    async def points_notices(
        self,
        firm_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PointsNotice]:
        page = notices.notices(optional_pk(firm_id, "Firm", "firmId"), page_request(first, after))
        return connection(await page, PointsNotice.from_row)


@strawberry.type
class PointsAppealPayload:
    appeal: PointsAppeal | None
    errors: list[UserError]


async def _appeal(info: Info, pk: int) -> PointsAppeal | None:
    row = await notices.appeal_by_id(pk)
    return PointsAppeal.from_row(row) if row else None


APPEAL = by_pk("PointsAppeal", _appeal)
AppealKey = key_argument("the appeal is filed")


@strawberry.type
class PointsMutation:
    @strawberry.mutation(description="File a firm's appeal against a notice, within its window.")
    async def appeal_deduction(
        self, info: Info, notice_id: strawberry.ID, grounds: str, idempotency_key: AppealKey = None
    ) -> PointsAppealPayload:
        async def act() -> PointsAppeal:
            pk = pk_of(notice_id, "PointsNotice", "noticeId")
            return PointsAppeal.from_row(await notices.appeal(info.context.principal, pk, grounds))

        appeal, errors = await attempt_create(info, act, idempotency_key, APPEAL)
        return PointsAppealPayload(appeal=appeal, errors=errors)

    @strawberry.mutation(
        description="Uphold an appeal (its notice's points are removed) or reject it."
    )
    async def decide_appeal(
        self, info: Info, appeal_id: strawberry.ID, upheld: bool, reason: str
    ) -> PointsAppealPayload:
        async def act() -> PointsAppeal:
            pk = pk_of(appeal_id, "PointsAppeal", "appealId")
            row = await notices.decide(info.context.principal, pk, upheld, reason)
            return PointsAppeal.from_row(row)

        appeal, errors = await attempt(info, act)
        return PointsAppealPayload(appeal=appeal, errors=errors)
