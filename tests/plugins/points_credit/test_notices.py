"""The points regime through the API of a city that runs it: deductions through the core's
`recordCreditEvent`, the standing through `Firm.creditStanding`, notices and appeals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.infra.clock import frozen_at
from core.infra.db import StatementCounter
from core.infra.enums import Role
from core.infra.i18n import localise
from core.infra.tenancy import in_city
from core.plugins import calls as plugins
from core.plugins.contributions import FIRM_MANAGEMENT_CONTRACT, FIRM_SERVICE_PURCHASE
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import build_town

ADMIN = token("zhuhai", Role.CITY_ADMIN, subject="admin-zh")


def street_admin(street_id: int) -> str:
    return token("zhuhai", Role.STREET_ADMIN, Scope(ScopeKind.STREET, street_id), subject="st-zh")


NOON = dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC)  # noon in Zhuhai

RECORD = """mutation($input: RecordCreditEventInput!) {
  recordCreditEvent(input: $input) { record { kind points occurredOn } errors { field code } }
}"""
STANDING = """query($id: ID!, $day: Date) { node(id: $id) { ... on Firm {
  creditStanding(asOf: $day) { regime level score restrictions reasons validUntil label }
} } }"""
NOTICES = """query($firm: ID) { pointsNotices(firmId: $firm, first: 10) { totalCount nodes {
  id points reason occurredOn notifiedOn rectifyBy appealBy removedOn removalReason
  firm { name } appeal { status decisionReason }
} } }"""
APPEAL = """mutation($notice: ID!, $grounds: String!) {
  appealDeduction(noticeId: $notice, grounds: $grounds) {
    appeal { id status filedOn } errors { field code message }
  }
}"""
DECIDE = """mutation($id: ID!, $upheld: Boolean!, $reason: String!) {
  decideAppeal(appealId: $id, upheld: $upheld, reason: $reason) {
    appeal { status decidedOn decisionReason } errors { field code }
  }
}"""


async def deduct(gql: GraphQLClient, firm: str, points: int, day: str) -> dict[str, Any]:
    variables = {
        "input": {
            "firmId": firm,
            "kind": "DEDUCTION",
            "reason": f"{points} points: fire lane blocked",
            "source": "inspection",
            "points": str(points),
            "occurredOn": day,
        }
    }
    body = await gql(RECORD, variables, city="zhuhai", auth=ADMIN)
    return body["data"]["recordCreditEvent"]


async def test_deductions_add_up_to_consequences_and_refusals(empty_db: str, gql: GraphQLClient):
    town = await build_town("zhuhai", compounds=2, cases_each=0)
    firm_pk = town.firms[0].id
    firm = to_global_id("Firm", firm_pk)
    with frozen_at(NOON):
        for points, day in ((6, "2026-02-10"), (3, "2026-03-05"), (3, "2026-04-01")):
            done = await deduct(gql, firm, points, day)
            assert done["errors"] == [] and done["record"]["kind"] == "DEDUCTION"
        body = await gql(STANDING, {"id": firm}, city="zhuhai", auth=ADMIN, lang="en")
        with in_city("zhuhai"):
            refused = await plugins.firm_refusals(firm_pk, FIRM_MANAGEMENT_CONTRACT)
            also = await plugins.firm_refusals(firm_pk, FIRM_SERVICE_PURCHASE)
    standing = body["data"]["node"]["creditStanding"]
    assert standing["regime"] == "points_credit"
    assert (standing["level"], standing["score"], standing["label"]) == (
        "QUALIFICATION_REVIEW",
        "12",
        "qualification review",
    )
    assert "NO_NEW_CONTRACTS" in standing["restrictions"]
    assert [(r.plugin, r.code) for r in refused + also] == [("points_credit", "PLUGIN_REFUSED")] * 2
    assert localise(refused[0].reason, "en").startswith("qualification review under the points")
    assert localise(refused[0].reason, "zh").startswith("记分管理：资质审查")
    # As of a day before the third deduction: summoned, not yet refused.
    before = await gql(STANDING, {"id": firm, "day": "2026-03-31"}, city="zhuhai", auth=ADMIN)
    assert before["data"]["node"]["creditStanding"]["level"] == "SUMMONED"


async def test_a_deduction_is_refused_with_every_error(empty_db: str, gql: GraphQLClient):
    town = await build_town("zhuhai", compounds=1, cases_each=0)
    variables = {
        "input": {
            "firmId": to_global_id("Firm", town.firms[0].id),
            "kind": "SERIOUS_VIOLATION",
            "reason": "r",
            "source": "hotline",
            "points": "13",
            "severity": "HIGH",
        }
    }
    body = await gql(RECORD, variables, city="zhuhai", auth=ADMIN)
    errors = body["data"]["recordCreditEvent"]["errors"]
    assert sorted((e["field"], e["code"]) for e in errors) == [
        ("kind", "INVALID_ENUM"),
        ("points", "OUT_OF_RANGE"),
        ("severity", "INVALID_ENUM"),
    ]
    notices = await gql(NOTICES, {}, city="zhuhai", auth=ADMIN)
    assert notices["data"]["pointsNotices"]["totalCount"] == 0


async def test_appeals_upheld_remove_the_points_rejected_keep_them(
    empty_db: str, gql: GraphQLClient
):
    town = await build_town("zhuhai", compounds=2, cases_each=0)
    firm = to_global_id("Firm", town.firms[0].id)
    street = street_admin(town.streets[0].id)
    with frozen_at(NOON):
        await deduct(gql, firm, 6, "2026-05-20")
        await deduct(gql, firm, 4, "2026-05-25")
        found = (await gql(NOTICES, {"firm": firm}, city="zhuhai", auth=ADMIN))["data"]
        newest, oldest = found["pointsNotices"]["nodes"]
        assert (oldest["notifiedOn"], oldest["rectifyBy"], oldest["appealBy"]) == (
            "2026-06-01",
            "2026-07-01",
            "2026-06-16",
        )
        filed = []
        for notice in (oldest, newest):
            body = await gql(
                APPEAL, {"notice": notice["id"], "grounds": "not ours"}, city="zhuhai", auth=street
            )
            filed.append(body["data"]["appealDeduction"]["appeal"])
        again = await gql(
            APPEAL, {"notice": oldest["id"], "grounds": "x"}, city="zhuhai", auth=street
        )
        assert [e["code"] for e in again["data"]["appealDeduction"]["errors"]] == ["DUPLICATE"]
        denied = await gql(
            DECIDE,
            {"id": filed[0]["id"], "upheld": True, "reason": "r"},
            city="zhuhai",
            auth=street,
            expect_errors=True,
        )
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        upheld = await gql(
            DECIDE,
            {"id": filed[0]["id"], "upheld": True, "reason": "the lane belongs to the street"},
            city="zhuhai",
            auth=ADMIN,
        )
        rejected = await gql(
            DECIDE,
            {"id": filed[1]["id"], "upheld": False, "reason": "photos"},
            city="zhuhai",
            auth=ADMIN,
        )
        twice = await gql(
            DECIDE, {"id": filed[1]["id"], "upheld": True, "reason": "x"}, city="zhuhai", auth=ADMIN
        )
        standing = await gql(STANDING, {"id": firm}, city="zhuhai", auth=ADMIN)
        after = (await gql(NOTICES, {"firm": firm}, city="zhuhai", auth=ADMIN))["data"]
    assert upheld["data"]["decideAppeal"]["appeal"]["status"] == "UPHELD"
    assert rejected["data"]["decideAppeal"]["appeal"]["status"] == "REJECTED"
    assert [e["code"] for e in twice["data"]["decideAppeal"]["errors"]] == ["APPEAL_DECIDED"]
    newest, oldest = after["pointsNotices"]["nodes"]
    assert oldest["removedOn"] == "2026-06-01"
    assert oldest["removalReason"] == "申诉成立：the lane belongs to the street"  # zh default
    assert oldest["appeal"] == {
        "status": "UPHELD",
        "decisionReason": "the lane belongs to the street",
    }
    assert newest["removedOn"] is None and newest["appeal"]["status"] == "REJECTED"
    # The upheld 6 points are gone on every day, the rejected 4 stay: below a warning.
    assert standing["data"]["node"]["creditStanding"]["score"] == "4"
    assert standing["data"]["node"]["creditStanding"]["level"] == "CLEAR"


async def test_an_appeal_after_the_window_is_refused(empty_db: str, gql: GraphQLClient):
    town = await build_town("zhuhai", compounds=1, cases_each=0)
    firm = to_global_id("Firm", town.firms[0].id)
    street = street_admin(town.streets[0].id)
    with frozen_at(NOON):
        await deduct(gql, firm, 2, "2026-05-20")
    notice = (await gql(NOTICES, {}, city="zhuhai", auth=ADMIN))["data"]["pointsNotices"]
    with frozen_at(NOON + dt.timedelta(days=16)):
        body = await gql(
            APPEAL,
            {"notice": notice["nodes"][0]["id"], "grounds": "late"},
            city="zhuhai",
            auth=street,
        )
    errors = body["data"]["appealDeduction"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("noticeId", "APPEAL_WINDOW_CLOSED")]
    assert "2026-06-16" in errors[0]["message"]


async def test_a_page_of_notices_costs_the_same_statements_whatever_its_size(
    empty_db: str, gql: GraphQLClient
):
    town = await build_town("zhuhai", compounds=2, cases_each=0)
    firm = to_global_id("Firm", town.firms[0].id)
    query = """query($n: Int) { pointsNotices(first: $n) { nodes {
      points firm { name } appeal { status } } } }"""
    with frozen_at(NOON):
        for day in ("2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04"):
            await deduct(gql, firm, 1, day)
        notices = (await gql(NOTICES, {}, city="zhuhai", auth=ADMIN))["data"]["pointsNotices"]
        street = street_admin(town.streets[0].id)
        for notice in notices["nodes"][:3]:
            await gql(APPEAL, {"notice": notice["id"], "grounds": "g"}, city="zhuhai", auth=street)
    counts = []
    for size in (1, 4):
        with StatementCounter() as counter:
            body = await gql(query, {"n": size}, city="zhuhai", auth=ADMIN)
        assert len(body["data"]["pointsNotices"]["nodes"]) == size
        counts.append(counter.count)
    assert counts[0] == counts[1] > 0
