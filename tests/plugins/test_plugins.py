"""The plugin manager through the API and the core's typed calls: one city runs the sample
plugin, the other does not; a plugin that fails fails only its own operation.

Each hook has a test named test_hook_<hook> (test_hooks_tested.py checks)."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from types import ModuleType

import httpx
import pytest

from core.infra import db
from core.infra.cities import CityConfig
from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import Case, PluginConfiguration, PluginConfigurationChange
from core.plugins import calls as plugins
from core.plugins import settings as plugin_settings
from core.plugins.calls import check_city_configs
from core.plugins.contributions import (
    BLACKLIST,
    PENALTY_POINTS,
    SchemaContribution,
    ServicePurchase,
)
from core.plugins.events import CaseStageChanged, MeetingHeld
from core.plugins.hookspecs import hookimpl
from core.security.auth import Scope, ScopeKind
from schema.api.build import check_plugin_schemas
from schema.api.ids import to_global_id
from schema.plugins.merge import PluginConflict
from tests.conftest import GraphQLClient, token
from tests.factories import build_town
from tests.plugins.conftest import DONGGUAN_ADMIN

SETTINGS = """{ citySettings { plugin active fields { name label help kind value default
    secret required } changes { actor activeBefore activeAfter settingsBefore settingsAfter } } }"""
UPDATE = """mutation($plugin: String!, $settings: JSON!) {
    updatePluginSettings(plugin: $plugin, settings: $settings) {
        plugin { active fields { name value } } errors { field code message } } }"""
FILE = """mutation($input: FileCaseInput!) { fileCase(input: $input) {
    case { id } errors { field code message } } }"""


def admin(city: str = "dongguan") -> str:
    return token(city, Role.CITY_ADMIN, subject=f"admin-{city}")


def _sample(body: dict) -> dict:
    return next(p for p in body["data"]["citySettings"] if p["plugin"] == "sample")


async def _file(gql: GraphQLClient, city: str, compound_id: int, **kw: object) -> dict:
    variables = {
        "input": {
            "kind": "SERVICE_REQUEST",
            "title": "电梯故障",
            "compoundId": to_global_id("Compound", compound_id),
        }
    }
    return await gql(FILE, variables, city=city, auth=admin(city), **kw)


# --- settings ---------------------------------------------------------------------------------


async def test_hook_register_settings_gives_labels_defaults_and_masks_secrets(
    sample: ModuleType, gql: GraphQLClient
):
    before = _sample(await gql(SETTINGS, auth=admin()))
    fields = {f["name"]: f for f in before["fields"]}
    assert before["active"] is True
    assert fields["greeting"]["label"] == "Greeting"
    assert fields["greeting"]["help"] == "What sampleGreeting answers."
    assert (fields["greeting"]["value"], fields["greeting"]["default"]) == ("你好", "你好")
    assert fields["purchase_cap"]["kind"] == "number" and fields["api_key"]["secret"] is True

    body = await gql(
        UPDATE, {"plugin": "sample", "settings": {"api_key": "sk-live-12345678abcd"}}, auth=admin()
    )
    assert body["data"]["updatePluginSettings"]["errors"] == []
    after = _sample(await gql(SETTINGS, auth=admin()))
    shown = {f["name"]: f["value"] for f in after["fields"]}
    assert shown["api_key"] == "****abcd"
    change = after["changes"][0]
    assert change["actor"] == "admin-dongguan"
    assert change["settingsBefore"]["api_key"] is None
    assert change["settingsAfter"]["api_key"] == "****abcd"  # the log keeps no secret either

    # Sending the masked value back (a form re-submitted) keeps the stored secret.
    await gql(
        UPDATE,
        {"plugin": "sample", "settings": {"api_key": "****abcd", "greeting": "您好"}},
        auth=admin(),
    )
    with in_city("dongguan"):
        row = await PluginConfiguration.get(plugin="sample")
    assert row.settings["api_key"] == "sk-live-12345678abcd" and row.settings["greeting"] == "您好"


async def test_invalid_settings_are_refused_field_by_field_and_change_nothing(
    sample: ModuleType, gql: GraphQLClient
):
    bad = {"greeting": "x" * 30, "purchase_cap": -1, "colour": "red"}
    body = await gql(UPDATE, {"plugin": "sample", "settings": bad}, auth=admin(), lang="en")
    errors = body["data"]["updatePluginSettings"]["errors"]
    assert {e["field"] for e in errors} == {
        "settings.greeting",
        "settings.purchase_cap",
        "settings.colour",
    }
    assert {e["code"] for e in errors} == {"INVALID_SETTING"}
    with in_city("dongguan"):
        assert await PluginConfigurationChange.filter(plugin="sample").count() == 1  # enabling
        row = await PluginConfiguration.get(plugin="sample")
    assert row.settings["greeting"] == "你好"


async def test_only_a_city_admin_reads_or_changes_settings(sample: ModuleType, gql: GraphQLClient):
    worker = token("dongguan", Role.COMMUNITY_WORKER, Scope(ScopeKind.COMMUNITY, 1), subject="w")
    body = await gql(SETTINGS, auth=worker, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    unknown = await gql(UPDATE, {"plugin": "nope", "settings": {}}, auth=admin())
    assert unknown["data"]["updatePluginSettings"]["errors"][0]["code"] == "UNKNOWN_PLUGIN"


async def test_the_change_log_is_append_only(sample: ModuleType):
    with in_city("dongguan"):
        change = await PluginConfigurationChange.filter(plugin="sample").first()
        assert change is not None
        change.actor = "someone else"
        with pytest.raises(RuntimeError, match="append-only"):
            await change.save()


# --- schema -----------------------------------------------------------------------------------


async def test_hook_register_schema_serves_fields_to_enabling_cities_only(
    sample: ModuleType, gql: GraphQLClient
):
    query = "{ sampleGreeting { text } }"
    assert (await gql(query))["data"]["sampleGreeting"] == {"text": "你好"}
    echo = await gql('mutation { sampleEcho(text: "hi") }')
    assert echo["data"] == {"sampleEcho": "hi"}
    away = await gql(query, city="zhuhai", expect_errors=True)
    assert "sampleGreeting" in away["errors"][0]["message"]

    # Disabled by the admin: gone on the next request of the same running app; back on enable.
    off = await gql(
        'mutation { disablePlugin(plugin: "sample") { plugin { active } errors { code } } }',
        auth=admin(),
    )
    assert off["data"]["disablePlugin"] == {"plugin": {"active": False}, "errors": []}
    assert "errors" in await gql(query, expect_errors=True)
    await gql('mutation { enablePlugin(plugin: "sample") { errors { code } } }', auth=admin())
    await gql(UPDATE, {"plugin": "sample", "settings": {"greeting": "早上好"}}, auth=admin())
    assert (await gql(query))["data"]["sampleGreeting"] == {"text": "早上好"}

    # Zhuhai's admin enables it for Zhuhai, with Zhuhai's own settings.
    await gql(
        'mutation { enablePlugin(plugin: "sample") { errors { code } } }',
        city="zhuhai",
        auth=admin("zhuhai"),
    )
    assert (await gql(query, city="zhuhai"))["data"]["sampleGreeting"] == {"text": "你好"}


async def test_two_plugins_with_one_graphql_name_are_refused_at_start(sample: ModuleType):
    class Copycat:
        @hookimpl
        def register_schema(self, city: object) -> SchemaContribution:
            return SchemaContribution(query=sample.SampleQuery)

    plugins.register(Copycat(), "copycat")
    try:
        with pytest.raises(PluginConflict, match=r"'copycat' and 'sample'.*Query\.sampleGreeting"):
            check_plugin_schemas()
    finally:
        plugins.unregister("copycat")
    check_plugin_schemas()


# --- tables -----------------------------------------------------------------------------------


async def test_hook_register_models_adds_the_plugins_tortoise_app(sample: ModuleType):
    apps = db.tortoise_config("sqlite://:memory:")["apps"]
    assert apps["sample"]["models"] == ["tests.plugins.sample_plugin"]
    plugins.unregister("sample")
    assert "sample" not in db.tortoise_config("sqlite://:memory:")["apps"]
    plugins.register(sample, "sample")


# --- events -----------------------------------------------------------------------------------


async def test_hook_case_filed_runs_in_the_filing_transaction_for_enabling_cities(
    sample: ModuleType, gql: GraphQLClient
):
    dongguan = await build_town("dongguan", compounds=1, cases_each=0)
    zhuhai = await build_town("zhuhai", compounds=1, cases_each=0)
    body = await _file(gql, "dongguan", dongguan.compounds[0].id)
    assert body["data"]["fileCase"]["errors"] == []
    await _file(gql, "zhuhai", zhuhai.compounds[0].id)
    filed = [(city, event) for hook, city, event in sample.calls if hook == "case_filed"]
    assert len(filed) == 1  # Zhuhai does not run the plugin
    city, (event, seen_in_transaction) = filed[0]
    assert (city, event.city, event.title, event.kind) == (
        "dongguan",
        "dongguan",
        "电梯故障",
        "SERVICE_REQUEST",
    )
    assert seen_in_transaction


async def test_a_failing_plugin_fails_its_operation_only_and_is_named(
    sample: ModuleType, gql: GraphQLClient
):
    dongguan = await build_town("dongguan", compounds=1, cases_each=0)
    zhuhai = await build_town("zhuhai", compounds=1, cases_each=0)
    await gql(UPDATE, {"plugin": "sample", "settings": {"fail_on": "case_filed"}}, auth=admin())
    body = await _file(gql, "dongguan", dongguan.compounds[0].id, lang="en")
    errors = body["data"]["fileCase"]["errors"]
    assert errors[0]["code"] == "PLUGIN_FAILED" and "sample" in errors[0]["message"]
    with in_city("dongguan"):
        assert await Case.all().count() == 0  # the filing rolled back with the plugin
    # Other operations of the same city go on, and so does the other city.
    assert (await gql("{ sampleGreeting { text } }"))["data"]
    other = await _file(gql, "zhuhai", zhuhai.compounds[0].id)
    assert other["data"]["fileCase"]["errors"] == []


def _stage_event(city: str) -> CaseStageChanged:
    return CaseStageChanged(
        city=city,
        occurred_at=dt.datetime.now(dt.UTC),
        actor="x",
        case_id=1,
        compound_id=1,
        from_stage="A",
        to_stage="B",
    )


async def test_hook_case_stage_changed(sample: ModuleType):
    for city in ("dongguan", "zhuhai"):
        with in_city(city):
            await plugins.emit_case_stage_changed(_stage_event(city))
    assert [(h, c) for h, c, _ in sample.calls] == [("case_stage_changed", "dongguan")]


async def test_hook_meeting_held(sample: ModuleType):
    event = MeetingHeld(
        city="dongguan",
        occurred_at=dt.datetime.now(dt.UTC),
        actor="x",
        meeting_id=7,
        compound_id=1,
        held_on=dt.date(2026, 3, 1),
        case_ids=(1, 2),
    )
    with in_city("dongguan"):
        await plugins.emit_meeting_held(event)
        await plugin_settings.update_plugin(DONGGUAN_ADMIN, "sample", {"fail_on": "meeting_held"})
        with pytest.raises(plugins.PluginFailed) as failed:
            await plugins.emit_meeting_held(event)
    assert failed.value.plugin == "sample" and failed.value.code == "PLUGIN_FAILED"
    assert [c[2][0].meeting_id for c in sample.calls] == [7]


# --- rules ------------------------------------------------------------------------------------


async def test_hook_check_firm_eligibility_refuses_with_the_plugins_reason(sample: ModuleType):
    with in_city("dongguan"):
        await plugin_settings.update_plugin(DONGGUAN_ADMIN, "sample", {"blacklist": [42]})
        refusals = await plugins.firm_refusals(42, "management_contract")
        assert await plugins.firm_refusals(41, "management_contract") == []
    with in_city("zhuhai"):
        assert await plugins.firm_refusals(42, "management_contract") == []
    assert [(r.plugin, r.reason) for r in refusals] == [
        ("sample", "firm 42 is blacklisted (management_contract)")
    ]


async def test_hook_check_management_contract(sample: ModuleType):
    with in_city("dongguan"):
        violations = await plugins.contract_violations(1, 2, "OWNER_SELF_MANAGED")
        assert await plugins.contract_violations(1, 2, "PROPERTY_FIRM") == []
    assert [(v.plugin, v.field) for v in violations] == [("sample", "mode")]


async def test_hook_validate_service_purchase_reports_every_violation(sample: ModuleType):
    purchase = ServicePurchase(
        provider_id=1,
        provider_kind="organisation",
        category="elderly",
        amount=Decimal("200000"),
        procurement_method="DIRECT",
    )
    with in_city("dongguan"):
        violations = await plugins.purchase_violations(purchase)
    assert [v.field for v in violations] == ["amount", "procurementMethod"]
    assert {v.plugin for v in violations} == {"sample"}


# --- assessment -------------------------------------------------------------------------------


async def test_hook_register_assessment_criteria(sample: ModuleType):
    with in_city("dongguan"):
        criteria = await plugins.assessment_criteria()
    with in_city("zhuhai"):
        assert await plugins.assessment_criteria() == []
    assert [(c.key, c.weight, c.plugin) for c in criteria] == [
        ("owner_satisfaction", Decimal(60), "sample"),
        ("party_evaluation", Decimal(40), "sample"),
    ]


async def test_hook_compute_assessment_score(sample: ModuleType):
    inputs = {"owner_satisfaction": Decimal(90), "party_evaluation": Decimal(80)}
    with in_city("dongguan"):
        score = await plugins.assessment_score(5, inputs)
        assert await plugins.assessment_score(5, {}) is None  # no plugin scores empty input
    assert score is not None and (score.value, score.grade, score.plugin) == (
        Decimal(86),
        "AAA",
        "sample",
    )


async def test_hook_credit_consequences(sample: ModuleType):
    inputs = {"owner_satisfaction": Decimal(50), "party_evaluation": Decimal(40)}
    with in_city("dongguan"):
        score = await plugins.assessment_score(5, inputs)
        assert score is not None
        effects = await plugins.credit_effects(5, score)
    assert [(e.kind, e.points, e.plugin) for e in effects] == [
        (PENALTY_POINTS, 6, "sample"),
        (BLACKLIST, 0, "sample"),
    ]


async def test_hook_register_state_owned_connectors(sample: ModuleType):
    with in_city("dongguan"):
        [(plugin, company, result)] = await plugins.reconcile_state_owned_projects()
        [(_, connector)] = await plugins.state_owned_connectors()
        await connector.take_over(3)
    assert (plugin, company) == ("sample", "广东东鸿物业发展有限公司")
    assert dict(result.matched) == {"YY-001": 1}
    assert [p.external_id for p in result.unknown_projects] == ["X-9"]
    assert ("take_over", "", 3) in sample.calls


# --- background work --------------------------------------------------------------------------


async def test_hook_register_workers_run_while_the_server_runs(sample: ModuleType):
    async with plugins.running_workers() as tasks:
        await asyncio.sleep(0.01)
        assert len(tasks) == 1 and not tasks[0].done()
    assert [c[2] for c in sample.calls if c[0] == "worker"] == ["started", "stopped"]


async def test_a_city_naming_a_missing_plugin_or_bad_settings_is_refused_at_start(
    sample: ModuleType,
):
    good = CityConfig(
        "dongguan",
        "东莞市",
        "Dongguan",
        "Asia/Shanghai",
        ("sample",),
        {"sample": {"greeting": "好"}},
    )
    check_city_configs({"dongguan": good})
    bad = CityConfig(
        "zhuhai",
        "珠海市",
        "Zhuhai",
        "Asia/Shanghai",
        ("sample", "nowhere"),
        {"sample": {"purchase_cap": -5}},
    )
    with pytest.raises(ValueError, match="zhuhai: plugin 'nowhere' is not installed") as refused:
        check_city_configs({"dongguan": good, "zhuhai": bad})
    assert "zhuhai: [settings.sample]" in str(refused.value)


async def test_a_change_made_through_one_server_shows_on_the_next_request_of_another(
    sample: ModuleType, gql: GraphQLClient
):
    from schema.http.app import create_app

    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(manage_db=False)), base_url="http://b.test"
    )
    async with other:
        query = {"query": "{ sampleGreeting { text } }"}
        assert "data" in (await other.post("/graphql/dongguan", json=query)).json()
        await gql('mutation { disablePlugin(plugin: "sample") { errors { code } } }', auth=admin())
        body = (await other.post("/graphql/dongguan", json=query)).json()
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION"


# --- demo data --------------------------------------------------------------------------------


async def test_hook_load_demo_data_runs_for_the_cities_that_enable_the_plugin(sample: ModuleType):
    said: list[str] = []
    with in_city("dongguan"):
        assert await plugins.load_demo_data(said.append) == {"greetings": 2}
    with in_city("zhuhai"):
        assert await plugins.load_demo_data(said.append) == {}
    assert said == ["sample demo for dongguan"]
    assert [c[:2] for c in sample.calls] == [("load_demo_data", "dongguan")]
