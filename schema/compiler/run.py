"""Compile a request to SQL (cached), run it, and hand back the response body's bytes."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections import OrderedDict
from typing import Any

import orjson
import strawberry
from graphql import GraphQLObjectType

from core.infra import db
from core.security.auth import Principal
from schema.api.checks import text_refusal
from schema.api.documents import Persisted
from schema.compiler.catalog import CATALOG
from schema.compiler.plan import Collector, PlanCache, Unsupported, variable_values
from schema.compiler.sql import CITY, MAX_JSON_KEYS, Builder, lit

log = logging.getLogger("civicgraph.compiler")

_plans = PlanCache()
# Compiled statements per (plan, variables, caller, language, day): repeated requests skip
# compilation too. Bounded like the plans.
_statements: OrderedDict[tuple[Any, ...], tuple[str, list[Any]]] = OrderedDict()
_STATEMENTS_MAX = 1024
# How requests went, per process: the differential tests check the compiled path really ran.
stats = {"compiled": 0, "fallback": 0}
_CITY_USED = re.compile(re.escape(CITY) + r"(?!\d)")


def enabled() -> bool:
    """CIVICGRAPH_COMPILED=0 forces the resolver path (the benchmark compares the two)."""
    return os.environ.get("CIVICGRAPH_COMPILED", "1") != "0" and db.dialect() == "postgres"


def compile_operation(
    schema: strawberry.Schema,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    principal: Principal,
    lang: str,
    persisted: Persisted | None = None,
) -> tuple[str, list[Any]]:
    """The statement and its parameters; raises Unsupported for anything it cannot compile.
    A persisted document's plan is found by its id, its document parsed already."""
    plan = _plans.get(schema, query, operation_name, persisted)
    if text_refusal(variables):  # the literals are checked once, in the plan
        raise Unsupported("a control character in the input")  # INVALID_TEXT on the resolver path
    key = (
        id(plan),
        orjson.dumps(variables, option=orjson.OPT_SORT_KEYS),
        principal,
        lang,
        dt.date.today(),
    )
    cached = _statements.get(key)
    if cached is not None:
        _statements.move_to_end(key)
        return cached
    values = variable_values(plan, variables)
    collector = Collector(plan, values)
    builder = Builder(schema, collector, principal, lang, CATALOG)
    root = schema._schema.query_type
    assert isinstance(root, GraphQLObjectType)
    fields = collector.collect(root, [plan.operation.selection_set])
    if len(fields) > MAX_JSON_KEYS:
        raise Unsupported("too many root fields")
    parts = []
    for key_name, nodes in fields.items():
        name = nodes[0].name.value
        if name == "__typename":
            expr = lit("Query")
        elif name in CATALOG["Query"]:
            expr = CATALOG["Query"][name](builder, "", nodes, root.fields[name])
        else:
            raise Unsupported(f"Query.{name}")
        parts.append(f"{lit(key_name)}, {expr}")
    sql = f"SELECT json_build_object('data', json_build_object({', '.join(parts)}))::text AS body"
    if not _CITY_USED.search(sql):
        # Nothing read a table (`{ __typename }`): the city is still the statement's $1, and
        # PostgreSQL refuses a parameter that the statement does not mention.
        sql += f" WHERE {CITY}::text IS NOT NULL"
    compiled = (sql, builder.params)
    _statements[key] = compiled
    if len(_statements) > _STATEMENTS_MAX:
        _statements.popitem(last=False)
    return compiled


async def compiled_response(
    schema: strawberry.Schema,
    payload: Any,
    principal: Principal,
    lang: str,
    persisted: Persisted | None = None,
) -> bytes | None:
    """The response body for a POSTed GraphQL payload, or None: use the resolver path."""
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return None
    variables = payload.get("variables")
    operation_name = payload.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        return None
    if operation_name is not None and not isinstance(operation_name, str):
        return None
    try:
        sql, params = compile_operation(
            schema, payload["query"], variables, operation_name, principal, lang, persisted
        )
    except Unsupported as why:
        log.debug("resolver path: %s", why)
        stats["fallback"] += 1
        return None
    except Exception:  # a compiler bug must cost speed, never an answer
        log.exception("compiler failed; resolver path")
        stats["fallback"] += 1
        return None
    try:
        rows = await db.fetch(sql, params)
    except Exception as error:  # a timeout or an outage: the resolver path words the error
        if db.is_unavailable(error):  # expected in an outage: one line, as schema/api/errors.py
            log.warning("compiled statement: database unavailable (%s)", type(error).__name__)
        else:
            log.exception("compiled statement failed; resolver path")
        stats["fallback"] += 1
        return None
    stats["compiled"] += 1
    body: str = rows[0]["body"]
    return body.encode()
