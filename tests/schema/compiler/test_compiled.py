"""Differential tests: the compiled path and the resolver path give the same JSON.

Every query goes over HTTP to the real app twice, once with CIVICGRAPH_COMPILED=0, and the
answers (data and errors, status included) must be equal. The queries are those of the API
tests (harvested from their source), a hand-written set covering every compiled type, field
and argument, and queries generated from the schema with hypothesis-graphql.
"""

from __future__ import annotations

import ast
import datetime as dt
import logging
import os
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from core.infra import db
from core.infra.db import StatementCounter
from core.infra.enums import (
    CaseCategory,
    CaseKind,
    CaseStage,
    EscalationLevel,
    ManagementMode,
    MediationOutcome,
    OrganisationKind,
    Role,
)
from core.infra.tenancy import in_city
from core.models import Building, Case, Compound, Firm, Grid, ManagementContract, Organisation
from core.security.auth import Scope
from schema.api.build import core_schema
from schema.api.ids import to_global_id
from schema.compiler import run
from schema.compiler.catalog import CATALOG, NODE_TYPES
from tests.conftest import ON_POSTGRES, token
from tests.factories import build_town
from tests.schema.every_node import node_query, node_types, one_of_each

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="the compiled path runs on PostgreSQL only; SQLite always resolves"
)

SCHEMA_TESTS = Path(__file__).resolve().parents[1]


class TwoPaths:
    """Posts one request on both paths and returns both answers."""

    def __init__(self, http: httpx.AsyncClient, callers: dict[str, str | None]) -> None:
        self.http = http
        self.callers = callers

    async def post(
        self, query: str, variables: dict[str, Any] | None, caller: str, lang: str, compiled: bool
    ) -> tuple[int, Any]:
        headers = {"Accept-Language": lang}
        auth = self.callers[caller]
        if auth:
            headers["Authorization"] = f"Bearer {auth}"
        os.environ["CIVICGRAPH_COMPILED"] = "1" if compiled else "0"
        try:
            response = await self.http.post(
                "/graphql/dongguan", json={"query": query, "variables": variables}, headers=headers
            )
        finally:
            os.environ.pop("CIVICGRAPH_COMPILED", None)
        return response.status_code, response.json()

    async def check(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        caller: str = "admin",
        lang: str = "zh",
    ) -> bool:
        """Assert both paths agree; True when the compiled path answered."""
        before = run.stats["compiled"]
        compiled = await self.post(query, variables, caller, lang, compiled=True)
        answered = run.stats["compiled"] > before
        resolved = await self.post(query, variables, caller, lang, compiled=False)
        assert compiled == resolved, (query, variables, caller, lang)
        return answered


