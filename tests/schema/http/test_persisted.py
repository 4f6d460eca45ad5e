"""Persisted documents over real HTTP (docs/api.md): Automatic Persisted Queries on POST and
GET, as Apollo's clients speak it, against a real uvicorn server on 127.0.0.1; trusted-only
cities with documents pushed by the real `civicgraph documents push`; each city's ids its own.

Python's gql has no APQ transport, so the protocol is spoken with httpx, as Apollo's
persisted-queries link speaks it: the hash alone first, then the hash and the text on
PERSISTED_QUERY_NOT_FOUND.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from strawberry.extensions.parser_cache import _get_parse_cache

from core.infra.settings import get_settings
from core.infra.tenancy import in_city
from core.models.documents import DocumentSource, PersistedDocument
from schema.api.documents import PersistedCache
from schema.compiler import run as compiler
from schema.http import persisted
from schema.http.app import create_app
from tests.conftest import ON_POSTGRES
from tests.schema.http.test_clients import CLIENTS, zhuhai_configured
from tests.servers import in_process

CITY = "query City { city { slug name } }"
CITY_HASH = hashlib.sha256(CITY.encode()).hexdigest()
SPEC = {"Accept": "application/graphql-response+json, application/json;q=0.9"}


def apq(key: str, query: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": key}}}
    return {**body, **({"query": query} if query is not None else {}), **extra}


@pytest.fixture
async def api(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """The app on a real server, rate limits off (a test sends faster than a caller may), and
    the process's documents forgotten, as the database's were."""
    monkeypatch.setattr(persisted, "_found", PersistedCache())
    limits = dataclasses.replace(get_settings().limits, rate_per_second=0)
    async with in_process(create_app(manage_db=False, limits=limits)) as address:
        yield f"http://{address}"


async def stored(city: str) -> dict[str, str]:
    with in_city(city):
        rows = await PersistedDocument.all().values("hash", "source")
    return {r["hash"]: r["source"] for r in rows}


def not_found(response: httpx.Response, key: str) -> None:
    """What an APQ client waits for: 200, the protocol's message and code."""
    assert response.status_code == 200, response.text
    (error,) = response.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert error["extensions"]["hash"] == key
    assert response.headers["cache-control"] == "no-store"  # schema/http/caching.py


async def test_apq_round_trip_over_post(api: str) -> None:
    async with httpx.AsyncClient(base_url=api) as http:
        first = await http.post("/graphql/dongguan", json=apq(CITY_HASH))
        not_found(first, CITY_HASH)
        assert first.headers["content-type"] == "application/json"
        assert "持久化文档" in first.json()["errors"][0]["extensions"]["detail"]  # zh by default
        assert await stored("dongguan") == {}
        second = await http.post("/graphql/dongguan", json=apq(CITY_HASH, CITY))
        expected = {"data": {"city": {"slug": "dongguan", "name": "东莞市"}}}
        assert second.status_code == 200 and second.json() == expected
        assert await stored("dongguan") == {CITY_HASH: DocumentSource.APQ}
        third = await http.post("/graphql/dongguan", json=apq(CITY_HASH))
        assert third.status_code == 200 and third.json() == expected
        # A client preferring graphql-response+json still gets 200 and its media type.
        modern = await http.post("/graphql/dongguan", json=apq("ab" * 32), headers=SPEC)
        not_found(modern, "ab" * 32)
        assert modern.headers["content-type"] == "application/graphql-response+json"


