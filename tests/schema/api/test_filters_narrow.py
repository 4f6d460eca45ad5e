"""No list filter is silently ignored (issue 17, finding 9: `grids(filter: {compoundId})`
answered every grid). Every root list field with a `filter` argument in both cities' schemas
(the core's and each enabled plugin's, found by introspection) is asked, as the city admin
on the demo data, once per field of its filter input with values that must narrow it:

- an ID field, a canonical ID of its type that names nothing: nothing, or a coded refusal;
- a text field, text that no row holds: nothing, or a coded refusal;
- an enum (or a list of them), a boolean, a date or time: of the values tried (each enum
  value; true and false; the edges of the supported range), at least one answers fewer
  rows than no filter at all, or a coded refusal.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.infra.enums import Role
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token

INTROSPECT = """{ __schema { queryType { fields { name args { name type { ...T } } } }
  types { name kind inputFields { name type { ...T } } enumValues { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { name } } } }"""
NOTHING_PK = 2_147_483_647  # canonical, and no demo row has it
TEXT = "无此名称-zz-9"
REQUIRED = {"Date": '"2026-06-30"'}  # required arguments besides `filter` (overdueCases' asOf)


def _named(type_: dict[str, Any]) -> dict[str, Any]:
    while type_.get("ofType"):
        type_ = type_["ofType"]
    return type_


def _is_list(type_: dict[str, Any]) -> bool:
    while type_:
        if type_["kind"] == "LIST":
            return True
        type_ = type_.get("ofType") or {}
    return False


def _candidates(name: str, type_: dict[str, Any], enums: dict[str, list[str]]) -> list[str]:
    """GraphQL literals for the filter field `name`: each must narrow (ID, text), or one."""
    named = _named(type_)["name"]
    wrap = (lambda v: f"[{v}]") if _is_list(type_) else (lambda v: v)
    if named == "ID":
        target = name.removesuffix("Id")
        kind = "Organisation" if target == "parent" else target[:1].upper() + target[1:]
        return [wrap(f'"{to_global_id(kind, NOTHING_PK)}"')]
    if named == "String":
        return [wrap(f'"{TEXT}"')]
    if named == "Boolean":
        return ["true", "false"]
    if named == "DateTime":
        return ['"1900-01-02T00:00:00Z"', '"2199-12-30T00:00:00Z"']
    if named == "Date":
        return ['"1900-01-02"', '"2199-12-30"']
    if named in enums:
        return [wrap(v) for v in enums[named]]
    raise AssertionError(f"no values to try for a filter field of type {named}")


async def _filtered_fields(
    gql: GraphQLClient, city: str, auth: str
) -> tuple[list[tuple[str, str, str]], dict[str, Any]]:
    """The root fields with a `filter`: (name, its other required arguments as literals,
    the filter's input type); and the schema's types by name."""
    body = await gql(INTROSPECT, city=city, auth=auth)
    types = {t["name"]: t for t in body["data"]["__schema"]["types"]}
    fields = []
    for field in body["data"]["__schema"]["queryType"]["fields"]:
        args = {a["name"]: a for a in field["args"]}
        if "filter" not in args:
            continue
        required = [a for a in field["args"] if a["type"]["kind"] == "NON_NULL"]
        literals = [f"{a['name']}: {REQUIRED[_named(a['type'])['name']]}" for a in required]
        fields.append((field["name"], ", ".join(literals), _named(args["filter"]["type"])["name"]))
    return fields, types


async def _count(gql: GraphQLClient, city: str, auth: str, field: str, args: str) -> Any:
    called = f"{field}({args})" if args else field
    body = await gql(f"{{ {called} {{ totalCount }} }}", city=city, auth=auth, expect_errors=True)
    if body.get("errors"):
        return body["errors"][0].get("extensions", {}).get("code") or "UNCODED"
    return body["data"][field]["totalCount"]


@pytest.mark.parametrize("city", ["dongguan", "zhuhai"])
async def test_every_list_filter_narrows_its_list(demo_db: str, gql: GraphQLClient, city: str):
    admin = token(city, Role.CITY_ADMIN)
    fields, types = await _filtered_fields(gql, city, admin)
    enums = {
        name: [v["name"] for v in t["enumValues"]]
        for name, t in types.items()
        if t["kind"] == "ENUM" and t["enumValues"]
    }
    ignored, unchecked, checked = [], [], 0
    for field, base_args, filter_type in fields:
        total = await _count(gql, city, admin, field, base_args)
        assert isinstance(total, int), (field, total)  # the admin reads every list
        for input_field in types[filter_type]["inputFields"]:
            name, type_ = input_field["name"], input_field["type"]
            if _named(type_)["kind"] == "INPUT_OBJECT":
                unchecked.append(f"{field}.{name}")
                continue
            answers = []
            for value in _candidates(name, type_, enums):
                args = ", ".join(a for a in (base_args, f"filter: {{{name}: {value}}}") if a)
                answers.append(await _count(gql, city, admin, field, args))
            assert "UNCODED" not in answers and "INTERNAL" not in answers, (field, name, answers)
            if total == 0:
                unchecked.append(f"{field}.{name} (empty list)")
                continue
            checked += 1
            strict = _named(type_)["name"] in ("ID", "String")
            narrowed = [a for a in answers if isinstance(a, str) or a < total]
            if not narrowed or (strict and any(isinstance(a, int) and a > 0 for a in answers)):
                ignored.append(f"{field}(filter: {{{name}}}): {answers} of {total}")
    assert not ignored, ignored
    assert checked >= 30, (checked, unchecked)  # the demo data exercises most filters


async def test_streets_and_communities_are_found_by_what_lies_in_them(
    demo_db: str, gql: GraphQLClient
) -> None:
    body = await gql("{ compounds(first: 1) { nodes { id community { id street { id } } } } }")
    compound = body["data"]["compounds"]["nodes"][0]
    community, street = compound["community"]["id"], compound["community"]["street"]["id"]
    found = await gql(
        """query($compound: ID, $community: ID, $street: ID) {
          byCompound: streets(filter: {compoundId: $compound}) { nodes { id } }
          byCommunity: streets(filter: {communityId: $community}) { nodes { id } }
          itself: streets(filter: {streetId: $street}) { nodes { id } }
          communityOfCompound: communities(filter: {compoundId: $compound}) { nodes { id } }
          community: communities(filter: {communityId: $community}) { nodes { id } }
        }""",
        {"compound": compound["id"], "community": community, "street": street},
    )
    ids = {k: [n["id"] for n in v["nodes"]] for k, v in found["data"].items()}
    assert ids == {
        "byCompound": [street], "byCommunity": [street], "itself": [street],
        "communityOfCompound": [community], "community": [community],
    }  # fmt: skip