async def _city() -> None:
    """Two towns (tests/factories.py) and what they lack: grids, organisations on every kind
    of place, contracts past and overlapping, cases of every kind, areas, firm details."""
    town = await build_town("dongguan", compounds=6, cases_each=4)
    await build_town("zhuhai", compounds=3, cases_each=2)
    with in_city("dongguan"):
        compound = town.compounds[0]
        grid = await Grid.create(community=town.communities[0], name="一网格", code="G-01")
        building = await Building.create(
            compound=compound, grid=grid, name="2栋", floors=11, homes=44
        )
        await Compound.filter(id=compound.id).update(land_area=1234.5, floor_area=1000.0)
        await Firm.filter(id=town.firms[1].id).update(
            owning_group="某集团", founded_on=dt.date(2001, 2, 3)
        )
        parent = await Organisation.filter(kind=OrganisationKind.PARTY_COMMUNITY).first()
        for kind, place in (
            (OrganisationKind.PARTY_COMPOUND_BRANCH, {"compound": compound}),
            (OrganisationKind.PARTY_GRID_BRANCH, {"grid": grid}),
            (OrganisationKind.PARTY_BUILDING_GROUP, {"building": building}),
            (OrganisationKind.OWNERS_COMMITTEE, {"compound": compound}),
        ):
            await Organisation.create(
                kind=kind, name=f"{kind.label()}一", parent=parent, members_count=7,
                founded_on=dt.date(2019, 7, 1), **place,
            )  # fmt: skip
        await Organisation.create(kind=OrganisationKind.SOCIAL_ORGANISATION, name="社工站")
        # An ended contract, and a later one overlapping the first firm's.
        await ManagementContract.create(
            compound=town.compounds[1], firm=town.firms[1],
            starts_on=dt.date(2015, 1, 1), ends_on=dt.date(2019, 12, 31),
        )  # fmt: skip
        await ManagementContract.create(
            compound=town.compounds[2], firm=town.firms[1], starts_on=dt.date(2024, 1, 1),
            mode=ManagementMode.COMMUNITY_CARETAKER,
        )  # fmt: skip
        stamp = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
        for i, (kind, stage) in enumerate(
            [
                (CaseKind.SERVICE_REQUEST, CaseStage.ACCEPTED),
                (CaseKind.MEDIATION, CaseStage.MEDIATING),
                (CaseKind.SERVICE_REQUEST, CaseStage.REPLIED),
            ]
        ):
            case = await Case.create(
                kind=kind, title=f"事项{i}", description="说明", compound=compound,
                stage=stage, stage_entered_at=stamp + dt.timedelta(microseconds=i * 1001),
            )  # fmt: skip
            # Whole seconds and microseconds: both render as Python's isoformat() does.
            await Case.filter(id=case.id).update(created_at=stamp + dt.timedelta(seconds=i))
        # The case columns the row shape gives the compiled path, set on the newest case.
        await Case.filter(id=case.id).update(
            on_behalf_of="王阿姨", topic="议题", category=CaseCategory.PARKING,
            stage_due_on=dt.date(2026, 3, 20), escalation_level=EscalationLevel.STREET,
            reply="已答复", mediation_outcome=MediationOutcome.SETTLED,
        )  # fmt: skip


@pytest.fixture
async def ids(empty_db: str) -> dict[str, str]:
    """The test city, and the global ids of rows that have relations worth following."""
    await _city()

    async def one(sql: str) -> int:
        rows = await db.fetch(sql, ["dongguan"])
        return int(rows[0]["id"])

    compound = await one(
        "SELECT compound_id AS id FROM cases WHERE city_id = $1 "
        "GROUP BY compound_id ORDER BY count(*) DESC, compound_id LIMIT 1"
    )
    return {
        "compound": to_global_id("Compound", compound),
        "street": to_global_id(
            "Street", await one("SELECT min(id) AS id FROM streets WHERE city_id = $1")
        ),
        "community": to_global_id(
            "Community",
            await one(
                f"SELECT community_id AS id FROM compounds WHERE id = {compound} AND city_id = $1"
            ),
        ),
        "firm": to_global_id(
            "Firm",
            await one(
                "SELECT firm_id AS id FROM management_contracts WHERE city_id = $1 "
                "GROUP BY firm_id ORDER BY count(*) DESC, firm_id LIMIT 1"
            ),
        ),
        "organisation": to_global_id(
            "Organisation",
            await one(
                "SELECT min(id) AS id FROM organisations "
                "WHERE city_id = $1 AND parent_id IS NOT NULL"
            ),
        ),
        "building": to_global_id(
            "Building", await one("SELECT min(id) AS id FROM buildings WHERE city_id = $1")
        ),
        "grid": to_global_id(
            "Grid", await one("SELECT coalesce(min(id), 0) AS id FROM grids WHERE city_id = $1")
        ),
        "case": to_global_id(
            "Case", await one("SELECT max(id) AS id FROM cases WHERE city_id = $1")
        ),
        "compound_pk": str(compound),
    }


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The real app, without the per-caller rate limit: one caller sends hundreds of queries."""
    from schema.http.app import create_app

    app = create_app(manage_db=False)
    for route in app.routes:
        limiter = getattr(getattr(route, "endpoint", None), "rate_limiter", None)
        if limiter is not None:
            limiter.rate = 0  # schema/http/guard.py: a rate of 0 turns limiting off
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as c:
        yield c


@pytest.fixture
async def paths(client: httpx.AsyncClient, ids: dict[str, str]) -> AsyncIterator[TwoPaths]:
    compound_pk = int(ids["compound_pk"])
    rows = await db.fetch(
        "SELECT c.community_id, m.street_id FROM compounds c "
        "JOIN communities m ON m.id = c.community_id WHERE c.id = $1",
        [compound_pk],
    )
    firm = await db.fetch(
        "SELECT firm_id FROM management_contracts WHERE city_id = $1 ORDER BY id LIMIT 1",
        ["dongguan"],
    )
    callers: dict[str, str | None] = {
        "anonymous": None,
        "admin": token("dongguan", Role.CITY_ADMIN),
        "street": token(
            "dongguan", Role.STREET_ADMIN, Scope.parse(f"street:{rows[0]['street_id']}")
        ),
        "community": token(
            "dongguan", Role.COMMUNITY_WORKER, Scope.parse(f"community:{rows[0]['community_id']}")
        ),
        "resident": token("dongguan", Role.RESIDENT, Scope.parse(f"compound:{compound_pk}")),
        "firm": token("dongguan", Role.FIRM_STAFF, Scope.parse(f"firm:{firm[0]['firm_id']}")),
    }
    yield TwoPaths(client, callers)


# -- the queries of the API tests -----------------------------------------------------------


def harvested_queries() -> list[str]:
    """Every string literal in tests/schema/*/test_*.py that parses as a GraphQL query."""
    found: dict[str, None] = {}
    for path in sorted(SCHEMA_TESTS.glob("*/test_*.py")):
        if path.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" in node.value:
                try:
                    document = graphql.parse(node.value)
                except graphql.GraphQLError:
                    continue
                if all(
                    isinstance(d, graphql.OperationDefinitionNode)
                    and d.operation is graphql.OperationType.QUERY
                    for d in document.definitions
                ):
                    found[node.value] = None
    return list(found)


