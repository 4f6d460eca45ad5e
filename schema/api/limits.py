"""Limits on what one GraphQL request may ask for, each checked before the work it bounds.

The order matters for speed: tokens are counted before parsing (the lexer stops at the limit),
depth, aliases and the node cost are measured on the parsed document before validation and
execution, in one pass that visits every fragment once, so a rejection costs time bounded by
the token limit whatever the query's shape. The execution timeout lives in schema/http/app.py,
around `Schema.execute`. See docs/security.md for the numbers and how to change them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
)
from graphql.language import Lexer, Source, TokenKind
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from strawberry.extensions import DisableIntrospection, SchemaExtension, ValidationCache
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.schema.config import StrawberryConfig

from core.infra.i18n import message
from core.infra.settings import ApiLimits, get_settings
from schema.api.selections import FieldCount, MergeChecks, aliases_and_selections

# What strawberry.Schema(extensions=...) takes: an extension class, or a factory of instances.
Extension = type[SchemaExtension] | Callable[[], SchemaExtension]


MAX_SAFE_INTEGER = 2**53 - 1


def limit_error(
    code: str, lang: str, limit: int | float, actual: int | None = None
) -> GraphQLError:
    """A request refused by a limit: the code says which one, `limit` its configured value.

    `actual` is left out past 2^53 - 1 (e.g. `first: 1` followed by 400 zeros): JSON readers
    cannot hold it exactly, and orjson cannot write it at all, which left a WebSocket
    operation unanswered (the fuzzer's first finding, issue 17)."""
    extensions: dict[str, Any] = {"code": code, "limit": limit}
    if actual is not None and abs(actual) <= MAX_SAFE_INTEGER:
        extensions["actual"] = actual
    return GraphQLError(message(code, lang, limit=limit), extensions=extensions)


def count_tokens(query: str, stop_after: int) -> int:
    """Tokens in `query` as the parser counts them, stopping once past `stop_after`."""
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
            if count > stop_after:
                break
    except GraphQLError:
        pass  # a lexing error: the parser reports it with its location
    return count


@dataclass
class Shape:
    """What validating and running the document would cost, measured before either."""

    depth: int = 0
    aliases: int = 0
    nodes: int = 0
    # The most selections written in one selection set.
    selections: int = 0
    # Fields with every fragment spread expanded where it is spread (capped past the limit).
    fields: int = 0
    # Pairs of same-named fields validation compares (capped past the limit).
    merge_checks: int = 0


@dataclass
class _Measure:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    limits: ApiLimits
    default_page_size: int
    # Per fragment: (depth, nodes for one parent); each fragment is measured once.
    memo: dict[str, tuple[int, int]] = field(default_factory=dict)
    visiting: set[str] = field(default_factory=set)

    def selection_set(
        self, selections: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> tuple[int, int]:
        """(depth, nodes) of a selection set under one parent object."""
        depth = nodes = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                d, n = self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                d, n = self.selection_set(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                d, n = self.fragment(selection.name.value)
            else:  # pragma: no cover - graphql-core has no other selection kinds
                continue
            depth, nodes = max(depth, d), nodes + n
        return depth, nodes

    def fragment(self, name: str) -> tuple[int, int]:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return 0, 0  # unknown or cyclic: validation refuses the document
        self.visiting.add(name)
        target = self.schema.get_type(definition.type_condition.name.value)
        self.memo[name] = self.selection_set(definition.selection_set, target)
        self.visiting.discard(name)
        return self.memo[name]

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> tuple[int, int]:
        definition = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(node.name.value)
        definition = definition or _META_FIELDS.get(node.name.value)
        if definition is None:
            depth, nodes = self.selection_set(node.selection_set, None)
            return depth + 1, nodes
        return_type, is_list = _unwrap(definition.type)
        depth, nodes = self.selection_set(node.selection_set, return_type)
        if node.name.value in _META_FIELDS:
            # Introspection nests `ofType` deeply but cheaply; its lists still count as nodes.
            depth = 0
        width = self.width(node, definition, return_type, parent, is_list)
        if width is None:
            return depth + 1, nodes
        # GitHub's node limit: each list asks for `width` nodes, once per parent node.
        return depth + 1, width + width * nodes

    def width(
        self,
        node: FieldNode,
        definition: Any,
        return_type: GraphQLNamedType,
        parent: GraphQLNamedType | None,
        is_list: bool,
    ) -> int | None:
        """How many nodes a field returns per parent; None for a single object or scalar."""
        if parent is not None and parent.name.endswith("Connection"):
            return None  # edges and nodes: already counted by the connection field
        is_connection = isinstance(return_type, GraphQLObjectType) and return_type.name.endswith(
            "Connection"
        )
        is_object_list = is_list and isinstance(return_type, _OBJECT_TYPES)
        if not (is_connection or is_object_list):
            return None
        if "first" in definition.args:
            asked = self.argument(node, "first")
            if asked is None:
                default = definition.args["first"].default_value
                asked = default if isinstance(default, int) else self.default_page_size
            return max(0, asked)
        return self.limits.list_size_estimate

    def argument(self, node: FieldNode, name: str) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                return _as_int(self.variables.get(value.name.value))
        return None


def _as_int(value: object) -> int | None:
    """An Int argument's value as graphql-core coerces it (it takes 100.0 as 100)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _effective_variables(
    operation: OperationDefinitionNode, sent: dict[str, Any]
) -> dict[str, Any]:
    """The variables the operation runs with: those sent, else their defaults in the document.

    Without the defaults, `query($n: Int = 100) { compounds(first: $n) ... }` sent with no
    variables was costed at the default page and run with 100.
    """
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name in sent:
            values[name] = sent[name]
        elif isinstance(definition.default_value, IntValueNode):
            values[name] = int(definition.default_value.value)
        elif isinstance(definition.default_value, FloatValueNode):
            values[name] = float(definition.default_value.value)
    return values


_OBJECT_TYPES = (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)
_META_FIELDS = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}


def _unwrap(gql_type: Any) -> tuple[GraphQLNamedType, bool]:
    is_list = False
    while isinstance(gql_type, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(gql_type, GraphQLList)
        gql_type = gql_type.of_type
    return gql_type, is_list


def _running_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    """The operation graphql-core would execute; None when it would execute none."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        # Several operations and no name: "Must provide operation name", nothing runs.
        return operations[0] if len(operations) == 1 else None
    named = [o for o in operations if o.name and o.name.value == operation_name]
    return named[0] if named else None  # two of one name: validation refuses the document


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    limits: ApiLimits,
    default_page_size: int,
) -> Shape:
    """The shape of the document, and the depth and nodes of the operation that will run.

    Every count here is linear in the document (each fragment measured once) or stops at its
    limit, so measuring costs little whatever the document.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    shape = Shape()
    shape.aliases, shape.selections = aliases_and_selections(document)
    shape.fields = FieldCount(fragments, limits.max_fields).document(document)
    if shape.selections > limits.max_selections or shape.fields > limits.max_fields:
        return shape  # refused: the rest is not worth measuring
    shape.merge_checks = MergeChecks(fragments, limits.max_merge_checks).document(document)
    operation = _running_operation(document, operation_name)
    if operation is not None:
        effective = _effective_variables(operation, variables or {})
        meter = _Measure(schema, fragments, effective, limits, default_page_size)
        roots = {
            OperationType.QUERY: schema.query_type,
            OperationType.MUTATION: schema.mutation_type,
            OperationType.SUBSCRIPTION: schema.subscription_type,
        }
        shape.depth, shape.nodes = meter.selection_set(
            operation.selection_set, roots[operation.operation]
        )
    return shape


def shape_errors(shape: Shape, limits: ApiLimits, lang: str) -> list[GraphQLError]:
    # (code, limit, measured, whether the measure is exact: fields and merge checks stop
    # counting just past their limit, so their refusals name no `actual`)
    checks = (
        ("TOO_MANY_SELECTIONS", limits.max_selections, shape.selections, True),
        ("TOO_MANY_FIELDS", limits.max_fields, shape.fields, False),
        ("TOO_MANY_MERGE_CHECKS", limits.max_merge_checks, shape.merge_checks, False),
        ("QUERY_TOO_DEEP", limits.max_depth, shape.depth, True),
        ("TOO_MANY_ALIASES", limits.max_aliases, shape.aliases, True),
        ("QUERY_TOO_COSTLY", limits.max_nodes, shape.nodes, True),
    )
    return [
        limit_error(code, lang, limit, actual if exact else None)
        for code, limit, actual, exact in checks
        if actual > limit
    ]


class QueryLimits(SchemaExtension):
    """Refuses documents past the token, depth, alias or node limits, before they cost much.

    Listed before ParserCache (tokens are counted before parsing) and before
    GuardedValidationCache (a refused document is not validated).
    """

    def __init__(self, limits: ApiLimits | None = None) -> None:
        settings = get_settings()
        self.limits = limits or settings.limits
        self.default_page_size = settings.default_page_size

    @property
    def _lang(self) -> str:
        return getattr(self.execution_context.context, "lang", "zh")

    def on_operation(self) -> Iterator[None]:
        # The parser's own bound too, in case a document reaches it another way.
        self.execution_context.parse_options["max_tokens"] = self.limits.max_tokens
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            tokens = _remembered_tokens(context.query, self.limits.max_tokens)
            if tokens > self.limits.max_tokens:
                raise limit_error("TOO_MANY_TOKENS", self._lang, self.limits.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            variables_key = _variables_key(context.variables)
            if context.query and variables_key is not None:
                shape = _remembered_shape(
                    context.schema._schema,
                    context.query,
                    _hashable(context.operation_name),
                    variables_key,
                    self.limits,
                    self.default_page_size,
                )
            else:
                shape = measure(
                    context.schema._schema,
                    context.graphql_document,
                    context.operation_name,
                    context.variables,
                    self.limits,
                    self.default_page_size,
                )
            errors = shape_errors(shape, self.limits, self._lang)
            if errors:
                context.pre_execution_errors = errors
        yield


class GuardedValidationCache(ValidationCache):
    """ValidationCache that leaves a document already refused by a limit unvalidated."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
            return
        yield from super().on_validate()


def profile_extensions() -> list[Extension]:
    """Production hides the schema: no introspection (field suggestions: schema_config)."""
    return [DisableIntrospection] if get_settings().is_production else []


def schema_config() -> StrawberryConfig:
    return StrawberryConfig(disable_field_suggestions=get_settings().is_production)


# strawberry's own parse LRU, called with the same options as ParserCache under QueryLimits:
# a document checked here is parsed once for both.
_parse = _get_parse_cache(512)


def check_request(schema: GraphQLSchema, payload: object, lang: str) -> list[GraphQLError]:
    """The limits a POSTed single operation breaks, checked before any execution path runs.

    The HTTP layer calls this so that every way of answering (resolvers or the compiled SQL
    path) is bound by the same limits; syntax errors are left for the answering path to word.
    Frontends send the same few queries all day, so the verdict is remembered per query
    text, operation, variables and language (an LRU: a stream of distinct queries costs
    what it would without it).
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return []
    operation_name = payload.get("operationName")
    variables = payload.get("variables")
    variables_key = _variables_key(variables)
    settings = get_settings()
    config = (settings.limits, settings.default_page_size)
    if variables_key is None:
        return _check(schema, payload["query"], operation_name, variables, lang, config)
    query, name = payload["query"], _hashable(operation_name)
    return list(_remembered_check(schema, query, name, variables_key, lang, config))


def _variables_key(variables: object) -> bytes | None:
    try:
        return orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return None


# The QueryLimits extension checks again what check_request checked over HTTP (it also guards
# the WebSocket and in-process entry points): remembered the same way, it costs a lookup
# rather than ~0.5 ms of lexing and measuring on every resolver-path request.
@lru_cache(maxsize=1024)
def _remembered_tokens(query: str, stop_after: int) -> int:
    return count_tokens(query, stop_after)


@lru_cache(maxsize=1024)
def _remembered_shape(
    schema: GraphQLSchema,
    query: str,
    operation_name: object,
    variables: bytes,
    limits: ApiLimits,
    default_page_size: int,
) -> Shape:
    document = _parse(query, max_tokens=limits.max_tokens)
    name = operation_name if isinstance(operation_name, str) else None
    found = orjson.loads(variables)
    return measure(
        schema,
        document,
        name,
        found if isinstance(found, dict) else None,
        limits,
        default_page_size,
    )


def _hashable(value: object) -> object:
    return value if value is None or isinstance(value, str | int | float | bool) else repr(value)


@lru_cache(maxsize=1024)
def _remembered_check(
    schema: GraphQLSchema,
    query: str,
    operation_name: object,
    variables: bytes,
    lang: str,
    config: tuple[ApiLimits, int],
) -> tuple[GraphQLError, ...]:
    return tuple(_check(schema, query, operation_name, orjson.loads(variables), lang, config))


def _check(
    schema: GraphQLSchema,
    query: str,
    operation_name: object,
    variables: object,
    lang: str,
    config: tuple[ApiLimits, int],
) -> list[GraphQLError]:
    limits, default_page_size = config
    if count_tokens(query, limits.max_tokens) > limits.max_tokens:
        return [limit_error("TOO_MANY_TOKENS", lang, limits.max_tokens)]
    try:
        document = _parse(query, max_tokens=limits.max_tokens)
    except GraphQLError as error:
        if "nested too deeply" in error.message:  # graphql-core's own nesting bound
            return [limit_error("QUERY_TOO_DEEP", lang, limits.max_depth)]
        return []  # a syntax error: the answering path words it
    shape = measure(
        schema,
        document,
        operation_name if isinstance(operation_name, str) else None,
        variables if isinstance(variables, dict) else None,
        limits,
        default_page_size,
    )
    return shape_errors(shape, limits, lang)
