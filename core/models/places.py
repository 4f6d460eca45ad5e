"""The place hierarchy: city -> street -> community -> compound -> building, and grids."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.infra.enums import CommunityKind, CompoundKind, ManagementMode
from core.models.base import CityModel


class City(Model):
    """The tenant. Its slug is the key every other row carries."""

    slug = fields.CharField(max_length=32, primary_key=True)
    name = fields.CharField(max_length=64)
    name_en = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "cities"


class Street(CityModel):
    name = fields.CharField(max_length=64)
    code = fields.CharField(max_length=32, null=True)

    EXPOSED = ("name", "code")

    class Meta:
        table = "streets"
        unique_together = (("city", "name"),)


class Community(CityModel):
    street: fields.ForeignKeyRelation[Street] = fields.ForeignKeyField(
        "models.Street", related_name="communities", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=64)
    kind = fields.CharEnumField(CommunityKind, max_length=16, default=CommunityKind.URBAN)

    EXPOSED = ("name", "kind", "street_id")

    class Meta:
        table = "communities"


class Compound(CityModel):
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="compounds", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=128)
    kind = fields.CharEnumField(CompoundKind, max_length=32)
    homes = fields.IntField(default=0)
    residents = fields.IntField(default=0)
    land_area = fields.FloatField(null=True, description="m²")
    floor_area = fields.FloatField(null=True, description="m²")
    # "Mature" compounds are those eligible for a party organisation of their own.
    mature = fields.BooleanField(default=False)
    management_mode = fields.CharEnumField(
        ManagementMode, max_length=32, default=ManagementMode.PROPERTY_FIRM
    )

    EXPOSED = (
        "name",
        "kind",
        "community_id",
        "homes",
        "residents",
        "mature",
        "management_mode",
        "land_area",
        "floor_area",
    )

    class Meta:
        table = "compounds"
        indexes = (("city_id", "community_id"), ("city_id", "name"))


class Grid(CityModel):
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="grids", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=64)
    code = fields.CharField(max_length=32, null=True)

    EXPOSED = ("name", "code", "community_id")

    class Meta:
        table = "grids"


class Building(CityModel):
    compound: fields.ForeignKeyRelation[Compound] = fields.ForeignKeyField(
        "models.Compound", related_name="buildings", on_delete=fields.RESTRICT
    )
    grid: fields.ForeignKeyNullableRelation[Grid] = fields.ForeignKeyField(
        "models.Grid", related_name="buildings", null=True, on_delete=fields.SET_NULL
    )
    name = fields.CharField(max_length=64)
    floors = fields.IntField(default=0)
    homes = fields.IntField(default=0)

    EXPOSED = ("name", "compound_id", "grid_id", "floors", "homes")

    class Meta:
        table = "buildings"
        indexes = (("city_id", "compound_id"),)