def test_the_api_tests_have_queries_to_harvest():
    assert len(harvested_queries()) >= 8


async def test_every_query_of_the_api_tests(paths: TwoPaths, ids: dict[str, str]):
    variables = {"after": None, "n": 3, "id": ids["case"]}
    compiled = 0
    for query in harvested_queries():
        document = graphql.parse(query)
        names = {
            v.variable.name.value
            for d in document.definitions
            if isinstance(d, graphql.OperationDefinitionNode)
            for v in d.variable_definitions or ()
        }
        given_vars = {k: v for k, v in variables.items() if k in names}
        for caller in ("anonymous", "admin", "community"):
            compiled += await paths.check(query, given_vars, caller)
    assert compiled > len(harvested_queries())


# -- every compiled type, field and argument ------------------------------------------------

COMPOUND = """
fragment CompoundFields on Compound {
  id name kind kindLabel homes residents landArea floorArea mature managementMode
  managementModeLabel createdAt __typename
}
"""

QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    ("city", "{ city { slug name nameEn viewerRole viewerScope __typename } __typename }", {}),
    (
        "compounds page with everything",
        COMPOUND
        + """query($after: String, $first: Int) {
          compounds(first: $first, after: $after) {
            totalCount __typename
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
            edges { cursor __typename node { ...CompoundFields
              community { id name kind kindLabel createdAt street { id name code createdAt } }
              firm { id name registrationNumber isStateOwned owningGroup foundedOn createdAt }
              currentContract { id startsOn endsOn mode modeLabel firm { name } compound { name } }
              contracts { id startsOn endsOn mode }
              buildings { id name floors homes createdAt grid { id name code } compound { name } }
              organisations { id name kind kindLabel membersCount foundedOn createdAt }
              cases(first: 3) { totalCount pageInfo { hasNextPage endCursor startCursor
                hasPreviousPage } edges { cursor node { id kind kindLabel title description
                stage stageLabel stageEnteredAt version createdAt compound { name } } } }
            } }
          } }""",
        {"first": 7},
    ),
    (
        "aliases, fragments, directives",
        COMPOUND
        + """query($yes: Boolean!, $no: Boolean!) {
          a: compounds(first: 2, orderBy: {field: HOMES, direction: DESC}) {
            nodes { ...CompoundFields n: name ... on Compound { homes } ... @include(if: $yes) {
              residents } ... @skip(if: $yes) { kind } mature @include(if: $no) } }
          b: compounds(first: 2, orderBy: {field: RESIDENTS}) { nodes { name } }
          c: compounds(first: 2, orderBy: {field: CREATED_AT, direction: DESC}) {
            edges { cursor } }
          d: compounds(first: 0) { totalCount nodes { name } pageInfo { hasNextPage } }
        }""",
        {"yes": True, "no": False},
    ),
    (
        "compound filters",
        """query($street: ID, $community: ID, $firm: ID) {
          s: compounds(first: 5, filter: {streetId: $street}) { totalCount nodes { name } }
          c: compounds(first: 5, filter: {communityId: $community, mature: true}) {
            totalCount nodes { name } }
          f: compounds(first: 5, filter: {firmId: $firm}) { totalCount nodes { name } }
          k: compounds(first: 5, filter: {kind: [PUBLIC_RENTAL, COMMERCIAL_RESIDENTIAL],
            managementMode: PROPERTY_FIRM, nameContains: "园"}) { totalCount nodes { name } }
          e: compounds(first: 5, filter: {nameContains: "%_\\\\"}) { totalCount }
        }""",
        {},
    ),
    (
        "places",
        """query($street: ID, $community: ID, $compound: ID) {
          streets(first: 2, filter: {streetId: $street}) { totalCount nodes { id name code
            communities { name kind compounds { name } grids { name } } } }
          communities(first: 3, filter: {streetId: $street}, orderBy: {field: CREATED_AT}) {
            totalCount nodes { name street { name } } }
          grids(first: 3, filter: {communityId: $community}) { totalCount nodes { id name code
            createdAt community { name } buildings { name } } }
          buildings(first: 3, filter: {compoundId: $compound}) { totalCount nodes { name } }
          bs: buildings(first: 3, filter: {streetId: $street}) { totalCount nodes { name } }
          bc: buildings(first: 3, filter: {communityId: $community}) { totalCount }
        }""",
        {},
    ),
    (
        "organisations",
        """{
          organisations(first: 20, filter: {rootOnly: true}) { totalCount nodes { id name kind
            kindLabel membersCount foundedOn createdAt parent { name } children { name children {
            name } } place { __typename ... on Street { name } ... on Community { name kind }
            ... on Compound { name } ... on Grid { code } ... on Building { floors } } } }
          kinds: organisations(first: 5, filter: {kind: [PARTY_COMMUNITY], nameContains: "党"}) {
            totalCount nodes { name place { ... on Community { name } } } }
        }""",
        {},
    ),
    (
        "organisation filters",
        """query($street: ID, $community: ID, $compound: ID, $org: ID) {
          a: organisations(first: 5, filter: {streetId: $street}) { totalCount }
          b: organisations(first: 5, filter: {communityId: $community}) { totalCount }
          c: organisations(first: 5, filter: {compoundId: $compound}) { totalCount }
          d: organisations(first: 5, filter: {parentId: $org}) { totalCount nodes { name } }
        }""",
        {},
    ),
    (
        "firms",
        """{ firms(first: 5, orderBy: {field: NAME, direction: DESC}) { totalCount nodes { id name
            registrationNumber isStateOwned owningGroup foundedOn createdAt contracts { id startsOn
            endsOn mode modeLabel compound { name } firm { name } } } }
          state: firms(first: 5, filter: {isStateOwned: true}) { totalCount }
          named: firms(first: 5, filter: {nameContains: "物业"}) { totalCount } }""",
        {},
    ),
    (
        "cases",
        """query($compound: ID, $community: ID, $street: ID) {
          all: cases(first: 5) { totalCount edges { cursor node { title stage stageLabel
            kindLabel onBehalfOf topic category stageDueOn escalationLevel reply
            mediationOutcome } } pageInfo { hasNextPage endCursor } }
          byCompound: cases(first: 5, filter: {compoundId: $compound}) { totalCount }
          byCommunity: cases(first: 5, filter: {communityId: $community}) { totalCount }
          byStreet: cases(first: 5, filter: {streetId: $street}) { totalCount }
          kinds: cases(first: 5, filter: {kind: [PROPERTY_DISPUTE], stage: [TOPIC_COLLECTION,
            ACCEPTED]}) { totalCount nodes { title } }
          dates: cases(first: 5, filter: {filedAfter: "2020-01-01T00:00:00+00:00",
            filedBefore: "2030-01-01T08:00:00+08:00"}) { totalCount }
          oldest: cases(first: 5, orderBy: {field: STAGE_ENTERED_AT, direction: ASC}) {
            nodes { title stageEnteredAt } }
        }""",
        {},
    ),
    (
        "nodes",
        """query($a: ID!, $b: ID!, $c: ID!, $d: ID!, $e: ID!, $f: ID!, $g: ID!, $h: ID!) {
          a: node(id: $a) { id __typename ... on Compound { name } }
          b: node(id: $b) { id ... on Street { name } }
          c: node(id: $c) { ... on Community { name } }
          d: node(id: $d) { ... on Firm { name } }
          e: node(id: $e) { ... on Organisation { name } }
          f: node(id: $f) { ... on Building { name } }
          g: node(id: $g) { ... on Grid { name } }
          h: node(id: $h) { id ... on Case { title compound { name } onBehalfOf topic category
            stageDueOn escalationLevel reply mediationOutcome } }
          gone: node(id: "Q29tcG91bmQ6OTk5OTk5") { id }
          other: node(id: "TWFuYWdlbWVudENvbnRyYWN0OjE") { id }
        }""",
        {},
    ),
]

