"""Row shapes: each exposed column of a model reaches the directory, the raw SQL, the exports
and the generator without being written there again."""

from __future__ import annotations

import datetime as dt

import pytest

from core.devdata import generate
from core.devdata.bulk import Table
from core.figures.exports import LISTINGS, listing_rows
from core.figures.report import Area
from core.infra import reads
from core.infra.tenancy import in_city
from core.models import Case, Community, Compound, Firm, Organisation, Street
from core.models.base import CityModel
from core.models.shapes import column_of, fields_of, foreign_keys
from core.places import directory

SHAPED = (*directory.FIELDS, directory.ManagementContract, Case)
LISTED = {
    "streets": Street,
    "communities": Community,
    "compounds": Compound,
    "buildings": directory.Building,
    "grids": directory.Grid,
    "organisations": Organisation,
    "firms": Firm,
}


def test_a_shape_is_the_id_its_exposed_columns_and_the_creation_time() -> None:
    assert fields_of(Street) == ("id", "name", "code", "created_at")
    assert foreign_keys(Organisation) == {
        "parent_id", "street_id", "community_id", "compound_id", "grid_id", "building_id"
    }  # fmt: skip


@pytest.mark.parametrize("model", SHAPED, ids=lambda m: m.__name__)
async def test_every_exposed_column_is_a_column_of_the_table(
    empty_db: str, model: type[CityModel]
) -> None:
    assert len(set(model.EXPOSED)) == len(model.EXPOSED)
    for name in model.EXPOSED:
        assert column_of(model, name)  # a KeyError names a column the model lacks


async def test_the_directory_reads_every_exposed_column(empty_db: str) -> None:
    await generate.generate("gen", compounds=20, cases=40, firms=5)
    with in_city("gen"):
        for model in directory.FIELDS:
            assert directory.FIELDS[model] == fields_of(model)
            assert reads.columns(model).fields == fields_of(model)
            first = (await model.all().order_by("id").limit(1).values("id"))[0]["id"]
            row = (await directory.rows_by_id(model, [first]))[first]
            assert tuple(row) == fields_of(model), model.__name__
            # The raw SQL gives what `.values()` gives, converters included.
            assert row == (await model.filter(id=first).values(*fields_of(model)))[0]
        compound = (await Compound.all().limit(1).values("id"))[0]["id"]
        contracts = await directory.contracts_of("compound_id", [compound])
        for contract in contracts[compound]:
            assert tuple(contract) == fields_of(directory.ManagementContract)


async def test_the_generator_writes_every_exposed_column(empty_db: str) -> None:
    now = dt.datetime.now(dt.UTC)
    for model in generate.MODELS:
        layout = Table(model, now).layout(dict.fromkeys(model.EXPOSED))
        assert set(layout.columns) >= {column_of(model, f) for f in model.EXPOSED}
    counts = await generate.generate("gen", compounds=20, cases=40, firms=5)
    assert list(counts) == [m._meta.db_table for m in generate.MODELS]
    with in_city("gen"):
        compound = (await Compound.all().limit(1).values(*Compound.EXPOSED))[0]
        # Columns the generator makes up, and Case's ones it leaves to the model's defaults.
        assert compound["floor_area"] > 0 and compound["land_area"] > 0
        case = (await Case.all().limit(1).values(*Case.EXPOSED))[0]
        assert (case["round"], case["escalation_level"], case["reply"]) == (1, "COMMUNITY", None)


async def test_the_generator_refuses_a_row_its_shape_does_not_fit(empty_db: str) -> None:
    table = Table(Street, dt.datetime.now(dt.UTC))
    layout = table.layout({"name": "新街道"})  # `code` may be left out: it is nullable
    assert layout.columns[:5] == ("id", "city_id", "created_at", "name", "code")
    assert (layout.pick({"name": "新街道"}), layout.constants) == (("新街道",), (None,))
    with pytest.raises(ValueError, match="unknown \\['nmae'\\]"):
        table.layout({"nmae": "新街道"})
    with pytest.raises(ValueError, match="lacking \\['name'\\]"):
        table.layout({"code": "X"})


@pytest.mark.parametrize("name", sorted(LISTED))
async def test_each_directory_export_lists_its_shape(empty_db: str, name: str) -> None:
    model = LISTED[name]
    assert LISTINGS[name].columns == ("id", *model.EXPOSED)
    await generate.generate("gen", compounds=20, cases=0, firms=5)
    with in_city("gen"):
        rows = [row async for row in listing_rows(name, Area())]
        assert rows and all(len(row) == len(model.EXPOSED) + 1 for row in rows)
        first = rows[0]
        stored = (await model.filter(id=first[0]).values(*model.EXPOSED))[0]
        for column, cell in zip(model.EXPOSED, first[1:], strict=True):
            value = stored[column]
            if isinstance(value, dt.date):
                value = value.isoformat()
            assert cell == value, column
