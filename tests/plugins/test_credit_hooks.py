"""The firm-facing credit contract: `Firm.creditStanding`, `firmCreditRanking` and
`recordCreditEvent` ask the city's regime plugin (here the sample plugin's toy points regime),
and give nothing in a city that runs none."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import ModuleType

from core.infra.enums import OrganisationKind, Role
from core.infra.tenancy import in_city
from core.models import Organisation, ServicePurchaseRecord
from core.plugins import calls as plugins
from core.plugins import settings as plugin_settings
from core.plugins.contributions import NO_NEW_CONTRACTS, CreditEvent
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import build_town
from tests.plugins.conftest import DONGGUAN_ADMIN

RECORD = """mutation($input: RecordCreditEventInput!) { recordCreditEvent(input: $input) {
    record { id kind points reason source occurredOn firm { name } }
    errors { field code message } } }"""
STANDING = """query($id: ID!, $asOf: Date) { node(id: $id) { ... on Firm {
    creditStanding(asOf: $asOf) { regime level label score restrictions reasons } } } }"""
RANKING = """{ firmCreditRanking(first: 10) { totalCount
    nodes { rank firm { name } standing { level score } } } }"""


def admin(city: str = "dongguan") -> str:
    return token(city, Role.CITY_ADMIN, subject=f"admin-{city}")


def _event(firm_id: int, points: int, day: dt.date) -> dict:
    return {
        "input": {
            "firmId": to_global_id("Firm", firm_id),
            "kind": "DEDUCTION",
            "points": str(points),
            "reason": "消防通道堵塞",
            "source": "inspection",
            "occurredOn": day.isoformat(),
        }
    }


async def test_hook_firm_credit_standings_answers_firm_and_ranking_queries(
    sample: ModuleType, gql: GraphQLClient
):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    good, bad = town.firms
    with in_city("dongguan"):
        await plugin_settings.update_plugin(DONGGUAN_ADMIN, "sample", {"blacklist": [bad.id]})
    day = dt.date(2026, 3, 1)
    body = await gql(RECORD, _event(good.id, 4, day), auth=admin())
    assert body["data"]["recordCreditEvent"]["errors"] == []

    standing = await gql(STANDING, {"id": to_global_id("Firm", bad.id)})
    assert standing["data"]["node"]["creditStanding"] == {
        "regime": "sample",
        "level": "BLACKLISTED",
        "label": "黑名单",
        "score": "0",
        "restrictions": [NO_NEW_CONTRACTS],
        "reasons": ["on the sample blacklist"],
    }
    before = await gql(STANDING, {"id": to_global_id("Firm", good.id), "asOf": "2026-02-28"})
    assert before["data"]["node"]["creditStanding"]["score"] == "100"  # not deducted yet
    after = await gql(STANDING, {"id": to_global_id("Firm", good.id), "asOf": "2026-03-01"})
    assert after["data"]["node"]["creditStanding"]["score"] == "96"

    ranking = (await gql(RANKING))["data"]["firmCreditRanking"]
    assert ranking["totalCount"] == 2
    assert [(n["rank"], n["firm"]["name"], n["standing"]["level"]) for n in ranking["nodes"]] == [
        (1, good.name, "POINTS"),
        (2, bad.name, "BLACKLISTED"),
    ]

    # Zhuhai runs no regime: the same queries answer nothing, they do not fail.
    zh = await build_town("zhuhai", compounds=1, cases_each=0)
    away = await gql(STANDING, {"id": to_global_id("Firm", zh.firms[0].id)}, city="zhuhai")
    assert away["data"]["node"]["creditStanding"] is None
    zh_rank = (await gql(RANKING, city="zhuhai"))["data"]["firmCreditRanking"]["nodes"]
    assert [n["standing"] for n in zh_rank] == [None, None]


async def test_hook_record_credit_event_goes_to_the_citys_regime(
    sample: ModuleType, gql: GraphQLClient
):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    firm = town.firms[0]
    body = await gql(RECORD, _event(firm.id, 3, dt.date(2026, 3, 2)), auth=admin())
    record = body["data"]["recordCreditEvent"]["record"]
    assert record["kind"] == "DEDUCTION" and record["points"] == "3"
    assert record["firm"] == {"name": firm.name} and record["id"].startswith("sample:")
    [(_, city, event)] = [c for c in sample.calls if c[0] == "record_credit_event"]
    assert (city, event.firm_id, event.actor, event.source) == (
        "dongguan",
        firm.id,
        "admin-dongguan",
        "inspection",
    )

    # Input errors all at once, nothing reaches the regime.
    bad = _event(firm.id, 1, dt.date(2099, 1, 1))
    bad["input"].update(reason=" ", source="")
    refused = (await gql(RECORD, bad, auth=admin()))["data"]["recordCreditEvent"]
    assert {(e["field"], e["code"]) for e in refused["errors"]} == {
        ("reason", "REQUIRED"),
        ("source", "REQUIRED"),
        ("occurredOn", "DATE_IN_FUTURE"),
    }
    assert len([c for c in sample.calls if c[0] == "record_credit_event"]) == 1

    # A resident may not record; a city without a regime says so.
    home = Scope(ScopeKind.COMPOUND, town.compounds[0].id)
    resident = token("dongguan", Role.RESIDENT, home, subject="r1")
    forbidden = await gql(
        RECORD, _event(firm.id, 1, dt.date(2026, 3, 2)), auth=resident, expect_errors=True
    )
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    zh = await build_town("zhuhai", compounds=1, cases_each=0)
    none = await gql(
        RECORD, _event(zh.firms[0].id, 1, dt.date(2026, 3, 2)), city="zhuhai", auth=admin("zhuhai")
    )
    assert [e["code"] for e in none["data"]["recordCreditEvent"]["errors"]] == ["NO_CREDIT_REGIME"]


async def test_hook_credit_record_answers_a_keyed_repeat_of_record_credit_event(
    sample: ModuleType, gql: GraphQLClient
):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    firm = town.firms[0]
    keyed = RECORD.replace(
        "$input: RecordCreditEventInput!", "$input: RecordCreditEventInput!, $key: String"
    ).replace(
        "recordCreditEvent(input: $input)", "recordCreditEvent(input: $input, idempotencyKey: $key)"
    )
    event = {**_event(firm.id, 3, dt.date(2026, 3, 2)), "key": "deduct-1"}
    first = (await gql(keyed, event, auth=admin()))["data"]["recordCreditEvent"]
    again = (await gql(keyed, event, auth=admin()))["data"]["recordCreditEvent"]
    assert first["errors"] == [] and again == first
    # The regime recorded once and was asked for its record by the id it gave.
    record_id = first["record"]["id"].removeprefix("sample:")
    assert [c[:2] for c in sample.calls] == [
        ("record_credit_event", "dongguan"),
        ("credit_record", "dongguan"),
    ]
    assert sample.calls[1][2] == record_id

    # Only the plugin that made a record answers for it; an unknown id reads as none.
    with in_city("dongguan"):
        assert await plugins.credit_record("sample", record_id) is not None
        assert await plugins.credit_record("points_credit", record_id) is None
        assert await plugins.credit_record("sample", "999") is None


async def test_credit_standings_typed_call_names_the_plugin(sample: ModuleType):
    event = CreditEvent(1, "DEDUCTION", "r", "hotline", dt.date(2026, 1, 5), points=Decimal(2))
    with in_city("dongguan"):
        record = await plugins.record_credit_event(event)
        found = await plugins.credit_standings([1, 2], dt.date(2026, 1, 5))
        assert await plugins.credit_standings([], dt.date(2026, 1, 5)) == {}
    assert record is not None and record.plugin == "sample"
    assert list(found) == [1] and found[1].plugin == "sample" and found[1].score == 98


async def test_proposed_purchases_are_refused_with_every_plugin_violation(
    sample: ModuleType, gql: GraphQLClient
):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    with in_city("dongguan"):
        provider = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION, name="社工站", community=town.communities[0]
        )
    propose = """mutation($input: ProposeServicePurchaseInput!) {
        proposeServicePurchase(input: $input) { purchase { id } errors { field code message } } }"""
    data = {
        "title": "心理健康服务",
        "category": "MENTAL_HEALTH",
        "providerId": to_global_id("Organisation", provider.id),
        "amount": "200000",
        "periodStart": "2026-01-01",
        "periodEnd": "2026-06-30",
        "procurementMethod": "DIRECT_COMMISSION",
    }
    body = await gql(propose, {"input": data}, auth=admin(), lang="en")
    errors = body["data"]["proposeServicePurchase"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        ("amount", "PLUGIN_RULE_VIOLATED"),
        ("procurementMethod", "PLUGIN_RULE_VIOLATED"),
    ]
    assert errors[0]["message"] == "amount: over the cap (sample)"
    with in_city("dongguan"):
        assert await ServicePurchaseRecord.all().count() == 0
