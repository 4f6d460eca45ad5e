"""Every text a person reads is in the request's language, Chinese without Accept-Language,
numbers written for people (issue 16.6): a credit deduction's reason, a Zhuhai purchasing
violation and an escalation note, through the API. (The Donghong sync report line is tested
in tests/plugins/dongguan_donghong/test_sync.py, next to its feed server.)"""

from __future__ import annotations

import datetime as dt

from core.infra.clock import frozen_at
from core.infra.enums import OrganisationKind, Role
from core.infra.tenancy import in_city
from core.models import Organisation
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import build_town

STANDING = """query($id: ID!) { node(id: $id) { ... on Firm { creditStanding { reasons } } } }"""


def admin(city: str = "dongguan") -> str:
    return token(city, Role.CITY_ADMIN, subject=f"admin-{city}")


async def test_a_credit_deduction_reason(empty_db: str, gql: GraphQLClient) -> None:
    town = await build_town("dongguan", compounds=1, cases_each=0)
    firm = to_global_id("Firm", town.firms[0].id)
    record = {"firmId": firm, "kind": "DEDUCTION", "points": "10", "reason": "消防通道堵塞",
              "source": "inspection"}  # fmt: skip
    body = await gql(
        "mutation($i: RecordCreditEventInput!) { recordCreditEvent(input: $i) {"
        " errors { code } } }",
        {"i": record},
        auth=admin(),
    )
    assert body["data"]["recordCreditEvent"]["errors"] == []
    for lang, expected in (
        (None, "扣 10 分：消防通道堵塞"),
        ("en", "10 points deducted: 消防通道堵塞"),
    ):
        standing = await gql(STANDING, {"id": firm}, lang=lang)
        assert standing["data"]["node"]["creditStanding"]["reasons"] == [expected]


async def test_a_zhuhai_purchasing_violation(empty_db: str, gql: GraphQLClient) -> None:
    town = await build_town("zhuhai", compounds=1, cases_each=0)
    with in_city("zhuhai"):
        provider = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION, name="香洲青少年服务中心",
            community=town.communities[0], founded_on=dt.date(2015, 1, 1),
        )  # fmt: skip
    proposal = {
        "title": "青少年成长陪伴",
        "category": "YOUTH_SERVICES",
        "providerId": to_global_id("Organisation", provider.id),
        "communityId": to_global_id("Community", town.communities[0].id),
        "amount": "350000.00",
        "periodStart": "2026-01-01",
        "periodEnd": "2026-12-31",
        "procurementMethod": "PUBLIC_TENDER",
        "deliverables": "每月两次活动",
    }
    propose = """mutation($input: ProposeServicePurchaseInput!) {
        proposeServicePurchase(input: $input) { errors { field code message } } }"""
    for lang, expected, foreign in (
        (None, "青少年服务每项上限 300000 元", "capped"),
        ("en", "youth services is capped at 300000 yuan", "上限"),
    ):
        body = await gql(
            propose, {"input": proposal}, city="zhuhai", auth=admin("zhuhai"), lang=lang
        )
        [error] = body["data"]["proposeServicePurchase"]["errors"]
        assert (error["field"], error["code"]) == ("amount", "PLUGIN_RULE_VIOLATED")
        assert expected in error["message"] and foreign not in error["message"]


async def test_an_escalation_note(empty_db: str, gql: GraphQLClient) -> None:
    town = await build_town("dongguan", compounds=1, cases_each=0)
    compound = to_global_id("Compound", town.compounds[0].id)
    with frozen_at(dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)):
        await gql(
            "mutation($i: FileCaseInput!) { fileCase(input: $i) { errors { code } } }",
            {"i": {"kind": "PROPERTY_DISPUTE", "title": "噪音", "compoundId": compound}},
            auth=admin(),
        )
    escalate = 'mutation { escalateOverdueCases(asOf: "2026-06-09") { id } }'
    [case] = (await gql(escalate, auth=admin()))["data"]["escalateOverdueCases"]
    timeline = "query($id: ID!) { node(id: $id) { ... on Case { timeline { kind note } } } }"
    for lang, expected in (
        (None, "在“议题收集”阶段自 2026-06-08 起超期"),
        ("en", "overdue in topic collection since 2026-06-08"),
    ):
        body = await gql(timeline, {"id": case["id"]}, auth=admin(), lang=lang)
        assert body["data"]["node"]["timeline"][-1] == {"kind": "ESCALATED", "note": expected}


SETTINGS = """mutation($s: JSON!) { updatePluginSettings(plugin: "dongguan_purchasing",
    settings: $s) { errors { field code message } } }"""


async def test_a_refused_setting_says_why_in_the_admins_language(
    empty_db: str, gql: GraphQLClient
) -> None:
    # A plugin validator's own rule (a cap for a category the city does not buy), one of
    # pydantic's (a threshold below zero) and an unknown key: none was English-only in Chinese.
    bad = {
        "categories": ["FAMILY"],
        "yearly_caps": {"FAMILY": "100", "CHILDCARE": "5"},
        "method_thresholds": [{"from_amount": "-1", "methods": ["INQUIRY"]}],
        "colour": "red",
    }
    for lang, expected in (
        (None, {
            "settings.colour": "settings.colour 的设置无效：没有这项设置",
            "settings.method_thresholds.0.from_amount":
                "settings.method_thresholds.0.from_amount 的设置无效：不能小于 0",
        }),
        ("en", {
            "settings.colour": "settings.colour is not a valid setting: unknown setting",
            "settings.method_thresholds.0.from_amount":
                "settings.method_thresholds.0.from_amount is not a valid setting: "
                "Input should be greater than or equal to 0",
        }),
    ):  # fmt: skip
        body = await gql(SETTINGS, {"s": bad}, auth=admin(), lang=lang)
        found = body["data"]["updatePluginSettings"]["errors"]
        errors = {e["field"]: e["message"] for e in found}
        assert errors == expected
    del bad["method_thresholds"], bad["colour"]
    for lang, expected in (
        (None, "settings 的设置无效：未列入购买类别的上限：CHILDCARE"),
        ("en", "settings is not a valid setting: caps for categories not bought: CHILDCARE"),
    ):
        body = await gql(SETTINGS, {"s": bad}, auth=admin(), lang=lang)
        [error] = body["data"]["updatePluginSettings"]["errors"]
        assert error["message"] == expected
