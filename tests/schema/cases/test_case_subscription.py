"""caseUpdated over graphql-transport-ws: in one process, and across two server processes
sharing one PostgreSQL database (LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets

from core.infra.enums import Role
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import ON_POSTGRES, POSTGRES_URL, GraphQLClient, token
from tests.factories import Town, build_town
from tests.servers import SERVE, in_process, in_subprocess

SUBSCRIBE = """subscription($caseId: ID, $compoundId: ID) {
    caseUpdated(caseId: $caseId, compoundId: $compoundId) {
        change case { id stage version title } } }"""
FILE = """mutation($input: FileCaseInput!) { fileCase(input: $input) {
    case { id version } errors { code } } }"""
ADVANCE = """mutation($input: AdvanceCaseInput!) { advanceCase(input: $input) {
    case { stage version } errors { code } } }"""


class Subscriber:
    """A graphql-transport-ws client: connection_init, subscribe, then `next` messages."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def subscribe(self, variables: dict[str, Any]) -> None:
        await self.ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = json.loads(await self.ws.recv())
        assert ack["type"] == "connection_ack", ack
        await self.ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": variables},
                }
            )
        )

    async def next(self, wait: float = 10) -> dict[str, Any]:
        message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=wait))
        assert message["type"] == "next", message
        return message["payload"]


async def connect(base: str, auth: str) -> Any:
    return await websockets.connect(
        f"ws://{base}/graphql/dongguan",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers={"Authorization": f"Bearer {auth}"},
    )


@pytest.fixture
async def town(empty_db: str) -> Town:
    return await build_town("dongguan", compounds=2, cases_each=0)


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[str]:
    """The real app served by uvicorn in this process (and this event loop)."""
    from schema.http.app import create_app

    async with in_process(create_app(manage_db=False), ws="websockets-sansio") as address:
        yield address


def people(town: Town) -> tuple[str, str, str]:
    compound = town.compounds[0]
    return (
        token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, compound.id), subject="o-1"),
        token(
            "dongguan",
            Role.COMMUNITY_WORKER,
            Scope(ScopeKind.COMMUNITY, compound.community_id),
            subject="w-1",
        ),
        token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, town.compounds[1].id)),
    )


async def test_a_subscriber_hears_a_compounds_filings_and_moves(town, server, gql: GraphQLClient):
    resident, worker, _ = people(town)
    compound = to_global_id("Compound", town.compounds[0].id)
    other = to_global_id("Compound", town.compounds[1].id)
    admin = token("dongguan", Role.CITY_ADMIN)
    async with await connect(server, resident) as ws:
        sub = Subscriber(ws)
        await sub.subscribe({"compoundId": compound})
        # A compound subscription sends no first message, so file until one is heard: from
        # then on the subscriber is listening, and nothing may be missed.
        heard = None
        for attempt in range(20):
            await gql(
                FILE,
                {
                    "input": {
                        "kind": "PROPERTY_DISPUTE",
                        "title": f"其他小区{attempt}",
                        "compoundId": other,
                    }
                },
                auth=admin,
            )
            filed = await gql(
                FILE,
                {"input": {"kind": "PROPERTY_DISPUTE", "title": "漏水", "compoundId": compound}},
                auth=resident,
            )
            try:
                heard = (await sub.next(wait=0.5))["data"]["caseUpdated"]
                break
            except TimeoutError:
                continue
        assert heard is not None and heard["change"] == "FILED"
        assert heard["case"]["title"] == "漏水"  # another compound's filings are not sent
        case = filed["data"]["fileCase"]["case"]
        while heard["case"]["id"] != case["id"]:  # earlier filings heard late
            heard = (await sub.next())["data"]["caseUpdated"]
        await gql(
            ADVANCE,
            {"input": {"caseId": case["id"], "version": 1, "toStage": "TOPIC_DETERMINATION"}},
            auth=worker,
        )
        moved = (await sub.next())["data"]["caseUpdated"]
        assert (moved["change"], moved["case"]["stage"], moved["case"]["version"]) == (
            "ADVANCED",
            "TOPIC_DETERMINATION",
            2,
        )


