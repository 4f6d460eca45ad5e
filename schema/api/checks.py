"""Input checks at the boundary, once for every field of the core and the plugin schemas.

- Text: no C0 control character but tab, line feed and carriage return, in any string of a
  request (literals in the document, variables, JSON values and keys): INVALID_TEXT.
  PostgreSQL cannot store NUL, and no form of ours needs the others.
- Date, DateTime: between MIN_DATE and MAX_DATE (the calendar's and the database's range;
  docs/api.md): OUT_OF_RANGE.
- Decimal: finite (INVALID_NUMBER), below 10^12 in size (OUT_OF_RANGE).
- JSON: at most MAX_JSON_DEPTH levels of arrays and objects: JSON_TOO_DEEP.

The scalars replace strawberry's (same names and descriptions, so the SDL is unchanged)
through `scalar_overrides`; graphql-core calls them for variables and literals alike, on
both read paths (the compiled path coerces with the same schema and falls back to the
resolvers on any refusal). The text check is the `InputChecks` extension, run before
validation, and `text_refusal` for the compiled path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import GraphQLError, Node, StringValueNode, Visitor, visit
from graphql.language import ArgumentNode, ObjectFieldNode, VariableDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.scalar import ScalarDefinition

from core.infra.errors import DomainError

MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)
MAX_JSON_DEPTH = 32
# The widest decimal column is numeric(14, 2): a larger number would reach the database
# only to be refused there. Narrower columns are the domain's checks (e.g. points).
MAX_DECIMAL = decimal.Decimal("1e12")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def check_date(value: dt.date, field: str | None = None) -> dt.date:
    """`value` if the calendar and the database handle it, else OUT_OF_RANGE."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise DomainError(
            "OUT_OF_RANGE", field or "date", min=MIN_DATE.isoformat(), max=MAX_DATE.isoformat()
        )
    return value


def check_decimal(value: decimal.Decimal, field: str | None = None) -> decimal.Decimal:
    if not value.is_finite():
        raise DomainError("INVALID_NUMBER", field or "number")
    if abs(value) >= MAX_DECIMAL:
        raise DomainError("OUT_OF_RANGE", field or "number", min=-MAX_DECIMAL, max=MAX_DECIMAL)
    return value


def check_json_depth(value: object, field: str | None = None) -> object:
    """`value` if its arrays and objects nest at most MAX_JSON_DEPTH deep (no recursion)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping | list | tuple):
            if depth >= MAX_JSON_DEPTH:
                raise DomainError("JSON_TOO_DEEP", field or "json", max=MAX_JSON_DEPTH)
            children = item.values() if isinstance(item, Mapping) else item
            stack.extend((child, depth + 1) for child in children)
    return value


def _then(definition: ScalarDefinition, check: Callable[[Any], Any]) -> Callable[[object], object]:
    parse = definition.parse_value
    assert parse is not None

    def parse_value(value: object) -> object:
        return check(parse(value))

    return parse_value


def _checked(kind: object, check: Callable[[Any], Any]) -> ScalarDefinition:
    definition = DEFAULT_SCALAR_REGISTRY[kind]
    assert isinstance(definition, ScalarDefinition)
    # parse_literal stays None: graphql-core then parses a literal with parse_value.
    return dataclasses.replace(definition, parse_value=_then(definition, check))


def scalar_overrides() -> dict[object, ScalarDefinition]:
    """strawberry's Date, DateTime, Decimal and JSON, with the checks above."""
    return {
        dt.date: _checked(dt.date, check_date),
        dt.datetime: _checked(dt.datetime, check_date),
        decimal.Decimal: _checked(decimal.Decimal, check_decimal),
        JSON: _checked(JSON, check_json_depth),
    }


# ---------------------------------------------------------------------------------------
# Text


def _bad_text(text: str) -> bool:
    return _CONTROL.search(text) is not None


def _variables_refusal(variables: Mapping[str, Any] | None) -> DomainError | None:
    # Iterative: a variable nested thousands deep must cost a loop, not the stack.
    stack: list[tuple[str, object]] = [(f"${name}", v) for name, v in (variables or {}).items()]
    while stack:
        field, value = stack.pop()
        if isinstance(value, str):
            if _bad_text(value):
                return DomainError("INVALID_TEXT", field)
        elif isinstance(value, Mapping):
            for key, child in value.items():
                if isinstance(key, str) and _bad_text(key):
                    return DomainError("INVALID_TEXT", field)
                stack.append((str(key), child))
        elif isinstance(value, list | tuple):
            stack.extend((field, child) for child in value)
    return None


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.refusal: DomainError | None = None

    def enter_string_value(
        self, node: StringValueNode, _key: Any, parent: Any, _path: Any, ancestors: Any
    ) -> object:
        if not _bad_text(node.value):
            return None
        field = "value"
        for ancestor in (parent, *reversed(ancestors)):
            if isinstance(ancestor, ArgumentNode | ObjectFieldNode):
                field = ancestor.name.value
                break
            if isinstance(ancestor, VariableDefinitionNode):
                field = f"${ancestor.variable.name.value}"
                break
        self.refusal = DomainError("INVALID_TEXT", field)
        return self.BREAK


def text_refusal(variables: Mapping[str, Any] | None, *nodes: Node | None) -> DomainError | None:
    """INVALID_TEXT for the first string of the request (its variables, then the literals
    of its document or operation and fragments) that holds a control character."""
    refusal = _variables_refusal(variables)
    for node in nodes:
        if refusal is not None:
            break
        if node is not None:
            literals = _Literals()
            visit(node, literals)
            refusal = literals.refusal
    return refusal


class InputChecks(SchemaExtension):
    """Refuses a request with a control character in any of its strings, before validation.

    Listed after QueryLimits (a refused document is not looked at) and before
    GuardedValidationCache, which then leaves the refused document unvalidated.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if not context.pre_execution_errors:
            refusal = text_refusal(context.variables, context.graphql_document)
            if refusal is not None:
                context.pre_execution_errors = [GraphQLError(str(refusal), original_error=refusal)]
        yield
