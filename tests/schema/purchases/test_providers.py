"""Providers of the three kinds the seed names (社会组织、社会工作者、志愿服务队), through the
API: each proposed and contracted, read back through the `PurchaseProvider` interface; a
provider of another kind or type refused with its code, nothing written; Zhuhai's rules say
which kinds each category is bought from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.infra.enums import OrganisationKind, Role
from core.infra.tenancy import in_city
from core.models import Organisation, Person, ServicePurchaseRecord, SocialWorker
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town
from tests.purchase_steps import api_contract
from tests.schema.purchases.test_lifecycle import ADMIN, PROPOSE, provider_in, send

YEAR = dt.date.today().year
READ = """query($id: ID!) { node(id: $id) { ... on ServicePurchase { providerKind
    provider { __typename id name
      ... on SocialWorker { qualification registeredOn organisation { name } }
      ... on Organisation { kind } } } } }"""


async def social_worker(town: Town, employer: Organisation | None = None) -> SocialWorker:
    with in_city("dongguan"):
        person = await Person.create(name="陈社工", phone="13800000000")
        return await SocialWorker.create(
            person=person,
            qualification="社会工作师",
            registered_on=dt.date(2019, 6, 1),
            organisation=employer,
        )


async def volunteer_team(town: Town) -> Organisation:
    with in_city("dongguan"):
        return await Organisation.create(
            kind=OrganisationKind.VOLUNTEER_TEAM,
            name="宏图社区志愿服务队",
            community=town.communities[0],
        )


def proposal(provider: str, category: str = "HUMANISTIC_CARE") -> dict[str, Any]:
    return {
        "title": "邻里关怀",
        "category": category,
        "providerId": provider,
        "amount": "30000",
        "periodStart": f"{YEAR}-01-01",
        "periodEnd": f"{YEAR}-12-31",
        "procurementMethod": "INQUIRY",
    }


async def read(gql: GraphQLClient, purchase: str) -> dict[str, Any]:
    return dict((await gql(READ, {"id": purchase}, auth=ADMIN))["data"]["node"])


async def test_each_kind_of_provider_is_proposed_contracted_and_read(
    empty_db: str, gql: GraphQLClient
) -> None:
    town = await build_town("dongguan", compounds=1, cases_each=0)
    agency = await provider_in(town, "莞城社工服务中心")
    worker = await social_worker(town, employer=agency)
    team = await volunteer_team(town)
    ids = {
        "ORGANISATION": to_global_id("Organisation", agency.id),
        "SOCIAL_WORKER": to_global_id("SocialWorker", worker.id),
        "VOLUNTEER_TEAM": to_global_id("Organisation", team.id),
    }
    for kind, provider in ids.items():
        made = await send(gql, PROPOSE, proposal(provider))
        assert made["errors"] == [], kind
        node = await read(gql, made["purchase"]["id"])
        assert node["providerKind"] == kind and node["provider"]["id"] == provider
    node = await read(gql, made["purchase"]["id"])  # the volunteer team's
    assert node["provider"] == {
        "__typename": "Organisation", "id": ids["VOLUNTEER_TEAM"], "name": "宏图社区志愿服务队",
        "kind": "VOLUNTEER_TEAM",
    }  # fmt: skip

    # Proposed to the agency, won by its social worker: the contract names who provides.
    first = await send(gql, PROPOSE, proposal(ids["ORGANISATION"]))
    signed = await api_contract(gql, ADMIN, first["purchase"], ids["SOCIAL_WORKER"])
    assert signed["errors"] == []
    node = await read(gql, first["purchase"]["id"])
    assert node["providerKind"] == "SOCIAL_WORKER"
    assert node["provider"] == {
        "__typename": "SocialWorker", "id": ids["SOCIAL_WORKER"], "name": "陈社工",
        "qualification": "社会工作师", "registeredOn": "2019-06-01",
        "organisation": {"name": "莞城社工服务中心"},
    }  # fmt: skip
    # A social worker is read by those who read purchases (their phone is not in the type).
    worker_node = await gql(
        "query($id: ID!) { node(id: $id) { ... on SocialWorker { name } } }",
        {"id": ids["SOCIAL_WORKER"]},
        auth=token("dongguan", Role.FIRM_STAFF, Scope(ScopeKind.FIRM, town.firms[0].id)),
    )
    assert worker_node["data"]["node"] is None


async def test_a_provider_of_another_kind_or_type_is_refused(
    empty_db: str, gql: GraphQLClient
) -> None:
    town = await build_town("dongguan", compounds=1, cases_each=0)
    with in_city("dongguan"):
        party = await Organisation.create(
            kind=OrganisationKind.PARTY_COMMUNITY, name="社区党委", community=town.communities[0]
        )
        person = await Person.create(name="居民")
    cases = {
        to_global_id("Organisation", party.id): "WRONG_ORGANISATION_KIND",
        to_global_id("Person", person.id): "WRONG_TYPE",
        to_global_id("SocialWorker", 999_999): "NOT_FOUND",
    }
    for provider, code in cases.items():
        payload = await send(gql, PROPOSE, proposal(provider))
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("providerId", code)]
    body = await gql(
        "mutation($input: ProposeServicePurchaseInput!) { proposeServicePurchase(input: $input)"
        " { errors { message } } }",
        {"input": proposal(to_global_id("Organisation", party.id))},
        auth=ADMIN,
    )
    assert "社会组织或志愿服务队" in body["data"]["proposeServicePurchase"]["errors"][0]["message"]
    with in_city("dongguan"):
        assert await ServicePurchaseRecord.all().count() == 0


async def test_zhuhai_buys_each_category_from_its_own_kinds(
    empty_db: str, gql: GraphQLClient
) -> None:
    town = await build_town("zhuhai", compounds=1, cases_each=0)
    with in_city("zhuhai"):
        team = await Organisation.create(
            kind=OrganisationKind.VOLUNTEER_TEAM, name="青年志愿服务队"
        )
    admin = token("zhuhai", Role.CITY_ADMIN, subject="zh-office")
    youth = {
        **proposal(to_global_id("Organisation", team.id), "YOUTH_SERVICES"),
        "communityId": to_global_id("Community", town.communities[0].id),
    }
    body = await gql(PROPOSE, {"input": youth}, city="zhuhai", auth=admin, lang="en")
    assert body["data"]["proposeServicePurchase"]["errors"] == []
    governance = {**youth, "category": "COMMUNITY_GOVERNANCE"}
    doc = PROPOSE.replace("errors {{ field code }}", "errors { field code }")
    body = await gql(doc, {"input": governance}, city="zhuhai", auth=admin, lang="en")
    errors = body["data"]["proposeServicePurchase"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("providerId", "PLUGIN_RULE_VIOLATED")]
