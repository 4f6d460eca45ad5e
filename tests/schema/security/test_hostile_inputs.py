"""Hostile inputs answer a coded client error, never INTERNAL (issue 17, finding 5).

Each input goes through the real app over HTTP, as a variable and, where it can be written
so, as a literal; on PostgreSQL the reads go through the compiled path first and must give
the same code as the resolvers.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import jwt
import pytest

from core.infra.enums import Role
from core.infra.settings import get_settings
from core.infra.tenancy import in_city
from core.models import AuditEntry
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town


def raw_id(text: str) -> str:
    """A global ID made by hand, as an attacker would."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


NON_CANONICAL = ["Case:²", "Case:٣", "Case:0001", "Case:2147483648", "Case:" + "9" * 30, "Case:0"]


@pytest.fixture
async def town(empty_db: str) -> Town:
    await build_town("zhuhai", 1, cases_each=0)
    return await build_town("dongguan", compounds=2, cases_each=1)


def admin() -> str:
    return token("dongguan", Role.CITY_ADMIN)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or ()]


# ---------------------------------------------------------------------------------------
# Global IDs


@pytest.mark.parametrize("text", NON_CANONICAL)
async def test_non_canonical_ids_are_invalid_on_every_path(town, gql: GraphQLClient, text) -> None:
    global_id = raw_id(text)
    for auth in (None, admin()):
        body = await gql(
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": global_id},
            auth=auth,
            expect_errors=True,
        )
        assert codes(body) == ["INVALID_ID"], body
        literal = await gql(
            f'{{ node(id: "{global_id}") {{ id }} }}', auth=auth, expect_errors=True
        )
        assert codes(literal) == ["INVALID_ID"], literal
    street = raw_id(text.replace("Case", "Street"))
    body = await gql(
        "query($s: ID) { compounds(filter: {streetId: $s}) { totalCount } }",
        {"s": street},
        expect_errors=True,
    )
    assert codes(body) == ["INVALID_ID"], body


async def test_the_canonical_id_still_resolves(town, gql: GraphQLClient) -> None:
    case_id = to_global_id("Case", town.cases[0].id)
    assert raw_id(f"Case:{town.cases[0].id}") == case_id
    body = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": case_id}, auth=admin())
    assert body["data"]["node"] == {"id": case_id}


async def test_plugin_fields_decode_ids_the_same_way(town, gql: GraphQLClient) -> None:
    query = 'query($f: ID) { firmAssessments(period: "2026Q1", firmId: $f) { totalCount } }'
    body = await gql(query, {"f": raw_id("Firm:٣")}, expect_errors=True)
    assert codes(body) == ["INVALID_ID"]


# ---------------------------------------------------------------------------------------
# Control characters in text


@pytest.mark.parametrize("bad", ["a\x00b", "\x00", "x\x1b[31m", "\x7f\x08"])
async def test_control_characters_in_a_filter_are_invalid_text(town, gql, bad: str) -> None:
    query = "query($t: String) { compounds(filter: {nameContains: $t}) { totalCount } }"
    body = await gql(query, {"t": bad}, expect_errors=True)
    assert codes(body) == ["INVALID_TEXT"], body
    assert body["errors"][0]["extensions"]["field"] == "$t"
    escaped = bad.encode("unicode_escape").decode().replace("\\x", "\\u00")
    literal = await gql(
        f'{{ compounds(filter: {{nameContains: "{escaped}"}}) {{ totalCount }} }}',
        lang="en",
        expect_errors=True,
    )
    assert codes(literal) == ["INVALID_TEXT"], literal
    assert literal["errors"][0]["extensions"]["field"] == "nameContains"
    assert "control character" in literal["errors"][0]["message"]


async def test_tabs_and_line_breaks_are_text(town, gql: GraphQLClient) -> None:
    query = "query($t: String) { compounds(filter: {nameContains: $t}) { totalCount } }"
    body = await gql(query, {"t": "a\tb\r\nc"})
    assert body["data"]["compounds"]["totalCount"] == 0


async def test_plugin_string_arguments_are_checked_too(town, gql: GraphQLClient) -> None:
    query = "query($p: String!) { firmAssessments(period: $p) { totalCount } }"
    body = await gql(query, {"p": "2026Q1\x00"}, expect_errors=True)
    assert codes(body) == ["INVALID_TEXT"]


