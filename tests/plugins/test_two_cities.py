"""Two cities with different credit and purchasing regimes in one deployment.

Zhuhai runs the points regime (points_credit) and its purchasing rules; Dongguan runs what
config/cities/dongguan.toml enables. The same firm-facing query and mutation give each
city's own answer, each schema shows its own plugins only, and a change of Zhuhai's
settings leaves Dongguan as it was. The last test does the same through a real server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.firms import credit
from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.plugins import calls as plugins
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import build_town
from tests.servers import UVICORN, in_subprocess

ADMINS = {
    city: token(city, Role.CITY_ADMIN, subject=f"admin-{city}") for city in ("dongguan", "zhuhai")
}
POINTS_TYPES = {"PointsNotice", "PointsAppeal", "PointsAppealPayload"}
POINTS_FIELDS = {"pointsNotices", "appealDeduction", "decideAppeal"}

STANDING = """query($id: ID!) { node(id: $id) { ... on Firm {
  creditStanding { regime level score restrictions }
} } }"""
RECORD = """mutation($input: RecordCreditEventInput!) {
  recordCreditEvent(input: $input) { record { kind points } errors { field code } }
}"""
TYPES = (
    "{ __schema { types { name } queryType { fields { name } } mutationType { fields { name } } } }"
)
SETTINGS = "{ citySettings { plugin active fields { name value } } }"
UPDATE = """mutation($plugin: String!, $settings: JSON!) {
  updatePluginSettings(plugin: $plugin, settings: $settings) { errors { field code } }
}"""


def deduction(firm: str, points: int) -> dict[str, Any]:
    return {
        "input": {
            "firmId": firm,
            "kind": "DEDUCTION",
            "reason": "fire lane blocked",
            "source": "inspection",
            "points": str(points),
        }
    }


async def regime_answer(city: str, firm_pk: int) -> dict[str, Any] | None:
    """What the city's own regime says of the firm, asked directly (not through GraphQL)."""
    with in_city(city):
        found = (await credit.standings([firm_pk])).get(firm_pk)
    if found is None:
        return None
    return {
        "regime": found.regime,
        "level": found.level,
        "score": None if found.score is None else str(found.score),
        "restrictions": list(found.restrictions),
    }


@pytest.fixture
async def firms(empty_db: str) -> dict[str, tuple[int, str]]:
    """One firm per city: (pk, global id)."""
    found = {}
    for city in ("dongguan", "zhuhai"):
        town = await build_town(city, compounds=1, cases_each=0)
        found[city] = (town.firms[0].id, to_global_id("Firm", town.firms[0].id))
    return found


async def test_the_same_mutation_and_query_give_each_citys_answer(
    firms: dict[str, tuple[int, str]], gql: GraphQLClient
):
    answers = {}
    for city, (pk, firm) in firms.items():
        recorded = await gql(RECORD, deduction(firm, 12), city=city, auth=ADMINS[city])
        answers[city] = recorded["data"]["recordCreditEvent"]
        body = await gql(STANDING, {"id": firm}, city=city, auth=ADMINS[city])
        standing = body["data"]["node"]["creditStanding"]
        assert standing == await regime_answer(city, pk)  # the city's own regime answered
        answers[city]["standing"] = standing
    zhuhai = answers["zhuhai"]
    assert zhuhai["errors"] == [] and zhuhai["record"] == {"kind": "DEDUCTION", "points": "12"}
    assert zhuhai["standing"]["regime"] == "points_credit"
    assert zhuhai["standing"]["level"] == "QUALIFICATION_REVIEW"
    assert "NO_NEW_CONTRACTS" in zhuhai["standing"]["restrictions"]
    # Dongguan does not run the points regime: whatever it answers is not points.
    dongguan = answers["dongguan"]["standing"]
    assert dongguan is None or dongguan["regime"] != "points_credit"
    with in_city("zhuhai"):
        refused = await plugins.firm_refusals(firms["zhuhai"][0], "management_contract")
    with in_city("dongguan"):
        dongguan_refusals = await plugins.firm_refusals(firms["dongguan"][0], "management_contract")
    assert [r.plugin for r in refused] == ["points_credit"]
    assert "points_credit" not in {r.plugin for r in dongguan_refusals}


async def _schema(gql: GraphQLClient, city: str) -> tuple[set[str], set[str]]:
    data = (await gql(TYPES, city=city, auth=ADMINS[city]))["data"]["__schema"]
    roots = {f["name"] for f in data["queryType"]["fields"] + data["mutationType"]["fields"]}
    return {t["name"] for t in data["types"]}, roots


