"""The core Query: the city, its directory, its cases, and `node`."""

from __future__ import annotations

from typing import Any

import strawberry

from core.cases import filing as cases
from core.infra.enums import Role as DomainRole
from core.infra.pagination import Ordering, page_request
from core.models import Building as BuildingModel
from core.models import City as CityModel
from core.models import Community as CommunityModel
from core.models import Compound as CompoundModel
from core.models import Grid as GridModel
from core.models import Organisation as OrganisationModel
from core.models import Street as StreetModel
from core.places import directory
from core.security.access import require_role
from schema.api import lookahead
from schema.api.context import Info
from schema.api.enums import CaseOrder, CompoundOrder, PlaceOrder, Role, ordering
from schema.api.ids import from_global_id
from schema.api.inputs import (
    CaseFilter,
    CompoundFilter,
    FirmFilter,
    OrganisationFilter,
    PlaceFilter,
)
from schema.api.relay import Connection, Node, connection
from schema.cases.types import Case
from schema.firms.types import Firm
from schema.organisations.types import Organisation
from schema.places.types import Building, Community, Compound, Grid, Street

_AUTHENTICATED = frozenset(DomainRole) - {DomainRole.ANONYMOUS}


@strawberry.type(description="The city this endpoint serves, and who is asking.")
class City:
    slug: str
    name: str
    name_en: str

    @strawberry.field(description="The caller's role here (ANONYMOUS without a token).")
    def viewer_role(self, info: Info) -> Role:
        return info.context.principal.role

    @strawberry.field(description="The caller's scope, e.g. city, street:3, compound:7.")
    def viewer_scope(self, info: Info) -> str:
        return str(info.context.principal.scope)


# Global-ID type name -> (model for a plain row lookup, GraphQL type).
_NODE_TYPES: dict[str, tuple[Any, Any]] = {
    "Street": (StreetModel, Street),
    "Community": (CommunityModel, Community),
    "Compound": (CompoundModel, Compound),
    "Building": (BuildingModel, Building),
    "Grid": (GridModel, Grid),
    "Organisation": (OrganisationModel, Organisation),
    "Firm": (Firm.model, Firm),
}


def _place_order(order: PlaceOrder | None) -> Ordering:
    return ordering(order or PlaceOrder())


@strawberry.type
class Query:
    @strawberry.field
    async def city(self, info: Info) -> City:
        row = await CityModel.get(slug=info.context.city)
        return City(slug=row.slug, name=row.name, name_en=row.name_en)

    @strawberry.field(description="Fetch any object by its global ID; another city's reads null.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, pk = from_global_id(id)
        if type_name == "Case":
            row = await info.context.loaders.case.load(pk)
            return Case.from_row(row) if row else None
        if type_name not in _NODE_TYPES:
            return None
        model, gql_type = _NODE_TYPES[type_name]
        row = await info.context.loaders.rows[model].load(pk)
        return gql_type.from_row(row) if row else None

    @strawberry.field
    async def streets(
        self,
        first: int | None = None,
        after: str | None = None,
        filter: PlaceFilter | None = None,
        order_by: PlaceOrder | None = None,
    ) -> Connection[Street]:
        page = await directory.list_places(
            StreetModel,
            (filter or PlaceFilter()).to_core(),
            _place_order(order_by),
            page_request(first, after),
        )
        return connection(page, Street.from_row)

    @strawberry.field
    async def communities(
        self,
        first: int | None = None,
        after: str | None = None,
        filter: PlaceFilter | None = None,
        order_by: PlaceOrder | None = None,
    ) -> Connection[Community]:
        page = await directory.list_places(
            CommunityModel,
            (filter or PlaceFilter()).to_core(),
            _place_order(order_by),
            page_request(first, after),
        )
        return connection(page, Community.from_row)

    @strawberry.field
    async def compounds(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: CompoundFilter | None = None,
        order_by: CompoundOrder | None = None,
    ) -> Connection[Compound]:
        page = await directory.list_places(
            CompoundModel,
            (filter or CompoundFilter()).to_core(),
            ordering(order_by or CompoundOrder()),
            page_request(first, after),
        )
        await lookahead.compounds(info, page.rows)
        return connection(page, Compound.from_row)

    @strawberry.field
    async def buildings(
        self,
        first: int | None = None,
        after: str | None = None,
        filter: PlaceFilter | None = None,
        order_by: PlaceOrder | None = None,
    ) -> Connection[Building]:
        page = await directory.list_places(
            BuildingModel,
            (filter or PlaceFilter()).to_core(),
            _place_order(order_by),
            page_request(first, after),
        )
        return connection(page, Building.from_row)

    @strawberry.field
    async def grids(
        self,
        first: int | None = None,
        after: str | None = None,
        filter: PlaceFilter | None = None,
        order_by: PlaceOrder | None = None,
    ) -> Connection[Grid]:
        page = await directory.list_places(
            GridModel,
            (filter or PlaceFilter()).to_core(),
            _place_order(order_by),
            page_request(first, after),
        )
        return connection(page, Grid.from_row)

    @strawberry.field
    async def organisations(
        self,
        first: int | None = None,
        after: str | None = None,
        filter: OrganisationFilter | None = None,
        order_by: PlaceOrder | None = None,
    ) -> Connection[Organisation]:
        page = await directory.list_organisations(
            (filter or OrganisationFilter()).to_core(),
            _place_order(order_by),
            page_request(first, after),
        )
        return connection(page, Organisation.from_row)

    @strawberry.field
    async def firms(
        self,
        first: int | None = None,
        after: str | None = None,
        filter: FirmFilter | None = None,
        order_by: PlaceOrder | None = None,
    ) -> Connection[Firm]:
        page = await directory.list_firms(
            (filter or FirmFilter()).to_core(),
            _place_order(order_by),
            page_request(first, after),
        )
        return connection(page, Firm.from_row)

    @strawberry.field(description="Cases the caller may see; needs a token.")
    async def cases(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: CaseFilter | None = None,
        order_by: CaseOrder | None = None,
    ) -> Connection[Case]:
        require_role(info.context.principal, _AUTHENTICATED)
        page = await cases.list_cases(
            info.context.principal,
            (filter or CaseFilter()).to_core(),
            ordering(order_by or CaseOrder()),
            page_request(first, after),
        )
        await lookahead.cases(info, page.rows)
        return connection(page, Case.from_row)
