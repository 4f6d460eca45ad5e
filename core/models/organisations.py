"""Organisations: the party tree and every other body, each attached to the place it serves."""

from __future__ import annotations

from tortoise import fields

from core.infra.enums import OrganisationKind
from core.models.base import CityModel
from core.models.places import Building, Community, Compound, Grid, Street


class Organisation(CityModel):
    kind = fields.CharEnumField(OrganisationKind, max_length=32)
    name = fields.CharField(max_length=128)
    # The party tree (street -> community -> compound -> grid -> building) and service
    # groups under a station hang from `parent`; it can be walked both ways.
    parent: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    # At most one place; none means the organisation serves the whole city.
    street: fields.ForeignKeyNullableRelation[Street] = fields.ForeignKeyField(
        "models.Street", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    community: fields.ForeignKeyNullableRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    compound: fields.ForeignKeyNullableRelation[Compound] = fields.ForeignKeyField(
        "models.Compound", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    grid: fields.ForeignKeyNullableRelation[Grid] = fields.ForeignKeyField(
        "models.Grid", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    building: fields.ForeignKeyNullableRelation[Building] = fields.ForeignKeyField(
        "models.Building", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    members_count = fields.IntField(default=0)
    founded_on = fields.DateField(null=True)

    EXPOSED = (
        "kind",
        "name",
        "parent_id",
        "street_id",
        "community_id",
        "compound_id",
        "grid_id",
        "building_id",
        "members_count",
        "founded_on",
    )

    class Meta:
        table = "organisations"
        indexes = (("city_id", "kind"), ("city_id", "parent_id"), ("city_id", "compound_id"))
