"""Every mutation of every city's schema, core and plugins, leaves an audit entry.

Driven by introspection, so a new mutation is covered the day it is added: each one is called
with its required arguments filled with placeholder values, once anonymously (a refusal) and
once as the city's admin (the placeholders mostly fail validation; some succeed), and each
call must add exactly one entry for that operation. A mutation that checks the caller or
decodes its input outside `attempt()`/`audit.perform()`, or writes without them, fails here.

Not covered: plugins installed in their own distribution (plugins/webhooks; its one
mutation runs through `attempt()`), which this process does not load.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import AuditEntry
from core.plugins import calls as plugins
from core.security.auth import CITY_WIDE
from schema.api.build import MUTATION_PARTS, QUERY_PARTS, _build
from schema.plugins.merge import plugin_names
from tests.conftest import GraphQLClient, token
from tests.factories import build_town

CITIES = ("dongguan", "zhuhai")
TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }"
INTROSPECT = f"""{{ __schema {{
  mutationType {{ fields {{ name type {{ {TYPE_REF} }}
    args {{ name defaultValue type {{ {TYPE_REF} }} }} }} }}
  types {{ name kind enumValues {{ name }}
    inputFields {{ name defaultValue type {{ {TYPE_REF} }} }} }} }} }}"""
# Values that parse as their scalar; what the resolver makes of them does not matter.
SCALARS: dict[str, Any] = {
    "ID": "placeholder",
    "String": "x",
    "Int": 1,
    "Float": 1.5,
    "Boolean": False,
    "Date": "2026-06-01",
    "DateTime": "2026-06-01T00:00:00+00:00",
    "Decimal": "1",
    "JSON": {},
}


def _named(ref: dict[str, Any]) -> dict[str, Any]:
    while ref["kind"] in ("NON_NULL", "LIST"):
        ref = ref["ofType"]
    return ref


def _type_text(ref: dict[str, Any]) -> str:
    if ref["kind"] == "NON_NULL":
        return _type_text(ref["ofType"]) + "!"
    if ref["kind"] == "LIST":
        return f"[{_type_text(ref['ofType'])}]"
    return str(ref["name"])


def _required(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in fields if f["type"]["kind"] == "NON_NULL" and f["defaultValue"] is None]


def _value(ref: dict[str, Any], types: dict[str, dict[str, Any]]) -> Any:
    if ref["kind"] == "NON_NULL":
        return _value(ref["ofType"], types)
    if ref["kind"] == "LIST":
        return []
    named = types[ref["name"]]
    if named["kind"] == "ENUM":
        return named["enumValues"][0]["name"]
    if named["kind"] == "INPUT_OBJECT":
        return {f["name"]: _value(f["type"], types) for f in _required(named["inputFields"])}
    return SCALARS[ref["name"]]


def _call(field: dict[str, Any], types: dict[str, dict[str, Any]]) -> tuple[str, dict]:
    """The mutation with its required arguments as variables, and their values."""
    args = _required(field["args"])
    declared = ", ".join(f"${a['name']}: {_type_text(a['type'])}" for a in args)
    passed = ", ".join(f"{a['name']}: ${a['name']}" for a in args)
    returned = types[_named(field["type"])["name"]]["kind"]
    selection = "{ __typename }" if returned in ("OBJECT", "INTERFACE", "UNION") else ""
    document = (
        f"mutation{f'({declared})' if args else ''} "
        f"{{ {field['name']}{f'({passed})' if args else ''} {selection} }}"
    )
    return document, {a["name"]: _value(a["type"], types) for a in args}


async def _entries(city: str, operation: str) -> int:
    with in_city(city):
        return await AuditEntry.filter(operation=operation).count()


async def _mutations(gql: GraphQLClient, city: str) -> tuple[list[dict], dict[str, dict]]:
    schema = (await gql(INTROSPECT, city=city))["data"]["__schema"]
    types = {t["name"]: t for t in schema["types"]}
    return schema["mutationType"]["fields"], types


@pytest.fixture
async def cities(empty_db: str) -> None:
    for city in CITIES:
        await build_town(city, compounds=2, cases_each=1)


async def test_the_cities_schemas_hold_every_installed_plugins_mutations(cities, gql):
    # Otherwise the test below would miss a plugin's mutations.
    served = set()
    for city in CITIES:
        fields, _ = await _mutations(gql, city)
        served |= {f"Mutation.{f['name']}" for f in fields}
    contributed = {
        name
        for plugin, names in plugin_names(QUERY_PARTS, MUTATION_PARTS, _build).items()
        if plugin in plugins.installed()
        for name in names
        if name.startswith("Mutation.")
    }
    assert contributed, "no installed plugin contributes a mutation: is the test stale?"
    assert contributed - served == set()


@pytest.mark.parametrize("city", CITIES)
async def test_every_mutation_leaves_an_audit_entry(cities, gql: GraphQLClient, city: str):
    fields, types = await _mutations(gql, city)
    missing, not_first = [], []
    for field in fields:
        document, variables = _call(field, types)
        for auth in (None, token(city, Role.CITY_ADMIN, CITY_WIDE, subject="admin")):
            before = await _entries(city, field["name"])
            body = await gql(document, variables, city=city, auth=auth, expect_errors=True)
            codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or ()}
            # The placeholders must reach the resolver, or the test proves nothing.
            assert "GRAPHQL_VALIDATION" not in codes, (field["name"], body)
            if await _entries(city, field["name"]) != before + 1:
                missing.append((field["name"], "anonymous" if auth is None else "admin", body))
            if auth is None and codes != {"AUTH_REQUIRED"}:
                # Refused before its input is decoded: a malformed ID tells them nothing.
                not_first.append((field["name"], body))
    assert missing == []
    assert not_first == []
