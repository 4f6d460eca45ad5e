"""Tenancy is structural: every city-owned query is scoped, and unscoped work is refused."""

from __future__ import annotations

import pytest

import core.models as models
from core.infra.tenancy import CityManager, TenancyError, in_city
from core.models.base import CityModel

CITY_MODELS = [m for m in vars(models).values() if isinstance(m, type) and issubclass(m, CityModel)]


def test_every_city_owned_model_uses_the_scoping_manager() -> None:
    assert len(CITY_MODELS) >= 9
    for model in CITY_MODELS:
        assert isinstance(model._meta.manager, CityManager), model.__name__
        assert "city" in model._meta.fk_fields, model.__name__


async def test_a_query_without_a_city_is_refused(empty_db: str) -> None:
    with pytest.raises(TenancyError):
        await models.Street.all().count()


async def test_rows_of_one_city_are_invisible_to_another(empty_db: str) -> None:
    with in_city("dongguan"):
        street = await models.Street.create(name="南城街道")
    with in_city("zhuhai"):
        await models.Street.create(name="拱北街道")
        assert await models.Street.all().values_list("name", flat=True) == ["拱北街道"]
        assert await models.Street.get_or_none(id=street.id) is None
        assert await models.Street.filter(id=street.id).update(name="x") == 0
    with in_city("dongguan"):
        assert (await models.Street.get(id=street.id)).name == "南城街道"


async def test_writing_a_row_of_another_city_is_refused(empty_db: str) -> None:
    with in_city("dongguan"):
        street = await models.Street.create(name="东城街道")
    street.name = "changed"
    with in_city("zhuhai"), pytest.raises(TenancyError):
        await street.save()
    with in_city("dongguan"):
        assert (await models.Street.get(id=street.id)).name == "东城街道"
