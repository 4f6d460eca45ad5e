"""Owners' votes as clients see them: the vote, its options, results and one's own ballot."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Any

import strawberry

from core.infra import enums as domain
from core.models import Compound as CompoundModel
from core.models import Firm as FirmModel
from core.votes import results
from core.votes import voting as votes
from core.votes.rules import Count
from schema.api.context import Info
from schema.api.ids import to_global_id
from schema.api.relay import Node
from schema.api.rows import FromRow
from schema.firms.types import Firm
from schema.places.types import Compound
from schema.votes.loaders import vote_loaders

VoteMatter = domain.VoteMatter
BallotChannel = domain.BallotChannel
VoteVerdict = domain.VoteVerdict
VoteRule = domain.VoteRule
VoteMeasure = domain.VoteMeasure
# Marked as GraphQL enums apart from the aliases, as in schema/api/enums.py (for mypy).
strawberry.enum(VoteMatter, description="The matters of Article 278 (1)-(9).")
strawberry.enum(BallotChannel)
strawberry.enum(VoteVerdict)
strawberry.enum(VoteRule)
strawberry.enum(VoteMeasure)


def square_metres(area_cm: int) -> str:
    """Hundredths of m² as the decimal text of m², e.g. 15000 -> "150.00"."""
    return str((Decimal(area_cm) / 100).quantize(Decimal("0.01")))


@strawberry.type(description="An exact share: numerator/denominator; percent is for display.")
class Ratio:
    numerator: str
    denominator: str
    percent: str = strawberry.field(description="Truncated to two decimals, never rounded up.")

    @classmethod
    def of(cls, share: Fraction) -> Ratio:
        percent = (Decimal(share.numerator * 100) / Decimal(share.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_DOWN
        )
        return cls(
            numerator=str(share.numerator), denominator=str(share.denominator), percent=str(percent)
        )


@strawberry.type(description="Owners and the exclusive area they hold (m², as text).")
class OwnerCount:
    heads: int
    area: str

    @classmethod
    def of(cls, count: Count) -> OwnerCount:
        return cls(heads=count.heads, area=square_metres(count.area_cm))


@strawberry.type(description="One choice on the ballot; `approves` counts towards passing.")
class VoteOption(Node):
    pk: strawberry.Private[int]
    position: int
    label: str
    approves: bool

    from_row = FromRow()


@strawberry.type
class OptionTally:
    option: VoteOption
    owners: OwnerCount


@strawberry.type(description="Turnout against the electorate frozen when the vote opened.")
class Turnout:
    electorate: OwnerCount
    participating: OwnerCount
    by_head: Ratio
    by_area: Ratio


@strawberry.type(
    description="Participation, approval and the verdict with the rule that decided it."
)
class VoteResult:
    turnout: Turnout
    approving: OwnerCount
    approval_by_head: Ratio
    approval_by_area: Ratio
    verdict: VoteVerdict
    rule: VoteRule = strawberry.field(
        description="The quorum rule when it failed, else the majority the matter needs."
    )
    failed_measures: list[VoteMeasure]
    options: list[OptionTally]

    @strawberry.field
    def verdict_label(self, info: Info) -> str:
        return domain.VoteVerdict(self.verdict).label(info.context.lang)

    @strawberry.field
    def rule_label(self, info: Info) -> str:
        return domain.VoteRule(self.rule).label(info.context.lang)


def _turnout(result: results.VoteResult) -> Turnout:
    return Turnout(
        electorate=OwnerCount.of(result.electorate),
        participating=OwnerCount.of(result.participating),
        by_head=Ratio.of(result.outcome.participation_heads),
        by_area=Ratio.of(result.outcome.participation_area),
    )


@strawberry.type(description="The caller's own ballot; nobody sees another owner's ballot.")
class Ballot(Node):
    pk: strawberry.Private[int]
    vote_id: strawberry.Private[int]
    option_id: strawberry.Private[int]
    channel: BallotChannel
    proxy_name: str | None
    cast_at: dt.datetime
    revision: int = strawberry.field(description="1 when cast, one more for each change.")

    from_row = FromRow()

    @strawberry.field
    async def option(self, info: Info) -> VoteOption:
        rows = await vote_loaders(info.context).options.load(self.vote_id)
        return next(VoteOption.from_row(r) for r in rows if r["id"] == self.option_id)


@strawberry.type(description="An owners' vote on one of the matters of Article 278.")
class Vote(Node):
    pk: strawberry.Private[int]
    row: strawberry.Private[dict[str, Any]]
    matter: VoteMatter
    title: str
    description: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    closed_at: dt.datetime | None
    ballots_changeable: bool = strawberry.field(description="The city's rule, frozen at opening.")
    electorate: OwnerCount = strawberry.field(description="Every owner, frozen at opening.")

    from_row = FromRow(
        computed={
            "row": lambda r: r,
            "electorate": lambda r: OwnerCount.of(
                Count(r["electorate_heads"], r["electorate_area_cm"])
            ),
        }
    )

    @strawberry.field
    def matter_label(self, info: Info) -> str:
        return domain.VoteMatter(self.matter).label(info.context.lang)

    @strawberry.field(description="Open for ballots now: opened and not closed.")
    def is_open(self) -> bool:
        return self.opens_at <= votes.now() and not votes.is_closed(self.row)

    @strawberry.field
    async def compound(self, info: Info) -> Compound:
        row = await info.context.loaders.rows[CompoundModel].load(self.row["compound_id"])
        return Compound.from_row(row)  # type: ignore[arg-type]

    @strawberry.field(description="The firm proposed, for a vote on hiring that names one.")
    async def firm(self, info: Info) -> Firm | None:
        if self.row["firm_id"] is None:
            return None
        row = await info.context.loaders.rows[FirmModel].load(self.row["firm_id"])
        return Firm.from_row(row) if row else None

    @strawberry.field
    async def options(self, info: Info) -> list[VoteOption]:
        rows = await vote_loaders(info.context).options.load(self.pk)
        return [VoteOption.from_row(r) for r in rows]

    @strawberry.field(description="The caller's own ballot (as an owner), if cast.")
    async def my_ballot(self, info: Info) -> Ballot | None:
        row = await vote_loaders(info.context).own_ballot.load(self.pk)
        return Ballot.from_row(row) if row else None

    async def _result(self, info: Info) -> results.VoteResult | None:
        if not votes.may_see_tally(info.context.principal, self.row):
            return None  # tallies while voting are for admins; everyone sees them once closed
        loaders = vote_loaders(info.context)
        options = await loaders.options.load(self.pk)
        tally = await loaders.tallies.load(self.pk)
        return results.result_of(self.row, options, tally)

    @strawberry.field(description="Null for residents until the vote closes.")
    async def turnout(self, info: Info) -> Turnout | None:
        result = await self._result(info)
        return _turnout(result) if result else None

    @strawberry.field(description="Null for residents until the vote closes.")
    async def result(self, info: Info) -> VoteResult | None:
        result = await self._result(info)
        if result is None:
            return None
        options = {r["id"]: r for r in await vote_loaders(info.context).options.load(self.pk)}
        outcome = result.outcome
        return VoteResult(
            turnout=_turnout(result),
            approving=OwnerCount.of(result.approving),
            approval_by_head=Ratio.of(outcome.approval_heads),
            approval_by_area=Ratio.of(outcome.approval_area),
            verdict=outcome.verdict,
            rule=outcome.rule,
            failed_measures=list(outcome.failed),
            options=[
                OptionTally(option=VoteOption.from_row(options[i]), owners=OwnerCount.of(c))
                for i, c in result.by_option.items()
            ],
        )


@strawberry.type(description="An owner in a vote's frozen electorate: units and area, no names.")
class Elector(Node):
    pk: strawberry.Private[int]
    units: str
    heads: int
    area: str
    voted: bool = strawberry.field(description="Whether this owner has a ballot (not which).")

    from_row = FromRow(computed={"area": lambda r: square_metres(r["area_cm"])})


@strawberry.type(description="A unit under exclusive ownership, with its registered area.")
class Unit(Node):
    pk: strawberry.Private[int]
    compound_id: strawberry.Private[int]
    number: str
    area: str = strawberry.field(description="Exclusive floor area in m², two decimals.")
    owners_count: int = strawberry.field(description="Co-owners count as one owner in votes.")

    @classmethod
    def from_row(cls, r: dict[str, Any], owners_count: int) -> Unit:
        return cls(
            id=strawberry.ID(to_global_id("Unit", r["id"])),
            pk=r["id"],
            compound_id=r["compound_id"],
            number=r["number"],
            area=str(Decimal(str(r["area"])).quantize(Decimal("0.01"))),
            owners_count=owners_count,
        )

    @strawberry.field
    async def compound(self, info: Info) -> Compound:
        row = await info.context.loaders.rows[CompoundModel].load(self.compound_id)
        return Compound.from_row(row)  # type: ignore[arg-type]
