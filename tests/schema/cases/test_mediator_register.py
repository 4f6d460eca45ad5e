"""assignMediator reads the register `mediators` lists: one register of mediators."""

from __future__ import annotations

import datetime as dt

import pytest

from core.infra.clock import frozen_at
from core.infra.enums import OrganisationKind, Role
from core.infra.tenancy import in_city
from core.models import Mediator, Organisation, Person
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town

NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
FILE = """mutation($input: FileCaseInput!) { fileCase(input: $input) {
    case { id version } errors { field code } } }"""
ASSIGN = """mutation($input: AssignMediatorInput!) { assignMediator(input: $input) {
    case { id version } errors { field code } } }"""
LIST = """query($d: Date) { mediators(first: 50, servingOn: $d) {
    nodes { personName committee { name } } } }"""


@pytest.fixture
async def town(empty_db: str) -> Town:
    return await build_town("dongguan", compounds=2, cases_each=0)


@pytest.fixture(autouse=True)
def clock():
    with frozen_at(NOW):
        yield


async def test_the_listed_mediators_are_the_ones_assignable(town: Town, gql: GraphQLClient):
    community = town.communities[0]
    with in_city("dongguan"):
        committee = await Organisation.create(
            kind=OrganisationKind.MEDIATION_COMMITTEE, name="宏图社区人民调解委员会",
            community=community,
        )  # fmt: skip
        listed = await Person.create(name="王调解")  # on the register, no organisation
        await Mediator.create(person=listed, committee=committee, appointed_on=dt.date(2024, 1, 1))
        retired = await Person.create(name="赵调解")
        await Mediator.create(
            person=retired, committee=committee, appointed_on=dt.date(2020, 1, 1),
            ended_on=dt.date(2025, 12, 31),
        )  # fmt: skip
        # Works in the committee's office but was never appointed a mediator.
        clerk = await Person.create(name="钱文员", organisation=committee)
    admin = token("dongguan", Role.STREET_ADMIN, Scope(ScopeKind.STREET, town.streets[0].id))
    serving = await gql(LIST, {"d": "2026-06-01"}, auth=admin)
    assert serving["data"]["mediators"]["nodes"] == [
        {"personName": "王调解", "committee": {"name": "宏图社区人民调解委员会"}}
    ]

    mediator = token("dongguan", Role.MEDIATOR, Scope(ScopeKind.COMMUNITY, community.id))
    resident = token(
        "dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, town.compounds[0].id), subject="o-1"
    )
    filed = await gql(
        FILE,
        {
            "input": {
                "kind": "MEDIATION",
                "title": "噪音",
                "compoundId": to_global_id("Compound", town.compounds[0].id),
            }
        },
        auth=resident,
    )
    case = filed["data"]["fileCase"]["case"]

    async def assign(person: Person) -> dict:
        body = await gql(
            ASSIGN,
            {
                "input": {
                    "caseId": case["id"],
                    "version": case["version"],
                    "mediatorId": to_global_id("Person", person.id),
                }
            },
            auth=mediator,
        )
        return body["data"]["assignMediator"]

    for outsider in (clerk, retired):
        assert (await assign(outsider))["errors"] == [
            {"field": "mediatorId", "code": "NOT_A_MEDIATOR"}
        ]
    assigned = await assign(listed)
    assert assigned["errors"] == []
    assert assigned["case"]["version"] == case["version"] + 1
