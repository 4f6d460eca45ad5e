"""/graphql answers on the wire (schema/http/caching.py): compressed above a size, strong
ETags and Cache-Control on GET, 304 on a matching If-None-Match; over real HTTP against a
real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
import websockets
from starlette.responses import StreamingResponse

from core.infra.enums import Role
from core.infra.settings import Responses, get_settings
from core.infra.tenancy import in_city
from core.models.places import Compound
from core.security.auth import Scope, ScopeKind
from schema.http import caching
from schema.http.app import create_app
from tests.conftest import token
from tests.factories import build_town
from tests.servers import in_process

PAGE = "{ compounds(first: 100) { nodes { id name kindLabel managementModeLabel } } }"
SMALL = "{ city { slug } }"


@dataclasses.dataclass
class Server:
    url: str  # http://127.0.0.1:port/graphql/dongguan
    resident: str  # a resident's token


@pytest.fixture
async def server(empty_db: str) -> AsyncIterator[Server]:
    """The app on a real port (rate limits off), over a city of 100 compounds."""
    town = await build_town("dongguan", compounds=1, cases_each=0)
    compound = town.compounds[0]
    with in_city("dongguan"):  # 99 more in one statement: the answers are what is tested
        await Compound.bulk_create(
            [
                Compound(
                    city_id=compound.city_id,
                    community_id=compound.community_id,
                    name=f"小区{i:03d}",
                    kind=compound.kind,
                )
                for i in range(99)
            ]
        )
    resident = token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, compound.id))
    limits = dataclasses.replace(get_settings().limits, rate_per_second=0)
    async with in_process(create_app(manage_db=False, limits=limits)) as address:
        yield Server(f"http://{address}/graphql/dongguan", resident)


async def _wire(method: str, url: str, headers: dict[str, str], **kwargs: Any) -> tuple[
    httpx.Response, bytes
]:  # fmt: skip
    async with httpx.AsyncClient() as http:
        request = http.build_request(method, url, headers=headers, **kwargs)
        response = await http.send(request, stream=True)
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
        await response.aclose()
    return response, raw


# Compression -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_page_of_100_rows_comes_back_gzip_and_decodes_to_the_same_json(
    server: Server, method: str
) -> None:
    ask = {"params": {"query": PAGE}} if method == "GET" else {"json": {"query": PAGE}}
    plain, plain_bytes = await _wire(method, server.url, {"Accept-Encoding": "identity"}, **ask)
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    answer = orjson.loads(plain_bytes)
    assert len(answer["data"]["compounds"]["nodes"]) == 100, answer

    zipped, wire_bytes = await _wire(method, server.url, {"Accept-Encoding": "gzip"}, **ask)
    assert zipped.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) == len(wire_bytes)
    assert "accept-encoding" in zipped.headers["vary"].lower()
    assert orjson.loads(gzip.decompress(wire_bytes)) == answer
    assert len(wire_bytes) * 3 < len(plain_bytes), (len(wire_bytes), len(plain_bytes))


@pytest.mark.parametrize("coding", ["br", "zstd"])
async def test_brotli_and_zstd_when_the_client_prefers_them(server: Server, coding: str) -> None:
    async with httpx.AsyncClient() as http:  # httpx decodes br and zstd with their packages
        plain = await http.post(
            server.url, json={"query": PAGE}, headers={"Accept-Encoding": "identity"}
        )
        coded = await http.post(
            server.url, json={"query": PAGE}, headers={"Accept-Encoding": f"{coding}, gzip"}
        )
    assert coded.headers["content-encoding"] == coding
    assert coded.num_bytes_downloaded * 3 < len(plain.content)
    assert coded.json() == plain.json()


async def test_a_small_answer_is_not_compressed(server: Server) -> None:
    answer, raw = await _wire(
        "POST", server.url, {"Accept-Encoding": "gzip"}, json={"query": SMALL}
    )
    assert answer.status_code == 200 and "content-encoding" not in answer.headers
    assert orjson.loads(raw) == {"data": {"city": {"slug": "dongguan"}}}
    assert len(raw) < get_settings().responses.compress_min_bytes


async def test_websockets_are_not_touched(server: Server) -> None:
    ws_url = server.url.replace("http://", "ws://")
    async with websockets.connect(
        ws_url,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers={"Accept-Encoding": "gzip"},
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": PAGE}}))
        frame = await ws.recv()
        assert isinstance(frame, str)  # text, never a compressed body
        assert len(json.loads(frame)["payload"]["data"]["compounds"]["nodes"]) == 100


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_streamed_answer_is_neither_compressed_nor_held(method: str) -> None:
    """Subscriptions over HTTP (multipart/mixed) must reach the client part by part: the
    second part is sent only once the client has read the first."""
    first_read = asyncio.Event()

    async def parts() -> AsyncIterator[bytes]:
        yield b"--graphql\r\nContent-Type: application/json\r\n\r\n" + b'{"a":1}' * 400
        await asyncio.wait_for(first_read.wait(), 10)
        yield b"\r\n--graphql--\r\n"

    async def streaming(scope: Any, receive: Any, send: Any) -> None:
        response = StreamingResponse(parts(), media_type='multipart/mixed; boundary="graphql"')
        await response(scope, receive, send)

    async with (
        in_process(caching.answers(streaming, Responses())) as address,
        httpx.AsyncClient() as http,
        http.stream(method, f"http://{address}/", headers={"Accept-Encoding": "gzip"}) as answer,
    ):
        chunks = answer.aiter_raw()
        first = await asyncio.wait_for(anext(chunks), 5)  # not held until the end
        first_read.set()
        rest = b"".join([c async for c in chunks])
    assert "content-encoding" not in answer.headers and "etag" not in answer.headers
    assert first.startswith(b"--graphql") and rest.endswith(b"--graphql--\r\n")


# Caching -----------------------------------------------------------------------------------


async def test_an_anonymous_get_is_cacheable_and_revalidates_to_304(server: Server) -> None:
    async with httpx.AsyncClient() as http:
        first = await http.get(server.url, params={"query": PAGE})
        assert first.status_code == 200
        tag = first.headers["etag"]
        assert tag.startswith('"') and tag.endswith('"')  # strong: no W/
        max_age = get_settings().responses.public_max_age
        assert first.headers["cache-control"] == f"public, max-age={max_age}"
        vary = [v.strip().lower() for v in first.headers["vary"].split(",")]
        assert {"authorization", "accept-language", "accept-encoding", "origin"} <= set(vary)
        assert len(vary) == len(set(vary)), vary  # each once, whoever added it first

        again = await http.get(server.url, params={"query": PAGE})
        assert again.headers["etag"] == tag  # the same bytes, the same tag

        for if_none_match in (tag, f"W/{tag}", f'"other", {tag}', "*"):
            fresh = await http.get(
                server.url, params={"query": PAGE}, headers={"If-None-Match": if_none_match}
            )
            assert fresh.status_code == 304, if_none_match
            assert fresh.content == b""
            assert fresh.headers["etag"] == tag
            assert fresh.headers["cache-control"] == f"public, max-age={max_age}"
            assert "content-type" not in fresh.headers

        stale = await http.get(
            server.url, params={"query": PAGE}, headers={"If-None-Match": '"not-it"'}
        )
        assert stale.status_code == 200 and stale.json() == first.json()


async def test_a_compressed_answer_has_its_own_strong_tag(server: Server) -> None:
    async with httpx.AsyncClient() as http:
        plain = await http.get(
            server.url, params={"query": PAGE}, headers={"Accept-Encoding": "identity"}
        )
        zipped = await http.get(
            server.url, params={"query": PAGE}, headers={"Accept-Encoding": "gzip"}
        )
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.headers["etag"] != plain.headers["etag"]
        revalidated = await http.get(
            server.url,
            params={"query": PAGE},
            headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]},
        )
    assert revalidated.status_code == 304 and revalidated.content == b""


async def test_an_authenticated_get_is_never_stored_by_a_shared_cache(server: Server) -> None:
    auth = {"Authorization": f"Bearer {server.resident}"}
    async with httpx.AsyncClient() as http:
        answer = await http.get(
            server.url, params={"query": "{ city { viewerRole } }"}, headers=auth
        )
    assert answer.json() == {"data": {"city": {"viewerRole": "RESIDENT"}}}
    assert answer.headers["cache-control"] == "private, no-store"
    assert "public" not in answer.headers["cache-control"]
    assert "authorization" in answer.headers["vary"].lower()


async def test_the_language_changes_the_tag_when_it_changes_the_body(server: Server) -> None:
    async with httpx.AsyncClient() as http:
        zh = await http.get(server.url, params={"query": PAGE}, headers={"Accept-Language": "zh"})
        en = await http.get(server.url, params={"query": PAGE}, headers={"Accept-Language": "en"})
        slug_zh = await http.get(
            server.url, params={"query": SMALL}, headers={"Accept-Language": "zh"}
        )
        slug_en = await http.get(
            server.url, params={"query": SMALL}, headers={"Accept-Language": "en"}
        )
    labels_zh = {n["kindLabel"] for n in zh.json()["data"]["compounds"]["nodes"]}
    labels_en = {n["kindLabel"] for n in en.json()["data"]["compounds"]["nodes"]}
    assert labels_zh != labels_en  # the labels are localised...
    assert zh.headers["etag"] != en.headers["etag"]  # ...so the tags differ
    assert slug_zh.headers["etag"] == slug_en.headers["etag"]  # the same bytes: the same tag


async def test_errors_posts_and_refusals_are_never_stored(server: Server) -> None:
    async with httpx.AsyncClient() as http:
        invalid = await http.get(server.url, params={"query": "{ nope }"})
        posted = await http.post(server.url, json={"query": SMALL})
        mutation = await http.get(
            server.url, params={"query": "mutation { __typename }"}
        )  # a mutation over GET: 405
    assert invalid.status_code == 200 and invalid.json()["errors"]
    assert invalid.headers["cache-control"] == "no-store" and "etag" not in invalid.headers
    assert posted.status_code == 200 and posted.headers["cache-control"] == "no-store"
    assert "etag" not in posted.headers
    assert mutation.status_code == 405 and mutation.headers["cache-control"] == "no-store"