NODE_VARS = {
    "a": "compound",
    "b": "street",
    "c": "community",
    "d": "firm",
    "e": "organisation",
    "f": "building",
    "g": "grid",
    "h": "case",
}


def _variables(name: str, given_vars: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    if name == "nodes":
        return {k: ids[v] for k, v in NODE_VARS.items()}
    return {
        "street": ids["street"],
        "community": ids["community"],
        "compound": ids["compound"],
        "firm": ids["firm"],
        "org": ids["organisation"],
        **given_vars,
    }


@pytest.mark.parametrize("caller", ["anonymous", "admin", "street", "resident", "firm"])
async def test_every_compiled_field_and_argument(paths: TwoPaths, ids: dict[str, str], caller: str):
    for name, query, given_vars in QUERIES:
        variables = _variables(name, given_vars, ids)
        names = {
            v.variable.name.value
            for d in graphql.parse(query).definitions
            if isinstance(d, graphql.OperationDefinitionNode)
            for v in d.variable_definitions or ()
        }
        variables = {k: v for k, v in variables.items() if k in names}
        for lang in ("zh", "en"):
            answered = await paths.check(query, variables, caller, lang)
            # Only the root case list refuses anonymous callers; that error is the resolvers'.
            assert answered or (caller == "anonymous" and name == "cases"), name


async def test_the_compiled_path_costs_one_statement_whatever_the_page_size(paths: TwoPaths):
    query = """query($n: Int) { compounds(first: $n) { nodes { name
        community { name street { name } } firm { name }
        cases(first: 2) { nodes { title stage createdAt } } } } }"""
    counts = {}
    for n in (3, 30):
        with StatementCounter() as counter:
            _, body = await paths.post(query, {"n": n}, "admin", "zh", compiled=True)
        assert len(body["data"]["compounds"]["nodes"]) == min(n, 6)  # six compounds
        compiled = [s for s in counter.statements if s.startswith("SELECT json_build_object")]
        assert len(compiled) == 1
        counts[n] = counter.count  # with whatever the request reads besides (plugins, say)
    assert counts[3] == counts[30]


async def test_paging_on_the_compiled_path_matches_page_by_page(paths: TwoPaths):
    query = QUERIES[1][1]
    after = None
    for _ in range(3):
        _, body = await paths.post(query, {"first": 4, "after": after}, "admin", "en", True)
        assert await paths.check(query, {"first": 4, "after": after})
        after = body["data"]["compounds"]["pageInfo"]["endCursor"]
    cases = (
        "query($a: String) { cases(first: 2, after: $a) { pageInfo { endCursor } nodes { id } } }"
    )
    _, body = await paths.post(cases, {}, "admin", "en", True)
    assert await paths.check(cases, {"a": body["data"]["cases"]["pageInfo"]["endCursor"]})


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ compounds(first: 101) { totalCount } }", {}),
        ("{ compounds(first: -1) { totalCount } }", {}),
        ('{ compounds(after: "bm90IGEgY3Vyc29y") { totalCount } }', {}),
        ("{ compounds { nodes { cases(first: 500) { totalCount } } } }", {}),
        ('{ node(id: "!!") { id } }', {}),
        ('{ compounds(filter: {streetId: "U3RyZWV0OmE"}) { totalCount } }', {}),
        ('{ compounds(filter: {streetId: "Q29tcG91bmQ6MQ"}) { totalCount } }', {}),
        ("{ compounds { nodes { nope } } }", {}),
        ("{ compounds(first: 1) { totalCount } ", {}),
        ("query($n: Int!) { compounds(first: $n) { totalCount } }", {"n": "x"}),
        (
            'mutation { fileCase(input: {kind: MEDIATION, title: "", compoundId: "x"}) '
            "{ errors { code } } }",
            {},
        ),
        ("{ __schema { queryType { name } } }", {}),
        ('{ cases(filter: {filedBefore: "2030-01-01T00:00:00"}) { totalCount } }', {}),
        ("query A { city { slug } } query B { city { name } }", {}),
    ],
)
async def test_errors_and_what_it_cannot_compile_fall_back(
    paths: TwoPaths, query: str, variables: dict[str, Any]
):
    for caller in ("anonymous", "admin"):
        assert not await paths.check(query, variables, caller, "en")


