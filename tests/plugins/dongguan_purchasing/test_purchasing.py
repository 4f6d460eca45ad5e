"""Dongguan's purchasing rules with real rows: a purchase refused with every violation at
once (cap, method, unregistered and blacklisted provider), nothing written; accepted once
the settings allow it."""

from __future__ import annotations

import datetime as dt

import pytest

from core.infra.enums import OrganisationKind, Role
from core.infra.errors import ValidationErrors
from core.infra.tenancy import in_city
from core.models import Organisation, ServicePurchaseRecord
from core.plugins import settings as plugin_settings
from core.security.auth import Principal
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import build_town
from tests.purchase_steps import api_contract

ADMIN = Principal(city="dongguan", role=Role.CITY_ADMIN, subject="admin-dg")
PROPOSE = """mutation($input: ProposeServicePurchaseInput!) {
    proposeServicePurchase(input: $input) {
        purchase { id category amount status version } errors { field code message } } }"""


def admin() -> str:
    return token("dongguan", Role.CITY_ADMIN, subject="admin-dg")


def _input(provider_id: int, **kw: object) -> dict:
    data = {
        "title": "长者心理关爱",
        "category": "MENTAL_HEALTH",
        "providerId": to_global_id("Organisation", provider_id),
        "amount": "150000",
        "periodStart": "2026-03-01",
        "periodEnd": "2026-12-31",
        "procurementMethod": "COMPETITIVE_CONSULTATION",
        "deliverables": "个案辅导 200 人次",
    }
    data.update(kw)
    return {"input": data}


async def test_a_purchase_is_refused_with_all_its_violations_then_accepted(
    empty_db: str, gql: GraphQLClient
):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    with in_city("dongguan"):
        seasoned = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION,
            name="东城心理服务中心",
            community=town.communities[0],
            founded_on=dt.date(2018, 5, 1),
        )
        newcomer = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION,
            name="新成立社工机构",
            community=town.communities[0],
            founded_on=dt.date(2025, 9, 1),
        )
    first = await gql(PROPOSE, _input(seasoned.id, amount="500000"), auth=admin())
    assert first["data"]["proposeServicePurchase"]["errors"] == []
    # Counted against the cap once contracted, not as a proposal.
    signed = await api_contract(
        gql,
        admin(),
        first["data"]["proposeServicePurchase"]["purchase"],
        to_global_id("Organisation", seasoned.id),
        amount="500000",
        periodStart="2026-03-01",
    )
    assert signed["errors"] == []

    listed = await gql(
        """mutation($o: ID!) { addToBlacklist(organisationId: $o, reason: "虚报服务人次") {
            entry { id } errors { code } } }""",
        {"o": to_global_id("Organisation", newcomer.id)},
        auth=admin(),
    )
    assert listed["data"]["addToBlacklist"]["errors"] == []
    # 500,000 spent of the 600,000 mental-health cap; 150,000 needs no direct commission;
    # the provider was registered less than a year before March and is blacklisted.
    bad = _input(newcomer.id, procurementMethod="DIRECT_COMMISSION")
    refused = (await gql(PROPOSE, bad, auth=admin(), lang="en"))["data"]["proposeServicePurchase"]
    assert refused["purchase"] is None
    by = {(e["field"], e["message"].rsplit("(", 1)[-1]) for e in refused["errors"]}
    assert by == {
        ("amount", "dongguan_purchasing)"),
        ("procurementMethod", "dongguan_purchasing)"),
        ("providerId", "dongguan_purchasing)"),
        ("providerId", "dongguan_assessment)"),
    }
    assert all(e["code"] == "PLUGIN_RULE_VIOLATED" for e in refused["errors"])
    with in_city("dongguan"):
        assert await ServicePurchaseRecord.all().count() == 1

    # An unknown category is named as such.
    other = (await gql(PROPOSE, _input(seasoned.id, category="SPORTS"), auth=admin()))["data"]
    assert [e["field"] for e in other["proposeServicePurchase"]["errors"]] == ["category"]
    # The categories named as the seed names them: 精神慰藉 for emotional comfort.
    assert "、精神慰藉、" in other["proposeServicePurchase"]["errors"][0]["message"]

    # Settings change: a higher cap, direct commission allowed up to 200,000, newcomers welcome.
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            ADMIN,
            "dongguan_purchasing",
            {
                "yearly_caps": {"MENTAL_HEALTH": 1_000_000},
                "method_thresholds": [
                    {"from_amount": 0, "methods": ["DIRECT_COMMISSION", "PUBLIC_TENDER"]},
                    {"from_amount": 200_000, "methods": ["PUBLIC_TENDER"]},
                ],
                "min_years_registered": 0,
            },
        )
    still = (await gql(PROPOSE, bad, auth=admin()))["data"]["proposeServicePurchase"]
    assert [(e["field"], e["code"]) for e in still["errors"]] == [
        ("providerId", "PLUGIN_RULE_VIOLATED")  # the blacklist is the credit plugin's
    ]
    accepted = await gql(
        PROPOSE, _input(seasoned.id, procurementMethod="DIRECT_COMMISSION"), auth=admin()
    )
    payload = accepted["data"]["proposeServicePurchase"]
    assert payload["errors"] == [] and payload["purchase"]["status"] == "PROPOSED"


async def test_evaluation_criteria_must_add_up_to_100(empty_db: str):
    with in_city("dongguan"), pytest.raises(ValidationErrors) as refused:
        await plugin_settings.update_plugin(
            ADMIN,
            "dongguan_purchasing",
            {
                "evaluation_criteria": [
                    {"key": "A", "label_zh": "甲", "label_en": "a", "max_points": 60}
                ]
            },
        )
    assert refused.value.errors[0].field.startswith("settings")