FILE = """mutation($input: FileCaseInput!, $key: String) {
  fileCase(input: $input, idempotencyKey: $key) { case { id } errors { field code } } }"""


def _resident(town: Town) -> str:
    scope = Scope(ScopeKind.COMPOUND, town.compounds[0].id)
    return token("dongguan", Role.RESIDENT, scope, subject="owner-1")


@pytest.mark.parametrize("where", ["title", "key"])
async def test_nul_in_a_mutation_writes_nothing(town, gql: GraphQLClient, where: str) -> None:
    compound = to_global_id("Compound", town.compounds[0].id)
    title = "电梯\x00故障" if where == "title" else "电梯故障"
    key = "k\x00" if where == "key" else "k"
    variables = {
        "input": {"kind": "PROPERTY_DISPUTE", "title": title, "compoundId": compound},
        "key": key,
    }
    body = await gql(FILE, variables, auth=_resident(town), expect_errors=True)
    assert codes(body) == ["INVALID_TEXT"], body
    with in_city("dongguan"):
        assert await AuditEntry.filter(operation="fileCase").count() == 0


# ---------------------------------------------------------------------------------------
# Dates, decimals, JSON


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"])
async def test_dates_outside_the_supported_range(town, gql: GraphQLClient, day: str) -> None:
    case_id = to_global_id("Case", town.cases[0].id)
    queries = [
        ("query($d: Date) { figures(asOf: $d) { asOf } }", None),
        ("query($d: Date!) { caseStageFigures(asOf: $d, level: STREET) { openCases } }", None),
        ("query($d: Date!) { overdueCouncils(asOf: $d) { totalCount } }", None),
        (
            "query($d: Date!, $id: ID!) {"
            " node(id: $id) { ... on Case { workingDaysInStage(asOf: $d) } } }",
            {"id": case_id},
        ),
    ]
    for query, extra in queries:
        body = await gql(query, {"d": day, **(extra or {})}, auth=admin(), expect_errors=True)
        assert codes(body) == ["OUT_OF_RANGE"], (query, body)
    # The same date as a literal, and anonymously: refused before anything else.
    body = await gql(f'{{ overdueCouncils(asOf: "{day}") {{ totalCount }} }}', expect_errors=True)
    assert codes(body) == ["OUT_OF_RANGE"], body


async def test_a_meeting_held_in_year_one_is_refused(town, gql: GraphQLClient) -> None:
    mutation = """mutation($input: ScheduleCouncilMeetingInput!) {
      scheduleCouncilMeeting(input: $input) { errors { code } } }"""
    variables = {
        "input": {
            "compoundId": to_global_id("Compound", town.compounds[0].id),
            "heldOn": "0001-01-01",
            "convenerId": to_global_id("Organisation", 1),
        }
    }
    body = await gql(mutation, variables, auth=admin(), expect_errors=True)
    assert codes(body) == ["OUT_OF_RANGE"], body


# The scalar takes both edges. Figures count open cases' days in stage in working days, so a
# day past the statutory holiday calendar is the calendar's own coded refusal, never INTERNAL.
@pytest.mark.parametrize(
    ("day", "refusals"), [("1900-01-01", []), ("2199-12-31", ["CALENDAR_OUT_OF_RANGE"])]
)
async def test_the_edges_of_the_range_are_answered(
    town, gql: GraphQLClient, day: str, refusals: list[str]
) -> None:
    body = await gql(
        "query($d: Date!) { figures(asOf: $d) { asOf } overdueCouncils(asOf: $d) { totalCount } }",
        {"d": day},
        auth=admin(),
        expect_errors=True,
    )
    assert codes(body) == refusals, body
    if not refusals:
        assert body["data"]["figures"]["asOf"] == day, body


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("NaN", "INVALID_NUMBER"),
        ("Infinity", "INVALID_NUMBER"),
        ("-Infinity", "INVALID_NUMBER"),
        ("sNaN", "INVALID_NUMBER"),
        ("1e400", "OUT_OF_RANGE"),
    ],
)
async def test_decimals_must_be_finite(town, gql: GraphQLClient, value: str, code: str) -> None:
    mutation = (
        """mutation($input: RecordUnitInput!) { recordUnit(input: $input) { errors { code } } }"""
    )
    variables = {
        "input": {
            "compoundId": to_global_id("Compound", town.compounds[0].id),
            "number": "1-101",
            "area": value,
            "ownerIds": [],
        }
    }
    body = await gql(mutation, variables, auth=admin(), expect_errors=True)
    assert codes(body) == [code], body


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = {"a": value}
    return value


