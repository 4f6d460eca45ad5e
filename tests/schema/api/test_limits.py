"""Hostile queries: each limit refuses with its own code, before the work it bounds is done."""

from __future__ import annotations

import httpx
import pytest
from graphql import parse

from core.infra.cities import ensure_cities
from core.infra.db import StatementCounter
from core.infra.enums import Role
from core.infra.settings import ApiLimits, get_settings
from schema.api.limits import count_tokens, measure
from schema.http.app import create_app
from tests.conftest import GraphQLClient, token


@pytest.fixture
async def cities(database_url: str) -> str:
    """The configured cities, whatever else the database holds: these tests read no rows."""
    await ensure_cities()
    return database_url


def _code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


def _nodes(query: str, variables: dict | None = None) -> int:
    from schema.api.build import core_schema

    limits = get_settings().limits
    shape = measure(core_schema()._schema, parse(query), None, variables, limits, 20)
    return shape.nodes


def test_the_node_cost_multiplies_first_through_nesting_like_githubs():
    assert _nodes("{ compounds(first: 100) { nodes { name } } }") == 100
    nested = "{ compounds(first: 100) { nodes { cases(first: 100) { nodes { title } } } } }"
    assert _nodes(nested) == 100 + 100 * 100
    # `edges` and `nodes` of one connection do not count the page twice.
    both = "{ compounds(first: 10) { edges { node { name } } nodes { name } } }"
    assert _nodes(both) == 10
    # A connection without `first` costs its default page; a nested one its own default.
    assert _nodes("{ streets { nodes { name } } }") == get_settings().default_page_size
    assert _nodes("{ compounds(first: 2) { nodes { cases { nodes { title } } } } }") == 2 + 2 * 10
    # Variables count with their values.
    assert _nodes("query($n: Int) { compounds(first: $n) { nodes { name } } }", {"n": 7}) == 7
    # A fragment spread twice costs twice, and is measured once.
    fragment = "fragment F on Query { firms(first: 30) { nodes { name } } } { ...F ...F }"
    assert _nodes(fragment) == 60


def test_tokens_are_counted_only_up_to_the_limit():
    assert count_tokens("{ a b c }", 100) == 5
    assert count_tokens("{" + " a" * 10**6 + "}", 50) == 51


async def test_too_many_tokens(cities, gql: GraphQLClient):
    query = "{ city { " + "slug " * (get_settings().limits.max_tokens + 1) + "} }"
    body = await gql(query, expect_errors=True)
    assert _code(body) == "TOO_MANY_TOKENS"
    assert body["errors"][0]["extensions"]["limit"] == get_settings().limits.max_tokens


async def test_too_deep(cities, gql: GraphQLClient):
    inner = "id"
    for _ in range(get_settings().limits.max_depth):
        inner = f"community {{ compounds {{ {inner} }} }}"
    body = await gql(f"{{ compounds(first: 1) {{ nodes {{ {inner} }} }} }}", expect_errors=True)
    assert _code(body) == "QUERY_TOO_DEEP"


async def test_nesting_past_the_parsers_bound_is_too_deep_not_a_crash(cities, gql):
    n = 400  # past graphql-core's nesting bound, within the token limit
    body = await gql("{" + "a{" * n + "b" + "}" * n + "}", expect_errors=True)
    assert _code(body) == "QUERY_TOO_DEEP"


async def test_syntax_errors_carry_a_code(cities, gql):
    body = await gql("{ city { slug ", expect_errors=True)
    assert _code(body) == "GRAPHQL_VALIDATION"


async def test_too_many_aliases(cities, gql: GraphQLClient):
    n = get_settings().limits.max_aliases + 1
    query = "{ " + " ".join(f"a{i}: city {{ slug }}" for i in range(n)) + " }"
    body = await gql(query, expect_errors=True)
    assert _code(body) == "TOO_MANY_ALIASES"
    assert body["errors"][0]["extensions"]["actual"] == n