async def test_a_refused_move_sends_nothing_and_outsiders_cannot_subscribe(
    town, server, gql: GraphQLClient
):
    resident, worker, outsider = people(town)
    compound = to_global_id("Compound", town.compounds[0].id)
    filed = await gql(
        FILE,
        {"input": {"kind": "PROPERTY_DISPUTE", "title": "噪音", "compoundId": compound}},
        auth=resident,
    )
    case_id = filed["data"]["fileCase"]["case"]["id"]
    async with await connect(server, resident) as ws:
        sub = Subscriber(ws)
        await sub.subscribe({"caseId": case_id})
        current = (await sub.next())["data"]["caseUpdated"]
        assert (current["change"], current["case"]["version"]) == ("CURRENT", 1)
        stale = await gql(
            ADVANCE,
            {"input": {"caseId": case_id, "version": 9, "toStage": "TOPIC_DETERMINATION"}},
            auth=worker,
        )
        assert stale["data"]["advanceCase"]["errors"] == [{"code": "VERSION_CONFLICT"}]
        await gql(
            ADVANCE,
            {"input": {"caseId": case_id, "version": 1, "toStage": "TOPIC_DETERMINATION"}},
            auth=worker,
        )
        # The next message is the successful move: the refused one announced nothing.
        assert (await sub.next())["data"]["caseUpdated"]["case"]["version"] == 2
    async with await connect(server, outsider) as ws:
        sub = Subscriber(ws)
        await sub.subscribe({"caseId": case_id})
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        assert message["type"] == "error" or message["payload"].get("errors"), message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_neighbour_hears_no_personal_case_and_cannot_subscribe_to_one(
    town, server, gql: GraphQLClient
):
    """docs/security.md, "Cases by kind": service requests and mediation reach their filer
    and staff, not the compound's other residents."""
    compound_pk = town.compounds[0].id
    compound = to_global_id("Compound", compound_pk)
    scope = Scope(ScopeKind.COMPOUND, compound_pk)
    filer = token("dongguan", Role.RESIDENT, scope, subject="o-1")
    neighbour = token("dongguan", Role.RESIDENT, scope, subject="o-2")

    async def file(kind: str, title: str) -> str:
        answer = await gql(
            FILE, {"input": {"kind": kind, "title": title, "compoundId": compound}}, auth=filer
        )
        return str(answer["data"]["fileCase"]["case"]["id"])

    async with await connect(server, neighbour) as ws, await connect(server, filer) as own:
        sub, mine = Subscriber(ws), Subscriber(own)
        await sub.subscribe({"compoundId": compound})
        await mine.subscribe({"compoundId": compound})
        heard = None
        for attempt in range(20):  # until the subscriptions listen (see the first test)
            await file("SERVICE_REQUEST", f"申请心理咨询服务{attempt}")
            await file("PROPERTY_DISPUTE", f"漏水{attempt}")
            try:
                heard = (await sub.next(wait=0.5))["data"]["caseUpdated"]
                break
            except TimeoutError:
                continue
        assert heard is not None and heard["case"]["title"].startswith("漏水"), heard
        personal = await file("MEDIATION", "邻里纠纷")
        last = await file("PROPERTY_DISPUTE", "最后")
        while heard["case"]["id"] != last:  # everything the neighbour hears is a dispute
            heard = (await sub.next())["data"]["caseUpdated"]
            assert heard["case"]["title"].startswith(("漏水", "最后")), heard
        titles = set()
        while "最后" not in titles:  # the filer hears their own personal cases
            titles.add((await mine.next())["data"]["caseUpdated"]["case"]["title"])
        assert "邻里纠纷" in titles
    async with await connect(server, neighbour) as ws:
        sub = Subscriber(ws)
        await sub.subscribe({"caseId": personal})
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="LISTEN/NOTIFY across processes needs PostgreSQL")
async def test_an_update_through_one_process_reaches_a_subscriber_on_another(town, tmp_path):
    resident, worker, _ = people(town)
    env = {"CIVICGRAPH_DATABASE_URL": POSTGRES_URL}
    with contextlib.ExitStack() as servers:
        a, b = (
            servers.enter_context(in_subprocess(SERVE, tmp_path / f"{name}.log", env))
            for name in ("a", "b")
        )
        a, b = a.removeprefix("http://"), b.removeprefix("http://")
        async with httpx.AsyncClient(base_url=f"http://{b}") as http:
            b_gql = GraphQLClient(http)  # type: ignore[arg-type]
            filed = await b_gql(
                FILE,
                {
                    "input": {
                        "kind": "PROPERTY_DISPUTE",
                        "title": "停车",
                        "compoundId": to_global_id("Compound", town.compounds[0].id),
                    }
                },
                auth=resident,
            )
            case_id = filed["data"]["fileCase"]["case"]["id"]
            async with await connect(a, resident) as ws:
                sub = Subscriber(ws)
                await sub.subscribe({"caseId": case_id})
                # CURRENT comes once process A is LISTENing: nothing after it can be missed.
                assert (await sub.next())["data"]["caseUpdated"]["change"] == "CURRENT"
                await b_gql(
                    ADVANCE,
                    {"input": {"caseId": case_id, "version": 1, "toStage": "TOPIC_DETERMINATION"}},
                    auth=worker,
                )
                update = (await sub.next())["data"]["caseUpdated"]
        assert (update["change"], update["case"]["stage"], update["case"]["version"]) == (
            "ADVANCED",
            "TOPIC_DETERMINATION",
            2,
        )


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="the LISTEN connection exists on PostgreSQL only")
async def test_a_lost_listen_connection_ends_the_subscription_and_resubscribing_works(
    town, server, gql: GraphQLClient
):
    import asyncpg

    resident, worker, _ = people(town)
    filed = await gql(
        FILE,
        {
            "input": {
                "kind": "PROPERTY_DISPUTE",
                "title": "断网",
                "compoundId": to_global_id("Compound", town.compounds[0].id),
            }
        },
        auth=resident,
    )
    case_id = filed["data"]["fileCase"]["case"]["id"]
    async with await connect(server, resident) as ws:
        sub = Subscriber(ws)
        await sub.subscribe({"caseId": case_id})
        assert (await sub.next())["data"]["caseUpdated"]["change"] == "CURRENT"
        admin = await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1))
        try:
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND query LIKE 'LISTEN %'"
            )
        finally:
            await admin.close()
        assert killed == 1
        ended = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        assert ended == {"id": "1", "type": "complete"}
    async with await connect(server, resident) as ws:
        sub = Subscriber(ws)
        await sub.subscribe({"caseId": case_id})
        assert (await sub.next())["data"]["caseUpdated"]["change"] == "CURRENT"
        await gql(
            ADVANCE,
            {"input": {"caseId": case_id, "version": 1, "toStage": "TOPIC_DETERMINATION"}},
            auth=worker,
        )
        assert (await sub.next())["data"]["caseUpdated"]["change"] == "ADVANCED"
