"""proposeServicePurchase without any city rules: the core's own checks, all at once, and a
valid purchase recorded for the city (the city's rules are tested with its plugins)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.infra.cities import load_city_configs
from core.infra.enums import OrganisationKind, Role
from core.infra.tenancy import in_city
from core.models import Organisation, PluginConfiguration, ServicePurchaseRecord
from core.purchases import spend
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import build_town

PROPOSE = """mutation($input: ProposeServicePurchaseInput!) {
    proposeServicePurchase(input: $input) {
    purchase { id title category amount status procurementMethod provider { name } version }
    errors { field code message } } }"""
LIST = "{ servicePurchases(first: 10) { totalCount nodes { title amount } } }"


@pytest.fixture
async def no_city_rules(empty_db: str) -> None:
    # The core alone: the cities' TOML may enable purchasing rules, switched off here.
    for slug, config in load_city_configs().items():
        with in_city(slug):
            for name in config.plugins:
                await PluginConfiguration.create(plugin=name, active=False, settings={})


def admin(city: str = "dongguan") -> str:
    return token(city, Role.CITY_ADMIN, subject=f"admin-{city}")


def _input(provider_id: int, **kw: object) -> dict:
    data = {
        "title": "长者助餐服务",
        "category": "ELDERLY_CARE",
        "providerId": to_global_id("Organisation", provider_id),
        "amount": "80000.00",
        "periodStart": "2026-01-01",
        "periodEnd": "2026-12-31",
        "procurementMethod": "INQUIRY",
        "deliverables": "每周五天助餐",
    }
    data.update(kw)
    return {"input": data}


async def test_a_purchase_is_recorded_and_listed_for_its_city(
    no_city_rules: None, gql: GraphQLClient
):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    with in_city("dongguan"):
        provider = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION,
            name="莞城社工服务中心",
            community=town.communities[0],
        )
    body = await gql(PROPOSE, _input(provider.id), auth=admin())
    payload = body["data"]["proposeServicePurchase"]
    assert payload["errors"] == []
    assert payload["purchase"]["status"] == "PROPOSED"
    assert payload["purchase"]["provider"] == {"name": "莞城社工服务中心"}
    listed = (await gql(LIST, auth=admin()))["data"]["servicePurchases"]
    assert listed == {"totalCount": 1, "nodes": [{"title": "长者助餐服务", "amount": "80000.00"}]}
    with in_city("dongguan"):
        # A proposal commits nothing (tests/schema/purchases/test_spend.py has the rest).
        spent = await spend.spent("ELDERLY_CARE", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert spent == Decimal(0)
    assert (await gql(LIST, city="zhuhai", auth=admin("zhuhai")))["data"]["servicePurchases"][
        "totalCount"
    ] == 0


async def test_core_errors_come_back_together_and_nothing_is_written(
    no_city_rules: None, gql: GraphQLClient
):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    with in_city("dongguan"):
        party = await Organisation.create(
            kind=OrganisationKind.PARTY_COMMUNITY, name="党委", community=town.communities[0]
        )
    bad = _input(party.id, title=" ", amount="0", periodEnd="2025-12-31")
    payload = (await gql(PROPOSE, bad, auth=admin()))["data"]["proposeServicePurchase"]
    assert payload["purchase"] is None
    assert {(e["field"], e["code"]) for e in payload["errors"]} == {
        ("title", "REQUIRED"),
        ("providerId", "WRONG_ORGANISATION_KIND"),
        ("amount", "NOT_POSITIVE"),
        ("periodEnd", "DATE_ORDER"),
    }
    with in_city("dongguan"):
        assert await ServicePurchaseRecord.all().count() == 0
    staff = token("dongguan", Role.FIRM_STAFF, Scope(ScopeKind.FIRM, town.firms[0].id))
    resident = await gql(LIST, auth=staff, expect_errors=True)
    assert resident["errors"][0]["extensions"]["code"] == "FORBIDDEN"
