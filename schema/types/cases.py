"""Cases: property disputes, one-window service requests, mediation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from core import enums as domain
from core.models import Compound as CompoundModel
from core.pagination import Page, encode_cursor
from schema.context import Info
from schema.enums import CaseKind, CaseStage
from schema.ids import to_global_id
from schema.relay import Node
from schema.types.places import Compound


@strawberry.type(description="A case a resident brought: dispute, service request or mediation.")
class Case(Node):
    pk: strawberry.Private[int]
    compound_id: strawberry.Private[int]
    kind: CaseKind
    title: str
    description: str
    stage: CaseStage
    stage_entered_at: dt.datetime
    version: int = strawberry.field(description="Pass it back when moving the case on.")
    created_at: dt.datetime = strawberry.field(description="When the case was filed.")

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Case:
        return cls(
            id=strawberry.ID(to_global_id("Case", r["id"])),
            pk=r["id"],
            compound_id=r["compound_id"],
            kind=r["kind"],
            title=r["title"],
            description=r["description"],
            stage=r["stage"],
            stage_entered_at=r["stage_entered_at"],
            version=r["version"],
            created_at=r["created_at"],
        )

    @strawberry.field
    def kind_label(self, info: Info) -> str:
        return domain.CaseKind(self.kind).label(info.context.lang)

    @strawberry.field
    def stage_label(self, info: Info) -> str:
        return domain.CaseStage(self.stage).label(info.context.lang)

    @strawberry.field
    async def compound(self, info: Info) -> Compound:
        row = await info.context.loaders.rows[CompoundModel].load(self.compound_id)
        return Compound.from_row(row)  # type: ignore[arg-type]


async def nested_page(
    info: Info, compound_id: int, first: int, kinds: tuple[domain.CaseKind, ...]
) -> Page:
    """A compound's newest cases as a page, batched with every other compound of the request."""
    from core.pagination import page_request

    size = page_request(first, None).first
    loaders = info.context.loaders
    rows = await loaders.latest_cases(size, kinds).load(compound_id)

    async def count() -> int:
        return await loaders.case_counts(kinds).load(compound_id)

    return Page(
        rows=rows[:size],
        has_next=len(rows) > size,
        has_previous=False,
        cursors=[encode_cursor(r["created_at"], r["id"]) for r in rows[:size]],
        count=count,
    )
