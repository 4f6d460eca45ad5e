"""Row shapes: a table's exposed columns, declared once on its model, and what derives from them.

A city-owned model names its columns in `EXPOSED` (core/models/base.py). From that one tuple
come the fields the directory reads with `.values()` and raw SQL (core/places/directory.py,
core/infra/reads.py), the directory exports (core/figures/exports.py), the columns the
synthetic generator writes (core/devdata/bulk.py), the compiled path's scalar fields
(schema/compiler/catalog.py) and, through the GraphQL type's own fields, its `from_row`
(schema/api/rows.py). docs/architecture.md, "Adding a column", has the steps.
"""

from __future__ import annotations

from functools import cache

from tortoise import fields

from core.models.base import CityModel


@cache
def fields_of(model: type[CityModel]) -> tuple[str, ...]:
    """A row's fields as `.values()` names them: the id, the exposed columns, the creation time."""
    return ("id", *model.EXPOSED, "created_at")


def column_of(model: type[CityModel], field: str) -> str:
    """The table column behind a field (`community_id` for the FK `community`, usually itself)."""
    return model._meta.fields_db_projection[field]


@cache
def foreign_keys(model: type[CityModel]) -> frozenset[str]:
    """The exposed fields holding another row's id (`community_id`, ...): relations, not values."""
    return frozenset(f"{name}_id" for name in model._meta.fk_fields) & set(model.EXPOSED)


@cache
def scalar_kind(model: type[CityModel], field: str) -> str:
    """How a column is rendered as text: "datetime", "date", "bool" or "value"."""
    f = model._meta.fields_map[field]
    if isinstance(f, fields.DatetimeField):
        return "datetime"
    if isinstance(f, fields.DateField):
        return "date"
    if isinstance(f, fields.BooleanField):
        return "bool"
    return "value"
