"""The SQL builder: parameters, value formats as the resolver path renders them, objects and
cursor pages as JSON expressions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, GraphQLField, GraphQLObjectType, get_named_type
from graphql.execution.values import get_argument_values
from strawberry.types.arguments import convert_arguments

from core.security.auth import Principal
from schema.compiler.plan import Collector, Fields, Unsupported

if TYPE_CHECKING:
    import strawberry

CITY = "$1"  # every statement's first parameter is the city slug
MAX_INT = 2**31 - 1
MAX_JSON_KEYS = 50  # json_build_object takes at most 100 arguments


def lit(text: str) -> str:
    """An SQL string literal; only for texts of our own (labels, names of keys and types)."""
    return "'" + text.replace("'", "''") + "'"


def iso_ts(expr: str) -> str:
    """A timestamptz as Python's isoformat() of an aware UTC datetime renders it."""
    utc = f"({expr} AT TIME ZONE 'UTC')"
    return (
        f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN date_trunc('second', {expr})"
        f" = {expr} THEN '' ELSE to_char({utc}, '.US') END || '+00:00')"
    )


def iso_date(expr: str) -> str:
    return f"to_char({expr}, 'YYYY-MM-DD')"


def global_id(type_name: str, id_expr: str) -> str:
    """schema.api.ids.to_global_id: urlsafe base64 of 'Type:pk' without padding."""
    raw = f"encode(convert_to({lit(type_name + ':')} || {id_expr}, 'UTF8'), 'base64')"
    return f"rtrim(translate({raw}, '+/', '-_'), '=')"


def cursor(alias: str, column: str, kind: str) -> str:
    """core.infra.pagination.encode_cursor: urlsafe base64 (padded) of orjson [value, id]."""
    col, row_id = f"{alias}.{column}", f"{alias}.id"
    if kind == "ts":
        value = f"'{{\"t\":\"' || {iso_ts(col)} || '\"}}'"
    elif kind == "text":
        value = f"to_json({col})::text"
    else:
        value = f"{col}::text"
    doc = f"'[' || {value} || ',' || {row_id} || ']'"
    # PostgreSQL wraps base64 at 76 characters; Python does not.
    return f"translate(encode(convert_to({doc}, 'UTF8'), 'base64'), E'+/\\n', '-_')"


# A field's compiler: (builder, alias of the row, merged field nodes, its definition) -> SQL.
FieldSql = Callable[["Builder", str, list[FieldNode], GraphQLField], str]


@dataclass(frozen=True)
class PageSpec:
    """One cursor page of `table`: filter, order and how many, as core.infra.pagination does."""

    table: str
    node_type: str
    where: Callable[[str], str]  # alias -> predicate, without the keyset condition
    sort: str
    kind: str  # the sort column's cursor kind: text, int or ts
    descending: bool
    first: int
    after: tuple[Any, int] | None = None


