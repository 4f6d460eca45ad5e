"""The figures query: hand-counted town, admin scopes, coded refusals."""

from __future__ import annotations

import pytest

from core.infra.enums import Role
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.figures_town import FiguresTown, build_figures_town

QUERY = """
query($asOf: Date, $streetId: ID, $communityId: ID) {
  figures(asOf: $asOf, streetId: $streetId, communityId: $communityId) {
    areaKind asOf
    partyCoverage { covered total share }
    propertyManagementCoverage { covered total }
    buildingHeadCoverage { covered total }
    gridPartyBranchCoverage { covered total }
    councilCompliance { covered total }
    cases { total open overdue meanRating ratings
            byStage { stage stageLabel cases overdue medianDaysInStage p90DaysInStage } }
    firmRanking(first: 5) { name compounds homes cases casesPer1000Homes }
    purchaseSpend { category purchases amount }
  }
}
"""


@pytest.fixture
async def town(empty_db: str) -> FiguresTown:
    return await build_figures_town()


async def test_city_figures_for_a_city_admin(town: FiguresTown, gql: GraphQLClient) -> None:
    body = await gql(QUERY, {"asOf": "2026-06-30"}, auth=token("dongguan", Role.CITY_ADMIN))
    f = body["data"]["figures"]
    assert f["areaKind"] == "CITY"
    assert f["partyCoverage"] == {"covered": 2, "total": 3, "share": pytest.approx(2 / 3)}
    assert f["councilCompliance"] == {"covered": 2, "total": 5}
    collecting = next(s for s in f["cases"]["byStage"] if s["stage"] == "TOPIC_COLLECTION")
    assert collecting["cases"] == 3 and collecting["p90DaysInStage"] == pytest.approx(11)
    assert (f["cases"]["total"], f["cases"]["overdue"], f["cases"]["meanRating"]) == (6, 2, 4.5)
    assert [r["name"] for r in f["firmRanking"]] == ["乙物业", "甲物业"]
    # The town buys nothing (tests/core/figures/test_figures.py does).
    assert f["purchaseSpend"] == []


async def test_a_street_admin_sees_their_street_only(town: FiguresTown, gql: GraphQLClient) -> None:
    yi = town.streets["乙"].id
    auth = token("dongguan", Role.STREET_ADMIN, Scope(ScopeKind.STREET, yi))
    body = await gql(QUERY, {"asOf": "2026-06-30"}, auth=auth)
    f = body["data"]["figures"]
    # A street with no compounds: zeros, and no share rather than 0 % or 100 %.
    assert f["areaKind"] == "STREET"
    assert f["partyCoverage"] == {"covered": 0, "total": 0, "share": None}
    assert f["cases"]["total"] == 0 and f["firmRanking"] == []
    other = to_global_id("Street", town.streets["甲"].id)
    body = await gql(QUERY, {"streetId": other}, auth=auth, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_community_figures_and_refusals(town: FiguresTown, gql: GraphQLClient) -> None:
    c3 = to_global_id("Community", town.communities["C3"].id)
    admin = token("dongguan", Role.CITY_ADMIN)
    body = await gql(QUERY, {"asOf": "2026-06-30", "communityId": c3}, auth=admin)
    assert body["data"]["figures"]["cases"]["total"] == 0
    resident = token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, 1))
    body = await gql(QUERY, {}, auth=resident, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(QUERY, {}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "AUTH_REQUIRED"