async def test_an_operation_is_chosen_by_name(paths: TwoPaths):
    query = "query A { city { slug } } query B { city { nameEn } }"
    answers = []
    for compiled in ("1", "0"):
        os.environ["CIVICGRAPH_COMPILED"] = compiled
        try:
            before = run.stats["compiled"]
            response = await paths.http.post(
                "/graphql/dongguan", json={"query": query, "operationName": "B"}
            )
            answers.append((response.json(), run.stats["compiled"] - before))
        finally:
            os.environ.pop("CIVICGRAPH_COMPILED", None)
    expected = {"data": {"city": {"nameEn": "Dongguan"}}}
    assert answers == [(expected, 1), (expected, 0)]  # compiled, then resolved


@pytest.fixture
async def every_node(ids: dict[str, str]) -> dict[str, str]:
    return await one_of_each()


@pytest.mark.parametrize("caller", ["admin", "anonymous", "street", "resident"])
async def test_node_of_every_type(
    paths: TwoPaths, every_node: dict[str, str], caller: str, caplog: pytest.LogCaptureFixture
):
    """Each Node type of the schema by `node(id:)`: both paths agree; the types with a compiled
    lookup stay compiled; the others go to the resolvers without an error logged."""
    assert set(every_node) == set(node_types())
    compiled = set()
    with caplog.at_level(logging.DEBUG):
        for type_name in node_types():
            query = node_query(type_name)
            if await paths.check(query, {"id": every_node[type_name]}, caller):
                compiled.add(type_name)
            _, body = await paths.post(query, {"id": every_node[type_name]}, caller, "zh", True)
            if caller == "admin":
                assert body["data"]["node"]["id"] == every_node[type_name], type_name
    # A case's lookup compiles too, but not every field of Case: it may go to the resolvers.
    assert set(NODE_TYPES) <= compiled <= set(NODE_TYPES) | {"Case"}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


