"""Bearer tokens: refused with a clear code when expired, malformed, forged or foreign."""

from __future__ import annotations

import jwt
import pytest

from core.enums import Role
from tests.conftest import token

WRONG_SECRET = "a-wrong-secret-that-is-long-enough-for-hs256"
QUERY = {"query": "{ city { viewerRole viewerScope } }"}


async def _post(client, auth: str | None, city: str = "dongguan"):
    headers = {"Authorization": auth} if auth else {}
    return await client.post(f"/graphql/{city}", json=QUERY, headers=headers)


async def test_a_valid_token_sets_the_callers_role(empty_db, client):
    response = await _post(client, f"Bearer {token('dongguan', Role.CITY_ADMIN)}")
    assert response.json()["data"]["city"] == {"viewerRole": "CITY_ADMIN", "viewerScope": "city"}


@pytest.mark.parametrize(
    ("auth", "code"),
    [
        ("Bearer " + token("dongguan", Role.CITY_ADMIN, ttl_seconds=-10), "TOKEN_EXPIRED"),
        ("Bearer not.a.jwt", "TOKEN_INVALID"),
        ("Basic dXNlcjpwYXNz", "TOKEN_INVALID"),
        (
            "Bearer "
            + jwt.encode(
                {
                    "city": "dongguan",
                    "role": "CITY_ADMIN",
                    "sub": "x",
                    "exp": 9999999999,
                    "iss": "civicgraph",
                },
                WRONG_SECRET,
                algorithm="HS256",
            ),
            "TOKEN_INVALID",
        ),
        ("Bearer " + token("zhuhai", Role.CITY_ADMIN), "TOKEN_WRONG_CITY"),
    ],
    ids=["expired", "malformed", "not-bearer", "wrong-signature", "other-city"],
)
async def test_bad_tokens_are_refused_with_a_code(empty_db, client, auth: str, code: str):
    response = await _post(client, auth)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_health_and_readiness(empty_db, client):
    assert (await client.get("/healthz")).text == "ok"
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"ready": True})


async def test_graphiql_opens_in_a_browser(empty_db, client):
    response = await client.get("/graphql/dongguan", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