async def test_too_costly_is_refused_before_any_statement(cities, gql: GraphQLClient):
    query = """{ compounds(first: 100) { nodes { cases(first: 100) { nodes {
                 compound { buildings { id } } } } } } }"""
    auth = token("dongguan", Role.CITY_ADMIN)
    with StatementCounter() as counter:
        body = await gql(query, auth=auth, expect_errors=True)
    assert _code(body) == "QUERY_TOO_COSTLY"
    assert body["errors"][0]["extensions"]["actual"] == 100 + 100 * (100 + 100 * 20)
    # The caller's city and plugins are read; the query itself never reaches the database.
    assert not any("compounds" in s or "cases" in s for s in counter.statements)


async def test_cost_counts_variables_too(cities, gql: GraphQLClient):
    query = "query($n: Int) { compounds(first: $n) { nodes { cases(first: $n) { totalCount } } } }"
    body = await gql(query, {"n": 1000}, expect_errors=True)
    assert _code(body) == "QUERY_TOO_COSTLY"


async def test_remembered_verdicts_follow_the_variables_and_the_language(cities, gql):
    # Verdicts are remembered per query text, variables and language (schema/api/limits.py):
    # the same text alternates between refused and answered as its variables change.
    query = "query($n: Int) { compounds(first: $n) { nodes { cases(first: $n) { totalCount } } } }"
    for _ in range(2):
        refused = await gql(query, {"n": 1000}, expect_errors=True)
        assert _code(refused) == "QUERY_TOO_COSTLY"
        assert "errors" not in await gql(query, {"n": 2}, auth=token("dongguan", Role.CITY_ADMIN))
    english = await gql(query, {"n": 1000}, lang="en", expect_errors=True)
    assert english["errors"][0]["message"] != refused["errors"][0]["message"]


async def test_fragment_bombs_are_measured_in_bounded_time(cities, gql: GraphQLClient):
    # Each fragment doubles the previous one: 2**20 copies if expanded naively.
    parts = ["fragment F0 on Street { id name }"]
    for i in range(1, 21):
        parts.append(f"fragment F{i} on Street {{ ...F{i - 1} ...F{i - 1} }}")
    query = " ".join(parts) + " { streets(first: 1) { nodes { ...F20 } } }"
    body = await gql(query, expect_errors=True)
    # Valid and cheap in nodes: it is answered (graphql-core merges the duplicate fields).
    assert "errors" not in body or _code(body) != "INTERNAL"


async def test_batches_are_refused_with_a_code(cities, client: httpx.AsyncClient):
    batch = [{"query": "{ city { slug } }"}, {"query": "{ city { name } }"}]
    response = await client.post("/graphql/dongguan", json=batch)
    assert response.status_code == 400
    assert _code(response.json()) == "BATCHING_DISABLED"


async def test_oversized_bodies_are_refused_with_a_code(cities, client: httpx.AsyncClient):
    size = get_settings().limits.max_body_bytes
    response = await client.post(
        "/graphql/dongguan",
        content=b'{"query": "{ city { slug } }", "x": "' + b"x" * size + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert _code(response.json()) == "REQUEST_TOO_LARGE"


async def _client_with(limits: ApiLimits):
    app = create_app(manage_db=False, limits=limits)
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test")


async def test_execution_stops_at_the_timeout(cities):
    # A timeout so short that the first database round trip exceeds it.
    async with await _client_with(ApiLimits(timeout_seconds=1e-6)) as client:
        query = {"query": "{ compounds(first: 5) { totalCount nodes { name } } }"}
        response = await client.post("/graphql/dongguan", json=query)
    assert response.status_code == 504
    assert _code(response.json()) == "TIMEOUT"


async def test_the_limits_are_read_from_the_config_file():
    limits = get_settings().limits
    assert (limits.max_depth, limits.max_aliases, limits.max_tokens) == (12, 30, 2000)
    assert limits.max_nodes == 20_000


@pytest.mark.parametrize("query", ["{ city { slug } }", "{ compounds(first: 100) { totalCount } }"])
async def test_ordinary_queries_pass_every_limit(cities, gql: GraphQLClient, query: str):
    await gql(query)


async def test_graphiql_introspection_passes_the_limits_in_development(cities, gql):
    from graphql import get_introspection_query

    body = await gql(get_introspection_query())
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
