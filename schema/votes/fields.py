"""Root fields of the votes area: owners' votes, ballots, and the contracts they authorise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from core.firms import contracts
from core.infra import enums as domain
from core.infra.pagination import page_request
from core.security.access import require_role
from core.votes import ballots, owners, results
from core.votes import voting as votes
from schema.api import lookahead
from schema.api.context import Info
from schema.api.enums import ManagementMode
from schema.api.errors import UserError, attempt
from schema.api.ids import optional_pk, pk_of
from schema.api.relay import Connection, connection
from schema.api.replays import attempt_create, by_pk, key_description
from schema.api.rereads import BALLOT, UNIT, VOTE
from schema.firms.types import ManagementContract
from schema.places.types import Compound
from schema.votes.loaders import vote_loaders
from schema.votes.types import Ballot, BallotChannel, Elector, Unit, Vote, VoteMatter

OpenKey = Annotated[str | None, key_description("the vote is opened")]
CastKey = Annotated[str | None, key_description("the ballot is cast")]
HireKey = Annotated[str | None, key_description("the contract is recorded")]
UnitKey = Annotated[str | None, key_description("the unit is recorded")]


@strawberry.input
class VoteFilter:
    compound_id: strawberry.ID | None = None
    matter: list[VoteMatter] | None = None
    open_only: bool = False

    def to_core(self) -> votes.VoteFilter:
        return votes.VoteFilter(
            compound_id=optional_pk(self.compound_id, "Compound", "filter.compoundId"),
            matters=tuple(domain.VoteMatter(m) for m in self.matter or ()),
            open_only=self.open_only,
        )


@strawberry.type
class VotesQuery:
    @strawberry.field(description="Votes of the compounds in the caller's scope, newest first.")
    async def votes(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: VoteFilter | None = None,
    ) -> Connection[Vote]:
        require_role(info.context.principal, votes.READERS)
        page = await votes.list_votes(
            info.context.principal, (filter or VoteFilter()).to_core(), page_request(first, after)
        )
        return connection(page, Vote.from_row)

    @strawberry.field(description="One vote by its ID; null outside the caller's scope.")
    async def vote(self, info: Info, id: strawberry.ID) -> Vote | None:
        row = await vote_loaders(info.context).vote.load(pk_of(id, "Vote", "id"))
        return Vote.from_row(row) if row else None

    @strawberry.field(description="A vote's frozen owner list, for admins: units, areas, voted.")
    async def vote_electors(
        self, info: Info, vote_id: strawberry.ID, first: int | None = None, after: str | None = None
    ) -> Connection[Elector]:
        page = await votes.list_electors(
            info.context.principal, pk_of(vote_id, "Vote", "voteId"), page_request(first, after)
        )
        return connection(page, Elector.from_row)

    @strawberry.field(
        description="Compounds whose contract in force has no supporting owners' vote and "
        "which are not exempt (public rental housing is decided by the housing authority)."
    )
    async def compounds_without_supporting_vote(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Compound]:
        page = await contracts.list_compounds_without_supporting_vote(
            info.context.principal, page_request(first, after)
        )
        await lookahead.compounds(info, page.rows)
        return connection(page, Compound.from_row)


@strawberry.input
class VoteOptionInput:
    label: str
    approves: bool = False


@strawberry.input
class OpenVoteInput:
    compound_id: strawberry.ID
    matter: VoteMatter
    title: str
    closes_at: dt.datetime
    opens_at: dt.datetime | None = None
    description: str = ""
    options: list[VoteOptionInput] | None = strawberry.field(
        default=None, description="Default: 同意 (approves), 反对, 弃权."
    )
    firm_id: strawberry.ID | None = None


@strawberry.input
class BallotInput:
    vote_id: strawberry.ID
    option_id: strawberry.ID
    channel: BallotChannel = BallotChannel.ONLINE
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Paper and proxy ballots: the owner (a Person)."
    )
    elector_id: strawberry.ID | None = None
    proxy_name: str | None = None

    def to_core(self) -> ballots.BallotInput:
        return ballots.BallotInput(
            vote_id=pk_of(self.vote_id, "Vote", "voteId"),
            option_id=pk_of(self.option_id, "VoteOption", "optionId"),
            channel=domain.BallotChannel(self.channel),
            owner_id=optional_pk(self.owner_id, "Person", "ownerId"),
            elector_id=optional_pk(self.elector_id, "Elector", "electorId"),
            proxy_name=self.proxy_name,
        )


@strawberry.input
class CreateManagementContractInput:
    compound_id: strawberry.ID
    firm_id: strawberry.ID
    starts_on: dt.date
    mode: ManagementMode = ManagementMode.PROPERTY_FIRM
    vote_id: strawberry.ID | None = strawberry.field(
        default=None, description="The owners' passed vote on hiring the firm."
    )
    authority_decision: str | None = strawberry.field(
        default=None, description="Public rental housing only: the housing authority's decision."
    )


@strawberry.input
class ChangeManagementModeInput:
    compound_id: strawberry.ID
    mode: ManagementMode
    effective_on: dt.date
    vote_id: strawberry.ID | None = None
    authority_decision: str | None = None


@strawberry.input
class RecordUnitInput:
    compound_id: strawberry.ID
    number: str
    area: Decimal = strawberry.field(description="Exclusive floor area in m², two decimals.")
    owner_ids: list[strawberry.ID] = strawberry.field(description="People; several: co-owned.")
    building_id: strawberry.ID | None = None


@strawberry.type
class ChangeManagementModePayload:
    compound: Compound | None
    errors: list[UserError]


@strawberry.type
class RecordUnitPayload:
    unit: Unit | None
    errors: list[UserError]


@strawberry.type
class VotePayload:
    vote: Vote | None
    errors: list[UserError]


@strawberry.type
class BallotPayload:
    ballot: Ballot | None
    errors: list[UserError]


@strawberry.type
class CreateManagementContractPayload:
    contract: ManagementContract | None
    authority_decision: str | None = strawberry.field(
        description="Recorded instead of a vote for public rental housing."
    )
    vote: Vote | None
    errors: list[UserError]


@strawberry.type
class VotesMutation:
    @strawberry.mutation(description="Open a vote and freeze its electorate (admins).")
    async def open_vote(
        self, info: Info, input: OpenVoteInput, idempotency_key: OpenKey = None
    ) -> VotePayload:
        async def act() -> Vote:
            data = votes.OpenVoteInput(
                compound_id=pk_of(input.compound_id, "Compound", "compoundId"),
                matter=domain.VoteMatter(input.matter),
                title=input.title,
                closes_at=input.closes_at,
                opens_at=input.opens_at,
                description=input.description,
                options=tuple(votes.OptionInput(o.label, o.approves) for o in input.options or ()),
                firm_id=optional_pk(input.firm_id, "Firm", "firmId"),
            )
            return Vote.from_row(await votes.open_vote(info.context.principal, data))

        vote, errors = await attempt_create(info, act, idempotency_key, VOTE)
        return VotePayload(vote=vote, errors=errors)

    @strawberry.mutation(description="Cast an owner's one ballot: online, in person or by proxy.")
    async def cast_ballot(
        self, info: Info, input: BallotInput, idempotency_key: CastKey = None
    ) -> BallotPayload:
        async def act() -> Ballot:
            row = await ballots.cast_ballot(info.context.principal, input.to_core())
            return Ballot.from_row(row)

        ballot, errors = await attempt_create(info, act, idempotency_key, BALLOT)
        return BallotPayload(ballot=ballot, errors=errors)

    @strawberry.mutation(description="Change a cast ballot before closing, where the city allows.")
    async def change_ballot(self, info: Info, input: BallotInput) -> BallotPayload:
        async def act() -> Ballot:
            row = await ballots.cast_ballot(info.context.principal, input.to_core(), change=True)
            return Ballot.from_row(row)

        ballot, errors = await attempt(info, act)
        return BallotPayload(ballot=ballot, errors=errors)

    @strawberry.mutation(
        description="Close a vote once its closing time has come; records the verdict."
    )
    async def close_vote(self, info: Info, vote_id: strawberry.ID) -> VotePayload:
        async def act() -> Vote:
            pk = pk_of(vote_id, "Vote", "voteId")
            return Vote.from_row(await results.close_vote(info.context.principal, pk))

        vote, errors = await attempt(info, act)
        return VotePayload(vote=vote, errors=errors)

    @strawberry.mutation(
        description="Hire a firm for a compound: needs the owners' passed vote on matter (4), "
        "or for public rental housing the housing authority's decision."
    )
    async def create_management_contract(
        self, info: Info, input: CreateManagementContractInput, idempotency_key: HireKey = None
    ) -> CreateManagementContractPayload:
        made: dict[str, Any] = {}  # the contract's row, as made or as read again

        async def act() -> ManagementContract:
            # The contract is the payload's object, so the audit entry points at it.
            row = await contracts.create_management_contract(
                info.context.principal,
                pk_of(input.compound_id, "Compound", "compoundId"),
                pk_of(input.firm_id, "Firm", "firmId"),
                input.starts_on,
                domain.ManagementMode(input.mode),
                vote_id=optional_pk(input.vote_id, "Vote", "voteId"),
                authority_decision=input.authority_decision,
            )
            made.update(row)
            return ManagementContract.from_row(row)

        async def reread(info: Info, pk: int) -> ManagementContract | None:
            row = await contracts.contract_by_id(pk)
            made.update(row or {})
            return ManagementContract.from_row(row) if row else None

        contract, errors = await attempt_create(
            info, act, idempotency_key, by_pk("ManagementContract", reread)
        )
        vote = None
        if contract is not None and made["vote_id"] is not None:
            found = await vote_loaders(info.context).vote.load(made["vote_id"])
            vote = Vote.from_row(found) if found else None
        return CreateManagementContractPayload(
            contract=contract,
            authority_decision=made.get("authority_decision"),
            vote=vote,
            errors=errors,
        )

    @strawberry.mutation(
        description="Change how a compound is managed: the same vote rule as hiring a firm."
    )
    async def change_management_mode(
        self, info: Info, input: ChangeManagementModeInput
    ) -> ChangeManagementModePayload:
        async def act() -> Compound:
            row = await contracts.change_management_mode(
                info.context.principal,
                pk_of(input.compound_id, "Compound", "compoundId"),
                domain.ManagementMode(input.mode),
                input.effective_on,
                vote_id=optional_pk(input.vote_id, "Vote", "voteId"),
                authority_decision=input.authority_decision,
            )
            return Compound.from_row(row)

        compound, errors = await attempt(info, act)
        return ChangeManagementModePayload(compound=compound, errors=errors)

    @strawberry.mutation(description="Record a unit and its owner(s) in a compound's register.")
    async def record_unit(
        self, info: Info, input: RecordUnitInput, idempotency_key: UnitKey = None
    ) -> RecordUnitPayload:
        async def act() -> Unit:
            data = owners.UnitInput(
                compound_id=pk_of(input.compound_id, "Compound", "compoundId"),
                number=input.number,
                area=input.area,
                owner_ids=tuple(pk_of(i, "Person", "ownerIds") for i in input.owner_ids),
                building_id=optional_pk(input.building_id, "Building", "buildingId"),
            )
            row = await owners.record_unit(info.context.principal, data)
            counts = await owners.owner_counts([row["id"]])
            return Unit.from_row(row, counts[row["id"]])

        unit, errors = await attempt_create(info, act, idempotency_key, UNIT)
        return RecordUnitPayload(unit=unit, errors=errors)