@pytest.mark.parametrize("method", ["post", "get"])
async def test_apollo_clients_persisted_query_link_round_trip(
    api: str, node: str, method: str
) -> None:
    """Apollo Client 4 (npm) with its PersistedQueryLink: the hash alone, PersistedQueryNotFound,
    the hash and the text (POST, as the link always registers), then the hash alone, answered."""
    done = await asyncio.create_subprocess_exec(
        node, str(CLIENTS / "apq.mjs"), f"{api}/graphql/dongguan", method,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(done.communicate(), 60)
    assert done.returncode == 0, err.decode()
    result = json.loads(out)
    city = {"city": {"__typename": "City", "slug": "dongguan", "name": "东莞市"}}
    assert result["answers"] == [city, city]
    hashed = method.upper()
    assert [(s["method"], s["text"], s["status"]) for s in result["sent"]] == [
        (hashed, False, 200),
        ("POST", True, 200),
        (hashed, False, 200),
    ]
    assert await stored("dongguan") == {result["sent"][0]["hash"]: DocumentSource.APQ}


async def test_apq_over_get_never_renders_graphiql(api: str) -> None:
    query = "query Slug($x: Boolean!) { city { slug @include(if: $x) } }"
    key = hashlib.sha256(query.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": key}})
    params = {"extensions": extensions, "variables": '{"x": true}'}
    async with httpx.AsyncClient(base_url=api, headers={"Accept": "*/*"}) as http:
        not_found(await http.get("/graphql/zhuhai", params=params), key)
        registered = await http.get("/graphql/zhuhai", params={**params, "query": query})
        assert registered.json() == {"data": {"city": {"slug": "zhuhai"}}}
        again = await http.get("/graphql/zhuhai", params=params)
        assert again.status_code == 200 and again.json() == {"data": {"city": {"slug": "zhuhai"}}}
        # A mutation by hash over GET is refused as any mutation over GET is.
        mutation = "mutation { __typename }"
        mutation_key = hashlib.sha256(mutation.encode()).hexdigest()
        mutation_ext = {"persistedQuery": {"version": 1, "sha256Hash": mutation_key}}
        posted = await http.post("/graphql/zhuhai", json=apq(mutation_key, mutation))
        assert posted.json() == {"data": {"__typename": "Mutation"}}
        got = await http.get("/graphql/zhuhai", params={"extensions": json.dumps(mutation_ext)})
        assert got.status_code == 405
    assert await stored("zhuhai") == {key: "apq", mutation_key: "apq"}


async def test_a_wrong_hash_or_extension_is_a_coded_error_and_stores_nothing(api: str) -> None:
    async with httpx.AsyncClient(base_url=api, headers={"Accept-Language": "en"}) as http:
        wrong = await http.post("/graphql/dongguan", json=apq("ab" * 32, CITY))
        assert wrong.status_code == 200
        (error,) = wrong.json()["errors"]
        assert error["extensions"] == {"code": "PERSISTED_QUERY_HASH_MISMATCH", "hash": "ab" * 32}
        assert error["message"] == f"sha256Hash {'ab' * 32} is not the sha256 of the query text"
        modern = await http.post("/graphql/dongguan", json=apq("ab" * 32, CITY), headers=SPEC)
        assert modern.status_code == 400 and "data" not in modern.json()
        bad = apq(CITY_HASH)
        bad["extensions"]["persistedQuery"]["version"] = 2
        refused = await http.post("/graphql/dongguan", json=bad)
        (error,) = refused.json()["errors"]
        assert error["extensions"]["code"] == "PERSISTED_QUERY_INVALID"
        assert error["message"].startswith("extensions.persistedQuery is not valid")
        both = {"documentId": f"sha256:{CITY_HASH}", "query": CITY}
        (error,) = (await http.post("/graphql/dongguan", json=both)).json()["errors"]
        assert error["extensions"]["code"] == "PERSISTED_QUERY_INVALID"
        assert error["message"] == (
            "documentId is not valid: send the document's id or its text, not both"
        )
        # A text the schema cannot run is answered as ever, and not kept.
        invalid = "{ nope }"
        key = hashlib.sha256(invalid.encode()).hexdigest()
        answer = await http.post("/graphql/dongguan", json=apq(key, invalid))
        assert answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION"
    assert await stored("dongguan") == {}


async def test_a_city_runs_its_own_documents_only(api: str) -> None:
    async with httpx.AsyncClient(base_url=api) as http:
        await http.post("/graphql/dongguan", json=apq(CITY_HASH, CITY))
        assert (await http.post("/graphql/dongguan", json=apq(CITY_HASH))).json()["data"]
        not_found(await http.post("/graphql/zhuhai", json=apq(CITY_HASH)), CITY_HASH)
    assert await stored("zhuhai") == {}


async def test_a_hash_only_request_skips_the_parser(api: str) -> None:
    """The document parsed at registration is kept by (city, id): a request naming it neither
    parses nor looks its text up, even after the text was pushed out of the parse cache."""
    parse_cache = _get_parse_cache(512)  # strawberry's LRU of parsed texts, shared by both paths
    async with httpx.AsyncClient(base_url=api) as http:
        await http.post("/graphql/dongguan", json=apq(CITY_HASH, CITY))
        parse_cache.cache_clear()  # as a stream of other texts would
        plans = (compiler._plans.hits, compiler._plans.misses)
        for _ in range(3):
            answer = await http.post("/graphql/dongguan", json=apq(CITY_HASH))
            assert answer.json()["data"]["city"]["slug"] == "dongguan"
        untouched = parse_cache.cache_info()
        assert (untouched.hits, untouched.misses) == (0, 0)
        if ON_POSTGRES:  # the compiled path answered, its plan found by the document's id
            assert (compiler._plans.hits - plans[0], compiler._plans.misses - plans[1]) == (3, 0)
        # The same text sent as text is looked up by its text: parsed again, or on the
        # compiled path its plan found by text (process-wide: an earlier test may have made it).
        plans_seen = compiler._plans.hits + compiler._plans.misses
        await http.post("/graphql/dongguan", json={"query": CITY})
        parsed = parse_cache.cache_info()
        by_text = compiler._plans.hits + compiler._plans.misses - plans_seen
        assert parsed.hits + parsed.misses + by_text >= 1


# Trusted-only: a server whose config makes zhuhai run pushed documents only ----------------


@dataclasses.dataclass
class Trusted:
    api: str
    env: dict[str, str]


@pytest.fixture
def trusted(empty_db: str, tmp_path: Path) -> Iterator[Trusted]:
    """A server whose config makes zhuhai trusted-only; the CLI's environment to match."""
    with zhuhai_configured(empty_db, tmp_path, "\n[documents]\ntrusted_only = true\n") as (
        base,
        env,
    ):
        yield Trusted(base, {**env, "COLUMNS": "200"})


CLI = str(Path(sys.executable).parent / "civicgraph")


def civicgraph(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=120)


async def test_a_trusted_only_city_runs_pushed_documents_only(
    trusted: Trusted, tmp_path: Path
) -> None:
    relay_text = "query Name { city { name } }"
    relay_id = hashlib.md5(relay_text.encode()).hexdigest()
    async with httpx.AsyncClient(base_url=trusted.api, headers={"Accept-Language": "en"}) as http:
        raw = await http.post("/graphql/zhuhai", json={"query": CITY})
        assert raw.status_code == 200 and raw.json()["data"] is None
        assert raw.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
        modern = await http.post("/graphql/zhuhai", json={"query": CITY}, headers=SPEC)
        assert modern.status_code == 400
        # No registration: the APQ client's retry with the text is refused too.
        not_found(await http.post("/graphql/zhuhai", json=apq(CITY_HASH)), CITY_HASH)
        retry = await http.post("/graphql/zhuhai", json=apq(CITY_HASH, CITY))
        assert retry.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
        assert await stored("zhuhai") == {}
        # The other city is not trusted-only, and its registrations do not reach zhuhai.
        assert (await http.post("/graphql/dongguan", json=apq(CITY_HASH, CITY))).json()["data"]

        codegen = tmp_path / "persisted-documents.json"
        codegen.write_text(json.dumps({CITY_HASH: CITY}))
        relay = tmp_path / "persisted_queries.json"
        relay.write_text(json.dumps({relay_id: relay_text}))
        for manifest in (codegen, relay):
            pushed = civicgraph(trusted.env, "documents", "push", "--city", "zhuhai", str(manifest))
            assert pushed.returncode == 0, pushed.stdout + pushed.stderr
            assert "zhuhai: 1 added" in pushed.stdout

        expected = {"data": {"city": {"slug": "zhuhai", "name": "珠海市"}}}
        assert (await http.post("/graphql/zhuhai", json=apq(CITY_HASH))).json() == expected
        by_id = await http.post("/graphql/zhuhai", json={"documentId": f"sha256:{CITY_HASH}"})
        assert by_id.json() == expected
        relay_answer = await http.post("/graphql/zhuhai", json={"doc_id": relay_id})
        assert relay_answer.json() == {"data": {"city": {"name": "珠海市"}}}
        # The text a registered document has, sent as text, is still not an id: refused.
        again = await http.post("/graphql/zhuhai", json={"query": CITY})
        assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
    assert await stored("zhuhai") == {CITY_HASH: "trusted", relay_id: "trusted"}
    # Over a WebSocket the same rules hold: the id runs, a text is refused.
    ws_url = trusted.api.replace("http://", "ws://") + "/graphql/zhuhai"
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": CITY}}))
        refused = json.loads(await ws.recv())
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
        await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": apq(CITY_HASH)}))
        answered = json.loads(await ws.recv())
        assert answered["payload"] == expected
    listed = civicgraph(trusted.env, "documents", "list", "--city", "zhuhai")
    assert listed.returncode == 0, listed.stderr
    assert "zhuhai: 2 document(s); the city runs trusted documents only" in listed.stdout
    assert f"{relay_id}  trusted" in listed.stdout and "query Name" in listed.stdout
