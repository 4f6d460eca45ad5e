"""`node(id:)`: every Node type read by its primary key, as the caller may read it elsewhere.

Each read is the one that serves the type through its own root field or loader, with the
caller's role and scope (schema/api/rereads.py has most of them): a caller who may not read
an object, by role or by scope, gets null, the same as for an ID that does not exist.
tests/schema/api/test_node.py fails when a Node type of the schema has no read here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from core.grassroots import listing, people
from core.infra.errors import AuthError
from core.models import Building as BuildingModel
from core.models import Community as CommunityModel
from core.models import Compound as CompoundModel
from core.models import Firm as FirmModel
from core.models import Grid as GridModel
from core.models import Mediator as MediatorModel
from core.models import Organisation as OrganisationModel
from core.models import PartyMemberReport
from core.models import Street as StreetModel
from core.models import Volunteer as VolunteerModel
from core.models.base import CityModel
from core.security import audit
from core.security.access import require_role
from core.votes import voting as votes
from schema.api.context import Info
from schema.api.relay import Node
from schema.api.rereads import (
    BALLOT,
    BUILDING_HEAD,
    COMMUNITY_WORKER,
    MANAGEMENT_CONTRACT,
    UNIT,
    VOTE,
    WORK_ITEM,
    WORK_ITEM_REQUEST,
)
from schema.cases.types import Case
from schema.firms.types import Firm
from schema.grassroots.people import Person
from schema.grassroots.types import Mediator, PartyMember, Volunteer
from schema.organisations.types import Organisation
from schema.places.types import Building, Community, Compound, Grid, Street
from schema.purchases.fields import SERVICE_DELIVERY, SERVICE_PURCHASE, SOCIAL_WORKER
from schema.security.audit import AUDITORS, AuditEntry
from schema.votes.types import Elector, VoteOption

NodeRead = Callable[[Info, int], Awaitable[Any]]


def _public(model: type[CityModel], make: Callable[[dict[str, Any]], Any]) -> NodeRead:
    """The public directory: every caller reads it, through the request's row loaders."""

    async def read(info: Info, pk: int) -> Any:
        row = await info.context.loaders.rows[model].load(pk)
        return make(row) if row else None

    return read


async def _case(info: Info, pk: int) -> Case | None:
    row = await info.context.loaders.case.load(pk)  # the caller's case visibility
    return Case.from_row(row) if row else None


def _roster(model: type[CityModel], make: Callable[[dict[str, Any]], Any]) -> NodeRead:
    """Party members, volunteers, mediators: as their root lists show them."""

    async def read(info: Info, pk: int) -> Any:
        rows = await listing.people_by_id(info.context.principal, model, [pk])
        return make(rows[pk]) if pk in rows else None

    return read


async def _person(info: Info, pk: int) -> Person | None:
    principal = info.context.principal
    row = await people.person_by_id(principal, pk)
    return Person.from_row(principal, row) if row else None  # masked as `people` masks it


async def _option(info: Info, pk: int) -> VoteOption | None:
    row = await votes.option_by_id(info.context.principal, pk)
    return VoteOption.from_row(row) if row else None


async def _elector(info: Info, pk: int) -> Elector | None:
    row = await votes.elector_by_id(info.context.principal, pk)
    return Elector.from_row(row) if row else None


async def _audit_entry(info: Info, pk: int) -> AuditEntry | None:
    require_role(info.context.principal, AUDITORS)  # as `auditLog`
    row = await audit.entry_by_id(pk)
    return AuditEntry.from_row(row) if row else None


READS: dict[str, NodeRead] = {
    "Street": _public(StreetModel, Street.from_row),
    "Community": _public(CommunityModel, Community.from_row),
    "Compound": _public(CompoundModel, Compound.from_row),
    "Building": _public(BuildingModel, Building.from_row),
    "Grid": _public(GridModel, Grid.from_row),
    "Organisation": _public(OrganisationModel, Organisation.from_row),
    "Firm": _public(FirmModel, Firm.from_row),
    "ManagementContract": MANAGEMENT_CONTRACT.read,
    "Case": _case,
    "Vote": VOTE.read,
    "VoteOption": _option,
    "Elector": _elector,
    "Ballot": BALLOT.read,
    "Unit": UNIT.read,
    "Person": _person,
    "BuildingHead": BUILDING_HEAD.read,
    "CommunityWorker": COMMUNITY_WORKER.read,
    "PartyMember": _roster(PartyMemberReport, PartyMember.from_row),
    "Volunteer": _roster(VolunteerModel, Volunteer.from_row),
    "Mediator": _roster(MediatorModel, Mediator.from_row),
    "WorkItem": WORK_ITEM.read,
    "WorkItemRequest": WORK_ITEM_REQUEST.read,
    "ServicePurchase": SERVICE_PURCHASE.read,
    "ServiceDelivery": SERVICE_DELIVERY.read,
    "SocialWorker": SOCIAL_WORKER.read,
    "AuditEntry": _audit_entry,
}


async def read_node(info: Info, type_name: str, pk: int) -> Node | None:
    """The object, or None: unknown type, no such row, or not the caller's to read."""
    read = READS.get(type_name)
    if read is None:
        return None
    try:
        found: Node | None = await read(info, pk)
    except AuthError:
        return None  # a role that may not read this type: absent, as beyond one's scope
    return found
