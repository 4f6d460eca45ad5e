"""Organisations: the party tree, committees, social and mass organisations, venues."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

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
from schema.api.ids import to_global_id
from schema.api.relay import Node
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


@strawberry.type(description="An organisation; party organisations form a tree via parent.")
class Organisation(Node):
    model = OrganisationModel
    pk: strawberry.Private[int]
    row: strawberry.Private[dict[str, Any]]
    kind: OrganisationKind
    name: str
    members_count: int
    founded_on: dt.date | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Organisation:
        return cls(
            id=strawberry.ID(to_global_id("Organisation", r["id"])),
            pk=r["id"],
            row=r,
            kind=r["kind"],
            name=r["name"],
            members_count=r["members_count"],
            founded_on=r["founded_on"],
            created_at=r["created_at"],
        )

    @strawberry.field
    def kind_label(self, info: Info) -> str:
        return domain.OrganisationKind(self.kind).label(info.context.lang)

    @strawberry.field
    async def parent(self, info: Info) -> Organisation | None:
        parent_id = self.row["parent_id"]
        if parent_id is None:
            return None
        row = await info.context.loaders.rows[OrganisationModel].load(parent_id)
        return Organisation.from_row(row) if row else None

    @strawberry.field
    async def children(self, info: Info) -> list[Organisation]:
        loader = info.context.loaders.children_of(OrganisationModel, "parent_id")
        return [Organisation.from_row(r) for r in await loader.load(self.pk)]

    @strawberry.field(description="The place it serves; null when it serves the whole city.")
    async def place(self, info: Info) -> Place | None:
        for column, model, gql_type in _PLACES:
            place_id = self.row[column]
            if place_id is not None:
                row = await info.context.loaders.rows[model].load(place_id)
                return gql_type.from_row(row) if row else None
        return None