class Builder:
    """Compiles one request: holds its parameters, caller, language and collected fields."""

    def __init__(
        self,
        schema: strawberry.Schema,
        collector: Collector,
        principal: Principal,
        lang: str,
        catalog: dict[str, dict[str, FieldSql]],
    ) -> None:
        self.schema = schema
        self.collector = collector
        self.principal = principal
        self.lang = lang
        self.catalog = catalog
        self.params: list[Any] = [principal.city]
        self.today = dt.date.today()
        self._aliases = 0

    # -- parameters and names ------------------------------------------------------------

    def bind(self, value: Any, sql_type: str) -> str:
        self.params.append(value)
        return f"${len(self.params)}::{sql_type}"

    def bind_id(self, pk: int) -> str:
        if pk > MAX_INT:
            raise Unsupported("id out of range")  # the resolver path reports the driver error
        return self.bind(pk, "int")

    def alias(self, prefix: str = "t") -> str:
        self._aliases += 1
        return f"{prefix}{self._aliases}"

    # -- arguments -----------------------------------------------------------------------

    def arguments(self, nodes: list[FieldNode], field: GraphQLField) -> dict[str, Any]:
        """The resolver's keyword arguments, converted by strawberry exactly as it would."""
        raw = get_argument_values(field, nodes[0], self.collector.variables)
        definition = field.extensions.get("strawberry-definition")
        if definition is None:
            raise Unsupported("not a strawberry field")
        converter = self.schema.schema_converter
        return convert_arguments(
            raw,
            definition.arguments,
            scalar_registry=converter.scalar_registry,
            config=self.schema.config,
        )

    # -- objects -------------------------------------------------------------------------

    def object_type(self, name: str) -> GraphQLObjectType:
        gtype = self.schema._schema.get_type(name)
        if not isinstance(gtype, GraphQLObjectType):
            raise Unsupported(name)
        return gtype

    def fields_of(self, name: str, nodes: list[FieldNode]) -> Fields:
        return self.collector.subfields(self.object_type(name), nodes)

    def obj(self, type_name: str, alias: str, fields: Fields) -> str:
        """json_build_object of the selected fields of one row of `type_name` at `alias`."""
        compilers = self.catalog.get(type_name)
        gtype = self.object_type(type_name)
        if compilers is None or len(fields) > MAX_JSON_KEYS:
            raise Unsupported(type_name)
        parts = []
        for key, nodes in fields.items():
            name = nodes[0].name.value
            if name == "__typename":
                expr = lit(type_name)
            elif name in compilers:
                expr = compilers[name](self, alias, nodes, gtype.fields[name])
            else:
                raise Unsupported(f"{type_name}.{name}")
            parts.append(f"{lit(key)}, {expr}")
        return f"json_build_object({', '.join(parts)})"

    def row(self, type_name: str, table: str, nodes: list[FieldNode], where: str) -> str:
        """The one row of `table` matching `where` (over alias {a}), as JSON or null."""
        a = self.alias("r")
        fields = self.fields_of(type_name, nodes)
        return (
            f"(SELECT {self.obj(type_name, a, fields)} FROM {table} {a} "
            f"WHERE {a}.city_id = {CITY} AND {where.format(a=a)})"
        )

    def row_via(
        self, type_name: str, table: str, nodes: list[FieldNode], source: str, on: str
    ) -> str:
        """The row of `table` that the one-row subquery `source` (alias x) points at.

        A join rather than `id = (subquery)`: PostgreSQL then reaches the row by its index
        once per parent, where the scalar form led it to scan small tables in full.
        """
        a = self.alias("r")
        fields = self.fields_of(type_name, nodes)
        return (
            f"(SELECT {self.obj(type_name, a, fields)} FROM ({source}) x JOIN {table} {a} "
            f"ON {a}.city_id = {CITY} AND {on.format(a=a)})"
        )

    def rows(
        self, type_name: str, table: str, nodes: list[FieldNode], where: str, order: str
    ) -> str:
        """A JSON list of the rows matching `where`, ordered by `order` (both over {a})."""
        a = self.alias("l")
        fields = self.fields_of(type_name, nodes)
        return (
            f"coalesce((SELECT json_agg({self.obj(type_name, a, fields)} "
            f"ORDER BY {order.format(a=a)}) FROM {table} {a} "
            f"WHERE {a}.city_id = {CITY} AND {where.format(a=a)}), '[]'::json)"
        )

    # -- connections ---------------------------------------------------------------------

    def keyset(self, alias: str, spec: PageSpec) -> str:
        if spec.after is None:
            return "true"
        value, row_id = spec.after
        checks = {
            "text": (isinstance(value, str), "text"),
            "int": (isinstance(value, int) and not isinstance(value, bool), "int"),
            "ts": (isinstance(value, dt.datetime) and value.tzinfo is not None, "timestamptz"),
        }
        ok, sql_type = checks[spec.kind]
        if not ok or row_id > MAX_INT or (spec.kind == "int" and abs(value) > MAX_INT):
            raise Unsupported("a cursor of another ordering")
        op = "<" if spec.descending else ">"
        v, i = self.bind(value, sql_type), self.bind(row_id, "int")
        col = f"{alias}.{spec.sort}"
        return f"({col} {op} {v} OR ({col} = {v} AND {alias}.id {op} {i}))"

    def connection(self, nodes: list[FieldNode], field: GraphQLField, spec: PageSpec) -> str:
        conn_type = get_named_type(field.type)
        assert isinstance(conn_type, GraphQLObjectType)
        p, t = self.alias("p"), self.alias("t")
        direction = "DESC" if spec.descending else "ASC"
        order = f"{t}.{spec.sort} {direction}, {t}.id {direction}"
        limit = spec.first + 1 if spec.first else 0
        n = spec.first
        inner = (
            f"SELECT {t}.*, {cursor(t, spec.sort, spec.kind)} AS _cur, "
            f"row_number() OVER (ORDER BY {order}) AS _rn FROM {spec.table} {t} "
            f"WHERE {t}.city_id = {CITY} AND {spec.where(t)} AND {self.keyset(t, spec)} "
            f"ORDER BY {order} LIMIT {limit}"
        )
        parts = []
        for key, fnodes in self.collector.subfields(conn_type, nodes).items():
            name = fnodes[0].name.value
            if name == "__typename":
                expr = lit(conn_type.name)
            elif name == "nodes":
                item = self.obj(spec.node_type, p, self.fields_of(spec.node_type, fnodes))
                expr = self._agg(item, p, n)
            elif name == "edges":
                edge_type = get_named_type(conn_type.fields["edges"].type)
                assert isinstance(edge_type, GraphQLObjectType)
                edge = []
                for ekey, enodes in self.collector.subfields(edge_type, fnodes).items():
                    ename = enodes[0].name.value
                    if ename == "cursor":
                        eexpr = f"{p}._cur"
                    elif ename == "node":
                        node_fields = self.fields_of(spec.node_type, enodes)
                        eexpr = self.obj(spec.node_type, p, node_fields)
                    else:
                        eexpr = lit(edge_type.name)
                    edge.append(f"{lit(ekey)}, {eexpr}")
                expr = self._agg(f"json_build_object({', '.join(edge)})", p, n)
            elif name == "pageInfo":
                expr = self._page_info(fnodes, p, n, spec)
            elif name == "totalCount":
                c = self.alias("c")
                expr = (
                    f"(SELECT count(*) FROM {spec.table} {c} "
                    f"WHERE {c}.city_id = {CITY} AND {spec.where(c)})"
                )
            else:
                raise Unsupported(f"{conn_type.name}.{name}")
            parts.append(f"{lit(key)}, {expr}")
        if len(parts) > MAX_JSON_KEYS:
            raise Unsupported("too many keys")
        # GROUP BY (): one row even when no aggregate is selected (only totalCount, say).
        return f"(SELECT json_build_object({', '.join(parts)}) FROM ({inner}) {p} GROUP BY ())"

    @staticmethod
    def _agg(item: str, p: str, n: int) -> str:
        # The page holds one row more than asked (to tell whether more follow): leave it out.
        return (
            f"coalesce(json_agg({item} ORDER BY {p}._rn) FILTER (WHERE {p}._rn <= {n}), '[]'::json)"
        )

    def _page_info(self, nodes: list[FieldNode], p: str, n: int, spec: PageSpec) -> str:
        info_type = self.object_type("PageInfo")
        kept = f"FILTER (WHERE {p}._rn <= {n})"
        exprs = {
            "__typename": lit("PageInfo"),
            "hasNextPage": f"(count(*) > {n})",
            "hasPreviousPage": "true" if spec.after is not None else "false",
            "startCursor": f"(array_agg({p}._cur ORDER BY {p}._rn) {kept})[1]",
            "endCursor": f"(array_agg({p}._cur ORDER BY {p}._rn DESC) {kept})[1]",
        }
        parts = []
        for key, fnodes in self.collector.subfields(info_type, nodes).items():
            parts.append(f"{lit(key)}, {exprs[fnodes[0].name.value]}")
        return f"json_build_object({', '.join(parts)})"
