"""Places: streets, communities, compounds, buildings, grids."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from core.infra import enums as domain
from core.infra.pagination import page_request
from core.models import Building as BuildingModel
from core.models import Community as CommunityModel
from core.models import Compound as CompoundModel
from core.models import Grid as GridModel
from core.models import Street as StreetModel
from schema.api import lookahead
from schema.api.context import Info
from schema.api.enums import CaseKind, CommunityKind, CompoundKind, ManagementMode
from schema.api.lazy import resolved
from schema.api.loaders import answer
from schema.api.relay import Connection, Node, connection
from schema.api.rows import FromRow
from schema.cases.loaders import nested_page

if TYPE_CHECKING:
    from schema.cases.types import Case
    from schema.firms.types import Firm, ManagementContract
    from schema.organisations.types import Organisation

CaseRef = Annotated["Case", strawberry.lazy("schema.cases.types")]
FirmRef = Annotated["Firm", strawberry.lazy("schema.firms.types")]
ContractRef = Annotated["ManagementContract", strawberry.lazy("schema.firms.types")]
OrganisationRef = Annotated["Organisation", strawberry.lazy("schema.organisations.types")]


@strawberry.type(description="A town, subdistrict or industrial park (镇街/园区).")
class Street(Node):
    pk: strawberry.Private[int]
    name: str
    code: str | None
    created_at: dt.datetime

    from_row = FromRow()

    @strawberry.field
    async def communities(self, info: Info) -> list[Community]:
        rows = await info.context.loaders.children_of(CommunityModel, "street_id").load(self.pk)
        return [Community.from_row(r) for r in rows]


@strawberry.type(description="An urban community or village (社区/村).")
class Community(Node):
    pk: strawberry.Private[int]
    street_id: strawberry.Private[int]
    name: str
    kind: CommunityKind
    created_at: dt.datetime

    from_row = FromRow()

    @strawberry.field
    def kind_label(self, info: Info) -> str:
        return domain.CommunityKind(self.kind).label(info.context.lang)

    @strawberry.field
    def street(self, info: Info) -> Street:
        # Not `async def`: a street loaded ahead with its compounds answers at once.
        return answer(info.context.loaders.rows[StreetModel], self.street_id, Street.from_row)  # type: ignore[no-any-return]

    @strawberry.field
    async def compounds(self, info: Info) -> list[Compound]:
        rows = await info.context.loaders.children_of(CompoundModel, "community_id").load(self.pk)
        await lookahead.compounds(info, rows)
        return [Compound.from_row(r) for r in rows]

    @strawberry.field
    async def grids(self, info: Info) -> list[Grid]:
        rows = await info.context.loaders.children_of(GridModel, "community_id").load(self.pk)
        return [Grid.from_row(r) for r in rows]


@strawberry.type(description="A residential compound or estate (小区).")
class Compound(Node):
    pk: strawberry.Private[int]
    community_id: strawberry.Private[int]
    name: str
    kind: CompoundKind
    homes: int
    residents: int
    land_area: float | None = strawberry.field(description="Land area in m².")
    floor_area: float | None = strawberry.field(description="Floor area in m².")
    mature: bool = strawberry.field(description="Eligible for a party organisation of its own.")
    management_mode: ManagementMode
    created_at: dt.datetime

    from_row = FromRow()

    @strawberry.field
    def kind_label(self, info: Info) -> str:
        return domain.CompoundKind(self.kind).label(info.context.lang)

    @strawberry.field
    def management_mode_label(self, info: Info) -> str:
        return domain.ManagementMode(self.management_mode).label(info.context.lang)

    # The relations below are not `async def`: when a list resolver loaded them for the whole
    # page (schema/api/lookahead.py) they answer at once; otherwise they return an awaitable.
    @strawberry.field
    def community(self, info: Info) -> Community:
        loader = info.context.loaders.rows[CommunityModel]
        return answer(loader, self.community_id, Community.from_row)  # type: ignore[no-any-return]

    @strawberry.field(description="The firm under the contract in force today, if any.")
    def firm(self, info: Info) -> FirmRef | None:
        return answer(info.context.loaders.current_firm, self.pk, _firm)  # type: ignore[no-any-return]

    @strawberry.field
    def current_contract(self, info: Info) -> ContractRef | None:
        def make(row: dict[str, Any] | None) -> Any:
            return resolved(ContractRef).from_row(row) if row else None

        return answer(info.context.loaders.current_contract, self.pk, make)  # type: ignore[no-any-return]

    @strawberry.field(description="Every management contract, newest first.")
    async def contracts(self, info: Info) -> list[ContractRef]:
        rows = await info.context.loaders.contracts_of_compound.load(self.pk)
        return [resolved(ContractRef).from_row(r) for r in rows]

    @strawberry.field
    async def buildings(self, info: Info) -> list[Building]:
        rows = await info.context.loaders.children_of(BuildingModel, "compound_id").load(self.pk)
        return [Building.from_row(r) for r in rows]

    @strawberry.field
    async def organisations(self, info: Info) -> list[OrganisationRef]:
        Organisation = resolved(OrganisationRef)
        loader = info.context.loaders.children_of(Organisation.model, "compound_id")
        return [Organisation.from_row(r) for r in await loader.load(self.pk)]

    @strawberry.field(
        description="The newest cases the caller may see. Nested lists take `first` only; "
        "page further with the root `cases(filter: {compoundId})`."
    )
    def cases(
        self, info: Info, first: int = 10, kind: list[CaseKind] | None = None
    ) -> Connection[CaseRef]:
        kinds = tuple(domain.CaseKind(k) for k in kind or ())
        size = page_request(first, None).first

        def make(rows: list[dict[str, Any]]) -> Connection[Case]:
            page = nested_page(info, self.pk, size, kinds, rows)
            return connection(page, resolved(CaseRef).from_row)

        loader = info.context.loaders.latest_cases(size, kinds)
        return answer(loader, self.pk, make)  # type: ignore[no-any-return]


@strawberry.type(description="A building (楼栋).")
class Building(Node):
    pk: strawberry.Private[int]
    compound_id: strawberry.Private[int]
    grid_id: strawberry.Private[int | None]
    name: str
    floors: int
    homes: int
    created_at: dt.datetime

    from_row = FromRow()

    @strawberry.field
    async def compound(self, info: Info) -> Compound:
        row = await info.context.loaders.rows[CompoundModel].load(self.compound_id)
        return Compound.from_row(row)  # type: ignore[arg-type]

    @strawberry.field
    async def grid(self, info: Info) -> Grid | None:
        if self.grid_id is None:
            return None
        row = await info.context.loaders.rows[GridModel].load(self.grid_id)
        return Grid.from_row(row) if row else None


@strawberry.type(description="A grid of grid management (网格).")
class Grid(Node):
    pk: strawberry.Private[int]
    community_id: strawberry.Private[int]
    name: str
    code: str | None
    created_at: dt.datetime

    from_row = FromRow()

    @strawberry.field
    async def community(self, info: Info) -> Community:
        row = await info.context.loaders.rows[CommunityModel].load(self.community_id)
        return Community.from_row(row)  # type: ignore[arg-type]

    @strawberry.field
    async def buildings(self, info: Info) -> list[Building]:
        rows = await info.context.loaders.children_of(BuildingModel, "grid_id").load(self.pk)
        return [Building.from_row(r) for r in rows]


def _firm(row: dict[str, Any] | None) -> FirmRef | None:
    return resolved(FirmRef).from_row(row) if row else None
