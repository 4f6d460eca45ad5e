"""How the replay of a keyed create reads each core object again (schema/api/replays.py).

Each read is the one that serves the object to its readers, with the caller's role and
scope applied now; objects the API has no read for (units, ballots a staff member entered)
are read under the rule that let the caller make them.
"""

from __future__ import annotations

from core.cases import councils
from core.cases import filing as cases
from core.firms import contracts
from core.grassroots import listing, workitems
from core.models import BuildingHead as BuildingHeadModel
from core.models import CommunityWorker as CommunityWorkerModel
from core.votes import owners
from core.votes import voting as votes
from schema.api.context import Info
from schema.api.replays import by_pk
from schema.cases.record_types import CouncilMeeting
from schema.cases.types import Case
from schema.firms.types import ManagementContract
from schema.grassroots.types import BuildingHead, CommunityWorker, WorkItem, WorkItemRequest
from schema.votes.loaders import vote_loaders
from schema.votes.types import Ballot, Unit, Vote


async def _case(info: Info, pk: int) -> Case | None:
    rows = await cases.cases_by_id(info.context.principal, [pk])
    return Case.from_row(rows[pk]) if pk in rows else None


async def _meeting(info: Info, pk: int) -> CouncilMeeting | None:
    row = await councils.meeting_by_id(info.context.principal, pk)
    return CouncilMeeting.from_row(row) if row else None


async def _work_item(info: Info, pk: int) -> WorkItem | None:
    rows = await workitems.items_by_id([pk])  # the admitted list is public
    return WorkItem.from_row(rows[pk]) if pk in rows else None


async def _request(info: Info, pk: int) -> WorkItemRequest | None:
    rows = await workitems.requests_by_id(info.context.principal, [pk])
    return WorkItemRequest.from_row(rows[pk]) if pk in rows else None


async def _building_head(info: Info, pk: int) -> BuildingHead | None:
    rows = await listing.people_by_id(info.context.principal, BuildingHeadModel, [pk])
    return BuildingHead.from_row(rows[pk]) if pk in rows else None


async def _worker(info: Info, pk: int) -> CommunityWorker | None:
    rows = await listing.people_by_id(info.context.principal, CommunityWorkerModel, [pk])
    return CommunityWorker.from_row(rows[pk]) if pk in rows else None


async def _vote(info: Info, pk: int) -> Vote | None:
    row = await vote_loaders(info.context).vote.load(pk)  # as `vote(id:)` reads it
    return Vote.from_row(row) if row else None


async def _ballot(info: Info, pk: int) -> Ballot | None:
    row = await votes.ballot_by_id(info.context.principal, pk)
    return Ballot.from_row(row) if row else None


async def _contract(info: Info, pk: int) -> ManagementContract | None:
    row = await contracts.contract_by_id(pk)
    return ManagementContract.from_row(row) if row else None


async def _unit(info: Info, pk: int) -> Unit | None:
    row = await owners.unit_by_id(info.context.principal, pk)
    if row is None:
        return None
    return Unit.from_row(row, (await owners.owner_counts([pk]))[pk])


CASE = by_pk("Case", _case)
COUNCIL_MEETING = by_pk("CouncilMeeting", _meeting)
WORK_ITEM = by_pk("WorkItem", _work_item)
WORK_ITEM_REQUEST = by_pk("WorkItemRequest", _request)
BUILDING_HEAD = by_pk("BuildingHead", _building_head)
COMMUNITY_WORKER = by_pk("CommunityWorker", _worker)
VOTE = by_pk("Vote", _vote)
BALLOT = by_pk("Ballot", _ballot)
MANAGEMENT_CONTRACT = by_pk("ManagementContract", _contract)
UNIT = by_pk("Unit", _unit)
