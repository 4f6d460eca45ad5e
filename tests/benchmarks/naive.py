"""The naive implementation: strawberry over tortoise model objects, one query per relation
per object (N+1), no DataLoaders, no `.values()`. What a first version usually looks like.

It serves the benchmark's four queries with the same field names and JSON as the real schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from tortoise.expressions import Q

from core.infra import db
from core.infra import enums as domain
from core.infra.pagination import encode_cursor
from core.infra.tenancy import in_city
from core.models import Case, Community, Compound, Firm, ManagementContract, Street
from schema.api.enums import CaseStage
from schema.api.ids import from_global_id, to_global_id


def _current() -> Q:
    today = dt.date.today()
    return Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))


@strawberry.type
class NStreet:
    name: str


@strawberry.type
class NCommunity:
    model: strawberry.Private[Community]

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field
    async def street(self) -> NStreet:
        street = await Street.get(id=self.model.street_id)  # type: ignore[attr-defined]
        return NStreet(name=street.name)


@strawberry.type
class NFirm:
    name: str


@strawberry.type(name="Case")  # the queries say `... on Case`
class NCase:
    model: strawberry.Private[Case]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Case", self.model.id))

    @strawberry.field
    def title(self) -> str:
        return self.model.title

    @strawberry.field
    def kind(self) -> str:
        return self.model.kind.value

    @strawberry.field
    def stage(self) -> str:
        return self.model.stage.value

    @strawberry.field
    def kind_label(self) -> str:
        return self.model.kind.label("zh")

    @strawberry.field
    def stage_label(self) -> str:
        return self.model.stage.label("zh")

    @strawberry.field
    def created_at(self) -> dt.datetime:
        return self.model.created_at

    @strawberry.field
    def stage_entered_at(self) -> dt.datetime:
        return self.model.stage_entered_at

    @strawberry.field
    async def compound(self) -> NCompound:
        return NCompound(model=await Compound.get(id=self.model.compound_id))  # type: ignore[attr-defined]


@strawberry.type
class NCaseEdge:
    cursor: str
    node: NCase


@strawberry.type
class NPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class NCaseConnection:
    nodes: list[NCase]
    edges: list[NCaseEdge]
    page_info: NPageInfo
    query: strawberry.Private[Any]

    @strawberry.field
    async def total_count(self) -> int:
        return int(await self.query.count())


@strawberry.type
class NCompound:
    model: strawberry.Private[Compound]

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field
    def homes(self) -> int:
        return self.model.homes

    @strawberry.field
    def residents(self) -> int:
        return self.model.residents

    @strawberry.field
    async def community(self) -> NCommunity:
        return NCommunity(model=await Community.get(id=self.model.community_id))  # type: ignore[attr-defined]

    @strawberry.field
    async def firm(self) -> NFirm | None:
        contract = (
            await ManagementContract.filter(_current(), compound_id=self.model.id)
            .order_by("-starts_on", "-id")
            .first()
        )
        if contract is None:
            return None
        firm = await Firm.get(id=contract.firm_id)  # type: ignore[attr-defined]
        return NFirm(name=firm.name)

    @strawberry.field
    async def cases(self, first: int = 10) -> NCaseConnection:
        query = Case.filter(compound_id=self.model.id)
        rows = await query.order_by("-created_at", "-id").limit(first)
        return _case_page(rows, first, query)


def _case_page(rows: list[Case], first: int, query: Any) -> NCaseConnection:
    page = rows[:first]
    cursors = [encode_cursor(r.created_at, r.id) for r in page]
    return NCaseConnection(
        nodes=[NCase(model=r) for r in page],
        edges=[
            NCaseEdge(cursor=c, node=NCase(model=r)) for c, r in zip(cursors, page, strict=True)
        ],
        page_info=NPageInfo(
            has_next_page=len(rows) > first, end_cursor=cursors[-1] if cursors else None
        ),
        query=query,
    )


@strawberry.type
class NCompoundConnection:
    nodes: list[NCompound]
    query: strawberry.Private[Any]

    @strawberry.field
    async def total_count(self) -> int:
        return int(await self.query.count())


@strawberry.input
class NCompoundFilter:
    firm_id: strawberry.ID | None = None


@strawberry.input
class NCaseFilter:
    stage: list[CaseStage] | None = None


@strawberry.type
class NQuery:
    @strawberry.field
    async def compounds(
        self, first: int = 20, filter: NCompoundFilter | None = None
    ) -> NCompoundConnection:
        query = Compound.all()
        if filter and filter.firm_id:
            _, firm_pk = from_global_id(filter.firm_id)
            managed = await ManagementContract.filter(_current(), firm_id=firm_pk)
            query = query.filter(id__in=[c.compound_id for c in managed])  # type: ignore[attr-defined]
        rows = await query.order_by("name", "id").limit(first)
        return NCompoundConnection(nodes=[NCompound(model=r) for r in rows], query=query)

    @strawberry.field
    async def node(self, id: strawberry.ID) -> NCase | None:
        _, pk = from_global_id(id)
        case = await Case.get_or_none(id=pk)
        return NCase(model=case) if case else None

    @strawberry.field
    async def cases(self, first: int = 20, filter: NCaseFilter | None = None) -> NCaseConnection:
        query = Case.all()
        if filter and filter.stage:
            query = query.filter(stage__in=[domain.CaseStage(s) for s in filter.stage])
        rows = await query.order_by("-created_at", "-id").limit(first + 1)
        return _case_page(rows, first, query)


NAIVE_SCHEMA = strawberry.Schema(query=NQuery)


def create_naive_app() -> Starlette:
    graphql = GraphQL(NAIVE_SCHEMA)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await db.init()
        yield
        await db.close()

    class Endpoint:  # a class, so that starlette routes to it as an ASGI app
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            with in_city(scope["path_params"]["city"]):
                await graphql(scope, receive, send)

    return Starlette(
        routes=[Route("/graphql/{city}", Endpoint(), methods=["POST"])], lifespan=lifespan
    )