async def test_each_schema_shows_only_its_own_plugins(empty_db: str, gql: GraphQLClient):
    (zh_types, zh_roots), (dg_types, dg_roots) = [
        await _schema(gql, c) for c in ("zhuhai", "dongguan")
    ]
    assert POINTS_TYPES <= zh_types and POINTS_FIELDS <= zh_roots
    assert not {t for t in dg_types if t.startswith("Points")} and not POINTS_FIELDS & dg_roots
    # Whatever Dongguan's plugins contribute is in Dongguan's schema and not in Zhuhai's.
    for plugin, part in plugins.schema_contributions(plugins.configured_plugins("dongguan")):
        names = {
            _root_name(f) for root in (part.query, part.mutation) if root for f in _fields(root)
        }
        assert names <= dg_roots and not names & zh_roots, plugin
    # The firm-facing contract is the same in both.
    assert {"recordCreditEvent", "proposeServicePurchase"} <= zh_roots & dg_roots


def _fields(root: type) -> list[Any]:
    return list(root.__strawberry_definition__.fields)  # type: ignore[attr-defined]


def _root_name(field: Any) -> str:
    if field.graphql_name:
        return str(field.graphql_name)
    first, *rest = field.python_name.split("_")
    return first + "".join(p.title() for p in rest)


async def test_a_change_of_zhuhais_settings_leaves_dongguan_untouched(
    firms: dict[str, tuple[int, str]], gql: GraphQLClient
):
    for city, (_, firm) in firms.items():
        await gql(RECORD, deduction(firm, 4), city=city, auth=ADMINS[city])
    dongguan_before = await gql(SETTINGS, city="dongguan", auth=ADMINS["dongguan"])
    dongguan_standing = await regime_answer("dongguan", firms["dongguan"][0])
    assert (await regime_answer("zhuhai", firms["zhuhai"][0]))["level"] == "CLEAR"  # type: ignore[index]
    with in_city("zhuhai"):
        levels = (
            (await plugins.city_plugins("zhuhai"))
            .settings_for("points_credit")
            .model_dump()["levels"]
        )
    levels[0]["points"] = 4  # Zhuhai warns from 4 points on
    changed = await gql(
        UPDATE,
        {"plugin": "points_credit", "settings": {"levels": levels}},
        city="zhuhai",
        auth=ADMINS["zhuhai"],
    )
    assert changed["data"]["updatePluginSettings"]["errors"] == []
    zhuhai = await gql(STANDING, {"id": firms["zhuhai"][1]}, city="zhuhai", auth=ADMINS["zhuhai"])
    assert zhuhai["data"]["node"]["creditStanding"]["level"] == "WRITTEN_WARNING"
    assert await gql(SETTINGS, city="dongguan", auth=ADMINS["dongguan"]) == dongguan_before
    assert await regime_answer("dongguan", firms["dongguan"][0]) == dongguan_standing


@pytest.fixture
def server(empty_db: str, database_url: str, tmp_path: Path) -> Iterator[str]:
    env = {"CIVICGRAPH_DATABASE_URL": database_url}
    with in_subprocess(UVICORN, tmp_path / "server.log", env) as base:
        yield base


async def test_one_real_server_serves_both_regimes(server: str):
    firms = {}
    for city in ("dongguan", "zhuhai"):
        town = await build_town(city, compounds=1, cases_each=0)
        firms[city] = (town.firms[0].id, to_global_id("Firm", town.firms[0].id))
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        real = GraphQLClient(http)
        for city, (pk, firm) in firms.items():
            await real(RECORD, deduction(firm, 9), city=city, auth=ADMINS[city])
            body = await real(STANDING, {"id": firm}, city=city, auth=ADMINS[city])
            assert body["data"]["node"]["creditStanding"] == await regime_answer(city, pk)
        zhuhai = await real(
            STANDING, {"id": firms["zhuhai"][1]}, city="zhuhai", auth=ADMINS["zhuhai"]
        )
        assert zhuhai["data"]["node"]["creditStanding"]["level"] == "SUMMONED"
        for city, expected in (("zhuhai", True), ("dongguan", False)):
            types = (await real(TYPES, city=city, auth=ADMINS[city]))["data"]["__schema"]["types"]
            assert ("PointsNotice" in {t["name"] for t in types}) is expected
