"""The production profile: no introspection, no field suggestions, no GraphiQL, no dev secret,
no dev data key, no weak secret, no unknown profile (issue 17, finding 1)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from core.infra.cities import ensure_cities
from core.infra.enums import Role
from core.infra.settings import SettingsError, get_settings
from core.security.personal import DEV_DATA_KEY
from schema.api import build
from schema.http.app import create_app
from tests.conftest import token

SECRET = "a-production-secret-that-nobody-has-seen-before"
DATA_KEY = "a-production-data-key-from-the-secret-store-0123"
DEV_SECRET = "civicgraph-development-secret-change-me"  # config/civicgraph.toml


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
    monkeypatch.setenv("CIVICGRAPH_DATA_KEY", DATA_KEY)
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


REFUSED = {
    "secret-unset": ({"CIVICGRAPH_JWT_SECRET": None}, "CIVICGRAPH_JWT_SECRET"),
    "secret-empty": ({"CIVICGRAPH_JWT_SECRET": ""}, "CIVICGRAPH_JWT_SECRET"),
    "secret-dev": ({"CIVICGRAPH_JWT_SECRET": DEV_SECRET}, "development value"),
    "secret-dev-data-key": ({"CIVICGRAPH_JWT_SECRET": DEV_DATA_KEY}, "development value"),
    "secret-one-character": ({"CIVICGRAPH_JWT_SECRET": "x"}, "at least 32 bytes"),
    "secret-31-bytes": ({"CIVICGRAPH_JWT_SECRET": SECRET[:31]}, "at least 32 bytes"),
    "secret-repeated": ({"CIVICGRAPH_JWT_SECRET": "ab" * 40}, "distinct characters"),
    "data-key-unset": ({"CIVICGRAPH_DATA_KEY": None}, "CIVICGRAPH_DATA_KEY"),
    "data-key-empty": ({"CIVICGRAPH_DATA_KEY": ""}, "CIVICGRAPH_DATA_KEY"),
    "data-key-dev": ({"CIVICGRAPH_DATA_KEY": DEV_DATA_KEY}, "CIVICGRAPH_DATA_KEY"),
    "data-key-dev-secret": ({"CIVICGRAPH_DATA_KEY": DEV_SECRET}, "CIVICGRAPH_DATA_KEY"),
    "data-key-is-the-secret": ({"CIVICGRAPH_DATA_KEY": SECRET}, "not be the JWT secret"),
    "data-key-repeated": ({"CIVICGRAPH_DATA_KEY": "k" * 40}, "distinct characters"),
    "profile-capitalised": ({"CIVICGRAPH_PROFILE": "Production"}, "CIVICGRAPH_PROFILE"),
    "profile-unknown": ({"CIVICGRAPH_PROFILE": "prod"}, "CIVICGRAPH_PROFILE"),
}


@pytest.mark.parametrize(("env", "why"), REFUSED.values(), ids=REFUSED.keys())
def test_production_refuses_to_start(production, monkeypatch, env: dict[str, str | None], why):
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    _forget_settings()
    with pytest.raises(SettingsError, match=why):
        create_app(manage_db=False)


async def test_the_server_refuses_to_start_with_an_empty_secret() -> None:
    """The reported attack: production with CIVICGRAPH_JWT_SECRET= started and accepted
    tokens signed with the public development secret."""
    env = os.environ | {
        "CIVICGRAPH_PROFILE": "production",
        "CIVICGRAPH_JWT_SECRET": "",
        "CIVICGRAPH_DATA_KEY": DATA_KEY,
    }
    process = await asyncio.create_subprocess_exec(
        Path(sys.executable).with_name("civicgraph"),
        "serve",
        "--port",
        "1",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert "CIVICGRAPH_JWT_SECRET" in err.decode()


def _hs256(secret: str) -> str:
    """A token signed with `secret`; by hand when it is empty (PyJWT refuses to sign so)."""
    now = int(time.time())
    claims = {"iss": "civicgraph", "sub": "x", "city": "dongguan", "role": "CITY_ADMIN"}
    claims |= {"iat": now, "exp": now + 600}
    if secret:
        return jwt.encode(claims, secret, algorithm="HS256")

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    signing_input = part(b'{"alg":"HS256","typ":"JWT"}') + "." + part(json.dumps(claims).encode())
    signature = hmac.new(b"", signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + part(signature)


async def test_tokens_signed_with_the_development_secret_are_refused(cities, prod_client):
    query = {"query": "{ city { viewerRole } }"}
    for secret in (DEV_SECRET, ""):
        headers = {"Authorization": f"Bearer {_hs256(secret)}"}
        response = await prod_client.post("/graphql/dongguan", json=query, headers=headers)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "TOKEN_INVALID"


async def test_with_an_identity_provider_only_hs256_is_off(cities, production, monkeypatch):
    # Starts without an HS256 secret; neither the development secret nor an empty key
    # signs a token it accepts.
    monkeypatch.setenv("CIVICGRAPH_JWT_SECRET", "")
    monkeypatch.setenv("CIVICGRAPH_JWKS_URL", "http://127.0.0.1:1/jwks.json")
    _forget_settings()
    app = create_app(manage_db=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as c:
        for secret in (DEV_SECRET, ""):
            headers = {"Authorization": f"Bearer {_hs256(secret)}"}
            response = await c.post(
                "/graphql/dongguan", json={"query": "{ city { id } }"}, headers=headers
            )
            assert response.status_code == 401
            assert response.json()["errors"][0]["extensions"]["code"] == "TOKEN_INVALID"


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
    # Nor its bundle (schema/http/graphiql), which development serves.
    assert (await prod_client.get("/graphiql/assets/graphiql.js")).status_code == 404


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