async def test_a_query_that_reads_no_table_compiles(
    paths: TwoPaths, caplog: pytest.LogCaptureFixture
):
    # The statement names no table, yet the city is its first parameter.
    with caplog.at_level(logging.WARNING):
        for caller in ("anonymous", "admin"):
            assert await paths.check("{ __typename a: __typename }", None, caller)
    assert not caplog.records


# -- queries generated from the schema --------------------------------------------------------

_DATES = st.datetimes(
    min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC)
)


class _Tame(graphql.Visitor):
    """Keep generated arguments in the useful range: page sizes that pass, ids that exist
    (of the type a filter expects), no random cursors."""

    FILTER_IDS: ClassVar[dict[str, str]] = {
        "streetId": "street",
        "communityId": "community",
        "compoundId": "compound",
        "firmId": "firm",
        "parentId": "organisation",
    }

    def __init__(self, ids: dict[str, str]) -> None:
        super().__init__()
        self.ids = ids
        self.pool = [v for k, v in ids.items() if k != "compound_pk"]

    def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> graphql.ArgumentNode | None:
        name, value = node.name.value, node.value
        if name == "first" and isinstance(value, graphql.IntValueNode):
            small = graphql.IntValueNode(value=str(abs(int(value.value)) % 12))
            return graphql.ArgumentNode(name=node.name, value=small)
        if name == "after" and isinstance(value, graphql.StringValueNode):
            return graphql.ArgumentNode(name=node.name, value=graphql.NullValueNode())
        if name == "id" and isinstance(value, graphql.StringValueNode | graphql.IntValueNode):
            pick = self.pool[zlib.crc32(value.value.encode()) % len(self.pool)]
            return graphql.ArgumentNode(name=node.name, value=graphql.StringValueNode(value=pick))
        return None

    def enter_object_field(
        self, node: graphql.ObjectFieldNode, *_: Any
    ) -> graphql.ObjectFieldNode | None:
        kind = self.FILTER_IDS.get(node.name.value)
        if kind and isinstance(node.value, graphql.StringValueNode | graphql.IntValueNode):
            value = graphql.StringValueNode(value=self.ids[kind])
            return graphql.ObjectFieldNode(name=node.name, value=value)
        return None


