"""The governance figures as GraphQL: `figures(asOf, streetId | communityId)` for admins."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from core.figures import report as figures
from core.figures.report import Area
from core.infra import clock
from core.infra import enums as domain
from schema.api.context import Info
from schema.api.enums import CaseStage
from schema.api.ids import optional_pk, to_global_id

AreaKind = figures.AreaKind
# Marked as GraphQL enums apart from the aliases, as in schema/api/enums.py (for mypy).
strawberry.enum(AreaKind)


@strawberry.type(description="covered of total; share is null when total is 0.")
class Coverage:
    covered: int
    total: int
    share: float | None

    @classmethod
    def of(cls, c: figures.Coverage) -> Coverage:
        return cls(covered=c.covered, total=c.total, share=c.share)


@strawberry.type(description="Cases in one stage as of the date.")
class StageFigure:
    stage: CaseStage
    cases: int
    overdue: int
    median_days_in_stage: float | None
    p90_days_in_stage: float | None

    @strawberry.field
    def stage_label(self, info: Info) -> str:
        return domain.CaseStage(self.stage).label(info.context.lang)


@strawberry.type
class CaseFigures:
    total: int
    open: int
    overdue: int
    by_stage: list[StageFigure] = strawberry.field(description="Every stage, zeros included.")
    mean_rating: float | None = strawberry.field(description="Mean resident rating (1-5).")
    ratings: int

    @classmethod
    def of(cls, c: figures.CaseFigures) -> CaseFigures:
        return cls(
            total=c.total,
            open=c.open,
            overdue=c.overdue,
            by_stage=[
                StageFigure(
                    stage=s.stage,
                    cases=s.cases,
                    overdue=s.overdue,
                    median_days_in_stage=s.median_days,
                    p90_days_in_stage=s.p90_days,
                )
                for s in c.by_stage
            ],
            mean_rating=c.mean_rating,
            ratings=c.ratings,
        )


@strawberry.type(description="A firm by compounds under a contract in force on the date.")
class FirmRank:
    firm_id: strawberry.ID
    name: str
    compounds: int
    homes: int
    cases: int
    cases_per_1000_homes: float | None


@strawberry.type(description="Committed spend on purchased services in one category.")
class CategorySpend:
    category: str
    purchases: int
    amount: float = strawberry.field(
        description="Yuan committed: running contracts' amounts, what was paid under ended ones."
    )
    paid: float = strawberry.field(description="Yuan paid under closed or cancelled contracts.")


@strawberry.type(description="What a city reports about its governance; docs/figures.md.")
class Figures:
    area_kind: AreaKind
    area_id: strawberry.ID | None
    as_of: dt.date
    party_coverage: Coverage = strawberry.field(
        description="Mature compounds with a compound party branch."
    )
    property_management_coverage: Coverage = strawberry.field(
        description="Compounds with a contract in force, or self-managed / community caretaker."
    )
    building_head_coverage: Coverage = strawberry.field(
        description="Buildings covered by a serving building head."
    )
    grid_party_branch_coverage: Coverage = strawberry.field(
        description="Grids with a grid party branch."
    )
    council_compliance: Coverage = strawberry.field(
        description="Compounds with a held co-construction council meeting in the last 6 months."
    )
    cases: CaseFigures
    _area: strawberry.Private[Area]

    @strawberry.field(description="Firms ranked by compounds managed in the area.")
    async def firm_ranking(self, first: int = 10) -> list[FirmRank]:
        ranks = await figures.firm_ranking(self._area, self.as_of, limit=max(0, min(first, 50)))
        return [
            FirmRank(
                firm_id=strawberry.ID(to_global_id("Firm", r.firm_id)),
                name=r.name,
                compounds=r.compounds,
                homes=r.homes,
                cases=r.cases,
                cases_per_1000_homes=r.cases_per_1000_homes,
            )
            for r in ranks
        ]

    @strawberry.field(
        description="Government purchase of services contracted this calendar year up to "
        "asOf, by category; proposals commit nothing."
    )
    async def purchase_spend(self) -> list[CategorySpend]:
        spend = await figures.purchase_spend(self._area, self.as_of)
        return [CategorySpend(category=c.category, purchases=c.purchases, amount=c.amount,
                              paid=c.paid) for c in spend]  # fmt: skip

    @classmethod
    def of(cls, f: figures.Figures) -> Figures:
        area_id: Any = None
        if f.area.id is not None:
            type_name = "Street" if f.area.kind is figures.AreaKind.STREET else "Community"
            area_id = strawberry.ID(to_global_id(type_name, f.area.id))
        return cls(
            area_kind=f.area.kind,
            area_id=area_id,
            as_of=f.as_of,
            party_coverage=Coverage.of(f.party_coverage),
            property_management_coverage=Coverage.of(f.property_management_coverage),
            building_head_coverage=Coverage.of(f.building_head_coverage),
            grid_party_branch_coverage=Coverage.of(f.grid_party_branch_coverage),
            council_compliance=Coverage.of(f.council_compliance),
            cases=CaseFigures.of(f.cases),
            _area=f.area,
        )


def today(city: str) -> dt.date:
    return clock.local_date(clock.now(), city)


@strawberry.type
class FiguresQuery:
    @strawberry.field(
        description="The governance figures of the city, a street or a community, as of a "
        "date (today by default). City admins: any area; street admins: their street."
    )
    async def figures(
        self,
        info: Info,
        as_of: dt.date | None = None,
        street_id: strawberry.ID | None = None,
        community_id: strawberry.ID | None = None,
    ) -> Figures:
        area = await figures.area_for(
            info.context.principal,
            optional_pk(street_id, "Street", "streetId"),
            optional_pk(community_id, "Community", "communityId"),
        )
        return Figures.of(await figures.figures(area, as_of or today(info.context.city)))
