"""One fuzz example: a city, a caller, a transport, and a document from the city's whole
schema (hypothesis-graphql, our value strategies) with each argument sent either as a
literal or as a variable; rendered as the exact JSON text sent.

The body is written by hand rather than by a JSON library: a lone surrogate goes out as the
JSON escape `\\ud800` (or as the GraphQL escape in the document), and a float keeps its text
(`1e400`, `NaN`) as a variable, as a hostile client would send them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from functools import cache
from typing import Any

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DocumentNode,
    EnumValueNode,
    FloatValueNode,
    GraphQLInputType,
    GraphQLObjectType,
    GraphQLSchema,
    IntValueNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse_type,
    print_ast,
    visit,
)
from hypothesis import strategies as st
from hypothesis_graphql import mutations, queries

from core.plugins.calls import configured_plugins
from schema.api.build import schema_for_city
from tests.fuzz import values

CITIES = ("dongguan", "zhuhai")
KINDS = ("query", "mutation")
TRANSPORTS = ("http", "ws")


@dataclasses.dataclass(frozen=True)
class Example:
    city: str
    kind: str
    caller: str
    transport: str
    body: str  # the JSON text of {"query": ..., "variables": ...}

    def __repr__(self) -> str:
        shown = self.body if len(self.body) <= 4_000 else self.body[:4_000] + "...(cut)"
        return (
            f"Example(city={self.city!r}, kind={self.kind!r}, caller={self.caller!r}, "
            f"transport={self.transport!r}, {len(self.body)} characters)\n{shown}"
        )


@cache
def city_schema(city: str) -> GraphQLSchema:
    """The schema the city serves: the core and the plugins its TOML enables."""
    return schema_for_city(configured_plugins(city))._schema


def id_type_names(schema: GraphQLSchema) -> list[str]:
    """Every object type with an `id` (the Node types, and the plugins' own)."""
    return sorted(
        name
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLObjectType) and "id" in t.fields and not name.startswith("__")
    )


class _Lift(Visitor):
    """Replaces the chosen arguments' literals by variables of the argument's type."""

    def __init__(self, info: TypeInfo, choose: Callable[[], bool]) -> None:
        super().__init__()
        self.info, self.choose = info, choose
        self.definitions: list[VariableDefinitionNode] = []
        self.variables: list[tuple[str, ValueNode]] = []

    def enter_argument(self, node: ArgumentNode, *_: Any) -> object:
        input_type: GraphQLInputType | None = self.info.get_input_type()
        if input_type is None or isinstance(node.value, VariableNode) or not self.choose():
            return None
        name = f"v{len(self.variables)}"
        variable = VariableNode(name=NameNode(value=name))
        self.definitions.append(
            VariableDefinitionNode(variable=variable, type=parse_type(str(input_type)))
        )
        self.variables.append((name, node.value))
        return ArgumentNode(name=node.name, value=variable)


def json_text(node: ValueNode) -> str:
    """A value node as JSON text, without recursion (values nest hundreds deep)."""
    out: list[str] = []
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, ListValueNode):
            parts: list[object] = ["["]
            for i, child in enumerate(item.values):
                parts.extend([","] if i else [])
                parts.append(child)
            stack.extend(reversed([*parts, "]"]))
        elif isinstance(item, ObjectValueNode):
            parts = ["{"]
            for i, field in enumerate(item.fields):
                parts.extend([","] if i else [])
                parts.extend([json.dumps(field.name.value) + ":", field.value])
            stack.extend(reversed([*parts, "}"]))
        elif isinstance(item, StringValueNode | EnumValueNode):
            out.append(json.dumps(item.value))
        elif isinstance(item, IntValueNode | FloatValueNode):
            out.append(item.value)  # as sent: 1e400 and NaN too
        elif isinstance(item, BooleanValueNode):
            out.append("true" if item.value else "false")
        else:
            assert isinstance(item, NullValueNode), item
            out.append("null")
    return "".join(out)


def _graphql_escapes(text: str) -> str:
    # print_ast leaves a lone surrogate as is: write it as a GraphQL escape instead.
    return "".join(f"\\u{ord(c):04X}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def render(
    schema: GraphQLSchema, document: DocumentNode, choose: Callable[[], bool], escapes: bool
) -> str:
    info = TypeInfo(schema)
    lift = _Lift(info, choose)
    edited = visit(document, TypeInfoVisitor(info, lift))
    operation = edited.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    operation = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=tuple(lift.definitions),
        directives=operation.directives,
        selection_set=operation.selection_set,
    )
    text = print_ast(DocumentNode(definitions=(operation,)))
    if escapes:
        text = _graphql_escapes(text)
    variables = ",".join(f'"{name}":{json_text(value)}' for name, value in lift.variables)
    return f'{{"query":{json.dumps(text)},"variables":{{{variables}}}}}'


@cache
def documents(city: str, kind: str) -> st.SearchStrategy[DocumentNode]:
    schema = city_schema(city)
    scalars = values.scalars(id_type_names(schema))
    build = queries if kind == "query" else mutations
    return build(schema, custom_scalars=scalars, print_ast=lambda d: d)  # type: ignore[no-any-return]


@st.composite
def examples(
    draw: st.DrawFn,
    callers: tuple[str, ...],
    cities: tuple[str, ...] = CITIES,
    kinds: tuple[str, ...] = KINDS,
    transports: tuple[str, ...] = TRANSPORTS,
) -> Example:
    city = draw(st.sampled_from(cities))
    kind = draw(st.sampled_from(kinds))
    document = draw(documents(city, kind))
    mode = draw(st.sampled_from(["literals", "variables", "mixed"]))
    choose: Callable[[], bool] = {
        "literals": lambda: False,
        "variables": lambda: True,
        "mixed": lambda: draw(st.booleans()),
    }[mode]
    body = render(city_schema(city), document, choose, escapes=draw(st.booleans()))
    return Example(
        city=city,
        kind=kind,
        caller=draw(st.sampled_from(callers)),
        transport=draw(st.sampled_from(transports)),
        body=body,
    )
