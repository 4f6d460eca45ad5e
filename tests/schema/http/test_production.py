"""The production profile: no introspection, no field suggestions, no GraphiQL, no dev secret."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from core.infra.cities import ensure_cities
from core.infra.enums import Role
from core.infra.settings import get_settings
from schema.api import build
from schema.http.app import create_app
from tests.conftest import token

SECRET = "a-production-secret-that-nobody-has-seen-before"


@pytest.fixture
async def cities(database_url: str) -> str:
    """The configured cities, whatever else the database holds: these tests read no rows."""
    await ensure_cities()
    return database_url


def _forget_settings() -> None:
    # The settings and the schemas built from them are cached per process.
    get_settings.cache_clear()
    build.core_schema.cache_clear()
    build._by_plugins.clear()


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CIVICGRAPH_PROFILE", "production")
    monkeypatch.setenv("CIVICGRAPH_JWT_SECRET", SECRET)
    _forget_settings()
    yield
    monkeypatch.undo()
    _forget_settings()


@pytest.fixture
async def prod_client(production: None, database_url: str):
    app = create_app(manage_db=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as c:
        yield c


def test_production_refuses_to_start_with_the_development_secret(monkeypatch):
    monkeypatch.setenv("CIVICGRAPH_PROFILE", "production")
    monkeypatch.delenv("CIVICGRAPH_JWT_SECRET", raising=False)
    _forget_settings()
    try:
        with pytest.raises(RuntimeError, match="CIVICGRAPH_JWT_SECRET"):
            create_app(manage_db=False)
    finally:
        monkeypatch.undo()
        _forget_settings()


async def test_introspection_is_off(cities, prod_client):
    query = {"query": "{ __schema { queryType { name } } }"}
    body = (await prod_client.post("/graphql/dongguan", json=query)).json()
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION"
    assert "introspection" in body["errors"][0]["message"].lower()


async def test_no_field_suggestions(cities, prod_client):
    query = {"query": "{ compoundz { totalCount } }"}
    body = (await prod_client.post("/graphql/dongguan", json=query)).json()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION"
    assert "Did you mean" not in body["errors"][0]["message"]


async def test_development_suggests_fields(cities, client):
    query = {"query": "{ compoundz { totalCount } }"}
    body = (await client.post("/graphql/dongguan", json=query)).json()
    assert "Did you mean" in body["errors"][0]["message"]


async def test_graphiql_is_not_served(cities, prod_client):
    page = await prod_client.get("/graphql/dongguan", headers={"Accept": "text/html"})
    assert "graphiql" not in page.text.lower()


async def test_tokens_signed_with_the_production_secret_work(cities, prod_client):
    headers = {"Authorization": f"Bearer {token('dongguan', Role.CITY_ADMIN)}"}
    query = {"query": "{ city { viewerRole } }"}
    body = (await prod_client.post("/graphql/dongguan", json=query, headers=headers)).json()
    assert body["data"]["city"]["viewerRole"] == "CITY_ADMIN"


async def test_no_development_sign_in_for_the_admin_pages(
    cities: str, prod_client: httpx.AsyncClient
) -> None:
    admin = token("dongguan", Role.CITY_ADMIN)  # signed with the production secret
    assert (await prod_client.get("/admin/dongguan/sign-in")).status_code == 404
    signed = await prod_client.post("/admin/dongguan/sign-in", data={"token": admin})
    assert signed.status_code == 404 and "set-cookie" not in signed.headers
