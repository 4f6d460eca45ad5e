"""The `people` connection: who may list whom, personal data masked per role, ID numbers
found by keyed hash; and no personal data in logs or error messages."""

from __future__ import annotations

import logging

import pytest

from core.grassroots.people import set_id_number
from core.infra.enums import OrganisationKind, Role
from core.infra.tenancy import in_city
from core.models import Organisation, Person
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town

PEOPLE = """query($f: PeopleFilter) { people(first: 20, filter: $f) {
  totalCount nodes { name phone idNumber } } }"""
PHONE = "13912345678"
ID_NUMBER = "440102199001011234"


@pytest.fixture
async def town(empty_db: str) -> Town:
    town = await build_town("dongguan", compounds=4, cases_each=0)
    with in_city("dongguan"):
        near = await Organisation.create(
            kind=OrganisationKind.RESIDENTS_COMMITTEE,
            name="居委会",
            community=town.communities[0],
        )
        far = await Organisation.create(
            kind=OrganisationKind.RESIDENTS_COMMITTEE,
            name="别处居委会",
            community=town.communities[3],
        )
        wang = await Person.create(name="王芳", phone=PHONE, organisation=near)
        await set_id_number(wang.id, ID_NUMBER)
        await Person.create(name="赵强", phone="13700000000", organisation=far)
    await build_town("zhuhai", 1, cases_each=0)
    with in_city("zhuhai"):
        await Person.create(name="珠海人", phone="13600000000")
    return town


def worker(town: Town, community: int = 0) -> str:
    scope = Scope(ScopeKind.COMMUNITY, town.communities[community].id)
    return token("dongguan", Role.COMMUNITY_WORKER, scope)


async def test_each_reader_sees_what_its_role_needs(town, gql: GraphQLClient) -> None:
    body = await gql(PEOPLE, auth=worker(town))
    assert body["data"]["people"]["nodes"] == [
        {"name": "王芳", "phone": PHONE, "idNumber": "440***********1234"}
    ]
    body = await gql(PEOPLE, auth=token("dongguan", Role.CITY_ADMIN))
    assert body["data"]["people"]["nodes"] == [
        {"name": "王芳", "phone": "139****5678", "idNumber": "440***********1234"},
        {"name": "赵强", "phone": "137****0000", "idNumber": None},
    ]
    street = Scope(ScopeKind.STREET, town.streets[1].id)  # communities 2 and 3
    body = await gql(PEOPLE, auth=token("dongguan", Role.STREET_ADMIN, street))
    assert [n["name"] for n in body["data"]["people"]["nodes"]] == ["赵强"]
    for role, scope in (
        (Role.RESIDENT, Scope(ScopeKind.COMPOUND, town.compounds[0].id)),
        (Role.MEDIATOR, Scope(ScopeKind.COMMUNITY, town.communities[0].id)),
    ):
        body = await gql(PEOPLE, auth=token("dongguan", role, scope), expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(PEOPLE, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "AUTH_REQUIRED"


async def test_an_id_number_finds_its_person_by_hash(town, gql: GraphQLClient) -> None:
    admin = token("dongguan", Role.CITY_ADMIN)
    body = await gql(PEOPLE, {"f": {"idNumber": ID_NUMBER}}, auth=admin)
    assert [n["name"] for n in body["data"]["people"]["nodes"]] == ["王芳"]
    body = await gql(PEOPLE, {"f": {"idNumber": "440102199001019999"}}, auth=admin)
    assert body["data"]["people"]["totalCount"] == 0
    # Another city's admin finds nobody with it, whatever its hash.
    body = await gql(
        PEOPLE, {"f": {"idNumber": ID_NUMBER}}, auth=token("zhuhai", Role.CITY_ADMIN), city="zhuhai"
    )
    assert body["data"]["people"]["totalCount"] == 0
    street = token("dongguan", Role.STREET_ADMIN, Scope(ScopeKind.STREET, town.streets[0].id))
    body = await gql(PEOPLE, {"f": {"idNumber": ID_NUMBER}}, auth=street, expect_errors=True)
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "field": "idNumber"}


async def test_no_personal_data_in_logs_or_error_messages(
    town, gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = token("dongguan", Role.CITY_ADMIN)
    compound = to_global_id("Compound", town.compounds[0].id)
    answers = [
        await gql(PEOPLE, {"f": {"idNumber": ID_NUMBER}}, auth=admin),
        await gql(PEOPLE, {"f": {"idNumber": ID_NUMBER + "0"}}, auth=admin, expect_errors=True),
        await gql(PEOPLE, {"f": {"name": PHONE}}, auth=admin),
        await gql(
            """mutation($i: FileCaseInput!) { fileCase(input: $i) { errors { message } } }""",
            {
                "i": {
                    "kind": "PROPERTY_DISPUTE",
                    "title": f"请回电 {PHONE} {ID_NUMBER}",
                    "compoundId": compound,
                }
            },
            auth=admin,
        ),
        await gql(
            """mutation($i: FileCaseInput!) { fileCase(input: $i) { errors { message } } }""",
            {"i": {"kind": "PROPERTY_DISPUTE", "title": PHONE * 20, "compoundId": compound}},
            auth=admin,
        ),
    ]
    assert answers[1]["errors"][0]["extensions"]["code"] == "INVALID_ID_NUMBER"
    assert any("statement" in r.getMessage() or ": <" in r.getMessage() for r in caplog.records)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (PHONE, ID_NUMBER, "13912345678"[3:]):
        assert secret not in logged
        for answer in answers[1:]:
            assert secret not in str(answer.get("errors", "")), answer
            assert secret not in str((answer.get("data") or {}).get("fileCase", "")), answer
