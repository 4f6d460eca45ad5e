"""Per-caller rate limits: a token bucket per token subject, or per address when anonymous."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from core.infra.cities import ensure_cities
from core.infra.enums import Role
from core.infra.settings import ApiLimits
from schema.http.app import create_app
from schema.http.guard import RateLimiter
from tests.conftest import token

QUERY = {"query": "{ city { slug } }"}


@pytest.fixture
async def cities(database_url: str) -> str:
    """The configured cities, whatever else the database holds: these tests read no rows."""
    await ensure_cities()
    return database_url


def _client(limits: ApiLimits | Starlette, address: str = "10.0.0.1") -> httpx.AsyncClient:
    app = limits if isinstance(limits, Starlette) else create_app(manage_db=False, limits=limits)
    transport = httpx.ASGITransport(app=app, client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test")


async def _statuses(client: httpx.AsyncClient, n: int, auth: str | None = None) -> list[int]:
    headers = {"Authorization": f"Bearer {auth}"} if auth else {}
    return [
        (await client.post("/graphql/dongguan", json=QUERY, headers=headers)).status_code
        for _ in range(n)
    ]


async def test_a_caller_past_the_burst_gets_429_with_retry_after(cities):
    # One token every 100 s: the test cannot refill the bucket by being slow.
    async with _client(ApiLimits(rate_per_second=0.01, rate_burst=3)) as client:
        assert await _statuses(client, 3) == [200, 200, 200]
        response = await client.post("/graphql/dongguan", json=QUERY)
    assert response.status_code == 429
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= int(response.headers["Retry-After"]) <= 100


async def test_each_token_subject_has_its_own_bucket(cities):
    alice = token("dongguan", Role.RESIDENT, scope=_compound(1), subject="alice")
    bob = token("dongguan", Role.RESIDENT, scope=_compound(1), subject="bob")
    async with _client(ApiLimits(rate_per_second=0.01, rate_burst=2)) as client:
        assert await _statuses(client, 3, alice) == [200, 200, 429]
        assert await _statuses(client, 2, bob) == [200, 200]
        # Anonymous callers from the same address are counted apart from token holders.
        assert await _statuses(client, 2) == [200, 200]


async def test_anonymous_callers_are_counted_per_address(cities):
    app = create_app(manage_db=False, limits=ApiLimits(rate_per_second=0.01, rate_burst=1))
    async with _client(app, "10.0.0.1") as first, _client(app, "10.0.0.2") as second:
        assert await _statuses(first, 2) == [200, 429]
        assert await _statuses(second, 1) == [200]
        assert await _statuses(first, 1) == [429]


def test_the_bucket_refills_with_time():
    limiter = RateLimiter(rate=1000.0, burst=1)
    assert limiter.take("x") == 0.0
    wait = limiter.take("x")
    assert 0 < wait <= 0.001
    limiter._buckets["x"].updated -= 0.01  # 10 ms later: ten tokens' worth, capped at 1
    assert limiter.take("x") == 0.0


def _compound(pk: int):
    from core.security.auth import Scope, ScopeKind

    return Scope(ScopeKind.COMPOUND, pk)


async def test_refused_tokens_are_limited_like_anonymous_requests(cities):
    # Tokens were checked before the limiter and a refusal was never charged: guessing was free.
    async with _client(ApiLimits(rate_per_second=0.01, rate_burst=3)) as client:
        assert await _statuses(client, 5, auth="not-a-token") == [401, 401, 401, 429, 429]
        # The address's bucket: anonymous requests from it wait too.
        assert await _statuses(client, 1) == [429]


async def test_admin_pages_and_exports_are_limited(cities):
    async with _client(ApiLimits(rate_per_second=0.01, rate_burst=2)) as client:
        statuses = [
            (await client.get(path)).status_code
            for path in ["/admin/dongguan", "/admin/dongguan/export/cases.csv"] * 2
        ]
    # No token: refused 401 until the bucket is empty, then 429 before any work.
    assert statuses == [401, 401, 429, 429]
