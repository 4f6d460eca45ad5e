"""Organisations: the party tree, committees, social and mass organisations, venues."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from core.infra import enums as domain
from core.models import Building as BuildingModel
from core.models import Community as CommunityModel
from core.models import Compound as CompoundModel
from core.models import Grid as GridModel
from core.models import Organisation as OrganisationModel
from core.models import Street as StreetModel
from schema.api.context import Info
from schema.api.enums import OrganisationKind
from schema.api.relay import Node
from schema.api.rows import FromRow
from schema.places.types import Building, Community, Compound, Grid, Street

Place = Annotated[Street | Community | Compound | Grid | Building, strawberry.union("Place")]

# The single place an organisation attaches to, most specific first.
_PLACES = (
    ("building_id", BuildingModel, Building),
    ("grid_id", GridModel, Grid),
    ("compound_id", CompoundModel, Compound),
    ("community_id", CommunityModel, Community),
    ("street_id", StreetModel, Street),
)


@strawberry.interface(
    description="Who may provide a purchased service (政府购买服务): a social organisation or "
    "volunteer team (Organisation), or a registered SocialWorker."
)
class PurchaseProvider(Node):
    name: str


@strawberry.type(description="An organisation; party organisations form a tree via parent.")
class Organisation(PurchaseProvider):
    model = OrganisationModel
    pk: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]
    street_id: strawberry.Private[int | None]
    community_id: strawberry.Private[int | None]
    compound_id: strawberry.Private[int | None]
    grid_id: strawberry.Private[int | None]
    building_id: strawberry.Private[int | None]
    kind: OrganisationKind
    name: str
    members_count: int
    founded_on: dt.date | None
    created_at: dt.datetime

    from_row = FromRow()

    @strawberry.field
    def kind_label(self, info: Info) -> str:
        return domain.OrganisationKind(self.kind).label(info.context.lang)

    @strawberry.field
    async def parent(self, info: Info) -> Organisation | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.rows[OrganisationModel].load(self.parent_id)
        return Organisation.from_row(row) if row else None

    @strawberry.field
    async def children(self, info: Info) -> list[Organisation]:
        loader = info.context.loaders.children_of(OrganisationModel, "parent_id")
        return [Organisation.from_row(r) for r in await loader.load(self.pk)]

    @strawberry.field(description="The place it serves; null when it serves the whole city.")
    async def place(self, info: Info) -> Place | None:
        for column, model, gql_type in _PLACES:
            place_id = getattr(self, column)
            if place_id is not None:
                row = await info.context.loaders.rows[model].load(place_id)
                return gql_type.from_row(row) if row else None
        return None
