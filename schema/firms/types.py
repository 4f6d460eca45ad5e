"""Property-service firms and their management contracts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from core.firms import credit
from core.infra import enums as domain
from core.models import Compound as CompoundModel
from core.models import Firm as FirmModel
from schema.api.context import Info
from schema.api.enums import ManagementMode
from schema.api.lazy import resolved
from schema.api.relay import Node
from schema.api.rows import FromRow
from schema.places.types import Compound

if TYPE_CHECKING:
    from schema.firms.credit import CreditStanding

CreditStandingRef = Annotated["CreditStanding", strawberry.lazy("schema.firms.credit")]


@strawberry.type(description="A property-service firm (物业服务企业).")
class Firm(Node):
    model = FirmModel
    pk: strawberry.Private[int]
    name: str
    registration_number: str = strawberry.field(description="Unified social credit code.")
    is_state_owned: bool
    owning_group: str | None
    founded_on: dt.date | None
    created_at: dt.datetime

    from_row = FromRow()

    @strawberry.field(
        description="The firm's credit standing on a day (today by default) in the city's "
        "credit regime; null when the city runs none or the firm has no standing in it."
    )
    async def credit_standing(
        self, info: Info, as_of: dt.date | None = None
    ) -> CreditStandingRef | None:
        day = as_of or credit.today()
        found = await info.context.loaders.credit_standings(day).load(self.pk)
        return resolved(CreditStandingRef).of(found) if found else None

    @strawberry.field(description="Every management contract, newest first.")
    async def contracts(self, info: Info) -> list[ManagementContract]:
        rows = await info.context.loaders.contracts_of_firm.load(self.pk)
        return [ManagementContract.from_row(r) for r in rows]


@strawberry.type(description="A property-management contract between a compound and a firm.")
class ManagementContract(Node):
    pk: strawberry.Private[int]
    compound_id: strawberry.Private[int]
    firm_id: strawberry.Private[int]
    starts_on: dt.date
    ends_on: dt.date | None
    mode: ManagementMode

    from_row = FromRow()

    @strawberry.field
    def mode_label(self, info: Info) -> str:
        return domain.ManagementMode(self.mode).label(info.context.lang)

    @strawberry.field
    async def compound(self, info: Info) -> Compound:
        row = await info.context.loaders.rows[CompoundModel].load(self.compound_id)
        return Compound.from_row(row)  # type: ignore[arg-type]

    @strawberry.field
    async def firm(self, info: Info) -> Firm:
        row = await info.context.loaders.rows[FirmModel].load(self.firm_id)
        return Firm.from_row(row)  # type: ignore[arg-type]
