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


async def test_fragment_bombs_are_refused_by_their_expanded_fields(cities, gql: GraphQLClient):
    # Each fragment doubles the previous one: 2**20 copies if expanded naively. Counted with
    # each fragment's count kept, in time linear in the document, and refused before validation.
    parts = ["fragment F0 on Street { id name }"]
    for i in range(1, 21):
        parts.append(f"fragment F{i} on Street {{ ...F{i - 1} ...F{i - 1} }}")
    query = " ".join(parts) + " { streets(first: 1) { nodes { ...F20 } } }"
    body = await gql(query, expect_errors=True)
    assert _code(body) == "TOO_MANY_FIELDS"
    assert body["errors"][0]["extensions"]["limit"] == get_settings().limits.max_fields


# Issue 17, finding 2: 490 copies of `{ city { name } }` fit the token limit and passed every
# shape limit; graphql-core's OverlappingFieldsCanBeMerged then compared 240,000 field pairs
# (~1.5 s of CPU a request that no timeout interrupts).
REPEATED = "{" + " city { name }" * 490 + " }"


def _doubling(depth: int) -> str:
    """`a { X } a { X }` nested: few selections per set, 4**depth comparisons."""
    return (
        "name" if depth == 0 else f"a {{ {_doubling(depth - 1)} }} a {{ {_doubling(depth - 1)} }}"
    )


def _shape(query: str):
    from schema.api.build import core_schema

    limits = get_settings().limits
    return measure(core_schema()._schema, parse(query), None, None, limits, 20)


def test_the_overlap_check_is_counted_before_it_runs_and_the_count_stops_at_the_limit():
    limits = get_settings().limits
    assert _shape(REPEATED).selections == 490
    assert _shape(" ".join(["{", "city { name }" * 20, "}"])).merge_checks == 20 + 20 + 190 * 2
    # Seven levels of doubling: 19,305 steps for graphql-core, counted only just past the limit.
    assert _shape("{" + _doubling(7) + "}").merge_checks == limits.max_merge_checks + 1
    # GraphiQL's introspection query passes with room to spare.
    from graphql import get_introspection_query

    assert _shape(get_introspection_query()).merge_checks < limits.max_merge_checks / 5


async def test_repeated_fields_are_refused_before_validation(cities, client: httpx.AsyncClient):
    from graphql.validation import rules

    compared = []
    original = rules.overlapping_fields_can_be_merged.find_conflict

    def counting(*args, **kwargs):  # a probe on graphql-core's rule, not on our code
        compared.append(1)
        return original(*args, **kwargs)

    rules.overlapping_fields_can_be_merged.find_conflict = counting
    try:
        selections = await client.post("/graphql/dongguan", json={"query": REPEATED})
        # Two fields per set, and unknown fields: validation would still compare them all.
        doubling = await client.post("/graphql/dongguan", json={"query": "{" + _doubling(8) + "}"})
    finally:
        rules.overlapping_fields_can_be_merged.find_conflict = original
    assert _code(selections.json()) == "TOO_MANY_SELECTIONS"
    assert selections.json()["errors"][0]["extensions"]["actual"] == 490
    assert _code(doubling.json()) == "TOO_MANY_MERGE_CHECKS"
    assert compared == []


async def test_the_schema_extension_refuses_them_too(cities):
    # The same limits in the schema's own extension (the WebSocket and in-process path).
    from schema.api.build import core_schema

    result = await core_schema().execute(REPEATED)
    assert result.errors and result.errors[0].extensions["code"] == "TOO_MANY_SELECTIONS"


# Issue 17, finding 3: the cost was taken from the connection's default page (20) when the
# variable was not sent, while graphql-core ran it with the variable's default (100).
DEFAULTED = (
    "query($n: Int = 100) { "
    + " ".join(
        f"a{i}: compounds(first: $n) {{ nodes {{ cases(first: $n) {{ nodes {{ id }} }} }} }}"
        for i in range(3)
    )
    + " }"
)


def test_variable_defaults_count_as_the_value_that_runs():
    query = "query($n: Int = 100) { compounds(first: $n) { nodes { name } } }"
    assert _nodes(query) == 100
    assert _nodes(query, {"n": 7}) == 7
    assert _nodes(query, {"n": None}) == get_settings().default_page_size  # null: the default page
    assert _nodes("query($n: Int) { compounds(first: $n) { nodes { name } } }", {"n": 7.0}) == 7
    # Only the operation that runs is costed, with its own defaults.
    two = """query Small($n: Int = 1) { compounds(first: $n) { nodes { name } } }
             query Large($n: Int = 90) { compounds(first: $n) { nodes { name } } }"""
    from schema.api.build import core_schema

    limits = get_settings().limits
    schema = core_schema()._schema
    assert measure(schema, parse(two), "Small", None, limits, 20).nodes == 1
    assert measure(schema, parse(two), "Large", None, limits, 20).nodes == 90


async def test_cost_counts_variable_defaults(cities, client: httpx.AsyncClient):
    response = await client.post("/graphql/dongguan", json={"query": DEFAULTED})
    assert _code(response.json()) == "QUERY_TOO_COSTLY"
    assert response.json()["errors"][0]["extensions"]["actual"] == 3 * (100 + 100 * 100)


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
