"""A model's rows read by plain SQL text, converted as `.values()` converts them.

The DataLoaders' statements have a handful of fixed shapes (rows by id, children by parent,
contracts in force), yet tortoise builds each one anew on every call: Q resolution and pypika
copies cost ~300 µs a statement measured here, as much as the round trip to PostgreSQL. Here
a model's column list (its row shape, core/models/shapes.py, unless told otherwise) and
converters are worked out once (`columns`), each statement is a
format string around them, and it runs through `core.infra.db.fetch`, so
`$n` placeholders serve both databases. The rows come out exactly as `.values(*fields)` gives
them (the same per-field converters), so callers cannot tell the two apart.

Every statement is filtered by `city_id = $1` with the city in scope: raw SQL does not pass
through CityManager, so the scope is written here once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson

from core.infra import db
from core.infra.tenancy import current_city
from core.models.base import CityModel
from core.models.shapes import fields_of

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    name: str  # the field, as `.values()` names it
    column: str  # in the table


class Columns:
    """A model's fields as a SELECT list, with the converters `.values()` would apply."""

    def __init__(self, model: type[CityModel], fields: tuple[str, ...]) -> None:
        meta = model._meta
        self.table = meta.db_table
        self.fields = fields
        self.each = tuple(Column(f, meta.fields_db_projection[f]) for f in fields)
        self.select = ", ".join(_column(c.column, c.name) for c in self.each)
        # tortoise's ValuesQuery: db-native fields as they come, the others through the field.
        native = {name for _, name, _ in meta.db_native_fields}
        self.converters: list[tuple[str, Callable[[Any], Any]]] = [
            (f, meta.fields_map[f].to_python_value) for f in fields if f not in native
        ]

    def convert(self, rows: list[Row]) -> list[Row]:
        for row in rows:
            for name, to_python in self.converters:
                row[name] = to_python(row[name])
        return rows


def _column(column: str, name: str) -> str:
    return column if column == name else f"{column} AS {name}"


def columns(model: type[CityModel], fields: tuple[str, ...] | None = None) -> Columns:
    """`fields` of the model, by default its row shape (core/models/shapes.py)."""
    # Which fields are native (need no converter) depends on the database.
    return _columns(model, fields or fields_of(model), db.dialect())


@cache
def _columns(model: type[CityModel], fields: tuple[str, ...], dialect: str) -> Columns:
    return Columns(model, fields)


class Binder:
    """The parameters of one statement, `$1` the city in scope. `bind` adds one and returns
    its placeholder (the shape `core.security.access.compound_scope_sql` takes)."""

    def __init__(self) -> None:
        self.postgres = db.dialect() == "postgres"
        self.params: list[Any] = [current_city()]

    def bind(self, value: Any, sql_type: str) -> str:
        if sql_type == "date" and not self.postgres:
            value = value.isoformat()  # SQLite keeps tortoise's DateField as ISO text
        self.params.append(value)
        n = len(self.params)
        return f"${n}::{sql_type}" if self.postgres else f"${n}"

    def any_of(self, values: Iterable[Any], sql_type: str = "int") -> str:
        """`= ANY(array)` on PostgreSQL; on SQLite the list travels as one JSON parameter, so
        one text serves any number of values and SQLite's cap on bound variables never bites."""
        if self.postgres:
            return f"= ANY({self.bind(list(values), sql_type + '[]')})"
        as_json = orjson.dumps(list(values)).decode()
        return f"IN (SELECT value FROM json_each({self.bind(as_json, 'text')}))"


async def select(cols: Columns, where: str, binder: Binder, order_by: str = "") -> list[Row]:
    """`SELECT <cols> FROM <table> WHERE city_id = $1 AND <where> [ORDER BY ...]`."""
    sql = f"SELECT {cols.select} FROM {cols.table} WHERE city_id = $1 AND {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    return cols.convert(await db.fetch(sql, binder.params))


async def by_key(
    model: type[CityModel],
    fields: tuple[str, ...],
    column: str,
    keys: Iterable[Any],
    order_by: str = "",
) -> list[Row]:
    """The rows whose `column` is one of `keys`, in one statement."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    b = Binder()
    return await select(columns(model, fields), f"{column} {b.any_of(keys)}", b, order_by)
