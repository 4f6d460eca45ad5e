"""The GraphQL row mapping and the compiled path's scalars follow the row shapes."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from strawberry.types.private import is_private
from strawberry.utils.str_converters import to_camel_case

from core.devdata.generate import generate
from core.infra.tenancy import in_city
from core.models.shapes import fields_of, foreign_keys
from core.places import directory
from schema.api.ids import to_global_id
from schema.api.relay import Node
from schema.api.rows import FromRow
from schema.compiler.catalog import CATALOG, TYPES

# Columns core reads for its own checks (who filed a case, who mediates it), and the time a
# contract was recorded (its dates are what count): not part of the API.
NOT_IN_GRAPHQL = {
    "Case": {"filed_by_id", "filed_by_subject", "mediator_id"},
    "ManagementContract": {"created_at"},
}


def _fields(gql_type: type[Any]) -> dict[str, Any]:
    return {f.python_name: f for f in gql_type.__strawberry_definition__.fields}


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_every_exposed_column_is_a_field_of_the_graphql_type(type_name: str) -> None:
    gql_type, model = TYPES[type_name]
    missing = set(fields_of(model)) - {"id"} - set(_fields(gql_type))
    assert missing == NOT_IN_GRAPHQL.get(type_name, set())


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_the_catalog_compiles_every_public_column_from_its_shape(type_name: str) -> None:
    gql_type, model = TYPES[type_name]
    fields = _fields(gql_type)
    for name in fields_of(model):
        if name == "id" or name in foreign_keys(model) or name not in fields:
            continue
        if is_private(fields[name].type):
            continue
        compile_field = CATALOG[type_name][to_camel_case(name)]
        assert f"t.{name}" in compile_field(None, "t", [], None), name  # type: ignore[arg-type]


async def test_from_row_gives_each_field_its_column(empty_db: str) -> None:
    await generate("gen", compounds=10, cases=20, firms=3)
    with in_city("gen"):
        for type_name, (gql_type, model) in TYPES.items():
            if model not in directory.FIELDS:
                continue
            first = (await model.all().order_by("id").limit(1).values("id"))[0]["id"]
            row = (await directory.rows_by_id(model, [first]))[first]
            made = gql_type.from_row(row)
            assert (made.id, made.pk) == (to_global_id(type_name, first), first)
            for name in (set(fields_of(model)) - {"id"}) & set(_fields(gql_type)):
                assert getattr(made, name) == row[name], (type_name, name)


@strawberry.type
class Sample(Node):
    pk: strawberry.Private[int]
    name: str
    label: str
    doubled: int
    note: str | None = None

    from_row = FromRow(renamed={"label": "name_en"}, computed={"doubled": lambda r: 2 * r["n"]})


def test_renamed_computed_and_default_fields() -> None:
    made = Sample.from_row({"id": 7, "name": "甲", "name_en": "A", "n": 21})
    assert (made.id, made.pk, made.name, made.label) == (to_global_id("Sample", 7), 7, "甲", "A")
    assert (made.doubled, made.note) == (42, None)
    assert Sample.from_row({"id": 1, "name": "", "name_en": "", "n": 0, "note": "x"}).note == "x"
    with pytest.raises(KeyError, match="name_en"):
        Sample.from_row({"id": 7, "name": "甲", "n": 1})


def test_a_rename_of_a_field_the_type_lacks_is_refused() -> None:
    @strawberry.type
    class Broken:
        name: str
        from_row = FromRow(renamed={"nmae": "name"})

    with pytest.raises(TypeError, match="nmae"):
        Broken.from_row({"name": "x"})
