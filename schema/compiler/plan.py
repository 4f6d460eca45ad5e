"""From query text to the validated operation, and field collection as graphql-core does it."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
    is_abstract_type,
    specified_rules,
)
from graphql.execution.values import VariableValues, get_directive_values, get_variable_values
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from schema.api.checks import text_refusal
from schema.api.documents import Persisted


class Unsupported(Exception):
    """The operation leaves the compiled path; the resolver path answers it."""


# The same module-level LRUs that schema.api.build.extensions() gives strawberry (maxsize 512),
# so a query text is parsed and validated once for both paths.
_parse = _get_parse_cache(512)
_validate = _get_validate_cache(512)
_RULES = tuple(specified_rules)

Fields = dict[str, list[FieldNode]]  # response key -> the field nodes merged under it


@dataclass(frozen=True)
class Plan:
    """A validated query operation, ready to be compiled for given variables."""

    schema: GraphQLSchema
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]


class PlanCache:
    """Plans per (query text, operation name), or per (persisted document id, operation name)
    for a persisted document's request, whose document comes parsed (schema/api/documents.py):
    that request neither parses nor looks its text up. A bounded LRU, so unique texts cannot
    grow it; `hits` and `misses` count lookups, as functools' caches do."""

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._plans: OrderedDict[tuple[int, str, str, str | None], Plan | None] = OrderedDict()
        self.hits = self.misses = 0

    def get(
        self,
        schema: strawberry.Schema,
        query: str,
        operation_name: str | None,
        persisted: Persisted | None = None,
    ) -> Plan:
        document = persisted.document if persisted is not None else None
        key = (
            (id(schema), "id", persisted.key, operation_name)
            if persisted is not None and document is not None and persisted.text == query
            else (id(schema), "text", query, operation_name)
        )
        if key in self._plans:
            self.hits += 1
            self._plans.move_to_end(key)
            plan = self._plans[key]
        else:
            self.misses += 1
            plan = self._plans[key] = _make_plan(schema._schema, query, operation_name, document)
            if len(self._plans) > self.maxsize:
                self._plans.popitem(last=False)
        if plan is None:
            raise Unsupported("not a valid query operation")
        return plan


def _make_plan(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    parsed: DocumentNode | None = None,
) -> Plan | None:
    try:
        document = parsed or _parse(query)
    except Exception:  # a syntax error: the resolver path words it
        return None
    if _validate(schema, document, _RULES) or text_refusal(None, document):
        return None  # the resolver path words the refusal (INVALID_TEXT: schema/api/checks.py)
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return Plan(schema, operation, fragments)


def variable_values(plan: Plan, inputs: dict[str, Any] | None) -> VariableValues:
    values = get_variable_values(
        plan.schema, plan.operation.variable_definitions or (), inputs or {}
    )
    if isinstance(values, list):
        raise Unsupported("variables do not coerce")
    return values


class Collector:
    """Groups selections by response key for a concrete type: fragments, @skip/@include."""

    def __init__(self, plan: Plan, variables: VariableValues) -> None:
        self.plan = plan
        self.variables = variables

    def included(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip is not None and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include is not None and include.get("if") is False)

    def applies(self, condition: str, runtime: GraphQLObjectType) -> bool:
        if condition == runtime.name:
            return True
        target = self.plan.schema.get_type(condition)
        return (
            target is not None
            and is_abstract_type(target)
            and self.plan.schema.is_sub_type(target, runtime)
        )

    def collect(self, runtime: GraphQLObjectType, sets: list[SelectionSetNode]) -> Fields:
        fields: Fields = {}
        visited: set[str] = set()

        def visit(selection_set: SelectionSetNode) -> None:
            for sel in selection_set.selections:
                if not self.included(sel):
                    continue
                if isinstance(sel, FieldNode):
                    key = sel.alias.value if sel.alias else sel.name.value
                    fields.setdefault(key, []).append(sel)
                elif isinstance(sel, InlineFragmentNode):
                    cond = sel.type_condition
                    if cond is None or self.applies(cond.name.value, runtime):
                        visit(sel.selection_set)
                elif isinstance(sel, FragmentSpreadNode):
                    name = sel.name.value
                    fragment = self.plan.fragments.get(name)
                    if name in visited or fragment is None:
                        continue
                    visited.add(name)
                    if self.applies(fragment.type_condition.name.value, runtime):
                        visit(fragment.selection_set)

        for selection_set in sets:
            visit(selection_set)
        return fields

    def subfields(self, runtime: GraphQLObjectType, nodes: list[FieldNode]) -> Fields:
        return self.collect(runtime, [n.selection_set for n in nodes if n.selection_set])
