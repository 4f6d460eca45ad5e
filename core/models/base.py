"""Base of every city-owned table: an integer id, the city, and the scoping manager."""

from __future__ import annotations

from typing import Any, ClassVar

from tortoise import fields
from tortoise.models import Model, ModelMeta

from core.infra.tenancy import CityManager, TenancyError, current_city


class _CityModelMeta(ModelMeta):
    # Tortoise does not inherit Meta.manager into a subclass that declares its own Meta,
    # so every city-owned model gets the scoping manager here, whether it asks or not.
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        meta: Any = attrs.get("Meta") or type("Meta", (), {})
        if not getattr(meta, "abstract", False):
            meta.manager = CityManager()
        attrs["Meta"] = meta
        return super().__new__(mcs, name, bases, attrs)


class CityModel(Model, metaclass=_CityModelMeta):
    # The table's row shape, declared once: the columns read and written besides `id` and
    # `created_at`, named as `.values()` names them (core/models/shapes.py derives the rest).
    EXPOSED: ClassVar[tuple[str, ...]] = ()

    id = fields.IntField(primary_key=True)
    city: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.City", related_name=False, on_delete=fields.RESTRICT, db_index=True
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        abstract = True

    async def save(self, *args: Any, **kwargs: Any) -> None:
        # A row takes the city in scope; writing a row of another city is a bug, not a choice.
        city = current_city()
        if self.city_id is None:  # type: ignore[has-type]
            self.city_id = city
        elif self.city_id != city:
            raise TenancyError(f"refusing to write a {self.city_id} row while in {city}")
        await super().save(*args, **kwargs)
