"""The town, inputs and queries the assessment tests share: three compounds (100, 200, 300
homes), firm 0 manages compounds 0 and 2, firm 1 compound 1; the clock at 2026-12-08."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from core.infra.clock import frozen_at
from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import ManagementContract
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town

# Tuesday 10:00 in Dongguan: 2026Q4 has not ended, every earlier quarter has.
TODAY = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)
RUN = """mutation($period: String!) { runFirmAssessment(period: $period) {
    run { id period version status }
    assessments { rank score grade passed baseScore creditPoints creditDeduction veto
        firm { name }
        compounds { compound { name } score homes inputs { criterion weight value detail } } }
    errors { field code message extensions } } }"""
PUBLISH = """mutation($id: ID!) { publishFirmAssessment(runId: $id) {
    run { id version status publishedAt } errors { field code message } } }"""
INPUT = """mutation($c: ID!, $p: String!, $k: String!, $v: Decimal, $f: [String!]) {
    recordAssessmentInput(compoundId: $c, period: $p, criterion: $k, value: $v, failedItems: $f) {
        input { value detail } errors { field code message } } }"""
STANDING = """query($id: ID!) { node(id: $id) { ... on Firm {
    creditStanding { regime level label restrictions reasons } } } }"""


@contextmanager
def today_is(moment: dt.datetime = TODAY) -> Iterator[None]:
    with frozen_at(moment):
        yield


def admin() -> str:
    return token("dongguan", Role.CITY_ADMIN, subject="admin-dg")


async def record(
    gql: GraphQLClient, compound_id: int, period: str, survey: int, party: int, failed: list[str]
) -> None:
    """The owners' survey, the party organisation's evaluation and the inspection."""
    c = to_global_id("Compound", compound_id)
    for k, v, f in (("owner_survey", survey, None), ("party_evaluation", party, None)):
        body = await gql(INPUT, {"c": c, "p": period, "k": k, "v": str(v), "f": f}, auth=admin())
        assert body["data"]["recordAssessmentInput"]["errors"] == []
    body = await gql(INPUT, {"c": c, "p": period, "k": "inspection", "f": failed}, auth=admin())
    assert body["data"]["recordAssessmentInput"]["errors"] == []


async def assessed_town() -> Town:
    built = await build_town("dongguan", compounds=3, cases_each=0)
    with in_city("dongguan"):  # the second firm manages compound 1
        await ManagementContract.create(
            compound=built.compounds[1], firm=built.firms[1], starts_on=dt.date(2020, 1, 1)
        )
    return built


async def run(gql: GraphQLClient, period: str, lang: str | None = None) -> dict:
    body = await gql(RUN, {"period": period}, auth=admin(), lang=lang)
    return body["data"]["runFirmAssessment"]


async def run_and_publish(gql: GraphQLClient, period: str) -> dict:
    ran = await run(gql, period)
    assert ran["errors"] == [], ran["errors"]
    body = await gql(PUBLISH, {"id": ran["run"]["id"]}, auth=admin())
    assert body["data"]["publishFirmAssessment"]["errors"] == []
    return ran
