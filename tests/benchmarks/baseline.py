"""The baseline: starlette + asyncpg, hand-written SQL per query, orjson out. No GraphQL.

It answers the benchmark's four queries for a city-wide caller (who sees every case), with the
same JSON as the GraphQL endpoint; the benchmark checks that before it measures anything.
STATEMENTS says how many statements each costs, by construction.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.infra.enums import CaseKind, CaseStage
from core.infra.pagination import encode_cursor
from schema.api.ids import from_global_id, to_global_id

STATEMENTS = {"compounds_list": 3, "case_detail": 1, "firm_compounds": 4, "case_desk": 2}

CURRENT = "starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)"


async def compounds_list(db: asyncpg.Pool, city: str, v: dict[str, Any]) -> Any:
    today = dt.date.today()
    async with db.acquire() as conn:
        compounds = await conn.fetch(
            "SELECT id, name FROM compounds WHERE city_id = $1 ORDER BY name, id LIMIT 50", city
        )
        ids = [r["id"] for r in compounds]
        firms = await conn.fetch(
            "SELECT DISTINCT ON (mc.compound_id) mc.compound_id, f.name "
            "FROM management_contracts mc JOIN firms f ON f.id = mc.firm_id "
            f"WHERE mc.city_id = $1 AND mc.compound_id = ANY($2::int[]) AND mc.{CURRENT} "
            "ORDER BY mc.compound_id, mc.starts_on DESC, mc.id DESC",
            city,
            ids,
            today,
        )
        cases = await conn.fetch(
            "SELECT k.cid, c.title, c.stage, c.created_at FROM unnest($2::int[]) AS k(cid) "
            "CROSS JOIN LATERAL (SELECT title, stage, created_at FROM cases WHERE city_id = $1 "
            "AND compound_id = k.cid ORDER BY created_at DESC, id DESC LIMIT 10) c",
            city,
            ids,
        )
    firm = {r["compound_id"]: {"name": r["name"]} for r in firms}
    latest: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for r in cases:
        latest[r["cid"]].append(
            {"title": r["title"], "stage": r["stage"], "createdAt": r["created_at"].isoformat()}
        )
    nodes = [
        {"name": r["name"], "firm": firm.get(r["id"]), "cases": {"nodes": latest[r["id"]]}}
        for r in compounds
    ]
    return {"data": {"compounds": {"nodes": nodes}}}


async def case_detail(db: asyncpg.Pool, city: str, v: dict[str, Any]) -> Any:
    _, pk = from_global_id(v["id"])
    async with db.acquire() as conn:
        r = await conn.fetchrow(
            "SELECT c.id, c.title, c.kind, c.stage, c.created_at, c.stage_entered_at, "
            "m.name AS compound, y.name AS community, s.name AS street, f.name AS firm "
            "FROM cases c JOIN compounds m ON m.id = c.compound_id "
            "JOIN communities y ON y.id = m.community_id JOIN streets s ON s.id = y.street_id "
            "LEFT JOIN LATERAL (SELECT firm_id FROM management_contracts "
            f"WHERE city_id = $1 AND compound_id = m.id AND {CURRENT} "
            "ORDER BY starts_on DESC, id DESC LIMIT 1) mc ON true "
            "LEFT JOIN firms f ON f.id = mc.firm_id WHERE c.city_id = $1 AND c.id = $2",
            city,
            pk,
            dt.date.today(),
        )
    if r is None:
        return {"data": {"node": None}}
    node = {
        "id": to_global_id("Case", r["id"]),
        "title": r["title"],
        "kind": r["kind"],
        "stage": r["stage"],
        "stageLabel": CaseStage(r["stage"]).label("zh"),
        "createdAt": r["created_at"].isoformat(),
        "stageEnteredAt": r["stage_entered_at"].isoformat(),
        "compound": {
            "name": r["compound"],
            "community": {"name": r["community"], "street": {"name": r["street"]}},
            "firm": {"name": r["firm"]} if r["firm"] is not None else None,
        },
    }
    return {"data": {"node": node}}


async def firm_compounds(db: asyncpg.Pool, city: str, v: dict[str, Any]) -> Any:
    _, firm_id = from_global_id(v["firm"])
    managed = (
        "id IN (SELECT compound_id FROM management_contracts "
        f"WHERE city_id = $1 AND firm_id = $2 AND {CURRENT})"
    )
    today = dt.date.today()
    async with db.acquire() as conn:
        compounds = await conn.fetch(
            "SELECT id, name, homes, residents FROM compounds "
            f"WHERE city_id = $1 AND {managed} ORDER BY name, id LIMIT 20",
            city,
            firm_id,
            today,
        )
        total = await conn.fetchval(
            f"SELECT count(*) FROM compounds WHERE city_id = $1 AND {managed}",
            city,
            firm_id,
            today,
        )
        ids = [r["id"] for r in compounds]
        cases = await conn.fetch(
            "SELECT k.cid, c.title, c.stage FROM unnest($2::int[]) AS k(cid) "
            "CROSS JOIN LATERAL (SELECT title, stage FROM cases WHERE city_id = $1 "
            "AND compound_id = k.cid ORDER BY created_at DESC, id DESC LIMIT 3) c",
            city,
            ids,
        )
        counts = await conn.fetch(
            "SELECT compound_id, count(*) AS n FROM cases WHERE city_id = $1 "
            "AND compound_id = ANY($2::int[]) GROUP BY compound_id",
            city,
            ids,
        )
    n = {r["compound_id"]: r["n"] for r in counts}
    latest: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for r in cases:
        latest[r["cid"]].append({"title": r["title"], "stage": r["stage"]})
    nodes = [
        {
            "name": r["name"],
            "homes": r["homes"],
            "residents": r["residents"],
            "cases": {"totalCount": n.get(r["id"], 0), "nodes": latest[r["id"]]},
        }
        for r in compounds
    ]
    return {"data": {"compounds": {"totalCount": total, "nodes": nodes}}}


DESK_STAGES = ["TOPIC_COLLECTION", "ACCEPTED", "MEDIATING"]


async def case_desk(db: asyncpg.Pool, city: str, v: dict[str, Any]) -> Any:
    async with db.acquire() as conn:
        rows = await conn.fetch(
            "SELECT c.id, c.title, c.kind, c.stage, c.created_at, m.name AS compound "
            "FROM cases c JOIN compounds m ON m.id = c.compound_id "
            "WHERE c.city_id = $1 AND c.stage = ANY($2::text[]) "
            "ORDER BY c.created_at DESC, c.id DESC LIMIT 21",
            city,
            DESK_STAGES,
        )
        total = await conn.fetchval(
            "SELECT count(*) FROM cases WHERE city_id = $1 AND stage = ANY($2::text[])",
            city,
            DESK_STAGES,
        )
    page = rows[:20]
    cursors = [encode_cursor(r["created_at"], r["id"]) for r in page]
    edges = [
        {
            "cursor": cursor,
            "node": {
                "title": r["title"],
                "kindLabel": CaseKind(r["kind"]).label("zh"),
                "stageLabel": CaseStage(r["stage"]).label("zh"),
                "createdAt": r["created_at"].isoformat(),
                "compound": {"name": r["compound"]},
            },
        }
        for cursor, r in zip(cursors, page, strict=True)
    ]
    info = {"hasNextPage": len(rows) > 20, "endCursor": cursors[-1] if cursors else None}
    return {"data": {"cases": {"totalCount": total, "edges": edges, "pageInfo": info}}}


HANDLERS = {
    "compounds_list": compounds_list,
    "case_detail": case_detail,
    "firm_compounds": firm_compounds,
    "case_desk": case_desk,
}


def create_baseline_app() -> Starlette:
    pool: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        url = os.environ["CIVICGRAPH_DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        pool["db"] = await asyncpg.create_pool(url, min_size=1, max_size=5)
        yield
        await pool["db"].close()

    async def graphql(request: Request) -> Response:
        body = orjson.loads(await request.body())
        handler = HANDLERS[body["operationName"]]
        answer = await handler(pool["db"], request.path_params["city"], body.get("variables") or {})
        return Response(orjson.dumps(answer), media_type="application/json")

    return Starlette(
        routes=[Route("/graphql/{city}", graphql, methods=["POST"])], lifespan=lifespan
    )