@pytest.fixture
def generated(ids: dict[str, str]) -> Any:
    schema = core_schema()._schema
    tame = _Tame(ids)

    def printed(document: graphql.DocumentNode) -> str:
        return graphql.print_ast(graphql.visit(document, tame))

    return queries(
        schema,
        # The core read fields; other areas' root fields are the resolvers' by design.
        fields=sorted(CATALOG["Query"]),
        custom_scalars={
            "DateTime": _DATES.map(lambda d: nodes.String(d.isoformat())),
            "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
        },
        print_ast=printed,
        allow_x00=False,
    )


def _draw(strategy: Any, count: int) -> list[tuple[str, str, str]]:
    """Draw generated cases with hypothesis (generation only), to run them on the event loop."""
    drawn: list[tuple[str, str, str]] = []

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,  # the same queries every run: CI must not flake
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        query=strategy,
        caller=st.sampled_from(["anonymous", "admin", "firm"]),
        lang=st.sampled_from(["zh", "en"]),
    )
    def draw(query: str, caller: str, lang: str) -> None:
        drawn.append((query, caller, lang))

    draw()
    return drawn


async def test_generated_queries(paths: TwoPaths, generated: Any):
    cases = _draw(generated, 50)
    answered = [await paths.check(query, None, caller, lang) for query, caller, lang in cases]
    assert len(cases) >= 40
    # Most generated queries stay on the compiled path; the rest end in the resolvers' errors.
    assert sum(answered) >= len(answered) // 2, sum(answered)
