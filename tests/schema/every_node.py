"""One object of every Node type of the core schema, for the `node(id:)` tests.

`node_types()` reads the types from the schema itself, so a new Node type without an object
here fails the tests that use `one_of_each()`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import graphql

from core.infra.enums import (
    BallotChannel,
    CaseKind,
    CaseStage,
    CompoundKind,
    OrganisationKind,
    ProcurementMethod,
    Role,
    VoteMatter,
    WorkItemOutcome,
)
from core.infra.tenancy import in_city
from core.models import (
    AuditEntry,
    Ballot,
    Building,
    BuildingHead,
    BuildingHeadCoverage,
    Case,
    Community,
    CommunityWorker,
    Compound,
    Elector,
    ElectorMember,
    Firm,
    Grid,
    ManagementContract,
    Mediator,
    Organisation,
    PartyMemberReport,
    Person,
    ServiceDelivery,
    ServicePurchaseRecord,
    SocialWorker,
    Street,
    Unit,
    UnitOwnership,
    Volunteer,
    Vote,
    VoteOption,
    WorkItem,
    WorkItemRequest,
    WorkItemRequestCommunity,
)
from schema.api.build import core_schema
from schema.api.ids import to_global_id

# The token subject of tests.conftest.token(city, CITY_ADMIN): who entered the paper ballot.
ADMIN_SUBJECT = f"{Role.CITY_ADMIN.value.lower()}@dongguan"
# Read by every caller; the other types only by roles that read them through their own field.
PUBLIC = frozenset(
    {
        "Street", "Community", "Compound", "Building", "Grid", "Organisation", "Firm",
        "ManagementContract", "WorkItem",
    }
)  # fmt: skip


def node_types() -> list[str]:
    """Every object type of the core schema that implements Node."""
    schema = core_schema()._schema
    node = schema.get_type("Node")
    assert isinstance(node, graphql.GraphQLInterfaceType)
    return sorted(t.name for t in schema.get_possible_types(node))


def scalar_fields(type_name: str) -> list[str]:
    """The type's fields that take no arguments and answer a scalar or an enum."""
    gtype = core_schema()._schema.get_type(type_name)
    assert isinstance(gtype, graphql.GraphQLObjectType)
    return [
        name
        for name, field in gtype.fields.items()
        if graphql.is_leaf_type(graphql.get_named_type(field.type))
        and not any(graphql.is_required_argument(a) for a in field.args.values())
    ]


def node_query(type_name: str) -> str:
    return (
        f"query($id: ID!) {{ node(id: $id) {{ __typename id "
        f"... on {type_name} {{ {' '.join(scalar_fields(type_name))} }} }} }}"
    )


async def one_of_each(city: str = "dongguan") -> dict[str, str]:
    """Type name -> the global ID of one object of that type, all in one compound."""
    day = dt.date(2026, 3, 1)
    at = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    with in_city(city):
        street = await Street.create(name="节点街道")
        community = await Community.create(street=street, name="节点社区")
        compound = await Compound.create(
            community=community, name="节点小区", kind=CompoundKind.COMMERCIAL_RESIDENTIAL, homes=10
        )
        grid = await Grid.create(community=community, name="节点网格", code="N-1")
        building = await Building.create(compound=compound, grid=grid, name="1栋", homes=10)
        organisation = await Organisation.create(
            kind=OrganisationKind.PARTY_COMMUNITY, name="节点社区党委", community=community
        )
        committee = await Organisation.create(
            kind=OrganisationKind.MEDIATION_COMMITTEE, name="节点调委会", community=community
        )
        provider = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION, name="节点社工站"
        )
        department = await Organisation.create(
            kind=OrganisationKind.GOVERNMENT_DEPARTMENT, name="节点民政局"
        )
        firm = await Firm.create(name="节点物业", registration_number="91441900NODE0001")
        contract = await ManagementContract.create(
            compound=compound, firm=firm, starts_on=dt.date(2024, 1, 1)
        )
        case = await Case.create(
            kind=CaseKind.SERVICE_REQUEST,
            title="节点事项",
            description="",
            compound=compound,
            stage=CaseStage.ACCEPTED,
            stage_entered_at=at,
        )
        person = await Person.create(
            name="节点业主", roles=["OWNER"], phone="13912345678", organisation=organisation
        )
        unit = await Unit.create(compound=compound, building=building, number="101", area=88)
        await UnitOwnership.create(unit=unit, person=person)
        vote = await Vote.create(
            compound=compound, matter=VoteMatter.OTHER_MAJOR_MATTER, title="节点表决",
            opens_at=at, closes_at=at + dt.timedelta(days=3650), electorate_heads=1,
            electorate_area_cm=8800,
        )  # fmt: skip
        option = await VoteOption.create(vote=vote, position=1, label="同意", approves=True)
        elector = await Elector.create(vote=vote, heads=1, area_cm=8800, units="1栋101")
        await ElectorMember.create(vote=vote, elector=elector, person=person)
        ballot = await Ballot.create(
            vote=vote, elector=elector, option=option, channel=BallotChannel.IN_PERSON,
            entered_by_subject=ADMIN_SUBJECT, cast_at=at,
        )  # fmt: skip
        head = await BuildingHead.create(person=person, duties=["MEDIATOR"], appointed_on=day)
        await BuildingHeadCoverage.create(head=head, building=building)
        worker = await CommunityWorker.create(person=person, community=community, admitted_on=day)
        member = await PartyMemberReport.create(person=person, community=community, reported_on=day)
        volunteer = await Volunteer.create(person=person, community=community, registered_on=day)
        mediator = await Mediator.create(person=person, committee=committee, appointed_on=day)
        item = await WorkItem.create(name="节点事项清单", admitted_on=day)
        request = await WorkItemRequest.create(
            department=department, work_item=item, item_name=item.name, requested_on=day,
            outcome=WorkItemOutcome.ACCEPTED,
        )  # fmt: skip
        await WorkItemRequestCommunity.create(request=request, community=community)
        purchase = await ServicePurchaseRecord.create(
            title="节点购买", category="ELDERLY_CARE", provider=provider, community=community,
            amount=Decimal("1000.00"), period_start=day, period_end=day,
            procurement_method=ProcurementMethod.INQUIRY,
        )  # fmt: skip
        worker = await SocialWorker.create(
            person=person, qualification="社会工作师", registered_on=day, organisation=provider
        )
        delivery = await ServiceDelivery.create(
            purchase=purchase, delivered_on=day, activity="节点探访", beneficiaries=3, hours=2
        )
        entry = await AuditEntry.create(
            subject=ADMIN_SUBJECT, role=Role.CITY_ADMIN.value, scope="city",
            operation="fileCase", target_ids=[to_global_id("Case", case.id)], summary={},
            outcome="OK",
        )  # fmt: skip
    made = {
        "Street": street, "Community": community, "Compound": compound, "Grid": grid,
        "Building": building, "Organisation": organisation, "Firm": firm,
        "ManagementContract": contract, "Case": case, "Person": person, "Unit": unit,
        "Vote": vote, "VoteOption": option, "Elector": elector, "Ballot": ballot,
        "BuildingHead": head, "CommunityWorker": worker, "PartyMember": member,
        "Volunteer": volunteer, "Mediator": mediator, "WorkItem": item,
        "WorkItemRequest": request, "ServicePurchase": purchase, "AuditEntry": entry,
        "SocialWorker": worker, "ServiceDelivery": delivery,
    }  # fmt: skip
    return {name: to_global_id(name, row.id) for name, row in made.items()}