async def test_deeply_nested_json_is_refused(town, gql: GraphQLClient) -> None:
    mutation = """mutation($s: JSON!) {
      updatePluginSettings(plugin: "dongguan_assessment", settings: $s) { errors { code } } }"""
    body = await gql(mutation, {"s": _nested(500)}, auth=admin(), expect_errors=True)
    assert codes(body) == ["JSON_TOO_DEEP"], body
    body = await gql(mutation, {"s": {"pass_score": "\x00"}}, auth=admin(), expect_errors=True)
    assert codes(body) == ["INVALID_TEXT"], body


# ---------------------------------------------------------------------------------------
# Token claims


def _signed(**claims: object) -> str:
    settings = get_settings()
    now = int(time.time())
    base: dict[str, object] = {
        "iss": settings.jwt_issuer,
        "sub": "someone",
        "city": "dongguan",
        "role": "CITY_ADMIN",
        "iat": now,
        "exp": now + 600,
    }
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not ...}, settings.jwt_secret)


BAD_CLAIMS = {
    "scope-int": {"scope": 7},
    "scope-null": {"scope": None},
    "scope-list": {"scope": ["city"]},
    "scope-arabic-digit": {"role": "STREET_ADMIN", "scope": "street:٣"},
    "scope-past-int": {"role": "STREET_ADMIN", "scope": "street:99999999999"},
    "role-list": {"role": ["CITY_ADMIN"]},
    "city-list": {"city": ["dongguan"]},
    "exp-string": {"exp": str(int(time.time()) + 600)},
    "exp-bool": {"exp": True},
    "exp-list": {"exp": [1]},
    "exp-next-century": {"exp": int(time.time()) + 100 * 365 * 86400},
    "lifetime-too-long": {"iat": int(time.time()) - 30 * 86400},
}


@pytest.mark.parametrize("claims", BAD_CLAIMS.values(), ids=BAD_CLAIMS.keys())
async def test_validly_signed_tokens_with_bad_claims_are_refused(
    town, client: httpx.AsyncClient, claims: dict[str, object]
) -> None:
    headers = {"Authorization": f"Bearer {_signed(**claims)}"}
    response = await client.post(
        "/graphql/dongguan", json={"query": "{ city { viewerRole } }"}, headers=headers
    )
    assert response.status_code == 401, response.text
    assert codes(response.json()) == ["TOKEN_INVALID"]
    admin_page = await client.get("/admin/dongguan", headers=headers)
    assert admin_page.status_code == 401, admin_page.text


def test_tokens_cannot_be_minted_for_longer_than_the_maximum() -> None:
    from core.security.auth import mint_token

    too_long = get_settings().max_token_ttl_minutes * 60 + 1
    with pytest.raises(ValueError, match="at most"):
        mint_token("dongguan", Role.CITY_ADMIN, ttl_seconds=too_long)


# ---------------------------------------------------------------------------------------
# The admin page: the same inputs, as query parameters


@pytest.mark.parametrize(
    "params",
    [
        {"asOf": "0001-01-01"},
        {"asOf": "9999-12-31"},
        {"streetId": raw_id("Street:²")},
        {"communityId": raw_id("Community:99999999999")},
    ],
)
async def test_the_admin_page_refuses_the_same_inputs(town, client, params) -> None:
    headers = {"Authorization": f"Bearer {admin()}"}
    page = await client.get("/admin/dongguan", params=params, headers=headers)
    assert page.status_code == 400, page.text


async def test_free_text_in_an_id_field_stays_out_of_the_audit_log(town, gql) -> None:
    personal = "王芳 13912345678"
    variables = {
        "input": {"kind": "PROPERTY_DISPUTE", "title": "电梯故障", "compoundId": personal},
        "key": "k-1",
    }
    body = await gql(FILE, variables, auth=_resident(town))
    assert body["data"]["fileCase"]["errors"] == [{"field": "compoundId", "code": "INVALID_ID"}]
    with in_city("dongguan"):
        entry = await AuditEntry.get(operation="fileCase")
    assert entry.outcome == "INVALID_ID"
    assert entry.summary["input"]["compoundId"] == "<invalid>"
    assert "13912345678" not in str(entry.summary)
