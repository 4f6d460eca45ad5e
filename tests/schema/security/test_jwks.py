"""Tokens from an external identity provider, verified against its JWKS over real HTTP.

The provider is a small HTTP server on 127.0.0.1 publishing keys generated here with
`cryptography`; it can rotate its keys and go down, as real ones do.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from core.infra.cities import ensure_cities
from core.infra.settings import get_settings
from core.security import jwks

QUERY = {"query": "{ city { viewerRole viewerScope } }"}


@pytest.fixture
async def cities(database_url: str) -> str:
    """The configured cities, whatever else the database holds: these tests read no rows."""
    await ensure_cities()
    return database_url


# Generated once per run: RSA key generation is slow, and the keys' values do not matter.
_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_EC_KEY = ec.generate_private_key(ec.SECP256R1())
_OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class IdentityProvider:
    """Publishes the public halves of its signing keys at /jwks.json; signs tokens."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}  # kid -> private key
        self.requests = 0
        self.up = True
        self.add_key("rsa-1", _RSA_KEY)
        self.add_key("ec-1", _EC_KEY)
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.requests += 1
                if not provider.up or self.path != "/jwks.json":
                    self.send_error(503 if not provider.up else 404)
                    return
                body = json.dumps(provider.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def add_key(self, kid: str, private_key: Any) -> None:
        self.keys[kid] = private_key

    def jwks(self) -> dict[str, Any]:
        out = []
        for kid, key in self.keys.items():
            if isinstance(key, rsa.RSAPrivateKey):
                jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
                jwk["alg"] = "RS256"
            else:
                jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
                jwk["alg"] = "ES256"
            out.append({**jwk, "kid": kid, "use": "sig"})
        return {"keys": out}

    def token(self, kid: str, key: Any = None, **claims: Any) -> str:
        private = key or self.keys[kid]
        algorithm = "RS256" if isinstance(private, rsa.RSAPrivateKey) else "ES256"
        now = int(time.time())
        body = {
            "iss": get_settings().jwt_issuer,
            "sub": "idp-user-1",
            "city": "dongguan",
            "role": "COMMUNITY_WORKER",
            "scope": "community:1",
            "iat": now,
            "exp": now + 600,
            **claims,
        }
        return jwt.encode(body, private, algorithm=algorithm, headers={"kid": kid})


@pytest.fixture
def idp(monkeypatch: pytest.MonkeyPatch) -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    provider.thread.start()
    monkeypatch.setenv("CIVICGRAPH_JWKS_URL", provider.url)
    get_settings.cache_clear()
    jwks._key_sets.clear()
    yield provider
    provider.server.shutdown()
    provider.server.server_close()
    monkeypatch.delenv("CIVICGRAPH_JWKS_URL")
    get_settings.cache_clear()
    jwks._key_sets.clear()


async def _post(client, token: str):
    headers = {"Authorization": f"Bearer {token}"}
    return await client.post("/graphql/dongguan", json=QUERY, headers=headers)


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1"])
async def test_rs256_and_es256_tokens_from_the_provider_are_accepted(cities, client, idp, kid):
    response = await _post(client, idp.token(kid))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["city"] == {
        "viewerRole": "COMMUNITY_WORKER",
        "viewerScope": "community:1",
    }


async def test_keys_are_cached_between_requests(cities, client, idp):
    for _ in range(3):
        assert (await _post(client, idp.token("rsa-1"))).status_code == 200
    assert idp.requests == 1


async def test_a_rotated_key_is_fetched_when_its_kid_is_first_seen(cities, client, idp):
    assert (await _post(client, idp.token("rsa-1"))).status_code == 200
    idp.add_key("rsa-2", _OTHER_RSA_KEY)
    # Past the minimum interval between refreshes (kept short so tokens of unknown kids
    # cannot make us fetch on every request).
    key_set = jwks.key_set(idp.url, 300)
    key_set._fetched_at -= 60
    response = await _post(client, idp.token("rsa-2"))
    assert response.status_code == 200, response.text
    assert idp.requests == 2


async def test_unknown_kids_do_not_hammer_the_provider(cities, client, idp):
    assert (await _post(client, idp.token("rsa-1"))).status_code == 200
    stranger = _OTHER_RSA_KEY
    for i in range(5):
        response = await _post(client, idp.token(f"made-up-{i}", key=stranger))
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "TOKEN_INVALID"
    assert idp.requests == 1  # within the minimum refresh interval: no new fetch


def _alg_confusion_token(idp: IdentityProvider) -> str:
    # The classic attack: HS256 "signed" with the provider's public key as the secret.
    public_pem = (
        idp.keys["rsa-1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    claims = {"iss": get_settings().jwt_issuer, "sub": "x", "city": "dongguan"}
    claims |= {"role": "CITY_ADMIN", "exp": int(time.time()) + 600}
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    payload = b64(json.dumps(claims).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda idp: idp.token("rsa-1", exp=int(time.time()) - 10), "TOKEN_EXPIRED"),
        (lambda idp: idp.token("ec-1", city="zhuhai"), "TOKEN_WRONG_CITY"),
        (
            lambda idp: idp.token("rsa-1", key=_OTHER_RSA_KEY),
            "TOKEN_INVALID",
        ),
        (lambda idp: idp.token("ec-1", iss="https://someone-else.example"), "TOKEN_INVALID"),
        (lambda idp: idp.token("rsa-1", role="FIRM_STAFF", scope="community:1"), "TOKEN_INVALID"),
        (lambda idp: idp.token("rsa-1")[:-6] + "AAAAAA", "TOKEN_INVALID"),
        (_alg_confusion_token, "TOKEN_INVALID"),
    ],
    ids=[
        "expired",
        "other-city",
        "wrong-key",
        "wrong-issuer",
        "role-outside-its-scope",
        "tampered-signature",
        "hs256-with-public-key",
    ],
)
async def test_bad_provider_tokens_are_refused_with_a_code(cities, client, idp, make, code):
    response = await _post(client, make(idp))
    assert response.status_code == 401, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_a_provider_that_is_down_is_reported_not_hidden(cities, client, idp):
    idp.up = False
    response = await _post(client, idp.token("rsa-1"))
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "JWKS_UNAVAILABLE"


async def test_cached_keys_keep_working_while_the_provider_is_down(cities, client, idp):
    assert (await _post(client, idp.token("ec-1"))).status_code == 200
    idp.up = False
    jwks.key_set(idp.url, 300)._fetched_at -= 3600  # the cache has expired
    assert (await _post(client, idp.token("ec-1"))).status_code == 200


async def test_our_own_hs256_tokens_still_work_beside_the_provider(cities, client, idp):
    from core.infra.enums import Role
    from tests.conftest import token

    response = await _post(client, token("dongguan", Role.CITY_ADMIN))
    assert response.json()["data"]["city"]["viewerRole"] == "CITY_ADMIN"
