"""The bundled firm_blacklist plugin: discovered through the root's entry point, it refuses
a blacklisted firm in the cities that enable it, shows it blacklisted in the credit ranking
beside whatever regime the city runs, and blacklists low scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.infra.cities import load_city_configs
from core.infra.enums import Role
from core.infra.errors import ValidationErrors
from core.infra.i18n import localise
from core.infra.tenancy import in_city
from core.plugins import calls as plugins
from core.plugins import settings as plugin_settings
from core.plugins.contributions import BLACKLIST, Score
from core.security.auth import Principal
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import build_town
from tests.plugins.conftest import DONGGUAN_ADMIN
from tests.plugins.dongguan_assessment.scenario import (
    assessed_town,
    record,
    run_and_publish,
    today_is,
)


async def test_a_blacklisted_firm_is_refused_where_the_plugin_runs(empty_db: str):
    assert "firm_blacklist" in plugins.installed()  # the root pyproject's entry point
    dongguan = await build_town("dongguan", compounds=2, cases_each=0)
    zhuhai = await build_town("zhuhai", compounds=2, cases_each=0)
    firm = dongguan.firms[0]
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            DONGGUAN_ADMIN,
            "firm_blacklist",
            {
                "registration_numbers": [firm.registration_number.lower()],
                "refuse": ["management_contract"],
            },
            active=True,
        )
        refusals = await plugins.firm_refusals(firm.id, "management_contract")
        assert await plugins.firm_refusals(firm.id, "service_purchase") == []
    assert [(r.plugin, localise(r.reason, "en")) for r in refusals] == [
        ("firm_blacklist", f"{firm.name} is on the city's credit blacklist")
    ]
    with in_city("zhuhai"):
        assert await plugins.firm_refusals(zhuhai.firms[0].id, "management_contract") == []


async def test_a_score_below_the_threshold_blacklists(empty_db: str):
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            DONGGUAN_ADMIN, "firm_blacklist", {"blacklist_below": 70}, active=True
        )
        low = await plugins.credit_effects(1, Score(Decimal("65.5")))
        assert await plugins.credit_effects(1, Score(Decimal(70))) == []
    assert [(e.kind, e.plugin) for e in low] == [(BLACKLIST, "firm_blacklist")]


async def test_bad_codes_and_purposes_are_refused_together(empty_db: str):
    with in_city("dongguan"), pytest.raises(ValidationErrors) as refused:
        await plugin_settings.update_plugin(
            DONGGUAN_ADMIN,
            "firm_blacklist",
            {"registration_numbers": ["123"], "refuse": ["lunch"]},
            active=True,
        )
    assert {e.field for e in refused.value.errors} == {
        "settings.registration_numbers",
        "settings.refuse",
    }


RANKING = """{ firmCreditRanking(first: 5) { nodes { rank firm { name }
    standing { regime level blacklisted restrictions reasons } } } }"""


async def _only(city: str, admin: Principal, enabled: set[str]) -> None:
    """The city runs firm_blacklist and `enabled` of its configured plugins, no others."""
    with in_city(city):
        for name in load_city_configs()[city].plugins:
            await plugin_settings.update_plugin(admin, name, active=name in enabled)


@pytest.mark.parametrize(
    ("city", "beside"),
    [
        ("dongguan", set()),  # the blacklist alone
        ("dongguan", {"dongguan_assessment"}),  # beside an assessment regime
        ("zhuhai", {"points_credit"}),  # beside a points regime
    ],
)
async def test_a_listed_firm_ranks_blacklisted_after_firms_in_good_standing(
    empty_db: str, gql: GraphQLClient, city: str, beside: set[str]
):
    # Issue 16: firm_blacklist refused a listed firm but gave no standing, so the credit
    # ranking showed it in good standing, first when its regime scored it best.
    admin = Principal(city=city, role=Role.CITY_ADMIN, subject=f"admin-{city}")
    town = await (assessed_town() if city == "dongguan" else build_town(city, 3, cases_each=0))
    listed, good = town.firms
    await _only(city, admin, beside)
    if "dongguan_assessment" in beside:  # the listed firm is the better assessed
        with today_is():
            c0, c1, c2 = town.compounds
            for c in (c0, c2):
                await record(gql, c.id, "2026Q1", survey=95, party=95, failed=[])
            await record(gql, c1.id, "2026Q1", survey=70, party=70, failed=[])
            await run_and_publish(gql, "2026Q1")
    if "points_credit" in beside:  # the listed firm has no points, the other some
        event = {"firmId": to_global_id("Firm", good.id), "kind": "DEDUCTION", "points": "3",
                 "reason": "消防通道堵塞", "source": "inspection"}  # fmt: skip
        body = await gql(
            "mutation($i: RecordCreditEventInput!) { recordCreditEvent(input: $i) {"
            " errors { code } } }",
            {"i": event},
            city=city,
            auth=token(city, Role.CITY_ADMIN, subject=f"admin-{city}"),
        )
        assert body["data"]["recordCreditEvent"]["errors"] == []
    with in_city(city):
        await plugin_settings.update_plugin(
            admin,
            "firm_blacklist",
            {"registration_numbers": [listed.registration_number]},
            active=True,
        )

    nodes = (await gql(RANKING, city=city, lang="en"))["data"]["firmCreditRanking"]["nodes"]
    assert [(n["rank"], n["firm"]["name"]) for n in nodes] == [(1, good.name), (2, listed.name)]
    shown = nodes[1]["standing"]
    assert (shown["regime"], shown["level"], shown["blacklisted"]) == (
        "firm_blacklist",
        "BLACKLISTED",
        True,
    )
    assert shown["restrictions"][:2] == ["NO_NEW_CONTRACTS", "NO_SERVICE_PURCHASE"]
    assert shown["reasons"][0] == "on the city's credit blacklist"
    assert nodes[0]["standing"] is None or nodes[0]["standing"]["blacklisted"] is False
    if "dongguan_assessment" in beside:  # the regime's own reasons follow the blacklisting's
        assert shown["reasons"][1].startswith("2026Q1 assessment")


async def test_hook_firm_credit_standings_of_the_blacklist_plugin(empty_db: str):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            DONGGUAN_ADMIN,
            "firm_blacklist",
            {"registration_numbers": [town.firms[1].registration_number], "refuse": []},
            active=True,
        )
        found = await plugins.credit_standings([f.id for f in town.firms], dt.date(2026, 3, 1))
    assert list(found) == [town.firms[1].id]
    assert (found[town.firms[1].id].plugin, found[town.firms[1].id].restrictions) == (
        "firm_blacklist",
        (),
    )
