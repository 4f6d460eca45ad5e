"""Queries and mutations generated from the schema (hypothesis-graphql), run through the API
against the demo data: whatever they ask, no answer is an internal error or a 500.

Examples are drawn with hypothesis (generation only, derandomized: the same ones every run,
so CI cannot flake) and then run on the test's event loop.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from core.infra.enums import Role
from core.security.auth import Scope, ScopeKind
from schema.api.build import core_schema
from tests.conftest import token

SCALARS = {
    "DateTime": st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.just(dt.UTC),
    ).map(lambda d: nodes.String(d.isoformat())),
    "Date": st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)).map(
        lambda d: nodes.String(d.isoformat())
    ),
    "Decimal": st.decimals(min_value=-1000, max_value=10**6, places=2).map(
        lambda d: nodes.String(str(d))
    ),
    "JSON": st.just(nodes.Object([])),
}

CALLERS = {
    "anonymous": None,
    "city_admin": token("dongguan", Role.CITY_ADMIN),
    "resident": token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, 1), subject="owner-1"),
    "firm_staff": token("dongguan", Role.FIRM_STAFF, Scope(ScopeKind.FIRM, 1)),
    "street_admin": token("dongguan", Role.STREET_ADMIN, Scope(ScopeKind.STREET, 1)),
}


def _draw(strategy: Any, count: int) -> list[tuple[str, str]]:
    drawn: list[tuple[str, str]] = []

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(query=strategy, caller=st.sampled_from(sorted(CALLERS)))
    def draw(query: str, caller: str) -> None:
        drawn.append((query, caller))

    draw()
    return drawn


async def _check(client: httpx.AsyncClient, query: str, caller: str) -> dict[str, Any]:
    auth = CALLERS[caller]
    headers = {"Authorization": f"Bearer {auth}"} if auth else {}
    response = await client.post("/graphql/dongguan", json={"query": query}, headers=headers)
    assert response.status_code != 500, (caller, query, response.text)
    assert response.status_code in (200, 400), (caller, query, response.text)
    body: dict[str, Any] = response.json()
    for error in body.get("errors") or ():
        code = (error.get("extensions") or {}).get("code")
        assert code is not None and code != "INTERNAL", (caller, query, error)
    return body


async def test_generated_queries_never_fail_internally(demo_db, client):
    strategy = queries(core_schema()._schema, custom_scalars=SCALARS, allow_x00=False)
    drawn = _draw(strategy, 40)
    bodies = [await _check(client, query, caller) for query, caller in drawn]
    assert len(drawn) >= 30
    assert any(b.get("data") for b in bodies)  # not everything refused


async def test_generated_mutations_never_fail_internally(writable_demo_db, client):
    strategy = mutations(core_schema()._schema, custom_scalars=SCALARS, allow_x00=False)
    drawn = _draw(strategy, 40)
    for query, caller in drawn:
        await _check(client, query, caller)
    assert len(drawn) >= 30
