"""Firms' credit in GraphQL: the same fields in every city, each city's regime answers.

`Firm.creditStanding(asOf:)` (schema/firms/types.py), `firmCreditRanking` and
`recordCreditEvent` are the firm-facing contract; what a level means, how points add up and
what follows from a record are the city's regime plugin's (core/firms/credit.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from core.firms import credit
from core.infra.i18n import Text, localise
from core.infra.pagination import page_request
from core.models import Firm as FirmModel
from core.plugins.contributions import CreditRecord as CoreRecord
from core.plugins.contributions import CreditStanding as CoreStanding
from schema.api.context import Info
from schema.api.errors import UserError
from schema.api.ids import pk_of
from schema.api.relay import Connection, connection
from schema.api.replays import Reread, attempt_create, key_description
from schema.firms.types import Firm


@strawberry.type(description="A firm's credit standing on a day in the city's credit regime.")
class CreditStanding:
    regime: str = strawberry.field(description="The regime, e.g. dongguan_assessment.")
    level: str = strawberry.field(description="The regime's grade or level code.")
    label_zh: str
    label_en: str
    score: Decimal | None = strawberry.field(
        description="The regime's number: an assessment score, points held or deducted."
    )
    higher_is_better: bool
    restrictions: list[str] = strawberry.field(
        description="Codes such as NO_NEW_CONTRACTS, NO_SERVICE_PURCHASE, WRITTEN_WARNING."
    )
    texts: strawberry.Private[tuple[str | Text, ...]]
    valid_until: dt.date | None
    blacklisted: bool = strawberry.field(
        description="On the city's credit blacklist that day: ranks after every firm in good "
        "standing, whatever its score."
    )

    @strawberry.field(description="The level's label in the request's language.")
    def label(self, info: Info) -> str:
        return self.label_en if info.context.lang == "en" else self.label_zh

    @strawberry.field(description="Why, in the request's language.")
    def reasons(self, info: Info) -> list[str]:
        return [localise(t, info.context.lang) for t in self.texts]

    @classmethod
    def of(cls, s: CoreStanding) -> CreditStanding:
        return cls(
            regime=s.regime,
            level=s.level,
            label_zh=s.label_zh,
            label_en=s.label_en,
            score=s.score,
            higher_is_better=s.higher_is_better,
            restrictions=list(s.restrictions),
            texts=s.reasons,
            valid_until=s.valid_until,
            blacklisted=s.blacklisted,
        )


@strawberry.type(description="A credit record the city's regime made against a firm.")
class CreditRecord:
    id: strawberry.ID = strawberry.field(description="The regime's key: regime:record id.")
    kind: str
    reason: str
    source: str
    occurred_on: dt.date
    points: Decimal | None
    severity: str | None
    firm_id: strawberry.Private[int]

    @classmethod
    def of(cls, r: CoreRecord) -> CreditRecord:
        return cls(
            id=strawberry.ID(f"{r.plugin}:{r.id}"),
            kind=r.kind,
            reason=r.reason,
            source=r.source,
            occurred_on=r.occurred_on,
            points=r.points,
            severity=r.severity,
            firm_id=r.firm_id,
        )

    @strawberry.field
    async def firm(self, info: Info) -> Firm | None:
        row = await info.context.loaders.rows[FirmModel].load(self.firm_id)
        return Firm.from_row(row) if row else None


@strawberry.type(description="A firm's place in the city's credit ranking.")
class CreditRankingEntry:
    rank: int
    firm: Firm
    standing: CreditStanding | None

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> CreditRankingEntry:
        s = r["standing"]
        return cls(
            rank=r["rank"],
            firm=Firm.from_row(r["firm"]),
            standing=CreditStanding.of(s) if s else None,
        )


@strawberry.type
class CreditQuery:
    @strawberry.field(
        description="The city's firms ranked by their credit score (best first), unranked last; "
        "blacklisted firms after every firm in good standing."
    )
    async def firm_credit_ranking(
        self, as_of: dt.date | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[CreditRankingEntry]:
        page = await credit.credit_ranking(as_of, page_request(first, after))
        return connection(page, CreditRankingEntry.from_row)


@strawberry.input
class RecordCreditEventInput:
    firm_id: strawberry.ID
    kind: str = strawberry.field(description="The regime's code, e.g. DEDUCTION.")
    reason: str
    source: str = strawberry.field(description="Who found it: inspection, hotline, ...")
    points: Decimal | None = None
    severity: str | None = None
    occurred_on: dt.date | None = None


@strawberry.type
class RecordCreditEventPayload:
    record: CreditRecord | None
    errors: list[UserError]


async def _record(info: Info, key: tuple[str, str]) -> CreditRecord | None:
    found = await credit.record_by_id(*key)
    return CreditRecord.of(found) if found else None


def _record_key(made: str) -> tuple[str, str]:
    # A record's ID is the regime's key, "plugin:record id", not a global ID.
    plugin, _, record_id = made.partition(":")
    return plugin, record_id


CREDIT_RECORD = Reread(_record_key, _record)
RecordKey = Annotated[str | None, key_description("the event is recorded")]


@strawberry.type
class CreditMutation:
    @strawberry.mutation(description="Record a credit event against a firm in the city's regime.")
    async def record_credit_event(
        self, info: Info, input: RecordCreditEventInput, idempotency_key: RecordKey = None
    ) -> RecordCreditEventPayload:
        async def act() -> CreditRecord:
            record = await credit.record_credit_event(
                info.context.principal,
                pk_of(input.firm_id, "Firm", "firmId"),
                input.kind,
                input.reason,
                input.source,
                points=input.points,
                severity=input.severity,
                occurred_on=input.occurred_on,
            )
            return CreditRecord.of(record)

        record, errors = await attempt_create(info, act, idempotency_key, CREDIT_RECORD)
        return RecordCreditEventPayload(record=record, errors=errors)
